"""No person's name, phone or ID number leaves data/raw: not in the tables, rejects, cache or any page.

Names are dropped with their columns (当事人, 姓名, …); a name written inside free text cannot be told
from a shop name and is not detected. Phone and ID numbers are masked wherever they are written."""
from __future__ import annotations

from conftest import write_xlsx

from analysis.ingest import normalize as nz
from analysis.report import pages
from analysis.report.periods import Period

NAMES = ["张建国", "李秀英", "王德福", "赵春花"]
PHONES = ["13912345678", "186-2233-4455", "15037890123", "１５８７４２１３６６３", "139 8765 4321", "0391-3568888"]
IDS = ["410802199001011234", "41080219851231567X"]
PERSONAL_HEADERS = ["当事人", "姓名", "业主姓名", "负责人", "法人代表", "联系电话", "业主电话", "电话", "手机", "身份证号",
                    "建设单位责任人", "施工单位责任人", "经营者姓名", "户主", "联系方式", "证件号码", "身份证号码", "手机号码",
                    "法定代表人", "摊主", "经办人"]


def _personal_cells(i: int) -> list:
    values = NAMES + PHONES + IDS
    return [values[(i + k) % len(values)] for k in range(len(PERSONAL_HEADERS))]


def _plant(raw):
    phone, ident = PHONES[0], IDS[0]
    ledgers = {
        "street_vending": (["日期", "街道", "类型", "数量", "地点", "备注"],
                           ["2023-03-05", "焦南", "游商", 2, f"解放路 摊主电话{phone}，手机{PHONES[3]}", f"身份证{ident}"]),
        "gas_safety": (["排查日期", "街道", "单位名称", "单位类型", "存在问题"],
                       ["2023-01-05", "民生", f"老王饭店 {PHONES[1]}", "饭店", f"负责人手机{PHONES[2]}"]),
        "dust_control": (["督导日期", "街道", "点位名称", "存在问题"],
                         ["2023-04-01", "焦北", f"某工地（{phone}，{PHONES[4]}，座机{PHONES[5]}）", "黄土裸露"]),
        "demolitions": (["拆除日期", "街道", "地址", "面积"],
                        ["2023-04-01", "王褚", f"塔南路1号 {ident}", 50]),
    }
    for i, (ledger, (header, row)) in enumerate(ledgers.items()):
        bad = list(row)
        bad[1] = f"联系{PHONES[2]}"  # an unreadable sub-district holding a phone number: rejected, value masked
        write_xlsx(raw / ledger / "p.xlsx", {"S": [header + PERSONAL_HEADERS, row + _personal_cells(i),
                                                   bad + _personal_cells(i + 1)]})


def _secrets():
    digits = [nz.fold(p).replace("-", "").replace(" ", "") for p in PHONES]
    return NAMES + PHONES + digits + IDS


def test_no_personal_data_in_any_output_cache_or_page(raw, run_clean):
    _plant(raw)
    run = run_clean()
    blobs = {str(p): p.read_bytes().decode("utf-8", "replace") for p in run.out.rglob("*") if p.is_file()}
    for ledger in ("street_vending", "gas_safety", "dust_control", "demolitions"):
        table = run.table(ledger)
        assert len(table) == 1
        blobs[ledger] = table.astype(str).to_csv()
    data = pages.load(run.out)
    year = Period(2023)
    shown = [pages.first_screen(data, year), pages.headline_table(data, year), pages.area_summary(data, year),
             pages.report_wording(data, year), pages.data_note(data, year),
             pages.files_table(data), pages.issues_table(data), pages.reject_reasons(data), pages.rejects_table(data)]
    shown += [pages.top_contributors(data, ledger, year) for ledger in data.tables]
    blobs.update({f"page{i}": p.data for i, p in enumerate(shown)})
    for where, text in blobs.items():
        for secret in _secrets():
            assert secret not in text, f"{secret} in {where}"
    assert "［已隐去］" in blobs["street_vending"] and "［已隐去］" in run.rejects["value"].str.cat()
    dropped = {h for f in run.manifest["files"] for s in f["sheets"] for h in s.get("personal_columns_dropped", [])}
    assert dropped == set(PERSONAL_HEADERS)

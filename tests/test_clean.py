"""The data layer on workbooks the tests build: each messy form of the issue has its own test."""
from __future__ import annotations

import datetime as dt
import shutil

import pandas as pd
import pytest
from conftest import write_xlsx

from analysis.ingest.layout import ROW_KINDS
from analysis.ingest.spec import ledger_names

ROW_KIND_ZEROS = dict.fromkeys(ROW_KINDS, 0)  # the kinds of row a test expects none of

SV_HEADER = ["序号", "日期", "所属街道", "类型", "数量（处）", "处置方式", "路段"]


def outputs(folder):
    """The files a clean run writes for its users (not its cache)."""
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")}


def sv_rows(*rows):
    return [SV_HEADER, *rows]


def test_title_rows_two_row_header_merged_group_and_lineage(raw, run_clean):
    rows = [
        ["解放区城市管理局"], ["三种经营整治台账"], ["2023年3月"],
        ["序号", "日期", "基本情况", None, "整治情况", None],
        [None, None, "街道", "违规类型", "处数", "处理结果"],
        [1, dt.date(2023, 3, 5), "焦南", "游商", 2, "劝离"],
        [2, dt.date(2023, 3, 6), "民主街道", "占道", 1, "限期整改"],
    ]
    merges = ["A1:F1", "A2:F2", "C4:D4", "E4:F4", "A4:A5", "B4:B5"]
    write_xlsx(raw / "street_vending" / "sub" / "m3.xlsx", {"Sheet1": rows}, {"Sheet1": merges})
    run = run_clean()
    t = run.table("street_vending")
    assert run.exit_code == 0
    assert list(t["subdistrict"]) == ["焦南街道", "民主街道"]
    assert list(t["business_type"]) == ["流动摊贩", "占道经营"]
    assert list(t["action"]) == ["劝导教育", "责令改正"]
    assert list(t["places"]) == [2, 1]
    assert list(t["source_row"]) == [6, 7]
    assert set(t["source_file"]) == {"street_vending/sub/m3.xlsx"}
    assert set(t["source_sheet"]) == {"Sheet1"}
    s = run.sheet("street_vending/sub/m3.xlsx", "Sheet1")
    assert s["header_row"] == 5
    assert s["row_kinds"] == ROW_KIND_ZEROS | {"title": 3, "header": 2, "data": 2, "total": 0, "footer": 0, "blank": 0}


def test_vertical_merges_blank_rows_totals_and_footers(raw, run_clean):
    rows = sv_rows(
        [1, dt.date(2023, 5, 1), "新华街道", "店外", 3, "劝导", "解放路"],
        [2, None, None, "游商", 4, "暂扣", "解放路"],
        [None] * 7,
        ["小计", None, None, None, 7],
        [3, dt.date(2023, 5, 2), "焦西", "占道", 1, "立案", "人民路"],
        ["合计", None, None, None, 8],
        ["填报单位：某中队", None, None, "填报人：某某", None, "审核人：某某"],
        ["填报时间：2023年6月1日"],
        ["备注：无"],
    )
    write_xlsx(raw / "street_vending" / "a.xlsx", {"5月": rows}, {"5月": ["B2:B3", "C2:C3"]})
    run = run_clean()
    t = run.table("street_vending")
    assert list(t["date"].dt.day) == [1, 1, 2]
    assert list(t["subdistrict"]) == ["新华街道", "新华街道", "焦西街道"]
    assert t["places"].sum() == 8
    s = run.sheet("street_vending/a.xlsx", "5月")
    assert s["row_kinds"] == ROW_KIND_ZEROS | {"title": 0, "header": 1, "data": 3, "total": 2, "footer": 3, "blank": 1}
    assert s["kept"] + s["rejected"] == s["row_kinds"]["data"]
    assert "total_mismatches" not in s


def test_total_mismatch_is_a_warning_naming_file_sheet_and_column(raw, run_clean):
    rows = sv_rows([1, "2023-03-05", "焦南", "游商", 2, "", ""], ["合计", None, None, None, 5])
    write_xlsx(raw / "street_vending" / "x.xlsx", {"3月": rows})
    run = run_clean()
    assert run.exit_code == 0
    line = next(x for x in run.text.splitlines() if "合计不符" in x)
    assert "street_vending/x.xlsx / 3月" in line and "数量（处）（E列）" in line and "5" in line and "2" in line


@pytest.mark.parametrize("cell, expected", [
    (dt.date(2023, 3, 5), "2023-03-05"),
    (dt.datetime(2023, 3, 5, 14, 30), "2023-03-05"),
    ("2023-03-05", "2023-03-05"),
    ("2023/3/5", "2023-03-05"),
    ("2023.3.5", "2023-03-05"),
    ("2023年3月5日", "2023-03-05"),
    ("20230305", "2023-03-05"),
    (20230305, "2023-03-05"),
    ("２０２３年３月５日", "2023-03-05"),
])
def test_date_forms(raw, run_clean, cell, expected):
    write_xlsx(raw / "street_vending" / "d.xlsx", {"S": sv_rows([1, cell, "焦南", "游商", 1, "", ""])})
    t = run_clean().table("street_vending")
    assert t["date"].dt.strftime("%Y-%m-%d").tolist() == [expected]


@pytest.mark.parametrize("where", ["title", "sheet", "file"])
def test_month_day_dates_take_the_year_from_title_sheet_or_file(raw, run_clean, where):
    rows = sv_rows([1, "3月5日", "焦南", "游商", 1, "", ""])
    sheet, file = "Sheet1", "ledger.xlsx"
    if where == "title":
        rows = [["三种经营整治台账（2022年）"], *rows]
    elif where == "sheet":
        sheet = "2022年3月"
    else:
        file = "2022年三种经营.xlsx"
    write_xlsx(raw / "street_vending" / file, {sheet: rows})
    t = run_clean().table("street_vending")
    assert t["date"].dt.strftime("%Y-%m-%d").tolist() == ["2022-03-05"]


def test_month_day_without_any_year_is_rejected_with_reason(raw, run_clean):
    write_xlsx(raw / "street_vending" / "x.xlsx", {"S": sv_rows([1, "3月5日", "焦南", "游商", 1, "", ""])})
    run = run_clean()
    assert len(run.table("street_vending")) == 0
    assert "年份" in run.rejects.loc[0, "reason"]


@pytest.mark.parametrize("cell, expected", [
    (12, 12), ("12处", 12), ("约120", 120), ("120余", 120), ("１２", 12), ("12 处", 12), (" 3 ", 3), (12.0, 12),
])
def test_count_forms(raw, run_clean, cell, expected):
    write_xlsx(raw / "street_vending" / "n.xlsx", {"S": sv_rows([1, "2023-03-05", "焦南", "游商", cell, "", ""])})
    assert run_clean().table("street_vending")["places"].tolist() == [expected]


@pytest.mark.parametrize("cell, expected", [
    (85.5, 85.5), ("85.5平方米", 85.5), ("120㎡", 120.0), ("约120", 120.0), ("1,050", 1050.0), ("1 050", 1050.0),
    ("1,050.5", 1050.5), ("１２０ｍ２", 120.0), ("120余平方米", 120.0),
])
def test_area_forms(raw, run_clean, cell, expected):
    rows = [["拆除日期", "街道", "拆除面积（㎡）", "拆除方式"], ["2023-04-01", "王褚", cell, "自拆"]]
    write_xlsx(raw / "demolitions" / "a.xlsx", {"S": rows})
    t = run_clean().table("demolitions")
    assert t["area_m2"].tolist() == [expected]
    assert t["method"].tolist() == ["自行拆除"]


def test_header_aliases_and_value_variants_gas(raw, run_clean):
    rows = [
        ["检查日期", "辖区", "店名", "行业类别", "隐患数", "整改数", "暂扣钢瓶", "是否黑窝点"],
        ["2023-01-05", "焦南办事处", "老王烩面馆", "饭店", 2, 2, 1, "否"],
        ["2023-01-05", "焦南街道办事处", "万家超市", "超市", 0, "", "", "×"],
        ["2023-01-06", "七百间街道办", "幸福敬老院", "敬老院", "1处", 1, 0, "√"],
        ["2023-01-06", "上白作", "某仓库", "仓库", 0, 0, "3个", "是"],
    ]
    write_xlsx(raw / "gas_safety" / "g.xlsx", {"1月": rows})
    t = run_clean().table("gas_safety")
    assert t["subdistrict"].tolist() == ["焦南街道", "焦南街道", "七百间街道", "上白作街道"]
    assert t["unit_type"].tolist() == ["餐饮", "大型商超", "养老机构", "其他"]
    assert t["hazards_found"].tolist() == [2, 0, 1, 0]
    assert t["hazards_rectified"].tolist() == [2, 0, 1, 0]
    assert t["cylinders_seized"].tolist() == [1, 0, 0, 3]
    assert t["illegal_den"].tolist() == [False, False, True, True]
    assert str(t["illegal_den"].dtype) == "bool" and str(t["hazards_found"].dtype) == "int64"
    assert list(t["unit_type"].cat.categories) == ["餐饮", "大型商超", "养老机构", "其他"]


def test_dust_issue_none_forms_source_and_rectified(raw, run_clean):
    rows = [
        ["督导日期", "街道", "点位名称", "点位类型", "存在问题", "问题来源", "整改情况"],
        ["2023-04-01", "焦北", "甲工地", "房建", "黄土裸露", "市督导", "已整改"],
        ["2023-04-01", "焦北", "乙工地", "房建", "无", "", ""],
        ["2023-04-02", "焦北", "丙工地", "市政", "—", "巡查", "已整改"],
        ["2023-04-02", "焦北", "丁工地", "市政", None, "自查", None],
        ["2023-04-03", "焦北", "戊工地", "市政", "湿法作业不到位", "市级交办", "未整改"],
        ["2023-04-03", "焦北", "己工地", "市政", "车辆未冲洗", "", ""],
    ]
    write_xlsx(raw / "dust_control" / "d.xlsx", {"4月": rows})
    t = run_clean().table("dust_control")
    assert t["issue_type"].tolist() == ["黄土裸露", "无", "无", "无", "湿法作业不到位", "车辆未冲洗"]
    assert t["source"].tolist() == ["市级督导", "日常巡查", "日常巡查", "日常巡查", "市级督导", "日常巡查"]
    assert t["rectified"].tolist() == [True, pd.NA, pd.NA, pd.NA, False, False]
    assert str(t["rectified"].dtype) == "boolean"


def test_personal_columns_are_dropped_and_phone_numbers_masked(raw, run_clean):
    rows = [
        ["拆除日期", "街道", "地址", "面积", "业主姓名", "联系电话", "身份证号", "建设单位责任人"],
        ["2023-04-01", "王褚", "塔南路1号 业主电话13912345678", 50, "张三丰", "13912345678", "410802199001011234", "李四光"],
    ]
    write_xlsx(raw / "demolitions" / "p.xlsx", {"S": rows})
    run = run_clean()
    blob = b"".join(p.read_bytes() for p in run.out.rglob("*") if p.is_file())  # outputs and the cache
    for secret in ("张三丰", "13912345678", "410802199001011234", "李四光"):
        assert secret.encode() not in blob
    t = run.table("demolitions")
    assert "已隐去" in t.loc[0, "address"]
    assert set(run.sheet("demolitions/p.xlsx", "S")["personal_columns_dropped"]) == {"业主姓名", "联系电话", "身份证号", "建设单位责任人"}


def test_one_sheet_per_month_hidden_sheets_and_lock_files(raw, run_clean):
    sheets = {f"{m}月": sv_rows([1, f"2023-{m:02d}-10", "焦南", "游商", m, "", ""]) for m in (1, 2, 3)}
    sheets["草稿"] = sv_rows([1, "2023-01-01", "焦南", "游商", 999, "", ""])
    write_xlsx(raw / "street_vending" / "q1.xlsx", sheets, hidden=("草稿",))
    (raw / "street_vending" / "~$q1.xlsx").write_bytes(b"lock")
    run = run_clean()
    t = run.table("street_vending")
    assert t["places"].tolist() == [1, 2, 3] and t["month"].tolist() == [1, 2, 3]
    assert run.sheet("street_vending/q1.xlsx", "草稿")["status"] == "hidden"
    assert "~$q1.xlsx" in run.text and "草稿" in run.text
    assert run.exit_code == 0


def test_rejects_have_file_sheet_row_column_value_and_chinese_reason(raw, run_clean):
    rows = sv_rows(
        [1, "2023-03-05", "火星街道", "游商", 1, "", ""],
        [2, "2023-13-45", "焦楠街道", "游商", 1, "", ""],
        [3, "2023-03-05", "焦南", "卖花", 1, "", ""],
        [4, "2023-03-05", "焦南", "游商", "若干", "", ""],
        [5, "2023-03-05", "", "游商", 1, "", ""],
        [6, "2023-03-05", "焦南", "游商", 1, "", ""],
    )
    write_xlsx(raw / "street_vending" / "r.xlsx", {"3月": rows})
    run = run_clean()
    r = run.rejects
    assert list(r.columns) == ["file", "sheet", "row", "column", "value", "reason"]
    assert set(r["file"]) == {"street_vending/r.xlsx"} and set(r["sheet"]) == {"3月"}
    by_row = {int(k): g for k, g in r.groupby("row")}
    assert set(by_row) == {2, 3, 4, 5, 6}
    assert by_row[2].iloc[0]["reason"] == "未知街道“火星街道”，与九个街道都不相近"
    assert by_row[3]["reason"].iloc[0] == "日期无法识别"
    assert by_row[3]["reason"].iloc[1].startswith("未知街道“焦楠街道”，最接近：") and "焦南街道" in by_row[3]["reason"].iloc[1]
    assert by_row[3].iloc[0]["column"] == "日期（B列）"
    assert "未知经营类型“卖花”" in by_row[4].iloc[0]["reason"]
    assert by_row[5].iloc[0]["value"] == "若干" and "数值无法识别" in by_row[5].iloc[0]["reason"]
    assert by_row[6].iloc[0]["reason"] == "街道为空"
    s = run.sheet("street_vending/r.xlsx", "3月")
    assert (s["kept"], s["rejected"]) == (1, 5)
    assert run.exit_code == 0
    assert run_clean(strict=True).exit_code == 1


def test_missing_required_column_fails_the_sheet_names_it_and_the_rest_goes_on(raw, run_clean):
    write_xlsx(raw / "street_vending" / "bad.xlsx", {"S": [["日期", "地点", "类型", "负责人手机"], ["2023-03-05", "解放路", "游商", "1"]]})
    write_xlsx(raw / "street_vending" / "good.xlsx", {"S": sv_rows([1, "2023-03-05", "焦南", "游商", 4, "", ""])})
    (raw / "gas_safety").mkdir()
    (raw / "gas_safety" / "broken.xlsx").write_bytes(b"not a workbook")
    run = run_clean()
    assert run.exit_code == 1
    assert run.table("street_vending")["places"].tolist() == [4]
    assert "缺少必填列 “街道”（可用表头：街道、所属街道、辖区、办事处" in run.text
    assert "gas_safety/broken.xlsx" in run.text and "文件已损坏" in run.text
    assert "Traceback" not in run.text


def test_duplicate_files_are_read_once_and_named(raw, run_clean):
    path = write_xlsx(raw / "street_vending" / "a.xlsx", {"S": sv_rows([1, "2023-03-05", "焦南", "游商", 4, "", ""])})
    (raw / "street_vending" / "a (1).xlsx").write_bytes(path.read_bytes())
    run = run_clean()
    assert run.table("street_vending")["places"].sum() == 4
    dup = [f for f in run.manifest["files"] if f["status"] == "duplicate"]
    assert len(dup) == 1 and {dup[0]["file"], dup[0]["duplicate_of"]} == {"street_vending/a.xlsx", "street_vending/a (1).xlsx"}
    assert f"{dup[0]['file']}：与“{dup[0]['duplicate_of']}”内容完全相同" in run.text


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_utf8_bom_and_gbk(raw, run_clean, encoding):
    text = "日期,街道,类型,数量\n2023-03-05,焦南,游商,3\n2023/3/6,民生,占道,2处\n"
    (raw / "street_vending").mkdir()
    (raw / "street_vending" / "c.csv").write_bytes(text.encode(encoding))
    t = run_clean().table("street_vending")
    assert t["places"].tolist() == [3, 2] and t["source_sheet"].tolist() == ["c", "c"]


def test_xls_files_are_read(raw, run_clean):
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    sh = book.add_sheet("3月")
    sh.write_merge(0, 0, 0, 3, "三种经营整治台账 2023年")
    for c, h in enumerate(["日期", "街道", "类型", "数量"]):
        sh.write(1, c, h)
    for c, v in enumerate(["3月5日", "焦南", "游商", 2]):
        sh.write(2, c, v)
    (raw / "street_vending").mkdir()
    book.save(str(raw / "street_vending" / "old.xls"))
    t = run_clean().table("street_vending")
    assert t["date"].dt.strftime("%Y-%m-%d").tolist() == ["2023-03-05"] and t["places"].tolist() == [2]


def test_unsupported_files_and_stray_folders_are_named(raw, run_clean):
    (raw / "street_vending").mkdir()
    (raw / "street_vending" / "说明.docx").write_bytes(b"x")
    write_xlsx(raw / "other" / "x.xlsx", {"S": [["a"]]})
    run = run_clean()
    assert "说明.docx" in run.text and "other/x.xlsx" in run.text
    assert run.exit_code == 0


def test_outputs_are_byte_identical_across_runs_and_raw_is_untouched(raw, run_clean, tmp_path):
    write_xlsx(raw / "street_vending" / "a.xlsx", {"S": sv_rows([1, "2023-03-05", "火星", "游商", 4, "", ""],
                                                                 [2, "2023-03-06", "焦南", "游商", 4, "", ""])})
    before = {p: p.read_bytes() for p in raw.rglob("*") if p.is_file()}
    first = run_clean()
    snap = outputs(first.out)
    shutil.rmtree(first.out / ".cache")  # a second run from scratch, not from the cache
    second = run_clean()
    assert outputs(second.out) == snap and len(snap) == len(ledger_names()) + 2  # tables, rejects, manifest
    assert {p: p.read_bytes() for p in raw.rglob("*") if p.is_file()} == before
    assert not [p for p in first.out.rglob("*") if p.name.endswith(".tmp")]


def test_an_interrupted_write_leaves_the_previous_outputs_whole(raw, run_clean, monkeypatch):
    write_xlsx(raw / "street_vending" / "a.xlsx", {"S": sv_rows([1, "2023-03-05", "焦南", "游商", 4, "", ""])})
    run = run_clean()
    before = outputs(run.out)
    write_xlsx(raw / "street_vending" / "a.xlsx", {"S": sv_rows([1, "2023-03-05", "焦南", "游商", 9, "", ""])})
    import analysis.ingest.outputs as outputs_module

    def boom(*a, **k):
        raise KeyboardInterrupt
    monkeypatch.setattr(outputs_module.pq, "write_table", boom)
    with pytest.raises(KeyboardInterrupt):
        run_clean()
    assert outputs(run.out) == before
    assert not [p for p in run.out.rglob("*") if p.name.endswith(".tmp")]


def test_every_table_has_the_contract_columns_even_when_empty(raw, run_clean):
    run = run_clean()
    expected = {
        "street_vending": ["date", "subdistrict", "location", "business_type", "places", "action", "squad"],
        "gas_safety": ["date", "subdistrict", "unit_name", "unit_type", "hazard_description", "hazards_found", "hazards_rectified",
                       "cylinders_seized", "illegal_den"],
        "dust_control": ["date", "subdistrict", "site_name", "site_type", "issue_type", "source", "rectified"],
        "demolitions": ["date", "subdistrict", "address", "area_m2", "structure", "method"],
    }
    for ledger, cols in expected.items():
        t = run.table(ledger)
        assert list(t.columns) == cols + ["year", "month", "source_file", "source_sheet", "source_row"]
        assert len(t) == 0


def test_row_accounting_holds_for_every_sheet(raw, run_clean):
    rows = [["台账"], *sv_rows([1, "2023-03-05", "焦南", "游商", 1, "", ""], [None] * 7,
                               [2, "bad", "焦南", "游商", 1, "", ""], ["合计", None, None, None, 2]), ["填报人：x"]]
    write_xlsx(raw / "street_vending" / "a.xlsx", {"S": rows})
    run = run_clean()
    for f in run.manifest["files"]:
        for s in f["sheets"]:
            if s["status"] == "ok":
                assert sum(s["row_kinds"].values()) == s["rows"]
                assert s["kept"] + s["rejected"] == s["row_kinds"]["data"]
    led = run.manifest["ledgers"]["street_vending"]
    assert (led["rows_kept"], led["rows_rejected"]) == (1, 1)
    assert len(run.table("street_vending")) == led["rows_kept"]


@pytest.mark.parametrize("cell, reason", [
    ("1999-12-31", "日期早于2000年"),
    ("2203-03-05", "日期在今天之后"),
    ("2022-03-05", "日期年份与表格标题中的“2023年”不符"),
])
def test_implausible_dates_are_rejected(raw, run_clean, cell, reason):
    rows = [["三种经营整治台账 2023年"], *sv_rows([1, cell, "焦南", "游商", 1, "", ""], [2, "2023-03-05", "焦南", "游商", 1, "", ""])]
    write_xlsx(raw / "street_vending" / "a.xlsx", {"S": rows})
    run = run_clean()
    assert len(run.table("street_vending")) == 1
    assert len(run.rejects) == 1 and run.rejects["reason"].iloc[0].startswith(reason)


def test_plausibility_rules_from_the_spec(raw, run_clean):
    rows = [
        ["排查日期", "街道", "单位名称", "单位类型", "发现隐患", "已整改", "查扣钢瓶"],
        ["2023-01-05", "焦南", "甲饭店", "饭店", 1, 2, 0],
        ["2023-01-05", "焦南", "乙饭店", "饭店", 1, 1, 1000000],
        ["2023-01-05", "焦南", "丙饭店", "饭店", -1, 0, 0],
        ["2023-01-05", "焦南", "丁饭店", "饭店", 2, 1, 3],
    ]
    write_xlsx(raw / "gas_safety" / "g.xlsx", {"S": rows})
    run = run_clean()
    assert run.table("gas_safety")["unit_name"].tolist() == ["丁饭店"]
    reasons = dict(zip(run.rejects["row"].astype(int), run.rejects["reason"]))
    assert reasons == {2: "已整改隐患（处）（2）多于发现隐患（处）（1）",
                       3: "查扣不合格钢瓶（个）为1000000，超过合理上限500（上限及理由见台账规格文件）",
                       4: "发现隐患（处）不能小于0"}


def test_a_rule_without_a_written_reason_is_refused(tmp_path):
    from analysis.ingest.spec import load_spec
    from analysis.paths import LEDGER_SPEC_DIR

    for f in LEDGER_SPEC_DIR.glob("*.yaml"):
        text = f.read_text(encoding="utf-8")
        if f.name == "demolitions.yaml":
            text = "\n".join(x for x in text.splitlines() if "why_max" not in x)
        (tmp_path / f.name).write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="why_max"):
        load_spec("demolitions", tmp_path)



@pytest.mark.parametrize(("old", "new", "words"), [("default: false", "default: 0", "true 或 false"),
                                                    ("default: 0", "default: 1.5", "整数")])
def test_a_default_that_is_not_of_the_column_type_is_refused(tmp_path, old, new, words):
    from analysis.ingest.spec import load_spec
    from analysis.paths import LEDGER_SPEC_DIR

    for f in LEDGER_SPEC_DIR.glob("*.yaml"):
        text = f.read_text(encoding="utf-8")
        if f.name == "gas_safety.yaml":
            assert old in text
            text = text.replace(old, new, 1)
        (tmp_path / f.name).write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=words):
        load_spec("gas_safety", tmp_path)

def test_unchanged_files_are_not_read_again_and_a_changed_one_alone_is(raw, run_clean, monkeypatch):
    import analysis.ingest.file_result as file_result

    for places, name in enumerate(("a", "b", "c"), start=1):
        write_xlsx(raw / "street_vending" / f"{name}.xlsx", {"S": sv_rows([1, "2023-03-05", "焦南", "游商", places, "", ""])})
    first = run_clean()
    reads = []
    real = file_result.read_sheets
    monkeypatch.setattr(file_result, "read_sheets", lambda path, *a: reads.append(path.name) or real(path, *a))
    second = run_clean()
    assert reads == [] and "没有变化" in second.text
    assert outputs(second.out) == outputs(first.out)
    write_xlsx(raw / "street_vending" / "b.xlsx", {"S": sv_rows([1, "2023-03-05", "焦南", "游商", 5, "", ""])})
    third = run_clean()
    assert reads == ["b.xlsx"]
    assert third.table("street_vending")["places"].tolist() == [1, 5, 3]
    (raw / "street_vending" / "c.xlsx").unlink()
    fourth = run_clean()
    assert reads == ["b.xlsx"] and fourth.table("street_vending")["places"].tolist() == [1, 5]


def test_a_second_clean_on_the_same_output_is_refused_while_the_first_runs(raw, tmp_path):
    import subprocess
    import sys

    from analysis.commands.cli import main

    out = tmp_path / "out"
    out.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", (  # holds the lock as a running clean does, on any system
        "import sys\nfrom filelock import FileLock\n"
        f"lock = FileLock({str(out / '.clean.lock')!r})\nlock.acquire()\n"
        "print('locked', flush=True)\nsys.stdin.read()")], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        assert main(["clean", "--raw", str(raw), "--out", str(out)]) == 1
    finally:
        holder.kill()
        holder.wait()  # the lock is released when the holder has exited
    assert main(["clean", "--raw", str(raw), "--out", str(out)]) == 0


@pytest.mark.parametrize("first", [1, True])
def test_excel_true_never_shares_a_reading_with_the_number_1(raw, run_clean, first):
    """pandas groups True with 1 and 1.0: without care the first cell of a column decides how all are read."""
    second = True if first == 1 and first is not True else 1
    write_xlsx(raw / "street_vending" / "a.xlsx", {"S": sv_rows([1, "2023-03-05", "焦南", "游商", first, "", ""],
                                                                 [2, "2023-03-06", "焦南", "游商", second, "", ""],
                                                                 [3, "2023-03-07", "焦南", "游商", 1.0, "", ""])})
    run = run_clean()
    assert run.table("street_vending")["places"].tolist() == [1, 1]  # the two numbers, whatever came first
    bad = run.rejects
    assert len(bad) == 1 and int(bad.iloc[0]["row"]) == (2 if first is True else 3) and "数量" in bad.iloc[0]["reason"]

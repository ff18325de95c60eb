"""The demo ledgers: cleaned by the pipeline they give the 2023 report's figures, exactly."""
from __future__ import annotations

import collections
import zipfile
from pathlib import Path

import pytest
from conftest import plain

from analysis.demo import BAD_ROWS, generate_records, write_demo
from analysis.ingest.tables import load_rejects, load_table

LEDGERS = ("street_vending", "gas_safety", "dust_control", "demolitions", "licensing", "city_appearance", "work_figures")


@pytest.fixture(scope="module")
def demo(demo_build):
    """The default demo (2021–2023) as the session's demo briefing wrote and cleaned it (read only here)."""
    root, log, _ = demo_build
    raw, out = root / "build-demo" / "raw", root / "build-demo" / "processed"
    return {"raw": raw, "out": out, "log": log, "tables": {name: load_table(out, name) for name in LEDGERS}}


def test_clean_succeeds(demo):
    assert "示例数据" in demo["log"]  # the briefing built from the demo, and its clean succeeded (demo_build checks)
    for name in LEDGERS:
        assert set(demo["tables"][name]["year"].unique()) == {2021, 2022, 2023}


def test_2023_report_figures(demo):
    t = {name: df[df["year"] == 2023] for name, df in demo["tables"].items()}
    sv, gas, dust, demol = t["street_vending"], t["gas_safety"], t["dust_control"], t["demolitions"]
    # 三种经营12000余处
    assert 12000 <= int(sv["places"].sum()) <= 12999
    # 排查餐饮门店、大型商超、养老机构等2700余家
    assert 2700 <= gas["unit_name"].nunique() <= 2799
    # 排查整改安全隐患526处；查扣不合格液化气钢瓶187个；查处非法储存销售黑窝点5处
    assert int(gas["hazards_rectified"].sum()) == 526
    assert int(gas["cylinders_seized"].sum()) == 187
    assert int(gas["illegal_den"].sum()) == 5
    # 对餐饮单位开展燃气安全隐患排查5000余次
    assert 5000 <= int((gas["unit_type"] == "餐饮").sum()) <= 5999
    # 督导检查辖区扬尘管控点位2714个；转办市级督导问题50个；整改黄土裸露、湿法作业不到位等问题147处
    problem = dust["issue_type"] != "无"
    assert len(dust) == 2714
    assert int(((dust["source"] == "市级督导") & problem).sum()) == 50
    assert int((problem & dust["rectified"].fillna(False).astype(bool)).sum()) == 147
    # 拆除违建9处、约4714平方米
    assert len(demol) == 9
    assert round(float(demol["area_m2"].sum())) == 4714
    # 办理行政许可案件794件，其中户外广告许可9件，临时户外广告审批783件，占道审批2件；审批新设、更换门头招牌512个；
    # 许可186家餐饮门店外摆经营
    lic = t["licensing"]
    assert lic["matter"].value_counts()[["户外广告许可", "临时户外广告审批", "占道审批"]].tolist() == [9, 783, 2]
    assert int(((lic["matter"] == "门头招牌审批") & (lic["result"] == "准予")).sum()) == 512
    assert lic.loc[(lic["matter"] == "外摆经营许可") & (lic["result"] == "准予"), "applicant"].nunique() == 186
    # 查处拆除存在安全隐患的广告招牌10处，清理各类宣传条幅232条，清理橱窗广告8730余处、各类非法小广告16300余处
    city = t["city_appearance"].groupby("item", observed=True)["quantity"].sum()
    assert city[["安全隐患广告招牌", "宣传条幅"]].tolist() == [10, 232]
    assert 8730 <= city["橱窗广告"] <= 8739 and 16300 <= city["非法小广告"] <= 16399
    # the year's work figures, as the report states them
    work = t["work_figures"].set_index("item")["value"]
    assert work.to_dict() == {"理论学习中心组学习": 12, "执法记录仪": 50, "审核行政处罚案件": 6, "行政诉讼案件": 1,
                              "审核合同协议": 12, "宣教活动": 8, "执法工作培训": 500, "区人大代表建议": 9,
                              "市政协委员提案": 1, "区政协委员提案": 5, "城管服务岗": 13, "瓜果（菜）农进城服务站": 1,
                              "果蔬临时销售点": 17, "清理规范性文件": 6, "废止规范性文件": 3}
    assert (t["work_figures"]["month"] == 0).all()  # keyed by year: "the whole year"


def test_rectified_only_where_a_problem_was_found(demo):
    dust = demo["tables"]["dust_control"]
    none = dust["issue_type"] == "无"
    assert dust.loc[none, "rectified"].isna().all()
    assert dust.loc[~none, "rectified"].notna().all()


def test_earlier_years_plausible_and_lower(demo):
    t = demo["tables"]
    by_year = {y: {name: df[df["year"] == y] for name, df in t.items()} for y in (2021, 2022, 2023)}
    places = {y: int(d["street_vending"]["places"].sum()) for y, d in by_year.items()}
    assert 9000 <= places[2021] < places[2022] < places[2023]
    units = {y: d["gas_safety"]["unit_name"].nunique() for y, d in by_year.items()}
    assert 2000 <= units[2021] < units[2022] < units[2023]
    dust = {y: len(d["dust_control"]) for y, d in by_year.items()}
    assert 1800 <= dust[2021] < dust[2022] < dust[2023]
    for y, d in by_year.items():
        assert 5 <= len(d["demolitions"]) <= 20
        for name in ("street_vending", "gas_safety", "dust_control"):
            assert d[name]["subdistrict"].nunique() == 9, (y, name)
        months = {name: d[name]["month"].value_counts() for name in ("street_vending", "gas_safety", "dust_control")}
        summer, winter = [6, 7, 8], [12, 1, 2]
        assert months["street_vending"][summer].sum() > months["street_vending"][winter].sum()
        assert months["gas_safety"][winter].sum() > months["gas_safety"][summer].sum()
        assert months["dust_control"][[3, 4, 10, 11]].sum() > months["dust_control"][[1, 2, 7, 8]].sum()


def test_cleaned_rows_are_the_generated_records(demo):
    """Every messy form is undone: the cleaned tables hold exactly the canonical records."""
    columns = {
        "street_vending": ["date", "subdistrict", "location", "business_type", "places", "action", "squad"],
        "gas_safety": ["date", "subdistrict", "unit_name", "unit_type", "hazards_found", "hazards_rectified",
                       "cylinders_seized", "illegal_den"],
        "dust_control": ["date", "subdistrict", "site_name", "site_type", "issue_type", "source", "rectified"],
        "demolitions": ["date", "subdistrict", "address", "area_m2", "structure", "method"],
        "licensing": ["date", "subdistrict", "matter", "applicant", "address", "result"],
        "city_appearance": ["date", "subdistrict", "location", "item", "quantity", "unit", "action"],
        "work_figures": ["year", "item", "value", "unit", "note"],
    }
    # Record keys where the generator names a field otherwise than the ledger's column.
    keys = {"city_appearance": {"item": "ad_item", "unit": "ad_unit", "action": "disposal"},
            "work_figures": {"year": "wf_year", "item": "wf_item", "value": "wf_value", "unit": "wf_unit", "note": "wf_note"}}

    records = generate_records()
    for name, cols in columns.items():
        table = demo["tables"][name]
        for year, rows in records[name].items():
            got = collections.Counter(tuple(plain(v) for v in r) for r in table.loc[table["year"] == year, cols].itertuples(index=False))
            want = collections.Counter(tuple(plain(r[keys.get(name, {}).get(c, c)]) for c in cols) for r in rows)
            assert got == want, (name, year, list((got - want).items())[:3], list((want - got).items())[:3])


def test_only_the_intended_bad_rows_are_rejected(demo):
    rejects = load_rejects(demo["out"])
    assert 0 < len(rejects) < 30
    intended = sum(len(v) for v in BAD_ROWS.values())
    assert len(rejects) == intended
    assert {"火星街道", "焦楠街道", "2023-13-45", "待定", "不详", "其他工作", "待统计"} <= set(rejects["value"])


def test_files_layout_and_marking(demo):
    raw = demo["raw"]
    files = sorted(p.relative_to(raw).as_posix() for p in raw.rglob("*") if p.is_file())
    assert "README.md" in files
    assert "示例数据，非真实台账" in (raw / "README.md").read_text(encoding="utf-8")
    suffixes = collections.Counter(Path(f).suffix for f in files)
    assert suffixes[".xls"] == 0 and suffixes[".xlsx"] > 0 and suffixes[".csv"] > 0
    for name in LEDGERS:
        assert any(f.startswith(name + "/") for f in files)
    # A GBK CSV and a UTF-8 CSV with BOM are both present.
    csvs = [raw / f for f in files if f.endswith(".csv")]
    assert any(p.read_bytes().startswith(b"\xef\xbb\xbf") for p in csvs)
    assert any(not p.read_bytes().startswith(b"\xef\xbb\xbf") and "示例".encode("gbk") in p.read_bytes() for p in csvs)
    # No personal data reached the tables.
    for table in demo["tables"].values():
        assert not any(w in c for c in table.columns for w in ("当事人", "电话", "身份证", "负责人"))


def test_two_runs_are_byte_identical(demo, tmp_path):
    again = tmp_path / "again"
    write_demo(again)
    first = {p.relative_to(demo["raw"]): p.read_bytes() for p in demo["raw"].rglob("*") if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []
    # No clock inside the workbooks: every zip entry carries the same fixed time.
    some = next(p for p in again.rglob("*.xlsx"))
    with zipfile.ZipFile(some) as z:
        assert len({i.date_time for i in z.infolist()}) == 1


def test_refuses_a_folder_with_other_files(tmp_path):
    target = tmp_path / "raw"
    target.mkdir()
    (target / "真实台账.xlsx").write_bytes(b"not ours")
    with pytest.raises(ValueError, match="示例数据生成"):
        write_demo(target, years=(2023,), scale=0.02)
    assert [p.name for p in target.iterdir()] == ["真实台账.xlsx"]


def test_replaces_its_own_previous_output_only(tmp_path):
    out = tmp_path / "demo"
    first = write_demo(out, years=(2022, 2023), scale=0.02)
    assert any("2022" in f for f in first["street_vending"]["files"])
    second = write_demo(out, years=(2023,), scale=0.02)
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert files == {"README.md"} | {f for v in second.values() for f in v["files"]}
    (out / "street_vending" / "分析员自己的表.csv").write_text("x", encoding="utf-8")
    with pytest.raises(ValueError, match="示例数据生成"):
        write_demo(out, years=(2023,), scale=0.02)
    assert (out / "street_vending" / "分析员自己的表.csv").exists()


def test_scale_and_years_parameters(tmp_path):
    small = write_demo(tmp_path / "small", years=(2023,), scale=0.1)
    rows = {name: small[name]["rows"] for name in LEDGERS}
    assert set(rows["street_vending"]) == {2023}
    assert 300 <= rows["street_vending"][2023] <= 600
    assert 200 <= rows["dust_control"][2023] <= 350
    # The 2023 records do not depend on which other years are generated.
    alone = generate_records(years=(2023,), scale=0.1)
    with_others = generate_records(years=(2022, 2023), scale=0.1)
    assert alone["gas_safety"][2023] == with_others["gas_safety"][2023]

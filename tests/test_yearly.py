"""A ledger filled once a year (年度工作数据表): rows keyed by year, not by date, with no Python of its own."""
from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest
from conftest import write_xlsx
from hypothesis import given
from hypothesis import strategies as st

from analysis import paths
from analysis.ingest import normalize as nz
from analysis.ingest.spec import load_spec
from analysis.report import metrics, pages
from analysis.report.periods import Period, year_so_far

HEADER = ["序号", "年度", "项目", "数值", "单位"]
SECTIONS = ("yearly", "indicators", "trend", "yoy", "breakdowns", "heatmap", "top", "note")


@given(st.integers(2000, 2099), st.sampled_from(["{y}", "{y}年", "{y}年度", " {y} 年度 ", "{y}年 "]),
       st.booleans())
def test_a_year_is_read_in_every_form_and_never_as_another(year, form, wide):
    text = form.format(y=year)
    if wide:
        text = nz.fold(text).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert nz.parse_year(text) == (year, None)
    assert nz.parse_year(year) == (year, None) and nz.parse_year(float(year)) == (year, None)


@pytest.mark.parametrize("value", ["2023.5", 2023.5, "23", "2023-06-01", "二〇二三年", "2023年6月", True, None])
def test_what_is_not_a_year_is_refused(value):
    got, reason = nz.parse_year(value)
    assert got is None and reason == "年份无法识别"


def test_a_spec_needs_one_required_date_or_year_column(tmp_path):
    specs = tmp_path / "ledgers"
    shutil.copytree(paths.LEDGER_SPEC_DIR, specs)
    (specs / "x.yaml").write_text("ledger: x\nlabel: 某台账\ncolumns:\n"
                                  "  - {name: item, label: 项目, type: text, required: true}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="必须有且只有一个必填的日期列（type: date）或年份列（type: year）"):
        load_spec("x", specs)


@pytest.fixture
def yearly(raw, run_clean):
    write_xlsx(raw / "work_figures" / "2022.xlsx", {"S": [["2022年度工作数据"], HEADER,
                                                        [1, "2022年度", "执法记录仪", "46台", "台"],
                                                        [2, 2022, "宣教活动", 7, "次"]]})
    write_xlsx(raw / "work_figures" / "2023.xlsx", {"S": [["2023年度工作数据"], HEADER,
                                                        [1, "2023年度", "配备执法记录仪", "５０", "台"],
                                                        [2, "2023", "普法宣教活动", "八次", "次"],
                                                        [3, "2099年", "宣教活动", 1, "次"],
                                                        [4, "2022年", "宣教活动", 1, "次"]]})
    write_xlsx(raw / "street_vending" / "a.xlsx", {"S": [["日期", "街道", "类型", "数量"], ["2023-06-30", "焦南", "游商", 4],
                                                       ["2022-12-31", "焦南", "游商", 3]]})
    return run_clean()


def test_rows_are_placed_by_their_year_and_a_wrong_year_is_a_reject(yearly):
    table = yearly.table("work_figures")
    assert "date" not in table.columns and (table["month"] == 0).all()
    got = sorted(zip(table["year"], table["item"].astype(str), table["value"]))
    assert got == [(2022, "宣教活动", 7), (2022, "执法记录仪", 46), (2023, "宣教活动", 8), (2023, "执法记录仪", 50)]
    reasons = sorted(yearly.rejects["reason"])
    assert reasons == ["年份与表格标题中的“2023年”不符", "年份在今年之后，可能写错了"]


def test_a_yearly_figure_counts_in_a_whole_year_only(yearly):
    data = pages.load(yearly.out)
    catalogue = data.catalogue
    value = metrics.indicator_values(data.tables, Period(2023), catalogue).loc["wf_recorders", "value"]
    assert value == 50
    for part in (Period(2023, 4, 6), Period(2023, 6, 6), year_so_far(2023, 6)):
        # never 0 and never the year's figure: the ledger has no figure for a part of the year
        assert pd.isna(metrics.indicator_values(data.tables, part, catalogue).loc["wf_recorders", "value"])
        assert "wf_recorders" not in metrics.year_over_year(data.tables, part, pages.covered_catalogue(data, part)).index
        assert "work_figures" not in pages.ledgers_with_data(data, part)
        note = pages.missing_ledgers_note(data, part)
        assert f"台账数据。年度工作数据表按年度填报，不计入{part.label}的统计。" in note, note
        assert "年度工作台账" not in note  # not said to be missing as well
    change = metrics.year_over_year(data.tables, Period(2023), catalogue).loc["wf_campaigns"]
    assert (change["value"], change["previous"], change["direction"]) == (8, 7, "up")
    # Yearly rows do not make a running year complete: 2023 has monthly data through June only.
    assert metrics.period_months(data.tables, 2023) == 6 and metrics.period_months(data.tables, 2022) == 12


def test_a_year_with_yearly_figures_alone_counts_as_complete():
    tables = {"work_figures": pd.DataFrame({"year": [2024], "month": [0], "item": ["宣教活动"], "value": [3]})}
    assert metrics.resolve_period(tables) == Period(2024)


def test_the_pages_and_the_workbook_show_a_yearly_ledger_without_failing(yearly, tmp_path):
    import openpyxl

    from analysis.report.pages import ledger as page
    from analysis.report.workbook import workbook_bytes

    data = pages.load(yearly.out)
    year = Period(2023)
    # the building blocks, called in JupyterLab, say why they have nothing, in a reader's words
    assert "年度工作数据表按年度填报，没有逐月数据" in pages.yoy_chart(data, "work_figures", year).data
    assert "没有逐月数据" in pages.heatmap_chart(data, "work_figures", year).data
    assert "年度工作数据表没有可以排名的单位、地点或名称" in pages.top_contributors(data, "work_figures", year).data
    assert "“理论学习中心组学习”不分街道、类别统计" in pages.breakdown_charts(data, "work_figures", year)[0].data
    # the page: one section for the yearly table (every item, this year, last year, the change), no monthly ones
    assert [name for name in SECTIONS if getattr(page, f"{name}_section")(data, "work_figures", year)] == ["yearly"]
    table = re.sub(r"<[^>]+>", " ", page.yearly_section(data, "work_figures", year).data)
    assert re.search(r"项目\s+2023年\s+2022年\s+增减\s+增减幅度", table)
    assert re.search(r"配备执法记录仪\s+50台\s+46台\s+\+4台\s+增长8.7%", table)
    assert re.search(r"开展宣教活动\s+8次\s+7次\s+\+1次\s+增长14.3%", table)
    assert "理论学习中心组学习" not in table  # filed in neither year: no row of dashes
    # neither year filed the headline item (理论学习中心组学习): said, not drawn as bars of 0
    assert "各年度均未填报“理论学习中心组学习”" in pages.trend_chart(data, "work_figures").data
    assert all("work_figures" not in str(chart) for chart in pages.monthly_comparison_charts(data, year))
    (tmp_path / "r.xlsx").write_bytes(workbook_bytes(data, year))
    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx")["年度工作"]
    rows = {r[0].value: (r[2].value, r[3].value) for r in sheet.iter_rows(min_row=4) if r[0].value}
    assert rows["配备执法记录仪"] == (50, 46) and rows["开展宣教活动"] == (8, 7)


def test_a_quarter_shows_no_yearly_figure_anywhere(yearly, tmp_path):
    """Not in the table, the sentences, the data note or the 报表: a quarter's briefing says the ledger is yearly."""
    import openpyxl

    from analysis.report.workbook import workbook_bytes

    data = pages.load(yearly.out)
    quarter = Period(2023, 4, 6)
    texts = [pages.first_screen(data, quarter).data, pages.headline_table(data, quarter).data,
             pages.report_wording(data, quarter).data, pages.area_summary(data, quarter).data,
             pages.area_wording(data, quarter).data, pages.data_note(data, quarter).data]
    for text in texts:
        assert "执法记录仪" not in text and "宣教活动" not in text
    (tmp_path / "q.xlsx").write_bytes(workbook_bytes(data, quarter))
    book = openpyxl.load_workbook(tmp_path / "q.xlsx")
    assert "年度工作" not in book.sheetnames
    labels = {r[0].value for r in book["主要指标"].iter_rows(min_row=4)}
    assert "配备执法记录仪" not in labels and "清理三种经营" in labels
    # and in the whole year the data note counts the yearly rows as the year's records
    note = re.sub(r"<[^>]+>", " ", pages.data_note(data, Period(2023)).data)
    assert re.search(r"年度工作数据表\s+2\s", note), note  # 2 rows of 2023 (the first count after its name)


def _work(raw, name: str, rows: list) -> None:
    write_xlsx(raw / "work_figures" / name, {"S": [["2023年度工作数据"], HEADER, *rows]})


def test_a_figure_filed_twice_is_counted_once_when_the_two_agree(raw, run_clean):
    _work(raw, "2023.xlsx", [[1, "2023", "执法记录仪", 50, "台"], [2, "2023", "宣教活动", 7, "次"],
                             [3, "2023", "普法宣教活动", 7, "次"]])  # another spelling of the same item
    _work(raw, "2023（修改稿）.xlsx", [[1, "2023年", "配备执法记录仪", "50台", "台"]])
    run = run_clean()
    table = run.table("work_figures")
    assert sorted(zip(table["item"].astype(str), table["value"])) == [("宣教活动", 7), ("执法记录仪", 50)]
    bad = run.rejects.sort_values(["file", "row"])
    assert len(bad) == 2 and all("只计一次" in r for r in bad["reason"])
    assert ("与work_figures/2023.xlsx / S 第3行重复（年度、项目均为 2023、执法记录仪）"
            in bad[bad["file"].str.contains("修改稿")].iloc[0]["reason"])
    for f in run.manifest["files"]:  # every sheet still adds up
        for s in f["sheets"]:
            assert s["row_kinds"]["data"] == s["kept"] + s["rejected"]
    assert run.manifest["ledgers"]["work_figures"]["rows_kept"] == 2


def test_a_figure_filed_twice_with_different_numbers_is_not_counted_and_both_are_named(raw, run_clean):
    _work(raw, "2023.xlsx", [[1, "2023", "执法记录仪", 50, "台"], [2, "2023", "宣教活动", 8, "次"]])
    _work(raw, "2023（修改稿）.xlsx", [[1, "2023", "执法记录仪", 52, "台"]])
    run = run_clean()
    table = run.table("work_figures")
    assert list(table["item"].astype(str)) == ["宣教活动"]  # 执法记录仪 neither 50, 52 nor 102
    assert len(run.rejects) == 2
    for reason in run.rejects["reason"]:
        assert "数值 50" in reason and "数值 52" in reason and "均未计入" in reason
    data = pages.load(run.out)
    values = metrics.indicator_values(data.tables, Period(2023), data.catalogue)["value"]
    assert pd.isna(values["wf_recorders"]) and values["wf_campaigns"] == 8  # not filed (or disputed) is not 0
    assert "[剔除] work_figures/2023（修改稿）.xlsx / S：剔除 1 行" in run.text


@given(st.lists(st.tuples(st.sampled_from(["执法记录仪", "宣教活动", "审核行政处罚案件"]), st.integers(0, 3)),
                min_size=1, max_size=8))
def test_one_row_per_key_never_sums_a_key_twice_and_loses_no_row(rows):
    from analysis.ingest.unique import one_row_per_key

    spec = load_spec("work_figures")
    table = _keyed(rows)
    kept, rejects = one_row_per_key(spec, table, {})
    assert len(kept) + len(rejects) == len(table)  # every row either counted or listed
    assert not kept.duplicated(["year", "item"]).any()
    for item, group in table.groupby("item"):
        values = set(group["value"])
        got = kept[kept["item"] == item]["value"].tolist()
        assert got == ([values.pop()] if len(values) == 1 else [])  # one agreed value, or none when they differ


def test_a_year_that_did_not_file_the_headline_item_has_no_bar_of_0(raw, run_clean):
    write_xlsx(raw / "work_figures" / "2022.xlsx", {"S": [HEADER, [1, 2022, "理论学习中心组学习", 12, "次"]]})
    _work(raw, "2023.xlsx", [[1, "2023", "执法记录仪", 50, "台"]])
    data = pages.load(run_clean().out)
    chart = pages.trend_chart(data, "work_figures")
    ax = chart.axes[0]
    assert ax.get_title(loc="left") == "理论学习中心组学习：历年（2023年未填报）"  # titles sit on the left
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2022年"]
    assert [p.get_height() for p in ax.patches] == [12]


def test_identical_rows_in_one_sheet_are_counted_once_and_not_said_to_be_kept(raw, run_clean):
    _work(raw, "2023.xlsx", [[1, "2023", "执法记录仪", 50, "台"], [2, "2023", "执法记录仪", 50, "台"],
                             [3, "2023", "宣教活动", 7, "次"]])
    run = run_clean()
    assert sorted(run.table("work_figures")["value"]) == [7, 50]
    assert "[剔除] work_figures/2023.xlsx / S：剔除 1 行（共 3 行数据）" in run.text
    assert "均已保留" not in run.text  # the second row is a reject now, not one of two kept rows
    sheet = run.manifest["files"][0]["sheets"][0]
    assert "repeated_rows" not in sheet and (sheet["kept"], sheet["rejected"]) == (2, 1)


def test_a_key_filed_many_times_names_a_few_copies_and_the_count():
    from analysis.ingest.unique import MAX_LISTED, one_row_per_key

    n = 3 * MAX_LISTED
    table = _keyed([("执法记录仪", v) for v in range(n)])
    kept, rejects = one_row_per_key(load_spec("work_figures"), table, {})
    assert kept.empty and len(rejects) == n
    for r in rejects:
        assert r["reason"].count("a.xlsx / S 第") == MAX_LISTED and f"等共 {n} 处" in r["reason"]


def test_copies_with_nothing_but_text_beside_the_key_are_one_figure():
    import dataclasses

    from analysis.ingest.unique import one_row_per_key

    spec = dataclasses.replace(load_spec("work_figures"), unique_by=("year", "item", "value"))
    kept, rejects = one_row_per_key(spec, _keyed([("执法记录仪", 50), ("执法记录仪", 50)]), {})
    assert kept["value"].tolist() == [50] and len(rejects) == 1 and "只计一次" in rejects[0]["reason"]


def test_unique_by_may_name_one_column_alone_and_a_wrong_name_is_refused(tmp_path):
    def specs_with(unique_by: str, folder: str):
        specs = tmp_path / folder  # a folder each: specs are read once per folder
        shutil.copytree(paths.LEDGER_SPEC_DIR, specs)
        path = specs / "work_figures.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("unique_by: [year, item]", unique_by),
                        encoding="utf-8")
        return specs

    assert load_spec("work_figures", specs_with("unique_by: item", "one")).unique_by == ("item",)
    with pytest.raises(ValueError, match="unique_by 中的列 itme 不在 columns 中"):
        load_spec("work_figures", specs_with("unique_by: [year, itme]", "typo"))


def _keyed(rows: list) -> pd.DataFrame:
    """A work_figures table of (item, value) rows of 2023, from one sheet, as the pipeline hands it over."""
    return pd.DataFrame({"year": 2023, "item": [i for i, _ in rows], "value": [v for _, v in rows], "unit": "",
                         "note": pd.NA, "month": 0, "source_file": "a.xlsx", "source_sheet": "S",
                         "source_row": range(2, 2 + len(rows))})

"""A ledger filled once a year (年度工作数据表): rows keyed by year, not by date, with no Python of its own."""
from __future__ import annotations

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
        assert metrics.indicator_values(data.tables, part, catalogue).loc["wf_recorders", "value"] == 0
    change = metrics.year_over_year(data.tables, Period(2023), catalogue).loc["wf_campaigns"]
    assert (change["value"], change["previous"], change["direction"]) == (8, 7, "up")
    # Yearly rows do not make a running year complete: 2023 has monthly data through June only.
    assert metrics.period_months(data.tables, 2023) == 6 and metrics.period_months(data.tables, 2022) == 12


def test_a_year_with_yearly_figures_alone_counts_as_complete():
    tables = {"work_figures": pd.DataFrame({"year": [2024], "month": [0], "item": ["宣教活动"], "value": [3]})}
    assert metrics.resolve_period(tables) == Period(2024)


def test_the_pages_and_the_workbook_show_a_yearly_ledger_without_failing(yearly, tmp_path):
    import openpyxl

    from analysis.report.workbook import workbook_bytes

    data = pages.load(yearly.out)
    year = Period(2023)
    assert "年度工作数据表按年度填报，没有逐月数据" in pages.yoy_chart(data, "work_figures", year).data
    assert "没有逐月数据" in pages.heatmap_chart(data, "work_figures", year).data
    assert "没有可以排名的名称列" in pages.top_contributors(data, "work_figures", year).data
    assert "列出按街道或类别的分项" in pages.breakdown_charts(data, "work_figures", year)[0].data
    assert pages.trend_chart(data, "work_figures") is not None  # a bar a year
    assert all("work_figures" not in str(chart) for chart in pages.monthly_comparison_charts(data, year))
    (tmp_path / "r.xlsx").write_bytes(workbook_bytes(data, year))
    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx")["年度工作"]
    rows = {r[0].value: (r[2].value, r[3].value) for r in sheet.iter_rows(min_row=4) if r[0].value}
    assert rows["配备执法记录仪"] == (50, 46) and rows["开展宣教活动"] == (8, 7)

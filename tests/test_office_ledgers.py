"""The office ledgers' particular cases, on workbooks the tests build: a figure of distinct names whose rows leave the
name empty says so wherever the figure is read."""
from __future__ import annotations

from conftest import write_xlsx

from analysis.report import metrics, pages
from analysis.report.periods import Period

HEADER = ["序号", "受理日期", "街道", "审批事项", "申请单位", "审批结果"]


def test_rows_without_a_name_are_not_in_a_distinct_count_and_every_reader_is_told(raw, run_clean, tmp_path):
    import openpyxl

    from analysis.report.workbook import workbook_bytes

    rows = [[1, "2023-05-01", "焦南", "外摆", "老王烧烤", "准予"], [2, "2023-05-02", "焦南", "外摆", "老王烧烤", "同意"],
            [3, "2023-05-03", "民主", "外摆经营", "", "准予"], [4, "2023-06-01", "民主", "外摆", None, "准予"],
            [5, "2023-06-02", "民主", "外摆", "蜀香小馆", "准予"], [6, "2023-06-03", "民主", "外摆", None, "不予"],
            [7, "2023-06-04", "民主", "店招", None, "准予"]]
    write_xlsx(raw / "licensing" / "2023.xlsx", {"S": [HEADER, *rows]})
    run = run_clean()
    data = pages.load(run.out)
    year = Period(2023)
    value = metrics.indicator_values(data.tables, year, data.catalogue).loc["licensing_outdoor_dining", "value"]
    assert value == 2  # 老王烧烤 twice is one shop; the unnamed ones cannot be counted
    # rows 3 and 4: 外摆, 准予, no name (row 6 is refused, row 7 another matter)
    assert metrics.unnamed_rows(data.tables, data.catalogue, year).to_dict() == {"licensing_outdoor_dining": 2}
    note = "许可外摆经营的餐饮门店：另有 2 条记录未填申请单位，无法区分，未计入。"
    assert pages.unnamed_notes(data, year) == [note]
    assert note in pages.data_note(data, year).data and note in pages.report_wording(data, year).data
    (tmp_path / "r.xlsx").write_bytes(workbook_bytes(data, year))
    cells = [c.value for row in openpyxl.load_workbook(tmp_path / "r.xlsx")["数据说明"].iter_rows() for c in row]
    assert note in cells
    # per month: May has one unnamed row, June one
    assert pages.unnamed_notes(data, Period(2023, 6, 6)) == ["许可外摆经营的餐饮门店：另有 1 条记录未填申请单位，无法区分，未计入。"]


def test_nothing_is_said_when_every_row_has_its_name(raw, run_clean):
    write_xlsx(raw / "licensing" / "2023.xlsx", {"S": [HEADER, [1, "2023-05-01", "焦南", "外摆", "老王烧烤", "准予"]]})
    data = pages.load(run_clean().out)
    assert pages.unnamed_notes(data, Period(2023)) == [] and "未填" not in pages.data_note(data, Period(2023)).data

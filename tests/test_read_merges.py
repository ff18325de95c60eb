"""Sheet.vertical_merges: the columns in which a merged range (an HTML rowspan) covers more than one row, and the
rows each covers, for the cleaning to tell a blank left by an undone merge ("同上") from a blank cell."""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_xlsx

from analysis.ingest.read import read_sheets

ROWS = [
    ["2023年台账"],
    ["序号", "日期", "所属街道", "单位名称", "数量", "备注"],
    [1, "2023-03-05", "焦南", "甲", 1, ""],
    [2, "2023-03-06", "", "乙", 2, ""],
    [3, "2023-03-07", "", "丙", 3, ""],
    [4, "2023-03-08", "民生", "丁", 4, ""],
]


def sheets_of(path: Path) -> dict:
    return {s.name: s for s in read_sheets(path)}


def test_the_columns_of_merges_over_several_rows(tmp_path):
    path = write_xlsx(tmp_path / "合并.xlsx", {"纵向": ROWS, "横向": ROWS, "无": ROWS, "隐藏": ROWS},
                      merges={"纵向": ["A1:F1", "C3:C5", "E5:F6"], "横向": ["A1:F1", "D3:E3"]}, hidden=("隐藏",))
    sheets = sheets_of(path)
    # A1:F1 (a title over one row) and D3:E3 span columns only; C3:C5 and the block E5:F6 span rows
    assert sheets["纵向"].vertical_merges == {2: [(2, 4)], 4: [(4, 5)], 5: [(4, 5)]}
    assert [row[2] for row in sheets["纵向"].rows[2:]] == ["焦南", "焦南", "焦南", "民生"]
    assert sheets["横向"].vertical_merges == {}
    assert sheets["无"].vertical_merges == {}
    assert sheets["隐藏"].hidden and sheets["隐藏"].vertical_merges == {}


def test_a_merge_below_the_last_row_with_content_is_not_counted(tmp_path):
    """calamine's grid ends at the last cell with content; a range that starts past it fills nothing."""
    path = write_xlsx(tmp_path / "表外.xlsx", {"S": ROWS}, merges={"S": ["B10:B12"]})
    assert sheets_of(path)["S"].vertical_merges == {}


def test_a_two_row_header_with_vertically_merged_headers_counts_too(tmp_path):
    """Headers included: the cleaning knows where the header is, and looks only at merges reaching below it."""
    rows = [["序号", "基本情况", "", "数量"], ["", "日期", "街道", ""], [1, "2023-03-05", "焦南", 2]]
    path = write_xlsx(tmp_path / "两行表头.xlsx", {"S": rows}, merges={"S": ["A1:A2", "B1:C1", "D1:D2"]})
    assert sheets_of(path)["S"].vertical_merges == {0: [(0, 1)], 3: [(0, 1)]}


def test_an_xls_workbook_reports_its_vertical_merges(tmp_path):
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    sheet = book.add_sheet("S")
    for r, row in enumerate(ROWS):
        for c, value in enumerate(row):
            if (r, c) not in ((3, 2), (4, 2), (0, 1)):
                sheet.write(r, c, value)
    sheet.merge(2, 4, 2, 2)
    sheet.merge(0, 0, 0, 5)
    book.save(str(tmp_path / "旧版.xls"))
    [read] = read_sheets(tmp_path / "旧版.xls")
    assert read.vertical_merges == {2: [(2, 4)]}


def test_html_rowspans_are_vertical_merges_and_colspans_are_not():
    page = ("<table><tr><td colspan=3>2023年台账</td></tr>"
            "<tr><td>序号</td><td>街道</td><td>数量</td></tr>"
            "<tr><td>1</td><td rowspan=2>焦南</td><td>2</td></tr>"
            "<tr><td>2</td><td>3</td></tr>"
            "<tr><td>3</td><td>民生</td><td rowspan=5>4</td></tr></table>")  # a rowspan past the last row
    [sheet] = read_sheets(Path("系统导出.xls"), page.encode())
    assert sheet.rows[3] == ["2", "焦南", "3"]
    assert sheet.vertical_merges == {1: [(2, 3)]}


def test_text_tables_have_no_merges():
    [sheet] = read_sheets(Path("a.csv"), "序号,街道\n1,焦南\n2,\n".encode())
    assert sheet.vertical_merges == {}

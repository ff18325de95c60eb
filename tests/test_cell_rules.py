"""Cells whose meaning is not their bare value: a number shown as a percentage or a currency in a count column, a
bare number in a date column, a blank left by an undone vertical merge. Each is rejected with its reason, never
used as the bare value (the readers' side of formats and merges is in test_read_cell_formats.py and
test_read_merges.py)."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.ingest.cleaning import clean_sheet
from analysis.ingest.layout import find_layout
from analysis.ingest.read import Sheet
from analysis.ingest.spec import load_spec

DAY = dt.date(2026, 6, 1)
GAS = load_spec("gas_safety")
GAS_HEADER = ["序号", "排查日期", "街道", "单位名称", "单位类型", "发现隐患", "已整改"]


def clean(rows, **sheet):
    s = Sheet(name="S", hidden=False, rows=rows, **sheet)
    layout = find_layout(s, GAS, "a.xlsx")
    return clean_sheet(s, layout, GAS, DAY)


def rows_of(n):
    return [GAS_HEADER] + [[i + 1, f"2024-03-{i + 1:02d}", "焦南", f"饭店{i}", "餐饮", 3, 1] for i in range(n)]


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 8), data=st.data(), kind=st.sampled_from(["percent", "currency"]),
       value=st.sampled_from([1, 1.0, 0.5, 3, 0]))
def test_a_count_shown_as_a_percentage_or_a_currency_is_rejected_with_what_it_shows(n, data, kind, value):
    rows = rows_of(n)
    at = data.draw(st.sets(st.integers(1, n), min_size=1))
    for r in at:
        rows[r][6] = value
    formats = {(r, 6): kind for r in at} | {(0, 0): "percent"}  # a format outside the data rows changes nothing
    result = clean(rows, formats=formats)
    assert result.kept == n - len(at) and result.rejected == len(at)
    shown = f"设为百分比格式（{value:g} 即 {value * 100:g}%）" if kind == "percent" else f"设为货币格式（{value:g} 显示为金额）"
    for r in result.rejects:
        assert r["column"] == "已整改（G列）"
        assert shown in r["reason"]


def test_formats_unknown_or_plain_change_nothing():
    for formats in (None, {}):
        assert clean(rows_of(3), formats=formats).kept == 3


def test_a_date_format_on_a_count_is_rejected_as_what_it_shows():
    rows = rows_of(2)
    rows[1][5] = dt.datetime(1900, 1, 3)
    result = clean(rows)
    assert result.rejected == 1 and "日期或时间格式（显示为“1900-01-03”）" in result.rejects[0]["reason"]


@pytest.mark.parametrize("value", [45352, 45352.39, "45352", 3.0])
def test_a_bare_number_in_a_date_column_is_rejected(value):
    rows = rows_of(2)
    rows[2][1] = value
    result = clean(rows)
    assert result.rejected == 1 and "单元格没有设为日期格式" in result.rejects[0]["reason"]


@settings(max_examples=60, deadline=None)
@given(n=st.integers(2, 8), data=st.data(), column=st.sampled_from([1, 2, 4, 5]))
def test_a_blank_in_a_column_merged_elsewhere_is_a_same_as_above_and_rejected(n, data, column):
    rows = rows_of(n)
    blanks = data.draw(st.sets(st.integers(2, n), min_size=1))
    for r in blanks:
        rows[r][column] = data.draw(st.sampled_from([None, "", "  "]))
    result = clean(rows, vertical_merges={column: [(1, 2)]})
    assert result.rejected == len(blanks) and result.kept == n - len(blanks)
    assert all("取消合并后留下的空白" in r["reason"] for r in result.rejects)
    # Without a vertical merge among the records (none, or one of the header or a footer only), a blank is what it was:
    # the default, or 为空 if required.
    for merges in ({}, {column: [(0, 0)]}, {column: [(n + 1, n + 2)]}):  # none, the header's, a footer's
        assert all("取消合并" not in r["reason"] for r in clean(rows, vertical_merges=merges).rejects)


def test_a_blank_in_a_free_text_column_merged_elsewhere_stays_blank():
    rows = rows_of(3)
    rows[2][3] = None  # 单位名称: free text, required: rejected as empty, not as a same-as-above
    result = clean(rows, vertical_merges={3: [(1, 2)]})
    assert result.rejected == 1 and result.rejects[0]["reason"] == "单位名称为空"


def test_a_percentage_typed_into_a_count_is_rejected_end_to_end(raw, run_clean):
    """The issue's case: 已整改 entered as 100% (the number 1 in a cell formatted 0%) where 3 hazards were found."""
    import openpyxl

    path = raw / "gas_safety" / "百分比.xlsx"
    path.parent.mkdir(parents=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows_of(2):
        ws.append(row)
    ws["G2"].number_format = "0%"
    ws["G2"].value = 1
    wb.save(path)
    run = run_clean()
    assert run.table("gas_safety")["hazards_rectified"].tolist() == [1]
    [reason] = run.rejects["reason"].tolist()
    assert "单元格设为百分比格式（1 即 100%），不是整数" in reason

"""Rows that are not records, each in a class of its own (units rows, date sub-headers, block titles, end markers,
template rows, an Excel table's 汇总 row), never listed as rejected records; and a record is never one of them.
Years of titles that name a span (a heating season) and of stacked blocks, and dates split into 年 | 月 | 日."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.ingest.cleaning import clean_sheet
from analysis.ingest.layout import ROW_KINDS, find_layout
from analysis.ingest.normalize import Years, parse_date, title_years
from analysis.ingest.read import Sheet
from analysis.ingest.spec import load_common, load_spec

DAY = dt.date(2026, 6, 1)
COMMON = load_common()
GAS = load_spec("gas_safety")
SV = load_spec("street_vending")
GAS_HEADER = ["序号", "排查日期", "街道", "单位名称", "单位类型", "发现隐患", "已整改"]
SV_HEADER = ["序号", "日期", "街道", "类型", "数量", "处置方式", "地点"]


def clean(spec, rows, name="S", **sheet):
    s = Sheet(name=name, hidden=False, rows=rows, **sheet)
    layout = find_layout(s, spec, "a.xlsx")
    result = clean_sheet(s, layout, spec, DAY)
    assert sum(result.row_counts.values()) == len(rows)  # every row in exactly one kind
    assert set(result.row_counts) == set(ROW_KINDS)
    assert result.kept + result.rejected == result.row_counts["data"]
    return layout, result


def gas(i, day="2024-03-05", unit=None):
    return [i, day, "焦南", unit or f"饭店{i}", "餐饮", 1, 1]


# ---------------------------------------------------------------- non-records of their own class

UNITS_ROWS = [["", "", "", "", "", "（处）", "（个）"], ["", "", "", "", "", "(处)", "(个)"],
              ["", "", "", "", "", "处", "个"], ["单位：个", "", "", "", "", "", ""], ["", "", "", "", "", "【处】", "【处】"]]
SUB_ROWS = [["", "年", "", "", "", "", ""], ["栏次", "1", "2", "3", "4", "5", "6"], ["甲", "乙", "1", "2", "3", "4", "5"],
]
END_ROWS = [["以下空白"] * 7, ["（以下空白）", "", "", "", "", "", ""], ["", "", "", "以下无内容", "", "", ""],
            [9, "以下空白", "", "", "", "", ""], ["此页以下空白", None, None, None, None, None, None]]
TEMPLATE_ROWS = [[k] + [""] * 6 for k in (7, 8, 9)] + [[12.0, None, None, None, None, None, None]]
BLOCK_ROWS = [["2024年4月"] * 7, ["四月份", "", "", "", "", "", ""], ["焦南街道"] * 7, ["一中队", "", "", "", "", "", ""]]
TOTAL_ROWS = [["汇总", "", "", "", "", 5, 3], ["", "汇总", "", "", "", 5, 3]]


@settings(max_examples=120, deadline=None)
@given(under=st.lists(st.sampled_from(UNITS_ROWS + SUB_ROWS[:3]), max_size=2),
       middle=st.lists(st.sampled_from(BLOCK_ROWS + TOTAL_ROWS), max_size=3),
       tail=st.lists(st.sampled_from(END_ROWS + TEMPLATE_ROWS + [[None] * 7]), max_size=6),
       n=st.integers(1, 6), at=st.data())
def test_non_records_of_every_form_are_counted_in_their_class_and_never_rejected(under, middle, tail, n, at):
    records = [gas(i + 1, f"2024-04-{i + 1:02d}") for i in range(n)]
    body = list(records)
    for row in middle:
        body.insert(at.draw(st.integers(0, len(body))), row)
    rows = [["2024年燃气安全隐患排查整治台账"], GAS_HEADER, *under, *body, *tail]
    layout, result = clean(GAS, rows)
    assert result.kept == n and result.rejected == 0, result.rejects
    assert result.row_counts["units"] + result.row_counts["subheader"] == len(under)
    assert result.row_counts["block_title"] + result.row_counts["total"] == len(middle)
    assert result.row_counts["end"] + result.row_counts["template"] + result.row_counts["blank"] == len(tail)


VOCABULARY = (list(COMMON.footer_words) + list(COMMON.total_words) + list(COMMON.end_markers)
              + list(COMMON.group_title_words) + ["2024年4月", "四月份", "焦南街道", "年", "栏次", "（处）", "单位"])


@settings(max_examples=150, deadline=None)
@given(word=st.sampled_from(VOCABULARY), rest=st.sampled_from(["饭店", "烩面馆", "", "路口"]), at=st.integers(0, 4),
       n=st.integers(0, 4), under=st.sampled_from([[], UNITS_ROWS[0], SUB_ROWS[1]]))
def test_a_valid_record_with_any_first_word_is_never_passed_over(word, rest, at, n, under):
    """A valid record whose unit name is (or starts with) any word of the footer, total, end-marker, block-title,
    sub-header or units vocabularies, at any position (right under the header too), is kept."""
    records = [gas(i + 1, f"2024-04-{i + 1:02d}") for i in range(n)]
    records.insert(min(at, n), [99, "2024-04-20", "焦南", word + rest, "餐饮", 2, 1])
    rows = [["2024年燃气台账"], GAS_HEADER, *([under] if under else []), *records, ["填报人：王某"]]
    layout, result = clean(GAS, rows)
    assert result.kept == n + 1 and result.rejected == 0


def test_a_record_with_only_its_number_missing_is_rejected_not_taken_for_a_template_row():
    rows = [GAS_HEADER, gas(1), [2, "2024-03-06", "", "", "", "", ""], [3] + [""] * 6]
    layout, result = clean(GAS, rows)
    assert layout.kinds == ["header", "data", "data", "template"]
    assert result.kept == 1 and result.rejected == 1


# ---------------------------------------------------------------- years of titles and blocks

@settings(max_examples=200, deadline=None)
@given(first=st.integers(2015, 2030), span=st.integers(1, 3), start=st.one_of(st.none(), st.integers(1, 12)),
       dash=st.sampled_from(["—", "-", "–", "－", "~", "～", "至", "到", "——"]), space=st.sampled_from(["", " ", "\u3000"]),
       suffix=st.sampled_from(["年度", "年", "供暖季", "年度燃气安全台账", ""]))
def test_a_title_naming_two_years_allows_either(first, span, start, dash, space, suffix):
    last = first + span
    head = f"{first}年{start}月" if start else f"{first}"
    tail = f"{last}年3月" if start else f"{last}{suffix}"
    years = title_years(f"解放区{head}{space}{dash}{space}{tail}燃气安全隐患排查")
    assert years == Years(first, last, start, 3 if start else None)
    assert all(years.allows(y) for y in range(first, last + 1)) and not years.allows(last + 1)
    for month in range(1, 13):  # 3月5日 completed with the year its month falls in, when the span tells it
        day, reason = parse_date(f"{month}月5日", years)
        if start and span == 1 and start > 3 and (month >= start or month <= 3):
            assert day == dt.date(first if month >= start else last, month, 5)
        else:  # a span of a year or more, no first month, or a month outside the span
            assert day is None and "不能确定是哪一年" in reason


@pytest.mark.parametrize("title, years", [
    ("2024年第一季度燃气安全台账（依据2017-2020年行动方案）", Years(2024, 2024)),
    ("2024年燃气台账 举报电话0391-2023-2024", Years(2024, 2024)),
    ("燃气台账（电话0391-2023）2024年", Years(2024, 2024)),
    ("2023.11-2024.3供暖季燃气台账", Years(2023, 2024, 11, 3)),
    ("2023/2024年度燃气台账", Years(2023, 2024)),
    ("2023年度至2024年度", Years(2023, 2024)),
    ("2023-12-01至2024-01-31燃气排查", Years(2023, 2024, 12, 1)),
    ("2023年1月至2024年12月", Years(2023, 2024, 1, 12)),
])
def test_the_years_a_title_names_are_those_it_names_first(title, years):
    assert title_years(title) == years


def test_a_single_year_is_still_one_year():
    assert title_years("2024年燃气台账") == Years(2024, 2024)
    assert title_years("", "2023年3月.xlsx") == Years(2023, 2023)
    assert title_years("燃气台账") is None


@settings(max_examples=60, deadline=None)
@given(month=st.integers(1, 12), form=st.sampled_from(["2023—2024年度", "2023-2024年供暖季", "2023年11月至2024年3月"]))
def test_a_heating_season_ledger_keeps_the_rows_of_both_years(month, form):
    year = 2023 if month >= 7 else 2024
    rows = [[f"{form}燃气安全隐患排查台账"], GAS_HEADER, gas(1, f"{year}-{month:02d}-05"), gas(2, f"{year - 2}-{month:02d}-05")]
    layout, result = clean(GAS, rows)
    assert result.kept == 1 and result.rejected == 1
    assert "不符" in result.rejects[0]["reason"]


def test_month_days_under_a_season_without_its_first_month_are_rejected_with_the_reason():
    rows = [["2023—2024年度燃气台账"], GAS_HEADER, gas(1, "12月5日")]
    layout, result = clean(GAS, rows)
    assert result.rejected == 1 and "不能确定是哪一年" in result.rejects[0]["reason"]
    layout, result = clean(GAS, [["2023年11月至2024年3月燃气台账"], GAS_HEADER, gas(1, "12月5日"), gas(2, "1月5日")])
    assert result.kept == 2
    assert [d.isoformat() for d in result.table.column("date").to_pylist()] == ["2023-12-05", "2024-01-05"]


@settings(max_examples=60, deadline=None)
@given(start=st.integers(2020, 2025), first_month=st.integers(1, 12), blocks=st.integers(2, 5), md=st.booleans(),
       repeat_header=st.booleans())
def test_stacked_blocks_take_their_year_from_their_own_title(start, first_month, blocks, md, repeat_header):
    """Monthly blocks one under another, crossing a year end: each block's rows are read with its own title's year,
    and the block titles (and repeated headers) are not records."""
    rows = [[f"{start}年燃气安全隐患排查台账"]]
    expected = []
    for k in range(blocks):
        y, m = divmod(first_month - 1 + k, 12)
        y, m = start + y, m + 1
        rows.append([f"{y}年{m}月"] * 7)
        if k == 0 or repeat_header:
            rows.append(GAS_HEADER)
        day = dt.date(y, m, 5)
        rows.append(gas(k + 1, f"{m}月5日" if md else day.isoformat()))
        expected.append(day)
    layout, result = clean(GAS, rows)
    assert result.rejected == 0, result.rejects
    assert result.table.column("date").to_pylist() == expected
    assert result.row_counts["block_title"] == blocks - 1  # the first block's title stands above the header


def test_a_note_naming_a_year_is_no_block_title_and_changes_no_year():
    rows = [["2024年燃气安全台账"], GAS_HEADER, gas(1, "3月5日"), ["2023年度遗留隐患复查"] * 7, gas(2, "3月6日"),
            gas(3, "2024-03-07")]
    layout, result = clean(GAS, rows)
    assert layout.kinds[3] == "data" and result.rejected == 1  # the note: a row to look at, as before
    assert [d.isoformat() for d in result.table.column("date").to_pylist()] == ["2024-03-05", "2024-03-06", "2024-03-07"]


def test_a_sheet_with_a_block_title_and_no_record_is_read():
    rows = [["2024年燃气安全隐患排查台账"], GAS_HEADER, ["2024年5月"] * 7, [1] + [""] * 6, [2] + [""] * 6]
    layout, result = clean(GAS, rows)
    assert result.kept == result.rejected == 0 and result.row_counts["template"] == 2


def test_a_date_split_into_year_month_and_day_columns_under_a_merged_header():
    header = ["序号", "日期", "日期", "日期", "街道", "类型", "数量", "处置方式", "地点"]
    rows = [header, ["", "年", "月", "日", "", "", "", "", ""],
            [1, 2024, 3, 5, "焦南", "游商", 2, "劝离", "解放路"], [2, "2024", "3", "6", "焦南", "占道", 1, "劝离", "解放路"],
            [3, 2024, 2, 30, "焦南", "游商", 1, "劝离", "解放路"]]
    layout, result = clean(SV, rows)
    assert layout.kinds[:2] == ["header", "subheader"]
    assert result.kept == 2 and result.rejected == 1
    assert [d.isoformat() for d in result.table.column("date").to_pylist()] == ["2024-03-05", "2024-03-06"]


_WIDE = str.maketrans("0123456789", "０１２３４５６７８９")


@settings(max_examples=60, deadline=None)
@given(st.dates(dt.date(2015, 1, 1), dt.date(2024, 12, 31)), st.sampled_from(["", "年"]), st.sampled_from(["", "月"]),
       st.sampled_from(["", "日", "号"]), st.sampled_from(["", " "]), st.booleans(), st.booleans())
def test_a_split_date_is_read_with_or_without_its_units_in_the_cells(day, y_unit, m_unit, d_unit, space, pad, wide):
    # 2024 | 3 | 5, 2024年 | 3月 | 5日, 2024 年 | 03月 | 5号, full-width digits: each the same day, never rejected.
    def part(n: int, unit: str) -> str:
        digits = f"{n:02d}" if pad else str(n)
        return (digits.translate(_WIDE) if wide else digits) + (space + unit if unit else "")
    header = ["序号", "日期", "日期", "日期", "街道", "类型", "数量", "处置方式", "地点"]
    cells = [part(day.year, y_unit), part(day.month, m_unit), part(day.day, d_unit)]
    rows = [header, ["", "年", "月", "日", "", "", "", "", ""], [1, *cells, "焦南", "游商", 2, "劝离", "解放路"]]
    layout, result = clean(SV, rows)
    assert result.rejected == 0 and result.kept == 1, (cells, result.rejects)
    assert result.table.column("date").to_pylist() == [day]


def test_records_with_a_split_date_starting_with_footer_or_total_words_are_records():
    header = ["单位名称", "排查日期", "排查日期", "排查日期", "街道", "单位类型", "发现隐患", "已整改"]
    rows = [header, ["", "年", "月", "日", "", "", "", ""], ["统计局食堂", 2024, 3, 6, "焦南", "餐饮", 2, 1],
            ["合计路烩面馆", 2024, 3, 7, "焦南", "餐饮", 1, 1], ["合计", "", "", "", "", "", 3, 2]]
    layout, result = clean(GAS, rows)
    assert layout.kinds == ["header", "subheader", "data", "data", "total"]
    assert result.kept == 2 and result.total_mismatches == []

"""No record is passed over: a row that starts with a footer or total word is still a record when the rest of the
row makes it one, and every row of a sheet ends in exactly one kind."""
from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.ingest.cleaning import clean_sheet
from analysis.ingest.layout import ROW_KINDS, find_layout
from analysis.ingest.read import Sheet
from analysis.ingest.spec import load_common, load_spec

DAY = dt.date(2024, 6, 1)
COMMON = load_common()
WORDS = list(COMMON.footer_words) + list(COMMON.total_words)


def _kinds(spec, rows, name="S"):
    sheet = Sheet(name=name, hidden=False, rows=rows)
    layout = find_layout(sheet, spec, "a.xlsx")
    result = clean_sheet(sheet, layout, spec, DAY)
    assert sum(result.row_counts.values()) == len(rows)  # every row ends in exactly one kind
    assert set(result.row_counts) == set(ROW_KINDS)
    return layout, result


@settings(max_examples=60, deadline=None)
@given(items=st.lists(st.sampled_from(load_spec("work_figures").column("item").categories), min_size=1, max_size=6),
       order=st.permutations([0, 1, 2]), numbered=st.booleans(),
       footer=st.sampled_from(["审核：张某", "填报人：李某", "合计", "备注：以上为示例"]))
def test_every_item_of_the_yearly_table_is_a_record_whatever_word_it_starts_with(items, order, numbered, footer):
    """The yearly table has no date: an item such as 审核行政处罚案件 (审核 is a footer word) with its year and
    count filled is a record, in whatever column order; a real footer or total below the records is not."""
    spec = load_spec("work_figures")
    header = [["年度", "项目", "数值"][i] for i in order]
    records = [[[2023, item, n][i] for i in order] for n, item in enumerate(items)]
    if numbered:  # a 序号 column first: the item is then the second of the row's first two texts
        header, records = ["序号", *header], [[k + 1, *r] for k, r in enumerate(records)]
    rows = [["2023年年度工作数据表"], header, *records, [footer]]
    layout, result = _kinds(spec, rows)
    assert result.row_counts["data"] == len(items)
    assert result.kept + result.rejected == len(items)
    assert layout.kinds[-1] in ("footer", "total")


@settings(max_examples=80, deadline=None)
@given(word=st.sampled_from(WORDS), rest=st.sampled_from(["饭店", "烩面馆", "路口", "局食堂", ""]),
       at=st.integers(0, 5), n=st.integers(1, 5), date_first=st.booleans())
def test_a_record_starting_with_a_footer_or_total_word_is_never_passed_over(word, rest, at, n, date_first):
    """A valid gas-safety record whose unit name starts with any footer or total word, inserted at any position,
    is kept or rejected: counted as data, never as a footer or a total."""
    spec = load_spec("gas_safety")
    header = ["单位名称", "排查日期", "街道", "单位类型", "发现隐患"]
    records = [[f"饭店{i}", f"2024-03-{i + 1:02d}", "焦南", "餐饮", 1] for i in range(n)]
    odd = [word + rest, "2024-04-01", "焦南", "餐饮", 2]
    records.insert(min(at, n), odd)
    if date_first:
        header = header[1:2] + header[:1] + header[2:]
        records = [r[1:2] + r[:1] + r[2:] for r in records]
    layout, result = _kinds(spec, [["燃气安全隐患排查整治台账"], header, *records, ["填报人：王某"]])
    assert result.row_counts["data"] == n + 1
    assert result.kept + result.rejected == n + 1
    assert layout.kinds[-1] == "footer"


def test_real_totals_and_footers_are_still_what_they_say():
    spec = load_spec("gas_safety")
    header = ["排查日期", "街道", "单位名称", "单位类型", "发现隐患"]
    rows = [header, ["2024-03-01", "焦南", "饭店", "餐饮", 1], ["合计", "", "", "", 1], ["焦南街道小计", "", "", "", 1],
            ["审核：李某", "", "", "", ""], ["填报日期：2024年4月1日"]]
    layout, result = _kinds(spec, rows)
    assert layout.kinds == ["header", "data", "total", "total", "footer", "footer"]

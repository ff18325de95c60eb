"""A sheet's 合计 that is right as written: the rows it totals add up to it once the rejected ones among them are
counted. It is said so (the rows are to be fixed, not the total), never called a mismatch; a total that the rejected
rows do not explain still is one."""
from __future__ import annotations

import datetime as dt

from conftest import write_xlsx
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.ingest.cleaning import clean_sheet
from analysis.ingest.layout import find_layout
from analysis.ingest.manifest import total_with_rejects_text
from analysis.ingest.read import Sheet
from analysis.ingest.spec import load_spec

SV = load_spec("street_vending")
HEADER = ["序号", "日期", "街道", "类型", "数量", "处置方式", "地点"]


def clean(rows):
    sheet = Sheet(name="S", hidden=False, rows=rows)
    return clean_sheet(sheet, find_layout(sheet, SV, "a.xlsx"), SV, dt.date(2026, 1, 1))


@settings(max_examples=80, deadline=None)
@given(places=st.lists(st.integers(1, 40), min_size=2, max_size=12), data=st.data(), off=st.integers(-5, 5))
def test_a_total_the_rejected_rows_account_for_is_no_mismatch(places, data, off):
    bad = data.draw(st.sets(st.integers(0, len(places) - 1), min_size=1, max_size=len(places) - 1))
    rows = [HEADER] + [[k + 1, f"2024-03-{k + 1:02d}", "火星街道" if k in bad else "焦南", "游商", n, "劝离", "解放路"]
                       for k, n in enumerate(places)]
    stated = sum(places) + off
    result = clean(rows + [["合计", "", "", "", stated, "", ""]])
    kept = sum(n for k, n in enumerate(places) if k not in bad)
    if off == 0:  # right as written: the rejected rows hold the difference
        assert result.total_mismatches == []
        [m] = result.totals_with_rejects
        assert (m["sheet_total"], m["sum_of_rows"], m["in_rejected"]) == (stated, kept, sum(places) - kept)
        assert m["rejected_rows"] == sorted(k + 2 for k in bad)
        assert "合计本身没有错" in total_with_rejects_text(m)
    elif stated != kept:  # wrong by something the rejected rows do not hold
        assert len(result.total_mismatches) == 1 and result.totals_with_rejects == []


def test_the_summary_says_the_total_is_right(raw, run_clean):
    rows = [HEADER, [1, "2024-03-01", "焦南", "游商", 12, "", ""], [2, "2024-03-02", "火星街道", "游商", 7, "", ""],
            ["合计", "", "", "", 19, "", ""]]
    write_xlsx(raw / "street_vending" / "a.xlsx", {"3月": rows})
    run = run_clean()
    line = next(x for x in run.text.splitlines() if "[提示]" in x and "street_vending/a.xlsx / 3月" in x)
    assert "表内合计 19，保留的记录相加 12，相差的 7 正是剔除的第3行中的数" in line and "[合计不符]" not in run.text

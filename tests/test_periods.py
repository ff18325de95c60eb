"""Periods the bureau reports: a year, a quarter, a month (with the month before), the year so far."""
from __future__ import annotations

import pandas as pd
import pytest
from test_metrics import ledger

from analysis.report.metrics import indicator_values, resolve_period, year_over_year
from analysis.report.periods import Period, parse_period, year_so_far


@pytest.mark.parametrize("text, period, label, lead, key", [
    ("2024", Period(2024), "2024年", "2024年共", "2024"),
    ("2024-Q2", Period(2024, 4, 6), "2024年第二季度", "2024年第二季度共", "2024-Q2"),
    ("2024q4", Period(2024, 10, 12), "2024年第四季度", "2024年第四季度共", "2024-Q4"),
    ("2024-06", Period(2024, 6, 6), "2024年6月", "2024年6月共", "2024-06"),
    ("2024-6", Period(2024, 6, 6), "2024年6月", "2024年6月共", "2024-06"),
    ("2024-01..2024-06", Period(2024, 1, 6, cumulative=True), "2024年1—6月", "2024年1—6月累计", "2024-01..2024-06"),
    ("2024-01..2024-03", Period(2024, 1, 3, cumulative=True), "2024年1—3月", "2024年1—3月累计", "2024-01..2024-03"),
    ("2024-04..2024-08", Period(2024, 4, 8, cumulative=True), "2024年4—8月", "2024年4—8月共", "2024-04..2024-08"),
])
def test_a_period_is_read_and_written_as_the_bureau_writes_it(text, period, label, lead, key):
    parsed = parse_period(text)
    assert parsed == period and parsed.label == label and parsed.lead == lead and parsed.key == key
    assert parse_period(parsed.key) == parsed  # the key reads back as the same period


@pytest.mark.parametrize("text", ["2024-13", "2024-Q5", "24", "2024-06..2023-07", "2024-06..2024-03", "上半年", ""])
def test_a_period_that_is_not_one_is_refused_in_chinese(text):
    with pytest.raises(ValueError, match="不是有效的统计期间"):
        parse_period(text)


def test_the_same_period_last_year_and_the_month_before():
    assert parse_period("2024-Q2").same_last_year == Period(2023, 4, 6)
    assert parse_period("2024-06").previous == Period(2024, 5, 5)
    assert parse_period("2024-01").previous == Period(2023, 12, 12)  # across the year boundary
    assert parse_period("2024-Q2").previous is None and Period(2024).previous is None
    assert Period(2024).report_label == "2024年度" and parse_period("2024-Q2").report_label == "2024年第二季度"
    assert year_so_far(2024, 12) == Period(2024, 1, 12, cumulative=True) and year_so_far(2024, 12).kind == "year"


@pytest.fixture
def two_years():
    """2023 complete; 2024 with data through June."""
    dates = ["2023-01-10", "2023-04-15", "2023-06-30", "2023-12-31", "2024-01-05", "2024-04-20", "2024-05-03",
             "2024-06-30"]
    return {"street_vending": ledger(dates, places=[10, 20, 30, 40, 11, 22, 5, 35])}


def test_the_default_is_the_latest_complete_year_and_a_running_year_is_its_months_so_far(two_years):
    assert resolve_period(two_years) == Period(2023)
    running = resolve_period(two_years, Period(2024))
    assert running == year_so_far(2024, 6) and running.label == "2024年1—6月"
    without_complete = {"street_vending": two_years["street_vending"].query("year == 2024")}
    assert resolve_period(without_complete) == year_so_far(2024, 6)


def test_a_quarter_or_month_the_data_do_not_cover_is_refused_naming_the_last_month(two_years):
    assert resolve_period(two_years, parse_period("2024-Q2")) == Period(2024, 4, 6)
    with pytest.raises(ValueError, match="数据只到 2024年6月，2024年第三季度的台账还不全"):
        resolve_period(two_years, parse_period("2024-Q3"))
    with pytest.raises(ValueError, match="数据中没有 2025 年的记录（已有：2023年、2024年）"):
        resolve_period(two_years, parse_period("2025"))


@pytest.mark.parametrize("text, value, previous", [
    ("2024-Q2", 62, 50), ("2024-06", 35, 30), ("2024-01..2024-06", 73, 60), ("2024-04..2024-05", 27, 20)])
def test_values_cover_the_period_months_against_the_same_months_last_year(two_years, text, value, previous):
    row = year_over_year(two_years, parse_period(text)).loc["street_vending_places"]
    assert (row["value"], row["previous"]) == (value, previous)


def test_a_month_is_also_compared_with_the_month_before(two_years):
    june = parse_period("2024-06")
    before = indicator_values(two_years, june.previous).loc["street_vending_places", "value"]
    assert before == 5
    january = parse_period("2024-01")
    assert indicator_values(two_years, january.previous).loc["street_vending_places", "value"] == 40
    assert pd.isna(indicator_values(two_years, Period(2022, 12, 12)).loc["street_vending_places", "value"])

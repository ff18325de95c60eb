"""Coverage is part of every figure: a ledger filled every month (spec `every_month`, the default) whose ledgers for
some months did not arrive is said to cover part of the period, compared with nothing, and shows "—" (not 0) for
the months without data, in the briefing, the report wording and the 报表 alike; a ledger of events (demolitions)
counts a month without rows as 0."""
from __future__ import annotations

import io
import re

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.ingest.spec import load_spec
from analysis.report import metrics, pages
from analysis.report.catalogue import load_catalogue
from analysis.report.data import Data, gaps
from analysis.report.narrative import area_paragraphs, highlights, indicator_sentence, report_paragraph
from analysis.report.periods import Period, months_label
from analysis.report.workbook import workbook_bytes

SUBDISTRICTS = load_spec("street_vending").common.subdistricts
TYPES = ["店外经营", "流动摊贩", "占道经营"]


def vending(months_by_year: dict[int, list[int]], places: int = 10) -> pd.DataFrame:
    """Three records in each month given (in two sub-districts), `places` each."""
    dates = [f"{year}-{month:02d}-{day:02d}" for year, months in months_by_year.items() for month in months
             for day in (3, 14, 25)]
    dates = pd.Series(pd.to_datetime(dates), dtype="datetime64[ns]")
    n = len(dates)
    return pd.DataFrame({
        "date": dates, "year": dates.dt.year.astype("int64"), "month": dates.dt.month.astype("int64"),
        "subdistrict": pd.Categorical([SUBDISTRICTS[i % 2] for i in range(n)], categories=SUBDISTRICTS),
        "business_type": pd.Categorical([TYPES[i % 3] for i in range(n)], categories=TYPES),
        "action": pd.Categorical(["劝导教育"] * n),
        "places": [places] * n,
    })


def demolitions(dates: list[str]) -> pd.DataFrame:
    dates = pd.Series(pd.to_datetime(dates), dtype="datetime64[ns]")
    return pd.DataFrame({
        "date": dates, "year": dates.dt.year.astype("int64"), "month": dates.dt.month.astype("int64"),
        "subdistrict": pd.Categorical([SUBDISTRICTS[0]] * len(dates), categories=SUBDISTRICTS),
        "area_m2": [50.0] * len(dates),
        "method": pd.Categorical(["自行拆除"] * len(dates), categories=["自行拆除", "依法强制拆除"]),
    })


ALL = list(range(1, 13))


def test_the_specs_say_which_ledgers_are_filled_every_month():
    assert load_spec("street_vending").every_month and load_spec("gas_safety").every_month
    assert not load_spec("demolitions").every_month  # one row per demolition: a month may have none
    assert not load_spec("work_figures").every_month  # filled once a year: no months at all


def test_a_ledger_with_one_month_of_a_year_covers_part_of_it_and_is_compared_with_nothing():
    tables = {"street_vending": vending({2022: ALL, 2023: [6]})}
    year = Period(2023)
    assert metrics.missing_months(tables, "street_vending", year) == (1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12)
    row = metrics.year_over_year(tables, year).loc["street_vending_places"]
    assert row["value"] == 30 and row["previous"] == 360  # the figure is the rows there are, and says so
    assert row["direction"] == "partial" and pd.isna(row["pct"]) and pd.isna(row["change"])
    months = metrics.monthly_series(tables, "street_vending_places", 2023)
    assert months[6] == 30 and months.drop(6).isna().all()  # no data, not 0
    sentence = indicator_sentence(row, year)
    assert "仅有6月数据，不作同比" in sentence and "同比增长" not in sentence and "下降" not in sentence


def test_a_year_before_with_months_missing_is_not_compared_either():
    tables = {"street_vending": vending({2022: [m for m in ALL if m not in (3, 4)], 2023: ALL})}
    row = metrics.year_over_year(tables, Period(2023)).loc["street_vending_places"]
    assert row["direction"] == "previous_partial" and pd.isna(row["pct"])
    assert row["previous_missing"] == (3, 4)
    assert "上年缺3—4月数据，不作同比" in indicator_sentence(row, Period(2023))
    # the second quarter a year before lacks April: not compared; the third quarter is whole both years
    assert metrics.year_over_year(tables, Period(2023, 4, 6)).loc["street_vending_places", "direction"] == \
        "previous_partial"
    assert metrics.year_over_year(tables, Period(2023, 7, 9)).loc["street_vending_places", "direction"] == "flat"


def test_a_month_whose_ledger_did_not_arrive_has_no_figure_not_zero():
    tables = {"street_vending": vending({2023: [m for m in ALL if m != 3]})}
    march = Period(2023, 3, 3)
    assert not metrics.covers(tables, "street_vending", march)
    assert pd.isna(metrics.indicator_values(tables, march).loc["street_vending_places", "value"])
    april = metrics.compare(tables, Period(2023, 4, 4), Period(2023, 3, 3)).loc["street_vending_places"]
    assert april["direction"] == "no_previous"  # 上月无数据, never a rise from 0


def test_a_ledger_of_events_counts_a_month_without_rows_as_zero():
    tables = {"demolitions": demolitions(["2022-05-01", "2023-04-01", "2023-08-01"])}
    assert metrics.missing_months(tables, "demolitions", Period(2023)) == ()
    row = metrics.year_over_year(tables, Period(2023)).loc["demolitions_count"]
    assert row["direction"] == "up" and row["value"] == 2
    assert metrics.monthly_series(tables, "demolitions_count", 2023)[1] == 0
    assert metrics.indicator_values(tables, Period(2023, 3, 3)).loc["demolitions_count", "value"] == 0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sets(st.integers(1, 12), min_size=1), st.sampled_from([Period(2023), Period(2023, 4, 6),
                                                                  Period(2023, 1, 9, cumulative=True)]))
def test_any_months_missing_are_named_and_never_counted_as_zero(present, period):
    """Whatever months of the year arrived: the months the period lacks are exactly those without rows, each is
    NA in the month breakdown, the months with data add up to the figure, and a comparison is made exactly when
    nothing is missing in either year."""
    tables = {"street_vending": vending({2022: ALL, 2023: sorted(present)})}
    expected = tuple(m for m in period.months if m not in present)
    covered = [m for m in period.months if m in present]
    if not covered:
        assert not metrics.covers(tables, "street_vending", period)
        return
    assert metrics.missing_months(tables, "street_vending", period) == expected
    months = metrics.breakdown(tables, "street_vending_places", period, "month").loc[list(period.months)]
    assert list(months.index[months.isna()]) == list(expected)
    row = metrics.year_over_year(tables, period).loc["street_vending_places"]
    assert row["value"] == months.sum() == 30 * len(covered)
    assert (row["direction"] == "partial") == bool(expected)
    if expected:
        label = months_label(covered)
        assert f"仅有{label}数据" in indicator_sentence(row, period)
        assert re.fullmatch(r"\d+(—\d+)?月(、\d+(—\d+)?月)*", label)


# ---------------------------------------------------------------- the pages and the 报表 say it

@pytest.fixture(scope="module")
def partial_data() -> Data:
    """A full 2022 and only June of 2023 for street vending; a full gas ledger both years."""
    gas_dates = pd.Series(pd.to_datetime([f"{y}-{m:02d}-10" for y in (2022, 2023) for m in ALL]),
                          dtype="datetime64[ns]")
    gas = pd.DataFrame({
        "date": gas_dates, "year": gas_dates.dt.year.astype("int64"), "month": gas_dates.dt.month.astype("int64"),
        "subdistrict": pd.Categorical([SUBDISTRICTS[0]] * 24, categories=SUBDISTRICTS),
        "unit_name": [f"单位{i}" for i in range(24)],
        "unit_type": pd.Categorical(["餐饮"] * 24, categories=["餐饮", "大型商超", "养老机构", "其他"]),
        "hazards_found": [1] * 24, "hazards_rectified": [1] * 24, "cylinders_seized": [0] * 24,
        "illegal_den": [False] * 24,
    })
    tables = {"street_vending": vending({2022: ALL, 2023: [6]}), "gas_safety": gas}
    from analysis.ingest.records import Manifest

    manifest = Manifest(version="test", spec_fingerprint="", code_fingerprint="", synthetic=False, ledgers={},
                        files=(), skipped=(), exit_code=0)
    return Data(folder=None, tables=tables, manifest=manifest, rejects=pd.DataFrame(), catalogue=load_catalogue())


def _text(html) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.data.split("</style>")[-1]))


def test_the_briefing_says_what_a_ledger_covers(partial_data):
    year = Period(2023)
    assert gaps(partial_data, year) == {"street_vending": (1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12)}
    first = _text(pages.first_screen(partial_data, year))
    assert "三种经营整治台账仅有6月数据，相关数字只含这些月份，不作同比" in first
    table = _text(pages.headline_table(partial_data, year))
    assert re.search(r"清理三种经营 30处 360处 仅有6月数据", table)
    assert "▼" not in table.split("清理三种经营")[1].split("燃气")[0]  # never a fall from 360 to 30
    catalogue = partial_data.catalogue[partial_data.catalogue["ledger"].isin(partial_data.tables)]
    paragraphs = dict(area_paragraphs(partial_data.tables, year, catalogue))
    vending_area = load_spec("street_vending").area
    assert "三种经营整治台账仅有6月数据，不作同比" in paragraphs[vending_area]
    assert not re.search(r"三种经营[^。]*同比(增长|下降)", paragraphs[vending_area])
    points = " ".join(highlights(partial_data.tables, year, catalogue))
    if "三种经营" in points:  # its figure is never given without what it covers
        assert "三种经营整治台账仅有6月数据" in points
    figures = metrics.year_over_year(partial_data.tables, year, catalogue)
    paragraph = report_paragraph(figures, year)
    assert paragraph.count("（仅有6月数据）") == 1 and "不作同比" not in paragraph  # once per ledger, nothing compared


def test_the_workbook_shows_a_dash_for_months_without_data(partial_data):
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes(partial_data, Period(2023))))
    rows = list(book["三种经营整治"].iter_rows(values_only=True))
    header = next(r for r in rows if r[0] == "街道")
    total = next(r for r in rows if r[0] == "合计")
    months = dict(zip(header[1:13], total[1:13]))
    assert months["6月"] == 30 and all(months[f"{m}月"] == "—" for m in ALL if m != 6)
    assert any(r[0] and "未报送" in str(r[0]) and "不是0" in str(r[0]) for r in rows)
    indicators = {r[0]: r for r in book["主要指标"].iter_rows(values_only=True) if r[0]}
    assert indicators["清理三种经营"][5] == "仅有6月数据，不作同比"
    # the gas ledger, filled every month of both years, is compared as before
    gas = indicators["燃气安全排查单位"]
    assert gas[5] == 0 and not isinstance(gas[5], str)

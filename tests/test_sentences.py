"""Sentences a reader can trust (issue 21, item 8): 较大 only for a large change of figures that are not small,
every 最多 with its figure, category values as phrases, the 环比 clause naming its figure, the 要点 in one style,
and 上年无数据 said once per briefing."""
from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_narrative_areas import FIGURE, at, gas, generated, notes, table, unit, vending, write

from analysis.report import metrics
from analysis.report.findings import LARGE_BASE, UNUSUAL_PCT, large_change
from analysis.report.number_words import round_half_up
from analysis.report.periods import Period, parse_period

# Few scattered rows per ledger: every ledger is one of events here (see conftest.events_only).
pytestmark = pytest.mark.usefixtures("events_only")


def compared(previous: float, value: float) -> pd.Series:
    """One figure against its base, as metrics computes it for every sentence."""
    frame = metrics.compare_values(pd.Series([value]), pd.Series([previous]))
    return frame.assign(value=value, previous=previous).iloc[0]


# ---------------------------------------------------------------- 较大: one rule

small = st.integers(0, LARGE_BASE - 1)
large = st.integers(LARGE_BASE, 100_000)


@given(previous=small, value=small)
def test_a_change_between_small_figures_is_never_large(previous, value):
    assert not large_change(compared(previous, value))


@given(previous=st.one_of(small, large), value=st.one_of(small, large))
def test_a_change_is_large_exactly_when_over_30_percent_and_one_figure_is_not_small(previous, value):
    row = compared(previous, value)
    over = previous > 0 and round_half_up(abs(value - previous) / previous * 100, 1) > UNUSUAL_PCT
    assert large_change(row) == (over and max(previous, value) >= LARGE_BASE)


@pytest.mark.parametrize("previous, value, large", [
    (2, 3, False), (4, 2, False), (9, 6, False), (3, 1, False), (15, 8, False),  # small figures, whatever the percent
    (17, 31, True), (100, 5, True), (5, 100, True), (100, 140, True), (100, 69, True),
    (100, 130, False), (10000, 13004, False), (10000, 13006, True),  # 30.04% is written 30.0%: not over 30
    (0, 50, False), (50, 0, True),  # from 0: said as 上年为0, never 较大
])
def test_large_change_examples(previous, value, large):
    assert large_change(compared(previous, value)) == large


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(before=st.integers(1, 60), now=st.integers(1, 60))
def test_no_sentence_calls_a_change_of_small_figures_large(before, now):
    """The rule decides every sentence: the main figure's (清理…处) and another figure's (查扣…个)."""
    tables = {**vending(at("2022-06-01", "焦南街道", before), at("2023-06-01", "焦南街道", now)),
              **gas(unit("2022-06-01", "甲", cylinders_seized=before), unit("2022-12-01", "乙"),
                    unit("2023-06-01", "甲", cylinders_seized=now), unit("2023-12-01", "乙"))}
    text = "".join(write(tables, Period(2023)).values()) + "".join(notes(tables, Period(2023)))
    expected = large_change(compared(before, now))
    assert (("较大" in text) or ("大幅" in text)) == expected, text
    if max(before, now) < LARGE_BASE:
        assert "较大" not in text and "大幅" not in text


# ---------------------------------------------------------------- every 最多 with its figure

# What may hold 最多: a driver with its figures in brackets, a largest level or peak month followed by its figure,
# a peak month after its figure. Anything else holding 最多 is a 最多 without a figure.
_ZERO = r"(?:为0|降为0)"
_FIG = rf"(?:{FIGURE.pattern}|{_ZERO})"
_WITH_FIGURE = re.compile(
    rf"(?:增加|减少)?最多(?:的是[^（。]+)?（[^）]*{_FIG}[^）]*）"  # 增加最多的是焦南街道（…） / 其中焦南街道增加最多（…）
    rf"|最多，为?{FIGURE.pattern}"  # 民生街道最多，为2300余处 / 单月以7月最多，约235平方米
    rf"|{FIGURE.pattern}，为各月最多"  # 12月清理…260余处，为各月最多
)


def without_figure(text: str) -> list[str]:
    """The sentences of `text` holding a 最多 that carries no figure."""
    return [s for s in re.split("(?<=。)", text) if "最多" in _WITH_FIGURE.sub("", s)]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), with_previous=st.booleans(),
       period=st.sampled_from([Period(2023), Period(2023, 4, 6), Period(2023, 7, 7), Period(2023, 1, 9, cumulative=True)]))
@pytest.mark.slow
def test_every_largest_clause_carries_its_figure_and_no_data_is_said_once(seed, with_previous, period):
    tables = generated(seed, with_previous)
    paragraphs = write(tables, period)
    points = notes(tables, period)
    briefing = "".join(paragraphs.values()) + "".join(points)
    assert not without_figure(briefing), without_figure(briefing)
    assert briefing.count("上年无数据") <= 1, briefing
    assert not any("方面，" in p for p in points), points  # the 要点 in one style
    assert not re.search("(?<![许可])(?:的是|其中)(?:准予|不予)(?!许可)", briefing)  # phrases, not bare words


def test_the_largest_clause_pattern_tells_a_bare_largest_from_one_with_its_figure():
    assert without_figure("按审批事项分，减少最多的是占道审批。")
    assert without_figure("单月以7月最多。")
    assert not without_figure("分街道看，增加最多的是焦南街道（1300余处，比上年多310余处），减少最多的是民生街道（降为0）。")
    assert not without_figure("分街道看，焦南街道最多，为700处。单月以7月最多，约235平方米。")
    assert not without_figure("清理辖区三种经营1700余处，同比增长77.8%，其中民生街道增加最多（700余处）。")


# ---------------------------------------------------------------- the licensing paragraph of the demo, in small

def licensing(records) -> dict:
    return {"licensing": table("licensing", records)}


def case(date, matter, subdistrict="民生街道", result="准予", n=1) -> dict:
    return {"date": date, "matter": matter, "subdistrict": subdistrict, "result": result, "n": n}


@pytest.fixture
def licensing_tables():
    """办理行政许可案件 60 -> 72; 占道审批 4 -> 2 (its figure, and its fall of 2, written already); 不予 15 -> 11."""
    return licensing([
        case("2022-06-01", "临时户外广告审批", n=41), case("2022-06-01", "临时户外广告审批", result="不予", n=15),
        case("2022-12-01", "占道审批", subdistrict="焦北街道", n=2), case("2022-12-01", "占道审批", subdistrict="王褚街道", n=2),
        case("2023-06-01", "临时户外广告审批", n=59), case("2023-06-01", "临时户外广告审批", result="不予", n=11),
        case("2023-12-01", "占道审批", subdistrict="焦北街道", n=2)])


def test_a_largest_decrease_whose_figures_are_written_already_carries_its_percent(licensing_tables):
    text = write(licensing_tables, Period(2023))["行政审批"]
    assert "减少最多的是占道审批（同比下降50.0%）" in text
    assert re.search("办理占道审批2件[。；，]", text)
    assert "较大" not in text  # 4 -> 2: small figures
    assert not without_figure(text)


def test_category_values_read_as_phrases(licensing_tables):
    text = write(licensing_tables, Period(2023))["行政审批"]
    assert "增加最多的是准予许可（" in text and "减少最多的是不予许可（11件" in text
    assert not re.search("(?:准予|不予)(?!许可)", text)


# ---------------------------------------------------------------- the 环比 clause names its figure

def demolished(date, area_m2, n=1) -> dict:
    return {"date": date, "area_m2": area_m2, "method": "自行拆除", "n": n}


def test_the_month_before_clause_names_its_figure_when_the_subject_changed():
    tables = {"demolitions": table("demolitions", [
        demolished("2022-06-10", 25.0, n=4), demolished("2023-05-10", 10.0, n=6), demolished("2023-06-10", 97.0, n=2)])}
    # June 2023: 2 places (4 a year before: -50%, 6 the month before: -66.7%), 194 m² (100 m²: +94%)
    text = write(tables, parse_period("2023-06"))["违建治理"]
    first = text.split("。")[0]
    assert "同比分别下降50.0%、增长94.0%，其中拆除违建面积增幅较大，拆除违建环比下降66.7%" in first, first


def test_the_month_before_clause_follows_the_main_figures_own_change():
    tables = {"demolitions": table("demolitions", [
        demolished("2022-06-10", 25.0, n=2), demolished("2023-05-10", 10.0, n=3), demolished("2023-06-10", 97.0, n=2)])}
    # June 2023: 2 places (2 a year before: flat, 3 the month before), 194 m² (50 m²: +288%)
    first = write(tables, parse_period("2023-06"))["违建治理"].split("。")[0]
    assert first.endswith("与上年同期持平，环比下降33.3%，拆除违建面积同比增长288.0%，增幅较大"), first


# ---------------------------------------------------------------- 上年无数据 once per briefing

def test_a_first_year_briefing_says_there_is_no_year_before_once():
    tables = generated(7, with_previous=False)
    paragraphs = write(tables, Period(2023))
    assert len(paragraphs) > 1
    briefing = "".join(paragraphs.values())
    assert briefing.count("上年无数据") == 1 and briefing.count("不作同比") == 1
    assert "上年无数据，各项均不作同比" in next(iter(paragraphs.values()))


def test_areas_without_the_year_before_among_others_name_their_ledgers():
    tables = {**vending(at("2022-12-01", "焦南街道", 100), at("2023-12-01", "焦南街道", 120)),
              **gas(unit("2023-06-01", "甲")),
              "demolitions": table("demolitions", [demolished("2023-06-10", 20.0)])}
    paragraphs = write(tables, Period(2023))
    assert "上年无数据" not in "".join(paragraphs.values())
    assert "上年无燃气安全排查数据，不作同比" in paragraphs["燃气安全"]
    assert "上年无违建拆除数据，不作同比" in paragraphs["违建治理"]
    assert "不作同比" not in paragraphs["市容秩序"]

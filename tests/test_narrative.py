"""Sentences and the report paragraph, from figures computed on tables built here."""
import numpy as np
import pandas as pd
import pytest

from analysis.report.metrics import indicator_values, resolve_period, year_over_year
from analysis.report.narrative import change_clause, indicator_sentence, indicator_sentences, report_paragraph
from analysis.report.periods import Period, year_so_far

SUBDISTRICTS = ["民生街道", "民主街道", "新华街道", "焦西街道", "焦南街道", "焦北街道", "七百间街道", "上白作街道", "王褚街道"]

REPORT_2023 = (
    "2023年共清理辖区三种经营12000余处，拆除违建9处、约4714平方米，排查餐饮门店、大型商超、养老机构等2700余家，"
    "排查整改安全隐患526处，查扣不合格液化气钢瓶187个，查处非法储存销售黑窝点5处。对餐饮单位开展燃气安全隐患排查5000余次，"
    "督导检查辖区扬尘管控点位2714个，转办市级督导问题50个，整改黄土裸露、湿法作业不到位等问题147处。"
)

# Few scattered rows per ledger: every ledger is one of events here (see conftest.events_only).
pytestmark = pytest.mark.usefixtures("events_only")


def ledger(dates, **columns) -> pd.DataFrame:
    dates = pd.Series(pd.to_datetime(dates))
    frame = pd.DataFrame({
        "date": dates, "year": dates.dt.year.astype("int64"), "month": dates.dt.month.astype("int64"),
        "subdistrict": pd.Categorical(["焦南街道"] * len(dates), categories=SUBDISTRICTS),
    })
    return frame.assign(**columns)


def street_vending(places_by_date: dict) -> dict:
    """Tables holding only a street_vending ledger, one row per date."""
    return {"street_vending": ledger(list(places_by_date), places=list(places_by_date.values()))}


def report_sized_tables(year=2023) -> dict:
    """Ledgers whose figures are the 2023 report's: 12345 places, 2734 units, 5123 catering checks, …"""
    day = f"{year}-12-15"  # December: a complete year
    i = np.arange(5200)
    gas = ledger([day] * len(i), unit_name=pd.Series(i % 2734).map("单位{}".format),
                 unit_type=pd.Categorical(np.where(i < 5123, "餐饮", "其他"), categories=["餐饮", "大型商超", "养老机构", "其他"]),
                 hazards_found=(i < 600).astype("int64"), hazards_rectified=(i < 526).astype("int64"),
                 cylinders_seized=np.where(i == 0, 187, 0), illegal_den=i < 5)
    j = np.arange(2714)
    issue = np.select([j < 50, j < 197], ["黄土裸露", "湿法作业不到位"], default="无")
    dust = ledger([day] * len(j), site_name=pd.Series(j).map("点位{}".format), issue_type=issue,
                  source=pd.Categorical(np.where((j < 50) | (j >= 2700), "市级督导", "日常巡查"), categories=["日常巡查", "市级督导"]),
                  rectified=pd.array(np.where(issue == "无", None, j >= 50), dtype="boolean"))
    demolitions = ledger([day] * 9, area_m2=[500.0] * 8 + [714.3],
                         method=pd.Categorical([None] * 9, categories=["自行拆除", "依法强制拆除"]))
    return {**street_vending({day: 12345}), "gas_safety": gas,
            "dust_control": dust, "demolitions": demolitions}


def sentence(tables, year, key="street_vending_places") -> str:
    """The indicator's sentence for `year` as a briefing writes it (a year still running: its months so far)."""
    period = resolve_period(tables, Period(year))
    return indicator_sentence(year_over_year(tables, period).loc[key], period)


# ---------------------------------------------------------------- one indicator

def test_increase():
    tables = street_vending({"2022-07-01": 11409, "2023-12-01": 12345})
    assert sentence(tables, 2023) == "2023年共清理辖区三种经营12000余处，同比增长8.2%。"


def test_decrease():
    tables = street_vending({"2022-07-01": 1000, "2023-12-01": 969})
    assert sentence(tables, 2023) == "2023年共清理辖区三种经营900余处，同比下降3.1%。"


def test_flat_when_the_change_rounds_to_zero():
    tables = street_vending({"2022-07-01": 10004, "2023-12-01": 10000})
    assert sentence(tables, 2023) == "2023年共清理辖区三种经营10000处，与上年持平。"


def test_no_previous_year_has_no_comparison():
    tables = street_vending({"2023-12-01": 12345})
    assert sentence(tables, 2023) == "2023年共清理辖区三种经营12000余处。"


def test_zero_base_names_the_zero_instead_of_a_percent():
    tables = report_sized_tables(2023)
    tables["gas_safety"] = pd.concat([tables["gas_safety"], tables["gas_safety"].assign(
        date=pd.Timestamp("2022-12-15"), year=2022, illegal_den=False)], ignore_index=True)
    assert sentence(tables, 2023, "gas_illegal_dens") == "2023年共查处非法储存销售黑窝点5处，上年为0。"


def test_incomplete_year_is_a_running_total_against_the_same_months():
    tables = street_vending({"2023-03-01": 2000, "2023-11-01": 4000, "2024-02-01": 1000, "2024-10-31": 1164})
    assert sentence(tables, 2024) == "2024年1—10月累计清理辖区三种经营2100余处，同比增长8.2%。"
    flat = street_vending({"2023-03-01": 500, "2023-12-01": 80, "2024-05-01": 500})
    assert sentence(flat, 2024) == "2024年1—5月累计清理辖区三种经营500处，与上年同期持平。"


def test_indicator_without_data_says_so():
    tables = street_vending({"2023-12-01": 12})
    assert sentence(tables, 2023, "dust_sites_checked") == "2023年暂无督导检查扬尘管控点位数据。"


def test_sentence_from_plain_values_has_no_comparison():
    values = indicator_values(street_vending({"2023-12-01": 12345}), Period(2023))
    assert indicator_sentence(values.loc["street_vending_places"], Period(2023)) == "2023年共清理辖区三种经营12000余处。"


def test_every_indicator_gets_a_sentence():
    sentences = indicator_sentences(year_over_year(report_sized_tables(), Period(2023)), Period(2023))
    assert sentences["demolitions_area"] == "2023年共拆除违建约4714平方米。"
    assert sentences["dust_city_issues"] == "2023年共转办市级督导问题50个。"
    assert sentences.str.endswith("。").all()


@pytest.mark.parametrize("year, months, expected", [
    (2023, 12, "2023年共"), (2024, 10, "2024年1—10月累计"), (2024, 1, "2024年1月共")])
def test_period_lead(year, months, expected):
    assert year_so_far(year, months).lead == expected


@pytest.mark.parametrize("direction, pct, period, expected", [
    ("up", 8.24, Period(2023), "同比增长8.2%"), ("down", -3.05, Period(2023), "同比下降3.1%"),
    ("flat", 0.04, Period(2023), "与上年持平"), ("flat", 0.04, Period(2023, 4, 6), "与上年同期持平"),
    ("zero_base", pd.NA, Period(2023), "上年为0"), ("zero_base", pd.NA, Period(2023, 4, 6), "上年同期为0"),
    ("no_previous", pd.NA, Period(2023), ""), ("no_data", pd.NA, Period(2023), "")])
def test_change_clause(direction, pct, period, expected):
    assert change_clause(pd.Series({"direction": direction, "pct": pct}), period) == expected


# ---------------------------------------------------------------- the report paragraph

def test_report_paragraph_reproduces_the_2023_report():
    assert report_paragraph(year_over_year(report_sized_tables(), Period(2023)), Period(2023)) == REPORT_2023


def test_report_paragraph_of_an_incomplete_year_leaves_out_ledgers_without_data():
    tables = {**street_vending({"2024-01-01": 3000, "2024-10-01": 2345}),
              "demolitions": ledger(["2024-04-01"], area_m2=[88.6],
                                    method=pd.Categorical([None], categories=["自行拆除", "依法强制拆除"]))}
    period = resolve_period(tables, Period(2024))
    assert report_paragraph(year_over_year(tables, period), period) == "2024年1—10月累计清理辖区三种经营5000余处，拆除违建1处、约89平方米。"


# ---------------------------------------------------------------- what was said, by figure

def test_words_carry_the_figures_they_write_and_cannot_lose_them_in_an_f_string():
    from analysis.report.narrative import Words, join

    amount, percent = Words("370余处", ("370余处",)), Words("8.2%", ("8.2%",))
    clause = "比上年多" + amount + "，" + join("、", ["同比增长" + percent, "环比持平"])
    assert clause == Words("比上年多370余处，同比增长8.2%、环比持平", ("370余处", "8.2%"))
    with pytest.raises(TypeError):
        f"{clause}"  # noqa: B018


def test_a_figure_already_said_is_not_said_again_whatever_the_text_around_it():
    from analysis.report.narrative import Said, Words

    said = Said()
    said.add(Words("2023年共清理辖区三种经营12000余处。", ("12000余处",)))
    # the same figure in other words is taken as said; a choice without it is written instead
    assert said.optional(Words("，为12000余处", ("12000余处",)), Words("，为12386处", ("12386处",))).text == "，为12386处"
    assert said.optional(Words("比上年多12386处", ("12386处",))).text == ""
    assert said.figures == {"12000余处", "12386处"}
    # what was said is known from the pieces, never read back from the text: plain text takes no figure
    assert said.add("单月以7月最多。") and said.figures == {"12000余处", "12386处"}

"""Indicator catalogue and metrics over small tables built here, with hand-computed expectations."""
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis import paths
from analysis.report import metrics
from analysis.report.catalogue import load_catalogue, parse_filter
from analysis.report.metrics import (
    breakdown,
    compare_values,
    indicator_values,
    is_complete_year,
    latest_complete_year,
    monthly_series,
    period_months,
    resolve_period,
    year_over_year,
)
from analysis.report.number_words import format_figure, format_percent
from analysis.report.periods import Period, year_so_far

# Few scattered rows per ledger: every ledger is one of events here (see conftest.events_only).
pytestmark = pytest.mark.usefixtures("events_only")

SUBDISTRICTS = ["民生街道", "民主街道", "新华街道", "焦西街道", "焦南街道", "焦北街道", "七百间街道", "上白作街道", "王褚街道"]
REPORT_KEYS = {  # the figures of the report's enforcement paragraph (the 2023 report, 一（四）六)
    "street_vending_places", "licensing_signboards", "city_hazard_signs", "city_banners", "city_window_ads",
    "city_small_ads", "demolitions_count", "demolitions_area", "gas_units_checked", "gas_hazards_rectified",
    "gas_cylinders_seized", "gas_illegal_dens", "gas_catering_checks", "dust_sites_checked", "dust_city_issues",
    "dust_issues_rectified",
}


def ledger(dates, subdistrict="民生街道", **columns) -> pd.DataFrame:
    """A processed-table-shaped frame: date, year, month, Categorical subdistrict, then `columns`."""
    dates = pd.Series(pd.to_datetime(dates))
    subdistricts = [subdistrict] * len(dates) if isinstance(subdistrict, str) else subdistrict
    frame = pd.DataFrame({
        "date": dates, "year": dates.dt.year.astype("int64"), "month": dates.dt.month.astype("int64"),
        "subdistrict": pd.Categorical(subdistricts, categories=SUBDISTRICTS),
    })
    return frame.assign(**columns)


def cat(values, categories):
    return pd.Categorical(values, categories=categories)


UNIT_TYPES = ["餐饮", "大型商超", "养老机构", "其他"]


@pytest.fixture
def tables_2023():
    """One small 2023 table per ledger (plus a 2022 row in two of them that must not count)."""
    return {
        "street_vending": ledger(
            ["2023-01-05", "2023-06-30", "2023-12-31", "2022-12-31"],
            subdistrict=["民生街道", "焦南街道", "焦南街道", "民生街道"],
            business_type=cat(["店外经营", "流动摊贩", "店外经营", "占道经营"], ["店外经营", "流动摊贩", "占道经营"]),
            places=[2, 5, 1, 100],
        ),
        "gas_safety": ledger(
            ["2023-02-01", "2023-03-01", "2023-03-02", "2023-04-01", "2023-05-01", "2022-05-01"],
            unit_name=["甲饭店", "甲饭店", "乙超市", "丙敬老院", "丁窝点", "甲饭店"],
            unit_type=cat(["餐饮", "餐饮", "大型商超", "养老机构", "其他", "餐饮"], UNIT_TYPES),
            hazards_found=[3, 1, 2, 0, 4, 9],
            hazards_rectified=[2, 1, 2, 0, 0, 9],
            cylinders_seized=[0, 0, 0, 1, 6, 9],
            illegal_den=[False, False, False, False, True, True],
        ),
        "dust_control": ledger(
            ["2023-07-01"] * 5,
            site_name=["一号工地", "一号工地", "二号工地", "三号工地", "四号工地"],
            issue_type=["无", "黄土裸露", "湿法作业不到位", "车辆未冲洗", "无"],
            source=cat(["日常巡查", "市级督导", "日常巡查", "市级督导", "市级督导"], ["日常巡查", "市级督导"]),
            rectified=pd.array([pd.NA, True, True, False, pd.NA], dtype="boolean"),
        ),
        "demolitions": ledger(["2023-08-01", "2023-09-01"], area_m2=[100.4, 20.25],
                              method=cat(["自行拆除", "依法强制拆除"], ["自行拆除", "依法强制拆除"])),
    }


# ---------------------------------------------------------------- catalogue

def test_catalogue_holds_the_report_paragraph_figures_in_report_order():
    catalogue = load_catalogue()
    in_report = catalogue[catalogue["report_phrase"] != ""]
    assert set(in_report.index) == REPORT_KEYS
    assert list(in_report.index[:8]) == ["street_vending_places", "licensing_signboards", "city_hazard_signs",
                                         "city_banners", "city_window_ads", "city_small_ads", "demolitions_count",
                                         "demolitions_area"]
    assert in_report.loc["gas_catering_checks", "report_sep"] == "。"
    assert dict(catalogue.loc[["street_vending_places", "demolitions_area", "dust_sites_checked"], "style"]) == {
        "street_vending_places": "余", "demolitions_area": "约", "dust_sites_checked": "exact"}
    assert catalogue.loc["dust_city_issues", "filter"] == "source == 市级督导 & issue_type != 无"


@pytest.mark.parametrize("column, bad, message", [
    ("filter", "places = 5", "无法识别的筛选条件"),
    ("measure", "mean:places", "无法识别的计算方式"),
    ("style", "大约", "style"),
    ("phrase", "清理三种经营", "{value}"),
])
def test_malformed_catalogue_rows_are_refused_naming_the_indicator(tmp_path, column, bad, message):
    catalogue = pd.read_csv(paths.CATALOGUE_PATH, dtype=str, keep_default_na=False)
    catalogue.loc[0, column] = bad
    path = tmp_path / "indicators.csv"
    catalogue.to_csv(path, index=False)
    with pytest.raises(ValueError, match=message) as error:
        load_catalogue(path)
    assert catalogue.loc[0, "key"] in str(error.value)


def test_a_new_indicator_for_a_fifth_ledger_is_one_csv_row(tmp_path):
    import shutil

    specs = tmp_path / "ledgers"
    shutil.copytree(paths.LEDGER_SPEC_DIR, specs)
    (specs / "shop_signs.yaml").write_text(
        "ledger: shop_signs\nlabel: 门头招牌审批台账\norder: 9\ncolumns:\n"
        "  - {name: date, label: 日期, type: date, required: true, headers: [日期]}\n"
        "  - {name: subdistrict, label: 街道, type: subdistrict}\n"
        "  - {name: width_m, label: 宽度（米）, type: number, headers: [宽度]}\n"
        "  - {name: kind, label: 类型, type: category, headers: [类型], values: {新设: [], 更换: [], 拆除: []}}\n",
        encoding="utf-8")
    path = tmp_path / "indicators.csv"
    path.write_text(
        paths.CATALOGUE_PATH.read_text(encoding="utf-8")
        + "signs_large,审批大型门头招牌,个,shop_signs,count,width_m >= 10 & kind in 新设|更换,宽度10米及以上的新设或更换招牌,exact,"
          "审批大型门头招牌{value}{unit},,,200,subdistrict\n",
        encoding="utf-8")
    signs = ledger(["2023-03-01"] * 4, width_m=[12.0, 9.5, 10.0, 30.0], kind=["新设", "更换", "更换", "拆除"])
    values = indicator_values({"shop_signs": signs}, Period(2023), catalogue=load_catalogue(path, specs))
    assert values.loc["signs_large", "value"] == 2
    assert pd.isna(values.loc["street_vending_places", "value"])  # its ledger is absent: NA, not 0


@pytest.mark.parametrize("column, bad, message", [
    ("ledger", "street_vendor", "台账“street_vendor”没有规格文件（已有：street_vending、gas_safety"),
    ("measure", "sum:place", "计算方式中的列“place”不在台账 street_vending 中（可用：date、subdistrict"),
    ("measure", "sum:location", "要求数值列"),
    ("filter", "business_type == 流动摊位", "“流动摊位”不是“经营类型”的类别（可选：店外经营、流动摊贩、占道经营"),
    ("filter", "busines_type == 流动摊贩", "筛选条件中的列“busines_type”不在台账 street_vending 中"),
    ("filter", "places >= 五", "“五”不是数字"),
    ("filter", "places", "只能用于是/否列"),
    ("filter", "subdistrict == 焦楠街道", "不是街道名"),
    ("breakdowns", "month subdistrict kind", "breakdowns 中的列“kind”不在台账 street_vending 中"),
])
def test_a_name_the_specs_do_not_know_is_refused_naming_the_row_and_the_known_names(tmp_path, column, bad, message):
    catalogue = pd.read_csv(paths.CATALOGUE_PATH, dtype=str, keep_default_na=False)
    assert catalogue.loc[0, "ledger"] == "street_vending"
    catalogue.loc[0, column] = bad
    path = tmp_path / "indicators.csv"
    catalogue.to_csv(path, index=False)
    with pytest.raises(ValueError) as error:
        load_catalogue(path)
    assert message in str(error.value)
    assert str(error.value).startswith(f"指标目录 indicators.csv 第 2 行（{catalogue.loc[0, 'key']}）：")


# ---------------------------------------------------------------- filter grammar

def test_filter_grammar_parses_flags_comparisons_and_lists():
    assert parse_filter("") == []
    assert parse_filter("illegal_den") == [("illegal_den", "true", [])]
    assert parse_filter("!rectified") == [("rectified", "false", [])]
    assert parse_filter("issue_type != 无 & rectified") == [("issue_type", "!=", ["无"]), ("rectified", "true", [])]
    assert parse_filter("unit_type in 餐饮 | 大型商超") == [("unit_type", "in", ["餐饮", "大型商超"])]


@pytest.mark.parametrize("text", [
    "places = 5", "a == 1 | b == 2", "__import__('os').system('ls')", "a ==", "& rectified", "rectified &", "单位 == 1",
])
def test_filter_grammar_refuses_anything_else(text):
    with pytest.raises(ValueError):
        parse_filter(text)


def test_filter_mask_never_matches_na_and_reads_numbers_for_numeric_columns():
    rows = pd.DataFrame({
        "issue_type": pd.Series(["无", "黄土裸露", None, "围挡不全"], dtype="str"),
        "rectified": pd.array([pd.NA, True, True, False], dtype="boolean"),
        "places": [1, 5, 10, 3],
    })
    assert metrics.filter_mask(rows, "issue_type != 无").tolist() == [False, True, False, True]
    assert metrics.filter_mask(rows, "!rectified").tolist() == [False, False, False, True]
    assert metrics.filter_mask(rows, "places >= 5").tolist() == [False, True, True, False]
    assert metrics.filter_mask(rows, "issue_type in 无|围挡不全").tolist() == [True, False, False, True]
    with pytest.raises(ValueError, match="status"):
        metrics.filter_mask(rows, "status == 1")


# ---------------------------------------------------------------- values

def test_the_enforcement_ledgers_report_definitions_on_a_tiny_table(tables_2023):
    values = indicator_values(tables_2023, Period(2023))
    enforcement = sorted(k for k in REPORT_KEYS if values.loc[k, "ledger"] in tables_2023)
    assert dict(values.loc[enforcement, "value"].astype(float)) == {
        "street_vending_places": 8,    # 2 + 5 + 1 (the 2022 row is not counted)
        "gas_units_checked": 4,        # 甲饭店 twice counts once
        "gas_hazards_rectified": 5,    # 2 + 1 + 2
        "gas_cylinders_seized": 7,     # 1 + 6
        "gas_illegal_dens": 1,
        "gas_catering_checks": 2,      # rows with unit_type 餐饮
        "dust_sites_checked": 5,       # rows
        "dust_city_issues": 2,         # 市级督导 with a problem; the 市级督导 row with 无 does not count
        "dust_issues_rectified": 2,    # problem and rectified; NA rectified does not count
        "demolitions_count": 2,
        "demolitions_area": 120.65,
    }
    assert values.loc["demolitions_area", "figure"] == "约121"
    assert values.loc["gas_hazards_found", "value"] == 10
    assert values.loc["demolitions_forced", "value"] == 1


def test_values_restricted_to_months_one_to_n(tables_2023):
    values = indicator_values(tables_2023, year_so_far(2023, 6))
    assert values.loc["street_vending_places", "value"] == 7  # Jan 2 + Jun 5; Dec excluded
    assert values.loc["gas_units_checked", "value"] == 4
    assert values.loc["dust_sites_checked", "value"] == 0      # ledger covers 2023, no rows by June: 0


def test_a_ledger_without_rows_in_the_year_gives_na_not_zero(tables_2023):
    values = indicator_values(tables_2023, Period(2022))
    assert values.loc["street_vending_places", "value"] == 100
    assert pd.isna(values.loc["dust_sites_checked", "value"])
    assert values.loc["dust_sites_checked", "figure"] == "—"


# ---------------------------------------------------------------- year over year

def test_compare_values_covers_every_case():
    current = pd.Series([1082, 969, 10000, 5, 0, 7, pd.NA, 1000], index=list("abcdefgh"))
    previous = pd.Series([1000, 1000, 10004, 0, 0, pd.NA, 3, 1000.5], index=list("abcdefgh"))
    result = compare_values(current, previous)
    assert result["direction"].tolist() == ["up", "down", "flat", "zero_base", "flat", "no_previous", "no_data", "flat"]
    assert result.loc["a", "change"] == 82 and result.loc["a", "pct"] == pytest.approx(8.2)
    assert result.loc["b", "pct"] == pytest.approx(-3.1)
    assert result["pct"][["d", "e", "f", "g"]].isna().all()
    assert result["base_zero"].tolist() == [False, False, False, True, True, False, False, False]


def test_year_over_year_full_years():
    tables = {"street_vending": ledger(["2022-03-01", "2022-12-01", "2023-05-01", "2023-12-20"],
                                       places=[600, 400, 700, 382])}
    result = year_over_year(tables, Period(2023))
    row = result.loc["street_vending_places"]
    assert (row["value"], row["previous"], row["change"]) == (1082, 1000, 82)
    assert format_percent(row["pct"]) == "8.2%" and row["direction"] == "up"
    assert result.loc["gas_units_checked", "direction"] == "no_data"


def test_year_over_year_with_zero_base_and_missing_previous_year():
    tables = {
        "gas_safety": ledger(["2022-06-01", "2023-06-01", "2023-12-01"], unit_name=["甲", "乙", "丙"],
                             unit_type=cat(["其他"] * 3, UNIT_TYPES), hazards_found=0, hazards_rectified=0,
                             cylinders_seized=0, illegal_den=[False, True, True]),
        "demolitions": ledger(["2023-04-01"], area_m2=[50.0], method=cat([None], ["自行拆除", "依法强制拆除"])),
    }
    result = year_over_year(tables, Period(2023))
    dens = result.loc["gas_illegal_dens"]
    assert (dens["value"], dens["previous"], dens["direction"], dens["base_zero"]) == (2, 0, "zero_base", True)
    assert pd.isna(dens["pct"])
    demolitions = result.loc["demolitions_count"]
    assert demolitions["direction"] == "no_previous" and pd.isna(demolitions["previous"]) and pd.isna(demolitions["pct"])


def test_incomplete_year_compares_the_same_months_of_the_previous_year():
    tables = {"street_vending": ledger(
        ["2023-01-10", "2023-10-31", "2023-11-01", "2023-12-31", "2024-02-01", "2024-10-15"],
        places=[300, 700, 5000, 5000, 500, 470])}
    assert period_months(tables, 2024) == 10 and not is_complete_year(tables, 2024)
    period = resolve_period(tables, Period(2024))
    assert period == year_so_far(2024, 10) and period.label == "2024年1—10月"
    row = year_over_year(tables, period).loc["street_vending_places"]
    assert (row["value"], row["previous"]) == (970, 1000)
    assert format_percent(row["pct"]) == "-3.0%" and row["direction"] == "down"
    whole_year = year_over_year(tables, Period(2024)).loc["street_vending_places"]
    assert whole_year["previous"] == 11000


def test_period_helpers():
    tables = {
        "street_vending": ledger(["2021-12-05", "2022-12-01", "2023-03-01"], places=1),
        "demolitions": ledger(["2022-05-01", "2023-11-30", "2024-01-02"], area_m2=1.0),
    }
    assert metrics.available_years(tables) == [2021, 2022, 2023, 2024]
    assert [period_months(tables, y) for y in (2020, 2021, 2022, 2023, 2024)] == [0, 12, 12, 11, 1]
    assert latest_complete_year(tables) == 2022
    assert latest_complete_year({"street_vending": ledger(["2024-03-01"], places=1)}) is None


# ---------------------------------------------------------------- series and breakdowns

def test_monthly_series_has_twelve_zero_filled_months(tables_2023):
    series = monthly_series(tables_2023, "street_vending_places", 2023)
    assert list(series.index) == list(range(1, 13)) and series.index.name == "month"
    assert series.tolist() == [2, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 1]
    assert monthly_series(tables_2023, "gas_units_checked", 2023)[3] == 2  # distinct units in March
    assert metrics.monthly_table(tables_2023, 2023).shape == (12, len(load_catalogue()))


def test_breakdown_by_subdistrict_gives_all_nine_in_canonical_order(tables_2023):
    series = breakdown(tables_2023, "street_vending_places", Period(2023), "subdistrict")
    assert list(series.index) == SUBDISTRICTS
    assert series["民生街道"] == 2 and series["焦南街道"] == 6 and series.drop(["民生街道", "焦南街道"]).eq(0).all()


def test_breakdown_by_category_columns(tables_2023):
    by_type = breakdown(tables_2023, "street_vending_places", Period(2023), "business_type")
    assert by_type.to_dict() == {"店外经营": 3, "流动摊贩": 5, "占道经营": 0}
    by_issue = breakdown(tables_2023, "dust_issues_found", Period(2023), "issue_type")  # plain str: largest first
    assert by_issue.to_dict() == {"湿法作业不到位": 1, "车辆未冲洗": 1, "黄土裸露": 1}
    assert list(by_issue.index) == sorted(by_issue.index)
    units = breakdown(tables_2023, "gas_units_checked", Period(2023), "unit_type")
    assert units.to_dict() == {"餐饮": 1, "大型商超": 1, "养老机构": 1, "其他": 1}
    with pytest.raises(ValueError, match="colour"):
        breakdown(tables_2023, "street_vending_places", Period(2023), "colour")


def test_breakdown_of_a_year_the_ledger_does_not_cover_is_na(tables_2023):
    series = breakdown(tables_2023, "demolitions_count", Period(2021), "subdistrict")
    assert list(series.index) == SUBDISTRICTS and series.isna().all()


# ---------------------------------------------------------------- writing figures

@pytest.mark.parametrize("value, expected", [
    (12345, "12000余"), (12000.5, "12000余"), (12999, "12000余"),  # 三种经营12000余处
    (2734, "2700余"), (2700.1, "2700余"), (2799, "2700余"),        # 2700余家
    (5123, "5000余"), (5999, "5000余"),                            # 5000余次
    (4999, "4900余"), (187, "180余"), (526, "500余"),
    (12000, "12000"), (45, "45"),                                   # nothing to round: exact
])
def test_yu_figures_round_down_as_the_report_does(value, expected):
    assert format_figure(value, "余") == expected


@pytest.mark.parametrize("value, style, expected", [
    (8734, "余10", "8730余"), (16352, "余100", "16300余"), (8730, "余10", "8730"), (8, "余10", "8"),
    (199, "余100", "190余"), (1999, "余1000", "1900余"), (99, "余10", "99"),
])
def test_yu_figures_with_a_fixed_step(value, style, expected):
    assert format_figure(value, style) == expected


@given(st.integers(0, 10_000_000) | st.floats(0, 1e7, allow_nan=False), st.sampled_from(["余", "余10", "余100", "余1000"]))
def test_a_yu_figure_is_never_above_the_value_nor_a_fifth_below_it(value, style):
    text = format_figure(value, style)
    if text.endswith("余"):
        low = int(text[:-1])
        assert 100 <= low < value and value - low < value / 5
        assert low >= int(format_figure(value, "余").removesuffix("余"))  # a fixed step is never coarser than 余
    else:
        assert float(text) == pytest.approx(value, abs=0.005)


@pytest.mark.parametrize("value, style, expected", [
    (2714, "exact", "2714"), (526, "exact", "526"), (9.0, "exact", "9"), (120.65, "exact", "120.65"),
    (4714.3, "约", "约4714"), (4714.5, "约", "约4715"), (4713.5, "约", "约4714"),
    (pd.NA, "余", "—"),
])
def test_exact_and_about_figures(value, style, expected):
    assert format_figure(value, style) == expected


@pytest.mark.parametrize("pct, expected", [(8.2, "8.2%"), (8.25, "8.3%"), (-3.14, "-3.1%"), (-0.04, "0.0%"), (100, "100.0%")])
def test_percent_has_one_decimal(pct, expected):
    assert format_percent(pct) == expected

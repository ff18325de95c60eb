"""A ledger's page (notebooks/ledger.ipynb, pages/ledger.py): sections with nothing to show are left out and said
once in the data note, a yearly ledger gets a yearly table, rankings name their ties, the heat map fits the period."""
from __future__ import annotations

import re

import golden
import pandas as pd
import pytest

from analysis.report import pages, plots
from analysis.report.catalogue import load_catalogue
from analysis.report.pages import ledger as page
from analysis.report.periods import Period, parse_period

YEAR = Period(2023)
SECTIONS = ("yearly", "indicators", "trend", "yoy", "breakdowns", "heatmap", "top", "note")
SUBDISTRICTS = ["民生街道", "民主街道", "新华街道", "焦西街道", "焦南街道", "焦北街道", "七百间街道", "上白作街道", "王褚街道"]


def _demolitions(counts: list[int], year: int = 2023, months=(3,)) -> pages.Data:
    """A demolitions table whose address i has counts[i] demolitions in `year` (and one row in the year before)."""
    rows = []
    for i, n in enumerate(counts):
        for k in range(n):
            rows.append({"year": year, "month": months[k % len(months)], "subdistrict": SUBDISTRICTS[i % 9],
                         "address": f"建设路{i + 1}号", "area_m2": 10.0, "method": "自行拆除"})
    rows.append({"year": year - 1, "month": 5, "subdistrict": "民生街道", "address": "人民路1号", "area_m2": 5.0,
                 "method": "自行拆除"})
    table = pd.DataFrame(rows)
    table["subdistrict"] = pd.Categorical(table["subdistrict"], categories=SUBDISTRICTS)
    table["method"] = pd.Categorical(table["method"], categories=["自行拆除", "依法强制拆除"])
    return pages.Data(folder=None, tables={"demolitions": table}, manifest=None, rejects=None,
                      catalogue=load_catalogue())


def _text(shown) -> str:
    return golden.page_text(re.sub(r'src="data:[^"]+"', "", shown.data))


def _ranked(data: pages.Data, period: Period = YEAR) -> tuple[list[tuple[str, str]], str]:
    """(rank, value) of each row of the ranking, and the lines under it."""
    text = _text(pages.top_contributors(data, "demolitions", period))
    lines = text.splitlines()
    rows = [(line.split()[0], line.split()[-1]) for line in lines if re.match(r"(并列)?\d+ ", line)]
    return rows, "\n".join(line for line in lines if line.startswith("另有"))


def test_equal_values_share_a_rank_written_as_a_tie():
    rows, note = _ranked(_demolitions([5, 5, 3, 2]))
    assert rows == [("并列1", "5"), ("并列1", "5"), ("3", "3"), ("4", "2")]
    assert note == ""


def test_a_tie_running_past_the_tenth_name_is_counted_not_listed_in_part():
    rows, note = _ranked(_demolitions([5, 4, 3, 3, 3, 2, 2, 2, 2, 2, 2, 1]))
    assert rows == [("1", "5"), ("2", "4"), ("并列3", "3"), ("并列3", "3"), ("并列3", "3")]
    assert note == "另有6个地址同为2处，并列第6名，未一一列出。"


def test_ten_names_all_tied_at_the_top_say_so():
    rows, note = _ranked(_demolitions([12] * 15 + [1], months=tuple(range(1, 13))))
    assert rows == [("并列1", "12")] * 10
    assert note == "另有5个地址同为12处，并列第1名，未一一列出。"
    assert page.top_section(_demolitions([12] * 15 + [1], months=tuple(range(1, 13))), "demolitions", Period(2023))


@pytest.mark.parametrize("counts, reason", [([1] * 9, "9个地址的拆除违建均为1处，不作排名。"),
                                            ([3], "仅有1个地址（拆除违建3处），不作排名。")])
def test_a_ranking_in_which_every_name_ties_is_left_out_and_said_once(counts, reason):
    data = _demolitions(counts)
    assert page.top_section(data, "demolitions", Period(2023)) is None
    note = _text(page.note_section(data, "demolitions", Period(2023)))
    assert note.splitlines() == ["数据说明", reason]


def test_a_section_is_its_heading_and_its_content_in_one_block():
    data = _demolitions([5, 4, 3])
    for name in SECTIONS:
        shown = getattr(page, f"{name}_section")(data, "demolitions", Period(2023))
        if shown is None:
            continue
        assert re.match(r'<section class="ledger-section"><h2>[^<]+</h2>', shown.data), name
        assert shown.data.count("<h2>") == 1, name
        assert "data:image/png;base64," in shown.data or "<table" in shown.data, name


@pytest.mark.parametrize("key, label", [("2023", "2023年"), ("2023-Q2", "2023年第二季度"),
                                        ("2023-01..2023-06", "2023年1—6月"), ("2023-04..2023-08", "2023年4—8月")])
def test_the_heat_map_has_the_period_s_months_across_and_a_title_right_for_its_kind(key, label):
    period = parse_period(key)
    data = _demolitions([2] * 9 + [1] * 9, months=tuple(period.months))
    plots.setup()
    shown = page.heatmap_section(data, "demolitions", period)
    assert shown is not None and "各街道逐月" in _text(shown)
    figure = _heat_figure(data, period)
    ax = figure.axes[0]
    assert ax.get_title(loc="left") == f"拆除违建：{label}各街道逐月"
    assert [t.get_text() for t in ax.get_xticklabels()] == [f"{m}月" for m in period.months]
    assert [t.get_text() for t in ax.get_yticklabels()] == SUBDISTRICTS


def _heat_figure(data, period):
    """The figure heatmap_chart draws (it returns the PNG in a scrolling box)."""
    drawn = []
    real = plots.heatmap

    def keep(*args, **kw):
        drawn.append(real(*args, **kw))
        return drawn[-1]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(plots, "heatmap", keep)
        page.heatmap_chart(data, "demolitions", period)
    return drawn[0]


def test_a_month_draws_no_one_row_heat_map():
    data = _demolitions([2, 1], months=(6,))
    month = Period(2023, 6, 6)
    assert page.heatmap_section(data, "demolitions", month) is None
    assert page.heatmap_chart(data, "demolitions", month) is None
    assert page.breakdowns_section(data, "demolitions", month) is not None  # its sub-districts are there
    assert page.note_section(data, "demolitions", month) is None  # nothing a reader misses


def test_a_period_with_nothing_shows_no_empty_charts_and_says_why_once():
    data = _demolitions([2, 1], months=(6,))
    march = Period(2023, 3, 3)
    shown = [name for name in SECTIONS if getattr(page, f"{name}_section")(data, "demolitions", march)]
    assert shown == ["indicators", "trend", "yoy", "note"]
    assert _text(page.note_section(data, "demolitions", march)).splitlines()[1:] == [
        "2023年3月拆除违建为0处，不分街道、类别列出，也不排名。"]
    never = Period(2030)
    shown = [name for name in SECTIONS if getattr(page, f"{name}_section")(data, "demolitions", never)]
    assert shown == ["note"]
    assert _text(page.note_section(data, "demolitions", never)).splitlines()[1:] == ["违法建设拆除台账2030年暂无数据。"]


def test_last_year_without_data_leaves_out_the_comparison_and_says_so_once():
    data = _demolitions([2, 1], year=2023)
    data.tables["demolitions"] = data.tables["demolitions"][lambda t: t["year"] == 2023]
    assert page.yoy_section(data, "demolitions", Period(2023)) is None
    assert _text(page.note_section(data, "demolitions", Period(2023))).count("2022年无违法建设拆除台账数据，未作分月同比。") == 1


# ---------------------------------------------------------------- the built pages (demo, 2023)

def _page(root, name: str) -> str:
    return golden.page_text((root / "reports" / "2023" / f"{name}.html").read_text(encoding="utf-8"))


def test_the_yearly_ledger_s_page_is_a_yearly_table(demo_build):
    root, _, _ = demo_build
    text = _page(root, "work_figures")
    body = text[text.index("生成日期"):].splitlines()[1:]
    assert body[0] == "各项目与上年对比"
    assert "项目 2023年 2022年 增减 增减幅度" in body
    assert "配备执法记录仪 50台 46台 +4台 增长8.7%" in body and "办理行政诉讼案件 1件 0件 +1件 上年为0" in body
    assert "理论学习中心组学习 12次 12次 0 持平" in body
    for word in ("逐月", "分月", "按街道", "排名", "暂无", "没有", "未列出", "数据说明"):
        assert word not in text, word


def test_ledger_pages_leave_out_what_they_cannot_show_and_say_it_once(demo_build):
    root, _, _ = demo_build
    for name in ("street_vending", "gas_safety", "dust_control", "demolitions", "licensing", "city_appearance"):
        text = _page(root, name)
        headings = re.findall(r"<h2>([^<]+)</h2>", (root / "reports" / "2023" / f"{name}.html").read_text("utf-8"))
        assert headings[:5] == ["历年指标", "逐月趋势", "分月同比", "按街道和类别", "各街道逐月"], name
        assert not re.search(r"暂无数据|无法|没有逐月|不分街道", text), name
    demolitions = _page(root, "demolitions")
    assert "排名前十" not in demolitions and demolitions.endswith("数据说明\n9个地址的拆除违建均为1处，不作排名。\n")
    gas = _page(root, "gas_safety")
    assert gas.count("并列1 ") == 10 and "另有1个单位名称同为12条记录，并列第1名，未一一列出。" in gas

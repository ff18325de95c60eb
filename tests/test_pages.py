"""The pages as read: on a phone (390 px), on a laptop (1366×768) and on A4 paper; an index that links every page
and pages that link back; the first screen of a briefing for any period."""
from __future__ import annotations

import re

import golden
import pytest
from browser import check_in_browser, require_chromium
from conftest import FIXED_DATE, build_briefing, fresh_project
from pdfcheck import print_problems

SCREENS = {"phone": dict(width=390, height=844, mobile=True), "laptop": dict(width=1366, height=768)}


def _pages(root, folder="2023"):
    return sorted((root / "reports" / folder).glob("*.html"))


@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_every_page_fits_the_screen_with_no_sideways_scrolling(demo_build, tmp_path, screen):
    require_chromium()
    root, _, _ = demo_build
    for page in _pages(root):
        result = check_in_browser(page, tmp_path / f"{page.stem}.png", **SCREENS[screen])
        assert result["width"] <= result["viewport"], (page.name, result["width"], result["overflowing"])
        assert result["overflowing"] == [], (page.name, result["overflowing"])
        assert result["squeezed"] == [], (page.name, result["squeezed"])
        assert result["failed_requests"] == [] and all(w > 0 for w in result["images"]), page.name


def test_every_page_prints_on_a4_with_no_heading_alone_and_no_near_empty_page(demo_build, tmp_path):
    require_chromium()
    root, _, _ = demo_build
    for page in _pages(root):
        pdf = tmp_path / f"{page.stem}.pdf"
        check_in_browser(page, tmp_path / f"{page.stem}.png", pdf_path=pdf)
        assert print_problems(pdf, page.read_text(encoding="utf-8")) == [], page.name


def test_the_index_links_every_page_and_every_page_links_back(demo_build):
    root, _, _ = demo_build
    index = (root / "reports" / "2023" / "index.html").read_text(encoding="utf-8")
    pages = [p for p in _pages(root) if p.name != "index.html"]
    assert sorted(re.findall(r'<a href="([^"]+\.html)"', index)) == sorted(p.name for p in pages)
    for page in pages:
        assert '<nav class="page-nav"><a href="index.html">' in page.read_text(encoding="utf-8"), page.name
    briefing = (root / "reports" / "2023" / "briefing.html").read_text(encoding="utf-8")
    assert '<a href="data_quality.html">数据质量报告</a>' in briefing


def test_the_first_screen_holds_the_period_and_the_key_figures(demo_build):
    root, _, _ = demo_build
    text = golden.page_text((root / "reports" / "2023" / "briefing.html").read_text(encoding="utf-8"))
    first = text[: text.index("一、主要指标")]
    assert "统计期间：2023年（与2022年同比）" in first
    for card in ("清理三种经营\n12000余处\n同比 ▲ 10.2%", "拆除违建\n9处\n同比 ▼ 18.2%", "拆除违建面积\n约4714平方米",
                 "燃气安全排查单位\n2700余家", "督导检查扬尘管控点位\n2714个"):
        assert card in first, card
    points = first[first.index("要点"):].strip().splitlines()[1:]
    assert 3 <= len(points) <= 5 and len({p[:2] for p in points}) == len(points)  # no two begin alike
    assert "报告写法" not in text  # on the analyst's 报告用语 page now
    wording = golden.page_text((root / "reports" / "2023" / "report_text.html").read_text(encoding="utf-8"))
    assert "12000余处" in wording and "2023年共清理辖区三种经营12000余处，审批新设、更换门头招牌512个" in wording
    assert "拆除违建9处、约4714平方米" in wording


def test_rows_with_a_blank_optional_sub_district_are_named_under_the_chart(demo_build):
    """The licensing ledger may leave 街道 empty: the bars then add up to less than the figure, and the page says by
    how much (counted from the rows, not from the page)."""
    from analysis.report import pages
    root, _, _ = demo_build
    table = pages.load(root / "build-demo" / "processed").tables["licensing"]
    cases = table["matter"].isin(["户外广告许可", "临时户外广告审批", "占道审批"])  # 办理行政许可案件, as the catalogue says
    blank = int((table["subdistrict"].isna() & table["year"].eq(2023) & cases).sum())
    assert blank > 0
    text = golden.page_text((root / "reports" / "2023" / "licensing.html").read_text(encoding="utf-8"))
    assert f"另有{blank}件未填街道，未计入上图。" in text
    assert "未填" not in golden.page_text((root / "reports" / "2023" / "street_vending.html").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def demo_2024(tmp_path_factory):
    """The demo ledgers of 2023 and 2024, as a project's data/raw."""
    from analysis.demo import write_demo

    root = fresh_project(tmp_path_factory.mktemp("y2024"))
    (root / "data" / "raw" / ".gitkeep").unlink()  # the demo writes only into a folder of its own
    write_demo(root / "data" / "raw", years=(2023, 2024))
    return root


@pytest.mark.parametrize("period, folder, label, compared", [
    ("2024-Q2", "2024-Q2", "2024年第二季度", "统计期间：2024年第二季度（与2023年第二季度同比）"),
    ("2024-01", "2024-01", "2024年1月", "统计期间：2024年1月（与2023年1月同比，与2023年12月环比）"),
])
def test_a_quarter_and_a_month_get_their_own_briefing(demo_2024, monkeypatch, period, folder, label, compared):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_DATE)
    code, log = build_briefing(demo_2024, period=period)
    assert code == 0, log
    target = demo_2024 / "reports" / folder
    # Once (2026-12-07, not reproduced since) the build returned 0 without an index: say what it did and left.
    assert (target / "index.html").is_file(), f"{log}\n{sorted(p.name for p in (demo_2024 / 'reports').rglob('*'))}"
    text = golden.page_text((target / "briefing.html").read_text(encoding="utf-8"))
    assert f"解放区城市管理局 {label}城市管理执法统计简报" in text and compared in text
    first = text[: text.index("一、主要指标")]
    assert "同比" in first and first.count("\n") > 10 and "要点" in first  # the cards, then the highlights
    if "环比" in compared:
        assert "环比" in first and "2023年12月" in text and "环比" in text[text.index("一、主要指标"):]
    gas = golden.page_text((target / "gas_safety.html").read_text(encoding="utf-8"))
    assert f"燃气安全排查分析（{label}）" in gas

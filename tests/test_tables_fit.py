"""Every table on every page of the demo build fits, measured in a real Chromium (one browser for all pages):

- at 1366 px and printed on A4 no table is wider than the box it stands in, so that no column is cut off or hidden,
  and printed text is not below 9 pt (Chromium shrinks a whole page that is wider than the paper);
- on a 390 px phone a table either fits or scrolls inside its own box under a hint that is visible (on screen, not
  covered), and a table that fits shows no hint;
- the briefing's headline table keeps 同比 on a phone's screen.

$TABLES_FIT_PAGES, when it names a folder of pages (e.g. an older build's reports/2023), is measured instead of the
demo build, to see what the test says about it.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from browser import A4_CONTENT_WIDTH, PRINT_MIN_PT, Browser, check_in_browser, pdf_text_runs, require_chromium

pytestmark = pytest.mark.slow  # headless Chromium over the demo build

SCREENS = {
    "1366": dict(width=1366, height=768),
    "390": dict(width=390, height=844, mobile=True),
    "A4": dict(width=A4_CONTENT_WIDTH, height=1100, media="print"),  # laid out as printed, at the paper's width
}
SLACK = 1  # px: rounding of fractional layout


def _measure(pages: list[Path], out: Path) -> dict:
    """{(page, screen): Browser.tables()} for every screen, and {(page, "pdf"): pdf_text_runs} of its A4 print."""
    found = {}
    with Browser() as browser:
        for page in pages:
            for screen, size in SCREENS.items():
                browser.load(page, **size)
                found[page.stem, screen] = browser.tables()
            found[page.stem, "pdf"] = pdf_text_runs(browser.print_pdf(out / f"{page.stem}.pdf"))
    return found


@pytest.fixture(scope="module")
def measured(request, tmp_path_factory) -> dict:
    require_chromium()
    given = os.environ.get("TABLES_FIT_PAGES")
    if given and Path(given).is_dir():
        folder = Path(given)
    else:
        root, _, _ = request.getfixturevalue("demo_build")
        folder = root / "reports" / "2023"
    pages = sorted(folder.glob("*.html"))
    assert pages, folder
    return _measure(pages, tmp_path_factory.mktemp("tables-pdf"))


def _tables(measured: dict, screen: str):
    for (page, where), result in sorted(measured.items()):
        if where == screen:
            for table in result["tables"]:
                yield page, table


def _too_wide(table: dict) -> bool:
    return table["past_container"] > SLACK or bool(table["hidden"])


def _describe(page: str, table: dict) -> str:
    return (f"{page} #{table['id']}: {table['width']} px in a box of {table['available']} px, "
            f"columns out of sight {table['hidden']}")


def test_the_pages_have_tables_to_measure(measured):
    assert sum(1 for _ in _tables(measured, "1366")) >= 10
    assert {page for page, _ in _tables(measured, "1366")} >= {"briefing", "data_quality", "report_text"}


@pytest.mark.parametrize("screen", ["1366", "A4"])
def test_no_table_is_wider_than_its_box_on_a_laptop_or_on_paper(measured, screen):
    problems = [_describe(page, table) for page, table in _tables(measured, screen) if _too_wide(table)]
    print(f"\n{screen}: " + "; ".join(f"{page} #{t['id']} {t['width']}/{t['available']} px"
                                      for page, t in _tables(measured, screen)))
    assert not problems, "\n".join(problems)


def test_printed_tables_keep_their_size_and_every_column(measured):
    """In the PDF: no text smaller than PRINT_MIN_PT (a page too wide is shrunk whole), none past the paper's right
    edge, every column heading printed; in the layout as printed, no table text below 9 pt."""
    problems = []
    for (page, where), runs in sorted(measured.items()):
        if where != "pdf" or not runs:
            continue
        smallest = min(runs, key=lambda run: run["size"])
        if smallest["size"] < PRINT_MIN_PT - 0.1:
            problems.append(f"{page}.pdf: text printed at {smallest['size']} pt ({smallest['text'][:20]})")
        past = [run["text"][:20] for run in runs if run["x"] >= run["page_width"]]
        if past:
            problems.append(f"{page}.pdf: text past the paper's right edge {past[:5]}")
        printed = re.sub(r"\s", "", "".join(run["text"] for run in runs))
        for table in measured[page, "A4"]["tables"]:
            missing = [c["text"] for c in table["columns"] if re.sub(r"\s", "", c["text"]) not in printed]
            if missing:
                problems.append(f"{page}.pdf #{table['id']}: columns not printed {missing}")
    for page, table in _tables(measured, "A4"):
        if table["font_px"] is not None and table["font_px"] * 0.75 < PRINT_MIN_PT - 0.1:
            problems.append(f"{page} #{table['id']}: printed at {table['font_px'] * 0.75:.1f} pt")
    assert not problems, "\n".join(problems)


def test_on_a_phone_a_table_fits_or_scrolls_in_its_box_under_a_visible_hint(measured):
    problems = []
    for page, table in _tables(measured, "390"):
        visible_hint = bool(table["hint"] and table["hint"]["visible"])
        if _too_wide(table):
            if not table["scrolls"]:
                problems.append(f"{_describe(page, table)}, and its box does not scroll")
            elif not visible_hint:
                problems.append(f"{_describe(page, table)}, scrolls with no visible hint ({table['hint']})")
        elif visible_hint:
            problems.append(f"{page} #{table['id']} fits but shows the hint that it scrolls")
    assert not problems, "\n".join(problems)


def test_the_headline_table_shows_the_year_on_year_column_on_a_phone(measured):
    (headline,) = [t for t in measured["briefing", "390"]["tables"] if t["id"] == "T_headline"]
    seen = {c["text"]: c["seen"] for c in headline["columns"]}
    assert seen.get("同比") is True, headline


def test_the_measurements_see_a_table_too_wide_a_hidden_column_and_a_missing_hint(tmp_path):
    """The checks above can fail: a page with a table wider than its box (no scroll box), one that scrolls with no
    hint, one that fits; printed, the page is shrunk below 9 pt."""
    require_chromium()
    wide = "".join(f"<th>第{i}列标题文字</th>" for i in range(12))
    page = tmp_path / "wide.html"
    page.write_text(
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1.0"><style>'
        "body { max-width: 40rem; margin: 0 auto; } th { white-space: nowrap; } table { font-size: 9.5pt; }"
        ".table-wrap { overflow-x: auto; }</style></head><body>"
        f'<table id="T_bare"><thead><tr>{wide}</tr></thead><tbody><tr><td>1</td></tr></tbody></table>'
        f'<div class="table-wrap"><table id="T_boxed"><thead><tr>{wide}</tr></thead></table></div>'
        '<div class="table-wrap"><table id="T_small"><thead><tr><th>指标</th><th>同比</th></tr></thead></table>'
        "</div>"
        "</body></html>",
        encoding="utf-8",
    )
    found = _measure([page], tmp_path)
    tables = {t["id"]: t for t in found["wide", "1366"]["tables"]}
    assert _too_wide(tables["T_bare"]) and not tables["T_bare"]["scrolls"] and tables["T_bare"]["past_container"] > 0
    assert _too_wide(tables["T_boxed"]) and tables["T_boxed"]["scrolls"] and tables["T_boxed"]["hint"] is None
    assert "第11列标题文字" in tables["T_boxed"]["hidden"]
    assert not _too_wide(tables["T_small"]) and tables["T_small"]["hint"] is None
    phone = {t["id"]: t for t in found["wide", "390"]["tables"]}
    assert [c["seen"] for c in phone["T_small"]["columns"]] == [True, True]
    assert min(run["size"] for run in found["wide", "pdf"]) < PRINT_MIN_PT - 0.1  # Chromium shrank the page


def test_a_scrolling_table_of_the_pages_shows_its_hint_and_a_fitting_one_does_not(tmp_path):
    """The stylesheet's hint (briefing.css with table.tpl's markup): shown exactly when the table's box scrolls."""
    require_chromium()
    import pandas as pd

    from analysis.paths import TEMPLATES_DIR
    from analysis.report.pages import render

    css = (TEMPLATES_DIR / "briefing" / "briefing.css").read_text(encoding="utf-8")
    many = pd.DataFrame([{f"c{i}": 10000 + i for i in range(14)}])
    few = pd.DataFrame([{"label": "清理三种经营", "value": "12,386处"}])
    page = tmp_path / "hint.html"
    page.write_text(
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1.0"><style>{css}</style></head><body>'
        + str(render.table(many, {f"c{i}": f"列{i}" for i in range(14)}, numeric=tuple(many.columns), name="many"))
        + str(render.table(few, {"label": "指标", "value": "数值"}, numeric=("value",), name="few"))
        + "</body></html>",
        encoding="utf-8",
    )
    with Browser() as browser:
        browser.load(page, **SCREENS["390"])
        tables = {t["id"]: t for t in browser.tables()["tables"]}
    assert tables["T_many"]["scrolls"] and tables["T_many"]["hint"]["visible"], tables["T_many"]
    assert tables["T_many"]["hint"]["text"].startswith("左右滑动")
    assert not tables["T_few"]["scrolls"] and tables["T_few"]["hint"] is None, tables["T_few"]
    result = check_in_browser(page, tmp_path / "hint.png", **SCREENS["390"])
    assert result["overflowing"] == [] and result["width"] <= result["viewport"]

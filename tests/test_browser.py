"""The exported briefing in a real headless Chromium, with the network blocked.

Uses $BRIEFING_HTML when it names an existing file, otherwise builds a small briefing here.
Skips when Chromium is missing, except with CI=true, where that is a failure.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import struct
import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from browser import check_in_browser, require_chromium  # noqa: E402

from analysis.report.execute import NotebookRun, execute_notebooks  # noqa: E402
from analysis.report.export import render_html  # noqa: E402
from analysis.shared import commit  # noqa: E402

TITLE = "解放区城市管理局 2023年度城市管理执法统计简报"

pytestmark = pytest.mark.slow  # headless Chromium, and notebooks run for the page it opens

CELLS = [
    ("code", "year = 2000", ["parameters"]),
    ("md", "## 一、总体情况\n\n全年共开展城市管理执法检查，主要指标如下。"),
    (
        "code",
        "import pandas as pd\n"
        "pd.DataFrame({'indicator': ['places', 'units'], 'value': [12345, 2750]}).set_index('indicator')",
    ),
    ("md", "## 二、分项情况"),
    (
        "code",
        "import matplotlib.pyplot as plt\n"
        "fig, ax = plt.subplots(figsize=(5, 2.5), dpi=100)\n"
        "ax.bar(['Q1', 'Q2', 'Q3', 'Q4'], [3, 5, 4, 6], color='#8b1a1a')\n"
        "ax.set_title(f'demo {year}');",
    ),
    ("code", "import sys, warnings\nprint('noise', file=sys.stderr)\nwarnings.warn('noise')"),
]


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", head[16:24])


@pytest.fixture(scope="module")
def chromium():
    return require_chromium()


@pytest.fixture(scope="module")
def briefing_html(tmp_path_factory) -> Path:
    given = os.environ.get("BRIEFING_HTML")
    if given and Path(given).is_file():
        return Path(given)
    root = tmp_path_factory.mktemp("browser")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for kind, source, *tags in CELLS:
        cell = nbformat.v4.new_code_cell(source) if kind == "code" else nbformat.v4.new_markdown_cell(source)
        if tags:
            cell.metadata["tags"] = tags[0]
        nb.cells.append(cell)
    src = root / "notebooks" / "briefing.ipynb"
    src.parent.mkdir()
    nbformat.write(nb, src)
    (executed,) = execute_notebooks([NotebookRun(src, "briefing", {"year": 2023})], workdir=root,
                                    build_dir=root / "build", progress=None)
    out = root / "out" / "briefing.html"
    commit.write_text(out, render_html(executed, out, TITLE, generated=dt.date(2026, 11, 24), extra_css=_font_css()))
    return out


def _font_css() -> str:
    """The embedded subset font, so the screenshot shows Chinese on machines without CJK fonts."""
    from analysis.report.plots import font_face_css

    text = TITLE + "".join(source for kind, source, *_ in CELLS if kind == "md") + "生成日期：0123456789年月日"
    return font_face_css(text)


def test_briefing_renders_offline(chromium, briefing_html, tmp_path_factory):
    out = tmp_path_factory.mktemp("shots")
    shot = out / "briefing.png"
    result = check_in_browser(briefing_html, shot, pdf_path=out / "briefing.pdf", chromium=chromium)
    print(f"\n截图：{shot}\n打印 PDF：{out / 'briefing.pdf'}（{result['pdf_pages']} 页）")

    assert result["failed_requests"] == []
    assert result["blocked_requests"] == [] and result["external_requests"] == []
    assert result["console_errors"] == []
    assert result["images"], "no <img> in the briefing"
    assert all(width > 0 for width in result["images"]), result["image_details"]
    assert result["scripts"] == 0
    assert result["lang"] == "zh-CN"
    assert result["title"].startswith("解放区城市管理局")
    if not os.environ.get("BRIEFING_HTML"):
        assert result["title"] == TITLE
        assert result["headings"][:3] == [TITLE, "一、总体情况", "二、分项情况"]
    width, height = _png_size(shot)
    assert width == 1000 and height > 300
    assert result["pdf_pages"] >= 1
    media_box = re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", (out / "briefing.pdf").read_bytes())
    assert media_box and abs(float(media_box[1]) - 595.3) < 1 and abs(float(media_box[2]) - 841.9) < 1  # A4


def test_helper_reports_blocked_requests_and_broken_images(chromium, tmp_path):
    """The checker itself must be able to fail: a page that reaches out and a broken image."""
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>坏页面</title>'
        '<link rel="stylesheet" href="https://cdn.example.com/x.css"></head><body>'
        '<img alt="外部" src="https://example.com/chart.png">'
        '<img alt="损坏" src="data:image/png;base64,AAAA">'
        '<img alt="缺失" src="missing.png">'
        "<script>console.error('boom')</script></body></html>",
        encoding="utf-8",
    )
    result = check_in_browser(page, tmp_path / "bad.png", chromium=chromium)
    failed_urls = {item["url"] for item in result["failed_requests"]}
    assert "https://cdn.example.com/x.css" in failed_urls
    assert "https://example.com/chart.png" in failed_urls
    assert any(url.endswith("/missing.png") for url in failed_urls)
    assert set(result["blocked_requests"]) >= {"https://cdn.example.com/x.css", "https://example.com/chart.png"}
    assert result["images"] == [0, 0, 0]
    assert any("boom" in text for text in result["console_errors"])

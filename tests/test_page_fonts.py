"""Every character a page shows is in the font it embeds: a PC without Chinese fonts shows no empty boxes (the index's
报表 line once lacked 、主可指接明标直街要说送道，). The subset is made from the rendered page itself."""
from __future__ import annotations

import base64
import html as html_lib
import io
import re

import pytest

from analysis.report import export
from analysis.report.plots import missing_chars

_WOFF = re.compile(r'url\("data:font/woff;base64,([A-Za-z0-9+/=]+)"\)')
_TAGS = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S)


def embedded_chars(page: str) -> set[str]:
    from fontTools.ttLib import TTFont

    [data] = _WOFF.findall(page)
    font = TTFont(io.BytesIO(base64.b64decode(data)))
    return {chr(cp) for cp in font.getBestCmap()}


def shown_text(page: str) -> str:
    """The text a reader sees (tags, scripts and stylesheets left out, entities decoded)."""
    return html_lib.unescape(_TAGS.sub(" ", _WOFF.sub("", page)))


def assert_covered(page: str) -> None:
    text = shown_text(page)
    drawable = {c for c in text if not c.isspace() and c not in missing_chars(c)}
    lacking = drawable - embedded_chars(page)
    assert not lacking, "".join(sorted(lacking))


def test_the_index_embeds_every_character_of_its_entries_and_notes():
    groups = [("简报", [("2023年度简报", "briefing.html", "")]),
              ("报表", [("统计报表（Excel）", "统计报表.xlsx", "主要指标、各台账分街道分月、数据说明，可直接报送")])]
    page = export.render_index("2023年度 · 目录", "与上年同期比较", groups)
    assert_covered(page)
    assert {"、", "主", "可", "指", "接", "明", "标", "直", "街", "要", "说", "送", "道", "，"} <= embedded_chars(page)


@pytest.mark.slow
def test_every_page_of_the_demo_build_embeds_every_character_it_shows(project):
    root, _ = project
    pages = sorted((root / "reports" / "2023").glob("*.html"))
    assert len(pages) >= 10
    for path in pages:
        try:
            assert_covered(path.read_text(encoding="utf-8"))
        except AssertionError as exc:
            raise AssertionError(f"{path.name}: {exc}") from None

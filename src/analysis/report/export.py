"""Executed notebooks → offline HTML pages, with the repo's nbconvert template (templates/briefing/).

A page holds no code, prompts, stderr, warnings or tracebacks (the preprocessors of the template's conf.json:
nbconvert's TagRemovePreprocessor for tagged cells and outputs, then BriefingCleanupPreprocessor; and the template
itself), no script and no reference to the network or another file (check_offline_html); images are data: URIs.
Execution is a separate step (execute.py): with nbconvert's --execute, tag removal runs before execution
(nbconvert issue #1300).
"""
from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import nbformat
from nbconvert.preprocessors import Preprocessor

from analysis.paths import TEMPLATES_DIR
from analysis.report.execute import ReportError
from analysis.report.periods import format_date, generation_date

TEMPLATE_NAME = "briefing"
MAX_HTML_BYTES = 3 * 1024 * 1024

_NOISE_REPR = re.compile(
    r"""\[?\s*<[^<>\n]*\ at\ 0x[0-9a-fA-F]+>.*
      | Text\([^()\n]*\)
      | <Figure\ size\ [\d.]+x[\d.]+\ with\ \d+\ Axes>""",
    re.VERBOSE | re.DOTALL,
)


class BriefingCleanupPreprocessor(Preprocessor):
    """Drop the outputs a reader of the briefing should not see, and the code cells left with no output.

    Drops stderr streams (warnings, logging), error outputs (tracebacks), JavaScript and widget outputs and
    plain-text reprs of plotting objects. Cells tagged ``remove-cell``/``hide`` and the outputs of cells tagged
    ``remove-output`` are gone before, by nbconvert's TagRemovePreprocessor; both are registered in the
    template's conf.json, so ``jupyter nbconvert --template briefing`` runs them too.
    nbconvert has no preprocessor that removes outputs by kind: its template hides stderr, errors and scripts,
    but the cell would stay as an empty block on the page.
    """

    dropped_mimetypes = (
        "application/javascript",
        "application/vnd.jupyter.widget-view+json",
        "application/vnd.jupyter.widget-state+json",
        "text/vnd.mermaid",
    )

    def preprocess(self, nb, resources):  # noqa: D102
        cells = []
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = [o for o in (self._clean(o) for o in cell.get("outputs", [])) if o is not None]
                if not cell.outputs:
                    continue
            cells.append(cell)
        nb.cells = cells
        nb.metadata.pop("widgets", None)
        return nb, resources

    def _clean(self, output):
        kind = output.get("output_type")
        if kind == "error":
            return None
        if kind == "stream":
            return output if output.get("name") == "stdout" and output.get("text", "").strip() else None
        if kind in ("display_data", "execute_result"):
            data = output.get("data", {})
            for mime in self.dropped_mimetypes:
                data.pop(mime, None)
            if set(data) == {"text/plain"} and _NOISE_REPR.fullmatch(data["text/plain"].strip()):
                return None
            return output if data else None
        return None


_EXTERNAL_PATTERNS = [
    # any <script src=…>, even empty (nbconvert leaves src="" when a URL trait is blanked)
    re.compile(r"<script\b[^>]*?\ssrc\s*=[^>]*>", re.I),
    # stylesheets, icons, preloads: <link href=…> not inlined as data:
    re.compile(r"<link\b[^>]*?\shref\s*=\s*(?![\"']?data:)[^>]*>", re.I),
    # ES module loading: import("https://…"), import x from "https://…"
    re.compile(r"\bimport\s*\(\s*[\"'`]\s*(?:https?:)?//[^\"'`]*", re.I),
    re.compile(r"\bfrom\s+[\"'`](?:https?:)?//[^\"'`]*", re.I),
    # CSS: url(http…), url(//…), @import "http…"
    re.compile(r"url\(\s*[\"']?\s*(?:https?:)?//[^)]*\)?", re.I),
    re.compile(r"@import\s+[\"'](?:https?:)?//[^\"']*", re.I),
    # src="http…" / src="//…" anywhere (attributes, JavaScript strings)
    re.compile(r"\bsrc\s*=\s*[\"']?(?:https?:)?//[^\s\"'>]*", re.I),
    # any other src/srcset/poster attribute that is not an embedded data: URI (files next to the HTML)
    re.compile(r"<[a-z][^>]*?\s(?:src|srcset|poster)\s*=\s*(?![\"']?data:)[\"']?[^\s\"'>]*", re.I),
    # protocol-relative references
    re.compile(r"\bhref\s*=\s*[\"']?//[^\s\"'>]*", re.I),
]


def check_offline_html(html_text: str) -> list[str]:
    """Return the references in ``html_text`` that would need a network or another file.

    Covers ``<script src=…>``, ``<link href=…>`` (not data:), ``import("http…")``,
    ``url(http…)``, ``@import``, ``src="http…"``, non-data ``src``/``srcset`` attributes and
    ``href="//…"``. Ordinary ``<a href="https://…">`` links are not loads and are allowed.
    Each finding is a short excerpt; an empty list means the file is self-contained.
    """
    spans: list[tuple[int, int]] = []
    for pattern in _EXTERNAL_PATTERNS:
        spans.extend(m.span() for m in pattern.finditer(html_text))
    found: list[str] = []
    last_end = -1
    for start, end in sorted(spans):
        if start < last_end:  # the same reference matched by a broader pattern
            continue
        last_end = max(last_end, end)
        excerpt = html_text[start:end]
        found.append(excerpt if len(excerpt) <= 160 else excerpt[:157] + "…")
    return found


def render_html(
    executed_nb_path: str | os.PathLike[str],
    out_html_path: str | os.PathLike[str],
    title: str,
    *,
    generated: dt.date | None = None,
    extra_css: str = "",
    nav: list[tuple[str, str]] = (),
    max_bytes: int = MAX_HTML_BYTES,
    embed_font: bool = True,
) -> str:
    """Render an executed notebook to one self-contained HTML file with the briefing template.

    No code, prompts, stderr, warnings or tracebacks (see the module's docstring); markdown headings
    become the sections; images are data: URIs.
    ``title`` goes into ``<title>`` and the header; ``generated`` is the date shown as
    生成日期 (default: today, or SOURCE_DATE_EPOCH); ``extra_css`` (e.g. an @font-face rule with
    an embedded font) is inlined in its own ``<style>``; ``nav`` is a row of links ``(label, href)`` above
    the title (back to the index page). ``out_html_path`` names the page (its stem) and appears in
    messages; nothing is written (the briefing writes all pages at once).
    Raises :class:`ReportError` if the result has an external reference or exceeds ``max_bytes``.
    Returns the HTML text.
    """
    from nbconvert import HTMLExporter

    src = Path(executed_nb_path)
    out = Path(out_html_path)
    if "</" in extra_css:
        raise ReportError("extra_css 不能包含 “</”（会提前结束 <style>）")
    nb = nbformat.read(src, as_version=4)
    exporter = HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
        embed_images=True,
    )
    resources = {
        "metadata": {"name": out.stem, "path": str(src.parent.resolve())},
        "briefing": {
            "title": title,
            "date_text": format_date(generated or generation_date()),
            "extra_css": _FONT_SLOT + extra_css,
            "nav": list(nav),
        },
    }
    html, _ = exporter.from_notebook_node(nb, resources=resources)
    return _checked(_with_font(html) if embed_font else html, out.name, max_bytes)


def _checked(html: str, name: str, max_bytes: int) -> str:
    """The page, if it is self-contained and not too large; ReportError otherwise."""
    external = check_offline_html(html)
    if external:
        listed = "\n  ".join(external[:10])
        raise ReportError(f"生成的 HTML 含有外部引用，离线无法显示，未写出 {name}：\n  {listed}")
    size = len(html.encode("utf-8"))
    if size > max_bytes:
        raise ReportError(
            f"生成的 HTML 有 {size / 1024 / 1024:.1f} MB，超过上限 {max_bytes / 1024 / 1024:.1f} MB，未写出 {name}"
        )
    return html


def render_index(title: str, period_line: str, groups: list, *, generated: dt.date | None = None,
                 extra_css: str = "", max_bytes: int = MAX_HTML_BYTES, embed_font: bool = True,
                 notices: tuple = (), alert: str = "") -> str:
    """The index page of a period's folder: `groups` is [(heading, [(label, href, note)])]; `alert`, a line shown
    first and highlighted (a closed year's figures changed), `notices`, lines under the period (what changed since
    the last build, what to check). Same stylesheet, same offline checks as the pages."""
    import jinja2

    folder = TEMPLATES_DIR / TEMPLATE_NAME
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)), autoescape=False)
    html = env.get_template("contents.html.j2").render(
        title=title, date_text=format_date(generated or generation_date()), period_line=period_line, groups=groups,
        notices=notices, alert=alert,
        css=(folder / "briefing.css").read_text(encoding="utf-8"), extra_css=_FONT_SLOT + extra_css)
    return _checked(_with_font(html) if embed_font else html, "index.html", max_bytes)


# Where a page's embedded font goes: the font is made from the page as rendered, so that every character the page
# holds (its text, its titles, its stylesheet's content strings) is in it, whatever produced the text.
_FONT_SLOT = "/* embedded font */"
_DATA_URI = re.compile(r"data:[^\"')\s]+")


def _with_font(html: str) -> str:
    """The page with an @font-face rule embedding the shipped font's subset of every character it holds (images,
    data URIs, are left out of the count)."""
    from analysis.report import plots

    return html.replace(_FONT_SLOT, plots.font_face_css(_DATA_URI.sub("", html)), 1)

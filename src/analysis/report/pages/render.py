"""Page cells from templates: every word a reader sees on a page is in templates/pages/, the page modules compute
what to show.

Each page has an HTML template, <page>.html.j2, whose macros are its cells (`html`), and, when it also needs plain
text (chart titles, notes the 报表 writes too), a text template <page>.txt.j2 (`text`). Text from ledgers, specs and
the catalogue is escaped in HTML, so a cell such as `<script>…</script>` shows as text. A template shows a table
with `table` (pandas' Styler), which cuts long cell texts (`analysis.ingest.text.shorten`), gives columns of long
texts room to wrap and shows paths by their file names (the full path on hover and in print), so that a table fits
the page (briefing.css).
"""
from __future__ import annotations

import re
from functools import cache

import jinja2
import pandas as pd
from IPython.display import HTML
from markupsafe import Markup, escape
from pandas.io.formats.style import Styler

from analysis.ingest.text import shorten
from analysis.paths import TEMPLATES_DIR
from analysis.report.number_words import format_percent

FOLDER = TEMPLATES_DIR / "pages"

# White space between tags: templates indent freely, and a reader sees none of it.
_BETWEEN_TAGS = re.compile(r">\s+<")

# pandas' table, wrapped so that it scrolls inside itself with a hint where the screen is narrower than the table,
# and without a <style> of its own (table.tpl, table_style.tpl).
_Table = Styler.from_custom_template(str(FOLDER), html_table="table.tpl", html_style="table_style.tpl")

# A column of long texts (its longest has more characters than LONG_TEXT, its median more than LONG_MEDIAN: a column
# of sentences, not one long sheet name among short ones) gets room to wrap them (briefing.css td.long) rather than
# being squeezed by its neighbours to a few characters a line.
LONG_TEXT = 16
LONG_MEDIAN = 8

# A run of letters, digits and signs too long to stand in a narrow column unbroken (a file name, a code): a column that
# holds one may break it anywhere (briefing.css td.runs); dates and numbers stay whole elsewhere.
_LONG_RUN = re.compile(r"[!-~]{13,}")

_PATH_SEPARATOR = re.compile(r"(?<=[/\\])")


def _path_html(path: str) -> str:
    """A path as a cell shows it: its folders in a span of their own, hidden on screen (briefing.css .path-dir) and
    printed, a line allowed to break after each separator; the whole path is the cell's tooltip."""
    *folders, name = _PATH_SEPARATOR.split(path)
    folder = "<wbr>".join(escape(part) for part in folders)
    shown = f'<span class="path-dir">{folder}<wbr></span>' if folder else ""
    return f'<span class="path" title="{escape(path)}">{shown}<span class="path-name">{escape(name)}</span></span>'


def _column_class(column: str, texts: pd.Series, numeric, paths) -> str:
    if column in numeric:
        return "num"
    if column in paths:
        return "path"
    lengths = texts.map(len)
    long = len(lengths) and lengths.max() > LONG_TEXT and lengths.median() > LONG_MEDIAN
    runs = texts.map(lambda text: _LONG_RUN.search(text) is not None).any()
    return " ".join(name for name, on in (("long", long), ("runs", runs)) if on)


def table(frame: pd.DataFrame, headings: dict, numeric=(), name: str = "table", paths=()) -> Markup:
    """The columns of `frame` named in `headings` ({column: heading}, in that order; those `frame` lacks are left
    out, as the 环比 columns outside a month) as a table with those headings; `numeric` columns are
    right-aligned and never wrapped, `paths` columns (files) show each path's file name, with the whole path as the
    tooltip and in print, and a column of long texts (LONG_TEXT, LONG_MEDIAN) gets room to wrap them. Every
    value is shown as text (cut to MAX_TEXT characters), NA as nothing. `name` makes the table's id (T_<name>)."""
    columns = [c for c in headings if c in frame.columns]
    texts = frame[columns].map(lambda v: "" if pd.isna(v) else shorten(str(v)))
    shown = texts.set_axis([headings[c] for c in columns], axis=1)
    kinds = [_column_class(c, texts[c], numeric, paths) for c in columns]
    classes = pd.DataFrame([kinds] * len(shown), index=shown.index, columns=shown.columns)
    path_columns = [headings[c] for c in columns if c in paths]
    styler = (_Table(shown, uuid=name, cell_ids=False)
              .hide(axis="index")
              .format(escape="html")
              .format(lambda v: _path_html(v) if v else "", subset=path_columns)
              .format_index(escape="html", axis=1)
              .set_td_classes(classes)
              .set_table_attributes('class="data"')
              .set_table_styles([], css_class_names={"data": "cell"}))  # the stylesheet's td.data is for numbers only
    return Markup(_BETWEEN_TAGS.sub("><", styler.to_html()).strip())


_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(FOLDER)),
    autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    extensions=["jinja2.ext.do"],
)
_ENV.globals["table"] = table
_ENV.filters["shorten"] = shorten
_ENV.filters["percent"] = lambda pct: format_percent(abs(pct))  # 8.2%, as the change's size


@cache
def words(page: str, kind: str = "html"):
    """The template <page>.<kind>.j2 as a module: its macros, and the values its top level sets."""
    return _ENV.get_template(f"{page}.{kind}.j2").module


def html(page: str, cell: str, /, **values) -> HTML:
    """What a cell displays: the macro `cell` of <page>.html.j2, given `values`."""
    return HTML(_BETWEEN_TAGS.sub("><", str(getattr(words(page), cell)(**values))).strip())


def text(page: str, name: str, /, **values) -> str:
    """Plain text: the macro `name` of <page>.txt.j2, given `values`."""
    return str(getattr(words(page, "txt"), name)(**values)).strip()

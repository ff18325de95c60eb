"""Page cells from templates: every word a reader sees on a page is in templates/pages/, the page modules compute
what to show.

Each page has an HTML template, <page>.html.j2, whose macros are its cells (`html`), and, when it also needs plain
text (chart titles, notes the 报表 writes too), a text template <page>.txt.j2 (`text`). Text from ledgers, specs and
the catalogue is escaped in HTML, so a cell such as `<script>…</script>` shows as text. A template shows a table
with `table` (pandas' Styler), which cuts long cell texts (`analysis.ingest.text.shorten`).
"""
from __future__ import annotations

import re
from functools import cache

import jinja2
import pandas as pd
from IPython.display import HTML
from markupsafe import Markup
from pandas.io.formats.style import Styler

from analysis.ingest.text import shorten
from analysis.paths import TEMPLATES_DIR
from analysis.report.number_words import format_percent

FOLDER = TEMPLATES_DIR / "pages"

# White space between tags: templates indent freely, and a reader sees none of it.
_BETWEEN_TAGS = re.compile(r">\s+<")

# pandas' table, wrapped so that it scrolls inside itself, and without a <style> of its own (table.tpl,
# table_style.tpl).
_Table = Styler.from_custom_template(str(FOLDER), html_table="table.tpl", html_style="table_style.tpl")


def table(frame: pd.DataFrame, headings: dict, numeric=(), name: str = "table") -> Markup:
    """The columns of `frame` named in `headings` ({column: heading}, in that order; those `frame` lacks are left
    out, as the 环比 columns outside a month) as a table with those headings; `numeric` columns are
    right-aligned. Every value is shown as text (cut to MAX_TEXT characters), NA as nothing. `name` makes the
    table's id (T_<name>)."""
    columns = [c for c in headings if c in frame.columns]
    shown = frame[columns].map(lambda v: "" if pd.isna(v) else shorten(str(v))).set_axis(
        [headings[c] for c in columns], axis=1)
    classes = pd.DataFrame([["num" if c in numeric else "" for c in columns]] * len(shown), index=shown.index,
                           columns=shown.columns)
    styler = (_Table(shown, uuid=name, cell_ids=False)
              .hide(axis="index")
              .format(escape="html")
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

"""The pages' words live in templates/pages/, the page modules only compute what to show; tables are pandas' own
HTML."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pandas as pd
import pytest

from analysis.report.pages import render

PAGES = Path(render.__file__).resolve().parent
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def _parents(tree: ast.AST) -> dict:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _not_prose(node, parents) -> bool:
    """Inside an error message, a docstring, or the problem topics the ingest names (_NOT_ISSUES)."""
    while node in parents:
        node = parents[node]
        if isinstance(node, (ast.Raise, ast.Expr)):
            return True
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "_NOT_ISSUES" for t in node.targets):
            return True
    return False


@pytest.mark.parametrize("module", sorted(p.name for p in PAGES.glob("*.py")))
def test_a_page_module_holds_no_page_prose(module):
    """Chinese in a page module is an error message or a name the ingest gives (a problem's topic), never words a
    page shows: those are in its template."""
    tree = ast.parse((PAGES / module).read_text(encoding="utf-8"))
    parents = _parents(tree)
    prose = [node.value for node in ast.walk(tree)
             if isinstance(node, ast.Constant) and isinstance(node.value, str) and CJK.search(node.value)
             and not _not_prose(node, parents)]
    assert prose == [], f"{module}: page prose belongs in templates/pages/: {prose}"


def _calls(module: Path):
    """(kind, page, name) of every render.html / render.text / render.words call with literal arguments."""
    for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "render"
                and node.func.attr in ("html", "text") and len(node.args) >= 2
                and all(isinstance(a, ast.Constant) for a in node.args[:2])):
            yield node.func.attr, node.args[0].value, node.args[1].value


def test_every_cell_a_page_module_asks_for_is_in_its_template():
    """A misspelt cell fails here, not on the one page whose data reach that branch."""
    asked = {call for module in PAGES.glob("*.py") for call in _calls(module)}
    assert len(asked) > 20
    for kind, page, name in asked:
        module = render.words(page, "txt" if kind == "text" else "html")
        assert callable(getattr(module, name, None)), f"templates/pages/{page}.{'txt' if kind == 'text' else 'html'}.j2: no macro {name}"


def test_a_table_is_pandas_html_with_its_headings_escaped_cut_and_numbers_right_aligned():
    frame = pd.DataFrame({"name": ["<script>alert(1)</script>", "x" * 3000, None], "n": [1, 22, 333],
                          "unused": ["a", "b", "c"]})
    html = str(render.table(frame, {"name": "名称<b>", "n": "数量"}, numeric=("n",), name="t"))
    assert html.startswith('<div class="table-wrap"><table id="T_t" class="data">') and html.endswith("</table></div>")
    assert "<style" not in html and "unused" not in html
    assert "&lt;script&gt;" in html and "<script>" not in html and "名称&lt;b&gt;" in html
    assert "…（共 3000 字）" in html and "x" * 2001 not in html
    cells = re.findall(r'<td class="([^"]*)" >([^<]*)</td>', html)
    assert [(("num" in c.split()), v) for c, v in cells[4:]] == [(False, ""), (True, "333")]


def test_a_cell_is_html_with_text_escaped_and_no_white_space_between_tags_but_plain_text_is_not_escaped():
    shown = render.html("ledger", "no_data", label="违法建设拆除台账", period=None).data
    assert shown == "<p>违法建设拆除台账暂无数据。</p>"
    assert render.html("ledger", "never_filed", indicator="<i>").data == "<p>各年度均未填报“&lt;i&gt;”。</p>"
    assert render.text("ledger", "trend_title", indicator="<i>&") == "<i>&：历年逐月趋势"  # a chart's title
    assert render.text("briefing", "change", direction="up", pct=-8.25) == "▲ 8.3%"
    assert render.text("briefing", "change", direction="no_previous", pct=pd.NA, against="month") == "上月无数据"

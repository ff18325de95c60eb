"""The tree shows the three wings, and imports go one way: cli → report → ingest; demo → ingest's specs only."""
from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.report.briefing import page_notebooks, plan_pages
from analysis.report.periods import Period

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "analysis"


def test_import_linter_contracts_are_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    if not lint.exists():
        pytest.fail("import-linter is not installed: `pip install -e '.[test]'`")
    proc = subprocess.run([str(lint), "--config", str(ROOT / "pyproject.toml")], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "3 kept, 0 broken" in proc.stdout, proc.stdout


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_ingest_never_imports_the_demo_or_the_report_even_lazily():
    """import-linter sees imports inside functions too; this says the same in the words of the issue."""
    for path in (PACKAGE / "ingest").rglob("*.py"):
        bad = {m for m in _imports(path) if m.startswith(("analysis.demo", "analysis.report", "analysis.cli"))}
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def test_the_tree_shows_three_wings_and_each_says_what_it_may_import():
    top = {p.name for p in PACKAGE.iterdir() if not p.name.startswith((".", "__pycache__"))}
    assert top == {"__init__.py", "__main__.py", "cli.py", "paths.py", "xlsx.py", "ledgers", "indicators.csv", "ingest",
                   "report", "demo"}
    for wing in ("ingest", "report", "demo"):
        doc = ast.get_docstring(ast.parse((PACKAGE / wing / "__init__.py").read_text(encoding="utf-8")))
        assert doc and "import" in doc.lower(), wing


def test_notebooks_are_the_briefing_one_ledger_page_and_the_analyst_pages():
    assert sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb")) == [
        "briefing.ipynb", "data_quality.ipynb", "ledger.ipynb", "report_text.ipynb"]


def _notebook(path: Path, metadata: dict | None) -> Path:
    nb = {"cells": [], "metadata": {} if metadata is None else {"briefing": metadata}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    return path


def test_a_notebook_that_is_not_a_page_is_named_and_skipped(tmp_path):
    _notebook(tmp_path / "briefing.ipynb", {"output": "briefing", "title": "简报 {year}"})
    _notebook(tmp_path / "ledger.ipynb", {"output": "{ledger}", "title": "{topic}分析（{year}年）", "per_ledger": True})
    _notebook(tmp_path / "Untitled.ipynb", None)
    _notebook(tmp_path / "typo.ipynb", {"output": "{ledgr}", "title": "{topic}", "per_ledger": True})
    (tmp_path / "broken.ipynb").write_text("{ not json", encoding="utf-8")
    said: list[str] = []
    found = page_notebooks(tmp_path, echo=said.append)
    assert [nb.path.name for nb in found] == ["briefing.ipynb", "ledger.ipynb"]
    text = "\n".join(said)
    assert "Untitled.ipynb：没有简报页面的元数据" in text
    assert "typo.ipynb：元数据 briefing 中的 output 或 title 写法有误" in text and "{ledger}" in text
    assert "broken.ipynb：不是有效的笔记本文件" in text


def test_one_ledger_notebook_gives_a_page_for_every_ledger_with_data(tmp_path):
    _notebook(tmp_path / "ledger.ipynb", {"output": "{ledger}", "title": "{topic}分析（{period}）", "per_ledger": True})
    _notebook(tmp_path / "briefing.ipynb", {"output": "briefing", "title": "简报 {report_period}"})
    planned = page_notebooks(tmp_path, echo=lambda *_: None)
    pages = plan_pages(planned, Period(2023), tmp_path, ["gas_safety", "demolitions"])
    assert [(p.name, p.title) for p in pages] == [
        ("briefing", "简报 2023年度"), ("gas_safety", "燃气安全排查分析（2023年）"), ("demolitions", "违建拆除分析（2023年）")]
    assert pages[1].parameters["ledger"] == "gas_safety" and pages[1].parameters["period"] == "2023"
    quarter = plan_pages(planned, Period(2024, 4, 6), tmp_path, ["gas_safety"])
    assert [p.title for p in quarter] == ["简报 2024年第二季度", "燃气安全排查分析（2024年第二季度）"]
    assert quarter[0].parameters["period"] == "2024-Q2"
    assert "ledger" not in pages[0].parameters


def test_a_ledger_is_data_no_ingest_or_report_code_names_one():
    """Ledgers are spec files and catalogue rows: the generic code names none of them (issue: three new ledgers,
    no Python)."""
    from analysis.ingest.spec import ledger_names

    for path in [*(PACKAGE / "ingest").rglob("*.py"), *(PACKAGE / "report").rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        named = [ledger for ledger in ledger_names() if ledger in text]
        assert not named, f"{path.relative_to(ROOT)} names {named}"

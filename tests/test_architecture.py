"""The tree shows the three wings, and imports go one way: cli → report → ingest; demo → ingest's specs only."""
from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.commands.briefing import page_notebooks, plan_pages
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
        bad = {m for m in _imports(path) if m.startswith(("analysis.demo", "analysis.report", "analysis.commands"))}
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def test_the_tree_shows_three_wings_and_each_says_what_it_may_import():
    top = {p.name for p in PACKAGE.iterdir() if not p.name.startswith((".", "__pycache__"))}
    assert top == {"__init__.py", "__main__.py", "paths.py", "xlsx.py", "ledgers", "indicators.csv", "commands", "ingest",
                   "report", "demo", "shared"}
    for wing in ("commands", "ingest", "report", "demo", "shared"):
        doc = ast.get_docstring(ast.parse((PACKAGE / wing / "__init__.py").read_text(encoding="utf-8")))
        assert doc and "import" in doc.lower(), wing


def _parameters(notebook: Path) -> set[str]:
    """The names the notebook's first code cell (tagged `parameters`, where papermill injects after) assigns."""
    cells = [c for c in json.loads(notebook.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
    assert cells and "parameters" in cells[0]["metadata"].get("tags", []), f"{notebook.name}: no parameters cell"
    source = "".join(cells[0]["source"])
    return {t.id for node in ast.parse(source).body if isinstance(node, ast.Assign) for t in node.targets
            if isinstance(t, ast.Name)}


def test_every_notebook_is_a_page_and_names_the_parameters_its_run_is_given():
    """To add a page, add a notebook: whatever their names, every notebook in notebooks/ is a page the briefing
    finds, with a parameters cell for every parameter the runner injects, and no two pages write the same file."""
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    said: list[str] = []
    found = page_notebooks(ROOT / "notebooks", echo=said.append)
    assert notebooks and not said, said
    assert sorted(nb.path for nb in found) == notebooks
    ledgers = ["gas_safety", "demolitions"]
    for period in (Period(2023), Period(2024, 4, 6)):
        pages = plan_pages(found, period, ROOT / "build-demo" / "processed", ledgers)
        names = [page.name for page in pages]
        assert len(set(names)) == len(names) and "index" not in names, names
        for page in pages:
            missing = set(page.parameters) - _parameters(page.notebook)
            assert not missing, f"{page.notebook.name}: the parameters cell does not name {sorted(missing)}"


def _notebook(path: Path, metadata: dict | None, parameters: str | None = None) -> Path:
    cells = [] if parameters is None else [{"cell_type": "code", "id": "p", "metadata": {"tags": ["parameters"]},
                                             "source": parameters, "outputs": [], "execution_count": None}]
    kernel = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    nb = {"cells": cells, "metadata": kernel | ({} if metadata is None else {"briefing": metadata}), "nbformat": 4,
          "nbformat_minor": 5}
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


def test_the_clean_folder_goes_only_to_the_pages_that_declare_it(tmp_path):
    """The data-quality page names the annotated copies in the clean's own folder, which the briefing's snapshot does
    not hold; a page without a clean_dir parameter is not given one (papermill would say it is unknown)."""
    _notebook(tmp_path / "a.ipynb", {"output": "a", "title": "A"}, parameters="processed_dir = None\nclean_dir = None")
    _notebook(tmp_path / "b.ipynb", {"output": "b", "title": "B"})
    planned = page_notebooks(tmp_path, echo=lambda *_: None)
    pages = {p.name: p.parameters for p in plan_pages(planned, Period(2023), tmp_path / "snap", [], tmp_path / "out")}
    assert pages["a"]["clean_dir"] == str((tmp_path / "out").resolve()) and "clean_dir" not in pages["b"]
    assert pages["a"]["processed_dir"] == str((tmp_path / "snap").resolve())


def test_a_ledger_is_data_no_ingest_or_report_code_names_one():
    """Ledgers are spec files and catalogue rows: the generic code names none of them (issue: three new ledgers,
    no Python)."""
    from analysis.ingest.spec import ledger_names

    for path in [*(PACKAGE / "ingest").rglob("*.py"), *(PACKAGE / "report").rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        named = [ledger for ledger in ledger_names() if ledger in text]
        assert not named, f"{path.relative_to(ROOT)} names {named}"

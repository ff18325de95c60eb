"""The notebooks as an analyst uses them in JupyterLab: the first screen's cards carry their own stylesheet (JupyterLab
has not the export's), a notebook opened, run and saved leaves git clean (nbstripout as git's filter, the kernelspec
committed as JupyterLab writes it), and saved outputs never make `analysis briefing` rebuild.

The git tests need git and nbstripout; without them they skip with the reason, except under CI=true, where they fail.
"""
from __future__ import annotations

import copy
import json
import os
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import PROJECT, build_briefing

from analysis.commands.briefing import NOTEBOOK_FILTER_EXTRA_KEYS, _fingerprint, install_notebook_filter, notebook_key
from analysis.paths import TEMPLATES_DIR
from analysis.report.pages import render
from analysis.report.periods import Period

NOTEBOOKS = sorted((PROJECT / "notebooks").glob("*.ipynb"))
CARDS_CSS = TEMPLATES_DIR / "pages" / "cards.css"
BRIEFING_CSS = TEMPLATES_DIR / "briefing" / "briefing.css"


# ---------------------------------------------------------------- the cards in JupyterLab

def _first_screen() -> str:
    card = {"label": "拆除违建", "figure": "9", "unit": "处", "year": {"direction": "down", "text": "▼ 18.2%"},
            "month": {"direction": "up", "text": "▲ 5.0%"}}
    return render.html("briefing", "first_screen", period_line="统计期间：2023年6月", note="", cards=[card] * 3,
                       points=["要点一"]).data


def _selectors(css: str) -> list[str]:
    """Every selector of a stylesheet (inside @media too), comments left out."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    found = []
    for head in re.findall(r"([^{}]+)\{", css):
        head = head.strip()
        if not head.startswith("@"):
            found += [s.strip() for s in head.split(",")]
    return found


def test_the_first_screen_carries_its_card_rules_scoped_to_itself():
    """In JupyterLab an output's <style> applies to the whole page: every rule names .first-screen, and the fragment
    is one .first-screen element holding the style, the cards and the highlights."""
    html = _first_screen()
    css = CARDS_CSS.read_text(encoding="utf-8")
    assert html.startswith('<div class="first-screen"><style>') and html.endswith("</div>")
    style = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
    assert style.strip() == css.strip()  # the file, as it is
    assert "<" not in css and "{{" not in css and "{%" not in css and "{#" not in css
    selectors = _selectors(css)
    assert {".first-screen .card", ".first-screen .cards", ".first-screen .card-value"} <= set(selectors)
    assert all(s == ".first-screen" or s.startswith(".first-screen ") for s in selectors), selectors
    assert 'class="card"' in html and 'class="highlights"' in html


def test_the_card_rules_live_in_one_file():
    """briefing.css (the export's stylesheet) no longer has them: one source, not two copies."""
    export = {s for s in _selectors(BRIEFING_CSS.read_text(encoding="utf-8"))}
    card_classes = re.compile(r"\.(cards?|card-[\w-]+|highlights)\b")
    assert not [s for s in export if card_classes.search(s)], export


def test_the_card_rules_use_no_variable_that_jupyterlab_lacks():
    """JupyterLab has not briefing.css's :root variables (--rule, --accent …): the rules name only their own."""
    css = CARDS_CSS.read_text(encoding="utf-8")
    defined = set(re.findall(r"(--[\w-]+)\s*:", css))
    used = set(re.findall(r"var\((--[\w-]+)", css))
    assert used and used <= defined, used - defined


def test_the_exported_briefing_holds_the_card_rules_once(demo_build):
    root, _, _ = demo_build
    page = (root / "reports" / "2023" / "briefing.html").read_text(encoding="utf-8")
    assert page.count(".first-screen .card {") == 1
    assert page.count('<div class="first-screen">') == 1


# ---------------------------------------------------------------- what decides a rebuild

def _as_jupyterlab_saves(nb, executed: bool = True):
    """What JupyterLab writes after running a notebook: outputs and counts, the kernelspec of the kernel it started
    and the kernel's language_info, timings and view state in the cells' metadata."""
    from ipykernel.kernelspec import get_kernel_dict

    spec = get_kernel_dict()
    nb.metadata["kernelspec"] = {"display_name": spec["display_name"], "language": spec["language"], "name": "python3"}
    nb.metadata["language_info"] = {
        "codemirror_mode": {"name": "ipython", "version": 3}, "file_extension": ".py", "mimetype": "text/x-python",
        "name": "python", "nbconvert_exporter": "python", "pygments_lexer": "ipython3",
        "version": platform.python_version()}
    if executed:
        for count, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
            cell.execution_count = count + 1
            cell.outputs = [
                nbformat.v4.new_output("stream", name="stdout", text="以下使用示例数据（build-demo/processed）\n"),
                nbformat.v4.new_output("display_data", data={"text/html": "<p>x</p>" * 1000, "text/plain": "x"}),
                nbformat.v4.new_output("execute_result", data={"text/plain": "42"}, execution_count=count + 1),
            ]
            cell.metadata["execution"] = {"iopub.execute_input": "2026-11-01T09:00:00.000000Z",
                                          "shell.execute_reply": "2026-11-01T09:00:01.000000Z"}
            cell.metadata["scrolled"] = True
            cell.metadata["collapsed"] = False
    return nb


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_a_notebook_saved_with_outputs_and_jupyterlabs_metadata_has_the_same_fingerprint(path, tmp_path):
    saved = tmp_path / path.name
    nbformat.write(_as_jupyterlab_saves(nbformat.read(path, as_version=4)), saved)
    assert saved.read_bytes() != path.read_bytes()
    assert notebook_key(saved) == notebook_key(path)
    period = Period(2023)
    assert _fingerprint(period, b"manifest", [saved]) == _fingerprint(period, b"manifest", [path])


@pytest.mark.parametrize("change", ["source", "tags", "cell type", "page title", "new cell"])
def test_what_decides_the_pages_changes_the_fingerprint(tmp_path, change):
    path = PROJECT / "notebooks" / "briefing.ipynb"
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    if change == "source":
        code[-1].source += "\n"
    elif change == "tags":
        code[-1].metadata["tags"] = ["remove-cell"]
    elif change == "cell type":
        nb.cells[-1] = nbformat.v4.new_markdown_cell(nb.cells[-1].source)
    elif change == "page title":
        nb.metadata["briefing"]["title"] += "（修订）"
    else:
        nb.cells.append(nbformat.v4.new_code_cell("pages.data_note(data, period)"))
    changed = tmp_path / path.name
    nbformat.write(nb, changed)
    assert notebook_key(changed) != notebook_key(path)
    assert _fingerprint(Period(2023), b"m", [changed]) != _fingerprint(Period(2023), b"m", [path])


def test_a_file_that_is_not_a_notebook_counts_by_its_bytes(tmp_path):
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{ not json", encoding="utf-8")
    assert notebook_key(broken) == b"{ not json"


# ---------------------------------------------------------------- git stays clean

def _require(*tools: str) -> None:
    """git (a command) and nbstripout (a module of this Python) are here; skip or, under CI=true, fail."""
    missing = [t for t in tools if not (shutil.which(t) if t == "git" else _importable(t))]
    if missing:
        reason = f"没有 {'、'.join(missing)}，无法测试笔记本在 git 中保持干净（pip install -e . 会装上 nbstripout）"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true 时必须运行：{reason}")
        pytest.skip(reason)


def _importable(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def _git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(repo.parent), "XDG_CONFIG_HOME": str(repo.parent)}
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, encoding="utf-8", env=env,
                          timeout=120)
    assert done.returncode == 0, (args, done.stderr)
    return done.stdout


def _clone_of_notebooks(tmp_path: Path, untracked: dict | None = None, notebooks: list[Path] = NOTEBOOKS) -> Path:
    """A git repository holding the project's .gitattributes and notebooks, committed as they are in the project
    (no filter configured yet, as in a fresh clone), plus the folders `untracked` ({name: folder}) copied in and
    ignored, as .gitignore ignores build-demo/ and reports/."""
    repo = tmp_path / "repo"
    (repo / "notebooks").mkdir(parents=True)
    shutil.copy2(PROJECT / ".gitattributes", repo / ".gitattributes")
    for path in notebooks:
        shutil.copy2(path, repo / "notebooks" / path.name)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q", "-m", "clone")
    for name, source in (untracked or {}).items():
        shutil.copytree(source, repo / name, symlinks=True)
        with open(repo / ".git" / "info" / "exclude", "a", encoding="utf-8") as exclude:
            exclude.write(f"/{name}/\n")
    return repo


def test_the_committed_notebooks_are_in_the_filters_form():
    """What git's filter gives a committed notebook is the notebook itself: nbstripout (with the extra keys) leaves
    every committed notebook byte for byte as it is, and the kernelspec is the one JupyterLab writes."""
    _require("nbstripout")
    from ipykernel.kernelspec import get_kernel_dict

    for path in NOTEBOOKS:
        done = subprocess.run([sys.executable, "-m", "nbstripout", "--extra-keys", " ".join(NOTEBOOK_FILTER_EXTRA_KEYS)],
                              input=path.read_bytes(), capture_output=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert done.stdout == path.read_bytes(), (
            f"{path.name} 不是过滤器的形式：运行 nbstripout --extra-keys \"{' '.join(NOTEBOOK_FILTER_EXTRA_KEYS)}\" "
            f"{path.relative_to(PROJECT)}")
        spec = json.loads(path.read_text(encoding="utf-8"))["metadata"]["kernelspec"]
        assert spec == {"display_name": get_kernel_dict()["display_name"], "language": "python", "name": "python3"}


def test_analysis_sets_up_the_filter_once_and_only_in_a_clone_that_asks_for_it(tmp_path):
    _require("git", "nbstripout")
    repo = _clone_of_notebooks(tmp_path)
    said: list[str] = []
    assert install_notebook_filter(repo, echo=said.append)
    assert said and "nbstripout" in said[0]
    assert _git(repo, "config", "--local", "--get", "filter.nbstripout.clean").strip().endswith("-m nbstripout")
    assert _git(repo, "config", "--local", "--get", "filter.nbstripout.extrakeys").split() == \
        list(NOTEBOOK_FILTER_EXTRA_KEYS)
    assert not install_notebook_filter(repo, echo=said.append) and len(said) == 1  # once
    plain = tmp_path / "plain"
    plain.mkdir()
    _git(plain, "init", "-q")
    assert not install_notebook_filter(plain)  # no .gitattributes asking for it
    assert not install_notebook_filter(tmp_path / "nowhere")  # no clone at all


def _adds_nothing(repo: Path) -> None:
    """What JupyterLab saved adds nothing to git: `git diff` (through the filter) is empty, and once git has looked at
    the files' contents (`git add -A`, which stages nothing) `git status --porcelain` is empty. Before that, git
    lists a notebook whose size changed as modified without running the filter (read-cache.c, ie_modified: a
    changed size is trusted); see README, "笔记本与 git"."""
    assert _git(repo, "diff") == "", _git(repo, "diff")
    _git(repo, "add", "-A")
    assert _git(repo, "diff", "--cached", "--name-only") == ""
    assert _git(repo, "status", "--porcelain") == ""


def test_notebooks_saved_by_jupyterlab_with_outputs_add_nothing_to_git(tmp_path):
    """Each notebook as JupyterLab saves it after Run All (outputs, counts, kernelspec, language_info, timings)
    changes nothing git records; a real edit still shows, without the outputs."""
    _require("git", "nbstripout")
    repo = _clone_of_notebooks(tmp_path)
    assert install_notebook_filter(repo, echo=lambda *a: None)
    for path in sorted((repo / "notebooks").glob("*.ipynb")):
        nbformat.write(_as_jupyterlab_saves(nbformat.read(path, as_version=4)), path)  # as jupyter_server writes
        assert len(path.read_bytes()) > 10000  # saved with outputs
    _adds_nothing(repo)
    edited = repo / "notebooks" / "briefing.ipynb"
    nb = nbformat.read(edited, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("pages.data_note(data, period)"))
    nbformat.write(nb, edited)
    assert _git(repo, "status", "--porcelain").split() == ["M", "notebooks/briefing.ipynb"]
    diff = _git(repo, "diff")
    assert "pages.data_note(data, period)" in diff and "以下使用示例数据" not in diff and "language_info" not in diff


def test_a_notebook_run_and_saved_in_place_leaves_git_clean_and_the_briefing_up_to_date(demo_build, tmp_path):
    """briefing.ipynb really executed in a clone of the demo build (a kernel, as JupyterLab starts one), saved in
    place with its outputs: git records no change, and the next `analysis briefing` says the pages are up to date."""
    _require("git", "nbstripout")
    from nbclient import NotebookClient

    from analysis.report.execute import ThisInterpreterKernelManager

    root, _, _ = demo_build
    # the notebooks the demo was built from (the very files: the fingerprint names them)
    repo = _clone_of_notebooks(tmp_path, {name: root / name for name in ("build-demo", "reports", "data")},
                               notebooks=sorted((root / "notebooks").glob("*.ipynb")))
    assert install_notebook_filter(repo, echo=lambda *a: None)
    path = repo / "notebooks" / "briefing.ipynb"
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_manager_class=ThisInterpreterKernelManager,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    assert any(c.outputs for c in nb.cells if c.cell_type == "code") and "language_info" in nb.metadata
    nbformat.write(_as_jupyterlab_saves(copy.deepcopy(nb), executed=False), path)
    assert len(path.read_bytes()) > 20000  # saved with its outputs
    _adds_nothing(repo)
    code, log = build_briefing(repo)
    assert code == 0 and "已是最新" in log and "执行" not in log, log

"""Shared helpers: tests build their own small workbooks (no binary fixtures).

Two tiers (pyproject's `slow` marker): `python -m pytest -m "not slow"` runs the unit and property tests in under a
minute, `-m slow` the rest, plain `python -m pytest` both. A test is marked slow here when it uses the demo briefing
built once per session (`demo_build`, also through `project` or any fixture of its own) or calls `build_briefing`
itself; other slow tests (notebooks, Chromium, LibreOffice, processes that are killed) carry `pytest.mark.slow` in
their module.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import shutil
from pathlib import Path

import openpyxl
import pytest

from analysis.ingest.pipeline import clean
from analysis.ingest.tables import load_manifest, load_rejects, load_table


def write_xlsx(path: Path, sheets: dict, merges: dict | None = None, hidden: tuple = ()) -> Path:
    """sheets: name -> list of rows; merges: name -> ["A1:C1", ...]."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(list(row))
        for rng in (merges or {}).get(name, []):
            ws.merge_cells(rng)
        if name in hidden:
            ws.sheet_state = "hidden"
    wb.save(path)
    return path


class Run:
    """A clean run over a raw folder, with its outputs loaded."""

    def __init__(self, raw: Path, out: Path, **kw):
        self.lines: list[str] = []
        self.result = clean(raw, out, echo=lambda *a, **k: self.lines.append(" ".join(map(str, a))), **kw)
        self.out = out
        self.manifest = load_manifest(out)
        self.rejects = load_rejects(out)
        self.exit_code = self.result.exit_code

    def table(self, ledger):
        return load_table(self.out, ledger)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def sheet(self, file: str, sheet: str) -> dict:
        f = next(f for f in self.manifest["files"] if f["file"] == file)
        return next(s for s in f["sheets"] if s["sheet"] == sheet)


@pytest.fixture(scope="module")
def events_only():
    """Every ledger taken as one of events (a month without rows counts 0, never a ledger that did not arrive), for
    tests of figures and wording over a few scattered rows; what a ledger filled every month does with its empty
    months is tested in test_coverage.py. Module-scoped: hypothesis tests may use it."""
    from analysis.report import metrics

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(metrics, "every_month", lambda ledger: False)
        yield


def page_differences(first: dict, second: dict) -> list[str]:
    """What differs between two builds' pages ({name: HTML, text or bytes}), for an assertion message: for each page that
    differs, its first differing line of visible text (tags and embedded data left out), or that only the embedded
    data (fonts, images) differs."""
    import difflib
    import re

    def visible(html) -> list[str]:
        text = html.decode() if isinstance(html, bytes) else html
        text = re.sub(r"<(style|script)\b.*?</\1>", "", text, flags=re.S)
        text = re.sub(r"data:[^\"')]+", "data:…", text)
        return [line.strip() for line in re.sub(r"<[^>]+>", "\n", text).splitlines() if line.strip()]

    found = []
    for name in sorted(set(first) | set(second)):
        a, b = first.get(name), second.get(name)
        if a == b:
            continue
        if a is None or b is None:
            found.append(f"{name}: only in the {'second' if a is None else 'first'} build")
            continue
        diff = [line for line in difflib.unified_diff(visible(a), visible(b), lineterm="", n=0)
                if line[:1] in "+-" and not line.startswith(("+++", "---"))]
        found.append(f"{name}: " + (" | ".join(diff[:6]) if diff else "same text, embedded data (font or image) differs"))
    return found


def missing_tool(reason: str) -> None:
    """A tool a test needs is missing: the test is skipped with the reason, except under CI=true, where it must run."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true 时这项测试必须运行：{reason}")
    pytest.skip(reason)


def find_soffice() -> str:
    """LibreOffice's command, for the tests that open files in it (see missing_tool)."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        missing_tool("找不到 LibreOffice（soffice）；Debian/Ubuntu 上安装：apt-get install -y libreoffice-calc-nogui "
                     "libreoffice-writer-nogui")
    return found


@pytest.fixture
def run_clean(tmp_path):
    def _run(raw: Path | None = None, **kw) -> Run:
        return Run(raw or tmp_path / "raw", tmp_path / "out", **kw)
    return _run


@pytest.fixture
def raw(tmp_path) -> Path:
    p = tmp_path / "raw"
    p.mkdir()
    return p


D = dt.date


def plain(v):
    """A cell of a cleaned table as the demo's generator wrote it: None for missing, a date, a Python number (floats
    to 6 places), so that generated records and cleaned rows compare."""
    import pandas as pd

    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    if isinstance(v, pd.Timestamp):
        return v.date()
    if hasattr(v, "item"):
        v = v.item()
    return round(v, 6) if isinstance(v, float) else v


# ---------------------------------------------------------------- the demo briefing, built once per session

PROJECT = Path(__file__).resolve().parents[1]
FIXED_DATE = "1700000000"  # SOURCE_DATE_EPOCH: the generation date shown, fixed so builds compare byte for byte


@contextlib.contextmanager
def working_directory(folder: Path):
    before = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def build_briefing(project: Path, **kw) -> tuple[int, str]:
    """`analysis briefing` in the project folder, as the command runs it: (exit status, everything printed)."""
    from analysis.commands.cli import briefing

    out = io.StringIO()
    with working_directory(project), contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = briefing(**kw)
    return code, out.getvalue()


def fresh_project(root: Path) -> Path:
    """What a clean clone has: the notebooks and an empty data/raw."""
    shutil.copytree(PROJECT / "notebooks", root / "notebooks")
    (root / "data" / "raw").mkdir(parents=True)
    (root / "data" / "raw" / ".gitkeep").touch()
    return root


SLOW_FIXTURES = {"demo_build"}


def _calls_build_briefing(item) -> bool:
    """The test's own code names `build_briefing` (under whatever name its module imported it)."""
    function = getattr(item, "function", None)
    code = getattr(function, "__code__", None)
    if code is None:
        return False
    names = function.__globals__
    return any(names.get(name) is build_briefing for name in code.co_names)


@pytest.hookimpl(tryfirst=True)  # before -m selects by mark
def pytest_collection_modifyitems(config, items):
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())) or _calls_build_briefing(item):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory):
    """A fresh clone's first `analysis briefing` (demo data): (root, log, golden snapshot taken right after)."""
    import golden

    root = fresh_project(tmp_path_factory.mktemp("clone"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", FIXED_DATE)
        code, log = build_briefing(root)
    assert code == 0, log
    return root, log, golden.snapshot(root / "build-demo" / "processed", root / "reports" / "2023")


@pytest.fixture
def project(demo_build):
    root, log, _ = demo_build
    return root, log

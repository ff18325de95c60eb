"""Shared helpers: tests build their own small workbooks (no binary fixtures)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from analysis.pipeline import clean
from analysis.tables import load_manifest, load_rejects, load_table


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

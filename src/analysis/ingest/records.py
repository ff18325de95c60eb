"""The records of a run: what was read of each sheet and each file, each ledger's totals, and the manifest that
holds them.

Each record is built once and never changed: a sheet's and a file's by file_result (one file), a ledger's and the
manifest by assemble (the run), which also makes the final record of a sheet that lost rows to a ledger-wide rule
(one row per key) as a new record. A ledger's totals are sums over its file records, never counted by hand.
manifest.json is written from these records and read back into them here, in one place; a key is written only
where the record has something to say (as manifest.json always had it), so that its readers and README's
description of it stay the same.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, fields

# Sheet statuses: ok (read), failed (a required column missing), hidden, summary and instructions (skipped sheets
# that are not ledger rows), empty, no_header. File statuses: ok, partial (some sheets failed), failed, duplicate.
FAILED_FILE = ("failed", "partial")


def _json_fields(record, always: tuple = ()) -> dict:
    """The record as manifest.json has it: a field is left out when it is None or empty, except those in `always`;
    tuples become lists."""
    out = {}
    for f in fields(record):
        value = getattr(record, f.name)
        if f.name not in always and (value is None or value == () or value == {}):
            continue
        out[f.name] = list(value) if isinstance(value, tuple) else value
    return out


@dataclass(frozen=True)
class SheetRecord:
    """One worksheet of a file: how it was read, and what became of its rows (row_kinds counts every row by kind;
    for a sheet that was read, its data rows = kept + rejected)."""

    sheet: str
    rows: int | None = None  # rows in the sheet (None for a hidden sheet, which is not looked at)
    header_row: int | None = None  # Excel's row number of the header; None when no header was found
    year_hint: int | str | None = None  # the year a title row gives dates without one (a span as 2023—2024)
    columns: dict | None = None  # spec column → its header and column letter, as rejects.csv names them
    personal_columns_dropped: tuple = ()
    unrecognised_headers: tuple = ()
    duplicate_headers_ignored: tuple = ()
    status: str = "ok"
    reason: str | None = None
    row_kinds: dict | None = None
    kept: int | None = None  # None unless the sheet was read
    rejected: int | None = None
    total_mismatches: tuple = ()
    # totals that differ from the kept rows by exactly what the rejected rows among them hold: right as they stand
    totals_with_rejects: tuple = ()
    unchecked_totals: tuple = ()
    repeated_rows: tuple = ()  # groups of Excel row numbers with identical kept values (kept, and named)
    summary_mismatches: tuple = ()  # a summary sheet's figures that disagree with the file's detail
    # column → {"column": header and letter, "other": the catch-all category, "values": [[raw text, cells], …]}:
    # the values a catch-all took in, every one named
    catch_all: dict = field(default_factory=dict)
    # column → {"column": header and letter, "cells": n}: cells naming a private person, replaced with ［个人］
    persons: dict = field(default_factory=dict)

    @property
    def read(self) -> bool:
        return self.status == "ok"

    @property
    def data_rows(self) -> int:
        return (self.row_kinds or {}).get("data", 0)

    def to_json(self) -> dict:
        # year_hint and columns belong to every sheet whose header was found, even when no year was given.
        return _json_fields(self, always=("year_hint", "columns") if self.header_row is not None else ())

    @classmethod
    def from_json(cls, d: dict) -> SheetRecord:
        # The defaults of the keys manifest.json leaves out are filled in by the constructor.
        return cls(**{name: tuple(d[name]) if is_tuple else d[name] for name, is_tuple in _SHEET_KEYS if name in d})


# (name, whether it is a tuple) of every SheetRecord field: worked out once, not once per sheet read back.
_SHEET_KEYS = tuple((f.name, f.default == ()) for f in fields(SheetRecord))


@dataclass(frozen=True)
class FileRecord:
    """One raw file: read (ok, or partial when some sheets failed), failed as a whole (reason), or a duplicate of
    another file (duplicate_of; rows_rejected: its rows rejected only in this copy, listed in rejects.csv)."""

    file: str
    ledger: str
    sha256: str | None = None  # None when the file could not be read at all
    status: str = "ok"
    duplicate_of: str | None = None
    sheets: tuple[SheetRecord, ...] | None = ()  # None for a duplicate (its sheets are the original's)
    reason: str | None = None
    rows_rejected: int | None = None
    read_as: str | None = None  # what the file really was when not what its name says (UTF-16 文本, 网页表格 …)

    @property
    def failed(self) -> bool:
        return self.status in FAILED_FILE

    @property
    def duplicate(self) -> bool:
        return self.status == "duplicate"

    @property
    def read_sheets(self) -> list[SheetRecord]:
        return [s for s in self.sheets or () if s.read]

    def to_json(self) -> dict:
        out = _json_fields(self, always=("sheets",) if self.sheets is not None else ())
        if self.sheets is not None:
            out["sheets"] = [s.to_json() for s in self.sheets]
        return out

    @classmethod
    def from_json(cls, d: dict) -> FileRecord:
        sheets = d.get("sheets")
        return cls(file=d["file"], ledger=d["ledger"], sha256=d.get("sha256"), status=d["status"],
                   duplicate_of=d.get("duplicate_of"),
                   sheets=None if sheets is None else tuple(SheetRecord.from_json(s) for s in sheets),
                   reason=d.get("reason"), rows_rejected=d.get("rows_rejected"), read_as=d.get("read_as"))


@dataclass(frozen=True)
class LedgerRecord:
    """One ledger's totals over its files (LedgerRecord.of sums them) and its output."""

    label: str
    files: int  # files read or failed (duplicates are counted apart)
    sheets: int  # sheets read
    rows_kept: int
    rows_rejected: int
    files_failed: int
    duplicates: int
    output: str
    years: dict = field(default_factory=dict)  # "2023" → rows kept of that year
    # column → {"label", "other", "cells", "values": the MAX_LISTED most frequent [[raw text, cells], …], "distinct"}
    catch_all: dict = field(default_factory=dict)
    persons: dict = field(default_factory=dict)  # column → {"label", "cells"}: private persons' names, now ［个人］

    @classmethod
    def of(cls, label: str, files: list[FileRecord], output: str, years: dict, labels: dict) -> LedgerRecord:
        """The ledger's totals: sums over its files' records (labels: column → its label, for the catch-all)."""
        own = [f for f in files if not f.duplicate]
        sheets = [s for f in own for s in f.read_sheets]
        return cls(label=label, files=len(own), sheets=len(sheets), rows_kept=sum(s.kept for s in sheets),
                   rows_rejected=sum(s.rejected for s in sheets) + sum(f.rows_rejected or 0 for f in files),
                   files_failed=sum(f.failed for f in own), duplicates=len(files) - len(own),
                   output=output, years=years, catch_all=_catch_all(sheets, labels), persons=_persons(sheets, labels))

    def to_json(self) -> dict:
        return _json_fields(self, always=tuple(f.name for f in fields(self) if f.name not in ("catch_all", "persons")))

    @classmethod
    def from_json(cls, d: dict) -> LedgerRecord:
        return cls(**{f.name: d[f.name] for f in fields(cls) if f.name in d})


MAX_LISTED = 10  # distinct catch-all values a ledger's record names (the most frequent; all are counted)


def _catch_all(sheets: list[SheetRecord], labels: dict) -> dict:
    """Per column, what the catch-all took in over these sheets: the cells, the distinct values, the most frequent."""
    found: dict = {}
    for s in sheets:
        for name, caught in s.catch_all.items():
            counts = found.setdefault(name, (caught["other"], {}))[1]
            for text, cells in caught["values"]:
                counts[text] = counts.get(text, 0) + cells
    out = {}
    for name, (other, counts) in found.items():
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        out[name] = {"label": labels.get(name, name), "other": other, "cells": sum(counts.values()),
                     "distinct": len(ranked), "values": [list(item) for item in ranked[:MAX_LISTED]]}
    return out


def _persons(sheets: list[SheetRecord], labels: dict) -> dict:
    """Per column, the cells over these sheets whose private person's name became ［个人］."""
    cells: dict = {}
    for s in sheets:
        for name, found in s.persons.items():
            cells[name] = cells.get(name, 0) + found["cells"]
    return {name: {"label": labels.get(name, name), "cells": n} for name, n in sorted(cells.items())}


@dataclass(frozen=True)
class Manifest:
    """What one run read and wrote: manifest.json."""

    version: str
    spec_fingerprint: str
    code_fingerprint: str
    synthetic: bool  # the demo's ledgers: every page built from them says 示例数据
    ledgers: dict[str, LedgerRecord]
    files: tuple[FileRecord, ...]
    skipped: tuple[dict, ...]  # {"file", "reason"}: paths in the raw folder that are not ledgers
    exit_code: int
    outputs: dict[str, str] = field(default_factory=dict)  # output file name → SHA-256 (what tables.py checks)

    @property
    def rows_rejected(self) -> int:
        return sum(s.rows_rejected for s in self.ledgers.values())

    @property
    def failed_files(self) -> list[FileRecord]:
        return [f for f in self.files if f.failed]

    def to_json(self) -> dict:
        return {"version": self.version, "spec_fingerprint": self.spec_fingerprint,
                "code_fingerprint": self.code_fingerprint, "synthetic": self.synthetic,
                "ledgers": {name: s.to_json() for name, s in self.ledgers.items()},
                "files": [f.to_json() for f in self.files], "skipped": list(self.skipped),
                "exit_code": self.exit_code, "outputs": self.outputs}

    def json_bytes(self) -> bytes:
        return (json.dumps(self.to_json(), ensure_ascii=False, indent=1) + "\n").encode("utf-8")

    @classmethod
    def from_json(cls, d: dict) -> Manifest:
        return cls(version=d["version"], spec_fingerprint=d["spec_fingerprint"], code_fingerprint=d["code_fingerprint"],
                   synthetic=bool(d.get("synthetic")),
                   ledgers={name: LedgerRecord.from_json(s) for name, s in d["ledgers"].items()},
                   files=tuple(FileRecord.from_json(f) for f in d["files"]), skipped=tuple(d["skipped"]),
                   exit_code=d["exit_code"], outputs=d.get("outputs", {}))

"""One ledger file → its FileResult: the file's record, the kept rows as one Arrow table, the rejects and the
key of its content (to tell a re-saved copy); and the bytes a FileResult is cached and passed between processes as.

The file is read into memory once: its hash is taken over those bytes and the same bytes are parsed, so the
result is keyed by exactly what was cleaned, even when the file changes while the run reads it.

Per-file tables hold the cleaned values as plain Arrow types; categories and nullable types are applied once per
ledger, on the concatenated table (outputs.py), not once for each of a thousand files.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyarrow as pa

from analysis.ingest.annotate import copy_or_problem, needs_copy
from analysis.ingest.cache import holds_on
from analysis.ingest.cleaning import SheetResult, arrow_type, clean_sheet
from analysis.ingest.discover import read_bytes, read_problem
from analysis.ingest.layout import ROW_KINDS, Layout, find_layout
from analysis.ingest.read import ReadError, Sheet, read_sheets
from analysis.ingest.records import FileRecord, SheetRecord
from analysis.ingest.spec import LedgerSpec, load_spec
from analysis.ingest.summary_sheets import ROLE_REASONS, compare_summary, sheet_role
from analysis.ingest.text import shorten_all


@dataclass
class SheetReading:
    """How one sheet was read: the sheet as read (merged cells filled), its layout (None for a hidden sheet), its
    cleaning (None unless its rows were cleaned) and its record. `analysis check` shows exactly this."""
    sheet: Sheet
    layout: Layout | None = None
    result: SheetResult | None = None
    record: SheetRecord | None = None


@dataclass
class FileReading:
    """How one file was read: its status and reason, what it really was when not what its name says, its sheets,
    the kept rows of each (with lineage), the rejects, and the first date rejected as later than the day."""
    status: str
    reason: str | None = None
    read_as: str | None = None
    sheets: list = field(default_factory=list)  # SheetReading, in the file's order
    tables: list = field(default_factory=list)
    rejects: list = field(default_factory=list)
    later: dt.date | None = None

    @property
    def records(self) -> tuple:
        return tuple(s.record for s in self.sheets)


def read_file(path: Path, data: bytes, rel: str, spec: LedgerSpec, today: dt.date) -> FileReading:
    """One workbook's bytes, read and cleaned sheet by sheet as on `today`."""
    try:
        sheets = read_sheets(path, data)
    except ReadError as exc:
        return FileReading("failed", str(exc))
    reading = FileReading("ok", read_as=next((s.read_as for s in sheets if s.read_as), None))
    tables, rejects, later = reading.tables, reading.rejects, []
    summaries = []
    for sheet in sheets:
        done = SheetReading(sheet)
        reading.sheets.append(done)
        if sheet.hidden:
            done.record = SheetRecord(sheet.name, status="hidden", reason="隐藏的工作表，已跳过")
            continue
        layout = done.layout = find_layout(sheet, spec, rel)
        role = sheet_role(sheet, layout, spec)  # a summary or instruction sheet: skipped, not failed
        if role:
            summaries.append((done, role))  # its record is made below, once the file's detail is known
            continue
        kinds = {k: layout.kinds.count(k) for k in ROW_KINDS}
        if layout.header_row is None:
            empty = all(k == "blank" for k in layout.kinds)
            done.record = SheetRecord(sheet.name, rows=len(sheet.rows), status="empty" if empty else "no_header",
                                      reason="空工作表，已跳过" if empty else "前 15 行中找不到本台账的表头，已跳过",
                                      row_kinds=kinds)
            continue
        found = dict(sheet=sheet.name, rows=len(sheet.rows), header_row=layout.header_row + 1, year_hint=_year_hint(layout),
                     columns={name: layout.column_ref(name) for name in layout.columns},
                     personal_columns_dropped=tuple(layout.personal), unrecognised_headers=tuple(layout.unrecognised),
                     duplicate_headers_ignored=tuple(layout.duplicates))
        missing = layout.missing_required(spec)
        if missing:
            parts = [f"“{c.label}”（可用表头：{'、'.join(c.headers)}）" for c in missing]
            reason = "缺少必填列 " + "；".join(parts)
            if layout.unrecognised:
                reason += f"；未识别的表头：{'、'.join(layout.unrecognised)}"
            done.record = SheetRecord(**found, status="failed", reason=reason, row_kinds=kinds)
            continue
        result = done.result = clean_sheet(sheet, layout, spec, today)
        done.record = SheetRecord(**found, status="ok", row_kinds=result.row_counts, kept=result.kept,
                                  rejected=result.rejected, total_mismatches=tuple(result.total_mismatches),
                                  totals_with_rejects=tuple(result.totals_with_rejects),
                                  unchecked_totals=tuple(result.unchecked_totals),
                                  repeated_rows=tuple(result.repeated_rows), catch_all=result.catch_all,
                                  persons=result.persons)
        if result.later_than_today is not None:
            later.append(result.later_than_today)
        n = result.table.num_rows
        tables.append(result.table.append_column("source_file", _repeated(rel, n))
                      .append_column("source_sheet", _repeated(sheet.name, n)))
        rejects.extend({"file": rel, "sheet": sheet.name, **r} for r in result.rejects)
    detail = [s.record for s in reading.sheets if s.record is not None]
    for done, role in summaries:
        sheet = done.sheet
        reason, mismatches = compare_summary(sheet, detail, tables, spec) if role == "summary" else (None, [])
        done.record = SheetRecord(sheet.name, rows=len(sheet.rows), status=role, reason=reason or ROLE_REASONS[role],
                                  summary_mismatches=tuple(mismatches))
    visible = [r for r in reading.records if r.status != "hidden"]
    if any(r.status == "failed" for r in visible):
        reading.status = "failed" if not any(r.read for r in visible) else "partial"
    elif not any(r.read for r in visible):
        reading.status, reading.reason = "failed", "文件中没有可识别的台账工作表"
    reading.later = min(later, default=None)
    return reading


def _year_hint(layout) -> int | str | None:
    """The year completing 3月5日 as the manifest says it: a number, or a span's text (2023—2024)."""
    year = layout.year
    return year if year is None or isinstance(year, int) else f"{year.first}—{year.last}"


def file_schema(spec: LedgerSpec) -> pa.Schema:
    return pa.schema([(c.name, arrow_type(c)) for c in spec.columns]
                     + [("source_row", pa.int64()), ("source_file", REPEATED_TEXT), ("source_sheet", REPEATED_TEXT)])


# The file's and the sheet's name are the same on every row of a sheet: stored once, with a 4-byte index per row
# (as plain text they were half of a cache entry's bytes, read, checked and passed between processes for every row).
REPEATED_TEXT = pa.dictionary(pa.int32(), pa.string())


def _repeated(text: str, n: int) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(pa.repeat(pa.scalar(0, pa.int32()), n), pa.array([text], pa.string()))


def _file_table(spec: LedgerSpec, tables: list[pa.Table]) -> pa.Table:
    """Kept rows of one file's sheets → one table of the file schema, in one chunk (see _content_key)."""
    table = pa.concat_tables(tables) if tables else file_schema(spec).empty_table()
    return table.combine_chunks()


def _content_key(table: pa.Table) -> str | None:
    """The kept records of one file (sheet, row and every column, not the file name), or None when it kept none.

    The table is made the same way for every file (one chunk, fixed schema, no metadata), and the sheet names are
    hashed as plain text (a dictionary would also hold the names of sheets that kept no row), so equal records
    give equal Arrow IPC bytes."""
    if table.num_rows == 0:
        return None
    records = table.drop_columns(["source_file"])
    i = records.schema.get_field_index("source_sheet")
    records = records.set_column(i, "source_sheet", records.column(i).cast(pa.string()))
    return hashlib.sha256(_ipc_bytes(records)).hexdigest()


def _ipc_bytes(table: pa.Table, options: pa.ipc.IpcWriteOptions | None = None) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema, options=options) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


# Rows from this many bytes up are compressed in a cache entry. zstd costs a fixed ~0.3 ms per entry (a context per
# column buffer), which a file of 50 rows does not repay (1,755 small files: 0.05 → 0.57 s to write, 13 → 7 MB).
COMPRESS_FROM = 32 * 1024


def _entry_options(table: pa.Table) -> pa.ipc.IpcWriteOptions | None:
    """A large entry's columns compressed with zstd (a fifth of their size at 1M rows, 108 → 21 MB: the parent holds
    every file's rows until the ledger tables are built); plain where this pyarrow has no zstd (its reader then
    cleans a compressed entry again, as a damaged one)."""
    if table.nbytes < COMPRESS_FROM or not pa.Codec.is_available("zstd"):
        return None
    return pa.ipc.IpcWriteOptions(compression="zstd")


@dataclass(frozen=True)
class FileResult:
    """What cleaning one file on one day gives: its record, kept rows, rejects and content key, and the days on
    which cleaning it again would give the same: from the day it was cleaned until the first date in it that was
    rejected as later than that day (the only way the day enters a result).

    `rows` is the kept rows' table, or the entry's bytes they are read from when `table` is asked for: a run
    holds every file's result, and only the ledgers built again need their rows (each once)."""
    record: FileRecord
    rows: pa.Table | bytes
    rejects: list
    content: str | None
    cleaned_on: str  # ISO date
    valid_until: str | None = None  # ISO date; None: on every later day

    @property
    def table(self) -> pa.Table:
        if isinstance(self.rows, pa.Table):
            return self.rows
        return pa.ipc.open_stream(pa.py_buffer(self.rows)).read_all().replace_schema_metadata(None)

    def valid_on(self, today: dt.date) -> bool:
        return holds_on(today, self.cleaned_on, self.valid_until)

    def to_bytes(self) -> bytes:
        """One Arrow IPC stream; the rest as JSON in the schema metadata."""
        meta = json.dumps({"record": self.record.to_json(), "rejects": self.rejects, "content": self.content,
                           "cleaned_on": self.cleaned_on, "valid_until": self.valid_until}, ensure_ascii=False)
        table = self.table
        return _ipc_bytes(table.replace_schema_metadata({"entry": meta}), _entry_options(table))

    @classmethod
    def from_bytes(cls, data: bytes) -> FileResult:
        """The result an entry holds; its rows are read when asked for (the stream's first message, read here,
        holds the rest)."""
        meta = json.loads(pa.ipc.open_stream(pa.py_buffer(data)).schema.metadata[b"entry"])
        result = cls(FileRecord.from_json(meta["record"]), data, meta["rejects"], meta["content"],
                     meta["cleaned_on"], meta["valid_until"])
        if not pa.Codec.is_available("zstd"):
            # Read now: an entry compressed elsewhere fails here, where the cache takes it for a damaged one.
            result = replace(result, rows=result.table)
        return result


def clean_file(path: Path, rel: str, ledger: str, today: dt.date, *, copy: bool = False) -> tuple:
    """One workbook → (SHA-256 of the bytes cleaned, its FileResult as bytes, its annotated copy); the hash is None
    when the file could not be read (this also runs in worker processes). Texts a person reads are cut to a sane
    length (text.py).

    The copy, asked for with `copy`, is (.xlsx bytes or None, a problem to mention or None) when the file needs one
    for its own rejected rows (annotate.needs_copy), made from the reading in hand: `analysis clean` keeps it
    (copies.py) instead of reading the file a second time. Otherwise None."""
    spec = load_spec(ledger)
    try:
        data = read_bytes(path)
    except OSError as exc:
        return None, failed_file(rel, ledger, f"文件无法打开（{read_problem(exc)}）", today), None
    digest = hashlib.sha256(data).hexdigest()
    reading = read_file(path, data, rel, spec, today)
    table = _file_table(spec, reading.tables)
    record = FileRecord(file=rel, ledger=ledger, sha256=digest, status=reading.status, sheets=reading.records,
                        reason=reading.reason, read_as=reading.read_as)
    record = FileRecord.from_json(shorten_all(record.to_json()))
    later = reading.later
    made = None
    if copy and needs_copy(record):
        made = copy_or_problem(reading, rel, spec)
    return digest, FileResult(record, table, shorten_all(reading.rejects), _content_key(table), today.isoformat(),
                              later.isoformat() if later else None).to_bytes(), made


def failed_file(rel: str, ledger: str, reason: str, today: dt.date) -> bytes:
    """The FileResult, as bytes, of a file that could not be cleaned at all."""
    record = FileRecord(file=rel, ledger=ledger, status="failed", sheets=(), reason=reason)
    return FileResult(record, _file_table(load_spec(ledger), []), [], None, today.isoformat()).to_bytes()

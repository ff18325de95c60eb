"""The run's outputs from its file results: each ledger's table, rejects.csv and the manifest (a pure function of
what it is given: no disk, no clock).

A file whose kept records are those of a file before it (a re-saved or re-sent copy) is counted once; a ledger
with one row per key (spec.unique_by) loses the rows that repeat a key, each a reject; every record is then made
once, in its final form, and each ledger's totals are sums over them.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from analysis import __version__
from analysis.ingest.cache import code_fingerprint
from analysis.ingest.discover import RawFile
from analysis.ingest.file_result import FileResult
from analysis.ingest.outputs import ledger_table, parquet_bytes, rejects_csv
from analysis.ingest.records import FileRecord, LedgerRecord, Manifest
from analysis.ingest.spec import LedgerSpec, load_spec, spec_fingerprint
from analysis.ingest.tables import MANIFEST, REJECTS, sha256


@dataclass(frozen=True)
class Planned:
    """A file of the run: a problem (raw.problem), a byte-identical copy of an earlier file (copy_of), or a file
    whose result is results[key]."""

    raw: RawFile
    key: str | None = None
    copy_of: str | None = None


@dataclass
class Assembled:
    manifest: Manifest
    outputs: dict[str, bytes]  # output name → bytes: each ledger's Parquet, rejects.csv, manifest.json
    built: list = field(default_factory=list)  # (ledger, result keys, Parquet, years) of ledgers built now
    rejects: list = field(default_factory=list)  # the reject dicts rejects.csv is written from, in its order


def assemble(plan: dict[str, list[Planned]], results: dict[str, FileResult], *, skipped: list, strict: bool,
             synthetic: bool, unsettled: frozenset = frozenset(), prebuilt=None) -> Assembled:
    """plan: ledger → its files in path order; results: key → FileResult; unsettled: keys of results that were not
    cleaned now (a file that could not be read); prebuilt(ledger, keys) → (Parquet, years) of a ledger output made
    before of the same results, or None."""
    records, all_rejects, outputs, built, ledgers = [], [], {}, [], {}
    seen_content = {}  # content key → (file, its result): a file whose kept records another file has
    for ledger, files in plan.items():
        spec = load_spec(ledger)
        mine, kept, keys = [], [], []  # kept: the results the ledger's table is made of
        for p in files:
            if p.raw.problem is not None:
                mine.append(FileRecord(file=p.raw.rel, ledger=ledger, status="failed", sheets=(), reason=p.raw.problem))
                continue
            if p.copy_of is not None:
                mine.append(FileRecord(file=p.raw.rel, ledger=ledger, sha256=p.raw.digest, status="duplicate",
                                       duplicate_of=p.copy_of, sheets=None,
                                       reason=f"与“{p.copy_of}”内容完全相同，只计一次"))
                continue
            result = results[p.key]
            if result.content in seen_content:
                first, original = seen_content[result.content]
                record, extra = _copy_of_records(p.raw, ledger, first, result, original)
                mine.append(record)
                all_rejects.extend(extra)
                continue
            if result.content is not None:
                seen_content[result.content] = (p.raw.rel, result)
            mine.append(result.record)
            kept.append(result)
            keys.append(p.key)
            all_rejects.extend(result.rejects)
        # A ledger with one row per key is built every time (the rows it leaves out are rejects of this run), and
        # so is one with a result not cleaned now.
        cacheable = not spec.unique_by and not unsettled.intersection(keys) and prebuilt is not None
        made = prebuilt(ledger, keys) if cacheable else None
        if made is None:
            table = ledger_table(spec, [result.table for result in kept])  # rows read only for a table built now
            if spec.unique_by:
                table, mine, left_out = _one_row_per_key(spec, table, mine)
                all_rejects.extend(left_out)
            made = parquet_bytes(table), {str(y): int(n) for y, n in table["year"].value_counts().sort_index().items()}
            if cacheable:
                built.append((ledger, keys, *made))
        output = f"{ledger}.parquet"
        outputs[output] = made[0]
        ledgers[ledger] = LedgerRecord.of(spec.label, mine, output, made[1], {c.name: c.label for c in spec.columns})
        records.extend(mine)
    outputs[REJECTS] = rejects_csv(all_rejects)
    failed = any(r.failed for r in records)
    manifest = Manifest(version=__version__, spec_fingerprint=spec_fingerprint(), code_fingerprint=code_fingerprint(),
                        synthetic=synthetic, ledgers=ledgers, files=tuple(records), skipped=tuple(skipped),
                        exit_code=1 if failed or (strict and all_rejects) else 0,
                        outputs={name: sha256(data) for name, data in outputs.items()})
    outputs[MANIFEST] = manifest.json_bytes()
    return Assembled(manifest, outputs, built, all_rejects)


def _copy_of_records(raw: RawFile, ledger: str, first: str, result: FileResult, original: FileResult):
    """The record of a file whose kept records are those of `first`, and its rejects that `first` does not have:
    its kept rows are counted once, and rows rejected only in this copy are still listed, not lost."""
    reason = f"与“{first}”的记录逐行相同（文件本身不同，可能是另存或重发的同一份台账），只计一次"
    extra = _rejects_not_in(result.rejects, original.rejects)
    rows = len({(r["sheet"], r["row"]) for r in extra}) if extra else None
    if rows:
        reason += f"；但此文件另有 {rows} 行被剔除而原文件中没有，已列入 rejects.csv"
    return FileRecord(file=raw.rel, ledger=ledger, sha256=raw.digest, status="duplicate", duplicate_of=first,
                      sheets=None, reason=reason, rows_rejected=rows), extra


def _rejects_not_in(rejects: list, original: list) -> list:
    """The rejects of a copy that its original does not have (same sheet, row, column, value and reason)."""
    fields = ("sheet", "row", "column", "value", "reason")
    known = {tuple(r[f] for f in fields) for r in original}
    return [r for r in rejects if tuple(r[f] for f in fields) not in known]


def _one_row_per_key(spec: LedgerSpec, table, files: list[FileRecord]):
    """(the table with one row per key, the ledger's file records made again for the sheets that lost rows, the
    rejects of the rows left out)."""
    from analysis.ingest.unique import one_row_per_key

    sheets = {(f.file, s.sheet): s for f in files for s in f.sheets or ()}
    table, rejects = one_row_per_key(spec, table, sheets)
    if not rejects:
        return table, files, rejects
    left_out = {}
    for r in rejects:
        left_out.setdefault((r["file"], r["sheet"]), set()).add(r["row"])
    remade = []
    for f in files:
        if not any((f.file, s.sheet) in left_out for s in f.sheets or ()):
            remade.append(f)
            continue
        remade.append(replace(f, sheets=tuple(_without(s, left_out.get((f.file, s.sheet), set())) for s in f.sheets)))
    return table, remade, rejects


def _without(sheet, rows: set):
    """A sheet's record once `rows` (Excel row numbers, kept before) are left out: still 数据行 = 保留 + 剔除, and a
    row left out is no longer one of the sheet's identical rows "均已保留"."""
    if not rows:
        return sheet
    groups = [[n for n in g if n not in rows] for g in sheet.repeated_rows]
    return replace(sheet, kept=sheet.kept - len(rows), rejected=(sheet.rejected or 0) + len(rows),
                   repeated_rows=tuple(g for g in groups if len(g) > 1))

"""A raw folder → data/processed: every ledger's tidy table, rejects.csv and manifest.json (orchestration only).

Files are found by folder (data/raw/<ledger>/**), read once per distinct content, and every row of
every sheet is accounted for by kind. Outputs are replaced together (commit.replace_all) and are
byte-identical for the same raw files; manifest.json records the checksum of every other output, so that a
reader can tell that what it reads belongs to one run (tables.py). The steps live in their own modules:
discover, file_result (one file), cache, workers, outputs, commit, lock, manifest (the summary a person reads).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from analysis import __version__
from analysis.ingest import commit
from analysis.ingest.cache import CACHE_DIR, STATE, FileCache, code_fingerprint, run_key, state_json, unchanged_manifest
from analysis.ingest.discover import inputs, is_synthetic
from analysis.ingest.lock import CleanBusy, exclusive
from analysis.ingest.manifest import summary_lines
from analysis.ingest.os_errors import CleanFailed, RunError
from analysis.ingest.spec import ledger_names, load_spec, spec_fingerprint
from analysis.ingest.tables import MANIFEST, REJECTS, sha256

__all__ = ["clean", "CleanResult", "CleanBusy", "CleanFailed", "RunError", "default_jobs"]

# A file that changes while it is read makes the run start over (from the cache: only that file is read again).
ATTEMPTS = 3

# Each worker holds its own interpreter and value memo (~100–250 MB at a million rows): more than this
# many costs memory without much gain on the machines this runs on.
MAX_DEFAULT_JOBS = 8


def default_jobs() -> int:
    """One worker per core this process may use, at most MAX_DEFAULT_JOBS."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_DEFAULT_JOBS))


@dataclass
class CleanResult:
    manifest: dict
    exit_code: int


def clean(raw_dir: Path, out_dir: Path, *, strict: bool = False, jobs: int = 1, echo=print) -> CleanResult:
    """Clean every ledger file under raw_dir into out_dir. With jobs > 1, many changed files are cleaned in
    that many worker processes (the commands pass default_jobs(); a script that does so needs the usual
    `if __name__ == "__main__":` guard where Python starts workers by spawn or forkserver).
    RunError (one Chinese line) when the run cannot go on: the folder is busy, the disk full, and so on."""
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    with exclusive(out_dir):
        commit.recover(out_dir)  # a change that a killed run left half done is completed before anything else
        for _ in range(ATTEMPTS):
            found, skipped = inputs(raw_dir, ledger_names())
            key = run_key([[(f.rel, f.digest or f.problem) for files in found.values() for f in files], skipped], strict)
            manifest = unchanged_manifest(out_dir, key)
            if manifest is not None:
                echo(f"{raw_dir} 中的台账自上次清洗后没有变化，{out_dir} 已是最新。")
                return CleanResult(manifest=manifest, exit_code=manifest["exit_code"])
            manifest, note = _clean_all(raw_dir, out_dir, found, skipped, strict, key, jobs, echo)
            if manifest is not None:
                break
        else:
            raise CleanFailed("原始台账在清洗过程中一再被改动（可能正在复制或保存）；请等文件复制、保存完成后再运行 analysis clean，"
                              "输出文件保持上一次完整的状态")
    for line in summary_lines(manifest, out_dir) + ([note] if note else []):
        echo(line)
    return CleanResult(manifest=manifest, exit_code=manifest["exit_code"])


def _clean_all(raw_dir, out_dir, found, skipped, strict, state_key, jobs, echo) -> tuple[dict | None, str | None]:
    """(manifest, the cache's note) once the outputs are written; (None, None) when a file changed while it was
    read (its new content is cached, and the caller starts over)."""
    # Imported here: a run with nothing changed returns before this and never needs pandas or pyarrow (0.4 s).
    from analysis.ingest.file_result import FileResult
    from analysis.ingest.outputs import ledger_table, manifest_json, parquet_bytes, rejects_csv
    from analysis.ingest.workers import clean_misses

    # Synthetic demo ledgers are flagged so that every page built from them says 示例数据.
    manifest = {"version": __version__, "spec_fingerprint": spec_fingerprint(), "code_fingerprint": code_fingerprint(),
                "synthetic": is_synthetic(raw_dir), "ledgers": {}, "files": [], "skipped": skipped}
    cache = FileCache(out_dir)
    # Every file once per distinct content, in path order; the cache answers for files cleaned before.
    plan = {ledger: [] for ledger in found}  # (RawFile, cache key or None for a byte-identical copy)
    first_of, entries, misses = {}, {}, []
    for ledger, files in found.items():
        for f in files:
            if f.problem is not None or f.digest in first_of:
                plan[ledger].append((f, None))
                continue
            first_of[f.digest] = f.rel
            key = cache.key(f.rel, f.digest, ledger)
            plan[ledger].append((f, key))
            entries[key] = cache.get(key, f.rel)
            if entries[key] is None:
                misses.append(f)
    changed, unsettled = False, set()  # keys of the files not cleaned now
    for f, digest, data, crashed in clean_misses(misses, jobs, echo, isolate=cache.crashed_before):
        if digest is None:  # not cleaned now (unreadable, or its worker died): named as failed, not remembered
            key = cache.key(f.rel, f.digest, f.ledger)
            entries[key] = FileResult.from_bytes(data)
            unsettled.add(key)
            if crashed:
                cache.crashed.add(f.rel)
            continue
        cache.put(cache.key(f.rel, digest, f.ledger), data)
        if digest != f.digest:  # the file changed after it was hashed: start over with what it is now
            changed = True
            continue
        entries[cache.key(f.rel, digest, f.ledger)] = FileResult.from_bytes(data)
    if changed:
        return None, None

    outputs = {}  # replaced together at the end, so that a failure leaves the previous outputs whole
    all_rejects, seen_content = [], {}
    for ledger, files in plan.items():
        spec = load_spec(ledger)
        tables, parts = [], []  # the per-file tables of the ledger's rows, in order, and their entries' keys
        lsum = {"label": spec.label, "files": 0, "sheets": 0, "rows_kept": 0, "rows_rejected": 0, "files_failed": 0,
                "duplicates": 0}
        for f, key in files:
            rel, digest = f.rel, f.digest
            if f.problem is not None:
                manifest["files"].append({"file": rel, "ledger": ledger, "status": "failed", "sheets": [],
                                          "reason": f.problem})
                lsum["files"] += 1
                lsum["files_failed"] += 1
                continue
            if key is None:
                first = first_of[digest]
                manifest["files"].append({"file": rel, "ledger": ledger, "sha256": digest, "status": "duplicate",
                                          "duplicate_of": first, "reason": f"与“{first}”内容完全相同，只计一次"})
                lsum["duplicates"] += 1
                continue
            entry = entries[key]
            if entry.content in seen_content:
                first, original = seen_content[entry.content]
                dup = {"file": rel, "ledger": ledger, "sha256": digest, "status": "duplicate", "duplicate_of": first,
                       "reason": f"与“{first}”的记录逐行相同（文件本身不同，可能是另存或重发的同一份台账），只计一次"}
                # Its kept rows are counted once; rows rejected only in this copy are still listed, not lost.
                extra = _rejects_not_in(entry.rejects, original.rejects)
                if extra:
                    rows = len({(r["sheet"], r["row"]) for r in extra})
                    dup["rows_rejected"] = rows
                    dup["reason"] += f"；但此文件另有 {rows} 行被剔除而原文件中没有，已列入 rejects.csv"
                    all_rejects.extend(extra)
                    lsum["rows_rejected"] += rows
                manifest["files"].append(dup)
                lsum["duplicates"] += 1
                continue
            if entry.content is not None:
                seen_content[entry.content] = (rel, entry)
            record = entry.record
            manifest["files"].append(record)
            tables.append(entry.table)
            parts.append(key)
            all_rejects.extend(entry.rejects)
            lsum["files"] += 1
            lsum["files_failed"] += record["status"] in ("failed", "partial")
            for s in record["sheets"]:
                lsum["sheets"] += s["status"] == "ok"
                lsum["rows_kept"] += s.get("kept", 0)
                lsum["rows_rejected"] += s.get("rejected", 0)
        lsum["output"] = f"{ledger}.parquet"
        # Built again only when one of its files changed; never kept when a file of it could not be cleaned now.
        # A ledger with one row per key is built every time: the rows it leaves out are rejects of this run.
        cacheable = not unsettled.intersection(parts) and not spec.unique_by
        ledger_key = cache.ledger_key(ledger, parts) if cacheable else None
        built = cache.ledger_output(ledger_key) if ledger_key else None
        if built is None:
            table = ledger_table(spec, tables)
            if spec.unique_by:
                table = _one_row_per_key(spec, table, manifest["files"], lsum, all_rejects)
            built = parquet_bytes(table), {str(y): int(n) for y, n in table["year"].value_counts().sort_index().items()}
            if ledger_key:
                cache.put_ledger_output(ledger_key, *built)
        outputs[out_dir / f"{ledger}.parquet"], lsum["years"] = built
        manifest["ledgers"][ledger] = lsum
    outputs[out_dir / REJECTS] = rejects_csv(all_rejects)
    failed = any(f["status"] in ("failed", "partial") for f in manifest["files"])
    manifest["exit_code"] = 1 if failed or (strict and all_rejects) else 0
    manifest["outputs"] = {path.name: sha256(data) for path, data in outputs.items()}  # what tables.py checks
    manifest_bytes = manifest_json(manifest).encode("utf-8")
    outputs[out_dir / MANIFEST] = manifest_bytes
    # A run with a file that could not be cleaned is never "up to date": the next run tries that file again.
    outputs[out_dir / CACHE_DIR / STATE] = state_json(None if unsettled else state_key, manifest_bytes, cache)
    commit.replace_all(out_dir, outputs)
    cache.prune()
    return manifest, cache.note()


def _one_row_per_key(spec, table, records: list, lsum: dict, all_rejects: list):
    """The ledger's table with one row per key (spec.unique_by); each row left out becomes a reject of its sheet."""
    from analysis.ingest.unique import one_row_per_key

    sheets = {(r["file"], s["sheet"]): s for r in records if r.get("ledger") == spec.ledger for s in r.get("sheets", [])}
    table, rejects = one_row_per_key(spec, table, sheets)
    for r in rejects:  # still 数据行 = 保留 + 剔除 for every sheet
        sheet = sheets[(r["file"], r["sheet"])]
        sheet["kept"] -= 1
        sheet["rejected"] = sheet.get("rejected", 0) + 1
        # A row left out is no longer one of the sheet's identical rows "均已保留".
        groups = [[n for n in g if n != r["row"]] for g in sheet.get("repeated_rows", [])]
        if groups := [g for g in groups if len(g) > 1]:
            sheet["repeated_rows"] = groups
        else:
            sheet.pop("repeated_rows", None)
    lsum["rows_kept"] -= len(rejects)
    lsum["rows_rejected"] += len(rejects)
    all_rejects.extend(rejects)
    return table


def _rejects_not_in(rejects: list, original: list) -> list:
    """The rejects of a copy that its original does not have (same sheet, row, column, value and reason)."""
    fields = ("sheet", "row", "column", "value", "reason")
    known = {tuple(r[f] for f in fields) for r in original}
    return [r for r in rejects if tuple(r[f] for f in fields) not in known]

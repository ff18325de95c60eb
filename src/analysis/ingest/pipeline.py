"""A raw folder → data/processed: every ledger's tidy table, rejects.csv and manifest.json (orchestration only).

Files are found by folder (data/raw/<ledger>/**), read once per distinct content, and every row of
every sheet is accounted for by kind. Outputs are replaced together (commit.replace_all) and are
byte-identical for the same raw files; manifest.json records the checksum of every other output, so that a
reader can tell that what it reads belongs to one run (tables.py). A run is four steps: plan (what to read, what
the cache has), run (the files to clean, in workers), assemble (a pure function: file results in, tables, rejects
and manifest out) and save (the commit). Their parts live in their own modules: discover, file_result (one file),
cache, workers, assemble, outputs, records, commit, lock, manifest (the summary a person reads).

The files with rejected rows or values taken in by a catch-all also get an annotated copy in <out>/批注副本/,
written in the same commit as the other outputs (copies.py).
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.ingest.cache import CACHE_DIR, STATE, FileCache, run_key, state_json, unchanged_manifest
from analysis.ingest.discover import inputs, is_synthetic
from analysis.ingest.manifest import summary_lines
from analysis.ingest.records import Manifest
from analysis.ingest.spec import ledger_names
from analysis.ingest.tables import MANIFEST
from analysis.shared import commit
from analysis.shared.lock import CleanBusy, exclusive
from analysis.shared.os_errors import CleanFailed, RunError

if TYPE_CHECKING:
    from analysis.ingest.assemble import Assembled
    from analysis.ingest.copies import Copies

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
    manifest: Manifest
    exit_code: int
    cleaned: bool = True  # False when nothing had changed since the last clean (its outputs stand)


def clean(raw_dir: Path, out_dir: Path, *, strict: bool = False, jobs: int = 1, echo=print,
          today: dt.date | None = None) -> CleanResult:
    """Clean every ledger file under raw_dir into out_dir, as on `today` (dates after it are rejects; default: the
    clock's). With jobs > 1, many changed files are cleaned in that many worker processes (the commands pass
    default_jobs(); a script that does so needs the usual `if __name__ == "__main__":` guard where Python starts
    workers by spawn or forkserver).
    RunError (one Chinese line) when the run cannot go on: the folder is busy, the disk full, and so on."""
    raw_dir, out_dir, today = Path(raw_dir), Path(out_dir), today or dt.date.today()
    with exclusive(out_dir):
        commit.recover(out_dir)  # a change that a killed run left half done is completed before anything else
        for _ in range(ATTEMPTS):
            found, skipped = inputs(raw_dir, ledger_names())
            key = run_key([[(f.rel, f.digest or f.problem) for files in found.values() for f in files], skipped], strict)
            previous = unchanged_manifest(out_dir, key, today)
            if previous is not None:
                echo(f"{raw_dir} 中的台账自上次清洗后没有变化，{out_dir} 已是最新。")
                manifest = Manifest.from_json(previous)
                return CleanResult(manifest=manifest, exit_code=manifest.exit_code, cleaned=False)
            # Imported here: a run with nothing changed never needs pandas or pyarrow (0.4 s to import).
            from analysis.ingest.assemble import assemble

            cache = FileCache(out_dir)
            plan, results, misses = _plan(found, cache, today)
            unsettled = _run(misses, results, cache, today, jobs, echo)
            if unsettled is not None:
                break
        else:
            raise CleanFailed("原始台账在清洗过程中一再被改动（可能正在复制或保存）；请等文件复制、保存完成后再运行 analysis clean，"
                              "输出文件保持上一次完整的状态")
        run = assemble(plan, results, skipped=skipped, strict=strict, synthetic=is_synthetic(raw_dir),
                       unsettled=unsettled, prebuilt=cache.ledger_output)
        from analysis.ingest.copies import annotated_copies

        copies = annotated_copies(plan, results, run, cache, today, jobs, echo)
        _save(out_dir, run, cache, None if unsettled else key, today,
              min((r.valid_until for r in results.values() if r.valid_until), default=None), copies)
    note = cache.note()
    for line in summary_lines(run.manifest, out_dir) + ([note] if note else []):
        echo(line)
    return CleanResult(manifest=run.manifest, exit_code=run.manifest.exit_code)


def _plan(found: dict, cache: FileCache, today: dt.date):
    """Every file once per distinct content, in path order: (ledger → [Planned], key → the cache's FileResult for
    the files cleaned before, the RawFiles to clean now)."""
    from analysis.ingest.assemble import Planned

    plan, results, misses, first_of = {}, {}, [], {}
    for ledger, files in found.items():
        plan[ledger] = []
        for f in files:
            if f.problem is not None:
                plan[ledger].append(Planned(f))
            elif f.digest in first_of:
                plan[ledger].append(Planned(f, copy_of=first_of[f.digest]))
            else:
                first_of[f.digest] = f.rel
                key = cache.key(f.rel, f.digest, ledger)
                plan[ledger].append(Planned(f, key=key))
                results[key] = cache.get(key, f.rel, today)
                if results[key] is None:
                    misses.append(f)
    return plan, results, misses


def _run(misses: list, results: dict, cache: FileCache, today: dt.date, jobs: int, echo) -> frozenset | None:
    """Clean the files the cache did not have into `results` (and the cache): the keys of those not cleaned now
    (unreadable, or their worker died), or None when a file changed while it was read (its new content is cached,
    and the run starts over)."""
    from analysis.ingest.copies import keep_copy
    from analysis.ingest.file_result import FileResult
    from analysis.ingest.workers import clean_misses

    changed, unsettled = False, set()
    for f, digest, data, copy, crashed in clean_misses(misses, today, jobs, echo, isolate=cache.crashed_before):
        if digest is None:  # not cleaned now: named as failed, not remembered
            key = cache.key(f.rel, f.digest, f.ledger)
            results[key] = FileResult.from_bytes(data)
            unsettled.add(key)
            if crashed:
                cache.crashed.add(f.rel)
            continue
        key = cache.key(f.rel, digest, f.ledger)
        cache.put(key, data)
        if copy is not None and copy[0] is not None:
            keep_copy(cache, key, copy[0])
        if digest != f.digest:  # the file changed after it was hashed: start over with what it is now
            changed = True
            continue
        results[key] = FileResult.from_bytes(data)
    return None if changed else frozenset(unsettled)


def _save(out_dir: Path, run: Assembled, cache: FileCache, key: str | None, today: dt.date, valid_until,
          copies: Copies) -> None:
    """Replace the outputs together (a failure leaves the previous ones whole), then keep what the next run reuses.
    A run with a file that could not be cleaned is never "up to date" (key None): the next run tries it again.
    The annotated copies are replaced with the rest, and those no longer needed removed in the same commit."""
    for ledger, entries, parquet, years in run.built:
        cache.put_ledger_output(ledger, entries, parquet, years)
    outputs = {out_dir / name: data for name, data in run.outputs.items()}
    outputs.update(copies.outputs(out_dir))
    outputs[out_dir / CACHE_DIR / STATE] = state_json(key, run.outputs[MANIFEST], cache, today, valid_until)
    commit.replace_all(out_dir, outputs, remove=copies.stale(out_dir))
    copies.remove_empty_folders(out_dir)
    cache.prune()

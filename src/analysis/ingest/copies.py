"""The annotated copies `analysis clean` writes (annotate.py): one for each file with rejected rows
(annotate.needs_copy), in <out>/批注副本/, replaced in the same commit as the other outputs.

A copy is made by the worker that cleans the file, from the reading in hand (the file is not read twice), and kept
in the cache beside the file's result, keyed by what it is made of (the file's cached result, the rejects the run
adds, the library that writes it), so that it is made again only when the file, the specs or the program change; a
file to which the run adds rejects (a ledger's one-row-per-key rule) gets its copy made again here. A copy of a
file that no longer needs one is removed in the same commit. Making a copy never fails the clean: a copy that
cannot be made is mentioned and left out.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.ingest.annotate import COPIES_DIR, copy_name, needs_copy
from analysis.shared import commit

if TYPE_CHECKING:
    from analysis.ingest.assemble import Assembled
    from analysis.ingest.cache import FileCache


@dataclass
class Copies:
    """The copies of one run: name under the output folder → .xlsx bytes."""
    files: dict

    def outputs(self, out_dir: Path) -> dict:
        """{path: bytes} of the copies that differ from what out_dir holds (an unchanged copy is not written again:
        each costs an fsync)."""
        changed = {}
        for name, data in self.files.items():
            target = out_dir / name
            try:
                same = target.stat().st_size == len(data) and target.read_bytes() == data
            except OSError:
                same = False
            if not same:
                changed[target] = data
        return changed

    def stale(self, out_dir: Path) -> list[Path]:
        """The copies of files that no longer need one (fixed, or gone): removed in the same commit as the rest."""
        folder, keep = out_dir / COPIES_DIR, {out_dir / name for name in self.files}
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.rglob("*.xlsx") if p.is_file() and p not in keep)

    @staticmethod
    def remove_empty_folders(out_dir: Path) -> None:
        """The folders of 批注副本 left empty once their copies went (nothing here fails the run)."""
        folder = out_dir / COPIES_DIR
        if not folder.is_dir():
            return
        for path in sorted((p for p in folder.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
            with contextlib.suppress(OSError):
                if not any(path.iterdir()):
                    path.rmdir()
        with contextlib.suppress(OSError):
            if not any(folder.iterdir()):
                folder.rmdir()


def annotated_copies(plan: dict, results: dict, run: Assembled, cache: FileCache, today: dt.date, jobs: int,
                      echo) -> Copies:
    """{name under the output folder: .xlsx bytes} of the annotated copy of every file with rejected rows
    (annotate.needs_copy), from the cache when it holds one made of the same result (the workers keep the copies
    they make: keep_copy); the others are made now, in `jobs` processes when there are many."""
    records = {r.file: r for r in run.manifest.files}
    wanted = [(ledger, p) for ledger, files in plan.items() for p in files
              if p.key is not None and p.key in cache.contents and p.raw.rel in records and needs_copy(records[p.raw.rel])]
    if not wanted:
        return Copies({})
    run_rejects: dict = {}
    for r in run.rejects:
        run_rejects.setdefault(r["file"], []).append(r)
    copies, todo = {}, []
    for ledger, p in wanted:
        # Rows rejected by the run but not by the file's own reading (a ledger's one-row-per-key rule): shown too.
        own = {(r["sheet"], r["row"]) for r in results[p.key].rejects}
        extra = [r for r in run_rejects.get(p.raw.rel, []) if (r["sheet"], r["row"]) not in own]
        name = f"{COPIES_DIR}/{copy_name(p.raw.rel)}"
        entry = _entry(cache, p.key, extra)
        stored = _stored_copy(entry)
        if stored is not None:
            cache.used.add(entry.name)
            copies[name] = stored
        else:
            todo.append((name, entry, (p.raw.path, p.raw.rel, ledger, p.raw.digest, today, extra)))
    workers = min(jobs, len(todo) // COPIES_PER_WORKER)
    made = _in_workers([job for _, _, job in todo], workers) if workers > 1 else None
    for i, (name, entry, job) in enumerate(todo):
        data, problem = made[i] if made is not None else make_copy(*job)
        if problem:
            echo(f"[提示] 批注副本：{job[1]} 的批注副本未能生成（{problem}）；清洗结果不受影响")
        if data is None:
            continue
        commit.write_bytes(entry, hashlib.sha256(data).digest() + data)
        cache.used.add(entry.name)
        copies[name] = data
    return Copies(copies)


# A copy of a large ledger takes a few tenths of a second (XlsxWriter writes every cell and comment): many are
# made in processes.
COPIES_PER_WORKER = 4


def _in_workers(jobs: list, workers: int) -> list | None:
    """make_copy of each job in `workers` processes, in order; None when the pool failed (made in this one)."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    try:
        with ProcessPoolExecutor(workers) as pool:
            return list(pool.map(make_copy, *zip(*jobs)))
    except (BrokenProcessPool, OSError):
        return None


_COPY_PREFIX = "copy-"


def _entry(cache: FileCache, key: str, extra: list) -> Path:
    """Where the cache keeps a copy, named by what it is made of: the file's cached result (its bytes, path, ledger,
    the specs and the code, through cache.key, and the result itself), the rejects the run adds, and the library
    that writes the workbook."""
    parts = (key, cache.contents[key], json.dumps(extra, ensure_ascii=False, sort_keys=True), _writer_version())
    return cache.folder / f"{_COPY_PREFIX}{hashlib.sha256(chr(0).join(parts).encode()).hexdigest()}.xlsx"


@functools.cache
def _writer_version() -> str:
    """XlsxWriter's version, looked up once: reading the installed packages' metadata takes a few tenths of a
    millisecond, asked for each of hundreds of copies."""
    import importlib.metadata

    return importlib.metadata.version("xlsxwriter")


def keep_copy(cache: FileCache, key: str, data: bytes) -> None:
    """Keep the copy a worker made while cleaning the file of cache entry `key` (file_result.clean_file), for
    annotated_copies to take when the run adds no rejects to that file (nearly always): the file is not read
    again. A copy that is not taken is pruned with the rest of the cache."""
    commit.write_bytes(_entry(cache, key, []), hashlib.sha256(data).digest() + data)


def _stored_copy(entry: Path) -> bytes | None:
    """A copy kept in the cache (its SHA-256, then the .xlsx), checked; None when missing or damaged."""
    try:
        stored = entry.read_bytes()
    except OSError:
        return None
    return stored[32:] if hashlib.sha256(stored[32:]).digest() == stored[:32] else None


def make_copy(path: Path, rel: str, ledger: str, digest: str, today: dt.date, extra: list) -> tuple:
    """(.xlsx bytes or None, a problem to mention or None): one file read as clean reads it and annotated, for the
    files whose copy the workers did not make (the run added rejects to them, or the cache lost it). None without a
    problem when the file changed since it was hashed (the next run makes the copy). Runs in workers."""
    from analysis.ingest.annotate import copy_or_problem
    from analysis.ingest.discover import read_bytes, read_problem
    from analysis.ingest.file_result import read_file
    from analysis.ingest.spec import load_spec

    try:
        data = read_bytes(path)
    except OSError as exc:
        return None, f"文件无法打开（{read_problem(exc)}）"
    if hashlib.sha256(data).hexdigest() != digest:
        return None, None
    spec = load_spec(ledger)
    reading = read_file(path, data, rel, spec, today)
    return copy_or_problem(reading, rel, spec, rejects=reading.rejects + extra)

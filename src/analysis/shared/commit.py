"""Replacing files so that a reader never sees half of a change, even after kill -9 or a power cut.

`replace_all(root, files, remove)` replaces several files under one folder, and removes others, as one change:

1. every new file is written beside its target as `.<name>.<random>.tmp` and fsync'd;
2. every existing target, and every file to remove, gets a second name (a hard link, or a copy where links are not
   supported), so that the previous version can be put back;
3. a journal (`root/.commit-journal.json`, written the same way, fsync'd) lists staged file, target and backup,
   and the files to remove with their backups; from here on the change is decided;
4. the staged files are renamed onto their targets (atomic for each file), the files to remove are removed, and
   the folders fsync'd;
5. the backups and the journal are removed.

An error in step 4 (a file held open by Excel on Windows, say) puts the previous files back (the removed ones
too) before the error is reported, so the previous outputs stay whole. A process killed in step 4 leaves the
journal: the next run calls `recover(root)` before anything else and completes the change (every staged file was
complete and on disk before the journal was written; removing a file again is harmless). `recover` also removes
temporary files that a killed run left behind.

Readers tell a half-done change from a finished one by the checksums in manifest.json (see tables.py).
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from analysis.shared.os_errors import WINDOWS, OutputError, describe

JOURNAL = ".commit-journal.json"
# `.<name>.<8 hex digits>.tmp` (staged file) and `.<name>.<8 hex digits>.old.tmp` (backup): what recover() removes.
_TEMPORARY = re.compile(r"^\..+\.[0-9a-f]{8}(?:\.old)?\.tmp$")


def _temporary(target: Path, kind: str = "") -> Path:
    return target.with_name(f".{target.name}.{secrets.token_hex(4)}{kind}.tmp")


def _write(path: Path, data: bytes | str, sync: bool) -> None:
    # open(…, "x") rather than tempfile.mkstemp, whose 0600 mode would survive the rename: outputs get the usual
    # umask permissions.
    with open(path, "xb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))
        if sync:
            f.flush()
            os.fsync(f.fileno())


def _sync_folder(folder: Path) -> None:
    """Make the renames in `folder` durable (POSIX; Windows cannot open a folder for fsync, and NTFS journals them)."""
    if WINDOWS:
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def _as_output_error(path: Path):
    """An OSError while writing `path` becomes an OutputError: one Chinese line."""
    try:
        yield
    except OSError as exc:
        raise OutputError(describe(exc, path)) from exc


@contextmanager
def atomic_path(target: Path):
    """Yield a temporary path beside `target`; on success it replaces `target`, on any error it is removed."""
    target = Path(target)
    with _as_output_error(target):
        target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temporary(target)
    try:
        yield tmp
        with _as_output_error(target):
            os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_bytes(target: Path, data: bytes) -> None:
    """One file, replaced atomically (not fsync'd: for files that carry their own checksum, such as cache entries)."""
    with atomic_path(target) as tmp, _as_output_error(target):
        _write(tmp, data, sync=False)


def write_text(target: Path, text: str, encoding: str = "utf-8") -> None:
    write_bytes(target, text.encode(encoding))


@dataclass
class _Entry:
    target: Path
    staged: Path
    backup: Path | None = None


def replace_all(root: Path, files: dict, remove=()) -> None:
    """Replace every target (a path under `root`) by its new content (bytes or str), and remove every file of
    `remove` (paths of files under `root`; those that do not exist, or that `files` writes, are skipped), all or
    none; see the module doc. Raises OutputError (one Chinese line) for an operating-system error, the previous
    files left whole."""
    root = Path(root)
    entries: list[_Entry] = []
    removals: list[_Entry] = []  # staged is None: the target goes, its backup puts it back
    try:
        for target, data in files.items():
            target = Path(target)
            with _as_output_error(target):
                target.parent.mkdir(parents=True, exist_ok=True)
                entry = _Entry(target, _temporary(target))
                entries.append(entry)
                _write(entry.staged, data, sync=True)
        for entry in entries:
            if os.path.lexists(entry.target):
                entry.backup = _temporary(entry.target, ".old")
                with _as_output_error(entry.target):
                    _keep(entry.target, entry.backup)
        replaced = {e.target for e in entries}
        for target in dict.fromkeys(Path(t) for t in remove):
            if target in replaced or not os.path.lexists(target):
                continue
            entry = _Entry(target, None, _temporary(target, ".old"))
            removals.append(entry)
            with _as_output_error(target):
                _keep(target, entry.backup)
        with _as_output_error(root / JOURNAL):
            _write_journal(root, entries, "forward", removals)
    except BaseException:  # nothing replaced yet: the change is dropped
        _remove(*(p for e in [*entries, *removals] for p in (e.staged, e.backup)), root / JOURNAL)
        raise
    done = []
    try:
        for entry in entries:
            with _as_output_error(entry.target):
                os.replace(entry.staged, entry.target)
            done.append(entry)
        for entry in removals:
            with _as_output_error(entry.target):
                os.unlink(entry.target)
            done.append(entry)
        with _as_output_error(root):
            for folder in sorted({e.target.parent for e in [*entries, *removals]}):
                _sync_folder(folder)
    except BaseException:
        _roll_back(root, entries, done, removals)
        raise
    _finish(root, [*entries, *removals])


def _keep(target: Path, backup: Path) -> None:
    """A second name for the current version of `target`: a hard link (no copy), else a copy."""
    try:
        os.link(target, backup)
    except OSError:  # FAT, exFAT and some network drives have no hard links
        shutil.copyfile(target, backup)


def _write_journal(root: Path, entries: list[_Entry], mode: str, removals: list[_Entry]) -> None:
    def rel(p: Path | None):
        return None if p is None else p.relative_to(root).as_posix()

    text = json.dumps({"mode": mode, "files": [{"target": rel(e.target), "staged": rel(e.staged), "backup": rel(e.backup)}
                                               for e in entries],
                       "remove": [{"target": rel(e.target), "backup": rel(e.backup)} for e in removals]},
                      ensure_ascii=False)
    journal = root / JOURNAL
    staged = _temporary(journal)
    try:
        _write(staged, text, sync=True)
        os.replace(staged, journal)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    _sync_folder(root)


def _roll_back(root: Path, entries: list[_Entry], done: list[_Entry], removals: list[_Entry]) -> None:
    """Put the previous files back (the removed ones too) after an error in step 4. When even that fails (the disk
    went away), the journal stays and the next run completes the change instead."""
    try:
        _write_journal(root, entries, "back", removals)
        for entry in done:
            if entry.backup is not None:
                os.replace(entry.backup, entry.target)
            else:
                entry.target.unlink(missing_ok=True)
        for folder in sorted({e.target.parent for e in [*entries, *removals]}):
            _sync_folder(folder)
        _finish(root, [*entries, *removals])
    except OSError:
        pass


def _finish(root: Path, entries: list[_Entry]) -> None:
    """Remove what the change no longer needs. Nothing here can fail the change: what is left is removed by the
    next run's recover() (a journal found again only finds its work done)."""
    _remove(*(p for e in entries for p in (e.staged, e.backup)), root / JOURNAL)
    try:
        _sync_folder(root)
    except OSError:
        pass


def _remove(*paths) -> None:
    """Remove every one of `paths` that exists; a Ctrl-C meanwhile is raised once all are removed."""
    interrupted = None
    for p in paths:
        if p is not None:
            try:
                p.unlink(missing_ok=True)
            except OSError:
                pass  # recover() removes it next time
            except KeyboardInterrupt as exc:
                interrupted = exc
    if interrupted is not None:
        raise interrupted


def recover(root: Path) -> None:
    """Complete (or, after an error, undo) a change that a killed run left half done, and remove the temporary files
    of killed runs. Call it holding the folder's lock, before reading or writing anything there."""
    root = Path(root)
    journal = root / JOURNAL
    with _as_output_error(root):
        if journal.exists():
            try:
                plan = json.loads(journal.read_text(encoding="utf-8"))
                entries = [_Entry(root / f["target"], root / f["staged"], f["backup"] and root / f["backup"])
                           for f in plan["files"]]
                # journals written before files could be removed have no "remove"
                removals = [_Entry(root / f["target"], None, root / f["backup"]) for f in plan.get("remove", [])]
            except (ValueError, KeyError, TypeError, AttributeError):  # not a journal of ours: nothing can be done
                entries, removals, plan = [], [], {"mode": "forward"}
            for entry in entries:
                if plan["mode"] == "forward":
                    if entry.staged.exists():
                        os.replace(entry.staged, entry.target)
                elif entry.backup is not None:
                    if entry.backup.exists():
                        os.replace(entry.backup, entry.target)
                elif not entry.staged.exists():  # it had no previous version: it was new in the change undone
                    entry.target.unlink(missing_ok=True)
            for entry in removals:
                if plan["mode"] == "forward":
                    entry.target.unlink(missing_ok=True)
                elif entry.backup.exists():
                    os.replace(entry.backup, entry.target)
            for folder in sorted({e.target.parent for e in [*entries, *removals]}):
                _sync_folder(folder)
            _finish(root, [*entries, *removals])
        if root.is_dir():
            _remove(*(p for p in root.rglob(".*.tmp") if _TEMPORARY.match(p.name)))

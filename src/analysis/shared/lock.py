"""One writer at a time per folder: one clean per output folder, one briefing per reports folder.

The locks are the operating system's own (filelock: flock on Linux and macOS, LockFileEx on Windows), held by an
open file: they end with the process that holds them, so a run killed outright never leaves a lock that blocks
the next one.
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from analysis.shared.os_errors import OutputError, RunError, describe


class Busy(RunError):
    """Another run holds the folder; the message says which command and what to do."""


CleanBusy = Busy  # the name the commands have always caught


@contextmanager
def exclusive(folder: Path, lock_name: str = ".clean.lock", busy: str | None = None):
    """Hold folder/lock_name for the block; Busy (with `busy` as the message) when another process holds it."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock = FileLock(folder / lock_name, timeout=0)
        lock.acquire()
    except Timeout:
        raise Busy(busy or f"另一个 analysis clean 正在写入“{folder}”，请等它结束后再运行") from None
    except OSError as exc:
        raise OutputError(describe(exc, folder)) from exc
    try:
        yield
    finally:
        lock.release()

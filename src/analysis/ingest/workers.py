"""Changed files cleaned in worker processes, one per core: results come back as bytes, in the order they finish.

A worker that dies (the reader aborted on a hostile file, the OOM killer) does not take the run down: the files it
had in hand are cleaned again, each alone in a worker of its own, and a file that kills that one too is reported
as failed; the others go on in a new pool.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import multiprocessing
import signal
import sys
import threading
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool

from analysis.ingest.file_result import clean_file, failed_file
from analysis.shared.os_errors import CleanFailed

# Below this many files to clean per worker, worker processes cost more than they save (measured on
# the demo's workbooks with fork: 4 files 0.04 s in one process, 0.06 s in two; 15 files 0.25 s, 0.17 s).
FILES_PER_WORKER = 8

CRASHED = ("读取这个文件时清洗进程意外退出（可能是文件内容异常让读取程序崩溃，也可能是内存不足），已跳过；"
           "请用 Excel 或 WPS 打开检查后另存，再重新运行")


def clean_misses(misses: list, today: dt.date, jobs: int, echo, isolate=frozenset()):
    """Yield (RawFile, SHA-256 of the bytes cleaned or None, entry bytes, its annotated copy (file_result.clean_file),
    whether its worker died) for each RawFile in misses, cleaned as on `today`, in the order they finish: in `jobs`
    worker processes when there are enough files, else in this one. Files in `isolate` (they killed a worker
    before) are cleaned each in a worker of its own, never in this process."""
    step = max(1, len(misses) // 20) if len(misses) >= 50 else 0  # progress only where the run is long
    done = 0

    def progress(rel: str) -> None:
        nonlocal done
        done += 1
        if step and (done % step == 0 or done == len(misses)):
            echo(f"  清洗 {done}/{len(misses)}：{rel}", file=sys.stderr)

    for f in misses:
        if f.rel in isolate:
            progress(f.rel)
            yield f, *_alone(f, today)
    misses = [f for f in misses if f.rel not in isolate]
    workers = min(jobs, len(misses) // FILES_PER_WORKER)
    if workers < 2:
        for f in misses:
            progress(f.rel)
            yield f, *clean_file(f.path, f.rel, f.ledger, today, copy=True), False
        return
    for f, digest, data, copy, crashed in _pooled(misses, workers, today):
        progress(f.rel)
        yield f, digest, data, copy, crashed


# Per file of a pool: 0 not started, 1 in a worker's hands, 2 finished (shared memory, written without a lock, so
# that a worker killed at any instant cannot leave a lock held).
_state = None


def _pooled(misses: list, workers: int, today: dt.date):
    state = multiprocessing.RawArray("b", len(misses))
    pool = ProcessPoolExecutor(workers, initializer=_worker_init, initargs=(state,))
    pending = set(range(len(misses)))
    try:
        with _ctrl_c_held():  # the workers are forked here
            futures = {pool.submit(_clean_one, i, f.path, f.rel, f.ledger, today): i for i, f in enumerate(misses)}
        for future in as_completed(futures):
            i = futures[future]
            try:
                digest, data, copy = future.result()
            except BrokenProcessPool:
                break
            pending.discard(i)
            yield misses[i], digest, data, copy, False
    finally:
        _shutdown(pool)
    if not pending:
        return
    in_hand = [i for i in sorted(pending) if state[i] == 1]
    if not in_hand:  # the workers died before taking any file: nothing to learn by trying again
        raise CleanFailed("清洗进程无法运行（可能是内存不足）；输出文件保持上一次完整的状态。请用 analysis clean --jobs 1 重新运行")
    for i in in_hand:
        yield misses[i], *_alone(misses[i], today)
    rest = [misses[i] for i in sorted(pending) if state[i] != 1]
    if rest:
        yield from _pooled(rest, min(workers, len(rest)), today)


def _alone(f, today: dt.date) -> tuple:
    """(digest, entry bytes, copy, whether the worker died) of one file cleaned in a worker of its own: a file that
    kills this one too is reported as failed."""
    pool = ProcessPoolExecutor(1, initializer=_worker_init, initargs=(multiprocessing.RawArray("b", 1),))
    try:
        with _ctrl_c_held():
            future = pool.submit(_clean_one, 0, f.path, f.rel, f.ledger, today)
        return *future.result(), False
    except BrokenProcessPool:
        return None, failed_file(f.rel, f.ledger, CRASHED, today), None, True
    finally:
        _shutdown(pool)


def _clean_one(index: int, path, rel: str, ledger: str, today: dt.date):
    _state[index] = 1
    result = clean_file(path, rel, ledger, today, copy=True)
    _state[index] = 2
    return result


def _shutdown(pool: ProcessPoolExecutor) -> None:
    """Cancel the files not yet handed out and wait for the workers to finish the ones in hand (they write
    nothing). A second Ctrl-C must not break the wait: the workers would never be told to stop and the
    run would hang (Python 3.11 and 3.12), so SIGINT is ignored meanwhile."""
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
    try:
        pool.shutdown(wait=True, cancel_futures=True)
    finally:
        if main:
            signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def _ctrl_c_held():
    """SIGINT held back in this thread while it forks workers (POSIX): a child forked as Ctrl-C arrives inherits the
    mask, so the signal cannot interrupt it before _worker_init ignores it (it did in a library's after-fork hook,
    printing a traceback); the parent gets its Ctrl-C as soon as the forks are done."""
    if not hasattr(signal, "pthread_sigmask"):  # Windows: workers are spawned, and start with Ctrl-C ignored below
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _worker_init(state) -> None:
    global _state
    _state = state
    # Ctrl-C reaches every process of the terminal: the parent stops the run and says so; workers
    # finish the file in hand quietly instead of each printing a traceback. A worker forked while the parent held
    # SIGINT back (_ctrl_c_held) lets it through only now that it is ignored.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    if sys.platform.startswith("linux"):
        # A worker must not outlive its parent (killed by the OOM killer, say): waiting for work that never
        # comes, it would also keep the output folder's lock, inherited by fork, and refuse every later run.
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)

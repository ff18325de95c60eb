"""Changed files cleaned in worker processes, one per core: results come back as bytes, in the order they finish."""
from __future__ import annotations

import os
import signal
import sys
import threading
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool

from analysis.ingest.file_result import clean_file


class CleanFailed(Exception):
    """The run stopped for a reason outside the ledgers (a worker process died); the message says what to do."""


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


# Below this many files to clean per worker, worker processes cost more than they save (measured on
# the demo's workbooks with fork: 4 files 0.04 s in one process, 0.06 s in two; 15 files 0.25 s, 0.17 s).
FILES_PER_WORKER = 8


def clean_misses(misses: list, jobs: int, echo):
    """Yield (cache key, entry bytes) for each (key, path, rel, ledger, digest) in misses, in the order
    they finish: in `jobs` worker processes when there are enough files, else in this one."""
    step = max(1, len(misses) // 20) if len(misses) >= 50 else 0  # progress only where the run is long

    def progress(done: int, rel: str) -> None:
        if step and (done % step == 0 or done == len(misses)):
            echo(f"  清洗 {done}/{len(misses)}：{rel}", file=sys.stderr)

    workers = min(jobs, len(misses) // FILES_PER_WORKER)
    if workers < 2:
        for done, (key, path, rel, ledger, digest) in enumerate(misses, 1):
            progress(done, rel)
            yield key, clean_file(path, rel, ledger, digest)
        return
    pool = ProcessPoolExecutor(workers, initializer=_worker_init)
    done = 0
    try:
        futures = {pool.submit(clean_file, path, rel, ledger, digest): (key, rel)
                   for key, path, rel, ledger, digest in misses}
        for future in as_completed(futures):
            key, rel = futures[future]
            try:
                data = future.result()
            except BrokenProcessPool:
                raise CleanFailed(f"一个清洗进程意外退出（可能是内存不足，或某个文件让读取程序崩溃）；已清洗的 {done} 个文件"
                                  "已记住，输出文件保持上一次完整的状态。请用 analysis clean --jobs 1 重新运行，"
                                  "找出出问题的文件。") from None
            done += 1
            progress(done, rel)
            yield key, data
    finally:
        _shutdown(pool)


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


def _worker_init() -> None:
    # Ctrl-C reaches every process of the terminal: the parent stops the run and says so; workers
    # finish the file in hand quietly instead of each printing a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        # A worker must not outlive its parent (killed by the OOM killer, say): waiting for work that never
        # comes, it would also keep the output folder's lock, inherited by fork, and refuse every later run.
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)

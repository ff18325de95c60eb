"""One clean at a time per output folder."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no lock; one analyst runs one clean at a time there
    fcntl = None


class CleanBusy(Exception):
    """Another clean is writing the same output folder."""


@contextmanager
def exclusive(out_dir: Path):
    """Hold out_dir/.clean.lock for the run, so that two runs never interleave their writes."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / ".clean.lock", "a+") as handle:
        if fcntl is not None:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise CleanBusy(f"另一个 analysis clean 正在写入“{out_dir}”，请等它结束后再运行") from None
        yield

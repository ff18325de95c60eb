"""Atomic file writes: a reader sees the previous file or the new one, never half of one."""
from __future__ import annotations

import os
import secrets
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(target: Path):
    """Yield a temporary path beside `target`; on success it replaces `target`, on any error it is removed.

    The temporary file is created with open(…, "x") rather than tempfile.mkstemp, whose 0600 mode
    would survive the rename: outputs get the usual umask permissions.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_bytes(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp, open(tmp, "xb") as f:
        f.write(data)


def write_text(target: Path, text: str, encoding: str = "utf-8") -> None:
    write_bytes(target, text.encode(encoding))


def write_all(files: dict) -> None:
    """Write several files: every new file is written beside its target first, and only when all are
    written are they renamed into place, one by one. An error or Ctrl-C while writing leaves every
    previous file as it was and no temporary file behind; a crash during the renames themselves can
    leave some files new and others old."""
    staged = []
    try:
        for target, data in files.items():
            target = Path(target)
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
            staged.append((tmp, target))
            with open(tmp, "xb") as f:
                f.write(data if isinstance(data, bytes) else data.encode("utf-8"))
        for tmp, target in staged:
            os.replace(tmp, target)
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)

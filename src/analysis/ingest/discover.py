"""Which files of a raw folder belong to which ledger, which are passed over and why, and their content hashes."""
from __future__ import annotations

import hashlib
from pathlib import Path

from analysis.ingest.read import SUFFIXES
from analysis.paths import SYNTHETIC_MARK

# Files that are documentation or system clutter, not ledgers: not worth a line in the summary. The README.md
# of data/raw and of each ledger folder ship with the project; other notes are quiet at the top of the folder only.
QUIET_NAMES = {".gitkeep", ".ds_store", "thumbs.db", "desktop.ini", "readme.md"}
QUIET_SUFFIXES = {".md", ".txt"}


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def discover(raw_dir: Path, ledgers: list[str]):
    """(ledger files by ledger, skipped [{file, reason}]) for everything under raw_dir, in path order."""
    found = {name: [] for name in ledgers}
    skipped = []
    for path in sorted(p for p in raw_dir.rglob("*") if p.is_file()):
        rel = path.relative_to(raw_dir).as_posix()
        name = path.name
        if name.lower() in QUIET_NAMES or (path.suffix.lower() in QUIET_SUFFIXES and len(path.relative_to(raw_dir).parts) == 1):
            continue
        if name.startswith("~$"):
            skipped.append({"file": rel, "reason": "Excel/WPS 打开时留下的临时锁文件，已忽略"})
            continue
        top = path.relative_to(raw_dir).parts[0]
        if top not in found:
            skipped.append({"file": rel, "reason": "不在任何台账文件夹中，已跳过；请把它移到原始台账文件夹下对应台账的文件夹"
                                                   f"（{'、'.join(ledgers)}）中"})
            continue
        if path.suffix.lower() not in SUFFIXES:
            skipped.append({"file": rel, "reason": f"不支持的文件类型“{path.suffix or '无扩展名'}”（只读 .xlsx、.xls、.csv），已跳过"})
            continue
        found[top].append(path)
    return found, skipped


def inputs(raw_dir: Path, ledgers: list[str]):
    """(files by ledger, skipped, content hash of every ledger file by relative path)."""
    found, skipped = discover(raw_dir, ledgers)
    digests = {p.relative_to(raw_dir).as_posix(): sha256(p) for paths in found.values() for p in paths}
    return found, skipped, digests


def is_synthetic(raw_dir: Path) -> bool:
    """True when raw_dir holds generated demo ledgers: its README.md carries the demo's mark."""
    try:
        return SYNTHETIC_MARK in (Path(raw_dir) / "README.md").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False


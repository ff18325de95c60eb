"""Which files of a raw folder belong to which ledger, which are passed over and why, and their content hashes.

Nothing is left out without a word: linked ledger and year folders are followed (a link back to a folder above
is named as a loop), a folder or file that cannot be read is an error, and anything that is not a regular file
(a named pipe, a device, a link to nothing) is named as skipped. A named pipe is never opened: opening one
would wait for a writer forever.
"""
from __future__ import annotations

import errno
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from analysis.ingest.read import SUFFIXES
from analysis.paths import SYNTHETIC_MARK
from analysis.shared.os_errors import RunError

# Files that are documentation or system clutter, not ledgers: not worth a line in the summary. The README.md
# of data/raw and of each ledger folder ship with the project; other notes are quiet at the top of the folder only.
QUIET_NAMES = {".gitkeep", ".ds_store", "thumbs.db", "desktop.ini", "readme.md"}
QUIET_SUFFIXES = {".md", ".txt"}


@dataclass
class RawFile:
    """A ledger file (or a folder of one that cannot be read: `problem` says why), and its content hash once taken."""

    rel: str  # relative to the raw folder, with "/"
    path: Path
    ledger: str | None
    problem: str | None = None
    digest: str | None = None


def read_problem(exc: OSError) -> str:
    """Why a file or folder could not be read, as a person is told."""
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "没有读取权限"
    if exc.errno == errno.EBUSY or getattr(exc, "winerror", None) in (32, 33):
        return "正被其他程序独占打开"
    return f"操作系统报告 {errno.errorcode.get(exc.errno, type(exc).__name__)}"


def _open_regular(path: Path) -> int:
    """A descriptor of `path` opened for reading, after checking that it is a regular file (never waits on a pipe)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(errno.EINVAL, "不是普通文件", str(path))
    return fd


def read_bytes(path: Path) -> bytes:
    """A regular file's content (OSError when it cannot be read)."""
    with open(_open_regular(path), "rb") as f:
        return f.read()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(_open_regular(path), "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def discover(raw_dir: Path, ledgers: list[str]):
    """({ledger: [RawFile]}, skipped [{file, reason}]) for everything under raw_dir, in path order. A folder of a
    ledger that cannot be listed is a RawFile with a problem; RunError when raw_dir itself cannot be listed."""
    raw_dir = Path(raw_dir)
    found: dict[str, list[RawFile]] = {name: [] for name in ledgers}
    skipped = []

    def visit(folder: Path, parts: tuple, ancestors: dict) -> None:
        ledger = parts[0] if parts and parts[0] in found else None
        rel = "/".join(parts)
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            if not parts:
                raise RunError(f"原始台账文件夹“{folder}”无法打开（{read_problem(exc)}）") from None
            if ledger is not None:
                found[ledger].append(RawFile(rel, folder, ledger, f"文件夹无法打开（{read_problem(exc)}），其中的台账都没有读取"))
            else:
                skipped.append({"file": rel, "reason": f"文件夹无法打开（{read_problem(exc)}），已跳过"})
            return
        for entry in entries:
            _visit_entry(entry, parts + (entry.name,), ancestors)

    def _visit_entry(entry: os.DirEntry, parts: tuple, ancestors: dict) -> None:
        rel = "/".join(parts)
        path = Path(entry.path)
        try:
            st = os.stat(entry.path)  # follows links; DirEntry.stat() leaves st_ino at 0 on Windows
        except FileNotFoundError:
            skipped.append({"file": rel, "reason": "快捷方式（链接）指向的文件或文件夹不存在，已跳过"})
            return
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                skipped.append({"file": rel, "reason": "快捷方式（链接）指向自身，形成循环，已跳过"})
            else:
                _file(path, parts, problem=f"无法访问（{read_problem(exc)}）")
            return
        if stat.S_ISDIR(st.st_mode):
            ident = (st.st_dev, st.st_ino)
            if ident in ancestors:
                skipped.append({"file": rel, "reason": f"文件夹链接指回上级文件夹“{ancestors[ident]}”，形成循环，"
                                                       "已跳过（其中的文件已在原位置读取）"})
                return
            visit(path, parts, {**ancestors, ident: "/".join(parts)})
        elif stat.S_ISREG(st.st_mode):
            _file(path, parts)
        else:
            kind = "命名管道" if stat.S_ISFIFO(st.st_mode) else "设备或套接字"
            skipped.append({"file": rel, "reason": f"不是普通文件（{kind}），已跳过"})

    def _file(path: Path, parts: tuple, problem: str | None = None) -> None:
        rel = "/".join(parts)
        name = parts[-1]
        if name.lower() in QUIET_NAMES or (path.suffix.lower() in QUIET_SUFFIXES and len(parts) == 1):
            return
        if name.startswith("~$"):
            skipped.append({"file": rel, "reason": "Excel/WPS 打开时留下的临时锁文件，已忽略"})
            return
        if parts[0] not in found or len(parts) == 1:
            skipped.append({"file": rel, "reason": "不在任何台账文件夹中，已跳过；请把它移到原始台账文件夹下对应台账的文件夹"
                                                   f"（{'、'.join(ledgers)}）中"})
            return
        if path.suffix.lower() not in SUFFIXES:
            skipped.append({"file": rel, "reason": f"不支持的文件类型“{path.suffix or '无扩展名'}”（只读 .xlsx、.xls、.csv），已跳过"})
            return
        found[parts[0]].append(RawFile(rel, path, parts[0], problem))

    root = raw_dir.stat()
    visit(raw_dir, (), {(root.st_dev, root.st_ino): str(raw_dir)})
    return found, skipped


def inputs(raw_dir: Path, ledgers: list[str]):
    """({ledger: [RawFile]} with the content hash of every readable file, skipped). A file that cannot be read
    gets its problem instead of a hash."""
    found, skipped = discover(raw_dir, ledgers)
    for files in found.values():
        for f in files:
            if f.problem is None:
                try:
                    f.digest = sha256_file(f.path)
                except OSError as exc:
                    f.problem = f"文件无法打开（{read_problem(exc)}）"
    return found, skipped


def is_synthetic(raw_dir: Path) -> bool:
    """True when raw_dir holds generated demo ledgers: its README.md carries the demo's mark."""
    try:
        return SYNTHETIC_MARK in (Path(raw_dir) / "README.md").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False


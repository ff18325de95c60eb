"""Operating-system errors as one Chinese line each: disk full, read-only folder, no permission, a file held open."""
from __future__ import annotations

import errno
import os
from pathlib import Path

# Windows: the file is open in another program (ERROR_ACCESS_DENIED on a replace, sharing or lock violation).
_HELD_OPEN_WINERRORS = {5, 32, 33}
WINDOWS = os.name == "nt"


class RunError(Exception):
    """A run cannot go on for a reason outside the ledgers (a full disk, a busy folder, a crashed worker, a raw
    folder that cannot be opened); the message is one Chinese line that says what to do."""


class OutputError(RunError):
    """Outputs could not be written; the message names the folder or file and what to do."""


class CleanFailed(RunError):
    """The run stopped for a reason outside the ledgers (worker processes could not run); the message says what to do."""


def held_open(exc: OSError) -> bool:
    """True when `exc` says that another program holds the file open (Excel or WPS, most often)."""
    if exc.errno == errno.EBUSY or getattr(exc, "winerror", None) in _HELD_OPEN_WINERRORS:
        return True
    return WINDOWS and isinstance(exc, PermissionError)


def describe(exc: OSError, path: Path | str | None = None) -> str:
    """One Chinese line for an operating-system error met while writing `path` (else the error's own file)."""
    path = Path(path if path is not None else (exc.filename or "."))
    code = exc.errno
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return f"磁盘空间不足，无法写入文件夹“{_folder(path)}”；请清理磁盘空间后重试（上一次的结果保持不变）"
    if code == errno.EROFS:
        return f"文件夹“{_folder(path)}”所在的磁盘是只读的，无法写入；请换一个可写的文件夹"
    if held_open(exc):
        return f"文件被占用，请关闭 Excel/WPS 后重试：{path}"
    if code in (errno.EACCES, errno.EPERM):
        return f"没有权限写入“{path}”；请检查文件夹的权限，或换一个文件夹"
    if code in (errno.ENOTDIR, errno.EEXIST):
        return f"“{path}”或它的上级是一个文件，不是文件夹；请指定一个文件夹"
    if code == errno.EISDIR:
        return f"“{path}”是一个文件夹，无法替换为输出文件；请移走或改名后重试"
    name = errno.errorcode.get(code, "未知错误") if code is not None else type(exc).__name__
    return f"无法写入“{path}”：操作系统报告 {name}（{exc.strerror or exc}）；请检查磁盘和文件夹后重试"


def _folder(path: Path) -> Path:
    """The folder a path is in (the path itself when it is one): what a full or read-only disk is named by."""
    return path if path.is_dir() else path.parent

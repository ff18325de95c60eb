"""OLE2 compound files: .xls workbooks (BIFF8 error cells recovered), encrypted workbooks and Office files refused."""
from __future__ import annotations

import struct

from analysis.ingest.read.sheet import PASSWORD, ReadError, Sheet, check_extent, truncated
from analysis.ingest.read.workbook import read_calamine

class _Truncated(Exception):
    pass


def _ole_directory(data: bytes) -> dict[str, tuple[int, int, list]]:
    """Stream name → (start sector, size, sector chain) of an OLE2 compound file (enough to classify it)."""
    if len(data) < 512:
        raise _Truncated
    shift = struct.unpack_from("<H", data, 30)[0]
    if shift not in (9, 12):
        raise ValueError("sector size")
    ss = 1 << shift
    base = max(512, ss)  # the header fills the first sector
    n_sectors = (len(data) - base) // ss

    def sector(i: int) -> bytes:
        if i >= n_sectors:
            raise _Truncated
        return data[base + i * ss: base + (i + 1) * ss]

    (n_fat,) = struct.unpack_from("<I", data, 44)
    (first_dir,) = struct.unpack_from("<I", data, 48)
    first_difat, n_difat = struct.unpack_from("<II", data, 68)
    fat_sectors = [s for s in struct.unpack_from("<109I", data, 76) if s < 0xFFFFFFFA]
    d, seen = first_difat, 0
    while d < 0xFFFFFFFA and seen < n_difat and seen <= n_sectors:
        entries = struct.unpack(f"<{ss // 4}I", sector(d))
        fat_sectors += [s for s in entries[:-1] if s < 0xFFFFFFFA]
        d, seen = entries[-1], seen + 1
    fat = []
    for s in fat_sectors[:n_fat]:
        fat += struct.unpack(f"<{ss // 4}I", sector(s))

    def chain(start: int) -> list:
        out, s = [], start
        while s < 0xFFFFFFFA:
            if s >= n_sectors:
                raise _Truncated
            if len(out) > len(fat) or s >= len(fat):
                raise ValueError("chain")
            out.append(s)
            s = fat[s]
        return out

    streams = {}
    for s in chain(first_dir):
        block = sector(s)
        for off in range(0, ss, 128):
            entry = block[off: off + 128]
            name_len, typ = struct.unpack_from("<HB", entry, 64)
            if typ not in (1, 2, 5) or not 2 <= name_len <= 64:
                continue
            name = entry[: name_len - 2].decode("utf-16-le", errors="replace")
            start, size = struct.unpack_from("<IQ", entry, 116)
            if shift == 9:
                size &= 0xFFFFFFFF
            streams[name] = (start, size, chain(start) if typ == 2 and size >= 4096 else [])
    return streams


def read_ole_workbook(data: bytes) -> list[Sheet]:
    size = len(data)
    try:
        streams = _ole_directory(data)
    except _Truncated:
        raise ReadError(truncated(size)) from None
    except (ValueError, struct.error):
        raise ReadError("文件已损坏：Excel 97-2003 文件的结构不完整；请重新获取原文件") from None
    if "EncryptionInfo" in streams or "EncryptedPackage" in streams:
        raise ReadError(PASSWORD)
    book = streams.get("Workbook") or streams.get("Book")
    if book is None:
        if "WordDocument" in streams:
            raise ReadError("文件内容是 Word 文档（.doc），不是 Excel 表格；请确认发来的文件是否正确")
        if "PowerPoint Document" in streams:
            raise ReadError("文件内容是 PowerPoint 演示文稿，不是 Excel 表格；请确认发来的文件是否正确")
        raise ReadError("文件已损坏或不是 Excel 文件：其中没有工作簿数据；请重新获取原文件")
    fixes = {}
    if book[2]:  # a stream of 4096 bytes or more (Excel and WPS always write one): read it for two things
        ss = 1 << struct.unpack_from("<H", data, 30)[0]
        base = max(512, ss)
        stream = b"".join(data[base + s * ss: base + (s + 1) * ss] for s in book[2])[: book[1]]
        if _biff_encrypted(stream):
            raise ReadError(PASSWORD)
        fixes = _biff_scan(stream)
    return read_calamine(data, fixes=fixes)


def _biff_records(stream: bytes, pos: int = 0):
    """(record type, offset of its data, data) from `pos` on, until the stream ends or a record is cut."""
    while pos + 4 <= len(stream):
        typ, length = struct.unpack_from("<HH", stream, pos)
        if pos + 4 + length > len(stream):
            return
        yield typ, pos + 4, stream[pos + 4: pos + 4 + length]
        pos += 4 + length


def _biff_encrypted(stream: bytes) -> bool:
    """A BIFF workbook stream whose globals begin with BOF, then FILEPASS: the workbook is encrypted."""
    for k, (typ, _, _) in enumerate(_biff_records(stream)):
        if typ == 0x002F:
            return True
        if k >= 3:
            return False
    return False


_BIFF_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!",
                0x2A: "#N/A", 0x2B: "#GETTING_DATA"}


# BIFF8 records of cells with content, whose data starts with (row, column): NUMBER, RK, LABELSST, LABEL, RSTRING,
# FORMULA, BOOLERR; MULRK (several RKs in one row) ends with its last column. BLANK and MULBLANK only format.
_CELL_RECORDS = {0x0203, 0x027E, 0x00FD, 0x0204, 0x00D6, 0x0006, 0x0205}
_MULRK = 0x00BD


def _biff_scan(stream: bytes) -> dict[str, list[tuple[int, int, str]]]:
    """Sheet name → (row, column, error text) of the error cells of a BIFF8 (.xls) workbook stream:
    BOOLERR records with an error, and FORMULA records whose cached result is an error. ReadError for a sheet
    whose content lies scattered far beyond its table (sheet.check_extent)."""
    records = _biff_records(stream)
    first = next(records, None)
    if first is None or first[0] != 0x0809 or len(first[2]) < 2 or struct.unpack_from("<H", first[2])[0] != 0x0600:
        return {}  # not BIFF8 (Excel 5/95 files are rare): left as calamine reads them
    sheets = []
    for typ, _, rec in records:
        if typ == 0x000A:  # EOF of the globals
            break
        if typ == 0x0085 and len(rec) >= 8 and rec[5] == 0:  # BOUNDSHEET of a worksheet
            (offset,), cch, flags = struct.unpack_from("<I", rec), rec[6], rec[7]
            raw = rec[8: 8 + (2 * cch if flags & 1 else cch)]
            sheets.append((raw.decode("utf-16-le" if flags & 1 else "latin-1", errors="replace"), offset))
    found = {}
    for name, offset in sheets:
        cells = []
        last_row = last_col = count = 0
        for typ, _, rec in _biff_records(stream, offset):
            if typ == 0x000A:
                break
            if (typ in _CELL_RECORDS or typ == _MULRK) and len(rec) >= 6:
                row, col = struct.unpack_from("<HH", rec)
                if typ == _MULRK:
                    col = struct.unpack_from("<H", rec, len(rec) - 2)[0]
                last_row, last_col, count = max(last_row, row), max(last_col, col), count + 1
            if typ == 0x0205 and len(rec) >= 8 and rec[7] == 1:  # BOOLERR holding an error
                row, col = struct.unpack_from("<HH", rec)
                cells.append((row, col, _BIFF_ERRORS.get(rec[6], "#VALUE!")))
            elif typ == 0x0006 and len(rec) >= 14 and rec[12:14] == b"\xff\xff" and rec[6] == 2:  # FORMULA → error
                row, col = struct.unpack_from("<HH", rec)
                cells.append((row, col, _BIFF_ERRORS.get(rec[8], "#VALUE!")))
        check_extent(name, last_row, last_col, count)
        if cells:
            found[name] = cells
    return found

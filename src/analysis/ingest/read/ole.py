"""OLE2 compound files: .xls workbooks (BIFF8 error cells recovered), encrypted workbooks and Office files refused.

olefile reads the container (its directory and streams); python-calamine reads the cells. What neither gives is
read here from the workbook stream's BIFF records: calamine says only "Cannot detect file format" for an .xls
with a password (a FILEPASS record) and reads error cells as blank; xlrd would give both, but builds every cell
of the workbook in Python a second time, where these few records are all that is needed.

Cell formats come from the same walk: the FORMAT and XF records of the globals give each XF index a class
(number_formats.style_classes), and the XF index on NUMBER, RK, MULRK and FORMULA (with a number result) records
places the percent, currency and calamine-missed date cells; the DATE1904 record gives the date system. An Excel
5/95 (BIFF5/7) workbook is read without formats (Sheet.formats None).
"""
from __future__ import annotations

import io
import struct

import olefile

from analysis.ingest.read.calamine_grid import read_calamine
from analysis.ingest.read.number_formats import style_classes
from analysis.ingest.read.sheet import PASSWORD, ReadError, Sheet, check_extent, truncated

_DAMAGED = "文件已损坏：Excel 97-2003 文件的结构不完整；请重新获取原文件"


class _Bytes(io.BytesIO):
    """The file as olefile reads it, noting a read that came back short: a sector it needs is cut off."""

    short_read = False

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        if size is not None and 0 <= len(chunk) < size:
            self.short_read = True
        return chunk


def read_ole_workbook(data: bytes) -> list[Sheet]:
    source = _Bytes(data)
    try:
        ole = olefile.OleFileIO(source)
    except Exception:  # noqa: BLE001 - olefile raises OleFileError, and plain errors for a damaged directory
        raise ReadError(truncated(len(data)) if source.short_read or _cut_off(data) else _DAMAGED) from None
    with ole:
        if ole.exists("EncryptionInfo") or ole.exists("EncryptedPackage"):
            raise ReadError(PASSWORD)
        name = next((n for n in ("Workbook", "Book") if ole.exists(n)), None)
        if name is None:
            if ole.exists("WordDocument"):
                raise ReadError("文件内容是 Word 文档（.doc），不是 Excel 表格；请确认发来的文件是否正确")
            if ole.exists("PowerPoint Document"):
                raise ReadError("文件内容是 PowerPoint 演示文稿，不是 Excel 表格；请确认发来的文件是否正确")
            raise ReadError("文件已损坏或不是 Excel 文件：其中没有工作簿数据；请重新获取原文件")
        try:
            stream = ole.openstream(name).read()
        except Exception:  # noqa: BLE001 - a sector chain that leads nowhere
            raise ReadError(truncated(len(data)) if source.short_read or _cut_off(data) else _DAMAGED) from None
        # olefile reads a sector the file ends inside (short_read) and stops a chain where the file's sectors end
        # (a short stream); calamine must not see such a file (it stops with a Rust panic, not an error)
        if source.short_read or len(stream) < ole.get_size(name):
            raise ReadError(truncated(len(data)))
    if _biff_encrypted(stream):
        raise ReadError(PASSWORD)
    fixes, styled, date1904 = _biff_scan(stream)
    return read_calamine(data, fixes=fixes, styled=styled, date1904=date1904)


def _cut_off(data: bytes) -> bool:
    """Whether a file olefile could not read ends before a sector its header names (the FAT's, the directory's
    first): cut off by a stopped download, not damaged.

    Kept by hand: olefile reads only as far as the file goes and then says a sector is "out of range", the same
    words as for a damaged file; a file cut off gets its own sentence.
    """
    if len(data) < 512:
        return True
    shift = struct.unpack_from("<H", data, 30)[0]
    if shift not in (9, 12):
        return False  # not a sector size: damaged
    size = 1 << shift
    base = max(512, size)  # the header fills the first sector
    n_fat, first_directory = struct.unpack_from("<II", data, 44)
    named = [*struct.unpack_from("<109I", data, 76)[:n_fat], first_directory]
    return any(max(0, len(data) - base) // size <= s < 0xFFFFFFFA for s in named)


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
_NUMBER_CELLS = {0x0203, 0x027E, 0x0006}  # NUMBER, RK, FORMULA: (row, column, XF index) first


def _biff_scan(stream: bytes) -> tuple[dict[str, list[tuple[int, int, str]]], dict | None, bool]:
    """(sheet name → (row, column, error text) of the error cells of a BIFF8 (.xls) workbook stream: BOOLERR
    records with an error, and FORMULA records whose cached result is an error; sheet name → (row, column, class)
    of the number cells with a percent, currency or calamine-missed date format, or None for a workbook that is not
    BIFF8; whether dates count from 1904). ReadError for a sheet whose content lies scattered far beyond its table
    (sheet.check_extent)."""
    records = _biff_records(stream)
    first = next(records, None)
    if first is None or first[0] != 0x0809 or len(first[2]) < 2 or struct.unpack_from("<H", first[2])[0] != 0x0600:
        return {}, None, False  # not BIFF8 (Excel 5/95 files are rare): left as calamine reads them
    sheets = []
    declared, format_ids, date1904 = {}, [], False
    for typ, _, rec in records:
        if typ == 0x000A:  # EOF of the globals
            break
        if typ == 0x0085 and len(rec) >= 8 and rec[5] == 0:  # BOUNDSHEET of a worksheet
            (offset,), cch, flags = struct.unpack_from("<I", rec), rec[6], rec[7]
            raw = rec[8: 8 + (2 * cch if flags & 1 else cch)]
            sheets.append((raw.decode("utf-16-le" if flags & 1 else "latin-1", errors="replace"), offset))
        elif typ == 0x041E and len(rec) >= 5:  # FORMAT: id, then the code as an XLUnicodeString
            fmt, cch, flags = struct.unpack_from("<HHB", rec)
            raw = rec[5: 5 + (2 * cch if flags & 1 else cch)]
            declared[fmt] = raw.decode("utf-16-le" if flags & 1 else "latin-1", errors="replace")
        elif typ == 0x00E0 and len(rec) >= 4:  # XF: cells name it by its place in this list
            format_ids.append(struct.unpack_from("<H", rec, 2)[0])
        elif typ == 0x0022 and len(rec) >= 2:  # DATE1904
            date1904 = struct.unpack_from("<H", rec)[0] == 1
    classes = style_classes(format_ids, declared)
    found, styled = {}, {}
    for name, offset in sheets:
        cells, marked = [], []
        last_row = last_col = count = 0
        for typ, _, rec in _biff_records(stream, offset):
            if typ == 0x000A:
                break
            if (typ in _CELL_RECORDS or typ == _MULRK) and len(rec) >= 6:
                row, col = struct.unpack_from("<HH", rec)
                if classes:
                    _mark(typ, rec, row, col, classes, marked)
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
        if marked:
            styled[name] = marked
    return found, styled, date1904


def _mark(typ: int, rec: bytes, row: int, col: int, classes: dict[int, str], marked: list) -> None:
    """Note a number cell whose XF index has a class: NUMBER, RK, a FORMULA with a number result, each cell of a
    MULRK (column first, then six bytes a cell: XF index and RK value)."""
    if typ in _NUMBER_CELLS:
        if typ == 0x0006 and (len(rec) < 14 or rec[12:14] == b"\xff\xff"):  # a text, bool or error result
            return
        cls = classes.get(struct.unpack_from("<H", rec, 4)[0])
        if cls is not None:
            marked.append((row, col, cls))
    elif typ == _MULRK:
        for k in range((len(rec) - 6) // 6):
            cls = classes.get(struct.unpack_from("<H", rec, 4 + 6 * k)[0])
            if cls is not None:
                marked.append((row, col + k, cls))

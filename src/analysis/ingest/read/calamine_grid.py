"""python-calamine: a workbook's visible sheets as grids of cell values, merged ranges filled, error cells restored."""
from __future__ import annotations

import io

import python_calamine as calamine

from analysis.ingest.read.sheet import MAX_AREA, MAX_COLUMNS, MAX_ROWS, PASSWORD, ReadError, Sheet


def read_calamine(data: bytes, *, fixes: dict) -> list[Sheet]:
    """The sheets of a workbook's bytes (calamine tells the format from the content, whatever the extension)."""
    try:
        workbook = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except calamine.PasswordError:
        raise ReadError(PASSWORD) from None
    except BaseException as exc:  # calamine raises several types for damaged files
        _reraise_interrupts(exc)
        raise ReadError(f"文件已损坏或不是有效的 Excel 文件（{type(exc).__name__}）") from None
    sheets = []
    try:
        for meta in workbook.sheets_metadata:
            hidden = meta.visible != calamine.SheetVisibleEnum.Visible
            if hidden or meta.typ != calamine.SheetTypeEnum.WorkSheet:
                sheets.append(Sheet(name=meta.name, hidden=True, rows=[]))
                continue
            sheet = workbook.get_sheet_by_name(meta.name)
            rows = sheet.to_python(skip_empty_area=False)
            _restore(rows, fixes.get(meta.name, ()))
            _fill_merged(rows, sheet.merged_cell_ranges or [], meta.name)
            sheets.append(Sheet(name=meta.name, hidden=False, rows=rows))
    except ReadError:
        raise
    except BaseException as exc:  # a sheet that cannot be read is a damaged file, not a traceback
        _reraise_interrupts(exc)
        raise ReadError(f"文件已损坏，读取时出错（{type(exc).__name__}）") from None
    finally:
        workbook.close()
    return sheets


def _reraise_interrupts(exc: BaseException) -> None:
    """Ctrl-C and exits go on; anything else calamine raises is a damaged file. That includes a panic of its Rust
    code (pyo3's PanicException derives from BaseException, not Exception, and has no public import path)."""
    if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError)):
        raise exc


def _restore(rows: list[list], cells) -> None:
    """Put error values and UNCALCULATED into the cells calamine left blank."""
    for r, c, value in cells:
        if r >= MAX_ROWS or c >= MAX_COLUMNS:
            continue
        while len(rows) <= r:
            rows.append([])
        row = rows[r]
        if len(row) <= c:
            row.extend([""] * (c + 1 - len(row)))
        if row[c] is None or row[c] == "":
            row[c] = value


def _fill_merged(rows: list[list], ranges, sheet: str) -> None:
    """Give every cell of a merged range the value of its top-left cell (Excel shows it across the range).
    Cells are filled within the grid's rows; past MAX_AREA filled cells in all, ranges are cut at the grid's
    width, and a sheet that still asks for more is refused (a merge over a whole sheet is not a ledger)."""
    width = max(map(len, rows), default=0)
    filled = 0
    for (r0, c0), (r1, c1) in ranges:
        if r0 >= len(rows):
            continue
        r1 = min(r1, len(rows) - 1)
        if filled + (r1 - r0 + 1) * (c1 - c0 + 1) > MAX_AREA:
            c1 = min(c1, max(width - 1, c0))
            if filled + (r1 - r0 + 1) * (c1 - c0 + 1) > MAX_AREA:
                raise ReadError(f"工作表“{sheet}”的合并单元格范围过大（合计超过 {MAX_AREA // 10_000} 万个单元格），"
                                "不是正常的台账，已拒绝读取；请在 Excel 或 WPS 中取消多余的合并后另存")
        filled += (r1 - r0 + 1) * (c1 - c0 + 1)
        top = rows[r0]
        span = [top[c0] if c0 < len(top) else ""] * (c1 - c0 + 1)
        for row in rows[r0:r1 + 1]:
            if len(row) <= c1:
                row.extend([""] * (c1 + 1 - len(row)))
            row[c0:c1 + 1] = span

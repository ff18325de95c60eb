"""python-calamine: a workbook's visible sheets as grids of cell values, merged ranges filled, error cells restored.

The readers of the container (ooxml, ole) hand over what calamine does not give: error cells (`fixes`) and, when
the workbook's cell formats could be read, the cells whose style shows numbers as percentages or currency, or as a
date calamine does not recognise (`styled`, number_formats). Such dates are converted here (in the workbook's
date system); percent and currency cells that hold a number become Sheet.formats, spread over merged ranges like
the values. The columns of merged ranges more than one row tall, with the rows each covers, are
Sheet.vertical_merges.
"""
from __future__ import annotations

import io

import python_calamine as calamine

from analysis.ingest.read.number_formats import DATE, excel_date
from analysis.ingest.read.sheet import MAX_AREA, MAX_COLUMNS, MAX_ROWS, PASSWORD, ReadError, Sheet


def read_calamine(data: bytes, *, fixes: dict, styled: dict | None = None, date1904: bool = False) -> list[Sheet]:
    """The sheets of a workbook's bytes (calamine tells the format from the content, whatever the extension).
    fixes: sheet → (row, column, error text); styled: sheet → (row, column, class), or None when formats are
    not known (Sheet.formats is None then)."""
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
                sheets.append(Sheet(name=meta.name, hidden=True, rows=[], formats=None if styled is None else {}))
                continue
            sheet = workbook.get_sheet_by_name(meta.name)
            rows = sheet.to_python(skip_empty_area=False)
            _restore(rows, fixes.get(meta.name, ()))
            formats = None if styled is None else _apply_styles(rows, styled.get(meta.name, ()), date1904)
            vertical = _fill_merged(rows, sheet.merged_cell_ranges or [], meta.name, formats)
            sheets.append(Sheet(name=meta.name, hidden=False, rows=rows, formats=formats, vertical_merges=vertical))
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


def _apply_styles(rows: list[list], cells, date1904: bool) -> dict[tuple[int, int], str]:
    """Convert the numbers of date cells calamine missed; the percent and currency cells that hold a number."""
    formats = {}
    for r, c, cls in cells:
        if r >= len(rows) or c >= len(rows[r]):
            continue
        value = rows[r][c]
        if type(value) not in (int, float):  # text, a date calamine did read, a bool, an error restored
            continue
        if cls == DATE:
            rows[r][c] = excel_date(value, date1904)
        else:
            formats[(r, c)] = cls
    return formats


def _fill_merged(rows: list[list], ranges, sheet: str, formats: dict | None = None) -> frozenset[int]:
    """Give every cell of a merged range the value (and the entry in `formats`) of its top-left cell (Excel shows
    it across the range); the columns of the ranges more than one row tall that reach into the grid.
    Cells are filled within the grid's rows; past MAX_AREA filled cells in all, ranges are cut at the grid's
    width, and a sheet that still asks for more is refused (a merge over a whole sheet is not a ledger)."""
    width = max(map(len, rows), default=0)
    filled = 0
    vertical: dict[int, list] = {}  # column → (first, last) rows of each merge over several rows
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
        if r1 > r0:
            for c in range(c0, min(c1, MAX_COLUMNS - 1) + 1):
                vertical.setdefault(c, []).append((r0, r1))
        if formats:
            _spread_format(formats, r0, c0, r1, c1)
    return {c: sorted(runs) for c, runs in vertical.items()}


def _spread_format(formats: dict, r0: int, c0: int, r1: int, c1: int) -> None:
    """The cells of a merged range show the top-left cell's number, so they take its format entry."""
    cls = formats.get((r0, c0))
    if cls is not None:
        formats.update(((r, c), cls) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1))
    elif (r1 - r0 + 1) * (c1 - c0 + 1) <= len(formats):
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                formats.pop((r, c), None)
    else:
        for key in [k for k in formats if r0 <= k[0] <= r1 and c0 <= k[1] <= c1]:
            del formats[key]

"""python-calamine: a workbook's visible sheets as grids of cell values, merged ranges filled, error cells restored."""
from __future__ import annotations

from pathlib import Path

import python_calamine as calamine

from analysis.ingest.read.sheet import MAX_COLUMNS, MAX_ROWS, PASSWORD, ReadError, Sheet

def read_calamine(path: Path, *, by_path: bool, fixes: dict) -> list[Sheet]:
    try:
        if by_path:
            workbook = calamine.CalamineWorkbook.from_path(str(path))
        else:  # the extension is not what the file is: let calamine detect the format from the content
            with open(path, "rb") as f:
                workbook = calamine.CalamineWorkbook.from_filelike(f)
    except calamine.PasswordError:
        raise ReadError(PASSWORD) from None
    except Exception as exc:  # noqa: BLE001 - calamine raises several types for damaged files
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
            _fill_merged(rows, sheet.merged_cell_ranges or [])
            sheets.append(Sheet(name=meta.name, hidden=False, rows=rows))
    except ReadError:
        raise
    except Exception as exc:  # noqa: BLE001 - a sheet that cannot be read is a damaged file, not a traceback
        raise ReadError(f"文件已损坏，读取时出错（{type(exc).__name__}）") from None
    finally:
        workbook.close()
    return sheets


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


def _fill_merged(rows: list[list], ranges) -> None:
    """Give every cell of a merged range the value of its top-left cell (Excel shows it across the range)."""
    for (r0, c0), (r1, c1) in ranges:
        if r0 >= len(rows):
            continue
        top = rows[r0]
        value = top[c0] if c0 < len(top) else ""
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            row = rows[r]
            if len(row) <= c1:
                row.extend([""] * (c1 + 1 - len(row)))
            for c in range(c0, c1 + 1):
                row[c] = value

"""Workbook files → sheets of raw cell values, with merged cells filled and hidden sheets marked.

python-calamine reads .xlsx/.xlsm/.xls/.ods (values, merged ranges, sheet visibility); CSV files
are decoded as UTF-8 (with or without BOM) or GBK. A file that cannot be read raises ReadError
with a reason in Chinese; everything else about the content is left to layout.py and clean.py.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import python_calamine as calamine

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
SUFFIXES = EXCEL_SUFFIXES | {".csv"}


class ReadError(Exception):
    """A file that cannot be read at all; the message is for the user, in Chinese."""


@dataclass
class Sheet:
    name: str
    hidden: bool
    rows: list[list]  # cell values from A1 on, merged ranges filled: rows[i][j] is Excel row i+1, column j+1


def column_letter(index: int) -> str:
    """Zero-based column index → Excel letters (0 → A, 27 → AB)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def read_sheets(path: Path) -> list[Sheet]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return [_read_csv(path)]
    if suffix in EXCEL_SUFFIXES:
        return _read_excel(path)
    raise ReadError(f"不支持的文件类型“{suffix or '无扩展名'}”")


def _read_csv(path: Path) -> Sheet:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gbk"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ReadError("CSV 文件编码无法识别（只支持 UTF-8 和 GBK），请用 Excel 或 WPS 另存为 UTF-8 CSV")
    rows = [list(r) for r in csv.reader(io.StringIO(text, newline=""))]
    return Sheet(name=path.stem, hidden=False, rows=rows)


def _read_excel(path: Path) -> list[Sheet]:
    try:
        workbook = calamine.CalamineWorkbook.from_path(str(path))
    except calamine.PasswordError:
        raise ReadError("工作簿设有打开密码，无法读取；请去掉密码后重新放入") from None
    except Exception as exc:  # calamine raises several types for damaged files
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
            _fill_merged(rows, sheet.merged_cell_ranges or [])
            sheets.append(Sheet(name=meta.name, hidden=False, rows=rows))
    except ReadError:
        raise
    except Exception as exc:
        raise ReadError(f"文件已损坏，读取时出错（{type(exc).__name__}）") from None
    finally:
        workbook.close()
    return sheets


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

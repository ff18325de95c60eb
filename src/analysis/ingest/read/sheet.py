"""What reading a ledger file gives: sheets of raw cell values, or a ReadError whose message is for the user."""
from __future__ import annotations

from dataclasses import dataclass, field

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
SUFFIXES = EXCEL_SUFFIXES | {".csv"}

# The value given to a formula cell that has no computed result in the file (see module doc).
UNCALCULATED = "#公式未计算"
# What an error cell reads as (Excel and WPS error values, and UNCALCULATED): no column should keep one.
FORMULA_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
                            "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!",
                            UNCALCULATED})
PASSWORD = "工作簿已加密（设有打开密码或启用了加密保护），程序无法读取；请在 Excel 或 WPS 中取消密码后另存，再重新放入"

HEAD_BYTES = 1 << 16
MAX_COLUMNS = 16_384  # Excel's limit; wider HTML rows are cut there
MAX_ROWS = 1_048_576


# A sheet is read as a full grid from A1 to its farthest cell (python-calamine allocates the whole rectangle at
# about 90 bytes a cell, with the Python lists). A grid beyond MAX_AREA cells (up to row 99,999 and column AZ,
# about 470 MB) that is mostly empty is stray content far from the table (one value in XFD1048576 asks for 17
# billion cells and aborts the reader): it is refused before the reader sees it. A dense grid that large is a
# genuinely large ledger and is read.
MAX_AREA = 99_999 * 52
SPARSE = 8  # "mostly empty": more than this many cells of the grid for each cell with content


class ReadError(Exception):
    """A file that cannot be read at all; the message is for the user, in Chinese."""


@dataclass
class Sheet:
    name: str
    hidden: bool
    rows: list[list]  # cell values from A1 on, merged ranges filled: rows[i][j] is Excel row i+1, column j+1
    # What the file really was, when its content is not what its extension says ("UTF-16 编码、制表符分隔的文本文件",
    # "网页（HTML）表格", ".xls 格式的工作簿" …), for the manifest and the screen; None when they agree.
    read_as: str | None = None
    # (row, column) zero-based → "percent" or "currency": the number cells that Excel shows with a percent sign or
    # a currency symbol or unit (¥, $, "元" …), merged ranges filled like `rows`; a number cell not in it is shown as
    # a plain number. None: the reader cannot tell formats (text, HTML, .ods files).
    formats: dict[tuple[int, int], str] | None = None
    # Zero-based column → the (first, last) zero-based rows of each merged range (or HTML rowspan) covering more than
    # one row in it: the cleaning tells merges among the records from those of a header or a footer by them.
    vertical_merges: dict[int, list[tuple[int, int]]] = field(default_factory=dict)


def column_letter(index: int) -> str:
    """Zero-based column index → Excel letters (0 → A, 27 → AB)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    """Excel letters → zero-based column index (A → 0, AB → 27)."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def check_extent(sheet: str, last_row: int, last_col: int, cells: int) -> None:
    """ReadError when the grid up to (last_row, last_col) (zero-based) is too large for the `cells` it holds."""
    area = (last_row + 1) * (last_col + 1)
    if area <= MAX_AREA or area <= SPARSE * cells:
        return
    amount = f"{area / 1e8:.1f} 亿" if area >= 1e8 else f"{area / 1e4:.0f} 万"
    raise ReadError(f"工作表“{sheet}”的内容延伸到 {column_letter(last_col)}{last_row + 1}（第 {last_row + 1} 行、"
                    f"第 {last_col + 1} 列，约 {amount}个单元格），其中只有 {cells} 个单元格有内容：表格以外很远的地方有零散的内容，"
                    "照此读取会耗尽内存，已拒绝读取；请在 Excel 或 WPS 中删除表格右边和下面多余的行和列后另存")


def size_text(n: int) -> str:
    if n >= 1 << 30:
        return f"{n / (1 << 30):.1f} GB"
    if n >= 1 << 20:
        return f"{n / (1 << 20):.1f} MB"
    if n >= 1 << 10:
        return f"{n / (1 << 10):.1f} KB"
    return f"{n} 字节"


def truncated(size: int) -> str:
    return (f"文件不完整：只有 {size_text(size)}，结尾缺失，像是下载或传输中断时只保存了一部分；"
            "请重新获取原文件")

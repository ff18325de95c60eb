"""Workbook files → sheets of raw cell values, with merged cells filled and hidden sheets marked.

python-calamine reads .xlsx/.xlsm/.xls/.ods (values, merged ranges, sheet visibility); text tables (CSV, and the
tab-separated text systems export) are decoded as UTF-16, UTF-8 (with or without BOM) or GBK/GB18030. A file that
cannot be read raises ReadError with a reason in Chinese; everything else about the content is left to layout.py and
cleaning.py. The bytes are read once by the caller, which hashes the same bytes it hands here: what is
parsed is what the cache is keyed by. One module per format family: ooxml (zip workbooks), ole (.xls and encrypted files),
html_table, text_table; calamine_grid (python-calamine) turns a workbook into sheets of cells; number_formats tells
from a cell's number format whether Excel shows it as a percentage, a currency or a date.

Besides the cells, a Sheet says what the file really was when its extension is wrong (read_as), which number cells
Excel shows with a percent sign or a currency (formats, for .xlsx and .xls; None for text, HTML and .ods), and in
which columns merged ranges span rows (vertical_merges). Number cells of a date format python-calamine does not
recognise (a weekday or era only: aaaa, e"年") are turned into dates here, as calamine does for the others.

Ledgers arrive by chat and e-mail, so before any reader touches a file its first bytes say what it
really is (the extension is often wrong):

- zero bytes, a download cut off half-way, random bytes, a PDF, picture or Word file with an Excel
  name: each gets its own sentence;
- a zip (.xlsx): the central directory is checked first (entry count, total uncompressed size and
  the compression ratio of all parts together), so that a zip bomb is refused in milliseconds, before
  anything is decompressed. The readers bound every part by its declared size (the Rust zip
  crate stops with an error past it), so the declared sizes are a safe limit;
- an OLE2 compound file: an encrypted .xlsx (EncryptionInfo / EncryptedPackage streams) or an
  encrypted .xls (a FILEPASS record after the first BOF) is named as password-protected; an .xls
  renamed .xlsx is read as what it is;
- an HTML page saved as .xls (what many online systems export) is read with the standard
  library's html.parser: each <table> is a sheet, colspan/rowspan are filled like merged cells;
- text under an .xls or .xlsx name (Excel's "Unicode 文本", UTF-16 with tabs; UTF-8 or GBK with tabs or commas
  from web systems) is read as a text table, as is a .csv in UTF-16 or with tabs. Text under such a name that is
  not a table (no tab or comma splits its lines; a .csv of one column is read), and bytes that are not text in any
  of these encodings, are refused.

python-calamine returns formula error cells (#REF!, #DIV/0!, #N/A …) as empty strings, and a
formula cell without a cached result (a file written by a program and never opened in Excel) as
empty too; a blank number cell would then silently take the column's default. For .xlsx files
the sheet XML is therefore scanned (streamed, only cells with t="e" or a formula are parsed) and
those cells get their error text back, or UNCALCULATED, so that they are rejected with a reason;
for .xls files the BIFF8 records (BOOLERR, and FORMULA with an error result) give the same.
"""
from __future__ import annotations

from pathlib import Path

from analysis.ingest.read.html_table import read_html
from analysis.ingest.read.ole import read_ole_workbook
from analysis.ingest.read.ooxml import read_zip_workbook
from analysis.ingest.read.sheet import (
    FORMULA_ERRORS,
    HEAD_BYTES,
    SUFFIXES,
    UNCALCULATED,
    ReadError,
    Sheet,
    column_letter,
)
from analysis.ingest.read.text_table import read_text_table, text_like, utf16_order

__all__ = ["read_sheets", "ReadError", "Sheet", "SUFFIXES", "FORMULA_ERRORS", "UNCALCULATED", "column_letter"]

_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")


def read_sheets(path: Path, data: bytes | None = None) -> list[Sheet]:
    """The sheets of one ledger file, from `data` (its bytes, already read; else the file is read here);
    ReadError (in Chinese) for a file that cannot be read at all."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ReadError(f"不支持的文件类型“{suffix or '无扩展名'}”")
    try:
        if data is None:
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise ReadError(f"文件无法打开（{exc.strerror or type(exc).__name__}）") from None
        return _read(path, suffix, data)
    except ReadError:
        raise
    except MemoryError:
        raise ReadError("文件过大，读取时内存不足；请把台账拆分成几个文件") from None
    except Exception as exc:  # noqa: BLE001 - never a traceback for a bad file
        raise ReadError(f"文件已损坏，读取时出错（{type(exc).__name__}）") from None


def _read(path: Path, suffix: str, data: bytes) -> list[Sheet]:
    if not data:
        raise ReadError("文件是空的（0 字节），可能下载或传输没有完成；请重新获取原文件")
    head = data[:HEAD_BYTES]
    kind = _sniff(head)
    if kind == "zip":
        sheets, really = read_zip_workbook(data, suffix)
        return _read_as(sheets, None if suffix == really or {suffix, really} <= {".xlsx", ".xlsm"}
                        else f"{really} 格式的工作簿")
    if kind == "ole":
        return _read_as(read_ole_workbook(data), None if suffix == ".xls" else ".xls 格式的工作簿")
    if kind == "html":
        return _read_as(read_html(path, data, suffix), "网页（HTML）表格")
    if kind == "spreadsheetml":
        raise ReadError(f"文件扩展名是“{suffix}”，内容却是“XML 电子表格 2003”格式，程序不能直接读取；"
                        "请用 Excel 或 WPS 打开后另存为 .xlsx")
    if kind in _FOREIGN:
        raise ReadError(f"文件扩展名是“{suffix}”，内容却是{_FOREIGN[kind]}，不是台账表格；请确认发来的文件是否正确")
    table = read_text_table(path, data, suffix)
    if table is not None:
        return [table]
    if suffix == ".csv":
        raise ReadError("CSV 文件编码无法识别（只支持 UTF-8、GBK 和 UTF-16），或不是文本文件；"
                        "请用 Excel 或 WPS 打开后另存为 UTF-8 CSV 或 .xlsx")
    if _looks_like_text(head):
        raise ReadError(f"文件已损坏或不是 Excel 文件：扩展名是“{suffix}”，内容却是纯文本（可能是系统导出的文本文件）；"
                        "请用 Excel 或 WPS 打开后另存为 .xlsx")
    raise ReadError("文件已损坏或不是 Excel 文件：内容既不是 .xlsx 也不是 .xls 格式（可能是改了扩展名的其他文件）；"
                    "请重新获取原文件")


def _read_as(sheets: list[Sheet], really: str | None) -> list[Sheet]:
    for sheet in sheets:
        sheet.read_as = really
    return sheets


# ---------------------------------------------------------------- what the file really is

_FOREIGN = {"pdf": "PDF 文档", "image": "图片", "archive": "RAR 或 7z 压缩包（请先解压，再放入里面的表格）",
            "rtf": "RTF 文档"}


def _sniff(head: bytes) -> str | None:
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return "zip"
    if head.startswith(_OLE_MAGIC):
        return "ole"
    if head.startswith(b"%PDF"):
        return "pdf"
    if (head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")) or head[8:12] == b"WEBP"
            or (head.startswith(b"BM") and head[6:10] == b"\0\0\0\0")):
        return "image"
    if head.startswith((b"Rar!", b"7z\xbc\xaf\x27\x1c")):
        return "archive"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    text = _head_text(head).lstrip().lower()
    if text.startswith("<"):
        if "urn:schemas-microsoft-com:office:spreadsheet" in text and "<workbook" in text:
            return "spreadsheetml"
        if "<table" in text or "<html" in text or text.startswith("<!doctype html"):
            return "html"
    return None


def _head_text(head: bytes) -> str:
    """The first bytes as text, well enough to see markup (tags are ASCII in UTF-8 and GBK alike)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="ignore")
    order = utf16_order(head)
    if order is not None:
        return head.decode(order, errors="ignore")
    return head.removeprefix(b"\xef\xbb\xbf").decode("latin-1")


def _looks_like_text(head: bytes) -> bool:
    order = "utf-16" if head.startswith((b"\xff\xfe", b"\xfe\xff")) else utf16_order(head)
    if order is not None:
        return text_like(head[: len(head) & ~1].decode(order, errors="replace"))
    if b"\0" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError as exc:
            if exc.start > len(head) - 4:  # a character cut by the end of the sample
                return True
    return False

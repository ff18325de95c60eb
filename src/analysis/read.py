"""Workbook files → sheets of raw cell values, with merged cells filled and hidden sheets marked.

python-calamine reads .xlsx/.xlsm/.xls/.ods (values, merged ranges, sheet visibility); CSV files
are decoded as UTF-8 (with or without BOM) or GBK/GB18030. A file that cannot be read raises
ReadError with a reason in Chinese; everything else about the content is left to layout.py and
clean.py.

Ledgers arrive by chat and e-mail, so before any reader touches a file its first bytes say what it
really is (the extension is often wrong):

- zero bytes, a download cut off half-way, random bytes, a PDF, picture or Word file with an Excel
  name: each gets its own sentence;
- a zip (.xlsx): the central directory is checked first (entry count, total uncompressed size and
  the compression ratio of large parts), so that a zip bomb is refused in milliseconds, before
  anything is decompressed. The readers bound every part by its declared size (the Rust zip
  crate stops with an error past it), so the declared sizes are a safe limit;
- an OLE2 compound file: an encrypted .xlsx (EncryptionInfo / EncryptedPackage streams) or an
  encrypted .xls (a FILEPASS record after the first BOF) is named as password-protected; an .xls
  renamed .xlsx is read as what it is;
- an HTML page saved as .xls (what many online systems export) is read with the standard
  library's html.parser: each <table> is a sheet, colspan/rowspan are filled like merged cells.

python-calamine returns formula error cells (#REF!, #DIV/0!, #N/A …) as empty strings, and a
formula cell without a cached result (a file written by a program and never opened in Excel) as
empty too; a blank number cell would then silently take the column's default. For .xlsx files
the sheet XML is therefore scanned (streamed, only cells with t="e" or a formula are parsed) and
those cells get their error text back, or UNCALCULATED, so that they are rejected with a reason;
for .xls files the BIFF8 records (BOOLERR, and FORMULA with an error result) give the same.
"""
from __future__ import annotations

import csv
import html
import io
import posixpath
import re
import struct
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import python_calamine as calamine

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
SUFFIXES = EXCEL_SUFFIXES | {".csv"}

# Zip-bomb limits, checked on the zip's central directory before anything is decompressed.
# A real ledger workbook is a few MB unpacked (a 100 000-row sheet is about 100 MB) and its XML
# compresses 5–30 times; a part that unpacks to more than LARGE_PART at more than MAX_RATIO
# times, or a workbook above MAX_UNCOMPRESSED in all, is not a ledger.
MAX_UNCOMPRESSED = 1 << 30  # 1 GiB
LARGE_PART = 64 << 20  # 64 MiB
MAX_RATIO = 200
MAX_PARTS = 10_000

# The value given to a formula cell that has no computed result in the file (see module doc).
UNCALCULATED = "#公式未计算"
# What an error cell reads as (Excel and WPS error values, and UNCALCULATED): no column should keep one.
FORMULA_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
                            "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!",
                            UNCALCULATED})
PASSWORD = "工作簿已加密（设有打开密码或启用了加密保护），程序无法读取；请在 Excel 或 WPS 中取消密码后另存，再重新放入"

_HEAD_BYTES = 1 << 16
_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
_MAX_COLUMNS = 16_384  # Excel's limit; wider HTML rows are cut there
_MAX_ROWS = 1_048_576


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


def _column_index(letters: str) -> int:
    """Excel letters → zero-based column index (A → 0, AB → 27)."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _size_text(n: int) -> str:
    if n >= 1 << 30:
        return f"{n / (1 << 30):.1f} GB"
    if n >= 1 << 20:
        return f"{n / (1 << 20):.1f} MB"
    if n >= 1 << 10:
        return f"{n / (1 << 10):.1f} KB"
    return f"{n} 字节"


def read_sheets(path: Path) -> list[Sheet]:
    """The sheets of one ledger file; ReadError (in Chinese) for a file that cannot be read at all."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ReadError(f"不支持的文件类型“{suffix or '无扩展名'}”")
    try:
        return _read(path, suffix)
    except ReadError:
        raise
    except MemoryError:
        raise ReadError("文件过大，读取时内存不足；请把台账拆分成几个文件") from None
    except Exception as exc:  # noqa: BLE001 - never a traceback for a bad file
        raise ReadError(f"文件已损坏，读取时出错（{type(exc).__name__}）") from None


def _read(path: Path, suffix: str) -> list[Sheet]:
    try:
        size = path.stat().st_size
        with open(path, "rb") as f:
            head = f.read(_HEAD_BYTES)
    except OSError as exc:
        raise ReadError(f"文件无法打开（{exc.strerror or type(exc).__name__}）") from None
    if size == 0:
        raise ReadError("文件是空的（0 字节），可能下载或传输没有完成；请重新获取原文件")
    kind = _sniff(head)
    if kind == "zip":
        return _read_zip_workbook(path, suffix, size)
    if kind == "ole":
        return _read_ole_workbook(path, suffix, size)
    if kind == "html":
        return _read_html(path, suffix)
    if kind == "spreadsheetml":
        raise ReadError(f"文件扩展名是“{suffix}”，内容却是“XML 电子表格 2003”格式，程序不能直接读取；"
                        "请用 Excel 或 WPS 打开后另存为 .xlsx")
    if kind in _FOREIGN:
        raise ReadError(f"文件扩展名是“{suffix}”，内容却是{_FOREIGN[kind]}，不是台账表格；请确认发来的文件是否正确")
    if suffix == ".csv":
        return [_read_csv(path)]
    if _looks_like_text(head):
        raise ReadError(f"文件已损坏或不是 Excel 文件：扩展名是“{suffix}”，内容却是纯文本（可能是系统导出的文本文件）；"
                        "请用 Excel 或 WPS 打开后另存为 .xlsx")
    raise ReadError("文件已损坏或不是 Excel 文件：内容既不是 .xlsx 也不是 .xls 格式（可能是改了扩展名的其他文件）；"
                    "请重新获取原文件")


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
    return head.removeprefix(b"\xef\xbb\xbf").decode("latin-1")


def _looks_like_text(head: bytes) -> bool:
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


def _truncated(size: int) -> str:
    return (f"文件不完整：只有 {_size_text(size)}，结尾缺失，像是下载或传输中断时只保存了一部分；"
            "请重新获取原文件")


# ---------------------------------------------------------------- zip workbooks (.xlsx, .xlsm, .ods)

def _read_zip_workbook(path: Path, suffix: str, size: int) -> list[Sheet]:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError):
        # It starts like a zip, but the central directory at its end is missing or damaged.
        raise ReadError(_truncated(size)) from None
    with zf:
        infos = zf.infolist()
        _check_bomb(infos)
        names = {i.filename for i in infos}
        kind = _zip_kind(zf, names)
        try:
            fixes = _formula_cells(zf, names) if kind == "xlsx" else {}
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError, RuntimeError):
            # a bad CRC, a part cut short, an unknown compression method, a zip-level password
            raise ReadError("文件已损坏：工作表数据解压时出错（可能传输中损坏或被截断）；请重新获取原文件") from None
    direct = {"xlsx": (".xlsx", ".xlsm"), "ods": (".ods",)}.get(kind, ())
    return _read_calamine(path, by_path=suffix in direct, fixes=fixes)


def _check_bomb(infos) -> None:
    refuse = "疑似“压缩炸弹”（文件很小、解压后极大，会拖垮电脑），已拒绝读取；如确为正常台账，请用 Excel 另存后拆分成几个文件"
    if len(infos) > MAX_PARTS:
        raise ReadError(f"文件内含 {len(infos)} 个部件，远多于正常的工作簿，{refuse}")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED:
        raise ReadError(f"文件解压后达 {_size_text(total)}，超过上限 {_size_text(MAX_UNCOMPRESSED)}，{refuse}")
    for i in infos:
        if i.file_size > LARGE_PART and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            ratio = i.file_size // max(i.compress_size, 1)
            raise ReadError(f"文件中的“{i.filename}”解压后达 {_size_text(i.file_size)}，压缩了约 {ratio} 倍"
                            f"（正常工作簿不超过几十倍），{refuse}")


def _zip_kind(zf: zipfile.ZipFile, names: set) -> str:
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        return "xlsb"
    if "mimetype" in names and zf.getinfo("mimetype").file_size < 200:
        mimetype = zf.read("mimetype").decode("ascii", errors="replace").strip()
        if mimetype == "application/vnd.oasis.opendocument.spreadsheet":
            return "ods"
        if "opendocument.text" in mimetype:
            raise ReadError("文件内容是文字文档（ODT），不是台账表格；请确认发来的文件是否正确")
    if "word/document.xml" in names:
        raise ReadError("文件内容是 Word 文档（.docx），不是 Excel 表格；请确认发来的文件是否正确，"
                        "或把表格复制到 Excel 后另存为 .xlsx")
    if "ppt/presentation.xml" in names:
        raise ReadError("文件内容是 PowerPoint 演示文稿，不是 Excel 表格；请确认发来的文件是否正确")
    if "[Content_Types].xml" in names:
        raise ReadError("文件已损坏：缺少工作簿的主要部分（xl/workbook.xml）；请重新获取原文件")
    raise ReadError("文件内容是 zip 压缩包，不是 Excel 工作簿；如果台账在压缩包里，请先解压，再放入里面的表格")


# Formula cells in the sheet XML: an error (t="e") or a formula (<f>) trigger a look at the cell.
# The triggers are found with bytes.find (a regex over every tag is several times slower than
# calamine itself); only the cells around them are matched with the regexes below.
_NAME = rb"(?:[A-Za-z_][\w.-]*:)?"
_ERROR_NEEDLES = (b'"e"', b"'e'")  # the value of t="e"
_FORMULA_NEEDLES = (b"<f", b":f")  # <f …> or a prefixed <x:f …> (checked to be followed by " ", ">" or "/")
_TAG_END = frozenset(b" \t\r\n>/")
_CELL = re.compile(rb"<" + _NAME + rb"c\b([^>]*?)(?:/>|>(.*?)</" + _NAME + rb"c>)", re.DOTALL)
_ATTR_R = re.compile(rb"""(?:^|\s)r\s*=\s*["']\$?([A-Za-z]{1,3})\$?(\d{1,7})["']""")
_ATTR_T = re.compile(rb"""(?:^|\s)t\s*=\s*["'](\w+)["']""")
_VALUE = re.compile(rb"<" + _NAME + rb"v(?:\s[^>]*)?>(.*?)</" + _NAME + rb"v>", re.DOTALL)
_FORMULA = re.compile(rb"<" + _NAME + rb"f[\s>/]")
_TEXT_TYPES = {b"str", b"s", b"inlineStr"}


def _formula_cells(zf: zipfile.ZipFile, names: set) -> dict[str, list[tuple[int, int, str]]]:
    """Sheet name → (row, column, value) of the cells calamine would read as blank but are not."""
    found = {}
    for sheet, part in _sheet_parts(zf, names).items():
        cells = _scan_sheet_xml(zf, part)
        if cells:
            found[sheet] = cells
    return found


def _small_xml(zf: zipfile.ZipFile, name: str):
    """A small XML part (workbook, relationships) parsed, or None; no DTDs (no entity tricks)."""
    try:
        info = zf.getinfo(name)
    except KeyError:
        return None
    if info.file_size > 16 << 20:
        return None
    data = zf.read(info)
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        return None
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError:
        return None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sheet_parts(zf: zipfile.ZipFile, names: set) -> dict[str, str]:
    """Sheet name → its XML part (xl/worksheets/sheet1.xml), from workbook.xml and its relationships."""
    workbook = _small_xml(zf, "xl/workbook.xml")
    rels = _small_xml(zf, "xl/_rels/workbook.xml.rels")
    if workbook is None or rels is None:
        return {}
    targets = {el.get("Id"): el.get("Target") or "" for el in rels.iter() if _local(el.tag) == "Relationship"}
    parts = {}
    for el in workbook.iter():
        if _local(el.tag) != "sheet":
            continue
        rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), None)
        target, name = targets.get(rid), el.get("name")
        if not target or not name:
            continue
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        if part in names:
            parts[name] = part
    return parts


def _scan_sheet_xml(zf: zipfile.ZipFile, part: str) -> list[tuple[int, int, str]]:
    """Stream one sheet's XML in blocks cut after a row boundary; parse only the triggering cells."""
    found: list[tuple[int, int, str]] = []
    carry = b""
    with zf.open(part) as f:
        while True:
            block = f.read(1 << 20)
            buf = carry + block
            if block:
                cut = buf.rfind(b"row>")  # the end of </row> (or a <row> start): no cell spans it
                cut = cut + 4 if cut >= 0 else 0
            else:
                cut = len(buf)
            if cut:
                _scan_cells(buf, cut, found)
            carry = buf[cut:]
            if not block:
                return found


def _cell_starts(buf: bytes, end: int) -> list[int]:
    """Where the <c> elements that hold an error or a formula begin, in order."""
    starts = set()
    for needle in _ERROR_NEEDLES + _FORMULA_NEEDLES:
        i = buf.find(needle, 0, end)
        formula = needle in _FORMULA_NEEDLES
        while i >= 0:
            if not formula or (i + 2 < end and buf[i + 2] in _TAG_END):
                tag = buf.rfind(b"<", 0, i + 1)  # the tag holding the needle: <c …> for "e", <f or <x:f for a formula
                start = buf.rfind(b"<", 0, tag) if formula else tag
                if start >= 0:
                    starts.add(start)
            i = buf.find(needle, i + 1, end)
    return sorted(starts)


def _scan_cells(buf: bytes, end: int, found: list) -> None:
    done = 0
    for start in _cell_starts(buf, end):
        if start < done:
            continue
        cell = _CELL.match(buf, start, end)
        if cell is None:
            continue
        done = cell.end()
        attrs, body = cell.group(1), cell.group(2) or b""
        ref = _ATTR_R.search(attrs)
        if ref is None:  # a cell without its address: cannot be placed (rare; left as calamine read it)
            continue
        row, col = int(ref.group(2)) - 1, _column_index(ref.group(1).upper().decode())
        typ = _ATTR_T.search(attrs)
        typ = typ.group(1) if typ else b"n"
        value = _VALUE.search(body)
        if typ == b"e":
            text = html.unescape(value.group(1).decode("utf-8", errors="replace")).strip() if value else ""
            found.append((row, col, text if text.startswith("#") else "#VALUE!"))
        elif _FORMULA.search(body) and (value is None or (not value.group(1).strip() and typ not in _TEXT_TYPES)):
            found.append((row, col, UNCALCULATED))


# ---------------------------------------------------------------- OLE2 compound files (.xls, encrypted .xlsx)

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


def _read_ole_workbook(path: Path, suffix: str, size: int) -> list[Sheet]:
    data = path.read_bytes()
    try:
        streams = _ole_directory(data)
    except _Truncated:
        raise ReadError(_truncated(size)) from None
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
        fixes = _biff_error_cells(stream)
    return _read_calamine(path, by_path=suffix == ".xls", fixes=fixes)


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


def _biff_error_cells(stream: bytes) -> dict[str, list[tuple[int, int, str]]]:
    """Sheet name → (row, column, error text) of the error cells of a BIFF8 (.xls) workbook stream:
    BOOLERR records with an error, and FORMULA records whose cached result is an error."""
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
        for typ, _, rec in _biff_records(stream, offset):
            if typ == 0x000A:
                break
            if typ == 0x0205 and len(rec) >= 8 and rec[7] == 1:  # BOOLERR holding an error
                row, col = struct.unpack_from("<HH", rec)
                cells.append((row, col, _BIFF_ERRORS.get(rec[6], "#VALUE!")))
            elif typ == 0x0006 and len(rec) >= 14 and rec[12:14] == b"\xff\xff" and rec[6] == 2:  # FORMULA → error
                row, col = struct.unpack_from("<HH", rec)
                cells.append((row, col, _BIFF_ERRORS.get(rec[8], "#VALUE!")))
        if cells:
            found[name] = cells
    return found


# ---------------------------------------------------------------- calamine

def _read_calamine(path: Path, *, by_path: bool, fixes: dict) -> list[Sheet]:
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
        if r >= _MAX_ROWS or c >= _MAX_COLUMNS:
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


# ---------------------------------------------------------------- HTML tables saved as .xls

def _read_html(path: Path, suffix: str) -> list[Sheet]:
    data = path.read_bytes()
    text = _decode_html(data, suffix)
    parser = _TableParser()
    parser.feed(text)
    parser.close()
    tables = [rows for rows in parser.finished() if any(v for row in rows for v in row)]
    if not tables:
        raise ReadError(f"文件扩展名是“{suffix}”，内容却是网页（HTML），其中没有表格；可能是从系统下载时出错"
                        "（例如登录已过期）保存下来的页面，请重新导出")
    name = path.stem[:31] or "Sheet1"
    if len(tables) == 1:
        return [Sheet(name=name, hidden=False, rows=tables[0])]
    return [Sheet(name=f"{name}（表{i}）", hidden=False, rows=rows) for i, rows in enumerate(tables, 1)]


_CHARSET = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def _decode_html(data: bytes, suffix: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    else:
        m = _CHARSET.search(data[:4096])
        declared = m.group(1).decode("ascii").lower() if m else ""
        if declared in ("gb2312", "gbk", "gb18030", "x-gbk", "cp936"):
            declared = "gb18030"
        candidates = [c for c in (declared, "utf-8", "gb18030") if c]
    for encoding in candidates:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    raise ReadError(f"文件扩展名是“{suffix}”，内容是网页（HTML），但文字编码无法识别；请用 Excel 或 WPS 打开后另存为 .xlsx")


class _Table:
    """One HTML table being built: rows of cell texts, colspan and rowspan filled like merged cells."""

    def __init__(self, order: int):
        self.order = order
        self.rows: list[list] = []
        self.row: list | None = None
        self.col = 0
        self.cell: list | None = None
        self.span = (1, 1)
        self.carried: dict[int, list] = {}  # column -> [rows left, value] from a rowspan above

    def _put(self, col: int, value) -> None:
        if col >= _MAX_COLUMNS:
            return
        if len(self.row) <= col:
            self.row.extend([""] * (col + 1 - len(self.row)))
        self.row[col] = value

    def _take_carried(self, col: int) -> None:
        left, value = self.carried[col]
        self._put(col, value)
        if left <= 1:
            del self.carried[col]
        else:
            self.carried[col][0] = left - 1

    def start_row(self) -> None:
        self.end_row()
        self.row, self.col = [], 0

    def end_row(self) -> None:
        if self.row is None:
            return
        self.end_cell()
        for col in sorted(c for c in self.carried if c >= self.col):
            self._take_carried(col)
        if len(self.rows) < _MAX_ROWS:
            self.rows.append(self.row)
        self.row = None

    def start_cell(self, attrs) -> None:
        if self.row is None:
            self.start_row()
        self.end_cell()
        while self.col in self.carried:
            self._take_carried(self.col)
            self.col += 1
        attrs = dict(attrs)
        self.span = (_span(attrs.get("rowspan"), 65_534), _span(attrs.get("colspan"), 1_000))
        self.cell = []

    def text(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)

    def end_cell(self) -> None:
        if self.cell is None:
            return
        value = " ".join("".join(self.cell).split())
        rowspan, colspan = self.span
        for c in range(self.col, self.col + colspan):
            self._put(c, value)
            if rowspan > 1:
                self.carried[c] = [rowspan - 1, value]
        self.col += colspan
        self.cell = None

    def finish(self) -> list[list]:
        self.end_row()
        return self.rows


def _span(value, limit: int) -> int:
    try:
        return max(1, min(int(str(value).strip()), limit))
    except (TypeError, ValueError):
        return 1


class _TableParser(HTMLParser):
    """Every <table> of a page as rows of cell texts; script and style content ignored, nothing fetched."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self._open: list[_Table] = []
        self._done: list[_Table] = []
        self._count = 0
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "table":
            self._open.append(_Table(self._count))
            self._count += 1
        elif self._open:
            table = self._open[-1]
            if tag == "tr":
                table.start_row()
            elif tag in ("td", "th"):
                table.start_cell(attrs)
            elif tag == "br":
                table.text("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif self._open:
            table = self._open[-1]
            if tag == "table":
                table.finish()
                self._done.append(self._open.pop())
            elif tag in ("td", "th"):
                table.end_cell()
            elif tag == "tr":
                table.end_row()

    def handle_data(self, data):
        if not self._skip and self._open:
            self._open[-1].text(data)

    def finished(self) -> list[list[list]]:
        while self._open:  # tables left open at the end of the page
            table = self._open.pop()
            table.finish()
            self._done.append(table)
        return [t.rows for t in sorted(self._done, key=lambda t: t.order)]


# ---------------------------------------------------------------- CSV

def _read_csv(path: Path) -> Sheet:
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\0" in data[:_HEAD_BYTES]:
        raise ReadError("CSV 文件是 UTF-16 编码（Excel 的“Unicode 文本”），程序只支持 UTF-8 和 GBK；"
                        "请用 Excel 或 WPS 打开后另存为“CSV UTF-8”")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ReadError("CSV 文件编码无法识别（只支持 UTF-8 和 GBK），请用 Excel 或 WPS 另存为 UTF-8 CSV")
    try:
        rows = [list(r) for r in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise ReadError(f"CSV 文件格式有误，无法读取（{exc}）；请用 Excel 或 WPS 打开后另存为 .xlsx") from None
    return Sheet(name=path.stem, hidden=False, rows=rows)

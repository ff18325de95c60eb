"""Zip workbooks (.xlsx, .xlsm, .ods): refused before decompression when they are bombs; formula error cells found;
sheets whose content lies scattered far from the table refused before python-calamine allocates their grid.

python-calamine reads formula error cells (#REF!, #N/A …) and formula cells without a cached result as empty
strings (dimastbk/python-calamine#105). The sheet XML is scanned for them, streamed, and only the cells that hold
an error or a formula are parsed. The same pass looks for cell addresses beyond row 99,999 or column AZ (and for
cells without an address); only a sheet that has any is scanned cell by cell for its real extent (see
sheet.check_extent).

Cell formats: xl/styles.xml is parsed once (its number formats and cellXfs, number_formats.style_classes). Only
when some style shows numbers as percentages or currency, or as a date python-calamine does not recognise, are the
sheets scanned for the cells that use such a style (one RE2 pass per block of the sheet XML counts their s="k"
attributes; bytes.find finds them in a block that has any, see _scan_styles): the workbook of an ordinary ledger
costs the parse of styles.xml, about 0.1 ms.
"""
from __future__ import annotations

import html
import io
import posixpath
import re
import struct
import zipfile
from xml.etree import ElementTree

from analysis.ingest.read.calamine_grid import read_calamine
from analysis.ingest.read.number_formats import style_classes
from analysis.ingest.read.sheet import (
    UNCALCULATED,
    ReadError,
    Sheet,
    check_extent,
    column_index,
    size_text,
    truncated,
)

# Zip-bomb limits, checked on the zip's central directory before anything is decompressed, over all parts
# together (a bomb split into many parts just under a per-part limit is still a bomb). A real ledger workbook
# is a few MB unpacked (a 100 000-row sheet is about 100 MB) and its XML compresses 5–30 times; a workbook that
# unpacks to more than LARGE at more than MAX_RATIO times, or to more than MAX_UNCOMPRESSED, is not a ledger.
MAX_UNCOMPRESSED = 1 << 30  # 1 GiB
LARGE = 64 << 20  # 64 MiB
MAX_RATIO = 200
MAX_PARTS = 10_000


_REALLY = {"xlsx": ".xlsx", "xlsb": ".xlsb", "ods": ".ods"}


def read_zip_workbook(data: bytes, suffix: str) -> tuple[list[Sheet], str]:
    """The sheets, and the extension the content has (".xlsx", ".xlsb" or ".ods")."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError):
        # It starts like a zip, but the central directory at its end is missing or damaged.
        raise ReadError(truncated(len(data))) from None
    with zf:
        infos = zf.infolist()
        _check_bomb(infos)
        names = {i.filename for i in infos}
        kind = _zip_kind(zf, names)
        fixes, styled, date1904 = {}, None, False  # formats of .ods and .xlsb cells are not told
        try:
            if kind == "xlsx":
                parts, date1904 = _workbook_parts(zf, names)
                fixes = _scan_sheets(zf, names, parts)
                styled = _styled_cells(zf, names, parts)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError, RuntimeError):
            # a bad CRC, a part cut short, an unknown compression method, a zip-level password
            raise ReadError("文件已损坏：工作表数据解压时出错（可能传输中损坏或被截断）；请重新获取原文件") from None
    return read_calamine(data, fixes=fixes, styled=styled, date1904=date1904), _REALLY[kind]


def _check_bomb(infos) -> None:
    refuse = "疑似“压缩炸弹”（文件很小、解压后极大，会拖垮电脑），已拒绝读取；如确为正常台账，请用 Excel 另存后拆分成几个文件"
    if len(infos) > MAX_PARTS:
        raise ReadError(f"文件内含 {len(infos)} 个部件，远多于正常的工作簿，{refuse}")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED:
        raise ReadError(f"文件解压后达 {size_text(total)}，超过上限 {size_text(MAX_UNCOMPRESSED)}，{refuse}")
    packed = sum(i.compress_size for i in infos)
    if total > LARGE and total > MAX_RATIO * max(packed, 1):
        largest = max(infos, key=lambda i: i.file_size)
        raise ReadError(f"文件解压后达 {size_text(total)}（最大的部件“{largest.filename}”{size_text(largest.file_size)}），"
                        f"压缩了约 {total // max(packed, 1)} 倍（正常工作簿不超过几十倍），{refuse}")


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


def _scan_sheets(zf: zipfile.ZipFile, names: set, parts: dict[str, str]) -> dict[str, list[tuple[int, int, str]]]:
    """Sheet name → (row, column, value) of the cells calamine would read as blank but are not; ReadError for a
    sheet whose content lies scattered far beyond its table."""
    found = {}
    # Worksheet parts that workbook.xml does not lead to (it could not be parsed) are checked for extent too.
    others = sorted(n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml") and n not in parts.values())
    for sheet, part in [*parts.items(), *((n, n) for n in others)]:
        cells, far = _scan_sheet_xml(zf, part)
        if far:
            check_extent(sheet, *_extent(zf, part))
        if cells and sheet in parts:
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


def _workbook_parts(zf: zipfile.ZipFile, names: set) -> tuple[dict[str, str], bool]:
    """(sheet name → its XML part (xl/worksheets/sheet1.xml), from workbook.xml and its relationships; whether the
    workbook counts dates from 1904)."""
    workbook = _small_xml(zf, "xl/workbook.xml")
    rels = _small_xml(zf, "xl/_rels/workbook.xml.rels")
    if workbook is None:
        return {}, False
    date1904 = any(_local(el.tag) == "workbookPr" and (el.get("date1904") or "").lower() in ("1", "true")
                   for el in workbook)
    if rels is None:
        return {}, date1904
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
    return parts, date1904


def _blocks(zf: zipfile.ZipFile, part: str):
    """(buffer, end) pieces of one sheet's XML, streamed, each cut after a row boundary: no cell spans two."""
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
                yield buf, cut
            carry = buf[cut:]
            if not block:
                return


# An address beyond row 99,999 or column AZ (a grid of up to 5.2 million cells, sheet.MAX_AREA), on a cell or
# a row, or a cell without an address (placed after the one before it): only then is the real extent worked out.
# Two patterns, each starting with a literal, scan several times faster than one alternation.
_FAR_ADDRESS = re.compile(rb"""r\s*=\s*["']\$?(?:[A-Z]{3}|[B-Z][A-Z]|[A-Z]{0,2}\$?\d{6})""")
_NO_ADDRESS = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?c(?:>|\s(?:(?!r\s*=)[^>])*>)""")


# Whatever the scan below looks at matches this pattern: t="e" (quoted either way), <f or :f before white space,
# ">" or "/", a far address (_FAR_ADDRESS), and a cell tag whose first attribute is not r= (a superset of
# _NO_ADDRESS). RE2 (pyarrow.compute) runs one pass of it several times faster than the scan, so a sheet without
# a match, nearly every sheet, costs one fast pass; a sheet with one is scanned as before, with the same result.
_WS = r"[ \t\n\r\f\v]"  # Python's \s for bytes (RE2's lacks \v)
_SUSPECT = (r"""["']e["']|[<:]f[ \t\n\r\f\v>/]"""
            rf"""|r{_WS}*={_WS}*["']\$?(?:[A-Z]{{3}}|[B-Z][A-Z]|[A-Z]{{0,2}}\$?\d{{6}})"""
            rf"""|<(?:[A-Za-z_][\w.-]*:)?c(?:>|{_WS}+(?:[^r \t\n\r\f\v]|r{_WS}*[^= \t\n\r\f\v]))""")


_SUSPECT_RE = re.compile(_SUSPECT.encode())
# Below this many bytes Python's own engine runs the pattern sooner than RE2, which compiles it on every call (about
# 0.1 ms): a small sheet, and the tail after every sheet's last row, are looked at with it (benchmarks/README.md).
_RE2_FROM = 8192


def _suspect(buf: bytes, end: int) -> bool:
    """Whether buf[:end] may hold a cell the scan would restore or an address it would call far (no copy made)."""
    if end < _RE2_FROM:
        return _SUSPECT_RE.search(buf, 0, end) is not None
    return _suspect_re2(buf, end)


def _suspect_re2(buf: bytes, end: int) -> bool:
    """_suspect by RE2 (pyarrow.compute): one pass over a large sheet several times faster than Python's engine."""
    import pyarrow as pa  # here: finding and hashing raw files (a run with nothing changed) imports this package too
    import pyarrow.compute as pc

    offsets = pa.py_buffer(struct.pack("<2q", 0, end))
    text = pa.LargeBinaryArray.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(buf)])
    return pc.match_substring_regex(text, pattern=_SUSPECT)[0].as_py()


def _scan_sheet_xml(zf: zipfile.ZipFile, part: str) -> tuple[list[tuple[int, int, str]], bool]:
    """(the cells calamine would read as blank but are not, whether any address lies far out), in one pass
    (two for a sheet that _SUSPECT flags)."""
    if not any(_suspect(buf, end) for buf, end in _blocks(zf, part)):
        return [], False
    found: list[tuple[int, int, str]] = []
    far = False
    for buf, end in _blocks(zf, part):
        _scan_cells(buf, end, found)
        far = far or _FAR_ADDRESS.search(buf, 0, end) is not None or _NO_ADDRESS.search(buf, 0, end) is not None
    return found, far


_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)\b([^>]*?)(/?)>")
_ROW_R = re.compile(rb"""(?:^|\s)r\s*=\s*["'](\d{1,7})["']""")


def _extent(zf: zipfile.ZipFile, part: str) -> tuple[int, int, int]:
    """(last row, last column, number of cells) of the cells with content (a value, a text or a formula) in one
    sheet, placed the way readers place them: by their address, else after the cell before. Cells that only
    carry formatting do not count (python-calamine leaves them out too). Cell by cell: only for sheets that
    _FAR flags."""
    last_row = last_col = cells = 0
    row = col = -1
    for buf, end in _blocks(zf, part):
        for m in _TAG.finditer(buf, 0, end):
            attrs = m.group(2)
            if m.group(1) == b"row":
                r = _ROW_R.search(attrs)
                row, col = (int(r.group(1)) - 1 if r else row + 1), -1
                continue
            ref = _ATTR_R.search(attrs)
            if ref is not None:
                row, col = int(ref.group(2)) - 1, column_index(ref.group(1).upper().decode())
            else:
                col += 1
            if m.group(3) or buf.startswith(b"</", m.end()):  # <c …/> or <c …></c>: formatting only
                continue
            cells += 1
            last_row, last_col = max(last_row, row), max(last_col, col)
    return last_row, last_col, cells


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
        row, col = int(ref.group(2)) - 1, column_index(ref.group(1).upper().decode())
        typ = _ATTR_T.search(attrs)
        typ = typ.group(1) if typ else b"n"
        value = _VALUE.search(body)
        if typ == b"e":
            text = html.unescape(value.group(1).decode("utf-8", errors="replace")).strip() if value else ""
            found.append((row, col, text if text.startswith("#") else "#VALUE!"))
        elif _FORMULA.search(body) and (value is None or (not value.group(1).strip() and typ not in _TEXT_TYPES)):
            found.append((row, col, UNCALCULATED))


# ---------------------------------------------------------------- cell formats

def _styled_cells(zf: zipfile.ZipFile, names: set, parts: dict[str, str]) -> dict[str, list[tuple[int, int, str]]] | None:
    """Sheet name → (row, column, class) of the cells whose style is a percent, currency or calamine-missed date
    format (number_formats); {} when no style is; None when styles.xml cannot be read (formats unknown)."""
    if "xl/styles.xml" not in names:
        return {}  # no styles: every cell is General
    styles = _small_xml(zf, "xl/styles.xml")
    if styles is None:
        return None
    declared, format_ids = {}, []
    for el in styles:
        if _local(el.tag) == "numFmts":
            for fmt in el:
                fmt_id, code = _int(fmt.get("numFmtId")), fmt.get("formatCode")
                if fmt_id is not None and code is not None:
                    declared[fmt_id] = code
        elif _local(el.tag) == "cellXfs":
            format_ids = [_int(xf.get("numFmtId")) or 0 for xf in el if _local(xf.tag) == "xf"]
    classes = style_classes(format_ids, declared)
    if not classes:
        return {}
    if not parts:
        return None  # workbook.xml could not be read: which sheet is which part is unknown
    found = {}
    for sheet, part in parts.items():
        cells = _scan_styles(zf, part, classes)
        if cells:
            found[sheet] = cells
    return found


def _int(text) -> int | None:
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


_CELL_TAG = re.compile(rb"<" + _NAME + rb"c[\s/>]")
_CELL_REF = re.compile(rb"<" + _NAME + rb"""c\s+r\s*=\s*["']\$?([A-Za-z]{1,3})\$?(\d{1,7})["']""")
_ATTR_S = re.compile(rb"""(?:^|\s)s\s*=\s*["'](\d+)["']""")


def _scan_styles(zf: zipfile.ZipFile, part: str, classes: dict[int, str]) -> list[tuple[int, int, str]]:
    """(row, column, class) of the cells of one sheet whose style index is in `classes`.

    RE2 counts the s="k" attributes of those styles in each block (on cells or rows); a block without one is done.
    In the others, the attributes as Excel and WPS write them (one space, double quotes) are found with bytes.find;
    only when that finds fewer than RE2 counted is the block searched with a regex."""
    if 0 in classes:  # the default style (cells without s=) is one: every cell tag is looked at
        return _scan_all_styles(zf, part, classes)
    ids = "|".join(str(k) for k in sorted(classes))
    pattern = rf"""{_WS}s{_WS}*={_WS}*["'](?:{ids})["']"""
    attr = re.compile(rb"""\ss\s*=\s*["'](""" + ids.encode() + rb""")["']""")
    needles = [(f' s="{k}"'.encode(), k) for k in classes]
    found: list[tuple[int, int, str]] = []
    for buf, end in _blocks(zf, part):
        count = _count(buf, end, pattern)
        if not count:
            continue
        hits = []
        for needle, k in needles:
            i = buf.find(needle, 0, end)
            while i >= 0:
                hits.append((i, k))
                i = buf.find(needle, i + len(needle), end)
        if len(hits) != count:
            hits = [(m.start(), int(m.group(1))) for m in attr.finditer(buf, 0, end)]
        for at, k in hits:
            tag = buf.rfind(b"<", 0, at)
            ref = _CELL_REF.match(buf, tag) if tag >= 0 else None
            if ref is None:
                if tag < 0 or not _CELL_TAG.match(buf, tag):
                    continue  # a <row s="k"> (a row's default style for new cells), not a cell
                close = buf.find(b">", at, end)
                ref = _ATTR_R.search(buf, tag, close if close >= 0 else end)
                if ref is None:
                    continue  # a cell without its address: cannot be placed
            found.append((int(ref.group(2)) - 1, column_index(ref.group(1).upper().decode()), classes[k]))
    return found


def _count(buf: bytes, end: int, pattern: str) -> int:
    """How many times the RE2 `pattern` matches in buf[:end] (no copy made)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    offsets = pa.py_buffer(struct.pack("<2q", 0, end))
    text = pa.LargeBinaryArray.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(buf)])
    return pc.count_substring_regex(text, pattern=pattern)[0].as_py()


def _scan_all_styles(zf: zipfile.ZipFile, part: str, classes: dict[int, str]) -> list[tuple[int, int, str]]:
    found = []
    for buf, end in _blocks(zf, part):
        for m in _TAG.finditer(buf, 0, end):
            if m.group(1) != b"c":
                continue
            attrs = m.group(2)
            style = _ATTR_S.search(attrs)
            cls = classes.get(int(style.group(1)) if style else 0)
            ref = _ATTR_R.search(attrs)
            if cls is not None and ref is not None:
                found.append((int(ref.group(2)) - 1, column_index(ref.group(1).upper().decode()), cls))
    return found

"""Text tables: .csv files, and the text that web systems and Excel's "Unicode 文本" export under an .xls or .xlsx name.

The encoding is UTF-16 (little- or big-endian, with a BOM or told by its zero bytes: ASCII characters such as the
tab, the comma and the line break have a zero high byte), UTF-8 (with or without BOM) or GB18030 (GBK's superset),
tried in that order, each strictly; text with more than a stray control character is not text. The delimiter is a
tab or a comma: the one that parses the most of the first 50 lines into rows of one same number of cells (lines of
one cell, such as a title, are not counted; see _delimiter). csv.Sniffer is not used: it guesses from character
frequencies, picks letters or spaces as delimiters on short samples and fails on Chinese text. Quoted cells may hold
the delimiter, quotes and line breaks. Cells stay text, numbers too, for the cleaning to parse. Under an .xls or
.xlsx name, text that neither delimiter splits is not a table (read_sheets refuses it as plain text); a .csv of
one column is read.
"""
from __future__ import annotations

import csv
import io
import re
from collections import Counter
from pathlib import Path

from analysis.ingest.read.sheet import HEAD_BYTES, ReadError, Sheet

_SAMPLE_CHARS = 1 << 16
_SAMPLE_LINES = 50
_DELIMITERS = {"\t": "制表符", ",": "逗号"}
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f]")


def read_text_table(path: Path, data: bytes, suffix: str) -> Sheet | None:
    """The table in a text file, or None when the bytes are not text in a supported encoding (and, under a
    spreadsheet's name, not a table of tab- or comma-separated cells)."""
    decoded = decode_text(data)
    if decoded is None:
        return None
    text, encoding = decoded
    delimiter = _delimiter(text, "," if suffix == ".csv" else "\t")
    if delimiter is None and suffix != ".csv":
        return None  # one column of text under an Excel name: not a table export
    try:
        rows = [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter or ",")]
    except csv.Error as exc:
        kind = "CSV 文件" if suffix == ".csv" else "文本文件"
        raise ReadError(f"{kind}格式有误，无法读取（{exc}）；请用 Excel 或 WPS 打开后另存为 .xlsx") from None
    if suffix == ".csv" and delimiter in (None, ",") and encoding != "UTF-16":
        read_as = None  # what a .csv should be
    elif delimiter is None:
        read_as = f"{encoding} 编码的文本文件"
    else:
        read_as = f"{encoding} 编码、{_DELIMITERS[delimiter]}分隔的文本文件"
    return Sheet(name=path.stem, hidden=False, rows=rows, read_as=read_as)


def decode_text(data: bytes) -> tuple[str, str] | None:
    """(the text, "UTF-16", "UTF-8" or "GBK"), or None for bytes that are not text in one of these encodings."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data, "utf-8-sig", "UTF-8")  # these codecs drop the BOM without copying the bytes
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16", "UTF-16")
    order = utf16_order(data[:HEAD_BYTES])
    if order is not None:
        return _strict(data, order, "UTF-16")
    if b"\0" in data:
        return None
    return _strict(data, "utf-8", "UTF-8") or _strict(data, "gb18030", "GBK")


def utf16_order(head: bytes) -> str | None:
    """"utf-16-le" or "utf-16-be" for what may be BOM-less UTF-16 text, told by where its zero bytes fall: the
    high byte of every ASCII character (delimiters, line breaks, digits) is zero, while only a few CJK characters
    (U+4E00 一, U+5E00 帀 …) have a zero low byte. Decoding and the check for control characters confirm it."""
    head = head[: len(head) & ~1]
    pairs = len(head) // 2
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if max(even, odd) < max(2, pairs // 50):
        return None
    if odd > 2 * even:
        return "utf-16-le"
    if even > 2 * odd:
        return "utf-16-be"
    return None


def _strict(data: bytes, encoding: str, label: str) -> tuple[str, str] | None:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    text = text.rstrip("\0")  # some exporters pad UTF-16 files with zero characters
    return (text, label) if text_like(text) else None


def text_like(text: str) -> bool:
    """No more control characters than a stray few: binary data decoded by chance is full of them."""
    sample = text[:_SAMPLE_CHARS]
    return len(_CONTROL.findall(sample)) * 200 <= len(sample)


def _delimiter(text: str, natural: str) -> str | None:
    """The tab or the comma, whichever parses the most of the first lines into rows of one same number of cells
    (lines of one cell, such as a title, do not count); on a tie, the one giving more cells, then the extension's
    `natural` one. None when neither splits any line.

    Lines, not rows, are counted: a quoted cell with a line break is one row of the right delimiter over two lines,
    while the wrong one may cut it into two rows of a few cells each. In a table whose header does not hold the
    other delimiter, the right one then always counts more lines than the wrong one (the header's, at least)."""
    sample = text[:_SAMPLE_CHARS]
    if len(text) > _SAMPLE_CHARS and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    best, best_score = None, (0, 0, False)
    for delimiter in _DELIMITERS:
        lines: Counter = Counter()  # cells in a row → the lines such rows take
        try:
            reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
            before = 0
            for row in reader:
                if len(row) > 1:
                    lines[len(row)] += reader.line_num - before
                before = reader.line_num
                if before >= _SAMPLE_LINES:
                    break
        except csv.Error:
            continue
        if not lines:
            continue
        width, count = max(lines.items(), key=lambda item: (item[1], item[0]))
        score = (count, width, delimiter == natural)
        if score > best_score:
            best, best_score = delimiter, score
    return best

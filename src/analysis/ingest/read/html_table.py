"""HTML pages saved as .xls (what many online systems export): each <table> is a sheet, spans filled like merges.

The page is decoded by its BOM (UTF-8, UTF-16), else as UTF-16 when its zero bytes say so, else by its declared
charset, else UTF-8, else GB18030. Cell formats cannot be told (Sheet.formats is None); the columns a rowspan
carries a value down in (with the rows the span covers) are the sheet's vertical_merges.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from analysis.ingest.read.sheet import HEAD_BYTES, MAX_AREA, MAX_COLUMNS, MAX_ROWS, ReadError, Sheet
from analysis.ingest.read.text_table import utf16_order


def read_html(path: Path, data: bytes, suffix: str) -> list[Sheet]:
    text = _decode_html(data, suffix)
    parser = _TableParser()
    parser.feed(text)
    parser.close()
    tables = [t for t in parser.finished() if any(v for row in t.rows for v in row)]
    if not tables:
        raise ReadError(f"文件扩展名是“{suffix}”，内容却是网页（HTML），其中没有表格；可能是从系统下载时出错"
                        "（例如登录已过期）保存下来的页面，请重新导出")
    name = path.stem[:31] or "Sheet1"
    names = [name] if len(tables) == 1 else [f"{name}（表{i}）" for i in range(1, len(tables) + 1)]
    return [Sheet(name=n, hidden=False, rows=t.rows, vertical_merges=t.vertical)
            for n, t in zip(names, tables)]


_CHARSET = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def _decode_html(data: bytes, suffix: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    elif order := utf16_order(data[:HEAD_BYTES]):
        candidates = [order]
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
        self.vertical: dict[int, list] = {}  # column → (first, last) rows of each rowspan that carried a value down
        self.cells = 0

    def _put(self, col: int, value) -> None:
        if col >= MAX_COLUMNS:
            return
        self.cells += 1
        if self.cells > MAX_AREA:  # spans over a whole sheet: not a ledger, and it would take all memory
            raise ReadError(f"网页表格的单元格（含跨行跨列展开后）超过 {MAX_AREA // 10_000} 万个，不是正常的台账，已拒绝读取；"
                            "请检查导出的文件")
        if len(self.row) <= col:
            self.row.extend([""] * (col + 1 - len(self.row)))
        self.row[col] = value

    def _take_carried(self, col: int) -> None:
        left, value = self.carried[col]
        self._put(col, value)
        if col < MAX_COLUMNS:  # the row being read is len(self.rows) (rows are appended when they end)
            runs = self.vertical.setdefault(col, [])
            if runs and runs[-1][1] == len(self.rows) - 1:
                runs[-1] = (runs[-1][0], len(self.rows))
            else:
                runs.append((len(self.rows) - 1, len(self.rows)))
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
        if len(self.rows) < MAX_ROWS:
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

    def finished(self) -> list[_Table]:
        while self._open:  # tables left open at the end of the page
            table = self._open.pop()
            table.finish()
            self._done.append(table)
        return sorted(self._done, key=lambda t: t.order)

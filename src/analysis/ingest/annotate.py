"""The annotated copy of a ledger file: the file as the program read it, to look at in Excel or send back to a squad.

Made from a FileReading (file_result.read_file, the very reading `analysis clean` uses), never from a second
reading: a first sheet 读取说明 (header mapping, counts, legend), then one sheet per visible input sheet with a
column A naming each row's class, a fill per class, a comment on each rejected cell (the reason) and on each cell
read as something other than what it shows (焦南办 → 焦南街道). Personal data is blanked as in the outputs, since
the copy leaves the office: personal columns emptied, phone and ID numbers masked, people's names in notes and
footers replaced (persons.py).
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field

from analysis.ingest.layout import ROW_KIND_NAMES, ROW_KINDS
from analysis.ingest.normalize import cell_text, is_blank, mask_personal_numbers
from analysis.ingest.read.sheet import column_index, column_letter
from analysis.ingest.text import shorten

COPIES_DIR = "批注副本"  # the subfolder of clean's output folder that holds its annotated copies
AUTHOR = "analysis check"
GUIDE = "读取说明"
HIDDEN_NOTE = "已隐去"
HIDDEN_TEXT = "（已隐去）"  # text outside the ledger's columns and in footers: the outputs never hold it either
_NUMBER_LIKE = re.compile(r"[\d.,\s-]*")  # 序号 12, 1.0: kept (a phone number among them is masked as one)
# Sheets copied: those whose rows were looked at as a ledger's. A summary, an instruction sheet or one without the
# ledger's header is named in 读取说明 only: nothing there says which of its cells hold names.
_COPIED = ("ok", "failed")
# A workbook's document time, fixed: the same reading always gives the same bytes.
_WHEN = dt.datetime(2000, 1, 1)

# Printable fills (light, as Excel's own good/bad/neutral styles): the class of each row at a glance.
FILLS = {"kept": "C6EFCE", "rejected": "FFC7CE", "data": "FFEB9C", "header": "D9E1F2", "subheader": "D9E1F2",
         "units": "D9E1F2", "title": "EDEDED", "block_title": "EDEDED", "total": "FFF2CC", "footer": "EDEDED",
         "end": "EDEDED", "template": "EDEDED", "blank": "F7F7F7"}
CLASSES = ("kept", "rejected", *(k for k in ROW_KINDS if k != "data"), "data")
# A data row of a sheet that was not cleaned (a required column missing, a summary sheet) is neither kept nor rejected.
CLASS_NAMES = {**ROW_KIND_NAMES, "data": "记录（本表未读取）"}
STATUS_NAMES = {"ok": "已读取", "partial": "部分读取（有工作表未能读取）", "failed": "读取失败"}
SHEET_STATUS_NAMES = {"ok": "已读取", "failed": "未能读取", "hidden": "隐藏，已跳过", "summary": "汇总表，已跳过",
                      "instructions": "填表说明，已跳过", "empty": "空工作表，已跳过", "no_header": "找不到表头，已跳过"}

_LETTER_REF = re.compile(r"（([A-Z]{1,3})列）")
_SPACES = re.compile(r"\s+")
_NUMBERS = re.compile(r"\d+")
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")
MAX_CELL = 32_767  # Excel's limit for a cell's text
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # control characters no workbook cell may hold
_MERGED_ACROSS = ("title", "block_title", "end")  # kinds whose one text a merge spreads over the row: shown once
_FORMATS = {"percent": "0%", "currency": '"¥"#,##0.00'}  # Sheet.formats as number formats of the copy


def _numbers(text: str) -> list:
    return [int(n) for n in _NUMBERS.findall(text)]


def copy_name(rel: str) -> str:
    """Where a file's copy goes, relative to the copies' folder: the same relative path, as .xlsx (a.xls → a.xls.xlsx,
    so that a.xls and a.xlsx beside it keep copies of their own)."""
    return rel if rel.lower().endswith(".xlsx") else rel + ".xlsx"


def needs_copy(record) -> bool:
    """Whether `analysis clean` writes a copy of a file (a records.FileRecord): it has rejected rows, the red rows a
    squad is asked to fix. Values taken in by a catch-all (其他) are no reason on their own: they are named per
    ledger in the clean's summary, where the fix is usually one line of the ledger's spec, and `analysis check` shows
    every such cell on demand; a copy of each of those files made a cold clean of the benchmark's ledgers 5 to 13
    times as long as the cleaning itself (benchmarks/README.md)."""
    if record.sheets is None:  # a copy whose records another file has: only its own extra rejects count
        return bool(record.rows_rejected)
    return any(s.rejected for s in record.sheets)


@dataclass
class SheetCopy:
    """What the copy says about one input sheet (for the 读取说明 sheet and the screen)."""
    name: str  # the input sheet's name
    title: str | None  # its sheet's name in the copy (None: not copied, a hidden sheet)
    classes: dict  # class → rows
    rejected_cells: int
    readings: int  # cells with a 读作 comment


def _value_text(value) -> str:
    """A cleaned value as a person reads it: 2024-03-05, 120, 是."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.date):
        return value.isoformat()[:10]
    return cell_text(value)


def _shown(value) -> str:
    """A cell as it shows, for comparing with its reading (inner white space as one space)."""
    return _SPACES.sub(" ", cell_text(value)).strip()


class _Masker:
    """Personal data out of a cell as the outputs leave it out: numbers masked everywhere, people's names where a
    column or a footer may hold them (persons.py; imported when first needed)."""

    def __init__(self):
        from analysis.ingest import persons

        self.person, self.note = persons.mask_person, persons.mask_people_in_note
        self.masked: dict = {}  # (type, value, how) → the masked cell: a ledger repeats its values
        self.labels: set = set()  # masked texts that end as a label does (审核：), after which a name may follow

    def cell(self, value, how: str | None):
        if value is None:
            return None
        key = (type(value), value, how)  # the type too: True == 1 == 1.0, and each is written its own way
        try:
            return self.masked[key]
        except KeyError:
            pass
        except TypeError:  # an unhashable value (none is expected from a reader): masked, not remembered
            return self._label(self._mask(value, how))
        masked = self.masked[key] = self._label(self._mask(value, how))
        return masked

    def _label(self, masked):
        """`masked`, remembered in `labels` when it ends as a label does (row() looks pair by pair only then)."""
        if isinstance(masked, str) and masked.rstrip().endswith((":", "：")):
            self.labels.add(str(masked))
        return masked

    def _mask(self, value, how: str | None):
        if isinstance(value, str) and how == "hide" and not _NUMBER_LIKE.fullmatch(value.strip()):
            return HIDDEN_TEXT  # text the outputs do not hold either (a column not read, a footer)
        if isinstance(value, str):
            text = mask_personal_numbers(value)
            if how == "whole":
                text = self.person(text)[0]
            elif how == "note":
                text = self.note(text)[0]
            return text
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            text = cell_text(value)  # a phone number typed as a number
            masked = mask_personal_numbers(text)
            return masked if masked != text else value
        return value

    def row(self, row: list, hows: list) -> list:
        if len(hows) < len(row):
            hows = [*hows, *["note"] * (len(row) - len(hows))]
        out = list(map(self.cell, row, hows))
        try:
            if self.labels.isdisjoint(out[:-1]):
                return out
        except TypeError:  # an unhashable cell (none is expected): looked at one by one below
            pass
        # A footer label in a cell of its own (审核： | 王建军): the name is masked as part of its label.
        for j in range(1, len(out)):
            before, value = out[j - 1], out[j]
            if isinstance(before, str) and isinstance(value, str) and before.rstrip().endswith((":", "：")):
                joined = self.note(before + value)[0]
                if joined.startswith(before):
                    out[j] = joined[len(before):]
        return out


# A run of more blank rows than this shows as its first row only, saying how many there are; blank rows after the
# last row with content are not written at all. A copy costs what the sheet holds, not how far its grid reaches.
LONG_BLANK_RUN = 20


@dataclass
class _Plan:
    """One sheet of the copy before it is written: its cells row by row, and how the sheet is set out."""
    title: str
    rows: list  # (Excel row, {column: (value, look, comment text or None)}), rows in order
    freeze: str | None = None
    widths: dict = field(default_factory=dict)  # column letter → width
    heights: dict = field(default_factory=dict)  # Excel row → height
    merged: list = field(default_factory=list)  # "A2:E2"


def annotated_copy(reading, rel: str, spec, rejects: list | None = None) -> tuple[bytes, list[SheetCopy]]:
    """(The copy as .xlsx bytes, what it says of each sheet) of one file read by file_result.read_file.
    `rejects`: the reject dicts (file, sheet, row, column, value, reason) to show; default the reading's own
    (`analysis clean` passes the run's, which adds the rows a ledger's one-row-per-key rule left out)."""
    rejects = reading.rejects if rejects is None else rejects
    by_sheet: dict = {}
    for r in rejects:
        by_sheet.setdefault(r["sheet"], []).append(r)
    masker = _Masker()
    used = {GUIDE}
    plans, copies = [], []
    for done in reading.sheets:
        if done.layout is None or done.record.status not in _COPIED:  # hidden, or not read as the ledger
            copies.append(SheetCopy(done.sheet.name, None, {}, 0, 0))
            continue
        plan, copy = _plan_sheet(_sheet_title(done.sheet.name, used), done, spec, by_sheet.get(done.sheet.name, []),
                                 masker)
        plans.append(plan)
        copies.append(copy)
    return _workbook([_plan_guide(reading, rel, spec, copies), *plans]), copies


def copy_or_problem(reading, rel: str, spec, rejects: list | None = None) -> tuple[bytes | None, str | None]:
    """(annotated_copy's .xlsx bytes, None), or (None, the problem to mention): a copy is a convenience and never
    fails the clean."""
    try:
        return annotated_copy(reading, rel, spec, rejects=rejects)[0], None
    except Exception as exc:  # noqa: BLE001 - see above
        return None, f"{type(exc).__name__}: {exc}"


def _workbook(plans: list[_Plan]) -> bytes:
    """The sheets as .xlsx bytes, always the same for the same plans (a fixed document time; XlsxWriter gives every
    zip entry one fixed time). XlsxWriter, not openpyxl: it only writes and makes each format once; the benchmark's
    copies were made 1.6-2.2 times as fast (benchmarks/README.md)."""
    import io

    import xlsxwriter
    from xlsxwriter.utility import xl_cell_to_rowcol

    buffer = io.BytesIO()
    # Text stays text: no number, formula or link is made of a string (a cell reading "=1+1" or "0012"); an
    # infinite number, which no reader here gives, would show as Excel's error value rather than stop the copy.
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                                        "strings_to_urls": False, "nan_inf_to_errors": True})
    book.set_properties({"created": _WHEN})
    looks = _Looks(book)
    for plan in plans:
        ws = book.add_worksheet(plan.title)
        if plan.freeze:
            ws.freeze_panes(plan.freeze)
        for letter, width in plan.widths.items():
            ws.set_column(f"{letter}:{letter}", width)
        for r, height in plan.heights.items():
            ws.set_row(r - 1, height)
        merged = {}  # top-left (row, column) → (last row, last column), 0-based as XlsxWriter counts
        for ref in plan.merged:
            first, last = ref.split(":")
            merged[xl_cell_to_rowcol(first)] = xl_cell_to_rowcol(last)
        for r, cells in plan.rows:
            for c, (value, look, note) in cells.items():
                if merged and (r - 1, c - 1) in merged:
                    ws.merge_range(r - 1, c - 1, *merged[r - 1, c - 1], "", looks.format(look, value))
                looks.write(ws, r - 1, c - 1, value, look)
                if note is not None:
                    ws.write_comment(r - 1, c - 1, *_comment(note))
    book.close()
    return buffer.getvalue()


# How a date or time shows when its cell has no number format of its own (as openpyxl writes them).
_DATE_FORMATS = ((dt.datetime, "yyyy-mm-dd h:mm:ss"), (dt.date, "yyyy-mm-dd"), (dt.time, "h:mm:ss"),
                 (dt.timedelta, "[hh]:mm:ss"))


@functools.cache
def _date_format(kind: type) -> str | None:
    return next((f for k, f in _DATE_FORMATS if issubclass(kind, k)), None)


class _Looks:
    """The formats of a copy, made once: (fill class, font, wrap, number format) → an XlsxWriter format."""

    def __init__(self, book):
        self.book = book
        self.made: dict = {}

    def format(self, look, value=None):
        key = (look, _date_format(type(value)))
        if key not in self.made:
            props: dict = {}
            if look is not None:
                fill, font, wrap, number_format = look
                if fill is not None:
                    props.update(pattern=1, bg_color="#" + FILLS[fill])
                if font is not None:
                    props.update(bold=True, **({"font_size": 14} if font == "title" else {}))
                if wrap is not None:
                    props.update(text_wrap=wrap, valign="top")
                if number_format is not None:
                    props["num_format"] = number_format
            if key[1] is not None and "num_format" not in props:
                props["num_format"] = key[1]
            self.made[key] = self.book.add_format(props) if props else None
        return self.made[key]

    def write(self, ws, row: int, col: int, value, look) -> None:
        fmt = self.format(look, value)
        if value is None or value == "":
            if fmt is not None:
                ws.write_blank(row, col, None, fmt)
        elif isinstance(value, str):
            ws.write_string(row, col, value, fmt)
        elif isinstance(value, bool):
            ws.write_boolean(row, col, value, fmt)
        elif isinstance(value, (int, float)):
            ws.write_number(row, col, value, fmt)
        elif isinstance(value, (dt.date, dt.time, dt.timedelta)):
            ws.write_datetime(row, col, value, fmt)
        else:
            ws.write_string(row, col, cell_text(value), fmt)


def _look(fill=None, font=None, wrap=None, number_format=None):
    return None if fill is font is wrap is number_format is None else (fill, font, wrap, number_format)


def _sheet_title(name: str, used: set) -> str:
    """A valid, unused sheet name: no []:*?/\\, at most 31 characters, never 读取说明."""
    base = _BAD_TITLE.sub("_", name).strip("'") or "工作表"
    title, n = base[:31], 1
    while title.casefold() in {u.casefold() for u in used}:
        n += 1
        tail = f"({n})"
        title = base[:31 - len(tail)] + tail
    used.add(title)
    return title


def _comment(text: str) -> tuple[str, dict]:
    """(text, options) of a cell's comment: signed, and sized to its text."""
    text = shorten(text)
    lines = sum(1 + len(line) // 18 for line in text.splitlines() or [""])
    return text, {"author": AUTHOR, "width": 260, "height": min(400, 24 + 16 * lines)}


def _value(value):
    """A value as a cell holds it: a date as a date, a number as a number, text as text without the characters a
    workbook cannot hold and within a cell's length; NaN as nothing."""
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, str):
        return _ILLEGAL.sub("", value)[:MAX_CELL]
    return value


def _blank_runs(classes: list) -> dict:
    """{first row index: length} of the runs of blank rows longer than LONG_BLANK_RUN, and of the blank rows after
    the last row with content (length None: not written)."""
    runs, start = {}, None
    for i, kind in enumerate([*classes, None]):
        if kind == "blank":
            start = i if start is None else start
        elif start is not None:
            if kind is None:
                runs[start] = None
            elif i - start > LONG_BLANK_RUN:
                runs[start] = i - start
            start = None
    return runs


def _plan_sheet(title: str, done, spec, rejects: list, masker: _Masker) -> tuple[_Plan, SheetCopy]:
    sheet, layout, result = done.sheet, done.layout, done.result
    rows = sheet.rows
    width = max(map(len, rows), default=0)
    kinds = list(layout.kinds) + ["blank"] * (len(rows) - len(layout.kinds))
    rejected_rows = {r["row"] for r in rejects}
    kept_rows = set(result.table.column("source_row").to_pylist()) if result is not None else set()
    data_how = [None] * width  # how each column's text is masked in a record
    for col in spec.columns:
        if col.name in layout.columns:
            data_how[layout.columns[col.name]] = col.persons
    in_spec = set(layout.columns.values()) | set(layout.date_parts or ())  # 年 | 月 | 日: one date, all read
    for j in range(width):
        if j not in in_spec:
            data_how[j] = "hide"
    personal = set(layout.personal_columns)
    header_kinds = ("header", "subheader", "units")
    classes = [("rejected" if i + 1 in rejected_rows else "kept" if i + 1 in kept_rows else "data")
               if kind == "data" and result is not None else kind for i, kind in enumerate(kinds)]
    formats: dict = {}  # a number shown as a percentage or an amount in the ledger shows so in the copy too
    for (r, c), how in (sheet.formats or {}).items():
        if how in _FORMATS and c not in personal:
            formats.setdefault(r, {})[c + 2] = _FORMATS[how]

    out: list = []
    writable: dict = {}  # a text cell → what the copy writes (None: blank): a ledger repeats its values
    runs, skip_to = _blank_runs(classes), 0
    for i, row in enumerate(rows):
        if i < skip_to:
            continue
        if i in runs:
            if runs[i] is None:
                break
            skip_to = i + runs[i]
            label = f"{CLASS_NAMES['blank']}（共 {runs[i]} 行，至第 {skip_to} 行）"
            out.append((i + 1, {1: (label, _look("blank"), None)}))
            continue
        kind = classes[i]
        how = (data_how if kind in ("kept", "rejected", "data")
               else [None if kinds[i] in header_kinds else "hide" if kinds[i] == "footer" else "note"] * width)
        values = masker.row(list(row), how)
        if kinds[i] in _MERGED_ACROSS:  # a title merged across the row is read into each cell: shown once
            values = [v if j == 0 or v != values[j - 1] else None for j, v in enumerate(values)]
        for j in personal:
            if j < len(values):
                values[j] = None
        if i == layout.header_row:
            for j in personal:
                if j < len(values):
                    values[j] = f"{cell_text(row[j])}（{HIDDEN_NOTE}）"
        # Kept rows, nearly all of a ledger, are coloured in column A only: the rows to look at stand out, and the
        # copy of a large ledger is made in a fraction of the time.
        fill = None if kind == "kept" else kind
        look = _look(fill)
        looks = {c: _look(fill, number_format=f) for c, f in formats.get(i, {}).items()}  # few cells have their own
        cells = {1: (CLASS_NAMES[kind], _look(kind), None)}
        if fill:
            cells.update((c, (None, looks.get(c, look), None)) for c in range(2, width + 2))
        for j, v in enumerate(values):
            if v.__class__ is str:  # each distinct text made writable once: a ledger repeats its values
                w = writable.get(v, _UNSEEN)
                if w is _UNSEEN:
                    w = writable[v] = None if is_blank(v) else _value(v)
            else:
                w = None if is_blank(v) else _value(v)
            if w is not None:
                cells[j + 2] = (w, looks.get(j + 2, look), None)
        for c, own in looks.items():
            cells.setdefault(c, (None, own, None))
        out.append((i + 1, cells))

    # Rejected cells: the reason on the cell the reject names (one column to the right of the input's: A is ours),
    # and every reason of the row on its class cell; then the readings.
    refs = {layout.column_ref(name): c for name, c in layout.columns.items()}
    notes: dict = {}
    for r in rejects:
        c = refs.get(r["column"])
        if c is None:
            m = _LETTER_REF.search(r["column"] or "")
            c = column_index(m[1]) if m else None
        notes.setdefault((r["row"], None if c is None else c + 2), []).append(r["reason"])
        notes.setdefault((r["row"], 1), []).append(f"{r['column']}：{r['reason']}")
    comments = {}
    for (row, col), texts in notes.items():
        if col is not None:
            head = "剔除原因：\n" if col == 1 else "剔除："
            comments[row, col] = masker.note(head + "\n".join(dict.fromkeys(texts)))[0]  # a reason may quote a name
    readings = _readings(comments, done, spec, rows, rejected_rows, masker, data_how) if result is not None else 0
    by_row = {r: cells for r, cells in out}
    for (r, c), text in sorted(comments.items()):
        if r not in by_row:  # a row not written (never a row with content): written for its comment
            by_row[r] = {}
            out.append((r, by_row[r]))
        value, look, _ = by_row[r].get(c, (None, None, None))
        by_row[r][c] = (value, look, text)
    out.sort(key=lambda item: item[0])

    freeze = f"B{layout.header_row + 2}" if layout.header_row is not None else "B1"
    counts = {k: 0 for k in CLASSES}
    for k in classes:
        counts[k] += 1
    copy = SheetCopy(sheet.name, title, counts, sum(1 for (_, c) in notes if c not in (None, 1)), readings)
    return _Plan(title, out, freeze, _widths(rows, width)), copy


def _readings(comments: dict, done, spec, rows, rejected_rows: set, masker: _Masker, data_how: list) -> int:
    """A 读作 comment (into `comments`) on each cell of a kept row whose cleaned value reads otherwise than the cell
    shows; how many. Worked out once per column and distinct (cell, value): a ledger repeats its values."""
    layout, table = done.layout, done.result.table
    source = table.column("source_row").to_pylist()
    n = 0
    for col in spec.columns:
        if col.name not in layout.columns:
            continue
        c = layout.columns[col.name]
        parts = layout.date_parts if col.kind.day and layout.date_parts else None
        values = table.column(col.name).to_pylist()
        texts: dict = {}  # (cell's type, cell, value's type, value) → the comment or None; types: True == 1 == 1.0
        for row, value in zip(source, values):
            if row in rejected_rows:
                continue
            raw = rows[row - 1]
            if parts:
                cell = tuple((type(raw[p]), raw[p]) if p < len(raw) else None for p in parts)
            else:
                cell = raw[c] if c < len(raw) else _MISSING
            key = (type(cell), cell, type(value), value)
            try:
                text = texts[key]
            except KeyError:
                text = texts[key] = _reading(col, cell, value, parts, masker, data_how[c])
            except TypeError:  # an unhashable value (none is expected): worked out, not remembered
                text = _reading(col, cell, value, parts, masker, data_how[c])
            if text is not None:
                comments[row, c + 2] = text
                n += 1
    return n


_MISSING = object()  # a cell beyond the end of its row
_UNSEEN = object()


def _reading(col, cell, value, parts, masker: _Masker, how) -> str | None:
    """The 读作 comment of one cell (a (type, value) pair per date part when `parts`) read as `value`, or None."""
    read = _value_text(value)
    if parts:
        shown = "".join("" if part is None else _shown(part[1]) for part in cell)
    else:
        shown = "" if cell is _MISSING else _shown(masker.cell(cell, how))
    if read == shown or not shown:  # a blank given the column's default: said once, in 读取说明
        return None
    if col.kind.day and _numbers(shown) == _numbers(read):
        return None  # the same day in another notation (2023.8.1, 2023年8月1日), not another reading
    if not read:
        return "读作：空白（不计）"
    if col.other is not None and read == col.other:
        return f"读作：{read}（“{shown}”不是{col.label}已知的写法）"
    return f"读作：{read}"


def _text_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _widths(rows, width: int) -> dict:
    """Columns as wide as their text, within reason (a sample of rows: a ledger's columns are alike)."""
    sample = rows[:300]
    widths = {"A": max(_text_width(n) for n in CLASS_NAMES.values()) // 2 + 4}
    measured: dict = {}  # (type, cell) → its text's width
    for j in range(width):
        try:
            column = {(type(r[j]), r[j]) for r in sample if j < len(r)}
        except TypeError:  # an unhashable cell (none is expected from a reader): each measured
            longest = max((_text_width(cell_text(r[j])) for r in sample if j < len(r)), default=0)
        else:
            for key in column - measured.keys():
                measured[key] = _text_width(cell_text(key[1]))
            longest = max((measured[key] for key in column), default=0)
        widths[column_letter(j + 1)] = min(40, max(8, longest + 2))
    return widths


def _plan_guide(reading, rel: str, spec, copies: list[SheetCopy]) -> _Plan:
    """The first sheet: what the copy is, the legend, and per sheet how it was read."""
    lines: list = []

    def add(*cells, style=None, fill=None):
        lines.append((cells, style, fill))

    add(f"读取说明：{rel}", style="title")
    add("本文件是程序读取台账后生成的批注副本（由 analysis check 或 analysis clean 生成），原台账未作任何改动。")
    add("第一列是程序对每一行的判断，整行按类别着色；红色的是被剔除的记录（不进入统计），单元格批注写明剔除原因，"
        "请在原台账中改正后重新报送。带批注的其他单元格写明程序把它读作什么（如 焦南办 读作 焦南街道）。")
    add("空白单元格按台账规格取默认值（如数量空白为 1），不另加批注。")
    add(f"个人信息已隐去：姓名、电话等列已清空（表头注明“{HIDDEN_NOTE}”），文字中的电话、身份证号和人名已替换；"
        f"程序不读取的列（如备注、巡查人员）和表尾的文字写作“{HIDDEN_TEXT}”，汇总表、填表说明等未读取的工作表不复制。")
    add()
    add("文件", rel, style="bold")
    add("台账", spec.label)
    add("读取结果", STATUS_NAMES.get(reading.status, reading.status) + (f"：{reading.reason}" if reading.reason else ""))
    if reading.read_as:
        add("实际格式", f"内容其实是{reading.read_as}，已按其实际格式读取")
    add()
    add("图例", "第一列的写法", style="bold")
    for k in CLASSES:
        add("", CLASS_NAMES[k], fill=k)
    for done, copy in zip(reading.sheets, copies):
        add()
        _sheet_guide(add, done, copy, spec, "bold")
    rows = []
    for i, (values, style, fill) in enumerate(lines, start=1):
        cells = {}
        for j, v in enumerate(values, start=1):
            wrap = j > 1 or len(values) == 1 and i > 1
            cells[j] = (_value(mask_personal_numbers(v) if isinstance(v, str) else v),
                        _look(fill if j == 2 else None, style, wrap), None)
        if fill is not None and 2 not in cells:
            cells[2] = (None, _look(fill), None)
        if cells:
            rows.append((i, cells))
    widths = {"A": 22, **dict.fromkeys("BCDE", 30)}
    # The long lines of the opening read across the sheet.
    return _Plan(GUIDE, rows, None, widths, dict.fromkeys(range(2, 6), 45), [f"A{r}:E{r}" for r in range(2, 6)])


def _sheet_guide(add, done, copy: SheetCopy, spec, bold) -> None:
    record, layout = done.record, done.layout
    add("工作表", done.sheet.name, style=bold)
    if copy.title is None:
        status = SHEET_STATUS_NAMES.get(record.status, record.status) if record else ""
        add("", f"{status}（副本中不含此表）")
        return
    if copy.title != done.sheet.name:
        add("副本中的名称", copy.title)
    status = SHEET_STATUS_NAMES.get(record.status, record.status) if record else ""
    add("状态", status + (f"：{record.reason}" if record and record.reason else ""))
    if layout.header_row is not None:
        add("表头所在行", f"第 {layout.header_row + 1} 行")
        add("表头对应", "原表头", "原表列", "副本列", style=bold)
        for name, c in sorted(layout.columns.items(), key=lambda item: item[1]):
            add(f"  {spec.column(name).label}", layout.headers[name], column_letter(c), column_letter(c + 1))
        if layout.personal:
            add("个人信息列（已清空）", "、".join(layout.personal),
                "、".join(column_letter(c + 1) for c in layout.personal_columns) + " 列")
        if layout.unrecognised:
            add("未识别的表头（未读取）", "、".join(layout.unrecognised))
        if layout.duplicates:
            add("重复的列（已忽略）", "、".join(layout.duplicates))
    add("各类行数", "类别", "行数", style=bold)
    for k in CLASSES:
        if copy.classes.get(k) or k in ("kept", "rejected"):
            add("", CLASS_NAMES[k], copy.classes.get(k, 0))
    add("", "合计", sum(copy.classes.values()))
    if copy.rejected_cells:
        add("剔除的单元格", copy.rejected_cells)
    if copy.readings:
        add("读作其他写法的单元格", copy.readings)
    if record and record.catch_all:
        for item in record.catch_all.values():
            listed = "、".join(f"{text}（{cells}）" for text, cells in item["values"])
            add(f"归入“{item['other']}”", item["column"], listed)

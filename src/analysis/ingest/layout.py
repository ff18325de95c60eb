"""One sheet's layout: where the header is, which column is which, and what kind each row is.

Every row of a sheet ends in exactly one kind (ROW_KINDS): title, header, a sub-header (年 | 月 | 日 under a
merged 日期, or column numbers) or units row right under the header, data (a record, kept or rejected later),
total, footer, end marker (以下空白), block title (2024年1月 above a block of records), template row (only a 序号)
or blank. A row is taken for anything but a record only on its content's evidence, and never when every required
column holds a valid value. The header is the row (with the row above it, for two-row headers under merged
group cells) that names the most columns of the ledger's spec.

A row is a total when one of its first two filled cells contains a 合计 word (本月合计, 民主街道小计, 全年累计,
合 计) and a footer when its first filled cell is a 表尾 label (审核：…, 联系人：…); the words are in common.yaml.
Such a word marks the row only when the rest of the row does not make it a record: a record is never taken for a
total or a footer. A row is a record when every required column holds a valid value (an item 审核行政处罚案件 of
the yearly table, whose year and count are filled), or when the word stands in a column of free words (a location
合计路, a unit 统计局食堂) and the row holds a readable date.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from operator import itemgetter

import numpy as np
import pandas as pd

from analysis.ingest.normalize import (
    Years,
    cell_text,
    is_blank,
    parse_date,
    shown_label,
    text_key,
    title_years,
    value_key,
)
from analysis.ingest.read import Sheet, column_letter
from analysis.ingest.spec import LedgerSpec

HEADER_SEARCH_ROWS = 15
ROW_KINDS = ("title", "header", "subheader", "units", "block_title", "data", "total", "footer", "end", "template",
             "blank")
# How the summary, the data-quality page and `analysis check` name each kind (data rows as kept or rejected).
ROW_KIND_NAMES = {"title": "标题行", "header": "表头", "subheader": "表头分栏行（年月日、栏次）", "units": "单位行",
                  "block_title": "分段标题", "data": "记录", "total": "合计行", "footer": "表尾", "end": "结束标记（以下空白）",
                  "template": "模板空行（只有序号）", "blank": "空行", "kept": "保留的记录", "rejected": "剔除的记录"}


@dataclass
class Layout:
    header_row: int | None = None  # zero-based index into sheet.rows
    columns: dict = field(default_factory=dict)  # spec column name -> zero-based column index
    headers: dict = field(default_factory=dict)  # spec column name -> header text as shown (on one line)
    personal: list = field(default_factory=list)  # headers of personal-data columns (dropped)
    personal_columns: list = field(default_factory=list)  # their zero-based column indexes
    unrecognised: list = field(default_factory=list)  # headers that name no known column
    duplicates: list = field(default_factory=list)  # second columns naming the same thing (ignored)
    kinds: list = field(default_factory=list)  # one of ROW_KINDS per row of the sheet
    year: int | Years | None = None  # completes 3月5日: the year (or span) in the title, sheet name or file name
    title_years: Years | None = None  # the years written in the title rows alone (dates must fall in them)
    # Blocks of rows under their own titles (stacked monthly tables): (first row index, year, title_years) each,
    # in order; rows before the first block take the sheet's. Empty for a sheet of one table.
    blocks: list = field(default_factory=list)
    # A date split into three columns under a merged 日期 (年 | 月 | 日): their zero-based indexes, or None.
    date_parts: tuple | None = None

    def missing_required(self, spec: LedgerSpec) -> list:
        return [c for c in spec.required if c.name not in self.columns]

    def column_ref(self, name: str) -> str:
        """How a person finds the column: its header and letter, e.g. 所属街道（C列）."""
        return f"{self.headers[name]}（{column_letter(self.columns[name])}列）"


_HEADER_MEMO: dict = {}  # id(spec) -> (spec, {header text: spec.match_header(text)})


def _header_matcher(spec: LedgerSpec):
    """spec.match_header, remembered per distinct text (the same headers recur in every sheet)."""
    entry = _HEADER_MEMO.get(id(spec))
    if entry is None or entry[0] is not spec:
        entry = _HEADER_MEMO[id(spec)] = (spec, {})
    memo = entry[1]

    def match(text: str):
        try:
            return memo[text]
        except KeyError:
            kind = memo[text] = spec.match_header(text)
            return kind
    return match


def _header_candidates(texts: list[list[str]], r: int, width: int):
    """For each column, the header text of row r, or of the row above where row r is empty there.
    `texts`: cell_text of every cell of the rows searched for the header (each cell turned into text once)."""
    own_row, above = texts[r], texts[r - 1] if r > 0 else []
    for c in range(width):
        yield c, own_row[c] if c < len(own_row) else "", above[c] if c < len(above) else ""


def _match_row(match, texts, r, width):
    """Spec columns named by row r (or the row above, under a two-row header), and whether the row above
    is part of the header (it names a column, a group, a 序号 or a personal-data column).
    `match` is the spec's header matcher (see _header_matcher)."""
    matched = {}
    for c, own, up in _header_candidates(texts, r, width):
        for text in (own, up):
            kind = match(text)
            if kind and kind != "group":
                if kind not in ("personal", "ignored") and kind not in matched.values():
                    matched[c] = kind
                break
    above = texts[r - 1] if r > 0 else []
    return matched, any(match(t) for t in above)


def find_layout(sheet: Sheet, spec: LedgerSpec, file_label: str) -> Layout:
    rows = sheet.rows
    width = max((len(r) for r in rows), default=0)
    layout = Layout()
    match = _header_matcher(spec)
    texts = [[cell_text(v) for v in row] for row in rows[:HEADER_SEARCH_ROWS]]
    best, best_r, best_above = {}, None, False
    for r in range(min(len(rows), HEADER_SEARCH_ROWS)):
        matched, used_above = _match_row(match, texts, r, width)
        if len(matched) > len(best):
            best, best_r, best_above = matched, r, used_above
    if best_r is None or len(best) < 2:
        layout.kinds = ["blank" if all(is_blank(v) for v in row) else "title" for row in rows]
        years = title_years(*(cell_text(v) for row in rows[:HEADER_SEARCH_ROWS] for v in row[:1]), sheet.name, file_label)
        layout.year = _completing(years)
        return layout

    layout.header_row = best_r
    for c, own, up in _header_candidates(texts, best_r, width):
        text = next((t for t in (own, up) if match(t) not in (None, "group")), None)
        kind = match(text) if text else None
        if kind is None:
            # Under a two-row header a column's name may stand in either row (or in both: merged vertically);
            # above a one-row header stands a title, not a name.
            name = (own or up) if best_above else own
            if name and match(name) is None and (best_above or not _is_title_text(texts, best_r, c)):
                _add_once(layout.unrecognised, shown_label(name))
        elif kind == "personal":
            _add_once(layout.personal, shown_label(text))
            layout.personal_columns.append(c)
        elif kind == "ignored":
            continue
        elif kind in layout.columns:
            layout.duplicates.append(shown_label(text))
        else:
            layout.columns[kind] = c
            layout.headers[kind] = shown_label(text)

    title_rows = range(0, best_r - 1 if best_above else best_r)
    title_text = " ".join(cell_text(v) for r in title_rows for v in rows[r] if not is_blank(v))
    layout.title_years = title_years(title_text)
    layout.year = _completing(layout.title_years or title_years(sheet.name, file_label))
    layout.kinds = [_above_kind(rows[r]) for r in title_rows]
    if best_above:
        layout.kinds.append("header")
    layout.kinds.append("header")
    below = _under_header(rows, best_r + 1, spec.common, _row_evidence(layout, spec))
    layout.kinds.extend(kind for kind, _ in below)
    layout.date_parts = _date_parts(layout, below, spec)
    evidence = _row_evidence(layout, spec)  # now reading a split date as one
    header_keys = [value_key(cell_text(v)) for v in rows[best_r]]
    start = best_r + 1 + len(below)
    layout.kinds.extend(_row_kinds(rows[start:], header_keys, spec.common, evidence))
    layout.blocks = _blocks(rows, layout)
    return layout


def _completing(years: Years | None) -> int | Years | None:
    """What completes 3月5日: a single year as a number, a span as itself (normalize.parse_date asks it)."""
    if years is None:
        return None
    return years.first if years.first == years.last else years


def _under_header(rows, start: int, common, evidence) -> list:
    """(kind, texts) of the rows right under the header that are its sub-header or units row (none is a record)."""
    found = []
    for row in rows[start:start + 3]:
        texts = [value_key(cell_text(v)) for v in row]
        filled = [t for t in texts if t]
        if not filled or evidence.is_record(row):
            break
        if all(_is_unit(t, common) for t in filled):
            found.append(("units", texts))
        elif all(t in common.date_part_words for t in filled) or _numbers_columns(filled):
            found.append(("subheader", texts))
        else:
            break
    return found


_BRACKETED = re.compile(r"^[（(\[【][^（）()\[\]【】]{1,8}[）)\]】]$")


def _is_unit(text: str, common) -> bool:
    """（处）, (个), 【平方米】, 处, 单位：个, 万元."""
    if _BRACKETED.match(text):
        return True
    head, colon, unit = text.partition(":")
    if colon and head in common.unit_words:
        return not unit or unit in common.unit_words
    return text in common.unit_words


_STEMS = "甲乙丙丁戊己庚辛壬癸"


def _numbers_columns(filled: list) -> bool:
    """A row of column numbers (栏次): 1 2 3 …, possibly after 甲 乙 (or 栏次) in the first columns."""
    rest = [t for t in filled if t not in _STEMS and t != "栏次"]
    if len(rest) < 2 or len(rest) == len(filled) and not rest[0] == "1":
        return False
    numbers = [int(t) if t.isdigit() else None for t in rest]
    return None not in numbers and numbers == list(range(numbers[0], numbers[0] + len(numbers)))


def _date_parts(layout: Layout, below: list, spec) -> tuple | None:
    """The columns of a date split into 年 | 月 | 日 under a merged 日期 header (from the sub-header), or None."""
    date = next((c.name for c in spec.columns if c.kind.day and c.name in layout.columns), None)
    if date is None:
        return None
    c = layout.columns[date]
    for kind, texts in below:
        parts = texts[c:c + 3]
        if kind == "subheader" and len(parts) == 3 and [p.rstrip("份") for p in parts] == ["年", "月", "日"]:
            return (c, c + 1, c + 2)
    return None


_DAY_WORD = re.compile(r"\d\s*[日号]|[-/.]\d{1,2}[-/.]\d")
_MONTH_WORD = re.compile(r"(?<!\d)(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*月")
_YEAR_ALONE = re.compile(r"20\d{2}\s*年度?")


def _blocks(rows, layout: Layout) -> list:
    """Where stacked tables start (a block title naming a year: 2024年1月, 2024年度), with the years their dates
    take."""
    blocks = []
    for i, kind in enumerate(layout.kinds):
        if kind != "block_title":
            continue
        years = title_years(" ".join(cell_text(v) for v in rows[i] if not is_blank(v)))
        if years is not None:
            blocks.append((i, _completing(years), years))
    return blocks


def _add_once(items: list, text: str) -> None:
    if text not in items:
        items.append(text)


@dataclass(frozen=True)
class RowEvidence:
    """What the columns of a sheet say about a row that starts like a total or a footer: `words` are the columns
    of free words (text and categories), where such a start may be a record's value; `dates` the date columns,
    a readable date in which (no earlier than `earliest`; `year` completes 3月5日) makes the row a record;
    `required` the required columns with the parser of each: a valid value in every one makes the row a record."""
    words: frozenset = frozenset()
    dates: tuple = ()
    year: int | Years | None = None
    earliest: dt.date = dt.date.min
    required: tuple = ()  # (column index, parser of one raw value → (value, reason))
    columns: frozenset = frozenset()  # the indexes of every column of the spec the sheet has
    date_parts: tuple | None = None  # a date split into 年 | 月 | 日 columns (Layout.date_parts)

    def cell(self, row, c: int):
        """Column c of a row as the cleaning reads it: a date split into three columns joined."""
        if self.date_parts and c == self.date_parts[0]:
            return joined_date(row, self.date_parts)
        return row[c] if c < len(row) else ""

    def has_date(self, row) -> bool:
        return any(is_record_date(self.cell(row, c), self.year, self.earliest) for c in self.dates)

    def is_record(self, row) -> bool:
        return bool(self.required) and all(not is_blank(v := self.cell(row, c)) and parse(v)[1] is None
                                           for c, parse in self.required)


# The unit a 年 | 月 | 日 cell may carry itself (2024年 | 3月 | 5日, or 5号): said once in the joined text.
_PART_UNITS = (("年",), ("月",), ("日", "号"))


def joined_date(row, parts: tuple) -> str:
    """A date split into 年 | 月 | 日 cells, as one text (2024年3月5日; blank when all three are)."""
    texts = [cell_text(row[c]) if c < len(row) else "" for c in parts]
    if not any(texts):
        return ""
    y, m, d = (_without_unit(text, units) for text, units in zip(texts, _PART_UNITS))
    return f"{y}年{m}月{d}日"


def _without_unit(text: str, units: tuple) -> str:
    text = text.strip()
    for unit in units:
        if text.endswith(unit):
            return text[:-len(unit)].rstrip()
    return text


def is_record_date(value, year: int | None, earliest: dt.date) -> bool:
    """Whether a cell holds a date a record could have (a blank, a 合计 label or a small count does not)."""
    if is_blank(value):
        return False
    d, reason = parse_date(value, year or 2000)
    return reason is None and d >= earliest


def _row_evidence(layout: Layout, spec: LedgerSpec) -> RowEvidence:
    def where(*types) -> list:
        return [layout.columns[c.name] for c in spec.columns if c.type in types and c.name in layout.columns]
    # Parsed as on no particular day (a date after today is still a record, rejected later with its reason), so
    # that the kinds of rows never depend on the day.
    required = tuple((layout.columns[c.name], c.kind.parser(c, spec, layout.year, None, dt.date.max))
                     for c in spec.required if c.name in layout.columns)
    return RowEvidence(words=frozenset(where("text", "category")), dates=tuple(where("date")), year=layout.year,
                       earliest=spec.common.earliest_date, required=required,
                       columns=frozenset(layout.columns.values()), date_parts=layout.date_parts)


def leading_label(row) -> str:
    """The first two filled texts of a row, without spaces: where the words of a total or a footer stand."""
    return "".join([k for k in map(text_key, row) if k][:2])


def is_total_label(key: str, common) -> bool:
    """A 合计 word anywhere in the text (spaces removed): 合计, 本月合计, 焦南街道小计, 全年累计, 总计：."""
    return common.total_pattern.search(key) is not None


def is_footer_label(key: str, common) -> bool:
    """A 表尾 label: the text starts with a footer word, or a short label ending in one stands before its colon
    (主要负责人：…, 区局分管领导：…)."""
    if key.startswith(common.footer_words):
        return True
    if ":" not in key:
        return False
    head = key.partition(":")[0]
    return len(head) <= 8 and head.endswith(common.footer_words)


def _is_title_text(texts, r, c) -> bool:
    """A cell of the header row that only repeats a merged title from above is not a header (`texts` as in
    _header_candidates)."""
    return r > 0 and c < len(texts[r - 1]) and texts[r - 1][c] == texts[r][c]


def _above_kind(row) -> str:
    return "blank" if all(is_blank(v) for v in row) else "title"


def _row_kind(row, header_keys, common, evidence: RowEvidence = RowEvidence()) -> str:
    """The kind of one row below the header (the reference definition; _row_kinds is the same, faster)."""
    texts = [value_key(cell_text(v)) for v in row]
    filled = [(c, t) for c, t in enumerate(texts) if t]
    if not filled:
        return "blank"
    if texts == header_keys[: len(texts)] or texts[: len(header_keys)] == header_keys:
        return "header"  # the header repeated (e.g. after a page break)
    c, first = filled[0]
    if is_footer_label(first, common):
        kind = "footer"
    else:
        c = next((c for c, t in filled[:2] if is_total_label(t, common)), None)
        if c is None:
            return _non_record_kind(row, filled, common, evidence) or "data"
        kind = "total"
    if (c in evidence.words and evidence.has_date(row)) or evidence.is_record(row):
        return "data"
    return kind


def _non_record_kind(row, filled: list, common, evidence: RowEvidence) -> str | None:
    """The kind of a row below the header that is no total or footer and, by its content, no record either: an
    end marker, a template row or a block title (see the module doc); None for a record (kept or rejected)."""
    distinct = {t for _, t in filled}
    words = [(c, t) for c, t in filled if not (c not in evidence.columns and _is_number_text(t))]
    if not words:
        return "template"
    # 以下空白 (merged across the row, or after a pre-filled 序号)
    if len({t for _, t in words}) == 1 and any(w in words[0][1] for w in common.end_markers):
        return None if evidence.is_record(row) else "end"
    if len(distinct) == 1 and _is_block_title(words[0][1], common) and not evidence.is_record(row):
        return "block_title"
    return None


def _is_number_text(text: str) -> bool:
    return text.isdigit() or (text.endswith(".0") and text[:-2].isdigit())


def _is_block_title(text: str, common) -> bool:
    """A month (2024年1月, 一月份, 2024年1月流动摊贩台账) or a year alone (2024年度), a sub-district, or a group
    (一中队). A text that names a day (3月6日至3月8日因雨暂停巡查), or a year with other words (2023年度遗留隐患复查),
    is a note on records, not a title: it stays a row to look at."""
    if text in common.subdistrict_lookup or text.endswith(common.group_title_words):
        return True
    return (_YEAR_ALONE.fullmatch(text) is not None
            or (_MONTH_WORD.search(text) is not None and _DAY_WORD.search(text) is None and len(text) <= 40))


_ZERO_ONE = frozenset((0, 1))  # True == 1 == 1.0 and False == 0: one group in pandas.factorize, different texts


def _row_kinds(rows, header_keys, common, evidence: RowEvidence = RowEvidence()) -> list:
    """_row_kind of every row, computed by column and per distinct value rather than cell by cell.

    A row whose first two cells are both filled is never blank, and its first two non-empty texts
    are those two cells; unless its first cell repeats the header's first cell it is no repeated
    header either (the header test `texts == header[:len(texts)] or texts[:len(header)] == header`
    is `texts[:m] == header[:m]` with m = min(len(row), len(header)) >= 1). Such rows, nearly all
    of a ledger, are data unless those two texts hold a 合计 word or the first starts like a 表尾,
    worked out once per distinct value. Every other row (those few, blank rows, one-cell footers,
    a possible repeated header, and cells that pandas.factorize would not tell apart: True/1/1.0,
    False/0, None/NaN) goes through _row_kind.
    """
    n = len(rows)
    if n == 0:
        return []
    if not header_keys:
        return [_row_kind(row, header_keys, common, evidence) for row in rows]
    short = min(map(len, rows)) < 2
    slow = np.fromiter(map(len, rows), dtype=np.int64, count=n) < 2 if short else np.zeros(n, dtype=bool)
    keys = []
    for c in (0, 1):
        codes, uniques = factorize_cells(_cells(rows, c, short))
        slow |= _unusual(uniques, c, header_keys[0], common)[codes]
        keys.append(object_array([text_key(u) for u in uniques])[codes])
    # The same text in the first two cells: a title or an end marker merged across the row (records differ there).
    slow |= keys[0] == keys[1]
    # Past the first two cells, a row that is no record leaves the sheet's first column of the ledger blank or holds
    # an end marker there (a template row: only its 序号; 以下空白 after a pre-filled 序号).
    first = min((c for c in evidence.columns if c > 1), default=None)
    if first is not None and not evidence.columns & {0, 1}:
        codes, uniques = factorize_cells(_cells(rows, first, True))
        slow |= _unusual(uniques, 1, header_keys[0], common)[codes]
    elif not evidence.columns:  # no column of the ledger known: any row of numbers may be a template row
        slow |= np.array([all(_is_number_text(t) for t in map(text_key, r) if t) for r in rows], dtype=bool)
    kinds = np.full(n, "data", dtype=object)
    for i in np.flatnonzero(slow):
        kinds[i] = _row_kind(rows[i], header_keys, common, evidence)
    return kinds.tolist()


# Whether a first or second cell sends its row to _row_kind, remembered across the sheets of a run per (common
# words, column, the header's first text) and per (type, value) of the cell: 序号 1, 2, 3 … and the same dates recur
# in every sheet. The type is part of the key: True == 1 == 1.0 as dict keys, but they read differently.
_UNUSUAL_MEMO: dict = {}
_MEMO_CONTEXTS = 1_000  # bounds: a long-lived process does not grow without end
_MEMO_VALUES = 200_000


def _unusual(uniques, c: int, header_first: str, common) -> np.ndarray:
    """For each distinct cell of column c (0 or 1), whether its row needs _row_kind: a blank, a 合计 word, (first
    cell) the header's first text or a 表尾 label, or a cell pandas.factorize would not tell apart (True/1/1.0)."""
    key = (id(common), c, header_first if c == 0 else None)
    entry = _UNUSUAL_MEMO.get(key)
    if entry is None or entry[0] is not common:
        if len(_UNUSUAL_MEMO) >= _MEMO_CONTEXTS:
            _UNUSUAL_MEMO.clear()
        entry = _UNUSUAL_MEMO[key] = (common, {})
    memo = entry[1]
    if len(memo) >= _MEMO_VALUES:
        memo.clear()
    known = memo.get
    flags = [known((u.__class__, u)) for u in uniques]
    for i in [i for i, f in enumerate(flags) if f is None]:
        u = uniques[i]
        k = text_key(u)
        flags[i] = memo[(u.__class__, u)] = bool(
            not k or is_total_label(k, common) or (c == 0 and (k == header_first or is_footer_label(k, common)))
            or any(w in k for w in common.end_markers)
            or (u.__class__ is not str and (u is None or u != u or u in _ZERO_ONE)))
    return np.array(flags, dtype=bool)


def _cells(rows, c: int, short: bool) -> list:
    """Column c of the rows ("" where a row is shorter; `short`: whether any row may be)."""
    return [r[c] if c < len(r) else "" for r in rows] if short else list(map(itemgetter(c), rows))


def object_array(values: list) -> np.ndarray:
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    return arr


# Up to this many cells a dict groups them sooner than pandas.factorize, whose fixed cost (about 20 µs) is most of
# the work on a small sheet's column (benchmarks/README.md); above it, pandas.
SMALL_COLUMN = 300
# The kinds of cell the readers give: for them a dict groups exactly as pandas does (other kinds go to pandas).
_PLAIN_TYPES = frozenset((str, int, float, bool, type(None), dt.date, dt.datetime, dt.time, dt.timedelta))


def factorize_cells(values: list) -> tuple[np.ndarray, np.ndarray]:
    """pandas.factorize(object_array(values), use_na_sentinel=False): (codes, distinct values in order of first
    appearance), None and NaN together as one NaN, values Python holds equal together (1 == 1.0 == True) under the
    first one seen."""
    if len(values) > SMALL_COLUMN or not set(map(type, values)) <= _PLAIN_TYPES:
        return pd.factorize(object_array(values), use_na_sentinel=False)
    index: dict = {}
    codes, uniques, na = [], [], None
    for v in values:
        if v is None or (v.__class__ is float and v != v):
            if na is None:
                na = len(uniques)
                uniques.append(np.nan)
            codes.append(na)
            continue
        code = index.get(v)
        if code is None:
            code = index[v] = len(uniques)
            uniques.append(v)
        codes.append(code)
    return np.array(codes, dtype=np.intp), object_array(uniques)

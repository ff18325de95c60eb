"""Spec-driven cleaning of one sheet: data rows → typed values, rejects with reasons, 合计 checks.

Each column's distinct raw values are normalised once (pandas.factorize) and mapped back, so the
cost grows with the number of distinct values, not cells; a value met in an earlier sheet of the
same run (same column, same years) is not normalised again. Rows are classified in layout.py; here
no Python code runs per cell, only per distinct value.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from operator import itemgetter

import numpy as np
import pandas as pd
import pyarrow as pa

from analysis.ingest import normalize as nz
from analysis.ingest.column_types import LATER_THAN_TODAY
from analysis.ingest.layout import ROW_KINDS, Layout, factorize_cells, joined_date, leading_label, object_array
from analysis.ingest.persons import PERSON
from analysis.ingest.read import FORMULA_ERRORS, Sheet
from analysis.ingest.spec import Column, LedgerSpec

_BLANK = object()


def arrow_type(col: Column) -> pa.DataType:
    """The Arrow type of a column's cleaned values (dates are datetime.date, counts int, flags bool)."""
    return getattr(pa, col.kind.arrow)()


@dataclass
class SheetResult:
    table: pa.Table  # kept rows: the spec's columns plus source_row
    rejects: list = field(default_factory=list)  # dicts: row, column, value, reason
    row_counts: dict = field(default_factory=dict)  # row kind -> number of rows
    kept: int = 0
    rejected: int = 0
    total_mismatches: list = field(default_factory=list)  # dicts: row, column, sheet_total, sum_of_rows
    # Totals that differ from their kept rows by exactly what their rejected rows hold: the total is right, the rows
    # are to be fixed. Dicts: row, column, sheet_total, sum_of_rows, in_rejected, rejected_rows.
    totals_with_rejects: list = field(default_factory=list)
    unchecked_totals: list = field(default_factory=list)  # dicts: row, reason (totals whose rows cannot be told)
    repeated_rows: list = field(default_factory=list)  # groups of Excel rows whose kept values are identical
    later_than_today: dt.date | None = None  # the first date (or 1 January of the first year) rejected as future
    # column → {"column": header and letter, "other": the catch-all, "values": [[raw text, cells], …]}
    catch_all: dict = field(default_factory=dict)
    # column → {"column": header and letter, "cells": cells whose private person's name became ［个人］}
    persons: dict = field(default_factory=dict)


# Results of earlier sheets: (id(spec), column, year, title_years, merged, today) -> (spec, memo of str cells,
# memo of other cells by (type, value)). A column's result for a raw value depends on nothing else,
# so a value is normalised once per run, not once per sheet (locations, unit names and dates recur
# in every monthly sheet). The type is part of the key of other cells: True == 1 == 1.0 as dict keys.
_MEMO: dict = {}
_MEMO_CONTEXTS = 2_000  # bounds: a long-lived process does not grow without end
_MEMO_VALUES = 200_000


def _memo(col: Column, spec: LedgerSpec, years: tuple, merged: bool, today: dt.date):
    key = (id(spec), col.name, *years, merged, today)
    entry = _MEMO.get(key)
    if entry is None or entry[0] is not spec:
        if len(_MEMO) >= _MEMO_CONTEXTS:
            _MEMO.clear()
        entry = _MEMO[key] = (spec, {}, {})
    for memo in entry[1:]:
        if len(memo) >= _MEMO_VALUES:
            memo.clear()
    return entry[1], entry[2]


@dataclass
class _Column:
    """One column of a sheet's data rows, cleaned."""
    values: np.ndarray  # object array of the cleaned values
    bad: np.ndarray  # positions of the rejected cells
    reasons: np.ndarray  # their reasons
    first_later: dt.date | None = None  # the first date rejected as later than today
    caught: list = field(default_factory=list)  # [[raw text, cells], …] the catch-all took in
    persons: int = 0  # cells naming a private person, now ［个人］


def _normalise_column(values: list, col: Column, spec: LedgerSpec, years: tuple, merged: bool,
                      today: dt.date) -> _Column:
    """Raw cells of one column, cleaned.
    `years`: (the year completing 3月5日, the years the title allows); `merged`: whether the column has cells merged
    across rows elsewhere in the sheet, where an empty cell is what an undone merge leaves (a "same as above")."""
    codes, uniques = _factorize(values)
    by_text, by_value = _memo(col, spec, years, merged, today)
    blank_values, ditto_marks = spec.common.blank_values, spec.common.ditto_marks
    parse = None

    def resolve(u):
        """(value, reason) of one distinct raw value: blank cells, defaults and the column's parser."""
        nonlocal parse
        if merged and nz.is_blank(u):
            value, reason = None, (f"{col.label}是空白，而本表这一列别处有上下合并的单元格：可能是取消合并后留下的空白"
                                   "（即“同上”），程序不猜测它指哪一行；请在台账中填写实际内容")
        elif nz.is_blank(u) or (isinstance(u, str) and nz.value_key(u) in blank_values):
            value, reason = _BLANK, None
        elif isinstance(u, str) and u.strip() in FORMULA_ERRORS:
            value, reason = None, f"{col.label}：单元格为公式错误值“{u.strip()}”"
        elif isinstance(u, str) and nz.value_key(u) in ditto_marks:
            value, reason = None, (f"{col.label}：“{u.strip()}”表示同上，不是一个值（程序不猜测它指哪一行）；"
                                   "请在台账中填写实际内容")
        else:
            if parse is None:
                parse = col.kind.parser(col, spec, *years, today)
            value, reason = parse(u)
        if value is _BLANK:
            if col.default is not None:
                value = col.default
            elif col.required:
                value, reason = None, f"{col.label}为空"
            else:
                value = None
        if u.__class__ is str:
            by_text[u] = (value, reason)
        else:
            by_value[(u.__class__, u)] = (value, reason)
        return value, reason

    text_hit, value_hit = by_text.get, by_value.get
    results = [(text_hit(u) if u.__class__ is str else value_hit((u.__class__, u))) or resolve(u) for u in uniques]
    parsed, reasons = zip(*results) if results else ((), ())
    out = object_array(parsed)[codes]
    done = _Column(out, np.zeros(0, dtype=np.int64), object_array([]),
                   caught=_caught(col, uniques, parsed, reasons, codes, blank_values),
                   persons=_persons_masked(uniques, parsed, codes) if col.persons else 0)
    if reasons.count(None) == len(reasons):
        return done
    # Rejected cells found by their distinct value's code (integers), not by testing every cell's reason.
    done.bad = np.flatnonzero(np.array([r is not None for r in reasons], dtype=bool)[codes])
    done.reasons = object_array(reasons)[codes[done.bad]]
    done.first_later = _first_later(col, years[0], uniques, reasons)
    return done


def _caught(col: Column, uniques, parsed, reasons, codes, blank_values) -> list:
    """[[raw text, cells], …] of the distinct values the column's catch-all took in (a category's 其他 for a value
    that is none of its spellings; a blank cell given the default is not one), most cells first: counted so that
    a missing spelling is seen. Every such value is listed (a column's distinct values are few)."""
    flags = col.kind.fell_to_catch_all(col, uniques, parsed, reasons)
    if not flags or not any(flags):
        return []
    cells = np.bincount(codes, minlength=len(uniques))
    found = {}
    for k in (k for k, f in enumerate(flags) if f):
        u = uniques[k]
        if nz.is_blank(u) or (isinstance(u, str) and nz.value_key(u) in blank_values):
            continue
        text = nz.mask_personal_numbers(nz.clean_text(u)[0])
        found[text] = found.get(text, 0) + int(cells[k])
    return sorted(([t, n] for t, n in found.items()), key=lambda item: (-item[1], item[0]))


def _persons_masked(uniques, parsed, codes) -> int:
    """The cells whose value names a private person, now ［个人］ (persons.py)."""
    flags = [isinstance(v, str) and PERSON in v and PERSON not in nz.cell_text(u) for u, v in zip(uniques, parsed)]
    if not any(flags):
        return 0
    return int(np.bincount(codes, minlength=len(uniques))[np.array(flags, dtype=bool)].sum())


def _first_later(col: Column, year, uniques, reasons) -> dt.date | None:
    """The first of the distinct values rejected as later than today, parsed again (there are few)."""
    later = LATER_THAN_TODAY.get(col.type)
    if later is None or later not in reasons:
        return None
    return min(col.kind.later_than_today(u, year) for u, r in zip(uniques, reasons) if r == later)


# Stand-ins for Excel's TRUE and FALSE while grouping: pandas.factorize hashes True like 1 and 1.0, False like 0, so a
# column holding both would be read as whichever came first (a count of 1 rejected as 是/否, or TRUE counted as 1).
_TRUE, _FALSE = object(), object()
_NUMBERS_ONLY = frozenset(("integer", "floating", "mixed-integer-float", "boolean"))


def _factorize(values: list):
    """(codes, distinct values) of a list of cells, as pandas.factorize groups them (NaN and None together), except
    that a boolean never shares a group with a number."""
    codes, uniques = factorize_cells(values)
    zero_one = [k for k, u in enumerate(uniques) if u.__class__ in (bool, int, float) and u in (0, 1)]
    if not zero_one:
        return codes, uniques
    arr = object_array(values)
    at = np.flatnonzero(np.isin(codes, zero_one))
    if pd.api.types.infer_dtype(arr[at], skipna=False) in _NUMBERS_ONLY:  # all numbers, or all booleans
        return codes, uniques
    keyed = arr.copy()
    for i in at:  # only the cells equal to 0 or 1, and only in a column that mixes the two kinds
        if arr[i].__class__ is bool:
            keyed[i] = _TRUE if arr[i] else _FALSE
    codes, uniques = pd.factorize(keyed, use_na_sentinel=False)
    uniques = uniques.copy()
    for k, u in enumerate(uniques):
        if u is _TRUE or u is _FALSE:
            uniques[k] = u is _TRUE
    return codes, uniques


def _column_cells(data_rows: list, c: int, shortest: int) -> list:
    """Column c of the data rows ("" where a row is shorter)."""
    if c < shortest:
        return list(map(itemgetter(c), data_rows))
    return [r[c] if c < len(r) else "" for r in data_rows]


def clean_sheet(sheet: Sheet, layout: Layout, spec: LedgerSpec, today: dt.date) -> SheetResult:
    """The sheet's data rows cleaned as on `today` (dates after it are rejects)."""
    data_list = [i for i, k in enumerate(layout.kinds) if k == "data"]
    data_idx = np.array(data_list, dtype=np.int64)
    rows = sheet.rows
    data_rows = [rows[i] for i in data_list]
    shortest = min(map(len, data_rows), default=0)
    n = len(data_idx)
    columns, rejected = {}, np.zeros(n, dtype=bool)
    rejects, later, catch_all, persons = [], [], {}, {}
    blocks = _year_blocks(layout, data_idx)
    for col in spec.columns:
        if col.name not in layout.columns:
            columns[col.name] = np.full(n, col.default, dtype=object)
            continue
        c = layout.columns[col.name]
        raw = _column_cells(data_rows, c, shortest)
        if layout.date_parts and c == layout.date_parts[0]:
            raw = [joined_date(row, layout.date_parts) for row in data_rows]
        # A merge among the records (not one of a header or a footer) makes a blank in the column a "same as above".
        merged = not col.kind.text and any("data" in layout.kinds[r0:r1 + 1] for r0, r1 in sheet.vertical_merges.get(c, ()))
        done = _normalise_blocks(raw, col, spec, blocks, merged, today)
        bad, reasons = _shown_otherwise(sheet, c, col, data_idx, done.bad, done.reasons)
        columns[col.name] = done.values
        if done.first_later is not None:
            later.append(done.first_later)
        if done.caught:
            catch_all[col.name] = {"column": layout.column_ref(col.name), "other": col.other, "values": done.caught}
        if done.persons:
            persons[col.name] = {"column": layout.column_ref(col.name), "cells": done.persons}
        if not len(bad):
            continue
        rejected[bad] = True
        ref = layout.column_ref(col.name)
        rejects.extend(
            # Reasons quote the raw value: both are masked, since rejects.csv leaves data/raw too.
            {"row": int(data_idx[j]) + 1, "column": ref, "value": nz.clean_text(raw[j])[0],
             "reason": nz.mask_personal_numbers(reason)}
            for j, reason in zip(bad, reasons)
        )
    for col in spec.columns:
        # Cross-column rule, where the sheet has both columns (a default is no evidence).
        if col.at_most and col.name in layout.columns and col.at_most in layout.columns:
            mine, limit = columns[col.name], columns[col.at_most]
            ok = pd.isna(mine) | pd.isna(limit)
            over = np.flatnonzero(~ok & (np.where(ok, 0, mine) > np.where(ok, 0, limit)) & ~rejected)
            rejected[over] = True
            other = spec.column(col.at_most).label
            rejects.extend(
                {"row": int(data_idx[j]) + 1, "column": layout.column_ref(col.name), "value": nz.cell_text(mine[j]),
                 "reason": f"{col.label}（{mine[j]}）多于{other}（{limit[j]}）"}
                for j in over
            )
        if col.only_when:
            other = columns[col.only_when["column"]]
            applies = other != col.only_when["not"]
            columns[col.name] = np.where(applies, columns[col.name], None)

    keep = ~rejected
    source_row = data_idx[keep] + 1
    if not keep.all():
        columns = {name: values[keep] for name, values in columns.items()}
    table = pa.table([pa.array(columns[c.name], type=arrow_type(c), from_pandas=True) for c in spec.columns]
                     + [pa.array(source_row, type=pa.int64())],
                     names=[c.name for c in spec.columns] + ["source_row"])
    tally = Counter(layout.kinds)
    counts = {k: tally.get(k, 0) for k in ROW_KINDS}
    result = SheetResult(table=table, rejects=sorted(rejects, key=lambda r: r["row"]), row_counts=counts,
                         kept=int(keep.sum()), rejected=int(rejected.sum()), later_than_today=min(later, default=None),
                         catch_all=catch_all, persons=persons)
    result.total_mismatches, result.totals_with_rejects, result.unchecked_totals = _check_totals(
        sheet, layout, spec, columns, source_row, data_idx[rejected])
    result.repeated_rows = _repeated_rows(columns, source_row, spec)
    return result


def _year_blocks(layout: Layout, data_idx: np.ndarray) -> list:
    """(first, end, years) of the runs of data rows read with the same years ((year completing 3月5日, years the
    title allows)): the sheet's, then each stacked block's from its own title; never none (a sheet of no data rows
    is one empty run)."""
    cuts = [(0, (layout.year, layout.title_years))]
    for row, year, years in layout.blocks:
        cuts.append((int(np.searchsorted(data_idx, row)), (year, years)))
    ends = [start for start, _ in cuts[1:]] + [len(data_idx)]
    runs = [(start, end, years) for (start, years), end in zip(cuts, ends) if end > start]
    return runs or [(0, len(data_idx), cuts[0][1])]


def _normalise_blocks(raw: list, col: Column, spec: LedgerSpec, blocks: list, merged: bool, today: dt.date) -> _Column:
    """_normalise_column over each block of rows with its own years, joined."""
    parts = [_normalise_column(raw[lo:hi], col, spec, years, merged, today) for lo, hi, years in blocks]
    if len(parts) == 1:
        return parts[0]
    found: dict = {}
    for p in parts:
        for text, cells in p.caught:
            found[text] = found.get(text, 0) + cells
    return _Column(values=np.concatenate([p.values for p in parts]),
                   bad=np.concatenate([p.bad + lo for p, (lo, _, _) in zip(parts, blocks)]),
                   reasons=np.concatenate([p.reasons for p in parts]),
                   first_later=min((p.first_later for p in parts if p.first_later is not None), default=None),
                   caught=sorted(([t, k] for t, k in found.items()), key=lambda item: (-item[1], item[0])),
                   persons=sum(p.persons for p in parts))


# How a number shows under a format that is not a plain number's (read.Sheet.formats); which formats a column refuses
# is its type's (ColumnType.refused_formats).
_SHOWN = {"percent": lambda v: f"设为百分比格式（{v:g} 即 {v * 100:g}%）",
          "currency": lambda v: f"设为货币格式（{v:g} 显示为金额）"}


def _shown_otherwise(sheet: Sheet, c: int, col: Column, data_idx: np.ndarray, bad, reasons):
    """(bad, reasons) with the cells of column c whose number shows as something else (100% for the count 1): they
    are rejected with what they show, which explains them better than any other reason a bare number has."""
    refused = col.kind.refused_formats
    if not refused or not sheet.formats:
        return bad, reasons
    rows = np.array(sorted(r for (r, cc), f in sheet.formats.items() if cc == c and f in refused), dtype=np.int64)
    at = np.searchsorted(data_idx, rows)
    hit = [(int(j), sheet.formats[(int(r), c)]) for j, r in zip(at, rows) if j < len(data_idx) and data_idx[j] == r]
    if not hit:
        return bad, reasons
    found = dict(zip(bad.tolist(), reasons))
    for j, kind in hit:
        value = sheet.rows[int(data_idx[j])][c]
        shown = _SHOWN[kind](value) if isinstance(value, (int, float)) and not isinstance(value, bool) else kind
        found[j] = (f"{col.label}：单元格{shown}，不是{col.kind.words}；请把单元格格式改为“常规”或“数值”，填写实际数目")
    order = sorted(found)
    return np.array(order, dtype=np.int64), object_array([found[j] for j in order])


def _repeated_rows(kept: dict, source_row: np.ndarray, spec: LedgerSpec) -> list:
    """Groups (Excel row numbers) of kept rows identical in every column: named, never dropped.
    `kept`: column name → object array of the kept rows' cleaned values."""
    n = len(source_row)
    if n < 2:
        return []
    # Rows are split into groups of equal texts column by column, the most telling columns (free
    # text, then the date) first; as soon as every row is alone, there is nothing to name.
    order = sorted(spec.columns, key=lambda c: (not c.kind.text, c.type != "date"))
    group = np.zeros(n, dtype=np.int64)
    for col in order:
        codes = _text_codes(kept[col.name])
        group = pd.factorize(group * (int(codes.max()) + 1) + codes)[0]
        if group.max() == n - 1:
            return []
    dup = pd.Series(group).duplicated(keep=False).to_numpy()
    if not dup.any():
        return []
    groups = pd.Series(source_row[dup]).groupby(group[dup], sort=False).agg(list)
    return sorted((sorted(int(r) for r in g) for g in groups), key=lambda g: g[0])


# Cell types whose values are equal exactly when their texts are (not so across types: 1 == 1.0 == True).
_TEXT_EXACT_TYPES = frozenset((int, bool, str, dt.date, dt.datetime))


def _text_codes(values: np.ndarray) -> np.ndarray:
    """Codes that are equal exactly where pandas' .astype(str) is (missing values together), without
    turning every cell into text: an object array of one such type (and None) is grouped by value."""
    types = set(map(type, values))
    types.discard(type(None))
    if len(types) > 1 or not types <= _TEXT_EXACT_TYPES:
        return pd.factorize(pd.Series(values, dtype=object).astype(str), use_na_sentinel=False)[0]
    return factorize_cells(list(values))[0]


# A month named in a total's label: 3月合计, 十二月小计, 1-3月合计 (a range of months).
_MONTHS = re.compile(r"(?:(\d{1,2}|[一二三四五六七八九十]{1,3})[-~—至到])?(\d{1,2}|[一二三四五六七八九十]{1,3})月")


@dataclass(frozen=True)
class TotalScope:
    """Which kept rows a total row sums, read from its label (its first two filled texts, without spaces):

    - "sheet": every row of the sheet (合计, 总计, 共计, 本月合计);
    - "group": the rows since the previous group's, month's or sheet's total (小计, 民主街道小计, 小计（焦南街道）);
    - "month": the rows since the previous month's or sheet's total (3月合计, 1-3月合计);
    - "page": the rows since the previous page's or sheet's total (本页合计, 第2页合计): a page may end inside a
      group or a month, so page totals do not start them anew;
    - "cumulative": a running total (累计, 全年累计, 全年合计, 承前页; common.yaml's running_total_words) that may
      take in rows of other sheets: not checked.

    A named sub-district or month must be that of every row summed; otherwise which rows the total sums cannot
    be told and it is not checked."""
    kind: str
    subdistrict: str | None = None
    months: frozenset = frozenset()


# The kinds of total after which a total of each kind starts summing.
_BOUNDS = {"group": {"group", "month", "sheet"}, "month": {"month", "sheet"}, "page": {"page", "sheet"}}


def total_scope(label: str, common) -> TotalScope:
    """The scope of a total row whose first filled texts (without spaces) are `label`."""
    if any(w in label for w in common.running_total_words):
        return TotalScope("cumulative")
    named = [key for key in common.subdistrict_lookup if key in label]
    subdistrict = common.subdistrict_lookup[max(named, key=len)] if named else None
    months = frozenset()
    m = _MONTHS.search(label)
    if m:
        first, last = (_month(m[1] or m[2]), _month(m[2]))
        if first and last and first <= last:
            months = frozenset(range(first, last + 1))
    if "页" in label:
        kind = "page"
    elif subdistrict:
        kind = "group"
    elif months:
        kind = "month"
    else:
        kind = "group" if "小计" in label else "sheet"
    return TotalScope(kind, subdistrict, months)


def _month(text: str) -> int | None:
    n = int(text) if text.isdigit() else nz.chinese_numeral(text)
    return n if n is not None and 1 <= n <= 12 else None


def _check_totals(sheet: Sheet, layout: Layout, spec: LedgerSpec, kept: dict, source_row: np.ndarray,
                  rejected_at: np.ndarray):
    """Compare each total row with the kept rows it sums (see TotalScope): (mismatches, totals that the rejected rows
    among those rows account for, totals left unchecked). `rejected_at`: the rejected rows' indexes, ascending."""
    checked = [c for c in spec.columns if c.check_total and c.name in layout.columns]
    totals = [i for i, kind in enumerate(layout.kinds) if kind == "total"]
    if not checked or not totals:
        return [], [], []
    common = spec.common
    numbers = {}  # column -> float array of the kept rows (NaN where empty), made on first use
    mismatches, explained, unchecked = [], [], []
    start = dict.fromkeys(_BOUNDS, 0)  # kind of total -> first row index it sums from
    for i in totals:
        row = sheet.rows[i]
        scope = total_scope(leading_label(row), common)
        first = start[scope.kind] if scope.kind in _BOUNDS else 0
        if scope.kind in _BOUNDS:  # the kept rows from its start to this row (source_row is ascending)
            lo = int(np.searchsorted(source_row, first, side="right"))
            hi = int(np.searchsorted(source_row, i, side="right"))
            no_rows = "data" not in layout.kinds[first:i]
        else:
            lo, hi, no_rows = 0, len(source_row), False
        dropped = rejected_at[(rejected_at >= first) & (rejected_at < i)]
        for kind, after in _BOUNDS.items():
            if scope.kind in after:
                start[kind] = i + 1
        reason = "上一个合计行与这一行之间没有记录（合计可能写在了记录的上方），未核对" if no_rows else None
        reason = reason or _why_unchecked(scope, kept, lo, hi, layout, spec)
        if reason:
            unchecked.append({"row": i + 1, "reason": reason})
            continue
        for col in checked:
            c = layout.columns[col.name]
            cell = row[c] if c < len(row) else ""
            if nz.is_blank(cell):
                continue
            stated, reason = nz.parse_number(cell, common.number_prefixes, common.number_suffixes, common.number_units)
            if reason:
                continue
            if col.name not in numbers:
                numbers[col.name] = pd.to_numeric(pd.Series(kept[col.name])).to_numpy(dtype="float64", na_value=np.nan)
            # As pandas sums (NaN skipped, pairwise): the same float for the same rows.
            summed = float(np.nansum(numbers[col.name][lo:hi]))
            if _same(stated, summed):
                continue
            found = {"row": i + 1, "column": layout.column_ref(col.name), "sheet_total": stated, "sum_of_rows": summed}
            in_rejected, rows = _rejected_part(sheet, dropped, c, common)
            if rows and _same(stated, summed + in_rejected):
                explained.append({**found, "in_rejected": in_rejected, "rejected_rows": rows})
            else:
                mismatches.append(found)
    return mismatches, explained, unchecked


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(a))


def _rejected_part(sheet: Sheet, rows: np.ndarray, c: int, common) -> tuple[float, list]:
    """What the rejected rows hold in column c where it reads as a number (as the squad's total would have counted
    it), and the Excel numbers of those rows."""
    total, found = 0.0, []
    for r in rows.tolist():
        cell = sheet.rows[r][c] if c < len(sheet.rows[r]) else ""
        if nz.is_blank(cell):
            continue
        x, reason = nz.parse_number(cell, common.number_prefixes, common.number_suffixes, common.number_units)
        if reason is None:
            total += x
            found.append(r + 1)
    return total, found


def _why_unchecked(scope: TotalScope, kept: dict, lo: int, hi: int, layout: Layout, spec: LedgerSpec) -> str | None:
    """Why a total row cannot be compared with rows lo:hi of the kept rows, or None when it can."""
    if scope.kind == "cumulative":
        return "累计行可能包括其他工作表或其他月份的记录，未核对"
    of_type = {c.type: c.name for c in spec.columns if c.name in layout.columns}
    if scope.subdistrict and ("subdistrict" not in of_type
                              or any(s != scope.subdistrict for s in kept[of_type["subdistrict"]][lo:hi])):
        return f"上一个合计行以来的记录不全属于{scope.subdistrict}，不能确定这一行合计的是哪些行，未核对"
    if scope.months and ("date" not in of_type
                         or any(d is None or d.month not in scope.months for d in kept[of_type["date"]][lo:hi])):
        return "上一个合计行以来的记录不全属于行中所写的月份，不能确定这一行合计的是哪些行，未核对"
    return None

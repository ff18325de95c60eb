"""Spec-driven cleaning of one sheet: data rows → typed values, rejects with reasons, 合计 checks.

Each column's distinct raw values are normalised once (pandas.factorize) and mapped back, so the
cost grows with the number of distinct values, not cells.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis import normalize as nz
from analysis.layout import ROW_KINDS, Layout
from analysis.read import Sheet
from analysis.spec import Column, LedgerSpec

_BLANK = object()


@dataclass
class SheetResult:
    frame: pd.DataFrame  # kept rows: the spec's columns plus source_row
    rejects: list = field(default_factory=list)  # dicts: row, column, value, reason
    row_counts: dict = field(default_factory=dict)  # row kind -> number of rows
    kept: int = 0
    rejected: int = 0
    total_mismatches: list = field(default_factory=list)  # dicts: row, column, sheet_total, sum_of_rows


def _value_parser(col: Column, spec: LedgerSpec, year: int | None, title_year: int | None):
    """The function that turns one distinct non-blank raw value of this column into (value, reason)."""
    common = spec.common
    if col.type == "date":
        latest = dt.date.today()

        def date(v):
            d, reason = nz.parse_date(v, year)
            if reason:
                return None, reason
            if d < common.earliest_date:
                return None, f"日期早于{common.earliest_date.year}年，可能写错了年份"
            if d > latest:
                return None, "日期在今天之后，可能写错了年份"
            if title_year is not None and d.year != title_year:
                return None, f"日期年份与表格标题中的“{title_year}年”不符"
            return d, None
        return date
    if col.type == "subdistrict":
        return lambda v: nz.parse_subdistrict(v, common.subdistrict_lookup, common.subdistricts)
    if col.type == "flag":
        return lambda v: nz.parse_flag(v, common.flag_true, common.flag_false)
    if col.type in ("category", "text"):
        lookup = {nz.value_key(x): canon for canon, variants in col.values.items() for x in (canon, *variants)}
        if col.type == "category":
            return lambda v: nz.parse_category(v, lookup, col.label, col.categories, col.other)
        return lambda v: (lookup[k], None) if (k := nz.value_key(nz.cell_text(v))) in lookup else nz.clean_text(v)

    def number(v):
        x, reason = nz.parse_number(v, common.number_prefixes, common.number_suffixes, common.number_units)
        if reason:
            return None, f"{col.label}：{reason}"
        if col.type == "count":
            if not x.is_integer():
                return None, f"{col.label}应为整数"
            x = int(x)
        if col.min is not None and x < col.min:
            return None, f"{col.label}不能小于{col.min:g}"
        if col.min_exclusive is not None and x <= col.min_exclusive:
            return None, f"{col.label}应大于{col.min_exclusive:g}"
        if col.max is not None and x > col.max:
            return None, f"{col.label}为{nz.cell_text(float(x))}，超过合理上限{col.max:g}（上限及理由见台账规格文件）"
        return x, None
    return number


def _normalise_column(values: list, col: Column, spec: LedgerSpec, layout: Layout):
    """Raw cells of one column → (object array of values, object array of reasons or None)."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
    parse = _value_parser(col, spec, layout.year, layout.title_year)
    blank_values = spec.common.blank_values
    parsed, reasons = [], []
    for u in uniques:
        if nz.is_blank(u) or (isinstance(u, str) and nz.value_key(u) in blank_values):
            value, reason = _BLANK, None
        else:
            value, reason = parse(u)
        if value is _BLANK:
            if col.default is not None:
                value = col.default
            elif col.required:
                value, reason = None, f"{col.label}为空"
            else:
                value = None
        parsed.append(value)
        reasons.append(reason)
    return np.array(parsed, dtype=object)[codes], np.array(reasons, dtype=object)[codes]


def clean_sheet(sheet: Sheet, layout: Layout, spec: LedgerSpec) -> SheetResult:
    data_idx = np.array([i for i, k in enumerate(layout.kinds) if k == "data"], dtype=np.int64)
    rows = sheet.rows
    n = len(data_idx)
    columns, rejected = {}, np.zeros(n, dtype=bool)
    rejects = []
    for col in spec.columns:
        if col.name not in layout.columns:
            columns[col.name] = np.full(n, col.default, dtype=object)
            continue
        c = layout.columns[col.name]
        raw = [rows[i][c] if c < len(rows[i]) else "" for i in data_idx]
        values, reasons = _normalise_column(raw, col, spec, layout)
        columns[col.name] = values
        bad = np.flatnonzero(pd.notna(reasons))
        rejected[bad] = True
        ref = layout.column_ref(col.name)
        rejects.extend(
            # Reasons quote the raw value: both are masked, since rejects.csv leaves data/raw too.
            {"row": int(data_idx[j]) + 1, "column": ref, "value": nz.clean_text(raw[j])[0],
             "reason": nz.mask_personal_numbers(reasons[j])}
            for j in bad
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

    frame = pd.DataFrame(columns)
    frame["source_row"] = data_idx + 1
    frame = frame.loc[~rejected].reset_index(drop=True)
    counts = {k: 0 for k in ROW_KINDS}
    for k in layout.kinds:
        counts[k] += 1
    result = SheetResult(frame=frame, rejects=sorted(rejects, key=lambda r: r["row"]), row_counts=counts,
                         kept=int((~rejected).sum()), rejected=int(rejected.sum()))
    result.total_mismatches = _check_totals(sheet, layout, spec, frame)
    return result


def _check_totals(sheet: Sheet, layout: Layout, spec: LedgerSpec, kept: pd.DataFrame) -> list:
    """Compare each 合计/总计 row with the sum of all kept rows, each 小计 row with the kept rows since the last 小计."""
    checked = [c for c in spec.columns if c.check_total and c.name in layout.columns]
    if not checked:
        return []
    common = spec.common
    mismatches, block_start = [], 0
    for i, kind in enumerate(layout.kinds):
        if kind != "total":
            continue
        row = sheet.rows[i]
        label = next(t for t in (nz.value_key(nz.cell_text(v)) for v in row) if t)
        subtotal = label.startswith("小计")
        scope = kept[(kept["source_row"] > block_start) & (kept["source_row"] <= i)] if subtotal else kept
        for col in checked:
            c = layout.columns[col.name]
            cell = row[c] if c < len(row) else ""
            if nz.is_blank(cell):
                continue
            stated, reason = nz.parse_number(cell, common.number_prefixes, common.number_suffixes, common.number_units)
            if reason:
                continue
            summed = float(pd.to_numeric(scope[col.name]).sum())
            if abs(stated - summed) > 1e-6 * max(1.0, abs(stated)):
                mismatches.append({"row": i + 1, "column": layout.column_ref(col.name),
                                   "sheet_total": stated, "sum_of_rows": summed})
        if subtotal:
            block_start = i + 1
    return mismatches

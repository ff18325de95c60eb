"""Sheets that are not ledger detail: summaries (per-sub-district totals, no dates) and instructions (填表说明).

Workbooks often open with a 汇总 or 统计表 sheet before the detail sheets, or carry a 填表说明 sheet. Such a sheet
is recorded as skipped, neither read as records nor failed; a summary's figures are compared with the detail
read from the file's other sheets where the two can be matched (one row per sub-district, columns that name a
summed ledger column such as 数量 or 发现隐患), and a disagreement is reported like a 合计 that does not add up.

Only a sheet that cannot be read as detail (no header found, or a required column missing) and that holds no
dates is taken for one: a sheet of records whose header misses a column still fails, as it should.
"""
from __future__ import annotations

from collections import Counter

import pandas as pd
import pyarrow as pa

from analysis.ingest import normalize as nz
from analysis.ingest.cleaning import total_scope
from analysis.ingest.layout import (
    HEADER_SEARCH_ROWS,
    Layout,
    is_footer_label,
    is_record_date,
    is_total_label,
    leading_label,
)
from analysis.ingest.read import Sheet, column_letter
from analysis.ingest.spec import LedgerSpec

EVIDENCE_ROWS = 1000  # enough rows to tell a summary from records (a summary has a few dozen)
ROLE_REASONS = {"summary": "汇总表，已跳过（明细在其他工作表中）", "instructions": "填表说明，已跳过"}
NO_DETAIL = "汇总表，已跳过；文件中没有可读取的明细工作表，汇总数字不计入统计"


def sheet_role(sheet: Sheet, layout: Layout, spec: LedgerSpec) -> str | None:
    """"summary" or "instructions" for a sheet that is not ledger detail; None for any other sheet."""
    if layout.header_row is not None and not layout.missing_required(spec):
        return None
    if all(k == "blank" for k in layout.kinds) or _has_dates(sheet, layout, spec):
        return None
    common = spec.common
    named = nz.value_key(sheet.name + _title_text(sheet.rows))
    if any(w in named for w in common.instruction_sheet_words):
        return "instructions"
    if any(w in named for w in common.summary_sheet_words):
        return "summary"
    grid = _summary_grid(sheet, spec)
    if grid and _has_number_column(sheet.rows[grid[0] + 1:EVIDENCE_ROWS], exclude=grid[1], common=common):
        return "summary"
    return None


def compare_summary(sheet: Sheet, sheets: list, tables: list[pa.Table], spec: LedgerSpec) -> tuple[str | None, list]:
    """A summary sheet against the detail the file's other sheets gave (`tables`, their records in `sheets`):
    (the reason to say instead of the usual one, or None; the summary's figures that disagree with the detail)."""
    detail = [s for s in sheets if s.read]
    if not detail:
        return NO_DETAIL, []
    detail_columns = {name for s in detail for name in s.columns}
    return None, _disagreements(sheet, spec, detail_columns, pa.concat_tables(tables) if tables else None)


def _title_text(rows: list) -> str:
    """The title rows at the top of a sheet: rows whose filled cells all hold one text (a merged title)."""
    titles = []
    for row in rows[:HEADER_SEARCH_ROWS]:
        texts = {nz.cell_text(v) for v in row} - {""}
        if len(texts) > 1:
            break
        titles.extend(texts)
    return " ".join(titles)


def _has_dates(sheet: Sheet, layout: Layout, spec: LedgerSpec) -> bool:
    """Whether the sheet holds records: rows under a date column named by its header, or (with no such header) a
    column whose filled cells are mostly readable dates (footer rows such as 填表日期：… aside)."""
    if any(c.type == "date" and c.name in layout.columns for c in spec.columns):
        return "data" in layout.kinds
    common = spec.common
    rows = [r for r in sheet.rows[:EVIDENCE_ROWS] if not is_footer_label(leading_label(r), common)]
    return any(_mostly(rows, c, lambda v: is_record_date(v, layout.year, common.earliest_date))
               for c in range(_width(rows)))


def _number(value, common) -> float | None:
    return nz.parse_number(value, common.number_prefixes, common.number_suffixes, common.number_units)[0]


def _mostly(rows: list, c: int, test) -> bool:
    """Whether at least half of the filled cells of column c pass `test` (and one does), testing each distinct
    value once."""
    counts = Counter((v.__class__, v) for r in rows if c < len(r) and not nz.is_blank(v := r[c]))
    hits = sum(n for (_, v), n in counts.items() if test(v))
    return hits > 0 and 2 * hits >= sum(counts.values())


def _width(rows: list) -> int:
    return max(map(len, rows), default=0)


def _summary_grid(sheet: Sheet, spec: LedgerSpec) -> tuple[int, int] | None:
    """(header row, sub-district column) of a table keyed by sub-district, or None. When the sub-district header
    is merged over two rows, the lower one is the header row."""
    sub = next((c.name for c in spec.columns if c.type == "subdistrict"), None)
    if sub is None:
        return None
    rows = sheet.rows
    for r, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        for c, v in enumerate(row):
            if spec.match_header(nz.cell_text(v)) == sub:
                if r + 1 < len(rows) and c < len(rows[r + 1]) and nz.cell_text(rows[r + 1][c]) == nz.cell_text(v):
                    r += 1
                return r, c
    return None


def _has_number_column(rows: list, exclude: int, common) -> bool:
    return any(_mostly(rows, c, lambda v: _number(v, common) is not None) for c in range(_width(rows)) if c != exclude)


def _disagreements(sheet: Sheet, spec: LedgerSpec, detail_columns: set, detail: pa.Table | None) -> list:
    """The summary's figures that differ from the detail: per sub-district row and for its 合计 row, in each column
    that names a summed ledger column the detail sheets have. Nothing when the two cannot be matched: no table
    keyed by sub-district, a sub-district on two rows, or detail of a sub-district the summary does not list."""
    grid = _summary_grid(sheet, spec)
    if grid is None or detail is None or detail.num_rows == 0:
        return []
    r, by = grid
    rows, common = sheet.rows, spec.common
    names = {c.name: c for c in spec.columns}
    summed = {}  # column index -> (ledger column, header as shown)
    for c in range(len(rows[r])):
        for text in (nz.cell_text(rows[r][c]), nz.cell_text(rows[r - 1][c]) if r > 0 and c < len(rows[r - 1]) else ""):
            col = names.get(spec.match_header(text))
            if col and col.check_total and col.name in detail_columns:
                summed[c] = (col, nz.shown_label(text))
                break
    sub = next(c.name for c in spec.columns if c.type == "subdistrict")
    keyed = {}  # row index -> sub-district, or None for the 合计 row
    for i in range(r + 1, len(rows)):
        cell = rows[i][by] if by < len(rows[i]) else None
        name, reason = nz.parse_subdistrict(cell, common.subdistrict_lookup, common.subdistricts)
        if reason is None:
            keyed[i] = name
        elif is_total_label(label := leading_label(rows[i]), common) and total_scope(label, common).kind == "sheet":
            keyed[i] = None  # the summary's 合计 (a 累计 or a 小计 is not the detail's total)
    listed = [k for k in keyed.values() if k]
    frame = detail.select([sub] + [col.name for col, _ in summed.values()]).to_pandas()
    if not summed or len(set(listed)) < len(listed) or not set(frame[sub].dropna()) <= set(listed):
        return []
    found = []
    for i, name in keyed.items():
        part = frame if name is None else frame[frame[sub] == name]
        for c, (col, header) in summed.items():
            stated = _number(rows[i][c], common) if c < len(rows[i]) and not nz.is_blank(rows[i][c]) else None
            if stated is None:
                continue
            total = float(pd.to_numeric(part[col.name]).sum())
            if abs(stated - total) > 1e-6 * max(1.0, abs(stated)):
                found.append({"row": i + 1, "subdistrict": name or "合计", "column": f"{header}（{column_letter(c)}列）",
                              "summary": stated, "detail": total})
    return found

"""The Excel 报表 superiors ask for: the briefing's figures as a formatted workbook (统计报表.xlsx).

Sheets: 主要指标 (each indicator this period, the same period last year, the change, 同比, the report's phrase);
one sheet per ledger with data (each indicator 主要指标 lists for it by sub-district × month with totals, then by
each category the catalogue names for it); 数据说明 (sources, rows kept and rejected, definitions). The 报表 agrees
with itself: every breakdown's 合计 is its indicator's figure on 主要指标, rows whose column was left blank are a
row of their own, and a breakdown lists only the categories inside its indicator's filter.

Formatted as an office would: a merged title row, a line 填报单位 / 统计期间 / 生成日期, bold bordered headers
with merged captions above them, number formats, column widths that fit Chinese text and row heights that fit
wrapped text, A4 landscape fitted to one page wide, 第 N 页 共 M 页 in the footer. A sheet that is one table
repeats its title and header rows on every printed page and keeps them frozen on screen; a sheet of several
tables repeats none (one table's header would stand over another's rows).

Every text that came from a ledger or a file name is written as text: a value beginning with = + - @ never
becomes a formula. The same data give the same bytes (analysis.xlsx fixes the zip and document times).
"""
from __future__ import annotations

import datetime as dt
import math
import unicodedata

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from analysis.ingest.spec import load_spec
from analysis.report import metrics
from analysis.report.catalogue import parse_measure
from analysis.report.data import Data, covered_catalogue, covered_months, ledgers_with_data, yoy
from analysis.report.number_words import round_half_up
from analysis.report.pages.briefing import missing_ledgers_note, unnamed_notes
from analysis.report.periods import Period, format_date, generation_date, months_label
from analysis.report.revisions import Revision
from analysis.report.source_checks import KIND_NAMES
from analysis.xlsx import reproducible_xlsx

UNIT = "解放区城市管理局"

_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
_TITLE = Font(name="宋体", size=16, bold=True)
_BOLD = Font(name="宋体", size=11, bold=True)
_BODY = Font(name="宋体", size=11)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
_RIGHT = Alignment(horizontal="right", vertical="center")
INTEGER, DECIMAL, PERCENT = "#,##0", "#,##0.0", "0.0%"


def workbook_bytes(data: Data, period: Period, generated: dt.date | None = None,
                   revision: Revision | None = None) -> bytes:
    """The 报表 of `period` as .xlsx bytes; with a 变更说明 sheet when `revision` changed any figure or file."""
    generated = generated or generation_date()
    book = Workbook()
    book.remove(book.active)
    _indicators_sheet(book, data, period, generated)
    for ledger in ledgers_with_data(data, period):
        _ledger_sheet(book, data, period, ledger, generated)
    _notes_sheet(book, data, period, generated)
    if revision is not None and revision.anything:
        _revision_sheet(book, data, period, generated, revision)
    return _finished(book, period, generated)


def checklist_bytes(data: Data, period: Period, generated: dt.date | None = None) -> bytes:
    """The analyst's 待核实清单 (not for superiors): the months that may not have arrived and the records that
    stand out (source_checks.py), with file, sheet and row, as .xlsx bytes."""
    generated = generated or generation_date()
    book = Workbook()
    book.remove(book.active)
    checks = data.checks
    sheet = book.create_sheet("可能缺报")
    rows = [[(g.ledger and load_spec(g.ledger).label, None), (f"{g.year}年{g.month}月", None), (g.level or "（整本台账）", None),
             (g.count, INTEGER), (_number(g.usual) if g.level else None, DECIMAL), (g.text, None)] for g in checks.gaps]
    _table(sheet, data, period, generated, "可能缺报的月份（供核实，不报送）", ["台账", "月份", "街道或中队", "记录条数", "通常每月",
                                                                   "说明"], rows or [[("没有发现缺报", None)]])
    _page_setup(sheet, repeat_rows="1:3")
    sheet = book.create_sheet("待核实记录")
    rows = [[(KIND_NAMES[i.kind], None), (load_spec(i.ledger).label, None), (i.file, None), (i.sheet, None),
             (i.row, INTEGER), (i.column, None), (i.value, None), (i.why, None)] for i in checks.to_verify]
    _table(sheet, data, period, generated, "待核实的记录（供核实，不报送；不改动任何数字）",
           ["类型", "台账", "文件", "工作表", "行", "列", "数值", "为什么要核实"], rows or [[("没有需要核实的记录", None)]])
    _page_setup(sheet, repeat_rows="1:3")
    return _finished(book, period, generated, "待核实清单")


def _finished(book: Workbook, period: Period, generated: dt.date, what: str = "城市管理执法统计报表") -> bytes:
    props = book.properties
    props.creator = props.lastModifiedBy = UNIT
    props.title = f"{period.report_label}{what}"
    return reproducible_xlsx(book, dt.datetime.combine(generated, dt.time(9)))


def _revision_sheet(book: Workbook, data: Data, period: Period, generated: dt.date, revision: Revision) -> None:
    """What changed since the version of the same period published before: each figure old → new, then the raw
    files added, removed or changed."""
    sheet = book.create_sheet("变更说明")
    rows = [[(c.label, None), (c.unit, None), (_number(c.old), _number_format_of(c.old)),
             (_number(c.new), _number_format_of(c.new)), (_number(c.difference), _number_format_of(c.difference))]
            for c in revision.changes]
    end = _table(sheet, data, period, generated, f"变更说明：{revision.line}",
                 ["指标", "单位", "上次生成", "本次", "增减"], rows or [[("数字没有变化", None)]])
    files = ([[(f, None), ("新增", None)] for f in revision.added] + [[(f, None), ("删除", None)] for f in revision.removed]
             + [[(f, None), ("内容有改动", None)] for f in revision.changed])
    if files:
        _block(sheet, end + 2, "改动的台账文件", ["文件", "改动"], files)
    _page_setup(sheet, repeat_rows=None)


def _number_format_of(value) -> str:
    return DECIMAL if _fractional(value) else INTEGER


# ---------------------------------------------------------------- the sheets

def _indicators_sheet(book: Workbook, data: Data, period: Period, generated: dt.date) -> None:
    sheet = book.create_sheet("主要指标")
    figures = yoy(data, period)
    header = ["指标", "单位", period.label, period.same_last_year.label, "增减", "同比", "报告写法"]
    rows = []
    for _, f in figures.iterrows():
        number = DECIMAL if _fractional(f["value"], f["previous"]) else INTEGER
        # The percent as the briefing writes it (one decimal, half up), so that the sheet never shows another.
        pct = None if pd.isna(f["pct"]) else float(round_half_up(f["pct"], 1) / 100)
        note = _change_note(f, period)
        rows.append([(f["label"], None), (f["unit"], None), (_number(f["value"]), number),
                     (_number(f["previous"]), number), (_number(f["change"]), number),
                     (note or pct, None if note else PERCENT), (f"{f['figure']}{f['unit']}", None)])
    _table(sheet, data, period, generated, f"{period.report_label}城市管理执法主要指标", header, rows)
    _page_setup(sheet, repeat_rows="1:3")


def _change_note(f: pd.Series, period: Period) -> str | None:
    """What the 同比 column says instead of a percent: 上年无数据, 上年为0, 仅有6月数据 (a figure over part of the
    period, compared with nothing), 上年同期缺3月数据."""
    if f["direction"] == "partial":
        return "仅有" + months_label(covered_months(period, f["missing"])) + "数据，不作同比"
    if f["direction"] == "previous_partial":
        return period.versus_last_year + "缺" + months_label(f["previous_missing"]) + "数据，不作同比"
    return {"no_previous": "上年无数据", "zero_base": "上年为0"}.get(f["direction"])


UNASSIGNED = "（未填街道）"
NO_DATA = "—"  # a month whose ledger did not arrive: no data, not 0


def _ledger_sheet(book: Workbook, data: Data, period: Period, ledger: str, generated: dt.date) -> None:
    """A ledger's indicators by sub-district × month, each followed by its breakdowns by category.

    Which indicators: the catalogue marks no set of main indicators per ledger (`card` marks the briefing's
    first-screen cards, none of 市容整治's; `report_phrase` the report paragraph, which leaves out 186家), so the
    sheet covers every indicator 主要指标 lists for the ledger, in catalogue order: every figure there has its
    breakdown here, and every total here is a figure there."""
    spec = load_spec(ledger)
    sheet = book.create_sheet(_sheet_name(spec.topic, book))
    if spec.period_column.type != "date" or "subdistrict" not in data.tables[ledger].columns:
        _indicator_rows(sheet, data, period, ledger, generated)  # no sub-district by month to show
        return
    indicators = covered_catalogue(data, period)
    indicators = indicators[indicators["ledger"] == ledger]
    totals = metrics.indicator_values(data.tables, period, indicators)["value"]  # as 主要指标 shows them
    columns = data.tables[ledger].columns
    _heading(sheet, data, period, generated, f"{spec.label}：{period.label}主要指标分街道分月统计",
             len(period.months) + 2)
    top = 3
    for key, ind in indicators.iterrows():  # each Series is named by its key
        end = _street_month_block(sheet, data, period, ind, totals[key], top)
        for by in [b for b in ind["breakdowns"].split() if b not in ("month", "subdistrict") and b in columns]:
            end = _category_block(sheet, data, period, ind, totals[key], by, spec.column(by).label, end + 2)
        top = end + 2
    _page_setup(sheet, repeat_rows=None)


def _street_month_block(sheet, data: Data, period: Period, ind: pd.Series, total, top: int) -> int:
    """One indicator by sub-district (rows) and month (columns), with its totals: the 合计 row is the indicator
    as 主要指标 shows it, month by month and over the period."""
    number = _number_format(ind)
    catalogue = data.catalogue
    by_sub = metrics.breakdown(data.tables, ind.name, period, "subdistrict", catalogue=catalogue)
    months = list(period.months)
    grid = _month_grid(data, ind, period).reindex(by_sub.index)
    per_month = {m: grid[m] for m in months}
    month_totals = metrics.breakdown(data.tables, ind.name, period, "month", catalogue=catalogue)
    header = ["街道", *(f"{m}月" for m in months), "合计"]
    missing = set(metrics.missing_months(data.tables, ind["ledger"], period))

    def cell(m, value):
        return (NO_DATA, None) if m in missing else (value, number)

    rows = [[(sub, None), *(cell(m, _number(per_month[m][sub])) for m in months), (_number(by_sub[sub]), number)]
            for sub in by_sub.index]
    nunique = ind["measure"].startswith("nunique")
    if not nunique and _remainder(total, by_sub) is not None:
        # Rows whose sub-district was left blank (optional in this ledger) still count in the total: show them.
        rows.append([(UNASSIGNED, None), *(cell(m, _remainder(month_totals[m], per_month[m]) or 0) for m in months),
                     (_remainder(total, by_sub), number)])
    rows.append([("合计", None), *(cell(m, _number(month_totals[m])) for m in months), (_number(total), number)])
    title = f"{ind['label']}（{ind['unit']}）：{period.label}分街道分月"
    end = _block(sheet, top, title, header, rows, bold_last_row=True)
    if missing:
        end = _note(sheet, end + 1, f"“{NO_DATA}”：{months_label(sorted(missing))}没有这本台账的数据（未报送），不是0；"
                                    f"合计只含{months_label(covered_months(period, tuple(sorted(missing))))}。")
    if nunique:
        end = _note(sheet, end + 1, _distinct_note(data, period, ind, "subdistrict", "月份或街道", "街道"))
    return end


def _month_grid(data: Data, ind: pd.Series, period: Period) -> pd.DataFrame:
    """The indicator per sub-district (rows: every sub-district) and month of the period (columns), each cell
    as `metrics.breakdown` gives it for that month, in one pass over the rows instead of one per month."""
    table = data.tables[ind["ledger"]]
    rows = table[metrics.in_period(table, period) & metrics.filter_mask(table, ind["filter"])]
    op, column = parse_measure(ind["measure"])
    groups = rows.groupby(["subdistrict", "month"], observed=True)
    cells = groups.size() if op == "count" else groups[column].agg(op)
    grid = cells.unstack("month") if len(cells) else pd.DataFrame(index=pd.Index([], name="subdistrict"))
    return grid.reindex(index=table["subdistrict"].cat.categories, columns=list(period.months), fill_value=0).fillna(0)


def _category_block(sheet, data: Data, period: Period, ind: pd.Series, total, by: str, label: str, top: int) -> int:
    """One indicator by a category column the catalogue names for it: only the categories inside the indicator's
    filter (办理行政许可案件 counts three matters; the other two are not listed as 0), rows that left the column
    blank as their own row, and the indicator's total."""
    number = _number_format(ind)
    values = metrics.breakdown(data.tables, ind.name, period, by, catalogue=data.catalogue)
    rows = [[(str(level), None), (_number(v), number)] for level, v in values.items()]
    nunique = ind["measure"].startswith("nunique")
    blank = _remainder(total, values)
    if not nunique and blank is not None:
        rows.append([(f"（未填{label}）", None), (blank, number)])
    rows.append([("合计", None), (_number(total), number)])
    end = _block(sheet, top, f"{ind['label']}（{ind['unit']}）：{period.label}按{label}", [label, period.label], rows,
                 bold_last_row=True)
    if nunique and blank is not None:
        end = _note(sheet, end + 1, _distinct_note(data, period, ind, by, label, label))
    return end


def _distinct_note(data: Data, period: Period, ind: pd.Series, by: str, parts: str, label: str) -> str:
    """Why a figure of distinct names is not the sum of its parts: a name in two parts counts once in the total,
    and rows that left the column blank count in the total but in no part."""
    spec = load_spec(ind["ledger"])
    name = spec.column(parse_measure(ind["measure"])[1]).label
    table = data.tables[ind["ledger"]]
    rows = table[metrics.in_period(table, period) & metrics.filter_mask(table, ind["filter"])]
    blank = f"未填{label}的记录计入合计、不在各项中，" if rows[by].isna().any() else ""
    return f"合计按全部记录计算：同一{name}在不同{parts}中出现时只计一次，{blank}故合计与各项之和可能不同。"


def _remainder(total, parts: pd.Series):
    """What the total holds beyond its parts (rows that left the column blank), None when nothing (or NA)."""
    rest = _number(total - parts.sum()) if not (pd.isna(total) or parts.isna().all()) else None
    return rest or None


def _number_format(ind: pd.Series) -> str:
    return DECIMAL if ind["unit"] == "平方米" else INTEGER


def _indicator_rows(sheet, data: Data, period: Period, ledger: str, generated: dt.date) -> None:
    """A ledger with no sub-district by month (one filled once a year): its indicators, this period and last."""
    figures = yoy(data, period)
    figures = figures[figures["ledger"] == ledger]
    rows = [[(f["label"], None), (f["unit"], None), (_number(f["value"]), _format(f)), (_number(f["previous"]), _format(f))]
            for _, f in figures.iterrows()]
    header = ["项目", "单位", period.label, period.same_last_year.label]
    _table(sheet, data, period, generated, f"{load_spec(ledger).label}：{period.label}", header, rows)
    _page_setup(sheet, repeat_rows="1:3")


def _format(f) -> str:
    return DECIMAL if _fractional(f["value"], f["previous"]) else INTEGER


def _notes_sheet(book: Workbook, data: Data, period: Period, generated: dt.date) -> None:
    sheet = book.create_sheet("数据说明")
    rows = []
    for s in data.manifest.ledgers.values():
        if s.files:
            rows.append([(s.label, None), (s.files, INTEGER), (s.sheets, INTEGER), (s.rows_kept, INTEGER),
                         (s.rows_rejected, INTEGER)])
    title = "数据说明" + ("（示例数据：程序生成的合成台账，不是真实台账）" if data.synthetic else "")
    end = _table(sheet, data, period, generated, title, ["台账", "文件", "工作表", "保留行", "剔除行"], rows,
                 note="每个数字都可由清洗结果中的来源文件、工作表和行号追溯到台账单元格；剔除的行见数据质量报告。")
    covered = covered_catalogue(data, period)
    rows = [[(r["label"], None), (r["unit"], None), (r["definition"], None)] for _, r in covered.iterrows()]
    end = _block(sheet, end + 2, "指标口径", ["指标", "单位", "口径"], rows)
    coverage = [sentence + "。" for sentence in missing_ledgers_note(data, period).split("。") if sentence.strip()]
    caveats = coverage + unnamed_notes(data, period)
    if caveats:
        end = _block(sheet, end + 2, "需要说明", ["说明"], [[(text, None)] for text in caveats])
    files = [[(f.file, None), (_STATUS.get(f.status, f.status), None), (f.reason or "", None)]
             for f in data.manifest.files]
    if files:
        _block(sheet, end + 2, "读取的文件", ["文件", "状态", "说明"], files)
    _page_setup(sheet, repeat_rows=None)  # several tables: no header of one repeated over another


_STATUS = {"ok": "已读取", "partial": "部分读取", "failed": "读取失败", "duplicate": "重复（只计一次）"}


# ---------------------------------------------------------------- layout

def _heading(sheet, data: Data, period: Period, generated: dt.date, title: str, width: int) -> int:
    """A sheet's merged title and its 填报单位 line across `width` columns; returns the last row used (2)."""
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(width, 2))
    _text(sheet.cell(1, 1), title, _TITLE, _CENTER)
    sheet.row_dimensions[1].height = 30
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=max(width, 2))
    line = f"填报单位：{UNIT}　　统计期间：{period.label}　　生成日期：{format_date(generated)}"
    _text(sheet.cell(2, 1), line + ("　　（示例数据）" if data.synthetic else ""), _BODY, _LEFT)
    return 2


def _table(sheet, data: Data, period: Period, generated: dt.date, title: str, header: list, rows: list, *,
           bold_last_row: bool = False, note: str = "") -> int:
    """A sheet's title, its 填报单位 line and its main table (header in row 3). Returns the last row used."""
    _heading(sheet, data, period, generated, title, len(header))
    end = _block(sheet, 3, None, header, rows, bold_last_row=bold_last_row)
    if note:
        end = _note(sheet, end + 1, note)
    return end


def _note(sheet, row: int, text: str) -> int:
    """A 注 line below a table, merged across the sheet's width (its height fitted by `_page_setup`)."""
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=max(sheet.max_column, 2))
    _text(sheet.cell(row, 1), "注：" + text, _BODY, _LEFT)
    return row


def _page_setup(sheet, repeat_rows: str | None) -> None:
    """Print and screen setup, once the sheet is complete.

    The title rows and the header repeat on every printed page (and stay frozen on screen) only on a sheet that is
    one table (`repeat_rows`, e.g. "1:3"): over a sheet of several tables one table's header would stand above
    another's rows. Every row whose wrapped text needs more than one line gets the height for it, so that a
    caption or a note never runs over the next row in print; the footer numbers the pages (第 N 页 共 M 页)."""
    if repeat_rows:
        sheet.print_title_rows = repeat_rows
        sheet.freeze_panes = sheet.cell(int(repeat_rows.split(":")[1]) + 1, 2)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = PAGE_FOOTER
    _fit_heights(sheet)


PAGE_FOOTER = "第 &P 页 共 &N 页"
LINE_HEIGHT = 1.4  # points of row height per point of font size, for each line of wrapped text


def _fit_heights(sheet) -> None:
    """Row heights for wrapped text: openpyxl stores none, and neither Excel nor Calc fits a merged cell's row, so
    a caption, the 填报单位 line or a note longer than its cells would overprint the next row."""
    spans = {r.min_row * 100000 + r.min_col: (r.min_col, r.max_col) for r in sheet.merged_cells.ranges}
    needed: dict[int, float] = {}
    for row in sheet.iter_rows():
        for cell in row:
            if not isinstance(cell.value, str) or not (cell.alignment and cell.alignment.wrap_text):
                continue
            first, last = spans.get(cell.row * 100000 + cell.column, (cell.column, cell.column))
            lines = _wrapped_lines(cell.value, cell.font.sz or 11, _span_width(sheet, first, last))
            if lines > 1:  # a row of single lines keeps the default height
                needed[cell.row] = max(needed.get(cell.row, 0), lines * (cell.font.sz or 11) * LINE_HEIGHT + 4)
    for r, height in needed.items():
        current = sheet.row_dimensions[r].height
        if height > (current or 15):
            sheet.row_dimensions[r].height = round(height, 1)


def _span_width(sheet, first: int, last: int) -> float:
    return sum(sheet.column_dimensions[get_column_letter(c)].width or 8.43 for c in range(first, last + 1))


def _wrapped_lines(text: str, size: float, width: float) -> int:
    """How many lines `text` takes in cells `width` characters wide (Excel's unit, a Chinese character counting
    two at 11 points), at `size` points; a little is kept for the cell's margins."""
    room = max(width - 1, 1)
    return sum(max(1, math.ceil(_display_width(part) * size / 11 / room)) for part in text.split("\n"))


def _block(sheet, top: int, title: str | None, header: list, rows: list, *, bold_last_row: bool = False) -> int:
    """A bordered table at row `top` (with a bold caption above it when titled, merged across the sheet so that it
    stays on one line); returns its last row."""
    if title:
        sheet.merge_cells(start_row=top, start_column=1, end_row=top, end_column=max(len(header), sheet.max_column, 2))
        _text(sheet.cell(top, 1), title, _BOLD, _LEFT)
        top += 1
    for c, name in enumerate(header, start=1):
        cell = _text(sheet.cell(top, c), name, _BOLD, _CENTER)
        cell.fill, cell.border = _HEADER_FILL, _BORDER
    for r, row in enumerate(rows, start=top + 1):
        last = bold_last_row and r == top + len(rows)
        for c, (value, number_format) in enumerate(row, start=1):
            cell = sheet.cell(r, c)
            font = _BOLD if last else _BODY
            if isinstance(value, str) or value is None:
                _text(cell, value or "", font, _LEFT if c == 1 or number_format is None else _RIGHT)
            else:
                cell.value, cell.font, cell.alignment = value, font, _RIGHT
                cell.number_format = number_format or INTEGER
            cell.border = _BORDER
    _fit_widths(sheet, header, rows)
    return top + len(rows)


def _text(cell, text: str, font: Font, alignment: Alignment):
    """A text cell that stays text: openpyxl would store a string beginning with = as a formula."""
    cell.value = text
    cell.data_type = "s"
    cell.font, cell.alignment = font, alignment
    return cell


def _fit_widths(sheet, header: list, rows: list) -> None:
    """Column widths from the longest text, a Chinese character counting twice (as Excel draws it)."""
    for c in range(1, len(header) + 1):
        texts = [header[c - 1]] + [_shown(row[c - 1][0]) for row in rows if c - 1 < len(row)]
        width = min(60, max(8, max(_display_width(t) for t in texts) + 2))
        letter = get_column_letter(c)
        sheet.column_dimensions[letter].width = max(sheet.column_dimensions[letter].width or 0, width)


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{value:,}" if isinstance(value, (int, float)) else str(value)


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


def _number(value):
    """A value for a number cell: None for NA, an int where it is whole."""
    if value is None or pd.isna(value):
        return None
    value = round(float(value), 6)  # no float noise (4713.9 - 5210.3 = -496.400000000001)
    return int(value) if value.is_integer() else value


def _fractional(*values) -> bool:
    return any(v is not None and not pd.isna(v) and not float(v).is_integer() for v in values)


def _sheet_name(name: str, book: Workbook) -> str:
    """A valid sheet name (31 characters, none of []:*?/\\), unique in the book."""
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:31] or "台账"
    taken, candidate, n = set(book.sheetnames), clean, 2
    while candidate in taken:
        candidate, n = f"{clean[:28]}({n})", n + 1
    return candidate

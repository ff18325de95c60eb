"""The Excel 报表 superiors ask for: the briefing's figures as a formatted workbook (统计报表.xlsx).

Sheets: 主要指标 (each indicator this period, the same period last year, the change, 同比, the report's phrase);
one sheet per ledger with data (its main indicator by sub-district × month with totals, and by its main category);
数据说明 (sources, rows kept and rejected, definitions). Formatted as an office would: a merged title row, a line
填报单位 / 统计期间 / 生成日期, bold bordered headers, number formats, column widths that fit Chinese text, frozen
header rows, A4 landscape fitted to one page wide with the header rows repeated on every printed page.

Every text that came from a ledger or a file name is written as text: a value beginning with = + - @ never
becomes a formula. The same data give the same bytes (analysis.xlsx fixes the zip and document times).
"""
from __future__ import annotations

import datetime as dt
import unicodedata

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from analysis.ingest.spec import load_spec
from analysis.report import metrics
from analysis.report.data import Data, covered_catalogue, ledgers_with_data, main_indicator, yoy
from analysis.report.number_words import round_half_up
from analysis.report.pages.briefing import unnamed_notes
from analysis.report.periods import Period, format_date, generation_date
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


def workbook_bytes(data: Data, period: Period, generated: dt.date | None = None) -> bytes:
    """The 报表 of `period` as .xlsx bytes."""
    generated = generated or generation_date()
    book = Workbook()
    book.remove(book.active)
    _indicators_sheet(book, data, period, generated)
    for ledger in ledgers_with_data(data, period):
        _ledger_sheet(book, data, period, ledger, generated)
    _notes_sheet(book, data, period, generated)
    props = book.properties
    props.creator = props.lastModifiedBy = UNIT
    props.title = f"{period.report_label}城市管理执法统计报表"
    return reproducible_xlsx(book, dt.datetime.combine(generated, dt.time(9)))


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
        note = {"no_previous": "上年无数据", "zero_base": "上年为0"}.get(f["direction"])
        rows.append([(f["label"], None), (f["unit"], None), (_number(f["value"]), number),
                     (_number(f["previous"]), number), (_number(f["change"]), number),
                     (note or pct, None if note else PERCENT), (f"{f['figure']}{f['unit']}", None)])
    _table(sheet, data, period, generated, f"{period.report_label}城市管理执法主要指标", header, rows)


UNASSIGNED = "（未填街道）"


def _ledger_sheet(book: Workbook, data: Data, period: Period, ledger: str, generated: dt.date) -> None:
    spec = load_spec(ledger)
    sheet = book.create_sheet(_sheet_name(spec.topic, book))
    if spec.period_column.type != "date" or "subdistrict" not in data.tables[ledger].columns:
        _indicator_rows(sheet, data, period, ledger, generated)  # no sub-district by month to show
        return
    ind = main_indicator(data, ledger)
    number = DECIMAL if ind["unit"] == "平方米" else INTEGER
    catalogue = data.catalogue
    by_sub = metrics.breakdown(data.tables, ind.name, period, "subdistrict", catalogue=catalogue)
    months = list(period.months)
    per_month = {m: metrics.breakdown(data.tables, ind.name, Period(period.year, m, m), "subdistrict",
                                      catalogue=catalogue) for m in months}
    month_totals = {m: metrics.indicator_values(data.tables, Period(period.year, m, m), catalogue.loc[[ind.name]])
                    .loc[ind.name, "value"] for m in months}
    total = metrics.indicator_values(data.tables, period, catalogue.loc[[ind.name]]).loc[ind.name, "value"]
    header = ["街道", *(f"{m}月" for m in months), "合计"]
    rows = [[(sub, None), *((_number(per_month[m][sub]), number) for m in months), (_number(by_sub[sub]), number)]
            for sub in by_sub.index]
    if not ind["measure"].startswith("nunique") and total - by_sub.sum() != 0:
        # Rows whose sub-district was left blank (optional in this ledger) still count in the total: show them.
        rows.append([(UNASSIGNED, None), *((_number(month_totals[m] - per_month[m].sum()), number) for m in months),
                     (_number(total - by_sub.sum()), number)])
    rows.append([("合计", None), *((_number(month_totals[m]), number) for m in months), (_number(total), number)])
    title = f"{ind['label']}（{ind['unit']}）：{period.label}分街道分月"
    note = "合计按全部记录计算：同一单位在不同月份或街道出现时只计一次，故合计可能小于各项之和。" \
        if ind["measure"].startswith("nunique") else ""
    end = _table(sheet, data, period, generated, title, header, rows, bold_last_row=True, note=note)
    category = next((b for b in ind["breakdowns"].split() if b not in ("month", "subdistrict")), None)
    if category is not None:
        values = metrics.breakdown(data.tables, ind.name, period, category, catalogue=catalogue)
        label = spec.column(category).label
        rows = [[(str(level), None), (_number(v), number)] for level, v in values.items()]
        rows.append([("合计", None), (_number(total), number)])
        _block(sheet, end + 2, f"{ind['label']}（{ind['unit']}）：{period.label}按{label}", [label, period.label], rows,
               bold_last_row=True)


def _indicator_rows(sheet, data: Data, period: Period, ledger: str, generated: dt.date) -> None:
    """A ledger with no sub-district by month (one filled once a year): its indicators, this period and last."""
    figures = yoy(data, period)
    figures = figures[figures["ledger"] == ledger]
    rows = [[(f["label"], None), (f["unit"], None), (_number(f["value"]), _format(f)), (_number(f["previous"]), _format(f))]
            for _, f in figures.iterrows()]
    header = ["项目", "单位", period.label, period.same_last_year.label]
    _table(sheet, data, period, generated, f"{load_spec(ledger).label}：{period.label}", header, rows)


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
    caveats = unnamed_notes(data, period)
    if caveats:
        end = _block(sheet, end + 2, "需要说明", ["说明"], [[(text, None)] for text in caveats])
    files = [[(f.file, None), (_STATUS.get(f.status, f.status), None), (f.reason or "", None)]
             for f in data.manifest.files]
    if files:
        _block(sheet, end + 2, "读取的文件", ["文件", "状态", "说明"], files)


_STATUS = {"ok": "已读取", "partial": "部分读取", "failed": "读取失败", "duplicate": "重复（只计一次）"}


# ---------------------------------------------------------------- layout

def _table(sheet, data: Data, period: Period, generated: dt.date, title: str, header: list, rows: list, *,
           bold_last_row: bool = False, note: str = "") -> int:
    """A sheet's title, its 填报单位 line and its main table; the header rows repeat on every printed page.
    Returns the last row used."""
    width = len(header)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(width, 2))
    _text(sheet.cell(1, 1), title, _TITLE, _CENTER)
    sheet.row_dimensions[1].height = 30
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=max(width, 2))
    line = f"填报单位：{UNIT}　　统计期间：{period.label}　　生成日期：{format_date(generated)}"
    _text(sheet.cell(2, 1), line + ("　　（示例数据）" if data.synthetic else ""), _BODY, _LEFT)
    end = _block(sheet, 3, None, header, rows, bold_last_row=bold_last_row)
    sheet.freeze_panes = sheet.cell(4, 2)
    sheet.print_title_rows = "1:3"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    if note:
        end += 1
        sheet.merge_cells(start_row=end, start_column=1, end_row=end, end_column=max(width, 2))
        _text(sheet.cell(end, 1), "注：" + note, _BODY, _LEFT)
    return end


def _block(sheet, top: int, title: str | None, header: list, rows: list, *, bold_last_row: bool = False) -> int:
    """A bordered table at row `top` (with a bold caption above it when titled); returns its last row."""
    if title:
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

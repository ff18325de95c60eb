"""The report in Word: a 公文 draft of the period's statistics that the analyst edits instead of retyping.

What it says (`draft_content`, facts before layout): the title and the issuing unit with the date; 一、总体情况 (the
report paragraph and the briefing's 要点); 二、分领域情况 (one （一）（二）… subsection per area, the briefing's area
paragraphs); 三、主要指标 (the briefing's indicator table, with the 报表's 增减); 附：数据说明 (sources, rows kept
and rejected, what the period covers and what is incomplete, synthetic data). Every figure and sentence is made by
the functions the briefing and the 报表 call (narrative.py, pages/briefing.py, data.py); only the headings and the
data note's connecting words are the draft's own (templates/draft/draft.txt.j2).

How it looks (`draft_bytes`) follows GB/T 9704-2012《党政机关公文格式》:
  - A4 (210 mm × 297 mm); 天头 (top) 37 mm, 订口 (left) 28 mm, 版心 156 mm × 225 mm, hence bottom 35 mm and
    right 26 mm (§5.2.1);
  - 3号 (16 pt) 仿宋 for the body (§5.2.2), 22 lines of 28 characters filling the 版心 (§5.2.3): lines of
    225 mm / 22 = 28.99 pt, written as fixed line spacing of 28.95 pt (579 twips, also the line grid's pitch:
    29 pt × 22 would not fit in 225 mm); characters of 156 mm / 28 = 15.79 pt, a 16 pt character condensed by
    0.25 pt (Normal's character spacing, inherited). Word's character grid (docGrid linesAndChars, charSpace)
    would say the same to Word and WPS, but LibreOffice gives every 16 pt character two cells of a 15.79 pt grid
    (14 characters a line), so the draft uses a line grid and the spacing, which all three lay out alike;
  - the title in 2号 (22 pt) 小标宋 (方正小标宋简体), centred (§7.3.1); each paragraph indented two characters
    (§7.3.3), 一、 headings in 黑体 and （一） headings in 楷体 (§7.3.3), all 3号;
  - page numbers in 4号 (14 pt) half-width 宋体 Arabic numerals with an 一字线 on either side (— 1 —), below the
    版心, odd pages right and even pages left, one character in from the edge (§7.5; the number's line 7 mm below
    the 版心: footer distance 35 − 7 − 14 pt / 2 ≈ 25.5 mm).
The title, the table and the footer are off the line grid (their text is not 16 pt); the table is in 小四
(12 pt), its units in a column of their own as on the 报表.

Fonts are named, not embedded, with the East Asian slot set (w:rFonts w:eastAsia: python-docx's `font.name` sets
only ascii/hAnsi, and Word and WPS draw Chinese text from eastAsia) and theme fonts removed (a theme attribute
overrides the named font). Fallbacks where the GB2312 fonts are missing: each font's entry in the font table
(word/fontTable.xml) names its alternate in w:altName (ECMA-376 §17.8.3.1), with the GB2312 character set and
family, which Word uses to pick a substitute: 仿宋_GB2312 → 仿宋/FangSong, 楷体_GB2312 → 楷体/KaiTi, 黑体 →
SimHei, 方正小标宋简体 → 宋体/SimSun. LibreOffice ignores w:altName (writerfilter's FontTable.cxx skips it) and
substitutes through its own table and fontconfig: there, install the fonts or set a replacement (工具 > 选项 >
LibreOffice > 字体).

Styles are named (Title, Subtitle, Heading 1, Heading 2, Normal, Footer, Table Grid, and 表格文字 / 表格表头 for
the table's cells), so that an office template restyles them. With `template` (the office's .docx), the draft starts
from it as pandoc's reference-doc does: its body is cleared, its styles, page setup, header and footer are kept, and
only styles it lacks are defined here.

The same data and date give the same bytes: every zip entry and the document's times carry the generation date.
"""
from __future__ import annotations

import datetime as dt
import io
import math
import unicodedata
import zipfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import jinja2
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from lxml import etree

from analysis.paths import TEMPLATES_DIR
from analysis.report import metrics, narrative
from analysis.report.data import Data, covered_catalogue, month_before, yoy
from analysis.report.number_words import plain_number, signed_number
from analysis.report.pages.briefing import (
    DEMO_SUFFIX,
    change,
    comparison_line,
    missing_ledgers_note,
    unnamed_notes,
)
from analysis.report.periods import Period, format_date, generation_date
from analysis.report.source_checks import gap_texts
from analysis.report.workbook import UNIT

# ---------------------------------------------------------------- GB/T 9704-2012 figures

PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
TOP, BOTTOM, LEFT, RIGHT = Mm(37), Mm(35), Mm(28), Mm(26)  # 版心 156 mm × 225 mm
CHARACTERS = 28  # a line; 22 lines a page follow from LINE_PITCH
BODY_SIZE = Pt(16)  # 3号
TITLE_SIZE = Pt(22)  # 2号
PAGE_NUMBER_SIZE = Pt(14)  # 4号
TABLE_SIZE = Pt(12)  # 小四: the standard leaves tables' size open; 8 columns (a month's) fit 156 mm at it
CELL_MARGIN = Mm(1)  # left and right of a table cell's text
LABEL_CHARACTERS = 8  # a longer indicator label wraps
LINE_PITCH = Pt(28.95)  # 225 mm / 22 = 28.99 pt, rounded down so that 22 lines fit
FOOTER_DISTANCE = Mm(25.5)  # the page number's line centred 7 mm below the 版心
INDENT_CHARACTERS = 2

FANGSONG, KAITI, HEITI, XIAOBIAOSONG, SONGTI = "仿宋_GB2312", "楷体_GB2312", "黑体", "方正小标宋简体", "宋体"
# Each font's alternates (w:altName), where the office machine lacks it.
FALLBACKS = {FANGSONG: "仿宋,FangSong", KAITI: "楷体,KaiTi", HEITI: "SimHei", XIAOBIAOSONG: "宋体,SimSun",
             SONGTI: "SimSun"}

TITLE, SUBTITLE, HEADING_1, HEADING_2, NORMAL, FOOTER = "Title", "Subtitle", "Heading 1", "Heading 2", "Normal", "Footer"
TABLE_TEXT, TABLE_HEADER, TABLE_STYLE = "表格文字", "表格表头", "Table Grid"


@dataclass(frozen=True)
class StyleSpec:
    """A paragraph style as the standard sets it."""

    font: str
    size: Pt = BODY_SIZE
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.JUSTIFY
    indent: bool = True  # first line two characters in
    line: Pt | None = LINE_PITCH  # exact line spacing; None: single
    grid: bool = True  # snapped to the line grid (text of the body's size only)
    space_after: Pt = Pt(0)
    keep_next: bool = False
    outline: int | None = None
    base: str | None = NORMAL


STYLES = {
    NORMAL: StyleSpec(FANGSONG, base=None),
    TITLE: StyleSpec(XIAOBIAOSONG, TITLE_SIZE, WD_ALIGN_PARAGRAPH.CENTER, indent=False, grid=False, keep_next=True),
    SUBTITLE: StyleSpec(KAITI, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, space_after=LINE_PITCH, keep_next=True),
    HEADING_1: StyleSpec(HEITI, keep_next=True, outline=0),
    HEADING_2: StyleSpec(KAITI, keep_next=True, outline=1),
    FOOTER: StyleSpec(SONGTI, PAGE_NUMBER_SIZE, WD_ALIGN_PARAGRAPH.RIGHT, indent=False, line=PAGE_NUMBER_SIZE,
                      grid=False),
    TABLE_TEXT: StyleSpec(FANGSONG, TABLE_SIZE, WD_ALIGN_PARAGRAPH.CENTER, indent=False, line=None, grid=False),
    TABLE_HEADER: StyleSpec(HEITI, TABLE_SIZE, WD_ALIGN_PARAGRAPH.CENTER, indent=False, line=None, grid=False,
                            base=TABLE_TEXT),
}

CHINESE_DIGITS = "零一二三四五六七八九"


# ---------------------------------------------------------------- what the draft says

@dataclass(frozen=True)
class Table:
    headings: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class Draft:
    """The draft's text, in order: made from the briefing's and the 报表's own functions (`draft_content`)."""

    title: str
    byline: str
    overview: list[str]
    areas: list[tuple[str, str]]  # (（一）市容秩序, the briefing's paragraph)
    table: Table
    notes: list[str]
    headings: dict = field(default_factory=dict)  # overview, areas, table, notes
    no_areas: str = ""  # 二、 when no area has figures


@cache
def _words():
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR / "draft")),
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return env.get_template("draft.txt.j2").module


def words(name: str, /, **values) -> str:
    """The macro `name` of templates/draft/draft.txt.j2, given `values`."""
    return str(getattr(_words(), name)(**values)).strip()


def draft_title(period: Period) -> str:
    """解放区城市管理局2024年第二季度城市管理执法统计情况 (2023年度 for a year)."""
    return words("title", unit=UNIT, period=period)


def draft_name(period: Period) -> str:
    """The draft's file name: 解放区城市管理局2024年第二季度城市管理执法统计情况.docx."""
    return draft_title(period) + ".docx"


def numeral(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 20 -> 二十, 23 -> 二十三 (1..99), as （一）（二）… number subsections."""
    if not 1 <= n <= 99:
        raise ValueError(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else CHINESE_DIGITS[tens] + "十")
    return head + (CHINESE_DIGITS[ones] if ones else "")


def overview(data: Data, period: Period) -> list[str]:
    """一、总体情况: the report's paragraph of the period's figures (narrative.report_paragraph, as on the 报告用语
    page), then the briefing's 要点 (narrative.highlights: the changes against the same period last year, and
    against the month before for a month), each as a paragraph."""
    figures = yoy(data, period)
    paragraph = narrative.report_paragraph(figures, period)
    if not paragraph and not figures.empty:  # no indicator has a report phrase: each as its sentence
        paragraph = "".join(narrative.indicator_sentences(figures, period))
    points = "".join(narrative.highlights(data.tables, period, covered_catalogue(data, period)))
    return [text for text in (paragraph, points) if text] or [words("no_data", period=period)]


def area_paragraphs(data: Data, period: Period) -> list[tuple[str, str]]:
    """二、分领域情况: (area, paragraph) as the briefing's area summary writes them."""
    return narrative.area_paragraphs(data.tables, period, covered_catalogue(data, period))


def headline_table(data: Data, period: Period) -> Table:
    """三、主要指标: the briefing's indicator table (pages.briefing.headline_table: its values, written by
    plain_number, and its change texts, 环比 for a month) with the 报表's 单位 and 增减 (data.yoy's change). The
    unit stands in a column of its own, as on the 报表, so that the figures fit the 版心: a value and its unit
    together are the briefing's cell."""
    figures = yoy(data, period)
    monthly = month_before(data, period)
    headings = [words("label_heading"), words("unit_heading"), period.label, period.same_last_year.label,
                words("change_heading"), words("year_heading")]
    if monthly is not None:
        headings += [period.previous.label, words("month_heading")]
    rows = []
    for key, row in figures.iterrows():
        cells = [row["label"], row["unit"], plain_number(row["value"]), plain_number(row["previous"]),
                 signed_number(row["change"]), change(row, period)["text"]]
        if monthly is not None:
            before = monthly.loc[key]
            cells += [plain_number(before["previous"]), change(before, period, "month")["text"]]
        rows.append(cells)
    return Table(headings, rows)


def data_notes(data: Data, period: Period) -> list[str]:
    """附：数据说明: synthetic data, the period and its comparisons, the sources with rows kept and rejected, what is
    incomplete (pages.briefing.missing_ledgers_note, unnamed_notes; source_checks' gaps), rejected rows."""
    notes = [words("synthetic")] if data.synthetic else []
    notes += [comparison_line(period) + "。", words("sources")]
    for ledger, s in data.manifest.ledgers.items():
        if s.files:  # a ledger without any file: said by missing_ledgers_note
            in_period = int(metrics.in_period(data.tables[ledger], period).sum())
            notes.append(words("ledger_line", label=s.label, files=s.files, sheets=s.sheets, kept=s.rows_kept,
                               rejected=s.rows_rejected, in_period=in_period, period=period))
    if missing := missing_ledgers_note(data, period):
        notes.append(missing)
    notes += unnamed_notes(data, period)
    if gaps := gap_texts(data.checks.gaps_in(period)):
        notes.append(words("gaps", period=period, texts=gaps))
    notes.append(words("rejected", rows=data.manifest.rows_rejected, failed=len(data.manifest.failed_files)))
    notes.append(words("rounding"))
    return notes


def draft_content(data: Data, period: Period, generated: dt.date | None = None) -> Draft:
    """What the draft of `period` says, in order."""
    generated = generated or generation_date()
    title = draft_title(period) + (DEMO_SUFFIX if data.synthetic else "")
    areas = [(words("area_heading", numeral=numeral(i), area=area), text)
             for i, (area, text) in enumerate(area_paragraphs(data, period), start=1)]
    return Draft(
        title=title,
        byline=words("byline", unit=UNIT, date=format_date(generated)),
        overview=overview(data, period),
        areas=areas,
        table=headline_table(data, period),
        notes=data_notes(data, period),
        headings={part: words(f"{part}_heading") for part in ("overview", "areas", "table", "notes")},
        no_areas="" if areas else words("no_areas", period=period),
    )


# ---------------------------------------------------------------- how it looks

def draft_bytes(data: Data, period: Period, template: str | Path | None = None,
                generated: dt.date | None = None) -> bytes:
    """The draft of `period` as .docx bytes; with `template` (the office's .docx), in its styles, page setup,
    header and footer."""
    generated = generated or generation_date()
    content = draft_content(data, period, generated)
    own = template is None
    document = Document() if own else _template(Path(template))
    if own:
        _drop_thumbnail(document)  # python-docx's default template carries a picture of another document
        _page_setup(document)
    else:
        document.element.body.clear_content()  # the template's text goes; its final section (page, header) stays
    _styles(document, own)
    _write(document, content)
    _properties(document, content.title, generated)
    buffer = io.BytesIO()
    document.save(buffer)
    return _finished(buffer.getvalue(), generated)


class TemplateError(ValueError):
    """The office's Word template cannot be used; the message (Chinese) says why and what to do."""


def check_template(path: Path) -> None:
    """Raises TemplateError when `path` is not a Word document the draft can start from: said before any page is
    built, not after."""
    _template(path)


def _template(path: Path):
    """The office's template, opened; TemplateError in Chinese when it is not a Word document python-docx can open (a
    .dotx, a .doc, a damaged file)."""
    try:
        return Document(str(path))
    except (PackageNotFoundError, ValueError, KeyError, zipfile.BadZipFile, OSError) as exc:
        raise TemplateError(f"Word 模板“{path}”无法打开：模板须是 Word 的 .docx 文档"
                            "（.dotx、.doc 模板请在 Word 或 WPS 中另存为 .docx）") from exc


def _write(document, content: Draft) -> None:
    document.add_paragraph(content.title, style=TITLE)
    document.add_paragraph(content.byline, style=SUBTITLE)
    document.add_paragraph(content.headings["overview"], style=HEADING_1)
    for text in content.overview:
        document.add_paragraph(text, style=NORMAL)
    document.add_paragraph(content.headings["areas"], style=HEADING_1)
    for heading, text in content.areas:
        document.add_paragraph(heading, style=HEADING_2)
        document.add_paragraph(text, style=NORMAL)
    if content.no_areas:
        document.add_paragraph(content.no_areas, style=NORMAL)
    document.add_paragraph(content.headings["table"], style=HEADING_1)
    _table(document, content.table)
    document.add_paragraph(content.headings["notes"], style=HEADING_1)
    for text in content.notes:
        document.add_paragraph(text, style=NORMAL)


def _table(document, table: Table) -> None:
    """The indicator table across the 版心: a header row repeated on every page, rows that do not break across
    pages, columns as wide as their texts (`column_widths`)."""
    grid = document.add_table(rows=1 + len(table.rows), cols=len(table.headings))
    grid.style = document.styles[TABLE_STYLE]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    margins = OxmlElement("w:tblCellMar")  # narrow cell margins: eight columns in 156 mm
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(int(CELL_MARGIN.twips)))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    grid._tbl.tblPr.append(margins)
    widths = column_widths(table)
    for column, width in zip(grid.columns, widths):
        column.width = width  # w:gridCol, which LibreOffice reads
    for r, cells in enumerate([table.headings, *table.rows]):
        row = grid.rows[r]
        properties = row._tr.get_or_add_trPr()
        properties.append(OxmlElement("w:cantSplit"))
        if r == 0:
            properties.append(OxmlElement("w:tblHeader"))
        for c, text in enumerate(cells):
            cell = row.cells[c]
            cell.width = widths[c]  # w:tcW, which Word reads
            paragraph = cell.paragraphs[0]
            paragraph.style = document.styles[TABLE_HEADER if r == 0 else TABLE_TEXT]
            paragraph.add_run(text)


def _text_width(text: str) -> float:
    """A text's width in characters of the table's size: a Chinese (wide, full-width or ambiguous: ▲) character
    one, any other (digits, signs) 0.6, the widest half-width glyphs of the usual fonts."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WFA" else 0.6 for ch in text)


def column_widths(table: Table) -> list[int]:
    """Each column as wide as its longest cell (headings may wrap: at least 3.5 characters, 2023年 on a line), the
    label column at most LABEL_CHARACTERS wide; then shrunk, label column first, or widened in proportion to fill
    the 版心's 156 mm."""
    available = PAGE_WIDTH - LEFT - RIGHT
    padding = 2 * CELL_MARGIN + Pt(4)
    characters = [max([3.5, *(_text_width(row[c]) for row in table.rows)]) for c in range(len(table.headings))]
    characters[0] = min(characters[0], LABEL_CHARACTERS)
    natural = [int(n * TABLE_SIZE) + padding for n in characters]
    excess = sum(natural) - available
    if excess > 0:  # the labels wrap first, down to four characters
        natural[0] = max(int(4 * TABLE_SIZE) + padding, natural[0] - excess)
    scale = available / sum(natural)
    widths = [int(w * scale) for w in natural]
    widths[-1] += available - sum(widths)
    return widths


# ---------------------------------------------------------------- page and styles

def _page_setup(document) -> None:
    """A4, the standard's margins and grid, page numbers — 1 — at the foot, odd pages right, even pages left."""
    section = document.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = TOP, BOTTOM
    section.left_margin, section.right_margin = LEFT, RIGHT
    section.footer_distance = FOOTER_DISTANCE
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.attrib.pop(qn("w:charSpace"), None)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(int(LINE_PITCH.twips)))
    document.settings.odd_and_even_pages_header_footer = True
    for footer, align, side in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right_indent"),
                                (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left_indent")):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        paragraph.style = document.styles[FOOTER]
        paragraph.alignment = align
        setattr(paragraph.paragraph_format, side, PAGE_NUMBER_SIZE)  # 空一字
        _page_number(paragraph)


def character_spacing() -> int:
    """The body's character spacing in twentieths of a point (w:spacing, negative: condensed) that puts CHARACTERS
    characters of BODY_SIZE on a line of the 版心 (156 mm / 28 = 15.79 pt a character, 16 pt wide), rounded
    down so that the 28th still fits and a 29th does not: -5 (-0.25 pt)."""
    pitch = (PAGE_WIDTH - LEFT - RIGHT) / CHARACTERS  # EMU
    return math.floor((pitch - BODY_SIZE) / Pt(1) * 20)


def _page_number(paragraph) -> None:
    """— 1 —: the PAGE field between two 一字线."""
    paragraph.add_run("— ")
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        run = paragraph.add_run()
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == " PAGE ":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        else:
            run.text = text
            continue
        run._r.append(element)
    paragraph.add_run(" —")


def _styles(document, own: bool) -> None:
    """Our styles: every one when the document is ours, else those the template lacks."""
    styles = document.styles
    names = {style.name for style in styles}
    if own:
        _document_defaults(document)
    for name, spec in STYLES.items():
        if name in names and not own:
            continue
        style = styles[name] if name in names else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        _apply(style, spec, styles)
    if TABLE_STYLE not in names:
        _table_style(styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.TABLE))


def _document_defaults(document) -> None:
    """Text without a style of its own: 仿宋 3号, Chinese (w:lang eastAsia)."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    properties = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(properties, FANGSONG)
    for tag in ("w:sz", "w:szCs"):
        element = properties.find(qn(tag))
        if element is not None:
            element.set(qn("w:val"), str(int(BODY_SIZE.pt * 2)))
    lang = properties.find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    if spacing is not None:
        spacing.getparent().remove(spacing)


def _apply(style, spec: StyleSpec, styles) -> None:
    for tag in ("w:pPr", "w:rPr"):  # python-docx's defaults (colours, borders, theme fonts, spacing) go
        for element in style.element.findall(qn(tag)):
            style.element.remove(element)
    if spec.base:
        style.base_style = styles[spec.base]
    style.quick_style = True
    font = style.font
    font.size, font.bold, font.italic = spec.size, False, False
    _fonts(style.element.get_or_add_rPr(), spec.font)
    if spec.base is None:  # Normal: 28 characters a line, inherited by every style based on it
        spacing = OxmlElement("w:spacing")
        spacing.set(qn("w:val"), str(character_spacing()))
        _insert(style.element.rPr, spacing, before=("w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight",
                                                     "w:u", "w:lang"))
    form = style.paragraph_format
    form.alignment = spec.align
    form.space_before, form.space_after = Pt(0), spec.space_after
    if spec.line is None:
        form.line_spacing_rule = WD_LINE_SPACING.SINGLE
    else:
        form.line_spacing_rule, form.line_spacing = WD_LINE_SPACING.EXACTLY, spec.line
    form.first_line_indent = spec.size * INDENT_CHARACTERS if spec.indent else Pt(0)
    form.left_indent = form.right_indent = Pt(0)
    indent = style.element.pPr.find(qn("w:ind"))
    indent.set(qn("w:firstLineChars"), str(INDENT_CHARACTERS * 100) if spec.indent else "0")
    form.keep_with_next = spec.keep_next
    form.widow_control = False  # lines fill every page (撑满版心)
    properties = style.element.pPr
    if not spec.grid:
        snap = OxmlElement("w:snapToGrid")
        snap.set(qn("w:val"), "0")
        _insert(properties, snap, before=("w:spacing", "w:ind", "w:jc"))
    if spec.outline is not None:
        level = OxmlElement("w:outlineLvl")
        level.set(qn("w:val"), str(spec.outline))
        properties.append(level)


def _insert(parent, element, before: tuple[str, ...]) -> None:
    """Put `element` before the first child named in `before` (the schema's order), else last."""
    for child in parent:
        if child.tag in {qn(tag) for tag in before}:
            child.addprevious(element)
            return
    parent.append(element)


def _fonts(properties, name: str) -> None:
    """Every slot of w:rFonts named `name` (eastAsia included: Word and WPS draw Chinese from it), theme fonts
    removed (they would win over the name)."""
    fonts = properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        properties.insert(0, fonts)
    for attribute in list(fonts.attrib):
        if attribute.endswith("Theme") or attribute.endswith("theme"):
            del fonts.attrib[attribute]
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), name)


def _table_style(style) -> None:
    """Table Grid, for a template without it: single black lines round every cell."""
    properties = style.element.find(qn("w:tblPr"))
    if properties is None:
        properties = OxmlElement("w:tblPr")
        style.element.append(properties)
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        line = OxmlElement(f"w:{side}")
        for key, value in (("val", "single"), ("sz", "4"), ("space", "0"), ("color", "000000")):
            line.set(qn(f"w:{key}"), value)
        borders.append(line)
    properties.append(borders)


def _drop_thumbnail(document) -> None:
    rels = document.part.package.rels
    for rid in [rid for rid, rel in rels.items() if rel.reltype == RT.THUMBNAIL]:
        rels.pop(rid)


def _properties(document, title: str, generated: dt.date) -> None:
    props = document.core_properties
    props.title, props.author, props.last_modified_by = title, UNIT, UNIT
    props.comments = props.subject = props.keywords = props.category = ""
    props.created = props.modified = dt.datetime.combine(generated, dt.time(9))
    props.revision = 1


# ---------------------------------------------------------------- the package

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _font_table(xml: bytes) -> bytes:
    """word/fontTable.xml with an entry for each of our fonts it lacks: its alternates (w:altName) and the GB2312
    character set (134 = 0x86), so that Word picks a Chinese substitute where the font is missing."""
    root = etree.fromstring(xml)
    present = {font.get(qn("w:name")) for font in root.findall(qn("w:font"))}
    for name, alternates in FALLBACKS.items():
        if name in present:
            continue
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        for tag, value in (("altName", alternates), ("charset", "86"),
                           ("family", "modern" if name == HEITI else "roman"), ("pitch", "variable")):
            etree.SubElement(font, qn(f"w:{tag}")).set(qn("w:val"), value)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _finished(package: bytes, generated: dt.date) -> bytes:
    """The saved package with our fonts in its font table and every entry at the generation date's time."""
    when = dt.datetime.combine(generated, dt.time(9)).timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        names = source.namelist()
        for name in names:
            data = source.read(name)
            if name == "word/fontTable.xml":
                data = _font_table(data)
            info = zipfile.ZipInfo(name, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            target.writestr(info, data)
    return out.getvalue()

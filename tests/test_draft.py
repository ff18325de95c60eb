"""The Word draft (analysis.report.draft): read back with python-docx, it is laid out as GB/T 9704-2012 says, says
what the briefing says (the same paragraphs, the same figures), keeps an office template's styles, header and
footer, and LibreOffice Writer turns it into a PDF holding every paragraph."""
from __future__ import annotations

import datetime as dt
import io
import os
import re
import subprocess
import zipfile

import lxml.html
import pandas as pd
import pytest
from conftest import find_soffice
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from test_briefing import REPORT_PHRASES, REPORT_WORDS
from test_coverage import ALL, SUBDISTRICTS, vending
from test_narrative import REPORT_2023

from analysis.ingest.records import LedgerRecord, Manifest
from analysis.paths import FONTS_DIR
from analysis.report import narrative, pages
from analysis.report.catalogue import load_catalogue
from analysis.report.data import Data, covered_catalogue, yoy
from analysis.report.draft import (
    FALLBACKS,
    column_widths,
    draft_bytes,
    draft_content,
    draft_name,
    headline_table,
    numeral,
)
from analysis.report.number_words import plain_number
from analysis.report.periods import Period, parse_period

GENERATED = dt.date(2024, 7, 15)


# ---------------------------------------------------------------- data

def _data(synthetic: bool = False, street_2023=ALL) -> Data:
    """Street vending and gas checks in 2022 and 2023 (street vending in `street_2023`'s months), every month: a
    small Data for the layout's tests."""
    dates = pd.Series(pd.to_datetime([f"{y}-{m:02d}-{d:02d}" for y in (2022, 2023) for m in ALL for d in (5, 20)]),
                      dtype="datetime64[ns]")
    n = len(dates)
    gas = pd.DataFrame({
        "date": dates, "year": dates.dt.year.astype("int64"), "month": dates.dt.month.astype("int64"),
        "subdistrict": pd.Categorical([SUBDISTRICTS[i % 3] for i in range(n)], categories=SUBDISTRICTS),
        "unit_name": [f"单位{i}" for i in range(n)],
        "unit_type": pd.Categorical(["餐饮", "大型商超"] * (n // 2), categories=["餐饮", "大型商超", "养老机构", "其他"]),
        "hazards_found": [i % 3 for i in range(n)], "hazards_rectified": [i % 2 for i in range(n)],
        "cylinders_seized": [i % 4 for i in range(n)], "illegal_den": [i % 17 == 0 for i in range(n)],
    })
    street = vending({2022: ALL, 2023: list(street_2023)})
    street.loc[street["year"] == 2023, "places"] = 12  # 2023 is 20% up
    for table, name in ((street, "三种经营.xlsx"), (gas, "燃气.xlsx")):  # every row knows where it came from
        table["source_file"], table["source_sheet"], table["source_row"] = name, "台账", range(2, len(table) + 2)
    ledgers = {"street_vending": LedgerRecord("三种经营整治台账", 12, 12, len(street), 3, 0, 0, "street_vending.parquet"),
               "gas_safety": LedgerRecord("燃气安全隐患排查整治台账", 24, 24, n, 1, 0, 0, "gas_safety.parquet")}
    manifest = Manifest(version="test", spec_fingerprint="", code_fingerprint="", synthetic=synthetic,
                        ledgers=ledgers, files=(), skipped=(), exit_code=0)
    return Data(folder=None, tables={"street_vending": street, "gas_safety": gas}, manifest=manifest,
                rejects=pd.DataFrame(), catalogue=load_catalogue())


@pytest.fixture(scope="module")
def small() -> Data:
    return _data()


@pytest.fixture(scope="module")
def small_docx(small):
    return Document(io.BytesIO(draft_bytes(small, Period(2023), generated=GENERATED)))


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Data:
    """The demo ledgers (2021—2023), cleaned once for the module."""
    from analysis.demo import write_demo
    from analysis.ingest.pipeline import clean

    root = tmp_path_factory.mktemp("draft-demo")
    write_demo(root / "raw")
    clean(root / "raw", root / "processed", echo=lambda *a, **k: None)
    return pages.load(root / "processed")


# ---------------------------------------------------------------- reading a draft back

def _parts(document) -> dict:
    """The draft's parts as a reader finds them: title, byline, each 一、 section's paragraphs (（一） subsections as
    (heading, paragraph)), the table's rows."""
    parts = {"title": [], "byline": [], "sections": {}, "areas": [], "table": []}
    section = None
    for item in document.iter_inner_content():
        if hasattr(item, "rows"):
            parts["table"] = [[cell.text for cell in row.cells] for row in item.rows]
            continue
        style = item.style.name
        if style == "Title":
            parts["title"].append(item.text)
        elif style == "Subtitle":
            parts["byline"].append(item.text)
        elif style == "Heading 1":
            section = item.text
            parts["sections"][section] = []
        elif style == "Heading 2":
            parts["areas"].append([item.text, None])
        elif parts["areas"] and parts["areas"][-1][1] is None and section == "二、分领域情况":
            parts["areas"][-1][1] = item.text
        else:
            parts["sections"][section].append(item.text)
    return parts


def _briefing_table(data: Data, period: Period) -> list[list[str]]:
    """The rows of the briefing's indicator table, read from its HTML."""
    table = lxml.html.fromstring(pages.headline_table(data, period).data)
    return [[cell.text_content() for cell in row.findall("td")] for row in table.iter("tr") if row.findall("td")]


def assert_agrees_with_briefing(document, data: Data, period: Period) -> None:
    """Every paragraph of 一、 and 二、 and every cell of 三、 is the briefing's."""
    parts = _parts(document)
    figures = yoy(data, period)
    covered = covered_catalogue(data, period)
    overview = parts["sections"]["一、总体情况"]
    assert overview[0] == narrative.report_paragraph(figures, period)
    assert overview[1] == "".join(narrative.highlights(data.tables, period, covered))
    areas = narrative.area_paragraphs(data.tables, period, covered)
    assert [text for _, text in parts["areas"]] == [text for _, text in areas]
    assert [heading for heading, _ in parts["areas"]] == [f"（{numeral(i)}）{area}"
                                                          for i, (area, _) in enumerate(areas, start=1)]
    head, *rows = parts["table"]
    briefing = _briefing_table(data, period)
    assert len(rows) == len(briefing) == len(figures)
    monthly = period.previous is not None
    assert head[:6] == ["指标", "单位", period.label, period.same_last_year.label, "增减", "同比"]
    assert head[6:] == ([period.previous.label, "环比"] if monthly else [])
    for row, shown, (_, figure) in zip(rows, briefing, figures.iterrows()):
        label, unit, value, previous, change, year, *month = row
        with_unit = [v if v == "—" else v + unit for v in (value, previous, *month[:1])]
        assert [label, *with_unit[:2], year] == shown[:4], label
        if monthly:
            assert [with_unit[2], month[1]] == shown[4:], label
        assert unit == figure["unit"]
        assert change == ("—" if pd.isna(figure["change"]) else
                          ("+" if figure["change"] > 0 else "") + plain_number(figure["change"])), label


def _text(document) -> str:
    return "".join(p.text for p in document.paragraphs) + "".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells)


# ---------------------------------------------------------------- names and titles

@pytest.mark.parametrize("key, title", [
    ("2023", "解放区城市管理局2023年度城市管理执法统计情况"),
    ("2024-Q2", "解放区城市管理局2024年第二季度城市管理执法统计情况"),
    ("2024-06", "解放区城市管理局2024年6月城市管理执法统计情况"),
    ("2024-01..2024-06", "解放区城市管理局2024年1—6月城市管理执法统计情况"),
])
def test_each_kind_of_period_has_the_briefings_title(key, title):
    assert draft_name(parse_period(key)) == title + ".docx"


def test_the_title_byline_and_headings_open_the_draft(small, small_docx):
    parts = _parts(small_docx)
    assert parts["title"] == ["解放区城市管理局2023年度城市管理执法统计情况"]
    assert parts["byline"] == ["解放区城市管理局　2024年7月15日"]
    assert list(parts["sections"]) == ["一、总体情况", "二、分领域情况", "三、主要指标", "附：数据说明"]
    assert small_docx.core_properties.title == parts["title"][0]
    assert small_docx.core_properties.author == "解放区城市管理局"


def test_synthetic_data_say_so_in_the_title_and_the_note():
    document = Document(io.BytesIO(draft_bytes(_data(synthetic=True), Period(2023), generated=GENERATED)))
    parts = _parts(document)
    assert parts["title"] == ["解放区城市管理局2023年度城市管理执法统计情况（示例数据）"]
    assert any("示例数据" in text and "合成" in text for text in parts["sections"]["附：数据说明"])


def test_subsections_are_numbered_as_official_documents_number_them():
    assert [numeral(n) for n in (1, 2, 9, 10, 11, 19, 20, 23)] == ["一", "二", "九", "十", "十一", "十九", "二十", "二十三"]


# ---------------------------------------------------------------- what it says

@pytest.mark.parametrize("key", ["2023", "2023-Q2", "2023-06", "2023-01..2023-09"])
def test_the_draft_says_what_the_briefing_says(small, key):
    period = parse_period(key)
    document = Document(io.BytesIO(draft_bytes(small, period, generated=GENERATED)))
    assert_agrees_with_briefing(document, small, period)


def test_the_data_note_names_sources_rows_and_what_is_incomplete():
    data, period = _data(street_2023=[1, 2, 3]), Period(2023, 1, 6, cumulative=True)
    notes = _parts(Document(io.BytesIO(draft_bytes(data, period, generated=GENERATED))))["sections"]["附：数据说明"]
    text = "".join(notes)
    assert "统计期间：2023年1—6月（与2022年1—6月同比）。" in notes
    assert "三种经营整治台账：文件12个、工作表12个，保留" in text and "剔除3行" in text
    assert "燃气安全隐患排查整治台账" in text and "剔除1行" in text
    missing = pages.missing_ledgers_note(data, period)  # what covers part of the period, as the briefing says it
    assert "三种经营整治台账仅有1—3月数据" in missing and missing in notes
    assert "示例数据" not in text


def test_the_table_fills_the_type_area_and_every_column_holds_its_longest_figure(small):
    table = headline_table(small, Period(2023, 6, 6))
    widths = column_widths(table)
    assert sum(widths) == Mm(156)
    assert len(widths) == 8 and min(widths[1:]) > Pt(12) * 3.5  # 2023年 on one line


# ---------------------------------------------------------------- how it looks (GB/T 9704-2012)

def _fonts(style) -> dict:
    fonts = style.element.rPr.find(qn("w:rFonts"))
    return {key.split("}")[1]: value for key, value in fonts.attrib.items()}


def test_page_lines_and_characters_follow_the_standard(small_docx):
    section = small_docx.sections[0]
    sizes = [section.page_width, section.page_height, section.top_margin, section.bottom_margin,
             section.left_margin, section.right_margin]
    assert [size.mm for size in sizes] == pytest.approx([210, 297, 37, 35, 28, 26], abs=0.05)
    normal = small_docx.styles["Normal"]
    form = normal.paragraph_format
    assert form.line_spacing_rule == WD_LINE_SPACING.EXACTLY and form.line_spacing == Pt(28.95)
    # 22 lines fill the 225 mm of the 版心 and a 23rd does not fit; so do 28 characters its 156 mm
    assert 22 * Pt(28.95) <= Mm(225) < 23 * Pt(28.95)
    spacing = int(normal.element.rPr.find(qn("w:spacing")).get(qn("w:val")))  # twentieths of a point
    pitch = Pt(16) + Pt(spacing / 20)
    assert 28 * pitch <= Mm(156) < 29 * pitch
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:linePitch")) == "579"


def test_body_title_and_headings_have_the_standards_fonts_and_sizes(small_docx):
    styles = small_docx.styles
    expected = {"Normal": ("仿宋_GB2312", 16), "Title": ("方正小标宋简体", 22), "Heading 1": ("黑体", 16),
                "Heading 2": ("楷体_GB2312", 16), "Subtitle": ("楷体_GB2312", 16), "Footer": ("宋体", 14)}
    for name, (font, size) in expected.items():
        style = styles[name]
        fonts = _fonts(style)
        assert fonts["eastAsia"] == fonts["ascii"] == fonts["hAnsi"] == font, name
        assert not [key for key in fonts if key.lower().endswith("theme")], name  # a theme font would win
        assert style.font.size == Pt(size) and not style.font.bold, name
        assert style.font.color.rgb is None, name  # black, not python-docx's blue headings
    assert styles["Title"].paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    normal = styles["Normal"].paragraph_format
    assert normal.first_line_indent == Pt(32) and normal.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert styles["Normal"].element.pPr.find(qn("w:ind")).get(qn("w:firstLineChars")) == "200"
    for name, level in (("Heading 1", "0"), ("Heading 2", "1")):
        assert styles[name].element.pPr.find(qn("w:outlineLvl")).get(qn("w:val")) == level
        assert styles[name].paragraph_format.first_line_indent == Pt(32)  # 一、 and （一） two characters in
    # the draft's paragraphs carry the styles, no formatting of their own
    used = [p.style.name for p in small_docx.paragraphs]
    assert used[:4] == ["Title", "Subtitle", "Heading 1", "Normal"] and "Heading 2" in used
    assert all(run.font.name is None and run.font.size is None for p in small_docx.paragraphs for run in p.runs)
    assert small_docx.tables[0].style.name == "Table Grid"
    assert {p.style.name for row in small_docx.tables[0].rows for cell in row.cells for p in cell.paragraphs} == {
        "表格文字", "表格表头"}


def test_page_numbers_sit_at_the_foot_odd_pages_right_even_pages_left(small_docx):
    section = small_docx.sections[0]
    assert small_docx.settings.odd_and_even_pages_header_footer
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        paragraph = footer.paragraphs[0]
        assert paragraph.alignment == align and paragraph.style.name == "Footer"
        xml = paragraph._p.xml
        assert "PAGE" in xml and paragraph.text == "— 1 —"
    assert section.footer.paragraphs[0].paragraph_format.right_indent == Pt(14)  # 空一字
    assert section.even_page_footer.paragraphs[0].paragraph_format.left_indent == Pt(14)


def test_fonts_are_named_with_their_fallbacks_not_embedded(small):
    package = zipfile.ZipFile(io.BytesIO(draft_bytes(small, Period(2023), generated=GENERATED)))
    table = package.read("word/fontTable.xml").decode("utf-8")
    for font, alternates in FALLBACKS.items():
        assert re.search(rf'<w:font w:name="{font}"><w:altName w:val="{alternates}"/><w:charset w:val="86"/>', table)
    assert alternates and not [name for name in package.namelist() if name.startswith("word/fonts/")]
    assert "docProps/thumbnail.jpeg" not in package.namelist()


def test_the_same_data_give_the_same_bytes(small):
    first = draft_bytes(small, Period(2023), generated=GENERATED)
    assert first == draft_bytes(small, Period(2023), generated=GENERATED)
    times = {info.date_time for info in zipfile.ZipFile(io.BytesIO(first)).infolist()}
    assert times == {(2024, 7, 15, 9, 0, 0)}


# ---------------------------------------------------------------- the office's template

def test_an_office_template_keeps_its_styles_header_and_footer(small, tmp_path):
    template = Document()
    normal = template.styles["Normal"]
    normal.font.size = Pt(12)
    normal.font.name = "Arial"
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "微软雅黑")
    template.styles["Heading 2"].delete()  # a template without it: the draft defines its own
    section = template.sections[0]
    section.left_margin = Mm(20)
    section.header.paragraphs[0].text = "某某局公文模板页眉"
    section.footer.paragraphs[0].text = "模板页脚"
    template.add_paragraph("模板里的示例正文，不应出现在稿件中。")
    path = tmp_path / "报告模板.docx"
    template.save(path)

    document = Document(io.BytesIO(draft_bytes(small, Period(2023), template=path, generated=GENERATED)))
    normal = document.styles["Normal"]
    assert normal.font.size == Pt(12) and _fonts(normal)["eastAsia"] == "微软雅黑"  # the template's, not 仿宋 3号
    assert _fonts(document.styles["Heading 2"])["eastAsia"] == "楷体_GB2312"  # missing there: ours
    section = document.sections[0]
    assert section.header.paragraphs[0].text == "某某局公文模板页眉"
    assert section.footer.paragraphs[0].text == "模板页脚"
    assert section.left_margin.mm == pytest.approx(20, abs=0.05)
    assert "示例正文" not in _text(document)
    assert_agrees_with_briefing(document, small, Period(2023))
    # without the template, the standard's
    own = Document(io.BytesIO(draft_bytes(small, Period(2023), generated=GENERATED)))
    assert own.styles["Normal"].font.size == Pt(16) and own.sections[0].left_margin.mm == pytest.approx(28, abs=0.05)


def test_a_template_that_is_not_a_word_document_is_said_in_chinese(small, tmp_path):
    path = tmp_path / "报告模板.docx"
    path.write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="Word 模板.*无法打开"):
        draft_bytes(small, Period(2023), template=path, generated=GENERATED)


# ---------------------------------------------------------------- the demo (slow: ledgers generated and cleaned)

@pytest.mark.slow
def test_the_demos_2023_draft_holds_every_figure_of_the_2023_report_in_its_words(demo):
    document = Document(io.BytesIO(draft_bytes(demo, Period(2023), generated=GENERATED)))
    text = _text(document)
    clauses = [c.removeprefix("2023年共") for c in re.split("[，。]", REPORT_2023) if c]
    missing = [words for words in [*REPORT_PHRASES, *REPORT_WORDS, *clauses] if words not in text]
    assert not missing, missing
    assert _parts(document)["title"] == ["解放区城市管理局2023年度城市管理执法统计情况（示例数据）"]


@pytest.mark.slow
@pytest.mark.parametrize("key", ["2023", "2023-Q2", "2023-06", "2023-01..2023-09"])
def test_the_demos_drafts_say_what_the_briefing_says(demo, key):
    period = parse_period(key)
    document = Document(io.BytesIO(draft_bytes(demo, period, generated=GENERATED)))
    assert_agrees_with_briefing(document, demo, period)
    assert _parts(document)["title"][0] == draft_name(period).removesuffix(".docx") + "（示例数据）"


@pytest.mark.slow
def test_libreoffice_writer_turns_the_draft_into_a_pdf_holding_every_paragraph(demo, tmp_path):
    from pypdf import PdfReader

    soffice = find_soffice()
    period = Period(2023, 6, 6)  # a month: the table has its 环比 columns
    path = tmp_path / draft_name(period)
    path.write_bytes(draft_bytes(demo, period, generated=GENERATED))
    # no Chinese font need be installed: fontconfig also finds the package's chart font
    config = tmp_path / "fonts.conf"
    config.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                      '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
                      f'<dir>{FONTS_DIR}</dir><cachedir>{tmp_path / "fc-cache"}</cachedir></fontconfig>',
                      encoding="utf-8")
    profile = (tmp_path / "profile").as_uri()
    proc = subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--convert-to",
                           "pdf", "--outdir", str(tmp_path / "pdf"), str(path)], capture_output=True, text=True,
                          timeout=180, env={**os.environ, "FONTCONFIG_FILE": str(config)})
    pdf = tmp_path / "pdf" / path.with_suffix(".pdf").name
    if not pdf.exists() and "could not be loaded" in proc.stdout + proc.stderr:
        reason = "LibreOffice 没有安装 Writer，无法打开 .docx；Debian/Ubuntu 上安装：apt-get install -y libreoffice-writer-nogui"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true 时 LibreOffice 测试必须运行：{reason}")
        pytest.skip(reason)
    assert proc.returncode == 0 and pdf.exists(), proc.stdout + proc.stderr
    reader = PdfReader(str(pdf))
    pages_text = [page.extract_text() for page in reader.pages]
    for number, text in enumerate(pages_text, start=1):  # — 1 —, — 2 —, … at the foot of every page
        assert re.search(rf"—\s*{number}\s*—\s*$", text.strip()), (number, text[-40:])
    # the pages' text without their numbers: a paragraph that runs onto the next page reads on
    squeezed = re.sub(r"\s+", "", "".join(re.sub(r"—\s*\d+\s*—\s*$", "", text.strip()) for text in pages_text))
    document = Document(io.BytesIO(path.read_bytes()))
    paragraphs = [p.text for p in document.paragraphs if p.text]
    cells = [cell.text for row in document.tables[0].rows for cell in row.cells]
    missing = [text for text in [*paragraphs, *cells] if re.sub(r"\s+", "", text) not in squeezed]
    assert not missing, missing
    assert len(paragraphs) > 20 and len(reader.pages) >= 3
    content = draft_content(demo, period, GENERATED)
    assert all(re.sub(r"\s+", "", text) in squeezed for text in content.overview + content.notes)

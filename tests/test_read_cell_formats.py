"""Cell number formats (analysis.ingest.read.number_formats): Sheet.formats names the number cells Excel shows as a
percentage or with a currency, in .xlsx and .xls workbooks; dates python-calamine does not recognise are converted;
what python-calamine itself does with each date format is pinned here, so that an upgrade that changes it is seen."""
from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
import python_calamine as calamine
from conftest import find_soffice
from openpyxl.styles.numbers import BUILTIN_FORMATS
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from analysis.ingest.read import ooxml, read_sheets
from analysis.ingest.read.number_formats import CURRENCY, DATE, PERCENT, calamine_sees_date, code_class

P, C = PERCENT, CURRENCY


def workbook(path: Path, cells: list[tuple], *, epoch=None, merges=()) -> Path:
    """One sheet "S": a header row, then one row per (value, number format) in column B, with row numbers in A."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    if epoch is not None:
        wb.epoch = epoch
    ws.append(["序号", "数量"])
    for i, (value, fmt) in enumerate(cells, 2):
        ws.cell(row=i, column=1, value=i - 1)
        cell = ws.cell(row=i, column=2, value=value)
        cell.number_format = fmt
    for rng in merges:
        ws.merge_cells(rng)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def with_styles(path: Path, edit) -> Path:
    """The workbook with its xl/styles.xml passed through edit(text) → text (for built-in ids openpyxl does not
    write, and for a default style that is not General)."""
    with zipfile.ZipFile(path) as zin:
        parts = [(info, zin.read(info)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in parts:
            zout.writestr(info, edit(data.decode()).encode() if info.filename == "xl/styles.xml" else data)
    return path


def as_builtin(path: Path, ids: dict[str, int]) -> Path:
    """Replace the custom formats whose codes are the keys of `ids` by the built-in ids, undeclared (as Excel and
    WPS write them)."""
    def edit(styles: str) -> str:
        for code, builtin in ids.items():
            m = re.search(r'<numFmt numFmtId="(\d+)" formatCode="' + re.escape(code) + '"', styles)
            styles = styles.replace(m.group(0), "<numFmt_removed")
            styles = styles.replace(f'<xf numFmtId="{m.group(1)}"', f'<xf numFmtId="{builtin}"')
        return re.sub(r"<numFmt_removed[^>]*>", "", styles)
    return with_styles(path, edit)


def only_sheet(path: Path):
    [sheet] = read_sheets(path)
    return sheet


# ---------------------------------------------------------------- percent and currency

def test_a_count_column_with_percent_and_currency_cells_among_plain_numbers(tmp_path):
    path = workbook(tmp_path / "台账.xlsx", [
        (1, "0%"), (3, "¥#,##0.00"), (5, '#,##0" 元"'), (0, "0"), (7, "#,##0"), (8, "General"), (9, "0.00"),
        ("10%", "0%"),  # text in a percent style: text is never recorded
        (0.5, "0.00%"), (2, "[$¥-804]#,##0"), (4, "[$-804]#,##0"), (6, "_ ¥* #,##0_ ;_ ¥* -#,##0_ ;_ ¥* \"-\"_ ;_ @_ "),
        (12, "_ * #,##0_ ;_ * -#,##0_ ;_ * \"-\"_ ;_ @_ "),
    ])
    sheet = only_sheet(path)
    assert sheet.rows[1][1] == 1 and sheet.rows[8][1] == "10%"
    assert sheet.formats == {(1, 1): P, (2, 1): C, (3, 1): C, (9, 1): P, (10, 1): C, (12, 1): C}
    assert sheet.read_as is None and sheet.vertical_merges == {}


def test_built_in_percent_and_currency_ids_are_known_without_a_declared_code(tmp_path):
    ids = [5, 6, 7, 8, 9, 10, 37, 38, 39, 40, 41, 42, 43, 44, 1, 2, 3, 4, 11, 12, 13, 48, 49]
    path = workbook(tmp_path / "内置.xlsx", [(3, BUILTIN_FORMATS[i]) for i in ids])
    with zipfile.ZipFile(path) as zf:
        styles = zf.read("xl/styles.xml").decode()
    assert '<xf numFmtId="9"' in styles and '<xf numFmtId="42"' in styles  # openpyxl wrote the ids, no codes
    sheet = only_sheet(path)
    expected = {5: C, 6: C, 7: C, 8: C, 9: P, 10: P, 42: C, 44: C}  # 37–41 and 43: thousands, no symbol
    assert sheet.formats == {(row, 1): expected[i] for row, i in enumerate(ids, 1) if i in expected}


@pytest.mark.parametrize("code, expected", [
    ("0%", P), ("0.00%", P), ("[Red]0%", P), ('0"%"', P), ("0\\%", P), ("#,##0.0%;-#,##0.0%", P),
    ("¥#,##0.00", C), ("\\¥#,##0.00", C), ("￥#,##0", C), ('"¥"#,##0', C), ('"$"#,##0_);("$"#,##0)', C),
    ("€#,##0", C), ("[$¥-804]#,##0.00", C), ("[$USD] #,##0", C), ('#,##0" 元"', C), ('0.00"万元"', C),
    ("#,##0元", C), ('_ ¥* #,##0.00_ ;_ ¥* -#,##0.00_ ;_ ¥* "-"??_ ;_ @_ ', C),
    ("General", None), ("0", None), ("0.00", None), ("#,##0", None), ("#,##0.00_);[Red](#,##0.00)", None),
    ("[$-804]#,##0", None), ("@", None), ("0.00E+00", None), ("# ?/?", None), ('0"人次"', None), ("G/通用格式", None),
    ('0;-0;0;"元"@', None),  # 元 only in the text section
    ('_ * #,##0_ ;_ * -#,##0_ ;_ * "-"_ ;_ @_ ', None), ("0_¥", None),  # _ and * take the next character as a width
    ("yyyy-mm-dd", None), ('yyyy"年"m"月"d"日"', None), ("[h]:mm", None),  # dates calamine reads itself
    ("aaaa", DATE), ("[$-804]aaaa;@", DATE), ("aaa", DATE), ('e"年"', DATE), ('ggge"年"', DATE), ("bbbb", DATE),
])
def test_the_class_of_a_format_code(code, expected):
    assert code_class(code) == expected


def test_an_ordinary_ledger_has_formats_known_and_empty_and_costs_no_scan(tmp_path, monkeypatch):
    """The hot path: no percent, currency or missed date style, so the sheet XML is not scanned for styles."""
    def no_scan(*_):
        raise AssertionError("sheets scanned for styles although no style needs it")

    monkeypatch.setattr(ooxml, "_scan_styles", no_scan)
    path = workbook(tmp_path / "普通.xlsx", [(dt.date(2023, 3, 5), "yyyy-mm-dd"), (2, "General"), (3, "0"),
                                            (4, "#,##0"), (dt.datetime(2023, 3, 5, 9, 30), "yyyy/m/d h:mm")])
    sheet = only_sheet(path)
    assert sheet.formats == {} and sheet.rows[1][1] == dt.date(2023, 3, 5)


def test_formats_are_unknown_for_text_and_html_tables():
    assert read_sheets(Path("a.csv"), "日期,数量\n2023-03-05,1\n".encode())[0].formats is None
    page = b"<table><tr><td>\xe6\x95\xb0\xe9\x87\x8f</td></tr><tr><td>50%</td></tr></table>"
    assert read_sheets(Path("a.xls"), page)[0].formats is None


def test_a_merged_percent_cell_gives_its_format_to_the_whole_range(tmp_path):
    path = workbook(tmp_path / "合并.xlsx", [(0.5, "0%"), (None, "General"), (None, "General"), (7, "0%"), (8, "0")],
                    merges=["B2:B4", "B5:B6"])
    sheet = only_sheet(path)
    assert [row[1] for row in sheet.rows[1:]] == [0.5, 0.5, 0.5, 7, 7]
    # B5 shows 7 as 700% over B5:B6
    assert sheet.formats == {(1, 1): P, (2, 1): P, (3, 1): P, (4, 1): P, (5, 1): P}
    assert sheet.vertical_merges == {1: [(1, 3), (4, 5)]}


def test_a_plain_cell_merged_under_a_percent_one_loses_the_hidden_cells_format(tmp_path):
    path = workbook(tmp_path / "合并2.xlsx", [(5, "0"), (0.5, "0%")], merges=["B2:B3"])
    sheet = only_sheet(path)
    assert [row[1] for row in sheet.rows[1:]] == [5, 5] and sheet.formats == {}


def test_a_default_style_that_is_a_percent_counts_for_cells_without_a_style(tmp_path):
    path = workbook(tmp_path / "默认.xlsx", [(1, "General"), (2, "0.00"), ("文字", "General")])
    with_styles(path, lambda s: s.replace('<cellXfs count="2"><xf numFmtId="0"', '<cellXfs count="2"><xf numFmtId="9"'))
    sheet = only_sheet(path)
    # A2:A4 and B2 have no style of their own (the default), B3 has 0.00; the header row is text
    assert sheet.formats == {(1, 0): P, (2, 0): P, (3, 0): P, (1, 1): P}


def test_a_workbook_without_styles_part_has_no_formats(tmp_path):
    path = workbook(tmp_path / "无样式.xlsx", [(1, "0%")])
    with zipfile.ZipFile(path) as zin:
        parts = [(info, zin.read(info)) for info in zin.infolist() if info.filename != "xl/styles.xml"]
    with zipfile.ZipFile(path, "w") as zout:
        for info, data in parts:
            zout.writestr(info, data)
    assert only_sheet(path).formats == {}


def with_sheet_xml(path: Path, edit) -> Path:
    with zipfile.ZipFile(path) as zin:
        parts = [(info, zin.read(info)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in parts:
            zout.writestr(info, edit(data) if info.filename == "xl/worksheets/sheet1.xml" else data)
    return path


def test_style_attributes_however_written_are_found_and_row_styles_are_not_cells(tmp_path):
    path = workbook(tmp_path / "写法.xlsx", [(1, "0%"), (2, "0%"), (3, "0"), (4, "¥#,##0")])
    plain = only_sheet(path).formats
    assert plain == {(1, 1): P, (2, 1): P, (4, 1): C}

    def edit(xml: bytes) -> bytes:
        assert b'<c r="B3" s="1"' in xml and b'<c r="B5" s="3"' in xml and b'<row r="4"' in xml
        xml = xml.replace(b'<c r="B3" s="1"', b"<c r='B3'\n\ts = '1'", 1)  # quotes and white space of other writers
        xml = xml.replace(b'<c r="B5" s="3"', b'<c s="3" r="B5"', 1)  # the style before the address
        return xml.replace(b'<row r="4"', b'<row r="4" s="1" customFormat="1"', 1)  # a row style: not a cell
    with_sheet_xml(path, edit)
    sheet = only_sheet(path)
    assert sheet.formats == plain and sheet.rows[3][1] == 3


# ---------------------------------------------------------------- what python-calamine does with date formats

# (number format: a built-in id or a code, what calamine 0.9.1 gives for 45000.25 under it)
CALAMINE_DATES = [
    *[(i, dt.datetime) for i in [*range(14, 23), *range(27, 37), 45, 47, *range(50, 59)]],
    (46, dt.timedelta),
    ('yyyy"年"m"月"d"日"', dt.datetime), ("yyyy/m/d", dt.datetime), ("[$-804]yyyy年m月d日", dt.datetime),
    ("yyyy-mm-dd;@", dt.datetime), ("[DBNum1][$-804]yyyy\"年\"m\"月\"d\"日\"", dt.datetime), ("m月d日", dt.datetime),
    ('yyyy"年"m"月"', dt.datetime), ('e"年"m"月"d"日"', dt.datetime), ("上午/下午h\"时\"mm\"分\"", dt.datetime),
    ("yyyy-mm-dd aaaa", dt.datetime), ("[$-x-sysdate]dddd, mmmm dd, yyyy", dt.datetime), ("h:mm", dt.datetime),
    ("[h]:mm", dt.timedelta), ("[mm]:ss", dt.timedelta),
    ("aaaa", float), ("[$-804]aaaa", float), ('e"年"', float), ("bbbb", float),  # missed: converted by the reader
    ("0%", float), ("¥#,##0.00", float), ('0"天"', float), ("General", float), ("@", float),
]


def _calamine_values(tmp_path: Path, formats: list) -> list:
    codes = [f if isinstance(f, str) else f"0.{'0' * k}_)" for k, f in enumerate(formats, 1)]
    path = workbook(tmp_path / "calamine.xlsx", [(45000.25, code) for code in codes])
    as_builtin(path, {code: f for code, f in zip(codes, formats) if not isinstance(f, str)})
    rows = calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("S").to_python()
    return [row[1] for row in rows[1:]]


def test_what_python_calamine_does_with_each_date_format_and_that_the_reader_knows_it(tmp_path):
    formats = [f for f, _ in CALAMINE_DATES]
    values = _calamine_values(tmp_path, formats)
    assert [type(v) for v in values] == [t for _, t in CALAMINE_DATES]
    for fmt, value in zip(formats, values):
        if isinstance(fmt, str):  # the reader's model of calamine (what it then leaves to calamine) is right
            assert calamine_sees_date(fmt) == (not isinstance(value, float)), fmt


@pytest.mark.parametrize("date1904", [False, True], ids=["1900", "1904"])
def test_dates_calamine_misses_are_converted_as_calamine_converts_the_others(tmp_path, date1904):
    serials = [1, 2.5, 59, 60, 61, 366, 45000, 45000.5, 45000.999999, 0.25, 2958465]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    if date1904:
        wb.epoch = CALENDAR_MAC_1904
    for r, serial in enumerate(serials, 1):
        for c, code in enumerate(["yyyy-mm-dd hh:mm:ss", "aaaa", '[$-804]e"年"', "0%"], 1):
            ws.cell(row=r, column=c, value=serial).number_format = code
    ws.cell(row=len(serials) + 1, column=2, value="星期三").number_format = "aaaa"  # text stays text
    path = tmp_path / "星期.xlsx"
    wb.save(path)
    sheet = only_sheet(path)
    for row, serial in zip(sheet.rows, serials):
        assert row[1] == row[0] and row[2] == row[0], serial  # what calamine gives under a date format it knows
        # a date, a datetime or a time; 2958465 is past 9999 in the 1904 system: a number for calamine too
        assert type(row[1]) in ((float,) if date1904 and serial == 2958465 else (dt.date, dt.datetime, dt.time))
    assert sheet.rows[6][1] == (dt.date(2027, 3, 16) if date1904 else dt.date(2023, 3, 15))
    assert sheet.rows[-1][1] == "星期三"
    assert sheet.formats == {(r, 3): P for r in range(len(serials))}  # no "date" entries: dates are converted


def test_serials_excel_cannot_show_as_dates_stay_numbers(tmp_path):
    path = workbook(tmp_path / "越界.xlsx", [(-1, "aaaa"), (2958466, "aaaa"), (1e9, "aaaa")])
    assert [row[1] for row in only_sheet(path).rows[1:]] == [-1, 2958466, 1e9]


# ---------------------------------------------------------------- .xls (BIFF8)

def _xlwt_workbook(path: Path) -> Path:
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    sheet = book.add_sheet("S")
    sheet.write(0, 0, "序号")
    sheet.write(0, 1, "数量")
    for r, (value, code) in enumerate([(1, "0%"), (3, "¥#,##0.00"), (5, '#,##0" 元"'), (7, "0"), (8, "#,##0"),
                                       (9, "General"), (45000, "aaaa"), (45000, "yyyy-mm-dd"), ("10%", "0%"),
                                       (123456, "0"), (0.25, "0.00%")], 1):
        sheet.write(r, 0, r)
        sheet.write(r, 1, value, xlwt.easyxf(num_format_str=code))
    sheet.write_merge(12, 13, 1, 1, 0.5, xlwt.easyxf(num_format_str="0%"))
    sheet.write(12, 0, 12)
    sheet.write(13, 0, 13)
    book.save(str(path))
    return path


def test_xls_cells_have_the_same_formats(tmp_path):
    sheet = only_sheet(_xlwt_workbook(tmp_path / "旧版.xls"))
    assert sheet.rows[7][1] == dt.date(2023, 3, 15) and sheet.rows[8][1] == dt.date(2023, 3, 15)
    assert sheet.rows[9][1] == "10%" and sheet.rows[13][1] == 0.5
    assert sheet.formats == {(1, 1): P, (2, 1): C, (3, 1): C, (11, 1): P, (12, 1): P, (13, 1): P}
    assert sheet.vertical_merges == {1: [(12, 13)]} and sheet.read_as is None


def test_an_xls_date1904_workbook_converts_missed_dates_in_its_system(tmp_path):
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    book.dates_1904 = True
    sheet = book.add_sheet("S")
    sheet.write(0, 0, 45000, xlwt.easyxf(num_format_str="aaaa"))
    sheet.write(0, 1, 45000, xlwt.easyxf(num_format_str="yyyy-mm-dd"))
    book.save(str(tmp_path / "1904.xls"))
    row = only_sheet(tmp_path / "1904.xls").rows[0]
    assert row[0] == row[1] == dt.date(2027, 3, 16)


@pytest.mark.slow
def test_an_xls_saved_by_libreoffice_has_the_formats_of_its_xlsx(tmp_path):
    """LibreOffice writes its own FORMAT records (escaped: \\¥, \\年), MULRK rows and formula results."""
    soffice = find_soffice()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    ws.append(["序号", "数量", "比例", "金额"])
    for i in range(1, 6):
        ws.append([i, i * 2, i / 10, i * 100])
        ws.cell(row=i + 1, column=3).number_format = "0%"
        ws.cell(row=i + 1, column=4).number_format = '#,##0" 元"'
    ws["E2"] = "=C2*2"
    ws["E2"].number_format = "0.0%"
    ws["F2"] = 45000
    ws["F2"].number_format = "aaaa"
    ws["G2"] = 45000
    ws["G2"].number_format = "[$¥-804]#,##0.00"
    ws.merge_cells("H2:H4")
    wb.save(tmp_path / "lo.xlsx")
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "xls", "--outdir",
                    str(tmp_path / "out"), str(tmp_path / "lo.xlsx")], check=True, capture_output=True, timeout=120)
    sheet = only_sheet(tmp_path / "out" / "lo.xls")
    assert sheet.rows[1][4] == pytest.approx(0.2) and sheet.rows[1][5] == dt.date(2023, 3, 15)
    expected = {(r, 2): P for r in range(1, 6)} | {(r, 3): C for r in range(1, 6)} | {(1, 4): P, (1, 6): C}
    assert sheet.formats == expected
    assert sheet.vertical_merges == {7: [(1, 3)]}


def test_calamine_reads_the_test_workbooks_as_the_reader_expects(tmp_path):
    """The workbooks above are what they claim: calamine itself leaves percent cells as plain numbers."""
    path = workbook(tmp_path / "c.xlsx", [(1, "0%")])
    rows = calamine.CalamineWorkbook.from_filelike(io.BytesIO(path.read_bytes())).get_sheet_by_name("S").to_python()
    assert rows[1][1] == 1

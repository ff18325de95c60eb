"""Text tables under any ledger extension (analysis.ingest.read.text_table): Excel's "Unicode 文本" (UTF-16, tabs),
web-system exports in UTF-8 or GBK with tabs or commas, and .csv files in UTF-16 or with tabs are read as tables;
Sheet.read_as says what a file really was; garbage, PDFs and plain notes are refused as before."""
from __future__ import annotations

import csv
import io
import random
import shutil
import struct
from pathlib import Path

import pytest
from conftest import write_xlsx
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.ingest.read import ReadError, read_sheets

TABLE = [
    ["2023年燃气安全隐患排查整治台账"],  # a title line of one cell
    ["序号", "排查日期", "所属街道", "单位名称", "发现隐患", "备注"],
    ["1", "2023-03-05", "焦南街道", "老王烧烤,二店", "2", '说"已整改"'],  # the comma, a quote
    ["2", "2023/3/6", "民生街道", "幸福\t超市", "1,234", "第一行\n第二行"],  # the tab, a thousands comma, a line break
    ["3", "2023年3月7日", "一二三", "一般隐患", "0", ""],  # U+4E00 has a zero byte in UTF-16
]

# (label, what read_as calls it, encode): BOMs written by hand so that each variant is exact
ENCODINGS = {
    "utf-16-le-bom": ("UTF-16", lambda t: b"\xff\xfe" + t.encode("utf-16-le")),
    "utf-16-be-bom": ("UTF-16", lambda t: b"\xfe\xff" + t.encode("utf-16-be")),
    "utf-16-le": ("UTF-16", lambda t: t.encode("utf-16-le")),
    "utf-16-be": ("UTF-16", lambda t: t.encode("utf-16-be")),
    "utf-8-bom": ("UTF-8", lambda t: b"\xef\xbb\xbf" + t.encode("utf-8")),
    "utf-8": ("UTF-8", lambda t: t.encode("utf-8")),
    "gb18030": ("GBK", lambda t: t.encode("gb18030")),
}
DELIMITERS = {"\t": "制表符", ",": "逗号"}


def table_text(rows: list[list[str]], delimiter: str, newline: str) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return out.getvalue()


def expected_read_as(suffix: str, encoding: str, delimiter: str) -> str | None:
    if suffix == ".csv" and delimiter == "," and encoding != "UTF-16":
        return None
    return f"{encoding} 编码、{DELIMITERS[delimiter]}分隔的文本文件"


@pytest.mark.parametrize("newline", ["\r\n", "\n"], ids=["crlf", "lf"])
@pytest.mark.parametrize("suffix", [".xls", ".xlsx", ".csv"])
@pytest.mark.parametrize("delimiter", list(DELIMITERS), ids=["tab", "comma"])
@pytest.mark.parametrize("encoding", list(ENCODINGS))
def test_a_text_table_is_read_whatever_its_encoding_delimiter_extension_and_line_ends(encoding, delimiter, suffix,
                                                                                     newline):
    label, encode = ENCODINGS[encoding]
    data = encode(table_text(TABLE, delimiter, newline))
    [sheet] = read_sheets(Path(f"导出台账{suffix}"), data)
    assert sheet.name == "导出台账" and not sheet.hidden
    assert sheet.rows == TABLE  # numbers stay text, as in any CSV
    assert sheet.read_as == expected_read_as(suffix, label, delimiter)
    assert sheet.formats is None and sheet.vertical_merges == {}


def test_a_text_table_read_from_disk_is_the_same(tmp_path):
    path = tmp_path / "系统导出.xls"
    path.write_bytes(b"\xff\xfe" + table_text(TABLE, "\t", "\r\n").encode("utf-16-le"))
    [sheet] = read_sheets(path)
    assert sheet.rows == TABLE and sheet.read_as == "UTF-16 编码、制表符分隔的文本文件"


_CELL = st.text(alphabet="焦南民生街道老王烧烤一二三隐患整改0123456789-/ ,\t\"'\n年月日", max_size=12)


@settings(max_examples=150, deadline=None)
@given(width=st.integers(2, 8), body=st.lists(st.lists(_CELL, min_size=8, max_size=8), min_size=1, max_size=12),
       delimiter=st.sampled_from(list(DELIMITERS)), encoding=st.sampled_from(list(ENCODINGS)),
       suffix=st.sampled_from([".xls", ".xlsx", ".csv"]), newline=st.sampled_from(["\r\n", "\n"]),
       title=st.booleans())
def test_any_table_of_text_cells_round_trips(width, body, delimiter, encoding, suffix, newline, title):
    """A header of plain words (as every ledger has) and any cells below: quotes, delimiters, line breaks."""
    header = [f"列{i}" for i in range(width)]
    rows = ([["2024年台账"]] if title else []) + [header] + [row[:width] for row in body]
    label, encode = ENCODINGS[encoding]
    [sheet] = read_sheets(Path(f"t{suffix}"), encode(table_text(rows, delimiter, newline)))
    assert sheet.rows == rows
    assert sheet.read_as == expected_read_as(suffix, label, delimiter)


def test_a_comma_table_whose_cells_hold_tabs_and_a_tab_table_whose_cells_hold_commas_are_told_apart():
    commas = table_text([["日期", "地址", "金额"], ["2023-03-05", "中山路\t1号", "1\t2"], ["2023-03-06", "x", "y"]],
                        ",", "\n")
    assert read_sheets(Path("a.xls"), commas.encode())[0].rows[1] == ["2023-03-05", "中山路\t1号", "1\t2"]
    tabs = "日期\t地址\t金额\n2023-03-05\t中山路1号,2号\t1,234\n2023-03-06\t丙,丁\t5,6\n"
    [sheet] = read_sheets(Path("b.csv"), tabs.encode("gbk"))
    assert sheet.rows[1] == ["2023-03-05", "中山路1号,2号", "1,234"]
    assert sheet.read_as == "GBK 编码、制表符分隔的文本文件"


def test_a_one_column_csv_is_still_read():
    [sheet] = read_sheets(Path("名单.csv"), "单位名称\n老王烧烤\n幸福超市\n".encode())
    assert sheet.rows == [["单位名称"], ["老王烧烤"], ["幸福超市"]] and sheet.read_as is None
    [sheet] = read_sheets(Path("名单.csv"), "单位名称\r\n老王烧烤\r\n".encode("utf-16"))
    assert sheet.rows == [["单位名称"], ["老王烧烤"]] and sheet.read_as == "UTF-16 编码的文本文件"


def test_a_mostly_chinese_utf16_file_without_bom_is_recognised():
    rows = [["街道", "单位", "类型"]] + [["焦南街道", "一二三四五六", "一般隐患"]] * 40
    [sheet] = read_sheets(Path("t.xls"), table_text(rows, "\t", "\r\n").encode("utf-16-le"))
    assert sheet.rows == rows


# ---------------------------------------------------------------- what is still refused, with the old sentences

GARBAGE = "文件已损坏或不是 Excel 文件：内容既不是 .xlsx 也不是 .xls 格式"
PLAIN_TEXT = "内容却是纯文本（可能是系统导出的文本文件）"


@pytest.mark.parametrize("suffix", [".xls", ".xlsx"])
@pytest.mark.parametrize("data, reason", [
    (bytes(range(256)) * 20, GARBAGE),
    (random.Random(7).randbytes(5000), GARBAGE),
    (struct.pack("<2000H", *(i % 40 for i in range(2000))), GARBAGE),  # zero high bytes, but control characters
    (b"\x00" * 3000, GARBAGE),
    ("这是一段说明文字\n没有表格，只有一句话\n".replace("，", "").encode("gbk"), PLAIN_TEXT),
    ("这是一段说明文字\r\n没有表格\r\n".encode("utf-16"), PLAIN_TEXT),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "内容却是PDF 文档"),
    (b"\x89PNG\r\n\x1a\n" + bytes(100), "内容却是图片"),
], ids=["byte_ramp", "random", "u16_small_ints", "zeros", "gbk_note", "utf16_note", "pdf", "png"])
def test_garbage_and_files_that_are_not_tables_are_refused_as_before(suffix, data, reason):
    with pytest.raises(ReadError, match=reason):
        read_sheets(Path(f"x{suffix}"), data)


@pytest.mark.parametrize("data", [bytes(range(256)) * 20, random.Random(3).randbytes(5000),
                                  struct.pack("<2000H", *(i % 40 for i in range(2000)))])
def test_a_csv_that_is_not_text_is_refused(data):
    with pytest.raises(ReadError, match="CSV 文件编码无法识别"):
        read_sheets(Path("x.csv"), data)


# ---------------------------------------------------------------- read_as for workbooks and pages under another name

def test_read_as_names_a_workbook_or_a_page_under_the_wrong_extension(tmp_path):
    real = write_xlsx(tmp_path / "real.xlsx", {"S": [["日期", "街道"], ["2023-03-05", "焦南"]]})
    data = real.read_bytes()
    assert read_sheets(Path("a.xlsx"), data)[0].read_as is None
    assert read_sheets(Path("a.xlsm"), data)[0].read_as is None
    assert read_sheets(Path("a.xls"), data)[0].read_as == ".xlsx 格式的工作簿"
    assert read_sheets(Path("a.csv"), data)[0].read_as == ".xlsx 格式的工作簿"
    page = "<html><body><table><tr><td>日期</td><td>街道</td></tr></table></body></html>"
    for encoded in (page.encode(), page.encode("utf-16"), page.encode("utf-16-le")):
        [sheet] = read_sheets(Path("系统导出.xls"), encoded)
        assert sheet.rows == [["日期", "街道"]] and sheet.read_as == "网页（HTML）表格"


def test_read_as_names_an_xls_under_an_xlsx_name(tmp_path):
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    book.add_sheet("S").write(0, 0, "日期")
    book.save(str(tmp_path / "real.xls"))
    assert read_sheets(tmp_path / "real.xls")[0].read_as is None
    shutil.copy(tmp_path / "real.xls", tmp_path / "改名.xlsx")
    [sheet] = read_sheets(tmp_path / "改名.xlsx")
    assert sheet.rows == [["日期"]] and sheet.read_as == ".xls 格式的工作簿"

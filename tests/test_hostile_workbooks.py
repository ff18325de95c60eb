"""Hostile workbooks are read in bounded time and memory, or refused with a clear reason; never a process abort.

A sheet's grid runs from A1 to its farthest cell with content, and the reader allocates all of it: one stray
value in XFD1048576 asked python-calamine for 550 GB and aborted the whole run (exit 134). Each case below runs
`analysis clean --jobs 1` in a process of its own (so that an abort cannot take the tests down) and measures it.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from conftest import write_xlsx

from analysis.ingest.pipeline import clean
from analysis.ingest.read import ReadError, read_sheets
from analysis.ingest.read.sheet import MAX_AREA
from analysis.ingest.tables import load_manifest, load_rejects
from analysis.ingest.text import MAX_TEXT, shorten

HEADER = ["日期", "街道", "类型", "数量"]
GOOD = [HEADER, ["2023-03-05", "焦南", "游商", 2], ["2023-03-06", "王褚", "占道", 3]]

pytestmark = pytest.mark.slow  # a process per case, measured

_MEASURED_CLEAN = """
import json, sys, time
from analysis.commands.cli import main
# CPU seconds of this process (one job: no workers), the work the case costs, not what else the machine is doing.
start = time.process_time()
code = main(["clean", "--raw", sys.argv[1], "--out", sys.argv[2], "--jobs", "1"])
try:  # Linux: the high-water mark of this program alone (ru_maxrss would count the parent's, inherited by fork)
    status = open("/proc/self/status").read()
    peak = int(status.split("VmHWM:")[1].split()[0]) * 1024
except OSError:
    try:
        import resource
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # macOS: bytes
    except ImportError:  # Windows
        import psutil
        peak = psutil.Process().memory_info().peak_wset
print(json.dumps({"seconds": time.process_time() - start, "peak": peak}), file=sys.stderr)
sys.exit(code)
"""


def measured_clean(raw: Path, out: Path) -> dict:
    proc = subprocess.run([sys.executable, "-c", _MEASURED_CLEAN, str(raw), str(out)], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode in (0, 1), f"exit {proc.returncode}: {proc.stderr[-2000:]}"  # not 134: no abort
    assert "Traceback" not in proc.stderr and "panicked" not in proc.stderr, proc.stderr[-2000:]
    measure = json.loads(proc.stderr.strip().splitlines()[-1])
    assert measure["seconds"] < 10 and measure["peak"] < 500 << 20, measure
    return {"code": proc.returncode, "stdout": proc.stdout, **measure}


def with_stray_value(path: Path, cell: str) -> Path:
    import openpyxl

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "台账"
    for row in GOOD:
        ws.append(row)
    ws[cell] = "x"
    wb.save(path)
    return path


def _refs(cell: str) -> tuple[int, int]:
    letters, digits = re.fullmatch(r"([A-Z]+)(\d+)", cell).groups()
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return int(digits), col


# Stray values far to the right, far down and both: the class of the case, not only XFD1048576.
STRAY = ["XFD1048576", "XFD3000", "XFD1", "AAA70000", "BZ200000", "Z1048576", "A1048576", "AZ99999", "BA99999",
         "AZ100000"]


@pytest.mark.parametrize("cell", STRAY)
def test_a_stray_value_far_from_the_table_is_read_or_refused_in_bounded_time_and_memory(tmp_path, cell):
    raw = tmp_path / "raw"
    hostile = with_stray_value(raw / "street_vending" / "hostile.xlsx", cell)
    write_xlsx(raw / "street_vending" / "good.xlsx", {"S": GOOD})
    assert hostile.stat().st_size < 10_000
    run = measured_clean(raw, tmp_path / "out")
    records = {f["file"]: f for f in load_manifest(tmp_path / "out")["files"]}
    assert records["street_vending/good.xlsx"]["status"] == "ok"  # the other file goes through
    rows, cols = _refs(cell)
    hostile_record = records["street_vending/hostile.xlsx"]
    if rows * cols > MAX_AREA:  # a grid of more than 5.2 million cells with 13 in it: refused, saying where
        assert hostile_record["status"] == "failed" and run["code"] == 1
        assert "已拒绝读取" in hostile_record["reason"] and cell in hostile_record["reason"]
        assert f"[错误] street_vending/hostile.xlsx：工作表“台账”的内容延伸到 {cell}" in run["stdout"]
    else:  # small enough to read: read, the stray value treated like any other cell
        assert hostile_record["status"] in ("ok", "partial")
        assert hostile_record["sheets"][0]["kept"] == 2


def test_formatting_down_to_the_last_row_and_column_costs_nothing(tmp_path):
    import openpyxl
    from openpyxl.styles import Font

    raw = tmp_path / "raw"
    path = raw / "street_vending" / "formatted.xlsx"
    path.parent.mkdir(parents=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in GOOD:
        ws.append(row)
    for cell in ("XFD1", "A1048576", "XFD1048576", "Z999999"):
        ws[cell].font = Font(bold=True)  # formatted, empty
    wb.save(path)
    run = measured_clean(raw, tmp_path / "out")
    assert run["code"] == 0 and run["seconds"] < 5
    assert load_manifest(tmp_path / "out")["files"][0]["sheets"][0]["kept"] == 2


def _replace_sheet_xml(path: Path, edit) -> Path:
    with zipfile.ZipFile(path) as src:
        parts = {i.filename: src.read(i) for i in src.infolist()}
    parts["xl/worksheets/sheet1.xml"] = edit(parts["xl/worksheets/sheet1.xml"])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in parts.items():
            dst.writestr(name, data)
    return path


def test_cells_without_an_address_are_placed_and_bounded_too(tmp_path):
    """Cells may omit their address (they follow the one before): 300 of them in row 99,999 make a grid of 30
    million cells without any far address in the file."""
    raw = tmp_path / "raw"
    path = write_xlsx(raw / "street_vending" / "refless.xlsx", {"S": GOOD})
    cells = b'<c t="inlineStr"><is><t>x</t></is></c>' * 300
    _replace_sheet_xml(path, lambda xml: xml.replace(b"</sheetData>", b'<row r="99999">' + cells + b"</row></sheetData>"))
    run = measured_clean(raw, tmp_path / "out")
    record = load_manifest(tmp_path / "out")["files"][0]
    assert run["code"] == 1 and record["status"] == "failed" and "KN99999" in record["reason"]


def test_an_xls_with_a_stray_value_in_its_last_cell_is_refused(tmp_path):
    import xlwt

    raw = tmp_path / "raw"
    (raw / "street_vending").mkdir(parents=True)
    book = xlwt.Workbook()
    sheet = book.add_sheet("台账")
    for r, row in enumerate(GOOD):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    sheet.write(65535, 255, "x")  # IV65536: a grid of 16.8 million cells
    book.save(str(raw / "street_vending" / "hostile.xls"))
    run = measured_clean(raw, tmp_path / "out")
    record = load_manifest(tmp_path / "out")["files"][0]
    assert run["code"] == 1 and "IV65536" in record["reason"] and "已拒绝读取" in record["reason"]


def test_a_merge_over_the_whole_sheet_is_bounded(tmp_path):
    raw = tmp_path / "raw"
    path = write_xlsx(raw / "street_vending" / "merged.xlsx", {"S": [*GOOD, *[[""]] * 3]})
    _replace_sheet_xml(path, lambda xml: xml.replace(b"</sheetData>", b'</sheetData><mergeCells count="1">'
                                                     b'<mergeCell ref="E1:XFD1048576"/></mergeCells>', 1))
    run = measured_clean(raw, tmp_path / "out")
    assert run["code"] == 0


def test_a_zip_bomb_split_into_parts_under_the_part_limit_is_refused_by_its_total(tmp_path):
    raw = tmp_path / "raw"
    path = write_xlsx(raw / "street_vending" / "bomb.xlsx", {f"S{i}": GOOD for i in range(1, 4)})
    with zipfile.ZipFile(path) as src:
        parts = {i.filename: src.read(i) for i in src.infolist()}
    for i in range(1, 4):  # three sheets of 30 MB each (under the old per-part limit of 64 MB), white space inside
        name = f"xl/worksheets/sheet{i}.xml"
        parts[name] = parts[name].replace(b"<sheetData>", b"<sheetData>" + b" " * (30 << 20))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in parts.items():
            dst.writestr(name, data)
    assert path.stat().st_size < 1 << 20
    start = time.perf_counter()
    with pytest.raises(ReadError, match="压缩炸弹") as info:
        read_sheets(path)
    assert time.perf_counter() - start < 1 and "90.0 MB" in str(info.value)


def test_an_html_table_whose_spans_cover_a_whole_sheet_is_refused(tmp_path):
    raw = tmp_path / "raw"
    (raw / "street_vending").mkdir(parents=True)
    rows = "<tr><td>日期</td><td>街道</td><td>类型</td><td>数量</td></tr>"
    rows += '<tr><td rowspan="65534" colspan="1000">x</td></tr>' + "<tr></tr>" * 65533
    (raw / "street_vending" / "spans.xls").write_text(f"<html><body><table>{rows}</table></body></html>", encoding="utf-8")
    run = measured_clean(raw, tmp_path / "out")
    record = load_manifest(tmp_path / "out")["files"][0]
    assert run["code"] == 1 and "已拒绝读取" in record["reason"]


def test_megabyte_cells_are_cut_wherever_a_person_reads_them(tmp_path):
    """Three rejected cells of 1.2 MB each (an exported web table has no cell limit) made the data-quality page
    10 MB and failed the briefing; a person reads them cut, with their length."""
    from analysis.report import pages

    raw = tmp_path / "raw"
    (raw / "street_vending").mkdir(parents=True)
    huge = "火星" * 600_000
    cells = "".join(f"<tr><td>2023-03-0{d}</td><td>{huge}</td><td>游商</td><td>1</td></tr>" for d in (1, 2, 3))
    (raw / "street_vending" / "网页导出.xls").write_text(
        f"<table><tr><td>日期</td><td>街道</td><td>类型</td><td>数量</td><td>{huge}</td></tr>{cells}</table>",
        encoding="utf-8")
    said = []
    clean(raw, tmp_path / "out", echo=lambda *a, **k: said.append(" ".join(map(str, a))))
    out = tmp_path / "out"
    rejects = load_rejects(out)
    assert len(rejects) == 3 and all(v.endswith("…（共 1200000 字）") and len(v) == MAX_TEXT for v in rejects["value"])
    assert (out / "rejects.csv").stat().st_size < 50_000 and (out / "manifest.json").stat().st_size < 50_000
    assert max(map(len, said)) < 3 * MAX_TEXT  # the unrecognised header, on the screen
    data = pages.load(out)
    html = "".join(view(data).data for view in (pages.files_table, pages.issues_table, pages.reject_reasons,
                                                pages.rejects_table))
    assert len(html.encode()) < 200_000 and "（共 1200000 字）" in html


def test_shorten_keeps_short_text_and_says_how_long_long_text_was():
    assert shorten("焦南街道") == "焦南街道"
    assert shorten("字" * MAX_TEXT) == "字" * MAX_TEXT
    cut = shorten("字" * (MAX_TEXT + 1))
    assert len(cut) == MAX_TEXT and cut.endswith(f"字…（共 {MAX_TEXT + 1} 字）") and shorten(cut) == cut

"""The Excel 报表 beside the briefing: every figure equals the metrics, read back with openpyxl, python-calamine
and LibreOffice Calc (headless, to PDF and CSV); formatted for print; ledger text never becomes a formula."""
from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
import zipfile

import pandas as pd
import pytest
from conftest import find_soffice, write_xlsx
from test_workbook_agreement import assert_agrees, tables

from analysis.ingest.pipeline import clean
from analysis.ingest.spec import load_spec
from analysis.report import metrics, pages
from analysis.report.number_words import round_half_up
from analysis.report.periods import Period
from analysis.report.workbook import UNASSIGNED, workbook_bytes

REPORT = "统计报表.xlsx"


@pytest.fixture(scope="module")
def demo_report(demo_build):
    root, _, _ = demo_build
    data = pages.load(root / "build-demo" / "processed")
    return root / "reports" / "2023" / REPORT, data, Period(2023)


def _expected_indicators(data, period) -> dict:
    """indicator label -> (value, previous, 同比 as a fraction or its note), as the briefing computes them."""
    figures = pages.yoy(data, period)
    expected = {}
    for _, f in figures.iterrows():
        note = {"no_previous": "上年无数据", "zero_base": "上年为0"}.get(f["direction"])
        pct = note or float(round_half_up(f["pct"], 1) / 100)
        expected[f["label"]] = (float(f["value"]), float(f["previous"]), pct)
    return expected


def test_the_briefing_writes_the_report_beside_the_pages_and_the_index_links_it(demo_report):
    path, _, _ = demo_report
    assert path.is_file()
    assert f'<a href="{REPORT}">统计报表（Excel）</a>' in (path.parent / "index.html").read_text(encoding="utf-8")


def test_every_figure_read_back_with_openpyxl_equals_the_metrics(demo_report):
    import openpyxl

    path, data, period = demo_report
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["主要指标", "三种经营整治", "燃气安全排查", "扬尘管控督导", "违建拆除", "行政审批", "市容整治",
                               "年度工作", "数据说明"]
    sheet = book["主要指标"]
    assert [c.value for c in sheet[3]] == ["指标", "单位", "2023年", "2022年", "增减", "同比", "报告写法"]
    got = {row[0].value: (row[2].value, row[3].value, row[5].value) for row in sheet.iter_rows(min_row=4)}
    assert got == _expected_indicators(data, period)
    assert {row[0].value: row[6].value for row in sheet.iter_rows(min_row=4)}["清理三种经营"] == "12000余处"
    # formatted as an office would
    assert "A1:G1" in {str(r) for r in sheet.merged_cells.ranges} and sheet["A1"].font.bold
    assert sheet["A2"].value.startswith("填报单位：解放区城市管理局　　统计期间：2023年　　生成日期：")
    assert sheet.freeze_panes == "B4" and sheet.print_title_rows == "$1:$3"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
    assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页"
    assert sheet["C4"].number_format == "#,##0" and sheet["F4"].number_format == "0.0%"
    assert sheet.column_dimensions["A"].width >= 2 * len("餐饮单位燃气安全隐患排查")


def test_each_ledger_sheet_is_sub_district_by_month_for_each_indicator_with_totals_that_are_the_indicator(demo_report):
    import openpyxl

    path, data, period = demo_report
    book = openpyxl.load_workbook(path)
    monthly = [ledger for ledger in pages.ledgers_with_data(data, period)
               if "subdistrict" in data.tables[ledger].columns]
    assert len(monthly) == 6
    values = metrics.indicator_values(data.tables, period, data.catalogue)["value"]
    for ledger in monthly:
        sheet = book[load_spec(ledger).topic]
        assert sheet["A1"].value == f"{load_spec(ledger).label}：2023年主要指标分街道分月统计"
        grids = {t["caption"]: t for t in tables(sheet) if t["caption"].endswith("分街道分月")}
        indicators = data.catalogue[data.catalogue["ledger"] == ledger]
        # every indicator of the ledger, in catalogue order (市容整治: 10处 and also 16,352 and 8,734)
        assert list(grids) == [f"{i['label']}（{i['unit']}）：2023年分街道分月" for _, i in indicators.iterrows()]
        for key, ind in indicators.iterrows():
            table = grids[f"{ind['label']}（{ind['unit']}）：2023年分街道分月"]
            assert table["header"] == ["街道", *(f"{m}月" for m in range(1, 13)), "合计"]
            rows = {name: [v or 0 for v in cells] for name, cells in table["rows"]}
            subs = list(data.tables[ledger]["subdistrict"].cat.categories)
            nunique = ind["measure"].startswith("nunique")
            selected = data.tables[ledger][metrics.in_period(data.tables[ledger], period)
                                          & metrics.filter_mask(data.tables[ledger], ind["filter"])]
            blank = not nunique and selected["subdistrict"].isna().any()
            assert list(rows) == [*subs, *([UNASSIGNED] if blank else []), "合计"], (ledger, key)
            assert rows["合计"][-1] == pytest.approx(float(values[key]))
            by_sub = metrics.breakdown(data.tables, key, period, "subdistrict", catalogue=data.catalogue)
            assert [rows[s][-1] for s in subs] == pytest.approx([float(v) for v in by_sub])
    licensing = {t["caption"]: dict(t["rows"]) for t in tables(book["行政审批"])}
    assert list(licensing["办理行政许可案件（件）：2023年按审批事项"]) == ["户外广告许可", "临时户外广告审批", "占道审批", "合计"]
    city = {t["caption"]: dict(t["rows"]) for t in tables(book["市容整治"])}
    assert city["清理非法小广告（处）：2023年分街道分月"]["合计"][-1] == 16352
    assert city["清理橱窗广告（处）：2023年分街道分月"]["合计"][-1] == 8734


def test_the_demo_report_agrees_with_itself_on_every_sheet_and_prints_as_it_should(demo_report):
    import openpyxl

    path, data, period = demo_report
    assert_agrees(openpyxl.load_workbook(path), data, period)


def test_a_yearly_ledger_sheet_lists_its_indicators_this_year_and_last(demo_report):
    import openpyxl

    path, data, period = demo_report
    sheet = openpyxl.load_workbook(path)["年度工作"]
    assert [c.value for c in sheet[3]] == ["项目", "单位", "2023年", "2022年"]
    got = {r[0].value: (r[2].value, r[3].value) for r in sheet.iter_rows(min_row=4)}
    expected = {label: (v, p) for label, (v, p, _) in _expected_indicators(data, period).items()
                if label in set(data.catalogue.loc[data.catalogue["ledger"] == "work_figures", "label"])}
    assert got == expected and len(got) == 15


def test_the_same_figures_read_back_with_python_calamine(demo_report):
    from python_calamine import CalamineWorkbook

    path, data, period = demo_report
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("主要指标").to_python()
    got = {r[0]: (float(r[2]), float(r[3]), r[5]) for r in rows[3:]}
    expected = _expected_indicators(data, period)
    assert got.keys() == expected.keys()
    for label, values in expected.items():
        assert got[label] == pytest.approx(values), label


def test_text_beginning_with_a_formula_sign_stays_text(tmp_path):
    """File names and ledger texts reach the sheets; openpyxl would store a string beginning with = as a formula."""
    import openpyxl

    from analysis.report.workbook import _block

    book = openpyxl.Workbook()
    texts = ["=HYPERLINK(\"http://x\",\"点此\")", "@SUM(A1)", "+1", "-1", "=1+1"]
    _block(book.active, 1, None, ["文件"], [[(t, None)] for t in texts])
    book.save(tmp_path / "t.xlsx")
    cells = [row[0] for row in openpyxl.load_workbook(tmp_path / "t.xlsx").active.iter_rows(min_row=2)]
    assert [(c.value, c.data_type) for c in cells] == [(t, "s") for t in texts]


def test_a_file_name_with_a_formula_sign_is_listed_as_text(tmp_path):
    import openpyxl

    raw = tmp_path / "raw"
    write_xlsx(raw / "street_vending" / "=HYPERLINK(1).xlsx",
               {"S": [["日期", "街道", "类型", "地点"], ["2023-12-05", "焦南", "游商", "=1+1"]]})
    clean(raw, tmp_path / "out", echo=lambda *a, **k: None)
    path = tmp_path / REPORT
    path.write_bytes(workbook_bytes(pages.load(tmp_path / "out"), Period(2023)))
    cells = [c for row in openpyxl.load_workbook(path)["数据说明"].iter_rows() for c in row if isinstance(c.value, str)]
    listed = [c for c in cells if "=HYPERLINK(1).xlsx" in c.value]
    assert listed and all(c.data_type == "s" for c in listed)


def test_the_same_data_give_the_same_bytes(demo_report):
    _, data, period = demo_report
    generated = dt.date(2024, 1, 15)
    first = workbook_bytes(data, period, generated)
    # Every entry carries the fixed time, not the clock's: otherwise two runs differ whenever they straddle one
    # of the zip format's 2-second ticks (openpyxl adds the worksheets from temporary files).
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        times = {info.filename: info.date_time for info in archive.infolist()}
    assert any(name.startswith("xl/worksheets/") for name in times)
    assert set(times.values()) == {(2024, 1, 15, 9, 0, 0)}, times
    assert first == workbook_bytes(data, period, generated)


def test_libreoffice_calc_opens_the_report_and_shows_the_same_figures(demo_report, tmp_path):
    soffice = find_soffice()
    path, data, period = demo_report
    profile = (tmp_path / "profile").as_uri()  # a profile of its own: no clash with another LibreOffice
    run = [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore"]
    every_sheet = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    for target in ("pdf", every_sheet):
        proc = subprocess.run([*run, "--convert-to", target, "--outdir", str(tmp_path), str(path)],
                              capture_output=True, text=True, timeout=180)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    with open(tmp_path / "统计报表-主要指标.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    got = {r[0]: (float(r[2]), float(r[3]), r[5]) for r in rows[3:]}
    expected = _expected_indicators(data, period)
    assert got.keys() == expected.keys()
    for label, (value, previous, pct) in expected.items():
        assert got[label][:2] == pytest.approx((value, previous)), label
        shown = got[label][2]
        assert shown == pct if isinstance(pct, str) else float(shown.rstrip("%")) == pytest.approx(pct * 100), label
    sheets = {p.name for p in tmp_path.glob("统计报表-*.csv")}
    assert len(sheets) == 2 + len(pages.ledgers_with_data(data, period))
    from pypdf import PdfReader

    pdf = PdfReader(str(tmp_path / "统计报表.pdf"))
    text = "".join(page.extract_text() for page in pdf.pages)
    assert len(pdf.pages) >= len(sheets) and "12,386" in text and "2,714" in text


def test_a_ledger_with_a_fractional_measure_is_written_with_one_decimal(demo_report):
    import openpyxl

    path, _, _ = demo_report
    sheet = openpyxl.load_workbook(path)["主要指标"]
    area = next(r for r in sheet.iter_rows(min_row=4) if r[0].value == "拆除违建面积")
    assert area[2].number_format == "#,##0.0" and area[2].value == pytest.approx(4713.9)
    assert not pd.isna(area[4].value) and round(area[4].value, 1) == area[4].value

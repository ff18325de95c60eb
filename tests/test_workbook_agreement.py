"""The 报表 agrees with itself, on every sheet of a workbook built from data: each breakdown's 合计 is its indicator's
figure on 主要指标 (and, for counts and sums, the sum of its rows); no breakdown lists a category its indicator's
filter rules out; each ledger's sub-district × month tables cover the indicators 主要指标 lists for it; printed,
a header repeats only over its own table, captions fit their rows, and every page is numbered.

`assert_agrees` reads a workbook back with openpyxl and knows nothing of how it was written but the layout a
reader sees (bold bordered headers on a grey fill, a caption above each, 合计 last); test_workbook.py applies it
to the demo's 报表 as well."""
from __future__ import annotations

import math
import re
import unicodedata

import pandas as pd
import pytest
from conftest import write_xlsx

from analysis.ingest.spec import ledger_names, load_spec
from analysis.report import metrics, pages
from analysis.report.catalogue import parse_filter
from analysis.report.periods import Period
from analysis.report.workbook import workbook_bytes

CAPTION = re.compile(r"^(?P<label>.+)（(?P<unit>[^（）]+)）：(?P<period>.+?)(?:(?P<grid>分街道分月)|按(?P<by>.+))$")
NOT_TABLES = ("主要指标", "数据说明")


# ---------------------------------------------------------------- reading a workbook back

def _is_header(cell) -> bool:
    return bool(cell.value) and cell.font.bold and (cell.fill.fgColor.rgb or "").endswith("F2F2F2")


def tables(sheet) -> list[dict]:
    """Every bordered table of a sheet: its caption (the row above its header; the sheet's title for a table
    right under the 填报单位 line), header row number, header and rows (label, values)."""
    found = []
    for row in sheet.iter_rows():
        if not _is_header(row[0]):
            continue
        top = row[0].row
        caption = sheet.cell(top - 1, 1).value if top - 1 > 2 else sheet.cell(1, 1).value
        header = [c.value for c in row if c.value is not None]
        body = []
        for r in range(top + 1, sheet.max_row + 1):
            first = sheet.cell(r, 1)
            if first.value is None or first.border.left.style is None:
                break
            body.append((first.value, [sheet.cell(r, c).value for c in range(2, len(header) + 1)]))
        found.append({"caption": caption, "top": top, "header": header, "rows": body})
    return found


def main_figures(book) -> dict:
    """label -> this period's value, as 主要指标 shows it."""
    return {r[0].value: r[2].value for r in book["主要指标"].iter_rows(min_row=4) if r[0].value}


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


def _merged_width(sheet, cell) -> float:
    for rng in sheet.merged_cells.ranges:
        if rng.min_row == cell.row and rng.min_col == cell.column:
            columns = range(rng.min_col, rng.max_col + 1)
            break
    else:
        columns = [cell.column]
    from openpyxl.utils import get_column_letter

    return sum(sheet.column_dimensions[get_column_letter(c)].width or 8.43 for c in columns)


# ---------------------------------------------------------------- the checks

def assert_agrees(book, data, period: Period) -> None:
    figures = main_figures(book)
    catalogue = data.catalogue
    by_label = {row["label"]: row.rename(key) for key, row in catalogue.iterrows()}
    topics = {load_spec(name).topic: name for name in ledger_names()}
    assert figures, "主要指标 is empty"
    for sheet in book.worksheets:
        found = tables(sheet)
        assert found, sheet.title
        _assert_print_setup(sheet, found)
        if sheet.title in NOT_TABLES:
            continue
        ledger = topics[sheet.title]
        spec = load_spec(ledger)
        if spec.period_column.type != "date" or "subdistrict" not in data.tables[ledger].columns:
            continue  # a ledger filled once a year: a list of its figures (compared in test_workbook)
        grids = set()
        for table in found:
            match = CAPTION.fullmatch(table["caption"] or "")
            assert match, (sheet.title, table["caption"])
            label = match["label"]
            assert label in figures, (sheet.title, label)
            ind = by_label[label]
            assert ind["ledger"] == ledger and match["unit"] == ind["unit"]
            nunique = ind["measure"].startswith("nunique")
            rows = dict(table["rows"])
            labels = [name for name, _ in table["rows"]]
            assert labels[-1] == "合计", (sheet.title, table["caption"])
            total = rows["合计"][-1] or 0
            where = f"{sheet.title}：{table['caption']}"
            assert total == pytest.approx(figures[label] or 0), where
            parts = [values for name, values in table["rows"] if name != "合计"]
            if not nunique:  # counts and sums add up, rows whose column is blank included
                assert sum(v[-1] or 0 for v in parts) == pytest.approx(total), where
                for m in range(len(rows["合计"]) - 1):  # and month by month in a sub-district × month table
                    assert sum(v[m] or 0 for v in parts) == pytest.approx(rows["合计"][m] or 0), (where, m)
            if match["grid"]:
                grids.add(label)
                assert table["header"] == ["街道", *(f"{m}月" for m in period.months), "合计"], where
                column = "subdistrict"
            else:
                column = next(c.name for c in spec.columns if c.label == match["by"])
                assert column in ind["breakdowns"].split(), where
            listed = [name for name in labels if name != "合计" and not re.fullmatch(r"（未填.+）", name)]
            assert listed and not (set(listed) - _inside_filter(listed, ind["filter"], column)), where
        shown = set(catalogue.loc[catalogue["ledger"] == ledger, "label"]) & set(figures)
        assert grids == shown, sheet.title


def _inside_filter(levels: list, text: str, column: str) -> set:
    """The levels that the filter's clauses on `column` itself admit."""
    clauses = [p for p in text.split("&") if p.strip() and parse_filter(p)[0][0] == column]
    if not clauses:
        return set(levels)
    frame = pd.DataFrame({column: levels})
    return set(frame[column][metrics.filter_mask(frame, " & ".join(clauses))])


def _assert_print_setup(sheet, found: list) -> None:
    footer = sheet.oddFooter.center.text or ""
    assert "&P" in footer and "&N" in footer and footer == "第 &P 页 共 &N 页", sheet.title
    if len(found) == 1:  # one table: its title and header rows repeat, and stay frozen on screen
        assert sheet.print_title_rows == f"$1:${found[0]['top']}", sheet.title
        assert sheet.freeze_panes == f"B{found[0]['top'] + 1}", sheet.title
    else:  # several: no header stands over another table's rows
        assert sheet.print_title_rows is None, sheet.title
        assert sheet.freeze_panes is None, sheet.title
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
    for row in sheet.iter_rows():  # every text fits its cells (merged across for captions) at its row's height
        for cell in row:
            if not isinstance(cell.value, str):
                continue
            size = cell.font.sz or 11
            room = _merged_width(sheet, cell) - 1
            needed = _width(cell.value) * size / 11
            if needed <= room:
                continue
            assert cell.alignment.wrap_text, (sheet.title, cell.coordinate, cell.value)
            lines = math.ceil(needed / room)
            height = sheet.row_dimensions[cell.row].height or 15
            assert height >= lines * size * 1.2, (sheet.title, cell.coordinate, cell.value, height)


# ---------------------------------------------------------------- small ledgers written here

LICENSING = ["受理日期", "街道", "审批事项", "申请单位", "审批结果"]
CITY = ["日期", "街道", "整治项目", "数量", "处置方式"]
DEMOLITIONS = ["拆除日期", "街道", "地址", "拆除面积", "拆除方式"]
DUST = ["督导日期", "街道", "点位名称", "问题类型", "问题来源", "整改情况"]


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """Ledgers with every case the 报表 must get right: matters outside 办理行政许可案件's filter (门头招牌,
    外摆) with large counts of their own, a blank sub-district, distinct shops counted once, a blank 拆除方式,
    a problem type the filter rules out (无), four 市容 items of very different size."""
    from analysis.ingest.pipeline import clean

    root = tmp_path_factory.mktemp("agree")
    raw = root / "raw"
    licensing = []
    for i in range(60):
        month, day = 1 + i % 12, 1 + i % 27
        sub = "" if i % 7 == 0 else ["焦南", "民主", "新华"][i % 3]
        matter = ["户外广告许可", "临时户外广告审批", "占道审批", "门头招牌审批", "门头招牌审批", "外摆经营许可"][i % 6]
        licensing.append([f"2023-{month:02d}-{day:02d}", sub, matter, f"商户{i % 9}", "不予" if i % 11 == 0 else "准予"])
    licensing += [["2022-03-01", "焦南", "占道审批", "商户1", "准予"]]
    city = []
    for i in range(48):
        item = ["非法小广告", "非法小广告", "橱窗广告", "宣传条幅", "非法小广告", "安全隐患广告招牌"][i % 6]
        quantity = {"非法小广告": 300 + i, "橱窗广告": 150 + i, "宣传条幅": 5, "安全隐患广告招牌": 1}[item]
        city.append([f"2023-{1 + i % 12:02d}-10", ["焦西", "王褚", "焦北"][i % 3], item, quantity,
                     "拆除" if item == "安全隐患广告招牌" else "清理"])
    demolitions = [["2023-03-02", "焦南", "中山路1号", 120.5, "自行拆除"],
                   ["2023-05-09", "民生", "中山路7号", 80.25, ""],
                   ["2023-08-19", "民生", "建设路3号", 33.1, "依法强制拆除"]]
    dust = []
    for i in range(30):
        issue = "无" if i % 3 == 0 else ["黄土裸露", "湿法作业不到位"][i % 2]
        dust.append([f"2023-{1 + i % 12:02d}-05", ["新华", "焦南"][i % 2], f"工地{i % 5}", issue,
                     "市级督导" if i % 4 == 0 else "日常巡查", "" if issue == "无" else ("是" if i % 5 else "否")])
    write_xlsx(raw / "licensing" / "2023.xlsx", {"S": [LICENSING, *licensing]})
    write_xlsx(raw / "city_appearance" / "2023.xlsx", {"S": [CITY, *city]})
    write_xlsx(raw / "demolitions" / "2023.xlsx", {"S": [DEMOLITIONS, *demolitions]})
    write_xlsx(raw / "dust_control" / "2023.xlsx", {"S": [DUST, *dust]})
    clean(raw, root / "out", echo=lambda *a, **k: None)
    data = pages.load(root / "out")
    path = root / "r.xlsx"
    path.write_bytes(workbook_bytes(data, Period(2023)))
    import openpyxl

    return openpyxl.load_workbook(path), data, Period(2023)


def test_every_breakdown_agrees_with_the_main_sheet_on_every_sheet(small):
    assert_agrees(*small)


def test_a_breakdown_lists_no_category_its_indicator_leaves_out(small):
    book, data, _ = small
    found = {t["caption"]: dict(t["rows"]) for t in tables(book["行政审批"])}
    matters = found["办理行政许可案件（件）：2023年按审批事项"]
    assert list(matters) == ["户外广告许可", "临时户外广告审批", "占道审批", "合计"]  # no 门头招牌审批 0, 外摆经营许可 0
    figures = main_figures(book)
    assert matters["合计"] == [figures["办理行政许可案件"]] == [30]
    # the matters outside it have figures of their own, each with its sub-district × month table
    assert figures["审批门头招牌"] > 0 and "审批门头招牌（个）：2023年分街道分月" in found
    assert found["许可外摆经营的餐饮门店（家）：2023年分街道分月"]["合计"][-1] == figures["许可外摆经营的餐饮门店"]
    dust = {t["caption"]: dict(t["rows"]) for t in tables(book["扬尘管控督导"])}
    assert "无" not in dust["发现扬尘问题（个）：2023年按存在问题"]  # issue_type != 无


def test_each_ledger_sheet_covers_its_largest_indicators_not_the_first_row(small):
    book, _, _ = small
    captions = [t["caption"] for t in tables(book["市容整治"])]
    grids = [c for c in captions if c.endswith("分街道分月")]
    assert grids == [f"{label}：2023年分街道分月" for label in
                     ("查处拆除安全隐患广告招牌（处）", "清理宣传条幅（条）", "清理橱窗广告（处）", "清理非法小广告（处）")]


def test_rows_that_left_a_category_blank_are_a_row_of_their_own(small):
    book, _, _ = small
    found = {t["caption"]: dict(t["rows"]) for t in tables(book["违建拆除"])}
    methods = found["拆除违建（处）：2023年按拆除方式"]
    assert methods == {"自行拆除": [1], "依法强制拆除": [1], "（未填拆除方式）": [1], "合计": [3]}
    area = found["拆除违建面积（平方米）：2023年按拆除方式"]
    assert area["（未填拆除方式）"] == [80.25] and area["合计"] == [pytest.approx(233.85)]


def test_a_sheet_of_several_tables_repeats_no_header_and_every_page_is_numbered(small):
    book, _, _ = small
    assert book["主要指标"].print_title_rows == "$1:$3"
    for name in ("行政审批", "市容整治", "数据说明"):
        sheet = book[name]
        assert len(tables(sheet)) > 1 and sheet.print_title_rows is None, name
    assert {s.oddFooter.center.text for s in book.worksheets} == {"第 &P 页 共 &N 页"}
    # a caption is merged across the sheet, not left in column A to spill over (or wrap onto) the next row
    sheet = book["行政审批"]
    caption = next(c for c in sheet["A"] if c.value == "办理行政许可案件（件）：2023年按审批事项")
    assert any(r.min_row == caption.row and r.max_col == 14 for r in sheet.merged_cells.ranges)

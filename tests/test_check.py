"""`analysis check` and the annotated copies `analysis clean` writes: the copy shows the reading clean made, row by
row and cell by cell, and holds no personal data."""
from __future__ import annotations

import csv
import shutil
import subprocess
import uuid

import openpyxl
import pytest
from conftest import Run, find_soffice, write_xlsx

from analysis.commands.cli import main
from analysis.ingest import persons
from analysis.ingest.annotate import CLASS_NAMES, COPIES_DIR, FILLS, GUIDE

NAME, PHONE, AUDITOR, AUDITOR_PHONE = "李小明", "13912345678", "王建军", "13800001111"
REL = "street_vending/2024/3月台账.xlsx"
# Excel rows of the sheet, and the class `analysis check` should give each.
ROWS = [
    (["2024年3月三种经营整治台账"], "title"),
    (["序号", "日期", "街道", "地点", "经营类型", "数量", "经营者姓名", "联系电话"], "header"),
    ([1, "2024-03-05", "焦南办", "解放路", "店外经营", "约120", NAME, PHONE], "kept"),
    ([2, "2024/3/5 14:30", "民主街道", "人民路", "流动摊贩", 2, NAME, PHONE], "kept"),
    ([3, "不是日期", "新华街道", "建设路", "占道经营", 1, "", ""], "rejected"),
    ([4, "2024-03-06", "火星街道", "中原路", "店外经营", 1, NAME, ""], "rejected"),
    (["合计", "", "", "", "", 124], "total"),
    ([f"审核：{AUDITOR}　联系电话：{AUDITOR_PHONE}"], "footer"),
]


def _ledger(raw, rows=ROWS, rel=REL):
    return write_xlsx(raw / rel, {"3月": [r for r, _ in rows]})


def _cells(book):
    """Every value and comment of the workbook, as text."""
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None:
                    yield str(c.value)
                if c.comment is not None:
                    yield c.comment.text


def _rgb(cell) -> str:
    return (cell.fill.start_color.rgb or "")[-6:].upper()


@pytest.fixture
def checked(tmp_path, capsys):
    raw, out = tmp_path / "raw", tmp_path / "copies"
    _ledger(raw)
    code = main(["check", str(raw / REL), "--raw", str(raw), "--out", str(out)])
    return code, capsys.readouterr(), out / REL, raw, tmp_path


def test_check_prints_the_reading_and_writes_the_copy(checked):
    code, printed, copy, _, _ = checked
    assert code == 0, printed.err
    text = printed.out
    assert "表头在第 2 行" in text and "日期→日期（B列）" in text and "街道→街道（C列）" in text
    assert "个人信息列（已丢弃）：经营者姓名、联系电话" in text
    assert "保留的记录 2" in text and "剔除的记录 2" in text and "合计行 1" in text and "表尾 1" in text
    assert f"批注副本：{copy.parent.parent.parent}" in text or str(copy) in text
    assert copy.is_file()
    assert NAME not in text and PHONE not in text and AUDITOR_PHONE not in text


def test_the_copy_has_the_guide_first_and_a_class_and_fill_per_row(checked):
    _, _, copy, _, _ = checked
    book = openpyxl.load_workbook(copy)
    assert book.sheetnames == [GUIDE, "3月"]
    guide_text = "\n".join(str(v) for row in book[GUIDE].iter_rows(values_only=True) for v in row if v is not None)
    assert REL in guide_text and "第 2 行" in guide_text and "副本列" in guide_text
    ws = book["3月"]
    for i, (_, kind) in enumerate(ROWS, start=1):
        assert ws.cell(row=i, column=1).value == CLASS_NAMES[kind], i
        assert _rgb(ws.cell(row=i, column=1)) == FILLS[kind], i
    assert _rgb(ws.cell(row=5, column=4)) == FILLS["rejected"]  # the whole rejected row is red
    assert ws.freeze_panes == "B3"
    # values are copied as what they are: the count a number, the text text, one column to the right
    assert ws["B3"].value == 1 and ws["C3"].value == "2024-03-05" and ws["G4"].value == 2


def test_comments_carry_reject_reasons_and_readings_on_the_right_cells(checked):
    _, _, copy, _, _ = checked
    ws = openpyxl.load_workbook(copy)["3月"]
    # input column B (日期) is the copy's column C: the extra class column is A
    assert "日期" in ws["C5"].comment.text and ws["C5"].comment.author == "analysis check"
    assert "火星街道" in ws["D6"].comment.text and ws["C6"].comment is None
    assert "剔除原因" in ws["A5"].comment.text and "日期（B列）" in ws["A5"].comment.text
    assert ws["D3"].comment.text == "读作：焦南街道"
    assert ws["G3"].comment.text == "读作：120"
    assert ws["C4"].comment.text == "读作：2024-03-05"
    assert ws["C3"].comment is None and ws["E3"].comment is None  # read as written: no comment
    commented = {(c.row, c.column) for row in ws.iter_rows() for c in row if c.comment is not None}
    assert commented == {(3, 4), (3, 7), (4, 3), (5, 1), (5, 3), (6, 1), (6, 4)}


def test_the_copy_holds_no_personal_data(checked):
    _, _, copy, _, _ = checked
    book = openpyxl.load_workbook(copy)
    everything = "\n".join(_cells(book))
    for secret in (NAME, PHONE, AUDITOR_PHONE):
        assert secret not in everything
    masked, _ = persons.mask_people_in_note(f"审核：{AUDITOR}")
    if AUDITOR not in masked:  # the footer's name goes exactly as persons.py takes it out of notes
        assert AUDITOR not in everything
    ws = book["3月"]
    assert "已隐去" in ws["H2"].value and "已隐去" in ws["I2"].value
    assert all(ws.cell(row=r, column=c).value is None for r in range(3, 7) for c in (8, 9))


def test_the_copy_agrees_with_what_clean_records(checked):
    _, _, copy, raw, tmp_path = checked
    run = Run(raw, tmp_path / "processed")
    sheet = run.sheet(REL, "3月")
    ws = openpyxl.load_workbook(copy)["3月"]
    classes = [ws.cell(row=r, column=1).value for r in range(1, ws.max_row + 1)]
    assert classes.count(CLASS_NAMES["kept"]) == sheet["kept"]
    assert classes.count(CLASS_NAMES["rejected"]) == sheet["rejected"]
    red = {r for r in range(1, ws.max_row + 1) if classes[r - 1] == CLASS_NAMES["rejected"]}
    assert red == set(map(int, run.rejects["row"]))
    assert len(classes) == sheet["rows"]


def test_check_refuses_an_out_folder_inside_raw(tmp_path, capsys):
    raw = tmp_path / "raw"
    _ledger(raw)
    assert main(["check", str(raw / REL), "--raw", str(raw), "--out", str(raw / "副本")]) == 2
    assert "不能写进原始台账文件夹" in capsys.readouterr().err
    assert not (raw / "副本").exists()


def test_check_names_a_file_outside_any_ledger_folder_and_a_missing_path(tmp_path, capsys):
    raw = tmp_path / "raw"
    _ledger(raw, rel="杂项/a.xlsx")
    assert main(["check", str(raw / "杂项"), "--raw", str(raw), "--out", str(tmp_path / "o")]) == 1
    assert "不在任何台账文件夹中" in capsys.readouterr().out
    assert main(["check", str(raw / "nothing.xlsx"), "--raw", str(raw), "--out", str(tmp_path / "o")]) == 2
    assert "找不到" in capsys.readouterr().err
    assert main(["check", str(tmp_path), "--raw", str(raw), "--out", str(tmp_path / "o")]) == 2
    assert "不在原始台账文件夹" in capsys.readouterr().err


def test_check_reads_a_folder_recursively(tmp_path, capsys):
    raw, out = tmp_path / "raw", tmp_path / "o"
    _ledger(raw)
    _ledger(raw, rel="street_vending/2024/4月/b.xlsx")
    assert main(["check", str(raw / "street_vending"), "--raw", str(raw), "--out", str(out)]) == 0
    assert (out / REL).is_file() and (out / "street_vending/2024/4月/b.xlsx").is_file()


def test_clean_writes_copies_for_files_with_rejects_only_and_removes_them_once_fixed(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "processed"
    _ledger(raw)
    good = [(r, k) for r, k in ROWS if k != "rejected"]
    good[-2] = (["合计", "", "", "", "", 122], "total")
    _ledger(raw, good, rel="street_vending/2024/好.xlsx")
    run = Run(raw, out)
    copy, clean_copy = out / COPIES_DIR / REL, out / COPIES_DIR / "street_vending/2024/好.xlsx"
    assert copy.is_file() and not clean_copy.exists()
    ws = openpyxl.load_workbook(copy)["3月"]
    assert [ws.cell(row=r, column=1).value for r in (5, 6)] == [CLASS_NAMES["rejected"]] * 2
    assert run.exit_code == 0
    again = Run(raw, out)  # nothing changed: up to date, the copy stays
    assert "已是最新" in again.text and copy.is_file()
    _ledger(raw, good)  # the squad fixed the red rows
    Run(raw, out)
    assert not copy.exists() and not (out / COPIES_DIR).exists()


def test_values_sent_to_other_alone_get_no_copy_from_clean_but_check_shows_each_cell(tmp_path, capsys):
    """A catch-all value is named per ledger in the summary (the fix is usually the spec); its cells are shown on
    demand by `analysis check`, which the summary line names, and clean writes no copy for it (a copy of every such
    file made a cold clean many times as long)."""
    raw, out = tmp_path / "raw", tmp_path / "processed"
    rel = "gas_safety/2024/3月.xlsx"
    write_xlsx(raw / rel, {"S": [["排查日期", "街道", "单位名称", "单位类型", "发现隐患"],
                                 ["2024-03-01", "焦南", "某宾馆", "宾馆", 1], ["2024-03-02", "焦南", "某店", "餐饮", 0]]})
    run = Run(raw, out)
    line = next(line for line in run.lines if "[归入其他]" in line)
    assert "宾馆（1）" in line and "用 analysis check 检查这个台账的文件夹" in line and "读作：其他" in line
    assert run.manifest["exit_code"] == 0 and not (out / COPIES_DIR).exists()
    capsys.readouterr()
    assert main(["check", str(raw / "gas_safety"), "--raw", str(raw), "--out", str(tmp_path / "c")]) == 0
    ws = openpyxl.load_workbook(tmp_path / "c" / rel)["S"]
    notes = [c.comment.text for row in ws.iter_rows() for c in row if c.comment is not None]
    assert any(n.startswith("读作：其他（“宾馆”") for n in notes), notes


def test_the_data_quality_page_lists_the_copies(tmp_path):
    from analysis.report import pages

    raw, out = tmp_path / "raw", tmp_path / "processed"
    _ledger(raw)
    Run(raw, out)
    html = pages.rejects_table(pages.load(out)).data
    assert "批注副本" in html and f"{COPIES_DIR}/{REL}" in html


def test_the_page_lists_the_copies_from_the_manifest_in_a_briefing_too(tmp_path):
    """The briefing loads a snapshot of the processed folder, without 批注副本: the list comes from the manifest, and
    the path is the copy's in the clean's own folder, which the briefing passes to the page as clean_dir."""
    from analysis.ingest.tables import snapshot
    from analysis.report import pages
    from analysis.report.data import shown_path

    raw, out, snap = tmp_path / "raw", tmp_path / "processed", tmp_path / "reports" / ".build" / "data"
    _ledger(raw)
    Run(raw, out)
    snapshot(out, snap)
    data = pages.load(snap)
    assert not (snap / COPIES_DIR).exists()
    told = pages.rejects_table(data, clean_dir=out).data  # as `analysis briefing` tells the page (plan_pages)
    assert shown_path(out / COPIES_DIR / REL) in told and (out / COPIES_DIR / REL).is_file()
    assert shown_path(out / COPIES_DIR / REL) in pages.rejects_table(pages.load(out)).data


def test_a_copy_costs_the_rows_with_content_not_the_grid(tmp_path, capsys):
    """One stray value in A1048576 under a small table: the copy holds the table, one row for the blank rows in
    between and the stray row where it is (rejected), not a million rows; the same reading gives the same bytes."""
    import re
    import zipfile

    raw, out = tmp_path / "raw", tmp_path / "copies"
    path = raw / "street_vending" / "stray.xlsx"
    path.parent.mkdir(parents=True)
    book = openpyxl.Workbook()
    book.active.title = "台账"
    for row in (["日期", "街道", "类型", "数量"], ["2023-03-05", "焦南", "游商", 2], ["2023-03-06", "王褚", "占道", 3]):
        book.active.append(row)  # four columns: a million rows of them are read (MAX_AREA)
    book.active["A1048576"] = "x"
    book.save(path)
    assert main(["check", str(path), "--raw", str(raw), "--out", str(out)]) == 0, capsys.readouterr().out
    copy = out / "street_vending" / "stray.xlsx"
    first = copy.read_bytes()
    assert len(first) < 20_000
    with zipfile.ZipFile(copy) as z:
        sheet = z.read("xl/worksheets/sheet2.xml").decode()
    assert [int(r) for r in re.findall(r'<row r="(\d+)"', sheet)] == [1, 2, 3, 4, 1_048_576]
    ws = openpyxl.load_workbook(copy)["台账"]
    assert ws["A4"].value == f"{CLASS_NAMES['blank']}（共 1048572 行，至第 1048575 行）"
    assert ws["A1048576"].value == CLASS_NAMES["rejected"] and ws["B1048576"].value == "x"
    assert "日期" in ws["B1048576"].comment.text
    assert main(["check", str(path), "--raw", str(raw), "--out", str(out)]) == 0
    assert copy.read_bytes() == first


@pytest.mark.slow
def test_libreoffice_calc_opens_the_copy(checked, tmp_path):
    soffice = find_soffice()
    _, _, copy, _, _ = checked
    profile = f"file:///tmp/lo-{uuid.uuid4().hex}"  # a profile of its own: no clash with another LibreOffice
    every_sheet = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    converted = tmp_path / "csv"
    try:
        proc = subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore",
                               "--convert-to", every_sheet, "--outdir", str(converted), str(copy)],
                              capture_output=True, text=True, timeout=180)
    finally:
        shutil.rmtree(profile.removeprefix("file://"), ignore_errors=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with open(converted / f"{copy.stem}-3月.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert [r[0] for r in rows] == [CLASS_NAMES[k] for _, k in ROWS]
    assert rows[2][2:4] == ["2024-03-05", "焦南办"] and rows[1][7].endswith("已隐去）")
    assert (converted / f"{copy.stem}-{GUIDE}.csv").is_file()


def test_names_outside_the_ledgers_columns_in_footers_and_in_unread_sheets_never_reach_the_copy(tmp_path, capsys):
    """The columns the clean does not read (巡查人员), footers written without a colon (制表 张三　审核 李四) and sheets
    it does not read as the ledger (a 值班人员 sheet with names and phones) are not in the outputs: nor in the copy."""
    raw, out = tmp_path / "raw", tmp_path / "copies"
    rel = "street_vending/值班.xlsx"
    sheets = {
        "3月": [["日期", "街道", "经营类型", "数量", "巡查人员"], ["2024-03-05", "焦南", "店外经营", 1, "孙七、周八"],
               ["2024-03-06", "火星街道", "店外经营", 1, "吴九"], ["制表 张三", "", "审核 李四"], ["审核", "王建军"]],
        "值班人员": [["值班表"], ["", "陈小明", "13912345678"], ["", "赵大海", ""]],
    }
    write_xlsx(raw / rel, sheets)
    assert main(["check", str(raw / rel), "--raw", str(raw), "--out", str(out)]) == 0
    book = openpyxl.load_workbook(out / rel)
    text = "\n".join(_cells(book))
    for secret in ("孙七", "周八", "吴九", "张三", "李四", "王建军", "陈小明", "赵大海", "13912345678"):
        assert secret not in text, secret
    assert book.sheetnames == [GUIDE, "3月"] and "值班人员" in text  # named in 读取说明, not copied


def test_the_copy_keeps_each_value_as_the_kind_it_is_and_the_same_plans_give_the_same_bytes():
    """The copy's writer (XlsxWriter) is told what each value is: text stays text however it looks (a formula, a
    number with leading zeros, a link), numbers and truth values stay so, dates and times show as dates and times
    with the cell's fill kept; a merge keeps its text; the same plans give the same bytes."""
    import datetime as dt
    import io

    from analysis.ingest.annotate import _look, _Plan, _workbook

    values = ["=1+1", "0012", "https://example.org", "1e5", 3, 2.5, True, False, dt.date(2023, 8, 1),
              dt.datetime(2023, 8, 1, 14, 30), dt.time(9, 15), "读作：焦南街道"]
    plan = _Plan("台账", [(1, {1: ("标题", _look("title", "title"), None)}),
                          (2, {c: (v, _look("rejected"), "剔除：原因" if c == 1 else None)
                               for c, v in enumerate(values, start=1)})],
                 freeze="B2", widths={"A": 12}, heights={1: 30}, merged=["A1:D1"])
    data = _workbook([plan])
    assert data == _workbook([plan])
    ws = openpyxl.load_workbook(io.BytesIO(data))["台账"]
    got = [ws.cell(row=2, column=c) for c in range(1, len(values) + 1)]
    assert [c.value for c in got[:8]] == values[:8]
    assert [c.data_type for c in got[:4]] == ["s"] * 4 and got[6].data_type == got[7].data_type == "b"
    assert got[8].value == dt.datetime(2023, 8, 1) and got[8].number_format == "yyyy-mm-dd"
    assert got[9].value == dt.datetime(2023, 8, 1, 14, 30) and got[9].number_format == "yyyy-mm-dd h:mm:ss"
    assert got[10].value == dt.time(9, 15) and got[10].number_format == "h:mm:ss"
    assert all(c.fill.fgColor.rgb[-6:] == FILLS["rejected"] for c in got)
    assert got[0].comment.text == "剔除：原因" and got[0].comment.author == "analysis check" and got[1].comment is None
    assert ws["A1"].value == "标题" and ws["A1"].font.b and [str(r) for r in ws.merged_cells.ranges] == ["A1:D1"]
    assert ws.freeze_panes == "B2" and ws.row_dimensions[1].height == 30


def test_every_repeat_of_a_reading_gets_its_comment_and_equal_values_of_other_kinds_their_own(tmp_path, capsys):
    # The readings are worked out once per distinct cell (a ledger repeats its values): each repeat must still get
    # its comment, and a cell equal to another in Python but shown otherwise must get its own: TRUE == 1 in Python,
    # and a value the catch-all takes in is quoted as the cell shows it.
    header = ["序号", "日期", "街道", "地点", "经营类型", "数量", "处置方式"]
    cells = [("2024-03-05", "焦南办", 2, 1), ("2024/3/5 14:30", "焦南办", "约2", True), ("2024-03-05", "焦南街道", 2.0, 1),
             ("2024-03-05", "焦南办", "2", "劝导"), ("2024/3/5 14:30", "焦南街道", "约2", True), ("2024-03-05", "焦南办", 2, 1)]
    rows = [(header, "header")] + [([i, day, street, "解放路", "店外经营", n, action], "kept")
                                   for i, (day, street, n, action) in enumerate(cells, start=1)]
    raw, out = tmp_path / "raw", tmp_path / "copies"
    _ledger(raw, rows)
    assert main(["check", str(raw / REL), "--raw", str(raw), "--out", str(out)]) == 0, capsys.readouterr().err
    ws = openpyxl.load_workbook(out / REL)["3月"]
    for excel_row, (day, street, n, action) in enumerate(cells, start=2):
        notes = {c: ws[f"{c}{excel_row}"].comment for c in "CDGH"}
        assert (notes["C"] and notes["C"].text) == ("读作：2024-03-05" if " " in day else None), (excel_row, day)
        assert (notes["D"] and notes["D"].text) == ("读作：焦南街道" if street == "焦南办" else None), excel_row
        assert (notes["G"] and notes["G"].text) == ("读作：2" if n == "约2" else None), (excel_row, n)
        if action == "劝导":
            assert notes["H"].text == "读作：劝导教育", excel_row
        else:  # the cell quoted as it shows: 1, or TRUE (in the reader's spelling)
            assert notes["H"].text.startswith("读作：其他（“"), excel_row
            quoted = notes["H"].text.split("“")[1].split("”")[0]
            assert quoted.upper() == ("TRUE" if action is True else "1"), (excel_row, quoted)


def test_a_name_in_the_cell_after_a_label_is_masked_each_time_the_label_recurs():
    # Rows are masked cell by cell from a memo; a row is looked at pair by pair only when it holds a label (审核：),
    # which must be found on the label's later rows too, when its text comes from the memo.
    from analysis.ingest.annotate import _Masker

    masker = _Masker()
    hows = ["note", "note", "note"]
    for row in (["审核：", AUDITOR, ""], ["合计", "审核：", AUDITOR], ["审核：", AUDITOR, ""], ["审核 ：  ", AUDITOR]):
        out = masker.row(row, hows)
        assert AUDITOR not in "".join(map(str, out)) and persons.PERSON in "".join(map(str, out)), (row, out)
    assert masker.row(["民主街道", "解放路", 3], hows) == ["民主街道", "解放路", 3]

    class Unhashable(str):  # no reader gives one; masked without the memo, its label must still be seen
        __hash__ = None

    out = _Masker().row([Unhashable("电话13812345678 审核："), AUDITOR], hows)
    assert AUDITOR not in "".join(out) and persons.PERSON in out[1], out


def test_a_date_split_into_year_month_and_day_columns_is_shown_in_the_copy(tmp_path, capsys):
    # The 月 and 日 columns are read (as one date with 年), so their text is no text the outputs leave out.
    header = ["序号", "日期", "日期", "日期", "街道", "地点", "经营类型", "数量"]
    rows = [header, ["", "年", "月", "日", "", "", "", ""], [1, "2024年", "3月", "05日", "焦南街道", "解放路", "店外经营", 2],
            [2, 2024, 3, 6, "焦南街道", "解放路", "店外经营", 1]]
    raw, out = tmp_path / "raw", tmp_path / "copies"
    write_xlsx(raw / REL, {"3月": rows}, merges={"3月": ["B1:D1"]})
    assert main(["check", str(raw / REL), "--raw", str(raw), "--out", str(out)]) == 0, capsys.readouterr().err
    ws = openpyxl.load_workbook(out / REL)["3月"]
    assert [ws.cell(row=r, column=1).value for r in (3, 4)] == [CLASS_NAMES["kept"]] * 2
    assert [ws[f"{c}3"].value for c in "CDE"] == ["2024年", "3月", "05日"]
    assert [ws[f"{c}4"].value for c in "CDE"] == [2024, 3, 6]


def test_a_number_shown_as_a_percentage_keeps_its_format_in_the_copy_and_its_row_its_fill(tmp_path, capsys):
    header = ["序号", "日期", "街道", "地点", "经营类型", "数量"]
    rows = [header, [1, "2024-03-05", "焦南街道", "解放路", "店外经营", 1], [2, "2024-03-06", "焦南街道", "", "店外经营", 2]]
    raw, out = tmp_path / "raw", tmp_path / "copies"
    path = write_xlsx(raw / REL, {"3月": rows})
    book = openpyxl.load_workbook(path)
    book["3月"]["A2"].number_format = "0%"  # a kept row: 序号 1 shows as 100%
    book["3月"]["F3"].number_format = "0%"  # a count shown as 200%: rejected
    book.save(path)
    assert main(["check", str(raw / REL), "--raw", str(raw), "--out", str(out)]) == 0, capsys.readouterr().err
    ws = openpyxl.load_workbook(out / REL)["3月"]
    assert [ws.cell(row=r, column=1).value for r in (2, 3)] == [CLASS_NAMES["kept"], CLASS_NAMES["rejected"]]
    assert ws["B2"].value == 1 and ws["B2"].number_format == "0%" and _rgb(ws["B2"]) != FILLS["rejected"]
    assert ws["G3"].value == 2 and ws["G3"].number_format == "0%" and _rgb(ws["G3"]) == FILLS["rejected"]
    assert ws["E3"].value is None and _rgb(ws["E3"]) == FILLS["rejected"]  # a blank cell of the red row is red too
    assert ws["G2"].number_format == "General" and ws["C3"].number_format == "General"

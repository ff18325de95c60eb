"""The forms real ledgers are written in (issue 10), on workbooks the tests build: dates with a time, every kind of
total and footer, summary and instruction sheets, personal data in any width, labels with line breaks, small value
forms; and one folder that mixes them all, with exact totals, an exact reject count and no personal data out."""
from __future__ import annotations

import datetime as dt

import pytest
from conftest import write_xlsx
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.ingest import normalize as nz
from analysis.ingest.layout import ROW_KINDS, RowEvidence, _row_kind, _row_kinds
from analysis.ingest.spec import load_common
from analysis.report import pages

ROW_KIND_ZEROS = dict.fromkeys(ROW_KINDS, 0)  # the kinds of row a test expects none of

D = dt.date
COMMON = load_common()
SV_HEADER = ["序号", "日期", "所属街道", "类型", "数量（处）", "处置方式", "路段"]
GAS_HEADER = ["序号", "排查日期", "所属街道", "单位名称", "单位类型", "发现隐患", "已整改", "查扣钢瓶", "黑窝点"]
SV = "street_vending"


def sv(i, day, sub="焦南", kind="游商", places=1, action="劝离", road="解放路"):
    return [i, day, sub, kind, places, action, road]


def only_sheet(run, file):
    f = next(f for f in run.manifest["files"] if f["file"] == file)
    assert len(f["sheets"]) == 1
    return f["sheets"][0]


def processed_text(run) -> str:
    """Everything under data/processed as text: every file's bytes (the cache too) and every table's values."""
    blobs = [p.read_bytes().decode("utf-8", "replace") for p in run.out.rglob("*") if p.is_file()]
    blobs += [run.table(ledger).astype(str).to_csv() for ledger in run.manifest["ledgers"]]
    return "\n".join(blobs)


# ---------------------------------------------------------------- 1. dates with a time

@pytest.mark.parametrize("cell", [
    "2024-6-1 8:05", "2024/6/1 9:30", "2024-06-01 09:30:00", "2024-06-01T09:30", "2024年6月1日 14:30",
    "2024年6月1日14时30分", "2024年6月1日 下午2:30", " 2024 / 6 / 1  9:30 ", "２０２４－０６－０１　０９：３０",
    dt.datetime(2024, 6, 1, 8, 5),
])
def test_a_date_with_a_time_reads_as_its_date(raw, run_clean, cell):
    write_xlsx(raw / SV / "d.xlsx", {"S": [SV_HEADER, sv(1, cell)]})
    run = run_clean()
    assert run.table(SV)["date"].dt.date.tolist() == [D(2024, 6, 1)]
    assert run.rejects.empty


def test_excels_own_csv_of_date_times_loses_no_record_and_adds_up(raw, run_clean):
    """What Excel in Chinese writes for date-time cells when it saves a CSV, as in the file that lost 9 of 97."""
    lines = ["日期,街道,类型,数量"]
    days = [D(2024, 3, 1) + dt.timedelta(days=i % 28) for i in range(97)]
    for i, d in enumerate(days):
        minute = 5 + i % 50
        lines.append(f"{d.year}/{d.month}/{d.day} {8 + i % 10}:{minute:02d},焦南,游商,{1 + i % 3}")
    lines.append(f"合计,,,{sum(1 + i % 3 for i in range(97))}")
    (raw / SV).mkdir()
    (raw / SV / "导出.csv").write_bytes("\n".join(lines).encode("utf-8-sig"))
    run = run_clean()
    t = run.table(SV)
    assert len(t) == 97 and t["date"].dt.date.tolist() == days
    assert run.rejects.empty and "合计不符" not in run.text and run.exit_code == 0


@pytest.mark.parametrize("cell, reason", [("2024-6-1 8:65", "日期无法识别"), ("2024-6-18:05", "日期无法识别"),
                                          ("2024年6月1日 星期一", "日期与星期不符（6月1日不是星期一）")])
def test_a_date_with_a_broken_time_or_a_wrong_weekday_is_rejected(raw, run_clean, cell, reason):
    write_xlsx(raw / SV / "d.xlsx", {"S": [SV_HEADER, sv(1, cell), sv(2, "2024-6-2")]})
    run = run_clean()
    assert run.table(SV)["date"].dt.day.tolist() == [2]
    assert run.rejects[["row", "column", "reason"]].values.tolist() == [["2", "日期（B列）", reason]]


# ---------------------------------------------------------------- 2. totals

TOTAL_LABELS = ["合计", "合 计", "合\u3000计", "总计：", "总计:", "共计", "本月合计", "6月合计", "六月合计", "本页合计", "第1页合计",
                "小计", "本月小计", "焦南街道小计", "焦南街道 小计", "小计（焦南街道）", "焦南小计", "焦南办小计", "2024年6月合计"]


@pytest.mark.parametrize("label", TOTAL_LABELS)
@pytest.mark.parametrize("merged", [False, True])
def test_a_total_row_is_counted_as_such_and_checked(raw, run_clean, label, merged):
    rows = [SV_HEADER, sv(1, D(2024, 6, 1), places=2), sv(2, D(2024, 6, 2), places=3), [label, None, None, None, 5]]
    if merged:  # the label merged across 序号 … 类型 (the reader fills the merged range)
        rows[-1] = [label] * 4 + [5]
    write_xlsx(raw / SV / "t.xlsx", {"S": rows}, {"S": ["A4:D4"]} if merged else None)
    run = run_clean()
    s = only_sheet(run, f"{SV}/t.xlsx")
    assert (s["row_kinds"]["total"], s["kept"], s["rejected"]) == (1, 2, 0)
    assert "total_mismatches" not in s and "unchecked_totals" not in s
    write_xlsx(raw / SV / "t.xlsx", {"S": rows[:-1] + [rows[-1][:4] + [6]]}, {"S": ["A4:D4"]} if merged else None)
    wrong = run_clean()
    line = next(t for t in wrong.text.splitlines() if "[合计不符]" in t)
    assert "第4行 数量（处）（E列）：表内合计 6，逐行相加 5" in line


@pytest.mark.parametrize("label", ["累计", "全年累计", "1—6月累计", "本年累计", "全年合计", "民主街道累计", "截至6月底合计",
                                   "过次页"])
def test_a_running_total_is_a_total_recorded_without_a_check(raw, run_clean, label):
    rows = [SV_HEADER, sv(1, D(2024, 6, 1), places=2), ["本月合计", None, None, None, 2], [label, None, None, None, 40]]
    write_xlsx(raw / SV / "t.xlsx", {"S": rows})
    run = run_clean()
    s = only_sheet(run, f"{SV}/t.xlsx")
    assert (s["row_kinds"]["total"], s["kept"], s["rejected"]) == (2, 1, 0)
    assert s["unchecked_totals"] == [{"row": 4, "reason": "累计行可能包括其他工作表或其他月份的记录，未核对"}]
    assert "合计不符" not in run.text and run.rejects.empty


def test_group_subtotals_are_checked_against_the_rows_since_the_previous_total(raw, run_clean):
    rows = [
        SV_HEADER,
        sv(1, D(2024, 6, 1), "焦南", places=2), sv(2, D(2024, 6, 2), "焦南", places=3),
        ["焦南街道小计"] * 4 + [5],
        sv(3, D(2024, 6, 3), "民主", places=4),
        ["民主街道小计"] * 4 + [9],  # wrong: its rows give 4
        sv(4, D(2024, 6, 4), "焦西", places=1),
        ["新华街道小计"] * 4 + [1],  # names a sub-district its rows are not in: which rows it sums cannot be told
        sv(5, D(2024, 6, 5), "焦北", places=6), sv(6, D(2024, 6, 5), "焦北", places=1),
        ["小计", None, None, None, 7],
        ["本页合计", None, None, None, 17],  # since the page began (the subtotals above are no page's end)
        ["合计", None, None, None, 17],
    ]
    write_xlsx(raw / SV / "g.xlsx", {"6月": rows}, {"6月": ["A4:D4", "A6:D6", "A8:D8"]})
    run = run_clean()
    s = only_sheet(run, f"{SV}/g.xlsx")
    assert (s["row_kinds"]["total"], s["kept"], s["rejected"]) == (6, 6, 0)
    assert [(m["row"], m["sheet_total"], m["sum_of_rows"]) for m in s["total_mismatches"]] == [(6, 9, 4)]
    assert [u["row"] for u in s["unchecked_totals"]] == [8]
    assert "新华街道" in s["unchecked_totals"][0]["reason"]
    assert run.table(SV)["places"].sum() == 17


def test_subtotals_written_above_their_rows_are_recorded_without_a_check(raw, run_clean):
    rows = [SV_HEADER, ["焦南街道小计"] * 4 + [5], sv(1, D(2024, 6, 1), "焦南", places=2), sv(2, D(2024, 6, 2), "焦南", places=3),
            ["民主街道小计"] * 4 + [4], sv(3, D(2024, 6, 3), "民主", places=4), ["合计", None, None, None, 9]]
    write_xlsx(raw / SV / "top.xlsx", {"S": rows})
    run = run_clean()
    s = only_sheet(run, f"{SV}/top.xlsx")
    assert [u["row"] for u in s["unchecked_totals"]] == [2, 5] and "total_mismatches" not in s
    assert "合计不符" not in run.text and run.table(SV)["places"].sum() == 9


def test_month_page_and_sub_district_totals_nest(raw, run_clean):
    """Sub-district subtotals inside months, a page total cutting through a month, month totals and the sheet's."""
    rows = [
        SV_HEADER,
        sv(1, D(2024, 1, 5), "焦南", places=1), sv(2, D(2024, 1, 6), "焦南", places=2), ["焦南街道小计"] * 4 + [3],
        sv(3, D(2024, 1, 7), "民主", places=4), ["民主街道小计"] * 4 + [4],
        ["1月合计", None, None, None, 7],
        sv(4, D(2024, 2, 1), "新华", places=5), ["本页合计", None, None, None, 12], ["累计", None, None, None, 12],
        sv(5, D(2024, 2, 9), "新华", places=6), ["小计（新华街道）"] * 4 + [11],
        ["二月合计", None, None, None, 11], ["本页合计", None, None, None, 6],
        ["合计", None, None, None, 18],
    ]
    write_xlsx(raw / SV / "m.xlsx", {"S": rows})
    run = run_clean()
    s = only_sheet(run, f"{SV}/m.xlsx")
    assert (s["row_kinds"]["total"], s["kept"]) == (9, 5)
    assert "total_mismatches" not in s and [u["row"] for u in s["unchecked_totals"]] == [10]


def test_a_record_whose_free_text_holds_a_total_or_footer_word_is_a_record(raw, run_clean):
    """合计路, 统计局食堂, 审核中心: the words stand in free text of rows that hold a date, and the rows are records."""
    rows = [
        ["路段", "日期", "街道", "类型", "数量", "备注"],
        ["合计路", D(2024, 6, 1), "焦南", "游商", 2, ""],
        ["统计局门前", D(2024, 6, 2), "焦南", "占道", 1, "本月合计已上报"],
        ["审核中心北侧", "2024/6/3 9:30", "民主", "店外", 3, ""],
        ["联系人：某某说的地方", D(2024, 6, 4), "民主", "游商", 1, ""],
        ["合计", None, None, None, 7],
        ["审核：王某"],
    ]
    write_xlsx(raw / SV / "r.xlsx", {"S": rows})
    gas = [["单位名称", "排查日期", "街道", "单位类型", "发现隐患"], ["统计局食堂", D(2024, 6, 1), "焦南", "饭店", 1],
           ["小计烧烤", D(2024, 6, 2), "焦南", "饭店", 2], ["合计", None, None, None, 3]]
    write_xlsx(raw / "gas_safety" / "g.xlsx", {"S": gas})
    run = run_clean()
    assert run.table(SV)["location"].tolist() == ["合计路", "统计局门前", "审核中心北侧", "联系人：某某说的地方"]
    assert run.table("gas_safety")["unit_name"].tolist() == ["统计局食堂", "小计烧烤"]
    s = only_sheet(run, f"{SV}/r.xlsx")
    assert (s["row_kinds"]["data"], s["row_kinds"]["total"], s["row_kinds"]["footer"]) == (4, 1, 1)
    assert run.rejects.empty and "合计不符" not in run.text


# ---------------------------------------------------------------- 3. footers

FOOTERS = ["填报单位：解放区城管局", "填报人：王建军", "填表人:王建军", "制表：李红梅", "制表人：李红梅", "审核：赵国强",
           "审核人 赵国强", "统计：周敏", "负责人：孙丽", "单位负责人：孙丽", "主要负责人：孙丽", "分管领导：钱志明",
           "联系人：周敏", "联系电话：13912345678", "填表日期：2024年7月1日", "填报日期：2024-07-01", "报送日期：2024.7.1",
           "备注：无", "说明：示例", "审 核 ： 赵国强", "经办人：吴刚", "复核：吴刚", "打印人：吴刚", "领导签字：钱志明"]
FOOTER_NAMES = ["王建军", "李红梅", "赵国强", "周敏", "孙丽", "钱志明", "吴刚", "13912345678"]


@pytest.mark.parametrize("merged", [False, True])
def test_footers_are_footers_and_their_names_go_nowhere(raw, run_clean, merged):
    rows = [SV_HEADER, sv(1, D(2024, 6, 1), places=2), sv(2, D(2024, 6, 2), places=3), ["合计", None, None, None, 5]]
    merges = []
    for text in FOOTERS:
        rows.append([text] * 7 if merged else [text])
        if merged:
            merges.append(f"A{len(rows)}:G{len(rows)}")
    rows.append(["审核：赵国强", None, "制表：李红梅", None, "联系电话：１５８７４２１３６６３"])
    rows.append(["审核：赵国强　制表：李红梅　联系电话：139 1234 5678"] * (7 if merged else 1))
    write_xlsx(raw / SV / "f.xlsx", {"S": rows}, {"S": merges})
    run = run_clean()
    s = only_sheet(run, f"{SV}/f.xlsx")
    assert (s["row_kinds"]["footer"], s["kept"], s["rejected"]) == (len(FOOTERS) + 2, 2, 0)
    assert run.rejects.empty and run.exit_code == 0 and run_clean(strict=True).exit_code == 0
    text = processed_text(run)
    for secret in FOOTER_NAMES + ["１５８７４２１３６６３", "139 1234 5678"]:
        assert secret not in text


# ---------------------------------------------------------------- 4. summary and instruction sheets

def detail_sheet(places=(2, 3, 4)):
    return [["2024年6月三种经营整治台账"], SV_HEADER,
            sv(1, D(2024, 6, 1), "焦南", places=places[0]), sv(2, D(2024, 6, 2), "焦南", places=places[1]),
            sv(3, D(2024, 6, 3), "民主", places=places[2]), ["合计", None, None, None, sum(places)]]


def summary_sheet(jiaonan=5, minzhu=4, total=9):
    return [["2024年6月汇总"], ["序号", "街道", "数量（处）", "备注"], [1, "焦南街道", jiaonan, ""], [2, "民主街道", minzhu, ""],
            [3, "新华街道", 0, ""], ["合计", None, total, ""], ["审核：赵国强"]]


def test_a_summary_sheet_before_the_detail_is_skipped_and_agrees(raw, run_clean):
    write_xlsx(raw / SV / "s.xlsx", {"汇总": summary_sheet(), "6月": detail_sheet()})
    run = run_clean()
    assert run.exit_code == 0 and run.table(SV)["places"].sum() == 9
    f = run.manifest["files"][0]
    assert f["status"] == "ok" and [s["status"] for s in f["sheets"]] == ["summary", "ok"]
    assert "[跳过] street_vending/s.xlsx / 汇总：汇总表，已跳过（明细在其他工作表中）" in run.text
    assert "[错误]" not in run.text and "合计不符" not in run.text
    data = pages.load(run.out)
    assert "已读取" in pages.files_table(data).data and "汇总表，已跳过" in pages.issues_table(data).data


def test_a_summary_that_disagrees_with_the_detail_is_one_line_per_figure(raw, run_clean):
    write_xlsx(raw / SV / "s.xlsx", {"汇总": summary_sheet(jiaonan=6, total=10), "6月": detail_sheet()})
    run = run_clean()
    lines = [t for t in run.text.splitlines() if "[合计不符]" in t]
    assert lines == ["  [合计不符] street_vending/s.xlsx / 汇总：第3行 焦南街道 数量（处）（C列）：汇总表 6，明细工作表逐行相加 5",
                     "  [合计不符] street_vending/s.xlsx / 汇总：第6行 合计 数量（处）（C列）：汇总表 10，明细工作表逐行相加 9"]
    assert run.exit_code == 0


@pytest.mark.parametrize("name, header", [
    ("Sheet1", ["街道", "数量"]),  # no summary word: a 街道 column and a column of numbers
    ("统计表", ["街道", "店外经营", "流动摊贩", "占道经营", "合计"]),  # nothing to compare: named a summary
    ("总表", ["所属街道", "处数", "其中：流动摊贩"]),
    ("各街道合计", ["辖区", "清理数量"]),
])
def test_summary_sheets_in_other_words_are_skipped_alike(raw, run_clean, name, header):
    rows = [header] + [[sub] + [i + k for k in range(len(header) - 1)] for i, sub in enumerate(["焦南", "民主", "新华"])]
    write_xlsx(raw / SV / "s.xlsx", {name: rows, "6月": detail_sheet()})
    run = run_clean()
    assert run.exit_code == 0 and run.manifest["files"][0]["status"] == "ok"
    assert run.manifest["files"][0]["sheets"][0]["status"] == "summary"


@pytest.mark.parametrize("name, rows", [
    ("填表说明", [["填表说明"], ["1. 日期填写整治当天，如 2024-06-01。"], ["2. 街道填写九个街道之一。"]]),
    ("说明", [["序号", "说明"], [1, "数量按处填写"], [2, "每月5日前报送"]]),
    ("模板", [["日期", "街道"]]),
])
def test_an_instruction_sheet_is_skipped(raw, run_clean, name, rows):
    write_xlsx(raw / SV / "s.xlsx", {name: rows, "6月": detail_sheet()})
    run = run_clean()
    assert run.exit_code == 0
    assert run.manifest["files"][0]["sheets"][0] == {"sheet": name, "rows": len(rows), "status": "instructions",
                                                     "reason": "填表说明，已跳过"}


def test_a_sheet_of_records_whose_header_misses_a_column_still_fails_whatever_its_name(raw, run_clean):
    rows = [["日期", "数量", "类型"], ["2024-06-01", 3, "游商"], ["2024-06-02", 4, "占道"]]
    write_xlsx(raw / SV / "s.xlsx", {"汇总": rows, "6月": detail_sheet()})
    run = run_clean()
    assert run.exit_code == 1 and run.manifest["files"][0]["status"] == "partial"
    assert "缺少必填列 “街道”" in next(t for t in run.text.splitlines() if "[错误]" in t and "/ 汇总" in t)


def test_a_file_with_only_a_summary_fails_and_says_why(raw, run_clean):
    write_xlsx(raw / SV / "s.xlsx", {"汇总": summary_sheet()})
    run = run_clean()
    assert run.exit_code == 1
    assert "文件中没有可读取的明细工作表" in run.text and "文件中没有可识别的台账工作表" in run.text


# ---------------------------------------------------------------- 5, 6. personal data in headers; labels

def test_headers_on_two_rows_merged_vertically_are_matched_and_listed(raw, run_clean):
    rows = [
        ["2024年6月台账"],
        ["序号", "整治\n日期", "基本情况", None, "整治情况", None, "摊主\n手机", "巡查\n人员", "经营者姓名"],
        [None, None, "街道", "类型", "处数", "处理结果", None, None, None],
        [1, "2024-6-1 8:05", "焦南办", "游商", "三处", "劝离", "１３９１２３４５６７８", "张建国", "李秀英"],
        [2, "待定", "民主", "游商", "两处", "劝离", "139 1234 5678", "张建国", "李秀英"],
    ]
    merges = ["A2:A3", "B2:B3", "C2:D2", "E2:F2", "G2:G3", "H2:H3", "I2:I3"]
    write_xlsx(raw / SV / "h.xlsx", {"S": rows}, {"S": merges})
    run = run_clean()
    s = only_sheet(run, f"{SV}/h.xlsx")
    assert s["columns"]["date"] == "整治日期（B列）"
    assert s["personal_columns_dropped"] == ["摊主手机", "经营者姓名"]
    assert s["unrecognised_headers"] == ["巡查人员"]
    assert run.table(SV)[["subdistrict", "places"]].values.tolist() == [["焦南街道", 3]]
    assert run.rejects[["row", "column"]].values.tolist() == [["5", "整治日期（B列）"]]
    assert any(line.startswith("  [未识别的表头] street_vending/h.xlsx / S：“巡查人员”：") for line in run.text.splitlines())
    assert all("\n" not in line for line in run.lines)
    text = processed_text(run)
    for secret in ("张建国", "李秀英", "１３９１２３４５６７８", "13912345678", "139 1234 5678"):
        assert secret not in text


# ---------------------------------------------------------------- 7. small value forms

@pytest.mark.parametrize("cell, expected", [("三处", 3), ("两处", 2), ("十二处", 12), ("二十个", 20), ("九十九", 99),
                                            ("120余", 120), ("约二十处", 20)])
def test_counts_in_chinese_numerals(raw, run_clean, cell, expected):
    write_xlsx(raw / SV / "n.xlsx", {"S": [SV_HEADER, sv(1, D(2024, 6, 1), "焦南办", places=cell)]})
    t = run_clean().table(SV)
    assert t["places"].tolist() == [expected] and t["subdistrict"].tolist() == ["焦南街道"]


# ---------------------------------------------------------------- row kinds: the fast path is the definition

CELL = st.one_of(
    st.none(), st.just(""), st.booleans(), st.integers(-3, 30), st.sampled_from([0.0, 1.0, 2.5, float("nan")]),
    st.dates(dt.date(2000, 1, 1), dt.date(2030, 1, 1)), st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2030, 1, 1)),
    st.sampled_from(["合计", "小计", "民主街道小计", "全年累计", "合计路", "总计：", "审核：张某", "主要负责人：某", "统计局食堂",
                     "序号", "2023-03-05", "2024/3/1 9:30", "3月5日", "焦南", "填表日期：2024年1月5日", "备注", "1"]),
    st.text(max_size=3),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(CELL, max_size=6), max_size=20), st.sets(st.integers(0, 5)), st.sets(st.integers(0, 5), max_size=2),
       st.one_of(st.none(), st.just(2024)))
def test_row_kinds_with_column_evidence_is_row_kind_of_every_row(rows, words, dates, year):
    header_keys = ["序号", "日期", "街道"]
    evidence = RowEvidence(frozenset(words), tuple(sorted(dates)), year)
    rows = rows + [["序号", "日期", "街道"]]
    assert _row_kinds(rows, header_keys, COMMON, evidence) == [_row_kind(r, header_keys, COMMON, evidence) for r in rows]


@given(st.sampled_from(["合计", "小计", "合 计", "本月合计", "审核：张某", "统计：", "联系人：李某"]),
       st.sampled_from(["路", "食堂", "", "东段"]),
       st.sampled_from([D(2024, 3, 5), "2024/3/5 9:30", "3月5日", dt.datetime(2024, 3, 5, 9, 30)]))
def test_a_row_with_a_readable_date_is_a_record_whatever_its_free_text_says(word, rest, day):
    evidence = RowEvidence(words=frozenset({0}), dates=(1,), year=2024)
    assert _row_kind([word + rest, day, "焦南"], ["地点", "日期", "街道"], COMMON, evidence) == "data"
    assert _row_kind([word + rest, None, None], ["地点", "日期", "街道"], COMMON, evidence) != "data"
    assert _row_kind([word, day, "焦南"], ["序号", "日期", "街道"], COMMON, RowEvidence(dates=(1,))) != "data"


# ---------------------------------------------------------------- 8. one folder that mixes every form

DUST_HEADER = ["序号", "督导日期", "所属街道", "点位名称", "存在问题", "问题来源", "整改情况"]
DEMO_HEADER = ["序号", "拆除日期", "所属街道", "地址", "拆除面积", "结构", "拆除方式"]
STAFF = ["王建军", "李红梅", "赵国强", "孙丽", "钱志明", "周敏", "吴刚"]  # in footers and instruction sheets
PARTIES = ["张建国", "李秀英"]  # in a column that is not kept
NUMBERS = ["15874213663", "１５８７４２１３６６３", "13912345678", "139 1234 5678", "139-1234-5678", "3568888"]


def build_forms_folder(raw) -> None:
    sv_dir, gas_dir, dust_dir, demo_dir = (raw / n for n in ("street_vending", "gas_safety", "dust_control", "demolitions"))
    # Excel's own CSV of date-time cells: 20 records and their 合计.
    lines = ["日期,街道,类型,数量,地点"] + [f"2024/3/{d} {8 + d % 10}:{d * 7 % 60:02d},焦南,游商,{1 + d % 3},解放路" for d in range(1, 21)]
    lines.append(f"合计,,,{sum(1 + d % 3 for d in range(1, 21))},")  # 41
    (sv_dir / "导出").mkdir(parents=True)
    (sv_dir / "导出" / "2024年3月.csv").write_bytes("\r\n".join(lines).encode("utf-8-sig"))
    # A summary and an instruction sheet before the detail; a two-row header with a line break, a personal and an
    # unrecognised column merged vertically; every kind of total; footers with staff names and phones.
    detail = [
        ["2024年6月三种经营整治台账"] * 9,
        ["序号", "整治\n日期", "基本情况", None, "整治情况", None, "路段", "摊主\n手机", "巡查\n人员"],
        [None, None, "街道", "类型", "处数", "处理结果", None, None, None],
        [1, "2024-6-1 8:05", "民主", "游商", "三处", "劝离", "合计路", "１５８７４２１３６６３", "张建国"],
        [2, "2024/6/1 9:30", "民主街道", "占道", 2, "暂扣", "民主路", "139 1234 5678", "张建国"],
        ["民主街道小计"] * 4 + [5],
        [3, "2024年6月3日14时30分", "焦南办", "店外", "十二处", "限期整改", "解放路 摊主手机１５８７４２１３６６３", None, "李秀英"],
        [4, "2024-06-04T09:30", "焦南", "游商", "120余", "劝离", "人民路", None, "李秀英"],
        [5, "2024-6-31 9:00", "焦南", "游商", 1, "劝离", "人民路", None, None],  # intended reject: no such day
        ["焦南街道 小计", None, None, None, 132],
        [6, dt.datetime(2024, 6, 5, 16, 5), "新华", "游商", "两处", "劝离", "建设路", None, None],
        [7, "2024年6月6日 下午2:30", "火星街道", "游商", 1, None, None, None, None],  # intended reject: sub-district
        [8, dt.datetime(2024, 6, 6, 9, 21), "新华", "占道", 4, None, None, None, None],
        ["小计（新华街道）"] * 4 + [6],
        ["本页合计", None, None, None, 143],
        ["本月合计", None, None, None, 143],
        ["全年累计", None, None, None, 900],
        [None] * 9,
        ["审核：王建军　制表：李红梅　联系电话：１５８７４２１３６６３"] * 9,
        ["单位负责人：赵国强", None, None, "联系人：孙丽 139 1234 5678"],
        ["填表日期：2024年7月1日", None, None, "报送日期：2024-07-02"],
        ["分管领导：钱志明", None, None, "统计：周敏"],
    ]
    merges = ["A1:I1", "A2:A3", "B2:B3", "C2:D2", "E2:F2", "G2:G3", "H2:H3", "I2:I3", "A6:D6", "A14:D14", "A19:I19"]
    summary = [["2024年6月各街道汇总"], ["街道", "数量（处）"], ["民主街道", 5], ["焦南街道", 132], ["新华街道", 6], ["合计", 143]]
    instructions = [["填表说明"], ["1. 日期写到日，可带时间。"], ["2. 次月5日前报送，联系人：孙丽 13912345678"]]
    write_xlsx(sv_dir / "2024年6月.xlsx", {"汇总": summary, "填表说明": instructions, "6月": detail}, {"6月": merges})
    # A 统计表 that disagrees with the detail on two figures; month totals; a sheet whose first column is the unit.
    gas = {
        "统计表": [["街道", "发现隐患", "已整改"], ["民生", 4, 3], ["焦北", 1, 1], ["合计", 5, 4]],
        "1月": [["2024年1月燃气安全隐患排查整治台账"], GAS_HEADER,
               [1, dt.datetime(2024, 1, 5, 14, 30), "民生", "老王烩面馆", "饭店", "两处", 2, 0, "否"],
               [2, "2024年1月8日14时30分", "民生", "统计局食堂", "餐饮", 1, 0, 0, "否"],
               [3, dt.datetime(2024, 1, 9, 15, 0), "焦北", "幸福超市", "超市", 1, 0, "三个", "否"],
               ["1月合计", None, None, None, None, 4, 2, 3, None],
               ["制表人：李红梅", None, None, None, "审核人：王建军"]],
        "2月": [["单位名称", "排查日期", "街道", "单位类型", "发现隐患", "已整改", "查扣钢瓶"],
               ["统计局食堂", "2024-02-01T10:00", "民生", "饭店", 0, 0, 0],
               ["小计烧烤", "2024/2/2 18:30", "民生", "饭店", 1, 1, 0],
               ["合计", None, None, None, 1, 1, 0],
               ["联系人：孙丽　电话：13912345678"]],
    }
    write_xlsx(gas_dir / "一季度.xlsx", gas)
    write_xlsx(dust_dir / "督导.xlsx", {"4月": [
        ["2024年4月扬尘管控点位督导检查台账"], DUST_HEADER,
        [1, "2024-4-1 9:00", "焦北", "一号工地 联系 139-1234-5678", "黄土裸露", "市督导", "已整改"],
        [2, "2024年4月2日 星期二", "焦北", "二号工地", "无", "巡查", None],
        [3, "4月3日 8点半", "民生", "三号工地", "车辆未冲洗", None, "否"],
        [4, "2024-4-3 25:00", "民生", "四号工地", "无", None, None],  # intended reject: no such hour
        ["本月累计", None, None, "共督导检查点位3个"],
        ["统计：周敏", None, "审核：赵国强"], ["备注：无"]]})
    write_xlsx(demo_dir / "拆除.xlsx", {"S": [
        DEMO_HEADER,
        [1, "2024-5-6 10:00", "王褚办", "塔南路1号", "120.5", "砖混", "自拆"],
        [2, "2024/5/7", "上白作", "丰收路2号 户主电话（0391）3568888", "约五十平方米", "彩钢", "强拆"],
        ["总计：", None, None, None, 170.5],
        ["联系人：吴刚", None, None, "联系电话：0391-3568888"]]})


def test_a_folder_mixing_every_form_gives_exact_totals_and_no_personal_data(raw, run_clean):
    build_forms_folder(raw)
    run = run_clean()
    assert run.exit_code == 0, run.text
    sv_t, gas, dust, demo = (run.table(n) for n in ("street_vending", "gas_safety", "dust_control", "demolitions"))
    # street_vending: the CSV's 20 records (41 places) and the June detail's 6 kept records (143 places)
    assert (len(sv_t), int(sv_t["places"].sum())) == (26, 184)
    june = sv_t[sv_t["month"] == 6].sort_values("source_row")
    assert june["date"].dt.day.tolist() == [1, 1, 3, 4, 5, 6]
    assert june["subdistrict"].tolist() == ["民主街道", "民主街道", "焦南街道", "焦南街道", "新华街道", "新华街道"]
    assert june["places"].tolist() == [3, 2, 12, 120, 2, 4] and june["location"].iloc[0] == "合计路"
    assert sv_t[sv_t["month"] == 3]["date"].dt.day.tolist() == list(range(1, 21))
    # gas_safety: 1月 and 2月 (the 统计表 is a summary)
    assert len(gas) == 5 and gas["unit_name"].nunique() == 4
    assert (gas["hazards_found"].sum(), gas["hazards_rectified"].sum(), gas["cylinders_seized"].sum()) == (5, 3, 3)
    assert gas["date"].dt.date.tolist() == [D(2024, 1, 5), D(2024, 1, 8), D(2024, 1, 9), D(2024, 2, 1), D(2024, 2, 2)]
    # dust_control: three records; demolitions: two, 120.5 + 50 m²
    assert dust["date"].dt.date.tolist() == [D(2024, 4, 1), D(2024, 4, 2), D(2024, 4, 3)]
    assert (len(demo), float(demo["area_m2"].sum())) == (2, 170.5)
    assert demo["subdistrict"].tolist() == ["王褚街道", "上白作街道"]

    # Exactly the three intended rejects, nothing else.
    assert run.rejects[["file", "row", "column", "reason"]].values.tolist() == [
        ["street_vending/2024年6月.xlsx", "9", "整治日期（B列）", "日期无法识别"],
        ["street_vending/2024年6月.xlsx", "12", "街道（C列）", "未知街道“火星街道”，与九个街道都不相近"],
        ["dust_control/督导.xlsx", "6", "督导日期（B列）", "日期无法识别"],
    ]
    assert run_clean(strict=True).exit_code == 1
    # Every row accounted for; totals, footers and the skipped sheets as such.
    june_sheet = run.sheet("street_vending/2024年6月.xlsx", "6月")
    assert june_sheet["row_kinds"] == ROW_KIND_ZEROS | {"title": 1, "header": 2, "data": 8, "total": 6, "footer": 4, "blank": 1}
    assert (june_sheet["kept"], june_sheet["rejected"]) == (6, 2)
    assert june_sheet["personal_columns_dropped"] == ["摊主手机"] and june_sheet["unrecognised_headers"] == ["巡查人员"]
    assert [u["row"] for u in june_sheet["unchecked_totals"]] == [17]
    statuses = {(f["file"], s["sheet"]): s["status"] for f in run.manifest["files"] for s in f["sheets"]}
    assert statuses[("street_vending/2024年6月.xlsx", "汇总")] == "summary"
    assert statuses[("street_vending/2024年6月.xlsx", "填表说明")] == "instructions"
    assert statuses[("gas_safety/一季度.xlsx", "统计表")] == "summary"
    assert all(f["status"] == "ok" for f in run.manifest["files"])
    # The only 合计不符: the 统计表 against the detail, one line per figure.
    assert [t.strip() for t in run.text.splitlines() if "[合计不符]" in t] == [
        "[合计不符] gas_safety/一季度.xlsx / 统计表：第3行 焦北街道 已整改（C列）：汇总表 1，明细工作表逐行相加 0",
        "[合计不符] gas_safety/一季度.xlsx / 统计表：第4行 合计 已整改（C列）：汇总表 4，明细工作表逐行相加 3",
    ]
    assert "[错误]" not in run.text and all("\n" not in line for line in run.lines)
    # No name from a footer, an instruction sheet or a dropped column, and no phone number in any width, anywhere
    # under data/processed (tables, rejects.csv, manifest.json, the cache).
    text = processed_text(run)
    for secret in STAFF + PARTIES + NUMBERS:
        assert secret not in text, secret
    assert nz.MASK in june["location"].iloc[2] and nz.MASK in dust["site_name"].iloc[0] and nz.MASK in demo["address"].iloc[1]


def test_a_ledger_header_that_holds_a_personal_word_is_refused(tmp_path):
    """Otherwise the column would be dropped as personal data on every read, without a word."""
    from analysis.ingest.spec import load_spec
    from analysis.paths import LEDGER_SPEC_DIR

    for f in LEDGER_SPEC_DIR.glob("*.yaml"):
        text = f.read_text(encoding="utf-8")
        if f.name == "gas_safety.yaml":
            text = text.replace("[单位名称, 场所名称,", "[单位名称, 经营者名称, 场所名称,", 1)
        (tmp_path / f.name).write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="经营者名称.*经营者"):
        load_spec("gas_safety", tmp_path)

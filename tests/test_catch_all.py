"""No silent catch-all: a value sent to a ledger's 其他 is counted and named (sheet, ledger, screen, data-quality
list), and a mark that means "same as above" is never a value."""
from __future__ import annotations

import datetime as dt

from conftest import write_xlsx
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.ingest.cleaning import clean_sheet
from analysis.ingest.layout import find_layout
from analysis.ingest.manifest import problems
from analysis.ingest.read import Sheet
from analysis.ingest.records import Manifest
from analysis.ingest.spec import load_spec

DAY = dt.date(2024, 6, 1)
GAS = ["排查日期", "街道", "单位名称", "单位类型", "发现隐患"]


def test_values_sent_to_other_are_counted_per_sheet_ledger_and_on_screen(raw, run_clean):
    rows = [[f"2024-03-0{d}", "焦南", f"店{d}", kind, 1]
            for d, kind in enumerate(["宾馆", "宾馆", "网吧", "餐饮", "其他", "饭店"], start=1)]
    write_xlsx(raw / "gas_safety" / "a.xlsx", {"S": [GAS, *rows]})
    write_xlsx(raw / "gas_safety" / "b.xlsx", {"S": [GAS, ["2024-04-01", "焦南", "店", "网吧", 1]]})
    run = run_clean()
    sheet = run.sheet("gas_safety/a.xlsx", "S")
    # 其他 is the catch-all itself, 餐饮 and 饭店 spellings of a category: no decision, not counted
    assert sheet["catch_all"] == {"unit_type": {"column": "单位类型（D列）", "other": "其他",
                                                "values": [["宾馆", 2], ["网吧", 1]]}}
    total = run.manifest["ledgers"]["gas_safety"]["catch_all"]["unit_type"]
    assert (total["cells"], total["distinct"], total["values"]) == (4, 2, [["宾馆", 2], ["网吧", 2]])
    line = next(line for line in run.lines if "[归入其他]" in line)
    assert "单位类型：4 个单元格" in line and "宾馆（2）、网吧（2）" in line and "unit_type 列的 values" in line
    topics = [p.topic for p in problems(Manifest.from_json(run.manifest))]
    assert topics.count("归入其他") == 1
    assert list(run.table("gas_safety")["unit_type"]).count("其他") == 5  # still kept as 其他, as the spec says


def test_a_ledger_with_every_value_known_says_nothing(raw, run_clean):
    write_xlsx(raw / "gas_safety" / "a.xlsx", {"S": [GAS, ["2024-03-01", "焦南", "店", "餐饮", 1]]})
    run = run_clean()
    assert "catch_all" not in run.sheet("gas_safety/a.xlsx", "S")
    assert "catch_all" not in run.manifest["ledgers"]["gas_safety"]
    assert "[归入其他]" not in run.text


def test_the_top_ten_are_named_and_all_are_counted(raw, run_clean):
    rows = [["2024-03-01", "焦南", f"店{i}", f"类别{i:02d}", 1] for i in range(15) for _ in range(i + 1)]
    write_xlsx(raw / "gas_safety" / "a.xlsx", {"S": [GAS, *rows]})
    total = run_clean().manifest["ledgers"]["gas_safety"]["catch_all"]["unit_type"]
    assert total["cells"] == sum(range(1, 16)) and total["distinct"] == 15
    assert [v for v, _ in total["values"]] == [f"类别{i:02d}" for i in range(14, 4, -1)]


DITTO = ["同上", "同左", "〃", "〃〃", '"', "＂", "″", "仝上"]


@settings(max_examples=60, deadline=None)
@given(mark=st.sampled_from(DITTO), pad=st.sampled_from(["", " ", "\u3000"]), column=st.sampled_from([1, 2, 3]))
def test_a_ditto_mark_is_never_a_value(mark, pad, column):
    """In a sub-district, a free-text or a category column (whose catch-all would take anything in), a mark meaning
    "same as above" is rejected with a reason that says so: never kept as text, never counted as 其他."""
    spec = load_spec("gas_safety")
    first = ["2024-03-01", "焦南", "饭店", "宾馆", 1]
    second = list(first)
    second[column] = pad + mark + pad
    sheet = Sheet(name="S", hidden=False, rows=[GAS, first, second])
    result = clean_sheet(sheet, find_layout(sheet, spec, "a.xlsx"), spec, DAY)
    assert (result.kept, result.rejected) == (1, 1)
    [reject] = result.rejects
    assert reject["row"] == 3 and "表示同上" in reject["reason"]
    caught = [text for text, _ in result.catch_all.get("unit_type", {}).get("values", [])]
    assert caught == ["宾馆"]  # the mark is not among the values 其他 took in

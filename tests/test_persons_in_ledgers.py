"""Private persons among applicants and in notes: replaced with ［个人］ in the outputs, counted in the manifest and
named on screen; businesses survive. The rules themselves are tested in test_persons.py."""
from __future__ import annotations

import datetime as dt
import json

from conftest import write_xlsx
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.ingest.cleaning import clean_sheet
from analysis.ingest.layout import find_layout
from analysis.ingest.persons import COMPOUND_SURNAMES, PERSON, SURNAMES
from analysis.ingest.read import Sheet
from analysis.ingest.spec import load_spec

LICENSING = load_spec("licensing")
HEADER = ["受理日期", "街道", "审批事项", "申请单位", "地址"]
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国"
BUSINESSES = ["焦作市解放区老王烧烤店", "河南万方铝业股份有限公司", "焦作华联商厦", "丹尼斯百货", "蜜雪冰城（民主路店）",
              "国家电网焦作供电公司", "焦作市第一人民医院", "解放区实验小学", "中国移动营业厅", "怀府路口大药房"]


@st.composite
def person(draw):
    surname = draw(st.sampled_from(list(SURNAMES[:100]) + list(COMPOUND_SURNAMES)))
    given_name = draw(st.sampled_from(["某", "某某"])) if draw(st.booleans()) else "".join(
        draw(st.lists(st.sampled_from(GIVEN), min_size=1, max_size=1 if len(surname) == 2 else 2)))
    return draw(st.sampled_from(["", " "])).join(surname + given_name)


@settings(max_examples=40, deadline=None)
@given(people=st.lists(person(), min_size=1, max_size=5), shops=st.lists(st.sampled_from(BUSINESSES), max_size=5))
def test_private_applicants_are_replaced_and_counted_businesses_survive(people, shops):
    rows = [HEADER] + [[f"2024-03-{i + 1:02d}", "焦南", "门头招牌", name, "解放路"] for i, name in enumerate(people + shops)]
    sheet = Sheet(name="S", hidden=False, rows=rows)
    layout = find_layout(sheet, LICENSING, "a.xlsx")
    result = clean_sheet(sheet, layout, LICENSING, dt.date(2026, 1, 1))
    applicants = result.table.column("applicant").to_pylist()
    assert applicants == [PERSON] * len(people) + shops
    assert result.persons == {"applicant": {"column": "申请单位（D列）", "cells": len(people)}}


def test_persons_reach_neither_the_outputs_nor_the_cache_and_are_named(raw, run_clean):
    rows = [HEADER, ["2024-03-01", "焦南", "门头招牌", "陶建国", "解放路"], ["2024-03-02", "焦南", "门头招牌", "张某某", "解放路"],
            ["2024-03-03", "焦南", "门头招牌", "丹尼斯百货", "解放路"]]
    write_xlsx(raw / "licensing" / "a.xlsx", {"S": rows})
    figures = [["年度", "项目", "数值", "说明"], [2023, "宣教活动", 12, "联系人：王丽 13800000000"]]
    write_xlsx(raw / "work_figures" / "b.xlsx", {"S": figures})
    run = run_clean()
    assert run.table("licensing")["applicant"].tolist() == [PERSON, PERSON, "丹尼斯百货"]
    assert run.table("work_figures")["note"].tolist() == ["联系人：［个人］ ［已隐去］"]
    manifest = json.loads((run.out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["ledgers"]["licensing"]["persons"] == {"applicant": {"label": "申请单位", "cells": 2}}
    assert manifest["ledgers"]["work_figures"]["persons"] == {"note": {"label": "备注", "cells": 1}}
    assert "申请单位：2 个单元格写的是个人姓名，已替换为“［个人］”" in run.text
    stored = b"".join(p.read_bytes() for p in run.out.rglob("*") if p.is_file())
    for secret in ("陶建国", "张某某", "王丽", "13800000000"):
        assert secret.encode() not in stored

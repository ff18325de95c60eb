"""What a build publishes and what changed since, end to end: `analysis briefing` writes the period's 发布记录.json,
the Word draft (with the office's template when one is in templates/) and the analyst's 待核实清单; a ledger edited
after a year's briefing is named on screen, first on the index page and in the 报表's 变更说明."""
from __future__ import annotations

import io
import json

import docx
import openpyxl
import pytest
from conftest import FIXED_DATE, build_briefing, fresh_project, write_xlsx

from analysis.report.revisions import HISTORY_FILE

pytestmark = pytest.mark.slow  # three real builds


def _demolitions(root, area_in_april: float) -> None:
    write_xlsx(root / "data" / "raw" / "demolitions" / "2023.xlsx",
               {"S": [["拆除日期", "街道", "地址", "面积"], ["2023-04-01", "王褚", "解放路1号", area_in_april],
                      ["2023-12-01", "焦南", "解放路2号", 20]]})
    write_xlsx(root / "data" / "raw" / "demolitions" / "2022.xlsx",
               {"S": [["拆除日期", "街道", "地址", "面积"], ["2022-05-01", "焦南", "解放路3号", 20],
                      ["2022-12-01", "焦南", "解放路4号", 5]]})


def test_a_ledger_edited_after_the_years_briefing_is_said_loudly(tmp_path, monkeypatch):
    root = fresh_project(tmp_path / "clone")
    _demolitions(root, 10)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_DATE)
    code, log = build_briefing(root, period="2023")
    assert code == 0, log
    folder = root / "reports" / "2023"
    names = {p.name for p in folder.iterdir()}
    draft_name = "解放区城市管理局2023年度城市管理执法统计情况.docx"
    assert {HISTORY_FILE, "待核实清单.xlsx", draft_name} <= names
    history = json.loads((folder / HISTORY_FILE).read_text(encoding="utf-8"))
    assert len(history["entries"]) == 1
    assert history["entries"][0]["figures"]["demolitions_area"]["value"] == 30.0
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert draft_name in index and "待核实清单.xlsx" in index and 'class="alert"' not in index
    normal = docx.Document(str(folder / draft_name)).styles["Normal"].font.name

    # the April demolition corrected after the briefing went out, and the office's template put in place
    _demolitions(root, 15)
    template = docx.Document()
    template.styles["Normal"].font.name = "微软雅黑"
    (root / "templates").mkdir()
    template.save(str(root / "templates" / "报告模板.docx"))
    code, log = build_briefing(root, period="2023")
    assert code == 0, log
    assert "1个数字有变化（1个台账文件有改动）" in log and "！！！ 2023年全年的数字" in log
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert index.index('class="alert"') < index.index('class="period-line"')
    book = openpyxl.load_workbook(io.BytesIO((folder / "统计报表.xlsx").read_bytes()))
    changes = [row for row in book["变更说明"].iter_rows(values_only=True) if row[0] == "拆除违建面积"]
    assert changes and changes[0][2:5] == (30, 35, 5)
    assert any(row[0] == "demolitions/2023.xlsx" for row in book["变更说明"].iter_rows(values_only=True))
    quality = (folder / "data_quality.html").read_text(encoding="utf-8")
    assert "1个数字有变化" in quality and "拆除违建面积" in quality
    assert len(json.loads((folder / HISTORY_FILE).read_text(encoding="utf-8"))["entries"]) == 2
    assert normal != "微软雅黑" and docx.Document(str(folder / draft_name)).styles["Normal"].font.name == "微软雅黑"

    # nothing changed since: nothing rebuilt, the history as it was
    before = (folder / HISTORY_FILE).read_bytes()
    code, log = build_briefing(root, period="2023")
    assert code == 0 and "已是最新" in log
    assert (folder / HISTORY_FILE).read_bytes() == before

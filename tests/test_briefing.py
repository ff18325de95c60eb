"""`analysis briefing` end to end on the demo data, as a newcomer runs it on a fresh clone."""
from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
from browser import check_in_browser, require_chromium
from conftest import FIXED_DATE, PROJECT, page_differences
from conftest import build_briefing as _build
from conftest import fresh_project as _fresh_project

from analysis.report.export import check_offline_html

REPORT_PHRASES = ["12000余处", "2700余家", "526处", "187个", "5处", "5000余次", "2714个", "50个", "147处", "9处",
                  "约4714平方米"]
# Every other figure of the 2023 report (../shared/reference/report-2023.txt), in the report's words: from the
# licensing, city-appearance and work-figures ledgers.
REPORT_WORDS = [
    "办理行政许可案件794件", "户外广告许可9件", "临时户外广告审批783件", "占道审批2件", "审批新设、更换门头招牌512个",
    "许可186家餐饮门店外摆经营", "查处拆除存在安全隐患的广告招牌10处", "清理各类宣传条幅232条", "清理橱窗广告8730余处",
    "各类非法小广告16300余处", "组织局理论学习中心组（扩大）会议学习12次", "配备执法记录仪50台", "审核行政处罚案件6件",
    "办理行政诉讼案件1件", "审核各类合同、协议12份", "开展宣教活动8次", "组织执法工作培训500人次", "办理区人大代表建议9件",
    "市政协委员提案1件", "区政协委员提案5件", "设立13个“城管服务岗”", "设置1个瓜果（菜）农进城服务站",
    "设置17个果蔬临时销售点", "清理规范性文件6次", "废止规范性文件3件",
]
PAGES = ["briefing", "street_vending", "gas_safety", "dust_control", "demolitions", "licensing", "city_appearance",
         "work_figures", "report_text", "data_quality"]


def _html(root: Path, name: str = "briefing") -> str:
    return (root / "reports" / "2023" / f"{name}.html").read_text(encoding="utf-8")


def test_fresh_clone_builds_from_demo_data_and_says_so(project):
    root, log = project
    assert "示例数据" in log
    assert not [p for p in (root / "data" / "raw").rglob("*") if p.name != ".gitkeep"], "demo files leaked into data/raw"
    assert (root / "build-demo" / "raw" / "gas_safety").is_dir()
    for name in PAGES:
        assert (root / "reports" / "2023" / f"{name}.html").is_file()


def test_briefing_carries_the_reports_figures_and_title(project):
    root, _ = project
    text = re.sub(r"<[^>]+>", "", _html(root))
    for phrase in REPORT_PHRASES:
        assert phrase in text, phrase
    assert "解放区城市管理局 2023年度城市管理执法统计简报（示例数据）" in text
    assert "同比增长" in text and "生成日期" in text
    for heading in ("一、主要指标", "二、分领域情况", "三、分项逐月对比", "四、数据说明"):
        assert heading in text


def test_the_briefing_carries_every_figure_of_the_report_in_its_words(project):
    root, _ = project
    text = re.sub(r"<[^>]+>", "", _html(root))
    missing = [words for words in REPORT_WORDS if words not in text]
    assert not missing, missing
    # and the report's own enforcement paragraph, figure for figure, on the page an analyst copies from
    wording = re.sub(r"<[^>]+>", "", _html(root, "report_text"))
    assert ("2023年共清理辖区三种经营12000余处，审批新设、更换门头招牌512个，查处拆除存在安全隐患的广告招牌10处，"
            "清理各类宣传条幅232条，清理橱窗广告8730余处、各类非法小广告16300余处，拆除违建9处、约4714平方米，") in wording


@pytest.mark.parametrize("name", PAGES)
def test_exported_pages_have_no_code_no_external_reference_and_are_small(project, name):
    root, _ = project
    html = _html(root, name)
    assert check_offline_html(html) == []
    assert "<script" not in html.lower()
    for leak in ("views.", "plots.setup", "processed_dir", "Traceback", "Warning", "In&nbsp;[", "injected-parameters"):
        assert leak not in html, leak
    assert len(html.encode()) < 3 * 1024 * 1024
    # a ledger by month charts trend, year-over-year and sub-districts; a yearly ledger is one table
    images = {"data_quality": 0, "report_text": 0, "work_figures": 0}.get(name, 3)
    assert html.count("data:image/png;base64,") >= images


def test_briefing_opens_offline_in_chromium_with_every_image_decoded(project, tmp_path):
    require_chromium()
    root, _ = project
    shot = tmp_path / "briefing.png"
    result = check_in_browser(root / "reports" / "2023" / "briefing.html", shot)
    assert result["failed_requests"] == [] and result["blocked_requests"] == []
    assert result["images"] and all(w > 0 for w in result["images"])
    assert shot.stat().st_size > 10_000
    print(f"screenshot: {shot}")


def test_a_year_without_data_is_refused_naming_the_years_there_are(project):
    root, _ = project
    code, log = _build(root, period="2030")
    assert code == 2 and "没有 2030 年的记录（已有：2021年、2022年、2023年）" in log
    assert not (root / "reports" / "2030").exists()


def test_nothing_changed_means_nothing_rebuilt(project):
    root, _ = project
    before = {n: (root / "reports" / "2023" / f"{n}.html").stat().st_mtime_ns for n in PAGES}
    code, log = _build(root)
    assert code == 0 and "已是最新" in log and "执行" not in log
    assert {n: (root / "reports" / "2023" / f"{n}.html").stat().st_mtime_ns for n in PAGES} == before


def test_a_fault_while_exporting_leaves_the_previous_pages_whole(project, monkeypatch):
    import analysis.report.export as report

    root, _ = project
    pages = {n: (root / "reports" / "2023" / f"{n}.html").read_bytes() for n in PAGES}
    (root / "reports" / ".build" / "2023" / "stamp.json").unlink()  # force a rebuild
    real, calls = report.render_html, []

    def third_fails(*args, **kwargs):
        calls.append(args[0])
        if len(calls) == 3:
            raise report.ReportError("injected")
        return real(*args, **kwargs)

    monkeypatch.setattr(report, "render_html", third_fails)
    code, log = _build(root)
    assert code == 1 and "上一次的简报保持不变" in log
    assert {n: (root / "reports" / "2023" / f"{n}.html").read_bytes() for n in PAGES} == pages
    assert not list((root / "reports").rglob("*.tmp"))
    monkeypatch.undo()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", FIXED_DATE)
        assert _build(root)[0] == 0
    assert {n: (root / "reports" / "2023" / f"{n}.html").read_bytes() for n in PAGES} == pages


def test_a_changed_raw_file_is_cleaned_again_and_shows_in_the_briefing(tmp_path):
    root = _fresh_project(tmp_path)
    assert _build(root)[0] == 0
    extra = root / "build-demo" / "raw" / "demolitions" / "补报.csv"
    extra.write_text("拆除日期,街道,拆除面积,拆除方式\n2023-12-30,焦南,1000,强拆\n", encoding="utf-8")
    code, log = _build(root)
    assert code == 0 and "清洗" in log
    text = re.sub(r"<[^>]+>", "", _html(root))
    assert "拆除违建10处" in text and "约5714平方米" in text


def test_a_failing_notebook_stops_with_its_name_and_cell_and_writes_no_page(tmp_path):
    root = _fresh_project(tmp_path)
    bad = nbformat.read(root / "notebooks" / "ledger.ipynb", as_version=4)
    bad.cells.append(nbformat.v4.new_code_cell("1 / 0"))
    nbformat.write(bad, root / "notebooks" / "ledger.ipynb")
    code, log = _build(root)
    assert code == 1
    assert "ledger.ipynb（" in log and "ZeroDivisionError" in log and "1 / 0" in log
    assert not list((root / "reports").glob("2023/*.html"))


def test_notebooks_are_committed_thin_and_without_outputs():
    for path in sorted((PROJECT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        meta = nb.metadata["briefing"]
        assert meta["output"] and re.search(r"\{(report_)?period\}", meta["title"]), path.name
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert "parameters" in code[0].metadata.get("tags", []), path.name
        for cell in code:
            assert not cell.outputs and cell.execution_count is None, path.name
            assert not re.search(r"^\s*(for|def|class|while)\b", cell.source, re.M), f"{path.name}: logic belongs in src/analysis"


def test_outputs_are_reproducible_byte_for_byte(project, tmp_path, monkeypatch):
    """Same raw files and the same generation date give the same tables and HTML in another clone."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_DATE)
    first, _ = project
    second = _fresh_project(tmp_path)
    assert _build(second)[0] == 0
    differences = page_differences({n: _html(first, n) for n in PAGES}, {n: _html(second, n) for n in PAGES})
    assert not differences, "\n".join(differences)
    processed = [p.relative_to(first) for p in (first / "build-demo" / "processed").iterdir()
                 if p.is_file() and not p.name.startswith(".")]
    assert processed and all((first / p).read_bytes() == (second / p).read_bytes() for p in processed)
    assert json.loads((first / "build-demo" / "processed" / "manifest.json").read_text(encoding="utf-8"))["synthetic"]

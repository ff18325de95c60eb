"""The analyst's first week: a guided start, commands in Chinese, notebooks that run as opened, a briefing from
whatever ledgers exist, never demo data in place of the user's files."""
from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import PROJECT, build_briefing, fresh_project, write_xlsx

from analysis.commands.cli import main
from analysis.ingest.folder_guide import ledger_readme, raw_readme
from analysis.ingest.spec import ledger_names, load_spec

ARGPARSE_ENGLISH = ("usage:", "positional arguments", "options:", "optional arguments", "show this help", "error:",
                    "invalid", "required", "choose from", "expected", "unrecognized", "argument ")


# ---------------------------------------------------------------- a guided start

def test_the_raw_folder_ships_a_folder_and_a_current_readme_for_every_ledger():
    raw = PROJECT / "data" / "raw"
    assert (raw / "README.md").read_text(encoding="utf-8") == raw_readme()
    for ledger in ledger_names():
        readme = raw / ledger / "README.md"
        assert readme.is_file(), f"{readme} 缺失：运行 python tools/make_raw_readmes.py"
        assert readme.read_text(encoding="utf-8") == ledger_readme(load_spec(ledger)), \
            f"{readme} 与台账规格不符：运行 python tools/make_raw_readmes.py"
    tracked = subprocess.run(["git", "ls-files", "data/raw"], cwd=PROJECT, capture_output=True, text=True).stdout.split()
    if tracked:  # in a git checkout: the READMEs are committed, and nothing else under data/raw but .gitkeep
        assert all(p.endswith(("README.md", ".gitkeep")) for p in tracked), tracked


def test_a_clean_with_no_ledger_files_says_where_they_go_and_succeeds(tmp_path, capsys):
    raw = tmp_path / "raw"
    for ledger in ledger_names():  # what a fresh clone has: the folders and their READMEs only
        (raw / ledger).mkdir(parents=True)
        (raw / ledger / "README.md").write_text(ledger_readme(load_spec(ledger)), encoding="utf-8")
    (raw / "README.md").write_text(raw_readme(), encoding="utf-8")
    assert main(["clean", "--raw", str(raw), "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "还没有台账" in out and "[跳过]" not in out
    for ledger in ledger_names():
        assert f"{(raw / ledger).as_posix()}/  {load_spec(ledger).label}" in out


# ---------------------------------------------------------------- Chinese all the way

def test_an_unrecognised_header_names_the_closest_known_one_and_where_to_teach_it(tmp_path, capsys):
    raw, out = tmp_path / "raw", tmp_path / "out"
    write_xlsx(raw / "gas_safety" / "a.xlsx", {"S": [["排查日期", "街 道 名", "门店名", "单位类型", "天气"],
                                                   ["2023-03-05", "焦南", "甲饭店", "餐饮", "晴"]]})
    assert main(["clean", "--raw", str(raw), "--out", str(out)]) == 1  # no sub-district column: the sheet fails
    text = capsys.readouterr().out
    assert "“街道名”：最接近的已知表头是“街道”（街道列）；如果就是这一列，在 src/analysis/ledgers/common.yaml 的 " \
           "subdistrict_headers 里加上“街道名”" in text
    assert "“门店名”：最接近的已知表头是“门店名称”（单位名称列）；如果就是这一列，在 src/analysis/ledgers/gas_safety.yaml " \
           "中 unit_name 列的 headers 里加上“门店名”" in text
    assert "“天气”：不是本台账已知的表头" in text


def test_the_summary_gives_the_full_path_of_rejects_csv(tmp_path, capsys):
    raw, out = tmp_path / "raw", tmp_path / "out"
    write_xlsx(raw / "street_vending" / "a.xlsx", {"S": [["日期", "街道", "类型"], ["待定", "焦南", "游商"]]})
    main(["clean", "--raw", str(raw), "--out", str(out)])
    assert f"原因见 {(out / 'rejects.csv').resolve()}（" in capsys.readouterr().out

@pytest.mark.parametrize("argv", [["--help"], ["clean", "--help"], ["briefing", "--help"], ["demo", "--help"]])
def test_help_is_chinese_with_a_description_and_an_example(argv, capsys):
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 0
    text = capsys.readouterr().out
    assert text.startswith("用法：analysis") and "选项：" in text and "显示本帮助并退出" in text and "例：" in text
    for english in ARGPARSE_ENGLISH:
        assert english not in text, english
    if argv == ["--help"]:
        for command in ("demo", "clean", "briefing"):
            assert re.search(rf"^\s+{command}\s+\S", text, re.M), command


@pytest.mark.parametrize("argv, said", [
    (["briefing", "--year", "abc"], "参数 --year：应为四位数的年份"),
    (["clean", "--jobs", "0"], "参数 --jobs：应为正整数"),
    (["clean", "--jobs"], "参数 --jobs：后面需要一个值"),
    (["demo"], "缺少必需的参数：--out"),
    (["clean", "--bogus"], "无法识别的参数：--bogus"),
    (["bogus"], "没有“bogus”（可选：demo、clean、check、briefing）"),
    ([], "缺少必需的参数：命令"),
])
def test_usage_errors_are_one_chinese_line_and_exit_2(argv, said, capsys):
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("用法：") and said in err, err
    for english in ARGPARSE_ENGLISH:
        assert english not in err, (english, err)


def test_a_file_name_the_console_cannot_encode_does_not_crash_the_clean(tmp_path):
    raw = tmp_path / "raw"
    write_xlsx(raw / "street_vending" / "✓已核对.xlsx", {"S": [["日期", "街道", "类型"], ["2023-03-05", "焦南", "游商"]]})
    (raw / "street_vending" / "说明✓.docx").write_bytes(b"x")
    env = {**os.environ, "PYTHONIOENCODING": "gbk"}  # a Chinese Windows console, or output redirected there
    proc = subprocess.run([sys.executable, "-m", "analysis", "clean", "--raw", str(raw), "--out", str(tmp_path / "out")],
                          capture_output=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode("gbk", "replace")
    assert b"Traceback" not in proc.stderr
    assert "说明?.docx".encode("gbk") in proc.stdout


# ---------------------------------------------------------------- notebooks run as opened

def _run_as_opened(notebook: Path, cwd: Path):
    from nbclient import NotebookClient

    from analysis.report.execute import ThisInterpreterKernelManager

    nb = nbformat.read(notebook, as_version=4)
    NotebookClient(nb, timeout=600, kernel_manager_class=ThisInterpreterKernelManager,
                   resources={"metadata": {"path": str(cwd)}}).execute()
    return nb


@pytest.mark.parametrize("where", ["notebooks", "."])
def test_every_notebook_runs_unchanged_after_the_first_command(demo_build, where):
    root, _, _ = demo_build
    assert not (root / "data" / "processed" / "manifest.json").exists()  # the first command used the demo
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        nb = _run_as_opened(path, (root / where).resolve())
        errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
        assert not errors, (path.name, errors)
        printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
        assert "以下使用示例数据" in printed and "build-demo" in printed, path.name


# ---------------------------------------------------------------- a briefing from whatever exists

def _gas_2024(raw: Path, rows: int = 20) -> None:
    header = ["序号", "排查日期", "街道", "单位名称", "单位类型", "发现隐患", "已整改隐患"]
    subs = ["民生街道", "民主街道", "新华街道", "焦西街道"]
    body = [[i + 1, dt.date(2024, 3, 1 + i % 28), subs[i % 4], f"饭店{i}", "餐饮", i % 3, 0] for i in range(rows)]
    write_xlsx(raw / "gas_safety" / "2024年3月燃气.xlsx", {"3月": [["2024年燃气安全排查台账"], header, *body]})


def _text(html: str) -> str:
    """What a reader sees of a page, on one line."""
    import golden

    return re.sub(r"\s+", " ", golden.page_text(html))


def test_one_ledger_alone_gives_a_briefing_that_names_the_others_once(tmp_path):
    root = fresh_project(tmp_path)
    _gas_2024(root / "data" / "raw")
    code, log = build_briefing(root, period="2024")
    assert code == 0, log
    pages = sorted(p.name for p in (root / "reports" / "2024").glob("*.html"))
    assert pages == ["briefing.html", "data_quality.html", "gas_safety.html", "index.html", "report_text.html"]
    text = _text((root / "reports" / "2024" / "briefing.html").read_text(encoding="utf-8"))
    missing = "本年暂无三种经营整治、扬尘管控督导、违建拆除、行政审批、市容整治台账数据"
    assert text.count(missing) == 1
    assert "暂无" not in text.replace(missing, "")
    # 2024 so far is January to March: the ledger filled once a year is said not to count, not said to be missing.
    assert text.count("年度工作数据表按年度填报，不计入2024年1—3月的统计") == 1
    for absent in ("清理三种经营", "拆除违建", "督导检查扬尘管控点位"):
        assert absent not in text, absent
    # the gas ledger's first rows are of March: the year so far is said to cover March only, and not compared
    assert text.count("燃气安全排查台账仅有3月数据，相关数字只含这些月份，不作同比") == 1
    assert "燃气安全排查单位 20家 — 仅有3月数据" in text
    assert "analysis" not in text and "示例数据" not in text
    assert not (root / "build-demo").exists()


def test_a_file_placed_wrong_is_named_and_the_briefing_goes_on_with_the_rest(tmp_path):
    root = fresh_project(tmp_path)
    raw = root / "data" / "raw"
    _gas_2024(raw)
    write_xlsx(raw / "扬尘督导2024.xlsx", {"S": [["督导日期", "街道", "点位名称"], ["2024-03-05", "焦南", "一号工地"]]})
    code, log = build_briefing(root, period="2024")
    assert code == 0, log
    assert "[跳过] 扬尘督导2024.xlsx：不在任何台账文件夹中" in log and "dust_control" in log
    assert "示例数据" not in log and not (root / "build-demo").exists()


def test_only_a_misplaced_file_is_not_replaced_by_demo_data(tmp_path):
    root = fresh_project(tmp_path)
    write_xlsx(root / "data" / "raw" / "燃气.xlsx", {"S": [["排查日期", "街道"], ["2024-03-05", "焦南"]]})
    code, log = build_briefing(root)
    assert code == 2
    assert "[跳过] 燃气.xlsx：不在任何台账文件夹中" in log and "还没有台账" in log
    assert not (root / "build-demo").exists() and not list((root / "reports").rglob("*.html"))


def test_a_ledger_page_for_a_ledger_without_data_says_so_instead_of_failing(demo_build, tmp_path):
    """The ledger notebook opened in JupyterLab with a ledger that has no rows (here: a year with none)."""
    from analysis.report import pages
    from analysis.report.periods import Period

    root, _, _ = demo_build
    data = pages.load(root / "build-demo" / "processed")
    never = Period(2030)
    for shown in (pages.yoy_chart(data, "demolitions", Period(2021)), pages.heatmap_chart(data, "demolitions", never),
                  pages.top_contributors(data, "demolitions", never), *pages.breakdown_charts(data, "demolitions", never)):
        assert "暂无数据" in shown.data or "无法分月同比" in shown.data
    empty = pages.Data(data.folder, {**data.tables, "demolitions": data.tables["demolitions"].iloc[0:0]},
                       data.manifest, data.rejects, data.catalogue)
    for shown in (pages.ledger_indicators(empty, "demolitions"), pages.trend_chart(empty, "demolitions")):
        assert "违法建设拆除台账暂无数据" in shown.data


@pytest.mark.parametrize("argv", [["clean", "--raw", "{raw}", "--out", "{raw}/processed"],
                                  ["clean", "--raw", "{raw}", "--out", "{raw}"],
                                  ["briefing", "--raw", "{raw}", "--processed", "{raw}/street_vending/out"],
                                  ["briefing", "--raw", "{raw}", "--out", "{raw}/reports"]])
def test_no_output_goes_into_the_raw_folder(tmp_path, argv, capsys):
    raw = tmp_path / "raw"
    write_xlsx(raw / "street_vending" / "a.xlsx", {"S": [["日期", "街道", "类型"], ["2023-03-05", "焦南", "游商"]]})
    assert main([a.format(raw=raw) for a in argv]) == 2
    assert "不能写进原始台账文件夹" in capsys.readouterr().err
    assert sorted(p.name for p in raw.rglob("*")) == ["a.xlsx", "street_vending"]  # nothing written there


def test_after_a_clean_that_changed_one_ledger_only_its_table_is_read_for_the_checks(tmp_path, capsys, monkeypatch):
    from analysis.report import data, source_checks

    raw, out = tmp_path / "raw", tmp_path / "out"
    header = ["日期", "街道", "地点", "类型", "数量"]
    record = ["2023-03-05", "焦南", "民主路口", "游商", 2]
    write_xlsx(raw / "street_vending" / "3月.xlsx", {"S": [header, record, ["2023-03-06", "焦南", "塔南路", "游商", 1]]})
    write_xlsx(raw / "street_vending" / "3月重报.xlsx", {"S": [header, record]})
    gas = ["日期", "街道", "单位名称", "单位类型"]
    write_xlsx(raw / "gas_safety" / "3月.xlsx", {"S": [gas, ["2023-03-05", "焦南", "甲饭店", "餐饮"]]})
    main(["clean", "--raw", str(raw), "--out", str(out)])
    said = capsys.readouterr().out
    assert "[待核实] street_vending/3月重报.xlsx / S 第 2 行：2023-03-05 焦南街道 民主路口，与 street_vending/3月.xlsx / S 第 2 行" in said

    read = []
    real = data.load_table
    monkeypatch.setattr(data, "load_table", lambda folder, ledger, *a: read.append(ledger) or real(folder, ledger, *a))
    write_xlsx(raw / "gas_safety" / "3月.xlsx", {"S": [gas, ["2023-03-05", "焦南", "乙饭店", "餐饮"]]})
    main(["clean", "--raw", str(raw), "--out", str(out)])
    again = capsys.readouterr().out
    assert read == ["gas_safety"]
    checks = [line for line in said.splitlines() if line.startswith(("[核查]", "[待核实]", "[可能缺报]"))]
    assert checks and checks == [line for line in again.splitlines() if line.startswith(("[核查]", "[待核实]", "[可能缺报]"))]
    fresh = source_checks.check(data.load(out).tables)
    kept = data.load_checks(out)  # the kept checks are those worked out afresh
    assert (kept.gaps, kept.to_verify, kept.arrival.keys()) == (fresh.gaps, fresh.to_verify, fresh.arrival.keys())

"""README and help agree with the program: every `analysis …` example in README.md and in each `analysis <command>
--help` runs on the demo build and exits 0; the help keeps a period such as 2023-01..2023-06 on one line; the
wheelhouse tool speaks Chinese and takes short platform names.

Each example runs as a person would type it (`python -m analysis …`, a new process) in a copy of the demo build
(tests/conftest.py's `demo_build`: a fresh clone after its first `analysis briefing`), one copy per example, since
examples write. An example that names the analyst's own ledgers (a path in data/raw, a `--raw` folder that does not
exist) gets the demo's ledgers there first: the example is about the analyst's files, and those are what the demo
stands for. The few examples that cannot run there are listed below, each with its reason; the list is checked to
name only examples that still exist.
"""
from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from conftest import PROJECT

from analysis.commands import cli
from analysis.commands.cli import main
from analysis.report.periods import parse_period

README = PROJECT / "README.md"
HELP_COMMANDS = ([], ["demo"], ["clean"], ["check"], ["briefing"])
DEMO_YEARS = range(2021, 2024)  # analysis demo's default years (2021—2023)

# Examples that are not commands to run as they are, each with its reason.
NOT_RUN = {
    "analysis clean [--raw DIR] [--out DIR] [--strict] [--jobs N]": "用法摘要（方括号里是可选参数），不是例子",
    "analysis check 路径… [--raw DIR] [--out DIR]": "用法摘要（“路径…”是占位符），不是例子",
    "analysis briefing [--period 期间] [--raw DIR] [--processed DIR] [--out DIR]": "用法摘要（方括号里是可选参数），不是例子",
    "analysis check PATH…": "用法摘要（PATH 是占位符），不是例子",
    "analysis check": "只是提到命令名（没有写要检查的文件，单独运行是用法错误）",
    "analysis …": "泛指各个命令的写法，不是例子",
}
# Examples README gives of what the program refuses: they must be refused, with this exit status.
REFUSED = {
    "analysis clean --out data/raw/结果": 2,  # README: output inside the raw folder is refused, nothing written
}


def _examples_in(text: str) -> list[str]:
    """The `analysis …` commands of a piece of README: inline code, or a line of a code block (parts joined by && each
    count; a .venv/bin/ or .venv\\Scripts\\ in front and a # comment after are left out)."""
    found = []
    for piece in re.split(r"&&|\n", text):
        piece = piece.split(" #")[0].strip()
        piece = re.sub(r"^\.venv[/\\](?:bin|Scripts)[/\\]", "", piece)
        if piece == "analysis" or piece.startswith("analysis "):
            found.append(re.sub(r"\s+", " ", piece))
    return found


def readme_examples() -> list[str]:
    text = README.read_text(encoding="utf-8")
    found = []
    for block in re.findall(r"^```[^\n]*\n(.*?)^```", text, re.M | re.S):
        found += _examples_in(block)
    prose = re.sub(r"^```[^\n]*\n.*?^```", "", text, flags=re.M | re.S)
    for span in re.findall(r"`([^`\n]+)`", prose):
        found += _examples_in(span)
    return found


def help_text(argv: list[str]) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit) as done:
        main([*argv, "--help"])
    assert done.value.code == 0
    return out.getvalue()


def help_examples() -> list[str]:
    """The example lines of every --help: `  analysis …` up to the two spaces before what it does."""
    found = []
    for argv in HELP_COMMANDS:
        for line in help_text(argv).splitlines():
            match = re.match(r"\s+(analysis\b.*?)(?:\s{2,}\S.*)?$", line)
            if match:
                found.append(match.group(1).strip())
    return found


def all_examples() -> list[str]:
    return list(dict.fromkeys([*readme_examples(), *help_examples()]))


def _runnable() -> list[str]:
    return [e for e in all_examples() if e not in NOT_RUN and e not in REFUSED]


# ---------------------------------------------------------------- fast: what the examples say

def test_the_examples_are_found_and_the_lists_of_exceptions_name_only_examples_that_exist():
    examples = all_examples()
    assert "analysis briefing --period 2023-01..2023-06" in examples and "analysis clean" in examples
    assert len(_runnable()) >= 10, _runnable()
    gone = [e for e in [*NOT_RUN, *REFUSED] if e not in examples]
    assert not gone, f"这些例子已不在 README 或帮助中，请从测试的清单中删去：{gone}"


@pytest.mark.parametrize("example", _runnable())
def test_every_example_is_a_valid_command_line(example):
    """argparse takes it (a usage error exits 2), and every period it names is one the demo covers."""
    argv = shlex.split(example)[1:]
    with contextlib.redirect_stderr(io.StringIO()) as err:
        try:
            args = cli._parser().parse_args(argv)
        except SystemExit as exc:
            pytest.fail(f"{example}：用法错误（退出状态 {exc.code}）：{err.getvalue()}")
    period = getattr(args, "period", None) or (str(args.year) if getattr(args, "year", None) else None)
    if period is not None:
        parsed = parse_period(period)
        assert parsed.year in DEMO_YEARS, f"{example}：示例数据只有 2021—2023 年，这个期间运行时会以状态 2 退出"


def test_readme_calls_the_notebook_parameters_by_their_names():
    """The parameters cell of every notebook names what README says it names (period, processed_dir, ledger)."""
    text = README.read_text(encoding="utf-8")
    said = re.findall(r"第一个代码单元格是参数[（：]\s*`(\w+)`", text)
    assert said and set(said) == {"period"}, said
    for path in sorted((PROJECT / "notebooks").glob("*.ipynb")):
        import nbformat

        cells = [c for c in nbformat.read(path, as_version=4).cells if "parameters" in c.metadata.get("tags", [])]
        assert re.search(r"^period = ", cells[0].source, re.M) and re.search(r"^processed_dir = ", cells[0].source, re.M)
        assert "2024" not in cells[0].source, f"{path.name}：参数的例子应是示例数据中有的期间"


# ---------------------------------------------------------------- slow: each example run on the demo build

def _workspace(demo_root: Path, tmp_path: Path, argv: list[str]) -> Path:
    """A copy of the demo build, with the demo's ledgers where the example names the analyst's own."""
    root = tmp_path / "project"
    shutil.copytree(demo_root, root, symlinks=True)
    ledgers = root / "build-demo" / "raw"

    def fill(folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for child in ledgers.iterdir():
            if child.is_dir():
                shutil.copytree(child, folder / child.name, dirs_exist_ok=True)

    if any(a.startswith("data/raw/") for a in argv):
        fill(root / "data" / "raw")
    for flag, value in zip(argv, argv[1:]):
        if flag == "--raw" and not (root / value).exists():
            fill(root / value)
    return root


def _run(root: Path, argv: list[str]) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "analysis", *argv], cwd=root, capture_output=True, text=True,
                          encoding="utf-8", errors="replace", env=env, timeout=1200)


@pytest.mark.parametrize("example", _runnable())
def test_every_example_runs_on_the_demo_and_exits_0(demo_build, tmp_path, example):
    root, _, _ = demo_build
    argv = shlex.split(example)[1:]
    done = _run(_workspace(root, tmp_path, argv), argv)
    assert done.returncode == 0, f"{example} 退出状态 {done.returncode}：\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("example", sorted(REFUSED))
def test_an_example_of_a_refusal_is_refused(demo_build, tmp_path, example):
    root, _, _ = demo_build
    argv = shlex.split(example)[1:]
    work = _workspace(root, tmp_path, argv)
    done = _run(work, argv)
    assert done.returncode == REFUSED[example], done.stderr
    assert done.stderr.startswith("错误：") and "Traceback" not in done.stderr


# ---------------------------------------------------------------- the help keeps what belongs together

def _columns(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


@pytest.mark.parametrize("columns", [40, 52, 60, 72, 80, 100, 140])
def test_the_help_never_breaks_a_period_an_option_or_a_path_and_fits_the_terminal(columns, monkeypatch):
    monkeypatch.setenv("COLUMNS", str(columns))
    parser = cli._parser()
    subparsers = next(a for a in parser._actions if a.choices and isinstance(a.choices, dict))
    for argv in HELP_COMMANDS:
        text = help_text(argv)
        options = (subparsers.choices[argv[0]] if argv else parser)._actions
        for action in options:
            for token in re.findall(r"[!-~]+", action.help or ""):
                assert token in text, (argv, columns, token)
        start = text.index("选项：")
        end = text.index("例：") if "例：" in text else len(text)
        for line in text[start:end].splitlines():  # the options' help, laid out by the formatter
            # wider than the terminal only where one piece that must not break is wider than the help column
            assert _columns(line) <= columns or len(cli._CHUNK.findall(line.strip())) == 1, (argv, columns, line)


def test_an_options_help_starts_in_one_column_whatever_its_metavar(monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    text = help_text(["briefing"])
    lines = [line for line in text.splitlines() if re.match(r"\s+-", line)]
    starts = set()
    for line in lines:
        head = re.match(r"(\s+-\S.*?\s{2,})\S", line)
        if head:
            starts.add(_columns(head.group(1)))
    assert len(starts) == 1, lines


# ---------------------------------------------------------------- tools/make_wheelhouse.py

WHEELHOUSE = PROJECT / "tools" / "make_wheelhouse.py"
ARGPARSE_ENGLISH = ("usage:", "options:", "show this help", "error:", "invalid choice", "argument ")


def _wheelhouse(*argv: str, cwd: Path) -> subprocess.CompletedProcess:
    # Run as README says, from another folder: the tool finds the project (pyproject.toml, src/) by its own path.
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, str(WHEELHOUSE), *argv], cwd=cwd, capture_output=True, text=True,
                          encoding="utf-8", env=env, timeout=60)


def test_the_wheelhouse_tools_help_is_chinese(tmp_path):
    done = _wheelhouse("--help", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("用法：") and "选项：" in done.stdout and "例：" in done.stdout
    for english in ARGPARSE_ENGLISH:
        assert english not in done.stdout, english
    for short in ("windows", "linux", "macos"):
        assert short in done.stdout


@pytest.mark.parametrize("short, tag", [("linux", "manylinux2014_x86_64"), ("windows", "win_amd64"),
                                        ("macos", "macosx_12_0_arm64"), ("win_amd64", "win_amd64"),
                                        ("Linux", "manylinux_2_28_x86_64")])
def test_the_wheelhouse_tool_takes_short_platform_names(tmp_path, short, tag):
    done = _wheelhouse("--target", short, "--python", "3.11", "--dry-run", "--out", str(tmp_path / "wh"),
                       cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"--platform {tag}" in done.stdout and "--python-version 3.11" in done.stdout
    assert not (tmp_path / "wh").exists()  # a dry run downloads nothing


@pytest.mark.parametrize("argv, said", [(["--target", "bsd"], "不认识的平台“bsd”"),
                                        (["--python", "eleven"], "应为 Python 版本"),
                                        (["--extras", "gpu", "--dry-run"], "没有可选依赖组“gpu”")])
def test_the_wheelhouse_tools_errors_are_chinese_and_exit_2(tmp_path, argv, said):
    done = _wheelhouse(*argv, cwd=tmp_path)
    assert done.returncode == 2 and said in done.stderr, done.stderr
    for english in ARGPARSE_ENGLISH:
        assert english not in done.stderr, english

"""Notebook execution (papermill, parallel) and offline HTML export (analysis.report.execute, .export)."""
from __future__ import annotations

import base64
import datetime as dt
import re
import sys
import time
from pathlib import Path

import nbformat
import pytest

import analysis
from analysis.report.execute import NotebookFailed, NotebookRun, ReportError, execute_notebooks
from analysis.report.export import MAX_HTML_BYTES, check_offline_html, render_html
from analysis.shared import commit

TITLE = "解放区城市管理局 2023年度城市管理执法统计简报"

pytestmark = pytest.mark.slow  # runs notebooks in kernels


def run_notebooks(sources, parameters, **kwargs) -> list[Path]:
    """Each notebook once, its executed copy named like it."""
    return execute_notebooks([NotebookRun(s, Path(s).stem, parameters or {}) for s in sources], **kwargs)


def export_html(executed, out: Path, title: str, **options) -> Path:
    """render_html, then the page written as the briefing writes pages."""
    commit.write_text(out, render_html(executed, out, title, **options))
    return out
DAY = dt.date(2026, 11, 24)


def write_notebook(path: Path, cells: list[tuple[str, str] | tuple[str, str, list[str]]]) -> Path:
    """cells: (kind, source[, tags]) with kind "code" or "md"."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for kind, source, *rest in cells:
        cell = nbformat.v4.new_code_cell(source) if kind == "code" else nbformat.v4.new_markdown_cell(source)
        if rest:
            cell.metadata["tags"] = list(rest[0])
        nb.cells.append(cell)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


BRIEF_CELLS = [
    ("code", "year = 2000", ["parameters"]),
    ("md", "## 一、总体情况\n\n本节概述全年执法情况。"),
    ("code", "print(f'统计年度：{year}')"),
    (
        "code",
        "import sys, warnings\n"
        "print('STDERR-MARKER', file=sys.stderr)\n"
        "warnings.warn('WARNING-MARKER')",
    ),
    (
        "code",
        "import matplotlib\nimport matplotlib.pyplot as plt\n"
        "fig, ax = plt.subplots(figsize=(3, 2), dpi=80)\n"
        "ax.bar(['a', 'b'], [3, 5])\nax.set_title('demo')",
    ),
    (
        "code",
        "import os, analysis\nprint(sys.executable)\nprint(os.getcwd())\nprint(analysis.__file__)",
        ["remove-cell"],
    ),
    ("md", "## 二、分项情况"),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("report")
    src = write_notebook(root / "notebooks" / "brief.ipynb", BRIEF_CELLS)
    (executed,) = run_notebooks([src], {"year": 2023}, workdir=root, build_dir=root / "build", progress=None)
    html_path = export_html(executed, root / "out" / "brief.html", TITLE, generated=DAY)
    return {"root": root, "executed": executed, "html_path": html_path, "html": html_path.read_text("utf-8")}


def _stdout(nb, index: int) -> str:
    return "".join(o.get("text", "") for o in nb.cells[index].outputs if o.get("name") == "stdout")


def _stderr(nb) -> str:
    return "".join(
        o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.get("name") == "stderr"
    )


def test_executed_copy_in_build_folder_with_injected_parameter(built):
    executed = built["executed"]
    assert executed.parent == built["root"] / "build"
    nb = nbformat.read(executed, as_version=4)
    tags = [c.metadata.get("tags", []) for c in nb.cells]
    assert ["parameters"] in tags and ["injected-parameters"] in tags
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert "year = 2023" in injected.source
    assert "统计年度：2023" in "".join(_stdout(nb, i) for i in range(len(nb.cells)) if nb.cells[i].cell_type == "code")
    assert "统计年度：2023" in built["html"]
    assert "统计年度：2000" not in built["html"]
    # the source notebook is untouched, nothing written next to it
    assert sorted(p.name for p in (built["root"] / "notebooks").iterdir()) == ["brief.ipynb"]


def test_kernel_is_this_interpreter_in_workdir(built):
    nb = nbformat.read(built["executed"], as_version=4)
    index = next(i for i, c in enumerate(nb.cells) if "remove-cell" in c.metadata.get("tags", []))
    executable, cwd, module = _stdout(nb, index).splitlines()
    assert Path(executable).resolve() == Path(sys.executable).resolve()
    assert Path(cwd).resolve() == built["root"].resolve()
    assert Path(module).resolve() == Path(analysis.__file__).resolve()


def test_a_python3_kernelspec_of_another_python_does_not_win(tmp_path, monkeypatch):
    import json

    from analysis.report.execute import ThisInterpreterKernelManager

    spec = tmp_path / "jupyter" / "kernels" / "python3" / "kernel.json"
    spec.parent.mkdir(parents=True)
    spec.write_text(json.dumps({"argv": ["/elsewhere/python", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                                "display_name": "Python 3", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(spec.parents[2]))
    argv = ThisInterpreterKernelManager(kernel_name="python3").kernel_spec.argv
    assert Path(argv[0]).resolve() == Path(sys.executable).resolve() and "ipykernel_launcher" in argv


def test_html_has_no_code_prompts_stderr_or_warnings(built):
    html = built["html"]
    nb = nbformat.read(built["executed"], as_version=4)
    # the noise really was produced, and really is gone
    assert "STDERR-MARKER" in _stderr(nb) and "WARNING-MARKER" in _stderr(nb)
    for text in ("STDERR-MARKER", "WARNING-MARKER", "UserWarning", "Traceback", "stderr"):
        assert text not in html, text
    for code in ("print(", "warnings.warn", "import matplotlib", "plt.subplots", "year = 20", "sys.executable"):
        assert code not in html, code
    assert "In&nbsp;[" not in html and "Out[" not in html and "jp-InputPrompt" not in html
    assert "Text(0.5" not in html  # ax.set_title's repr
    assert str(Path(sys.executable).parent) not in html  # the remove-cell output


def test_html_is_offline_and_small(built):
    html = built["html"]
    assert check_offline_html(html) == []
    assert not re.search(r"<script\b[^>]*\bsrc\b", html, re.I)
    assert "<script" not in html.lower()
    for needle in ("mathjax", "require.js", "requirejs", "mermaid", "cdn", "http://", "https://", "widget"):
        assert needle not in html.lower(), needle
    size = built["html_path"].stat().st_size
    assert size < MAX_HTML_BYTES and size < 200_000, size


def test_image_is_inline_png(built):
    sources = re.findall(r"<img\b[^>]*\ssrc=\"([^\"]*)\"", built["html"])
    assert len(sources) == 1
    assert sources[0].startswith("data:image/png;base64,")
    assert base64.b64decode(sources[0].split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"


def test_title_header_date_and_sections(built):
    html = built["html"]
    assert '<html lang="zh-CN">' in html
    assert f"<title>{TITLE}</title>" in html
    assert re.search(rf"<h1[^>]*>{TITLE}</h1>", html)
    assert "生成日期：2026年11月24日" in html
    assert re.search(r"<h2[^>]*>一、总体情况", html) and re.search(r"<h2[^>]*>二、分项情况", html)
    assert html.index("一、总体情况") < html.index("统计年度：2023") < html.index("二、分项情况")
    assert '"Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC"' in html
    assert "size: A4" in html and "break-inside: avoid" in html


def test_extra_css_is_inlined(built, tmp_path):
    css = "@font-face { font-family: 'BriefingSans'; src: url(data:font/woff2;base64,AAAA) format('woff2'); }"
    out = export_html(built["executed"], tmp_path / "font.html", TITLE, generated=DAY, extra_css=css)
    html = out.read_text("utf-8")
    assert css in html and check_offline_html(html) == []
    with pytest.raises(ReportError):
        export_html(built["executed"], tmp_path / "bad.html", TITLE, extra_css="</style><script>x()</script>")
    assert not (tmp_path / "bad.html").exists()


@pytest.mark.parametrize(
    "snippet",
    [
        '<script src="https://cdn.example.com/require.js"></script>',
        '<script type="text/javascript" src=""></script>',
        '<link rel="stylesheet" href="http://example.com/a.css">',
        '<link rel="stylesheet" href="style.css">',
        'const m = (await import("https://cdn.example.com/mermaid.mjs")).default;',
        "<style>body { background: url(https://example.com/bg.png) }</style>",
        "<style>@font-face { src: url('//fonts.example.com/a.woff2') }</style>",
        '<img src="http://example.com/chart.png">',
        '<img alt="x" src="chart.png">',
        '<a href="//example.com/page">x</a>',
    ],
)
def test_check_offline_html_finds_external_references(snippet):
    found = check_offline_html(f"<html><body>{snippet}</body></html>")
    assert len(found) == 1, found


def test_check_offline_html_accepts_self_contained():
    html = (
        '<html><head><style>@font-face { src: url(data:font/woff2;base64,AAAA) }</style></head>'
        '<body><img alt="图表" src="data:image/png;base64,iVBORw0KGgo=">'
        '<a href="https://www.gov.cn/">链接不是加载</a><a href="#s1">本页</a>'
        "<pre>src=&quot;http://x&quot;</pre></body></html>"
    )
    assert check_offline_html(html) == []


def _fake_executed(path: Path, outputs: list[dict]) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("## 标题"), nbformat.v4.new_code_cell("x", outputs=outputs)]
    nbformat.write(nb, path)
    return path


def test_export_refuses_external_reference_and_writes_nothing(tmp_path):
    html_output = nbformat.v4.new_output(
        "display_data", data={"text/html": '<img src="https://example.com/tracker.png">'}
    )
    nb_path = _fake_executed(tmp_path / "ext.ipynb", [html_output])
    out = tmp_path / "out" / "ext.html"
    with pytest.raises(ReportError, match="外部引用"):
        export_html(nb_path, out, TITLE, generated=DAY)
    assert not out.parent.exists() or list(out.parent.iterdir()) == []


def test_export_refuses_oversized_file_and_leaves_no_temp(tmp_path):
    nb_path = _fake_executed(tmp_path / "big.ipynb", [nbformat.v4.new_output("stream", name="stdout", text="x" * 5000)])
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    with pytest.raises(ReportError, match="超过上限"):
        export_html(nb_path, out_dir / "big.html", TITLE, generated=DAY, max_bytes=4000)
    assert list(out_dir.iterdir()) == []


def test_cleanup_drops_errors_js_and_tagged_outputs(tmp_path):
    outputs = [
        nbformat.v4.new_output("error", ename="ValueError", evalue="ERROR-MARKER", traceback=["Traceback ERROR-MARKER"]),
        nbformat.v4.new_output("display_data", data={"application/javascript": "alert('JS-MARKER')"}),
        nbformat.v4.new_output("stream", name="stdout", text="KEPT-MARKER\n"),
    ]
    nb_path = _fake_executed(tmp_path / "noise.ipynb", outputs)
    nb = nbformat.read(nb_path, as_version=4)
    hidden = nbformat.v4.new_code_cell("y", outputs=[nbformat.v4.new_output("stream", name="stdout", text="HIDDEN-MARKER")])
    hidden.metadata["tags"] = ["remove-output"]
    nb.cells.append(hidden)
    nbformat.write(nb, nb_path)
    html = export_html(nb_path, tmp_path / "noise.html", TITLE, generated=DAY).read_text("utf-8")
    assert "KEPT-MARKER" in html
    for marker in ("ERROR-MARKER", "JS-MARKER", "HIDDEN-MARKER", "<script"):
        assert marker not in html, marker


def test_notebooks_run_in_parallel(tmp_path):
    cells = [("code", "year = 2000", ["parameters"]), ("code", "import time\ntime.sleep(1.0)\nprint('done', year)")]
    sources = [write_notebook(tmp_path / "nb" / f"{name}.ipynb", cells) for name in ("first", "second")]
    events: list[tuple[float, str]] = []
    t0 = time.perf_counter()
    results = run_notebooks(
        sources, {"year": 2023}, workdir=tmp_path, build_dir=tmp_path / "build", max_workers=2,
        progress=lambda line: events.append((time.perf_counter(), line)),
        done=lambda i, path: events.append((time.perf_counter(), f"done {i} {path.name} {path.is_file()}")),
    )
    wall = time.perf_counter() - t0
    assert [p.name for p in results] == ["first.ipynb", "second.ipynb"]
    # Each run is handed on once, its executed copy in place, as soon as it has run (the briefing exports it then).
    said = [line for _, line in events]
    for i, name in enumerate(("first", "second")):
        assert said.count(f"done {i} {name}.ipynb True") == 1, said
        finished = next(k for k, line in enumerate(said) if re.fullmatch(rf"执行 {name}\.ipynb … 完成（.*）", line))
        assert said[finished + 1:].index(f"done {i} {name}.ipynb True") <= 1, said
    events = [(t, line) for t, line in events if not line.startswith("done ")]
    for path in results:
        nb = nbformat.read(path, as_version=4)
        assert "done 2023" in _stdout(nb, len(nb.cells) - 1)
    lines = [line for _, line in events]
    assert any(re.fullmatch(r"执行 first\.ipynb … 完成（\d+\.\d 秒）", line) for line in lines), lines
    assert any(re.fullmatch(r"执行 second\.ipynb … 完成（\d+\.\d 秒）", line) for line in lines), lines
    # both notebooks were started before either finished: they overlapped
    first_done = min(i for i, line in enumerate(lines) if "完成（" in line)
    assert sum(1 for line in lines[:first_done] if line.endswith("…")) == 2, lines
    per_notebook = [float(m) for line in lines for m in re.findall(r"完成（(\d+\.\d) 秒）", line)]
    print(f"wall {wall:.1f} s, per notebook {per_notebook}, sum {sum(per_notebook):.1f} s")


def test_one_notebook_runs_under_several_names_with_its_own_parameters(tmp_path):
    src = write_notebook(tmp_path / "nb" / "ledger.ipynb",
                         [("code", "ledger = 'x'", ["parameters"]), ("code", "print('page of', ledger)")])
    runs = [NotebookRun(src, name, {"ledger": name}) for name in ("gas_safety", "demolitions")]
    lines: list[str] = []
    results = execute_notebooks(runs, workdir=tmp_path, build_dir=tmp_path / "build", progress=lines.append)
    assert [p.name for p in results] == ["gas_safety.ipynb", "demolitions.ipynb"]
    for path, name in zip(results, ("gas_safety", "demolitions")):
        nb = nbformat.read(path, as_version=4)
        assert f"page of {name}" in _stdout(nb, len(nb.cells) - 1)
    assert any("ledger.ipynb（gas_safety）" in line for line in lines), lines
    with pytest.raises(ReportError, match="重名"):
        execute_notebooks([runs[0], runs[0]], workdir=tmp_path, build_dir=tmp_path / "build", progress=None)


def test_failing_notebook_raises_and_leaves_no_html(tmp_path):
    cells = [
        ("code", "year = 2000", ["parameters"]),
        ("md", "## 说明"),
        ("code", "total = 1 / 0  # 故意出错\nprint(total)"),
        ("code", "print('never')"),
    ]
    src = write_notebook(tmp_path / "notebooks" / "bad.ipynb", cells)
    out_dir = tmp_path / "out"
    with pytest.raises(NotebookFailed) as info:
        (executed,) = run_notebooks([src], {"year": 2023}, workdir=tmp_path, build_dir=tmp_path / "build", progress=None)
        export_html(executed, out_dir / "bad.html", TITLE)
    error = info.value
    message = str(error)
    assert "bad.ipynb" in message
    assert "第 3 个单元格（索引 2）" in message  # counted in the source notebook, not the injected one
    assert "total = 1 / 0  # 故意出错" in message
    assert "ZeroDivisionError" in message and "division by zero" in message
    assert error.cell_index == 2 and error.ename == "ZeroDivisionError"
    assert not list(out_dir.glob("*.html")) and not list(tmp_path.rglob("*.html"))
    build = tmp_path / "build"
    assert not (build / "bad.ipynb").exists()  # nothing that looks like a finished run
    assert error.executed_path == build / "bad.failed.ipynb" and error.executed_path.exists()
    assert not list(build.glob(".*running*"))


def test_dead_kernel_names_the_cell(tmp_path):
    cells = [("code", "x = 1"), ("code", "import os\nos._exit(3)"), ("code", "print('never')")]
    src = write_notebook(tmp_path / "nb" / "crash.ipynb", cells)
    with pytest.raises(NotebookFailed) as info:
        run_notebooks([src], {}, workdir=tmp_path, build_dir=tmp_path / "build", progress=None)
    message = str(info.value)
    assert "crash.ipynb" in message and "第 2 个单元格（索引 1）" in message and "import os" in message
    assert info.value.ename == "DeadKernelError" and "内核意外退出" in message
    assert not (tmp_path / "build" / "crash.ipynb").exists()


def test_a_cell_past_its_time_is_named_in_the_source_notebook(tmp_path):
    cells = [("code", "year = 2000", ["parameters"]), ("md", "## 说明"), ("code", "import time\ntime.sleep(60)")]
    src = write_notebook(tmp_path / "nb" / "slow.ipynb", cells)
    with pytest.raises(NotebookFailed) as info:
        run_notebooks([src], {"year": 2023}, workdir=tmp_path, build_dir=tmp_path / "build", progress=None,
                      cell_timeout=2)
    message = str(info.value)
    assert "第 3 个单元格（索引 2）" in message and "import time" in message, message  # injected cell not counted
    assert info.value.ename == "CellTimeoutError" and "单元格运行超时" in message


def test_parameter_notes_in_chinese(tmp_path):
    from analysis.report.execute import _parameter_notes

    with_cell = write_notebook(tmp_path / "p.ipynb", [("code", "year = 2000", ["parameters"])])
    without = write_notebook(tmp_path / "q.ipynb", [("code", "x = 1")])
    assert _parameter_notes(with_cell, {"year": 2023}) == []
    assert "processed_dir" in _parameter_notes(with_cell, {"year": 2023, "processed_dir": "p"})[0]
    assert "没有标记为 parameters" in _parameter_notes(without, {"year": 2023})[0]


def test_html_file_mode_follows_umask(built):
    import os
    import stat

    if os.name != "posix":
        pytest.skip("POSIX file modes")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(built["html_path"].stat().st_mode) == 0o666 & ~umask


def test_a_kernel_that_does_not_start_is_said_in_chinese_with_what_to_try(tmp_path, monkeypatch):
    """A locked-down office PC (a firewall on local ports) ends in nbclient's English "Kernel didn't respond": said in
    one Chinese message with the likely causes, naming the notebook."""
    import papermill

    def no_kernel(*args, **kwargs):
        raise RuntimeError("Kernel didn't respond in 120 seconds")

    monkeypatch.setattr(papermill, "execute_notebook", no_kernel)
    src = write_notebook(tmp_path / "nb" / "briefing.ipynb", [("code", "x = 1")])
    with pytest.raises(NotebookFailed) as info:
        run_notebooks([src], {}, workdir=tmp_path, build_dir=tmp_path / "build", progress=None)
    message = str(info.value)
    assert "briefing.ipynb 没能开始执行：内核" in message and "防火墙" in message and "可以试试" in message
    assert info.value.cell_index is None


def test_a_kernel_whose_port_was_taken_while_starting_is_started_once_more(tmp_path, monkeypatch):
    """jupyter_client chooses a kernel's ports by binding and releasing them; another process may take one before
    the kernel binds it, and the kernel exits ("Address already in use"). Reproduced for real: the first kernel is
    given a port this test holds. The second start picks fresh ports, the notebook runs, and the retry is said."""
    import socket

    from analysis.report import execute

    held = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    held.bind(("127.0.0.1", 0))
    held.listen()
    taken = held.getsockname()[1]
    starts: list[int] = []

    class FirstStartCollides(execute.ThisInterpreterKernelManager):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            if not starts:  # the first kernel's ports as the race leaves them: one already bound elsewhere
                self.cache_ports = False
                self.control_port = taken
            starts.append(self.control_port)

    monkeypatch.setattr(execute, "ThisInterpreterKernelManager", FirstStartCollides)
    src = write_notebook(tmp_path / "nb" / "briefing.ipynb", [("code", "print('ran')")])
    lines: list[str] = []
    try:
        (executed,) = run_notebooks([src], {}, workdir=tmp_path, build_dir=tmp_path / "build", progress=lines.append)
    finally:
        held.close()
    assert len(starts) == 2 and starts[0] == taken != starts[1]
    assert "ran" in executed.read_text(encoding="utf-8")
    assert any("briefing.ipynb … 内核启动时退出" in line and "重新启动一次" in line for line in lines), lines
    assert any(line.startswith("执行 briefing.ipynb … 完成") for line in lines), lines


def test_a_kernel_that_never_answered_is_not_started_again(tmp_path, monkeypatch):
    """A kernel that did not answer within the start timeout (a firewall on local ports) would not answer a second
    time either: one attempt, one message, not two long waits."""
    import papermill

    from analysis.report import execute

    calls: list[int] = []

    def silent_kernel(*args, **kwargs):
        calls.append(1)
        raise RuntimeError("Kernel didn't respond in 0 seconds")

    monkeypatch.setattr(papermill, "execute_notebook", silent_kernel)
    monkeypatch.setattr(execute, "KERNEL_START_TIMEOUT", 0.0)
    src = write_notebook(tmp_path / "nb" / "briefing.ipynb", [("code", "x = 1")])
    with pytest.raises(NotebookFailed, match="没能开始执行"):
        run_notebooks([src], {}, workdir=tmp_path, build_dir=tmp_path / "build", progress=None)
    assert calls == [1]

"""Execute the briefing notebooks and export them to offline HTML.

Two steps, kept apart on purpose (nbconvert issue #1300: with ``--execute`` tag removal runs
before execution):

1. :func:`execute_notebooks` runs notebooks with papermill, in parallel (one kernel per
   notebook), and writes executed copies to a build folder.
2. :func:`export_html` renders one executed notebook with the repo's ``briefing`` nbconvert
   template into a single self-contained HTML file, which :func:`check_offline_html` guards.

The kernel is always the interpreter running this code (see :class:`ThisInterpreterKernelManager`),
whatever kernelspecs are installed on the machine.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import logging
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import nbformat
import zmq
from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager
from nbconvert.preprocessors import Preprocessor
from traitlets import default

from analysis import atomic
from analysis.paths import PACKAGE_DIR, TEMPLATES_DIR

__all__ = [
    "BriefingCleanupPreprocessor",
    "MAX_HTML_BYTES",
    "NotebookFailed",
    "ReportError",
    "TEMPLATE_NAME",
    "ThisInterpreterKernelManager",
    "check_offline_html",
    "execute_notebooks",
    "export_html",
    "render_html",
    "format_date",
]

TEMPLATE_NAME = "briefing"
MAX_HTML_BYTES = 3 * 1024 * 1024
KERNEL_NAME = "python3"

REMOVE_CELL_TAGS = frozenset({"remove-cell", "remove_cell", "hide"})
REMOVE_OUTPUT_TAGS = frozenset({"remove-output", "remove_output", "hide-output"})

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class ReportError(RuntimeError):
    """A briefing could not be built; the message is meant for the user (Chinese)."""


class NotebookFailed(ReportError):
    """A notebook stopped with an error; names the notebook and the failing cell."""

    def __init__(
        self,
        message: str,
        *,
        notebook: Path,
        cell_index: int | None = None,
        source_line: str | None = None,
        ename: str | None = None,
        evalue: str | None = None,
        executed_path: Path | None = None,
        traceback: list[str] | None = None,
    ) -> None:
        super().__init__(message)
        self.notebook = notebook
        self.cell_index = cell_index  # 0-based, in the source notebook (injected cell not counted)
        self.source_line = source_line
        self.ename = ename
        self.evalue = evalue
        self.executed_path = executed_path
        self.traceback = traceback or []


# --------------------------------------------------------------------------------------------
# Kernel: the running interpreter, never a kernelspec found on disk
# --------------------------------------------------------------------------------------------


def _kernel_env() -> dict[str, str]:
    """Environment additions for the kernel.

    * PYTHONPATH: the folder holding the ``analysis`` package this process imported, first,
      so notebooks import the same code even when it is not pip-installed (``PYTHONPATH=src``)
      and the kernel runs in another folder; relative entries are made absolute for that reason.
    * MPLBACKEND: ipykernel only picks the inline backend when MPLBACKEND is unset; a parent
      with MPLBACKEND=Agg (common in tests/CI) would otherwise produce no figures at all.
    * PYDEVD_DISABLE_FILE_VALIDATION: silences debugpy's "frozen modules" notice on stderr.
    """
    entries = [str(PACKAGE_DIR.parent)]
    for entry in os.environ.get("PYTHONPATH", "").split(os.pathsep):
        if entry:
            absolute = str(Path(entry).resolve())
            if absolute not in entries:
                entries.append(absolute)
    return {
        "PYTHONPATH": os.pathsep.join(entries),
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }


class ThisInterpreterKernelManager(AsyncKernelManager):
    """Kernel manager whose kernel is ``sys.executable -m ipykernel_launcher``.

    jupyter_client would resolve the name "python3" through the kernelspec folders (user,
    environment, system); a user-level spec written by another Python could win there. This
    manager skips the lookup and builds the spec ipykernel itself would install
    (``ipykernel.kernelspec.get_kernel_dict``, which uses ``sys.executable``), so a fresh venv
    with no kernelspec installed works, and the kernel always sees this venv's packages.
    """

    if "transport_encryption" in AsyncKernelManager.class_trait_names():  # jupyter_client >= 8.10

        @default("transport_encryption")
        def _encrypt_when_possible(self) -> str:
            # ipykernel >= 7.4 warns on stderr about plain TCP; provision CurveZMQ keys when the
            # local libzmq supports it (the kernel spec below declares "supported_encryption").
            return "auto" if zmq.has("curve") else "disabled"

    @default("shutdown_wait_time")
    def _short_shutdown_wait(self) -> float:
        # All outputs are in by the time the kernel is shut down. With two kernels exiting at
        # once, ipykernel 7 sometimes hangs in "Closing control thread" after replying to the
        # shutdown request (cf. posit-dev/positron#7142); jupyter_client then waits half of this
        # before SIGTERM and the other half before SIGKILL (default 5 s in total, now 1 s).
        return 1.0

    @property
    def kernel_spec(self) -> KernelSpec | None:  # type: ignore[override]
        if self._kernel_spec is None:
            from ipykernel.kernelspec import RESOURCES, get_kernel_dict

            # jupyter_client interrupts the kernel before every shutdown; when the SIGINT lands
            # while the idle kernel handles a message, ipykernel logs "KeyboardInterrupt caught
            # in kernel." on our terminal. Kernel-side log lines are noise for a batch run (cell
            # errors come back through the protocol), so only critical ones are kept.
            spec = get_kernel_dict(extra_arguments=["--IPKernelApp.log_level=CRITICAL"])
            spec["env"] = _kernel_env()
            self._kernel_spec = KernelSpec(resource_dir=RESOURCES, **spec)
        return self._kernel_spec


# --------------------------------------------------------------------------------------------
# Execution
# --------------------------------------------------------------------------------------------


def _first_line(source: str, limit: int = 80) -> str:
    for line in source.splitlines():
        if line.strip():
            line = line.strip()
            return line if len(line) <= limit else line[: limit - 1] + "…"
    return "（空单元格）"


def _locate_cell(failed_copy: Path | None, papermill_index: int | None) -> tuple[int, str] | None:
    """(index in the source notebook, source) of the failing cell, from the saved partial copy.

    papermill's index counts its injected-parameters cell, and its saved copy also holds the
    error-marker cells it inserts; neither exists in the source notebook. Without an index
    (kernel died, timeout) the failing cell is the last one papermill started.
    """
    if failed_copy is None:
        return None
    try:
        cells = nbformat.read(failed_copy, as_version=4).cells
    except Exception:  # noqa: BLE001 - only used to describe the failure
        return None
    cells = [c for c in cells if "papermill-error-cell-tag" not in c.get("metadata", {}).get("tags", [])]
    if papermill_index is None:
        # papermill marks each cell "running" when it starts and "completed" even when nbclient
        # raises (its `finally`), so the failing cell is the last one that started.
        started = [
            i for i, c in enumerate(cells) if c.get("metadata", {}).get("papermill", {}).get("start_time")
        ]
        if not started:
            return None
        papermill_index = started[-1]
    if not 0 <= papermill_index < len(cells):
        return None
    injected = sum(
        1 for c in cells[:papermill_index] if "injected-parameters" in c.get("metadata", {}).get("tags", [])
    )
    return papermill_index - injected, cells[papermill_index].source


_EXPLAIN = {
    "DeadKernelError": "内核意外退出（内存不足、程序崩溃或代码调用了退出）",
    "CellTimeoutError": "单元格运行超时（见 cell_timeout）",
}


def _failure(
    src: Path,
    failed_copy: Path | None,
    ename: str,
    evalue: str,
    *,
    papermill_index: int | None = None,
    source: str | None = None,
    traceback: list[str] | None = None,
) -> NotebookFailed:
    """A NotebookFailed whose message names the notebook, the cell, its first line and the error."""
    located = _locate_cell(failed_copy, papermill_index)
    if located is not None:
        index, cell_source = located
        source = source if source is not None else cell_source
    else:
        index = papermill_index
    evalue = _ANSI.sub("", evalue or "").strip()
    if ename in _EXPLAIN:
        evalue = f"{_EXPLAIN[ename]}；{evalue.splitlines()[0] if evalue else ''}".rstrip("；")
    where = f"第 {index + 1} 个单元格（索引 {index}）出错" if index is not None else "出错（无法确定单元格）"
    line = _first_line(source) if source is not None else None
    message = f"笔记本 {src.name} 执行失败：{where}\n"
    if line is not None:
        message += f"  代码首行：{line}\n"
    message += f"  错误：{ename}: {evalue}"
    if failed_copy is not None:
        message += f"\n  执行到出错处的副本：{failed_copy}"
    return NotebookFailed(
        message,
        notebook=src,
        cell_index=index,
        source_line=line,
        ename=ename,
        evalue=evalue,
        executed_path=failed_copy,
        traceback=[_ANSI.sub("", t) for t in (traceback or [])],
    )


def _execute_one(
    src: Path, dest: Path, parameters: Mapping[str, Any], workdir: Path, cell_timeout: float | None
) -> None:
    import papermill
    from papermill.exceptions import PapermillExecutionError

    running = dest.with_name(f".{dest.stem}.running.ipynb")
    failed = dest.with_name(f"{dest.stem}.failed.ipynb")
    for stale in (dest, running, failed):
        stale.unlink(missing_ok=True)
    try:
        papermill.execute_notebook(
            str(src),
            str(running),
            parameters=dict(parameters),
            kernel_name=KERNEL_NAME,
            progress_bar=False,
            log_output=False,
            start_timeout=120,
            execution_timeout=cell_timeout,
            # nbclient traits, passed through papermill's engine kwargs:
            kernel_manager_class=ThisInterpreterKernelManager,
            # the kernel's cwd (papermill's own `cwd=` does a process-wide os.chdir, which
            # is not safe with notebooks running in parallel threads)
            resources={"metadata": {"path": str(workdir)}},
        )
    except Exception as exc:
        kept = None
        if running.exists():
            os.replace(running, failed)
            kept = failed
        if isinstance(exc, PapermillExecutionError):
            raise _failure(
                src, kept, exc.ename, str(exc.evalue or ""),
                papermill_index=exc.cell_index, source=exc.source, traceback=exc.traceback,
            ) from None
        raise _failure(src, kept, type(exc).__name__, str(exc) or "（无详细信息）") from exc
    os.replace(running, dest)


def _close_thread_loop() -> None:
    """Close the event loop nbclient's run_sync created for this worker thread (else it leaks)."""
    from jupyter_core.utils import ensure_event_loop

    loop = ensure_event_loop()
    if not loop.is_running():
        loop.close()
    asyncio.set_event_loop(None)


def _parameter_notes(src: Path, parameters: Mapping[str, Any]) -> list[str]:
    """Chinese notes replacing papermill's English warnings about parameters."""
    if not parameters:
        return []
    import papermill

    nb = nbformat.read(src, as_version=4)
    if not any("parameters" in c.get("metadata", {}).get("tags", []) for c in nb.cells):
        return [f"提示：{src.name} 没有标记为 parameters 的单元格，参数将插在笔记本最前面"]
    declared = set(papermill.inspect_notebook(str(src)))
    unknown = [name for name in parameters if name not in declared]
    if unknown:
        return [f"提示：{src.name} 的 parameters 单元格没有定义 {'、'.join(unknown)}（仍会注入）"]
    return []


def _quiet_papermill_logger() -> None:
    """papermill/nbclient log in English through Python's last-resort handler when the caller
    configured no logging; everything they say is in NotebookFailed or _parameter_notes."""
    log = logging.getLogger("papermill")
    if not any(isinstance(h, logging.NullHandler) for h in log.handlers):
        log.addHandler(logging.NullHandler())


def execute_notebooks(
    notebooks: Iterable[str | os.PathLike[str]],
    parameters: Mapping[str, Any] | None,
    workdir: str | os.PathLike[str],
    build_dir: str | os.PathLike[str] | None = None,
    *,
    max_workers: int | None = None,
    cell_timeout: float | None = 1800,
    progress: Callable[[str], None] | None = print,
) -> list[Path]:
    """Execute notebooks with papermill in parallel; return the executed copies' paths.

    ``parameters`` is injected into each notebook after its cell tagged ``parameters``
    (papermill adds a cell tagged ``injected-parameters``). Each notebook gets its own kernel
    (the running interpreter), started in ``workdir``, so notebooks can read files relative to
    it and ``import analysis``. Executed copies keep their file names and go to ``build_dir``
    (default ``workdir/build``), never next to the sources. Up to ``max_workers`` notebooks run
    at once (default: one per CPU core, at most one per notebook).

    If a notebook fails, notebooks not yet started are cancelled, running ones finish, and
    :class:`NotebookFailed` is raised for the first failure; the partly executed copy is kept as
    ``<name>.failed.ipynb`` in ``build_dir`` for inspection. Returns paths in input order.
    """
    sources = [Path(nb).resolve() for nb in notebooks]
    if not sources:
        return []
    workdir = Path(workdir).resolve()
    if not workdir.is_dir():
        raise ReportError(f"工作目录不存在：{workdir}")
    build = Path(build_dir).resolve() if build_dir is not None else workdir / "build"
    missing = [str(s) for s in sources if not s.is_file()]
    if missing:
        raise ReportError("找不到笔记本：" + "、".join(missing))
    names = [s.name for s in sources]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ReportError("笔记本文件名重复，执行结果会互相覆盖：" + "、".join(duplicates))
    if any(s.parent == build for s in sources):
        raise ReportError(f"输出目录不能是笔记本所在目录：{build}")
    build.mkdir(parents=True, exist_ok=True)
    targets = [build / s.name for s in sources]
    for target in targets:  # no stale copy of an earlier run may pass for this run's result
        target.unlink(missing_ok=True)
        target.with_name(f"{target.stem}.failed.ipynb").unlink(missing_ok=True)
    params = dict(parameters or {})

    lock = threading.Lock()

    def say(text: str) -> None:
        if progress is not None:
            with lock:
                progress(text)
                if progress is print:
                    sys.stdout.flush()

    def job(src: Path, dest: Path) -> float:
        say(f"执行 {src.name} …")
        start = time.perf_counter()
        try:
            _execute_one(src, dest, params, workdir, cell_timeout)
        except BaseException:
            say(f"执行 {src.name} … 失败（{time.perf_counter() - start:.1f} 秒）")
            raise
        finally:
            _close_thread_loop()
        seconds = time.perf_counter() - start
        say(f"执行 {src.name} … 完成（{seconds:.1f} 秒）")
        return seconds

    _quiet_papermill_logger()
    for src in sources:
        for note in _parameter_notes(src, params):
            say(note)

    workers = max_workers or os.cpu_count() or 1
    workers = max(1, min(workers, len(sources)))
    started = time.perf_counter()
    failures: list[BaseException] = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="notebook") as pool:
        futures = [pool.submit(job, s, d) for s, d in zip(sources, targets)]
        for future in concurrent.futures.as_completed(futures):
            if future.cancelled():
                continue
            error = future.exception()
            if error is not None:
                failures.append(error)
                for other in futures:
                    other.cancel()
    if failures:
        raise failures[0]
    say(f"{len(sources)} 个笔记本执行完成，共用时 {time.perf_counter() - started:.1f} 秒（同时运行 {workers} 个）")
    return targets


# --------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------

# Reprs printed as the last expression of a cell, e.g. ``[<matplotlib.lines.Line2D at 0x7f…>]``,
# ``Text(0.5, 1.0, '标题')`` or ``<Figure size 640x480 with 1 Axes>``: noise in a briefing.
_NOISE_REPR = re.compile(
    r"""\[?\s*<[^<>\n]*\ at\ 0x[0-9a-fA-F]+>.*
      | Text\([^()\n]*\)
      | <Figure\ size\ [\d.]+x[\d.]+\ with\ \d+\ Axes>""",
    re.VERBOSE | re.DOTALL,
)


class BriefingCleanupPreprocessor(Preprocessor):
    """Remove everything a reader of the briefing should not see.

    Drops stderr streams (warnings, logging), error outputs (tracebacks), JavaScript and widget
    outputs, plain-text reprs of plotting objects, cells tagged ``remove-cell``/``hide``, the
    outputs of cells tagged ``remove-output``, and code cells left with no output. Registered in
    the template's conf.json, so ``jupyter nbconvert --template briefing`` gets it too.
    """

    dropped_mimetypes = (
        "application/javascript",
        "application/vnd.jupyter.widget-view+json",
        "application/vnd.jupyter.widget-state+json",
        "text/vnd.mermaid",
    )

    def preprocess(self, nb, resources):  # noqa: D102
        cells = []
        for cell in nb.cells:
            tags = set(cell.get("metadata", {}).get("tags", []))
            if tags & REMOVE_CELL_TAGS:
                continue
            if cell.cell_type == "code":
                outputs = [] if tags & REMOVE_OUTPUT_TAGS else cell.get("outputs", [])
                cell.outputs = [o for o in (self._clean(o) for o in outputs) if o is not None]
                if not cell.outputs:
                    continue
            cells.append(cell)
        nb.cells = cells
        nb.metadata.pop("widgets", None)
        return nb, resources

    def _clean(self, output):
        kind = output.get("output_type")
        if kind == "error":
            return None
        if kind == "stream":
            return output if output.get("name") == "stdout" and output.get("text", "").strip() else None
        if kind in ("display_data", "execute_result"):
            data = output.get("data", {})
            for mime in self.dropped_mimetypes:
                data.pop(mime, None)
            if set(data) == {"text/plain"} and _NOISE_REPR.fullmatch(data["text/plain"].strip()):
                return None
            return output if data else None
        return None


_EXTERNAL_PATTERNS = [
    # any <script src=…>, even empty (nbconvert leaves src="" when a URL trait is blanked)
    re.compile(r"<script\b[^>]*?\ssrc\s*=[^>]*>", re.I),
    # stylesheets, icons, preloads: <link href=…> not inlined as data:
    re.compile(r"<link\b[^>]*?\shref\s*=\s*(?![\"']?data:)[^>]*>", re.I),
    # ES module loading: import("https://…"), import x from "https://…"
    re.compile(r"\bimport\s*\(\s*[\"'`]\s*(?:https?:)?//[^\"'`]*", re.I),
    re.compile(r"\bfrom\s+[\"'`](?:https?:)?//[^\"'`]*", re.I),
    # CSS: url(http…), url(//…), @import "http…"
    re.compile(r"url\(\s*[\"']?\s*(?:https?:)?//[^)]*\)?", re.I),
    re.compile(r"@import\s+[\"'](?:https?:)?//[^\"']*", re.I),
    # src="http…" / src="//…" anywhere (attributes, JavaScript strings)
    re.compile(r"\bsrc\s*=\s*[\"']?(?:https?:)?//[^\s\"'>]*", re.I),
    # any other src/srcset/poster attribute that is not an embedded data: URI (files next to the HTML)
    re.compile(r"<[a-z][^>]*?\s(?:src|srcset|poster)\s*=\s*(?![\"']?data:)[\"']?[^\s\"'>]*", re.I),
    # protocol-relative references
    re.compile(r"\bhref\s*=\s*[\"']?//[^\s\"'>]*", re.I),
]


def check_offline_html(html_text: str) -> list[str]:
    """Return the references in ``html_text`` that would need a network or another file.

    Covers ``<script src=…>``, ``<link href=…>`` (not data:), ``import("http…")``,
    ``url(http…)``, ``@import``, ``src="http…"``, non-data ``src``/``srcset`` attributes and
    ``href="//…"``. Ordinary ``<a href="https://…">`` links are not loads and are allowed.
    Each finding is a short excerpt; an empty list means the file is self-contained.
    """
    spans: list[tuple[int, int]] = []
    for pattern in _EXTERNAL_PATTERNS:
        spans.extend(m.span() for m in pattern.finditer(html_text))
    found: list[str] = []
    last_end = -1
    for start, end in sorted(spans):
        if start < last_end:  # the same reference matched by a broader pattern
            continue
        last_end = max(last_end, end)
        excerpt = html_text[start:end]
        found.append(excerpt if len(excerpt) <= 160 else excerpt[:157] + "…")
    return found


def format_date(day: dt.date) -> str:
    """``2026年11月24日`` (no zero padding, as in official documents)."""
    return f"{day.year}年{day.month}月{day.day}日"


def _default_date() -> dt.date:
    """Today, or SOURCE_DATE_EPOCH's date (reproducible builds) when that is set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).date()
    return dt.date.today()


def render_html(
    executed_nb_path: str | os.PathLike[str],
    out_html_path: str | os.PathLike[str],
    title: str,
    *,
    generated: dt.date | None = None,
    extra_css: str = "",
    max_bytes: int = MAX_HTML_BYTES,
) -> str:
    """Render an executed notebook to one self-contained HTML file with the briefing template.

    No code, prompts, stderr, warnings or tracebacks (see :class:`BriefingCleanupPreprocessor`
    and the template); markdown headings become the sections; images are data: URIs.
    ``title`` goes into ``<title>`` and the header; ``generated`` is the date shown as
    生成日期 (default: today, or SOURCE_DATE_EPOCH); ``extra_css`` (e.g. an @font-face rule with
    an embedded font) is inlined in its own ``<style>``. ``out_html_path`` names the page (its
    stem) and appears in messages. Raises :class:`ReportError` if the result has an external
    reference or exceeds ``max_bytes``. Returns the HTML text.
    """
    from nbconvert import HTMLExporter

    src = Path(executed_nb_path)
    out = Path(out_html_path)
    if "</" in extra_css:
        raise ReportError("extra_css 不能包含 “</”（会提前结束 <style>）")
    nb = nbformat.read(src, as_version=4)
    exporter = HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
        embed_images=True,
    )
    resources = {
        "metadata": {"name": out.stem, "path": str(src.parent.resolve())},
        "briefing": {
            "title": title,
            "date_text": format_date(generated or _default_date()),
            "extra_css": extra_css,
        },
    }
    html, _ = exporter.from_notebook_node(nb, resources=resources)

    external = check_offline_html(html)
    if external:
        listed = "\n  ".join(external[:10])
        raise ReportError(f"生成的 HTML 含有外部引用，离线无法显示，未写出 {out.name}：\n  {listed}")
    size = len(html.encode("utf-8"))
    if size > max_bytes:
        raise ReportError(
            f"生成的 HTML 有 {size / 1024 / 1024:.1f} MB，超过上限 {max_bytes / 1024 / 1024:.1f} MB，未写出 {out.name}"
        )
    return html


def export_html(executed_nb_path, out_html_path, title: str, **options) -> Path:
    """:func:`render_html`, then write the file atomically. Returns the path."""
    out = Path(out_html_path)
    atomic.write_text(out, render_html(executed_nb_path, out, title, **options))
    return out

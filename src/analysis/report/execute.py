"""Notebook execution: each run is one notebook with its parameters, executed by papermill, several at once.

The kernel is always the interpreter running this code (ThisInterpreterKernelManager), whatever kernelspecs are
installed on the machine. A failing notebook is named with the failing cell, its first line and the error.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import zmq
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from traitlets import default

from analysis.paths import PACKAGE_DIR

KERNEL_NAME = "python3"

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


class KernelNotStarted(NotebookFailed):
    """The notebook's kernel did not come up: no cell ran."""


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


class ThisInterpreterKernelSpecManager(KernelSpecManager):
    """Kernel specs that know one kernel, whatever its name: ``sys.executable -m ipykernel_launcher``.

    jupyter_client would resolve the name "python3" through the kernelspec folders (user, environment, system); a
    user-level spec written by another Python could win there. This one returns the spec ipykernel itself would
    install (``ipykernel.kernelspec.get_kernel_dict``, which uses ``sys.executable``), so a fresh venv with no
    kernelspec installed works, and the kernel always sees this venv's packages.
    """

    def find_kernel_specs(self) -> dict[str, str]:
        from ipykernel.kernelspec import RESOURCES

        return {KERNEL_NAME: RESOURCES}

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        from ipykernel.kernelspec import RESOURCES, get_kernel_dict

        # jupyter_client interrupts the kernel before every shutdown; when the SIGINT lands while the idle kernel
        # handles a message, ipykernel logs "KeyboardInterrupt caught in kernel." on our terminal. Kernel-side log
        # lines are noise for a batch run (cell errors come back through the protocol), so only critical ones are
        # kept.
        spec = get_kernel_dict(extra_arguments=["--IPKernelApp.log_level=CRITICAL"])
        spec["env"] = _kernel_env()
        return KernelSpec(resource_dir=RESOURCES, **spec)


class ThisInterpreterKernelManager(AsyncKernelManager):
    """Kernel manager whose kernel is this interpreter (ThisInterpreterKernelSpecManager), with a short shutdown."""

    @default("kernel_spec_manager")
    def _this_interpreter(self) -> KernelSpecManager:
        return ThisInterpreterKernelSpecManager(parent=self)

    if "transport_encryption" in AsyncKernelManager.class_trait_names():  # jupyter_client >= 8.10

        @default("transport_encryption")
        def _encrypt_when_possible(self) -> str:
            # ipykernel >= 7.4 warns on stderr about plain TCP; provision CurveZMQ keys when the
            # local libzmq supports it (ipykernel's kernel spec declares "supported_encryption").
            return "auto" if zmq.has("curve") else "disabled"

    @default("shutdown_wait_time")
    def _short_shutdown_wait(self) -> float:
        # All outputs are in by the time the kernel is shut down. With two kernels exiting at
        # once, ipykernel 7 sometimes hangs in "Closing control thread" after replying to the
        # shutdown request (cf. posit-dev/positron#7142); jupyter_client then waits half of this
        # before SIGTERM and the other half before SIGKILL (default 5 s in total, now 1 s).
        return 1.0


# --------------------------------------------------------------------------------------------
# Execution
# --------------------------------------------------------------------------------------------


def _first_line(source: str, limit: int = 80) -> str:
    for line in source.splitlines():
        if line.strip():
            line = line.strip()
            return line if len(line) <= limit else line[: limit - 1] + "…"
    return "（空单元格）"


def _locate_cell(started: list[tuple[int, Any]], index: int | None) -> tuple[int, str | None] | None:
    """(index in the source notebook, source) of the failing cell of the executed copy.

    ``started`` holds (index, cell) of each code cell as nbclient began it (its ``on_cell_execute`` hook); without
    an index from papermill (kernel died, timeout) the failing cell is the last one started. The executed copy
    counts papermill's injected-parameters cell, which the source notebook does not have.
    """
    if index is None:
        if not started:
            return None
        index = started[-1][0]
    injected = sum(1 for i, cell in started
                   if i < index and "injected-parameters" in cell.get("metadata", {}).get("tags", []))
    source = next((c.source for i, c in started if i == index), None)
    return index - injected, source


_EXPLAIN = {
    "DeadKernelError": "内核意外退出（内存不足、程序崩溃或代码调用了退出）",
    "CellTimeoutError": "单元格运行超时（见 cell_timeout）",
}


def _failure(
    run: NotebookRun,
    failed_copy: Path | None,
    ename: str,
    evalue: str,
    started: list[tuple[int, Any]],
    *,
    papermill_index: int | None = None,
    source: str | None = None,
    traceback: list[str] | None = None,
) -> NotebookFailed:
    """A NotebookFailed whose message names the notebook, the cell, its first line and the error."""
    index = None
    located = _locate_cell(started, papermill_index)
    if located is not None:
        index, cell_source = located
        source = source if source is not None else cell_source
    evalue = _ANSI.sub("", evalue or "").strip()
    if ename in _EXPLAIN:
        evalue = f"{_EXPLAIN[ename]}；{evalue.splitlines()[0] if evalue else ''}".rstrip("；")
    where = f"第 {index + 1} 个单元格（索引 {index}）出错" if index is not None else "出错（无法确定单元格）"
    line = _first_line(source) if source is not None else None
    message = f"笔记本 {run.label} 执行失败：{where}\n"
    if line is not None:
        message += f"  代码首行：{line}\n"
    message += f"  错误：{ename}: {evalue}"
    if failed_copy is not None:
        message += f"\n  执行到出错处的副本：{failed_copy}"
    return NotebookFailed(
        message,
        notebook=run.source,
        cell_index=index,
        source_line=line,
        ename=ename,
        evalue=evalue,
        executed_path=failed_copy,
        traceback=[_ANSI.sub("", t) for t in (traceback or [])],
    )


def _kernel_not_started(run: NotebookRun, exc: Exception) -> KernelNotStarted:
    """Why a notebook could not even start, in Chinese: its kernel (this Python, run as a second process that talks
    to this one over local network ports) did not come up. Office PCs block it in known ways."""
    detail = _ANSI.sub("", str(exc) or type(exc).__name__).strip().splitlines()[0]
    message = (f"笔记本 {run.label} 没能开始执行：内核（在后台运行笔记本的 Python 进程）没有启动或没有响应（{detail}）。\n"
               "  可能的原因：安全软件或防火墙拦截了 Python 在本机（127.0.0.1）上的通信；电脑太忙或内存不足；"
               "环境里缺少 ipykernel。\n"
               "  可以试试：在安全软件中允许本项目 .venv 里的 python 联网（只在本机通信），关闭占用资源的程序后重试，"
               "或重新运行安装命令（pip install -e .）；仍不行时在 JupyterLab 中打开 notebooks/ 里的笔记本，看能否运行。")
    return KernelNotStarted(message, notebook=run.source, cell_index=None, source_line=None,
                            ename=type(exc).__name__, evalue=detail, executed_path=None, traceback=[])


# A kernel gets this long to answer before the notebook is said not to have started (a locked-down office PC).
KERNEL_START_TIMEOUT = 120.0


def _execute_one(run: NotebookRun, dest: Path, workdir: Path, cell_timeout: float | None,
                 say: Callable[[str], None]) -> None:
    """Execute one notebook into ``dest``; a kernel that dies while starting is started once more.

    jupyter_client picks a kernel's ports by binding and releasing them; another process (a second briefing, a
    test run, any program) may take one before the kernel binds it, and the kernel exits with "Address already in
    use". A second start picks fresh ports. A kernel that never answered (the start timeout) is not started again:
    whatever blocked it would block the second one too, after as long a wait.
    """
    started_at = time.monotonic()
    try:
        _execute_attempt(run, dest, workdir, cell_timeout)
    except KernelNotStarted as failure:
        if time.monotonic() - started_at >= KERNEL_START_TIMEOUT:
            raise
        say(f"执行 {run.label} … 内核启动时退出（{failure.evalue}），重新启动一次")
        _execute_attempt(run, dest, workdir, cell_timeout)


def _execute_attempt(run: NotebookRun, dest: Path, workdir: Path, cell_timeout: float | None) -> None:
    import papermill
    from papermill.exceptions import PapermillExecutionError

    running = dest.with_name(f".{dest.stem}.running.ipynb")
    failed = dest.with_name(f"{dest.stem}.failed.ipynb")
    for stale in (dest, running, failed):
        stale.unlink(missing_ok=True)
    started: list[tuple[int, Any]] = []  # (index, cell) of each code cell as it starts: names a failing cell
    try:
        papermill.execute_notebook(
            str(run.source),
            str(running),
            parameters=dict(run.parameters),
            kernel_name=KERNEL_NAME,
            progress_bar=False,
            log_output=False,
            start_timeout=KERNEL_START_TIMEOUT,
            execution_timeout=cell_timeout,
            # nbclient traits, passed through papermill's engine kwargs:
            kernel_manager_class=ThisInterpreterKernelManager,
            on_cell_execute=lambda cell, cell_index: started.append((cell_index, cell)),
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
                run, kept, exc.ename, str(exc.evalue or ""), started,
                papermill_index=exc.cell_index, source=exc.source, traceback=exc.traceback,
            ) from None
        if not started:  # no cell ran: the kernel never came up
            raise _kernel_not_started(run, exc) from exc
        raise _failure(run, kept, type(exc).__name__, str(exc) or "（无详细信息）", started) from exc
    os.replace(running, dest)


def _close_thread_loop() -> None:
    """Close the event loop nbclient's run_sync created for this worker thread (else it leaks)."""
    from jupyter_core.utils import ensure_event_loop

    loop = ensure_event_loop()
    if not loop.is_running():
        loop.close()
    asyncio.set_event_loop(None)


def declared_parameters(src: Path) -> set[str]:
    """The names a notebook's parameters cell defines (papermill's reading of it; none when papermill cannot tell the
    notebook's language, a notebook without a kernel)."""
    import papermill

    try:
        return set(papermill.inspect_notebook(str(src)))
    except ValueError:
        return set()


def _parameter_notes(src: Path, parameters: Mapping[str, Any]) -> list[str]:
    """Chinese notes replacing papermill's English warnings about parameters."""
    if not parameters:
        return []
    nb = nbformat.read(src, as_version=4)
    if not any("parameters" in c.get("metadata", {}).get("tags", []) for c in nb.cells):
        return [f"提示：{src.name} 没有标记为 parameters 的单元格，参数将插在笔记本最前面"]
    declared = declared_parameters(src)
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


@dataclass(frozen=True)
class NotebookRun:
    """One execution: a notebook, the name of its executed copy (build_dir/<name>.ipynb) and its parameters."""

    source: Path
    name: str
    parameters: Mapping[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """How messages name the run: the notebook, and the copy where one notebook runs several times."""
        source = Path(self.source)
        return source.name if self.name == source.stem else f"{source.name}（{self.name}）"


def execute_notebooks(
    runs: Iterable[NotebookRun],
    workdir: str | os.PathLike[str],
    build_dir: str | os.PathLike[str] | None = None,
    *,
    max_workers: int | None = None,
    cell_timeout: float | None = 1800,
    progress: Callable[[str], None] | None = print,
    done: Callable[[int, Path], None] | None = None,
) -> list[Path]:
    """Execute notebook runs with papermill in parallel; return the executed copies' paths, in input order.

    Each run's parameters are injected after its notebook's cell tagged ``parameters`` (papermill adds a cell
    tagged ``injected-parameters``). Each run gets its own kernel (the running interpreter), started in
    ``workdir``, so notebooks can read files relative to it and ``import analysis``. Executed copies go to
    ``build_dir/<run name>.ipynb`` (default ``workdir/build``), never next to the sources; one notebook may run
    several times under different names. Up to ``max_workers`` run at once (default: one per CPU core).

    If a run fails, runs not yet started are cancelled, running ones finish, and :class:`NotebookFailed` is
    raised for the first failure; the partly executed copy is kept as ``<name>.failed.ipynb`` in
    ``build_dir`` for inspection. ``done(i, path)``, if given, is called with each run's index and executed copy as
    soon as it has run, in the thread that ran it (the briefing exports a page while the others run).
    """
    runs = [NotebookRun(Path(r.source).resolve(), r.name, dict(r.parameters)) for r in runs]
    if not runs:
        return []
    workdir = Path(workdir).resolve()
    if not workdir.is_dir():
        raise ReportError(f"工作目录不存在：{workdir}")
    build = Path(build_dir).resolve() if build_dir is not None else workdir / "build"
    missing = sorted({str(r.source) for r in runs if not r.source.is_file()})
    if missing:
        raise ReportError("找不到笔记本：" + "、".join(missing))
    names = [r.name for r in runs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ReportError("笔记本的执行结果重名，会互相覆盖：" + "、".join(duplicates))
    if any(r.source.parent == build for r in runs):
        raise ReportError(f"输出目录不能是笔记本所在目录：{build}")
    build.mkdir(parents=True, exist_ok=True)
    targets = [build / f"{r.name}.ipynb" for r in runs]
    for target in targets:  # no stale copy of an earlier run may pass for this run's result
        target.unlink(missing_ok=True)
        target.with_name(f"{target.stem}.failed.ipynb").unlink(missing_ok=True)

    lock = threading.Lock()

    def say(text: str) -> None:
        if progress is not None:
            with lock:
                progress(text)
                if progress is print:
                    sys.stdout.flush()

    def job(i: int, run: NotebookRun, dest: Path) -> float:
        say(f"执行 {run.label} …")
        start = time.perf_counter()
        try:
            _execute_one(run, dest, workdir, cell_timeout, say)
        except BaseException:
            say(f"执行 {run.label} … 失败（{time.perf_counter() - start:.1f} 秒）")
            raise
        finally:
            _close_thread_loop()
        seconds = time.perf_counter() - start
        say(f"执行 {run.label} … 完成（{seconds:.1f} 秒）")
        if done is not None:
            done(i, dest)
        return seconds

    _quiet_papermill_logger()
    for source in dict.fromkeys(r.source for r in runs):
        for note in _parameter_notes(source, next(r.parameters for r in runs if r.source == source)):
            say(note)

    workers = max_workers or os.cpu_count() or 1
    workers = max(1, min(workers, len(runs)))
    started = time.perf_counter()
    failures: list[BaseException] = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="notebook") as pool:
        futures = [pool.submit(job, i, r, d) for i, (r, d) in enumerate(zip(runs, targets))]
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
    say(f"{len(runs)} 个笔记本执行完成，共用时 {time.perf_counter() - started:.1f} 秒（同时运行 {workers} 个）")
    return targets

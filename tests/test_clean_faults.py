"""Faults while writing: the previous outputs stay whole, nothing temporary is left, reruns are identical."""
from __future__ import annotations

import contextlib
import errno
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import write_xlsx

from analysis.commands.cli import main
from analysis.demo import write_demo
from analysis.ingest.pipeline import clean
from analysis.ingest.tables import OutputsIncomplete, load_manifest, load_rejects, load_table
from analysis.shared import commit


def _outputs(folder: Path) -> dict:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")}


def _temps(folder: Path) -> list:
    return [p for p in folder.rglob("*") if p.name.endswith(".tmp") or p.name == commit.JOURNAL]


def _two_runs(tmp: Path) -> tuple[Path, Path, Path, Path]:
    """raw (as of the second run), out (empty), and the outputs of a first run and of a second with more places."""
    raw, out, pristine, reference = tmp / "raw", tmp / "out", tmp / "pristine", tmp / "reference"
    _ledgers(raw, 1)
    clean(raw, pristine, echo=_quiet)
    _ledgers(raw, 2)
    clean(raw, reference, echo=_quiet)
    return raw, out, pristine, reference


def _ledgers(raw: Path, places: int) -> None:
    header = ["日期", "街道", "类型", "数量"]
    write_xlsx(raw / "street_vending" / "a.xlsx", {"S": [header, ["2023-03-05", "焦南", "游商", places]]})
    write_xlsx(raw / "demolitions" / "b.xlsx", {"S": [["拆除日期", "街道", "面积"], ["2023-04-01", "王褚", 10 * places]]})


def _quiet(*args, **kwargs):
    pass


class WriteSteps:
    """Counts the operating-system steps of writing into `folder` (creating, fsync-ing, linking, replacing and
    removing files) and makes step number `fail_at` raise `fault`."""

    def __init__(self, monkeypatch, folder: Path, fault=None, fail_at: int = 0):
        self.folder, self.fault, self.fail_at, self.count = str(folder), fault, fail_at, 0
        real_open, real_fsync = open, os.fsync
        for name in ("replace", "link", "unlink"):
            monkeypatch.setattr(os, name, self._wrap(getattr(os, name)))
        monkeypatch.setattr(os, "fsync", lambda fd: self._step() or real_fsync(fd))
        monkeypatch.setattr(commit, "open", lambda path, mode="r", *a, **k: (self._step(path) if "x" in mode else None)
                            or real_open(path, mode, *a, **k), raising=False)

    def _wrap(self, real):
        def step(path, *args, **kwargs):
            self._step(path)
            return real(path, *args, **kwargs)
        return step

    def _step(self, path=None):
        if path is not None and not str(path).startswith(self.folder):
            return
        self.count += 1
        if self.count == self.fail_at:
            raise self.fault


FAULTS = {"磁盘空间不足": OSError(errno.ENOSPC, "No space left on device"),
          "只读": OSError(errno.EROFS, "Read-only file system"),
          "没有权限": PermissionError(errno.EACCES, "Permission denied"),
          "文件被占用": OSError(errno.EBUSY, "Device or resource busy")}


@pytest.mark.parametrize("words", list(FAULTS))
@pytest.mark.slow
def test_an_os_error_at_any_write_step_is_one_chinese_line_and_leaves_the_previous_outputs_whole(
        tmp_path, monkeypatch, capsys, words):
    raw, out, pristine, reference = _two_runs(tmp_path)
    before, after = _outputs(pristine), _outputs(reference)
    step, failed, failed_steps = 0, 0, []
    while True:
        step += 1
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(pristine, out)
        with pytest.MonkeyPatch.context() as mp:
            steps = WriteSteps(mp, out, FAULTS[words], step)
            code = main(["clean", "--raw", str(raw), "--out", str(out), "--jobs", "1"])
        err = capsys.readouterr().err
        if code == 1:  # the change did not happen: the previous outputs, whole, and nothing left behind
            failed += 1
            failed_steps.append(step)
            assert err.startswith("错误：") and words in err and err.count("\n") == 1 and "Traceback" not in err, err
            assert _outputs(out) == before and _temps(out) == [], f"write step {step}"
        else:  # the fault hit the tidying up after the change: done all the same, the next run removes the rest
            assert code == 0 and err == "" and _outputs(out) == after, f"write step {step}"
            assert main(["clean", "--raw", str(raw), "--out", str(out)]) == 0 and _temps(out) == []
            capsys.readouterr()
        if steps.count < step:
            break  # this run had fewer steps than `step`: every step has been tried
    # cache entries; six outputs and the state: staged, fsync'd, journalled, replaced, the folder fsync'd (a failed
    # hard link to keep the previous version is a copy instead)
    assert failed >= 30, failed_steps


@pytest.mark.slow
def test_ctrl_c_at_any_write_step_leaves_the_previous_outputs_whole(tmp_path):
    raw, out, pristine, reference = _two_runs(tmp_path)
    before, after = _outputs(pristine), _outputs(reference)
    step, interrupted = 0, 0
    while True:
        step += 1
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(pristine, out)
        with pytest.MonkeyPatch.context() as mp:
            steps = WriteSteps(mp, out, KeyboardInterrupt(), step)
            try:
                clean(raw, out, echo=_quiet)
            except KeyboardInterrupt:
                interrupted += 1
                if _outputs(out) == before:  # before the last rename: the previous outputs, nothing left behind
                    assert _temps(out) == [], f"write step {step}"
                else:  # in the tidying up after it: the new outputs, whole; the next run removes what is left
                    assert _outputs(out) == after and step > 36, f"write step {step}"
                    clean(raw, out, echo=_quiet)
                    assert _temps(out) == [], f"write step {step}"
        if steps.count < step:
            break
    assert interrupted >= 50


def test_a_file_held_open_on_windows_is_named_with_advice(tmp_path, monkeypatch, capsys):
    """Windows refuses to replace a file that Excel or WPS holds open (PermissionError on the replace)."""
    from analysis.shared import os_errors

    raw, out = tmp_path / "raw", tmp_path / "out"
    _ledgers(raw, 1)
    clean(raw, out, echo=_quiet)
    before = _outputs(out)
    _ledgers(raw, 2)
    monkeypatch.setattr(os_errors, "WINDOWS", True)
    real = os.replace

    def excel_holds_rejects(src, dst, *a, **k):
        if Path(dst).name == "rejects.csv":
            raise PermissionError(errno.EACCES, "Access is denied", str(dst))
        return real(src, dst, *a, **k)

    monkeypatch.setattr(os, "replace", excel_holds_rejects)
    assert main(["clean", "--raw", str(raw), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"文件被占用，请关闭 Excel/WPS 后重试：{out / 'rejects.csv'}" in err and "Traceback" not in err
    assert _outputs(out) == before and _temps(out) == []


def test_out_naming_a_file_is_one_line(tmp_path, capsys):
    raw = tmp_path / "raw"
    _ledgers(raw, 1)
    (tmp_path / "out.txt").write_text("x")
    assert main(["clean", "--raw", str(raw), "--out", str(tmp_path / "out.txt")]) == 1
    err = capsys.readouterr().err
    assert "不是文件夹" in err and err.count("\n") == 1 and "Traceback" not in err
    assert main(["clean", "--raw", str(raw), "--out", str(tmp_path / "out.txt" / "sub")]) == 1
    assert "不是文件夹" in capsys.readouterr().err


def test_a_folder_where_an_output_belongs_is_named(tmp_path, capsys):
    raw, out = tmp_path / "raw", tmp_path / "out"
    _ledgers(raw, 1)
    (out / "rejects.csv").mkdir(parents=True)
    assert main(["clean", "--raw", str(raw), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "rejects.csv" in err and "文件夹" in err and "Traceback" not in err
    assert _temps(out) == []


# A server that has imported the package forks one clean per request; the clean counts its write steps (as
# WriteSteps) and, at step k, says so and waits to be killed. Forking saves a second of imports per step.
_KILL_SERVER = """
import os, signal, sys
import analysis.shared.commit as commit
from analysis.ingest.pipeline import clean
raw, out = sys.argv[1], sys.argv[2]
for line in sys.stdin:
    stop = int(line)
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        count = [0]
        def step(path=None):
            if path is None or str(path).startswith(out):
                count[0] += 1
                if count[0] == stop:
                    print("paused", os.getpid(), flush=True)
                    signal.pause()
        def wrap(real):
            def counted(path, *a, **k):
                step(path)
                return real(path, *a, **k)
            return counted
        for name in ("replace", "link", "unlink"):
            setattr(os, name, wrap(getattr(os, name)))
        real_fsync = os.fsync
        os.fsync = lambda fd: step() or real_fsync(fd)
        commit.open = lambda path, mode="r", *a, **k: (step(path) if "x" in mode else None) or open(path, mode, *a, **k)
        clean(raw, out, echo=lambda *a, **k: None)
        print("done", count[0], flush=True)
        os._exit(0)
    os.waitpid(pid, 0)
    print("reaped", flush=True)
"""


def _reader_view(out: Path, runs: dict) -> str:
    """Which run a reader of `out` sees (a key of `runs`), or "refused"; fails on a mix of two runs."""
    try:
        manifest = load_manifest(out)
        tables = {ledger: load_table(out, ledger, manifest) for ledger in manifest["ledgers"]}
        rejects = load_rejects(out, manifest)
    except OutputsIncomplete as exc:
        assert "不完整" in str(exc) and "请重新运行 analysis clean" in str(exc)
        return "refused"
    for name, (m, t, r) in runs.items():
        if manifest == m and t.keys() == tables.keys() and all(t[k].equals(tables[k]) for k in t) and r.equals(rejects):
            return name
    raise AssertionError(f"a reader sees outputs of two runs: {sorted(manifest['outputs'])}")


def _run_as_read(out: Path):
    manifest = load_manifest(out)
    return manifest, {ledger: load_table(out, ledger) for ledger in manifest["ledgers"]}, load_rejects(out)


@pytest.mark.skipif(os.name == "nt", reason="kill -9 and fork are POSIX; Windows has neither")
@pytest.mark.slow
def test_kill_9_at_any_write_step_never_shows_a_reader_two_runs_and_the_next_run_completes(tmp_path):
    raw, out, pristine, reference = _two_runs(tmp_path)
    runs = {"previous": _run_as_read(pristine), "new": _run_as_read(reference)}
    server = subprocess.Popen([sys.executable, "-c", _KILL_SERVER, str(raw), str(out)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)

    def start(stop: int) -> str:
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(pristine, out)
        server.stdin.write(f"{stop}\n")
        server.stdin.flush()
        return server.stdout.readline().split()

    try:
        word, steps = start(0)  # a run without a stop: how many steps it has
        assert word == "done" and server.stdout.readline() == "reaped\n"
        assert int(steps) >= 40
        seen = []
        for stop in range(1, int(steps) + 1):
            word, pid = start(stop)
            assert word == "paused"
            os.kill(int(pid), signal.SIGKILL)  # kill -9 at this step; its lock dies with it
            assert server.stdout.readline() == "reaped\n"
            seen.append(_reader_view(out, runs))
            assert clean(raw, out, echo=_quiet).exit_code == 0  # the next run: not blocked, and completes
            assert _outputs(out) == _outputs(reference) and _temps(out) == [], f"step {stop}"
    finally:
        server.kill()
        server.wait()
    # killed before the journal: the previous run; while renaming: refused; after the manifest: the new run
    assert seen[0] == "previous" and seen[-1] == "new" and "refused" in seen, seen


@pytest.fixture(scope="module")
def demo_raw(tmp_path_factory):
    raw = tmp_path_factory.mktemp("demo") / "raw"
    write_demo(raw, years=(2023,))
    return raw


def _clean_process(raw: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "analysis", "clean", "--raw", str(raw), "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


# Ctrl-C arrives as a real SIGINT while the third workbook is being cleaned, in a real process (one job).
_INTERRUPTED_CLEAN = """
import os, signal, sys
import analysis.ingest.workers as workers
from analysis.commands.cli import main
real, calls = workers.clean_file, []
def clean_file(*args, **kwargs):
    calls.append(args)
    if len(calls) == 3:
        os.kill(os.getpid(), signal.SIGINT)
    return real(*args, **kwargs)
workers.clean_file = clean_file
sys.exit(main(["clean", "--raw", sys.argv[1], "--out", sys.argv[2], "--jobs", "1"]))
"""


@pytest.mark.skipif(os.name == "nt", reason="a process sends itself SIGINT as a terminal does on POSIX; Windows has no such signal")
@pytest.mark.slow
def test_ctrl_c_leaves_no_temporary_file_and_a_rerun_is_identical(demo_raw, tmp_path):
    out, reference = tmp_path / "out", tmp_path / "reference"
    clean(demo_raw, reference, echo=_quiet)
    proc = subprocess.run([sys.executable, "-c", _INTERRUPTED_CLEAN, str(demo_raw), str(out)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 130, proc.stderr
    assert "已中断" in proc.stderr and "Traceback" not in proc.stderr
    assert _outputs(out) == {} and _temps(out) == []
    clean(demo_raw, out, echo=_quiet)
    assert _outputs(out) == _outputs(reference)


@pytest.mark.slow
def test_two_cleans_started_at_once_do_not_corrupt_the_outputs(demo_raw, tmp_path):
    out, reference = tmp_path / "out", tmp_path / "reference"
    clean(demo_raw, reference, echo=_quiet)
    first, second = _clean_process(demo_raw, out), _clean_process(demo_raw, out)
    results = [(p.wait(timeout=120), p.stderr.read()) for p in (first, second)]
    codes = sorted(code for code, _ in results)
    assert codes in ([0, 0], [0, 1])
    if codes == [0, 1]:
        assert any("正在写入" in err for code, err in results if code == 1)
    assert _outputs(out) == _outputs(reference) and _temps(out) == []


# Many changed files are cleaned in worker processes (FILES_PER_WORKER lowered so that the small demo uses them).
@pytest.mark.slow
def test_worker_processes_give_the_same_outputs_as_one_process(demo_raw, tmp_path, monkeypatch):
    from analysis.ingest import workers as pipeline

    one, pooled = tmp_path / "one", tmp_path / "pooled"
    clean(demo_raw, one, jobs=1, echo=_quiet)
    pools = []

    class CountedPool(pipeline.ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            pools.append(args)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(pipeline, "FILES_PER_WORKER", 1)
    monkeypatch.setattr(pipeline, "ProcessPoolExecutor", CountedPool)
    clean(demo_raw, pooled, jobs=2, echo=_quiet)
    assert len(pools) == 1
    assert _outputs(pooled) == _outputs(one)
    assert sorted(p.name for p in (pooled / ".cache" / "files").iterdir()) == \
        sorted(p.name for p in (one / ".cache" / "files").iterdir())


# Ctrl-C in a terminal reaches every process of the group: the parent and its workers.
_INTERRUPTED_POOLED_CLEAN = """
import os, signal, sys
import analysis.ingest.cache as cache
import analysis.ingest.workers as workers
from analysis.commands.cli import main
workers.FILES_PER_WORKER = 1
real, puts = cache.FileCache.put, []
def put(self, *args):
    puts.append(args)
    if len(puts) == 3:
        os.killpg(os.getpgrp(), signal.SIGINT)
    return real(self, *args)
cache.FileCache.put = put
sys.exit(main(["clean", "--raw", sys.argv[1], "--out", sys.argv[2], "--jobs", "2"]))
"""


@pytest.mark.skipif(os.name == "nt", reason="Ctrl-C reaches a POSIX process group (os.killpg); Windows has none")
@pytest.mark.slow
def test_ctrl_c_with_worker_processes_stops_cleanly(demo_raw, tmp_path):
    out, reference = tmp_path / "out", tmp_path / "reference"
    clean(demo_raw, reference, echo=_quiet)
    proc = subprocess.run([sys.executable, "-c", _INTERRUPTED_POOLED_CLEAN, str(demo_raw), str(out)],
                          capture_output=True, text=True, timeout=120, start_new_session=True, check=False)
    assert proc.returncode == 130, proc.stderr
    assert "已中断" in proc.stderr and "Traceback" not in proc.stderr and "KeyboardInterrupt" not in proc.stderr
    assert _outputs(out) == {} and _temps(out) == []
    clean(demo_raw, out, echo=_quiet)
    assert _outputs(out) == _outputs(reference)



# Workers that take a second per file (the patch is inherited by fork), or that abort on one file (as the
# reader's Rust code did on a hostile workbook: SIGABRT, exit 134).
_SLOW_POOLED_CLEAN = """
import os, signal, sys, time
import analysis.ingest.workers as workers
from analysis.commands.cli import main
workers.FILES_PER_WORKER = 1
mode, real = sys.argv[3], workers.clean_file
def clean_file(path, rel, ledger, today, **kwargs):
    if mode == "abort" and rel.endswith("2023年第2季度燃气安全排查台账.xlsx"):
        os.abort()
    if mode == "slow":
        print("working", file=sys.stderr, flush=True)
        time.sleep(1)
    return real(path, rel, ledger, today, **kwargs)
workers.clean_file = clean_file
sys.exit(main(["clean", "--raw", sys.argv[1], "--out", sys.argv[2], "--jobs", sys.argv[4]]))
"""


def _slow_clean(raw: Path, out: Path, mode: str, jobs: int = 2) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", _SLOW_POOLED_CLEAN, str(raw), str(out), mode, str(jobs)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def _wait_until(condition, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.02)


def _ignores_sigint(pid: int) -> bool:
    """Linux: the process has set SIGINT to be ignored (its SigIgn mask in /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigIgn:"):
            return bool(int(line.split()[1], 16) & (1 << (signal.SIGINT - 1)))
    return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the parent's signal mask from Linux's /proc")
@pytest.mark.slow
def test_ctrl_c_twice_does_not_hang(demo_raw, tmp_path):
    """The second Ctrl-C arrives while the workers finish the files in hand (it used to leave the run hanging)."""
    proc = _slow_clean(demo_raw, tmp_path / "out", "slow")
    assert "working" in proc.stderr.readline()  # a worker has a file in hand
    os.killpg(proc.pid, signal.SIGINT)
    _wait_until(lambda: _ignores_sigint(proc.pid), "the parent never began to stop its workers")
    os.killpg(proc.pid, signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    assert proc.returncode == 130, err
    assert "已中断" in err and "Traceback" not in err and "Exception ignored" not in err
    assert _temps(tmp_path / "out") == []


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork",
                    reason="the workers must inherit the test's stand-in for clean_file, which only fork gives")
@pytest.mark.slow
def test_a_worker_that_aborts_does_not_take_the_run_down(demo_raw, tmp_path):
    """The file a worker dies on is tried once more alone, then named; every other file is cleaned."""
    out, reference = tmp_path / "out", tmp_path / "reference"
    proc = _slow_clean(demo_raw, out, "abort")
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, err
    assert "Traceback" not in err
    manifest = load_manifest(out)
    failed = [f for f in manifest["files"] if f["status"] == "failed"]
    assert [f["file"] for f in failed] == ["gas_safety/2023/2023年第2季度燃气安全排查台账.xlsx"]
    assert "清洗进程意外退出" in failed[0]["reason"]
    clean(demo_raw, reference, echo=_quiet)
    expected = load_manifest(reference)
    assert len(manifest["files"]) == len(expected["files"])
    kept = sum(s["rows_kept"] for s in manifest["ledgers"].values())
    lost = sum(s.get("kept", 0) for f in expected["files"] if f["file"] == failed[0]["file"] for s in f["sheets"])
    assert kept == sum(s["rows_kept"] for s in expected["ledgers"].values()) - lost > 0
    # The next run tries that file again, in a worker of its own even with one job: never in the run's own process.
    proc = _slow_clean(demo_raw, out, "abort", jobs=1)
    said, err = proc.communicate(timeout=120)
    assert proc.returncode == 1 and "已是最新" not in said and "清洗进程意外退出" in said, err
    assert load_manifest(out) == manifest


def _live_members(group: int) -> list:
    """Processes of a process group that are still running (not zombies), from /proc."""
    live = []
    for entry in Path("/proc").iterdir():
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[2]) == group:
            live.append(entry.name)
    return live


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers end with their parent through Linux's prctl")
@pytest.mark.slow
def test_workers_end_with_their_parent_and_release_the_lock(demo_raw, tmp_path):
    """A parent killed outright (the OOM killer, say) must not leave workers holding the output folder's lock."""
    out = tmp_path / "out"
    proc = _slow_clean(demo_raw, out, "slow")
    assert "working" in proc.stderr.readline()  # a worker has a file in hand
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 10
    try:
        while _live_members(proc.pid):
            assert time.monotonic() < deadline, "workers outlived their parent"
            time.sleep(0.1)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # survivors of a failed test
    result = clean(demo_raw, out, echo=_quiet)
    assert result.exit_code == 0

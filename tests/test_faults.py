"""Faults while writing: the previous outputs stay whole, nothing temporary is left, reruns are identical."""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import write_xlsx

import analysis.ingest.commit as atomic
from analysis.demo import write_demo
from analysis.ingest.pipeline import clean


def _outputs(folder: Path) -> dict:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")}


def _temps(folder: Path) -> list:
    return [p for p in folder.rglob("*") if p.name.endswith(".tmp")]


def _ledgers(raw: Path, places: int) -> None:
    header = ["日期", "街道", "类型", "数量"]
    write_xlsx(raw / "street_vending" / "a.xlsx", {"S": [header, ["2023-03-05", "焦南", "游商", places]]})
    write_xlsx(raw / "demolitions" / "b.xlsx", {"S": [["拆除日期", "街道", "面积"], ["2023-04-01", "王褚", 10 * places]]})


def _quiet(*args, **kwargs):
    pass


@pytest.mark.parametrize("fault", [OSError, KeyboardInterrupt])
def test_a_fault_at_any_write_step_leaves_the_previous_outputs_whole(tmp_path, monkeypatch, fault):
    raw, out = tmp_path / "raw", tmp_path / "out"
    _ledgers(raw, 1)
    clean(raw, out, echo=_quiet)
    before = _outputs(out)
    _ledgers(raw, 2)

    step, writes = 0, 0

    def failing_open(path, mode="r", *a, **k):
        nonlocal writes
        if "x" in mode:
            writes += 1
            if writes == step:
                raise fault("injected")
        return open(path, mode, *a, **k)

    monkeypatch.setattr(atomic, "open", failing_open, raising=False)
    while True:
        step, writes = step + 1, 0
        try:
            clean(raw, out, echo=_quiet)
        except fault:
            assert _outputs(out) == before, f"write step {step}"
            assert _temps(out) == [], f"write step {step}"
            continue
        break  # this run had fewer writes than `step`: every step has been tried
    assert step >= 8  # cache entries, the six outputs and the run state: each failed once
    monkeypatch.undo()
    reference = tmp_path / "reference"
    clean(raw, reference, echo=_quiet)
    assert _outputs(out) == _outputs(reference)


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
from analysis.cli import main
real, calls = workers.clean_file, []
def clean_file(*args):
    calls.append(args)
    if len(calls) == 3:
        os.kill(os.getpid(), signal.SIGINT)
    return real(*args)
workers.clean_file = clean_file
sys.exit(main(["clean", "--raw", sys.argv[1], "--out", sys.argv[2], "--jobs", "1"]))
"""


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
from analysis.cli import main
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



# Workers that take a second per file (the patch is inherited by fork), or one that dies on its fifth file.
_SLOW_POOLED_CLEAN = """
import os, signal, sys, time
import analysis.ingest.workers as workers
from analysis.cli import main
workers.FILES_PER_WORKER = 1
mode, real, calls = sys.argv[3], workers.clean_file, []
def clean_file(*args):
    calls.append(args)
    if mode == "die" and len(calls) == 3:
        os.kill(os.getpid(), signal.SIGKILL)
    if mode == "slow":
        time.sleep(1)
    return real(*args)
workers.clean_file = clean_file
sys.exit(main(["clean", "--raw", sys.argv[1], "--out", sys.argv[2], "--jobs", "2"]))
"""


def _slow_clean(raw: Path, out: Path, mode: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", _SLOW_POOLED_CLEAN, str(raw), str(out), mode], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def test_ctrl_c_twice_does_not_hang(demo_raw, tmp_path):
    """The second Ctrl-C arrives while the workers finish the files in hand (it used to leave the run hanging)."""
    proc = _slow_clean(demo_raw, tmp_path / "out", "slow")
    time.sleep(2.5)
    os.killpg(proc.pid, signal.SIGINT)
    time.sleep(0.3)
    os.killpg(proc.pid, signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    assert proc.returncode == 130, err
    assert "已中断" in err and "Traceback" not in err and "Exception ignored" not in err
    assert _temps(tmp_path / "out") == []


def test_a_worker_that_dies_is_reported_in_chinese(demo_raw, tmp_path):
    proc = _slow_clean(demo_raw, tmp_path / "out", "die")
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    assert "清洗进程意外退出" in err and "--jobs 1" in err and "Traceback" not in err
    assert _outputs(tmp_path / "out") == {} and _temps(tmp_path / "out") == []


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
def test_workers_end_with_their_parent_and_release_the_lock(demo_raw, tmp_path):
    """A parent killed outright (the OOM killer, say) must not leave workers holding the output folder's lock."""
    out = tmp_path / "out"
    proc = _slow_clean(demo_raw, out, "slow")
    time.sleep(2.5)
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

def test_a_damaged_cache_entry_is_cleaned_again(demo_raw, tmp_path):
    out, reference = tmp_path / "out", tmp_path / "reference"
    clean(demo_raw, reference, echo=_quiet)
    clean(demo_raw, out, echo=_quiet)
    entries = sorted((out / ".cache" / "files").iterdir())
    entries[0].write_bytes(b"not an entry")
    entries[1].write_bytes(entries[1].read_bytes()[:100])
    (out / ".cache" / "state.json").unlink()  # otherwise nothing changed and nothing is read
    clean(demo_raw, out, echo=_quiet)
    assert _outputs(out) == _outputs(reference)
    assert (out / ".cache" / "files" / entries[0].name).read_bytes() == (reference / ".cache" / "files" / entries[0].name).read_bytes()

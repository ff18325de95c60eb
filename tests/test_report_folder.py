"""reports/<period>/ is one build: a new build replaces the earlier one all at once, nothing of it left behind, a
user's own files left and named. The folder replacement is tested with fake page files (fast); one slow test runs
real builds."""
from __future__ import annotations

import errno
import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import FIXED_DATE, build_briefing, write_xlsx
from test_clean_faults import FAULTS, WriteSteps

from analysis.commands.briefing import STAMP, _name_others, _up_to_date, replace_period_folder
from analysis.shared import commit
from analysis.shared.os_errors import OutputError

# The demo's build and a build from one's own data with fewer ledgers.
DEMO = {"briefing.html": "<html>简报（示例数据）</html>", "street_vending.html": "<html>三种经营（示例数据）</html>",
        "gas_safety.html": "<html>燃气（示例数据）</html>", "licensing.html": "<html>审批（示例数据）</html>",
        "data_quality.html": "<html>数据质量（示例数据）</html>", "index.html": "<html>目录（示例数据）</html>",
        "统计报表.xlsx": b"PK demo workbook"}
OWN = {"briefing.html": "<html>简报</html>", "gas_safety.html": "<html>燃气</html>",
       "data_quality.html": "<html>数据质量</html>", "index.html": "<html>目录</html>", "统计报表.xlsx": b"PK own workbook"}
USERS = {"给领导的说明.docx": b"the user's own", "草稿.html": "<html>a page the user wrote</html>"}


def _paths(out: Path) -> tuple[Path, Path]:
    """The period folder and the stamp, as briefing.py lays them out."""
    return out / "2023", out / ".build" / "2023" / STAMP


def _build(out: Path, pages: dict, fingerprint: str, **kw):
    folder, stamp = _paths(out)
    return replace_period_folder(out, folder, {folder / name: data for name, data in pages.items()}, stamp,
                                 fingerprint, **kw)


def _view(out: Path) -> dict:
    """What a reader of the reports folder finds: the period folder's files (a user's folder as a name) and the
    stamp."""
    folder, stamp = _paths(out)
    files = {p.name: p.read_bytes() if p.is_file() else "folder" for p in folder.iterdir()
             if not p.name.startswith(".")}
    return {"files": files, "stamp": json.loads(stamp.read_text(encoding="utf-8")) if stamp.exists() else None}


def _expected(pages: dict, fingerprint: str, users: dict = USERS) -> dict:
    files = {name: data if isinstance(data, bytes) else data.encode() for name, data in {**pages, **users}.items()}
    return {"files": files, "stamp": {"fingerprint": fingerprint, "files": sorted(pages)}}


def _temps(out: Path) -> list:
    return [p for p in out.rglob("*") if p.name.endswith(".tmp") or p.name == commit.JOURNAL]


def _with_users(out: Path) -> None:
    folder, _ = _paths(out)
    for name, data in USERS.items():
        (folder / name).write_bytes(data if isinstance(data, bytes) else data.encode())


@pytest.fixture
def demo_built(tmp_path) -> Path:
    """A reports folder holding the demo's build and, beside it, two files of the user's."""
    out = tmp_path / "pristine"
    assert _build(out, DEMO, "demo") == ([], [])
    _with_users(out)
    return out


def test_an_earlier_builds_extra_pages_are_gone_after_a_build_with_fewer_pages(demo_built):
    gone, others = _build(demo_built, OWN, "own")
    assert gone == ["licensing.html", "street_vending.html"]
    assert others == sorted(USERS)
    assert _view(demo_built) == _expected(OWN, "own") and _temps(demo_built) == []


def test_a_users_own_file_survives_and_is_named_in_one_chinese_line(demo_built, capsys):
    folder, _ = _paths(demo_built)
    (folder / "附件").mkdir()
    (folder / "~$统计报表.xlsx").write_bytes(b"Excel's lock file")  # Excel's, not the user's: not named
    _, others = _build(demo_built, OWN, "own")
    assert others == ["给领导的说明.docx", "草稿.html", "附件"]
    assert (folder / "附件").is_dir() and (folder / "~$统计报表.xlsx").exists()
    _name_others(folder, others)
    said = capsys.readouterr().out
    assert said == f"注意：{folder} 中另有 3 个不是简报生成的文件或文件夹，没有删除：给领导的说明.docx、草稿.html、附件\n"


def test_a_stamp_that_names_no_files_falls_back_to_the_names_a_build_could_write(demo_built):
    """A folder built by an earlier version of the program: its stamp holds the fingerprint only."""
    _, stamp = _paths(demo_built)
    stamp.write_text(json.dumps({"fingerprint": "demo"}) + "\n", encoding="utf-8")
    could = ["briefing.html", "street_vending.html", "gas_safety.html", "licensing.html", "dust_control.html",
             "data_quality.html", "index.html", "统计报表.xlsx"]
    gone, others = _build(demo_built, OWN, "own", earlier_names=could)
    assert gone == ["licensing.html", "street_vending.html"] and others == sorted(USERS)
    assert _view(demo_built) == _expected(OWN, "own")


def test_a_stamp_edited_by_hand_cannot_remove_anything_outside_the_folder(demo_built):
    _, stamp = _paths(demo_built)
    outside = demo_built / "outside.txt"
    outside.write_text("keep")
    stamp.write_text(json.dumps({"fingerprint": "demo", "files": ["../outside.txt", str(outside), "..", "草稿.html",
                                                                  "street_vending.html"]}), encoding="utf-8")
    gone, _ = _build(demo_built, OWN, "own")
    assert gone == ["street_vending.html", "草稿.html"]  # the stamp named the user's page: the stamp is the word
    assert outside.read_text() == "keep"


def test_a_build_is_up_to_date_only_when_its_stamp_fingerprint_names_and_files_all_hold(tmp_path):
    """The warm check: the stamp's fingerprint, every expected page among the names it lists, and every listed file
    there. The listed names include what the check does not name itself (the Word draft, whose name the
    fingerprint decides): one of them gone is a rebuild too."""
    out = tmp_path / "reports"
    _build(out, {**OWN, "草稿.docx": b"PK draft"}, "f1")
    folder, stamp = _paths(out)
    expected = [folder / name for name in OWN]
    assert _up_to_date(stamp, "f1", folder, expected)
    assert not _up_to_date(stamp, "f2", folder, expected)  # data, notebooks, template or program changed
    assert not _up_to_date(stamp, "f1", folder, [*expected, folder / "licensing.html"])  # a page it did not build
    (folder / "草稿.docx").unlink()
    assert not _up_to_date(stamp, "f1", folder, expected)  # a file it built is gone
    _build(out, OWN, "f1")
    (folder / "gas_safety.html").unlink()
    assert not _up_to_date(stamp, "f1", folder, expected)
    stamp.write_text(json.dumps({"fingerprint": "f1"}), encoding="utf-8")  # an earlier version's stamp: no names
    assert not _up_to_date(stamp, "f1", folder, expected)
    stamp.write_text("{", encoding="utf-8")
    assert not _up_to_date(stamp, "f1", folder, expected)
    stamp.unlink()
    assert not _up_to_date(stamp, "f1", folder, expected)


def test_nothing_to_remove_is_the_plain_replacement(tmp_path):
    out = tmp_path / "out"
    _build(out, OWN, "own")
    assert _build(out, DEMO, "demo") == ([], [])  # more pages than before: nothing removed
    assert _view(out) == _expected(DEMO, "demo", users={})


@pytest.fixture
def no_fsync(monkeypatch):
    """fsync is still a write step where a fault is injected, but does not wait for the disk: these tests try every
    step, each twice (the run and the next one), and durability across a power cut is not what they test."""
    monkeypatch.setattr(os, "fsync", lambda fd: None)


class DiskGoneFrom(WriteSteps):
    """Every write step from number `fail_at` on raises `fault`, those of the rollback too."""

    def _step(self, path=None):
        if path is None or str(path).startswith(self.folder):
            self.count += 1
            if self.count >= self.fail_at:
                raise self.fault


class KilledAt(WriteSteps):
    """The process ends at write step number `fail_at` as under kill -9: no cleanup, no finally."""

    def _step(self, path=None):
        if path is None or str(path).startswith(self.folder):
            self.count += 1
            if self.count == self.fail_at:
                os._exit(9)


def _reset(pristine: Path, out: Path) -> None:
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(pristine, out)


# A file held open (Excel on Windows refuses to replace or remove it) and Ctrl-C; the other operating-system errors
# take the same path (tests/test_clean_faults.py tries them all on the clean's commit).
@pytest.mark.parametrize("fault", ["文件被占用", "Ctrl-C"])
def test_a_fault_at_any_write_step_leaves_the_earlier_build_whole_and_the_next_run_completes_the_new_one(
        demo_built, tmp_path, no_fsync, fault):
    before, after = _expected(DEMO, "demo"), _expected(OWN, "own")
    out, step, failed = tmp_path / "reports", 0, []
    error = KeyboardInterrupt() if fault == "Ctrl-C" else FAULTS[fault]
    while True:
        step += 1
        _reset(demo_built, out)
        with pytest.MonkeyPatch.context() as mp:
            steps = WriteSteps(mp, out, error, step)
            try:
                _build(out, OWN, "own")
            except (OutputError, KeyboardInterrupt) as exc:
                if isinstance(exc, OutputError):
                    assert fault in str(exc) and "\n" not in str(exc)
                mp.undo()
                if _view(out) == before:  # the change did not happen: the earlier build whole, nothing left
                    failed.append(step)
                    assert _temps(out) == [], f"write step {step}"
                else:  # a Ctrl-C in the tidying up after the change: the new build whole
                    assert _view(out) == after, f"write step {step}"
            else:  # an error in the tidying up is no error of the change: the new build whole
                assert _view(out) == after, f"write step {step}"
        # the next run (as `analysis briefing` runs it: recover first, under its lock) completes the new build
        commit.recover(out)
        gone = ["licensing.html", "street_vending.html"] if _view(out) == before else []
        assert _build(out, OWN, "own") == (gone, sorted(USERS))
        assert _view(out) == after and _temps(out) == [], f"write step {step}"
        if steps.count < step:
            break
    # six files and the stamp staged and fsync'd, seven backups, the journal, the replacements and the removals
    assert len(failed) >= 25, failed
    assert steps.count > failed[-1], "no step after the change was decided was tried"


def test_the_disk_going_away_mid_change_is_put_right_by_the_next_run(demo_built, tmp_path, no_fsync):
    """Every step fails from step k on, the rollback's too: the journal stays, and recover() makes one build whole
    (the earlier one when the rollback was journalled, else the new one)."""
    before, after = _expected(DEMO, "demo"), _expected(OWN, "own")
    out, step, seen = tmp_path / "reports", 0, set()
    while True:
        step += 1
        _reset(demo_built, out)
        with pytest.MonkeyPatch.context() as mp:
            steps = DiskGoneFrom(mp, out, OSError(errno.EIO, "Input/output error"), step)
            try:
                _build(out, OWN, "own")
            except OutputError:
                pass
        commit.recover(out)
        view = _view(out)
        assert view in (before, after) and _temps(out) == [], f"write step {step}"
        seen.add("earlier" if view == before else "new")
        if steps.count < step:
            break
    assert seen == {"earlier", "new"}


@pytest.mark.skipif(not hasattr(os, "fork"), reason="a process killed at a write step needs fork (POSIX)")
def test_kill_9_at_any_write_step_leaves_one_build_after_recovery_and_the_next_run_completes(demo_built, tmp_path, no_fsync):
    before, after = _expected(DEMO, "demo"), _expected(OWN, "own")
    out, seen = tmp_path / "reports", []
    for stop in range(1, 200):
        _reset(demo_built, out)
        pid = os.fork()
        if pid == 0:  # the briefing's commit, killed outright at step `stop` (no cleanup, no finally)
            code = 1
            try:
                with pytest.MonkeyPatch.context() as mp:
                    KilledAt(mp, out, None, stop)
                    _build(out, OWN, "own")
                code = 0
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        assert code in (0, 9), f"write step {stop}: the commit failed ({code})"
        finished = code == 0
        half = (out / commit.JOURNAL).exists()
        commit.recover(out)
        view = _view(out)
        assert view in (before, after), f"write step {stop}"
        seen.append("new" if view == after else "earlier")
        if half:
            assert view == after, f"write step {stop}: a journalled change is completed"
        _build(out, OWN, "own")
        assert _view(out) == after and _temps(out) == [], f"write step {stop}"
        if finished:
            break
    else:
        pytest.fail("the commit never finished")
    assert seen[0] == "earlier" and seen[-1] == "new" and len(seen) >= 30, seen


@pytest.mark.slow
def test_switching_from_the_demo_to_ones_own_data_leaves_no_demo_page(demo_build, tmp_path, monkeypatch):
    """The issue: after the demo, one's own data for two ledgers; reports/2023 holds this build's pages only."""
    root = tmp_path / "clone"
    shutil.copytree(demo_build[0], root)
    folder = root / "reports" / "2023"
    demo_pages = sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
    assert "street_vending.html" in demo_pages and "licensing.html" in demo_pages
    (folder / "给领导的说明.docx").write_bytes(b"the user's own")
    write_xlsx(root / "data" / "raw" / "demolitions" / "a.xlsx",
               {"S": [["拆除日期", "街道", "面积"], ["2023-04-01", "王褚", 10], ["2022-05-01", "焦南", 20]]})
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_DATE)
    code, log = build_briefing(root, period="2023")
    assert code == 0, log
    left = sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
    stamped = json.loads((root / "reports" / ".build" / "2023" / STAMP).read_text(encoding="utf-8"))["files"]
    assert left == sorted([*stamped, "给领导的说明.docx"])
    assert "demolitions.html" in left and "street_vending.html" not in left and "licensing.html" not in left
    assert not any("示例数据" in (folder / name).read_text(encoding="utf-8") for name in stamped
                   if name.endswith(".html"))
    assert "已删除上一次生成、这一次不再生成的" in log and "street_vending.html" in log
    assert "没有删除：给领导的说明.docx" in log
    assert _temps(root / "reports") == []
    # and nothing changed: nothing rebuilt, the user's file named again
    code, log = build_briefing(root, period="2023")
    assert code == 0 and "已是最新" in log and "执行" not in log and "没有删除：给领导的说明.docx" in log


def test_work_done_beside_the_pages_gives_its_value_or_its_exception():
    from analysis.commands.briefing import _Beside

    assert _Beside(lambda: 41 + 1).result() == 42
    with pytest.raises(OutputError, match="磁盘"):
        _Beside(lambda: (_ for _ in ()).throw(OutputError("磁盘已满"))).result()


def test_the_briefing_reads_and_checks_notebooks_without_the_iri_grammars():
    """nbformat still validates a notebook; jsonschema only lacks its optional IRI check (rfc3987-syntax)."""
    import subprocess
    import sys

    code = ("import sys; from analysis.commands.briefing import _without_iri_grammars; _without_iri_grammars(); "
            "import nbformat; nbformat.validate(nbformat.v4.new_notebook()); "
            "print(sys.modules.get('rfc3987_syntax', 'absent'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "None"

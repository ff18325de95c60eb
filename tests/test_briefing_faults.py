"""The briefing under faults: one at a time per reports folder, built from one generation of the processed data
(a clean meanwhile cannot mix its pages), operating-system errors as one line naming the folder, pages replaced
all at once."""
from __future__ import annotations

import errno
import shutil
import subprocess
import sys

import pytest
from conftest import FIXED_DATE, build_briefing, fresh_project, page_differences, write_xlsx
from test_clean_faults import FAULTS, WriteSteps

from analysis.ingest.pipeline import clean

PAGES = ["briefing", "street_vending", "gas_safety", "dust_control", "demolitions", "licensing", "city_appearance",
         "work_figures", "report_text", "data_quality", "index"]


def _pages(root) -> dict:
    return {p.name: p.read_bytes() for p in sorted((root / "reports" / "2023").glob("*.html"))}


def test_a_second_briefing_into_the_same_reports_folder_is_told_one_is_running(tmp_path):
    root = fresh_project(tmp_path)
    write_xlsx(root / "data" / "raw" / "demolitions" / "a.xlsx", {"S": [["拆除日期", "街道", "面积"], ["2023-04-01", "王褚", 10]]})
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys\nfrom filelock import FileLock\n"
        f"lock = FileLock({str(root / 'reports' / '.briefing.lock')!r})\nlock.acquire()\n"
        "print('locked', flush=True)\nsys.stdin.read()")], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "locked\n"
        code, log = build_briefing(root)
    finally:
        holder.kill()
        holder.wait()
    assert code == 1 and "另一个 analysis briefing 正在生成“reports”中的简报，请等它结束后再运行" in log
    # refused before anything was cleaned or written
    assert not (root / "data" / "processed").exists() and not (root / "reports" / "2023").exists()


@pytest.fixture(scope="module")
def built(tmp_path_factory, demo_build):
    """A fresh clone's briefing during which another clean rewrites the processed folder from other raw files."""
    from analysis.report import execute

    root = fresh_project(tmp_path_factory.mktemp("clone"))
    real = execute.execute_notebooks

    def a_clean_meanwhile(runs, **kwargs):
        other = root / "other-raw"
        shutil.copytree(root / "build-demo" / "raw", other)
        (other / "demolitions" / "补报.csv").write_text("拆除日期,街道,拆除面积,拆除方式\n2023-12-30,焦南,1000,强拆\n",
                                                        encoding="utf-8")
        assert clean(other, root / "build-demo" / "processed", echo=lambda *a, **k: None).exit_code == 0
        return real(runs, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", FIXED_DATE)
        mp.setattr(execute, "execute_notebooks", a_clean_meanwhile)
        code, log = build_briefing(root)
    assert code == 0, log
    return root, demo_build[0]


def test_a_clean_during_the_briefing_does_not_mix_its_pages(built):
    root, reference = built
    # Every page is the one built from the data the briefing started with: byte for byte the demo's pages.
    built_pages = _pages(root)
    differences = page_differences(built_pages, _pages(reference))
    assert not differences and len(built_pages) == len(PAGES), "\n".join(differences)
    # The briefing cleans its raw folder again (the processed data is not its own now) and finds its pages current.
    code, log = build_briefing(root)
    assert code == 0 and "已是最新" in log and "执行" not in log


def test_a_full_disk_while_notebooks_run_names_the_folder_not_a_notebook(built, monkeypatch):
    import papermill

    root, _ = built
    before = _pages(root)
    stamp = root / "reports" / ".build" / "2023" / "stamp.json"
    saved = stamp.read_bytes()
    stamp.unlink()  # force a rebuild

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(papermill, "execute_notebook", disk_full)
    code, log = build_briefing(root)
    assert code == 1 and "错误：磁盘空间不足，无法写入文件夹“reports”" in log, log
    assert "笔记本" not in log and "Traceback" not in log
    assert _pages(root) == before
    stamp.write_bytes(saved)


def test_an_os_error_at_any_step_of_writing_the_pages_leaves_the_previous_pages_whole(built, monkeypatch):
    from analysis.report import execute, export, plots

    root, _ = built
    before = _pages(root)
    # Notebooks are not run (an empty executed copy each) and pages are rendered small: only the writing of the
    # pages is under test.
    def executed(runs, workdir, build_dir, done):
        import nbformat

        paths = [build_dir / f"{r.name}.ipynb" for r in runs]
        for i, path in enumerate(paths):
            nbformat.write(nbformat.v4.new_notebook(), path)
            done(i, path)
        return paths

    monkeypatch.setattr(execute, "execute_notebooks", executed)
    monkeypatch.setattr(export, "render_html", lambda nb, html, title, **k: f"<html>{title}</html>")
    monkeypatch.setattr(plots, "font_face_css", lambda text: "")
    stamp = root / "reports" / ".build" / "2023" / "stamp.json"
    saved = stamp.read_bytes()
    step, failed = 0, 0
    while True:
        step += 1
        stamp.unlink()
        words = list(FAULTS)[step % len(FAULTS)]  # each kind of error in turn
        with pytest.MonkeyPatch.context() as mp:
            steps = WriteSteps(mp, root / "reports", FAULTS[words], step)
            mp.chdir(root)
            steps.folder = "reports"  # the command writes relative paths
            code, log = build_briefing(root)
        if code == 1:
            failed += 1
            assert "错误：" in log and words in log and "Traceback" not in log, log
            assert _pages(root) == before and not list((root / "reports").rglob("*.tmp")), f"step {step}"
        else:  # a fault in the tidying up after the pages were replaced: the next briefing removes what is left
            assert code == 0, log
            for name, data in before.items():
                (root / "reports" / "2023" / name).write_bytes(data)
        stamp.write_bytes(saved)
        if steps.count < step:
            break
    assert failed >= 20  # six pages and the stamp: staged, fsync'd, journalled, replaced

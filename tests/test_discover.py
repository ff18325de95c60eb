"""No file left out without a word: linked folders followed (loops named), unreadable files and folders named as
errors, pipes, devices and broken links named as skipped; a named pipe never blocks the run."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import write_xlsx

from analysis.commands.cli import main
from analysis.ingest import discover as discover_module
from analysis.ingest.pipeline import clean
from analysis.ingest.tables import load_manifest, load_table

posix = pytest.mark.skipif(os.name == "nt", reason="symbolic links, named pipes and devices as POSIX has them")


def _sv(path: Path, places: int) -> Path:
    return write_xlsx(path, {"S": [["日期", "街道", "类型", "数量"], ["2023-03-05", "焦南", "游商", places]]})


class Said(list):
    def __call__(self, *args, **kwargs):
        self.append(" ".join(map(str, args)))

    @property
    def text(self) -> str:
        return "\n".join(self)


def _run(raw: Path, out: Path):
    said = Said()
    result = clean(raw, out, echo=said)
    return result, said.text, load_manifest(out)


@posix
def test_linked_ledger_and_year_folders_are_followed(tmp_path):
    raw, elsewhere = tmp_path / "raw", tmp_path / "elsewhere"
    _sv(elsewhere / "vending" / "a.xlsx", 1)
    _sv(elsewhere / "2024" / "b.xlsx", 2)
    raw.mkdir()
    (raw / "street_vending").symlink_to(elsewhere / "vending", target_is_directory=True)
    (elsewhere / "vending" / "2024").symlink_to(elsewhere / "2024", target_is_directory=True)
    result, _, manifest = _run(raw, tmp_path / "out")
    assert result.exit_code == 0
    assert [f["file"] for f in manifest["files"]] == ["street_vending/2024/b.xlsx", "street_vending/a.xlsx"]
    assert load_table(tmp_path / "out", "street_vending")["places"].tolist() == [2, 1]


@posix
def test_a_link_loop_is_named_and_does_not_hang(tmp_path):
    raw = tmp_path / "raw"
    _sv(raw / "street_vending" / "2024" / "a.xlsx", 1)
    (raw / "street_vending" / "2024" / "上级").symlink_to(raw / "street_vending", target_is_directory=True)
    (raw / "street_vending" / "自身").symlink_to(raw / "street_vending" / "自身")
    result, text, manifest = _run(raw, tmp_path / "out")
    assert result.exit_code == 0 and [f["file"] for f in manifest["files"]] == ["street_vending/2024/a.xlsx"]
    skipped = {s["file"]: s["reason"] for s in manifest["skipped"]}
    assert "形成循环" in skipped["street_vending/2024/上级"] and "“street_vending”" in skipped["street_vending/2024/上级"]
    assert "形成循环" in skipped["street_vending/自身"]
    assert "[跳过] street_vending/2024/上级：" in text


@posix
def test_a_broken_link_a_device_and_a_named_pipe_are_skipped_and_named_without_blocking(tmp_path):
    raw = tmp_path / "raw"
    _sv(raw / "street_vending" / "a.xlsx", 1)
    (raw / "street_vending" / "已删除.xlsx").symlink_to(tmp_path / "nowhere.xlsx")
    (raw / "street_vending" / "设备.xlsx").symlink_to("/dev/null")
    os.mkfifo(raw / "street_vending" / "管道.xlsx")
    # In a process of its own: a run that opened the pipe would wait forever for a writer.
    proc = subprocess.run([sys.executable, "-m", "analysis", "clean", "--raw", str(raw), "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    skipped = {s["file"]: s["reason"] for s in load_manifest(tmp_path / "out")["skipped"]}
    assert "指向的文件或文件夹不存在" in skipped["street_vending/已删除.xlsx"]
    assert "不是普通文件（设备或套接字）" in skipped["street_vending/设备.xlsx"]
    assert "不是普通文件（命名管道）" in skipped["street_vending/管道.xlsx"]
    for name in ("已删除.xlsx", "设备.xlsx", "管道.xlsx"):
        assert f"[跳过] street_vending/{name}：" in proc.stdout


def test_an_unreadable_folder_is_an_error_naming_it(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    _sv(raw / "street_vending" / "a.xlsx", 1)
    _sv(raw / "street_vending" / "2024" / "b.xlsx", 2)
    real = os.scandir

    def no_permission(path):
        if Path(path).name == "2024":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", no_permission)
    result, text, manifest = _run(raw, tmp_path / "out")
    assert result.exit_code == 1
    failed = next(f for f in manifest["files"] if f["file"] == "street_vending/2024")
    assert failed["status"] == "failed" and failed["reason"] == "文件夹无法打开（没有读取权限），其中的台账都没有读取"
    assert "[错误] street_vending/2024：文件夹无法打开（没有读取权限）" in text
    assert load_table(tmp_path / "out", "street_vending")["places"].tolist() == [1]


def test_an_unreadable_file_is_an_error_naming_it_and_the_others_go_through(tmp_path, monkeypatch, capsys):
    raw = tmp_path / "raw"
    _sv(raw / "street_vending" / "a.xlsx", 1)
    _sv(raw / "street_vending" / "b.xlsx", 2)
    real = discover_module._open_regular

    def no_permission(path):
        if Path(path).name == "b.xlsx":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(discover_module, "_open_regular", no_permission)
    assert main(["clean", "--raw", str(raw), "--out", str(tmp_path / "out")]) == 1
    out = capsys.readouterr()
    assert "[错误] street_vending/b.xlsx：文件无法打开（没有读取权限）" in out.out and "Traceback" not in out.err
    assert load_table(tmp_path / "out", "street_vending")["places"].tolist() == [1]
    # Still unreadable: still named (the run is not "unchanged" with the error forgotten); readable again: read.
    assert main(["clean", "--raw", str(raw), "--out", str(tmp_path / "out")]) == 1
    monkeypatch.undo()
    assert main(["clean", "--raw", str(raw), "--out", str(tmp_path / "out")]) == 0
    assert load_table(tmp_path / "out", "street_vending")["places"].tolist() == [1, 2]


def test_an_unreadable_raw_folder_is_one_line(tmp_path, monkeypatch, capsys):
    raw = tmp_path / "raw"
    _sv(raw / "street_vending" / "a.xlsx", 1)
    real = os.scandir
    monkeypatch.setattr(os, "scandir", lambda path: (_ for _ in ()).throw(PermissionError(13, "denied", str(path)))
                        if Path(path) == raw else real(path))
    assert main(["clean", "--raw", str(raw), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert err == f"错误：原始台账文件夹“{raw}”无法打开（没有读取权限）\n"

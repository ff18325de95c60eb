""".xls files in their OLE2 container (analysis.ingest.read.ole, olefile for the container): a file cut off anywhere
is named incomplete, bytes after a whole file are ignored, an Office file that is not a workbook is named."""
from __future__ import annotations

from pathlib import Path

import pytest
from test_bad_inputs import cfb

from analysis.ingest.read import ReadError, read_sheets


@pytest.fixture(scope="module")
def xls_bytes(tmp_path_factory) -> bytes:
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    for n in range(2):
        sheet = book.add_sheet(f"S{n}")
        for r in range(400):
            for c in range(6):
                sheet.write(r, c, f"值{r}-{c}" if c % 2 else r * c + n)
    path = tmp_path_factory.mktemp("xls") / "whole.xls"
    book.save(str(path))
    return path.read_bytes()


def test_the_whole_file_is_read(xls_bytes):
    sheets = read_sheets(Path("a.xls"), xls_bytes)
    assert [s.name for s in sheets] == ["S0", "S1"] and len(sheets[0].rows) == 400


def test_a_file_cut_off_anywhere_is_named_incomplete(xls_bytes):
    cuts = sorted({*range(512, len(xls_bytes), 512), *range(100, len(xls_bytes), 1999), len(xls_bytes) - 1})
    for cut in cuts:
        with pytest.raises(ReadError, match="文件不完整") as info:
            read_sheets(Path("a.xls"), xls_bytes[:cut])
        assert "结尾缺失" in str(info.value), (cut, str(info.value))


@pytest.mark.parametrize("tail", [b"\n", b"<html></html>\r\n", b"\0" * 512])
def test_bytes_after_a_whole_file_are_ignored(xls_bytes, tail):
    """What a web system's export sometimes appends after the workbook; Excel opens such a file."""
    assert [s.name for s in read_sheets(Path("a.xls"), xls_bytes + tail)] == ["S0", "S1"]


@pytest.mark.parametrize("stream, said", [
    ("WordDocument", "文件内容是 Word 文档（.doc），不是 Excel 表格"),
    ("PowerPoint Document", "文件内容是 PowerPoint 演示文稿，不是 Excel 表格"),
    ("Contents", "其中没有工作簿数据"),
])
def test_an_office_file_that_is_not_a_workbook_is_named(stream, said):
    with pytest.raises(ReadError, match=said):
        read_sheets(Path("通知.xls"), cfb({stream: b"x" * 5000}))


def test_a_panic_in_the_reader_is_a_damaged_file_not_a_traceback(monkeypatch):
    """python-calamine's Rust code can panic on a damaged .xls; pyo3 raises PanicException, a BaseException."""
    import python_calamine

    from analysis.ingest.read.calamine_grid import read_calamine
    from analysis.ingest.read.sheet import ReadError

    class PanicException(BaseException):
        pass

    def panics(*args, **kwargs):
        raise PanicException("index out of bounds")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_filelike", panics)
    with pytest.raises(ReadError, match="文件已损坏"):
        read_calamine(b"\xd0\xcf\x11\xe0" + bytes(100), fixes={})
    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_filelike",
                        lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        read_calamine(b"\xd0\xcf\x11\xe0" + bytes(100), fixes={})

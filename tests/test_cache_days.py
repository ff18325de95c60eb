"""The cache survives a new day: the day decides a result only through the dates in a file (a date after today
is a reject), so an entry holds from the day it was cleaned until the first date it rejected as future comes."""
from __future__ import annotations

import datetime as dt

import pytest
from conftest import write_xlsx

from analysis.ingest import workers
from analysis.ingest.pipeline import clean
from analysis.ingest.tables import load_manifest, load_rejects, load_table

HEADER = ["日期", "街道", "单位名称", "单位类型", "发现隐患"]
DAY = dt.date(2024, 5, 10)


class Cleaned:
    """Counts the files cleaned (not taken from the cache) and what the run said."""

    def __init__(self, monkeypatch):
        self.files: list[str] = []
        self.lines: list[str] = []
        real = workers.clean_file

        def counting(path, rel, ledger, today, **kwargs):
            self.files.append(rel)
            return real(path, rel, ledger, today, **kwargs)
        monkeypatch.setattr(workers, "clean_file", counting)

    def __call__(self, *args, **kwargs):
        self.lines.append(" ".join(map(str, args)))

    def run(self, raw, out, today):
        self.files.clear()
        self.lines.clear()
        return clean(raw, out, echo=self, today=today)


@pytest.fixture
def folder(tmp_path):
    raw = tmp_path / "raw"
    for month in (3, 4):
        write_xlsx(raw / "gas_safety" / f"{month}.xlsx",
                   {"S": [HEADER, *[[f"2024-0{month}-{d:02d}", "焦南", f"饭店{d}", "餐饮", d] for d in range(1, 6)]]})
    return raw


def test_an_unchanged_folder_is_up_to_date_on_every_later_day(tmp_path, folder, monkeypatch):
    out, cleaned = tmp_path / "out", Cleaned(monkeypatch)
    cleaned.run(folder, out, DAY)
    assert sorted(cleaned.files) == ["gas_safety/3.xlsx", "gas_safety/4.xlsx"]
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    for later in (DAY + dt.timedelta(days=1), DAY + dt.timedelta(days=400)):
        cleaned.run(folder, out, later)
        assert cleaned.files == []
        assert "已是最新" in "\n".join(cleaned.lines)
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before


def test_on_a_new_day_only_the_changed_file_is_cleaned_again(tmp_path, folder, monkeypatch):
    out, cleaned = tmp_path / "out", Cleaned(monkeypatch)
    cleaned.run(folder, out, DAY)
    write_xlsx(folder / "gas_safety" / "4.xlsx", {"S": [HEADER, ["2024-04-01", "王褚", "超市", "大型商超", 9]]})
    cleaned.run(folder, out, DAY + dt.timedelta(days=1))
    assert cleaned.files == ["gas_safety/4.xlsx"]
    fresh = tmp_path / "fresh"
    clean(folder, fresh, echo=lambda *a, **k: None, today=DAY + dt.timedelta(days=1))
    assert (out / "gas_safety.parquet").read_bytes() == (fresh / "gas_safety.parquet").read_bytes()
    assert (out / "manifest.json").read_bytes() == (fresh / "manifest.json").read_bytes()


def test_a_date_rejected_as_future_is_kept_once_its_day_comes(tmp_path, folder, monkeypatch):
    """The cached result of a file with a date after today holds only until that date: then the row is kept,
    exactly as a fresh clean on that day keeps it."""
    future = DAY + dt.timedelta(days=3)
    write_xlsx(folder / "gas_safety" / "5.xlsx", {"S": [HEADER, [future.isoformat(), "焦南", "饭店", "餐饮", 1],
                                                         ["2024-05-02", "焦南", "饭店", "餐饮", 2]]})
    out, cleaned = tmp_path / "out", Cleaned(monkeypatch)
    cleaned.run(folder, out, DAY)
    rejects = load_rejects(out)
    assert list(rejects["reason"]) == ["日期在今天之后，可能写错了年份"]

    cleaned.run(folder, out, future - dt.timedelta(days=1))  # still in the future: nothing cleaned again
    assert cleaned.files == []

    cleaned.run(folder, out, future)
    assert cleaned.files == ["gas_safety/5.xlsx"]  # only the file whose result depended on the day
    assert load_rejects(out).empty
    assert len(load_table(out, "gas_safety")) == 12
    fresh = tmp_path / "fresh"
    clean(folder, fresh, echo=lambda *a, **k: None, today=future)
    for name in ("gas_safety.parquet", "rejects.csv", "manifest.json"):
        assert (out / name).read_bytes() == (fresh / name).read_bytes(), name
    sheet = next(f for f in load_manifest(out)["files"] if f["file"] == "gas_safety/5.xlsx")["sheets"][0]
    assert (sheet["kept"], sheet["rejected"]) == (2, 0)


def test_a_year_rejected_as_future_is_kept_once_the_year_comes(tmp_path, monkeypatch):
    """The yearly table keys its rows by year: a year after this one holds until 1 January of that year."""
    raw = tmp_path / "raw"
    write_xlsx(raw / "work_figures" / "a.xlsx", {"S": [["年度", "项目", "数量"], [2025, "执法记录仪", 7],
                                                        [2024, "执法记录仪", 5]]})
    out, cleaned = tmp_path / "out", Cleaned(monkeypatch)
    cleaned.run(raw, out, dt.date(2024, 12, 31))
    assert list(load_rejects(out)["reason"]) == ["年份在今年之后，可能写错了"]
    cleaned.run(raw, out, dt.date(2025, 1, 1))
    assert cleaned.files == ["work_figures/a.xlsx"]
    assert load_rejects(out).empty


def test_a_clock_set_back_cleans_again(tmp_path, folder, monkeypatch):
    """A result holds from the day it was cleaned: on an earlier day a date it kept could be in the future."""
    out, cleaned = tmp_path / "out", Cleaned(monkeypatch)
    cleaned.run(folder, out, DAY)
    cleaned.run(folder, out, dt.date(2024, 3, 3))
    assert sorted(cleaned.files) == ["gas_safety/3.xlsx", "gas_safety/4.xlsx"]
    assert len(load_rejects(out)) == 7  # 3月4日、5日 and all of April are after 3 March

"""What changed since the figures were last published: a changed cell is a revision naming its file and figure; a
build with no change lists none and adds no history entry."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from analysis.ingest.records import FileRecord, Manifest
from analysis.ingest.spec import load_spec
from analysis.report import revisions as rv
from analysis.report.catalogue import load_catalogue
from analysis.report.data import Data
from analysis.report.periods import Period

SUBDISTRICTS = load_spec("street_vending").common.subdistricts


def data(places_in_march: int, extra_file: bool = False) -> Data:
    """Street vending in every month of 2022 and 2023, one file per month; March 2023 holds `places_in_march`."""
    dates, files, places = [], [], []
    for year in (2022, 2023):
        for month in range(1, 13):
            dates.append(f"{year}-{month:02d}-10")
            files.append(f"street_vending/{year}年{month}月.xlsx")
            places.append(places_in_march if (year, month) == (2023, 3) else 10)
    if extra_file:
        dates.append("2024-01-05")
        files.append("street_vending/2024年1月.xlsx")
        places.append(3)
    dates = pd.Series(pd.to_datetime(dates), dtype="datetime64[ns]")
    n = len(dates)
    table = pd.DataFrame({
        "date": dates, "year": dates.dt.year.astype("int64"), "month": dates.dt.month.astype("int64"),
        "subdistrict": pd.Categorical([SUBDISTRICTS[0]] * n, categories=SUBDISTRICTS),
        "business_type": pd.Categorical(["店外经营"] * n), "action": pd.Categorical(["劝导教育"] * n),
        "places": places, "source_file": files, "source_sheet": "S", "source_row": 3,
    })
    records = tuple(FileRecord(file=f, ledger="street_vending",
                               sha256=f"{hash((f, places_in_march if '2023年3月' in f else 0)) & 0xFFFF:064x}")
                    for f in dict.fromkeys(files))
    manifest = Manifest(version="t", spec_fingerprint="", code_fingerprint="", synthetic=False, ledgers={},
                        files=records, skipped=(), exit_code=0)
    return Data(folder=None, tables={"street_vending": table}, manifest=manifest, rejects=pd.DataFrame(),
                catalogue=load_catalogue())


YEAR = Period(2023)


def test_a_changed_cell_is_a_revision_naming_its_figure_and_file():
    first = rv.published(data(10), YEAR, dt.date(2024, 1, 20))
    history, revision = rv.revise([], first, YEAR)
    assert revision is None and history == [first]  # the first build: nothing to compare with
    second = rv.published(data(100), YEAR, dt.date(2024, 2, 1))
    history, revision = rv.revise(history, second, YEAR)
    assert len(history) == 2 and revision.anything
    assert [(c.label, c.old, c.new, c.difference) for c in revision.changes] == [("清理三种经营", 120.0, 210.0, 90.0)]
    assert revision.changed == ("street_vending/2023年3月.xlsx",) and not revision.added and not revision.removed
    assert revision.line == "与2024年1月20日生成的版本相比，1个数字有变化（1个台账文件有改动）。"
    assert revision.closed_year  # a whole year's figure changed: said loudly


def test_a_build_with_no_change_lists_none_and_adds_no_entry():
    first = rv.published(data(10), YEAR, dt.date(2024, 1, 20))
    history, _ = rv.revise([], first, YEAR)
    again = rv.published(data(10, extra_file=True), YEAR, dt.date(2024, 3, 1))  # a 2024 ledger is no 2023 change
    history2, revision = rv.revise(history, again, YEAR)
    assert revision is None and history2 == history  # the same version, built again: as when first built
    assert rv.history_bytes(history2) == rv.history_bytes(history)
    # a second version, then built again: compared with the first each time, the history unchanged
    second = rv.published(data(20), YEAR, dt.date(2024, 4, 1))
    history3, revision = rv.revise(history2, second, YEAR)
    again = rv.published(data(20), YEAR, dt.date(2024, 5, 1))
    history4, revision_again = rv.revise(history3, again, YEAR)
    assert history4 == history3 and len(history3) == 2 and revision_again == revision
    assert revision.line == "与2024年1月20日生成的版本相比，1个数字有变化（1个台账文件有改动）。"


def test_the_history_file_round_trips_and_an_unreadable_one_is_said(tmp_path):
    first = rv.published(data(10), YEAR, dt.date(2024, 1, 20))
    path = tmp_path / rv.HISTORY_FILE
    path.write_bytes(rv.history_bytes([first]))
    entries, note = rv.load_history(path)
    assert note is None and entries == [first]
    assert rv.load_history(tmp_path / "none.json") == ([], None)
    path.write_text("{not json", encoding="utf-8")
    entries, note = rv.load_history(path)
    assert entries == [] and "无法读取" in note


def test_a_quarter_is_compared_with_the_same_quarter_only():
    q1 = Period(2023, 1, 3)
    year = rv.published(data(10), YEAR, dt.date(2024, 1, 20))
    history, revision = rv.revise([year], rv.published(data(10), q1, dt.date(2024, 1, 21)), q1)
    assert revision is None and len(history) == 2
    _, revision = rv.revise(history, rv.published(data(50), q1, dt.date(2024, 1, 22)), q1)
    assert [c.new - c.old for c in revision.changes] == [40.0] and not revision.closed_year


def test_an_indicator_added_to_the_catalogue_is_no_revision():
    first = rv.published(data(10), YEAR, dt.date(2024, 1, 20))
    older = rv.Published(first.generated, first.period,
                         {k: v for k, v in first.figures.items() if k != "street_vending_places"}, first.files)
    history, revision = rv.revise([older], rv.published(data(10), YEAR, dt.date(2024, 2, 1)), YEAR)
    assert not revision.anything and not revision.closed_year and history == [older]

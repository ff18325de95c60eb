"""The checks an analyst does by hand, on generated ledgers: each finds what it should and nothing else."""
from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from analysis.ingest.spec import load_spec
from analysis.report import source_checks as sc

SUBDISTRICTS = list(load_spec("street_vending").common.subdistricts)
TYPES = ["店外经营", "流动摊贩", "占道经营"]


def vending(per_month: dict, years=(2022, 2023), places=None, file_of=None, seed: int = 0) -> pd.DataFrame:
    """A street-vending table: per_month[(sub-district, month)] records (default 40) in each year, spread over
    the month's days; `places` gives each record's value (default 1..8), `file_of` each record's file."""
    rng = np.random.default_rng(seed)
    dates, subs = [], []
    for year in years:
        for month in range(1, 13):
            for sub in SUBDISTRICTS:
                n = per_month.get((sub, month), per_month.get(sub, 40))
                days = rng.integers(1, 29, size=n)
                dates += [f"{year}-{month:02d}-{d:02d}" for d in days]
                subs += [sub] * n
    n = len(dates)
    dates = pd.Series(pd.to_datetime(dates), dtype="datetime64[ns]")
    frame = pd.DataFrame({
        "date": dates, "subdistrict": pd.Categorical(subs, categories=SUBDISTRICTS),
        "location": [f"路段{i}" for i in range(n)],
        "business_type": pd.Categorical([TYPES[i % 3] for i in range(n)], categories=TYPES),
        "places": places if places is not None else rng.integers(1, 9, size=n),
        "action": pd.Categorical(["劝导教育"] * n), "squad": [f"{SUBDISTRICTS.index(s) + 1}中队" for s in subs],
        "year": dates.dt.year.astype("int64"), "month": dates.dt.month.astype("int64"),
    })
    frame["source_file"] = file_of if file_of is not None else [f"street_vending/{d:%Y年%m月}.xlsx" for d in dates]
    frame["source_sheet"] = "Sheet1"
    frame["source_row"] = np.arange(n) + 3
    return frame


# ---------------------------------------------------------------- arrival

def test_a_missing_month_of_one_sub_district_is_found_and_nothing_else():
    table = vending({("民主街道", 3): 0})
    checks = sc.check({"street_vending": table})
    found = [(g.year, g.month, g.level) for g in checks.gaps if g.by == "街道"]
    assert found == [(2022, 3, "民主街道"), (2023, 3, "民主街道")]
    text = next(g.text for g in checks.gaps if g.level == "民主街道")
    assert text.startswith("2022年3月 民主街道 没有三种经营整治记录，其他月份通常每月40条")
    assert checks.arrival["street_vending"].counts.loc[(2023, 3), "民主街道"] == 0


def test_a_seasonal_ledger_and_a_sub_district_that_never_appears_are_not_flagged():
    winter = {(sub, m): 2 for sub in SUBDISTRICTS for m in (1, 2, 12)}  # every sub-district slows down together
    winter.update({("王褚街道", m): 0 for m in range(1, 13)})  # never in this ledger
    checks = sc.check({"street_vending": vending(winter)})
    assert [g.text for g in checks.gaps] == []


def test_a_month_without_any_record_is_a_gap_of_the_whole_ledger():
    table = vending({})
    table = table[~((table["year"] == 2023) & (table["month"] == 5))]
    gaps = sc.check({"street_vending": table}).gaps
    assert [(g.year, g.month, g.level) for g in gaps] == [(2023, 5, None)]
    assert gaps[0].text == "2023年5月 没有三种经营整治台账的任何记录：该月台账可能未报送"


def test_a_ledger_of_events_has_no_arrival_gaps():
    rows = pd.DataFrame({
        "date": pd.to_datetime(["2023-04-01", "2023-09-01"]), "subdistrict": pd.Categorical(["民生街道"] * 2, SUBDISTRICTS),
        "address": ["甲", "乙"], "area_m2": [50.0, 60.0], "structure": [None, None],
        "method": pd.Categorical(["自行拆除"] * 2), "year": [2023, 2023], "month": [4, 9],
        "source_file": ["a", "a"], "source_sheet": ["S", "S"], "source_row": [3, 4],
    })
    assert sc.check({"demolitions": rows}).gaps == ()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(8, 60), st.integers(0, 2**16))
def test_ordinary_monthly_variation_is_not_a_gap(usual, seed):
    """Records per month drawn as Poisson counts around any usual level: chance alone flags (almost) nothing."""
    rng = np.random.default_rng(seed)
    per_month = {(sub, m): int(rng.poisson(usual)) for sub in SUBDISTRICTS for m in range(1, 13)}
    gaps = sc.check({"street_vending": vending(per_month, years=(2023,), seed=seed)}).gaps
    assert len(gaps) <= 1  # 108 cells × a chance below 1e-4 each


# ---------------------------------------------------------------- to verify

@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.floats(0.05, 0.2), st.floats(1.5, 3.0), st.integers(0, 2**16))
def test_an_extra_zero_is_found_and_ordinary_variation_is_not(spread, centre, seed):
    """Values log-normal around 10**centre with a spread up to 0.2 (log10): none is flagged; one typical value
    written with an extra zero is, and only it."""
    rng = np.random.default_rng(seed)
    table = vending({sub: 5 for sub in SUBDISTRICTS}, years=(2023,), seed=seed)
    values = np.round(10 ** rng.normal(centre, spread, size=len(table)), 1)
    table["places"] = values
    assert sc.outliers(table, "street_vending") == []
    typical = int(np.argsort(values)[len(values) // 2 + len(values) // 4])  # a value above the median
    table.loc[typical, "places"] = values[typical] * 10
    found = sc.outliers(table, "street_vending")
    assert [(f.row, f.column) for f in found] == [(int(table.loc[typical, "source_row"]), "数量（处）")] or \
        values[typical] * 10 < sc.OUTLIER_FLOOR
    assert all("可能多写了一位" in f.why for f in found)


def test_small_counts_are_never_outliers():
    table = vending({sub: 10 for sub in SUBDISTRICTS}, years=(2023,), places=None)
    table["places"] = 1
    table.loc[5, "places"] = 15  # 15 times the usual 1, but a small count
    assert sc.outliers(table, "street_vending") == []
    table.loc[5, "places"] = 100
    assert [f.value for f in sc.outliers(table, "street_vending")] == ["100"]


def test_a_day_with_far_more_records_than_usual_is_listed():
    table = vending({sub: 20 for sub in SUBDISTRICTS}, years=(2023,))
    extra = table[table["subdistrict"] == "民生街道"].head(1)
    extra = pd.concat([extra] * 60, ignore_index=True)
    extra["source_row"] = np.arange(60) + 1000
    busy = sc.busy_days(pd.concat([table, extra], ignore_index=True), "street_vending")
    assert len(busy) == 1 and "民生街道" in busy[0].value and "61条" in busy[0].value
    assert "通常每天1条" in busy[0].why and "第 1000、1001" not in busy[0].why[:5]
    assert sc.busy_days(table, "street_vending") == []


def test_a_record_sent_in_two_files_is_listed_with_both_places():
    table = vending({sub: 3 for sub in SUBDISTRICTS}, years=(2023,))
    resent = table[table["month"] == 3].copy()
    resent["source_file"] = "street_vending/2023年3月（补报）.xlsx"
    resent["source_row"] = np.arange(len(resent)) + 3
    both = pd.concat([table, resent], ignore_index=True)
    found = sc.repeats(both, "street_vending")
    assert len(found) == 1  # one item for the file sent again, its records counted
    item = found[0]
    assert item.file == "street_vending/2023年3月（补报）.xlsx" and item.row is None and item.year == 2023
    assert item.value == f"{len(resent)}条记录" and f"（{len(resent)}条）" in item.why
    first_rows = "、".join(str(r) for r in table.loc[table["month"] == 3, "source_row"].head(5))
    assert f"与 street_vending/2023年03月.xlsx / Sheet1 第 {first_rows}等 行的记录完全相同" in item.why
    one = pd.concat([table, resent.head(1)], ignore_index=True)
    [single] = sc.repeats(one, "street_vending")
    assert single.row == 3 and single.value.startswith("2023-03-")  # one record: its row and what it says
    assert sc.repeats(table, "street_vending") == []  # every record once: nothing


def test_the_counts_add_up_and_a_period_selects_its_gaps():
    from analysis.report.periods import Period

    checks = sc.check({"street_vending": vending({("民主街道", 3): 0})})
    assert checks.counts()["gap"] == len(checks.gaps) == 4  # 2 years × (the sub-district, its squad)
    assert {(g.year, g.month) for g in checks.gaps_in(Period(2023, 1, 3))} == {(2023, 3)}
    assert checks.gaps_in(Period(2023, 4, 6)) == []


def test_a_month_sent_without_its_sub_district_column_is_no_gap_and_a_later_squad_none_before():
    table = vending({})
    may = (table["year"] == 2023) & (table["month"] == 5)
    table["subdistrict"] = table["subdistrict"].where(~may)  # an export without the 街道 column
    table.loc[(table["year"] == 2022) & (table["squad"] == "9中队"), "squad"] = "8中队"  # 9中队 formed in 2023
    checks = sc.check({"street_vending": table})
    assert [g.text for g in checks.gaps] == []
    assert checks.arrival["street_vending"].counts.loc[(2023, 5), sc.UNASSIGNED] == may.sum()


def test_counts_for_a_period_take_its_year_and_the_one_before():
    from analysis.report.periods import Period

    table = vending({("民主街道", 3): 0}, years=(2021, 2022, 2023))
    checks = sc.check({"street_vending": table})
    assert checks.counts()["gap"] == 6 and checks.counts(Period(2023))["gap"] == 4
    assert checks.counts(Period(2023, 4, 6))["gap"] == 0 and checks.counts()["verify"] == 0



_CELL = {
    "text": st.one_of(st.none(), st.sampled_from(["", "焦南街道", "0", "1", "1.0", "<NA>", "nan"])),
    "number": st.one_of(st.none(), st.sampled_from([0.0, 1.0, 1.5, float("nan")])),
    "category": st.one_of(st.none(), st.sampled_from(TYPES)),
    "date": st.one_of(st.none(), st.sampled_from(["2023-01-01", "2023-01-01 00:00:01", "2023-12-31"])),
}


def _column(kind: str, values: list) -> pd.Series:
    if kind == "text":
        return pd.Series(values, dtype="string[pyarrow]")
    if kind == "number":
        return pd.Series([np.nan if v is None else v for v in values], dtype="float64")
    if kind == "category":
        return pd.Series(pd.Categorical(values, categories=[*TYPES, "未出现的类别"]))
    return pd.Series(pd.to_datetime(values, format="ISO8601"), dtype="datetime64[ns]")


@settings(max_examples=200, deadline=None)
@example((["text", "number"], [(None, None), ("<NA>", float("nan")), ("nan", None), ("", 0.0)]))  # a blank is no text
@given(st.lists(st.sampled_from(list(_CELL)), min_size=1, max_size=4).flatmap(
    lambda kinds: st.tuples(st.just(kinds), st.lists(st.tuples(*(_CELL[k] for k in kinds)), min_size=1, max_size=30))))
def test_records_are_grouped_by_equal_values_blanks_equal_to_blanks(kinds_and_rows):
    """The grouping of the repeated-records check (codes per column) against its definition: rows are one group when
    every column holds an equal value or a blank in both; groups numbered in order of first appearance."""
    kinds, rows = kinds_and_rows
    records = pd.DataFrame({f"c{i}": _column(kind, [row[i] for row in rows]) for i, kind in enumerate(kinds)})
    keys = [tuple(None if pd.isna(v) else v for v in row) for row in records.itertuples(index=False)]
    first_seen: dict = {}
    expected = [first_seen.setdefault(key, len(first_seen)) for key in keys]
    assert sc.record_groups(records).tolist() == expected


# ---------------------------------------------------------------- checks kept per ledger

def _same_checks(a: sc.SourceChecks, b: sc.SourceChecks) -> None:
    assert a.gaps == b.gaps and a.to_verify == b.to_verify
    assert list(a.arrival) == list(b.arrival)
    for ledger in a.arrival:
        assert a.arrival[ledger].by == b.arrival[ledger].by
        pd.testing.assert_frame_equal(a.arrival[ledger].counts, b.arrival[ledger].counts, check_exact=True)


class _Tables(dict):
    """Tables that remember which were looked up."""

    def __init__(self, *a, **k):
        super().__init__(*a, **k)
        self.looked_up = []

    def __getitem__(self, ledger):
        self.looked_up.append(ledger)
        return super().__getitem__(ledger)


def _kept_tables(seed: int = 0) -> dict:
    """Two ledgers with something of every kind: gaps, an outlier, a busy day, a repeat, blanks."""
    street = vending({("民主街道", 3): 0, ("新华街道", 5): 150}, seed=seed)
    street.loc[7, "places"] = 900
    street.loc[3, "squad"] = None
    busy = street.index[(street["subdistrict"] == "新华街道") & (street["year"] == 2023) & (street["month"] == 5)][:60]
    street.loc[busy, "date"] = pd.Timestamp("2023-05-18")
    again = street.iloc[:4].assign(source_file="street_vending/重报.xlsx")
    street = pd.concat([street, again], ignore_index=True)
    gas = vending({}, years=(2023,), seed=seed + 1).iloc[:500]
    return {"street_vending": street, "gas_safety": gas, "demolitions": None}


@given(st.integers(0, 2**16))
@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_checks_kept_per_ledger_are_the_checks_worked_out_again(tmp_path, seed):
    tables = _kept_tables(seed)
    fresh = sc.check(tables)
    assert fresh.gaps and fresh.arrival and {i.kind for i in fresh.to_verify} == set(sc.KIND_NAMES)
    folder = tmp_path / str(seed)
    checksums = {"street_vending": "a" * 64, "gas_safety": "b" * 64, "demolitions": "c" * 64}
    _same_checks(sc.check(_Tables(tables), sc.StoredChecks(folder, checksums)), fresh)
    kept = _Tables(tables)
    _same_checks(sc.check(kept, sc.StoredChecks(folder, checksums)), fresh)
    assert kept.looked_up == []  # every ledger's checks were kept: no table read


def test_only_a_ledger_whose_table_changed_is_checked_again(tmp_path, monkeypatch):
    tables = _kept_tables()
    checksums = {"street_vending": "a" * 64, "gas_safety": "b" * 64, "demolitions": "c" * 64}
    sc.check(tables, sc.StoredChecks(tmp_path, checksums))
    checked = []
    real = sc.check_ledger
    monkeypatch.setattr(sc, "check_ledger", lambda ledger, *a: checked.append(ledger) or real(ledger, *a))
    changed = {**tables, "gas_safety": tables["gas_safety"].iloc[:400]}
    looked = _Tables(changed)
    result = sc.check(looked, sc.StoredChecks(tmp_path, {**checksums, "gas_safety": "d" * 64}))
    assert checked == ["gas_safety"] and set(looked.looked_up) == {"gas_safety"}
    _same_checks(result, sc.check(changed))


def test_a_table_replaced_after_it_was_loaded_is_checked_again(tmp_path):
    from analysis.ingest.records import Manifest
    from analysis.report.data import Data

    tables = _kept_tables()
    manifest = Manifest("0", "", "", False, {}, (), (), 0, {f"{ledger}.parquet": ledger[0] * 64 for ledger in tables})
    assert Data(tmp_path, dict(tables), manifest, None, None, dict(tables)).checks.gaps  # as load() sets it: now kept
    fewer = Data(tmp_path, {**tables, "gas_safety": tables["gas_safety"].iloc[:10]}, manifest, None, None, tables)
    _same_checks(fewer.checks, sc.check(fewer.tables))


def test_kept_checks_are_worked_out_again_when_the_data_end_later_or_the_entry_is_damaged(tmp_path, monkeypatch):
    tables = _kept_tables()
    checksums = {"street_vending": "a" * 64, "gas_safety": "b" * 64, "demolitions": "c" * 64}
    sc.check(tables, sc.StoredChecks(tmp_path, checksums))
    # Gas safety now runs into 2024: street vending's arrival counts must run to its last month too.
    gas = tables["gas_safety"].copy()
    gas.loc[0, ["date", "year", "month"]] = [pd.Timestamp("2024-02-10"), 2024, 2]
    later = {**tables, "gas_safety": gas}
    result = sc.check(later, sc.StoredChecks(tmp_path, {**checksums, "gas_safety": "d" * 64}))
    _same_checks(result, sc.check(later))
    assert result.arrival["street_vending"].counts.index[-1] == (2024, 2)
    # A damaged entry, another code or specs (the fingerprint), another ledger's entry under its name: checked again.
    entry = tmp_path / ".cache" / "checks" / "street_vending.json"
    entry.write_bytes(entry.read_bytes().replace("民主街道".encode(), "民生街道".encode(), 1))
    _same_checks(sc.check(later, sc.StoredChecks(tmp_path, {**checksums, "gas_safety": "d" * 64})), sc.check(later))
    entry.write_bytes((tmp_path / ".cache" / "checks" / "gas_safety.json").read_bytes())
    _same_checks(sc.check(later, sc.StoredChecks(tmp_path, {**checksums, "gas_safety": "d" * 64})), sc.check(later))
    monkeypatch.setattr(sc, "checks_fingerprint", lambda: "another")
    looked = _Tables(later)
    sc.check(looked, sc.StoredChecks(tmp_path, {**checksums, "gas_safety": "d" * 64}))
    assert looked.looked_up.count("street_vending") == 2


def test_checks_are_worked_out_when_they_cannot_be_kept(tmp_path):
    (tmp_path / ".cache").mkdir()
    (tmp_path / ".cache" / "checks").write_text("a file where the folder would be")
    tables = _kept_tables()
    stored = sc.StoredChecks(tmp_path, {"street_vending": "a" * 64})
    _same_checks(sc.check(tables, stored), sc.check(tables))

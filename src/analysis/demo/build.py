"""Which ledgers the demo holds and how each is made: every ledger that has a spec file. The seven with
hand-written plans (plans.PLANNERS, records.LEDGERS) keep their own records and layouts, which reproduce the
2023 report; any other ledger is made from its spec alone (generic.SpecLedger), so that a ledger added by YAML
gets demo rows with no Python.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from analysis.demo.generic import SpecLedger
from analysis.demo.plans import BAD_ROWS, PLANNERS
from analysis.demo.records import DEFAULT_SEED, DEFAULT_YEARS, family, hand_records
from analysis.ingest.spec import ledger_names, load_spec
from analysis.paths import LEDGER_SPEC_DIR


def _years(years) -> list:
    return sorted(set(int(y) for y in years))


def _from_specs(spec_dir: Path, seed: int, scale: float) -> dict:
    """{ledger: SpecLedger} of the ledgers without a hand-written plan, in the specs' order."""
    return {name: SpecLedger(load_spec(name, spec_dir), spec_dir, seed, scale)
            for name in ledger_names(spec_dir) if name not in PLANNERS}


def generate_records(*, years=DEFAULT_YEARS, seed: int = DEFAULT_SEED, scale: float = 1.0,
                     spec_dir: Path = LEDGER_SPEC_DIR) -> dict:
    """{ledger: {year: [record, …]}} for every ledger with a spec in `spec_dir`: the canonical rows the demo
    files hold (bad rows not included), keyed as the hand-written generators or the spec's columns name them."""
    return _records(_years(years), seed, scale, Path(spec_dir), _from_specs(Path(spec_dir), seed, scale))


def _records(years: list, seed: int, scale: float, spec_dir: Path, generic: dict) -> dict:
    if scale <= 0:
        raise ValueError("scale 必须大于 0")
    names = ledger_names(spec_dir)
    hand = hand_records(years=years, seed=seed, scale=scale) if any(n in PLANNERS for n in names) else {}
    return {name: hand[name] if name in PLANNERS else {y: generic[name].records(y) for y in years} for name in names}


@dataclass
class LedgerFiles:
    """One ledger's demo: its file plans (FilePlan), records per year and deliberately broken rows."""

    plans: list = field(default_factory=list)
    rows: dict = field(default_factory=dict)
    bad_rows: int = 0


def plan_demo(*, years, seed: int, scale: float, spec_dir: Path = LEDGER_SPEC_DIR) -> dict:
    """{ledger: LedgerFiles} for every ledger with a spec in `spec_dir`, in the specs' order."""
    years, spec_dir = _years(years), Path(spec_dir)
    generic = _from_specs(spec_dir, seed, scale)
    records = _records(years, seed, scale, spec_dir, generic)
    out = {}
    for ledger, by_year in records.items():
        got = out[ledger] = LedgerFiles()
        for y in years:
            fam, recs = family(y), by_year[y]
            got.rows[y] = len(recs)
            if ledger in PLANNERS:
                got.plans += PLANNERS[ledger](y, recs, fam)
                got.bad_rows += len(BAD_ROWS[(ledger, fam)])
            else:
                plans, bad = generic[ledger].files(y, recs, fam)
                got.plans += plans
                got.bad_rows += bad
    return out

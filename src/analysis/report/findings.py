"""What there is to say about each area of work, as data: the findings the area paragraphs and the 要点 are written
from (narrative.py turns them into sentences).

For each area of work (the specs' `area`), in catalogue order of its first indicator with data:

  - its figures (rows of `metrics.year_over_year`: indicator, value, figure as the report writes it, unit, change,
    direction, and whether the figure counts things), grouped as the report writes them (a figure with those
    written after it with 、); the first is the area's main figure;
  - the base its change is explained against: the same months of the year before or, for a month without them,
    the month before;
  - the drivers: for each breakdown column of the main indicator but month, the level with the largest increase
    and the one with the largest decrease (the one in the direction of the change first), or without a base the
    largest level;
  - the peak month, when the period has at least three months and its largest month is the only one at that value
    and at least PEAK_RATIO times the monthly average;
  - silences: a sub-district (or the whole ledger, for a ledger of events) without any record for SILENT_MONTHS or
    more consecutive months of the period although it had records in each of those months the year before;
  - the area's ledgers without data the year before;
  - coverage: the area's ledgers filled every month that lack months of the period (partial) or of the same period
    a year before (previous_partial): their figures are compared with nothing (metrics.compare).

And for one figure: whether its 同比 change may be called large (`large_change`, the only place that decides
较大), whether it stands out (`unusual`), how far a count's change lies beyond chance (`beyond_chance`) and how
large the change is for ranking (`change_size`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.ingest.spec import load_spec
from analysis.paths import LEDGER_SPEC_DIR
from analysis.report import metrics
from analysis.report.catalogue import parse_measure
from analysis.report.number_words import round_half_up
from analysis.report.periods import Period

UNUSUAL_PCT = 30  # a change over this many percent (either way) is called out
LARGE_BASE = 20  # ... only when the larger of the two figures is at least this much (see large_change)
PEAK_RATIO = 1.25  # a month this far above the period's monthly average is its peak
SILENT_MONTHS = 3  # a sub-district (or a whole ledger) this many consecutive months without a record is called out
NO_BASE = ("no_previous", "no_data", "partial", "previous_partial")  # nothing to compare with, or not like with like


@dataclass(frozen=True)
class Base:
    """What the drivers are compared with: the same months of the year before, or (a month without them) the
    month before."""
    period: Period
    month_before: bool  # against the month before (环比), not the same months of the year before
    direction: str  # how the main figure changed against it (metrics.compare_values)


@dataclass(frozen=True)
class Move:
    kind: str  # up (largest increase) | down (largest decrease) | top (largest level, nothing to compare with)
    level: str
    other: bool  # the level is the column's catch-all value (其他)
    value: float
    previous: float | None


@dataclass(frozen=True)
class Dimension:
    label: str  # the breakdown column's label in its spec: 街道, 经营类型, …
    moves: tuple[Move, ...]  # in the order they are written: the one in the direction of the change first
    phrases: dict = field(default_factory=dict)  # how a sentence names a level that is a bare word (spec `phrases`)


@dataclass(frozen=True)
class Peak:
    month: int
    value: float
    ratio: float  # to the period's monthly average


@dataclass(frozen=True)
class Silence:
    topic: str  # the ledger's topic (三种经营整治)
    ledger_runs: tuple[tuple[int, int], ...]  # months (first, last) the whole ledger is empty
    levels: tuple[tuple[str, tuple[tuple[int, int], ...]], ...]  # sub-district -> its runs of silent months

    @property
    def months(self) -> int:
        runs = [*self.ledger_runs, *(r for _, runs in self.levels for r in runs)]
        return sum(last - first + 1 for first, last in runs)


@dataclass
class Area:
    name: str
    groups: list  # the area's figures (lists of rows), grouped as the report writes them; the first is the main one
    month_before: pd.Series | None  # the main figure against the month before (a month's period)
    base: Base | None
    dimensions: list[Dimension]
    peak: Peak | None
    silences: list[Silence]
    without_previous: list[str]  # topics of the area's ledgers without data the year before
    all_without_previous: bool
    # (topic, months with data) of the area's ledgers with data for part of the period only, and (topic, months
    # without data) of those whose same period a year before lacks months: their figures are compared with nothing
    partial: list = field(default_factory=list)
    previous_partial: list = field(default_factory=list)

    @property
    def main(self) -> pd.Series:
        return self.groups[0][0]


def study(tables, period: Period, catalogue: pd.DataFrame, spec_dir: Path = LEDGER_SPEC_DIR) -> list[Area]:
    """The areas of the catalogue's indicators with data, in catalogue order of their first indicators."""
    figures = metrics.year_over_year(tables, period, catalogue).sort_values("order", kind="stable")
    figures = figures[figures["value"].notna()]
    figures = figures.assign(counts=[_counts(measure, ledger, spec_dir)
                                     for measure, ledger in zip(figures["measure"], figures["ledger"])])
    month_before = metrics.compare(tables, period, period.previous, catalogue) if period.previous else None
    areas = figures["ledger"].map(lambda ledger: load_spec(ledger, spec_dir).area)
    return [_area(tables, period, catalogue, spec_dir, name, figures[areas == name], month_before)
            for name in areas.unique()]


def _counts(measure: str, ledger: str, spec_dir: Path) -> bool:
    """Whether an indicator counts things (rows, distinct names, a sum of a count column), so that chance alone
    moves it by about the square root of its size."""
    op, column = parse_measure(measure)
    return op != "sum" or load_spec(ledger, spec_dir).column(column).type == "count"


def _area(tables, period, catalogue, spec_dir, name, rows: pd.DataFrame, month_before) -> Area:
    groups = []
    for _, row in rows.iterrows():
        if groups and row["report_sep"] == "、" and row["report_phrase"]:
            groups[-1].append(row)
        else:
            groups.append([row])
    main = groups[0][0]
    before = None if month_before is None else month_before.loc[main.name]
    base = None
    if main["direction"] not in NO_BASE:
        base = Base(period.same_last_year, False, main["direction"])
    elif before is not None and before["direction"] not in NO_BASE:
        base = Base(period.previous, True, before["direction"])
    ledgers = list(dict.fromkeys(rows["ledger"]))
    without = [ledger for ledger in ledgers if not metrics.covers(tables, ledger, period.same_last_year)]
    now = {ledger: missing for ledger in ledgers if (missing := metrics.missing_months(tables, ledger, period))}
    earlier = {ledger: missing for ledger in ledgers if ledger not in now and ledger not in without
               and (missing := metrics.missing_months(tables, ledger, period.same_last_year))}
    return Area(
        name=name, groups=groups, month_before=before, base=base,
        dimensions=_dimensions(tables, period, catalogue, spec_dir, main, base),
        peak=None if now else _peak(tables, period, catalogue, main),  # no peak among the months that arrived
        silences=[s for s in (_silence(tables, period, ledger, spec_dir) for ledger in ledgers) if s],
        without_previous=[load_spec(ledger, spec_dir).topic for ledger in without],
        all_without_previous=len(without) == len(ledgers),
        partial=[(load_spec(ledger, spec_dir).topic, tuple(m for m in period.months if m not in missing))
                 for ledger, missing in now.items()],
        previous_partial=[(load_spec(ledger, spec_dir).topic, missing) for ledger, missing in earlier.items()],
    )


def _dimensions(tables, period, catalogue, spec_dir, main: pd.Series, base: Base | None) -> list[Dimension]:
    """For each breakdown column of the main indicator but month: the levels that moved most (or the largest)."""
    spec = load_spec(main["ledger"], spec_dir)
    dimensions = []
    for by in (b for b in main["breakdowns"].split() if b != "month"):
        column = spec.column(by)

        def move(kind, level, value, previous, column=column):
            return Move(kind, str(level), column.other is not None and level == column.other, value, previous)

        if base is None:
            values = metrics.breakdown(tables, main.name, period, by, catalogue).dropna()
            moves = () if values.empty or values.max() <= 0 else (
                move("top", values.idxmax(), float(values.max()), None),)
        else:
            table = metrics.compare_breakdown(tables, main.name, period, base.period, by, catalogue)
            change = table["change"].astype("float64")
            most, least = change.idxmax(), change.idxmin()
            up = [move("up", most, *_pair(table.loc[most]))] if change[most] > 0 else []
            down = [move("down", least, *_pair(table.loc[least]))] if change[least] < 0 else []
            moves = tuple(down + up if base.direction == "down" else up + down)
        if moves:
            dimensions.append(Dimension(column.label, moves, column.phrases))
    return dimensions


def _pair(row: pd.Series) -> tuple[float, float]:
    return float(row["value"]), float(row["previous"])


def _peak(tables, period: Period, catalogue, main: pd.Series) -> Peak | None:
    """The month with the most, when the period has several months and one stands out (see PEAK_RATIO)."""
    if len(period.months) < 3:
        return None
    months = metrics.breakdown(tables, main.name, period, "month", catalogue).loc[list(period.months)].astype("float64")
    top, mean = months.max(), months.mean()
    if top <= 0 or (months == top).sum() > 1 or top < PEAK_RATIO * mean:
        return None
    return Peak(int(months.idxmax()), float(top), float(top / mean))


def _silence(tables, period: Period, ledger: str, spec_dir: Path) -> Silence | None:
    """Months of the period without any record, for the whole ledger or for a sub-district, where the same months
    of the year before each had records."""
    spec = load_spec(ledger, spec_dir)
    by = next((c.name for c in spec.columns if c.type == "subdistrict"), None)
    if by is None or len(period.months) < SILENT_MONTHS:
        return None
    now = metrics.record_counts(tables, ledger, period, by)
    before = metrics.record_counts(tables, ledger, period.same_last_year, by)
    if now is None or before is None:
        return None
    empty = now.sum(axis=1) == 0
    # a ledger filled every month without rows for months did not arrive: said with its coverage, not as a silence
    ledger_runs = () if metrics.every_month(ledger) else _runs(empty & (before.sum(axis=1) > 0), SILENT_MONTHS)
    levels = tuple((str(level), runs) for level in now.columns
                   if (runs := _runs((now[level] == 0) & (before[level] > 0) & ~empty, SILENT_MONTHS)))
    return Silence(spec.topic, ledger_runs, levels) if ledger_runs or levels else None


def _runs(mask: pd.Series, at_least: int) -> tuple[tuple[int, int], ...]:
    """Runs of consecutive True months (first, last) of at least `at_least` months."""
    runs, start = [], None
    for month, hit in list(mask.items()) + [(None, False)]:
        if hit and start is None:
            start = previous = month
        elif hit:
            previous = month
        elif start is not None:
            if previous - start + 1 >= at_least:
                runs.append((start, previous))
            start = None
    return tuple(runs)


# ---------------------------------------------------------------- one figure

def large_change(row: pd.Series) -> bool:
    """Whether a figure's change may be called large (增幅较大, 降幅较大, 大幅增长): the one rule every sentence follows.

    A change is large when both
      1. it rose or fell by more than UNUSUAL_PCT (30) percent as written, to one decimal (30.0% is not), and
      2. the larger of the two figures (this period's and the one compared with) is at least LARGE_BASE (20, in the
         figure's unit), so that a change between small figures (2 → 3, 4 → 2, 9 → 6) is never called large,
         whatever its percent, while a real rise or fall from or to a small figure (5 → 100, 100 → 5) is.
    A change from 0 or to 0 is said as such (上年为0, 上年为7处), never as large.
    """
    if row["direction"] not in ("up", "down") or pd.isna(row["pct"]):
        return False
    return (round_half_up(abs(row["pct"]), 1) > UNUSUAL_PCT
            and max(abs(float(row["value"])), abs(float(row["previous"]))) >= LARGE_BASE)


def unusual(row: pd.Series) -> str | None:
    """How a figure's 同比 change stands out: to_zero, zero_base, or up or down when the change is large
    (`large_change`); None otherwise."""
    if row["direction"] in NO_BASE:
        return None
    if row["value"] == 0 and row["previous"] > 0:
        return "to_zero"
    if row["direction"] == "zero_base":
        return "zero_base"
    if large_change(row):
        return row["direction"]
    return None


def beyond_chance(row: pd.Series) -> float:
    """How far a count's change lies beyond what chance alone would make of the same work: the change over twice
    the square root of the two counts, at most 1 (1 for figures that are not counts). 1→2 (+100%) weighs 0.29,
    17→31 (+82%) weighs 1."""
    if not row["counts"]:
        return 1.0
    now, before = float(row["value"]), float(row["previous"])
    return min(1.0, abs(now - before) / (2 * (now + before) ** 0.5)) if now + before else 0.0


def stands_out(row: pd.Series) -> bool:
    """Whether a figure's change is news: it stands out (`unusual`) and lies beyond chance."""
    return bool(unusual(row)) and beyond_chance(row) == 1


def change_size(row: pd.Series) -> float:
    """How large a 同比 change is, for ranking: its percent (100 to or from 0), times `beyond_chance`."""
    if unusual(row) in ("to_zero", "zero_base"):
        return 100.0 * beyond_chance(row)
    return abs(float(row["pct"])) * beyond_chance(row) if row["direction"] in ("up", "down") else 0.0

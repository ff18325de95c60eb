"""The checks an analyst does by hand before figures go up, as data: what has not arrived (完整性) and what looks
wrong (待核实). They never change a figure; the data-quality page, the command line and the analyst's 待核实清单
show them (pages/data_quality.py, commands/cli.py, workbook.py).

Arrival. For each ledger filled every month (spec `every_month`), records per month × sub-district (and per squad
when the spec's `arrival_by` names one), from January of the ledger's first year to the last month of the data:
  - a month without any record of the ledger is a gap of the whole ledger (its ledger did not arrive);
  - a cell is a gap when its level usually has records (the median of the months the ledger arrived is at least
    ARRIVAL_MIN_USUAL: below that, even an empty month happens by chance), it holds at most ARRIVAL_SHARE of that
    usual count, so few that chance alone would give as few less than once in 1/ARRIVAL_CHANCE months (records as
    a Poisson count around the usual: 0 where 10 are usual, 8 where 41 are; 1 where 7 are is chance), the same
    month's other levels together hold at least NEIGHBOURS_SHARE of theirs (a month low everywhere is a season or
    a holiday, not a missing ledger), and the level had records before (a squad formed later is no gap before).
  A level that never or seldom appears in a ledger is never flagged.

To verify (待核实):
  - outlier: a value of a summed column (a count, an area) far above the column's own distribution, on the log
    scale: above the median by more than OUTLIER_SPREADS robust spreads (1.4826 × MAD) and at least OUTLIER_RATIO
    times the median, and at least OUTLIER_FLOOR (small counts are never flagged); columns with fewer than
    OUTLIER_MIN_VALUES values, and ledgers filled once a year (whose values are different items), are not judged;
  - busy day: a day of one sub-district with at least BUSY_FLOOR records and BUSY_RATIO times its usual day (the
    median of its days with records);
  - repeat: a record whose every column (date, sub-district, names, values) equals one in another file or sheet,
    among records that name something (a text column filled in); repeats within one sheet are the clean's own
    [重复行] note.
"""
from __future__ import annotations

import dataclasses
import functools
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.ingest.cache import CACHE_DIR, code_fingerprint, key_of, seal, unseal
from analysis.ingest.spec import load_spec, spec_fingerprint
from analysis.report import metrics
from analysis.report.number_words import round_half_up
from analysis.report.periods import months_label
from analysis.shared import commit
from analysis.shared.os_errors import OutputError

ARRIVAL_SHARE = 0.2
ARRIVAL_MIN_USUAL = 10
ARRIVAL_CHANCE = 1e-4
NEIGHBOURS_SHARE = 0.5
OUTLIER_SPREADS = 4.0
OUTLIER_RATIO = 8.0
OUTLIER_FLOOR = 20
OUTLIER_MIN_VALUES = 20
BUSY_FLOOR = 20
BUSY_RATIO = 5.0
LINEAGE = ("source_file", "source_sheet", "source_row")


@dataclass(frozen=True)
class Gap:
    """A month of a ledger (level None) or of one of its sub-districts or squads that looks missing."""

    ledger: str
    topic: str
    year: int
    month: int
    by: str | None  # the column's label (街道, 中队); None for the whole ledger
    level: str | None
    count: int
    usual: float  # the level's median month (0 for the whole ledger)

    @property
    def text(self) -> str:
        """2024年3月 民主街道 没有三种经营整治记录，其他月份通常每月41条：台账可能未报送."""
        when = f"{self.year}年{self.month}月"
        if self.level is None:
            return f"{when} 没有{self.topic}台账的任何记录：该月台账可能未报送"
        what = f"没有{self.topic}记录" if self.count == 0 else f"只有{self.count}条{self.topic}记录"
        return f"{when} {self.level} {what}，其他月份通常每月{round_half_up(self.usual, 0):g}条：台账可能未报送或不全"


def gap_texts(gaps) -> list[str]:
    """The gaps as the page lists them: a whole ledger's missing months of one year in one line (2023年1—5月、7—12月
    没有…台账的任何记录), each other gap in its own."""
    texts, runs = [], {}
    for gap in gaps:
        if gap.level is None:
            key = (gap.topic, gap.year)
            if key not in runs:
                runs[key] = []
                texts.append(key)
            runs[key].append(gap.month)
        else:
            texts.append(gap.text)
    return [f"{text[1]}年{months_label(runs[text])} 没有{text[0]}台账的任何记录：台账可能未报送"
            if isinstance(text, tuple) else text for text in texts]


@dataclass(frozen=True)
class ToVerify:
    """One record that stands out (待核实): where it is, what it holds, why."""

    kind: str  # outlier | busy_day | repeat
    ledger: str
    topic: str
    file: str
    sheet: str
    row: int | None
    column: str  # the column's label ("" when the whole record)
    value: str
    why: str
    year: int | None = None  # the record's year (None when unknown)


KIND_NAMES = {"outlier": "数值异常", "busy_day": "单日记录过多", "repeat": "跨文件重复"}


@dataclass(frozen=True)
class Arrival:
    """A ledger's records per month (index: year, month) and level of its first arrival column (columns; rows
    without a level in a column of their own, UNASSIGNED)."""

    by: str  # the column's label (街道)
    counts: pd.DataFrame


UNASSIGNED = "（未填）"


@dataclass(frozen=True)
class SourceChecks:
    arrival: dict  # ledger -> Arrival
    gaps: tuple[Gap, ...]
    to_verify: tuple[ToVerify, ...]

    def gaps_in(self, period) -> list[Gap]:
        """The gaps inside a period."""
        return [g for g in self.gaps if g.year == period.year and period.first <= g.month <= period.last]

    def counts(self, period=None) -> dict[str, int]:
        """缺报 (as listed: a whole ledger's missing months of a year are one) and each kind of 待核实, with "verify"
        their sum, as the command line, the pages and the index count them: of every year, or of the years a
        period's figures come from (its own and the one it is compared with)."""
        gaps, items = self.gaps, self.to_verify
        if period is not None:
            gaps = [*self.gaps_in(period.same_last_year), *self.gaps_in(period)]
            items = [i for i in items if i.year in (None, period.year, period.year - 1)]
        counts = {"gap": len(gap_texts(gaps))}
        for kind in KIND_NAMES:
            counts[kind] = sum(1 for item in items if item.kind == kind)
        counts["verify"] = sum(counts[kind] for kind in KIND_NAMES)
        return counts


def check(tables: Mapping[str, pd.DataFrame | None], stored: StoredChecks | None = None) -> SourceChecks:
    """Every check over every ledger's cleaned table. With `stored`, a ledger whose checks were kept for the same
    table (and the same last month of all the data) is not checked again and its table is not read: `tables` may
    load a table only when it is looked up (data.load_checks)."""
    kept = {ledger: stored.get(ledger) for ledger in tables} if stored is not None else {}
    lasts = {ledger: part.last if (part := kept.get(ledger)) is not None else _table_last(tables[ledger])
             for ledger in tables}
    last = max((month for month in lasts.values() if month is not None), default=None)
    parts = {}
    for ledger in tables:
        part = kept.get(ledger)
        if part is None or part.through != last:
            part = check_ledger(ledger, tables[ledger], last)
            if stored is not None:
                stored.put(ledger, part)
        parts[ledger] = part
    arrival = {ledger: part.arrival for ledger, part in parts.items() if part.arrival is not None}
    gaps = [gap for part in parts.values() for gap in part.gaps]
    order = {ledger: i for i, ledger in enumerate(tables)}
    # Each ledger's gaps by month, the whole ledger's first, then by sub-district and by squad as found.
    gaps.sort(key=lambda g: (order[g.ledger], g.year, g.month, g.level is not None))
    return SourceChecks(arrival, tuple(gaps), tuple(item for part in parts.values() for item in part.to_verify))


@dataclass(frozen=True)
class LedgerChecks:
    """One ledger's part of the checks: its own last dated month, and what it found when the data's last month
    (of every ledger, which the arrival counts run to) was `through`."""

    last: tuple[int, int] | None
    through: tuple[int, int] | None
    arrival: Arrival | None
    gaps: tuple[Gap, ...]
    to_verify: tuple[ToVerify, ...]

    def to_json(self) -> dict:
        arrival = None if self.arrival is None else {
            "by": self.arrival.by, "column": self.arrival.counts.columns.name,
            "columns": self.arrival.counts.columns.tolist(), "months": self.arrival.counts.index.tolist(),
            "counts": self.arrival.counts.to_numpy().tolist()}
        return {"last": self.last, "through": self.through, "arrival": arrival,
                "gaps": [dataclasses.astuple(g) for g in self.gaps],
                "to_verify": [dataclasses.astuple(i) for i in self.to_verify]}

    @classmethod
    def from_json(cls, d: dict) -> LedgerChecks:
        a = d["arrival"]
        arrival = None if a is None else Arrival(a["by"], pd.DataFrame(
            np.array(a["counts"], dtype="int64").reshape(len(a["months"]), len(a["columns"])),
            index=pd.MultiIndex.from_tuples([tuple(m) for m in a["months"]], names=["year", "month"]),
            columns=pd.Index(a["columns"], name=a["column"])))
        return cls(_month(d["last"]), _month(d["through"]), arrival, tuple(Gap(*g) for g in d["gaps"]),
                   tuple(ToVerify(*i) for i in d["to_verify"]))


def _month(value) -> tuple[int, int] | None:
    return None if value is None else (int(value[0]), int(value[1]))


def check_ledger(ledger: str, table: pd.DataFrame | None, last: tuple[int, int] | None) -> LedgerChecks:
    """Every check over one ledger's table; `last`, the last month of all the data."""
    if table is None or table.empty:
        return LedgerChecks(None, last, None, (), ())
    spec = load_spec(ledger)
    arrival, gaps, to_verify = None, [], []
    if metrics.every_month(ledger) and last is not None and (table["month"] > 0).any():
        months = month_counts(table, last)
        gaps += [Gap(ledger, spec.topic, int(y), int(m), None, None, 0, 0.0) for (y, m) in months.index[months == 0]]
        for k, by in enumerate(_arrival_columns(spec, table)):
            counts = arrival_counts(table, by, months.index)
            if k == 0:
                arrival = Arrival(spec.column(by).label, counts)
            gaps += arrival_gaps(counts, months > 0, ledger, spec.topic, spec.column(by).label)
    if spec.period_column.type != "year":
        to_verify += outliers(table, ledger)
        to_verify += busy_days(table, ledger)
    to_verify += repeats(table, ledger)
    return LedgerChecks(_table_last(table), last, arrival, tuple(gaps), tuple(to_verify))


class StoredChecks:
    """Each ledger's checks kept in <processed>/.cache/checks, keyed by the checksum of the Parquet its table was
    read from (the manifest's) and by what decides the checks (checks_fingerprint), so that after a clean that
    changed one ledger only that ledger is checked again (at ~1M rows the checks took 1.1 s and reading the tables
    for them 0.3 s). Sealed as the clean's own cache entries are (cache.seal: checked when read); one that is
    missing, damaged or of other data is worked out again. Writing is best-effort: a read-only folder only means the
    checks are worked out every time."""

    def __init__(self, folder: Path, checksums: Mapping[str, str | None]):
        self.folder = Path(folder) / CACHE_DIR / "checks"
        self.checksums = checksums  # ledger → SHA-256 of its Parquet

    def _key(self, ledger: str) -> str | None:
        checksum = self.checksums.get(ledger)
        return None if checksum is None else key_of(ledger, checksum, checks_fingerprint())

    def get(self, ledger: str) -> LedgerChecks | None:
        key = self._key(ledger)
        if key is None:
            return None
        try:
            entry = json.loads(unseal((self.folder / f"{ledger}.json").read_bytes()))
            return LedgerChecks.from_json(entry["checks"]) if entry["key"] == key else None
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            return None

    def put(self, ledger: str, part: LedgerChecks) -> None:
        key = self._key(ledger)
        if key is None:
            return
        payload = json.dumps({"key": key, "checks": part.to_json()}, ensure_ascii=False).encode()
        try:
            commit.write_bytes(self.folder / f"{ledger}.json", seal(payload))
        except (OSError, OutputError):
            pass


REPORT_DIR = Path(__file__).resolve().parent


@functools.cache
def checks_fingerprint() -> str:
    """What decides a ledger's checks besides its table: the report package's code (this module and what it
    uses), the code that reads the tables (with pandas' version), the specs, and numpy's version."""
    return key_of(code_fingerprint(), code_fingerprint(REPORT_DIR), spec_fingerprint(), np.__version__)[:16]


# ---------------------------------------------------------------- arrival

def _table_last(table: pd.DataFrame | None) -> tuple[int, int] | None:
    """(year, month) of the last dated row of a ledger's table; None when it has none."""
    if table is None or not len(table) or table["month"].max() <= 0:
        return None
    year = table["year"].max()
    return int(year), int(table.loc[table["year"] == year, "month"].max())


def _arrival_columns(spec, table: pd.DataFrame) -> list[str]:
    """The columns the arrival table counts by: the sub-district, then those the spec's `arrival_by` adds."""
    columns = [c.name for c in spec.columns if c.type == "subdistrict"] + list(spec.arrival_by)
    return [c for c in dict.fromkeys(columns) if c in table.columns]


def month_counts(table: pd.DataFrame, last: tuple[int, int]) -> pd.Series:
    """The ledger's dated records per month, from January of its first year to `last` (year, month), zero-filled:
    a month at 0 did not arrive (as metrics.missing_months has it)."""
    dated = table[table["month"] > 0]
    first_year = int(dated["year"].min())
    months = pd.MultiIndex.from_tuples([(y, m) for y in range(first_year, last[0] + 1) for m in range(1, 13)
                                        if (y, m) <= last], names=["year", "month"])
    return dated.groupby(["year", "month"]).size().reindex(months, fill_value=0).astype("int64")


def arrival_counts(table: pd.DataFrame, by: str, months: pd.MultiIndex) -> pd.DataFrame:
    """Records per month (rows: `months`) and level of `by` (columns: a Categorical's categories, else the values
    present; rows without a level under UNASSIGNED when there are any), zero-filled."""
    dated = table[table["month"] > 0]
    column = dated[by]
    levels = (column.cat.categories if isinstance(column.dtype, pd.CategoricalDtype)
              else pd.Index(sorted(column.dropna().astype(str).unique())))
    keys = column.astype("object").where(column.notna(), UNASSIGNED)
    if not isinstance(column.dtype, pd.CategoricalDtype):
        keys = keys.astype(str)
    counts = dated.groupby([dated["year"], dated["month"], keys.rename(by)]).size().unstack(by, fill_value=0)
    columns = [*levels, *([UNASSIGNED] if column.isna().any() else [])]
    return counts.reindex(index=months, columns=columns, fill_value=0).astype("int64")


def arrival_gaps(counts: pd.DataFrame, arrived_months: pd.Series, ledger: str, topic: str, by_label: str) -> list[Gap]:
    """The cells that stand out (see the module's rule) among the months the ledger arrived, from each level's
    first month with records on (a squad formed later is no gap before it)."""
    arrived = counts[arrived_months.to_numpy()]
    if arrived.empty:
        return []
    levels = [c for c in counts.columns if c != UNASSIGNED]
    usual = arrived.median(axis=0)
    gaps = []
    for level in levels:
        if usual[level] < ARRIVAL_MIN_USUAL:
            continue
        others = [c for c in levels if c != level]
        others_usual = float(usual[others].sum())
        low = arrived[level] <= ARRIVAL_SHARE * usual[level]
        neighbours_fine = arrived[others].sum(axis=1) >= NEIGHBOURS_SHARE * others_usual if others else True
        started = arrived[level].cumsum() > 0  # months before the level's first record are no gap of it
        for (y, m) in arrived.index[low & neighbours_fine & started]:
            if poisson_at_most(int(arrived.at[(y, m), level]), float(usual[level])) >= ARRIVAL_CHANCE:
                continue  # as few as that happen by chance to a level with few records
            gaps.append(Gap(ledger, topic, int(y), int(m), by_label, str(level), int(arrived.at[(y, m), level]),
                            float(usual[level])))
    return gaps


def poisson_at_most(k: int, usual: float) -> float:
    """P(X ≤ k) for a Poisson count X with mean `usual`: how often chance alone gives as few records."""
    if usual <= 0:
        return 1.0
    return min(1.0, sum(math.exp(i * math.log(usual) - usual - math.lgamma(i + 1)) for i in range(k + 1)))


# ---------------------------------------------------------------- to verify

def outliers(table: pd.DataFrame, ledger: str) -> list[ToVerify]:
    """Values far above their column's own distribution (see the module's rule)."""
    spec = load_spec(ledger)
    found = []
    for col in spec.columns:
        if not col.kind.summable or col.name not in table.columns:
            continue
        values = pd.to_numeric(table[col.name], errors="coerce").astype("float64")
        positive = values[values > 0]
        if len(positive) < OUTLIER_MIN_VALUES:
            continue
        logs = np.log10(positive.to_numpy())
        median = float(np.median(logs))
        spread = 1.4826 * float(np.median(np.abs(logs - median)))
        above = max(OUTLIER_SPREADS * spread, np.log10(OUTLIER_RATIO))
        hit = positive[(logs - median > above) & (positive.to_numpy() >= OUTLIER_FLOOR)]
        typical = 10 ** median
        for index, value in hit.items():
            row = table.loc[index]
            found.append(_item("outlier", ledger, spec.topic, row, col.label, _number(value),
                               f"是这一列通常数值（{_number(typical)}）的{_number(value / typical)}倍，"
                               "可能多写了一位、单位不对或填了合计"))
    return found


def busy_days(table: pd.DataFrame, ledger: str) -> list[ToVerify]:
    """Days of one sub-district with far more records than its usual day (see the module's rule)."""
    spec = load_spec(ledger)
    by = next((c.name for c in spec.columns if c.type == "subdistrict"), None)
    date = spec.period_column.name
    if by is None or date not in table.columns:
        return []
    dated = table.dropna(subset=[date, by])
    days = dated.groupby([by, dated[date].dt.normalize()], observed=True).size()
    found = []
    for level, per_day in days.groupby(level=0, observed=True):
        usual = float(per_day.median())
        for (_, day), n in per_day[(per_day >= BUSY_FLOOR) & (per_day >= BUSY_RATIO * usual)].items():
            rows = dated[(dated[by] == level) & (dated[date].dt.normalize() == day)]
            first = rows.iloc[0]
            found.append(_item("busy_day", ledger, spec.topic, first, "", f"{day:%Y-%m-%d} {level} {n}条",
                               f"这一天有{n}条记录，{level}通常每天{_number(usual)}条，可能重复录入或日期填错"
                               f"（第 {_rows_text(rows['source_row'])} 行）", one_row=False))
    return found


def record_groups(records: pd.DataFrame) -> np.ndarray:
    """A group number per row, equal for rows equal in every column (blanks equal blanks), numbered in order of
    first appearance. One integer per distinct value of each column, folded column by column into one integer per
    distinct combination so far: integers are grouped at a fraction of the cost of text, and only two columns'
    worth of them are held at a time (at 1M rows the checks' peak memory was the codes of every column)."""
    group = np.zeros(len(records), dtype=np.int64)
    for column in records.columns:
        codes, distinct = pd.factorize(records[column])  # a blank is -1
        group = pd.factorize(group * (len(distinct) + 1) + (codes + 1))[0]
    return group


def repeats(table: pd.DataFrame, ledger: str) -> list[ToVerify]:
    """Records equal in every column to one in another file or sheet, among those that name something: one item
    per pair of places (a file re-sent under another name is one item, its rows counted and the first named)."""
    spec = load_spec(ledger)
    columns = [c.name for c in spec.columns if c.name in table.columns]
    named = [c.name for c in spec.columns if c.kind.text and c.name in table.columns]
    if not named:
        return []
    rows = table[table[named].notna().any(axis=1)]
    if rows.empty:
        return []
    group = record_groups(rows[columns])
    file_codes = pd.factorize(rows["source_file"])[0].astype(np.int64)
    sheet_codes, sheets = pd.factorize(rows["source_sheet"])
    place = file_codes * (len(sheets) + 1) + sheet_codes  # one number per (file, sheet)
    places_per_group = pd.Series(place).groupby(group).nunique()
    several = np.isin(group, places_per_group.index[places_per_group > 1])
    if not several.any():
        return []
    found = rows[several].assign(_group=group[several], _place=place[several])
    found = found.drop_duplicates(["_group", "_place"])  # the same record twice in one sheet is the clean's note
    first = found.groupby("_group", sort=False)["_place"].transform("first")
    first_row = found.groupby("_group", sort=False)["source_row"].transform("first")
    again = found[found["_place"] != first].assign(_first=first, _first_row=first_row)
    names = dict(zip(found["_place"], zip(found["source_file"].astype(str), found["source_sheet"].astype(str))))
    # One item per pair of places, in order of first appearance: its first row, its size and the earlier rows.
    pairs = again.groupby(["_place", "_first"], sort=False)
    heads = pairs.head(1)
    sizes = pairs.size().to_numpy()
    earlier_rows = pairs["_first_row"].agg(lambda rows: rows.head(6).tolist()).to_numpy()
    items = []
    for row, n, rows in zip(heads.to_dict("records"), sizes, earlier_rows):
        file, sheet = names[row["_first"]]
        value = _record_text(row, spec, named) if n == 1 else f"{n}条记录"
        why = f"与 {file} / {sheet} 第 {_rows_text(rows)} 行的记录完全相同（{n}条）：同一批记录可能报了两次"
        items.append(_item("repeat", ledger, spec.topic, row, "", value, why, one_row=n == 1))
    return items


def _item(kind: str, ledger: str, topic: str, row: pd.Series, column: str, value: str, why: str,
          one_row: bool = True) -> ToVerify:
    """A 待核实 item at the record `row` (its file and sheet; its row number unless the item is several rows)."""
    year = row.get("year")
    return ToVerify(kind, ledger, topic, str(row["source_file"]), str(row["source_sheet"]),
                    int(row["source_row"]) if one_row else None, column, value, why,
                    None if year is None or pd.isna(year) else int(year))


def _place(row: pd.Series) -> str:
    return f"{row['source_file']} / {row['source_sheet']} 第 {int(row['source_row'])} 行"


def _record_text(row: pd.Series, spec, named: list[str]) -> str:
    """The record as the list names it: its date, sub-district and names."""
    parts = []
    for col in spec.columns:
        value = row.get(col.name)
        if col.name in named or col.type in ("date", "subdistrict"):
            if value is not None and not pd.isna(value):
                parts.append(f"{value:%Y-%m-%d}" if isinstance(value, pd.Timestamp) else str(value))
    return " ".join(parts)


def _rows_text(numbers, limit: int = 5) -> str:
    """3、4、9: the first row numbers of several rows (a list or a Series), 等 when there are more."""
    shown = [str(int(r)) for r in list(numbers)[:limit]]
    return "、".join(shown) + ("等" if len(numbers) > limit else "")


def _number(value: float) -> str:
    """41, 8.5, 1,200: as the list writes a typical value or a ratio."""
    value = float(value)
    if value >= 100 or value.is_integer():
        return f"{round(value):,}"
    return f"{value:.1f}"

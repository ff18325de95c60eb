"""Indicators computed over the processed tables: values, same-period comparisons, breakdowns, periods.

Every function is pure: it takes `tables`, a mapping ledger -> DataFrame shaped as
`analysis.ingest.tables.load_table` returns it (with int `year` and `month` columns), and a catalogue from
`catalogue.load_catalogue` (loaded when not given); it never reads ledger files.

Periods (see periods.py): a year, a quarter, a month or a run of months. Rows of a ledger filled once a year
(month 0) count in whole-year periods only. A year is *complete* when the tables hold data for December of it
(the last month with any row, over all ledgers, is 12); an incomplete year with
data through month N is reported as 1—N月累计 against months 1..N of the previous year. A ledger with no row at
all in a year does not cover that year: its indicators are NA there (not 0), so a missing previous year gives no
percentage rather than a zero base.
"""
from __future__ import annotations

import operator
from collections.abc import Mapping

import numpy as np
import pandas as pd

from analysis.ingest.spec import load_spec
from analysis.report.catalogue import load_catalogue, parse_filter, parse_measure
from analysis.report.number_words import format_figure, round_half_up
from analysis.report.periods import Period, year_so_far

MONTHS = pd.RangeIndex(1, 13, name="month")
Tables = Mapping[str, pd.DataFrame]

_COMPARATORS = {"==": operator.eq, "!=": operator.ne, ">": operator.gt,
                ">=": operator.ge, "<": operator.lt, "<=": operator.le}


def filter_mask(rows: pd.DataFrame, text: str) -> pd.Series:
    """Boolean mask of the rows satisfying the filter (all True for an empty filter)."""
    mask = pd.Series(True, index=rows.index)
    for column, op, values in parse_filter(text):
        if column not in rows.columns:
            raise ValueError(f"筛选条件中的列 {column} 不在台账中")
        mask &= _clause_mask(rows[column], op, values)
    return mask


def _clause_mask(column: pd.Series, op: str, values: list[str]) -> pd.Series:
    if op in ("true", "false"):
        hit = column.astype("boolean") == (op == "true")
    else:
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            values = [float(v) for v in values]
        hit = column.isin(values) if op == "in" else _COMPARATORS[op](column, values[0])
    return column.notna() & hit.fillna(False).astype(bool)


# ---------------------------------------------------------------- periods

def _last_months(tables: Tables) -> pd.Series:
    """year -> last month with any row, over all ledgers. Rows of a ledger filled once a year (month 0) do not
    make a running year complete; a year with such rows alone counts as complete."""
    periods = pd.concat([t[["year", "month"]] for t in tables.values()] or
                        [pd.DataFrame({"year": [], "month": []}, dtype="int64")])
    last = periods.groupby("year")["month"].max()
    return last.where(last > 0, 12).astype("int64")


def available_years(tables: Tables) -> list[int]:
    return [int(y) for y in _last_months(tables).index]


def period_months(tables: Tables, year: int) -> int:
    """N, the last month of `year` with data in any ledger (0 when the year has none)."""
    return int(_last_months(tables).get(year, 0))


def is_complete_year(tables: Tables, year: int) -> bool:
    """A year is complete when the tables hold data for its December."""
    return period_months(tables, year) == 12


def latest_complete_year(tables: Tables) -> int | None:
    last = _last_months(tables)
    complete = last.index[last == 12]
    return int(complete.max()) if len(complete) else None


def resolve_period(tables: Tables, asked: Period | None = None) -> Period:
    """The period a briefing covers. Nothing asked: the latest complete year, else the latest year so far.
    A year still running is its months so far (1—N月累计), compared with the same months of the year before; a
    quarter, month or run of months must be covered by the data. ValueError (in Chinese) otherwise."""
    years = available_years(tables)
    if not years:
        raise ValueError("清洗结果中没有任何数据行")
    if asked is None:
        complete = latest_complete_year(tables)
        return Period(complete) if complete is not None else year_so_far(years[-1], period_months(tables, years[-1]))
    if asked.year not in years:
        raise ValueError(f"数据中没有 {asked.year} 年的记录（已有：{'、'.join(f'{y}年' for y in years)}）")
    last = period_months(tables, asked.year)
    if asked.kind == "year":
        return asked if last == 12 else year_so_far(asked.year, last)
    if asked.last > last:
        raise ValueError(f"数据只到 {asked.year}年{last}月，{asked.label}的台账还不全")
    return asked


# ---------------------------------------------------------------- values

def in_period(table: pd.DataFrame, period: Period) -> pd.Series:
    """Which rows of a ledger fall in the period. Rows of a ledger filled once a year (month 0) belong to
    whole-year periods only."""
    months = table["month"].between(period.first, period.last)
    if period.whole_year:
        months |= table["month"].eq(0)
    return table["year"].eq(period.year) & months


def every_month(ledger: str) -> bool:
    """Whether the ledger's spec says every month of work leaves rows (see LedgerSpec.every_month). A table of a
    ledger without a spec (a test's own catalogue) is taken as one of events: its empty months count 0."""
    try:
        return load_spec(ledger).every_month
    except FileNotFoundError:
        return False


def months_with_rows(table: pd.DataFrame, year: int) -> tuple[int, ...]:
    """The months of `year` in which a ledger has rows (month 0, a yearly row, is no month)."""
    months = table.loc[table["year"].eq(year), "month"]
    return tuple(sorted(int(m) for m in months.unique() if m))


def missing_months(tables: Tables, ledger: str, period: Period) -> tuple[int, ...]:
    """The months of `period` for which a ledger filled every month has no row: its ledger for them did not
    arrive, so they are no data ("—"), not 0. Empty for a ledger of events and for one that does not cover the
    period at all (`covers`: said as a ledger without data)."""
    table = tables.get(ledger)
    if not covers(tables, ledger, period) or not every_month(ledger):
        return ()
    have = set(months_with_rows(table, period.year))
    return tuple(m for m in period.months if m not in have)


def covers(tables: Tables, ledger: str, period: Period) -> bool:
    """Whether a ledger has figures for the period: rows in its year and, when they are all yearly rows (month 0),
    a whole-year period (a yearly figure is never a quarter's or a month's, and never 0 for one); a ledger filled
    every month needs rows in a month of the period itself (a month whose ledger did not arrive is not 0)."""
    table = tables.get(ledger)
    if table is None:
        return False
    months = table["month"][table["year"].eq(period.year)]
    if every_month(ledger) and not period.whole_year:
        return bool(months.between(period.first, period.last).any())
    return len(months) > 0 and (period.whole_year or bool(months.ne(0).any()))


def _selected_rows(tables: Tables, indicator: pd.Series, period: Period) -> pd.DataFrame | None:
    """The indicator's rows in the period, or None when its ledger does not cover the period, or when the
    indicator is a figure filed once a year that the year's table does not hold (not filed is not 0)."""
    table = tables.get(indicator["ledger"])
    if not covers(tables, indicator["ledger"], period):
        return None
    try:
        rows = table[in_period(table, period) & filter_mask(table, indicator["filter"])]
    except ValueError as error:
        raise ValueError(f"指标 {indicator.name}：{error}") from None
    if rows.empty and not table["month"][table["year"].eq(period.year)].ne(0).any():
        return None
    return rows


def unnamed_rows(tables: Tables, catalogue: pd.DataFrame, period: Period) -> pd.Series:
    """For each indicator that counts distinct names (nunique:列), how many of its rows in the period leave that
    column empty: they cannot be told apart, so they are not in the figure, and a reader must be told. Only
    indicators with such rows are listed."""
    counts = {}
    for key, indicator in catalogue.iterrows():
        op, column = parse_measure(indicator["measure"])
        if op != "nunique":
            continue
        rows = _selected_rows(tables, indicator, period)
        if rows is not None and column in rows.columns and (n := int(rows[column].isna().sum())):
            counts[key] = n
    return pd.Series(counts, dtype="int64")


def _measure(rows: pd.DataFrame, measure: str, by: str | None = None):
    """The measure over all rows (a number) or per value of `by` (a Series)."""
    op, column = parse_measure(measure)
    if column is not None and column not in rows.columns:
        raise ValueError(f"计算方式中的列 {column} 不在台账中")
    if by is None:
        return len(rows) if op == "count" else getattr(rows[column], op)()
    groups = rows.groupby(by, observed=True, sort=False)
    return groups.size() if op == "count" else groups[column].agg(op)


def indicator_values(tables: Tables, period: Period, catalogue: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every indicator's value in `period`.

    Returns the catalogue (indexed by key) with added columns value (Float64; NA when the ledger has no row in
    the period's year) and figure (the value as the report writes it, see `format_figure`).
    """
    catalogue = load_catalogue() if catalogue is None else catalogue
    values = []
    for _, indicator in catalogue.iterrows():
        rows = _selected_rows(tables, indicator, period)
        values.append(pd.NA if rows is None else _measure(rows, indicator["measure"]))
    result = catalogue.assign(value=pd.array(values, dtype="Float64"))
    result["figure"] = [format_figure(v, s) for v, s in zip(result["value"], result["style"])]
    return result


def compare_values(current: pd.Series, previous: pd.Series) -> pd.DataFrame:
    """The change of aligned value Series against earlier ones.

    Columns: change (absolute), pct (percent, NA when the previous value is 0 or NA),
    base_zero (previous value is 0) and direction:
      up / down; flat (the percent rounds to 0.0%, or both values are 0); zero_base (previous 0,
      current not); no_previous (previous NA); no_data (current NA). `compare` adds partial and
      previous_partial (a figure over part of its period: see `_like_with_like`).
    """
    current, previous = current.astype("Float64"), previous.astype("Float64")
    base_zero = _true(previous.eq(0))
    change = current - previous
    pct = (change / previous.mask(base_zero) * 100).astype("Float64")
    rounds_to_zero = np.array([pd.notna(p) and round_half_up(p, 1) == 0 for p in pct], dtype=bool)
    direction = np.select(
        [_true(current.isna()), _true(previous.isna()), base_zero & _true(current.eq(0)), base_zero,
         rounds_to_zero, _true(pct > 0)],
        ["no_data", "no_previous", "flat", "zero_base", "flat", "up"], default="down")
    return pd.DataFrame({"change": change, "pct": pct, "base_zero": base_zero,
                         "direction": pd.Series(direction, index=current.index, dtype="str")})


def _true(mask: pd.Series) -> np.ndarray:
    """A nullable boolean Series as a plain array, NA counting as False."""
    return mask.astype("boolean").fillna(False).to_numpy(dtype=bool)


def compare(tables: Tables, period: Period, earlier: Period, catalogue: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every indicator in `period` against `earlier`: `indicator_values`' columns plus previous, previous_figure
    and `compare_values`' columns."""
    catalogue = load_catalogue() if catalogue is None else catalogue
    current = indicator_values(tables, period, catalogue)
    previous = indicator_values(tables, earlier, catalogue)
    result = current.assign(previous=previous["value"], previous_figure=previous["figure"])
    return _like_with_like(tables, result.join(compare_values(result["value"], result["previous"])), period, earlier)


def _like_with_like(tables: Tables, result: pd.DataFrame, period: Period, earlier: Period) -> pd.DataFrame:
    """Adds each figure's gaps, missing (the months of `period` its ledger, filled every month, has no row in) and
    previous_missing (the same in `earlier`), and compares like with like or not at all: a figure over part of its
    period is compared with nothing (direction partial), nor one whose earlier figure is over part of its
    (previous_partial); their change and pct are NA."""
    ledgers = result["ledger"].unique()
    now = {ledger: missing_months(tables, ledger, period) for ledger in ledgers}
    before = {ledger: missing_months(tables, ledger, earlier) for ledger in ledgers}
    result["missing"] = [now[ledger] for ledger in result["ledger"]]
    result["previous_missing"] = [before[ledger] for ledger in result["ledger"]]
    partial = np.array([bool(m) for m in result["missing"]], dtype=bool) & result["value"].notna().to_numpy()
    previous_partial = (np.array([bool(m) for m in result["previous_missing"]], dtype=bool) & ~partial
                        & result["value"].notna().to_numpy() & result["previous"].notna().to_numpy())
    unlike = partial | previous_partial
    result["direction"] = np.where(partial, "partial", np.where(previous_partial, "previous_partial",
                                                                result["direction"]))
    result["change"] = result["change"].mask(unlike)
    result["pct"] = result["pct"].mask(unlike)
    return result


def year_over_year(tables: Tables, period: Period, catalogue: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every indicator in `period` against the same months of the year before (同比)."""
    return compare(tables, period, period.same_last_year, catalogue)


def breakdown(tables: Tables, key: str, period: Period, by: str, catalogue: pd.DataFrame | None = None) -> pd.Series:
    """One indicator in `period` per value of `by` (a column of its ledger, or `month`).

    Zero-filled over all levels (but NA for the months of the period a ledger filled every month has no row in:
    `missing_months`): months 1..12, or a Categorical's categories in their order (the
    nine sub-districts in canonical order) that the indicator's own filter admits (办理行政许可案件 counts three
    matters: the other two are no level of it, not a 0); another column gives the values present, largest
    first. All NA when the ledger has no row in the period's year.
    """
    catalogue = load_catalogue() if catalogue is None else catalogue
    indicator = catalogue.loc[key]
    table = tables.get(indicator["ledger"])
    if table is not None and by not in table.columns:
        raise ValueError(f"指标 {key}：台账 {indicator['ledger']} 没有列 {by}")
    levels = _levels(table, by)
    if levels is not None and by != "month":
        levels = _inside_filter(levels, indicator["filter"], by)
    rows = _selected_rows(tables, indicator, period)
    if rows is None:
        return pd.Series(pd.NA, index=levels if levels is not None else pd.Index([]), dtype="Float64", name=key)
    values = _measure(rows, indicator["measure"], by)
    if levels is not None:
        values = values.reindex(levels, fill_value=0)
        missing = missing_months(tables, indicator["ledger"], period) if by == "month" else ()
        if missing:  # a month whose ledger did not arrive is no data, not 0
            values = values.astype("Float64")
            values[list(missing)] = pd.NA
    else:
        values = values.sort_index().sort_values(ascending=False, kind="stable")
    return values.rename(key).rename_axis(by)


def _inside_filter(levels: pd.Index, text: str, by: str) -> pd.Index:
    """The levels of column `by` that the clauses of a filter on that very column admit (matter in 户外广告许可|…,
    issue_type != 无)."""
    clauses = [part for part in (text or "").split("&") if part.strip() and parse_filter(part)[0][0] == by]
    if not clauses:
        return levels
    frame = pd.DataFrame({by: pd.Series(levels, dtype=levels.dtype)})
    return levels[filter_mask(frame, " & ".join(clauses)).to_numpy()]


def _levels(table: pd.DataFrame | None, by: str) -> pd.Index | None:
    """Every level a breakdown shows, in order, when they are known beforehand."""
    if by == "month":
        return MONTHS
    if table is not None and isinstance(table[by].dtype, pd.CategoricalDtype):
        return table[by].cat.categories
    return None


def monthly_series(tables: Tables, key: str, year: int, catalogue: pd.DataFrame | None = None) -> pd.Series:
    """One indicator per month 1..12 of `year`, zero-filled (also after the last month with data:
    cut at `period_months` when drawing an incomplete year)."""
    return breakdown(tables, key, Period(year), "month", catalogue=catalogue)


def monthly_table(tables: Tables, year: int, catalogue: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every indicator per month: index month 1..12, one column per key (catalogue order)."""
    catalogue = load_catalogue() if catalogue is None else catalogue
    return pd.DataFrame({key: monthly_series(tables, key, year, catalogue) for key in catalogue.index})


def compare_breakdown(tables: Tables, key: str, period: Period, earlier: Period, by: str,
                      catalogue: pd.DataFrame | None = None) -> pd.DataFrame:
    """One indicator per value of `by` in `period` against `earlier`: columns value and previous, then
    `compare_values`' columns. Levels are those of either period (a level seen in one only counts 0 in the
    other); previous is NA throughout when the ledger has no row in the earlier period's year."""
    current = breakdown(tables, key, period, by, catalogue)
    previous = breakdown(tables, key, earlier, by, catalogue)
    levels = current.index.union(previous.index, sort=False)
    current = current.reindex(levels, fill_value=0)
    previous = previous.reindex(levels) if previous.isna().all() else previous.reindex(levels, fill_value=0)
    return pd.DataFrame({"value": current, "previous": previous}).join(compare_values(current, previous))


def record_counts(tables: Tables, ledger: str, period: Period, by: str) -> pd.DataFrame | None:
    """A ledger's rows per month of `period` (index) and value of `by` (columns: a Categorical's categories in
    their order, else the values the ledger holds), zero-filled; None when the ledger has no row in the
    period's year."""
    table = tables.get(ledger)
    if not covers(tables, ledger, period):
        return None
    rows = table[in_period(table, period)]
    levels = _levels(table, by)
    if levels is None:
        levels = pd.Index(sorted(table[by].dropna().unique()), name=by)
    counts = rows.groupby(["month", by], observed=True).size().unstack(by, fill_value=0)
    return counts.reindex(index=pd.Index(period.months, name="month"), columns=levels, fill_value=0).astype("int64")

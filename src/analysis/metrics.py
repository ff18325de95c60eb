"""Indicators: the catalogue (indicators.csv) computed over the processed tables.

Every function is pure: it takes `tables`, a mapping ledger -> DataFrame shaped as
`analysis.tables.load_table` returns it (with int `year` and `month` columns), and never reads files,
except `load_catalogue`, which reads the catalogue CSV.

The catalogue (one row per indicator) says what an indicator is; this module computes any of them:

  key          identifier (results are indexed by it)
  label        the indicator's Chinese name, as the report names the thing
  unit         处 / 家 / 个 / 次 / 平方米
  ledger       which processed table it is computed from
  measure      `count` (rows), `sum:<column>`, `nunique:<column>` (distinct non-empty values)
  filter       optional condition on the rows, in the grammar below
  definition   the same in words, for the briefing's data note (Chinese)
  style        how the report writes the figure: exact | 余 | 约   (see `format_figure`)
  phrase       the sentence body, with {value} (the written figure) and {unit}
  report_phrase  its form in the yearly report paragraph; empty = not in the paragraph
  report_sep   the separator put before it in the paragraph: ， (default) 、 or 。
  order        position in tables and in the paragraph
  breakdowns   space-separated columns the briefing breaks it down by (`month` is always possible)

Filter grammar (parsed, never evaluated as Python):

  filter := clause ( "&" clause )*
  clause := COLUMN                  the flag column is true
          | "!" COLUMN              the flag column is false
          | COLUMN OP VALUE         OP is one of  ==  !=  >  >=  <  <=
          | COLUMN "in" VALUE ( "|" VALUE )*
  COLUMN is an ASCII identifier; VALUE is the trimmed text up to the next "&" (no quotes),
  read as a number when the column is numeric. A row whose column is empty (NA) satisfies no
  clause, so `!rectified` does not count rows where rectified is NA.

Periods. A year is *complete* when the tables hold data for December of it (the last month
with any row, over all ledgers, is 12). For an incomplete year with data through month N, the
year-over-year comparison is 1—N月累计 against months 1..N of the previous year. A ledger with no
row at all in a year does not cover that year: its indicators are NA there (not 0), so a missing
previous year gives no percentage rather than a zero base.
"""
from __future__ import annotations

import math
import operator
import re
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pandas as pd

CATALOGUE_PATH = Path(__file__).with_name("indicators.csv")
STYLES = ("exact", "余", "约")
REPORT_SEPARATORS = ("", "，", "、", "。")
REQUIRED_COLUMNS = ("key", "label", "unit", "ledger", "measure", "style", "phrase", "order")
OPTIONAL_COLUMNS = ("filter", "definition", "report_phrase", "report_sep", "breakdowns")
MONTHS = pd.RangeIndex(1, 13, name="month")
# Below this a 余 figure is written exactly: "45余处" would say less than "45处".
ROUNDING_FLOOR = 100

Tables = Mapping[str, pd.DataFrame]

_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
_FLAG_CLAUSE = re.compile(rf"(!?)\s*({_IDENT})")
_VALUE = r"[^\s=<>!&|][^=<>!&|]*"
_COMPARE_CLAUSE = re.compile(rf"({_IDENT})\s*(==|!=|>=|<=|>|<)\s*({_VALUE})")
_IN_CLAUSE = re.compile(rf"({_IDENT})\s+in\s+({_VALUE}(?:\|\s*{_VALUE})*)")
_MEASURE = re.compile(rf"(count)|(sum|nunique):({_IDENT})")
_COMPARATORS = {"==": operator.eq, "!=": operator.ne, ">": operator.gt,
                ">=": operator.ge, "<": operator.lt, "<=": operator.le}


# ---------------------------------------------------------------- grammar

def parse_measure(text: str) -> tuple[str, str | None]:
    """`count` -> ("count", None); `sum:places` -> ("sum", "places")."""
    match = _MEASURE.fullmatch(text.strip())
    if not match:
        raise ValueError(f"无法识别的计算方式：{text!r}（应为 count、sum:列名 或 nunique:列名）")
    return ("count", None) if match[1] else (match[2], match[3])


def parse_filter(text: str) -> list[tuple[str, str, list[str]]]:
    """The filter as clauses (column, op, values); op is `true`, `false`, a comparator or `in`."""
    if not text.strip():
        return []
    clauses = []
    for part in (p.strip() for p in text.split("&")):
        if match := _FLAG_CLAUSE.fullmatch(part):
            clauses.append((match[2], "false" if match[1] else "true", []))
        elif match := _IN_CLAUSE.fullmatch(part):
            clauses.append((match[1], "in", [v.strip() for v in match[2].split("|")]))
        elif match := _COMPARE_CLAUSE.fullmatch(part):
            clauses.append((match[1], match[2], [match[3].strip()]))
        else:
            raise ValueError(f"无法识别的筛选条件：{part!r}（语法见 analysis.metrics 的说明）")
    return clauses


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


# ---------------------------------------------------------------- catalogue

def load_catalogue(path: Path | str = CATALOGUE_PATH) -> pd.DataFrame:
    """The indicator catalogue, validated, sorted by `order`, indexed by `key`."""
    catalogue = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = [c for c in REQUIRED_COLUMNS if c not in catalogue.columns]
    if missing:
        raise ValueError(f"指标目录缺少列：{'、'.join(missing)}")
    catalogue = catalogue.apply(lambda c: c.str.strip())
    for column in OPTIONAL_COLUMNS:
        if column not in catalogue.columns:
            catalogue[column] = ""
    catalogue["order"] = pd.to_numeric(catalogue["order"]).astype("int64")
    validate_catalogue(catalogue)
    return catalogue.sort_values("order", kind="stable").set_index("key")


def validate_catalogue(catalogue: pd.DataFrame) -> None:
    """Raise ValueError (in Chinese, naming the indicator) on the first malformed row."""
    duplicated = catalogue["key"][catalogue["key"].duplicated()]
    if not duplicated.empty:
        raise ValueError(f"指标目录中 key 重复：{'、'.join(duplicated)}")
    for row in catalogue.itertuples(index=False):
        try:
            if not re.fullmatch(_IDENT, row.key):
                raise ValueError("key 应为英文标识符")
            if not (row.label and row.unit and row.ledger):
                raise ValueError("label、unit、ledger 不能为空")
            if row.style not in STYLES:
                raise ValueError(f"style 应为 {' / '.join(STYLES)}，而不是 {row.style!r}")
            if row.report_sep not in REPORT_SEPARATORS:
                raise ValueError(f"report_sep 应为 ，、。之一，而不是 {row.report_sep!r}")
            parse_measure(row.measure)
            parse_filter(row.filter)
            for template in filter(None, (row.phrase, row.report_phrase)):
                if "{value}" not in template:
                    raise ValueError(f"语句模板缺少 {{value}}：{template!r}")
                template.format(value="", unit="")
            if not all(re.fullmatch(_IDENT, b) for b in row.breakdowns.split()):
                raise ValueError(f"breakdowns 应为以空格分隔的列名：{row.breakdowns!r}")
        except (ValueError, KeyError, IndexError) as error:
            raise ValueError(f"指标目录 {row.key}：{error}") from None


# ---------------------------------------------------------------- periods

def _last_months(tables: Tables) -> pd.Series:
    """year -> last month with any row, over all ledgers."""
    periods = pd.concat([t[["year", "month"]] for t in tables.values()] or
                        [pd.DataFrame({"year": [], "month": []}, dtype="int64")])
    return periods.groupby("year")["month"].max().astype("int64")


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


# ---------------------------------------------------------------- values

def _selected_rows(tables: Tables, indicator: pd.Series, year: int, months: int | None) -> pd.DataFrame | None:
    """The indicator's rows in the period, or None when its ledger does not cover `year`."""
    table = tables.get(indicator["ledger"])
    if table is None or not (table["year"] == year).any():
        return None
    if months is not None and not 1 <= months <= 12:
        raise ValueError(f"月份应在 1 到 12 之间：{months}")
    in_period = (table["year"] == year) & (table["month"] <= (months or 12))
    try:
        return table[in_period & filter_mask(table, indicator["filter"])]
    except ValueError as error:
        raise ValueError(f"指标 {indicator.name}：{error}") from None


def _measure(rows: pd.DataFrame, measure: str, by: str | None = None):
    """The measure over all rows (a number) or per value of `by` (a Series)."""
    op, column = parse_measure(measure)
    if column is not None and column not in rows.columns:
        raise ValueError(f"计算方式中的列 {column} 不在台账中")
    if by is None:
        return len(rows) if op == "count" else getattr(rows[column], op)()
    groups = rows.groupby(by, observed=True, sort=False)
    return groups.size() if op == "count" else groups[column].agg(op)


def indicator_values(tables: Tables, year: int, months: int | None = None,
                     catalogue: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every indicator's value for `year` (months 1..`months` when given).

    Returns the catalogue (indexed by key) with added columns year, months (12 when not
    restricted), value (Float64; NA when the ledger has no row in that year) and figure (the
    value as the report writes it, see `format_figure`).
    """
    catalogue = load_catalogue() if catalogue is None else catalogue
    values = []
    for _, indicator in catalogue.iterrows():
        rows = _selected_rows(tables, indicator, year, months)
        values.append(pd.NA if rows is None else _measure(rows, indicator["measure"]))
    result = catalogue.assign(year=year, months=months or 12, value=pd.array(values, dtype="Float64"))
    result["figure"] = [format_figure(v, s) for v, s in zip(result["value"], result["style"])]
    return result


def compare_values(current: pd.Series, previous: pd.Series) -> pd.DataFrame:
    """Year-over-year change of aligned value Series.

    Columns: change (absolute), pct (percent, NA when the previous value is 0 or NA),
    base_zero (previous value is 0) and direction:
      up / down; flat (the percent rounds to 0.0%, or both values are 0); zero_base (previous 0,
      current not); no_previous (previous NA); no_data (current NA).
    """
    current, previous = current.astype("Float64"), previous.astype("Float64")
    base_zero = _true(previous.eq(0))
    change = current - previous
    pct = (change / previous.mask(base_zero) * 100).astype("Float64")
    rounds_to_zero = np.array([pd.notna(p) and _round_half_up(p, 1) == 0 for p in pct], dtype=bool)
    direction = np.select(
        [_true(current.isna()), _true(previous.isna()), base_zero & _true(current.eq(0)), base_zero,
         rounds_to_zero, _true(pct > 0)],
        ["no_data", "no_previous", "flat", "zero_base", "flat", "up"], default="down")
    return pd.DataFrame({"change": change, "pct": pct, "base_zero": base_zero,
                         "direction": pd.Series(direction, index=current.index, dtype="str")})


def _true(mask: pd.Series) -> np.ndarray:
    """A nullable boolean Series as a plain array, NA counting as False."""
    return mask.astype("boolean").fillna(False).to_numpy(dtype=bool)


def year_over_year(tables: Tables, year: int, months: int | None = None,
                   catalogue: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every indicator for `year` against the same period of the previous year.

    `months=None` takes the period from the data: the whole year when it is complete, otherwise
    1—N月 (N = `period_months`) against months 1..N of `year - 1`. Returns `indicator_values`'
    columns plus previous, previous_figure and `compare_values`' columns; `months` says the period.
    """
    catalogue = load_catalogue() if catalogue is None else catalogue
    months = months or period_months(tables, year) or 12
    restrict = None if months == 12 else months
    current = indicator_values(tables, year, restrict, catalogue).assign(months=months)
    previous = indicator_values(tables, year - 1, restrict, catalogue)
    result = current.assign(previous=previous["value"], previous_figure=previous["figure"])
    return result.join(compare_values(result["value"], result["previous"]))


def breakdown(tables: Tables, key: str, year: int, by: str, months: int | None = None,
              catalogue: pd.DataFrame | None = None) -> pd.Series:
    """One indicator per value of `by` (a column of its ledger, or `month`).

    Zero-filled over all levels: months 1..12, or a Categorical's categories in their order (the
    nine sub-districts in canonical order); another column gives the values present, largest
    first. All NA when the ledger has no row in `year`.
    """
    catalogue = load_catalogue() if catalogue is None else catalogue
    indicator = catalogue.loc[key]
    table = tables.get(indicator["ledger"])
    if table is not None and by not in table.columns:
        raise ValueError(f"指标 {key}：台账 {indicator['ledger']} 没有列 {by}")
    levels = _levels(table, by)
    rows = _selected_rows(tables, indicator, year, months)
    if rows is None:
        return pd.Series(pd.NA, index=levels if levels is not None else pd.Index([]), dtype="Float64", name=key)
    values = _measure(rows, indicator["measure"], by)
    if levels is not None:
        values = values.reindex(levels, fill_value=0)
    else:
        values = values.sort_index().sort_values(ascending=False, kind="stable")
    return values.rename(key).rename_axis(by)


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
    return breakdown(tables, key, year, "month", catalogue=catalogue)


def monthly_table(tables: Tables, year: int, catalogue: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every indicator per month: index month 1..12, one column per key (catalogue order)."""
    catalogue = load_catalogue() if catalogue is None else catalogue
    return pd.DataFrame({key: monthly_series(tables, key, year, catalogue) for key in catalogue.index})


# ---------------------------------------------------------------- writing figures

def _round_half_up(value: float, digits: int) -> Decimal:
    """Round as people do (8.25 -> 8.3), on the decimal the float prints as."""
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def round_down_figure(value: float) -> int:
    """The round figure written before 余: the value rounded down to a step that is the largest
    power of ten not above a fifth of it, so the figure is low by less than 20%.

    In effect two significant digits when the value starts with 1–4 (12345 -> 12000,
    2734 -> 2700) and one when it starts with 5–9 (5123 -> 5000, 526 -> 500).
    """
    whole = math.floor(value)
    if whole < ROUNDING_FLOOR:
        return whole
    step = 10 ** (len(str(whole // 5)) - 1)
    return whole // step * step


def format_figure(value, style: str = "exact") -> str:
    """A value as the report writes it.

    exact: 2714 -> "2714" (a fraction keeps up to two decimals);
    余: "more than" -> `round_down_figure` + 余 (12345 -> "12000余"), written exactly when rounding
        would change nothing (12000 -> "12000") or the value is below 100;
    约: "about" -> 约 + the value rounded half up to an integer (4714.3 -> "约4714").
    NA -> "—".
    """
    if value is None or pd.isna(value):
        return "—"
    if style == "约":
        return f"约{_round_half_up(value, 0)}"
    if style == "余":
        low = round_down_figure(value)
        if low >= ROUNDING_FLOOR and low != value:
            return f"{low}余"
    if float(value).is_integer():
        return str(int(value))
    return f"{_round_half_up(value, 2)}".rstrip("0").rstrip(".")


def format_percent(pct: float) -> str:
    """8.24 -> "8.2%" (one decimal, half up); NA -> "—"."""
    if pct is None or pd.isna(pct):
        return "—"
    rounded = _round_half_up(pct, 1)
    return f"{abs(rounded) if rounded == 0 else rounded}%"

"""The column types a ledger spec may name, each said once: how a cell of it is read, what a default must be, its
Arrow type in a file's result and its pandas type in the ledger's table, and how the folder guide (README) says
what it accepts. A new type is one more class in TYPES; the rest of the code asks the column's type, never
compares its name.

Imported by spec.py, which `analysis clean` with nothing changed needs: pandas and pyarrow are imported inside the
methods that use them (0.4 s), not here.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from analysis.ingest import normalize as nz

# The reasons of a date or year rejected only for being later than the day of the clean: a result with one holds
# only until that day comes (FileResult.valid_until).
LATER_THAN_TODAY = {"date": "日期在今天之后，可能写错了年份", "year": "年份在今年之后，可能写错了"}

Parser = Callable[[object], tuple]  # one distinct non-blank raw value → (value, reason)


class ColumnType:
    name: str
    arrow: str  # the pyarrow type (a factory's name) of the cleaned values in a file's result
    words: str  # what a value of it is, as a spec error names it
    period = False  # it places each row in time: a ledger has exactly one such column
    summable = False  # an indicator may sum it (catalogue)
    text = False  # free text: compared last when telling rows apart, never when comparing copies of a figure
    # Cell formats (read.Sheet.formats) under which a number in such a column shows as something it is not: 100% is no
    # count. Such cells are rejected with what they show.
    refused_formats: tuple = ()
    day = False  # a day: a date split into 年 | 月 | 日 columns is read as one

    def default_fits(self, col, value) -> bool:
        return isinstance(value, str)

    def parser(self, col, spec, year, title_years, today: dt.date) -> Parser:
        """The reader of one distinct raw value. `year` completes 3月5日 (an int, a normalize.Years, or None);
        `title_years` (a normalize.Years or None) are the years the sheet's title allows."""
        raise NotImplementedError

    def fell_to_catch_all(self, col, uniques, values, reasons) -> list[bool] | None:
        """For each distinct raw value, whether the column's catch-all took it in (None: the type has none)."""
        return None

    def later_than_today(self, raw, year: int | None) -> dt.date:
        """The day from which a value rejected as LATER_THAN_TODAY is no longer so (period types only)."""
        raise NotImplementedError

    def for_pandas(self, arrow_values):
        """The concatenated Arrow values as pandas should read them."""
        return arrow_values

    def year_month(self, values) -> tuple:
        """The lineage columns year and month of each row, from the period column (period types only)."""
        raise NotImplementedError

    def to_pandas(self, values, arrow_values, col, spec):
        """The ledger table's column from the cleaned values (pandas, and the same as Arrow)."""
        import pandas as pd

        return values.astype("str").where(values.notna(), pd.NA) if len(values) else values.astype("str")

    def shown(self, value) -> str:
        """A default as the folder guide shows it."""
        return value

    def accepts(self, col, spec) -> str:
        """What the column accepts, in a sentence (README's folder guide)."""
        raise NotImplementedError


class Date(ColumnType):
    name, arrow, words, period, day = "date", "date32", "日期", True, True

    def default_fits(self, col, value) -> bool:
        return isinstance(value, dt.date)

    def parser(self, col, spec, year, title_years, today):
        earliest = spec.common.earliest_date

        def date(v):
            d, reason = nz.parse_date(v, year)
            if reason:
                return None, reason
            if d < earliest:
                return None, f"日期早于{earliest.year}年，可能写错了年份"
            if d > today:
                return None, LATER_THAN_TODAY["date"]
            if title_years is not None and not title_years.allows(d.year):
                return None, f"日期年份与表格标题中的{title_years}不符"
            return d, None
        return date

    def later_than_today(self, raw, year):
        return nz.parse_date(raw, year)[0]

    def for_pandas(self, arrow_values):
        import pyarrow as pa

        return arrow_values.cast(pa.timestamp("s"))  # datetime64 in pandas; stored as a DATE in Parquet

    def year_month(self, values) -> tuple:
        return values.dt.year.astype("int64"), values.dt.month.astype("int64")

    def to_pandas(self, values, arrow_values, col, spec):
        return values

    def accepts(self, col, spec):
        return ("日期：Excel 日期、2024-3-5、2024/3/5、2024.3.5、2024年3月5日、20240305；带时间的（2024-3-5 14:30、"
                "2024/3/1 9:30、2024年3月5日14时30分）只取日期；只写 3月5日 时，年份取自标题、工作表名或文件名")


class Year(ColumnType):
    name, arrow, words, period = "year", "int64", "年份", True

    def default_fits(self, col, value) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    def parser(self, col, spec, year, title_years, today):
        earliest = spec.common.earliest_date.year

        def year_of(v):
            y, reason = nz.parse_year(v)
            if reason:
                return None, reason
            if y < earliest:
                return None, f"年份早于{earliest}年，可能写错了"
            if y > today.year:
                return None, LATER_THAN_TODAY["year"]
            if title_years is not None and not title_years.allows(y):
                return None, f"年份与表格标题中的{title_years}不符"
            return y, None
        return year_of

    def later_than_today(self, raw, year):
        return dt.date(nz.parse_year(raw)[0], 1, 1)

    def year_month(self, values) -> tuple:
        import pandas as pd

        return values, pd.Series(0, index=values.index, dtype="int64")  # month 0: the whole year

    def to_pandas(self, values, arrow_values, col, spec):
        return values.astype("int64")

    def accepts(self, col, spec):
        return "年份：2024、2024年、2024年度（每年填报一次的台账按年份而不是日期记录）"


class Subdistrict(ColumnType):
    name, arrow, words = "subdistrict", "string", "文字"

    def parser(self, col, spec, year, title_years, today):
        common = spec.common
        return lambda v: nz.parse_subdistrict(v, common.subdistrict_lookup, common.subdistricts)

    def to_pandas(self, values, arrow_values, col, spec):
        return _categorical(arrow_values, list(spec.common.subdistricts))

    def accepts(self, col, spec):
        names = spec.common.subdistricts
        return f"{'、'.join(names)}；简称（如“{names[0].removesuffix('街道')}”）和“办事处”等写法都认"


class Category(ColumnType):
    name, arrow, words = "category", "string", "本列的一个类别"

    def default_fits(self, col, value) -> bool:
        return value in col.values or value == col.other

    def parser(self, col, spec, year, title_years, today):
        lookup = _variants(col)
        return lambda v: nz.parse_category(v, lookup, col.label, col.categories, col.other)

    def fell_to_catch_all(self, col, uniques, values, reasons):
        if col.other is None:
            return None
        lookup = _variants(col)  # a value spelled as the catch-all itself (其他, 其它) is no decision
        return [r is None and v == col.other and nz.value_key(nz.cell_text(u)) not in lookup
                for u, v, r in zip(uniques, values, reasons)]

    def to_pandas(self, values, arrow_values, col, spec):
        return _categorical(arrow_values, list(col.categories))

    def accepts(self, col, spec):
        rest = f"；其他写法记为“{col.other}”" if col.other else "；其他写法剔除并说明"
        return "；".join(_spellings(col, bare_when_alone=True)) + rest


class Text(ColumnType):
    name, arrow, words, text = "text", "string", "文字", True

    def parser(self, col, spec, year, title_years, today):
        lookup = _variants(col)
        clean = nz.clean_text
        if col.persons:  # a private person named where an organisation or a note is expected: ［个人］ (persons.py)
            from analysis.ingest import persons

            mask = persons.mask_person if col.persons == "whole" else persons.mask_people_in_note

            def clean(v):
                return mask(nz.clean_text(v)[0])[0], None
        if not lookup:  # free text with no variants to map (names, places): nearly every value is new
            return clean
        return lambda v: (lookup[k], None) if (k := nz.value_key(nz.cell_text(v))) in lookup else clean(v)

    def accepts(self, col, spec):
        return "文字；" + "；".join(_spellings(col, bare_when_alone=False)) if col.values else "文字"


class Number(ColumnType):
    name, arrow, words, summable = "number", "float64", "数字", True
    refused_formats = ("percent",)  # a quantity (85.5 平方米) may carry a currency format, never a percent sign
    example = "数字，如 85.5、85.5平方米、120㎡、约120、1,050"

    def default_fits(self, col, value) -> bool:
        return isinstance(value, (int, float)) and not isinstance(value, bool)

    def parser(self, col, spec, year, title_years, today):
        common = spec.common

        def number(v):
            x, reason = nz.parse_number(v, common.number_prefixes, common.number_suffixes, common.number_units)
            if reason:
                return None, f"{col.label}：{reason}"
            x, reason = self.exact(x, col)
            if reason:
                return None, reason
            if col.min is not None and x < col.min:
                return None, f"{col.label}不能小于{col.min:g}"
            if col.min_exclusive is not None and x <= col.min_exclusive:
                return None, f"{col.label}应大于{col.min_exclusive:g}"
            if col.max is not None and x > col.max:
                return None, f"{col.label}为{nz.cell_text(float(x))}，超过合理上限{col.max:g}（上限及理由见台账规格文件）"
            return x, None
        return number

    def exact(self, x: float, col) -> tuple:
        return x, None

    def to_pandas(self, values, arrow_values, col, spec):
        return values.astype("float64")

    def accepts(self, col, spec):
        return self.example + (f"，大于 {col.min_exclusive:g}" if col.min_exclusive is not None else "")


class Count(Number):
    name, arrow, words = "count", "int64", "整数"
    refused_formats = ("percent", "currency")
    example = "整数，如 12、12处、１２、约12、12余、三处、十二处"

    def default_fits(self, col, value) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    def exact(self, x: float, col) -> tuple:
        return (int(x), None) if x.is_integer() else (None, f"{col.label}应为整数")

    def to_pandas(self, values, arrow_values, col, spec):
        return values.astype("int64")

    def accepts(self, col, spec):
        return self.example + (f"，不小于 {col.min:g}" if col.min is not None else "")


class Flag(ColumnType):
    name, arrow, words = "flag", "bool_", "true 或 false"

    def default_fits(self, col, value) -> bool:
        return isinstance(value, bool)

    def parser(self, col, spec, year, title_years, today):
        common = spec.common
        return lambda v: nz.parse_flag(v, common.flag_true, common.flag_false)

    def to_pandas(self, values, arrow_values, col, spec):
        nullable = col.default is None or col.only_when
        return values.astype("boolean") if nullable else values.astype(bool)

    def accepts(self, col, spec):
        return "是/否：是、√、有、已整改、1 表示“是”；否、×、无、未整改、0 表示“否”"

    def shown(self, value) -> str:
        return {True: "是", False: "否"}.get(value, value)


TYPES: dict[str, ColumnType] = {t.name: t for t in (Date(), Year(), Subdistrict(), Text(), Category(), Count(),
                                                     Number(), Flag())}


def _variants(col) -> dict:
    return {nz.value_key(x): canon for canon, variants in col.values.items() for x in (canon, *variants)}


def _spellings(col, bare_when_alone: bool) -> list[str]:
    """Each canonical value with the other spellings it is read from."""
    return [canon if bare_when_alone and not set(variants) - {canon}
            else f"{canon}（也认：{'、'.join(v for v in variants if v != canon)}）"
            for canon, variants in col.values.items()]


def _categorical(values, categories: list):
    """pd.Categorical(values, categories): a value outside the categories (or missing) is missing. The codes are
    looked up by Arrow (pandas would first turn a million strings into Python objects)."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    codes = pc.index_in(values, value_set=pa.array(categories, type=pa.string())).fill_null(-1)
    return pd.Categorical.from_codes(codes.to_numpy(), categories=categories)

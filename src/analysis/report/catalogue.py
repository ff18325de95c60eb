"""The indicator catalogue (indicators.csv): what each figure of the briefing is, checked against the ledger specs.

One row per indicator:

  key          identifier (results are indexed by it)
  label        the indicator's Chinese name, as the report names the thing
  unit         处 / 家 / 个 / 次 / 平方米
  ledger       which processed table it is computed from (a ledger with a spec file)
  measure      `count` (rows), `sum:<column>`, `nunique:<column>` (distinct non-empty values)
  filter       optional condition on the rows, in the grammar below
  definition   the same in words, for the briefing's data note (Chinese)
  style        how the report writes the figure: exact | 余 | 余10 | 余100 | 余1000 | 约   (see `number_words.format_figure`)
  phrase       the sentence body, with {value} (the written figure) and {unit}
  report_phrase  its form in the yearly report paragraph; empty = not in the paragraph
  report_sep   the separator put before it in the paragraph: ， (default) 、 or 。
  order        position in tables and in the paragraph
  breakdowns   space-separated columns the briefing breaks it down by (`month` is always possible)
  card         是: one of the key figures shown as a card on the briefing's first screen

Filter grammar (parsed, never evaluated as Python):

  filter := clause ( "&" clause )*
  clause := COLUMN                  the flag column is true
          | "!" COLUMN              the flag column is false
          | COLUMN OP VALUE         OP is one of  ==  !=  >  >=  <  <=
          | COLUMN "in" VALUE ( "|" VALUE )*
  COLUMN is an ASCII identifier; VALUE is the trimmed text up to the next "&" (no quotes),
  read as a number when the column is numeric. A row whose column is empty (NA) satisfies no
  clause, so `!rectified` does not count rows where rectified is NA.

When the catalogue is loaded, every row is checked against the specs: its ledger must have a spec, every column
it names must be one of that ledger's columns (or year, month), a flag clause must name a flag column, and a
value compared with a category column must be one of its categories. A typo is an error naming the row and the
names there are, never a silent "暂无…数据".
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from analysis.ingest.spec import LedgerSpec, ledger_names, load_spec
from analysis.paths import CATALOGUE_PATH, LEDGER_SPEC_DIR

STYLES = ("exact", "余", "余10", "余100", "余1000", "约")
REPORT_SEPARATORS = ("", "，", "、", "。")
REQUIRED_COLUMNS = ("key", "label", "unit", "ledger", "measure", "style", "phrase", "order")
OPTIONAL_COLUMNS = ("filter", "definition", "report_phrase", "report_sep", "breakdowns", "card")
CARD_MARKS = ("", "是")

_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
_FLAG_CLAUSE = re.compile(rf"(!?)\s*({_IDENT})")
_VALUE = r"[^\s=<>!&|][^=<>!&|]*"
_COMPARE_CLAUSE = re.compile(rf"({_IDENT})\s*(==|!=|>=|<=|>|<)\s*({_VALUE})")
_IN_CLAUSE = re.compile(rf"({_IDENT})\s+in\s+({_VALUE}(?:\|\s*{_VALUE})*)")
_MEASURE = re.compile(rf"(count)|(sum|nunique):({_IDENT})")


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
            raise ValueError(f"无法识别的筛选条件：{part!r}（语法见 analysis.report.catalogue 的说明）")
    return clauses


# ---------------------------------------------------------------- catalogue

# Columns every processed table has besides its spec's, that an indicator may name.
PERIOD_COLUMNS = ("year", "month")


def load_catalogue(path: Path | str = CATALOGUE_PATH, spec_dir: Path = LEDGER_SPEC_DIR) -> pd.DataFrame:
    """The indicator catalogue, checked against the ledger specs in spec_dir, sorted by `order`, indexed by `key`."""
    path = Path(path)
    catalogue = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = [c for c in REQUIRED_COLUMNS if c not in catalogue.columns]
    if missing:
        raise ValueError(f"指标目录 {path.name} 缺少列：{'、'.join(missing)}")
    catalogue = catalogue.apply(lambda c: c.str.strip())
    for column in OPTIONAL_COLUMNS:
        if column not in catalogue.columns:
            catalogue[column] = ""
    specs = {name: load_spec(name, spec_dir) for name in ledger_names(spec_dir)}
    listed = set(catalogue["ledger"])
    defaults = [record_count_indicator(spec) for name, spec in specs.items() if name not in listed]
    if defaults:
        catalogue = pd.concat([catalogue, pd.DataFrame(defaults, columns=catalogue.columns).fillna("")],
                              ignore_index=True)
    validate_catalogue(catalogue, specs, path.name)
    catalogue["order"] = pd.to_numeric(catalogue["order"]).astype("int64")
    return catalogue.sort_values("order", kind="stable").set_index("key")


def record_count_indicator(spec: LedgerSpec) -> dict:
    """The indicator of a ledger that indicators.csv does not list yet (one added by its spec file alone): its
    number of records, saying so in its definition, so that the ledger has a page and a figure from the first day."""
    by = " ".join(c.name for c in spec.columns if c.type == "subdistrict")
    return {"key": f"{spec.ledger}_records", "label": f"{spec.topic}记录", "unit": "条", "ledger": spec.ledger,
            "measure": "count", "filter": "", "style": "exact", "phrase": f"{spec.topic}记录{{value}}{{unit}}",
            "definition": f"{spec.label}的记录条数（指标目录 indicators.csv 中还没有这个台账的指标，暂按记录条数统计；"
                          "在 indicators.csv 中加一行即可改为正式指标）",
            "report_phrase": "", "report_sep": "，", "order": str(9000 + spec.order), "breakdowns": f"month {by}".strip(),
            "card": ""}


def validate_catalogue(catalogue: pd.DataFrame, specs: dict[str, LedgerSpec], file_name: str = "indicators.csv") -> None:
    """Raise ValueError (in Chinese, naming the file, the row and the indicator) on the first bad row."""
    duplicated = catalogue["key"][catalogue["key"].duplicated()]
    if not duplicated.empty:
        raise ValueError(f"指标目录 {file_name} 中 key 重复：{'、'.join(duplicated)}")
    for line, row in enumerate(catalogue.itertuples(index=False), start=2):  # line 1 is the header
        try:
            if not re.fullmatch(_IDENT, row.key):
                raise ValueError("key 应为英文标识符")
            if not (row.label and row.unit and row.ledger):
                raise ValueError("label、unit、ledger 不能为空")
            if row.style not in STYLES:
                raise ValueError(f"style 应为 {' / '.join(STYLES)}，而不是 {row.style!r}")
            if row.report_sep not in REPORT_SEPARATORS:
                raise ValueError(f"report_sep 应为 ，、。之一，而不是 {row.report_sep!r}")
            if row.card not in CARD_MARKS:
                raise ValueError(f"card 应为“是”或空白，而不是 {row.card!r}")
            if not re.fullmatch(r"-?\d+", row.order):
                raise ValueError(f"order 应为整数，而不是 {row.order!r}")
            for template in filter(None, (row.phrase, row.report_phrase)):
                if "{value}" not in template:
                    raise ValueError(f"语句模板缺少 {{value}}：{template!r}")
                template.format(value="", unit="")
            if not all(re.fullmatch(_IDENT, b) for b in row.breakdowns.split()):
                raise ValueError(f"breakdowns 应为以空格分隔的列名：{row.breakdowns!r}")
            _check_against_spec(row, specs)
        except (ValueError, KeyError, IndexError) as error:
            raise ValueError(f"指标目录 {file_name} 第 {line} 行（{row.key}）：{error}") from None


def _check_against_spec(row, specs: dict[str, LedgerSpec]) -> None:
    """Every name the row uses exists: its ledger, the columns of its measure, filter and breakdowns, and the
    values it compares a category column with."""
    if row.ledger not in specs:
        raise ValueError(f"台账“{row.ledger}”没有规格文件（已有：{'、'.join(specs)}）")
    spec = specs[row.ledger]
    known = [c.name for c in spec.columns] + list(PERIOD_COLUMNS)

    def column(name: str, where: str):
        if name not in known:
            raise ValueError(f"{where}中的列“{name}”不在台账 {row.ledger} 中（可用：{'、'.join(known)}）")
        return spec.column(name) if name not in PERIOD_COLUMNS else None

    _, measured = parse_measure(row.measure)
    if measured is not None:
        col = column(measured, "计算方式")
        if row.measure.startswith("sum:") and (col is None or not col.kind.summable):
            raise ValueError(f"计算方式 {row.measure} 要求数值列，而“{measured}”不是")
    for name, op, values in parse_filter(row.filter):
        col = column(name, "筛选条件")
        kind = "number" if col is None else col.type
        if op in ("true", "false"):
            if kind != "flag":
                raise ValueError(f"筛选条件“{'!' if op == 'false' else ''}{name}”只能用于是/否列，而“{name}”不是")
            continue
        if kind in ("count", "number"):
            for v in values:
                try:
                    float(v)
                except ValueError:
                    raise ValueError(f"筛选条件中“{name}”是数值列，“{v}”不是数字") from None
        elif kind == "category":
            allowed = col.categories + ([col.other] if col.other and col.other not in col.categories else [])
            for v in values:
                if v not in allowed:
                    raise ValueError(f"筛选条件中“{v}”不是“{col.label}”的类别（可选：{'、'.join(allowed)}）")
        elif kind == "subdistrict":
            for v in values:
                if v not in spec.common.subdistricts:
                    raise ValueError(f"筛选条件中“{v}”不是街道名（可选：{'、'.join(spec.common.subdistricts)}）")
    for name in row.breakdowns.split():
        column(name, "breakdowns ")

"""Any ledger from its spec alone: the demo's rows, files and deliberate mistakes for a ledger that has no
hand-written plan (a ledger added by YAML gets demo data, a page and golden coverage with no Python).

Records come from the columns' types: dates spread over the months of the year (`_calendar`), the sub-districts
of common.yaml, the categories of the spec's values, counts and numbers within its min/max (and `at_most`),
flags (and `only_when`), free text from small word lists, one row per key where the spec has `unique_by`. How
many and in what proportions is data: the optional `demo:` block of the ledger's spec file, else the `generic:`
defaults of targets.yaml (which documents the block).

Files are written in the forms the spec accepts: each year in another layout (a workbook of month sheets, a
workbook a quarter under a two-row header, a file a month with one CSV), with header spellings the spec lists,
the variants of its values, dates and numbers as offices write them, 合计 rows, footers, hidden sheets and
personal-data columns, into data/raw/<ledger>/…. Every cell is read back with the column's own parser before it
is written: a spelling that would not give the record's value is replaced by the canonical one. One row a year
is deliberately broken (its date or year unreadable) and must end in rejects.
"""
from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from analysis.demo.plans import (
    FOOTER_NOTE,
    FOOTER_ONE_CELL,
    FOOTER_SIGNED,
    Col,
    FilePlan,
    SheetPlan,
    _footer_full,
    _hidden_draft,
    _hidden_template,
    _style,
)
from analysis.demo.records import (
    PLACES,
    ROADS,
    SQUADS,
    SUB_ROADS,
    TARGETS,
    _calendar,
    _location,
    _shop_name,
    _unique_names,
    rng_for,
)
from analysis.demo.render import SUB_SUFFIX, _area_text, _count_cell, _date_cell, _Renderer
from analysis.ingest.spec import Column, LedgerSpec

GENERIC = TARGETS["generic"]
BLOCK_KEYS = ("years", "months", "subdistricts", "weights", "words", "ranges")
YEAR_KEYS = ("rows", "totals", "counts")
# Columns the layouts add beside the spec's own (row numbers, remarks, personal data the clean drops).
EXTRAS = {"seq": "序号", "remark": "备注", "person": "当事人", "phone": "联系电话"}
MADE = ("date", "year", "subdistrict", "category", "text", "count", "number", "flag")  # the types made here
FREE = object()  # a text column's free text, beside its canonical values
UNREAD = object()  # a cell the column's parser rejects
FILE_CHARS = str.maketrans({c: "_" for c in '/\\:*?"<>|'})
# The deliberately broken rows: (family, value written in the period column); "{y}" is the year.
BAD_DATES = {0: "待定", 1: "{y}-02-30", 2: "{y}-13-45"}
BAD_YEAR = "待定"
DATE_FORMS = {1: "md", 2: "cn", 3: "compact_text", 4: "dot", 5: "iso", 6: "compact_num", 7: "serial", 8: "md",
              9: "date", 10: "slash", 11: "cn", 12: "date"}


def demo_block(spec: LedgerSpec, spec_dir: Path) -> dict:
    """The `demo:` block of the ledger's spec file ({} without one), checked: ValueError in Chinese."""
    path = Path(spec_dir) / f"{spec.ledger}.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    block = raw.get("demo") or {}
    where = f"{path.name} 的 demo"
    if not isinstance(block, dict):
        raise ValueError(f"{where} 应为若干“键: 值”（可用的键：{'、'.join(BLOCK_KEYS)}）")
    unknown = [k for k in block if k not in BLOCK_KEYS]
    if unknown:
        raise ValueError(f"{where} 中的“{'、'.join(map(str, unknown))}”不认识（可用的键：{'、'.join(BLOCK_KEYS)}）")
    names = {c.name: c for c in spec.columns}
    for year, t in (block.get("years") or {}).items():
        if not isinstance(year, int) or not isinstance(t, dict) or any(k not in YEAR_KEYS for k in t):
            raise ValueError(f"{where}.years 应为“年份: {{rows: 记录数, totals: …, counts: …}}”，“{year}”一项不对")
        for key in ("totals", "counts"):
            for name in t.get(key) or {}:
                col = names.get(name)
                fits = col is not None and (col.type in ("count", "number") if key == "totals"
                                            else col.type in ("category", "flag") or (col.type == "text" and col.values))
                if not fits:
                    raise ValueError(f"{where}.years.{year}.{key} 中的“{name}”不是本台账{'数字' if key == 'totals' else '分类或是否'}列")
        for name, counts in (t.get("counts") or {}).items():
            col = names[name]
            if col.type == "flag" and not isinstance(counts, int):
                raise ValueError(f"{where}.years.{year}.counts.{name} 应为“是”的行数（一个整数）")
            if col.type != "flag":
                stray = [v for v in counts if str(v) not in col.values]
                if stray:
                    raise ValueError(f"{where}.years.{year}.counts.{name} 中的“{stray[0]}”不是这一列的类别")
    for name in list(block.get("weights") or {}) + list(block.get("words") or {}) + list(block.get("ranges") or {}):
        if name not in names:
            raise ValueError(f"{where} 中的列“{name}”不在 columns 中")
    for name, span in (block.get("ranges") or {}).items():
        if names[name].type not in ("count", "number") or not (
                isinstance(span, list) and len(span) == 2 and all(isinstance(x, (int, float)) for x in span)
                and span[0] <= span[1]):
            raise ValueError(f"{where}.ranges.{name} 应为数字列的 [下限, 上限]")
    months = block.get("months")
    if months is not None and (len(months) != 12 or any(not isinstance(m, (int, float)) or m < 0 for m in months)):
        raise ValueError(f"{where}.months 应为 1—12 月的 12 个权重")
    stray = [s for s in block.get("subdistricts") or {} if s not in spec.common.subdistricts]
    if stray:
        raise ValueError(f"{where}.subdistricts 中的“{stray[0]}”不是 common.yaml 中的街道")
    return block


@dataclass
class YearTarget:
    rows: int
    totals: dict = field(default_factory=dict)  # column -> the year's sum (count or number)
    counts: dict = field(default_factory=dict)  # column -> {category: rows}, or a flag's rows of 是
    exact: bool = True  # the figures as given (a ValueError if they cannot be met), not scaled ones


class SpecLedger:
    """One ledger's demo from its spec: records(year) and files(year, records)."""

    def __init__(self, spec: LedgerSpec, spec_dir: Path, seed: int, scale: float):
        self.spec, self.seed, self.scale = spec, seed, scale
        self.ledger = spec.ledger
        block = demo_block(spec, spec_dir)
        self.common = spec.common
        self.subs = list(self.common.subdistricts)
        self.sub_index = {s: i for i, s in enumerate(self.subs)}
        self.sub_weights = [(block.get("subdistricts") or {}).get(s, 1.0) for s in self.subs]
        self.months = tuple(block.get("months") or GENERIC["months"])
        self.weights = block.get("weights") or {}
        self.words = block.get("words") or {}
        self.ranges = block.get("ranges") or {}
        self.years = {int(y): t for y, t in (block.get("years") or {}).items()}
        self.columns = {c.name: c for c in spec.columns}
        self.period = spec.period_column
        self.yearly = self.period.type == "year"
        self.sub_col = next((c for c in spec.columns if c.type == "subdistrict"), None)
        self.extras = {k: h for k, h in EXTRAS.items()
                       if k not in self.columns and spec.match_header(h) in ("ignored", "personal")}
        self._reads: dict = {}
        self._parsers: dict = {}
        self._pools: dict = {}

    # ------------------------------------------------------------------ targets

    def _default_rows(self, year: int) -> int:
        if self.yearly:  # one row per item of a ledger filled once a year
            first = next((c for c in self.spec.columns if c.required and c.type == "category"), None)
            return len(first.values) if first is not None else 12
        given = {int(y): t["rows"] for y, t in GENERIC["years"].items()}
        last = max(given)
        base, f = (given[year], 1.0) if year in given else (given[last], 1.05 ** (year - last))
        return max(1, int(round(base * f * self.scale)))

    def target(self, year: int) -> YearTarget:
        """The year's rows, sums and counts, scaled; a year without targets grows 5 % a year from the last. The
        figures of a year as given (scale 1) must fit together (ValueError); scaled ones are made to."""
        if not self.years:
            return YearTarget(self._default_rows(year))
        last = max(self.years)
        base, f = (self.years[year], self.scale) if year in self.years else (
            self.years[last], self.scale * 1.05 ** (year - last))
        exact = f == 1.0

        def n(x, minimum=0):
            return max(minimum, int(round(x * f)))

        totals = {c: (n(v) if self.columns[c].type == "count" else round(v * f, 1))
                  for c, v in (base.get("totals") or {}).items()}
        counts = {c: (n(v) if isinstance(v, int) else {str(k): n(x) for k, x in v.items()})
                  for c, v in (base.get("counts") or {}).items()}
        rows = n(base["rows"], 1) if base.get("rows") else None
        full_rows, at_least = None, 0
        for c, v in counts.items():
            col = self.columns[c]
            listed = v if isinstance(v, int) else sum(v.values())
            full = not isinstance(v, int) and col.type == "category" and set(v) >= set(col.values)
            if exact and rows is not None and full and rows != listed:
                raise ValueError(f"{self.ledger}.yaml 的 demo：{year}年 {c} 列各类别的行数之和（{listed}）"
                                 f"与 rows（{rows}）不符")
            if exact and rows is not None and listed > rows:
                raise ValueError(f"{self.ledger}.yaml 的 demo：{year}年 {c} 列所列行数（{listed}）多于 rows（{rows}）")
            if full:
                full_rows = listed
            elif col.type != "flag":
                at_least = max(at_least, listed)
        if rows is None or not exact:
            rows = full_rows if full_rows is not None else max(rows or self._default_rows(year), at_least)
        return YearTarget(max(1, rows), totals, counts, exact)

    # ------------------------------------------------------------------ records

    def records(self, year: int) -> list:
        """The year's rows: {column name: canonical value} (as the clean gives them back)."""
        t = self.target(year)
        rng = rng_for(self.seed, self.ledger, year)
        rows = [{} for _ in range(t.rows)]
        if self.yearly:
            for r in rows:
                r[self.period.name] = year
        else:
            days, cum = _calendar(year, self.months)
            for r, d in zip(rows, sorted(rng.choices(days, cum_weights=cum, k=t.rows))):
                r[self.period.name] = d
        for col in self._fill_order():
            self._fill(col, rows, rng, t, year)
        rows = self._one_per_key(rows, rng, t, year)
        sub = self.sub_col.name if self.sub_col else None
        rows.sort(key=lambda r: (r[self.period.name], self.sub_index.get(r.get(sub), -1) if sub else 0))
        return rows

    def _fill_order(self) -> list:
        rank = {"subdistrict": 0, "category": 1, "text": 2, "count": 3, "number": 3, "flag": 5}
        cols = [c for c in self.spec.columns if c is not self.period]
        return sorted(cols, key=lambda c: rank.get(c.type, 4) + (1 if c.at_most else 0))

    def _fill(self, col: Column, rows: list, rng: random.Random, t: YearTarget, year: int) -> None:
        name = col.name
        if col.type not in MADE:  # a column type added to column_types.py that the demo does not know yet
            if col.required:
                raise ValueError(f"{self.ledger}.yaml：示例数据还不会生成类型为“{col.type}”的必填列 {name}"
                                 "（在 analysis/demo/generic.py 中加上这种类型）")
            for r in rows:
                r[name] = None  # left blank
        elif col.type in ("count", "number"):
            self._fill_numbers(col, rows, rng, t)
        elif col.type == "flag":
            self._fill_flags(col, rows, rng, t)
        elif name in t.counts:  # exactly so many rows of each value listed, the rest drawn from the others
            listed = t.counts[name]
            choices, weights = self._choices(col, exclude=set(listed))
            rest = len(rows) - sum(listed.values())
            if rest and not choices:
                raise ValueError(f"{self.ledger}.yaml 的 demo：{year}年 {name} 列所列类别的行数少于记录数，又没有别的类别可填")
            values = [v for v, k in listed.items() for _ in range(k)] + (rng.choices(choices, weights, k=rest) if rest else [])
            rng.shuffle(values)
            for r, v in zip(rows, values):
                r[name] = self._text(col, rng, r) if v is FREE else v
        elif col.type == "category" and name in self.spec.unique_by:
            values = list(col.values)  # a key: every value once before any twice
            cycle = []
            while len(cycle) < len(rows):
                batch = values[:]
                rng.shuffle(batch)
                cycle += batch
            for r, v in zip(rows, cycle):
                r[name] = v
        else:
            choices, weights = self._choices(col)
            for r in rows:
                r[name] = self._draw(col, rng, r, choices, weights)

    def _choices(self, col: Column, exclude=frozenset()):
        """(values, weights) a category, sub-district or text column draws from."""
        if col.type == "subdistrict":
            return self.subs, self.sub_weights
        if col.type not in ("category", "text") or (col.type == "text" and not col.values):
            return [], []
        given = {str(k): v for k, v in (self.weights.get(col.name) or {}).items()}
        jitter = rng_for(self.seed, self.ledger, "weights", col.name)
        values = [v for v in col.values if v not in exclude]
        weights = [float(given.get(v, 1.0 if given else jitter.uniform(0.4, 1.6))) for v in values]
        if col.type == "text":  # free text beside the canonical values, as often as all of them together
            values.append(FREE)
            weights.append(sum(weights) or 1.0)
        return values, weights

    def _draw(self, col: Column, rng: random.Random, row: dict, choices=None, weights=None):
        if choices is None:
            choices, weights = self._choices(col)
        if not col.required and col.default is None and rng.random() < 0.03:
            return None  # left blank
        return self._value(col, rng, row, choices, weights)

    def _value(self, col: Column, rng: random.Random, row: dict, choices, weights):
        v = rng.choices(choices, weights)[0] if choices else FREE
        if v is FREE:
            v = self._text(col, rng, row)
        return v

    def _sub_of(self, row: dict, rng: random.Random) -> str:
        sub = row.get(self.sub_col.name) if self.sub_col else None
        return sub if sub is not None else rng.choice(self.subs)

    def _text(self, col: Column, rng: random.Random, row: dict) -> str:
        """Free text as offices write it, from a pool per column (and sub-district) so that values recur."""
        words = self.words.get(col.name)
        kind = words if words else self._text_kind(col)
        if isinstance(kind, list):
            return self._clean(col, str(rng.choice(kind)))
        sub = self._sub_of(row, rng)
        if kind == "squad":
            return SQUADS.get(sub) or f"{self.sub_index[sub] + 1}中队"
        pool = self._pool(col, kind, sub)
        return rng.choices(pool[0], cum_weights=pool[1])[0]

    def _text_kind(self, col: Column):
        texts = [col.label, *col.headers]
        for rule in GENERIC["text"]:
            if any(w in t for w in rule["words"] for t in texts):
                return rule["kind"]
        return list(GENERIC["phrases"])

    def _pool(self, col: Column, kind: str, sub: str):
        """The names or places of one column in one sub-district, with weights (a few recur often)."""
        key = (col.name, sub)
        if key not in self._pools:
            rng = rng_for(self.seed, self.ledger, "pool", col.name, sub)
            known = sub if sub in SUB_ROADS else None
            size = max(4, max(self.target(y).rows for y in (self.years or (2023,))) // 27)
            if kind == "location":
                def make(r):
                    return _location(r, known) if known else r.choice(ROADS) + r.choice(("北段", "南段", "东段", "西段"))
            else:
                def make(r):
                    return _shop_name(r, known) if r.random() < 0.8 else r.choice(PLACES) + r.choice(("店", "分店"))
            names = [n for n in (self._clean(col, x) for x in _unique_names(rng, lambda r: make(r) or "", size, {""}))
                     if n]
            acc, cum = 0.0, []
            for _ in names:
                acc += rng.paretovariate(1.4)
                cum.append(acc)
            self._pools[key] = (names, cum)
        return self._pools[key]

    def _bounds(self, col: Column) -> tuple:
        step = 1 if col.type == "count" else 0.1
        lo = col.min if col.min is not None else (0 if col.at_most or col.default == 0 else step)
        if col.min_exclusive is not None:
            lo = max(lo, col.min_exclusive + step)
        hi = col.max if col.max is not None else lo + (60 if col.type == "count" else 5000)
        if col.name in self.ranges:  # narrower than the spec allows (a typical value, not a plausible one)
            lo, hi = max(lo, self.ranges[col.name][0]), min(hi, self.ranges[col.name][1])
        if col.type == "count":
            lo, hi = math.ceil(lo), math.floor(hi)
        return lo, hi

    def _fill_numbers(self, col: Column, rows: list, rng: random.Random, t: YearTarget) -> None:
        name, lo, hi = col.name, *self._bounds(col)
        caps = [hi if not col.at_most or r.get(col.at_most) is None else min(hi, r[col.at_most]) for r in rows]
        if name in t.totals:
            tenths = 1 if col.type == "count" else 10
            total = int(round(t.totals[name] * tenths))
            lo_t = int(math.ceil(lo * tenths - 1e-9))
            caps_t = [max(lo_t, int(math.floor(c * tenths + 1e-9))) for c in caps]
            weights = [rng.lognormvariate(0, 0.6) for _ in rows]
            if not t.exact:  # scaled: kept within what the rows can hold
                total = min(max(total, lo_t * len(rows)), sum(caps_t))
            values = _spread_capped(rng, total, lo_t, caps_t, weights, f"{self.ledger}.yaml 的 demo：{name} 列的合计")
            for r, v in zip(rows, values):
                r[name] = v if tenths == 1 else v / tenths
            return
        zero_heavy = lo == 0 and col.default == 0 and name not in self.ranges  # mostly nothing found (发现隐患)
        for r, cap in zip(rows, caps):
            if name in self.ranges:
                v = rng.triangular(lo, hi)
                v = round(v) if col.type == "count" or rng.random() < 0.5 else v
            elif col.type == "count":
                if zero_heavy:
                    v = 0 if rng.random() < 0.7 else 1 + min(int(rng.expovariate(0.6)), 20)
                else:
                    v = lo + min(int(rng.expovariate(0.45)), 40)
            else:
                v = lo + rng.lognormvariate(math.log(25), 0.9)
                if rng.random() < 0.5:
                    v = float(math.ceil(v))
            r[name] = float(round(min(v, cap), 1)) if col.type == "number" else min(v, cap)

    def _fill_flags(self, col: Column, rows: list, rng: random.Random, t: YearTarget) -> None:
        name, when = col.name, col.only_when
        applies = [r for r in rows if not when or r.get(when["column"]) != when["not"]]
        for r in rows:
            r[name] = None if when else False
        if name in t.counts:
            k = min(t.counts[name], len(applies))
            chosen = {id(r) for r in rng.sample(applies, k)}
        else:
            share = self.weights.get(name, GENERIC["flag_share"])
            chosen = {id(r) for r in applies if rng.random() < share}
        for r in applies:
            r[name] = id(r) in chosen

    def _one_per_key(self, rows: list, rng: random.Random, t: YearTarget, year: int) -> list:
        """One row per key where the spec has unique_by: a repeated key is drawn again, or its row left out."""
        keys = self.spec.unique_by
        if not keys:
            return rows
        redraw = [self.columns[k] for k in keys if self.columns[k] is not self.period and k not in t.counts
                  and self.columns[k].type in ("subdistrict", "category", "text")]
        seen, out = set(), []
        for r in rows:
            key = tuple(r[k] for k in keys)
            for _ in range(30 if redraw else 0):
                if key not in seen:
                    break
                for col in redraw:
                    r[col.name] = self._draw(col, rng, r)
                key = tuple(r[k] for k in keys)
            if key not in seen:
                seen.add(key)
                out.append(r)
        return out

    # ------------------------------------------------------------------ reading back

    def reads_as(self, col: Column, raw, year: int):
        """What the clean makes of `raw` in this column (UNREAD when it rejects it)."""
        key = (col.name, year, raw.__class__, raw)
        if key in self._reads:
            return self._reads[key]
        if raw is None or (isinstance(raw, str) and ("".join(raw.split()) in self.common.blank_values
                                                     or not raw.strip())):
            value = col.default
        else:
            if (col.name, year) not in self._parsers:
                self._parsers[(col.name, year)] = col.kind.parser(col, self.spec, year, None, dt.date.max)
            value, reason = self._parsers[(col.name, year)](raw)
            value = UNREAD if reason else value
        self._reads[key] = value
        return value

    def _clean(self, col: Column, text: str):
        """Free text as the clean gives it back (trimmed, spaces collapsed)."""
        value = self.reads_as(col, text, 0)
        return None if value is UNREAD else value

    # ------------------------------------------------------------------ files

    def files(self, year: int, records: list, fam: int) -> tuple[list, int]:
        """The year's files (FilePlan) in layout family `fam`, and how many deliberately broken rows they hold."""
        label = self.spec.label.translate(FILE_CHARS)
        folder = self.ledger
        period = self.period.name
        if self.yearly:
            return self._yearly_files(year, records, fam, label, folder)
        months = {m: [r for r in records if r[period].month == m] for m in range(1, 13)}
        bad_month = max(range(1, 13), key=lambda m: (len(months[m]), -m))
        bad = {bad_month: [(period, BAD_DATES[fam].replace("{y}", str(year)))]} if records else {}
        summed = tuple(c.name for c in self.spec.columns if c.check_total and c.type in ("count", "number"))
        factory = self._renderer(year)
        title = f"解放区城市管理局{self.spec.label}（示例数据）"
        files = []
        if fam == 0:  # one workbook, a sheet a month, dates merged down their runs
            cols = self._cols(0, ("seq",), ("remark",))
            style = _style(date=(("date", 0.92), ("iso", 0.08)), sub=(("canon", 0.75), ("short", 0.15), ("ban", 0.1)),
                           sub_space=0.02, alias=0.3, count=(("int", 0.86), ("unit", 0.1), ("fw", 0.04)),
                           number=(("float", 0.8), ("str", 0.1), ("approx", 0.1)), default_blank=0.5)
            sheets = [SheetPlan(f"{m}月", months[m], cols, style, titles=(title, f"{year}年{m}月"), merge=(period,),
                                total=bool(summed) and m not in bad, bad=bad.get(m, []),
                                footers=_footer_full(year, m, len(cols)), blank_rate=0.004, renderer=factory,
                                summed=summed)
                      for m in range(1, 13)]
            sheets.append(_hidden_template(f"{self.spec.label}（模板）", [c.header for c in cols], year))
            files.append(FilePlan(f"{folder}/{year}年{label}（示例）.xlsx", sheets))
        elif fam == 1:  # a workbook a quarter under a two-row header, with personal data the clean drops
            cols = self._cols(1, ("seq",), ("person", "phone"))
            own = [c.key for c in cols if c.key in self.columns]
            groups = (("基本情况", tuple(own[:(len(own) + 1) // 2])), ("整治情况", tuple(own[(len(own) + 1) // 2:])))
            if any(self.spec.match_header(g) != "group" for g, _ in groups):
                groups = ()
            style = _style(date=(("slash", 0.5), ("serial", 0.3), ("dot", 0.2)),
                           sub=(("office", 0.4), ("canon", 0.3), ("short", 0.2), ("full", 0.1)), sub_space=0.05,
                           alias=0.45, count=(("int", 0.7), ("unit", 0.2), ("str", 0.1)),
                           number=(("float", 0.6), ("str", 0.2), ("comma", 0.1), ("fw", 0.1)),
                           flag_true=(("是", 0.6), ("√", 0.4)), flag_false=(("否", 0.6), ("×", 0.4)), default_blank=0.3,
                           text_space=0.01)
            for q in range(1, 5):
                qmonths = range(3 * q - 2, 3 * q + 1)
                recs = [r for m in qmonths for r in months[m]]
                qbad = [b for m in qmonths for b in bad.get(m, [])]
                sheets = [SheetPlan("台账", recs, cols, style, titles=(title, f"（{year}年第{q}季度）"), groups=groups,
                                    merge=(period,) + ((self.sub_col.name,) if self.sub_col else ()),
                                    total=bool(summed) and not qbad, bad=qbad, footers=FOOTER_NOTE, blank_rate=0.01,
                                    renderer=factory, summed=summed)]
                if q == 3:
                    sheets.append(_hidden_draft(year))
                files.append(FilePlan(f"{folder}/{year}/{year}年第{q}季度{label}.xlsx", sheets))
        else:  # a file a month, each month's dates in another form, May as a CSV file
            for m in range(1, 13):
                cols = self._cols(2, ("seq",), ()) if m <= 6 else self._cols(2, (), ("person", "phone"))
                main = DATE_FORMS[m]
                style = _style(date=((main, 0.9), ("iso" if main != "iso" else "slash", 0.1)),
                               sub=(("canon", 0.45), ("short", 0.25), ("office", 0.1), ("full", 0.1), ("ban", 0.1)),
                               sub_space=0.04, alias=0.4,
                               count=(("int", 0.66), ("unit", 0.15), ("fw", 0.1), ("str", 0.06), ("cn", 0.03)),
                               number=(("float", 0.5), ("str", 0.2), ("approx", 0.1), ("unit", 0.1), ("fw", 0.1)),
                               flag_true=(("是", 0.5), ("√", 0.3), ("✓", 0.2)), flag_false=(("否", 0.6), ("×", 0.4)),
                               default_blank=0.6, text_space=0.01)
                csv_enc = "utf-8-sig" if m == 5 else None
                sheet = SheetPlan(f"{m}月", months[m], cols, style, titles=(f"{title}{year}年{m}月",),
                                  merge=() if csv_enc else ((period,) if m % 3 else ()),
                                  total=bool(summed) and m not in bad and m % 4 != 0, bad=bad.get(m, []),
                                  footers=FOOTER_ONE_CELL if m % 2 else _footer_full(year, m, len(cols)),
                                  blank_rate=0.006 if m in (3, 8, 11) else 0.0, renderer=factory, summed=summed)
                stem = f"{folder}/{year}/{year}年{m}月{label}"
                files.append(FilePlan(stem + (".csv" if csv_enc else ".xlsx"), [sheet], encoding=csv_enc))
        return files, sum(len(b) for b in bad.values())

    def _yearly_files(self, year: int, records: list, fam: int, label: str, folder: str) -> tuple[list, int]:
        bad = [(self.period.name, BAD_YEAR)] if records else []
        factory = self._renderer(year)
        if fam == 0:
            cols = self._cols(0, ("seq",), ())
            style = _style(year=(("int", 1.0),), alias=0.3)
            sheet = SheetPlan("年度数据", records, cols, style, titles=(f"解放区城市管理局{year}年度{self.spec.label}（示例数据）",),
                              total=False, bad=bad, footers=_footer_full(year, 12, len(cols)), renderer=factory)
            return [FilePlan(f"{folder}/{year}年{label}（示例）.xlsx", [sheet])], len(bad)
        if fam == 1:
            cols = self._cols(1, (), ())
            style = _style(year=(("year_word", 1.0),), alias=0.6, count=(("unit", 0.5), ("int", 0.5)))
            sheet = SheetPlan("年度数据", records, cols, style, titles=(f"{year}年度{self.spec.label}（示例数据）",),
                              total=False, bad=bad, footers=FOOTER_NOTE, renderer=factory)
            return [FilePlan(f"{folder}/{year}年度{label}.csv", [sheet], encoding="utf-8-sig")], len(bad)
        cols = self._cols(2, ("seq",), ())
        style = _style(year=(("year_du", 1.0),), alias=0.5, count=(("int", 0.6), ("unit", 0.2), ("fw", 0.2)))
        sheet = SheetPlan("年度数据", records, cols, style, titles=(f"解放区城市管理局{self.spec.label}（示例数据）", f"（{year}年度）"),
                          total=False, bad=bad, footers=FOOTER_SIGNED, renderer=factory)
        return [FilePlan(f"{folder}/{year}年{label}（示例）.xlsx", [sheet])], len(bad)

    def _cols(self, fam: int, before: tuple, after: tuple) -> list:
        """The spec's columns under header spellings it accepts (the label, then the spellings it lists), between
        the extra columns named."""
        own = [Col(c.name, self._header(c, fam)) for c in self.spec.columns]
        return ([Col(k, self.extras[k]) for k in before if k in self.extras] + own
                + [Col(k, self.extras[k]) for k in after if k in self.extras])

    def _header(self, col: Column, fam: int) -> str:
        spellings = [h for h in dict.fromkeys((col.label, *col.headers)) if self.spec.match_header(h) == col.name]
        if not spellings:
            return col.label
        return spellings[{0: 0, 1: min(1, len(spellings) - 1)}.get(fam, len(spellings) - 1)]

    def _renderer(self, year: int):
        def factory(rng, style, csv_mode):
            return _SpecRenderer(self, year, rng, style, csv_mode)
        return factory


class _SpecRenderer(_Renderer):
    """A record's cells by the type of each spec column, each read back before it is written."""

    def __init__(self, ledger: SpecLedger, year: int, rng: random.Random, style: dict, csv_mode: bool):
        super().__init__(rng, style, csv_mode)
        self.ledger, self.year = ledger, year

    def cell(self, key: str, rec: dict):
        col = self.ledger.columns.get(key)
        if col is None:
            return super().cell(key, rec)  # 序号, 备注, personal data
        v = rec.get(key)
        if v is None:
            return None
        s = self.s
        if not col.required and v == col.default and self.rng.random() < s.get("default_blank", 0.0):
            return None  # a blank reads as the column's default
        raw = self._written(col, v)
        if raw is not v and self.ledger.reads_as(col, raw, self.year) != v:
            raw = self._plain(col, v)
        return raw

    def _written(self, col: Column, v):
        rng, s = self.rng, self.s
        kind = col.type
        if kind == "date":
            return _date_cell(v, self.pick(s["date"]), self.csv)
        if kind == "year":
            form = self.pick(s.get("year", (("int", 1.0),)))
            return {"year_word": f"{v}年", "year_du": f"{v}年度"}.get(form, v)
        if kind == "subdistrict":
            return self.spaced(v.removesuffix("街道") + SUB_SUFFIX[self.pick(s["sub"])], s["sub_space"], inner=True)
        if kind == "flag":
            return self.pick(s["flag_true"] if v else s["flag_false"])
        if kind == "count":
            form = self.pick(s["count"])
            unit = _unit(col)
            return _count_cell(v, form if unit or form not in ("unit", "cn") else "int", unit)
        if kind == "number":
            return _number_cell(v, self.pick(s.get("number", (("float", 1.0),))), _unit(col))
        if col.values and v in col.values:  # a category, or text with canonical values: one of its spellings
            variants = [x for x in col.values[v] if x != v]
            if variants and rng.random() < s["alias"]:
                return rng.choice(variants)
            return v
        return self.spaced(v, s["text_space"])

    def _plain(self, col: Column, v):
        if col.type == "date":
            return v.isoformat() if self.csv else v
        if col.type == "flag":
            return "是" if v else "否"
        return v


def _unit(col: Column) -> str:
    """The unit a header states in brackets (数量（处）→ 处), else none."""
    for left, right in (("（", "）"), ("(", ")")):
        if col.label.endswith(right) and left in col.label:
            return col.label[col.label.rindex(left) + 1:-1]
    return ""


def _number_cell(a: float, form: str, unit: str):
    whole = float(a).is_integer()
    text = _area_text(a)
    if form == "str":
        return text
    if form == "unit" and unit:
        return text + unit
    if form == "approx" and whole:
        return f"约{text}"
    if form == "comma" and whole and a >= 1000:
        return f"{int(a):,}"
    if form == "fw":
        return text.translate(str.maketrans("0123456789.", "０１２３４５６７８９．"))
    return int(a) if whole else round(a, 1)


def _spread_capped(rng: random.Random, total: int, lo: int, caps: list, weights: list, what: str) -> list:
    """Integers in [lo, caps[i]] that sum to exactly `total`, roughly in proportion to `weights`."""
    n = len(caps)
    if not n * lo <= total <= sum(caps):
        raise ValueError(f"{what}（{total}）无法分到 {n} 行：每行应在 {lo} 到各自上限之间（总上限 {sum(caps)}）")
    wsum = float(sum(weights)) or 1.0
    rest = total - n * lo
    vals = [min(cap, lo + int(rest * w / wsum)) for cap, w in zip(caps, weights)]
    left = total - sum(vals)
    open_slots = [i for i in range(n) if vals[i] < caps[i]]
    while left > 0:
        j = rng.randrange(len(open_slots))
        i = open_slots[j]
        vals[i] += 1
        left -= 1
        if vals[i] == caps[i]:
            open_slots[j] = open_slots[-1]
            open_slots.pop()
    return vals

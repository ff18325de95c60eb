"""Ledger specs: the YAML files in ledgers/ turned into lookups the generic code uses.

Everything that differs between ledgers (columns, header aliases, value variants, rules) lives
in those files; this module only indexes them.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from analysis import __version__
from analysis.ingest.column_types import TYPES, ColumnType
from analysis.ingest.normalize import header_key, value_key
from analysis.paths import LEDGER_SPEC_DIR

# libyaml's loader where PyYAML was built with it (5× faster on the specs, the same values), else the pure-Python one.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load_yaml(path: Path):
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)  # a safe loader either way


# The column that places each row in time: a date, or the year of a ledger filled once a year.
PERIOD_TYPES = tuple(name for name, kind in TYPES.items() if kind.period)


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    type: str
    required: bool = False
    headers: tuple[str, ...] = ()
    values: dict = field(default_factory=dict)  # canonical -> tuple of variants
    other: str | None = None
    default: object = None
    min: float | None = None
    min_exclusive: float | None = None
    check_total: bool = False
    only_when: dict | None = None
    # Plausibility: a larger value, or more than another column of the same row, is rejected.
    max: float | None = None
    at_most: str | None = None
    # persons: "whole" where a value may be a private person instead of an organisation (an applicant), "note" where
    # free text may name one (联系人：王丽); such names are replaced with ［个人］ and counted (persons.py).
    persons: str | None = None
    # How a sentence names a value that is a bare word on its own (不予 → 不予许可, 餐饮 → 餐饮单位).
    phrases: dict = field(default_factory=dict)

    @property
    def categories(self) -> list[str]:
        return list(self.values)

    @property
    def kind(self) -> ColumnType:
        """What the column's type means: how it is read, stored and described (column_types.py)."""
        return TYPES[self.type]


@dataclass(frozen=True)
class Common:
    subdistricts: tuple[str, ...]
    subdistrict_lookup: dict  # value_key -> canonical
    subdistrict_headers: tuple[str, ...]
    flag_true: frozenset
    flag_false: frozenset
    personal_header_words: tuple[str, ...]
    total_words: tuple[str, ...]
    total_pattern: re.Pattern  # any of total_words (a row's label is searched once, not once per word)
    running_total_words: tuple[str, ...]
    footer_words: tuple[str, ...]
    summary_sheet_words: tuple[str, ...]
    instruction_sheet_words: tuple[str, ...]
    number_prefixes: tuple[str, ...]
    number_suffixes: tuple[str, ...]
    number_units: tuple[str, ...]
    ignored_headers: frozenset
    group_headers: frozenset
    blank_values: frozenset
    ditto_marks: frozenset  # value_key of the marks that mean "same as above": never a value
    end_markers: tuple  # value_key of the words that close a table (以下空白): the row is an end marker
    unit_words: frozenset  # value_key of the units a units row under the header may name (处, 个, 平方米)
    date_part_words: frozenset  # value_key of the labels of a date split into columns (年, 月, 日)
    group_title_words: tuple  # endings of a row that titles a block of records (一中队, 执法科)
    earliest_date: object  # datetime.date: ledgers of this project start after it


@dataclass(frozen=True)
class LedgerSpec:
    ledger: str
    label: str
    topic: str  # the subject as page titles name it (三种经营整治), the label when the spec gives none
    area: str  # the field of work the narrative groups it under (燃气安全), the topic when the spec gives none
    order: int
    top_by: str | None
    unique_by: tuple[str, ...]  # columns that identify a row: a key filed twice is counted once (ingest/unique.py)
    # Whether every month of work leaves rows (daily inspections): a month without any row is then a ledger that
    # did not arrive, not a month of zero (metrics.missing_months). False for a ledger of events (one row per case).
    every_month: bool
    arrival_by: tuple[str, ...]  # columns besides the sub-district whose months the arrival check counts (中队)
    columns: tuple[Column, ...]
    header_lookup: dict  # header_key -> column name
    common: Common

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def period_column(self) -> Column:
        """The column that places a row in time: its date, or its year for a ledger filled once a year."""
        return next(c for c in self.columns if c.type in PERIOD_TYPES)

    @property
    def required(self) -> list[Column]:
        return [c for c in self.columns if c.required]

    def match_header(self, text: str) -> str | None:
        """The canonical column a header names, "personal" for personal data, "ignored", "group", or None."""
        key = header_key(text)
        if not key:
            return None
        if any(word in key for word in self.common.personal_header_words):
            return "personal"
        if key in self.header_lookup:
            return self.header_lookup[key]
        if key in self.common.ignored_headers:
            return "ignored"
        if key in self.common.group_headers:
            return "group"
        return None


def _tuple(items) -> tuple[str, ...]:
    return tuple(str(x) for x in (items or ()))


@cache
def load_common(spec_dir: Path = LEDGER_SPEC_DIR) -> Common:
    raw = _load_yaml(spec_dir / "common.yaml")
    subdistricts = _tuple(raw["subdistricts"])
    lookup = {}
    for name in subdistricts:
        short = name.removesuffix("街道")
        for variant in [name, short] + [short + s for s in raw.get("subdistrict_suffixes", [])]:
            lookup[value_key(variant)] = name
    for alias, name in (raw.get("subdistrict_aliases") or {}).items():
        if name not in subdistricts:
            raise ValueError(f"common.yaml: 别名“{alias}”指向的“{name}”不是九个街道之一")
        lookup[value_key(alias)] = name
    return Common(
        subdistricts=subdistricts,
        subdistrict_lookup=lookup,
        subdistrict_headers=_tuple(raw["subdistrict_headers"]),
        flag_true=frozenset(value_key(x) for x in _tuple(raw["flag_true"])),
        flag_false=frozenset(value_key(x) for x in _tuple(raw["flag_false"])),
        personal_header_words=tuple(header_key(x) for x in _tuple(raw["personal_header_words"])),
        total_words=tuple(value_key(x) for x in _tuple(raw["total_words"])),
        total_pattern=re.compile("|".join(re.escape(value_key(x)) for x in _tuple(raw["total_words"]))),
        running_total_words=tuple(value_key(x) for x in _tuple(raw["running_total_words"])),
        footer_words=tuple(value_key(x) for x in _tuple(raw["footer_words"])),
        summary_sheet_words=tuple(value_key(x) for x in _tuple(raw["summary_sheet_words"])),
        instruction_sheet_words=tuple(value_key(x) for x in _tuple(raw["instruction_sheet_words"])),
        number_prefixes=tuple(sorted(_tuple(raw["number_prefixes"]), key=len, reverse=True)),
        number_suffixes=tuple(sorted(_tuple(raw["number_suffixes"]), key=len, reverse=True)),
        number_units=tuple(sorted((value_key(u) for u in _tuple(raw["number_units"])), key=len, reverse=True)),
        ignored_headers=frozenset(header_key(x) for x in _tuple(raw.get("ignored_headers"))),
        group_headers=frozenset(header_key(x) for x in _tuple(raw.get("group_headers"))),
        blank_values=frozenset(value_key(x) for x in _tuple(raw.get("blank_values"))),
        ditto_marks=frozenset(value_key(x) for x in _tuple(raw.get("ditto_marks"))),
        end_markers=tuple(value_key(x) for x in _tuple(raw.get("end_markers"))),
        unit_words=frozenset(value_key(x) for x in _tuple(raw.get("number_units")) + _tuple(raw.get("unit_words"))),
        date_part_words=frozenset(value_key(x) for x in _tuple(raw.get("date_part_words"))),
        group_title_words=tuple(value_key(x) for x in _tuple(raw.get("group_title_words"))),
        earliest_date=raw["earliest_date"],
    )


@cache
def load_spec(ledger: str, spec_dir: Path = LEDGER_SPEC_DIR) -> LedgerSpec:
    path = spec_dir / f"{ledger}.yaml"
    raw = _load_yaml(path)
    common = load_common(spec_dir)
    columns, lookup = [], {}
    for c in raw["columns"]:
        if c["type"] not in TYPES:
            raise ValueError(f"{path.name}: 列 {c['name']} 的类型“{c['type']}”不受支持（可选：{'、'.join(sorted(TYPES))}）")
        headers = _tuple(c.get("headers")) or (common.subdistrict_headers if c["type"] == "subdistrict" else ())
        values = {str(k): _tuple(v) for k, v in (c.get("values") or {}).items()}
        col = Column(
            name=c["name"], label=c.get("label", c["name"]), type=c["type"], required=bool(c.get("required")),
            headers=headers, values=values, other=c.get("other"), default=c.get("default"),
            min=c.get("min"), min_exclusive=c.get("min_exclusive"), check_total=bool(c.get("check_total")),
            only_when=c.get("only_when"), max=c.get("max"), at_most=c.get("at_most"), persons=c.get("persons"),
            phrases={str(k): str(v) for k, v in (c.get("phrases") or {}).items()},
        )
        unknown = [k for k in col.phrases if k not in col.values]
        if unknown:
            raise ValueError(f"{path.name}: 列 {c['name']} 的 phrases 中的“{'、'.join(unknown)}”不是这一列 values 中的类别")
        if col.persons not in (None, "whole", "note") or (col.persons and not col.kind.text):
            raise ValueError(f"{path.name}: 列 {c['name']} 的 persons 只能是 whole（整个值可能是个人姓名）或 note"
                             "（文字中可能写有姓名），且只用于 text 类型的列")
        if col.default is not None and not col.kind.default_fits(col, col.default):
            raise ValueError(f"{path.name}: 列 {c['name']} 的默认值“{col.default}”不是{col.kind.words}")
        for rule in ("max", "at_most"):
            if c.get(rule) is not None and not str(c.get(f"why_{rule}") or "").strip():
                raise ValueError(f"{path.name}: 列 {c['name']} 的规则 {rule} 必须在 why_{rule} 中写明理由")
        columns.append(col)
        for h in (col.label, *headers):
            key = header_key(h)
            word = next((w for w in common.personal_header_words if w in key), None)
            if word:
                raise ValueError(f"{path.name}: 表头“{h}”含有个人信息关键词“{word}”，这一列会被当作个人信息丢弃；"
                                 "请换一个表头写法，或修改 common.yaml 的 personal_header_words")
            if lookup.get(key, col.name) != col.name:
                raise ValueError(f"{path.name}: 表头“{h}”同时属于 {lookup[key]} 和 {col.name}")
            lookup[key] = col.name
    keys = [c for c in columns if c.type in PERIOD_TYPES]
    if len(keys) != 1 or not keys[0].required:
        raise ValueError(f"{path.name}: 台账必须有且只有一个必填的日期列（type: date）或年份列（type: year），"
                         "它决定每一行属于哪一天或哪一年")
    unique_by = raw.get("unique_by")
    unique_by = (unique_by,) if isinstance(unique_by, str) else _tuple(unique_by)  # one column may be named alone
    unknown = [k for k in unique_by if k not in {c.name for c in columns}]
    if unknown:
        raise ValueError(f"{path.name}: unique_by 中的列 {'、'.join(unknown)} 不在 columns 中")
    every_month = raw.get("every_month", True)
    if not isinstance(every_month, bool):
        raise ValueError(f"{path.name}: every_month 只能是 true（每月都有记录，某月没有记录即该月台账未报送）或 false"
                         "（按事件记录，某月可以没有记录）")
    arrival_by = _tuple(raw.get("arrival_by"))
    unknown = [k for k in arrival_by if k not in {c.name for c in columns}]
    if unknown:
        raise ValueError(f"{path.name}: arrival_by 中的列 {'、'.join(unknown)} 不在 columns 中")
    topic = raw.get("topic") or raw["label"]
    return LedgerSpec(ledger=raw["ledger"], label=raw["label"], topic=topic, area=raw.get("area") or topic,
                      order=int(raw.get("order", 99)), top_by=raw.get("top_by"), unique_by=unique_by,
                      every_month=every_month and keys[0].type != "year", arrival_by=arrival_by, columns=tuple(columns),
                      header_lookup=lookup, common=common)


def ledger_names(spec_dir: Path = LEDGER_SPEC_DIR) -> list[str]:
    """Every ledger that has a spec file, in the specs' `order`: a fifth ledger is one more YAML file."""
    stems = [p.stem for p in spec_dir.glob("*.yaml") if p.stem != "common"]
    return sorted(stems, key=lambda s: (load_spec(s, spec_dir).order, s))


def spec_fingerprint(spec_dir: Path = LEDGER_SPEC_DIR) -> str:
    """What the specs decide, as a key: every spec file's name and bytes, and the package version."""
    h = hashlib.sha256(__version__.encode())
    for p in sorted(spec_dir.glob("*.yaml")):
        h.update(p.name.encode() + b"\0" + p.read_bytes())
    return h.hexdigest()[:16]

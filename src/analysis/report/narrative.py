"""Sentences in the style of the bureau's yearly report, written from computed figures.

Two kinds of text:

- the report's own sentences, from a frame of `metrics.year_over_year` (or, without 同比 clauses,
  `metrics.indicator_values`) and the period (periods.Period): `indicator_sentence`, `report_paragraph`;

    2023年共清理辖区三种经营12000余处，同比增长8.2%。
    2024年1—10月累计清理辖区三种经营9800余处，同比下降3.1%。

- text that explains, from the tables themselves: `area_paragraphs` (one paragraph per area of work, the specs'
  `area`) and `highlights` (要点 for the first screen).

What an area paragraph says, in this order (each sentence only when there is something to say):

  1. its main figure (the area's first indicator in catalogue order), with the figures written with it in the
     report (report_sep 、), and the change against the same months of the year before (同比; for a month also
     against the month before, 环比), flagged when it stands out (below); "上年无数据，不作同比" once when no ledger
     of the area has the year before, else a sentence naming the ledgers that have not;
  2. what drove the change: for each breakdown column of the main indicator but month, the level with the largest
     increase and the one with the largest decrease, each with its figure and change (the one in the direction of
     the change first; without a base to compare with: the largest level). A month without the year before is
     explained against the month before;
  3. the peak month, when it matters: a period of at least three months whose largest month is the only one at
     that value and at least PEAK_RATIO times the monthly average;
  4. the area's other figures, each with its 同比 change when it stands out: by more than UNUSUAL_PCT percent (as
     written, to one decimal) either way, to 0 or from 0;
  5. a sub-district without any record for SILENT_MONTHS or more consecutive months of the period although it had
     records in each of those months the year before (such months of the whole ledger are said once for it).

A zero figure is said in words (未查处非法储存销售黑窝点), a zero part of a figure written with another (、约0平方米)
is left out. No sentence opens like the one before it (its first two characters; every kind of sentence has shapes
that open differently), and no figure (a number with a unit or %) is written twice: a figure an optional clause
would repeat is left out of it. Two different indicators with the same value are each still stated.

Areas, indicators, breakdown columns and their labels all come from the catalogue and the ledger specs: an area or
indicator added there gets its paragraph without code.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.ingest.spec import load_spec
from analysis.paths import LEDGER_SPEC_DIR
from analysis.report import metrics
from analysis.report.catalogue import parse_measure
from analysis.report.figures import format_figure, format_percent, round_half_up
from analysis.report.periods import Period

UNUSUAL_PCT = 30  # a change over this many percent (either way) is called out
PEAK_RATIO = 1.25  # a month this far above the period's monthly average is its peak
SILENT_MONTHS = 3  # a sub-district (or a whole ledger) this many consecutive months without a record is called out
HIGHLIGHTS_PER_AREA = 2  # the first screen takes at most this many 要点 from one area while others have some
NO_BASE = ("no_previous", "no_data")


# ---------------------------------------------------------------- the report's sentences

def versus_clause(direction: str, pct, compared: str, base: str) -> str:
    """The change against a base as the report writes it: 同比增长8.2%, 环比下降3.1%, 与上年持平, 上月为0;
    "" when there is nothing to compare with. `compared` is 同比 or 环比, `base` 上年, 上年同期 or 上月."""
    if direction == "up":
        return f"{compared}增长{format_percent(abs(pct))}"
    if direction == "down":
        return f"{compared}下降{format_percent(abs(pct))}"
    if direction == "flat":
        return f"与{base}持平"
    if direction == "zero_base":
        return f"{base}为0"
    return ""


def change_clause(row: pd.Series, period: Period) -> str:
    """The 同比 clause for one indicator, or "" when there is no previous year to compare with."""
    return versus_clause(row.get("direction", "no_previous"), row.get("pct"), "同比", period.versus_last_year)


def _fill(template: str, row: pd.Series, value=None) -> str:
    """A phrase template with the row's figure (or `value` written in the row's style)."""
    figure = row["figure"] if value is None else format_figure(value, row["style"])
    return template.format(value=figure, unit=row["unit"])


def indicator_sentence(row: pd.Series, period: Period) -> str:
    """One indicator as a sentence: lead, phrase, then the 同比 clause when there is one."""
    if pd.isna(row["value"]):
        return f"{period.label}暂无{row['label']}数据。"
    body = period.lead + _fill(row["phrase"], row)
    clause = change_clause(row, period)
    return f"{body}，{clause}。" if clause else f"{body}。"


def indicator_sentences(figures: pd.DataFrame, period: Period) -> pd.Series:
    """A sentence per indicator, indexed like `figures` (by key)."""
    return figures.apply(indicator_sentence, axis=1, period=period).astype("str")


def report_paragraph(figures: pd.DataFrame, period: Period) -> str:
    """The report's figures in one paragraph, in catalogue order, as in the 2023 report:

    2023年共清理辖区三种经营12000余处，拆除违建9处、约4714平方米，…查处非法储存销售黑窝点5处。
    对餐饮单位开展燃气安全隐患排查5000余次，…

    Only indicators with a report_phrase take part; those without data (NA) are left out.
    """
    parts = figures[(figures["report_phrase"] != "") & figures["value"].notna()].sort_values("order", kind="stable")
    if parts.empty:
        return ""
    separators = parts["report_sep"].replace("", "，").tolist()
    separators[0] = period.lead
    phrases = [_fill(row["report_phrase"], row) for _, row in parts.iterrows()]
    return "".join(sep + phrase for sep, phrase in zip(separators, phrases)) + "。"


# ---------------------------------------------------------------- what there is to say about an area

@dataclass(frozen=True)
class _Base:
    """What the drivers are compared with: the same months of the year before, or (a month without them) the
    month before."""
    period: Period
    word: str  # 上年 / 上年同期 / 上月
    direction: str  # how the main figure changed against it (metrics.compare_values)


@dataclass(frozen=True)
class _Move:
    kind: str  # up (largest increase) | down (largest decrease) | top (largest level, nothing to compare with)
    level: str
    value: float
    previous: float | None


@dataclass(frozen=True)
class _Dimension:
    label: str  # 街道, 经营类型, …
    moves: tuple[_Move, ...]  # in the order they are written: the one in the direction of the change first


@dataclass(frozen=True)
class _Silence:
    topic: str  # the ledger's topic (三种经营整治)
    ledger_runs: tuple[tuple[int, int], ...]  # months the whole ledger is empty
    levels: tuple[tuple[str, tuple[tuple[int, int], ...]], ...]  # sub-district -> its runs of silent months

    @property
    def months(self) -> int:
        runs = [*self.ledger_runs, *(r for _, runs in self.levels for r in runs)]
        return sum(last - first + 1 for first, last in runs)


@dataclass
class _Area:
    name: str
    groups: list  # the area's figures (list of rows), grouped as the report writes them; the first is the main one
    month_before: pd.Series | None  # the main figure against the month before (a month's period)
    base: _Base | None
    dimensions: list
    peak: tuple[int, float, float] | None  # month, value, ratio to the monthly average
    silences: list
    without_previous: list  # topics of the area's ledgers without data the year before
    all_without_previous: bool

    @property
    def main(self) -> pd.Series:
        return self.groups[0][0]


def _study(tables, period: Period, catalogue: pd.DataFrame, spec_dir: Path) -> list[_Area]:
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


def _area(tables, period, catalogue, spec_dir, name, rows: pd.DataFrame, month_before) -> _Area:
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
        base = _Base(period.same_last_year, period.versus_last_year, main["direction"])
    elif before is not None and before["direction"] not in NO_BASE:
        base = _Base(period.previous, "上月", before["direction"])
    ledgers = list(dict.fromkeys(rows["ledger"]))
    without = [ledger for ledger in ledgers if not metrics.covers(tables.get(ledger), period.same_last_year)]
    return _Area(
        name=name, groups=groups, month_before=before, base=base,
        dimensions=_dimensions(tables, period, catalogue, spec_dir, main, base),
        peak=_peak(tables, period, catalogue, main),
        silences=[s for s in (_silence(tables, period, ledger, spec_dir) for ledger in ledgers) if s],
        without_previous=[load_spec(ledger, spec_dir).topic for ledger in without],
        all_without_previous=len(without) == len(ledgers),
    )


def _dimensions(tables, period, catalogue, spec_dir, main: pd.Series, base: _Base | None) -> list[_Dimension]:
    """For each breakdown column of the main indicator but month: the levels that moved most (or the largest)."""
    spec = load_spec(main["ledger"], spec_dir)
    dimensions = []
    for by in (b for b in main["breakdowns"].split() if b != "month"):
        column = spec.column(by)

        def name(level, column=column):
            return f"其他{column.label}" if column.other is not None and level == column.other else str(level)

        if base is None:
            values = metrics.breakdown(tables, main.name, period, by, catalogue).dropna()
            moves = () if values.empty or values.max() <= 0 else (
                _Move("top", name(values.idxmax()), float(values.max()), None),)
        else:
            table = metrics.compare_breakdown(tables, main.name, period, base.period, by, catalogue)
            change = table["change"].astype("float64")
            most, least = change.idxmax(), change.idxmin()
            up = [_Move("up", name(most), *_pair(table.loc[most]))] if change[most] > 0 else []
            down = [_Move("down", name(least), *_pair(table.loc[least]))] if change[least] < 0 else []
            moves = tuple(down + up if base.direction == "down" else up + down)
        if moves:
            dimensions.append(_Dimension(column.label, moves))
    return dimensions


def _pair(row: pd.Series) -> tuple[float, float]:
    return float(row["value"]), float(row["previous"])


def _peak(tables, period: Period, catalogue, main: pd.Series) -> tuple[int, float, float] | None:
    """The month with the most, when the period has several months and one stands out (see PEAK_RATIO)."""
    if len(period.months) < 3:
        return None
    months = metrics.breakdown(tables, main.name, period, "month", catalogue).loc[list(period.months)].astype("float64")
    top, mean = months.max(), months.mean()
    if top <= 0 or (months == top).sum() > 1 or top < PEAK_RATIO * mean:
        return None
    return int(months.idxmax()), float(top), float(top / mean)


def _silence(tables, period: Period, ledger: str, spec_dir: Path) -> _Silence | None:
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
    ledger_runs = _runs(empty & (before.sum(axis=1) > 0), SILENT_MONTHS)
    levels = tuple((str(level), runs) for level in now.columns
                   if (runs := _runs((now[level] == 0) & (before[level] > 0) & ~empty, SILENT_MONTHS)))
    return _Silence(spec.topic, ledger_runs, levels) if ledger_runs or levels else None


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


def _unusual(row: pd.Series) -> str | None:
    """How a figure's 同比 change stands out: to_zero, zero_base, up or down (over UNUSUAL_PCT); None otherwise."""
    if row["direction"] in NO_BASE:
        return None
    if row["value"] == 0 and row["previous"] > 0:
        return "to_zero"
    if row["direction"] == "zero_base":
        return "zero_base"
    if row["direction"] in ("up", "down") and round_half_up(abs(row["pct"]), 1) > UNUSUAL_PCT:
        return row["direction"]
    return None


# ---------------------------------------------------------------- writing

class _Prose:
    """Sentences being written. A sentence takes the first of its shapes that does not open like the sentence
    before it (or, with `apart_all`, like any sentence before); a figure already written is not written again."""

    def __init__(self, units, apart_all: bool = False):
        alternatives = "|".join(re.escape(u) for u in sorted({*units, "%"}, key=len, reverse=True))
        self.pattern = re.compile(rf"约?\d+(?:\.\d+)?余?(?:{alternatives})")
        self.apart_all = apart_all
        self.sentences: list[str] = []
        self.taken: set[str] = set()

    def fresh(self, text: str) -> bool:
        found = self.pattern.findall(text)
        return len(set(found)) == len(found) and not self.taken.intersection(found)

    def take(self, text: str) -> str:
        self.taken.update(self.pattern.findall(text))
        return text

    def optional(self, *choices: str) -> str:
        """The first of `choices` whose figures are all new (and now taken), else ""."""
        return next((self.take(c) for c in choices if self.fresh(c)), "")

    def add(self, *shapes: str, whole: bool = False) -> bool:
        """Write the first shape that opens apart (and, `whole`, whose figures are all new)."""
        others = {_opening(s) for s in (self.sentences if self.apart_all else self.sentences[-1:])}
        for shape in shapes:
            if _opening(shape) not in others and (not whole or self.fresh(shape)):
                self.sentences.append(self.take(shape))
                return True
        return False

    @property
    def text(self) -> str:
        return "".join(self.sentences)


def _opening(sentence: str) -> str:
    """What makes two sentences begin alike: their first two characters (most Chinese words have two)."""
    return sentence[:2]


def _first_choice(text: str, *_fallbacks: str) -> str:
    """`_Prose.optional` for text that is checked as a whole afterwards (the 要点): the first choice."""
    return text


def _amounts(value, row: pd.Series) -> list[str]:
    """A value of the row's indicator with its unit, in the indicator's style (1600余处, 约235平方米), then, for a
    余 figure, exactly (1612处): what a clause falls back to when the rounded figure is already written."""
    styled = format_figure(abs(value), row["style"]) + row["unit"]
    exact = format_figure(abs(value)) + row["unit"]
    return [styled] if exact == styled or not row["style"].startswith("余") else [styled, exact]


def _is(amount: str) -> str:
    """为1600余处, but 约235平方米 (not 为约…)."""
    return amount if amount.startswith("约") else f"为{amount}"


def _none_of(row: pd.Series) -> str:
    """A zero figure in words: 未查处非法储存销售黑窝点; 查扣…为0 when the phrase does not end with the figure."""
    tail = "{value}{unit}"
    if row["phrase"].endswith(tail):
        return "未" + row["phrase"][: -len(tail)].rstrip("等")
    return f"{row['label']}为0"


def _group_said(group: list) -> str:
    """A figure with those the report writes with it (拆除违建9处、约4714平方米); a zero figure in words, a zero
    part left out."""
    first, rest = group[0], [row for row in group[1:] if row["value"] != 0]
    if first["value"] == 0:
        return "，".join([_none_of(first), *(_fill(row["phrase"], row) for row in rest)])
    return _fill(first["phrase"], first) + "".join("、" + _fill(row["report_phrase"], row) for row in rest)


def _months(run: tuple[int, int]) -> str:
    first, last = run
    return f"{first}月" if first == last else f"{first}—{last}月"


def _verb(direction: str) -> str:
    return "增长" if direction == "up" else "下降"


def _degree(directions) -> str:
    """增幅较大 / 降幅较大 / 变化较大."""
    kinds = set(directions)
    return "增幅较大" if kinds == {"up"} else "降幅较大" if kinds == {"down"} else "变化较大"


def _percent(row: pd.Series) -> str:
    return format_percent(abs(row["pct"]))


def _year_clause(row: pd.Series, period: Period, optional=_first_choice) -> str:
    """A figure's 同比 change, flagged when it stands out: 同比下降33.3%，降幅较大 / 上年为7处 (fell to 0) /
    上年亦无 (0 both years)."""
    base, kind = period.versus_last_year, _unusual(row)
    if row["direction"] in NO_BASE:
        return ""
    if row["value"] == 0:
        return f"{base}亦无" if row["previous"] == 0 else optional(
            *(f"{base}为{a}" for a in _amounts(row["previous"], row)), f"比{base}减少")
    clause = change_clause(row, period)
    return f"{clause}，{_degree([kind])}" if kind in ("up", "down") else clause


def _lead_clauses(area: _Area, period: Period, prose: _Prose) -> tuple[list[str], str]:
    """The main figure's 同比 clauses (for it and those written with it) and its 环比 clause, their figures taken
    in `prose`."""
    optional = prose.optional
    group = [area.groups[0][0], *(row for row in area.groups[0][1:] if row["value"] != 0)]
    main = group[0]
    if area.all_without_previous:
        year = []  # the paragraph says so once, last
    elif len(group) > 1 and all(m["direction"] in ("up", "down") for m in group) and _distinct_or_same(group):
        year = _together(group)
    else:
        year = [_year_clause(main, period, optional)]
        year += [f"{m['label']}{c}" for m in group[1:] if (c := _stand_out(m, period, optional))]
    prose.take("".join(year))
    before, month = area.month_before, ""
    if before is not None and before["direction"] not in NO_BASE:
        if main["value"] == 0:
            month = "上月亦无" if before["previous"] == 0 else optional(
                *(f"上月为{a}" for a in _amounts(before["previous"], main)), "比上月减少")
        elif (year and year[0] == change_clause(main, period) and main["direction"] == before["direction"]
              and _percent(main) == _percent(before)):  # one percent for both
            year, month = [f"同比、环比均{_verb(main['direction'])}{_percent(main)}", *year[1:]], ""
        else:
            month = optional(versus_clause(before["direction"], before["pct"], "环比", "上月"),
                             "环比" + ("有所增长" if before["direction"] == "up" else "有所下降"))
    if month == "上月亦无" and year and year[0].endswith("亦无"):  # 上年同期和上月均无
        year, month = [year[0].removesuffix("亦无") + "和上月均无"], ""
    return [c for c in year if c], month


def _distinct_or_same(group: list) -> bool:
    """Whether `_together` writes each percent once: all different, or one for all (同比均增长3.0%)."""
    pcts, directions = [_percent(m) for m in group], {m["direction"] for m in group}
    return len(set(pcts)) == len(pcts) or (len(set(pcts)) == 1 and len(directions) == 1)


def _stand_out(row: pd.Series, period: Period, optional=_first_choice) -> str:
    """A figure's 同比 change when it stands out (`_unusual`), else "": 同比增长45.0%，增幅较大 (同比大幅增长 when
    the percent is already written) / 上年为7处 / 上年为0."""
    kind = _unusual(row)
    if kind in ("up", "down"):
        return optional(_year_clause(row, period), f"同比大幅{_verb(kind)}")
    return _year_clause(row, period, optional) if kind else ""


def _together(group: list) -> list[str]:
    """Several figures that all rose or fell: 同比分别下降18.2%和9.5% / 同比均增长3.0%, flagged when they stand out."""
    pcts = [_percent(m) for m in group]
    directions = [m["direction"] for m in group]
    if len(set(directions)) == 1 and len(set(pcts)) == 1:
        clause = f"同比均{_verb(directions[0])}{pcts[0]}"
    elif len(set(directions)) == 1:
        clause = f"同比分别{_verb(directions[0])}{'、'.join(pcts[:-1])}和{pcts[-1]}"
    else:
        clause = "同比分别" + "、".join(_verb(d) + p for d, p in zip(directions, pcts))
    flagged = [m for m in group if _unusual(m)]
    if not flagged:
        return [clause]
    degree = _degree(m["direction"] for m in flagged)
    return [clause, degree if len(flagged) == len(group) else f"其中{'、'.join(m['label'] for m in flagged)}{degree}"]


# ---------------------------------------------------------------- paragraphs

_OPENERS = ("分{label}看，", "按{label}分，", "从{label}看，")


def area_paragraphs(tables, period: Period, catalogue: pd.DataFrame,
                    spec_dir: Path = LEDGER_SPEC_DIR) -> list[tuple[str, str]]:
    """(area, paragraph) for each area with data, in catalogue order of the areas' first indicators.

    `catalogue` holds the indicators to write (the caller leaves out ledgers without data in the period's year);
    `tables` maps ledger -> processed table, as `metrics` takes them.
    """
    return [(area.name, _paragraph(area, period, catalogue["unit"]))
            for area in _study(tables, period, catalogue, spec_dir)]


def _paragraph(area: _Area, period: Period, units) -> str:
    prose = _Prose(units)
    for group in area.groups:  # every figure of the area is stated: no optional clause may take it, in any form
        prose.take(_group_said(group) + "".join(a for row in group for a in _amounts(row["value"], row)))
    year, month = _lead_clauses(area, period, prose)
    clauses = "".join(f"，{c}" for c in [*year, month] if c)
    if area.all_without_previous:
        clauses += ("；" if clauses else "，") + "上年无数据，不作同比"
    body = (period.label if area.main["value"] == 0 else period.lead) + _group_said(area.groups[0])
    prose.add(f"{area.name}方面，{body}{clauses}。")
    if area.without_previous and not area.all_without_previous:
        topics = "、".join(area.without_previous)
        prose.add(f"上年无{topics}数据，相关指标不作同比。", f"{topics}上年无数据，相关指标不作同比。")
    for i, dimension in enumerate(area.dimensions):
        said = "，".join(_move_said(move, area.main, area.base, prose) for move in dimension.moves)
        prose.add(*(_OPENERS[(i + k) % len(_OPENERS)].format(label=dimension.label) + said + "。"
                    for k in range(len(_OPENERS))))
    if area.peak:
        month_, value, _ = area.peak
        detail = prose.optional(*("，" + _is(a) for a in _amounts(value, area.main)))
        prose.add(f"单月以{month_}月最多{detail}。", f"{month_}月最多{detail}。")
    if len(area.groups) > 1:
        items = [_group_said(group) + "".join(f"，{c}" for c in [_group_clause(group, period, prose)] if c)
                 for group in area.groups[1:]]
        listed = ("；" if any("，" in item for item in items) else "，").join(items)
        prose.add(f"此外，{listed}。", f"另外，{listed}。")
    if area.silences:
        said = "；".join(_silence_said(s) for s in area.silences)
        prose.add(f"需要关注的是，{said}，而上年同期各月均有记录，需核实是否漏报。",
                  f"值得注意的是，{said}，而上年同期各月均有记录，需核实是否漏报。")
    return prose.text


def _group_clause(group: list, period: Period, prose: _Prose) -> str:
    """What stands out in a group of other figures: the 同比 change of those that changed by more than
    UNUSUAL_PCT, fell to 0 or rose from 0 (下降33.3%，降幅较大 / 上年为7处 / 上年为0)."""
    clauses = [(row, c) for row in group if (c := _stand_out(row, period, prose.optional))]
    return "，".join(f"{row['label']}{c}" if len(group) > 1 else c for row, c in clauses)  # named among several


def _move_said(move: _Move, row: pd.Series, base: _Base | None, prose: _Prose) -> str:
    """增加最多的是民主街道（2000余处，比上年多370余处） / 减少最多的是焦西街道（由上年的3处降为0） /
    民生街道最多，为2300余处."""
    if move.kind == "top":
        return move.level + "最多" + prose.optional(*("，" + _is(a) for a in _amounts(move.value, row)))
    value = prose.optional(*_amounts(move.value, row)) if move.value else ""
    if move.kind == "up":
        change = f"{base.word}为0" if move.previous == 0 else prose.optional(
            *(f"比{base.word}多{a}" for a in _amounts(move.value - move.previous, row)))
    elif move.value == 0:
        change = prose.optional(*(f"由{base.word}的{a}降为0" for a in _amounts(move.previous, row)), "降为0")
    else:
        change = prose.optional(*(f"比{base.word}少{a}" for a in _amounts(move.previous - move.value, row)))
    details = "，".join(d for d in (value, change) if d)
    head = f"{'增加' if move.kind == 'up' else '减少'}最多的是{move.level}"
    return f"{head}（{details}）" if details else head


def _silence_said(silence: _Silence) -> str:
    """违建拆除5—7月没有记录；焦北街道5—8月、王褚街道9—12月没有三种经营整治记录."""
    parts = []
    if silence.ledger_runs:
        parts.append(f"{silence.topic}{'、'.join(_months(r) for r in silence.ledger_runs)}没有记录")
    if silence.levels:
        who = "、".join(level + "、".join(_months(r) for r in runs) for level, runs in silence.levels)
        parts.append(f"{who}没有{silence.topic}记录")
    return "；".join(parts)


# ---------------------------------------------------------------- highlights

def highlights(tables, period: Period, catalogue: pd.DataFrame, limit: int = 5,
               spec_dir: Path = LEDGER_SPEC_DIR) -> list[str]:
    """Up to `limit` 要点 for the first screen, most important first (as many as there are when fewer).

    Importance, in tiers (within a tier, the larger first):
      0. a figure whose 同比 change stands out (over UNUSUAL_PCT percent, to 0 or from 0) and, for a count, lies
         beyond chance (`_beyond_chance` is 1), by the size of the change; a main figure with what drove it;
      1. sub-districts (or a whole ledger) without records for months, by the number of silent months;
      2. each area's main figure, its change and what drove it, by the size of the change (with nothing to
         compare with: the figure and its largest level);
      3. peak months, by how far they stand above the monthly average;
      4. the other figures' changes, by their size times `_beyond_chance` (so that 1→2 does not outrank
         11237→12386).
    At most HIGHLIGHTS_PER_AREA come from one area while another still has one to give. No two open alike and no
    figure is written twice: a 要点 that would is written in its other shape (opening with the area), or left out.
    """
    areas = _study(tables, period, catalogue, spec_dir)
    candidates = sorted((c for area in areas for c in _candidates(area, period, catalogue["unit"])),
                        key=lambda c: (c[0], -c[1]))
    prose, per_area, chosen = _Prose(catalogue["unit"], apart_all=True), {}, set()
    for capped in (True, False):
        for i, (_, _, area, shapes) in enumerate(candidates):
            if len(chosen) == limit or i in chosen or (capped and per_area.get(area, 0) == HIGHLIGHTS_PER_AREA):
                continue
            if prose.add(*shapes, whole=True):
                chosen.add(i)
                per_area[area] = per_area.get(area, 0) + 1
    return prose.sentences


def _size(row: pd.Series) -> float:
    """How large a 同比 change is, for ranking: its percent (100 to or from 0), times `_beyond_chance`."""
    if _unusual(row) in ("to_zero", "zero_base"):
        return 100.0 * _beyond_chance(row)
    return abs(float(row["pct"])) * _beyond_chance(row) if row["direction"] in ("up", "down") else 0.0


def _beyond_chance(row: pd.Series) -> float:
    """How far a count's change lies beyond what chance alone would make of the same work: the change over twice
    the square root of the two counts, at most 1 (1 for figures that are not counts). 1→2 (+100%) weighs 0.29,
    17→31 (+82%) weighs 1."""
    if not row["counts"]:
        return 1.0
    now, before = float(row["value"]), float(row["previous"])
    return min(1.0, abs(now - before) / (2 * (now + before) ** 0.5)) if now + before else 0.0


def _candidates(area: _Area, period: Period, units) -> list[tuple]:
    """(tier, size, area, shapes) for each 要点 the area could give."""
    main, found = area.main, []

    def add(tier, size, *bodies):
        shapes = [*bodies, *(f"{area.name}方面，{b}" for b in bodies)]
        found.append((tier, size, area.name, tuple(f"{s}。" for s in shapes)))

    said = _group_said(area.groups[0])
    if area.base is None:
        top = area.dimensions[0].moves[0] if area.dimensions else None
        why = f"，其中{top.level}最多（{_amounts(top.value, main)[0]}）" if top else ""
        add(2, 0.0, *dict.fromkeys([said + why, said]))
    else:
        year, month = _lead_clauses(area, period, _Prose(units))
        driver = next((m for d in area.dimensions for m in d.moves if m.kind == _wanted(area)), None)
        why = [f"其中{driver.level}{'增加' if driver.kind == 'up' else '减少'}最多"
               f"（{_amounts(driver.value - driver.previous, main)[0]}）"] if driver else []
        written = [row for row in area.groups[0] if row["value"] != 0 or row.name == main.name]
        stands_out = any(_unusual(row) and _beyond_chance(row) == 1 for row in written)
        size = max(_size(row) for row in written)
        month = [month] if month else []
        add(0 if stands_out else 2, size, *dict.fromkeys(  # the driver right after the change it explains
            "，".join([said, *year, *(w + month if area.base.word != "上月" else month + w)]) for w in (why, [])))
    for row in (r for group in area.groups[1:] for r in group):
        if row["direction"] in ("up", "down", "zero_base"):
            add(0 if _unusual(row) and _beyond_chance(row) == 1 else 4, _size(row),
                f"{_group_said([row])}，{_year_clause(row, period)}")
    for silence in area.silences:
        said = _silence_said(silence)
        found.append((1, float(silence.months), area.name,
                      (f"{said}，而上年同期各月均有记录，需核实是否漏报。", f"需要关注的是，{said}，需核实是否漏报。")))
    if area.peak:
        month_, value, ratio = area.peak
        found.append((3, ratio, area.name, (f"{main['label']}以{month_}月最多，{_is(_amounts(value, main)[0])}。",
                                            f"{month_}月{_fill(main['phrase'], main, value)}，为各月最多。")))
    return found


def _wanted(area: _Area) -> str:
    """The move that explains the main figure's change: the largest decrease when it fell, else increase."""
    return "down" if area.base.direction == "down" else "up"

"""Sentences in the style of the bureau's yearly report, written from computed figures and from findings.

Two kinds of text:

- the report's own sentences, from a frame of `metrics.year_over_year` (or, without 同比 clauses,
  `metrics.indicator_values`) and the period (periods.Period): `indicator_sentence`, `report_paragraph`;

    2023年共清理辖区三种经营12000余处，同比增长8.2%。
    2024年1—10月累计清理辖区三种经营9800余处，同比下降3.1%。

- text that explains, from the findings of findings.py: `area_paragraphs` (one paragraph per area of work) and
  `highlights` (要点 for the first screen).

What an area paragraph says, in this order (each sentence only when there is something to say):

  1. its main figure, with the figures written with it in the report (report_sep 、), and the change against the
     same months of the year before (同比; for a month then against the month before, 环比, naming its figure when
     the clause before it spoke of several figures), 较大 only when findings.large_change says so. No ledger of
     the area with the year before: "上年无数据" once in the whole briefing (in the first area's sentence) when no
     area has it, else 上年无<its ledgers>数据; some of its ledgers without it: a sentence naming them;
  2. what drove the change: for each breakdown column, the level with the largest increase and the one with the
     largest decrease (without a base to compare with: the largest level). A month without the year before is
     explained against the month before;
  3. the peak month, when one stands out;
  4. the area's other figures, each with its 同比 change when it stands out;
  5. sub-districts (or the whole ledger) silent for months that had records each of those months the year before.

Every 最多 carries a figure: its value, its change, its change in percent or its figure before, whichever is not
written yet; a level or peak month with none of them left is not named. A category value that is a bare word in the
ledger is named by the phrase its spec gives it (`phrases`: 不予 -> 不予许可). A zero figure is said in words
(未查处非法储存销售黑窝点), a zero part of a figure written with another (、约0平方米) is left out. No sentence opens
like the one before it (its first two characters; every kind of sentence has shapes that open differently), and no
figure is written twice: a figure an optional clause would repeat is left out of it. Two different indicators with
the same value are each still stated.

What was said is tracked by figure, not by reading the text back: every piece of text is `Words`, its text and the
figures it writes, each as a reader sees it (12000余处, 约4714平方米, 8.2%: the same figure written twice is what a
reader would notice). `Said` holds the sentences written and the figures in them.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.paths import LEDGER_SPEC_DIR
from analysis.report.findings import (
    NO_BASE,
    Area,
    Base,
    Dimension,
    Move,
    Silence,
    change_size,
    stands_out,
    study,
    unusual,
)
from analysis.report.number_words import format_figure, format_percent, round_half_up
from analysis.report.periods import Period, months_label

HIGHLIGHTS_PER_AREA = 2  # the first screen takes at most this many 要点 from one area while others have some


# ---------------------------------------------------------------- what was said

@dataclass(frozen=True)
class Words:
    """A piece of text and the figures it writes, each as written (12000余处, 8.2%). Pieces are joined with + (a
    str on either side) or `join`; put into an f-string, a piece would lose its figures, so that raises."""

    text: str = ""
    figures: tuple[str, ...] = ()

    def __add__(self, other: Words | str) -> Words:
        other = _words(other)
        return Words(self.text + other.text, self.figures + other.figures)

    def __radd__(self, other: str) -> Words:
        return Words(other + self.text, self.figures)

    def __bool__(self) -> bool:
        return bool(self.text)

    def __format__(self, spec: str) -> str:
        raise TypeError("Words are joined with + or join(): formatted, the figures they write would be lost")


def _words(piece: Words | str) -> Words:
    return piece if isinstance(piece, Words) else Words(piece)


def _figure(text: str) -> Words:
    """A figure as written; the text is also its key."""
    return Words(text, (text,))


def join(separator: str, pieces) -> Words:
    """str.join for pieces of Words (and str)."""
    pieces = [_words(p) for p in pieces]
    return Words(separator.join(p.text for p in pieces), tuple(f for p in pieces for f in p.figures))


class Said:
    """What has been written: the sentences, and every figure in them. A sentence takes the first of its shapes
    that does not open like the sentence before it (or, with `apart_all`, like any sentence before); a figure
    already written is not written again."""

    def __init__(self, apart_all: bool = False):
        self.apart_all = apart_all
        self.sentences: list[str] = []
        self.figures: set[str] = set()

    def fresh(self, words: Words) -> bool:
        """Whether `words` write no figure twice, and none already written."""
        return len(set(words.figures)) == len(words.figures) and not self.figures.intersection(words.figures)

    def take(self, words: Words | str) -> Words:
        words = _words(words)
        self.figures.update(words.figures)
        return words

    def optional(self, *choices: Words | str) -> Words:
        """The first of `choices` whose figures are all new (and now taken), else nothing."""
        return next((self.take(c) for c in map(_words, choices) if self.fresh(c)), Words())

    def add(self, *shapes: Words | str, whole: bool = False) -> bool:
        """Write the first shape that opens apart (and, `whole`, whose figures are all new)."""
        others = {_opening(s) for s in (self.sentences if self.apart_all else self.sentences[-1:])}
        for shape in map(_words, shapes):
            if _opening(shape.text) not in others and (not whole or self.fresh(shape)):
                self.sentences.append(self.take(shape).text)
                return True
        return False

    @property
    def text(self) -> str:
        return "".join(self.sentences)


def _opening(sentence: str) -> str:
    """What makes two sentences begin alike: their first two characters (most Chinese words have two)."""
    return sentence[:2]


def _first_choice(choice: Words | str, *_fallbacks: Words | str) -> Words:
    """`Said.optional` for text that is checked as a whole afterwards (the 要点): the first choice."""
    return _words(choice)


# ---------------------------------------------------------------- the report's sentences

def _versus(direction: str, pct, compared: str, base: str) -> Words:
    if direction == "up":
        return compared + "增长" + _figure(format_percent(abs(pct)))
    if direction == "down":
        return compared + "下降" + _figure(format_percent(abs(pct)))
    if direction == "flat":
        return Words(f"与{base}持平")
    if direction == "zero_base":
        return Words(f"{base}为0")
    return Words()


def _change(row: pd.Series, period: Period) -> Words:
    return _versus(row.get("direction", "no_previous"), row.get("pct"), "同比", period.versus_last_year)


def change_clause(row: pd.Series, period: Period) -> str:
    """The 同比 clause for one indicator, or "" when there is no previous year to compare with."""
    return _change(row, period).text


def _fill(template: str, row: pd.Series, value=None) -> Words:
    """A phrase template with the row's figure (or `value` written in the row's style)."""
    figure = row["figure"] if value is None else format_figure(value, row["style"])
    return Words(template.format(value=figure, unit=row["unit"]), (figure + row["unit"],))


def indicator_sentence(row: pd.Series, period: Period) -> str:
    """One indicator as a sentence: lead, phrase, then the 同比 clause when there is one."""
    if pd.isna(row["value"]):
        return f"{period.label}暂无{row['label']}数据。"
    body = period.lead + _fill(row["phrase"], row) + _partial_said(row, period)
    clause = _change(row, period)
    if row.get("direction") == "previous_partial":
        clause = Words(f"{period.versus_last_year}缺{months_label(row['previous_missing'])}数据，不作同比")
    return (body + "，" + clause + "。" if clause else body + "。").text


def _partial_said(row: pd.Series, period: Period, compared: bool = True) -> str:
    """（仅有6月数据，不作同比） after a figure over part of its period (without 不作同比 where no figure is compared);
    "" otherwise."""
    missing = row.get("missing") or () if row.get("direction") == "partial" else ()
    if not missing:
        return ""
    return f"（仅有{months_label(m for m in period.months if m not in missing)}数据{'，不作同比' if compared else ''}）"


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
    said = set()  # the ledgers whose coverage is said: once each, on its first figure
    phrases = []
    for _, row in parts.iterrows():
        coverage = "" if row["ledger"] in said else _partial_said(row, period, compared=False)
        if coverage:
            said.add(row["ledger"])
        phrases.append(_fill(row["report_phrase"], row) + coverage)
    return join("", (sep + phrase for sep, phrase in zip(separators, phrases))).text + "。"


# ---------------------------------------------------------------- pieces of an area's sentences

def _amounts(value, row: pd.Series) -> list[Words]:
    """A value of the row's indicator with its unit, in the indicator's style (1600余处, 约235平方米), then, for a
    余 figure, exactly (1612处): what a clause falls back to when the rounded figure is already written."""
    styled = format_figure(abs(value), row["style"]) + row["unit"]
    exact = format_figure(abs(value)) + row["unit"]
    return [_figure(styled)] if exact == styled or not row["style"].startswith("余") else [_figure(styled), _figure(exact)]


def _is(amount: Words) -> Words:
    """为1600余处, but 约235平方米 (not 为约…)."""
    return amount if amount.text.startswith("约") else "为" + amount


def _none_of(row: pd.Series) -> str:
    """A zero figure in words: 未查处非法储存销售黑窝点; 查扣…为0 when the phrase does not end with the figure."""
    tail = "{value}{unit}"
    if row["phrase"].endswith(tail):
        return "未" + row["phrase"][: -len(tail)].rstrip("等")
    return f"{row['label']}为0"


def _group_said(group: list) -> Words:
    """A figure with those the report writes with it (拆除违建9处、约4714平方米); a zero figure in words, a zero
    part left out."""
    first, rest = group[0], [row for row in group[1:] if row["value"] != 0]
    if first["value"] == 0:
        return join("，", [_none_of(first), *(_fill(row["phrase"], row) for row in rest)])
    return _fill(first["phrase"], first) + join("", ("、" + _fill(row["report_phrase"], row) for row in rest))


# How a sentence names a category value that is a bare word in the ledger (不予 -> 不予许可), by ledger and column.
# Values not listed read as they are (临时户外广告审批, 劝导教育). This is wording about the specs' columns and would
# sit better in the ledger specs (a `phrases:` mapping per category column) once spec.Column carries one.
def _level(dimension: Dimension, move: Move) -> str:
    """A level as a sentence names it: the column's catch-all value as 其他<label>, a bare word as the phrase its
    ledger's spec gives it (`phrases`: 不予 → 不予许可)."""
    if move.other:
        return f"其他{dimension.label}"
    return dimension.phrases.get(move.level, move.level)


def _base_word(base: Base, period: Period) -> str:
    """上年 / 上年同期 / 上月."""
    return "上月" if base.month_before else period.versus_last_year


def _months(run: tuple[int, int]) -> str:
    first, last = run
    return f"{first}月" if first == last else f"{first}—{last}月"


def _verb(direction: str) -> str:
    return "增长" if direction == "up" else "下降"


def _degree(directions) -> str:
    """增幅较大 / 降幅较大 / 变化较大, for changes `findings.unusual` found up or down: whether a change is large
    is decided there only (findings.large_change)."""
    kinds = set(directions)
    return "增幅较大" if kinds == {"up"} else "降幅较大" if kinds == {"down"} else "变化较大"


def _percent(row: pd.Series) -> Words:
    return _figure(format_percent(abs(row["pct"])))


def _year_clause(row: pd.Series, period: Period, optional=_first_choice) -> Words:
    """A figure's 同比 change, flagged when it stands out: 同比下降33.3%，降幅较大 / 上年为7处 (fell to 0) /
    上年亦无 (0 both years)."""
    base, kind = period.versus_last_year, unusual(row)
    if row["direction"] in NO_BASE:
        return Words()
    if row["value"] == 0:
        return Words(f"{base}亦无") if row["previous"] == 0 else optional(
            *(base + "为" + a for a in _amounts(row["previous"], row)), f"比{base}减少")
    clause = _change(row, period)
    return clause + "，" + _degree([kind]) if kind in ("up", "down") else clause


@dataclass(frozen=True)
class Lead:
    """The main figure's change clauses, in the order they are written: `own` (its 同比 change, or the 同比 change of
    the figures written with it together), then `month` (its 环比 change), then `others` (the 同比 changes of the
    figures written with it that stand out, each named)."""

    own: list
    month: Words
    others: list
    name_month: bool  # what comes before `month` speaks of several figures (同比分别下降18.2%和9.5%; 9处、约4714平方米)

    def month_named(self, main: pd.Series, after_other_subject: bool = False) -> Words:
        """The 环比 clause, naming the figure it is about (拆除违建环比下降50.0%) when what comes before it speaks of
        several figures or of something else (the driver of the 同比 change in a 要点)."""
        if self.month and (self.name_month or after_other_subject):
            return main["label"] + self.month
        return self.month

    def clauses(self, main: pd.Series) -> list[Words]:
        return [c for c in [*self.own, self.month_named(main), *self.others] if c]


def _lead_clauses(area: Area, period: Period, said: Said) -> Lead:
    """The main figure's 同比 clauses (for it and those written with it) and its 环比 clause, their figures taken
    in `said`."""
    optional = said.optional
    group = [area.groups[0][0], *(row for row in area.groups[0][1:] if row["value"] != 0)]
    main = group[0]
    several = False
    if area.all_without_previous:
        own, others = [], []  # the briefing says so once
    elif len(group) > 1 and all(m["direction"] in ("up", "down") for m in group) and _distinct_or_same(group):
        own, others, several = _together(group), [], True
    else:
        own = [_year_clause(main, period, optional)]
        others = [m["label"] + c for m in group[1:] if (c := _stand_out(m, period, optional))]
    said.take(join("", [*own, *others]))
    before, month = area.month_before, Words()
    if before is not None and before["direction"] not in NO_BASE:
        if main["value"] == 0:
            month = Words("上月亦无") if before["previous"] == 0 else optional(
                *("上月为" + a for a in _amounts(before["previous"], main)), "比上月减少")
        elif (own and own[0].text == change_clause(main, period) and main["direction"] == before["direction"]
              and _percent(main) == _percent(before)):  # one percent for both
            own, month = ["同比、环比均" + _verb(main["direction"]) + _percent(main), *own[1:]], Words()
        else:
            month = optional(_versus(before["direction"], before["pct"], "环比", "上月"),
                             "环比" + ("有所增长" if before["direction"] == "up" else "有所下降"))
    if month.text == "上月亦无" and own and own[0].text.endswith("亦无"):  # 上年同期和上月均无
        own, month = [Words(own[0].text.removesuffix("亦无") + "和上月均无", own[0].figures)], Words()
    own = [c for c in own if c]
    return Lead(own, month, [c for c in others if c], several or (not own and len(group) > 1))


def _distinct_or_same(group: list) -> bool:
    """Whether `_together` writes each percent once: all different, or one for all (同比均增长3.0%)."""
    pcts, directions = [_percent(m).text for m in group], {m["direction"] for m in group}
    return len(set(pcts)) == len(pcts) or (len(set(pcts)) == 1 and len(directions) == 1)


def _stand_out(row: pd.Series, period: Period, optional=_first_choice) -> Words:
    """A figure's 同比 change when it stands out (`findings.unusual`), else nothing: 同比增长45.0%，增幅较大
    (同比大幅增长 when the percent is already written) / 上年为7处 / 上年为0."""
    kind = unusual(row)
    if kind in ("up", "down"):
        return optional(_year_clause(row, period), f"同比大幅{_verb(kind)}")
    return _year_clause(row, period, optional) if kind else Words()


def _together(group: list) -> list[Words]:
    """Several figures that all rose or fell: 同比分别下降18.2%和9.5% / 同比均增长3.0%, flagged when they stand out."""
    pcts = [_percent(m) for m in group]
    directions = [m["direction"] for m in group]
    if len(set(directions)) == 1 and len({p.text for p in pcts}) == 1:
        clause = "同比均" + _verb(directions[0]) + pcts[0]
    elif len(set(directions)) == 1:
        clause = "同比分别" + _verb(directions[0]) + join("、", pcts[:-1]) + "和" + pcts[-1]
    else:
        clause = "同比分别" + join("、", (_verb(d) + p for d, p in zip(directions, pcts)))
    flagged = [m for m in group if unusual(m)]
    if not flagged:
        return [clause]
    degree = _degree(m["direction"] for m in flagged)
    return [clause, Words(degree if len(flagged) == len(group) else f"其中{'、'.join(m['label'] for m in flagged)}{degree}")]


# ---------------------------------------------------------------- paragraphs

_OPENERS = ("分{label}看，", "按{label}分，", "从{label}看，")


def area_paragraphs(tables, period: Period, catalogue: pd.DataFrame,
                    spec_dir: Path = LEDGER_SPEC_DIR) -> list[tuple[str, str]]:
    """(area, paragraph) for each area with data, in catalogue order of the areas' first indicators.

    `catalogue` holds the indicators to write (the caller leaves out ledgers without data in the period's year);
    `tables` maps ledger -> processed table, as `metrics` takes them.
    """
    areas = study(tables, period, catalogue, spec_dir)
    return [(area.name, _paragraph(area, period, note)) for area, note in zip(areas, _no_previous_notes(areas))]


def _no_previous_notes(areas: list[Area]) -> list[str]:
    """What each area's first sentence says about a year before without data, so that the briefing says
    上年无数据 once: when no area has the year before, the first says it for all (上年无数据，各项均不作同比); else each
    area without it names its ledgers (上年无燃气安全排查数据，不作同比)."""
    blank = [area.all_without_previous for area in areas]
    if blank and all(blank):
        return ["上年无数据，" + ("各项均不作同比" if len(areas) > 1 else "不作同比")] + [""] * (len(areas) - 1)
    return [f"上年无{'、'.join(area.without_previous)}数据，不作同比" if area.all_without_previous else ""
            for area in areas]


def _paragraph(area: Area, period: Period, no_previous: str = "") -> str:
    """The area's paragraph; `no_previous` is what its first sentence says of a year before without data."""
    said = Said()
    for group in area.groups:  # every figure of the area is stated: no optional clause may take it, in any form
        said.take(_group_said(group) + join("", (a for row in group for a in _amounts(row["value"], row))))
    clauses = join("", ("，" + c for c in _lead_clauses(area, period, said).clauses(area.main)))
    for note in (no_previous, _coverage_said(area, period)):
        if note:
            clauses += ("；" if clauses else "，") + note
    body = (period.label if area.main["value"] == 0 else period.lead) + _group_said(area.groups[0])
    said.add(area.name + "方面，" + body + clauses + "。")
    if area.without_previous and not area.all_without_previous:
        topics = "、".join(area.without_previous)
        said.add(f"上年无{topics}数据，相关指标不作同比。", f"{topics}无上年数据，相关指标不作同比。")
    for i, dimension in enumerate(area.dimensions):
        moves = join("，", [m for move in dimension.moves if (m := _move_said(dimension, move, area, period, said))])
        if not moves:
            continue
        said.add(*(_OPENERS[(i + k) % len(_OPENERS)].format(label=dimension.label) + moves + "。"
                   for k in range(len(_OPENERS))))
    if area.peak:
        peak = area.peak
        detail = said.optional(*("，" + _is(a) for a in _amounts(peak.value, area.main)))
        if detail:  # a 最多 without its figure says nothing a reader can check
            said.add(f"单月以{peak.month}月最多" + detail + "。", f"{peak.month}月最多" + detail + "。")
    if len(area.groups) > 1:
        items = [_group_said(group) + join("", ("，" + c for c in [_group_clause(group, period, said)] if c))
                 for group in area.groups[1:]]
        listed = join("；" if any("，" in item.text for item in items) else "，", items)
        said.add("此外，" + listed + "。", "另外，" + listed + "。")
    if area.silences:
        silent = "；".join(_silence_said(s) for s in area.silences)
        said.add(f"需要关注的是，{silent}，而上年同期各月均有记录，需核实是否漏报。",
                 f"值得注意的是，{silent}，而上年同期各月均有记录，需核实是否漏报。")
    return said.text


def _coverage_said(area: Area, period: Period) -> str:
    """三种经营整治台账仅有6月数据，不作同比 / 上年同期三种经营整治台账缺3—5月数据，不作同比: the area's ledgers that
    cover part of the period, or of the same period a year before ("" when none)."""
    parts = [f"{topic}台账仅有{months_label(months)}数据" for topic, months in area.partial]
    parts += [f"{period.versus_last_year}{topic}台账缺{months_label(months)}数据" for topic, months in area.previous_partial]
    return "，".join(parts) + "，不作同比" if parts else ""


def _group_clause(group: list, period: Period, said: Said) -> Words:
    """What stands out in a group of other figures: the 同比 change of those whose change is large
    (findings.large_change), that fell to 0 or rose from 0 (下降33.3%，降幅较大 / 上年为7处 / 上年为0)."""
    clauses = [(row, c) for row in group if (c := _stand_out(row, period, said.optional))]
    return join("，", (row["label"] + c if len(group) > 1 else c for row, c in clauses))  # named among several


def _move_said(dimension: Dimension, move: Move, area: Area, period: Period, said: Said) -> Words:
    """增加最多的是民主街道（2000余处，比上年多370余处） / 减少最多的是焦西街道（由上年的3处降为0） /
    民生街道最多，为2300余处; nothing when every figure the clause could carry is written already (a 最多 always
    carries its figure: its value, its change, its percent change or its figure before)."""
    row, level = area.main, _level(dimension, move)
    if move.kind == "top":
        detail = said.optional(*("，" + _is(a) for a in _amounts(move.value, row)))
        return level + "最多" + detail if detail else Words()
    value = said.optional(*_amounts(move.value, row)) if move.value else Words()
    word = _base_word(area.base, period)
    if move.kind == "up":
        change = Words(f"{word}为0") if move.previous == 0 else said.optional(
            *(f"比{word}多" + a for a in _amounts(move.value - move.previous, row)))
    elif move.value == 0:
        change = said.optional(*(f"由{word}的" + a + "降为0" for a in _amounts(move.previous, row)), "降为0")
    else:
        change = said.optional(*(f"比{word}少" + a for a in _amounts(move.previous - move.value, row)))
    details = [d for d in (value, change) if d] or [said.optional(
        *_level_percent(move, area.base), *(f"{word}为" + a for a in _amounts(move.previous, row)))]
    details = join("，", (d for d in details if d))
    head = f"{'增加' if move.kind == 'up' else '减少'}最多的是{level}"
    return head + "（" + details + "）" if details else Words()


def _level_percent(move: Move, base: Base) -> list[Words]:
    """A level's change in percent against the base (同比下降50.0% / 环比增长25.0%), when it has one that is not
    written 0.0%."""
    if not move.previous or round_half_up(abs(move.value - move.previous) / move.previous * 100, 1) == 0:
        return []
    pct = (move.value - move.previous) / move.previous * 100
    return [_versus("up" if pct > 0 else "down", pct, "环比" if base.month_before else "同比", "")]


def _silence_said(silence: Silence) -> str:
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
      0. a figure whose 同比 change stands out (findings.stands_out: large (findings.large_change), to 0 or from 0
         and, for a count, beyond chance), by the size of the change; a main figure with what drove it;
      1. sub-districts (or a whole ledger) without records for months, by the number of silent months;
      2. each area's main figure, its change and what drove it, by the size of the change (with nothing to
         compare with: the figure and its largest level);
      3. peak months, by how far they stand above the monthly average;
      4. the other figures' changes, by their size (findings.change_size, so that 1→2 does not outrank
         11237→12386).
    At most HIGHLIGHTS_PER_AREA come from one area while another still has one to give. All are written in one
    style (the figure first, never the area's name). No two open alike and no figure is written twice: a 要点 that
    would is written in its other shape (where it has one: a peak month, a silence, a figure without its driver), or
    left out.
    """
    areas = study(tables, period, catalogue, spec_dir)
    candidates = sorted((c for area in areas for c in _candidates(area, period)), key=lambda c: (c[0], -c[1]))
    said, per_area, chosen = Said(apart_all=True), {}, set()
    for capped in (True, False):
        for i, (_, _, area, shapes) in enumerate(candidates):
            if len(chosen) == limit or i in chosen or (capped and per_area.get(area, 0) == HIGHLIGHTS_PER_AREA):
                continue
            if said.add(*shapes, whole=True):
                chosen.add(i)
                per_area[area] = per_area.get(area, 0) + 1
    return said.sentences


def _candidates(area: Area, period: Period) -> list[tuple]:
    """(tier, size, area, shapes) for each 要点 the area could give."""
    main, found = area.main, []

    def add(tier, size, *bodies):
        found.append((tier, size, area.name, tuple(b + "。" for b in bodies)))

    said = _group_said(area.groups[0])
    if area.partial:  # its figure covers part of the period: said with it, every time
        said += "（" + "，".join(f"{topic}台账仅有{months_label(months)}数据" for topic, months in area.partial) + "）"
    if area.base is None:
        dimension = area.dimensions[0] if area.dimensions else None
        why = ("，其中" + _level(dimension, dimension.moves[0]) + "最多（" + _amounts(dimension.moves[0].value, main)[0]
               + "）") if dimension else Words()
        add(2, 0.0, *dict.fromkeys([said + why, said]))
    else:
        lead = _lead_clauses(area, period, Said())
        wanted = "down" if area.base.direction == "down" else "up"  # the move that explains the change
        driver = next(((d, m) for d in area.dimensions for m in d.moves if m.kind == wanted), None)
        why = []
        if driver:
            dimension, move = driver
            among = "" if any(c.text.startswith("其中") for c in lead.own) else "其中"  # not 其中…，其中…
            why = [among + _level(dimension, move) + ("增加" if move.kind == "up" else "减少") + "最多（"
                   + _amounts(move.value - move.previous, main)[0] + "）"]
        written = [row for row in area.groups[0] if row["value"] != 0 or row.name == main.name]
        size = max(change_size(row) for row in written)
        shapes = []
        for w in (why, []):  # the driver right after the change it explains; the 环比 named when it follows the driver
            month = [m] if (m := lead.month_named(main, bool(w) and not area.base.month_before)) else []
            shapes.append(join("，", [said, *lead.own, *(month + w if area.base.month_before else w + month),
                                     *lead.others]))
        add(0 if any(stands_out(row) for row in written) else 2, size, *dict.fromkeys(shapes))
    for row in (r for group in area.groups[1:] for r in group):
        if row["direction"] in ("up", "down", "zero_base"):
            add(0 if stands_out(row) else 4, change_size(row), _group_said([row]) + "，" + _year_clause(row, period))
    for silence in area.silences:
        silent = _silence_said(silence)
        found.append((1, float(silence.months), area.name,
                      (f"{silent}，而上年同期各月均有记录，需核实是否漏报。", f"需要关注的是，{silent}，需核实是否漏报。")))
    if area.peak:
        peak = area.peak
        found.append((3, peak.ratio, area.name, (
            main["label"] + f"以{peak.month}月最多，" + _is(_amounts(peak.value, main)[0]) + "。",
            f"{peak.month}月" + _fill(main["phrase"], main, peak.value) + "，为各月最多。")))
    return found

"""Sentences in the style of the bureau's yearly report, written from computed figures.

Input is a frame from `metrics.year_over_year` (or, without 同比 clauses, `metrics.indicator_values`):
one row per indicator with its phrase templates, figure and change; and the period (periods.Period).

  2023年共清理辖区三种经营12000余处，同比增长8.2%。
  2024年1—10月累计清理辖区三种经营9800余处，同比下降3.1%。
"""
from __future__ import annotations

import pandas as pd

from analysis.report.figures import format_percent
from analysis.report.periods import Period


def change_clause(row: pd.Series, period: Period) -> str:
    """The 同比 clause for one indicator, or "" when there is no previous year to compare with."""
    direction = row.get("direction", "no_previous")
    if direction == "up":
        return f"同比增长{format_percent(abs(row['pct']))}"
    if direction == "down":
        return f"同比下降{format_percent(abs(row['pct']))}"
    if direction == "flat":
        return f"与{period.versus_last_year}持平"
    if direction == "zero_base":
        return "上年同期为0"
    return ""


def _fill(template: str, row: pd.Series) -> str:
    return template.format(value=row["figure"], unit=row["unit"])


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

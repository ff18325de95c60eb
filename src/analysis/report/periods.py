"""The periods the bureau reports, and how they are written.

年报 (a year), 季报 (a quarter), 月报 (a month, also compared with the month before: 环比) and 1—N月累计 (the year
so far). A period is a year and a run of its months; it is compared with the same months of the year before (同比).

On the command line: 2024 (the year), 2024-Q2 (a quarter), 2024-06 (a month), 2024-01..2024-06 (months 1 to 6).
"""
from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass

QUARTERS = ("一", "二", "三", "四")


@dataclass(frozen=True)
class Period:
    year: int
    first: int = 1  # first month, 1..12
    last: int = 12  # last month, first..12
    cumulative: bool = False  # months 1..N written as the year so far (1—N月累计), even when N is 3, 6 or 9

    def __post_init__(self):
        if not (1 <= self.first <= self.last <= 12):
            raise ValueError(f"月份范围不对：{self.first}—{self.last}月")

    # ------------------------------------------------------------ what kind of period

    @property
    def kind(self) -> str:
        """year | quarter | month | ytd (months 1..N of the year) | range (any other run of months)."""
        if (self.first, self.last) == (1, 12):
            return "year"
        if self.first == self.last:
            return "month"
        if self.first == 1 and self.cumulative:
            return "ytd"
        if self.first % 3 == 1 and self.last == self.first + 2:
            return "quarter"
        return "ytd" if self.first == 1 else "range"

    @property
    def whole_year(self) -> bool:
        """All twelve months: the only period a figure filled once a year belongs to."""
        return (self.first, self.last) == (1, 12)

    @property
    def months(self) -> range:
        return range(self.first, self.last + 1)

    # ------------------------------------------------------------ how it is written

    @property
    def label(self) -> str:
        """2024年, 2024年第二季度, 2024年6月, 2024年1—6月."""
        kind = self.kind
        if kind == "year":
            return f"{self.year}年"
        if kind == "month":
            return f"{self.year}年{self.first}月"
        if kind == "quarter":
            return f"{self.year}年第{QUARTERS[(self.first - 1) // 3]}季度"
        return f"{self.year}年{self.first}—{self.last}月"

    @property
    def report_label(self) -> str:
        """How a report's title names the period: 2023年度 for a year, else as `label`."""
        return f"{self.year}年度" if self.kind == "year" else self.label

    @property
    def lead(self) -> str:
        """How a sentence about the period opens: 2023年共 / 2024年1—6月累计 / 2024年6月共."""
        return self.label + ("累计" if self.kind == "ytd" else "共")

    @property
    def key(self) -> str:
        """The period as the command line writes it, and as its reports folder is named: 2024, 2024-Q2, 2024-06."""
        kind = self.kind
        if kind == "year":
            return str(self.year)
        if kind == "month":
            return f"{self.year}-{self.first:02d}"
        if kind == "quarter":
            return f"{self.year}-Q{(self.first + 2) // 3}"
        return f"{self.year}-{self.first:02d}..{self.year}-{self.last:02d}"  # written so that parse_period reads it back

    @property
    def same_last_year(self) -> Period:
        """The same months of the year before (同比)."""
        return Period(self.year - 1, self.first, self.last, self.cumulative)

    @property
    def previous(self) -> Period | None:
        """The month before a month (环比, across the year boundary); None for other periods."""
        if self.kind != "month":
            return None
        return Period(self.year, self.first - 1, self.first - 1) if self.first > 1 else Period(self.year - 1, 12, 12)

    @property
    def versus_last_year(self) -> str:
        """与上年持平 for a year, 与上年同期持平 for part of one."""
        return "上年" if self.kind == "year" else "上年同期"


def months_label(months) -> str:
    """Months as a sentence names them, runs joined: (6,) 6月; (1, 2, 3, 6) 1—3月、6月."""
    runs, months = [], sorted(months)
    for m in months:
        if runs and m == runs[-1][1] + 1:
            runs[-1][1] = m
        else:
            runs.append([m, m])
    return "、".join(f"{a}月" if a == b else f"{a}—{b}月" for a, b in runs)


def year_so_far(year: int, months: int = 12) -> Period:
    """Months 1..N of a year: 2023年 when N is 12, else 2024年1—N月 (累计)."""
    return Period(year, 1, months, cumulative=True)


_PATTERNS = [
    (re.compile(r"(\d{4})"), lambda m: Period(int(m[1]))),
    (re.compile(r"(\d{4})-?[Qq]([1-4])"), lambda m: Period(int(m[1]), 3 * int(m[2]) - 2, 3 * int(m[2]))),
    (re.compile(r"(\d{4})-(\d{1,2})"), lambda m: Period(int(m[1]), int(m[2]), int(m[2]))),
    (re.compile(r"(\d{4})-(\d{1,2})\.\.(\d{4})-(\d{1,2})"), lambda m: _range(m)),
]


def _range(m) -> Period:
    if m[1] != m[3]:
        raise ValueError("起止月份须在同一年内（如 2024-01..2024-06）")
    return Period(int(m[1]), int(m[2]), int(m[4]), cumulative=True)


def parse_period(text: str) -> Period:
    """2024, 2024-Q2, 2024-06 or 2024-01..2024-06 (ValueError in Chinese otherwise)."""
    text = text.strip()
    for pattern, make in _PATTERNS:
        if match := pattern.fullmatch(text):
            try:
                return make(match)
            except ValueError as error:
                raise ValueError(f"“{text}”不是有效的统计期间：{error}") from None
    raise ValueError(f"“{text}”不是有效的统计期间；应写成 2024（全年）、2024-Q2（季度）、2024-06（月份）"
                     "或 2024-01..2024-06（1—6月累计）")


def format_date(day: dt.date) -> str:
    """2026年11月24日 (no zero padding, as in official documents)."""
    return f"{day.year}年{day.month}月{day.day}日"


def generation_date() -> dt.date:
    """The date a report says it was made: today, or SOURCE_DATE_EPOCH's date (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.date.today()

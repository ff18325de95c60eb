"""How a period is written: 2023年, 2024年1—10月, 2024年1月, and how a sentence about it opens."""
from __future__ import annotations


def period_label(year: int, months: int = 12) -> str:
    """2023年 (the whole year), 2024年1月, 2024年1—10月 (the year so far)."""
    if months >= 12:
        return f"{year}年"
    if months == 1:
        return f"{year}年1月"
    return f"{year}年1—{months}月"


def period_lead(year: int, months: int = 12) -> str:
    """How a sentence opens: 2023年共 / 2024年1月共 / 2024年1—10月累计."""
    return period_label(year, months) + ("累计" if 1 < months < 12 else "共")

"""How numbers are written in words: a figure in the report's style (12000余, 约4714, 2714), a percentage (8.2%),
and a plain number in tables and on charts (12,386). Every number a reader sees goes through one of these."""
from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

# Below this a 余 figure is written exactly: "45余处" would say less than "45处".
ROUNDING_FLOOR = 100
MINUS = "\u2212"


def round_half_up(value: float, digits: int) -> Decimal:
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
    余<step>: "more than", rounded down to a multiple of step (余10: 8734 -> "8730余"; 余100: 16352 -> "16300余"),
        as the report writes some figures, never coarser than 余 (余100: 199 -> "190余"), exactly when that
        changes nothing or the value is below 100;
    约: "about" -> 约 + the value rounded half up to an integer (4714.3 -> "约4714").
    NA -> "—".
    """
    if value is None or pd.isna(value):
        return "—"
    if style == "约":
        return f"约{round_half_up(value, 0)}"
    if style.startswith("余"):
        step = int(style[1:] or 0)
        # A fixed step never says less than 余 would (199 with 余100 is 190余, not 100余).
        low = max(math.floor(value) // step * step, round_down_figure(value)) if step else round_down_figure(value)
        if low >= ROUNDING_FLOOR and low != value:
            return f"{low}余"
    if float(value).is_integer():
        return str(int(value))
    return f"{round_half_up(value, 2)}".rstrip("0").rstrip(".")


def format_percent(pct: float) -> str:
    """8.24 -> "8.2%" (one decimal, half up); NA -> "—"."""
    if pct is None or pd.isna(pct):
        return "—"
    rounded = round_half_up(pct, 1)
    return f"{abs(rounded) if rounded == 0 else rounded}%"


def plain_number(value, unit: str = "", *, thousands: bool = True, minus: str = "-") -> str:
    """A number in a table or on a chart: whole numbers without decimals, others with one; 12,386 with
    `thousands`; NA as —. Charts pass minus=MINUS (U+2212, drawn by the shipped font)."""
    if value is None or pd.isna(value):
        return "—"
    value = float(value)
    sep = "," if thousands else ""
    text = f"{value:{sep}.0f}" if value.is_integer() else f"{value:{sep}.1f}"
    return text.replace("-", minus) + unit


def signed_number(value, unit: str = "") -> str:
    """A change as a table writes it: +1,244处, -59处, 0处, — (plain_number's form, with the sign of an increase)."""
    text = plain_number(value, unit)
    return "+" + text if value is not None and not pd.isna(value) and value > 0 else text

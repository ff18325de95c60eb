"""Excel number formats → how a number cell is shown: with a percent sign, with a currency, or as a date python-calamine
does not recognise; the same for .xlsx (styles.xml) and .xls (FORMAT and XF records).

A cell's style (its s="k" in the sheet XML, its XF index in BIFF8) leads to a number format: a code declared in the
workbook (numFmt, FORMAT) or, when none is declared under that id, one of Excel's built-in formats (ECMA-376 Part 1,
18.8.30, with the zh-CN codes for the East Asian ids 27–36 and 50–58). A declared code takes precedence over the
built-in one of the same id, in Excel and in calamine alike.

- "percent": a percent sign is shown (built-in 9 and 10, or % outside brackets: unquoted, escaped or quoted);
- "currency": a currency is shown (built-in 5–8, 42 and 44; ¥ ￥ $ € £ or 元 outside brackets, quoted or not; a
  [$¥-804] bracket with a symbol before its locale). Built-in 37–41 and 43 show thousands and parentheses but no
  symbol: a plain number;
- "date": a date or time format that python-calamine reads as a plain number. Calamine (python-calamine 0.9.1)
  turns the built-in ids 14–22, 27–36, 45–47 and 50–58 and any code with y, m, d, h, s or AM/PM outside quotes and
  brackets into date, datetime or time values (and [h]:mm elapsed time into timedelta), the workbook's 1904 date
  system respected. It misses codes whose only date parts are the weekday (aaa, aaaa: 星期三), the era year (e)
  or era name (g), or the Buddhist year (bbbb): such cells are converted here (excel_date) to the same types.
  calamine_sees_date mirrors calamine's rule (calamine's src/formats.rs); tests/test_read_cell_formats.py checks it
  against the installed calamine.

Anything else (General, 0, 0.00, #,##0, text @, scientific, fractions) is a plain number and is not recorded.
"""
from __future__ import annotations

import datetime as dt

PERCENT, CURRENCY, DATE = "percent", "currency", "date"

# Built-in ids without a declared code; calamine reads all built-in date ids as dates, so none is DATE here.
_BUILTIN_CLASS = {5: CURRENCY, 6: CURRENCY, 7: CURRENCY, 8: CURRENCY, 42: CURRENCY, 44: CURRENCY,
                  9: PERCENT, 10: PERCENT}

_CURRENCY_SIGNS = frozenset("¥￥$€£元")


def style_classes(format_ids: list[int], declared: dict[int, str]) -> dict[int, str]:
    """Style index → PERCENT, CURRENCY or DATE (a date calamine misses), for the styles that have one;
    `format_ids` holds the number format id of each style in order, `declared` the codes the workbook declares."""
    by_format: dict[int, str | None] = {}
    found = {}
    for index, fmt in enumerate(format_ids):
        if fmt not in by_format:
            code = declared.get(fmt)
            by_format[fmt] = _BUILTIN_CLASS.get(fmt) if code is None else code_class(code)
        if by_format[fmt] is not None:
            found[index] = by_format[fmt]
    return found


def code_class(code: str) -> str | None:
    """PERCENT, CURRENCY, DATE (a date or time format calamine reads as a number) or None for a format code."""
    sections = _sections(code)
    numeric = [s for s in sections[:3] if not any(kind == "text" for kind, _ in s)]
    shown = "".join(ch for s in numeric for kind, ch in s if kind in ("plain", "escaped", "quoted"))
    if "%" in shown:
        return PERCENT
    if any(ch in _CURRENCY_SIGNS for ch in shown) or any(_bracket_currency(ch) for s in numeric for kind, ch in s
                                                          if kind == "bracket"):
        return CURRENCY
    if sections and _weekday_or_era_only(sections[0]) and not calamine_sees_date(code):
        return DATE
    return None


def _sections(code: str) -> list[list[tuple[str, str]]]:
    """The sections of a format code (split at ; outside quotes), each as (kind, text) pieces: "quoted" (inside
    double quotes, one per character), "escaped" (after a backslash), "plain" (a format token or a character shown
    as it is), "skip" (the character after _ or *: a width or a fill), "bracket" (the inside of […]), "text" (@)."""
    sections: list[list[tuple[str, str]]] = [[]]
    i, n = 0, len(code)
    while i < n:
        ch = code[i]
        if ch == '"':
            end = code.find('"', i + 1)
            end = n if end < 0 else end
            sections[-1].extend(("quoted", c) for c in code[i + 1:end])
            i = end + 1
            continue
        if ch == "\\" and i + 1 < n:
            sections[-1].append(("escaped", code[i + 1]))
            i += 2
            continue
        if ch in "_*" and i + 1 < n:
            sections[-1].append(("skip", code[i + 1]))
            i += 2
            continue
        if ch == "[":
            end = code.find("]", i + 1)
            end = n if end < 0 else end
            sections[-1].append(("bracket", code[i + 1:end]))
            i = end + 1
            continue
        if ch == ";":
            sections.append([])
        elif ch == "@":
            sections[-1].append(("text", ch))
        else:
            sections[-1].append(("plain", ch))
        i += 1
    return sections


def _bracket_currency(inside: str) -> bool:
    """[$¥-804], [$USD-409], [$€]: a currency symbol before the locale; [$-804] is a locale only."""
    return inside.startswith("$") and inside[1:].split("-", 1)[0].strip() != ""


def _weekday_or_era_only(section: list[tuple[str, str]]) -> bool:
    """A section whose date parts are weekday (aaa), era (e, g) or Buddhist year (b) tokens, with no digit
    placeholders: a date format, whatever calamine says of it."""
    text = "".join(ch for kind, ch in section if kind == "plain")
    lowered = text.lower().replace("general", "").replace("g/通用格式", "")
    if any(ch in lowered for ch in "0#?"):
        return False
    return "aaa" in lowered or "e" in lowered or "g" in lowered or "bb" in lowered


def calamine_sees_date(code: str) -> bool:
    """Whether python-calamine reads numbers of this declared format code as dates or times: a port of
    calamine's detect_custom_number_format (first section only; quotes, brackets and escaped characters skipped;
    an "a" opens AM/PM; [h] [m] [s] are elapsed time)."""
    escaped = quoted = ap = hms = False
    brackets = 0
    prev = " "
    for ch in code:
        if escaped:
            escaped = False
        elif ch in "_\\*":
            escaped = True
        elif quoted:
            if ch == '"':
                quoted = False
        elif ch == '"':
            quoted = True
        elif ch == ";":
            return False
        elif ch == "[":
            brackets += 1
        elif ch == "]" and brackets == 1 and hms:
            return True
        elif ch == "]":
            brackets = max(0, brackets - 1)
        elif ch in "aA" and not ap and brackets == 0:
            ap = True
        elif ch in "pm/PM" and ap and brackets == 0:
            return True
        elif ch in "dmhysDMHYS" and not ap and brackets == 0:
            return True
        elif not (hms and ch.lower() == prev.lower()):
            hms = prev == "[" and ch in "mhsMHS"
        prev = ch
    return False


_EPOCH_1900 = dt.datetime(1899, 12, 30)
_EPOCH_1904 = dt.datetime(1904, 1, 1)
_LAST_SERIAL = 2_958_465  # 9999-12-31 in the 1900 system


def excel_date(serial: float, date1904: bool) -> dt.date | dt.datetime | dt.time | float:
    """An Excel date serial as the type calamine gives for the date formats it recognises: a date for a whole
    day, a datetime with a time of day, a time below one day, to the millisecond; serials that are no date (below
    zero, past 9999) stay numbers. Serials below 60 in the 1900 system count from 31 December 1899 (Excel's
    fictitious 29 February 1900, 60, is the 28th, as in calamine)."""
    if serial < 0 or serial > _LAST_SERIAL:
        return serial
    milliseconds = round(serial * 86_400_000)
    if serial < 1:
        return (dt.datetime.min + dt.timedelta(milliseconds=milliseconds)).time()
    if not date1904 and serial < 60:
        milliseconds += 86_400_000
    try:
        moment = (_EPOCH_1904 if date1904 else _EPOCH_1900) + dt.timedelta(milliseconds=milliseconds)
    except OverflowError:
        return serial
    return moment.date() if moment.time() == dt.time(0) else moment

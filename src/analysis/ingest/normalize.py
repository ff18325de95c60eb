"""Normalisers for single raw values: dates, numbers, flags, sub-districts, categories, text.

Each takes one distinct raw value and returns (value, None) or (None, reason in Chinese); callers
apply them to the distinct values of a column and map, never cell by cell. They never raise on
any input. Blank cells are handled by the caller (see cleaning.py), so here a blank is an error.
"""
from __future__ import annotations

import datetime as dt
import decimal
import difflib
import math
import re
import unicodedata
from dataclasses import dataclass

_SPACES = re.compile(r"\s+")
_UNIT_SUFFIX = re.compile(r"[（(]([^（）()]*)[）)]$")
_DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")
_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
_YEAR_HINT = re.compile(r"(20\d{2})\s*年")
_YEAR_HINT_LOOSE = re.compile(r"(?<!\d)(20\d{2})(?!\d)")

# Dates as text. White space may stand between the parts of a date, never inside a number: the text is matched
# as written (folded to half-width), so that "2024-6-1 8:05" cannot become 2024-06-18. A date is one of:
# y-m-d, y/m/d, y.m.d (one separator throughout), y年m月d日 (or 号), yyyymmdd, m月d日; a bare number (an Excel
# serial such as 45352) is recognised only to be rejected with its reason. Then,
# optionally, a weekday that must agree with the date, and a time of day (dropped); nothing else.
_DASH_LIKE = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63"  # ‐ ‑ ‒ – — ― − ﹘ ﹣ (NFKC keeps them)
_DASHES = str.maketrans(dict.fromkeys(_DASH_LIKE, "-"))
_DATE_TEXT = re.compile(r"""
      (?P<y>\d{4}) \s* (?P<sep>[-/.]) \s* (?P<m>\d{1,2}) \s* (?P=sep) \s* (?P<d>\d{1,2})
    | (?P<cy>\d{4}) \s* 年 \s* (?P<cm>\d{1,2}) \s* 月 \s* (?P<cd>\d{1,2}) (?P<cday>\s*[日号])?
    | (?P<compact>\d{8})
    | (?P<mm>\d{1,2}) \s* 月 \s* (?P<md>\d{1,2}) (?P<mday>\s*[日号])?
    | (?P<serial>\d{5}\.\d+ | \d{1,5}(?:\.0+)?)
""", re.VERBOSE)
_WEEKDAY = re.compile(r"\s*\(?\s*(?:星期|礼拜|周)(?P<w>[一二三四五六日天])\s*\)?")
_WEEKDAYS = "一二三四五六日"
# A time of day: 9:30, 09:30:00, 09:30:00.123, 9:30 PM, 上午9:30, 下午14:30, 14时30分, 14时30分15秒, 8点, 8点半;
# in ISO form after "T", with no zone or China's (+08:00): another zone could put the written day on another date.
_TIME = re.compile(r"""
    (?:(?P<half>上午|下午|早上|中午|晚上|凌晨)\s*)?
    (?: (?P<h>\d{1,2}) \s*:\s* (?P<mi>\d{2}) (?:\s*:\s* (?P<s>\d{2}) (?:\.\d{1,9})? )?
      | (?P<ch>\d{1,2}) \s* [时点] (?: \s* (?P<cmi>\d{1,2}) (?:\s*分 (?:\s* (?P<cs>\d{1,2}) \s*秒)? )? | \s*半 )? )
    (?:\s* (?P<ampm>[AaPp]\.?[Mm]\.?))?
    (?:\s* \+08(?::?00)?)?
""", re.VERBOSE)
# Personal numbers that may hide in free text, found on a half-width shadow of the text (_SHADOW):
# mainland mobiles (with or without +86), landlines with an area code, 18-digit ID numbers, and any run of 15
# or more digits (old ID numbers, bank cards); single spaces or hyphens may stand between the digits.
_SEP = r"[ -]?"
_PERSONAL_NUMBER = re.compile(r"(?<!\d)(?:" + "|".join((
    rf"(?:\+?86{_SEP})?1{_SEP}[3-9](?:{_SEP}\d){{9}}",
    rf"0{_SEP}[1-9](?:{_SEP}\d){{1,2}}[ )-]?[2-9](?:{_SEP}\d){{6,7}}",
    rf"\d(?:{_SEP}\d){{16}}{_SEP}X",
    rf"\d(?:{_SEP}\d){{14,}}",
)) + r")(?!\d)")
# Characters that stand for a digit, a space, a hyphen or the X of an ID number in other widths, one for one.
_SHADOW = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)}, "Ｘ": "X", "ｘ": "X", "x": "X",
                         "－": "-", "）": ")", **dict.fromkeys(_DASH_LIKE, "-"),
                         **dict.fromkeys("\t\n\r\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
                                         "\u2009\u200a\u202f\u205f\u3000", " ")})
# Every personal number above has ten digits or more in a row (with separators): texts without such a run, nearly
# all, are passed over by one quick scan of the text as written.
_SHADOWED = "".join(sorted(set(map(chr, _SHADOW)) - {"X", "x", "Ｘ", "ｘ"}))
_DIGIT_RUN = re.compile(rf"\d[\d {re.escape(_SHADOWED)})-]{{8,}}\d")
MASK = "［已隐去］"
# Whole numbers written in Chinese numerals, up to 九十九 (三处, 两处, 十二处, 二十个).
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_SMALL = re.compile(r"^(?:(?P<unit>[零〇一二两三四五六七八九])|(?P<tens>[二三四五六七八九])?十(?P<ones>[一二三四五六七八九])?)$")


def fold(text: str) -> str:
    """Full-width letters, digits and brackets made half-width (NFKC)."""
    return unicodedata.normalize("NFKC", text)


def is_blank(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, str):
        return not value.strip()
    return False


def value_key(value) -> str:
    """How a categorical value is compared: folded, without any white space."""
    return _SPACES.sub("", fold(str(value)))


def split_header(text) -> tuple[str, str | None]:
    """Header text → (comparable name, unit in trailing brackets or None): 数量（处） → (数量, 处)."""
    key = value_key(text).rstrip("*＊:：")
    unit = None
    m = _UNIT_SUFFIX.search(key)
    if m and m.start() > 0:
        unit = m.group(1) or None
        key = key[: m.start()]
    return key, unit


def header_key(text) -> str:
    return split_header(text)[0]


def cell_text(value) -> str:
    """A raw cell as a person reads it (used in messages and rejects)."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    return str(value).strip()


def text_key(value) -> str:
    """value_key(cell_text(value)): how a cell compares with header and 合计/表尾 words (fast for plain cells)."""
    cls = value.__class__
    if cls is str:
        if value.isascii() and value.isprintable() and " " not in value:
            return value  # printable ASCII without spaces: nothing to strip, fold or remove
    elif cls is float:
        if value != value:
            return ""
        return str(int(value)) if value.is_integer() else str(value)  # ASCII without spaces, as cell_text gives
    elif cls is int:
        return str(value)
    elif cls is dt.datetime and value.time() == dt.time(0):
        return value.date().isoformat()
    return value_key(cell_text(value))


def bare_number_reason(value) -> str:
    """Why a plain number in a date column is no date: Excel shows it as that number (a date cell holds the same
    number with a date format, which the reader returns as a date), so taking it for the day it would count to
    is a guess the analyst cannot see."""
    return (f"日期列中是一个数字“{cell_text(value)}”，单元格没有设为日期格式，在 Excel 中显示的也不是日期；"
            "请把单元格设为日期格式，或写成 2024-03-05")


@dataclass(frozen=True)
class Years:
    """The years a title names: one (2023年), or a span (2023—2024年度, 2023年11月至2024年3月, a heating season).
    Dates may fall in any year of the span; 3月5日 is completed with the year its month falls in, which a span can
    tell only when it covers less than a year and its first month is written (11 for 2023年11月至2024年3月); a month
    outside such a span, or under any other span, is not completed (rejected with the reason)."""
    first: int
    last: int
    start_month: int | None = None
    end_month: int | None = None

    def allows(self, y: int) -> bool:
        return self.first <= y <= self.last

    def for_month(self, month: int) -> int | None:
        if self.first == self.last:
            return self.first
        if self.last != self.first + 1 or not self.start_month:
            return None
        if self.end_month is not None and (self.end_month >= self.start_month or self.end_month < month < self.start_month):
            return None  # a span of a year or more, or a month outside the span
        return self.first if month >= self.start_month else self.last

    def __str__(self) -> str:
        if self.first == self.last:
            return f"“{self.first}年”"
        start = f"{self.start_month}月" if self.start_month else ""
        end = f"{self.end_month}月" if self.end_month else ""
        return f"“{self.first}年{start}至{self.last}年{end}”"


# A span of years in a title: 2023—2024年度, 2023-2024年, 2023/2024年度, 2023年度至2024年度, 2023年11月至2024年3月,
# 2023.11-2024.3, 2023-12-01至2024-01-31, 2023年11月15日—2024年3月15日 (dashes folded to "-" first).
_SPAN_END = r"\s*(?:年度?\s*)?(?:[./-]?\s*(\d{1,2})\s*月?(?:\s*[./-]?\s*\d{1,2}\s*[日号]?)?)?"
_YEAR_SPAN = re.compile(rf"(?<![\d.:-])(20\d{{2}}){_SPAN_END}\s*(?:-+|~|〜|～|/|至|到)\s*(20\d{{2}})(?!\d){_SPAN_END}")


# A year standing on its own (not inside a number, a date or a phone number such as 0391-2023-2024).
_YEAR_MENTION = re.compile(r"(?<![\d.:/-])(20\d{2})(?!\d)")


def title_years(*texts: str) -> Years | None:
    """The years the first text that names any gives: the year it names first (as year_hint), or the span that
    starts there (a span further on, 依据2017-2020年行动方案 or a phone number, is not the title's)."""
    for text in texts:
        if not text:
            continue
        folded = fold(str(text)).translate(_DASHES)
        found = [m for m in (_YEAR_HINT.search(folded), _YEAR_MENTION.search(folded)) if m]
        if not found:
            continue
        first = min(found, key=lambda m: m.start())
        span = _YEAR_SPAN.match(folded, first.start())
        if span and 0 < int(span.group(3)) - int(span.group(1)) <= 5:
            return Years(int(span.group(1)), int(span.group(3)), _month(span.group(2)), _month(span.group(4)))
        return Years(int(first.group(1)), int(first.group(1)))
    return None


def _month(text: str | None) -> int | None:
    return int(text) if text and 1 <= int(text) <= 12 else None


def year_hint(*texts: str) -> int | None:
    """The first year written in the texts, in order of preference (sheet title, sheet name, file name)."""
    for text in texts:
        if not text:
            continue
        folded = fold(str(text))
        m = _YEAR_HINT.search(folded) or _YEAR_HINT_LOOSE.search(folded)
        if m:
            return int(m.group(1))
    return None


def _date(y: int, m: int, d: int):
    try:
        return dt.date(y, m, d), None
    except ValueError:
        return None, "日期无法识别"


_YEAR_TEXT = re.compile(r"(\d{4})\s*(?:年度?)?")


def parse_year(value):
    """A year (the key of a ledger filled once a year): 2023, 2023.0, "2023", "2023年", "2023年度"."""
    if isinstance(value, bool) or isinstance(value, (dt.date, dt.datetime)):
        return None, "年份无法识别"  # a date in a 年度 column is more likely the day the sheet was filled
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
            return None, "年份无法识别"
        value = str(int(value))
    if not isinstance(value, str):
        return None, "年份无法识别"
    m = _YEAR_TEXT.fullmatch(fold(value).strip())
    return (int(m.group(1)), None) if m else (None, "年份无法识别")


def parse_date(value, year: int | None = None):
    """A date from any of the forms ledgers use; `year` completes 3月5日. A time of day is dropped."""
    if isinstance(value, dt.datetime):
        return value.date(), None
    if isinstance(value, dt.date):
        return value, None
    if isinstance(value, bool):
        return None, "日期无法识别"
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return None, "日期无法识别"
        if float(value).is_integer() and 19000101 <= value <= 21001231:
            v = int(value)
            return _date(v // 10000, v // 100 % 100, v % 100)
        return None, bare_number_reason(value)
    if not isinstance(value, str):
        return None, "日期无法识别"
    return _parse_date_text(fold(value).translate(_DASHES).strip(), year)


def _parse_date_text(text: str, year: int | None):
    m = _DATE_TEXT.match(text)
    if m is None or not _only_time_after(m, text[m.end():]):
        return None, "日期无法识别"
    g = m.groupdict()
    if g["serial"]:
        return None, bare_number_reason(g["serial"])
    if g["mm"]:
        month = int(g["mm"])
        y = year.for_month(month) if isinstance(year, Years) else year
        if y is None:
            if isinstance(year, Years):
                return None, f"日期只有月日，而表格标题写的是{year}，不能确定是哪一年（或不在其中）"
            return None, "日期只有月日，且表格标题、工作表名和文件名中都没有年份"
        d, reason = _date(y, month, int(g["md"]))
    elif g["compact"]:
        c = g["compact"]
        d, reason = _date(int(c[:4]), int(c[4:6]), int(c[6:]))
    elif g["y"]:
        d, reason = _date(int(g["y"]), int(g["m"]), int(g["d"]))
    else:
        d, reason = _date(int(g["cy"]), int(g["cm"]), int(g["cd"]))
    weekday = _WEEKDAY.match(text, m.end())
    if d is not None and weekday and _WEEKDAYS.index(weekday["w"].replace("天", "日")) != d.weekday():
        return None, f"日期与星期不符（{d.month}月{d.day}日不是星期{weekday['w']}）"
    return d, reason


def _only_time_after(date: re.Match, rest: str) -> bool:
    """Whether what follows a date is nothing, or a weekday and/or a time of day (apart from it, as written)."""
    if date["serial"]:
        return not rest
    weekday = _WEEKDAY.match(rest)
    if weekday:
        rest = rest[weekday.end():]
    if not rest:
        return True
    ends_in_word = weekday or date["cday"] or date["mday"]
    if rest[0].isspace() or (rest[0] == "T" and not ends_in_word):
        rest = rest[1:].lstrip()
    elif not ends_in_word:
        return False  # "2024-6-18:05" is no date followed by a time
    t = _TIME.fullmatch(rest)
    if t is None:
        return False
    hour, minute, second = (t["h"] or t["ch"]), (t["mi"] or t["cmi"] or "0"), (t["s"] or t["cs"] or "0")
    return int(hour) <= (12 if t["ampm"] else 23) and int(minute) <= 59 and int(second) <= 59


# 1.5万 = 15000, 2.3千 = 2300: computed in decimal (1.5 × 10000 exactly), before the float is made.
_MULTIPLIERS = {"万": 10_000, "千": 1_000}


def parse_number(value, prefixes=(), suffixes=(), units=()):
    """A number from 12, "12处", "约120", "120余", "1,050", "1 050", "85.5平方米", "120㎡", full-width digits,
    whole numbers up to 九十九 in Chinese numerals ("三处", "两处", "十二处"), and any of these times 万 or 千
    ("1.5万", "1.2万平方米", "约2.3千处", "三万")."""
    if isinstance(value, bool):
        return None, "数值无法识别"
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return None, "数值无法识别"
        return float(value), None
    if isinstance(value, (dt.date, dt.time)):  # a number under a date format: Excel shows a date, not the number
        return None, f"单元格是日期或时间格式（显示为“{cell_text(value)}”），不是数字"
    text = value_key(value)
    if text.startswith("#"):  # Excel error values: #REF!, #DIV/0!, #N/A, #VALUE!
        return None, f"单元格为公式错误值“{text}”"
    for p in prefixes:
        if text.startswith(p):
            text = text[len(p):]
            break
    changed = True
    while changed:  # "120余处", "120处余": units and 余 in either order
        changed = False
        for s in (*units, *suffixes):
            if text.endswith(s) and len(text) > len(s):
                text, changed = text[: -len(s)], True
                break
    times = 1
    if len(text) > 1 and text[-1] in _MULTIPLIERS:
        text, times = text[:-1], _MULTIPLIERS[text[-1]]
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    if _DECIMAL.match(text):
        return (float(text) if times == 1 else float(decimal.Decimal(text) * times)), None
    n = chinese_numeral(text)
    if n is not None:
        return float(n * times), None
    return None, "数值无法识别"


def chinese_numeral(text: str) -> int | None:
    """A whole number from 零 to 九十九 written in Chinese numerals (三, 两, 十二, 二十), else None."""
    m = _CN_SMALL.match(text)
    if m is None:
        return None
    if m["unit"]:
        return _CN_DIGITS[m["unit"]]
    return 10 * _CN_DIGITS[m["tens"] or "一"] + _CN_DIGITS[m["ones"] or "零"]


def parse_flag(value, true_keys, false_keys):
    if isinstance(value, bool):
        return value, None
    key = value_key(cell_text(value))
    if key in true_keys:
        return True, None
    if key in false_keys:
        return False, None
    return None, "是/否无法识别"


def closest(text: str, names, strip: str = "") -> str:
    """The candidates most like `text` (ties all named, "、"-joined), for the "最接近：…" hint; "" if none is alike."""
    short = text.removesuffix(strip) if strip else text
    scored = [(difflib.SequenceMatcher(None, short, n.removesuffix(strip) if strip else n).ratio(), n) for n in names]
    best = max((score for score, _ in scored), default=0.0)
    if best == 0.0:
        return ""
    return "、".join(n for score, n in scored if score == best)


def parse_subdistrict(value, lookup: dict, canonical):
    key = value_key(cell_text(value))
    if key in lookup:
        return lookup[key], None
    hint = closest(key, canonical, strip="街道")
    return None, f"未知街道“{cell_text(value)}”，" + (f"最接近：{hint}" if hint else "与九个街道都不相近")


def parse_category(value, lookup: dict, label: str, choices, other: str | None):
    key = value_key(cell_text(value))
    if key in lookup:
        return lookup[key], None
    if other is not None:
        return other, None
    return None, f"未知{label}“{cell_text(value)}”，可选：{'、'.join(choices)}"


def mask_personal_numbers(text: str) -> str:
    """Mobile, landline, ID and other long numbers replaced by ［已隐去］, in any width and with spaces or hyphens
    inside (names cannot be told from shop names in free text). The numbers are found on a copy of the text made
    half-width character for character, so that the rest of the text is kept as written."""
    if _DIGIT_RUN.search(text) is None:
        return text
    spans = [m.span() for m in _PERSONAL_NUMBER.finditer(text.translate(_SHADOW))]
    for start, end in reversed(spans):
        text = text[:start] + MASK + text[end:]
    return text


def clean_text(value):
    """Free text: trimmed, inner white space collapsed, phone and ID numbers masked."""
    return mask_personal_numbers(_SPACES.sub(" ", cell_text(value)).strip()), None


def shown_label(text: str) -> str:
    """A header or other label as shown to a person: on one line (white space between Chinese characters removed,
    elsewhere one space), personal numbers masked."""
    parts = str(text).split()
    out = parts[0] if parts else ""
    for part in parts[1:]:
        out += part if not (out[-1].isascii() and part[0].isascii()) else " " + part
    return mask_personal_numbers(out)


def neutralise_formula(text: str) -> str:
    """A text cell that a spreadsheet would run as a formula is written with a leading apostrophe."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text

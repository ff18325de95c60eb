"""Normalisers for single raw values: dates, numbers, flags, sub-districts, categories, text.

Each takes one distinct raw value and returns (value, None) or (None, reason in Chinese); callers
apply them to the distinct values of a column and map, never cell by cell. They never raise on
any input. Blank cells are handled by the caller (see cleaning.py), so here a blank is an error.
"""
from __future__ import annotations

import datetime as dt
import difflib
import math
import re
import unicodedata

EXCEL_EPOCH = dt.date(1899, 12, 30)
# Serial numbers from 1 to 99999 are Excel dates (1900-01-01 … 2173); eight digits are yyyymmdd.
MAX_EXCEL_SERIAL = 99999

_SPACES = re.compile(r"\s+")
_UNIT_SUFFIX = re.compile(r"[（(]([^（）()]*)[）)]$")
_YMD = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:\D.*)?$")
_YMD_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MD = re.compile(r"^(\d{1,2})月(\d{1,2})[日号]?$")
_SERIAL = re.compile(r"^\d{1,5}(\.0+)?$")
_DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")
_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
_YEAR_HINT = re.compile(r"(20\d{2})\s*年")
_YEAR_HINT_LOOSE = re.compile(r"(?<!\d)(20\d{2})(?!\d)")
# Personal numbers that may hide in free text: mainland mobiles and 18-digit ID numbers.
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d(?:[\s-]?\d{4}){2}(?!\d)")
_ID_NUMBER = re.compile(r"(?<!\d)\d{6}(?:19|20)\d{2}[01]\d[0-3]\d\d{3}[\dXx](?!\d)")
MASK = "［已隐去］"


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


def parse_date(value, year: int | None = None):
    """A date from any of the forms ledgers use; `year` completes 3月5日."""
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
        if 1 <= value <= MAX_EXCEL_SERIAL:
            return EXCEL_EPOCH + dt.timedelta(days=int(value)), None
        return None, "日期无法识别"
    text = value_key(value)
    m = _YMD.match(text) or _YMD_COMPACT.match(text)
    if m:
        return _date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _MD.match(text)
    if m:
        if year is None:
            return None, "日期只有月日，且表格标题、工作表名和文件名中都没有年份"
        return _date(year, int(m.group(1)), int(m.group(2)))
    if _SERIAL.match(text):
        return parse_date(float(text), year)
    return None, "日期无法识别"


def parse_number(value, prefixes=(), suffixes=(), units=()):
    """A number from 12, "12处", "约120", "120余", "1,050", "1 050", "85.5平方米", "120㎡", full-width digits."""
    if isinstance(value, bool):
        return None, "数值无法识别"
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return None, "数值无法识别"
        return float(value), None
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
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    if _DECIMAL.match(text):
        return float(text), None
    return None, "数值无法识别"


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
    """Mobile and ID numbers replaced by ［已隐去］ (names cannot be told from shop names in free text)."""
    return _MOBILE.sub(MASK, _ID_NUMBER.sub(MASK, text))


def clean_text(value):
    """Free text: trimmed, inner white space collapsed, phone and ID numbers masked."""
    return mask_personal_numbers(_SPACES.sub(" ", cell_text(value)).strip()), None


def neutralise_formula(text: str) -> str:
    """A text cell that a spreadsheet would run as a formula is written with a leading apostrophe."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text

"""Properties of the value normalisers: they never raise, are idempotent, and read every listed form."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.ingest import normalize as nz
from analysis.ingest.spec import load_common

COMMON = load_common()
ANY_CELL = st.one_of(
    st.none(), st.text(), st.integers(min_value=-10**12, max_value=10**12), st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(), st.dates(), st.datetimes(),
)
NUMBER_ARGS = (COMMON.number_prefixes, COMMON.number_suffixes, COMMON.number_units)
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
D = dt.date


def _ok(result):
    value, reason = result
    assert (value is None) != (reason is None)
    assert reason is None or (isinstance(reason, str) and reason)
    return value


@settings(max_examples=300)
@given(ANY_CELL, st.one_of(st.none(), st.integers(2000, 2030)))
def test_dates_never_raise_and_are_idempotent(cell, year):
    value = _ok(nz.parse_date(cell, year))
    if value is not None:
        assert isinstance(value, dt.date) and not isinstance(value, dt.datetime)
        assert nz.parse_date(value, year) == (value, None)
        assert nz.parse_date(value.isoformat(), None) == (value, None)


@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_every_listed_date_form_round_trips(d):
    forms = [d, dt.datetime.combine(d, dt.time(9, 30)), d.isoformat(), f"{d.year}/{d.month}/{d.day}",
             f"{d.year}.{d.month}.{d.day}", f"{d.year}年{d.month}月{d.day}日",
             d.strftime("%Y%m%d"), int(d.strftime("%Y%m%d")), f"{d.year}年{d.month}月{d.day}日".translate(FULL_WIDTH)]
    for form in forms:
        assert nz.parse_date(form) == (d, None), form
    assert nz.parse_date(f"{d.month}月{d.day}日", d.year) == (d, None)


@settings(max_examples=300)
@given(ANY_CELL)
def test_numbers_never_raise_and_are_idempotent(cell):
    value = _ok(nz.parse_number(cell, *NUMBER_ARGS))
    if value is not None:
        assert nz.parse_number(value, *NUMBER_ARGS) == (value, None)


@given(st.integers(0, 10**7), st.sampled_from(["", "处", "个", "平方米", "㎡", "余", "余处"]), st.sampled_from(["", "约"]))
def test_every_listed_number_form_round_trips(n, unit, prefix):
    grouped = f"{n:,}"
    for text in (f"{prefix}{n}{unit}", f"{prefix}{grouped}{unit}", grouped.replace(",", " "), str(n).translate(FULL_WIDTH)):
        assert nz.parse_number(text, *NUMBER_ARGS) == (float(n), None), text


@given(ANY_CELL)
def test_flags_never_raise_and_round_trip(cell):
    value = _ok(nz.parse_flag(cell, COMMON.flag_true, COMMON.flag_false))
    if value is not None:
        assert nz.parse_flag(value, COMMON.flag_true, COMMON.flag_false) == (value, None)


def test_listed_flag_forms():
    for t in ["是", "√", "✓", "已整改", "有", "1", "Y", 1, True]:
        assert nz.parse_flag(t, COMMON.flag_true, COMMON.flag_false) == (True, None)
    for f in ["否", "×", "✗", "未整改", "无", "0", "N", 0, False]:
        assert nz.parse_flag(f, COMMON.flag_true, COMMON.flag_false) == (False, None)


@given(ANY_CELL)
def test_subdistricts_never_raise_and_are_idempotent(cell):
    value = _ok(nz.parse_subdistrict(cell, COMMON.subdistrict_lookup, COMMON.subdistricts))
    if value is not None:
        assert value in COMMON.subdistricts
        assert nz.parse_subdistrict(value, COMMON.subdistrict_lookup, COMMON.subdistricts) == (value, None)


@given(st.sampled_from(COMMON.subdistricts), st.sampled_from(["", "街道", "办事处", "街道办事处", "街道办"]),
       st.sampled_from(["", " ", "\u3000"]))
def test_every_listed_subdistrict_form(name, suffix, pad):
    short = name.removesuffix("街道")
    text = pad + short + pad + suffix + pad
    assert nz.parse_subdistrict(text, COMMON.subdistrict_lookup, COMMON.subdistricts) == (name, None)


@given(st.text())
def test_text_never_raises_and_is_idempotent(text):
    value = _ok(nz.clean_text(text))
    assert nz.clean_text(value) == (value, None)


def test_phone_and_id_numbers_in_free_text_are_masked():
    value, _ = nz.clean_text("解放路12号 电话 139-1234-5678 身份证410802199001011234")
    assert "1234" not in value and value.count(nz.MASK) == 2


# ---------------------------------------------------------------- dates with a time, and stray spaces

DAYS = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31))
TIMES = st.times()
WHITE = st.sampled_from([" ", "  ", "\u3000", "\t", "\u00a0", "\n"])


def date_forms(d: dt.date) -> list[tuple[str, str]]:
    """Every text form of a date the reader accepts, as (form, the same with each part a separate token joined by
    "|"): "|" marks where white space may stand between the parts."""
    y, m, dd = d.year, d.month, d.day
    return [
        ("iso", f"{y}|-|{m:02d}|-|{dd:02d}"), ("dash", f"{y}|-|{m}|-|{dd}"), ("slash", f"{y}|/|{m}|/|{dd}"),
        ("dot", f"{y}|.|{m}|.|{dd}"), ("cn", f"{y}|年|{m}|月|{dd}|日"), ("cn_hao", f"{y}|年|{m}|月|{dd}|号"),
        ("cn_no_day_word", f"{y}|年|{m}|月|{dd}"), ("compact", f"{y}{m:02d}{dd:02d}"),
        ("month_day", f"{m}|月|{dd}|日"),
    ]


def time_forms(t: dt.time) -> list[str]:
    """Every text form of a time of day the reader drops ("|" as above)."""
    h12 = t.hour % 12 or 12
    half = "上午" if t.hour < 12 else "下午"
    ampm = "AM" if t.hour < 12 else "PM"
    return [f"{t.hour}|:|{t.minute:02d}", f"{t.hour:02d}|:|{t.minute:02d}|:|{t.second:02d}",
            f"{t.hour:02d}|:|{t.minute:02d}|:|{t.second:02d}.{t.microsecond:06d}", f"{t.hour}|时|{t.minute}|分",
            f"{t.hour}|时|{t.minute}|分|{t.second}|秒", f"{t.hour}|点", f"{h12}|:|{t.minute:02d}| |{ampm}",
            f"{half}|{h12}|:|{t.minute:02d}", f"{t.hour}|时"]


def written(d: dt.date, date_form: str, time_form: str | None, gap: str, joint: str) -> str:
    """A date (and time) as written: `gap` between the parts of each, `joint` between the date and the time."""
    text = date_form.replace("|", gap)
    if time_form is not None:
        text += joint + time_form.replace("|", gap)
    return text


def _parse(text: str, d: dt.date):
    return nz.parse_date(text, d.year)  # the year completes the month-day form


@settings(max_examples=400)
@given(DAYS, TIMES, st.data())
def test_every_date_form_with_or_without_a_time_and_spaces_reads_as_the_written_date(d, t, data):
    name, form = data.draw(st.sampled_from(date_forms(d)))
    time_form = data.draw(st.one_of(st.none(), st.sampled_from(time_forms(t))))
    gap = data.draw(st.sampled_from(["", " ", "\u3000", " \u3000"]))
    ends_in_word = form.endswith(("日", "号"))
    joint = data.draw(st.sampled_from([" ", "  ", "\u3000", "\t"] + (["", "|"] if ends_in_word else [])
                                      + (["T"] if name == "iso" else [])))
    text = written(d, form, time_form, gap, joint.replace("|", gap))
    for variant in (text, text.translate(FULL_WIDTH), f" {text}\u3000"):
        assert _parse(variant, d) == (d, None), variant


@settings(max_examples=1500)
@given(DAYS, TIMES, st.data())
def test_stray_white_space_anywhere_gives_the_written_date_or_a_reject_never_another_date(d, t, data):
    """The family of the 2024-6-1 8:05 → 2024-06-18 bug: white space added at any places of any form, or any of
    its white space taken out, gives the written date or a reject. (Both at once can write another date in full:
    "2000-1-10 0:00" → "2000-1-1 00:00".)"""
    _, form = data.draw(st.sampled_from(date_forms(d)))
    time_form = data.draw(st.one_of(st.none(), st.sampled_from(time_forms(t))))
    text = written(d, form, time_form, data.draw(st.sampled_from(["", " "])), " ")
    if data.draw(st.booleans()):
        for _ in range(data.draw(st.integers(1, 3))):
            i = data.draw(st.integers(0, len(text)))
            text = text[:i] + data.draw(WHITE) + text[i:]
    else:
        gaps = [i for i, ch in enumerate(text) if ch.isspace()]
        dropped = set(data.draw(st.lists(st.sampled_from(gaps), min_size=1))) if gaps else set()
        text = "".join(ch for i, ch in enumerate(text) if i not in dropped)
    value, reason = _parse(text, d)
    assert value in (d, None), (text, value)


@settings(max_examples=1500)
@given(DAYS, st.data())
def test_anything_after_a_date_other_than_a_time_is_a_reject_never_another_date(d, data):
    """Trailing text of digits, separators and date-time words: the result is the written date or a reject."""
    _, form = data.draw(st.sampled_from(date_forms(d)))
    text = form.replace("|", "")
    tail = data.draw(st.text(alphabet="0123456789 :.-/T年月日号时分秒点半上下午AMP+", min_size=1, max_size=8))
    if not text.endswith(("日", "号")):
        tail = data.draw(st.sampled_from([" ", ":", "T", "时", "/", "-", "."])) + tail  # apart from the date
    value, reason = _parse(text + tail, d)
    assert value in (d, None), (text + tail, value)
    assert (value is None) == (reason is not None)


@given(DAYS, st.floats(min_value=0, max_value=0.9999))
def test_a_bare_number_is_never_taken_for_the_day_it_would_count_to(d, fraction):
    """An Excel date-time serial without a date format shows as a number (45352.39): rejected with its reason, as
    a number, as a float and as text. A cell with a date format reaches here as a date and is read as its day."""
    serial = (d - dt.date(1899, 12, 30)).days
    for value in (serial, serial + fraction, str(serial), f"{serial + fraction:.6f}"):
        day, reason = nz.parse_date(value)
        assert day is None and reason.startswith("日期列中是一个数字“") and "没有设为日期格式" in reason
    assert nz.parse_date(dt.datetime.combine(d, dt.time(23, 59, 59))) == (d, None)


@pytest.mark.parametrize("text, expected", [
    ("2024-6-1 8:05", D(2024, 6, 1)), ("2024/3/1 9:30", D(2024, 3, 1)), ("2024-6-8 16:05", D(2024, 6, 8)),
    ("2024-3-17 10:00", D(2024, 3, 17)), ("2024-03-01 09:30", D(2024, 3, 1)), ("2024-03-01 09:30:00", D(2024, 3, 1)),
    ("2024-03-01T09:30", D(2024, 3, 1)), ("2024年3月5日 14:30", D(2024, 3, 5)), ("2024年3月5日14时30分", D(2024, 3, 5)),
    ("2024年3月5日 14时30分", D(2024, 3, 5)), ("2024-03-01T09:30:00+08:00", D(2024, 3, 1)),
    ("2024年3月5日星期二", D(2024, 3, 5)), ("2024年3月5日（周二）", D(2024, 3, 5)),
    ("2024-03-05 00:00:00", D(2024, 3, 5)), ("2024/3/5 周二 8点半", D(2024, 3, 5)), ("２０２４／３／１　９：３０", D(2024, 3, 1)),
    ("2024—3—5", D(2024, 3, 5)),
])
def test_the_issues_dates_with_times(text, expected):
    assert nz.parse_date(text) == (expected, None)


@pytest.mark.parametrize("text", [
    "2024-6-18:05", "2024-3-5 25:00", "2024-3-5 14:60", "2024-3-5 14", "2024-03-01T09:30Z", "2024-03-01T09:30-05:00",
    "2024-3-5至3-8", "2024-3-5、6", "202403050930", "2024-3-5 13:00 PM", "2 024-3-5", "2024-3/5", "45352 9:30",
])
def test_a_date_followed_by_anything_but_a_time_is_rejected(text):
    assert nz.parse_date(text) == (None, "日期无法识别")


def test_a_weekday_that_contradicts_the_date_is_rejected_with_its_reason():
    value, reason = nz.parse_date("2024年3月5日 星期三")
    assert value is None and reason == "日期与星期不符（3月5日不是星期三）"


# ---------------------------------------------------------------- small numbers, personal numbers, labels

CN = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"]


def chinese(n: int) -> str:
    if n < 10:
        return CN[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN[tens]) + "十" + (CN[ones] if ones else "")


@given(st.integers(0, 99), st.sampled_from(["", "处", "个", "家", "余处"]), st.sampled_from(["", "约"]))
def test_chinese_numerals_up_to_ninety_nine_read_as_their_number(n, unit, prefix):
    assert nz.parse_number(f"{prefix}{chinese(n)}{unit}", *NUMBER_ARGS) == (float(n), None)
    if n == 2:
        assert nz.parse_number(f"两{unit}", *NUMBER_ARGS) == (2.0, None)


@pytest.mark.parametrize("text", ["一百", "两十", "十十", "三两", "几处", "若干", "三四处"])
def test_other_chinese_numbers_are_rejected(text):
    assert nz.parse_number(text, *NUMBER_ARGS) == (None, "数值无法识别")


def test_every_listed_subdistrict_form_with_the_suffix_ban():
    for name in COMMON.subdistricts:
        short = name.removesuffix("街道")
        assert nz.parse_subdistrict(f"{short}办", COMMON.subdistrict_lookup, COMMON.subdistricts) == (name, None)


def _spread(digits: str, data) -> str:
    """A number as people write it: full-width or not, single spaces or hyphens between some digits."""
    out = ""
    for i, ch in enumerate(digits):
        if i:
            out += data.draw(st.sampled_from(["", "", "", " ", "-", "\u3000", "－"]))
        out += ch
    return out.translate(FULL_WIDTH) if data.draw(st.booleans()) else out


MOBILES = st.from_regex(r"\A1[3-9][0-9]{9}\Z")
IDS = st.from_regex(r"\A[1-6][0-9]{5}(19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9])[0-9]{3}[0-9X]\Z")
AROUND = st.text(alphabet="解放路号摊主电话手机身份证：:（）() ，,A", max_size=6)


@settings(max_examples=400)
@given(st.one_of(MOBILES, IDS), AROUND, AROUND, st.data())
def test_phone_and_id_numbers_are_masked_in_any_width_and_spacing(number, before, after, data):
    text = before + _spread(number, data) + after
    value, _ = nz.clean_text(text)
    digits = "".join(ch for ch in nz.fold(value) if ch.isdigit())
    assert number[:11] not in digits and nz.MASK in value, (text, value)


def test_phone_and_id_numbers_in_free_text_are_masked_the_rest_kept_as_written():
    value, _ = nz.clean_text("摊主手机１５８７４２１３６６３，座机（0391）3568888，身份证 410802 19900101 123X，门牌１２号")
    assert value == "摊主手机［已隐去］，座机（［已隐去］，身份证 ［已隐去］，门牌１２号"


@pytest.mark.parametrize("text", ["2023-03-05 14:30", "解放路128号", "面积 1,050.5 平方米", "20230305", "12 345 678"])
def test_dates_addresses_and_small_numbers_are_not_masked(text):
    assert nz.clean_text(text) == (text, None)


@pytest.mark.parametrize("raw, shown", [("整治\n日期", "整治日期"), ("数量\n（处）", "数量（处）"), (" 所属  街道 ", "所属街道"),
                                        ("Area \n (m2)", "Area (m2)"), ("联系电话13912345678", "联系电话［已隐去］")])
def test_labels_are_shown_on_one_line(raw, shown):
    assert nz.shown_label(raw) == shown


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([True, False, 0, 1, 0.0, 1.0, 2, 2.5, "1", "0", "是", None, float("nan")]),
                min_size=1, max_size=30))
def test_distinct_cells_are_grouped_by_kind_a_boolean_never_with_a_number(cells):
    """Each column's distinct cells are normalised once: two cells share a reading only when they are the same
    kind of value and equal (TRUE is not 1, FALSE is not 0); blanks (None, NaN) are one."""
    from analysis.ingest.cleaning import _factorize

    codes, uniques = _factorize(cells)

    def kind(v):
        if v is None or v != v:
            return ("blank",)
        return ("bool", v) if v.__class__ is bool else ("str", v) if isinstance(v, str) else ("number", float(v))

    for i, v in enumerate(cells):
        assert kind(uniques[codes[i]]) == kind(v)
        for j, w in enumerate(cells):
            assert (codes[i] == codes[j]) == (kind(v) == kind(w))


@settings(max_examples=300, deadline=None)
@given(whole=st.integers(0, 9999), fraction=st.sampled_from(["", ".5", ".25", ".125", ".3", ".05"]),
       multiplier=st.sampled_from([("万", 10_000), ("千", 1_000)]),
       prefix=st.sampled_from(["", "约", "共"]), unit=st.sampled_from(["", "处", "平方米", "元"]),
       suffix=st.sampled_from(["", "余"]))
def test_wan_and_qian_multiply_the_written_number_exactly(whole, fraction, multiplier, prefix, unit, suffix):
    """1.5万, 1.2万平方米, 约2.3千处, 1.5万余: the number times 10000 or 1000, as decimal arithmetic gives it (never
    1.1 × 10000 = 11000.000000000002)."""
    import decimal

    common = load_common()
    word, times = multiplier
    text = f"{prefix}{whole}{fraction}{word}{suffix}{unit}"
    value, reason = nz.parse_number(text, common.number_prefixes, common.number_suffixes, common.number_units)
    assert reason is None, text
    assert value == float(decimal.Decimal(f"{whole}{fraction}") * times), text


def test_wan_alone_and_chinese_numerals_times_wan():
    assert nz.parse_number("万")[1] is not None
    assert nz.parse_number("三万") == (30000.0, None)
    assert nz.parse_number("1.1万") == (11000.0, None)
    assert nz.parse_number("十二千")[0] == 12000.0

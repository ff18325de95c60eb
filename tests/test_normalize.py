"""Properties of the value normalisers: they never raise, are idempotent, and read every listed form."""
from __future__ import annotations

import datetime as dt

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
    serial = (d - nz.EXCEL_EPOCH).days
    forms = [d, dt.datetime.combine(d, dt.time(9, 30)), serial, float(serial), str(serial),
             d.isoformat(), f"{d.year}/{d.month}/{d.day}", f"{d.year}.{d.month}.{d.day}", f"{d.year}年{d.month}月{d.day}日",
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

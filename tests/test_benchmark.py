"""The benchmark script runs (its --quick mode, so that it cannot rot), and the fast paths written
for it give exactly what the plain definitions give."""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.ingest import normalize as nz
from analysis.ingest.cleaning import _repeated_rows
from analysis.ingest.layout import _row_kind, _row_kinds
from analysis.ingest.spec import ledger_names, load_common, load_spec

ROOT = Path(__file__).resolve().parents[1]
COMMON = load_common()


@pytest.mark.slow
def test_quick_benchmark_runs_end_to_end(tmp_path):
    readme = ROOT / "benchmarks" / "README.md"
    before = readme.read_bytes() if readme.exists() else None
    out = tmp_path / "results.json"
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--work", str(tmp_path / "work"),
                           "--json", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    for phrase in ("cold clean ÷ raw python-calamine", "peak memory of cold clean", "nothing changed",
                   "one cell of one workbook changed", "Where the time"):
        assert phrase in proc.stdout
    res = json.loads(out.read_text(encoding="utf-8"))
    (size,) = res["sizes"]
    groups = {(g["name"], g["jobs"]): g["runs"] for g in size["peers"]["runs"]}
    jobs = res["machine"]["jobs"]
    # Every reader ran in one process and in as many as clean uses, and was measured.
    assert {("clean", 1), ("calamine", 1), ("pandas", 1), ("clean", jobs), ("calamine", jobs)} <= set(groups)
    assert all(r["seconds"] > 0 and r["cpu"] > 0 and r["maxrss"] > 0 for runs in groups.values() for r in runs)
    counts = size["peers"]["counts"]
    assert counts["files"] >= 40 and counts["kept"] > 1000
    # The peers read every row clean saw, and more (titles, headers, totals, footers), and all read the same.
    assert size["peers"]["peer_rows"] > counts["kept"] + counts["rejected"]
    reads = {(name, j): {(r["read"]["rows"], r["read"]["sheets"]) for r in runs} for (name, j), runs in groups.items() if name != "clean"}
    assert len(set().union(*reads.values())) == 1, reads
    (shape,) = res["shapes"]
    inc = shape["incremental"]
    assert inc["reads"] and all(len(changed) == 1 and back == changed for changed, back in inc["reads"])
    assert all(r["code"] == 0 for r in inc["unchanged"] + inc["changed"] + inc["restored"])
    stages = shape["stages"]["stages"]
    assert stages["read.read_sheets"] > 0 and stages["commit.replace_all"] > 0
    assert stages["annotate.annotated_copy"] > 0  # the demo's files with rejects get their copies in the workers
    assert "cold clean ÷ pandas.read_excel" in proc.stdout
    assert (readme.read_bytes() if readme.exists() else None) == before  # --quick leaves README.md alone


def test_benchmark_keeps_only_the_four_enforcement_ledgers(tmp_path):
    """The benchmark's numbers stay comparable with earlier runs when the demo writes more ledgers."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import run
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    raw = run.make_dataset(tmp_path / "data", 1, (2023,), 0.02, False, lambda *a: None)
    assert sorted(p.name for p in raw.iterdir()) == sorted(run.LEDGERS)
    assert all(d.name == run.DISTRICTS[0] for ledger in raw.iterdir() for d in ledger.iterdir())


# ---------------------------------------------------------------- the fast paths equal the definitions

CELL = st.one_of(
    st.none(), st.just(""), st.just(" "), st.just("\u3000"), st.booleans(), st.integers(-3, 30),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0.0, -0.0, 1.0, 2.5]),
    st.dates(dt.date(2000, 1, 1), dt.date(2030, 1, 1)), st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2030, 1, 1)),
    st.sampled_from(["合计", "小计", "总计：", " 合 计", "填报人：张某", "备注", "序号", "日期", "街道", "1", "１２", "2023-03-05",
                     "焦南", "a b", "True", "nan"]),
    st.text(max_size=4),
)


@settings(max_examples=300, deadline=None)
@given(CELL)
def test_text_key_is_value_key_of_cell_text(value):
    assert nz.text_key(value) == nz.value_key(nz.cell_text(value))


HEADER_ROWS = st.sampled_from([["序号", "日期", "街道"], ["日期", "街道", "类型", "数量"], ["序号"], ["1", "True"]])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(CELL, max_size=6), max_size=25), HEADER_ROWS)
def test_row_kinds_is_row_kind_of_every_row(rows, header):
    header_keys = [nz.value_key(nz.cell_text(v)) for v in header]
    # Repeated headers and rows that start like one are part of what is tested.
    rows = rows + [list(header), list(header[:1]) + [None]]
    assert _row_kinds(rows, header_keys, COMMON) == [_row_kind(r, header_keys, COMMON) for r in rows]


def _repeated_rows_by_text(kept: dict, source_row, spec) -> list:
    """The definition: rows whose every column reads the same as text."""
    if len(source_row) < 2:
        return []
    frame = pd.DataFrame({c.name: pd.Series(kept[c.name], dtype=object) for c in spec.columns})
    keys = pd.util.hash_pandas_object(frame.astype(str), index=False)
    dup = keys.duplicated(keep=False).to_numpy()
    if not dup.any():
        return []
    groups = pd.Series(source_row[dup]).groupby(keys[dup].to_numpy(), sort=False).agg(list)
    return sorted((sorted(int(r) for r in g) for g in groups), key=lambda g: g[0])


def _objects(values) -> np.ndarray:
    """A column as clean_sheet holds it: an object array, None where empty."""
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    return arr


MIXED = st.one_of(st.none(), st.booleans(), st.integers(0, 2), st.sampled_from([0.0, 1.0, 2.0, float("nan")]),
                  st.sampled_from(["1", "True", "None", "nan", "a"]), st.just(dt.date(2023, 3, 5)))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(MIXED, st.sampled_from(["x", "y", None]), st.sampled_from([dt.date(2023, 1, 1), dt.date(2023, 1, 2)]),
                          st.integers(0, 2)), min_size=2, max_size=12))
def test_repeated_rows_groups_rows_that_read_the_same(rows):
    spec = load_spec("street_vending")
    kept = {c.name: _objects([None] * len(rows)) for c in spec.columns}
    kept["places"] = _objects([r[0] for r in rows])  # mixed types: 1, 1.0 and True read differently
    kept["location"] = _objects([r[1] for r in rows])
    kept["date"] = _objects([r[2] for r in rows])
    kept["squad"] = _objects([r[3] for r in rows])
    source_row = np.arange(len(rows)) + 2
    assert _repeated_rows(kept, source_row, spec) == _repeated_rows_by_text(kept, source_row, spec)


@pytest.mark.parametrize("ledger", ["gas_safety", "dust_control"])
def test_repeated_rows_on_typed_columns(ledger):
    spec = load_spec(ledger)
    kept = {c.name: _objects(["a", "b", "a", "b", "a", None]) for c in spec.columns}
    source_row = np.arange(6) + 5
    assert _repeated_rows(kept, source_row, spec) == _repeated_rows_by_text(kept, source_row, spec) == [[5, 7, 9], [6, 8]]


# ---------------------------------------------------------------- the sheet-XML prefilter misses nothing the scan finds

from analysis.ingest.read import ooxml  # noqa: E402

_WS_TEXT = st.sampled_from([" ", "  ", "\t", "\n", "\r\n", "\f", "\v"])
_ADDRESS = st.one_of(
    st.tuples(st.sampled_from(["A", "B", "Z", "AA", "AZ", "BA", "ZZ", "AAA", "XFD", "a", "$A", "$BA"]),
              st.sampled_from(["1", "99999", "100000", "$12", "$1048576", "0012"])).map("".join),
    st.sampled_from(["", "1", "A", "AB"]),
)


@st.composite
def _cell_xml(draw):
    prefix = draw(st.sampled_from(["", "x:", "ns0:"]))
    attrs = []
    if draw(st.booleans()):
        q = draw(st.sampled_from(['"', "'"]))
        attrs.append(f"r{draw(st.sampled_from(['', ' ', chr(11)]))}={draw(st.sampled_from(['', ' ']))}{q}{draw(_ADDRESS)}{q}")
    if draw(st.booleans()):
        attrs.append(draw(st.sampled_from(['s="1"', 't="e"', "t='e'", 't="s"', 't="str"', 't="n"', 'rr="1"', 'r2="A1"'])))
    draw(st.randoms()).shuffle(attrs)
    space = [draw(_WS_TEXT) for _ in attrs]
    head = f"<{prefix}c" + "".join(s + a for s, a in zip(space, attrs))
    body = draw(st.sampled_from(["", "<v>1</v>", "<v>#N/A</v>", "<v></v>", "<f>SUM(A1:A2)</f>", "<f/>",
                                 f"<{prefix}f>A1</{prefix}f><v>3</v>", "<f\t>A1</f>", "<is><t>文本</t></is>",
                                 "<fx>1</fx>"]))
    if not body and draw(st.booleans()):
        return head + draw(st.sampled_from(["/>", " />"]))
    return f"{head}>{body}</{prefix}c>"


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(_cell_xml(), st.sampled_from(['<row r="1">', '<row r="100000">', "<row>", "</row>", "<cols/>",
                                                        "<col min='1'/>"])),
                max_size=12))
def test_sheet_xml_prefilter_flags_everything_the_scan_finds(parts):
    buf = "".join(parts).encode("utf-8")
    found = []
    ooxml._scan_cells(buf, len(buf), found)
    far = ooxml._FAR_ADDRESS.search(buf) is not None or ooxml._NO_ADDRESS.search(buf) is not None
    # Python's engine (small buffers) and RE2 (large ones) give the same answer, and neither misses a cell.
    padded = buf + b" " * ooxml._RE2_FROM  # over the size from which RE2 is used; white space between tags
    for text in (buf, padded):
        end = len(text)
        answer = ooxml._suspect(text, end)
        assert answer == ooxml._suspect_re2(text, end) == (ooxml._SUSPECT_RE.search(text, 0, end) is not None)
        if found or far:
            assert answer
        # Only text[:end] is looked at, as by the scan.
        assert not ooxml._suspect(text + b'<c r="A1" t="e">', end) or answer


# ---------------------------------------------------------------- categoricals coded by Arrow are pandas' own

@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["焦南街道", "民生街道", "其他", "", " 焦南街道", None]), max_size=8), min_size=1, max_size=3),
       st.lists(st.sampled_from(["焦南街道", "民生街道", "其他", "火车站街道"]), unique=True))
def test_arrow_coded_categorical_is_pandas_categorical(chunks, categories):
    import pyarrow as pa

    from analysis.ingest.column_types import _categorical

    values = [v for chunk in chunks for v in chunk]
    mine = _categorical(pa.chunked_array([pa.array(c, pa.string()) for c in chunks], pa.string()), categories)
    # pandas' own: a value outside the categories (or missing) is missing (set so beforehand: pandas warns otherwise)
    theirs = pd.Categorical(pd.Series([v if v in categories else None for v in values], dtype="str"), categories=categories)
    assert mine.dtype == theirs.dtype and (mine.codes == theirs.codes).all() and mine.codes.dtype == theirs.codes.dtype


# ---------------------------------------------------------------- a ledger none of whose files changed is not built again

def _outputs(folder: Path) -> dict:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")}


def _quiet(*args, **kwargs):
    pass


@pytest.fixture
def small_demo(tmp_path):
    from analysis.demo import write_demo

    raw = tmp_path / "raw"
    write_demo(raw, years=(2023,), scale=0.05)
    return raw


# The ledgers whose output is cached (one with one row per key is built every run, see pipeline).
CACHED = [ledger for ledger in ledger_names() if not load_spec(ledger).unique_by]


def _counting_builds(monkeypatch) -> list:
    from analysis.ingest import assemble

    built, real = [], assemble.ledger_table
    def counted(spec, tables):
        if spec.ledger in CACHED:
            built.append(spec.label)
        return real(spec, tables)
    monkeypatch.setattr(assemble, "ledger_table", counted)  # where the assembly looks it up
    return built


def _from_scratch(raw: Path, out: Path) -> dict:
    from analysis.ingest.pipeline import clean

    clean(raw, out, echo=_quiet)
    return _outputs(out)


def test_only_the_ledger_of_a_changed_file_is_built_again(small_demo, tmp_path, monkeypatch):
    from analysis.ingest.pipeline import clean
    from analysis.ingest.spec import load_spec

    out = tmp_path / "out"
    clean(small_demo, out, echo=_quiet)
    built = _counting_builds(monkeypatch)
    gone = sorted((small_demo / "street_vending").rglob("*.xlsx"))[0]
    gone.unlink()
    clean(small_demo, out, echo=_quiet)
    assert built == [load_spec("street_vending").label]
    assert _outputs(out) == _from_scratch(small_demo, tmp_path / "scratch")


def test_a_damaged_ledger_output_in_the_cache_is_built_again(small_demo, tmp_path, monkeypatch):
    from analysis.ingest.cache import CACHE_DIR, STATE
    from analysis.ingest.pipeline import clean

    out = tmp_path / "out"
    clean(small_demo, out, echo=_quiet)
    before = _outputs(out)
    kept = sorted((out / CACHE_DIR / "files").glob("*.parquet"))
    assert len(kept) == len(CACHED)  # one per ledger
    kept[0].write_bytes(kept[0].read_bytes()[:-1] + b"x")  # one byte changed
    kept[1].unlink()
    (out / CACHE_DIR / STATE).unlink()  # so that the run does not stop at "nothing changed"
    built = _counting_builds(monkeypatch)
    clean(small_demo, out, echo=_quiet)
    assert len(built) == 2 and _outputs(out) == before


def test_a_ledger_output_is_neither_used_nor_kept_when_one_of_its_files_could_not_be_cleaned(small_demo, tmp_path, monkeypatch):
    from analysis.ingest import file_result
    from analysis.ingest.cache import CACHE_DIR, STATE, FileCache
    from analysis.ingest.discover import sha256_file
    from analysis.ingest.pipeline import clean
    from analysis.ingest.tables import load_table

    out = tmp_path / "out"
    clean(small_demo, out, echo=_quiet)
    path = sorted((small_demo / "gas_safety").rglob("*.xlsx"))[0]
    rel = path.relative_to(small_demo).as_posix()
    assert rel in set(load_table(out, "gas_safety")["source_file"])
    # Its entry is lost, and this time the file cannot be read while it is cleaned (after it was hashed).
    (out / CACHE_DIR / "files" / f"{FileCache(out).key(rel, sha256_file(path), 'gas_safety')}.arrow").unlink()
    (out / CACHE_DIR / STATE).unlink()  # so that the run does not stop at "nothing changed"
    real = file_result.read_bytes

    def fails_for_it(p):
        if p == path:
            raise PermissionError(13, "denied")
        return real(p)
    monkeypatch.setattr(file_result, "read_bytes", fails_for_it)
    kept_before = set((out / CACHE_DIR / "files").glob("*.parquet"))
    clean(small_demo, out, echo=_quiet)
    assert rel not in set(load_table(out, "gas_safety")["source_file"])  # the earlier build was not used
    # The other ledgers' outputs kept as they were; none for gas_safety made of a file not cleaned now.
    others = len(CACHED) - 1
    assert len(set((out / CACHE_DIR / "files").glob("*.parquet")) & kept_before) == others
    assert len(list((out / CACHE_DIR / "files").glob("*.parquet"))) == others
    monkeypatch.setattr(file_result, "read_bytes", real)
    clean(small_demo, out, echo=_quiet)
    assert _outputs(out) == _from_scratch(small_demo, tmp_path / "scratch")


# ---------------------------------------------------------------- small columns grouped by a dict, as pandas groups them

_CELLS = st.one_of(
    st.none(), st.just(float("nan")), st.builds(lambda: float("nan")),  # one NaN object, and a new one each time
    st.booleans(), st.integers(-3, 3), st.integers(), st.floats(allow_nan=True),
    st.sampled_from([0.0, -0.0, 1.0, 2.0, 2.5]),
    st.sampled_from(["", " ", "1", "1.0", "True", "nan", "None", "焦南街道", "a\x00b"]),
    st.sampled_from([dt.date(2024, 1, 1), dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 1, 5), dt.time(0),
                     dt.timedelta(0), dt.timedelta(days=1)]),
    st.sampled_from([np.float64("nan"), np.int64(1), pd.NaT]))  # kinds no reader gives: left to pandas


@settings(max_examples=1000, deadline=None)
@given(st.lists(_CELLS, max_size=40))
def test_small_columns_are_grouped_exactly_as_pandas_factorize_groups_them(values):
    from analysis.ingest.layout import factorize_cells, object_array

    codes, uniques = factorize_cells(values)
    want_codes, want_uniques = pd.factorize(object_array(values), use_na_sentinel=False)
    assert codes.dtype == want_codes.dtype and codes.tolist() == want_codes.tolist()
    assert uniques.dtype == want_uniques.dtype and len(uniques) == len(want_uniques)
    for got, want in zip(uniques, want_uniques):  # the same object kept for each group: the first one seen
        assert type(got) is type(want)
        assert repr(got) == repr(want) if isinstance(got, float) else got == want  # repr: 0.0 or -0.0, NaN

"""One registry of column types (column_types.TYPES): each type says once how it is read, stored and described, so
that a new type is one entry. Proved with a throwaway type added to the registry alone."""
from __future__ import annotations

import datetime as dt
import shutil

import pyarrow as pa
import pytest

from analysis.ingest import column_types
from analysis.ingest import spec as spec_module
from analysis.ingest.cleaning import arrow_type
from analysis.ingest.column_types import TYPES, Number
from analysis.ingest.file_result import file_schema
from analysis.ingest.folder_guide import _accepts
from analysis.ingest.outputs import ledger_table
from analysis.paths import LEDGER_SPEC_DIR

DAY = dt.date(2024, 6, 1)


def test_every_type_says_everything_once():
    spec = spec_module.load_spec("gas_safety")
    for name, kind in TYPES.items():
        assert kind.name == name
        assert isinstance(getattr(pa, kind.arrow)(), pa.DataType)
        assert kind.words and kind.accepts(next(iter(spec.columns)), spec)
    assert [n for n, k in TYPES.items() if k.period] == list(spec_module.PERIOD_TYPES)


class Percent(Number):
    """A throwaway type: 85%, 0.85 and 八成 are not all read here, only what the number parser reads, ×100."""
    name, words = "percent", "百分数"
    example = "百分数，如 85%、85"

    def exact(self, x: float, col) -> tuple:
        return (x, None) if 0 <= x <= 100 else (None, f"{col.label}应在 0 到 100 之间")


def _specs_with_gas_column(tmp_path, column_yaml: str):
    """The project's specs copied to tmp_path, with one more column at the end of gas_safety.yaml."""
    folder = tmp_path / "ledgers"
    shutil.copytree(LEDGER_SPEC_DIR, folder)
    path = folder / "gas_safety.yaml"
    path.write_text(path.read_text(encoding="utf-8") + column_yaml, encoding="utf-8")
    spec_module.load_spec.cache_clear()
    return folder


@pytest.fixture
def with_percent(tmp_path, monkeypatch):
    """The specs copied, with a percent column in gas_safety, and the type added to the registry: nothing else."""
    monkeypatch.setitem(column_types.TYPES, "percent", Percent())
    folder = _specs_with_gas_column(tmp_path, "  - name: fixed_share\n    label: 整改率\n    type: percent\n"
                                              "    headers: [整改率]\n")
    yield spec_module.load_spec("gas_safety", folder)
    spec_module.load_spec.cache_clear()


def test_a_new_type_is_one_entry_in_the_registry(with_percent):
    spec = with_percent
    col = spec.column("fixed_share")
    assert col.kind is TYPES["percent"] and arrow_type(col) == pa.float64()
    assert "百分数" in _accepts(col, spec)
    parse = col.kind.parser(col, spec, None, None, DAY)
    assert parse("85%")[0] == 85 or parse("85%")[1]  # read, or rejected with a reason: never a crash
    assert parse("85") == (85.0, None)
    assert parse("120")[1] == "整改率应在 0 到 100 之间"
    filler = {"count": 0, "number": 0.0, "flag": False, "text": "x"}
    rows = {c.name: [c.categories[0] if c.categories else filler.get(c.type)] for c in spec.columns}
    rows.update(date=[dt.date(2024, 3, 1)], subdistrict=["焦南街道"], unit_name=["饭店"], unit_type=["餐饮"],
                fixed_share=[85.0], source_row=[2], source_file=["a.xlsx"], source_sheet=["S"])
    schema = file_schema(spec)
    table = pa.Table.from_pydict({n: rows.get(n, [None]) for n in schema.names},
                                 schema=pa.schema([(f.name, f.type if n not in ("source_file", "source_sheet")
                                                    else pa.string()) for n, f in zip(schema.names, schema)]))
    frame = ledger_table(spec, [table.cast(schema)])
    assert frame["fixed_share"].tolist() == [85.0] and frame["month"].tolist() == [3]


def test_a_default_of_the_wrong_type_is_named_with_the_types_words(tmp_path):
    folder = _specs_with_gas_column(tmp_path, "  - name: extra\n    label: 附加\n    type: count\n    default: 很多\n")
    try:
        with pytest.raises(ValueError, match="默认值“很多”不是整数"):
            spec_module.load_spec("gas_safety", folder)
    finally:
        spec_module.load_spec.cache_clear()

"""The outputs of a run, as bytes: each ledger's typed table as Parquet, rejects.csv, manifest.json.

The column contract of each ledger's table is README's: dates as dates, counts as integers, categories as
categoricals in the spec's order, flags as booleans, and the lineage columns year, month, source_file,
source_sheet, source_row. A ledger keyed by year (filled once a year) has no date: its rows are month 0, "the
whole year".
"""
from __future__ import annotations

import io
import json

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from analysis.ingest.file_result import file_schema
from analysis.ingest.normalize import neutralise_formula
from analysis.ingest.spec import LedgerSpec

REJECT_COLUMNS = ["file", "sheet", "row", "column", "value", "reason"]


def ledger_table(spec: LedgerSpec, tables: list[pa.Table]) -> pd.DataFrame:
    """The per-file tables of one ledger → its typed table (the column contract of README)."""
    arrow = pa.concat_tables(tables) if tables else file_schema(spec).empty_table()
    key = spec.period_column
    if key.type == "date":
        i = arrow.schema.get_field_index(key.name)
        arrow = arrow.set_column(i, key.name, arrow.column(key.name).cast(pa.timestamp("s")))
    for name in ("source_file", "source_sheet"):  # stored once per sheet (file_result.REPEATED_TEXT): decoded by Arrow
        arrow = arrow.set_column(arrow.schema.get_field_index(name), name, arrow.column(name).cast(pa.string()))
    raw = arrow.to_pandas()
    out = {}
    for col in spec.columns:
        values = raw[col.name]
        if col.type == "date":
            out[col.name] = values
        elif col.type == "subdistrict":
            out[col.name] = _categorical(arrow.column(col.name), list(spec.common.subdistricts))
        elif col.type == "category":
            out[col.name] = _categorical(arrow.column(col.name), list(col.categories))
        elif col.type in ("count", "year"):
            out[col.name] = values.astype("int64")
        elif col.type == "number":
            out[col.name] = values.astype("float64")
        elif col.type == "flag":
            nullable = col.default is None or col.only_when
            out[col.name] = values.astype("boolean") if nullable else values.astype(bool)
        else:
            out[col.name] = values.astype("str").where(values.notna(), pd.NA) if len(values) else values.astype("str")
    if key.type == "date":
        out["year"] = out[key.name].dt.year.astype("int64")
        out["month"] = out[key.name].dt.month.astype("int64")
    else:
        out["year"] = out[key.name]
        out["month"] = pd.Series(0, index=raw.index, dtype="int64")
    out["source_file"] = raw["source_file"].astype("str")
    out["source_sheet"] = raw["source_sheet"].astype("str")
    out["source_row"] = raw["source_row"].astype("int64")
    return pd.DataFrame(out)


def _categorical(values: pa.ChunkedArray, categories: list) -> pd.Categorical:
    """pd.Categorical(values, categories): a value outside the categories (or missing) is missing. The codes are
    looked up by Arrow (pandas would first turn a million strings into Python objects)."""
    codes = pc.index_in(values, value_set=pa.array(categories, type=pa.string())).fill_null(-1)
    return pd.Categorical.from_codes(codes.to_numpy(), categories=categories)


def parquet_bytes(table: pd.DataFrame) -> bytes:
    arrow = pa.Table.from_pandas(table, preserve_index=False)
    for i, field in enumerate(arrow.schema):
        if pa.types.is_timestamp(field.type):  # a date column is stored as a DATE
            arrow = arrow.set_column(i, field.name, arrow.column(i).cast(pa.date32()))
    buf = io.BytesIO()
    pq.write_table(arrow, buf)
    return buf.getvalue()


def rejects_csv(rejects: list[dict]) -> bytes:
    frame = pd.DataFrame(rejects, columns=REJECT_COLUMNS)
    for c in ("file", "sheet", "column", "value", "reason"):
        frame[c] = frame[c].astype(str).map(neutralise_formula)
    # UTF-8 with BOM so that Excel opens the Chinese correctly.
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


def manifest_json(manifest: dict) -> str:
    return json.dumps(manifest, ensure_ascii=False, indent=1) + "\n"

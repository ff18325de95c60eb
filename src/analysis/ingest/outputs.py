"""The outputs of a run, as bytes: each ledger's typed table as Parquet, rejects.csv, manifest.json.

The column contract of each ledger's table is README's: dates as dates, counts as integers, categories as
categoricals in the spec's order, flags as booleans, and the lineage columns year, month, source_file,
source_sheet, source_row. A ledger keyed by year (filled once a year) has no date: its rows are month 0, "the
whole year".
"""
from __future__ import annotations

import io

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis.ingest.file_result import file_schema
from analysis.ingest.normalize import neutralise_formula
from analysis.ingest.spec import LedgerSpec

REJECT_COLUMNS = ["file", "sheet", "row", "column", "value", "reason"]


def ledger_table(spec: LedgerSpec, tables: list[pa.Table]) -> pd.DataFrame:
    """The per-file tables of one ledger → its typed table (the column contract of README)."""
    arrow = pa.concat_tables(tables) if tables else file_schema(spec).empty_table()
    for col in spec.columns:
        i = arrow.schema.get_field_index(col.name)
        arrow = arrow.set_column(i, col.name, col.kind.for_pandas(arrow.column(i)))
    for name in ("source_file", "source_sheet"):  # stored once per sheet (file_result.REPEATED_TEXT): decoded by Arrow
        arrow = arrow.set_column(arrow.schema.get_field_index(name), name, arrow.column(name).cast(pa.string()))
    raw = arrow.to_pandas()
    out = {col.name: col.kind.to_pandas(raw[col.name], arrow.column(col.name), col, spec) for col in spec.columns}
    key = spec.period_column
    out["year"], out["month"] = key.kind.year_month(out[key.name])
    out["source_file"] = raw["source_file"].astype("str")
    out["source_sheet"] = raw["source_sheet"].astype("str")
    out["source_row"] = raw["source_row"].astype("int64")
    return pd.DataFrame(out)


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

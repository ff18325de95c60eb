"""One row per key, for a ledger whose spec says so (`unique_by`, e.g. year and item in a table filled once a year).

The same figure filed twice (a corrected copy beside the first, two spellings of one item) would otherwise be
summed. Rows that repeat a key with the same values are counted once; rows that repeat a key with different
values are not counted at all, since nothing tells which is right. Either way each row left out is a reject that
names the other rows, so that nothing is lost or silently changed.
"""
from __future__ import annotations

import pandas as pd

from analysis.ingest.spec import LedgerSpec

MAX_LISTED = 5  # copies named in one reason; a key filed many times would otherwise make rejects.csv grow as its square


def one_row_per_key(spec: LedgerSpec, table: pd.DataFrame, where: dict) -> tuple[pd.DataFrame, list[dict]]:
    """(the table with one row per key, the rejects for the rows left out). `where` maps (file, sheet) to that
    sheet's record (records.SheetRecord), whose headers name the key's column in the reject."""
    keys = list(spec.unique_by)
    if not keys or table.empty:
        return table, []
    compared = [c.name for c in spec.columns if c.name not in keys and not c.kind.text]
    repeated = table[table.duplicated(keys, keep=False) & table[keys].notna().all(axis=1)]
    if repeated.empty:
        return table, []
    drop, rejects = [], []
    key_col = spec.column(keys[-1])
    for _, rows in repeated.groupby(keys, observed=True, sort=False):
        places = [f"{r.source_file} / {r.source_sheet} 第{r.source_row}行" for r in rows.itertuples()]
        key = f"{_key_words(spec, keys)}均为 {'、'.join(str(rows.iloc[0][k]) for k in keys)}"
        # With nothing but text beside the key, copies of a key are the same figure.
        agree = not compared or len(rows[compared].astype(str).drop_duplicates()) == 1
        if agree:
            left_out = rows.index[1:]
            reason = f"与{places[0]}重复（{key}），只计一次"
        else:
            left_out = rows.index
            values = [f"{p}：{_values(spec, r, compared)}" for p, (_, r) in zip(places, rows.iterrows())]
            listed = "；".join(values[:MAX_LISTED]) + (f"；等共 {len(values)} 处" if len(values) > MAX_LISTED else "")
            reason = (f"同一{_key_words(spec, keys)}填报了 {len(rows)} 次且内容不同（{key}；{listed}），"
                      "无法判断哪一个正确，均未计入；请删去错误的行")
        for i in left_out:
            r = table.loc[i]
            sheet = where.get((r["source_file"], r["source_sheet"]))
            columns = sheet.columns if sheet is not None and sheet.columns else {}
            rejects.append({"file": r["source_file"], "sheet": r["source_sheet"], "row": int(r["source_row"]),
                            "column": columns.get(key_col.name, key_col.label),
                            "value": str(r[key_col.name]), "reason": reason})
        drop.extend(left_out)
    return table.drop(index=drop).reset_index(drop=True), rejects


def _key_words(spec: LedgerSpec, keys: list[str]) -> str:
    return "、".join(spec.column(k).label for k in keys)


def _values(spec: LedgerSpec, row: pd.Series, compared: list[str]) -> str:
    return "，".join(f"{spec.column(c).label} {row[c]}" for c in compared)

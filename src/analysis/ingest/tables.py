"""Reading the processed tables back: the one way notebooks and metrics load data/processed."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd


def load_table(processed_dir: Path | str, ledger: str) -> pd.DataFrame:
    """One ledger's tidy table, with `date` as datetime64 (Parquet stores it as a DATE)."""
    df = pd.read_parquet(Path(processed_dir) / f"{ledger}.parquet")
    df["date"] = pd.to_datetime(df["date"])
    return df


def load_manifest(processed_dir: Path | str) -> dict:
    return json.loads((Path(processed_dir) / "manifest.json").read_text(encoding="utf-8"))


def load_rejects(processed_dir: Path | str) -> pd.DataFrame:
    return pd.read_csv(Path(processed_dir) / "rejects.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")

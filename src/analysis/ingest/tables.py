"""Reading the processed outputs back: the one way notebooks, pages and the briefing load data/processed.

Every output is checked against the checksum that manifest.json records for it, so what a reader gets belongs to
one run: a table from one clean and a manifest from another (a clean killed while replacing its outputs, or one
that commits while a notebook reads) is refused with OutputsIncomplete rather than mixed. Pass the manifest you
loaded to the other loaders to read everything against that one manifest.
"""
from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.shared import commit
from analysis.shared.os_errors import RunError

if TYPE_CHECKING:
    import pandas as pd

MANIFEST = "manifest.json"
REJECTS = "rejects.csv"


class OutputsIncomplete(RunError):
    """The processed folder does not hold one run's outputs; the message (Chinese) says to rerun analysis clean."""


def _incomplete(folder: Path, what: str) -> OutputsIncomplete:
    return OutputsIncomplete(f"“{folder}”中的清洗结果不完整（{what}），请重新运行 analysis clean")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read(folder: Path, name: str) -> bytes:
    try:
        return (folder / name).read_bytes()
    except FileNotFoundError:
        raise _incomplete(folder, f"缺少 {name}") from None


def parse_manifest(folder: Path, data: bytes) -> dict:
    try:
        manifest = json.loads(data.decode("utf-8"))
    except ValueError:
        raise _incomplete(folder, f"{MANIFEST} 已损坏") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("outputs"), dict):
        raise _incomplete(folder, f"{MANIFEST} 中没有各输出文件的校验值，可能由旧版程序写出")
    return manifest


def load_manifest(processed_dir: Path | str) -> dict:
    folder = Path(processed_dir)
    return parse_manifest(folder, _read(folder, MANIFEST))


def output_bytes(processed_dir: Path | str, name: str, manifest: dict) -> bytes:
    """The bytes of one output, checked to be the ones `manifest` describes."""
    folder = Path(processed_dir)
    expected = manifest["outputs"].get(name)
    if expected is None:
        raise _incomplete(folder, f"{MANIFEST} 中没有 {name}")
    data = _read(folder, name)
    if sha256(data) != expected:
        raise _incomplete(folder, f"{name} 与 {MANIFEST} 不属于同一次清洗")
    return data


# Lineage columns that repeat one text on every row of a sheet: read as categories (a million rows of file names
# as text took 80 of the 190 MB of the tables at 1M rows).
REPEATED_LINEAGE = ("source_file", "source_sheet")


def load_table(processed_dir: Path | str, ledger: str, manifest: dict | None = None) -> pd.DataFrame:
    """One ledger's tidy table, with its date column as datetime64 (Parquet stores it as a DATE; a ledger keyed
    by year has none, and its rows are month 0), and its file and sheet names as categories."""
    import pandas as pd  # here, not at the top: `analysis clean` with nothing changed needs neither (0.4 s)
    import pyarrow as pa
    import pyarrow.parquet as pq

    manifest = manifest if manifest is not None else load_manifest(processed_dir)
    table = pq.read_table(io.BytesIO(output_bytes(processed_dir, f"{ledger}.parquet", manifest)),
                          read_dictionary=list(REPEATED_LINEAGE))
    df = table.to_pandas()
    for field in table.schema:
        if pa.types.is_date(field.type):
            df[field.name] = pd.to_datetime(df[field.name])
    return df


def load_rejects(processed_dir: Path | str, manifest: dict | None = None) -> pd.DataFrame:
    import pandas as pd

    manifest = manifest if manifest is not None else load_manifest(processed_dir)
    data = output_bytes(processed_dir, REJECTS, manifest)
    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8-sig")


def verified_outputs(processed_dir: Path | str) -> tuple[bytes, dict, dict]:
    """(manifest.json's bytes, the manifest, {name: bytes} of every output it lists), all of one run;
    OutputsIncomplete if not."""
    folder = Path(processed_dir)
    data = _read(folder, MANIFEST)
    manifest = parse_manifest(folder, data)
    return data, manifest, {name: output_bytes(folder, name, manifest) for name in manifest["outputs"]}


def snapshot(processed_dir: Path | str, dest: Path | str, attempts: int = 3) -> bytes:
    """Copy one run's outputs from processed_dir into dest (a folder only the caller writes) and return the
    manifest's bytes. A clean that replaces the outputs meanwhile makes the copy start over (a commit takes
    milliseconds); after `attempts` tries OutputsIncomplete."""
    dest = Path(dest)
    for attempt in range(1, attempts + 1):
        try:
            manifest, _, files = verified_outputs(processed_dir)
            break
        except OutputsIncomplete:
            if attempt == attempts:
                raise
    try:
        if verified_outputs(dest)[0] == manifest:
            return manifest
    except OutputsIncomplete:
        pass
    commit.replace_all(dest, {dest / MANIFEST: manifest, **{dest / name: data for name, data in files.items()}})
    return manifest

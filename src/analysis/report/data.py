"""The processed data a report is made from: loaded once (`load`), found where a notebook opened as it is expects
it (`default_processed_dir`), and the selections the pages and the 报表 share (which ledgers have figures for a
period, their indicators, those indicators against the year before and the month before, a ledger's headline
indicator)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from analysis import paths
from analysis.ingest.records import Manifest
from analysis.ingest.spec import ledger_names, load_spec
from analysis.ingest.tables import load_manifest, load_rejects, load_table
from analysis.report import metrics, source_checks
from analysis.report.catalogue import load_catalogue
from analysis.report.periods import Period, parse_period


@dataclass
class Data:
    """Everything a page needs, loaded once from a processed folder."""

    folder: Path
    tables: dict
    manifest: Manifest
    rejects: pd.DataFrame
    catalogue: pd.DataFrame
    # ledger → the table load() read from the folder (checked against the manifest): the checks kept for a table
    # are reused only while it is the one read (a table replaced afterwards is checked again).
    loaded: dict = field(default_factory=dict, repr=False)

    @property
    def synthetic(self) -> bool:
        return self.manifest.synthetic

    @cached_property
    def checks(self) -> source_checks.SourceChecks:
        """What has not arrived and what looks wrong (source_checks.py), worked out once, and reused from the
        folder's stored checks for the tables it was kept for."""
        checksums = {ledger: _checksum(self.manifest.outputs, ledger) for ledger, table in self.loaded.items()
                     if self.tables.get(ledger) is table}
        stored = source_checks.StoredChecks(self.folder, checksums) if self.folder is not None else None
        return source_checks.check(self.tables, stored)


def load(processed_dir: str | Path | None = None) -> Data:
    """The outputs of a clean. Without a folder (a notebook opened as it is), the project's data/processed when it
    holds data, else the demo's build-demo/processed, saying so."""
    if processed_dir is None:
        processed_dir = default_processed_dir()
    processed_dir = Path(processed_dir)
    if not (processed_dir / "manifest.json").exists():
        raise FileNotFoundError(f"“{processed_dir.resolve()}”中没有清洗结果：请先在项目文件夹运行 analysis clean"
                                "（或 analysis briefing：data/raw 中没有台账时它会生成并清洗示例数据）")
    manifest = load_manifest(processed_dir)  # every table and the rejects are checked against this one manifest
    tables = {ledger: load_table(processed_dir, ledger, manifest) for ledger in ledger_names()}
    return Data(
        folder=processed_dir,
        tables=tables,
        manifest=Manifest.from_json(manifest),
        rejects=load_rejects(processed_dir, manifest),
        catalogue=load_catalogue(),
        loaded=dict(tables),
    )


def load_checks(processed_dir: str | Path) -> source_checks.SourceChecks:
    """The source checks of a processed folder, reading only the tables whose checks were not kept (what the
    command line says after a clean that changed one ledger)."""
    folder = Path(processed_dir)
    manifest = load_manifest(folder)
    tables = _LazyTables(folder, manifest)
    checksums = {ledger: _checksum(manifest["outputs"], ledger) for ledger in tables}
    return source_checks.check(tables, source_checks.StoredChecks(folder, checksums))


def _checksum(outputs: dict, ledger: str) -> str | None:
    """The SHA-256 of a ledger's Parquet as the manifest's outputs list it (None if they do not: load_table says
    so)."""
    return outputs.get(f"{ledger}.parquet")


class _LazyTables(Mapping):
    """Every ledger's table of a processed folder, each read (and checked against the manifest) when first looked
    up."""

    def __init__(self, folder: Path, manifest: dict):
        self.folder, self.manifest, self.read = folder, manifest, {}

    def __getitem__(self, ledger: str) -> pd.DataFrame:
        if ledger not in self.read:
            self.read[ledger] = load_table(self.folder, ledger, self.manifest)
        return self.read[ledger]

    def __iter__(self):
        return iter(ledger_names())

    def __len__(self) -> int:
        return len(ledger_names())


def default_processed_dir(start: Path | None = None) -> Path:
    """Where a notebook opened in JupyterLab finds its data, from notebooks/ or from the project folder."""
    root = project_root(start)
    processed, demo = root / paths.DEFAULT_PROCESSED, root / paths.DEFAULT_DEMO_PROCESSED
    if _holds_rows(processed) or not (demo / "manifest.json").exists():
        return processed
    print(f"说明：{processed.resolve()} 中还没有清洗过的台账，以下使用示例数据（合成数据，非真实台账）：{demo.resolve()}")
    return demo


def project_root(start: Path | None = None) -> Path:
    """The nearest folder, from `start` (default: the working directory) upwards, that holds notebooks/ or data/."""
    start = Path(start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / paths.DEFAULT_NOTEBOOKS).is_dir() or (folder / "data").is_dir():
            return folder
    return start


def shown_path(path: Path) -> str:
    """A path as a page shows it: from the project folder when it lies inside it (pages built in two clones of the
    project stay identical), else in full."""
    path = Path(path).resolve()
    try:
        return path.relative_to(project_root()).as_posix()
    except ValueError:
        return str(path)


def _holds_rows(processed: Path) -> bool:
    """Whether a clean left rows in `processed`. Outputs a clean left incomplete are not passed over for the demo:
    OutputsIncomplete says to rerun the clean."""
    if not (processed / "manifest.json").is_file():
        return False
    manifest = Manifest.from_json(load_manifest(processed))
    return any(s.rows_kept for s in manifest.ledgers.values())


def choose_period(data: Data, period: str | int | Period | None = None) -> Period:
    """The period asked for (2024, "2024-Q2", "2024-06", "2024-01..2024-06"), else the latest complete year, else
    the latest year so far; a year still running is its months so far. ValueError in Chinese when the data do
    not cover it."""
    asked = period if isinstance(period, Period) or period is None else parse_period(str(period))
    return metrics.resolve_period(data.tables, asked)


# ---------------------------------------------------------------- selections the pages and the 报表 share

def is_yearly(ledger: str) -> bool:
    """A ledger filled once a year (its rows carry a year, not a date): it has no months to chart."""
    return load_spec(ledger).period_column.type == "year"


def ledgers_with_data(data: Data, period: Period) -> list[str]:
    """The ledgers with figures for the period (rows in its year; a ledger filled once a year only in a whole year),
    in the specs' order."""
    return [ledger for ledger in data.tables if metrics.covers(data.tables, ledger, period)]


def covered_catalogue(data: Data, period: Period) -> pd.DataFrame:
    """The indicators of the ledgers with data in the period's year."""
    return data.catalogue[data.catalogue["ledger"].isin(ledgers_with_data(data, period))]


def gaps(data: Data, period: Period) -> dict[str, tuple[int, ...]]:
    """ledger -> the months of `period` it has no data for, for each ledger with data in the period that lacks
    some (a ledger filled every month whose ledgers for those months did not arrive: `metrics.missing_months`)."""
    return {ledger: missing for ledger in ledgers_with_data(data, period)
            if (missing := metrics.missing_months(data.tables, ledger, period))}


def covered_months(period: Period, missing: tuple[int, ...]) -> tuple[int, ...]:
    """The months of `period` with data, given those without."""
    return tuple(m for m in period.months if m not in missing)


def yoy(data: Data, period: Period) -> pd.DataFrame:
    """The indicators of the ledgers with data, against the same months of the year before."""
    return metrics.year_over_year(data.tables, period, catalogue=covered_catalogue(data, period))


def month_before(data: Data, period: Period) -> pd.DataFrame | None:
    """For a month: the indicators against the month before (环比); None for other periods."""
    if period.previous is None:
        return None
    return metrics.compare(data.tables, period, period.previous, catalogue=covered_catalogue(data, period))


def main_indicator(data: Data, ledger: str) -> pd.Series:
    """A ledger's headline indicator: its first in catalogue order."""
    rows = data.catalogue[data.catalogue["ledger"] == ledger]
    if rows.empty:
        raise ValueError(f"指标目录中没有台账 {ledger} 的指标")
    return rows.iloc[0].rename(rows.index[0])


def months_of(data: Data, key: str, year: int, through: int | None = None) -> pd.Series:
    """An indicator per month of `year`, cut after month `through` (default: the last month with data)."""
    series = metrics.monthly_series(data.tables, key, year, catalogue=data.catalogue)
    through = through or metrics.period_months(data.tables, year)
    return series.where(series.index <= through)

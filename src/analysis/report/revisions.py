"""What changed since the figures were last published (变更): each `analysis briefing` keeps, beside its pages, the
figures it published for its period (every indicator's value, its figure as the report writes it, its sentence) and
the checksum of every raw file with rows in the period (HISTORY_FILE). The next build of the same period compares with the
last entry: the figures that changed (old → new, the difference) and the raw files added, removed or changed.

A build that changes nothing adds no entry, so the history holds one entry per published version (the newest
MAX_ENTRIES); the version published last, built again, is compared with the version before it, as it was when first
built, so that rebuilding from the same raw files writes the same pages and the same history.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.report import metrics
from analysis.report.data import Data, yoy
from analysis.report.narrative import indicator_sentence
from analysis.report.periods import Period

HISTORY_FILE = "发布记录.json"  # in reports/<period>/, a part of each build
MAX_ENTRIES = 20
_VERSION = 1


@dataclass(frozen=True)
class Published:
    """One published version of a period's figures."""

    generated: str  # the day it was built (ISO)
    period: str  # Period.key
    figures: dict  # key -> {"label", "unit", "value" (float or None), "figure", "sentence"}
    files: dict  # raw file (as the manifest names it) -> SHA-256

    def to_json(self) -> dict:
        return {"generated": self.generated, "period": self.period, "figures": self.figures, "files": self.files}


@dataclass(frozen=True)
class Change:
    key: str
    label: str
    unit: str
    old: float | None
    new: float | None
    old_figure: str
    new_figure: str

    @property
    def difference(self) -> float | None:
        return None if self.old is None or self.new is None else round(self.new - self.old, 6)


@dataclass(frozen=True)
class Revision:
    """The current build against the last published version `since`."""

    since: Published
    period: Period
    changes: tuple[Change, ...] = ()
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def anything(self) -> bool:
        return bool(self.changes or self.added or self.removed or self.changed)

    @property
    def closed_year(self) -> bool:
        """A whole year's published figures changed: worse than a running period's, and said loudly."""
        return bool(self.changes) and self.period.kind == "year"

    @property
    def alert(self) -> str:
        """What a closed year's change says, on screen, first on the index and on the data-quality page ("" when
        it is none)."""
        if not self.closed_year:
            return ""
        return (f"{self.period.label}全年的数字与{self.since_day}生成的版本不同（{len(self.changes)}个数字有变化）："
                "如果上次的简报或报表已经报出，请核实改动的台账并说明，变化见数据质量报告和报表的“变更说明”。")

    @property
    def since_day(self) -> str:
        """2024年12月3日: when the version compared with was built."""
        return _day(self.since.generated)

    @property
    def line(self) -> str:
        """与2024年12月3日生成的版本相比，3个数字有变化（2个台账文件有改动）."""
        since = self.since_day
        files = len(self.added) + len(self.removed) + len(self.changed)
        file_part = f"（{files}个台账文件有改动）" if files else ""
        if not self.changes:
            return f"与{since}生成的版本相比，数字没有变化{file_part}。"
        return f"与{since}生成的版本相比，{len(self.changes)}个数字有变化{file_part}。"


def published(data: Data, period: Period, generated) -> Published:
    """The figures a build of `period` publishes, and the raw files they come from."""
    figures = {}
    for key, row in yoy(data, period).iterrows():
        value = None if pd.isna(row["value"]) else round(float(row["value"]), 6)
        figures[key] = {"label": row["label"], "unit": row["unit"], "value": value,
                        "figure": "" if value is None else f"{row['figure']}{row['unit']}",
                        "sentence": indicator_sentence(row, period)}
    used = set()  # the files with rows in the period: a ledger of another year added is no change of this one's
    for table in data.tables.values():
        used.update(table.loc[metrics.in_period(table, period), "source_file"].astype(str).unique())
    files = {f.file: f.sha256 for f in data.manifest.files if f.sha256 and f.file in used}
    return Published(generated=generated.isoformat(), period=period.key, figures=figures,
                     files=dict(sorted(files.items())))


def load_history(path: Path) -> tuple[list[Published], str | None]:
    """The versions published so far (oldest first), and a note (Chinese) when the file could not be read (then
    nothing is compared, and the next build starts a new history)."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        entries = [Published(e["generated"], e["period"], e["figures"], e["files"]) for e in raw["entries"]]
    except FileNotFoundError:
        return [], None
    except (OSError, ValueError, KeyError, TypeError):
        return [], f"{Path(path).name} 无法读取，本次不与以前的版本比较，并重新开始记录"
    return entries, None


def history_bytes(entries: list[Published]) -> bytes:
    body = {"version": _VERSION, "entries": [e.to_json() for e in entries[-MAX_ENTRIES:]]}
    return (json.dumps(body, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def revise(history: list[Published], current: Published, period: Period) -> tuple[list[Published], Revision | None]:
    """The history with `current` added when it differs from the period's last entry, and how it differs from the
    version before it (None when there is nothing to compare with)."""
    same_period = [e for e in history if e.period == current.period]
    if same_period and _same(same_period[-1], current):
        # The version published last, built again (a fault, a code change): compared with the version before it,
        # as when it was first built, so that the same raw files give the same pages.
        history, same_period = history, same_period[:-1]
        if not same_period:
            return history, None
        return history, _revision(same_period[-1], current, period)
    if not same_period:
        return [*history, current], None
    revision = _revision(same_period[-1], current, period)
    return ([*history, current] if revision.anything else history), revision


def _same(a: Published, b: Published) -> bool:
    return a.figures == b.figures and a.files == b.files


def _revision(last: Published, current: Published, period: Period) -> Revision:
    # A figure published in both builds whose value differs (to or from no data included). An indicator added to
    # or removed from the catalogue since is no revision of a published figure.
    changes = [Change(key, new["label"], new["unit"], old.get("value"), new["value"], old.get("figure", ""),
                      new["figure"])
               for key, new in current.figures.items()
               if (old := last.figures.get(key)) is not None and old.get("value") != new["value"]]
    return Revision(
        since=last, period=period, changes=tuple(changes),
        added=tuple(f for f in current.files if f not in last.files),
        removed=tuple(f for f in last.files if f not in current.files),
        changed=tuple(f for f in current.files if f in last.files and last.files[f] != current.files[f]),
    )


def _day(iso: str) -> str:
    year, month, day = (int(part) for part in iso[:10].split("-"))
    return f"{year}年{month}月{day}日"

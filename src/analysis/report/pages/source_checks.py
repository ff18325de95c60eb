"""The analyst's to-do list on the data-quality page (notebooks/data_quality.ipynb), before the technical tables:
what has not arrived (完整性) and what looks wrong (待核实), from source_checks.py. Its words are in
templates/pages/source_checks.html.j2."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from IPython.display import HTML

from analysis.ingest.spec import load_spec
from analysis.report import revisions
from analysis.report.data import Data
from analysis.report.number_words import signed_number
from analysis.report.pages import render
from analysis.report.periods import Period, generation_date
from analysis.report.revisions import Revision
from analysis.report.source_checks import KIND_NAMES, SourceChecks, gap_texts


def checks_summary(data: Data) -> HTML:
    """How many gaps and items to verify there are, and what to do with them."""
    return render.html("source_checks", "summary", counts=data.checks.counts(), kinds=KIND_NAMES)


def arrival_tables(data: Data, period: Period) -> HTML:
    """For each ledger filled every month: its records per month of the period's year × sub-district, coloured by
    how each cell stands to its sub-district's usual month, the gaps marked; then every gap of any year, named."""
    checks: SourceChecks = data.checks
    ledgers = []
    for ledger, arrival in checks.arrival.items():
        counts = arrival.counts
        if period.year not in counts.index.get_level_values("year"):
            continue
        year = counts.loc[period.year]
        arrived = counts[counts.sum(axis=1) > 0]
        usual = arrived.median(axis=0)
        flagged = {(g.month, g.level) for g in checks.gaps
                   if g.ledger == ledger and g.year == period.year and g.by == arrival.by}
        missing = {g.month for g in checks.gaps if g.ledger == ledger and g.year == period.year and g.level is None}
        rows = []
        for month, counts_of_month in year.iterrows():
            cells = []
            for level, n in counts_of_month.items():
                kind = ("gap" if (month, level) in flagged else "none" if month in missing
                        else "low" if usual[level] >= 1 and n < 0.5 * usual[level] else "")
                cells.append({"n": int(n), "kind": kind})
            rows.append({"month": f"{month}月", "cells": cells, "missing": month in missing})
        ledgers.append({"label": load_spec(ledger).label, "by": arrival.by,
                        "levels": [str(c) for c in year.columns], "rows": rows})
    return render.html("source_checks", "arrival_tables", ledgers=ledgers, year=period.year,
                       gaps=gap_texts(checks.gaps))


def to_verify_table(data: Data, n: int = 200) -> HTML:
    """The records that stand out (待核实): kind, file, sheet, row, column, value, why."""
    items = data.checks.to_verify
    frame = pd.DataFrame([{"kind": KIND_NAMES[i.kind], "ledger": load_spec(i.ledger).label, "file": i.file,
                           "sheet": i.sheet, "row": i.row, "column": i.column, "value": i.value, "why": i.why}
                          for i in items[:n]],
                         columns=["kind", "ledger", "file", "sheet", "row", "column", "value", "why"])
    if len(frame):
        frame["row"] = frame["row"].astype("Int64")
    return render.html("source_checks", "to_verify_table", items=frame, total=len(items), shown=n)


def revision_of(data: Data, period: Period, history_file: str | Path | None) -> Revision | None:
    """This build's figures against the version of the same period published before (the history beside the
    pages, `revisions.HISTORY_FILE`); None when there is none."""
    if history_file is None:
        return None
    history, _ = revisions.load_history(Path(history_file))
    return _revision(data, period, history)


def _revision(data: Data, period: Period, history: list) -> Revision | None:
    return revisions.revise(history, revisions.published(data, period, generation_date()), period)[1] if history else None


def revisions_table(data: Data, period: Period, history_file: str | Path | None = None) -> HTML:
    """What changed since the figures of this period were last published: each figure old → new, and the raw files
    added, removed or changed."""
    history, note = (revisions.load_history(Path(history_file)) if history_file is not None else ([], None))
    revision = _revision(data, period, history)
    changes = pd.DataFrame([{"label": c.label, "old": c.old_figure or "—", "new": c.new_figure or "—",
                             "difference": "—" if c.difference is None else signed_number(c.difference, c.unit)}
                            for c in (revision.changes if revision else ())],
                           columns=["label", "old", "new", "difference"])
    hows = render.words("source_checks").file_changes
    files = pd.DataFrame([{"file": f, "how": hows[how]} for how, names in
                          (("added", revision.added if revision else ()), ("removed", revision.removed if revision else ()),
                           ("changed", revision.changed if revision else ())) for f in names],
                         columns=["file", "how"])
    return render.html("source_checks", "revisions_table", revision=revision, note=note, changes=changes, files=files)



"""数据质量 (notebooks/data_quality.ipynb): what was read, kept and rejected, and why. Its words are in
templates/pages/data_quality.html.j2."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from IPython.display import HTML

from analysis.ingest.annotate import COPIES_DIR, copy_name, needs_copy
from analysis.ingest.layout import ROW_KINDS
from analysis.ingest.manifest import problems
from analysis.report.data import Data, shown_path
from analysis.report.pages import render

# Problems the page shows in tables of their own (rejected rows) or not at all (repeated records, kept).
_NOT_ISSUES = ("剔除", "重复记录")


def files_table(data: Data) -> HTML:
    statuses = render.words("data_quality").statuses
    rows = [{"file": f.file, "status": statuses.get(f.status, f.status), "sheets": len(f.read_sheets),
             "kept": sum(s.kept for s in f.read_sheets), "rejected": sum(s.rejected for s in f.read_sheets),
             "reason": f.reason or ""}
            for f in data.manifest.files]
    return render.html("data_quality", "files_table",
                       files=pd.DataFrame(rows, columns=["file", "status", "sheets", "kept", "rejected", "reason"]))


def row_kinds_table(data: Data) -> HTML:
    """Every row of every sheet read, by kind: nothing lost, nothing counted twice."""
    rows = []
    for ledger, s in data.manifest.ledgers.items():
        counts = dict.fromkeys(ROW_KINDS, 0)
        for f in data.manifest.files:
            for sheet in f.sheets or () if f.ledger == ledger else ():
                for kind, n in (sheet.row_kinds or {}).items():
                    counts[kind] += n
        counts["header"] += counts.pop("subheader") + counts.pop("units")  # rows of the header, as a reader sees it
        counts.pop("data")  # = kept + rejected
        rows.append({"ledger": s.label, **counts, "kept": s.rows_kept, "rejected": s.rows_rejected})
    return render.html("data_quality", "row_kinds_table", kinds=pd.DataFrame(rows))


def reject_reasons(data: Data) -> HTML:
    if data.rejects.empty:
        return render.html("data_quality", "reject_reasons", reasons=None)
    reasons = data.rejects["reason"].str.replace(r"“.*?”", "“…”", regex=True)
    counts = reasons.value_counts().rename_axis("reason").reset_index(name="cells")
    return render.html("data_quality", "reject_reasons", reasons=counts)


def rejects_table(data: Data, n: int = 200, clean_dir: str | Path | None = None) -> HTML:
    """The rejected cells, then the annotated copies of the files they are in (to send back to a squad).
    `clean_dir`: the clean's output folder, which holds the copies, when `data` was read from a copy of its outputs
    (the briefing's snapshot); by default data.folder."""
    return render.html("data_quality", "rejects_table", rejects=data.rejects.head(n), total=len(data.rejects), shown=n,
                       path=shown_path(data.folder / "rejects.csv"), copies=annotated_copies(data, clean_dir),
                       copies_folder=shown_path((Path(clean_dir) if clean_dir is not None else data.folder) / COPIES_DIR))


def annotated_copies(data: Data, clean_dir: str | Path | None = None) -> pd.DataFrame:
    """File → where its annotated copy is: `analysis clean` writes one for each file with rejected rows
    (annotate.needs_copy on the manifest's record), under <clean_dir>/批注副本/."""
    folder = Path(clean_dir) if clean_dir is not None else data.folder
    rows = [{"file": f.file, "copy": shown_path(folder / COPIES_DIR / copy_name(f.file))}
            for f in data.manifest.files if needs_copy(f)]
    return pd.DataFrame(rows, columns=["file", "copy"])


def issues_table(data: Data) -> HTML:
    """The problems the clean's summary named, but rejected rows (in their own tables below) and repeated records."""
    rows = [{"file": p.file, "sheet": p.sheet, "topic": p.topic, "text": p.text}
            for p in problems(data.manifest) if p.topic not in _NOT_ISSUES]
    return render.html("data_quality", "issues_table", issues=pd.DataFrame(rows, columns=["file", "sheet", "topic", "text"]))

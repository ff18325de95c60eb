"""A raw folder → data/processed: every ledger's tidy table, rejects.csv and manifest.json.

Files are found by folder (data/raw/<ledger>/**), read once per distinct content, and every row of
every sheet is accounted for by kind. Outputs are written atomically and are byte-identical for the
same raw files.
"""
from __future__ import annotations

import hashlib
import io
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis import __version__, atomic
from analysis.clean import clean_sheet
from analysis.demo import is_demo_folder
from analysis.layout import ROW_KINDS, find_layout
from analysis.normalize import neutralise_formula
from analysis.paths import LEDGER_SPEC_DIR
from analysis.read import SUFFIXES, ReadError, read_sheets
from analysis.spec import LedgerSpec, ledger_names, load_spec

REJECT_COLUMNS = ["file", "sheet", "row", "column", "value", "reason"]
LINEAGE = ["year", "month", "source_file", "source_sheet", "source_row"]
# Files that are documentation or system clutter, not ledgers: not worth a line in the summary.
QUIET_NAMES = {".gitkeep", ".ds_store", "thumbs.db", "desktop.ini"}
QUIET_SUFFIXES = {".md", ".txt"}


@dataclass
class CleanResult:
    manifest: dict
    exit_code: int
    tables: dict = field(default_factory=dict)  # ledger -> DataFrame written


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def discover(raw_dir: Path, ledgers: list[str]):
    """(ledger files by ledger, skipped [{file, reason}]) for everything under raw_dir, in path order."""
    found = {name: [] for name in ledgers}
    skipped = []
    for path in sorted(p for p in raw_dir.rglob("*") if p.is_file()):
        rel = path.relative_to(raw_dir).as_posix()
        name = path.name
        if name.lower() in QUIET_NAMES or (path.suffix.lower() in QUIET_SUFFIXES and len(path.relative_to(raw_dir).parts) == 1):
            continue
        if name.startswith("~$"):
            skipped.append({"file": rel, "reason": "Excel/WPS 打开时留下的临时锁文件，已忽略"})
            continue
        top = path.relative_to(raw_dir).parts[0]
        if top not in found:
            skipped.append({"file": rel, "reason": f"不在任何台账文件夹中（可用文件夹：{'、'.join(ledgers)}），已跳过"})
            continue
        if path.suffix.lower() not in SUFFIXES:
            skipped.append({"file": rel, "reason": f"不支持的文件类型“{path.suffix or '无扩展名'}”（只读 .xlsx、.xls、.csv），已跳过"})
            continue
        found[top].append(path)
    return found, skipped


def _clean_file(path: Path, rel: str, spec: LedgerSpec):
    """One workbook → (file record for the manifest, kept frames, reject dicts)."""
    record = {"file": rel, "status": "ok", "sheets": []}
    frames, rejects = [], []
    try:
        sheets = read_sheets(path)
    except ReadError as exc:
        record.update(status="failed", reason=str(exc))
        return record, frames, rejects
    for sheet in sheets:
        srec = {"sheet": sheet.name}
        record["sheets"].append(srec)
        if sheet.hidden:
            srec.update(status="hidden", reason="隐藏的工作表，已跳过")
            continue
        layout = find_layout(sheet, spec, rel)
        srec["rows"] = len(sheet.rows)
        if layout.header_row is None:
            empty = all(k == "blank" for k in layout.kinds)
            srec.update(status="empty" if empty else "no_header",
                        reason="空工作表，已跳过" if empty else "前 15 行中找不到本台账的表头，已跳过")
            srec["row_kinds"] = {k: layout.kinds.count(k) for k in ROW_KINDS}
            continue
        srec.update(header_row=layout.header_row + 1, year_hint=layout.year,
                    columns={name: layout.column_ref(name) for name in layout.columns})
        if layout.personal:
            srec["personal_columns_dropped"] = layout.personal
        if layout.unrecognised:
            srec["unrecognised_headers"] = layout.unrecognised
        if layout.duplicates:
            srec["duplicate_headers_ignored"] = layout.duplicates
        missing = layout.missing_required(spec)
        if missing:
            parts = [f"“{c.label}”（可用表头：{'、'.join(c.headers)}）" for c in missing]
            reason = "缺少必填列 " + "；".join(parts)
            if layout.unrecognised:
                reason += f"；未识别的表头：{'、'.join(layout.unrecognised)}"
            srec.update(status="failed", reason=reason)
            srec["row_kinds"] = {k: layout.kinds.count(k) for k in ROW_KINDS}
            continue
        result = clean_sheet(sheet, layout, spec)
        srec.update(status="ok", row_kinds=result.row_counts, kept=result.kept, rejected=result.rejected)
        if result.total_mismatches:
            srec["total_mismatches"] = result.total_mismatches
        frame = result.frame
        frame["source_file"] = rel
        frame["source_sheet"] = sheet.name
        frames.append(frame)
        rejects.extend({"file": rel, "sheet": sheet.name, **r} for r in result.rejects)
    visible = [s for s in record["sheets"] if s["status"] != "hidden"]
    if any(s["status"] == "failed" for s in visible):
        record["status"] = "failed" if not any(s["status"] == "ok" for s in visible) else "partial"
    elif not any(s["status"] == "ok" for s in visible):
        record.update(status="failed", reason="文件中没有可识别的台账工作表")
    return record, frames, rejects


def _typed_table(spec: LedgerSpec, frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Kept rows of all sheets → the ledger's typed table (the column contract of README)."""
    names = [c.name for c in spec.columns] + ["source_row", "source_file", "source_sheet"]
    raw = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame({n: pd.Series(dtype=object) for n in names})
    out = {}
    for col in spec.columns:
        values = raw[col.name]
        if col.type == "date":
            out[col.name] = pd.to_datetime(values.astype(object)).astype("datetime64[s]")
        elif col.type == "subdistrict":
            out[col.name] = pd.Categorical(values, categories=list(spec.common.subdistricts))
        elif col.type == "category":
            out[col.name] = pd.Categorical(values, categories=col.categories)
        elif col.type == "count":
            out[col.name] = values.astype("int64")
        elif col.type == "number":
            out[col.name] = values.astype("float64")
        elif col.type == "flag":
            nullable = col.default is None or col.only_when
            out[col.name] = values.astype("boolean") if nullable else values.astype(bool)
        else:
            out[col.name] = values.astype("str").where(values.notna(), pd.NA) if len(values) else values.astype("str")
    table = pd.DataFrame(out)
    table["year"] = table["date"].dt.year.astype("int64")
    table["month"] = table["date"].dt.month.astype("int64")
    table["source_file"] = raw["source_file"].astype("str")
    table["source_sheet"] = raw["source_sheet"].astype("str")
    table["source_row"] = raw["source_row"].astype("int64")
    return table


def _parquet_bytes(table: pd.DataFrame) -> bytes:
    arrow = pa.Table.from_pandas(table, preserve_index=False)
    i = arrow.schema.get_field_index("date")
    arrow = arrow.set_column(i, "date", arrow.column("date").cast(pa.date32()))
    buf = io.BytesIO()
    pq.write_table(arrow, buf)
    return buf.getvalue()


def _rejects_csv(rejects: list[dict]) -> bytes:
    frame = pd.DataFrame(rejects, columns=REJECT_COLUMNS)
    for c in ("file", "sheet", "column", "value", "reason"):
        frame[c] = frame[c].astype(str).map(neutralise_formula)
    # UTF-8 with BOM so that Excel opens the Chinese correctly.
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


def spec_fingerprint(spec_dir: Path = LEDGER_SPEC_DIR) -> str:
    h = hashlib.sha256(__version__.encode())
    for p in sorted(spec_dir.glob("*.yaml")):
        h.update(p.name.encode() + b"\0" + p.read_bytes())
    return h.hexdigest()[:16]


def is_up_to_date(raw_dir: Path, out_dir: Path) -> bool:
    """True when out_dir was cleaned from exactly these raw files (by content) with these specs."""
    try:
        manifest = json.loads((Path(out_dir) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if manifest.get("spec_fingerprint") != spec_fingerprint():
        return False
    if not all((Path(out_dir) / s["output"]).exists() for s in manifest["ledgers"].values()):
        return False
    found, skipped = discover(Path(raw_dir), ledger_names())
    current = {p.relative_to(raw_dir).as_posix(): sha256(p) for paths in found.values() for p in paths}
    recorded = {f["file"]: f["sha256"] for f in manifest["files"]}
    return current == recorded and skipped == manifest["skipped"]


def clean(raw_dir: Path, out_dir: Path, *, strict: bool = False, echo=print) -> CleanResult:
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    ledgers = ledger_names()
    found, skipped = discover(raw_dir, ledgers)
    total_files = sum(len(v) for v in found.values())
    # Synthetic demo ledgers are flagged so that every page built from them says 示例数据.
    manifest = {"version": __version__, "spec_fingerprint": spec_fingerprint(), "synthetic": is_demo_folder(raw_dir),
                "ledgers": {}, "files": [], "skipped": skipped}
    all_rejects, tables, seen, done = [], {}, {}, 0
    step = max(1, total_files // 20)
    for ledger in ledgers:
        spec = load_spec(ledger)
        frames, lsum = [], {"label": spec.label, "files": 0, "sheets": 0, "rows_kept": 0, "rows_rejected": 0,
                            "files_failed": 0, "duplicates": 0}
        for path in found[ledger]:
            rel = path.relative_to(raw_dir).as_posix()
            digest = sha256(path)
            done += 1
            if done % step == 0 or done == total_files:
                echo(f"  读取 {done}/{total_files}：{rel}", file=sys.stderr)
            if digest in seen:
                manifest["files"].append({"file": rel, "ledger": ledger, "sha256": digest, "status": "duplicate",
                                          "duplicate_of": seen[digest],
                                          "reason": f"与“{seen[digest]}”内容完全相同，只计一次"})
                lsum["duplicates"] += 1
                continue
            seen[digest] = rel
            record, file_frames, rejects = _clean_file(path, rel, spec)
            record = {"file": rel, "ledger": ledger, "sha256": digest, **record}
            manifest["files"].append(record)
            frames.extend(file_frames)
            all_rejects.extend(rejects)
            lsum["files"] += 1
            lsum["files_failed"] += record["status"] in ("failed", "partial")
            for s in record["sheets"]:
                lsum["sheets"] += s["status"] == "ok"
                lsum["rows_kept"] += s.get("kept", 0)
                lsum["rows_rejected"] += s.get("rejected", 0)
        table = _typed_table(spec, frames)
        tables[ledger] = table
        lsum["output"] = f"{ledger}.parquet"
        lsum["years"] = {str(y): int(n) for y, n in table["year"].value_counts().sort_index().items()}
        manifest["ledgers"][ledger] = lsum
        atomic.write_bytes(out_dir / f"{ledger}.parquet", _parquet_bytes(table))

    atomic.write_bytes(out_dir / "rejects.csv", _rejects_csv(all_rejects))
    failed = any(f["status"] in ("failed", "partial") for f in manifest["files"])
    manifest["exit_code"] = 1 if failed or (strict and all_rejects) else 0
    atomic.write_text(out_dir / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=False) + "\n")
    for line in summary_lines(manifest):
        echo(line)
    return CleanResult(manifest=manifest, exit_code=manifest["exit_code"], tables=tables)


def summary_lines(manifest: dict) -> list[str]:
    """The run's summary as a person reads it: per ledger, then every file or sheet not fully read."""
    lines = ["清洗结果："]
    for ledger, s in manifest["ledgers"].items():
        extra = f"，重复文件 {s['duplicates']} 个" if s["duplicates"] else ""
        lines.append(f"  {s['label']}（{ledger}）：文件 {s['files']} 个，工作表 {s['sheets']} 张，"
                     f"保留 {s['rows_kept']} 行，剔除 {s['rows_rejected']} 行{extra}")
    problems = []
    for f in manifest["files"]:
        if f.get("reason"):
            label = "错误" if f["status"] == "failed" else "提示"
            problems.append(f"  [{label}] {f['file']}：{f['reason']}")
        for s in f.get("sheets", []):
            where = f"{f['file']} / {s['sheet']}"
            if s["status"] == "failed":
                problems.append(f"  [错误] {where}：{s['reason']}")
            elif s["status"] != "ok":
                problems.append(f"  [跳过] {where}：{s['reason']}")
            for m in s.get("total_mismatches", []):
                problems.append(f"  [合计不符] {where} 第{m['row']}行 {m['column']}：表内合计 {m['sheet_total']:g}，"
                                f"逐行相加 {m['sum_of_rows']:g}")
    problems += [f"  [跳过] {s['file']}：{s['reason']}" for s in manifest["skipped"]]
    if problems:
        lines.append("需要注意：")
        lines += problems
    rejected = sum(s["rows_rejected"] for s in manifest["ledgers"].values())
    if rejected:
        lines.append(f"剔除的 {rejected} 行及原因见 rejects.csv（文件、工作表、行、列、原值、原因）。")
    return lines

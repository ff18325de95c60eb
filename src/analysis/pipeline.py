"""A raw folder → data/processed: every ledger's tidy table, rejects.csv and manifest.json.

Files are found by folder (data/raw/<ledger>/**), read once per distinct content, and every row of
every sheet is accounted for by kind. Outputs are written atomically and are byte-identical for the
same raw files.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no lock; one analyst runs one clean at a time there
    fcntl = None

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
CACHE_DIR = ".cache"
LINEAGE = ["year", "month", "source_file", "source_sheet", "source_row"]
# Files that are documentation or system clutter, not ledgers: not worth a line in the summary.
QUIET_NAMES = {".gitkeep", ".ds_store", "thumbs.db", "desktop.ini"}
QUIET_SUFFIXES = {".md", ".txt"}


@dataclass
class CleanResult:
    manifest: dict
    exit_code: int


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
        if result.repeated_rows:
            srec["repeated_rows"] = result.repeated_rows
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
    if len(frames) == 1:
        raw = frames[0].reset_index(drop=True)
    elif frames:
        raw = pd.concat(frames, ignore_index=True)
    else:
        raw = pd.DataFrame({n: pd.Series(dtype=object) for n in names})
    out = {}
    for col in spec.columns:
        values = raw[col.name]
        if col.type == "date":
            out[col.name] = _dates(values)
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
    out["year"] = out["date"].dt.year.astype("int64")
    out["month"] = out["date"].dt.month.astype("int64")
    out["source_file"] = raw["source_file"].astype("str")
    out["source_sheet"] = raw["source_sheet"].astype("str")
    out["source_row"] = raw["source_row"].astype("int64")
    return pd.DataFrame(out)


def _dates(values: pd.Series) -> pd.Series:
    """datetime.date objects (fresh sheets, tables read back from the cache) or datetime64 (typed tables) → datetime64[s]."""
    if values.dtype.kind == "M":
        return values.astype("datetime64[s]")
    return pd.to_datetime(values.astype(object)).astype("datetime64[s]")


def _content_key(spec: LedgerSpec, table: pd.DataFrame) -> str | None:
    """The kept records of one file (sheet, row and every column), or None when it kept none."""
    if table.empty:
        return None
    cols = ["source_sheet", "source_row"] + [c.name for c in spec.columns]
    frame = table[cols].assign(date=_dates(table["date"]))  # cached tables hold dates as objects
    hashes = pd.util.hash_pandas_object(frame, index=False)
    return hashlib.sha256(hashes.to_numpy().tobytes()).hexdigest()


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


class CleanBusy(Exception):
    """Another clean is writing the same output folder."""


@contextmanager
def _exclusive(out_dir: Path):
    """Hold out_dir/.clean.lock for the run, so that two runs never interleave their writes."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / ".clean.lock", "a+") as handle:
        if fcntl is not None:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise CleanBusy(f"另一个 analysis clean 正在写入“{out_dir}”，请等它结束后再运行") from None
        yield


def _inputs(raw_dir: Path):
    """(files by ledger, skipped, content hash of every ledger file by relative path)."""
    found, skipped = discover(raw_dir, ledger_names())
    digests = {p.relative_to(raw_dir).as_posix(): sha256(p) for paths in found.values() for p in paths}
    return found, skipped, digests


def _key(*parts) -> str:
    return hashlib.sha256("\0".join(map(str, parts)).encode()).hexdigest()


def _run_key(skipped, digests, strict: bool) -> str:
    """What a run's outputs depend on. The day is part of it: dates after today are rejects."""
    return _key(spec_fingerprint(), dt.date.today(), strict, json.dumps([skipped, sorted(digests.items())], ensure_ascii=False))


def _state_matches(out_dir: Path, run_key: str) -> bool:
    """True when out_dir holds every output of the run that `run_key` describes."""
    try:
        state = json.loads((out_dir / CACHE_DIR / "state.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return state.get("key") == run_key and all((out_dir / name).exists() for name in state.get("outputs", []))


class _FileCache:
    """Per-file results in out_dir/.cache, reused while the file's content, its path, the specs and the day are the same."""

    def __init__(self, out_dir: Path):
        self.folder = out_dir / CACHE_DIR / "files"
        self.used: set[str] = set()
        self.context = (spec_fingerprint(), dt.date.today())  # once per run, not once per file

    def key(self, rel: str, digest: str, ledger: str) -> str:
        return _key(rel, digest, ledger, *self.context)

    def get(self, key: str):
        meta, table = self.folder / f"{key}.json", self.folder / f"{key}.parquet"
        if not (meta.exists() and table.exists()):
            return None
        self.used.add(key)
        entry = json.loads(meta.read_text(encoding="utf-8"))
        return entry["record"], pd.read_parquet(table), entry["rejects"]

    def put(self, key: str, record: dict, table: pd.DataFrame, rejects: list) -> None:
        self.used.add(key)
        atomic.write_bytes(self.folder / f"{key}.parquet", _parquet_bytes(table))
        atomic.write_text(self.folder / f"{key}.json",
                          json.dumps({"record": record, "rejects": rejects}, ensure_ascii=False))

    def prune(self) -> None:
        """Forget files that are no longer in the raw folder (the cache does not grow without end)."""
        for p in self.folder.glob("*"):
            if p.name.split(".")[0] not in self.used:
                p.unlink(missing_ok=True)


def clean(raw_dir: Path, out_dir: Path, *, strict: bool = False, echo=print) -> CleanResult:
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    with _exclusive(out_dir):
        found, skipped, digests = _inputs(raw_dir)
        run_key = _run_key(skipped, digests, strict)
        if _state_matches(out_dir, run_key):
            manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
            echo(f"{raw_dir} 中的台账自上次清洗后没有变化，{out_dir} 已是最新。")
            return CleanResult(manifest=manifest, exit_code=manifest["exit_code"])
        manifest = _clean_all(raw_dir, out_dir, found, skipped, digests, strict, run_key, echo)
    for line in summary_lines(manifest):
        echo(line)
    return CleanResult(manifest=manifest, exit_code=manifest["exit_code"])


def _clean_all(raw_dir, out_dir, found, skipped, digests, strict, run_key, echo) -> dict:
    # Synthetic demo ledgers are flagged so that every page built from them says 示例数据.
    manifest = {"version": __version__, "spec_fingerprint": spec_fingerprint(), "synthetic": is_demo_folder(raw_dir),
                "ledgers": {}, "files": [], "skipped": skipped}
    cache = _FileCache(out_dir)
    outputs = {}  # written together at the end, so that a failure leaves the previous outputs whole
    all_rejects, seen, seen_content, done = [], {}, {}, 0
    total_files = len(digests)
    step = max(1, total_files // 20) if total_files >= 50 else 0  # progress only where the run is long
    for ledger, paths in found.items():
        spec = load_spec(ledger)
        tables, lsum = [], {"label": spec.label, "files": 0, "sheets": 0, "rows_kept": 0, "rows_rejected": 0,
                            "files_failed": 0, "duplicates": 0}
        for path in paths:
            rel = path.relative_to(raw_dir).as_posix()
            digest = digests[rel]
            done += 1
            if step and (done % step == 0 or done == total_files):
                echo(f"  读取 {done}/{total_files}：{rel}", file=sys.stderr)
            if digest in seen:
                manifest["files"].append({"file": rel, "ledger": ledger, "sha256": digest, "status": "duplicate",
                                          "duplicate_of": seen[digest],
                                          "reason": f"与“{seen[digest]}”内容完全相同，只计一次"})
                lsum["duplicates"] += 1
                continue
            seen[digest] = rel
            key = cache.key(rel, digest, ledger)
            hit = cache.get(key)
            if hit is None:
                record, frames, rejects = _clean_file(path, rel, spec)
                record = {"file": rel, "ledger": ledger, "sha256": digest, **record}
                table = _typed_table(spec, frames)
                cache.put(key, record, table, rejects)
            else:
                record, table, rejects = hit
            content = _content_key(spec, table)
            if content in seen_content:
                first = seen_content[content]
                manifest["files"].append({"file": rel, "ledger": ledger, "sha256": digest, "status": "duplicate",
                                          "duplicate_of": first,
                                          "reason": f"与“{first}”的记录逐行相同（文件本身不同，可能是另存或重发的同一份台账），只计一次"})
                lsum["duplicates"] += 1
                continue
            if content is not None:
                seen_content[content] = rel
            manifest["files"].append(record)
            tables.append(table)
            all_rejects.extend(rejects)
            lsum["files"] += 1
            lsum["files_failed"] += record["status"] in ("failed", "partial")
            for s in record["sheets"]:
                lsum["sheets"] += s["status"] == "ok"
                lsum["rows_kept"] += s.get("kept", 0)
                lsum["rows_rejected"] += s.get("rejected", 0)
        table = _typed_table(spec, tables)
        lsum["output"] = f"{ledger}.parquet"
        lsum["years"] = {str(y): int(n) for y, n in table["year"].value_counts().sort_index().items()}
        manifest["ledgers"][ledger] = lsum
        outputs[out_dir / f"{ledger}.parquet"] = _parquet_bytes(table)
    outputs[out_dir / "rejects.csv"] = _rejects_csv(all_rejects)
    failed = any(f["status"] in ("failed", "partial") for f in manifest["files"])
    manifest["exit_code"] = 1 if failed or (strict and all_rejects) else 0
    outputs[out_dir / "manifest.json"] = json.dumps(manifest, ensure_ascii=False, indent=1) + "\n"
    names = [p.name for p in outputs]
    outputs[out_dir / CACHE_DIR / "state.json"] = json.dumps({"key": run_key, "outputs": names}) + "\n"
    atomic.write_all(outputs)
    cache.prune()
    return manifest


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
            if s.get("rejected"):
                every = "，全部剔除" if not s.get("kept") else ""
                problems.append(f"  [剔除] {where}：剔除 {s['rejected']} 行（共 {s['row_kinds']['data']} 行数据{every}），"
                                "原因见 rejects.csv")
            for g in s.get("repeated_rows", []):
                problems.append(f"  [重复记录] {where}：第{'、'.join(map(str, g))}行内容完全相同，均已保留；"
                                "如是重复录入，请在台账中删去多余的行")
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

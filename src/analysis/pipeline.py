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
import os
import signal
import sys
import threading
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
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
from analysis.clean import ARROW_TYPES, clean_sheet
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
    """One workbook → (file record for the manifest, kept rows as Arrow tables (one per sheet), reject dicts)."""
    record = {"file": rel, "status": "ok", "sheets": []}
    tables, rejects = [], []
    try:
        sheets = read_sheets(path)
    except ReadError as exc:
        record.update(status="failed", reason=str(exc))
        return record, tables, rejects
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
        n = result.table.num_rows
        tables.append(result.table.append_column("source_file", pa.repeat(rel, n))
                      .append_column("source_sheet", pa.repeat(sheet.name, n)))
        rejects.extend({"file": rel, "sheet": sheet.name, **r} for r in result.rejects)
    visible = [s for s in record["sheets"] if s["status"] != "hidden"]
    if any(s["status"] == "failed" for s in visible):
        record["status"] = "failed" if not any(s["status"] == "ok" for s in visible) else "partial"
    elif not any(s["status"] == "ok" for s in visible):
        record.update(status="failed", reason="文件中没有可识别的台账工作表")
    return record, tables, rejects


# Per-file tables (the cache) hold the cleaned values as plain Arrow types; categories and nullable
# types are applied once per ledger, on the concatenated table, not once for each of a thousand files.
def _file_schema(spec: LedgerSpec) -> pa.Schema:
    return pa.schema([(c.name, ARROW_TYPES[c.type]) for c in spec.columns]
                     + [("source_row", pa.int64()), ("source_file", pa.string()), ("source_sheet", pa.string())])


def _file_table(spec: LedgerSpec, tables: list[pa.Table]) -> pa.Table:
    """Kept rows of one file's sheets → one table of the file schema, in one chunk (see _content_key)."""
    table = pa.concat_tables(tables) if tables else _file_schema(spec).empty_table()
    return table.combine_chunks()


def _content_key(table: pa.Table) -> str | None:
    """The kept records of one file (sheet, row and every column, not the file name), or None when it kept none.

    The table is made the same way for every file (one chunk, fixed schema, no metadata), so equal
    records give equal Arrow IPC bytes."""
    if table.num_rows == 0:
        return None
    return hashlib.sha256(_ipc_bytes(table.drop_columns(["source_file"]))).hexdigest()


def _ipc_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


@dataclass
class _Entry:
    """What cleaning one file gives: its manifest record, kept rows, rejects and content key."""
    record: dict
    table: pa.Table
    rejects: list
    content: str | None

    def to_bytes(self) -> bytes:
        """One Arrow IPC stream; record, rejects and content key as JSON in the schema metadata."""
        meta = json.dumps({"record": self.record, "rejects": self.rejects, "content": self.content}, ensure_ascii=False)
        return _ipc_bytes(self.table.replace_schema_metadata({"entry": meta}))

    @classmethod
    def from_bytes(cls, data) -> _Entry:
        table = pa.ipc.open_stream(pa.py_buffer(data)).read_all()
        meta = json.loads(table.schema.metadata[b"entry"])
        return cls(meta["record"], table.replace_schema_metadata(None), meta["rejects"], meta["content"])


def _clean_entry(path: Path, rel: str, ledger: str, digest: str) -> bytes:
    """One workbook → its cache entry (bytes: this also runs in worker processes)."""
    spec = load_spec(ledger)
    record, tables, rejects = _clean_file(path, rel, spec)
    table = _file_table(spec, tables)
    record = {"file": rel, "ledger": ledger, "sha256": digest, **record}
    return _Entry(record, table, rejects, _content_key(table)).to_bytes()


def _ledger_table(spec: LedgerSpec, tables: list[pa.Table]) -> pd.DataFrame:
    """The per-file tables of one ledger → its typed table (the column contract of README)."""
    arrow = pa.concat_tables(tables) if tables else _file_schema(spec).empty_table()
    i = arrow.schema.get_field_index("date")
    arrow = arrow.set_column(i, "date", arrow.column("date").cast(pa.timestamp("s")))
    raw = arrow.to_pandas()
    out = {}
    for col in spec.columns:
        values = raw[col.name]
        if col.type == "date":
            out[col.name] = values
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


class CleanFailed(Exception):
    """The run stopped for a reason outside the ledgers (a worker process died); the message says what to do."""


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

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.arrow"

    def get(self, key: str) -> _Entry | None:
        try:
            entry = _Entry.from_bytes(self._path(key).read_bytes())
        except (OSError, ValueError, KeyError, TypeError, pa.ArrowException):  # absent, or not an entry: clean it again
            return None
        self.used.add(self._path(key).name)
        return entry

    def put(self, key: str, data: bytes) -> None:
        self.used.add(self._path(key).name)
        atomic.write_bytes(self._path(key), data)

    def prune(self) -> None:
        """Forget files that are no longer in the raw folder (the cache does not grow without end)."""
        for p in self.folder.glob("*"):
            if p.name not in self.used:
                p.unlink(missing_ok=True)


# Each worker holds its own interpreter and value memo (~100–250 MB at a million rows): more than this
# many costs memory without much gain on the machines this runs on.
MAX_DEFAULT_JOBS = 8


def default_jobs() -> int:
    """One worker per core this process may use, at most MAX_DEFAULT_JOBS."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_DEFAULT_JOBS))


def clean(raw_dir: Path, out_dir: Path, *, strict: bool = False, jobs: int = 1, echo=print) -> CleanResult:
    """Clean every ledger file under raw_dir into out_dir. With jobs > 1, many changed files are cleaned in
    that many worker processes (the commands pass default_jobs(); a script that does so needs the usual
    `if __name__ == "__main__":` guard where Python starts workers by spawn or forkserver)."""
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    with _exclusive(out_dir):
        found, skipped, digests = _inputs(raw_dir)
        run_key = _run_key(skipped, digests, strict)
        if _state_matches(out_dir, run_key):
            manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
            echo(f"{raw_dir} 中的台账自上次清洗后没有变化，{out_dir} 已是最新。")
            return CleanResult(manifest=manifest, exit_code=manifest["exit_code"])
        manifest = _clean_all(raw_dir, out_dir, found, skipped, digests, strict, run_key, jobs, echo)
    for line in summary_lines(manifest):
        echo(line)
    return CleanResult(manifest=manifest, exit_code=manifest["exit_code"])


# Below this many files to clean per worker, worker processes cost more than they save (measured on
# the demo's workbooks with fork: 4 files 0.04 s in one process, 0.06 s in two; 15 files 0.25 s, 0.17 s).
FILES_PER_WORKER = 8


def _clean_misses(misses: list, jobs: int, echo):
    """Yield (cache key, entry bytes) for each (key, path, rel, ledger, digest) in misses, in the order
    they finish: in `jobs` worker processes when there are enough files, else in this one."""
    step = max(1, len(misses) // 20) if len(misses) >= 50 else 0  # progress only where the run is long

    def progress(done: int, rel: str) -> None:
        if step and (done % step == 0 or done == len(misses)):
            echo(f"  清洗 {done}/{len(misses)}：{rel}", file=sys.stderr)

    workers = min(jobs, len(misses) // FILES_PER_WORKER)
    if workers < 2:
        for done, (key, path, rel, ledger, digest) in enumerate(misses, 1):
            progress(done, rel)
            yield key, _clean_entry(path, rel, ledger, digest)
        return
    pool = ProcessPoolExecutor(workers, initializer=_worker_init)
    done = 0
    try:
        futures = {pool.submit(_clean_entry, path, rel, ledger, digest): (key, rel)
                   for key, path, rel, ledger, digest in misses}
        for future in as_completed(futures):
            key, rel = futures[future]
            try:
                data = future.result()
            except BrokenProcessPool:
                raise CleanFailed(f"一个清洗进程意外退出（可能是内存不足，或某个文件让读取程序崩溃）；已清洗的 {done} 个文件"
                                  "已记住，输出文件保持上一次完整的状态。请用 analysis clean --jobs 1 重新运行，"
                                  "找出出问题的文件。") from None
            done += 1
            progress(done, rel)
            yield key, data
    finally:
        _shutdown(pool)


def _shutdown(pool: ProcessPoolExecutor) -> None:
    """Cancel the files not yet handed out and wait for the workers to finish the ones in hand (they write
    nothing). A second Ctrl-C must not break the wait: the workers would never be told to stop and the
    run would hang (Python 3.11 and 3.12), so SIGINT is ignored meanwhile."""
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
    try:
        pool.shutdown(wait=True, cancel_futures=True)
    finally:
        if main:
            signal.signal(signal.SIGINT, previous)


def _worker_init() -> None:
    # Ctrl-C reaches every process of the terminal: the parent stops the run and says so; workers
    # finish the file in hand quietly instead of each printing a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        # A worker must not outlive its parent (killed by the OOM killer, say): waiting for work that never
        # comes, it would also keep the output folder's lock, inherited by fork, and refuse every later run.
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _clean_all(raw_dir, out_dir, found, skipped, digests, strict, run_key, jobs, echo) -> dict:
    # Synthetic demo ledgers are flagged so that every page built from them says 示例数据.
    manifest = {"version": __version__, "spec_fingerprint": spec_fingerprint(), "synthetic": is_demo_folder(raw_dir),
                "ledgers": {}, "files": [], "skipped": skipped}
    cache = _FileCache(out_dir)
    # Every file once per distinct content, in path order; the cache answers for files cleaned before.
    plan = {ledger: [] for ledger in found}  # (rel, digest, cache key or None for a byte-identical copy)
    first_of, entries, misses = {}, {}, []
    for ledger, paths in found.items():
        for path in paths:
            rel = path.relative_to(raw_dir).as_posix()
            digest = digests[rel]
            if digest in first_of:
                plan[ledger].append((rel, digest, None))
                continue
            first_of[digest] = rel
            key = cache.key(rel, digest, ledger)
            plan[ledger].append((rel, digest, key))
            entries[key] = cache.get(key)
            if entries[key] is None:
                misses.append((key, path, rel, ledger, digest))
    for key, data in _clean_misses(misses, jobs, echo):
        cache.put(key, data)
        entries[key] = _Entry.from_bytes(data)

    outputs = {}  # written together at the end, so that a failure leaves the previous outputs whole
    all_rejects, seen_content = [], {}
    for ledger, files in plan.items():
        spec = load_spec(ledger)
        tables, lsum = [], {"label": spec.label, "files": 0, "sheets": 0, "rows_kept": 0, "rows_rejected": 0,
                            "files_failed": 0, "duplicates": 0}
        for rel, digest, key in files:
            if key is None:
                first = first_of[digest]
                manifest["files"].append({"file": rel, "ledger": ledger, "sha256": digest, "status": "duplicate",
                                          "duplicate_of": first, "reason": f"与“{first}”内容完全相同，只计一次"})
                lsum["duplicates"] += 1
                continue
            entry = entries[key]
            if entry.content in seen_content:
                first, original = seen_content[entry.content]
                dup = {"file": rel, "ledger": ledger, "sha256": digest, "status": "duplicate", "duplicate_of": first,
                       "reason": f"与“{first}”的记录逐行相同（文件本身不同，可能是另存或重发的同一份台账），只计一次"}
                # Its kept rows are counted once; rows rejected only in this copy are still listed, not lost.
                extra = _rejects_not_in(entry.rejects, original.rejects)
                if extra:
                    rows = len({(r["sheet"], r["row"]) for r in extra})
                    dup["rows_rejected"] = rows
                    dup["reason"] += f"；但此文件另有 {rows} 行被剔除而原文件中没有，已列入 rejects.csv"
                    all_rejects.extend(extra)
                    lsum["rows_rejected"] += rows
                manifest["files"].append(dup)
                lsum["duplicates"] += 1
                continue
            if entry.content is not None:
                seen_content[entry.content] = (rel, entry)
            record = entry.record
            manifest["files"].append(record)
            tables.append(entry.table)
            all_rejects.extend(entry.rejects)
            lsum["files"] += 1
            lsum["files_failed"] += record["status"] in ("failed", "partial")
            for s in record["sheets"]:
                lsum["sheets"] += s["status"] == "ok"
                lsum["rows_kept"] += s.get("kept", 0)
                lsum["rows_rejected"] += s.get("rejected", 0)
        table = _ledger_table(spec, tables)
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


def _rejects_not_in(rejects: list, original: list) -> list:
    """The rejects of a copy that its original does not have (same sheet, row, column, value and reason)."""
    fields = ("sheet", "row", "column", "value", "reason")
    known = {tuple(r[f] for f in fields) for r in original}
    return [r for r in rejects if tuple(r[f] for f in fields) not in known]


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

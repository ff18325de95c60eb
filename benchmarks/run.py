"""Benchmark of `analysis clean` and `analysis briefing` against the readers a user would pick (python benchmarks/run.py [--quick]).

Full run (about 28 minutes on the project's 2-core machine, most of it the annotated copies, plus about 2 minutes
the first time to generate the data): a city's ten years of ledgers made with the demo generator — six districts
(one demo district each, its own seed) × 2014–2023 at scale 1.6, about 1,020,000 ledger rows in 1,170 workbooks,
in all the demo's messy forms, of the four enforcement ledgers only (LEDGERS: the numbers stay comparable with
earlier runs when the demo grows) — and a tenth of it (one district × six years, about 100,000 rows); and a second
shape, many small workbooks (nine districts × ten years at scale 0.1: 1,755 workbooks of about 55 rows, the shape
a district really sends).

On each, `analysis clean` (cold: no cache) runs against peers that only read every visible sheet of the same files
and do nothing else: raw python-calamine `to_python()` (the parse floor in Python; CSV with the csv module),
polars through fastexcel, pandas.read_excel(engine="calamine") (CSV: pandas.read_csv), each in one process and in a
pool of as many processes as `analysis clean` uses. Runs alternate A B C D A B C D …, each in its own process; the
tables give medians, pair-by-pair ratios (clean ÷ peer within one round), wall and CPU seconds and peak memory of
the process tree. Then: `analysis clean` with nothing changed and with one cell of one workbook changed (and which
files it read), where the time goes (each pipeline stage timed in-process, one process), and `analysis briefing` on
the million-row processed data in a scratch project folder: cold, warm, after touching one raw file and after
editing one cell. The results replace the block between the markers in benchmarks/README.md.

--quick does the same on a tiny dataset, once each, without the briefing and without touching README.md
(tests/test_benchmark.py runs it so that this script cannot rot).

Generated data lives in benchmarks/out/ (git-ignored) or --work; it is deterministic and reused while the generator
and the parameters are the same (--fresh makes it again). Peers that are not project dependencies (polars,
fastexcel) come with the `bench` extra (pip install -e ".[bench]"); a peer that is not installed is left out.
"""
from __future__ import annotations

import argparse
import compileall
import csv
import datetime as dt
import hashlib
import importlib.metadata
import importlib.util
import io
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = Path(__file__).resolve().parent / "README.md"
BEGIN, END = "<!-- results:begin (written by benchmarks/run.py) -->", "<!-- results:end -->"
LEDGERS = ("street_vending", "gas_safety", "dust_control", "demolitions")
# The districts and counties of a prefecture-level city: one demo district each, its own seed.
DISTRICTS = ("解放区", "山阳区", "中站区", "马村区", "修武县", "博爱县", "武陟县", "温县", "沁阳市")

# Two shapes of data, each generated once: few large workbooks (a city's ten years at demo scale 1.6, ~870 rows a
# file) and many small ones (a squad's month, the shape a district really sends: nine districts at scale 0.1, ~57
# rows a file). sizes: (label, districts, years) of the data cleaned against the peers; the last is the whole shape.
# The first shape's whole data also gets the briefing.
YEARS = tuple(range(2014, 2024))
FULL = dict(repeats=3, briefing=True, shapes=(
    dict(shape="large", districts=6, years=YEARS, scale=1.6,
         sizes=(("~100k", 1, tuple(range(2018, 2024))), ("~1M", 6, None))),
    dict(shape="small", districts=9, years=YEARS, scale=0.1, sizes=(("~100k in small files", 9, None),)),
))
QUICK = dict(repeats=1, briefing=False, shapes=(
    dict(shape="large", districts=2, years=(2022, 2023), scale=0.04, sizes=(("quick", 2, None),)),
))
SHAPE_NAMES = {"large": "few large workbooks", "small": "many small workbooks"}
PEERS = ("calamine", "polars", "pandas")
PEER_LABELS = {"clean": "`analysis clean` (cold: no cache)",
               "calamine": "python-calamine `to_python()` (CSV: csv module)",
               "polars": "polars via fastexcel (CSV: polars.read_csv)",
               "pandas": "pandas.read_excel(engine=\"calamine\") (CSV: pandas.read_csv)"}
# Issue 24's targets: cold clean against pandas.read_excel (every size and shape, one process and the pool) and
# against the raw parse (large shape ~1M: one process / the pool; small shape: either), memory, the incremental runs
# (one changed file: this much plus that file's own parse), the briefing.
TARGETS = {"pandas": 1.0, "calamine": {1: 2.0, "pool": 2.3}, "calamine_small": 3.0, "peak_gb": 0.6,
           "unchanged_s": 0.3, "one_changed_s": 0.5, "briefing_cold_s": 30.0, "briefing_warm_s": 2.0}


# ----------------------------------------------------------------------------------- measuring

def run_measured(cmd: list, *, cwd: Path = ROOT, env: dict | None = None) -> dict:
    """Run cmd in a child process: wall seconds, CPU seconds (user + system, the child and its children), exit
    code, stdout, peak RSS of the largest process (ru_maxrss from wait4) and, with psutil, the peak summed RSS of
    the process tree (sampled every 20 ms)."""
    env = {**os.environ, **(env or {})}
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    tree_peak = [0]
    stop = threading.Event()

    def sample():
        try:
            import psutil
        except ImportError:
            return
        try:
            root = psutil.Process(proc.pid)
            while not stop.is_set():
                try:
                    procs = [root, *root.children(recursive=True)]
                    tree_peak[0] = max(tree_peak[0], sum(p.memory_info().rss for p in procs))
                except psutil.Error:
                    pass
                stop.wait(0.02)
        except psutil.Error:
            pass

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out = []
    reader = threading.Thread(target=lambda: out.append(proc.stdout.read()), daemon=True)
    reader.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    stop.set()
    reader.join()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    text = out[0].decode("utf-8", "replace") if out else ""
    maxrss = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    # wait4's usage covers the child and every descendant it waited for (its worker processes).
    return {"seconds": wall, "cpu": usage.ru_utime + usage.ru_stime, "code": proc.returncode, "out": text,
            "maxrss": maxrss, "tree_peak": tree_peak[0] or None}


def analysis_cmd(*args) -> list:
    return [sys.executable, "-m", "analysis", *map(str, args)]


def this_cmd(*args) -> list:
    return [sys.executable, str(Path(__file__).resolve()), *map(str, args)]


def median(values):
    return statistics.median(values) if values else float("nan")


# ----------------------------------------------------------------------------------- data

def _generate_district(job):
    i, years, scale, folder = job
    from analysis.demo import DEFAULT_SEED, write_demo

    write_demo(Path(folder), years=years, seed=DEFAULT_SEED + i, scale=scale)
    return i


def make_dataset(work: Path, districts: int, years, scale: float, fresh: bool, log) -> Path:
    """work/raw/<ledger>/<district>/…: one demo district per district name, deterministic, reused. Only the
    ledgers in LEDGERS are kept (the demo may write more): the numbers stay comparable with earlier runs."""
    import analysis.demo as demo_module

    generator = hashlib.sha256()
    folder = Path(demo_module.__file__).parent
    for source in sorted([*folder.glob("*.py"), *folder.glob("*.yaml")]):  # the code and its targets
        generator.update(source.name.encode() + b"\0" + source.read_bytes())
    params = {"districts": districts, "years": list(years), "scale": scale, "ledgers": list(LEDGERS),
              "generator": generator.hexdigest()[:16]}
    raw, stamp = work / "raw", work / "dataset.json"
    if not fresh and stamp.exists() and json.loads(stamp.read_text()) == params and raw.is_dir():
        log(f"数据集已存在，直接使用：{raw}")
        return raw
    shutil.rmtree(work, ignore_errors=True)
    parts = work / "parts"
    jobs = [(i, tuple(years), scale, str(parts / str(i))) for i in range(districts)]
    t0 = time.perf_counter()
    workers = min(len(jobs), os.cpu_count() or 1)
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            list(pool.map(_generate_district, jobs))
    else:
        for job in jobs:
            _generate_district(job)
    for i in range(districts):
        for ledger in LEDGERS:
            src = parts / str(i) / ledger
            if src.is_dir():
                (raw / ledger).mkdir(parents=True, exist_ok=True)
                name = DISTRICTS[i] if i < len(DISTRICTS) else f"区县{i + 1}"
                src.rename(raw / ledger / name)
    shutil.rmtree(parts)  # with any other ledger the demo wrote
    stamp.write_text(json.dumps(params))
    log(f"生成数据集用时 {time.perf_counter() - t0:.0f} 秒：{raw}")
    return raw


def subset(raw: Path, dest: Path, n_districts: int, years=None) -> Path:
    """The first n districts of raw (only `years`, when given), hard-linked (no copy) into dest."""
    shutil.rmtree(dest, ignore_errors=True)
    names = DISTRICTS[:n_districts]
    wanted = {str(y) for y in years} if years else None
    for p in sorted(raw.rglob("*")):
        rel = p.relative_to(raw)
        if not (p.is_file() and len(rel.parts) > 2 and rel.parts[1] in names):
            continue
        # A district's files lie in <year>/… folders or are named <year>年…: the first four digits say the year.
        year = next((part[:4] for part in rel.parts[2:] if part[:4].isdigit()), None)
        if wanted is not None and year not in wanted:
            continue
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(p, dest / rel)
        except OSError:
            shutil.copy2(p, dest / rel)
    return dest


def data_files(raw: Path) -> list:
    return sorted(p for p in raw.rglob("*") if p.is_file() and p.suffix.lower() in (".xlsx", ".csv"))


def edit_one_cell(path: Path) -> str:
    """Change one text cell of a data row, as an analyst fixing a ledger would (returns what changed)."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        for row in ws.iter_rows(min_row=4):
            for cell in row:
                if isinstance(cell.value, str) and "路" in cell.value and len(cell.value) < 40:
                    old = cell.value
                    cell.value = old + "（已核实）"
                    wb.save(path)
                    return f"{path.name} {ws.title}!{cell.coordinate}：{old} → {cell.value}"
    raise LookupError(f"no text cell to edit in {path}")


# ----------------------------------------------------------------------------------- child modes

def _csv_text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def _read_calamine(path: Path) -> tuple[int, int]:
    """(rows, sheets): every visible sheet as Python lists, as `analysis clean` gets them; CSV with the csv module."""
    import python_calamine as calamine

    if path.suffix.lower() == ".csv":
        return len(list(csv.reader(io.StringIO(_csv_text(path), newline="")))), 1
    rows = sheets = 0
    book = calamine.CalamineWorkbook.from_path(str(path))
    for meta in book.sheets_metadata:
        if meta.visible == calamine.SheetVisibleEnum.Visible and meta.typ == calamine.SheetTypeEnum.WorkSheet:
            rows += len(book.get_sheet_by_name(meta.name).to_python(skip_empty_area=False))
            sheets += 1
    book.close()
    return rows, sheets


def _read_polars(path: Path) -> tuple[int, int]:
    """polars' Excel reader (fastexcel, calamine underneath): what polars.read_excel(engine="calamine") does for each
    sheet, with the file opened once to tell hidden sheets; CSV with polars.read_csv, every row as text."""
    import fastexcel
    import polars as pl

    if path.suffix.lower() == ".csv":
        text = _csv_text(path)
        width = max((line.count(",") + 1 for line in text.splitlines()), default=1)  # at least the widest row
        frame = pl.read_csv(text.encode("utf-8"), has_header=False, schema={f"c{i}": pl.String for i in range(width)},
                            truncate_ragged_lines=True, missing_columns="insert")
        return frame.height, 1
    rows = sheets = 0
    book = fastexcel.read_excel(str(path))
    for name in book.sheet_names:
        sheet = book.load_sheet(name, header_row=None)
        if sheet.visible == "visible":
            rows += sheet.to_polars().height
            sheets += 1
    return rows, sheets


def _read_pandas(path: Path) -> tuple[int, int]:
    """pandas.read_excel(engine="calamine") for every visible sheet; CSV with pandas.read_csv (ragged rows kept)."""
    import pandas as pd
    import python_calamine

    if path.suffix.lower() == ".csv":
        text = _csv_text(path)
        width = max((len(r) for r in csv.reader(io.StringIO(text, newline=""))), default=1)
        frame = pd.read_csv(io.StringIO(text, newline=""), header=None, names=range(width), dtype=object)
        return len(frame), 1
    rows = sheets = 0
    with pd.ExcelFile(path, engine="calamine") as book:
        for meta in book.book.sheets_metadata:
            if meta.visible == python_calamine.SheetVisibleEnum.Visible:
                rows += len(pd.read_excel(book, sheet_name=meta.name, header=None))
                sheets += 1
    return rows, sheets


READERS = {"calamine": _read_calamine, "polars": _read_polars, "pandas": _read_pandas}


def peer_read(name: str, jobs: int, raw: Path) -> None:
    """A peer: read every visible sheet of every file under raw with one reader, in `jobs` processes; nothing else."""
    files = data_files(raw)
    reader = READERS[name]
    if jobs > 1:
        with ProcessPoolExecutor(jobs) as pool:
            counts = list(pool.map(reader, files, chunksize=4))
    else:
        counts = list(map(reader, files))
    print(json.dumps({"rows": sum(r for r, _ in counts), "sheets": sum(s for _, s in counts)}))


def peer_available(name: str) -> bool:
    module = {"calamine": "python_calamine", "polars": "fastexcel", "pandas": "pandas"}[name]
    try:
        importlib.import_module(module)
        return name != "polars" or importlib.util.find_spec("polars") is not None
    except ImportError:
        return False


def counted_clean(raw: Path, out: Path) -> None:
    """`analysis clean`, reporting which files it read (read_sheets calls)."""
    import analysis.ingest.file_result as file_result
    from analysis.commands.cli import main

    reads = []
    real = file_result.read_sheets
    file_result.read_sheets = lambda path, *a: reads.append(path) or real(path, *a)
    with open(os.devnull, "w") as sink:
        stdout, sys.stdout = sys.stdout, sink
        try:
            # One job: reads in worker processes would not be counted here.
            code = main(["clean", "--raw", str(raw), "--out", str(out), "--jobs", "1"])
        finally:
            sys.stdout = stdout
    print(json.dumps({"code": code, "read": [p.relative_to(raw).as_posix() for p in reads]}, ensure_ascii=False))


# Stages timed in one cold clean: module → functions (those that exist), wrapped where they were imported by name too.
STAGES = {
    "analysis.ingest.discover": ["inputs"],  # listing and hashing every raw file
    "analysis.ingest.read": ["read_sheets"],
    "analysis.ingest.read.ooxml": ["_scan_sheets"],  # the sheet-XML scan: error cells, far-away cells
    "analysis.ingest.read.calamine_grid": ["read_calamine"],  # python-calamine, error cells put back, merged cells filled
    "analysis.ingest.layout": ["find_layout"],
    "analysis.ingest.cleaning": ["clean_sheet", "_normalise_column", "_check_totals", "_repeated_rows"],
    "analysis.ingest.file_result": ["clean_file", "_file_table", "_content_key"],
    "analysis.ingest.annotate": ["annotated_copy"],  # the annotated copies (XlsxWriter), in clean_file or make_copy
    "analysis.ingest.copies": ["annotated_copies", "make_copy", "keep_copy"],
    "analysis.ingest.outputs": ["ledger_table", "parquet_bytes", "rejects_csv"],
    "analysis.shared.commit": ["replace_all"],  # outputs written, fsync'd and renamed through the journal
}
METHODS = {"analysis.ingest.cache": ("FileCache", ["get", "put"]),  # entries checked / written with their checksum
           "analysis.ingest.file_result": ("FileResult", ["to_bytes"])}


def stage_times(raw: Path, out: Path) -> None:
    """One cold clean in this process with one job (no worker processes, so that the stages add up to the
    work the workers share), every stage wrapped with a timer (no profiler overhead)."""
    import functools

    totals, calls = {}, {}

    def timed(label, fn):
        @functools.wraps(fn)
        def wrapper(*a, **k):
            t0 = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                totals[label] = totals.get(label, 0.0) + time.perf_counter() - t0
                calls[label] = calls.get(label, 0) + 1
        return wrapper

    import analysis.ingest.pipeline as pipeline
    for module_name in [*STAGES, *METHODS, "analysis.ingest.workers"]:
        importlib.import_module(module_name)
    ingest = [m for name, m in sorted(sys.modules.items()) if name.startswith(("analysis.ingest", "analysis.shared"))]
    for module_name, names in STAGES.items():
        module = sys.modules[module_name]
        for name in names:
            fn = getattr(module, name, None)
            if fn is None:
                continue
            wrapped = timed(f"{module_name.split('.')[-1]}.{name}", fn)
            for other in ingest:  # where it was imported by name too
                if getattr(other, name, None) is fn:
                    setattr(other, name, wrapped)
    for module_name, (cls_name, names) in METHODS.items():
        cls = getattr(importlib.import_module(module_name), cls_name)
        for name in names:
            setattr(cls, name, timed(f"{cls_name}.{name}", getattr(cls, name)))
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    pipeline.clean(raw, out, jobs=1, echo=lambda *a, **k: None)
    total = time.perf_counter() - t0
    print(json.dumps({"total": total, "stages": totals, "calls": calls}))


# ----------------------------------------------------------------------------------- the benchmark

def machine() -> dict:
    def meminfo():
        try:
            for line in Path("/proc/meminfo").read_text().splitlines():
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) * 1024
        except OSError:
            return None

    def cpu_model():
        try:
            for line in Path("/proc/cpuinfo").read_text().splitlines():
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return platform.processor() or platform.machine()

    versions = {}
    for name in ("pandas", "numpy", "pyarrow", "python-calamine", "polars", "fastexcel", "openpyxl", "xlsxwriter",
                 "nbconvert", "papermill", "psutil"):
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "—"
    import analysis
    from analysis.ingest.pipeline import default_jobs

    versions["analysis"] = analysis.__version__
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {"cores": cores, "jobs": default_jobs(), "memory": meminfo(), "cpu": cpu_model(),
            "python": platform.python_version(), "os": platform.platform(), "versions": versions,
            "load": os.getloadavg() if hasattr(os, "getloadavg") else None}


def manifest_rows(out: Path) -> dict:
    from analysis.ingest.annotate import COPIES_DIR

    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    files = [f for f in m["files"] if f.get("status") != "duplicate"]
    kept = sum(s["rows_kept"] for s in m["ledgers"].values())
    rejected = sum(s["rows_rejected"] for s in m["ledgers"].values())
    copies = out / COPIES_DIR
    return {"files": len(files), "sheets": sum(s["sheets"] for s in m["ledgers"].values()), "kept": kept,
            "rejected": rejected, "rows_per_file": (kept + rejected) / max(1, len(files)),
            "copies": sum(1 for p in copies.rglob("*.xlsx")) if copies.is_dir() else 0}


def _load_now() -> list:
    return list(os.getloadavg()) if hasattr(os, "getloadavg") else []


def bench_peers(raw: Path, work: Path, repeats: int, jobs: int, log) -> dict:
    """Cold `analysis clean` and every installed peer, in one process and in `jobs`, alternating within each
    round (clean, calamine, polars, pandas, clean, …); the outputs of the last clean stay in work/processed."""
    out = work / "processed"
    peers = [p for p in PEERS if peer_available(p)]
    counts = sorted({1, jobs}, reverse=True)
    runs = {(name, j): [] for j in counts for name in ("clean", *peers)}
    loads = []
    for i in range(repeats):
        loads.append(_load_now())
        for j in counts:
            for name in ("clean", *peers):
                if name == "clean":
                    shutil.rmtree(out, ignore_errors=True)
                    r = run_measured(analysis_cmd("clean", "--raw", raw, "--out", out, "--jobs", j))
                    if r["code"] not in (0, 1):
                        raise SystemExit(f"analysis clean failed ({r['code']}):\n{r['out'][-3000:]}")
                else:
                    r = run_measured(this_cmd("--peer", name, j, raw))
                    if r["code"]:
                        raise SystemExit(f"peer {name} failed:\n{r['out'][-3000:]}")
                    r["read"] = json.loads(r["out"].strip().splitlines()[-1])
                r.pop("out", None)
                runs[(name, j)].append(r)
        log(f"  第 {i + 1} 轮：" + "，".join(f"{name}×{j} {runs[(name, j)][-1]['seconds']:.1f} 秒" for name, j in runs))
    shutil.rmtree(out, ignore_errors=True)  # the outputs of one clean with the default number of processes
    final = run_measured(analysis_cmd("clean", "--raw", raw, "--out", out))
    if final["code"] not in (0, 1):
        raise SystemExit(f"analysis clean failed ({final['code']}):\n{final['out'][-3000:]}")
    reads = [r["read"] for (name, _), rs in runs.items() if name != "clean" for r in rs]
    return {"runs": [{"name": name, "jobs": j, "runs": rs} for (name, j), rs in runs.items()],
            "counts": manifest_rows(out), "peer_rows": reads[0]["rows"] if reads else None,
            "peer_sheets": reads[0]["sheets"] if reads else None, "loads": loads, "out": out}


def bench_incremental(raw: Path, out: Path, repeats: int, log) -> dict:
    """`analysis clean` with nothing changed; then, `repeats` times, one text cell of one workbook changed (which files
    were read, how long it took) and changed back (timed too: the file is cleaned again)."""
    unchanged = [run_measured(analysis_cmd("clean", "--raw", raw, "--out", out)) for _ in range(max(3, repeats))]
    files = [p for p in data_files(raw) if p.suffix == ".xlsx"]
    middle = len(files) // 2
    changed, restored, reads, parses, what = [], [], [], [], None
    for candidate in files[middle:] + files[:middle]:  # a workbook in the middle, with a text cell to fix
        original, stat = candidate.read_bytes(), candidate.stat()
        try:
            for _ in range(repeats):
                try:
                    what = edit_one_cell(candidate)
                except LookupError:
                    break
                changed.append(run_measured(this_cmd("--counted-clean", raw, out)))
                candidate.write_bytes(original)
                os.utime(candidate, ns=(stat.st_atime_ns, stat.st_mtime_ns))
                # Back to the original content, so that the outputs match the data set again.
                restored.append(run_measured(this_cmd("--counted-clean", raw, out)))
                told = [json.loads(r["out"].strip().splitlines()[-1]) for r in (changed[-1], restored[-1])]
                reads.append((told[0]["read"], told[1]["read"]))
                t0 = time.perf_counter()  # the parse floor of the file read again, here (not in the timed run)
                _read_calamine(candidate)
                parses.append(time.perf_counter() - t0)
        finally:
            candidate.write_bytes(original)
            os.utime(candidate, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        if changed:
            break
    if not changed:
        raise SystemExit("no workbook has a text cell to edit")
    log(f"  未改动：{median([r['seconds'] for r in unchanged]):.2f} 秒；改动一个单元格：{_runs(changed, 2)} 秒，"
        f"读取了 {len(reads[0][0])} 个文件；改回：{_runs(restored, 2)} 秒")
    for r in (*unchanged, *changed, *restored):
        r.pop("out", None)
    return {"unchanged": unchanged, "changed": changed, "restored": restored, "reads": reads, "parses": parses,
            "edit": what, "files": len(files)}


def bench_briefing(raw: Path, processed: Path, work: Path, log) -> dict:
    """`analysis briefing` on the cleaned data (`processed`, made from raw) in a scratch project folder holding a
    copy of notebooks/: cold (no pages yet, 2 runs), warm (nothing changed, 3 runs), after touching one raw file
    (same content) and after editing one cell (one file cleaned again, the notebooks run again)."""
    project = work / "project"
    shutil.rmtree(project, ignore_errors=True)
    shutil.copytree(ROOT / "notebooks", project / "notebooks")
    reports = project / "reports"
    cmd = analysis_cmd("briefing", "--raw", raw, "--processed", processed, "--out", reports)
    env = {"SOURCE_DATE_EPOCH": "1700000000"}

    def run():
        r = run_measured(cmd, cwd=project, env=env)
        if r["code"]:
            raise SystemExit(f"analysis briefing failed ({r['code']}):\n{r['out'][-3000:]}")
        return r

    def cold():
        shutil.rmtree(reports, ignore_errors=True)
        return run()

    colds = [cold() for _ in range(2)]
    warms = [run() for _ in range(3)]
    target = next(p for p in data_files(raw) if p.suffix == ".xlsx" and "street_vending" in p.parts)
    original, stat = target.read_bytes(), target.stat()
    try:
        os.utime(target)  # touched: new modification time, same content
        touched = run()
        what = edit_one_cell(target)  # the demo's street-vending ledgers always name roads (路)
        edited = run()
    finally:
        target.write_bytes(original)
        os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    pages = sorted(p.relative_to(reports).as_posix() for p in reports.rglob("*") if p.is_file() and ".build" not in p.parts)
    log(f"  简报：冷启动 {median([r['seconds'] for r in colds]):.1f} 秒，无变化 {median([r['seconds'] for r in warms]):.2f} 秒，"
        f"touch 后 {touched['seconds']:.2f} 秒，改一个单元格后 {edited['seconds']:.1f} 秒")
    for r in (*colds, *warms, touched, edited):
        r.pop("out", None)
    shutil.rmtree(project, ignore_errors=True)
    return {"cold": colds, "warm": warms, "touched": touched, "edited": edited, "edit": what, "pages": pages}


# ----------------------------------------------------------------------------------- report

def _gb(n):
    return f"{n / 2**30:.2f} GB" if n else "—"


def _mb(n):
    return f"{n / 2**20:.0f} MB" if n else "—"


def _loads(values) -> str:
    return ", ".join(f"{x:.2f}" for x in values or ())


def _runs(runs: list, digits: int = 1, key: str = "seconds") -> str:
    return ", ".join(f"{r[key]:.{digits}f}" for r in runs)


def _ok(flag: bool) -> str:
    return "达标 ✅" if flag else "未达标 ❌"


def _peak(r: dict) -> int:
    return r["tree_peak"] or r["maxrss"]


def size_report(size: dict) -> tuple[list, dict]:
    """The peers' table of one data size, and {(peer, jobs): median pair ratio clean ÷ peer} for the targets."""
    p = size["peers"]
    c = p["counts"]
    rows = c["kept"] + c["rejected"]
    groups = {(g["name"], g["jobs"]): g["runs"] for g in p["runs"]}
    lines = [f"**{size['label']}** ({SHAPE_NAMES[size['shape']]}): {size['districts']} district(s) × {size['years']}: "
             f"{c['files']} workbooks ({c['rows_per_file']:.0f} ledger rows each on average), "
             f"{c['sheets']} sheets cleaned, {rows:,} ledger rows ({c['kept']:,} kept, {c['rejected']:,} rejected), "
             f"{c['copies']} annotated copies written; "
             f"the peers read {p['peer_rows']:,} rows (titles, headers, totals and footers included) in "
             f"{p['peer_sheets']} sheets. Load average before each round: "
             + "; ".join(_loads(x) for x in p["loads"]) + ".", "",
             "| reader | processes | median wall | runs (s) | median CPU s | ledger rows/s | peak memory (process tree) "
             "| clean ÷ peer, wall (pairs) | clean ÷ peer, CPU (pairs) |",
             "|---|---|---|---|---|---|---|---|---|"]
    ratios = {}
    for (name, jobs), runs in groups.items():
        wall, cpu = median([r["seconds"] for r in runs]), median([r["cpu"] for r in runs])
        peak = max(_peak(r) for r in runs)
        ratio_wall = ratio_cpu = "—"
        if name != "clean":
            mine = groups[("clean", jobs)]
            pw = [a["seconds"] / b["seconds"] for a, b in zip(mine, runs)]
            pc = [a["cpu"] / b["cpu"] for a, b in zip(mine, runs)]
            ratio_wall = f"**{median(pw):.2f}** ({', '.join(f'{x:.2f}' for x in pw)})"
            ratio_cpu = f"{median(pc):.2f} ({', '.join(f'{x:.2f}' for x in pc)})"
            ratios[(name, jobs)] = median(pw)
        lines.append(f"| {PEER_LABELS[name]} | {jobs} | {wall:.2f} s | {_runs(runs, 2)} | {cpu:.1f} | "
                     f"{rows / wall:,.0f} | {_mb(peak)} | {ratio_wall} | {ratio_cpu} |")
    return lines, ratios


def _calamine_target(size: dict, jobs: int) -> float | None:
    """The bound on clean ÷ raw parse: the small shape at any size, the large shape at its whole size (~1M)."""
    if size["shape"] == "small":
        return TARGETS["calamine_small"]
    return TARGETS["calamine"][1 if jobs == 1 else "pool"] if size["whole"] else None


def _stage_table(st: dict, shape: str) -> list:
    lines = ["", f"Where the time of one cold clean goes, {SHAPE_NAMES[shape]}, in one process (`jobs=1`: the work the "
             f"worker processes share; in-process timers around each stage; total {st['total']:.1f} s; stages nest: "
             "clean_file holds read_sheets (_scan_sheets: the sheet-XML scan; read_calamine: the parse), find_layout, "
             "clean_sheet (_normalise_column, _check_totals, _repeated_rows), annotated_copy (the copy a file with "
             "rejected rows gets, made from the reading in hand), _file_table, _content_key and "
             "FileResult.to_bytes; the cache, keep_copy, annotated_copies (make_copy: copies made again in the parent), "
             "ledger_table, parquet_bytes and replace_all (the journalled, fsync'd commit) run in the parent):", "",
             "| stage | seconds | calls |", "|---|---|---|"]
    for name, sec in sorted(st["stages"].items(), key=lambda kv: -kv[1]):
        lines.append(f"| {name} | {sec:.2f} | {st['calls'][name]} |")
    return lines


def report(res: dict) -> str:
    m = res["machine"]
    jobs = m["jobs"]
    lines = [
        f"Run: {res['when']} (`python benchmarks/run.py{' --quick' if res['quick'] else ''}`, {res['elapsed']:.0f} s in all). "
        f"Machine: {m['cores']} cores ({m['cpu']}), {_gb(m['memory'])} memory, Python {m['python']}, {m['os']}; "
        + ", ".join(f"{k} {v}" for k, v in m["versions"].items())
        + f". `analysis clean` uses {jobs} processes here. Load average before the run: {_loads(m['load'])} "
        "(the machine is shared: other jobs add noise, which is why the readers alternate and ratios are taken pair by pair).",
        "",
        "Data, " + "; ".join(
            f"{SHAPE_NAMES[sh['params']['shape']]}: {sh['params']['districts']} districts × {len(sh['params']['years'])} "
            f"years ({sh['params']['years'][0]}–{sh['params']['years'][-1]}), demo scale {sh['params']['scale']:g}"
            for sh in res["shapes"])
        + f"; ledgers {', '.join(LEDGERS)}. Wall time from process start to exit (interpreter and imports included on "
        "every side), CPU seconds of the process and its workers (wait4), peak memory: the process tree's summed RSS "
        "sampled every 20 ms. Ratios: each `analysis clean` run divided by the peer's run of the same round.",
    ]
    targets = []
    for size in res["sizes"]:
        table, ratios = size_report(size)
        lines += ["", *table]
        for (peer, j), ratio in ratios.items():
            where = f"{size['label']}, {j} process{'es' if j > 1 else ''}"
            if peer == "pandas":
                targets.append(f"| cold clean ÷ pandas.read_excel, {where} ≤ {TARGETS['pandas']} | {ratio:.2f} | "
                               f"{_ok(ratio <= TARGETS['pandas'])} |")
            bound = _calamine_target(size, j) if peer == "calamine" else None
            if bound is not None:
                targets.append(f"| cold clean ÷ raw python-calamine, {where} ≤ {bound} | {ratio:.2f} | "
                               f"{_ok(ratio <= bound)} |")
    whole = {s["shape"]: s for s in res["sizes"] if s["whole"]}
    big = whole[res["shapes"][0]["params"]["shape"]]  # the first shape's whole data
    clean_runs = {g["jobs"]: g["runs"] for g in big["peers"]["runs"] if g["name"] == "clean"}
    peak = max(_peak(r) for rs in clean_runs.values() for r in rs)
    lines += ["", "| target | measured | |", "|---|---|---|", *targets,
              f"| peak memory of cold clean, {big['label']}, process tree ≤ {TARGETS['peak_gb']} GB | {_gb(peak)} | "
              f"{_ok(peak <= TARGETS['peak_gb'] * 2**30)} |"]
    for sh in res["shapes"]:
        inc, shape = sh["incremental"], SHAPE_NAMES[sh["params"]["shape"]]
        files = whole[sh["params"]["shape"]]["peers"]["counts"]["files"]
        tu = median([r["seconds"] for r in inc["unchanged"]])
        only = sorted({f for changed, back in inc["reads"] for f in (*changed, *back)})
        tch, parse = median([r["seconds"] for r in inc["changed"]]), median(inc["parses"])
        lines += [
            f"| clean with nothing changed, {shape}, {files} files ≤ {TARGETS['unchanged_s']} s | {tu:.2f} s "
            f"(runs: {_runs(inc['unchanged'], 2)}) | {_ok(tu <= TARGETS['unchanged_s'])} |",
            f"| one cell of one workbook changed, {shape}, ≤ {TARGETS['one_changed_s']} s + that file's parse "
            f"({parse:.2f} s), only that file read | {tch:.2f} s (runs: "
            f"{_runs(inc['changed'], 2)}; changed back: {_runs(inc['restored'], 2)}); files read each time: "
            f"{', '.join(only) or '—'}, peak {_mb(max(_peak(r) for r in inc['changed']))} | "
            f"{_ok(len(only) == 1 and tch <= TARGETS['one_changed_s'] + parse)} |",
        ]
    b = res.get("briefing")
    if b:
        tcold, twarm = median([r["seconds"] for r in b["cold"]]), median([r["seconds"] for r in b["warm"]])
        lines += [
            f"| `analysis briefing` on the {big['label']} processed data, cold (no pages yet) ≤ {TARGETS['briefing_cold_s']:g} s "
            f"| {tcold:.1f} s (runs: {_runs(b['cold'])}), peak {_mb(max(_peak(r) for r in b['cold']))} | "
            f"{_ok(tcold <= TARGETS['briefing_cold_s'])} |",
            f"| `analysis briefing` warm, nothing changed ≤ {TARGETS['briefing_warm_s']:g} s | {twarm:.2f} s (runs: "
            f"{_runs(b['warm'], 2)}) | {_ok(twarm <= TARGETS['briefing_warm_s'])} |",
            f"| `analysis briefing` after touching one raw file (same content) | {b['touched']['seconds']:.2f} s | "
            f"{_ok(b['touched']['seconds'] <= TARGETS['briefing_warm_s'])} (≤ {TARGETS['briefing_warm_s']:g} s: nothing to redo) |",
            f"| `analysis briefing` after editing one cell (one file cleaned again, every page built again) | "
            f"{b['edited']['seconds']:.1f} s | (no target; cold is the bound) |",
        ]
    else:
        lines.append("| `analysis briefing` | not run (--quick) | |")
    large = [s for s in res["sizes"] if s["shape"] == "large"]
    if len(large) > 1:
        (s0, s1) = large[0], large[-1]

        def point(size):
            c = size["peers"]["counts"]
            runs = [g["runs"] for g in size["peers"]["runs"] if g["name"] == "clean" and g["jobs"] == jobs][0]
            return c["kept"] + c["rejected"], median([r["seconds"] for r in runs]), max(_peak(r) for r in runs)
        (n0, t0, p0), (n1, t1, p1) = point(s0), point(s1)
        if n1 > n0:
            lines += ["", f"Growth, cold clean with {jobs} processes, from {s0['label']} to {s1['label']}: "
                      f"{(t1 - t0) / (n1 - n0) * 1e6:.1f} s and {_mb((p1 - p0) / (n1 - n0) * 1e6)} more per million "
                      "ledger rows."]
    for sh in res["shapes"]:
        if sh.get("stages"):
            lines += _stage_table(sh["stages"], sh["params"]["shape"])
    return "\n".join(lines)


def write_readme(text: str) -> None:
    body = README.read_text(encoding="utf-8") if README.exists() else f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    if BEGIN not in body or END not in body:
        body = body.rstrip("\n") + f"\n\n{BEGIN}\n{END}\n"
    head, rest = body.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    README.write_text(f"{head}{BEGIN}\n{text}\n{END}{tail}", encoding="utf-8")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="analysis clean / briefing 基准测试")
    parser.add_argument("--quick", action="store_true", help="tiny data, one run each, no briefing, README.md untouched")
    parser.add_argument("--work", type=Path, help="where the data and outputs go (default benchmarks/out/full or quick)")
    parser.add_argument("--fresh", action="store_true", help="generate the data set again even if it exists")
    parser.add_argument("--repeats", type=int, help="rounds of the readers (default 3, quick 1)")
    parser.add_argument("--no-briefing", action="store_true")
    parser.add_argument("--no-readme", action="store_true", help="do not write benchmarks/README.md")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument("--peer", nargs=3, metavar=("NAME", "JOBS", "RAW"), help=argparse.SUPPRESS)
    parser.add_argument("--counted-clean", type=Path, nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--stages", type=Path, nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.peer:
        peer_read(args.peer[0], int(args.peer[1]), Path(args.peer[2]))
        return 0
    if args.counted_clean:
        counted_clean(*args.counted_clean)
        return 0
    if args.stages:
        stage_times(*args.stages)
        return 0

    params = dict(QUICK if args.quick else FULL)
    if args.repeats:
        params["repeats"] = args.repeats
    if args.no_briefing:
        params["briefing"] = False
    work = args.work or ROOT / "benchmarks" / "out" / ("quick" if args.quick else "full")
    work.mkdir(parents=True, exist_ok=True)
    # The project's modules as an installed copy has them, compiled once: with PYTHONDONTWRITEBYTECODE set (some
    # sandboxes set it) every run would compile the modules changed since the last .pyc (~0.05 s of 0.3).
    import analysis

    compileall.compile_dir(Path(analysis.__file__).parent, quiet=1)
    started = time.perf_counter()

    def log(msg):
        print(msg, flush=True)

    res = {"quick": args.quick, "when": dt.datetime.now().strftime("%Y-%m-%d %H:%M"), "machine": machine(),
           "sizes": [], "shapes": []}
    jobs = res["machine"]["jobs"]
    for n, shape in enumerate(params["shapes"]):
        folder = work if n == 0 else work / shape["shape"]  # the first shape where earlier runs kept it
        raw = make_dataset(folder / "data", shape["districts"], shape["years"], shape["scale"], args.fresh, log)
        for label, districts, years in shape["sizes"]:
            where = folder / f"size-{districts}-{len(years or shape['years'])}"
            whole = districts == shape["districts"] and not years
            data = raw if whole else subset(raw, where / "raw", districts, years)
            log(f"清洗 vs 同类读取（{label}，A B C D …，{params['repeats']} 轮）")
            shown = f"{(years or shape['years'])[0]}–{(years or shape['years'])[-1]}"
            res["sizes"].append({"label": label, "shape": shape["shape"], "whole": whole, "districts": districts,
                                 "years": shown, "raw": data, "peers": bench_peers(data, where, params["repeats"], jobs, log)})
        raw_whole, out_whole = res["sizes"][-1]["raw"], res["sizes"][-1]["peers"]["out"]
        log(f"增量清洗（{SHAPE_NAMES[shape['shape']]}）")
        done = {"params": {k: shape[k] for k in ("shape", "districts", "years", "scale", "sizes")},
                "incremental": bench_incremental(raw_whole, out_whole, params["repeats"], log)}
        log("各阶段用时")
        st = run_measured(this_cmd("--stages", raw_whole, folder / "stages"))
        done["stages"] = json.loads(st["out"].strip().splitlines()[-1]) if st["code"] == 0 else None
        shutil.rmtree(folder / "stages", ignore_errors=True)
        if n == 0 and params["briefing"]:
            log("简报")
            res["briefing"] = bench_briefing(raw_whole, out_whole, work, log)
        res["shapes"].append(done)
    res["elapsed"] = time.perf_counter() - started
    text = report(res)
    print()
    print(text)
    if args.json:
        slim = json.loads(json.dumps(res, default=str))
        args.json.write_text(json.dumps(slim, ensure_ascii=False, indent=1), encoding="utf-8")
    if not args.quick and not args.no_readme:
        write_readme(text)
        print(f"\n结果已写入 {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

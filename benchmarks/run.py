"""Benchmark of `analysis clean` and `analysis briefing` (python benchmarks/run.py [--quick]).

Full run (about 5–6 minutes on the project's 2-core machine, plus about a minute the first time to
generate the data): a city's ten years of ledgers made with the demo generator — six districts (one demo
district each, its own seed) × 2014–2023 at scale 1.6, about 1,020,000 ledger rows in 1,170
workbooks, in all the demo's messy forms — is cleaned against a baseline that only reads every
visible sheet of the same files with pandas.read_excel(engine="calamine") (CSV: pandas.read_csv).
Runs alternate A B A B …, each in its own process; the table gives medians, the ratio
clean/baseline, rows per second and peak memory. Then: `analysis clean` with nothing changed and
with one cell of one workbook changed (and which files it read), clean on a sixth and on half of
the data (how time and memory grow), where the time goes (each pipeline stage timed in-process),
and `analysis briefing` on the demo data cold, warm, after touching one raw file and after
editing one cell. The results replace the block between the markers in benchmarks/README.md.

--quick does the same on a tiny dataset, once each, without the briefing and without touching
README.md (tests/test_benchmark.py runs it so that this script cannot rot).

Generated data lives in benchmarks/out/ (git-ignored) or --work; it is deterministic and reused
while the generator and the parameters are the same (--fresh makes it again).
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import importlib.metadata
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
DISTRICTS = ("解放区", "山阳区", "中站区", "马村区", "修武县", "博爱县")

FULL = dict(districts=6, years=tuple(range(2014, 2024)), scale=1.6, repeats=3, briefing=True, subsets=(1, 3))
QUICK = dict(districts=2, years=(2022, 2023), scale=0.04, repeats=1, briefing=False, subsets=())
TARGETS = {"ratio": 1.3, "peak_gb": 1.5, "unchanged_s": 1.5, "briefing_cold_s": 20.0, "briefing_warm_s": 2.0}


# ----------------------------------------------------------------------------------- measuring

def run_measured(cmd: list, *, cwd: Path = ROOT, env: dict | None = None) -> dict:
    """Run cmd in a child process: wall seconds, exit code, stdout, peak RSS of the largest process
    (ru_maxrss from wait4) and, with psutil, the peak summed RSS of the process tree (sampled)."""
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
    return {"seconds": wall, "code": proc.returncode, "out": text, "maxrss": maxrss, "tree_peak": tree_peak[0] or None}


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
    """work/raw/<ledger>/<district>/…: one demo district per district name, deterministic, reused."""
    import analysis.demo as demo_module

    generator = hashlib.sha256()
    for source in sorted(Path(demo_module.__file__).parent.glob("*.py")):
        generator.update(source.read_bytes())
    params = {"districts": districts, "years": list(years), "scale": scale, "generator": generator.hexdigest()[:16]}
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
    shutil.rmtree(parts)
    stamp.write_text(json.dumps(params))
    log(f"生成数据集用时 {time.perf_counter() - t0:.0f} 秒：{raw}")
    return raw


def subset(raw: Path, work: Path, n_districts: int) -> Path:
    """The first n districts of raw, hard-linked (no copy) into work/sub<n>/raw."""
    dest = work / f"sub{n_districts}" / "raw"
    shutil.rmtree(dest.parent, ignore_errors=True)
    names = DISTRICTS[:n_districts]
    for p in sorted(raw.rglob("*")):
        rel = p.relative_to(raw)
        if p.is_file() and len(rel.parts) > 1 and rel.parts[1] in names:
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

def baseline_read(raw: Path) -> None:
    """The baseline: read every visible sheet with pandas (calamine), every CSV with read_csv; nothing else."""
    import pandas as pd
    import python_calamine

    rows = sheets = 0
    for path in data_files(raw):
        if path.suffix.lower() == ".csv":
            with open(path, newline="", encoding="latin-1") as f:  # widest row, so that read_csv takes ragged rows
                width = max((len(r) for r in csv.reader(f)), default=1)
            try:
                frame = pd.read_csv(path, header=None, names=range(width), encoding="utf-8-sig", dtype=object)
            except UnicodeDecodeError:
                frame = pd.read_csv(path, header=None, names=range(width), encoding="gbk", dtype=object)
            rows, sheets = rows + len(frame), sheets + 1
            continue
        with pd.ExcelFile(path, engine="calamine") as book:
            for meta in book.book.sheets_metadata:
                if meta.visible == python_calamine.SheetVisibleEnum.Visible:
                    rows += len(pd.read_excel(book, sheet_name=meta.name, header=None))
                    sheets += 1
    print(json.dumps({"rows": rows, "sheets": sheets}))


def counted_clean(raw: Path, out: Path) -> None:
    """`analysis clean`, reporting which files it read (read_sheets calls)."""
    import analysis.ingest.file_result as file_result
    from analysis.cli import main

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


STAGES = {  # module: functions whose cumulative wall time is reported (those that exist)
    "analysis.ingest.read": ["read_sheets"],
    "analysis.ingest.layout": ["find_layout"],
    "analysis.ingest.cleaning": ["clean_sheet", "_normalise_column", "_check_totals", "_repeated_rows"],
    "analysis.ingest.discover": ["inputs"],
    "analysis.ingest.file_result": ["clean_file", "_file_table", "_content_key"],
    "analysis.ingest.outputs": ["ledger_table", "parquet_bytes", "rejects_csv"],
}


def stage_times(raw: Path, out: Path) -> None:
    """One cold clean in this process with one job (no worker processes, so that the stages add up to the
    work the workers share), every stage wrapped with a timer (no profiler overhead)."""
    import functools
    import importlib

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

    import analysis.ingest.cache as cache
    import analysis.ingest.pipeline as pipeline
    ingest = [m for name, m in sorted(sys.modules.items()) if name.startswith("analysis.ingest")]
    for module_name, names in STAGES.items():
        module = importlib.import_module(module_name)
        for name in names:
            fn = getattr(module, name, None)
            if fn is None:
                continue
            wrapped = timed(f"{module_name.split('.')[-1]}.{name}", fn)
            for other in ingest:  # where it was imported by name too
                if getattr(other, name, None) is fn:
                    setattr(other, name, wrapped)
    for name in ("get", "put"):
        fn = getattr(cache.FileCache, name, None)
        if fn is not None:
            setattr(cache.FileCache, name, timed(f"cache.{name}", fn))
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
    for name in ("pandas", "numpy", "pyarrow", "python-calamine", "openpyxl", "nbconvert", "papermill", "psutil"):
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "—"
    import analysis

    versions["analysis"] = analysis.__version__
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {"cores": cores, "memory": meminfo(), "cpu": cpu_model(), "python": platform.python_version(),
            "os": platform.platform(), "versions": versions, "load": os.getloadavg() if hasattr(os, "getloadavg") else None}


def manifest_rows(out: Path) -> dict:
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    files = [f for f in m["files"] if f.get("status") != "duplicate"]
    return {"files": len(files), "sheets": sum(s["sheets"] for s in m["ledgers"].values()),
            "kept": sum(s["rows_kept"] for s in m["ledgers"].values()),
            "rejected": sum(s["rows_rejected"] for s in m["ledgers"].values())}


def bench_clean(raw: Path, work: Path, repeats: int, log) -> dict:
    out = work / "processed"
    clean_runs, base_runs = [], []
    for i in range(repeats):  # A B A B …
        shutil.rmtree(out, ignore_errors=True)
        a = run_measured(analysis_cmd("clean", "--raw", raw, "--out", out))
        if a["code"] not in (0, 1):
            raise SystemExit(f"analysis clean failed ({a['code']}):\n{a['out'][-3000:]}")
        clean_runs.append(a)
        b = run_measured(this_cmd("--baseline-read", raw))
        if b["code"]:
            raise SystemExit(f"baseline failed:\n{b['out'][-3000:]}")
        base_runs.append(b)
        log(f"  第 {i + 1} 轮：clean {a['seconds']:.1f} 秒，baseline {b['seconds']:.1f} 秒")
    counts = manifest_rows(out)
    base_info = json.loads(base_runs[-1]["out"].strip().splitlines()[-1])
    return {"clean": clean_runs, "baseline": base_runs, "counts": counts, "baseline_rows": base_info["rows"],
            "baseline_sheets": base_info["sheets"], "out": out}


def bench_incremental(raw: Path, out: Path, repeats: int, log) -> dict:
    unchanged = [run_measured(analysis_cmd("clean", "--raw", raw, "--out", out)) for _ in range(max(3, repeats))]
    files = [p for p in data_files(raw) if p.suffix == ".xlsx"]
    middle = len(files) // 2
    target, original, what = None, None, None
    try:
        for candidate in files[middle:] + files[:middle]:  # a workbook in the middle, with a text cell to fix
            original, stat = candidate.read_bytes(), candidate.stat()
            target = candidate
            try:
                what = edit_one_cell(candidate)
                break
            except LookupError:
                target = None
        if target is None:
            raise SystemExit("no workbook has a text cell to edit")
        changed = run_measured(this_cmd("--counted-clean", raw, out))
    finally:
        if target is not None:
            target.write_bytes(original)
            os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    info = json.loads(changed["out"].strip().splitlines()[-1])
    # Back to the original content: one more run so that the outputs match the data set again.
    restore = run_measured(this_cmd("--counted-clean", raw, out))
    log(f"  未改动：{median([r['seconds'] for r in unchanged]):.2f} 秒；改动一个单元格：{changed['seconds']:.1f} 秒，"
        f"读取了 {len(info['read'])} 个文件")
    return {"unchanged": unchanged, "changed": changed, "changed_read": info["read"], "edit": what,
            "files": len(files), "restore": restore, "restore_read": json.loads(restore["out"].strip().splitlines()[-1])["read"]}


def bench_subsets(raw: Path, work: Path, subsets, log) -> list:
    results = []
    for n in subsets:
        sub = subset(raw, work, n)
        out = sub.parent / "processed"
        shutil.rmtree(out, ignore_errors=True)
        r = run_measured(analysis_cmd("clean", "--raw", sub, "--out", out))
        counts = manifest_rows(out)
        results.append({"districts": n, "run": r, "counts": counts})
        log(f"  {n} 个区县：{counts['kept'] + counts['rejected']} 行，{r['seconds']:.1f} 秒")
        shutil.rmtree(sub.parent, ignore_errors=True)
    return results


def bench_briefing(work: Path, log) -> dict:
    from analysis.demo import write_demo

    base = work / "briefing"
    raw, processed, reports = base / "raw", base / "processed", base / "reports"
    shutil.rmtree(base, ignore_errors=True)
    write_demo(raw)
    cmd = analysis_cmd("briefing", "--raw", raw, "--processed", processed, "--out", reports)
    env = {"SOURCE_DATE_EPOCH": "1700000000"}

    def cold():
        shutil.rmtree(processed, ignore_errors=True)
        shutil.rmtree(reports, ignore_errors=True)
        r = run_measured(cmd, env=env)
        if r["code"]:
            raise SystemExit(f"analysis briefing failed ({r['code']}):\n{r['out'][-3000:]}")
        return r

    colds = [cold() for _ in range(2)]
    warms = [run_measured(cmd, env=env) for _ in range(3)]
    target = next(p for p in data_files(raw) if p.suffix == ".xlsx" and "street_vending" in p.parts)
    os.utime(target)  # touched: new modification time, same content
    touched = run_measured(cmd, env=env)
    what = edit_one_cell(target)  # the demo's street-vending ledgers always name roads (路)
    edited = run_measured(cmd, env=env)
    log(f"  简报：冷启动 {median([r['seconds'] for r in colds]):.1f} 秒，无变化 {median([r['seconds'] for r in warms]):.1f} 秒，"
        f"touch 后 {touched['seconds']:.1f} 秒，改一个单元格后 {edited['seconds']:.1f} 秒")
    return {"cold": colds, "warm": warms, "touched": touched, "edited": edited, "edit": what,
            "pages": sorted(p.name for p in (reports).rglob("*.html"))}


# ----------------------------------------------------------------------------------- report

def _gb(n):
    return f"{n / 2**30:.2f} GB" if n else "—"


def _mb(n):
    return f"{n / 2**20:.0f} MB" if n else "—"


def _load(m: dict) -> str:
    return ", ".join(f"{x:.2f}" for x in m["load"] or ())


def _runs(runs: list, digits: int = 1) -> str:
    return ", ".join(f"{r['seconds']:.{digits}f}" for r in runs)


def _ok(flag: bool) -> str:
    return "达标 ✅" if flag else "未达标 ❌"


def report(res: dict) -> str:
    m, c = res["machine"], res["clean"]
    rows = c["counts"]["kept"] + c["counts"]["rejected"]
    tc, tb = median([r["seconds"] for r in c["clean"]]), median([r["seconds"] for r in c["baseline"]])
    peak_c = max(r["tree_peak"] or r["maxrss"] for r in c["clean"])
    peak_b = max(r["tree_peak"] or r["maxrss"] for r in c["baseline"])
    ratio = tc / tb
    lines = [
        f"Run: {res['when']} (`python benchmarks/run.py{' --quick' if res['quick'] else ''}`, {res['elapsed']:.0f} s in all). "
        f"Machine: {m['cores']} cores ({m['cpu']}), {_gb(m['memory'])} memory, Python {m['python']}, {m['os']}; "
        + ", ".join(f"{k} {v}" for k, v in m["versions"].items())
        + f". Load average before the run: {_load(m)}"
        f" (the machine is shared: other jobs add noise, which is why A and B alternate).",
        "",
        f"Data: {res['params']['districts']} districts × {len(res['params']['years'])} years "
        f"({res['params']['years'][0]}–{res['params']['years'][-1]}), demo scale {res['params']['scale']:g}: "
        f"{c['counts']['files']} workbooks, {c['counts']['sheets']} sheets read, {rows:,} ledger rows "
        f"({c['counts']['kept']:,} kept, {c['counts']['rejected']:,} rejected); the baseline reads "
        f"{c['baseline_rows']:,} rows (titles, headers, totals and footers included) in {c['baseline_sheets']} sheets.",
        "",
        "| | median | runs (s) | ledger rows/s | peak memory (process tree) | peak RSS (largest process) |",
        "|---|---|---|---|---|---|",
        f"| `analysis clean` (cold: no cache) | {tc:.1f} s | {_runs(c['clean'])} | "
        f"{rows / tc:,.0f} | {_mb(peak_c)} | {_mb(max(r['maxrss'] for r in c['clean']))} |",
        f"| baseline: pandas.read_excel(engine=\"calamine\") / read_csv only | {tb:.1f} s | "
        f"{_runs(c['baseline'])} | {rows / tb:,.0f} | {_mb(peak_b)} | "
        f"{_mb(max(r['maxrss'] for r in c['baseline']))} |",
        "",
        "| target | measured | |",
        "|---|---|---|",
        f"| clean / baseline ≤ {TARGETS['ratio']} | {ratio:.2f} | {_ok(ratio <= TARGETS['ratio'])} |",
        f"| peak memory of clean ≤ {TARGETS['peak_gb']} GB | {_gb(peak_c)} | {_ok(peak_c <= TARGETS['peak_gb'] * 2**30)} |",
    ]
    inc = res["incremental"]
    tu = median([r["seconds"] for r in inc["unchanged"]])
    only = inc["changed_read"]
    lines += [
        f"| clean with nothing changed ≤ {TARGETS['unchanged_s']} s | {tu:.2f} s (runs: "
        f"{_runs(inc['unchanged'], 2)}) | {_ok(tu <= TARGETS['unchanged_s'])} |",
        f"| one cell of one workbook changed: only that file read | {len(only)} of {c['counts']['files']} files read "
        f"({', '.join(only) or '—'}), {inc['changed']['seconds']:.1f} s, peak {_mb(inc['changed']['tree_peak'] or inc['changed']['maxrss'])} | "
        f"{_ok(len(only) == 1)} |",
    ]
    b = res.get("briefing")
    if b:
        tcold, twarm = median([r["seconds"] for r in b["cold"]]), median([r["seconds"] for r in b["warm"]])
        lines += [
            f"| `analysis briefing` cold on the demo data ≤ {TARGETS['briefing_cold_s']:g} s | {tcold:.1f} s (runs: "
            f"{_runs(b['cold'])}) | {_ok(tcold <= TARGETS['briefing_cold_s'])} |",
            f"| `analysis briefing` warm, nothing changed ≤ {TARGETS['briefing_warm_s']:g} s | {twarm:.2f} s (runs: "
            f"{_runs(b['warm'], 2)}) | {_ok(twarm <= TARGETS['briefing_warm_s'])} |",
            f"| `analysis briefing` after touching one raw file (same content) | {b['touched']['seconds']:.2f} s | "
            f"{_ok(b['touched']['seconds'] <= TARGETS['briefing_warm_s'])} (≤ {TARGETS['briefing_warm_s']:g} s: nothing to redo) |",
            f"| `analysis briefing` after editing one cell (one file re-read, notebooks re-run) | "
            f"{b['edited']['seconds']:.1f} s | (no target; cold is the bound) |",
        ]
    else:
        lines.append("| `analysis briefing` | not run (--quick) | |")
    subs = res.get("subsets") or []
    if subs:
        lines += ["", "How clean grows with the data (cold runs, one each):", "",
                  "| districts | ledger rows | seconds | rows/s | peak memory (process tree) |",
                  "|---|---|---|---|---|"]
        points = [(s["districts"], s["counts"]["kept"] + s["counts"]["rejected"], s["run"]["seconds"],
                   s["run"]["tree_peak"] or s["run"]["maxrss"]) for s in subs]
        points.append((res["params"]["districts"], rows, tc, peak_c))
        for d, n, sec, peak in points:
            lines.append(f"| {d} | {n:,} | {sec:.1f} | {n / sec:,.0f} | {_mb(peak)} |")
        if len(points) >= 2:
            (_, n0, s0, p0), (_, n1, s1, p1) = points[0], points[-1]
            slope_mem = (p1 - p0) / (n1 - n0) if n1 != n0 else 0
            slope_t = (s1 - s0) / (n1 - n0) if n1 != n0 else 0
            budget = (m["memory"] or 0) * 0.5
            if slope_mem > 0:
                lines += ["", f"Straight line through the smallest and the full run: {slope_t * 1e6:.1f} s and "
                          f"{_mb(slope_mem * 1e6)} more per million ledger rows (time and memory grow linearly: every file's "
                          f"kept rows and the final tables are held in memory). At that rate half of this machine's memory "
                          f"({_gb(budget)}) is reached near {(budget - p0) / slope_mem / 1e6 + n0 / 1e6:,.0f} million rows, "
                          f"and a cold clean of 100 million rows (a province: 100 districts × 10 years) would take about "
                          f"{(s0 + slope_t * (1e8 - n0)) / 3600:.1f} hours on this machine ({m['cores']} cores)."]
    st = res.get("stages")
    if st:
        lines += ["", "Where the time of one cold clean goes, in one process (`jobs=1`: the work the worker processes share; "
                  f"in-process timers around each stage; total {st['total']:.1f} s; stages nest: clean_file includes "
                  "read_sheets, find_layout and clean_sheet, which includes _normalise_column, _check_totals and "
                  "_repeated_rows):", "",
                  "| stage | seconds | calls |", "|---|---|---|"]
        for name, sec in sorted(st["stages"].items(), key=lambda kv: -kv[1]):
            lines.append(f"| {name} | {sec:.2f} | {st['calls'][name]} |")
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
    parser.add_argument("--repeats", type=int, help="A/B pairs (default 3, quick 1)")
    parser.add_argument("--no-briefing", action="store_true")
    parser.add_argument("--no-readme", action="store_true", help="do not write benchmarks/README.md")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument("--baseline-read", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--counted-clean", type=Path, nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--stages", type=Path, nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.baseline_read:
        baseline_read(args.baseline_read)
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
    started = time.perf_counter()

    def log(msg):
        print(msg, flush=True)

    res = {"quick": args.quick, "params": {k: params[k] for k in ("districts", "years", "scale")},
           "when": dt.datetime.now().strftime("%Y-%m-%d %H:%M"), "machine": machine()}
    raw = make_dataset(work / "data", params["districts"], params["years"], params["scale"], args.fresh, log)
    log(f"清洗 vs 基线（A B A B …，{params['repeats']} 轮）")
    res["clean"] = bench_clean(raw, work, params["repeats"], log)
    log("增量清洗")
    res["incremental"] = bench_incremental(raw, res["clean"]["out"], params["repeats"], log)
    if params["subsets"]:
        log("数据量与用时、内存")
        res["subsets"] = bench_subsets(raw, work, params["subsets"], log)
    log("各阶段用时")
    st = run_measured(this_cmd("--stages", raw, work / "stages"))
    res["stages"] = json.loads(st["out"].strip().splitlines()[-1]) if st["code"] == 0 else None
    shutil.rmtree(work / "stages", ignore_errors=True)
    if params["briefing"]:
        log("简报")
        res["briefing"] = bench_briefing(work, log)
    res["elapsed"] = time.perf_counter() - started
    text = report(res)
    print()
    print(text)
    if args.json:
        def clean_json(o):
            if isinstance(o, Path):
                return str(o)
            return str(o)
        slim = json.loads(json.dumps(res, default=clean_json))
        for group in ("clean",):
            for key in ("clean", "baseline"):
                for r in slim[group][key]:
                    r.pop("out", None)
        args.json.write_text(json.dumps(slim, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    if not args.quick and not args.no_readme:
        write_readme(text)
        print(f"\n结果已写入 {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

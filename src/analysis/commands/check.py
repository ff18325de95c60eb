"""`analysis check PATH…`: how the program reads some ledger files, on the screen and as annotated copies.

The files are found, read and cleaned exactly as `analysis clean` does (discover, then file_result.read_file on the
file's bytes); nothing under the raw folder is ever written.
"""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from analysis import paths

# Beside clean's outputs, but not in clean's own 批注副本 folder (clean replaces that one as a whole).
DEFAULT_OUT = paths.DEFAULT_PROCESSED / "check"


def _absolute(path: Path) -> Path:
    """An absolute path without following links (a ledger folder may be a link; discover names files through it)."""
    return Path(os.path.abspath(path))


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check(targets: list[Path], raw: Path = paths.DEFAULT_RAW, out: Path = DEFAULT_OUT, *, today: dt.date | None = None,
          echo=print, warn=None) -> int:
    """Read the ledger files `targets` name (files, or folders read recursively) under `raw`, print what was read
    and write an annotated copy of each into `out` (the command line has made sure it is not inside `raw`). Exit
    status: 0 all read, 1 a file could not be read, 2 a usage error (raw missing, a target missing or outside raw)."""
    from analysis.ingest.discover import discover
    from analysis.ingest.spec import ledger_names

    warn = warn or echo
    today = today or dt.date.today()
    raw_abs, out_abs = _absolute(raw), _absolute(out)
    if not raw_abs.is_dir():
        warn(f"错误：找不到原始台账文件夹“{raw}”")
        return 2
    wanted = []
    for target in targets:
        path = _absolute(target)
        if not os.path.lexists(path):
            warn(f"错误：找不到“{target}”")
            return 2
        if not _inside(path, raw_abs):
            warn(f"错误：“{target}”不在原始台账文件夹“{raw}”中；请把台账放进其中对应台账的文件夹，或用 --raw 指定原始台账文件夹")
            return 2
        wanted.append((path.relative_to(raw_abs).as_posix(), path.is_dir()))

    def selected(rel: str) -> bool:
        return any(w in (".", rel) or rel.startswith(w + "/") for w, _ in wanted)

    found, skipped = discover(raw_abs, ledger_names())
    files = sorted((f for fs in found.values() for f in fs if selected(f.rel)), key=lambda f: f.rel)
    passed_over = [s for s in skipped if selected(s["file"])]
    code = 0
    for s in passed_over:
        echo(f"[跳过] {s['file']}：{s['reason']}")
        if any(w == s["file"] and not is_dir for w, is_dir in wanted):  # a file named on purpose that is not read
            code = 1
    if not files:
        if not passed_over:
            warn("所指的位置没有台账文件（只读 .xlsx、.xls、.csv，且须放在原始台账下对应台账的文件夹中）")
        return 2 if not passed_over else max(code, 1)
    for f in files:
        code = max(code, _check_one(f, out_abs, out, today, echo))
    return code


def _check_one(f, out_abs: Path, out: Path, today: dt.date, echo) -> int:
    from analysis.ingest.annotate import annotated_copy, copy_name
    from analysis.ingest.discover import read_bytes, read_problem
    from analysis.ingest.file_result import read_file
    from analysis.ingest.spec import load_spec
    from analysis.shared import commit

    spec = load_spec(f.ledger)
    echo(f"{f.rel}（{spec.label}）")
    if f.problem is not None:
        echo(f"  [错误] {f.problem}")
        return 1
    try:
        data = read_bytes(f.path)
    except OSError as exc:
        echo(f"  [错误] 文件无法打开（{read_problem(exc)}）")
        return 1
    reading = read_file(f.path, data, f.rel, spec, today)
    for line in summary_lines(reading, spec):
        echo("  " + line)
    if not reading.sheets or all(s.layout is None for s in reading.sheets):
        return 1
    copy, _ = annotated_copy(reading, f.rel, spec)
    target = out_abs / copy_name(f.rel)
    commit.write_bytes(target, copy)
    echo(f"  批注副本：{out / copy_name(f.rel)}")
    return 0 if reading.status == "ok" else 1


def summary_lines(reading, spec) -> list[str]:
    """What was read, in a few Chinese lines per sheet."""
    from analysis.ingest.annotate import CLASS_NAMES, CLASSES, SHEET_STATUS_NAMES, STATUS_NAMES
    from analysis.ingest.read import column_letter

    lines = [f"读取结果：{STATUS_NAMES.get(reading.status, reading.status)}" + (f"：{reading.reason}" if reading.reason else "")]
    if reading.read_as:
        lines.append(f"内容其实是{reading.read_as}，已按其实际格式读取")
    for done in reading.sheets:
        record, layout, result = done.record, done.layout, done.result
        status = record.reason if record.reason and record.status != "ok" else SHEET_STATUS_NAMES.get(record.status, record.status)
        lines.append(f"工作表“{done.sheet.name}”：{status}")
        if layout is None:
            continue
        if layout.header_row is not None:
            mapping = "、".join(f"{layout.headers[n]}→{spec.column(n).label}（{column_letter(c)}列）"
                                for n, c in sorted(layout.columns.items(), key=lambda item: item[1]))
            lines.append(f"  表头在第 {layout.header_row + 1} 行：{mapping}")
        if layout.personal:
            lines.append(f"  个人信息列（已丢弃）：{'、'.join(layout.personal)}")
        if layout.unrecognised:
            lines.append(f"  未识别的表头：{'、'.join(layout.unrecognised)}")
        counts = dict.fromkeys(CLASSES, 0)
        rejected = {r["row"] for r in result.rejects} if result is not None else set()
        for i, kind in enumerate(layout.kinds):
            if kind == "data" and result is not None:
                kind = "rejected" if i + 1 in rejected else "kept"
            counts[kind] += 1
        shown = "、".join(f"{CLASS_NAMES[k]} {n}" for k, n in counts.items() if n)
        lines.append(f"  共 {len(done.sheet.rows)} 行：{shown}")
        if result is not None and result.rejects:
            lines.append(f"  剔除 {result.rejected} 行（{len(result.rejects)} 个单元格），原因见副本中的批注")
        if result is not None:
            for item in result.catch_all.values():
                listed = "、".join(f"{text}（{cells}）" for text, cells in item["values"])
                lines.append(f"  归入“{item['other']}”：{item['column']}：{listed}")
    return lines

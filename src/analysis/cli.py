"""Command line: analysis demo | clean | briefing (also `python -m analysis …`)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis import paths


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"应为正整数，而不是“{text}”")
    return n


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="analysis", description="解放区城市管理局 年度执法统计：台账清洗与简报")
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令")

    demo = sub.add_parser("demo", help="生成示例台账（2021—2023 年，合成数据）")
    demo.add_argument("--out", type=Path, required=True, help="示例台账写入的文件夹")
    demo.add_argument("--years", type=int, nargs="+", default=[2021, 2022, 2023], help="生成哪些年份（默认 2021 2022 2023）")
    demo.add_argument("--scale", type=float, default=1.0, help="规模倍数（默认 1；基准测试用更大的值）")

    clean = sub.add_parser("clean", help="清洗 data/raw 中的台账，写出 data/processed")
    clean.add_argument("--raw", type=Path, default=paths.DEFAULT_RAW, help="原始台账文件夹（默认 data/raw）")
    clean.add_argument("--out", type=Path, default=paths.DEFAULT_PROCESSED, help="输出文件夹（默认 data/processed）")
    clean.add_argument("--strict", action="store_true", help="有任何剔除行也以状态 1 退出")
    clean.add_argument("--jobs", type=_positive, help="同时清洗文件的进程数（默认：本机核数，最多 8；文件少时只用一个进程）")

    brief = sub.add_parser("briefing", help="执行笔记本并导出 HTML 简报")
    brief.add_argument("--year", type=int, help="简报年份（默认：数据中最近的完整年份）")
    brief.add_argument("--raw", type=Path, default=paths.DEFAULT_RAW, help="原始台账文件夹（默认 data/raw）")
    brief.add_argument("--processed", type=Path, default=paths.DEFAULT_PROCESSED, help="清洗结果文件夹（默认 data/processed）")
    brief.add_argument("--out", type=Path, default=paths.DEFAULT_REPORTS, help="简报输出文件夹（默认 reports）")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from analysis.ingest.os_errors import RunError, describe

    try:
        return _run(args)
    except KeyboardInterrupt:
        print("\n已中断：输出文件保持上一次完整的状态，没有留下临时文件。", file=sys.stderr)
        return 130
    except RunError as exc:  # a busy folder, a full disk, a crashed worker …: one line, never a traceback
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # an operating-system error that no step turned into a sentence of its own
        print(f"错误：{describe(exc)}", file=sys.stderr)
        return 1


def _run(args) -> int:
    if args.command == "demo":
        from analysis.demo import write_demo

        try:
            write_demo(args.out, years=tuple(args.years), scale=args.scale)
        except ValueError as exc:
            print(f"错误：{exc}", file=sys.stderr)
            return 2
        print(f"示例台账已写入 {args.out}（合成数据，非真实台账）")
        return 0
    if args.command == "clean":
        from analysis.ingest.pipeline import clean, default_jobs

        if not args.raw.is_dir():
            print(f"错误：找不到原始台账文件夹“{args.raw}”", file=sys.stderr)
            return 2
        return clean(args.raw, args.out, strict=args.strict, jobs=args.jobs or default_jobs()).exit_code
    if args.command == "briefing":
        return briefing(year=args.year, raw=args.raw, processed=args.processed, out=args.out)
    return 2


def briefing(year: int | None = None, raw: Path = paths.DEFAULT_RAW, processed: Path = paths.DEFAULT_PROCESSED,
             out: Path = paths.DEFAULT_REPORTS, notebooks_dir: Path = paths.DEFAULT_NOTEBOOKS) -> int:
    """`analysis briefing`: with no ledgers in raw, the demo ledgers are built outside data/raw and used instead."""
    from analysis.report.briefing import build

    if not _has_ledgers(raw):
        from analysis.demo import is_demo_folder, write_demo

        raw, processed = paths.DEFAULT_DEMO_RAW, paths.DEFAULT_DEMO_PROCESSED
        print(f"data/raw 中没有台账，改用示例数据（合成数据，位于 {raw}，不会放进 data/raw）。")
        if not is_demo_folder(raw):
            write_demo(raw)
    return build(year=year, raw=raw, processed=processed, out=out, notebooks_dir=notebooks_dir)


def _has_ledgers(raw: Path) -> bool:
    from analysis.ingest.discover import discover
    from analysis.ingest.spec import ledger_names

    if not Path(raw).is_dir():
        return False
    found, _ = discover(Path(raw), ledger_names())
    return any(found.values())

"""Command line: analysis demo | clean | check | briefing (also `python -m analysis …`), in Chinese throughout."""
from __future__ import annotations

import argparse
import contextlib
import gettext
import os
import re
import sys
from pathlib import Path

from analysis import paths

# argparse's own messages (usage, section titles, -h, every error) come from gettext, in the global text domain
# and in the language the LANGUAGE/LC_ALL/LC_MESSAGES/LANG variables name: while a parser is built, parses or
# prints, the domain is this package's catalogue (locale/zh_CN/LC_MESSAGES/analysis-argparse.po, compiled to .mo)
# and the language Simplified Chinese, whatever the system's (a Windows console names none).
_DOMAIN = "analysis-argparse"
_LOCALE_DIR = Path(__file__).resolve().parent / "locale"


@contextlib.contextmanager
def _argparse_in_chinese():
    domain, language = gettext.textdomain(), os.environ.get("LANGUAGE")
    gettext.bindtextdomain(_DOMAIN, str(_LOCALE_DIR))
    gettext.textdomain(_DOMAIN)
    os.environ["LANGUAGE"] = "zh_CN"
    try:
        yield
    finally:
        gettext.textdomain(domain)
        if language is None:
            os.environ.pop("LANGUAGE", None)
        else:
            os.environ["LANGUAGE"] = language


def _columns(text: str) -> int:
    """How many terminal columns `text` takes: a Chinese character (and a full-width sign) takes two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


# A line of help breaks between two Chinese characters or at a space, never inside a run of ASCII letters, digits
# and signs (2023-01..2023-06, --period, data/raw), and never before a closing sign or after an opening one.
_ASCII_RUN = r"[!-~]+"
_CLOSING = "，。、；：？！）》」』”’…—"
_OPENING = "（《「『“‘"
# "1—6月", "2023年": a number keeps its dash and the character after it.
_CHUNK = re.compile(rf"[{_OPENING}]*(?:{_ASCII_RUN}(?:—{_ASCII_RUN})*(?<=[0-9])[^\x00-\x7f{_OPENING}]?"
                    rf"|{_ASCII_RUN}|\s+|.)[{_CLOSING}]*", re.S)


class ChineseHelpFormatter(argparse.RawDescriptionHelpFormatter):
    """argparse's help layout for Chinese: an option's help is wrapped by display width (a Chinese character is two
    columns) and broken only where a reader expects it (_CHUNK); argparse's own wrapping (textwrap) counts a
    Chinese character as one column and breaks 2023-01..2023-06 at its hyphens, or anywhere in a long run of
    Chinese, which it takes for one word. Descriptions and epilogs stay as written (RawDescriptionHelpFormatter)."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        text = self._whitespace_matcher.sub(" ", text).strip()
        lines, line = [], ""
        for chunk in _CHUNK.findall(text):
            if line and not line.isspace() and _columns(line.rstrip() + chunk.rstrip()) > width:
                lines.append(line.rstrip())
                line = "" if chunk.isspace() else chunk
            elif not (chunk.isspace() and not line):
                line += chunk
        if line.strip():
            lines.append(line.rstrip())
        return lines

    # An option's help starts in one column whatever its metavar (--period 期间 is 13 columns, not 11): argparse
    # measures the invocation with len(). Python 3.14 colours the invocation and measures it without the colour;
    # there argparse's own layout is kept.
    if sys.version_info < (3, 14):
        def add_argument(self, action):
            if action.help is not argparse.SUPPRESS:
                invocations = [self._format_action_invocation(a) for a in [action, *self._iter_indented_subactions(action)]]
                self._action_max_length = max(self._action_max_length,
                                              max(map(_columns, invocations)) + self._current_indent)
                self._add_item(self._format_action, [action])

        def _format_action(self, action):
            help_position = min(self._action_max_length + 2, self._max_help_position)
            help_width = max(self._width - help_position, 11)
            action_width = help_position - self._current_indent - 2
            header = self._format_action_invocation(action)
            indent_first = 0
            if not action.help:
                header = " " * self._current_indent + header + "\n"
            elif _columns(header) <= action_width:
                header = " " * self._current_indent + header + " " * (action_width - _columns(header) + 2)
            else:
                header = " " * self._current_indent + header + "\n"
                indent_first = help_position
            parts = [header]
            help_text = self._expand_help(action) if action.help and action.help.strip() else ""
            if help_text:
                lines = self._split_lines(help_text, help_width)
                parts.append(" " * indent_first + lines[0] + "\n")
                parts += [" " * help_position + line + "\n" for line in lines[1:]]
            elif not header.endswith("\n"):
                parts.append("\n")
            parts += [self._format_action(sub) for sub in self._iter_indented_subactions(action)]
            return self._join_parts(parts)


class ChineseArgumentParser(argparse.ArgumentParser):
    """argparse with every message in Chinese: its own through the catalogue above."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", ChineseHelpFormatter)
        with _argparse_in_chinese():  # section titles and the help of -h are looked up here
            super().__init__(*args, **kwargs)

    def parse_known_args(self, args=None, namespace=None):
        with _argparse_in_chinese():
            return super().parse_known_args(args, namespace)

    def parse_args(self, args=None, namespace=None):
        with _argparse_in_chinese():
            return super().parse_args(args, namespace)

    def format_usage(self) -> str:
        with _argparse_in_chinese():
            return super().format_usage()

    def format_help(self) -> str:
        with _argparse_in_chinese():
            text = super().format_help()
        # Python 3.11 and 3.12 end a section title with an ASCII colon outside gettext (3.13 has '%(heading)s:').
        return re.sub(r"(?m)^(\S[^\n]*):$", r"\1：", text)

    def error(self, message: str):
        # argparse joins the choices into one string (each quoted by repr() before 3.14) before the catalogue
        # sees it: a Chinese list is unquoted and separated by "、".
        head, mark, rest = message.partition("（可选：")
        if mark:
            choices, close, tail = rest.rpartition("）")
            message = head + mark + "、".join(c.strip("'") for c in choices.split(", ")) + close + tail
        with _argparse_in_chinese():
            super().error(message)


def _positive(text: str) -> int:
    if not re.fullmatch(r"\s*\d+\s*", text) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"应为正整数，而不是“{text}”")
    return int(text)


def _year(text: str) -> int:
    if not re.fullmatch(r"\s*\d{4}\s*", text):
        raise argparse.ArgumentTypeError(f"应为四位数的年份（如 2023），而不是“{text}”")
    return int(text)


def _period(text: str) -> str:
    from analysis.report.periods import parse_period

    try:
        parse_period(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text.strip()


def _scale(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"应为大于 0 的数，而不是“{text}”")
    return value


def _parser() -> argparse.ArgumentParser:
    from analysis.commands.check import DEFAULT_OUT as DEFAULT_CHECK_OUT

    parser = ChineseArgumentParser(
        prog="analysis", description="解放区城市管理局 年度执法统计：台账清洗与简报",
        epilog="例：\n  analysis clean                  清洗 data/raw 中的台账\n"
               "  analysis briefing               生成简报（data/raw 中没有台账时用示例数据）\n"
               "  analysis briefing --year 2023   生成 2023 年的简报\n"
               "每个命令的详细说明：analysis 命令 --help")
    sub = parser.add_subparsers(dest="command", required=True, title="命令", metavar="命令")
    folder = "文件夹"

    demo = sub.add_parser(
        "demo", help="生成示例台账（2021—2023 年，合成数据）",
        description="生成示例台账（合成数据，标题带“示例”，不是真实台账），用于演示和测试。",
        epilog="例：\n  analysis demo --out build-demo/raw\n  analysis demo --out 示例 --years 2023 2024")
    demo.add_argument("--out", type=Path, required=True, metavar=folder,
                      help="示例台账写入的文件夹（只有明确写 data/raw 才会写进 data/raw）")
    demo.add_argument("--years", type=_year, nargs="+", default=[2021, 2022, 2023], metavar="年份",
                      help="生成哪些年份（默认 2021 2022 2023）")
    demo.add_argument("--scale", type=_scale, default=1.0, metavar="倍数", help="规模倍数（默认 1；基准测试用更大的值）")

    clean = sub.add_parser(
        "clean", help="清洗 data/raw 中的台账，写出 data/processed",
        description="清洗台账：把 data/raw 下各台账文件夹里的 Excel/CSV 读成整洁的数据表（data/processed），"
                    "无法识别的单元格写进 rejects.csv，屏幕上列出所有需要注意的问题。",
        epilog="例：\n  analysis clean\n  analysis clean --strict          有剔除行时也以状态 1 退出\n"
               "  analysis clean --raw 台账 --out 结果")
    clean.add_argument("--raw", type=Path, default=paths.DEFAULT_RAW, metavar=folder, help="原始台账文件夹（默认 data/raw）")
    clean.add_argument("--out", type=Path, default=paths.DEFAULT_PROCESSED, metavar=folder, help="输出文件夹（默认 data/processed）")
    clean.add_argument("--strict", action="store_true", help="有任何剔除行也以状态 1 退出")
    clean.add_argument("--jobs", type=_positive, metavar="进程数",
                       help="同时清洗文件的进程数（默认：本机核数，最多 8；文件少时只用一个进程）")

    check = sub.add_parser(
        "check", help="检查几个台账文件的读取情况，写出批注副本",
        description="按 analysis clean 完全相同的方式读取指定的台账文件（或文件夹中的全部台账），逐个工作表打印读取情况"
                    "（表头行、各表头对应的列、丢弃的个人信息列、未识别的表头、各类行数、剔除行），并为每个文件写出一份"
                    "批注副本（.xlsx）：第一列写明每行的类别并按类别着色，剔除的单元格带批注写明原因，读作其他写法的单元格"
                    "带批注写明读作什么；个人信息已隐去，可以发回中队修改。原始台账不作任何改动。",
        epilog="例：\n  analysis check data/raw/gas_safety/2023/2023年第1季度燃气安全排查台账.xlsx\n"
               "  analysis check data/raw/street_vending --out 检查结果")
    check.add_argument("paths", type=Path, nargs="+", metavar="路径", help="原始台账文件夹中的文件或文件夹（文件夹含子文件夹）")
    check.add_argument("--raw", type=Path, default=paths.DEFAULT_RAW, metavar=folder, help="原始台账文件夹（默认 data/raw）")
    check.add_argument("--out", type=Path, default=DEFAULT_CHECK_OUT, metavar=folder,
                       help="批注副本写入的文件夹（默认 data/processed/check；不能在原始台账文件夹中）")

    brief = sub.add_parser(
        "briefing", help="生成给领导看的 HTML 简报和各台账分析页",
        description="生成简报：原始台账有变动时先重新清洗，再生成 reports/<期间>/ 下的简报、各台账分析页和数据质量报告"
                    "（离线可看、可打印）。data/raw 中一个文件都没有时，使用示例数据。",
        epilog="例：\n  analysis briefing                          数据中最近的完整年份\n"
               "  analysis briefing --period 2023-Q2         2023年第二季度（季报）\n"
               "  analysis briefing --period 2023-06         2023年6月（月报，另与5月环比）\n"
               "  analysis briefing --period 2023-01..2023-06   2023年1—6月累计")
    when = brief.add_mutually_exclusive_group()
    when.add_argument("--period", type=_period, metavar="期间",
                      help="统计期间：2023（全年）、2023-Q2（季度）、2023-06（月份）、2023-01..2023-06（1—6月累计）；"
                           "默认：数据中最近的完整年份。与上年同期比较")
    when.add_argument("--year", type=_year, metavar="年份", help="同 --period 年份")
    brief.add_argument("--raw", type=Path, default=paths.DEFAULT_RAW, metavar=folder, help="原始台账文件夹（默认 data/raw）")
    brief.add_argument("--processed", type=Path, default=paths.DEFAULT_PROCESSED, metavar=folder,
                       help="清洗结果文件夹（默认 data/processed）")
    brief.add_argument("--out", type=Path, default=paths.DEFAULT_REPORTS, metavar=folder, help="简报输出文件夹（默认 reports）")
    return parser


def _console_never_fails() -> None:
    """A file name or ledger text outside the console's encoding (a GBK console on Chinese Windows, a redirected
    pipe) is printed with a replacement character, never a UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")


def main(argv: list[str] | None = None) -> int:
    _console_never_fails()
    args = _parser().parse_args(argv)
    from analysis.shared.memory import prefer_system_allocator
    from analysis.shared.os_errors import RunError, describe

    prefer_system_allocator()

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


def _inside_raw(raw: Path, *outputs) -> bool:
    """Whether an output folder ((what, folder) pairs) lies in the raw folder, said in one line: nothing is ever
    written among the raw ledgers (the next clean would read it as one)."""
    for what, folder in outputs:
        if paths.within(folder, raw):
            print(f"错误：{what}不能写进原始台账文件夹（“{folder}”在“{raw}”之中）；程序从不改动原始台账，"
                  "请指定别的文件夹", file=sys.stderr)
            return True
    return False


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
        from analysis.ingest.folder_guide import placement_help
        from analysis.ingest.pipeline import clean, default_jobs
        from analysis.shared.memory import give_back_freed

        if not args.raw.is_dir():
            print(f"错误：找不到原始台账文件夹“{args.raw}”", file=sys.stderr)
            return 2
        if _inside_raw(args.raw, ("清洗结果", args.out)):
            return 2
        result = clean(args.raw, args.out, strict=args.strict, jobs=args.jobs or default_jobs())
        if not result.manifest.files:
            print("\n".join(placement_help(args.raw)))
        elif result.cleaned and any(s.rows_kept for s in result.manifest.ledgers.values()):
            give_back_freed()  # the run's tables are gone; the checks load them again
            _say_checks(args.out)
        return result.exit_code
    if args.command == "check":
        from analysis.commands.check import check

        if _inside_raw(args.raw, ("批注副本", args.out)):
            return 2
        return check(args.paths, args.raw, args.out, warn=lambda text: print(text, file=sys.stderr))
    if args.command == "briefing":
        period = args.period or (str(args.year) if args.year is not None else None)
        if _inside_raw(args.raw, ("清洗结果", args.processed), ("简报", args.out)):
            return 2
        return briefing(period=period, raw=args.raw, processed=args.processed, out=args.out)
    return 2


def _say_checks(processed: Path) -> None:
    """What the source checks found in a fresh clean: [核查] 可能缺报 2 处、待核实 3 条, and where they are listed."""
    from analysis.report.data import load_checks
    from analysis.report.source_checks import KIND_NAMES, gap_texts

    checks = load_checks(processed)
    counts = checks.counts()
    verify = {KIND_NAMES[kind]: counts[kind] for kind in KIND_NAMES if counts[kind]}
    if not counts["gap"] and not counts["verify"]:
        print("[核查] 没有发现缺报的月份或需要核实的记录。")
        return
    for text in gap_texts(checks.gaps)[:5]:
        print(f"[可能缺报] {text}")
    for item in checks.to_verify[:5]:
        print(f"[待核实] {item.file} / {item.sheet}" + (f" 第 {item.row} 行" if item.row else "") + f"：{item.value}，{item.why}")
    parts = ([f"可能缺报 {counts['gap']} 处"] if counts["gap"] else []) + [f"{name} {n} 项" for name, n in verify.items()]
    print(f"[核查] {'、'.join(parts)}；全部列在 analysis briefing 生成的数据质量报告（请先核查）和待核实清单.xlsx 中。"
          "这些只是提示，不改动任何数字。")


def briefing(period: str | None = None, raw: Path = paths.DEFAULT_RAW, processed: Path = paths.DEFAULT_PROCESSED,
             out: Path = paths.DEFAULT_REPORTS, notebooks_dir: Path = paths.DEFAULT_NOTEBOOKS) -> int:
    """`analysis briefing`. The demo ledgers (built outside data/raw) are used only when raw holds no file at all:
    a file in the wrong place is named by the clean, and the briefing goes on with the files placed right."""
    from analysis.commands.briefing import build, install_notebook_filter

    # In a git clone, the notebooks' filter (.gitattributes) is set up once: JupyterLab's saves leave git clean.
    install_notebook_filter(Path(notebooks_dir).resolve().parent)
    if not _holds_files(raw):
        from analysis.demo import is_demo_folder, write_demo

        raw, processed = paths.DEFAULT_DEMO_RAW, paths.DEFAULT_DEMO_PROCESSED
        print(f"data/raw 中没有任何台账文件，改用示例数据（合成数据，位于 {raw}，不会放进 data/raw）。")
        if not is_demo_folder(raw):
            write_demo(raw)
    return build(period=period, raw=raw, processed=processed, out=out, notebooks_dir=notebooks_dir)


def _holds_files(raw: Path) -> bool:
    """Whether raw holds any file a clean would read or name (its READMEs and .gitkeep do not count)."""
    from analysis.ingest.discover import discover
    from analysis.ingest.spec import ledger_names

    if not Path(raw).is_dir():
        return False
    found, skipped = discover(Path(raw), ledger_names())
    return any(found.values()) or bool(skipped)

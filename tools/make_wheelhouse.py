"""Build a wheelhouse for installing the project on a machine with no internet (an office intranet).

On a connected machine (any OS), from the project folder:

    python tools/make_wheelhouse.py                       # Windows 64-bit and Linux x86_64, Python 3.11 and 3.12
    python tools/make_wheelhouse.py --target windows --python 3.11 --extras test
    python tools/make_wheelhouse.py --dry-run              # print the pip commands only

It writes wheelhouse/<platform>-py<version>/ with every wheel the project needs (its dependencies, setuptools and
wheel for the editable install, and the project's own wheel). Copy the project folder with that subfolder to the
intranet machine and install with pip's --no-index (see README, "内网安装"). --target takes pip's platform names
(win_amd64, linux_x86_64, linux_aarch64, macos_arm64) or the short ones (windows, linux, macos). Its help and
errors are in Chinese, as the `analysis` command's (the project's argparse, taken from src/ without installing it).
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# pip's platform tags: 64-bit Windows, and the manylinux tags of 64-bit Linux (glibc 2.17 and newer; pip accepts a
# wheel built for an older glibc on a newer one, so the oldest tag with the newest in front covers both).
# macOS: pip counts a macosx_12_0 platform as also taking the wheels of earlier macOS versions and universal2, so
# Apple-silicon Macs with macOS 12 or newer.
TARGETS = {
    "win_amd64": ["win_amd64"],
    "linux_x86_64": ["manylinux_2_28_x86_64", "manylinux2014_x86_64", "manylinux_2_17_x86_64"],
    "linux_aarch64": ["manylinux_2_28_aarch64", "manylinux2014_aarch64", "manylinux_2_17_aarch64"],
    "macos_arm64": ["macosx_12_0_arm64"],
}
# The short names a person writes: the platform each stands for.
SHORT_NAMES = {"windows": "win_amd64", "linux": "linux_x86_64", "macos": "macos_arm64"}
DEFAULT_TARGETS = ["win_amd64", "linux_x86_64"]
DEFAULT_PYTHONS = ["3.11", "3.12"]
# Needed to install the project itself (`pip install -e .` builds it with these, from the wheelhouse too).
BUILD_REQUIREMENTS = ["setuptools>=69", "wheel"]


def requirements(extras: list[str]) -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    found = list(project["dependencies"])
    for extra in extras:
        found += project.get("optional-dependencies", {})[extra]
    return found + BUILD_REQUIREMENTS


def commands(target: str, python: str, extras: list[str], out: Path) -> list[list[str]]:
    folder = out / f"{target}-py{python}"
    version = python.replace(".", "")
    download = [sys.executable, "-m", "pip", "download", "--only-binary=:all:", "--dest", str(folder),
                "--python-version", python, "--implementation", "cp", "--abi", f"cp{version}", "--abi", "abi3",
                "--abi", "none"]
    for tag in TARGETS[target]:
        download += ["--platform", tag]
    download += ["--platform", "any", *requirements(extras)]
    own = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(folder), str(ROOT)]
    return [download, own]


def _target(text: str) -> str:
    """A platform as pip's name or a short one (windows, linux, macos), as its pip name."""
    name = text.strip().lower()
    name = SHORT_NAMES.get(name, name)
    if name not in TARGETS:
        known = "、".join([*SHORT_NAMES, *TARGETS])
        raise argparse.ArgumentTypeError(f"不认识的平台“{text}”，可用：{known}")
    return name


def _python(text: str) -> str:
    import re

    if not re.fullmatch(r"3\.\d{1,2}", text.strip()):
        raise argparse.ArgumentTypeError(f"应为 Python 版本，如 3.11，而不是“{text}”")
    return text.strip()


def _parser():
    """The project's Chinese argparse (src/analysis/commands/cli.py): help, usage and errors in Chinese. Taken from
    src/ so that the tool runs before the project is installed (cli imports only analysis.paths at its top)."""
    sys.path.insert(0, str(ROOT / "src"))
    try:
        from analysis.commands.cli import ChineseArgumentParser
    finally:
        sys.path.remove(str(ROOT / "src"))
    platforms = "、".join(f"{short}（{TARGETS_SAID[name]}，即 {name}）" for short, name in SHORT_NAMES.items())
    parser = ChineseArgumentParser(
        prog="python tools/make_wheelhouse.py",
        description="为没有互联网的内网电脑准备安装包（wheelhouse）：在能上网的电脑上下载本项目及其依赖的全部安装包，"
                    "写到 wheelhouse/<平台>-py<版本>/，连同项目文件夹拷到内网电脑，用 pip install --no-index 安装"
                    "（见 README“内网安装”）。",
        epilog="例：\n"
               "  python tools/make_wheelhouse.py                                 Windows 和 Linux，Python 3.11 和 3.12\n"
               "  python tools/make_wheelhouse.py --target windows --python 3.11  只要 Windows、Python 3.11\n"
               "  python tools/make_wheelhouse.py --target linux --extras test    Linux，连同测试所需的包\n"
               "  python tools/make_wheelhouse.py --dry-run                       只打印 pip 命令，不下载\n"
               f"平台：{platforms}；也可以写 pip 的平台名 {'、'.join(TARGETS)}。")
    parser.add_argument("--target", type=_target, action="append", metavar="平台",
                        help="目标平台：windows、linux 或 macos（可写多次；默认 windows 和 linux）")
    parser.add_argument("--python", type=_python, action="append", metavar="版本",
                        help="目标电脑的 Python 版本（可写多次；默认 3.11 和 3.12）")
    parser.add_argument("--extras", nargs="*", default=[], metavar="依赖组",
                        help="一并下载的可选依赖组，如 test（运行测试所需）")
    parser.add_argument("--out", type=Path, default=ROOT / "wheelhouse", metavar="文件夹",
                        help="输出文件夹（默认项目中的 wheelhouse/）")
    parser.add_argument("--dry-run", action="store_true", help="只打印 pip 命令，不下载")
    return parser


TARGETS_SAID = {"win_amd64": "64 位 Windows", "linux_x86_64": "x86_64 的 64 位 Linux",
                "linux_aarch64": "ARM 64 位 Linux", "macos_arm64": "Apple 芯片的 Mac，macOS 12 及以上"}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    extras = project_extras()
    unknown = [e for e in args.extras if e not in extras]
    if unknown:
        print(f"错误：pyproject.toml 中没有可选依赖组“{'、'.join(unknown)}”（有：{'、'.join(extras)}）", file=sys.stderr)
        return 2
    for target in dict.fromkeys(args.target or DEFAULT_TARGETS):
        for python in dict.fromkeys(args.python or DEFAULT_PYTHONS):
            for cmd in commands(target, python, args.extras, args.out):
                print(" ".join(cmd), flush=True)
                if not args.dry_run:
                    done = subprocess.run(cmd)
                    if done.returncode:
                        print(f"错误：pip 下载 {target}、Python {python} 的安装包失败（退出状态 {done.returncode}，"
                              "原因见上面 pip 的输出）；请检查网络后重试", file=sys.stderr)
                        return 1
    return 0


def project_extras() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return list(project.get("optional-dependencies", {}))


if __name__ == "__main__":
    raise SystemExit(main())

"""Build a wheelhouse for installing the project on a machine with no internet (an office intranet).

On a connected machine (any OS), from the project folder:

    python tools/make_wheelhouse.py                       # Windows 64-bit and Linux x86_64, Python 3.11 and 3.12
    python tools/make_wheelhouse.py --target win_amd64 --python 3.11 --extras test
    python tools/make_wheelhouse.py --dry-run              # print the pip commands only

It writes wheelhouse/<platform>-py<version>/ with every wheel the project needs (its dependencies, setuptools and
wheel for the editable install, and the project's own wheel). Copy the project folder with that subfolder to the
intranet machine and install with pip's --no-index (see README, "内网安装").
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
TARGETS = {
    "win_amd64": ["win_amd64"],
    "linux_x86_64": ["manylinux_2_28_x86_64", "manylinux2014_x86_64", "manylinux_2_17_x86_64"],
    "linux_aarch64": ["manylinux_2_28_aarch64", "manylinux2014_aarch64", "manylinux_2_17_aarch64"],
}
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="为内网机器准备安装包（wheelhouse）")
    parser.add_argument("--target", choices=sorted(TARGETS), action="append",
                        help="目标平台（可写多次；默认 win_amd64 和 linux_x86_64）")
    parser.add_argument("--python", action="append", help="目标 Python 版本（可写多次；默认 3.11 和 3.12）")
    parser.add_argument("--extras", nargs="*", default=[], help="一并下载的可选依赖组，如 test")
    parser.add_argument("--out", type=Path, default=ROOT / "wheelhouse", help="输出文件夹（默认 wheelhouse/）")
    parser.add_argument("--dry-run", action="store_true", help="只打印 pip 命令，不下载")
    args = parser.parse_args(argv)
    for target in args.target or ["win_amd64", "linux_x86_64"]:
        for python in args.python or ["3.11", "3.12"]:
            for cmd in commands(target, python, args.extras, args.out):
                print(" ".join(cmd), flush=True)
                if not args.dry_run:
                    subprocess.run(cmd, check=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Project folders, defined once.

The defaults are relative to the current working directory so that the commands
work from the project root as README says; every command also takes explicit folders.
"""
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
# The files analysts edit: what each ledger is (one YAML file each, common.yaml for what they share) and what
# each figure of the briefing is (one row each).
LEDGER_SPEC_DIR = PACKAGE_DIR / "ledgers"
CATALOGUE_PATH = PACKAGE_DIR / "indicators.csv"
FONTS_DIR = PACKAGE_DIR / "report" / "fonts"
TEMPLATES_DIR = PACKAGE_DIR / "report" / "templates"

DEFAULT_RAW = Path("data/raw")
DEFAULT_PROCESSED = Path("data/processed")
DEFAULT_REPORTS = Path("reports")
DEFAULT_NOTEBOOKS = Path("notebooks")
DEFAULT_DRAFT_TEMPLATE = Path("templates/报告模板.docx")  # the office's own Word template, when it puts one there
# Where `analysis briefing` puts the demo ledgers when data/raw holds none: outside data/raw,
# so that synthetic rows never mix with an analyst's real ones.
DEFAULT_DEMO_RAW = Path("build-demo/raw")
DEFAULT_DEMO_PROCESSED = Path("build-demo/processed")

# The line the demo writes into the README.md of a folder of generated ledgers; a clean of such a folder
# marks its outputs as synthetic, so that every page built from them says 示例数据.
SYNTHETIC_MARK = "<!-- analysis-demo：本文件夹由 analysis demo 生成 -->"


def within(path: Path, folder: Path) -> bool:
    """Whether `path` is `folder` or lies inside it, as written or once links are followed: where outputs must never
    go when `folder` holds the raw ledgers."""
    import os

    for a, b in ((os.path.abspath(path), os.path.abspath(folder)), (os.path.realpath(path), os.path.realpath(folder))):
        a, b = Path(a), Path(b)
        if a == b or b in a.parents:
            return True
    return False

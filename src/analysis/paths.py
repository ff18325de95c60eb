"""Project folders, defined once.

The defaults are relative to the current working directory so that the commands
work from the project root as README says; every command also takes explicit folders.
"""
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
LEDGER_SPEC_DIR = PACKAGE_DIR / "ledgers"
FONTS_DIR = PACKAGE_DIR / "fonts"
TEMPLATES_DIR = PACKAGE_DIR / "templates"

DEFAULT_RAW = Path("data/raw")
DEFAULT_PROCESSED = Path("data/processed")
DEFAULT_REPORTS = Path("reports")
DEFAULT_NOTEBOOKS = Path("notebooks")
# Where `analysis briefing` puts the demo ledgers when data/raw holds none: outside data/raw,
# so that synthetic rows never mix with an analyst's real ones.
DEFAULT_DEMO_RAW = Path("build-demo/raw")
DEFAULT_DEMO_PROCESSED = Path("build-demo/processed")

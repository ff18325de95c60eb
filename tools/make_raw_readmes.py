"""Write data/raw/README.md and data/raw/<ledger>/README.md from the ledger specs (python tools/make_raw_readmes.py).

Run it after adding or changing a spec in src/analysis/ledgers/: the READMEs tell an analyst which folder a ledger
goes in and which headers and spellings it accepts. tests/test_cli.py checks that the committed ones are current.
"""
from __future__ import annotations

from pathlib import Path

from analysis.ingest.folder_guide import ledger_readme, raw_readme
from analysis.ingest.spec import ledger_names, load_spec

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"


def main() -> None:
    (RAW / "README.md").write_text(raw_readme(), encoding="utf-8", newline="\n")
    for ledger in ledger_names():
        (RAW / ledger).mkdir(parents=True, exist_ok=True)
        (RAW / ledger / "README.md").write_text(ledger_readme(load_spec(ledger)), encoding="utf-8", newline="\n")
        print(f"已写出 {(RAW / ledger / 'README.md').relative_to(RAW.parents[1])}")


if __name__ == "__main__":
    main()

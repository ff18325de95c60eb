"""The synthetic demo ledgers (示例数据), 2021–2023, of every ledger that has a spec: targets.yaml (the figures
each year adds up to: 2023 reproduces the report), records (the seven hand-made ledgers' canonical rows), plans
(how their files of each year look), generic (any other ledger from its spec alone: records and files), build
(which ledger is made how), render (workbook and CSV bytes) and folder (writing them with a README).

Imports only analysis.paths, analysis.xlsx and the ledger specs of analysis.ingest (for the columns, the
sub-districts and labels); neither ingest nor report imports it.
"""
from analysis.demo.build import generate_records
from analysis.demo.folder import is_demo_folder, write_demo
from analysis.demo.plans import BAD_ROWS
from analysis.demo.records import DEFAULT_SEED, DEFAULT_YEARS

__all__ = ["write_demo", "is_demo_folder", "generate_records", "DEFAULT_SEED", "DEFAULT_YEARS", "BAD_ROWS"]

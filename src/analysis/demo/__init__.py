"""The synthetic demo ledgers (示例数据), 2021–2023: records (canonical rows that reproduce the 2023 report),
plans (how each year's files look), render (workbook and CSV bytes) and folder (writing them with a README).

Imports only analysis.paths, analysis.xlsx and the ledger specs of analysis.ingest (for the sub-districts and
labels); neither ingest nor report imports it.
"""
from analysis.demo.folder import is_demo_folder, write_demo
from analysis.demo.plans import BAD_ROWS
from analysis.demo.records import DEFAULT_SEED, DEFAULT_YEARS, generate_records

__all__ = ["write_demo", "is_demo_folder", "generate_records", "DEFAULT_SEED", "DEFAULT_YEARS", "BAD_ROWS"]

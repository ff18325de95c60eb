"""Ingest: raw ledger files → data/processed (each ledger's tidy table, rejects.csv, manifest.json).

read/ (one module per format family) → layout → normalize + spec → cleaning (one sheet) → file_result (one file)
→ pipeline (the folder as steps: plan, run in workers, assemble the records and outputs, save through
analysis.shared's commit and lock); tables reads the outputs back, checked against the manifest; text says long
cell texts to a person. Imports only analysis.shared, analysis.paths and analysis.__version__ from outside: never
report, demo or the commands.
"""

"""Ingest: raw ledger files → data/processed (each ledger's tidy table, rejects.csv, manifest.json).

read/ (one module per format family) → layout → normalize + spec → cleaning (one sheet) → file_result (one file)
→ pipeline (the folder: discover, cache, workers, outputs, commit, lock, manifest); tables reads the outputs back,
checked against the manifest; os_errors and text say operating-system errors and long cell texts to a person.
Imports only analysis.paths and analysis.__version__ from outside: never report, demo or cli.
"""

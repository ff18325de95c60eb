"""Report: data/processed → figures, sentences, charts and pages.

catalogue (indicators.csv) → metrics, figures, periods, narrative, plots (+ fonts/) → pages (what notebook cells
display) → execute (papermill) → export (nbconvert, templates/) → briefing (the command).
May import analysis.ingest (specs, the processed tables, the manifest's problems), analysis.paths and
analysis.xlsx; never cli or demo.
"""

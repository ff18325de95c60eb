"""Report: data/processed → figures, sentences, charts and pages.

data (the processed data for a report, and the selections pages and the 报表 share) → catalogue (indicators.csv)
→ metrics → findings (the facts, as data) → narrative (facts into sentences; number_words and periods say numbers
and periods) and plots (+ fonts/) → pages/ (each page's cells; its prose in templates/pages/) and workbook (the
Excel 报表) → execute (papermill) → export (nbconvert, templates/); the briefing command that runs them is
analysis.commands.briefing. May import analysis.ingest (specs, the processed tables, the run's records),
analysis.shared, analysis.paths and analysis.xlsx; never the commands or the demo.
"""

"""The commands, above the wings: `cli` (analysis demo | clean | briefing, in Chinese throughout) and `briefing`
(clean if the raw ledgers changed, run the page notebooks, export the pages and the 报表, all at once).

May import every wing (ingest, report, demo) and analysis.shared; no wing imports it.
"""

"""What both wings use to touch the disk: `commit` (files written at once, or all outputs replaced together through a
journal, so that a killed run leaves the previous outputs whole), `lock` (one run per output folder) and `os_errors`
(operating-system errors said to a person, in Chinese).

Imports nothing of analysis but `analysis.paths`: ingest, report, the demo and the commands may all import it.
"""

"""What the notebooks show: each function returns one thing a notebook cell displays.

Notebooks stay thin (parameters, calls, displays) and call these names: `load` and `choose_period` (the data and
the period, from data.py), then each page's cells, one module per page, named as its notebook:

  briefing     the leadership briefing: first screen, indicator table, areas, monthly charts, data note
  report_text  报告用语: how the report writes each figure, the paragraphs ready to copy
  ledger       a ledger's analysis page: indicators by year, trend, 同比 by month, breakdowns, heat map, top ten
  data_quality files read, rows by kind, rejected rows and why, problems
  source_checks the data-quality page's to-do list first: months that did not arrive, records to verify

Every word a page shows is in templates/pages/ (render.py); the page modules compute what to show from the
processed tables, the manifest and the indicator catalogue.
"""
from analysis.report.data import (
    Data,
    choose_period,
    covered_catalogue,
    default_processed_dir,
    ledgers_with_data,
    load,
    main_indicator,
    month_before,
    project_root,
    yoy,
)
from analysis.report.pages.briefing import (
    DEMO_SUFFIX,
    area_summary,
    comparison_line,
    data_note,
    first_screen,
    headline_table,
    missing_ledgers_note,
    monthly_comparison_chart,
    monthly_comparison_charts,
    unnamed_notes,
)
from analysis.report.pages.data_quality import files_table, issues_table, reject_reasons, rejects_table, row_kinds_table
from analysis.report.pages.ledger import (
    breakdown_charts,
    heatmap_chart,
    ledger_indicators,
    top_contributors,
    trend_chart,
    yoy_chart,
)
from analysis.report.pages.report_text import area_wording, report_wording
from analysis.report.pages.source_checks import (
    arrival_tables,
    checks_summary,
    revision_of,
    revisions_table,
    to_verify_table,
)

__all__ = [
    # the data and the period (data.py)
    "Data", "load", "choose_period", "default_processed_dir", "project_root", "ledgers_with_data",
    "covered_catalogue", "yoy", "month_before", "main_indicator",
    # the leadership briefing
    "DEMO_SUFFIX", "comparison_line", "missing_ledgers_note", "unnamed_notes", "first_screen", "headline_table",
    "area_summary", "monthly_comparison_chart", "monthly_comparison_charts", "data_note",
    # 报告用语
    "report_wording", "area_wording",
    # a ledger's page
    "ledger_indicators", "trend_chart", "yoy_chart", "breakdown_charts", "heatmap_chart", "top_contributors",
    # data quality
    "files_table", "row_kinds_table", "reject_reasons", "rejects_table", "issues_table",
    "checks_summary", "arrival_tables", "to_verify_table", "revisions_table", "revision_of",
]

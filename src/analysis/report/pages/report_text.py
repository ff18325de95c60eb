"""报告用语, the analyst's page (notebooks/report_text.ipynb): how the report writes each figure, and the paragraphs
ready to copy. Its words are in templates/pages/report_text.html.j2."""
from __future__ import annotations

import pandas as pd
from IPython.display import HTML

from analysis.report import narrative
from analysis.report.data import Data, covered_catalogue, yoy
from analysis.report.number_words import plain_number
from analysis.report.pages import render
from analysis.report.pages.briefing import unnamed_notes
from analysis.report.periods import Period


def report_wording(data: Data, period: Period) -> HTML:
    """For the analyst who fills in the report: each figure as the report writes it, its sentence, and the
    report's paragraph, ready to copy."""
    figures = yoy(data, period)
    frame = pd.DataFrame({
        "label": figures["label"],
        "value": [plain_number(v, u) for v, u in zip(figures["value"], figures["unit"])],
        "written": [f + u if isinstance(f, str) and f != "—" else "—" for f, u in zip(figures["figure"], figures["unit"])],
        "sentence": narrative.indicator_sentences(figures, period).tolist(),
    })
    return render.html("report_text", "report_wording", figures=frame, notes=unnamed_notes(data, period),
                       paragraph=narrative.report_paragraph(figures, period))


def area_wording(data: Data, period: Period) -> HTML:
    """The briefing's paragraphs per area, ready to copy."""
    paragraphs = narrative.area_paragraphs(data.tables, period, covered_catalogue(data, period))
    return render.html("report_text", "area_wording", paragraphs=[text for _, text in paragraphs])

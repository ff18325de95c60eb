"""The leadership briefing's cells (notebooks/briefing.ipynb); its words are in templates/pages/briefing.*.j2."""
from __future__ import annotations

import pandas as pd
from IPython.display import HTML

from analysis.ingest.spec import load_spec
from analysis.report import metrics, narrative, plots
from analysis.report.catalogue import parse_measure
from analysis.report.data import (
    Data,
    covered_catalogue,
    covered_months,
    gaps,
    is_yearly,
    ledgers_with_data,
    main_indicator,
    month_before,
    months_of,
    yoy,
)
from analysis.report.number_words import plain_number
from analysis.report.pages import render
from analysis.report.periods import Period, months_label
from analysis.report.source_checks import gap_texts

DEMO_SUFFIX = render.words("briefing", "txt").demo_suffix  # the pages' titles say so when the data are the demo's


def comparison_line(period: Period) -> str:
    """统计期间：2024年6月（与2023年6月同比，与2024年5月环比）."""
    return render.text("briefing", "comparison_line", period=period)


def missing_ledgers_note(data: Data, period: Period) -> str:
    """本年暂无扬尘管控督导、违建拆除台账数据。 (empty when every ledger has data in the period), in a quarter or
    month that a ledger filled once a year is not counted in it, and which ledgers cover only part of the period
    (三种经营整治台账仅有6月数据…) or of the same period a year before: those are compared with nothing."""
    yearly = [] if period.whole_year else [ledger for ledger in data.tables if is_yearly(ledger)]
    with_data = ledgers_with_data(data, period)
    missing = [ledger for ledger in data.tables if ledger not in with_data and ledger not in yearly]
    now = gaps(data, period)
    before = {ledger: months for ledger, months in gaps(data, period.same_last_year).items()
              if ledger in with_data and ledger not in now}
    return render.text("briefing", "missing_ledgers_note", missing=[load_spec(ledger).topic for ledger in missing],
                       yearly=[load_spec(ledger).label for ledger in yearly], period=period,
                       partial=[(load_spec(ledger).topic, months_label(covered_months(period, months)))
                                for ledger, months in now.items()],
                       previous_partial=[(load_spec(ledger).topic, months_label(months))
                                         for ledger, months in before.items()])


def unnamed_notes(data: Data, period: Period) -> list[str]:
    """许可外摆经营的餐饮门店：另有 3 条记录未填申请单位，无法区分，未计入。 for each figure of distinct names with
    rows whose name is empty."""
    covered = covered_catalogue(data, period)
    notes = []
    for key, rows in metrics.unnamed_rows(data.tables, covered, period).items():
        ind = covered.loc[key]
        column = load_spec(ind["ledger"]).column(parse_measure(ind["measure"])[1]).label
        notes.append(render.text("briefing", "unnamed_note", label=ind["label"], rows=rows, column=column))
    return notes


def change(row: pd.Series, period: Period, against: str = "year") -> dict:
    """A change as a card or the table shows it: its direction and its text (▲ 10.2%, 持平, 上年无数据, 仅有6月数据,
    …)."""
    missing = row.get("missing") or ()
    text = render.text("briefing", "change", direction=row["direction"], pct=row["pct"], against=against,
                       covered=months_label(covered_months(period, missing)) if missing else "",
                       missing_before=months_label(row.get("previous_missing") or ()),
                       base=period.versus_last_year)
    return {"direction": row["direction"], "text": text}


def first_screen(data: Data, period: Period) -> HTML:
    """What a director reads first: the period, the key figures as cards (value as the report writes it, change
    against the same period last year, and against the month before for a month), then three to five 要点."""
    figures = yoy(data, period)
    monthly = month_before(data, period)
    cards = [{"label": row["label"], "figure": row["figure"], "unit": row["unit"], "year": change(row, period),
              "month": None if monthly is None else change(monthly.loc[key], period, "month")}
             for key, row in figures[figures["card"] != ""].iterrows()]
    return render.html("briefing", "first_screen", period_line=comparison_line(period),
                       note=missing_ledgers_note(data, period), cards=cards,
                       points=narrative.highlights(data.tables, period, covered_catalogue(data, period)))


def headline_table(data: Data, period: Period) -> HTML:
    """Every indicator in the period and in the same period last year, with the change (▲/▼ %); for a month also
    the month before (环比). The ledgers without data this year are named once, on the first screen, and left
    out. How the report writes each figure is on the analyst's 报告用语 page."""
    figures = yoy(data, period)
    frame = pd.DataFrame({
        "label": figures["label"],
        "value": [plain_number(v, u) for v, u in zip(figures["value"], figures["unit"])],
        "previous": [plain_number(v, u) for v, u in zip(figures["previous"], figures["unit"])],
        "change": [change(row, period)["text"] for _, row in figures.iterrows()],
    })
    monthly = month_before(data, period)
    if monthly is not None:
        frame["before"] = [plain_number(v, u) for v, u in zip(monthly["previous"], monthly["unit"])]
        frame["month_change"] = [change(row, period, "month")["text"] for _, row in monthly.iterrows()]
    return render.html("briefing", "headline_table", figures=frame, period=period)


def area_summary(data: Data, period: Period) -> HTML:
    """One paragraph per area of work: its figures, what drove the change, the peak month, what stands out."""
    paragraphs = narrative.area_paragraphs(data.tables, period, covered_catalogue(data, period))
    return render.html("briefing", "area_summary", paragraphs=[text for _, text in paragraphs])


def monthly_comparison_chart(data: Data, ledger: str, period: Period):
    """This year's months against last year's, for the ledger's headline indicator (this year's alone, titled so,
    when the ledger has no rows last year)."""
    year = period.year
    ind = main_indicator(data, ledger)
    last = metrics.monthly_series(data.tables, ind.name, year - 1, catalogue=data.catalogue)
    has_last = not last.isna().all()
    title = render.text("briefing", "monthly_comparison_title", label=ind["label"], year=year, has_last=has_last)
    return plots.monthly_comparison(
        months_of(data, ind.name, year, period.last), last if has_last else None, title=title, unit=ind["unit"],
        this_label=render.text("briefing", "year", y=year), last_label=render.text("briefing", "year", y=year - 1),
    )


def monthly_comparison_charts(data: Data, period: Period) -> list:
    """One chart per ledger that has data in the period's year and months to chart (the briefing's section 三)."""
    return [monthly_comparison_chart(data, ledger, period) for ledger in ledgers_with_data(data, period)
            if not is_yearly(ledger)]


def _months_with_data(ledger: str, period: Period, has_data: bool, missing: tuple[int, ...]) -> str:
    """What the data note says a ledger covers of the period: 1—12月, 6月, 按年度填报, 无."""
    if is_yearly(ledger):
        return render.text("briefing", "yearly_months") if has_data else render.text("briefing", "no_months")
    return months_label(covered_months(period, missing)) if has_data else render.text("briefing", "no_months")


def data_note(data: Data, period: Period) -> HTML:
    """Sources, definitions and rejected rows, so that a reader can trace every figure."""
    with_data, missing = ledgers_with_data(data, period), gaps(data, period)
    sources = [{"ledger": s.label, "in_period": int(metrics.in_period(data.tables[ledger], period).sum()),
                "months": _months_with_data(ledger, period, ledger in with_data, missing.get(ledger, ())),
                "files": s.files, "sheets": s.sheets, "kept": s.rows_kept, "rejected": s.rows_rejected}
               for ledger, s in data.manifest.ledgers.items()
               if s.files]  # no file at all: said once, above the indicator table
    covered = covered_catalogue(data, period)
    definitions = covered[covered["definition"] != ""]
    return render.html("briefing", "data_note", synthetic=data.synthetic, sources=pd.DataFrame(sources),
                       period=period, definitions=list(zip(definitions["label"], definitions["definition"])),
                       notes=unnamed_notes(data, period), gaps=gap_texts(data.checks.gaps_in(period)),
                       rejected=data.manifest.rows_rejected,
                       failed=len(data.manifest.failed_files))

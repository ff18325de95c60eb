"""A ledger's analysis page (notebooks/ledger.ipynb, run once per ledger with data). Each cell says so in a line,
instead of failing, when the ledger has nothing to show. Its words are in templates/pages/ledger.*.j2."""
from __future__ import annotations

import base64

import pandas as pd
from IPython.display import HTML

from analysis.ingest.spec import load_spec
from analysis.report import metrics, plots
from analysis.report.data import Data, is_yearly, main_indicator, months_of
from analysis.report.number_words import plain_number
from analysis.report.pages import render
from analysis.report.periods import Period


def _year(y: int) -> str:
    return render.text("ledger", "year", y=y)


def _nothing(data: Data, ledger: str, period: Period | None = None) -> HTML | None:
    """What a cell shows when the ledger has no rows (in the period's year): None when it has."""
    table = data.tables.get(ledger)
    if table is None:
        raise ValueError(f"没有台账“{ledger}”（可用：{'、'.join(data.tables)}）")
    rows = table if period is None else table[table["year"] == period.year]
    if len(rows):
        return None
    return render.html("ledger", "no_data", label=load_spec(ledger).label, period=period)


def _not_monthly(ledger: str) -> HTML:
    return render.html("ledger", "not_monthly", label=load_spec(ledger).label)


def ledger_indicators(data: Data, ledger: str) -> HTML:
    """The ledger's indicators for every year in the data."""
    if (empty := _nothing(data, ledger)) is not None:
        return empty
    keys = data.catalogue.index[data.catalogue["ledger"] == ledger]
    years = sorted(data.tables[ledger]["year"].unique().tolist())
    frame = pd.DataFrame({"label": data.catalogue.loc[keys, "label"].tolist()})
    for y in years:
        values = metrics.indicator_values(data.tables, Period(y), catalogue=data.catalogue).loc[keys]
        frame[y] = [plain_number(v, u) for v, u in zip(values["value"], values["unit"])]
    return render.html("ledger", "indicators_table", figures=frame, years=years)


def trend_chart(data: Data, ledger: str):
    """The headline indicator month by month, one line per year (year by year for a ledger filled once a year)."""
    if (empty := _nothing(data, ledger)) is not None:
        return empty
    ind = main_indicator(data, ledger)
    years = sorted(data.tables[ledger]["year"].unique().tolist())
    if is_yearly(ledger):
        values = pd.Series({_year(y): metrics.indicator_values(data.tables, Period(y), data.catalogue.loc[[ind.name]])
                            .loc[ind.name, "value"] for y in years})
        # A year whose table lacks the item did not file it: no bar, and the title says so (not a bar of 0).
        unfiled = values.index[values.isna()].tolist()
        if len(unfiled) == len(values):
            return render.html("ledger", "never_filed", indicator=ind["label"])
        title = render.text("ledger", "yearly_title", indicator=ind["label"], unfiled=unfiled)
        return plots.bar_breakdown(values.dropna(), title, ind["unit"], horizontal=False,
                                   category_label=render.words("ledger", "txt").years_axis)
    series = {y: months_of(data, ind.name, y) for y in years}
    return plots.monthly_trend(series, render.text("ledger", "trend_title", indicator=ind["label"]), ind["unit"])


def yoy_chart(data: Data, ledger: str, period: Period):
    """This year's months beside last year's (a line saying so when last year has no rows)."""
    if (empty := _nothing(data, ledger, period)) is not None:
        return empty
    if is_yearly(ledger):
        return _not_monthly(ledger)
    year = period.year
    ind = main_indicator(data, ledger)
    if not data.tables[ledger]["year"].eq(year - 1).any():
        return render.html("ledger", "no_last_year", label=load_spec(ledger).label, year=year - 1)
    last = metrics.monthly_series(data.tables, ind.name, year - 1, catalogue=data.catalogue).fillna(0)
    return plots.yoy_bars(months_of(data, ind.name, year, period.last), last,
                          render.text("ledger", "yoy_title", indicator=ind["label"], year=year), ind["unit"],
                          this_label=_year(year), last_label=_year(year - 1))


def breakdown_charts(data: Data, ledger: str, period: Period) -> list:
    """The headline indicator by sub-district and by each category the catalogue names."""
    if (empty := _nothing(data, ledger, period)) is not None:
        return [empty]
    ind = main_indicator(data, ledger)
    total = metrics.indicator_values(data.tables, period, data.catalogue.loc[[ind.name]]).loc[ind.name, "value"]
    charts = []
    for by in [b for b in ind["breakdowns"].split() if b != "month"]:
        values = metrics.breakdown(data.tables, ind.name, period, by, catalogue=data.catalogue)
        label = render.text("ledger", "by_label", by=by, label=load_spec(ledger).column(by).label)
        title = render.text("ledger", "breakdown_title", indicator=ind["label"], period=period, by_label=label)
        charts.append(plots.bar_breakdown(values.fillna(0), title, ind["unit"], category_label=label))
        blank = total - values.sum()
        if not ind["measure"].startswith("nunique") and blank > 0:  # rows that left an optional column empty
            charts.append(render.html("ledger", "blank_level", amount=plain_number(blank), unit=ind["unit"], label=label))
    return charts or [render.html("ledger", "no_breakdown", indicator=ind["label"])]


def heatmap_chart(data: Data, ledger: str, period: Period):
    """Month × sub-district for the headline indicator, over the period's months."""
    if (empty := _nothing(data, ledger, period)) is not None:
        return empty
    if is_yearly(ledger):
        return _not_monthly(ledger)
    if "subdistrict" not in data.tables[ledger].columns:
        return render.html("ledger", "no_subdistrict", label=load_spec(ledger).label)
    ind = main_indicator(data, ledger)
    by_month = {m: metrics.breakdown(data.tables, ind.name, Period(period.year, m, m), "subdistrict",
                                     catalogue=data.catalogue).fillna(0)
                for m in period.months}
    frame = pd.DataFrame(by_month).T.rename_axis("month")
    words = render.words("ledger", "txt")
    figure = plots.heatmap(frame, render.text("ledger", "heatmap_title", indicator=ind["label"], period=period),
                           ind["unit"], row_label=words.month_axis, col_label=words.subdistrict_axis)
    return _wide(figure)


def _wide(figure) -> HTML:
    """A chart whose numbers must stay legible on a phone: shown at its size in a box that scrolls sideways.
    The PNG is made as IPython makes a figure's (the same bytes)."""
    from IPython.core.pylabtools import print_figure

    png = base64.b64encode(print_figure(figure, "png", bbox_inches="tight")).decode("ascii")
    return render.html("ledger", "wide_chart", png=png)


def top_contributors(data: Data, ledger: str, period: Period, n: int = 10) -> HTML:
    """The roads, units, sites or addresses that contribute most to the headline indicator
    (by number of records where the indicator counts those very names, e.g. distinct units)."""
    if (empty := _nothing(data, ledger, period)) is not None:
        return empty
    spec = load_spec(ledger)
    if not spec.top_by:
        return render.html("ledger", "nothing_to_rank", label=spec.label)
    ind = main_indicator(data, ledger)
    rows = data.tables[ledger]
    rows = rows[metrics.in_period(rows, period)]
    records = ind["measure"] == f"nunique:{spec.top_by}"
    if records:
        values = rows[spec.top_by].value_counts()
    else:
        values = metrics.breakdown(data.tables, ind.name, period, spec.top_by, catalogue=data.catalogue)
    values = values.sort_index(kind="stable").sort_values(ascending=False, kind="stable").head(n)
    ranked = pd.DataFrame({"rank": range(1, len(values) + 1), "name": values.index,
                           "value": [plain_number(v) for v in values]})
    return render.html("ledger", "top_table", ranked=ranked, name_label=spec.column(spec.top_by).label,
                       indicator=ind["label"], unit=ind["unit"], records=records)

"""A ledger's analysis page (notebooks/ledger.ipynb, run once per ledger with data). Its words are in
templates/pages/ledger.*.j2.

Two layers:

- the cells' building blocks (`ledger_indicators`, `trend_chart`, `yoy_chart`, `breakdown_charts`, `heatmap_chart`,
  `top_contributors`): one table or chart each, for an analyst who calls them in JupyterLab; each says so in a line,
  instead of failing, when the ledger has nothing for it;
- the page's sections (`*_section`): a heading and what it shows as one block, or None when the section has
  nothing to show. A page leaves such a section out; `note_section` says once, at the end, why a section a reader
  would look for is missing (last year without data, a ranking in which every name ties). A ledger filled once a
  year gets its own section (every item, this year, last year, the change) instead of the monthly ones.
"""
from __future__ import annotations

import base64

import pandas as pd
from IPython.display import HTML
from markupsafe import Markup
from matplotlib.figure import Figure

from analysis.ingest.spec import load_spec
from analysis.report import metrics, plots
from analysis.report.data import Data, is_yearly, main_indicator, months_of
from analysis.report.number_words import MINUS, format_percent, plain_number
from analysis.report.pages import render
from analysis.report.periods import Period


def _year(y: int) -> str:
    return render.text("ledger", "year", y=y)


def _has_rows(data: Data, ledger: str, period: Period | None = None) -> bool:
    table = data.tables.get(ledger)
    if table is None:
        raise ValueError(f"没有台账“{ledger}”（可用：{'、'.join(data.tables)}）")
    return bool(len(table) if period is None else table["year"].eq(period.year).any())


def _nothing(data: Data, ledger: str, period: Period | None = None) -> HTML | None:
    """What a cell shows when the ledger has no rows (in the period's year): None when it has."""
    if _has_rows(data, ledger, period):
        return None
    return render.html("ledger", "no_data", label=load_spec(ledger).label, period=period)


def _not_monthly(ledger: str) -> HTML:
    return render.html("ledger", "not_monthly", label=load_spec(ledger).label)


# ---------------------------------------------------------------- building blocks

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


def _has_last_year(data: Data, ledger: str, period: Period) -> bool:
    return bool(data.tables[ledger]["year"].eq(period.year - 1).any())


def yoy_chart(data: Data, ledger: str, period: Period):
    """This year's months beside last year's (a line saying so when last year has no rows)."""
    if (empty := _nothing(data, ledger, period)) is not None:
        return empty
    if is_yearly(ledger):
        return _not_monthly(ledger)
    year = period.year
    ind = main_indicator(data, ledger)
    if not _has_last_year(data, ledger, period):
        return render.html("ledger", "no_last_year", label=load_spec(ledger).label, year=year - 1)
    last = metrics.monthly_series(data.tables, ind.name, year - 1, catalogue=data.catalogue).fillna(0)
    return plots.yoy_bars(months_of(data, ind.name, year, period.last), last,
                          render.text("ledger", "yoy_title", indicator=ind["label"], year=year), ind["unit"],
                          this_label=_year(year), last_label=_year(year - 1))


def _breakdowns(data: Data, ledger: str) -> list[str]:
    """The columns the headline indicator is broken down by (besides month)."""
    if is_yearly(ledger):
        return []
    return [b for b in main_indicator(data, ledger)["breakdowns"].split() if b != "month"]


def breakdown_charts(data: Data, ledger: str, period: Period) -> list:
    """The headline indicator by sub-district and by each category the catalogue names; a breakdown with nothing
    but zeros is not drawn."""
    if (empty := _nothing(data, ledger, period)) is not None:
        return [empty]
    ind = main_indicator(data, ledger)
    total = metrics.indicator_values(data.tables, period, data.catalogue.loc[[ind.name]]).loc[ind.name, "value"]
    charts = []
    for by in _breakdowns(data, ledger):
        values = metrics.breakdown(data.tables, ind.name, period, by, catalogue=data.catalogue)
        if not values.fillna(0).ne(0).any():
            continue
        label = render.text("ledger", "by_label", by=by, label=load_spec(ledger).column(by).label)
        title = render.text("ledger", "breakdown_title", indicator=ind["label"], period=period, by_label=label)
        charts.append(plots.bar_breakdown(values.fillna(0), title, ind["unit"], category_label=label))
        blank = total - values.sum()
        if not ind["measure"].startswith("nunique") and blank > 0:  # rows that left an optional column empty
            charts.append(render.html("ledger", "blank_level", amount=plain_number(blank), unit=ind["unit"], label=label))
    return charts or [render.html("ledger", "no_breakdown", indicator=ind["label"])]


def _heatmap_drawn(data: Data, ledger: str, period: Period) -> bool:
    """A month × sub-district map needs months (a month alone is the sub-district chart) and a sub-district
    column."""
    return (not is_yearly(ledger) and period.kind != "month"
            and "subdistrict" in data.tables[ledger].columns)


def heatmap_chart(data: Data, ledger: str, period: Period):
    """Sub-district × month for the headline indicator, over the period's months (a month alone has none: its
    sub-districts are the breakdown chart). Months whose ledger did not arrive show as "—"."""
    if (empty := _nothing(data, ledger, period)) is not None:
        return empty
    if is_yearly(ledger):
        return _not_monthly(ledger)
    if "subdistrict" not in data.tables[ledger].columns:
        return render.html("ledger", "no_subdistrict", label=load_spec(ledger).label)
    if not _heatmap_drawn(data, ledger, period):
        return None
    ind = main_indicator(data, ledger)
    by_month = {m: metrics.breakdown(data.tables, ind.name, Period(period.year, m, m), "subdistrict",
                                     catalogue=data.catalogue)
                for m in period.months}
    frame = pd.DataFrame(by_month).astype("float64").rename_axis(columns="month")  # sub-districts down, months across
    words = render.words("ledger", "txt")
    figure = plots.heatmap(frame, render.text("ledger", "heatmap_title", indicator=ind["label"], period=period),
                           ind["unit"], row_label=words.subdistrict_axis, col_label=words.month_axis)
    return _wide(figure)


def _png(figure: Figure) -> str:
    """The figure's PNG as IPython makes it for a notebook (the same bytes), base64."""
    from IPython.core.pylabtools import print_figure

    return base64.b64encode(print_figure(figure, "png", bbox_inches="tight")).decode("ascii")


def _title(figure: Figure) -> str:
    return figure.axes[0].get_title(loc="left") if figure.axes else ""


def _wide(figure) -> HTML:
    """A chart whose numbers must stay legible on a phone: shown at its size in a box that scrolls sideways."""
    return render.html("ledger", "wide_chart", png=_png(figure), title=_title(figure))


def _ranking(data: Data, ledger: str, period: Period) -> tuple[pd.Series, bool] | None:
    """The names of the ledger's ranking column by the headline indicator, largest first (ties by name), and
    whether they are ranked by their number of records (the indicator counts those very names); None when the
    ledger has no such column."""
    spec = load_spec(ledger)
    if not spec.top_by:
        return None
    ind = main_indicator(data, ledger)
    rows = data.tables[ledger]
    rows = rows[metrics.in_period(rows, period)]
    records = ind["measure"] == f"nunique:{spec.top_by}"
    if records:
        values = rows[spec.top_by].value_counts()
    else:
        values = metrics.breakdown(data.tables, ind.name, period, spec.top_by, catalogue=data.catalogue)
    values = values.dropna()
    return values.sort_index(kind="stable").sort_values(ascending=False, kind="stable"), records


def top_contributors(data: Data, ledger: str, period: Period, n: int = 10) -> HTML:
    """The roads, units, sites or addresses that contribute most to the headline indicator (by number of records
    where the indicator counts those very names, e.g. distinct units). Equal values share a rank, written 并列. A
    tie that runs past the n-th name is not listed in part: its names are counted under the table (all n are
    listed when the tie starts at the first rank: ten units all at 12)."""
    if (empty := _nothing(data, ledger, period)) is not None:
        return empty
    spec = load_spec(ledger)
    found = _ranking(data, ledger, period)
    if found is None:
        return render.html("ledger", "nothing_to_rank", label=spec.label)
    values, records = found
    ind = main_indicator(data, ledger)
    ranks = values.rank(method="min", ascending=False).astype(int)
    tied = values.duplicated(keep=False)
    cut = min(n, len(values))
    straddles = cut < len(values) and values.iloc[cut] == values.iloc[cut - 1]
    if straddles and ranks.iloc[cut - 1] > 1:
        cut = int(ranks.iloc[cut - 1]) - 1  # a tie running past the n-th name is counted, not listed in part
    beyond = int(values.iloc[cut:].eq(values.iloc[cut]).sum()) if straddles else 0
    ranked = pd.DataFrame({
        "rank": [render.text("ledger", "rank", rank=r, tied=t) for r, t in zip(ranks.iloc[:cut], tied.iloc[:cut])],
        "name": values.index[:cut], "value": [plain_number(v) for v in values.iloc[:cut]]})
    return render.html("ledger", "top_table", ranked=ranked, name_label=spec.column(spec.top_by).label,
                       indicator=ind["label"], unit=ind["unit"], records=records, beyond=beyond,
                       beyond_rank=int(ranks.iloc[cut]) if beyond else 0,
                       beyond_value=plain_number(values.iloc[cut]) if beyond else "")


# ---------------------------------------------------------------- the page's sections

def _section(name: str, *shown) -> HTML:
    """A section: its heading and what it shows (tables, lines, charts) as one block, so that a printed page never
    ends with its heading."""
    parts = []
    for item in shown:
        if isinstance(item, Figure):
            parts.append(Markup(render.html("ledger", "chart", png=_png(item), title=_title(item)).data))
        elif item is not None:
            parts.append(Markup(item.data))
    return render.html("ledger", "section", name=name, parts=parts)


def _omitted(data: Data, ledger: str, period: Period) -> dict[str, str]:
    """The sections the page leaves out, each with why in the reader's words ("" when a reader misses nothing: a
    ledger without a sub-district column has no map of them). Every section is out when the ledger has no rows in
    the period's year."""
    names = ("yearly", "indicators", "trend", "yoy", "breakdowns", "heatmap", "top")
    spec = load_spec(ledger)
    if not _has_rows(data, ledger, period):
        reason = render.text("ledger", "no_data_reason", label=spec.label, period=period)
        return dict.fromkeys(names, "") | {"indicators": reason}
    if is_yearly(ledger):
        out = dict.fromkeys(("indicators", "trend", "yoy", "breakdowns", "heatmap", "top"), "")
        if not period.whole_year:
            out["yearly"] = render.text("ledger", "yearly_only_reason", label=spec.label, period=period)
        elif not _has_last_year(data, ledger, period):  # not a section left out: its comparison columns are
            out["yearly_comparison"] = render.text("ledger", "no_last_year_compare_reason", label=spec.label,
                                                   year=period.year - 1)
        return out
    out = {"yearly": ""}
    ind = main_indicator(data, ledger)
    total = metrics.indicator_values(data.tables, period, data.catalogue.loc[[ind.name]]).loc[ind.name, "value"]
    if pd.isna(total) or total == 0:  # nothing in the period to break down, map or rank
        reason = (render.text("ledger", "no_data_reason", label=spec.label, period=period) if pd.isna(total) else
                  render.text("ledger", "zero_reason", indicator=ind["label"], unit=ind["unit"], period=period))
        return out | {"breakdowns": reason, "heatmap": reason, "top": reason} | (
            {"yoy": reason} if pd.isna(total) else {})
    if not _has_last_year(data, ledger, period):
        out["yoy"] = render.text("ledger", "no_last_year_reason", label=spec.label, year=period.year - 1)
    if not _breakdowns(data, ledger):
        out["breakdowns"] = ""
    if not _heatmap_drawn(data, ledger, period):
        out["heatmap"] = ""
    found = _ranking(data, ledger, period)
    if found is None or found[0].empty:
        out["top"] = ""
    elif found[0].nunique() == 1:  # one name, or every name alike (all 1s): nothing to rank
        values, records = found
        out["top"] = render.text("ledger", "all_tie_reason", name_label=spec.column(spec.top_by).label,
                                 count=len(values), value=plain_number(values.iloc[0]), records=records,
                                 indicator=ind["label"], unit=ind["unit"])
    return out


def _shown(name: str, data: Data, ledger: str, period: Period) -> bool:
    return name not in _omitted(data, ledger, period)


def yearly_section(data: Data, ledger: str, period: Period) -> HTML | None:
    """A ledger filled once a year: every item, this year, last year and the change (None for other ledgers)."""
    if not _shown("yearly", data, ledger, period):
        return None
    catalogue = data.catalogue[data.catalogue["ledger"] == ledger]
    year = Period(period.year)
    compared = metrics.compare(data.tables, year, year.same_last_year, catalogue=catalogue)
    compared = compared[compared["value"].notna() | compared["previous"].notna()]
    frame = pd.DataFrame({
        "label": compared["label"],
        "this": [plain_number(v, u) for v, u in zip(compared["value"], compared["unit"])],
        "last": [plain_number(v, u) for v, u in zip(compared["previous"], compared["unit"])],
        "change": [_signed(c, u) for c, u in zip(compared["change"], compared["unit"])],
        "pct": [render.text("ledger", "change_pct", direction=d, pct=format_percent(abs(p)) if pd.notna(p) else "")
                for d, p in zip(compared["direction"], compared["pct"])],
    })
    if not _has_last_year(data, ledger, period):  # the data note says so
        frame = frame[["label", "this"]]
    return _section("yearly", render.html("ledger", "yearly_table", figures=frame, year=period.year))


def _signed(change, unit: str) -> str:
    """+4台, \u22122件, 0; — when either year did not file the item."""
    if pd.isna(change):
        return plain_number(change)
    sign = "+" if change > 0 else MINUS if change < 0 else ""
    return sign + plain_number(abs(change), unit if change else "")


def indicators_section(data: Data, ledger: str, period: Period) -> HTML | None:
    """历年指标: the ledger's indicators for every year in the data."""
    if not _shown("indicators", data, ledger, period):
        return None
    return _section("indicators", ledger_indicators(data, ledger))


def trend_section(data: Data, ledger: str, period: Period) -> HTML | None:
    """逐月趋势: the headline indicator month by month, one line per year."""
    if not _shown("trend", data, ledger, period):
        return None
    return _section("trend", trend_chart(data, ledger))


def yoy_section(data: Data, ledger: str, period: Period) -> HTML | None:
    """分月同比: this year's months beside last year's (out when last year has no rows)."""
    if not _shown("yoy", data, ledger, period):
        return None
    return _section("yoy", yoy_chart(data, ledger, period))


def breakdowns_section(data: Data, ledger: str, period: Period) -> HTML | None:
    """按街道和类别: the headline indicator by sub-district and category (out when it has no breakdown, or only
    zeros)."""
    if not _shown("breakdowns", data, ledger, period):
        return None
    charts = breakdown_charts(data, ledger, period)
    if not any(isinstance(c, Figure) for c in charts):  # not one breakdown with a figure other than 0
        return None
    return _section("breakdowns", *charts)


def heatmap_section(data: Data, ledger: str, period: Period) -> HTML | None:
    """各街道逐月: sub-district × month (out for a month, whose sub-districts are the breakdown chart)."""
    if not _shown("heatmap", data, ledger, period):
        return None
    return _section("heatmap", heatmap_chart(data, ledger, period))


def top_section(data: Data, ledger: str, period: Period) -> HTML | None:
    """排名前十 (out when the ledger names nothing to rank, or every name ties)."""
    if not _shown("top", data, ledger, period):
        return None
    return _section("top", top_contributors(data, ledger, period))


def note_section(data: Data, ledger: str, period: Period) -> HTML | None:
    """数据说明: why sections a reader would look for are not on the page, each said once (None when none is
    missing)."""
    reasons = [r for r in _omitted(data, ledger, period).values() if r]
    if not reasons:
        return None
    return _section("note", render.html("ledger", "reasons", reasons=list(dict.fromkeys(reasons))))

"""What the notebooks show: each function returns one thing a notebook cell displays.

Notebooks stay thin (parameters, calls, displays); everything they show is built here from the
processed tables, the manifest and the indicator catalogue. Text that comes from ledgers is
HTML-escaped, so a cell such as `<script>…</script>` shows as text.
"""
from __future__ import annotations

import base64
import html
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from IPython.display import HTML

from analysis import paths
from analysis.ingest.manifest import problems
from analysis.ingest.records import Manifest
from analysis.ingest.spec import ledger_names, load_spec
from analysis.ingest.tables import load_manifest, load_rejects, load_table
from analysis.ingest.text import shorten
from analysis.report import metrics, narrative, plots
from analysis.report.catalogue import load_catalogue, parse_measure
from analysis.report.figures import format_percent, plain_number
from analysis.report.periods import Period, parse_period

DEMO_SUFFIX = "（示例数据）"


@dataclass
class Data:
    """Everything a page needs, loaded once from a processed folder."""

    folder: Path
    tables: dict
    manifest: Manifest
    rejects: pd.DataFrame
    catalogue: pd.DataFrame

    @property
    def synthetic(self) -> bool:
        return self.manifest.synthetic


def load(processed_dir: str | Path | None = None) -> Data:
    """The outputs of a clean. Without a folder (a notebook opened as it is), the project's data/processed when it
    holds data, else the demo's build-demo/processed, saying so."""
    if processed_dir is None:
        processed_dir = default_processed_dir()
    processed_dir = Path(processed_dir)
    if not (processed_dir / "manifest.json").exists():
        raise FileNotFoundError(f"“{processed_dir.resolve()}”中没有清洗结果：请先在项目文件夹运行 analysis clean"
                                "（或 analysis briefing：data/raw 中没有台账时它会生成并清洗示例数据）")
    manifest = load_manifest(processed_dir)  # every table and the rejects are checked against this one manifest
    return Data(
        folder=processed_dir,
        tables={ledger: load_table(processed_dir, ledger, manifest) for ledger in ledger_names()},
        manifest=Manifest.from_json(manifest),
        rejects=load_rejects(processed_dir, manifest),
        catalogue=load_catalogue(),
    )


def default_processed_dir(start: Path | None = None) -> Path:
    """Where a notebook opened in JupyterLab finds its data, from notebooks/ or from the project folder."""
    root = project_root(start)
    processed, demo = root / paths.DEFAULT_PROCESSED, root / paths.DEFAULT_DEMO_PROCESSED
    if _holds_rows(processed) or not (demo / "manifest.json").exists():
        return processed
    print(f"说明：{processed.resolve()} 中还没有清洗过的台账，以下使用示例数据（合成数据，非真实台账）：{demo.resolve()}")
    return demo


def project_root(start: Path | None = None) -> Path:
    """The nearest folder, from `start` (default: the working directory) upwards, that holds notebooks/ or data/."""
    start = Path(start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / paths.DEFAULT_NOTEBOOKS).is_dir() or (folder / "data").is_dir():
            return folder
    return start


def _shown_path(path: Path) -> str:
    """A path as a page shows it: from the project folder when it lies inside it (pages built in two clones of the
    project stay identical), else in full."""
    path = Path(path).resolve()
    try:
        return path.relative_to(project_root()).as_posix()
    except ValueError:
        return str(path)


def _holds_rows(processed: Path) -> bool:
    """Whether a clean left rows in `processed`. Outputs a clean left incomplete are not passed over for the demo:
    OutputsIncomplete says to rerun the clean."""
    if not (processed / "manifest.json").is_file():
        return False
    manifest = Manifest.from_json(load_manifest(processed))
    return any(s.rows_kept for s in manifest.ledgers.values())


def choose_period(data: Data, period: str | int | Period | None = None) -> Period:
    """The period asked for (2024, "2024-Q2", "2024-06", "2024-01..2024-06"), else the latest complete year, else
    the latest year so far; a year still running is its months so far. ValueError in Chinese when the data do
    not cover it."""
    asked = period if isinstance(period, Period) or period is None else parse_period(str(period))
    return metrics.resolve_period(data.tables, asked)


def _table(frame: pd.DataFrame, numeric: tuple = ()) -> HTML:
    """A plain HTML table; `numeric` columns are right-aligned. It scrolls inside itself where the screen is
    narrower than the table (a phone), so the page never does."""
    cls = ['class="num"' if c in numeric else "" for c in frame.columns]
    head = "".join(f"<th {a}>{html.escape(str(c))}</th>" for a, c in zip(cls, frame.columns))
    body = "".join(
        "<tr>" + "".join(f"<td {a}>{html.escape('' if pd.isna(v) else shorten(str(v)))}</td>" for a, v in zip(cls, row))
        + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return HTML(f'<div class="table-wrap"><table class="data"><thead><tr>{head}</tr></thead><tbody>{body}</tbody>'
                "</table></div>")


def _paragraphs(texts) -> HTML:
    return HTML("".join(f"<p>{html.escape(shorten(t))}</p>" for t in texts))


def _change(row, no_previous: str = "上年无数据") -> str:
    direction = row["direction"]
    if direction == "no_previous":
        return no_previous
    if direction == "no_data":
        return "—"
    if direction == "zero_base":
        return "上年为0"
    if direction == "flat":
        return "持平"
    arrow = "▲" if direction == "up" else "▼"
    return f"{arrow} {format_percent(abs(row['pct']))}"


# ---------------------------------------------------------------- the leadership briefing

def ledgers_with_data(data: Data, period: Period) -> list[str]:
    """The ledgers with figures for the period (rows in its year; a ledger filled once a year only in a whole year),
    in the specs' order."""
    return [ledger for ledger, table in data.tables.items() if metrics.covers(table, period)]


def missing_ledgers_note(data: Data, period: Period) -> str:
    """本年暂无扬尘管控督导、违建拆除台账数据。 (empty when every ledger has data in the period's year), and, in a
    quarter or month, that a ledger filled once a year is not counted in it."""
    yearly = [] if period.whole_year else [ledger for ledger in data.tables if _yearly(ledger)]
    missing = [load_spec(ledger).topic for ledger in data.tables
               if ledger not in ledgers_with_data(data, period) and ledger not in yearly]
    notes = [f"本年暂无{'、'.join(missing)}台账数据。"] if missing else []
    if yearly:
        notes.append(f"{'、'.join(load_spec(ledger).label for ledger in yearly)}按年度填报，不计入{period.label}的统计。")
    return "".join(notes)


def covered_catalogue(data: Data, period: Period) -> pd.DataFrame:
    """The indicators of the ledgers with data in the period's year."""
    return data.catalogue[data.catalogue["ledger"].isin(ledgers_with_data(data, period))]


def yoy(data: Data, period: Period) -> pd.DataFrame:
    """The indicators of the ledgers with data, against the same months of the year before."""
    return metrics.year_over_year(data.tables, period, catalogue=covered_catalogue(data, period))


def month_before(data: Data, period: Period) -> pd.DataFrame | None:
    """For a month: the indicators against the month before (环比); None for other periods."""
    if period.previous is None:
        return None
    return metrics.compare(data.tables, period, period.previous, catalogue=covered_catalogue(data, period))


def comparison_line(period: Period) -> str:
    """统计期间：2024年6月（与2023年6月同比，与2024年5月环比）."""
    line = f"统计期间：{period.label}（与{period.same_last_year.label}同比"
    return line + (f"，与{period.previous.label}环比）" if period.previous else "）")


def first_screen(data: Data, period: Period) -> HTML:
    """What a director reads first: the period, the key figures as cards (value as the report writes it, change
    against the same period last year, and against the month before for a month), then three to five 要点."""
    figures = yoy(data, period)
    cards = figures[figures["card"] != ""]
    monthly = month_before(data, period)
    parts = [f'<p class="period-line">{html.escape(comparison_line(period))}</p>']
    note = missing_ledgers_note(data, period)
    if note:
        parts.append(f"<p>{html.escape(note)}</p>")
    items = []
    for key, row in cards.iterrows():
        changes = [("同比", row)] + ([("环比", monthly.loc[key])] if monthly is not None else [])
        lines = "".join(
            f'<div class="card-change {_direction_class(r)}">{name} {html.escape(_change(r, _no_earlier(name)))}</div>'
            for name, r in changes)
        items.append(f'<div class="card"><div class="card-label">{html.escape(row["label"])}</div>'
                     f'<div class="card-value">{html.escape(row["figure"])}<span class="card-unit">'
                     f'{html.escape(row["unit"])}</span></div>{lines}</div>')
    parts.append(f'<div class="cards">{"".join(items)}</div>')
    points = narrative.highlights(data.tables, period, covered_catalogue(data, period))
    if points:
        items = "".join(f"<li>{html.escape(point)}</li>" for point in points)
        parts.append(f'<h3 class="highlights-title">要点</h3><ul class="highlights">{items}</ul>')
    return HTML("".join(parts))


def _no_earlier(name: str) -> str:
    return "上年无数据" if name == "同比" else "上月无数据"


def _direction_class(row) -> str:
    return {"up": "up", "down": "down"}.get(row["direction"], "same")


def headline_table(data: Data, period: Period) -> HTML:
    """Every indicator in the period and in the same period last year, with the change (▲/▼ %); for a month also
    the month before (环比). The ledgers without data this year are named once, on the first screen, and left
    out. How the report writes each figure is on the analyst's 报告用语 page."""
    figures = yoy(data, period)
    this, last = period.label, period.same_last_year.label
    frame = pd.DataFrame({
        "指标": figures["label"],
        this: [plain_number(v, u) for v, u in zip(figures["value"], figures["unit"])],
        last: [plain_number(v, u) for v, u in zip(figures["previous"], figures["unit"])],
        "同比": [_change(r) for _, r in figures.iterrows()],
    })
    numeric = [this, last, "同比"]
    monthly = month_before(data, period)
    if monthly is not None:
        before = period.previous.label
        frame[before] = [plain_number(v, u) for v, u in zip(monthly["previous"], monthly["unit"])]
        frame["环比"] = [_change(r, "上月无数据") for _, r in monthly.iterrows()]
        numeric += [before, "环比"]
    return _table(frame, numeric=tuple(numeric))


def report_wording(data: Data, period: Period) -> HTML:
    """For the analyst who fills in the report: each figure as the report writes it, its sentence, and the
    report's paragraph, ready to copy."""
    figures = yoy(data, period)
    sentences = narrative.indicator_sentences(figures, period)
    frame = pd.DataFrame({
        "指标": figures["label"],
        "数值": [plain_number(v, u) for v, u in zip(figures["value"], figures["unit"])],
        "报告写法": [f"{f}{u}" if isinstance(f, str) and f != "—" else "—" for f, u in zip(figures["figure"], figures["unit"])],
        "语句": sentences.tolist(),
    })
    paragraph = narrative.report_paragraph(figures, period)
    return HTML(_table(frame, numeric=("数值",)).data + _paragraphs(unnamed_notes(data, period)).data
                + (f'<p class="copy-text">{html.escape(paragraph)}</p>' if paragraph else ""))


def unnamed_notes(data: Data, period: Period) -> list[str]:
    """许可外摆经营的餐饮门店：另有 3 条记录未填申请单位，未计入。 for each figure of distinct names with rows
    whose name is empty."""
    covered = covered_catalogue(data, period)
    notes = []
    for key, n in metrics.unnamed_rows(data.tables, covered, period).items():
        ind = covered.loc[key]
        column = load_spec(ind["ledger"]).column(parse_measure(ind["measure"])[1]).label
        notes.append(f"{ind['label']}：另有 {n} 条记录未填{column}，无法区分，未计入。")
    return notes


def area_wording(data: Data, period: Period) -> HTML:
    """The briefing's paragraphs per area, ready to copy."""
    paragraphs = narrative.area_paragraphs(data.tables, period, covered_catalogue(data, period))
    return HTML("".join(f'<p class="copy-text">{html.escape(text)}</p>' for _, text in paragraphs))


def area_summary(data: Data, period: Period) -> HTML:
    """One paragraph per area of work: its figures, what drove the change, the peak month, what stands out."""
    paragraphs = narrative.area_paragraphs(data.tables, period, covered_catalogue(data, period))
    return _paragraphs([text for _, text in paragraphs])


def main_indicator(data: Data, ledger: str) -> pd.Series:
    """A ledger's headline indicator: its first in catalogue order."""
    rows = data.catalogue[data.catalogue["ledger"] == ledger]
    if rows.empty:
        raise ValueError(f"指标目录中没有台账 {ledger} 的指标")
    return rows.iloc[0].rename(rows.index[0])


def _months_of(data: Data, key: str, year: int, through: int | None = None) -> pd.Series:
    """An indicator per month of `year`, cut after month `through` (default: the last month with data)."""
    series = metrics.monthly_series(data.tables, key, year, catalogue=data.catalogue)
    through = through or metrics.period_months(data.tables, year)
    return series.where(series.index <= through)


def monthly_comparison_chart(data: Data, ledger: str, period: Period):
    """This year's months against last year's, for the ledger's headline indicator (this year's alone, titled so,
    when the ledger has no rows last year)."""
    year = period.year
    ind = main_indicator(data, ledger)
    last = metrics.monthly_series(data.tables, ind.name, year - 1, catalogue=data.catalogue)
    has_last = not last.isna().all()
    title = f"{ind['label']}：{year}年与{year - 1}年逐月对比" if has_last else f"{ind['label']}：{year}年逐月（上年无数据）"
    return plots.monthly_comparison(
        _months_of(data, ind.name, year, period.last), last if has_last else None, title=title, unit=ind["unit"],
        this_label=f"{year}年", last_label=f"{year - 1}年",
    )


def monthly_comparison_charts(data: Data, period: Period) -> list:
    """One chart per ledger that has data in the period's year and months to chart (the briefing's section 三)."""
    return [monthly_comparison_chart(data, ledger, period) for ledger in ledgers_with_data(data, period)
            if not _yearly(ledger)]


def data_note(data: Data, period: Period) -> HTML:
    """Sources, definitions and rejected rows, so that a reader can trace every figure."""
    parts = []
    if data.synthetic:
        parts.append("<p><strong>本简报使用示例数据（程序生成的合成台账），不是真实台账，数字仅供演示。</strong></p>")
    rows = []
    for ledger, s in data.manifest.ledgers.items():
        if not s.files:
            continue  # no file at all: said once, above the indicator table
        table = data.tables[ledger]
        in_period = metrics.in_period(table, period).sum()
        rows.append({"台账": s.label, "文件": s.files, "工作表": s.sheets,
                     f"{period.label}记录": int(in_period), "全部保留行": s.rows_kept, "剔除行": s.rows_rejected})
    parts.append("<p>数据来源：各中队、各街道报送的台账，经程序逐行清洗（统一日期、街道和类别的写法，剔除无法识别的行）。"
                 "每个数字都可由清洗结果中的来源文件、工作表和行号追溯到台账单元格。</p>")
    parts.append(_table(pd.DataFrame(rows), numeric=("文件", "工作表", f"{period.label}记录", "全部保留行", "剔除行")).data)
    covered = covered_catalogue(data, period)
    defs = covered[covered["definition"] != ""]
    items = "".join(f"<li>{html.escape(r['label'])}：{html.escape(r['definition'])}</li>" for _, r in defs.iterrows())
    parts.append(f"<p>指标口径：</p><ul>{items}</ul>")
    parts.append(_paragraphs(unnamed_notes(data, period)).data)
    rejected = data.manifest.rows_rejected
    failed = data.manifest.failed_files
    parts.append(f"<p>无法清洗而未计入统计的行共 {rejected} 行"
                 + (f"，未能读取的文件 {len(failed)} 个" if failed else "")
                 + '，明细见<a href="data_quality.html">数据质量报告</a>。“余”表示多于该数，“约”为四舍五入后的数。</p>')
    return HTML("".join(parts))


# ---------------------------------------------------------------- analyst pages, one per ledger
# Each function says so in a line, instead of failing, when the ledger has nothing to show.

def _nothing(data: Data, ledger: str, period: Period | None = None) -> HTML | None:
    table = data.tables.get(ledger)
    if table is None:
        raise ValueError(f"没有台账“{ledger}”（可用：{'、'.join(data.tables)}）")
    rows = table if period is None else table[table["year"] == period.year]
    if len(rows):
        return None
    label = load_spec(ledger).label
    return _paragraphs([f"{label}{'' if period is None else f'{period.year}年'}暂无数据。"])


def _yearly(ledger: str) -> bool:
    """A ledger filled once a year (its rows carry a year, not a date): it has no months to chart."""
    return load_spec(ledger).period_column.type == "year"


def _not_monthly(ledger: str) -> HTML:
    return _paragraphs([f"{load_spec(ledger).label}按年度填报，没有逐月数据。"])


def ledger_indicators(data: Data, ledger: str) -> HTML:
    """The ledger's indicators for every year in the data."""
    if (empty := _nothing(data, ledger)) is not None:
        return empty
    keys = data.catalogue.index[data.catalogue["ledger"] == ledger]
    years = sorted(data.tables[ledger]["year"].unique().tolist())
    frame = pd.DataFrame({"指标": data.catalogue.loc[keys, "label"].tolist()})
    for y in years:
        values = metrics.indicator_values(data.tables, Period(y), catalogue=data.catalogue).loc[keys]
        frame[f"{y}年"] = [plain_number(v, u) for v, u in zip(values["value"], values["unit"])]
    return _table(frame, numeric=tuple(f"{y}年" for y in years))


def trend_chart(data: Data, ledger: str):
    """The headline indicator month by month, one line per year (year by year for a ledger filled once a year)."""
    if (empty := _nothing(data, ledger)) is not None:
        return empty
    ind = main_indicator(data, ledger)
    years = sorted(data.tables[ledger]["year"].unique().tolist())
    if _yearly(ledger):
        values = pd.Series({f"{y}年": metrics.indicator_values(data.tables, Period(y), data.catalogue.loc[[ind.name]])
                            .loc[ind.name, "value"] for y in years})
        # A year whose table lacks the item did not file it: no bar, and the title says so (not a bar of 0).
        unfiled = values.index[values.isna()].tolist()
        if len(unfiled) == len(values):
            return _paragraphs([f"各年度均未填报“{ind['label']}”。"])
        title = f"{ind['label']}：历年" + (f"（{'、'.join(unfiled)}未填报）" if unfiled else "")
        return plots.bar_breakdown(values.dropna(), title, ind["unit"], horizontal=False, category_label="年度")
    series = {y: _months_of(data, ind.name, y) for y in years}
    return plots.monthly_trend(series, f"{ind['label']}：历年逐月趋势", ind["unit"])


def yoy_chart(data: Data, ledger: str, period: Period):
    """This year's months beside last year's (a line saying so when last year has no rows)."""
    if (empty := _nothing(data, ledger, period)) is not None:
        return empty
    if _yearly(ledger):
        return _not_monthly(ledger)
    year = period.year
    ind = main_indicator(data, ledger)
    if not data.tables[ledger]["year"].eq(year - 1).any():
        return _paragraphs([f"{year - 1}年无{load_spec(ledger).label}数据，无法分月同比。"])
    last = metrics.monthly_series(data.tables, ind.name, year - 1, catalogue=data.catalogue).fillna(0)
    return plots.yoy_bars(_months_of(data, ind.name, year, period.last), last, f"{ind['label']}：{year}年与{year - 1}年分月同比",
                          ind["unit"], this_label=f"{year}年", last_label=f"{year - 1}年")


def breakdown_charts(data: Data, ledger: str, period: Period) -> list:
    """The headline indicator by sub-district and by each category the catalogue names."""
    if (empty := _nothing(data, ledger, period)) is not None:
        return [empty]
    ind = main_indicator(data, ledger)
    total = metrics.indicator_values(data.tables, period, data.catalogue.loc[[ind.name]]).loc[ind.name, "value"]
    charts = []
    for by in [b for b in ind["breakdowns"].split() if b != "month"]:
        values = metrics.breakdown(data.tables, ind.name, period, by, catalogue=data.catalogue)
        label = load_spec(ledger).column(by).label if by != "subdistrict" else "街道"
        charts.append(plots.bar_breakdown(values.fillna(0), f"{ind['label']}：{period.label}按{label}",
                                          ind["unit"], category_label=label))
        blank = total - values.sum()
        if not ind["measure"].startswith("nunique") and blank > 0:  # rows that left an optional column empty
            charts.append(_paragraphs([f"另有{plain_number(blank)}{ind['unit']}未填{label}，未计入上图。"]))
    return charts or [_paragraphs([f"指标目录没有为“{ind['label']}”列出按街道或类别的分项。"])]


def heatmap_chart(data: Data, ledger: str, period: Period):
    """Month × sub-district for the headline indicator, over the period's months."""
    if (empty := _nothing(data, ledger, period)) is not None:
        return empty
    if _yearly(ledger):
        return _not_monthly(ledger)
    if "subdistrict" not in data.tables[ledger].columns:
        return _paragraphs([f"{load_spec(ledger).label}没有街道列。"])
    ind = main_indicator(data, ledger)
    by_month = {m: metrics.breakdown(data.tables, ind.name, Period(period.year, m, m), "subdistrict",
                                     catalogue=data.catalogue).fillna(0)
                for m in period.months}
    frame = pd.DataFrame(by_month).T.rename_axis("month")
    figure = plots.heatmap(frame, f"{ind['label']}：{period.label}各月各街道", ind["unit"], row_label="月份", col_label="街道")
    return _wide(figure)


def _wide(figure) -> HTML:
    """A chart whose numbers must stay legible on a phone: shown at its size in a box that scrolls sideways.
    The PNG is made as IPython makes a figure's (the same bytes)."""
    from IPython.core.pylabtools import print_figure

    png = base64.b64encode(print_figure(figure, "png", bbox_inches="tight")).decode("ascii")
    return HTML(f'<div class="wide-chart"><img src="data:image/png;base64,{png}" alt="图表"></div>')


def top_contributors(data: Data, ledger: str, period: Period, n: int = 10) -> HTML:
    """The roads, units, sites or addresses that contribute most to the headline indicator
    (by number of records where the indicator counts those very names, e.g. distinct units)."""
    if (empty := _nothing(data, ledger, period)) is not None:
        return empty
    spec = load_spec(ledger)
    if not spec.top_by:
        return _paragraphs([f"{spec.label}没有可以排名的名称列（台账规格中的 top_by）。"])
    ind = main_indicator(data, ledger)
    rows = data.tables[ledger]
    rows = rows[metrics.in_period(rows, period)]
    if ind["measure"] == f"nunique:{spec.top_by}":
        values, heading = rows[spec.top_by].value_counts(), "记录条数"
    else:
        values = metrics.breakdown(data.tables, ind.name, period, spec.top_by, catalogue=data.catalogue)
        heading = f"{ind['label']}（{ind['unit']}）"
    values = values.sort_index(kind="stable").sort_values(ascending=False, kind="stable").head(n)
    label = spec.column(spec.top_by).label
    frame = pd.DataFrame({"名次": range(1, len(values) + 1), label: values.index, heading: [plain_number(v) for v in values]})
    return _table(frame, numeric=("名次", heading))


# ---------------------------------------------------------------- data quality

_STATUS = {"ok": "已读取", "partial": "部分读取", "failed": "读取失败", "duplicate": "重复（只计一次）"}


def files_table(data: Data) -> HTML:
    rows = []
    for f in data.manifest.files:
        sheets = f.read_sheets
        rows.append({"文件": f.file, "状态": _STATUS.get(f.status, f.status), "工作表": len(sheets),
                     "保留行": sum(s.kept for s in sheets), "剔除行": sum(s.rejected for s in sheets),
                     "说明": f.reason or ""})
    return _table(pd.DataFrame(rows, columns=["文件", "状态", "工作表", "保留行", "剔除行", "说明"]),
                  numeric=("工作表", "保留行", "剔除行"))


def row_kinds_table(data: Data) -> HTML:
    """Every row of every sheet read, by kind: nothing lost, nothing counted twice."""
    kinds = {"title": "标题", "header": "表头", "data": "数据", "total": "合计", "footer": "表尾", "blank": "空行"}
    rows = []
    for ledger, s in data.manifest.ledgers.items():
        counts = dict.fromkeys(kinds.values(), 0)
        for f in data.manifest.files:
            for sheet in f.sheets or () if f.ledger == ledger else ():
                for k, v in (sheet.row_kinds or {}).items():
                    counts[kinds[k]] += v
        rows.append({"台账": s.label, **counts, "保留": s.rows_kept, "剔除": s.rows_rejected})
    frame = pd.DataFrame(rows)
    return _table(frame, numeric=tuple(frame.columns[1:]))


def reject_reasons(data: Data) -> HTML:
    if data.rejects.empty:
        return _paragraphs(["没有剔除的行。"])
    reasons = data.rejects["reason"].str.replace(r"“.*?”", "“…”", regex=True)
    counts = reasons.value_counts().rename_axis("原因").reset_index(name="单元格数")
    return _table(counts, numeric=("单元格数",))


def rejects_table(data: Data, n: int = 200) -> HTML:
    frame = data.rejects.rename(columns={"file": "文件", "sheet": "工作表", "row": "行", "column": "列",
                                         "value": "原值", "reason": "原因"})
    note = [f"共 {len(frame)} 条，下表列出前 {n} 条，全部见 {_shown_path(data.folder / 'rejects.csv')}。"] if len(frame) > n else []
    return HTML(_paragraphs(note).data + _table(frame.head(n), numeric=("行",)).data)


def issues_table(data: Data) -> HTML:
    """The problems the clean's summary named, but rejected rows (in their own tables below) and repeated records."""
    rows = [{"文件": p.file, "工作表": p.sheet, "问题": p.topic, "说明": p.text}
            for p in problems(data.manifest) if p.topic not in ("剔除", "重复记录")]
    if not rows:
        return _paragraphs(["没有需要注意的问题。"])
    return _table(pd.DataFrame(rows))

"""What the notebooks show: each function returns one thing a notebook cell displays.

Notebooks stay thin (parameters, calls, displays); everything they show is built here from the
processed tables, the manifest and the indicator catalogue. Text that comes from ledgers is
HTML-escaped, so a cell such as `<script>…</script>` shows as text.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from IPython.display import HTML

from analysis.ingest.manifest import problems
from analysis.ingest.spec import ledger_names, load_spec
from analysis.ingest.tables import load_manifest, load_rejects, load_table
from analysis.ingest.text import shorten
from analysis.report import metrics, narrative, plots
from analysis.report.catalogue import load_catalogue
from analysis.report.figures import format_percent, plain_number
from analysis.report.periods import period_label

DEMO_SUFFIX = "（示例数据）"


@dataclass
class Data:
    """Everything a page needs, loaded once from a processed folder."""

    tables: dict
    manifest: dict
    rejects: pd.DataFrame
    catalogue: pd.DataFrame

    @property
    def synthetic(self) -> bool:
        return bool(self.manifest.get("synthetic"))


def load(processed_dir: str | Path) -> Data:
    processed_dir = Path(processed_dir)
    if not (processed_dir / "manifest.json").exists():
        raise FileNotFoundError(f"“{processed_dir}”中没有清洗结果，请先运行 analysis clean")
    manifest = load_manifest(processed_dir)  # every table and the rejects are checked against this one manifest
    return Data(
        tables={ledger: load_table(processed_dir, ledger, manifest) for ledger in ledger_names()},
        manifest=manifest,
        rejects=load_rejects(processed_dir, manifest),
        catalogue=load_catalogue(),
    )


def choose_year(data: Data, year: int | None = None) -> int:
    """The year asked for, else the latest complete year, else the latest year with any data."""
    years = metrics.available_years(data.tables)
    if not years:
        raise ValueError("清洗结果中没有任何数据行，无法选择年份")
    if year is not None:
        if int(year) not in years:
            raise ValueError(f"数据中没有 {year} 年的记录（已有：{'、'.join(f'{y}年' for y in years)}）")
        return int(year)
    complete = metrics.latest_complete_year(data.tables)
    return complete if complete is not None else years[-1]


def period(data: Data, year: int) -> int:
    """How many months of `year` the briefing covers: 12, or N for a year with data through month N."""
    return 12 if metrics.is_complete_year(data.tables, year) else metrics.period_months(data.tables, year)


def _table(frame: pd.DataFrame, numeric: tuple = ()) -> HTML:
    """A plain HTML table; `numeric` columns are right-aligned."""
    cls = ['class="num"' if c in numeric else "" for c in frame.columns]
    head = "".join(f"<th {a}>{html.escape(str(c))}</th>" for a, c in zip(cls, frame.columns))
    body = "".join(
        "<tr>" + "".join(f"<td {a}>{html.escape('' if pd.isna(v) else shorten(str(v)))}</td>" for a, v in zip(cls, row))
        + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return HTML(f'<table class="data"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>')


def _paragraphs(texts) -> HTML:
    return HTML("".join(f"<p>{html.escape(shorten(t))}</p>" for t in texts))


def _change(row) -> str:
    direction = row["direction"]
    if direction in ("no_previous", "no_data"):
        return "—"
    if direction == "zero_base":
        return "上年为0"
    if direction == "flat":
        return "持平"
    arrow = "▲" if direction == "up" else "▼"
    return f"{arrow} {format_percent(abs(row['pct']))}"


# ---------------------------------------------------------------- the leadership briefing

def yoy(data: Data, year: int) -> pd.DataFrame:
    return metrics.year_over_year(data.tables, year, months=period(data, year), catalogue=data.catalogue)


def headline_table(data: Data, year: int) -> HTML:
    """Every indicator this year and last, with the change (▲/▼ %), and how the report writes it."""
    months = period(data, year)
    figures = yoy(data, year)
    this, last = period_label(year, months), period_label(year - 1, months)
    frame = pd.DataFrame({
        "指标": figures["label"],
        this: [plain_number(v, u) for v, u in zip(figures["value"], figures["unit"])],
        last: [plain_number(v, u) for v, u in zip(figures["previous"], figures["unit"])],
        "同比": [_change(r) for _, r in figures.iterrows()],
        "报告写法": [f"{f}{u}" if isinstance(f, str) and f else "—" for f, u in zip(figures["figure"], figures["unit"])],
    })
    return _table(frame, numeric=(this, last, "同比"))


def summary(data: Data, year: int) -> HTML:
    """The report paragraph, then one sentence per indicator with its year-over-year clause."""
    figures = yoy(data, year)
    return _paragraphs([narrative.report_paragraph(figures), *narrative.indicator_sentences(figures)])


def main_indicator(data: Data, ledger: str) -> pd.Series:
    """A ledger's headline indicator: its first in catalogue order."""
    rows = data.catalogue[data.catalogue["ledger"] == ledger]
    if rows.empty:
        raise ValueError(f"指标目录中没有台账 {ledger} 的指标")
    return rows.iloc[0].rename(rows.index[0])


def _months_of(data: Data, key: str, year: int) -> pd.Series:
    """An indicator per month, cut after the last month with data when the year is incomplete."""
    series = metrics.monthly_series(data.tables, key, year, catalogue=data.catalogue)
    months = period(data, year)
    return series.where(series.index <= months)


def monthly_comparison_chart(data: Data, ledger: str, year: int):
    """This year's months against last year's, for the ledger's headline indicator."""
    ind = main_indicator(data, ledger)
    last = metrics.monthly_series(data.tables, ind.name, year - 1, catalogue=data.catalogue)
    return plots.monthly_comparison(
        _months_of(data, ind.name, year), None if last.isna().all() else last,
        title=f"{ind['label']}：{year}年与{year - 1}年逐月对比", unit=ind["unit"],
        this_label=f"{year}年", last_label=f"{year - 1}年",
    )


def monthly_comparison_charts(data: Data, year: int) -> list:
    """One chart per ledger that has data (the briefing's section 三)."""
    return [monthly_comparison_chart(data, ledger, year) for ledger, table in data.tables.items() if len(table)]


def data_note(data: Data, year: int) -> HTML:
    """Sources, definitions and rejected rows, so that a reader can trace every figure."""
    parts = []
    if data.synthetic:
        parts.append("<p><strong>本简报使用示例数据（程序生成的合成台账），不是真实台账，数字仅供演示。</strong></p>")
    rows = []
    for ledger, s in data.manifest["ledgers"].items():
        in_year = data.tables[ledger]["year"].eq(year).sum()
        rows.append({"台账": s["label"], "文件": s["files"], "工作表": s["sheets"],
                     f"{year}年记录": int(in_year), "全部保留行": s["rows_kept"], "剔除行": s["rows_rejected"]})
    parts.append("<p>数据来源：各中队、各街道报送的台账，经 analysis clean 清洗。每个数字都可由清洗结果中的"
                 "来源文件、工作表和行号追溯到台账单元格。</p>")
    parts.append(_table(pd.DataFrame(rows), numeric=("文件", "工作表", f"{year}年记录", "全部保留行", "剔除行")).data)
    defs = data.catalogue[data.catalogue["definition"] != ""]
    items = "".join(f"<li>{html.escape(r['label'])}：{html.escape(r['definition'])}</li>" for _, r in defs.iterrows())
    parts.append(f"<p>指标口径：</p><ul>{items}</ul>")
    rejected = sum(s["rows_rejected"] for s in data.manifest["ledgers"].values())
    failed = [f for f in data.manifest["files"] if f["status"] in ("failed", "partial")]
    parts.append(f"<p>无法清洗而未计入统计的行共 {rejected} 行"
                 + (f"，未能读取的文件 {len(failed)} 个" if failed else "")
                 + "，明细见数据质量报告。“余”表示多于该数，“约”为四舍五入后的数。</p>")
    return HTML("".join(parts))


# ---------------------------------------------------------------- analyst pages, one per ledger

def ledger_indicators(data: Data, ledger: str) -> HTML:
    """The ledger's indicators for every year in the data."""
    keys = data.catalogue.index[data.catalogue["ledger"] == ledger]
    years = sorted(data.tables[ledger]["year"].unique().tolist())
    frame = pd.DataFrame({"指标": data.catalogue.loc[keys, "label"].tolist()})
    for y in years:
        values = metrics.indicator_values(data.tables, y, catalogue=data.catalogue).loc[keys]
        frame[f"{y}年"] = [plain_number(v, u) for v, u in zip(values["value"], values["unit"])]
    return _table(frame, numeric=tuple(f"{y}年" for y in years))


def trend_chart(data: Data, ledger: str):
    """The headline indicator month by month, one line per year."""
    ind = main_indicator(data, ledger)
    years = sorted(data.tables[ledger]["year"].unique().tolist())
    series = {y: _months_of(data, ind.name, y) for y in years}
    return plots.monthly_trend(series, f"{ind['label']}：历年逐月趋势", ind["unit"])


def yoy_chart(data: Data, ledger: str, year: int):
    ind = main_indicator(data, ledger)
    last = metrics.monthly_series(data.tables, ind.name, year - 1, catalogue=data.catalogue).fillna(0)
    return plots.yoy_bars(_months_of(data, ind.name, year), last, f"{ind['label']}：{year}年与{year - 1}年分月同比",
                          ind["unit"], this_label=f"{year}年", last_label=f"{year - 1}年")


def breakdown_charts(data: Data, ledger: str, year: int) -> list:
    """The headline indicator by sub-district and by each category the catalogue names."""
    ind = main_indicator(data, ledger)
    months = period(data, year)
    charts = []
    for by in [b for b in ind["breakdowns"].split() if b != "month"]:
        values = metrics.breakdown(data.tables, ind.name, year, by, months=months, catalogue=data.catalogue)
        label = load_spec(ledger).column(by).label if by != "subdistrict" else "街道"
        charts.append(plots.bar_breakdown(values.fillna(0), f"{ind['label']}：{period_label(year, months)}按{label}",
                                          ind["unit"], category_label=label))
    return charts


def heatmap_chart(data: Data, ledger: str, year: int):
    """Month × sub-district for the headline indicator."""
    ind = main_indicator(data, ledger)
    table = data.tables[ledger]
    by_month = {m: metrics.breakdown({ledger: table[table["month"] == m]}, ind.name, year, "subdistrict",
                                     catalogue=data.catalogue).fillna(0)
                for m in range(1, period(data, year) + 1)}
    frame = pd.DataFrame(by_month).T.rename_axis("month")
    return plots.heatmap(frame, f"{ind['label']}：{year}年各月各街道", ind["unit"], row_label="月份", col_label="街道")


def top_contributors(data: Data, ledger: str, year: int, n: int = 10) -> HTML:
    """The roads, units, sites or addresses that contribute most to the headline indicator
    (by number of records where the indicator counts those very names, e.g. distinct units)."""
    spec = load_spec(ledger)
    if not spec.top_by:
        return HTML("")
    ind = main_indicator(data, ledger)
    rows = data.tables[ledger]
    rows = rows[(rows["year"] == year) & (rows["month"] <= period(data, year))]
    if ind["measure"] == f"nunique:{spec.top_by}":
        values, heading = rows[spec.top_by].value_counts(), "记录条数"
    else:
        values = metrics.breakdown({ledger: rows}, ind.name, year, spec.top_by, catalogue=data.catalogue)
        heading = f"{ind['label']}（{ind['unit']}）"
    values = values.sort_index(kind="stable").sort_values(ascending=False, kind="stable").head(n)
    label = spec.column(spec.top_by).label
    frame = pd.DataFrame({"名次": range(1, len(values) + 1), label: values.index, heading: [plain_number(v) for v in values]})
    return _table(frame, numeric=("名次", heading))


# ---------------------------------------------------------------- data quality

_STATUS = {"ok": "已读取", "partial": "部分读取", "failed": "读取失败", "duplicate": "重复（只计一次）"}


def files_table(data: Data) -> HTML:
    rows = []
    for f in data.manifest["files"]:
        sheets = [s for s in f.get("sheets", []) if s["status"] == "ok"]
        rows.append({"文件": f["file"], "状态": _STATUS.get(f["status"], f["status"]), "工作表": len(sheets),
                     "保留行": sum(s["kept"] for s in sheets), "剔除行": sum(s["rejected"] for s in sheets),
                     "说明": f.get("reason", "")})
    return _table(pd.DataFrame(rows, columns=["文件", "状态", "工作表", "保留行", "剔除行", "说明"]),
                  numeric=("工作表", "保留行", "剔除行"))


def row_kinds_table(data: Data) -> HTML:
    """Every row of every sheet read, by kind: nothing lost, nothing counted twice."""
    kinds = {"title": "标题", "header": "表头", "data": "数据", "total": "合计", "footer": "表尾", "blank": "空行"}
    rows = []
    for ledger, s in data.manifest["ledgers"].items():
        counts = dict.fromkeys(kinds.values(), 0)
        for f in data.manifest["files"]:
            for sheet in f.get("sheets", []) if f["ledger"] == ledger else []:
                for k, v in sheet.get("row_kinds", {}).items():
                    counts[kinds[k]] += v
        rows.append({"台账": s["label"], **counts, "保留": s["rows_kept"], "剔除": s["rows_rejected"]})
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
    note = [f"共 {len(frame)} 条，下表列出前 {n} 条，全部见 rejects.csv。"] if len(frame) > n else []
    return HTML(_paragraphs(note).data + _table(frame.head(n), numeric=("行",)).data)


def issues_table(data: Data) -> HTML:
    """The problems the clean's summary named, but rejected rows (in their own tables below) and repeated records."""
    rows = [{"文件": p.file, "工作表": p.sheet, "问题": p.topic, "说明": p.text}
            for p in problems(data.manifest) if p.topic not in ("剔除", "重复记录")]
    if not rows:
        return _paragraphs(["没有需要注意的问题。"])
    return _table(pd.DataFrame(rows))

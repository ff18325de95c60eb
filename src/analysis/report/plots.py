"""The one chart house style of the briefing, and the Chinese font that goes with it.

Every chart is drawn with the font shipped in ``analysis/fonts`` (a subset of Noto Sans CJK SC,
SIL Open Font License 1.1, renamed "Briefing Sans SC"), never with whatever the machine has, so a
chart looks the same whoever builds it and renders on a machine with no Chinese font at all.
A character the font lacks is an error, not a box in the chart.

Typical use in a notebook::

    from analysis.report import plots
    plots.setup()
    plots.monthly_comparison(s2024, s2023, title="燃气安全检查次数", unit="次",
                             this_label="2024年", last_label="2023年")

The helpers return a :class:`matplotlib.figure.Figure` that pyplot does not manage: the last
expression of a cell is shown once, and nothing needs closing.
"""
from __future__ import annotations

import base64
import io
import sys
import warnings
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
from cycler import cycler
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from analysis.paths import FONTS_DIR
from analysis.report.number_words import MINUS, plain_number

__all__ = [
    "FONT_FILE",
    "FONT_FAMILY",
    "CSS_FAMILY",
    "PALETTE",
    "LINESTYLES",
    "MARKERS",
    "MONTH_LABELS",
    "setup",
    "font_path",
    "missing_chars",
    "check_text",
    "monthly_comparison",
    "monthly_trend",
    "bar_breakdown",
    "heatmap",
    "SHOWN_WIDTH_PX",
    "MIN_NUMBER_PX",
    "shown_px",
    "yoy_bars",
    "font_face_css",
]

FONT_FILE = "BriefingSansSC-Regular.ttf"
FONT_FAMILY = "Briefing Sans SC"
"""Family name in the shipped font's name table (the only family the charts name)."""
CSS_FAMILY = "BriefingSC"
"""Family name used by :func:`font_face_css`."""

# Colours that stay apart in grey too (dark, mid grey, light-mid, ...), always paired with a line
# style and a marker (lines) or a hatch (bars), so a black-and-white print still tells them apart.
PALETTE = ["#1F4E79", "#7F7F7F", "#C55A11", "#2E7D32", "#6A3D9A", "#B8860B"]
LINESTYLES = ["-", "--", ":", "-.", (0, (5, 1, 1, 1, 1, 1)), (0, (1, 1))]
MARKERS = ["o", "s", "^", "D", "v", "P"]
MONTH_LABELS = [f"{m}月" for m in range(1, 13)]
_TEXT_DARK = "#262626"
_EDGE = "#262626"

_STYLE = {
    "font.family": [FONT_FAMILY],
    "font.size": 10.5,
    "axes.unicode_minus": True,  # U+2212, which the shipped font has
    "axes.titlesize": 12.5,
    "axes.titleweight": "normal",
    "axes.titlelocation": "left",
    "axes.titlepad": 10.0,
    "axes.labelsize": 10.5,
    "axes.labelcolor": _TEXT_DARK,
    "axes.edgecolor": "#595959",
    "axes.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "axes.axisbelow": True,
    "axes.prop_cycle": cycler(color=PALETTE, linestyle=LINESTYLES, marker=MARKERS),
    "axes.formatter.useoffset": False,
    "axes.formatter.limits": (-5, 9),
    "grid.color": "#D9D9D9",
    "grid.linewidth": 0.6,
    "grid.linestyle": "-",
    "xtick.labelsize": 9.5,
    "ytick.labelsize": 9.5,
    "xtick.color": _TEXT_DARK,
    "ytick.color": _TEXT_DARK,
    "legend.fontsize": 9.5,
    "legend.frameon": False,
    "lines.linewidth": 1.8,
    "lines.markersize": 5.0,
    "patch.linewidth": 0.6,
    "hatch.linewidth": 0.6,
    "image.cmap": "Blues",
    "figure.figsize": (6.4, 3.8),  # fits the 16 cm text width of an A4 page at 100 %
    "figure.dpi": 130,
    "figure.facecolor": "white",
    "figure.constrained_layout.use": True,
    "savefig.dpi": 200,
    "savefig.bbox": "tight",
    "savefig.pad_inches": 0.08,
    "savefig.facecolor": "white",
    "pdf.fonttype": 42,  # embed the (TrueType) font: Chinese text stays selectable in PDF
    "ps.fonttype": 42,
    "svg.fonttype": "path",  # SVG files need no font on the viewer's machine
}
_GLYPH_WARNING = r"Glyph .* missing from font"


def font_path() -> Path:
    """Path of the shipped font file."""
    return FONTS_DIR / FONT_FILE


def setup() -> None:
    """Apply the house style (idempotent; every helper calls it).

    Registers the shipped font with matplotlib, makes it the only font family of the charts
    (no other family is named, so matplotlib never logs ``findfont: ... not found``), sets the
    house rcParams, and turns matplotlib's "Glyph ... missing from font" warning into an error.
    """
    path = font_path()
    if not path.is_file():
        raise FileNotFoundError(f"找不到随包提供的中文字体文件：{path}")
    fm = font_manager.fontManager
    if not any(Path(entry.fname) == path for entry in fm.ttflist):
        fm.addfont(str(path))
    mpl.rcParams.update(_STYLE)
    # Re-added on every call: test runners and notebooks may reset the warning filters.
    warnings.filterwarnings("error", message=_GLYPH_WARNING)
    _enable_notebook_display()


def _enable_notebook_display() -> None:
    """In IPython/Jupyter, show a returned Figure as a PNG even if pyplot was never used.

    The helpers build figures without pyplot (so a figure is never shown twice). IPython only
    learns how to display a Figure once a pyplot backend is loaded; when no figure format is
    registered yet, register PNG (with a tight bounding box) the way matplotlib-inline does.
    """
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or not hasattr(shell, "display_formatter"):
        return
    formatters = shell.display_formatter.formatters
    for mime in ("image/png", "image/svg+xml", "application/pdf", "image/jpeg"):
        try:
            formatters[mime].lookup_by_type(Figure)
            return  # the user or a backend chose the formats already
        except (KeyError, AttributeError):
            continue
    from IPython.core.pylabtools import select_figure_formats

    select_figure_formats(shell, {"png"}, bbox_inches="tight")


@cache
def _charmap() -> frozenset[int]:
    from matplotlib.ft2font import FT2Font

    return frozenset(FT2Font(str(font_path())).get_charmap())


def missing_chars(text: str) -> str:
    """The distinct characters of *text* the shipped font cannot draw (controls ignored)."""
    cmap = _charmap()
    seen: dict[str, None] = {}
    for ch in text:
        if ord(ch) not in cmap and ch not in "\n\r\t" and ch not in seen:
            seen[ch] = None
    return "".join(seen)


def check_text(*texts: object) -> None:
    """Raise ``ValueError`` if any of *texts* has a character the shipped font lacks."""
    missing = missing_chars("".join(str(t) for t in texts if t is not None))
    if missing:
        codes = "、".join(f"“{c}”(U+{ord(c):04X})" for c in missing)
        raise ValueError(
            f"图表字体中没有这些字符：{codes}。请改用常用字，或把它们加入 "
            "tools/make_font_subset.py 的 EXTRA_CHARS 后重新生成字体。"
        )


# ---------------------------------------------------------------------------------------------
# helpers


def _fmt(value: float) -> str:
    """A value label: integers without decimals, others with one; U+2212 for minus; NA as —."""
    return plain_number(value, thousands=False, minus=MINUS)


def _axis_label(label: str, unit: str | None) -> str:
    return f"{label}（{unit}）" if unit else label


def _new_axes(figsize: tuple[float, float] | None = None):
    setup()
    fig = Figure(figsize=figsize)  # not managed by pyplot: shown once, needs no plt.close()
    return fig, fig.add_subplot()


def _to_month_series(values: pd.Series, what: str) -> pd.Series:
    """Reindex a monthly series to months 1..12 (NaN where a month is absent)."""
    if not isinstance(values, pd.Series):
        values = pd.Series(values)
    index = values.index
    if isinstance(index, pd.DatetimeIndex | pd.PeriodIndex):
        months = index.month
    else:
        try:
            months = pd.Index(index).astype("int64")
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{what} 的索引应为月份 1–12，实际为 {list(index)[:5]}") from exc
    if len(months) and (months.min() < 1 or months.max() > 12):
        raise ValueError(f"{what} 的索引应为月份 1–12，实际为 {list(index)[:5]}")
    if pd.Index(months).has_duplicates:
        raise ValueError(f"{what} 中有重复的月份")
    out = pd.Series(pd.to_numeric(values.to_numpy(), errors="coerce"), index=months, dtype="float64")
    return out.reindex(range(1, 13))


def _all_integral(*arrays: Iterable[float]) -> bool:
    vals = np.concatenate([np.asarray(list(a), dtype="float64") for a in arrays])
    vals = vals[~np.isnan(vals)]
    return bool(len(vals)) and bool(np.all(np.equal(np.mod(vals, 1), 0)))


def _finish_value_axis(ax, axis: str, values: list[np.ndarray], label: str) -> None:
    """Zero baseline or zero line, integer ticks for counts, unit label, U+2212 minus."""
    vals = np.concatenate([np.asarray(v, dtype="float64") for v in values]) if values else np.array([])
    vals = vals[~np.isnan(vals)]
    yaxis = ax.yaxis if axis == "y" else ax.xaxis
    if _all_integral(vals):
        yaxis.set_major_locator(MaxNLocator(integer=True))
    if len(vals) and vals.min() < 0:
        (ax.axhline if axis == "y" else ax.axvline)(0, color=_EDGE, linewidth=0.8, zorder=1)
    elif axis == "y":
        ax.set_ylim(bottom=0)
    else:
        ax.set_xlim(left=0)
    (ax.set_ylabel if axis == "y" else ax.set_xlabel)(label)


def _done(fig: Figure) -> Figure:
    """Lay the figure out once now, so that any glyph error is raised by the helper call
    itself rather than later, when a notebook displays the figure."""
    fig.draw_without_rendering()
    return fig


def _room_for_labels(ax, axis: str, *values: np.ndarray, pad: float = 0.12) -> None:
    """Value-axis limits from the data with some room beyond the bars for their value labels."""
    vals = np.concatenate([np.asarray(v, dtype="float64") for v in values])
    vals = vals[np.isfinite(vals)]
    lo = min(float(vals.min()), 0.0) if vals.size else 0.0
    hi = max(float(vals.max()), 0.0) if vals.size else 1.0
    span = (hi - lo) or 1.0
    limits = (lo - pad * span if lo < 0 else 0.0, hi + pad * span if hi > 0 or lo == 0 else 0.0)
    (ax.set_ylim if axis == "y" else ax.set_xlim)(*limits)


def _month_axis(ax) -> None:
    ax.set_xticks(range(1, 13), labels=MONTH_LABELS)
    ax.set_xlim(0.5, 12.5)
    ax.set_xlabel("月份")


def _year_label(year: object) -> str:
    return f"{year}年" if isinstance(year, int | np.integer) else str(year)


# ---------------------------------------------------------------------------------------------
# charts


def monthly_comparison(
    this_year: pd.Series,
    last_year: pd.Series | None = None,
    *,
    title: str,
    unit: str,
    this_label: str = "本年",
    last_label: str = "上年",
    value_label: str = "数量",
) -> Figure:
    """This year's months against last year's, as two lines over 1月–12月.

    Series are indexed by month 1..12 (or dates). Months absent from *this_year* (a year still
    running) are simply not drawn; *last_year* may be ``None``.
    """
    check_text(title, unit, this_label, last_label, value_label)
    fig, ax = _new_axes()
    cur = _to_month_series(this_year, this_label)
    drawn = [cur.to_numpy()]
    ax.plot(cur.index, cur.to_numpy(), color=PALETTE[0], linestyle="-", marker="o",
            linewidth=2.0, label=this_label, zorder=3)
    if last_year is not None:
        prev = _to_month_series(last_year, last_label)
        ax.plot(prev.index, prev.to_numpy(), color=PALETTE[1], linestyle="--", marker="s",
                linewidth=1.5, label=last_label, zorder=2)
        drawn.append(prev.to_numpy())
    _month_axis(ax)
    _finish_value_axis(ax, "y", drawn, _axis_label(value_label, unit))
    ax.set_title(title)
    ax.legend(loc="best")
    return _done(fig)


def monthly_trend(
    series_by_year: Mapping[int, pd.Series] | pd.DataFrame,
    title: str,
    unit: str,
    *,
    value_label: str = "数量",
) -> Figure:
    """One line per year over 1月–12月 (a dict year -> monthly series, or a DataFrame with
    months as index and years as columns). Later years are drawn on top."""
    items = (
        [(col, series_by_year[col]) for col in series_by_year.columns]
        if isinstance(series_by_year, pd.DataFrame)
        else list(series_by_year.items())
    )
    if not items:
        raise ValueError("monthly_trend 需要至少一年的数据")
    items.sort(key=lambda kv: kv[0])
    labels = [_year_label(year) for year, _ in items]
    check_text(title, unit, value_label, *labels)
    fig, ax = _new_axes()
    drawn = []
    n = len(items)
    for i, ((_year, series), label) in enumerate(zip(items, labels, strict=True)):
        values = _to_month_series(series, label)
        # the latest year is the dark solid line; earlier ones take the other styles
        style = 0 if i == n - 1 else (n - 1 - i) % len(PALETTE)
        ax.plot(values.index, values.to_numpy(), color=PALETTE[style],
                linestyle=LINESTYLES[style], marker=MARKERS[style], label=label, zorder=2 + i,
                linewidth=2.0 if i == n - 1 else 1.5)
        drawn.append(values.to_numpy())
    _month_axis(ax)
    _finish_value_axis(ax, "y", drawn, _axis_label(value_label, unit))
    ax.set_title(title)
    ax.legend(loc="best")
    return _done(fig)


def bar_breakdown(
    values: pd.Series,
    title: str,
    unit: str,
    horizontal: bool = True,
    *,
    value_label: str = "数量",
    category_label: str | None = None,
    sort: bool = False,
) -> Figure:
    """Bars by category (sub-district, type, ...) in the order given, each with its value.

    ``sort=True`` orders from largest to smallest. Negative values (e.g. changes) are hatched.
    """
    values = pd.Series(values)
    if sort:
        values = values.sort_values(ascending=False)
    cats = [str(c) for c in values.index]
    check_text(title, unit, value_label, category_label, *cats)
    nums = pd.to_numeric(pd.Series(values.to_numpy()), errors="coerce").to_numpy(dtype="float64")
    n = len(nums)
    if horizontal:
        figsize = (6.4, max(2.4, 0.34 * n + 1.3))
    else:
        figsize = (max(6.4, 0.55 * n + 1.5), 3.8)
    fig, ax = _new_axes(figsize)
    pos = np.arange(n)
    heights = np.nan_to_num(nums, nan=0.0)
    colors = [PALETTE[2] if v < 0 else PALETTE[0] for v in heights]
    hatches = ["///" if v < 0 else "" for v in heights]
    if horizontal:
        bars = ax.barh(pos, heights, height=0.62, color=colors, edgecolor=_EDGE, linewidth=0.6)
        ax.set_yticks(pos, labels=cats)
        ax.invert_yaxis()  # first category on top
        ax.grid(False, axis="y")
        ax.grid(True, axis="x")
    else:
        bars = ax.bar(pos, heights, width=0.62, color=colors, edgecolor=_EDGE, linewidth=0.6)
        ax.set_xticks(pos, labels=cats)
        if n > 6 and max((len(c) for c in cats), default=0) > 3:
            ax.tick_params(axis="x", labelrotation=35)
            for lab in ax.get_xticklabels():
                lab.set_horizontalalignment("right")
                lab.set_rotation_mode("anchor")
    for bar, hatch in zip(bars, hatches, strict=True):
        bar.set_hatch(hatch)
    ax.bar_label(bars, labels=[_fmt(v) for v in nums], padding=3, fontsize=9, color=_TEXT_DARK)
    axis = "x" if horizontal else "y"
    _finish_value_axis(ax, axis, [nums], _axis_label(value_label, unit))
    if category_label:
        (ax.set_ylabel if horizontal else ax.set_xlabel)(category_label)
    _room_for_labels(ax, axis, nums)
    ax.set_title(title)
    return _done(fig)


def _heat_labels(index: pd.Index) -> list[str]:
    try:
        ints = [int(v) for v in index]
        if all(1 <= v <= 12 for v in ints) and all(float(v) == int(v) for v in index):
            return [f"{v}月" for v in ints]
    except (TypeError, ValueError):
        pass
    return [str(v) for v in index]


# A chart the pages show in a box of fixed width (briefing.css: .wide-chart img, 40rem) is at least this many CSS
# pixels wide: 40rem at a phone's 15 px root. The numbers in a heat map's cells stay legible at that width.
SHOWN_WIDTH_PX = 600
MIN_NUMBER_PX = 9.0
"""The least size, in CSS pixels at SHOWN_WIDTH_PX, of a number in a heat map's cell: smaller, and the map shows
no numbers (its colour bar gives the scale)."""
HEAT_WIDTH_IN = 6.4
_HEAT_NUMBER_PT = 9.5  # 12.4 px at SHOWN_WIDTH_PX: digits about 9 px tall


def shown_px(fig: Figure, points: float) -> float:
    """The size in CSS pixels of text of `points` when the figure is shown SHOWN_WIDTH_PX wide."""
    return points * SHOWN_WIDTH_PX / (fig.get_figwidth() * 72)


def heatmap(
    table: pd.DataFrame,
    title: str,
    unit: str,
    *,
    value_label: str = "数量",
    row_label: str | None = None,
    col_label: str | None = None,
    cmap: str = "Blues",
) -> Figure:
    """A table as an annotated heat map: rows down, columns across (e.g. sub-district × month).

    Integer-like indexes 1..12 are labelled 1月..12月. Empty cells are light grey with "—".
    The default colour map is a single-hue ramp, so darker still means more in grey print.
    The map is as wide as the house's charts, and its cell numbers are as large as the cells allow: at least
    MIN_NUMBER_PX at SHOWN_WIDTH_PX, or not written at all (too many columns for their numbers).
    """
    rows, cols = _heat_labels(table.index), _heat_labels(table.columns)
    check_text(title, unit, value_label, row_label, col_label, *rows, *cols)
    data = table.apply(pd.to_numeric, errors="coerce").to_numpy(dtype="float64")
    nr, nc = data.shape
    longest = max((len(c) for c in cols), default=0)
    rotate = nc > 6 and longest > 3
    figsize = (HEAT_WIDTH_IN, max(2.4, 0.36 * nr + (1.9 if rotate else 1.4)))
    fig, ax = _new_axes(figsize)
    ax.grid(False)
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    colormap = mpl.colormaps[cmap].with_extremes(bad="#F2F2F2")
    masked = np.ma.masked_invalid(data)
    finite = data[np.isfinite(data)]
    vmin = float(min(finite.min(), 0.0)) if finite.size else 0.0
    vmax = float(finite.max()) if finite.size else 1.0
    if vmax <= vmin:
        vmax = vmin + 1.0
    image = ax.imshow(masked, cmap=colormap, vmin=vmin, vmax=vmax, aspect="auto",
                      interpolation="nearest")
    ax.set_xticks(range(nc), labels=cols)
    ax.set_yticks(range(nr), labels=rows)
    ax.tick_params(length=0)
    if rotate:
        ax.tick_params(axis="x", labelrotation=35)
        for lab in ax.get_xticklabels():
            lab.set_horizontalalignment("right")
            lab.set_rotation_mode("anchor")
    numbers = []
    for i in range(nr):
        for j in range(nc):
            v = data[i, j]
            if np.isnan(v):
                numbers.append(ax.text(j, i, "—", ha="center", va="center", fontsize=_HEAT_NUMBER_PT,
                                       color="#7F7F7F"))
                continue
            dark = (v - vmin) / (vmax - vmin) > 0.55
            numbers.append(ax.text(j, i, _fmt(v), ha="center", va="center", fontsize=_HEAT_NUMBER_PT,
                                   color="white" if dark else _TEXT_DARK))
    bar = fig.colorbar(image, ax=ax, shrink=0.9, pad=0.02)
    bar.set_label(_axis_label(value_label, unit))
    bar.outline.set_visible(False)
    if _all_integral(finite):
        bar.ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if row_label:
        ax.set_ylabel(row_label)
    if col_label:
        ax.set_xlabel(col_label)
    ax.set_title(title)
    _fit_numbers(fig, ax, numbers, nr, nc)
    return _done(fig)


def _fit_numbers(fig: Figure, ax, numbers: list, nr: int, nc: int) -> None:
    """Shrink the cell numbers until the widest fits its cell with a margin; remove them all when that would take
    them below MIN_NUMBER_PX at the width a page shows the chart."""
    if not numbers:
        return
    fig.draw_without_rendering()
    renderer = fig._get_renderer()
    box = ax.get_window_extent(renderer)
    widest = max(t.get_window_extent(renderer).width for t in numbers)
    tallest = max(t.get_window_extent(renderer).height for t in numbers)
    scale = min(1.0, 0.88 * box.width / nc / widest, 0.9 * box.height / nr / tallest)
    size = _HEAT_NUMBER_PT * scale
    if shown_px(fig, size) < MIN_NUMBER_PX:
        for t in numbers:
            t.remove()
        return
    for t in numbers:
        t.set_fontsize(size)


def yoy_bars(
    this_year: pd.Series,
    last_year: pd.Series,
    title: str,
    unit: str,
    *,
    this_label: str = "本年",
    last_label: str = "上年",
    value_label: str = "数量",
    value_labels: bool = False,
) -> Figure:
    """Grouped bars by month: last year (grey, hatched) beside this year (dark, solid)."""
    check_text(title, unit, this_label, last_label, value_label)
    cur = _to_month_series(this_year, this_label)
    prev = _to_month_series(last_year, last_label)
    fig, ax = _new_axes()
    months = np.arange(1, 13)
    width = 0.38
    prev_bars = ax.bar(months - width / 2, prev.fillna(0).to_numpy(), width, label=last_label,
                       color="#BFBFBF", edgecolor=_EDGE, linewidth=0.6, hatch="///")
    cur_bars = ax.bar(months + width / 2, cur.fillna(0).to_numpy(), width, label=this_label,
                      color=PALETTE[0], edgecolor=_EDGE, linewidth=0.6)
    if value_labels:
        for bars, series in ((prev_bars, prev), (cur_bars, cur)):
            labels = ["" if pd.isna(v) else _fmt(v) for v in series]
            ax.bar_label(bars, labels=labels, padding=2, fontsize=7.5, color=_TEXT_DARK)
    _month_axis(ax)
    ax.grid(False, axis="x")
    _finish_value_axis(ax, "y", [cur.to_numpy(), prev.to_numpy()], _axis_label(value_label, unit))
    if value_labels:
        _room_for_labels(ax, "y", cur.to_numpy(), prev.to_numpy(), pad=0.08)
    ax.set_title(title)
    ax.legend(loc="best")
    return _done(fig)


# ---------------------------------------------------------------------------------------------
# HTML


def font_face_css(text: str, *, family: str = CSS_FAMILY) -> str:
    """A CSS ``@font-face`` rule embedding a WOFF subset of the shipped font as a data URI.

    The subset holds the characters of *text* that the font has, plus printable ASCII, so a page
    whose text is *text* renders in Chinese on a machine with no Chinese font (the template's
    stylesheet names CSS_FAMILY first in its font stack). Needs fontTools (a dependency of matplotlib); WOFF is
    zlib-compressed, so no brotli is needed. The font's copyright and licence names are kept.
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont

    if not family or any(c in family for c in "\"'\\;{}<>"):
        raise ValueError(f"不合适的字体名：{family!r}")
    cmap = _charmap()
    codepoints = {cp for cp in map(ord, set(text)) if cp in cmap} | set(range(0x20, 0x7F))
    options = subset.Options()
    options.flavor = "woff"
    options.with_zopfli = False
    options.hinting = False
    options.layout_features = ["ccmp", "calt", "liga", "kern", "mark", "mkmk"]
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 7, 13, 14]
    options.name_languages = [0x409]
    options.notdef_outline = True
    buf = io.BytesIO()
    with TTFont(str(font_path()), lazy=True) as font:
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=sorted(codepoints))
        subsetter.subset(font)
        font.flavor = "woff"
        font.save(buf)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (
        "@font-face {\n"
        f'  font-family: "{family}";\n'
        f'  src: url("data:font/woff;base64,{data}") format("woff");\n'
        "  font-weight: normal;\n"
        "  font-style: normal;\n"
        "  font-display: swap;\n"
        "}\n"
    )

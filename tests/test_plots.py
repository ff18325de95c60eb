"""The chart house style and the shipped Chinese font (analysis.plots, analysis/fonts)."""
from __future__ import annotations

import base64
import io
import json
import os
import re
import subprocess
import sys
import unicodedata
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fontTools.ttLib import TTFont
from matplotlib.figure import Figure

from analysis.paths import FONTS_DIR
from analysis.report import plots

SRC = Path(plots.__file__).resolve().parents[1]
SUBDISTRICTS = ["民生街道", "民主街道", "新华街道", "焦西街道", "焦南街道", "焦北街道",
                "七百间街道", "上白作街道", "王褚街道"]
NOT_IN_FONT = ["龘", "𠀀", "😀"]  # GBK-only hanzi, CJK Extension B, emoji


def gb2312_hanzi() -> list[str]:
    out = []
    for hi in range(0xB0, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                ch = bytes((hi, lo)).decode("gb2312")
            except UnicodeDecodeError:
                continue
            if unicodedata.name(ch, "").startswith("CJK UNIFIED IDEOGRAPH"):
                out.append(ch)
    return out


@pytest.fixture(scope="module")
def shipped() -> TTFont:
    return TTFont(str(plots.font_path()))


# --- the font file --------------------------------------------------------------------------


def test_font_is_shipped_with_licence(shipped):
    path = plots.font_path()
    assert path.parent == FONTS_DIR and path.is_file()
    assert path.stat().st_size < 4_000_000
    name = shipped["name"]
    assert "SIL Open Font License" in name.getDebugName(13)
    assert "1.1" in name.getDebugName(13)
    assert "Adobe" in name.getDebugName(0)
    assert name.getDebugName(1) == plots.FONT_FAMILY
    assert "Source" not in name.getDebugName(1)  # the Reserved Font Name
    assert "glyf" in shipped  # TrueType outlines
    ofl = (FONTS_DIR / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1 - 26 February 2007" in ofl
    assert "Reserved Font Name 'Source'" in ofl
    for part in ("PREAMBLE", "DEFINITIONS", "PERMISSION & CONDITIONS", "TERMINATION", "DISCLAIMER"):
        assert part in ofl
    readme = (FONTS_DIR / "README.md").read_text(encoding="utf-8")
    assert "Noto Sans CJK SC" in readme and "make_font_subset.py" in readme


def test_font_covers_gb2312_and_briefing_symbols(shipped):
    cmap = shipped.getBestCmap()
    hanzi = gb2312_hanzi()
    assert len(hanzi) == 6763
    assert [c for c in hanzi if ord(c) not in cmap] == []
    needed = ("▲▼—－％㎡²·•…“”‘’《》、。，：；（）\u2212℃‰×①" + "".join(SUBDISTRICTS)
              + "".join(chr(c) for c in range(0x20, 0x7F)))
    assert plots.missing_chars(needed) == ""
    assert [c for c in needed if ord(c) not in cmap] == []
    for ch in NOT_IN_FONT:
        assert ord(ch) not in cmap
        assert plots.missing_chars(f"标题{ch}") == ch


# --- charts -------------------------------------------------------------------------------------

CHART_SCRIPT = r"""
import json, logging, sys, warnings
from pathlib import Path
import matplotlib
matplotlib.use("Agg")
import matplotlib as mpl
from matplotlib import font_manager as fm
from matplotlib.text import Text
import numpy as np, pandas as pd

out = Path(sys.argv[1])
if sys.argv[2] == "no-system-fonts":
    # a fresh machine: nothing but the fonts inside matplotlib itself
    data = str(Path(mpl.get_data_path()).resolve())
    fm.fontManager.ttflist = [e for e in fm.fontManager.ttflist
                              if str(Path(e.fname).resolve()).startswith(data)]
    fm.fontManager._findfont_cached.cache_clear()
warnings.simplefilter("always")  # every other warning is printed to stderr and fails the test

from analysis.report import plots
plots.setup()
plots.setup()  # idempotent
subs = %(subs)r
months = range(1, 13)
last = pd.Series([120, 130, -5, 150, 160, 170, 180, 175, 165, 150, 140, 130], index=months)
this = pd.Series([100, -20, 115, 140, 150, 160], index=range(1, 7))
rng = np.random.default_rng(1)
table = pd.DataFrame(rng.integers(0, 60, (12, 9)), index=months, columns=subs).astype(float)
table.iloc[2, 3] = np.nan
figs = {
    "comparison": plots.monthly_comparison(this, last, title="燃气安全检查次数（2024年与2023年）",
                                           unit="次", this_label="2024年", last_label="2023年"),
    "comparison_single": plots.monthly_comparison(this, None, title="当年各月拆除面积", unit="平方米",
                                                  value_label="面积"),
    "trend": plots.monthly_trend({2022: last * 0.8, 2023: last, 2024: this},
                                 title="占道经营整治处数", unit="处"),
    "trend_frame": plots.monthly_trend(pd.DataFrame({2023: last, 2024: this}),
                                       title="扬尘巡查数", unit="个"),
    "breakdown": plots.bar_breakdown(pd.Series([320, -12.5, 150, 98, 77, 260, 45, 12, 5], index=subs),
                                     title="各街道拆除面积同比增减▲▼", unit="㎡", value_label="面积"),
    "breakdown_vertical": plots.bar_breakdown(pd.Series([3, 1, 2], index=["店外经营", "流动摊贩", "占道经营"]),
                                              title="三种经营类型", unit="处", horizontal=False),
    "heatmap": plots.heatmap(table, title="各月各街道燃气检查次数", unit="次"),
    "heatmap_t": plots.heatmap(table.T - 30, title="各街道各月增减（−为减少）", unit="次"),
    "yoy": plots.yoy_bars(this, last, title="流动摊贩整治处数同比", unit="处",
                          this_label="2024年", last_label="2023年", value_labels=True),
}
shipped = str(plots.font_path().resolve())
report = {"files": {}, "fonts": set(), "minus_ticks": False}
for name, fig in figs.items():
    path = out / f"{name}.png"
    fig.savefig(path)
    report["files"][name] = path.stat().st_size
    for t in fig.findobj(Text):
        if not t.get_text():
            continue
        prop = t.get_fontproperties()
        report["fonts"].add(str(Path(fm.findfont(prop, fallback_to_default=False)).resolve()))
        for f in fm.fontManager._find_fonts_by_props(prop):
            report["fonts"].add(str(Path(f).resolve()))
        if "\u2212" in t.get_text():
            report["minus_ticks"] = True
figs["comparison"].savefig(out / "comparison.pdf")
figs["comparison"].savefig(out / "comparison.svg")
report["fonts"] = sorted(report["fonts"])
data = str(Path(mpl.get_data_path()).resolve())
report["other_fonts"] = [e.fname for e in fm.fontManager.ttflist
                         if not str(Path(e.fname).resolve()).startswith(data)
                         and str(Path(e.fname).resolve()) != shipped]
report["shipped"] = shipped
report["family"] = list(mpl.rcParams["font.family"])
print(json.dumps(report))
"""


@pytest.mark.parametrize("fonts", ["no-system-fonts", "machine-fonts"])
@pytest.mark.slow
def test_charts_render_with_shipped_font_only(tmp_path, fonts):
    script = tmp_path / "draw.py"
    script.write_text(CHART_SCRIPT % {"subs": SUBDISTRICTS}, encoding="utf-8")
    config = tmp_path / "mplconfig"
    config.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MPL", "PYTHON"))}
    env.update(MPLCONFIGDIR=str(config), PYTHONPATH=str(SRC), MPLBACKEND="Agg")
    proc = subprocess.run([sys.executable, str(script), str(tmp_path), fonts], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # no warning, no "findfont: Font family ... not found"
    report = json.loads(proc.stdout)
    assert report["family"] == [plots.FONT_FAMILY]
    if fonts == "no-system-fonts":
        assert report["other_fonts"] == []
    assert report["fonts"] == [report["shipped"]]  # every text resolves to the shipped file only
    assert report["minus_ticks"]  # negative numbers drawn with U+2212
    assert len(report["files"]) == 9
    assert all(size > 10_000 for size in report["files"].values())
    for name in report["files"]:
        assert (tmp_path / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "comparison.pdf").read_bytes()[:5] == b"%PDF-"


def test_missing_glyph_is_an_error():
    plots.setup()
    # through a helper: refused before drawing, with the offending characters named
    for ch in NOT_IN_FONT:
        with pytest.raises(ValueError, match=re.escape(ch)):
            plots.bar_breakdown(pd.Series([1, 2], index=["民生街道", f"某{ch}公司"]), title="测试", unit="处")
    with pytest.raises(ValueError, match="龘"):
        plots.monthly_comparison(pd.Series([1.0], index=[1]), title="龘", unit="处")
    # text added by hand to a figure: matplotlib's missing-glyph warning is an error
    fig = Figure()
    ax = fig.add_subplot()
    ax.set_title("检查龘")
    with pytest.raises(UserWarning, match="missing from font"):
        fig.savefig(io.BytesIO(), format="png")
    fig = Figure()
    fig.add_subplot().set_xlabel("表情😀")
    with pytest.raises(UserWarning, match="missing from font"):
        fig.savefig(io.BytesIO(), format="png")


def test_setup_is_idempotent():
    import matplotlib as mpl
    from matplotlib import font_manager

    plots.setup()
    plots.setup()
    entries = [e for e in font_manager.fontManager.ttflist
               if Path(e.fname).resolve() == plots.font_path().resolve()]
    assert len(entries) == 1 and entries[0].name == plots.FONT_FAMILY
    assert mpl.rcParams["font.family"] == [plots.FONT_FAMILY]
    assert mpl.rcParams["axes.unicode_minus"] is True
    assert not mpl.rcParams["axes.spines.top"] and not mpl.rcParams["axes.spines.right"]
    glyph_filters = [f for f in warnings.filters
                     if f[0] == "error" and f[1] is not None and f[1].pattern.startswith("Glyph")]
    assert len(glyph_filters) == 1


def test_helpers_return_figures_with_chinese_labels():
    this = pd.Series([5, 7, 6], index=pd.to_datetime(["2024-01-31", "2024-02-29", "2024-03-31"]))
    fig = plots.monthly_comparison(this, None, title="标题", unit="处")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == plots.MONTH_LABELS
    assert ax.get_ylabel() == "数量（处）" and ax.get_xlabel() == "月份"
    assert ax.get_title(loc="left") == "标题"
    line = ax.get_lines()[0]
    assert np.isnan(line.get_ydata()[3:]).all()  # months not yet reported are not drawn
    fig = plots.bar_breakdown(pd.Series([3, -1], index=["甲", "乙"]), title="增减", unit="处")
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert labels == ["3", "\u22121"]
    fig = plots.heatmap(pd.DataFrame([[1, np.nan]], index=["民生街道"], columns=[1, 2]), title="表", unit="次")
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["1月", "2月"]
    assert sorted(t.get_text() for t in fig.axes[0].texts) == ["1", "—"]
    # title and unit may also be given by position (all but monthly_comparison)
    fig = plots.yoy_bars(pd.Series([1], index=[1]), pd.Series([2], index=[1]), "同比", "处")
    assert fig.axes[0].get_ylabel() == "数量（处）"
    with pytest.raises(ValueError, match="月份"):
        plots.yoy_bars(pd.Series([1], index=[13]), pd.Series([1], index=[1]), title="同比", unit="处")


def test_font_face_css_embeds_small_woff_subset():
    hanzi = gb2312_hanzi()[:300]
    text = "解放区城市管理局年度执法统计简报：" + "".join(hanzi) + "▲12%，−3处"
    css = plots.font_face_css(text)
    m = re.fullmatch(
        r'@font-face \{\n  font-family: "BriefingSC";\n'
        r'  src: url\("data:font/woff;base64,([A-Za-z0-9+/=]+)"\) format\("woff"\);\n'
        r"(  [a-z-]+: [a-z]+;\n)+\}\n",
        css,
    )
    assert m, css[:300]
    data = base64.b64decode(m.group(1), validate=True)
    assert data[:4] == b"wOFF"
    assert len(css) < 150_000  # tens of KB for ~300 distinct hanzi
    font = TTFont(io.BytesIO(data))
    cmap = font.getBestCmap()
    wanted = set(text) | {chr(c) for c in range(0x20, 0x7F)}
    assert {chr(c) for c in cmap} == wanted
    assert "SIL Open Font License" in font["name"].getDebugName(13)
    # characters the font lacks are left to the page's fallback fonts, not an error
    assert "base64," in plots.font_face_css("龘😀")
    with pytest.raises(ValueError):
        plots.font_face_css("中", family='x"; }')


NOTEBOOK_SCRIPT = r"""
import json
from IPython.core.interactiveshell import InteractiveShell
import pandas as pd
shell = InteractiveShell.instance()
from analysis.report import plots
plots.setup()
fig = plots.bar_breakdown(pd.Series([1, 2], index=["甲", "乙"]), title="测试", unit="处")
data, _ = shell.display_formatter.format(fig)
import matplotlib.pyplot as plt
print(json.dumps({"mimes": sorted(data), "pyplot_figures": plt.get_fignums()}))
"""


@pytest.mark.slow
def test_notebook_displays_returned_figure(tmp_path):
    """In IPython a returned Figure shows as PNG, and pyplot does not hold it (shown once)."""
    pytest.importorskip("IPython")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MPL", "PYTHON"))}
    env.update(MPLCONFIGDIR=str(tmp_path), IPYTHONDIR=str(tmp_path / "ipython"),
               PYTHONPATH=str(SRC), MPLBACKEND="Agg")
    proc = subprocess.run([sys.executable, "-c", NOTEBOOK_SCRIPT], env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert "image/png" in report["mimes"]
    assert report["pyplot_figures"] == []


# --- the heat map's numbers at the width a page shows it ----------------------------------------

def _css_chart_widths() -> tuple[float, float, float]:
    """From the pages' stylesheet: the width a wide chart is shown at on screen (.wide-chart img, in rem of 16 px),
    and the box an image gets on an A4 page (the @page margins; img's max-height in print)."""
    css = (SRC / "report" / "templates" / "briefing" / "briefing.css").read_text(encoding="utf-8")
    screen = float(re.search(r"\.wide-chart img \{[^}]*?\bwidth: ([\d.]+)rem", css)[1]) * 16
    margins = [float(m) for m in re.search(r"@page \{[^}]*margin: (\d+)mm (\d+)mm", css).groups()]
    print_width = (210 - 2 * margins[1]) / 25.4 * 96
    print_height = float(re.search(r"@media print \{.*?img \{[^}]*max-height: (\d+)mm", css, re.S)[1]) / 25.4 * 96
    return screen, print_width, print_height


def _numbers_shown(fig) -> tuple[list[float], list[float], bool]:
    """The CSS pixel size of each cell number on screen and on A4, and whether each fits inside its cell."""
    from IPython.core.pylabtools import print_figure
    from PIL import Image

    png = print_figure(fig, "png", bbox_inches="tight")  # as a page embeds it
    width, height = Image.open(io.BytesIO(png)).size
    screen, print_width, print_height = _css_chart_widths()
    on_screen = screen / width
    on_paper = min(1.0, print_width / width, print_height / height)
    ax = fig.axes[0]
    renderer = fig._get_renderer()
    cell = ax.get_window_extent(renderer).width / len(ax.get_xticks())
    px = [t.get_fontsize() * fig.dpi / 72 for t in ax.texts]
    fits = all(t.get_window_extent(renderer).width <= cell for t in ax.texts)
    return [p * on_screen for p in px], [p * on_paper for p in px], fits


@pytest.mark.parametrize("scale", [1, 50, 500])
def test_heatmap_numbers_are_legible_at_the_page_s_width_on_screen_and_on_paper(scale):
    """The ledger page's map (nine sub-districts × twelve months, up to 5-digit counts): each number at least 9 CSS
    px where the page shows the chart (the issue measured ~6 px) and inside its cell."""
    rng = np.random.default_rng(3)
    table = pd.DataFrame(rng.integers(1, 200, (9, 12)) * scale, index=SUBDISTRICTS, columns=range(1, 13))
    fig = plots.heatmap(table.astype(float), title="清理三种经营：2023年各街道逐月", unit="处", row_label="街道",
                        col_label="月份")
    screen, paper, fits = _numbers_shown(fig)
    assert len(screen) == 108 and fits
    assert min(screen) >= plots.MIN_NUMBER_PX and min(paper) >= plots.MIN_NUMBER_PX, (min(screen), min(paper))
    if scale < 500:
        assert min(screen) >= 12 and min(paper) >= 12  # digits about 9 px tall


def test_a_heatmap_too_dense_for_legible_numbers_draws_none():
    table = pd.DataFrame(np.full((9, 40), 123456.0), index=SUBDISTRICTS)
    fig = plots.heatmap(table, title="表", unit="次")
    assert len(fig.axes[0].texts) == 0
    assert plots.shown_px(fig, 9.5) > plots.MIN_NUMBER_PX  # the rule: numbers legible, or none

"""A ledger added by YAML alone gets demo data: rows from its spec's columns and types, files the clean reads
(every row kept but the one deliberately broken row a year), the same records back, and a page, with no Python.
The seven hand-made ledgers' files do not change when one is added."""
from __future__ import annotations

import collections
import contextlib
import dataclasses
import re
import shutil
from pathlib import Path

import pytest
from conftest import plain

from analysis.demo import generate_records, write_demo
from analysis.demo.generic import SpecLedger
from analysis.ingest import spec as spec_module
from analysis.ingest.manifest import problems
from analysis.ingest.pipeline import clean
from analysis.ingest.records import Manifest
from analysis.ingest.tables import load_manifest, load_rejects, load_table
from analysis.paths import LEDGER_SPEC_DIR

# What an analyst adds for a noise-control ledger: 30 lines of YAML, nothing else.
NOISE = """\
ledger: noise_control
order: 8
label: 噪声污染整治台账
topic: 噪声整治
area: 噪声治理
top_by: location
columns:
  - {name: date, label: 日期, type: date, required: true, headers: [日期, 检查日期, 受理日期]}
  - {name: subdistrict, label: 街道, type: subdistrict, required: true}
  - {name: location, label: 地点, type: text, headers: [地点, 具体位置, 噪声源位置]}
  - name: noise_type
    label: 噪声类型
    type: category
    required: true
    headers: [噪声类型, 类型, 噪声来源]
    values:
      施工噪声: [施工噪声, 建筑施工, 夜间施工]
      社会生活噪声: [社会生活噪声, 生活噪声, 广场舞]
      商业经营噪声: [商业经营噪声, 商业噪声, 高音喇叭]
  - name: complaints
    label: 投诉件数（件）
    type: count
    min: 1
    default: 1
    check_total: true
    max: 50
    why_max: 一处噪声一天被投诉 50 件以上不合常理
    headers: [投诉件数, 投诉数]
  - {name: decibels, label: 噪声值（分贝）, type: number, min_exclusive: 0, max: 150, why_max: 超过 150 分贝不合常理,
     headers: [噪声值, 分贝]}
  - {name: rectified, label: 是否整改, type: flag, default: false, headers: [是否整改, 整改情况]}
"""
# The 2023 figures of a report, as data in the spec (optional).
NOISE_DEMO = """\
demo:
  years:
    2022: {rows: 300}
    2023: {rows: 320, totals: {complaints: 700}, counts: {noise_type: {施工噪声: 120}, rectified: 250}}
  months: [0.8, 0.8, 1, 1, 1.1, 1.3, 1.4, 1.4, 1.1, 1, 0.9, 0.8]
  subdistricts: {新华街道: 1.5, 王褚街道: 0.6}
  weights: {noise_type: {社会生活噪声: 2, 商业经营噪声: 1}}
  ranges: {decibels: [55, 85]}
"""
# A ledger filled once a year, one row per item; and one with the cross-column rules (at_most, only_when), text
# with canonical values, a category with `other` and a default, an optional sub-district and a number.
HOTLINE = """\
ledger: hotline_figures
order: 9
label: 热线办理年度数据表
unique_by: [year, item]
columns:
  - {name: year, label: 年度, type: year, required: true, headers: [年度, 年份]}
  - name: item
    label: 项目
    type: category
    required: true
    headers: [项目, 指标]
    values: {受理工单: [受理工单, 受理], 办结工单: [办结工单, 办结], 回访满意: [回访满意, 满意]}
  - {name: value, label: 数值, type: count, required: true, min: 0, headers: [数值, 数量]}
  - {name: unit, label: 单位, type: text, headers: [单位, 计量单位]}
"""
SHOPS = """\
ledger: shop_checks
order: 10
label: 门店检查台账
top_by: shop
columns:
  - {name: date, label: 检查日期, type: date, required: true}
  - {name: subdistrict, label: 街道, type: subdistrict}
  - {name: shop, label: 门店名称, type: text, required: true, headers: [门店名称, 店名]}
  - name: kind
    label: 门店类型
    type: category
    headers: [门店类型, 类别]
    values: {餐饮: [餐饮, 饭店], 零售: [零售, 商店], 其他: []}
    other: 其他
    default: 其他
  - {name: issue, label: 存在问题, type: text, required: true, values: {无: [无, 无问题, 未发现问题]}, default: 无}
  - {name: found, label: 发现问题（处）, type: count, min: 0, default: 0, check_total: true}
  - {name: fixed, label: 已整改（处）, type: count, min: 0, default: 0, check_total: true, at_most: found,
     why_at_most: 整改不会多于发现}
  - {name: done, label: 整改情况, type: flag, only_when: {column: issue, not: 无}, default: false}
  - {name: area, label: 面积, type: number, min_exclusive: 0}
"""


@contextlib.contextmanager
def specs_at(folder: Path):
    """The ingest and report code reading the ledger specs of `folder` (as if it were src/analysis/ledgers): the
    spec functions' default folder, and their caches emptied before and after."""
    functions = [spec_module.load_common.__wrapped__, spec_module.load_spec.__wrapped__, spec_module.ledger_names,
                 spec_module.spec_fingerprint]
    saved = [f.__defaults__ for f in functions]

    def clear():
        spec_module.load_spec.cache_clear()
        spec_module.load_common.cache_clear()

    for f in functions:
        f.__defaults__ = tuple(folder if d == LEDGER_SPEC_DIR else d for d in f.__defaults__)
    clear()
    try:
        yield
    finally:
        for f, d in zip(functions, saved):
            f.__defaults__ = d
        clear()


def spec_folder(where: Path, files: dict, all_ledgers: bool = True) -> Path:
    """A copy of the project's specs (or common.yaml alone) with the files given added."""
    where.mkdir(parents=True)
    for p in LEDGER_SPEC_DIR.glob("*.yaml"):
        if all_ledgers or p.name == "common.yaml":
            shutil.copy(p, where / p.name)
    for name, text in files.items():
        (where / name).write_text(text, encoding="utf-8")
    return where


def cleaned_as_generated(out: Path, ledger: str, records: dict) -> None:
    """The ledger's cleaned table holds exactly the generated records, year by year."""
    table = load_table(out, ledger)
    columns = [c.name for c in spec_module.load_spec(ledger).columns]
    assert set(table["year"].unique()) == set(records)
    for year, rows in records.items():
        got = collections.Counter(tuple(map(plain, r)) for r in table.loc[table["year"] == year, columns]
                                  .itertuples(index=False))
        want = collections.Counter(tuple(plain(r[c]) for c in columns) for r in rows)
        assert got == want, (ledger, year, list((got - want).items())[:3], list((want - got).items())[:3])


def only_the_intended_rejects(out: Path, ledger: str, summary: dict) -> None:
    """Every file of the ledger read, every row kept but the deliberately broken ones, every 合计 adding up."""
    rejects = load_rejects(out)
    mine = rejects[rejects["file"].str.startswith(ledger + "/")]
    assert len(mine) == summary[ledger]["bad_rows"] == len(summary[ledger]["rows"])  # one a year
    assert set(mine["reason"]) <= {"日期无法识别", "年份无法识别"}
    found = [p for p in problems(Manifest.from_json(load_manifest(out))) if p.file.startswith(ledger + "/")]
    assert {p.tag for p in found} <= {"剔除", "跳过"}, [p for p in found if p.tag not in ("剔除", "跳过")]
    assert all("隐藏" in p.text or p.tag == "剔除" for p in found)


YEARS = (2022, 2023)


@pytest.fixture(scope="module")
def noise(tmp_path_factory):
    """The demo of the project's specs plus noise_control.yaml (no demo block), written and cleaned."""
    base = tmp_path_factory.mktemp("noise")
    specs = spec_folder(base / "ledgers", {"noise_control.yaml": NOISE})
    raw, out = base / "raw", base / "processed"
    summary = write_demo(raw, years=YEARS, scale=0.05, spec_dir=specs)
    with specs_at(specs):
        result = clean(raw, out, echo=lambda *a, **k: None)
    return {"base": base, "specs": specs, "raw": raw, "out": out, "summary": summary, "exit": result.exit_code}


def test_a_ledger_added_by_yaml_alone_gets_demo_files_the_clean_reads(noise):
    summary = noise["summary"]
    assert noise["exit"] == 0 and list(summary)[-1] == "noise_control"
    files = summary["noise_control"]["files"]
    assert files and all(f.startswith("noise_control/") for f in files)
    assert {Path(f).suffix for f in files} == {".xlsx", ".csv"}
    assert all(n > 0 for n in summary["noise_control"]["rows"].values())
    readme = (noise["raw"] / "README.md").read_text(encoding="utf-8")
    assert "噪声污染整治台账" in readme and all(f"- {f}" in readme for f in files)
    with specs_at(noise["specs"]):
        only_the_intended_rejects(noise["out"], "noise_control", summary)
        records = generate_records(years=YEARS, scale=0.05, spec_dir=noise["specs"])["noise_control"]
        cleaned_as_generated(noise["out"], "noise_control", records)
        assert int(load_manifest(noise["out"])["ledgers"]["noise_control"]["rows_kept"]) == sum(map(len, records.values()))


def test_the_golden_snapshot_covers_the_new_ledger(noise):
    """What tests/golden/ records of a demo build (every processed output) includes the new ledger's table, so
    `UPDATE_GOLDEN=1` records it and any later change of it shows."""
    import golden

    with specs_at(noise["specs"]):
        snap = golden.snapshot(noise["out"], noise["base"] / "no-pages")
    assert "content" in snap["processed"]["noise_control.parquet"]


def _files(folder: Path) -> dict:
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_the_other_ledgers_files_do_not_change_when_one_is_added(noise, tmp_path):
    write_demo(tmp_path / "without", years=YEARS, scale=0.05)
    before, after = _files(tmp_path / "without"), _files(noise["raw"])
    added = {k for k in after if k.parts[0] == "noise_control"}
    assert added and set(after) - added == set(before)
    assert [k for k in before if k.name != "README.md" and before[k] != after[k]] == []
    # and the new ledger's files are the same bytes on every run
    write_demo(tmp_path / "again", years=YEARS, scale=0.05, spec_dir=noise["specs"])
    again = _files(tmp_path / "again")
    assert [k for k in added if again[k] != after[k]] == []


# Its indicator (the ledger page's headline): one more row in indicators.csv, no Python either.
NOISE_INDICATOR = ("noise_complaints,受理噪声投诉,件,noise_control,sum:complaints,,噪声污染整治台账“投诉件数（件）”之和,exact,"
                   "受理噪声投诉{value}{unit},,,150,month subdistrict noise_type,\n")


@pytest.mark.slow  # draws every chart of the page
def test_the_new_ledgers_page_builds(noise):
    """The ledger page's calls (notebooks/ledger.ipynb) on the cleaned demo: the new ledger has data in 2023, so
    the briefing no longer says 本年暂无噪声整治台账数据."""
    from analysis.paths import CATALOGUE_PATH
    from analysis.report import pages, plots
    from analysis.report.catalogue import load_catalogue

    catalogue = noise["base"] / "indicators.csv"
    catalogue.write_text(CATALOGUE_PATH.read_text(encoding="utf-8-sig").rstrip("\n") + "\n" + NOISE_INDICATOR,
                         encoding="utf-8")
    plots.setup()
    with specs_at(noise["specs"]):
        data = dataclasses.replace(pages.load(noise["out"]), catalogue=load_catalogue(catalogue, noise["specs"]))
        assert "noise_control" in data.tables and data.synthetic
        period = pages.choose_period(data, None)
        assert period.year == 2023 and "noise_control" in pages.ledgers_with_data(data, period)
        assert not re.search("暂无[^。]*噪声整治", pages.missing_ledgers_note(data, period))
        ledger = "noise_control"
        shown = [pages.ledger_indicators(data, ledger), pages.trend_chart(data, ledger),
                 pages.yoy_chart(data, ledger, period), *pages.breakdown_charts(data, ledger, period),
                 pages.heatmap_chart(data, ledger, period), pages.top_contributors(data, ledger, period)]
    assert all(x is not None for x in shown)
    table = load_table(noise["out"], ledger)
    total = int(table.loc[table["year"] == 2023, "complaints"].sum())
    assert f"{total:,}" in shown[0].data or str(total) in shown[0].data  # the indicator, from the demo rows
    locations = set(table["location"].dropna())
    assert any(place in shown[-1].data for place in locations)  # the ranking names the ledger's own places


def test_a_ledger_without_an_indicator_row_is_counted_by_its_records(noise):
    """A ledger added by its spec alone, before anyone adds it to indicators.csv: its page's headline is its number
    of records, and the definition says why (never a failed briefing)."""
    from analysis.paths import CATALOGUE_PATH
    from analysis.report import pages
    from analysis.report.catalogue import load_catalogue

    with specs_at(noise["specs"]):
        catalogue = load_catalogue(CATALOGUE_PATH, noise["specs"])
        row = catalogue.loc["noise_control_records"]
        assert (row["ledger"], row["measure"], row["unit"]) == ("noise_control", "count", "条")
        assert "indicators.csv 中还没有这个台账的指标" in row["definition"]
        data = dataclasses.replace(pages.load(noise["out"]), catalogue=catalogue)
        period = pages.choose_period(data, None)
        shown = pages.ledger_indicators(data, "noise_control").data
    table = load_table(noise["out"], "noise_control")
    assert f"{int((table['year'] == period.year).sum()):,}" in shown or str(int((table["year"] == period.year).sum())) in shown
    assert "noise_control_records" not in load_catalogue().index  # the project's own ledgers all have rows


def test_a_demo_block_in_the_spec_sets_the_years_figures(tmp_path):
    specs = spec_folder(tmp_path / "ledgers", {"noise_control.yaml": NOISE + NOISE_DEMO}, all_ledgers=False)
    records = generate_records(years=(2021, 2022, 2023, 2024), spec_dir=specs)
    assert list(records) == ["noise_control"]  # the folder's ledgers only
    rows = records["noise_control"]
    y2023 = rows[2023]
    assert len(rows[2022]) == 300 and len(y2023) == 320
    assert sum(r["complaints"] for r in y2023) == 700 and sum(r["rectified"] for r in y2023) == 250
    assert sum(r["noise_type"] == "施工噪声" for r in y2023) == 120
    assert all(55 <= r["decibels"] <= 85 for y in rows.values() for r in y)
    assert len(rows[2024]) == round(320 * 1.05)  # a year without figures grows 5 % from the last
    subs = collections.Counter(r["subdistrict"] for y in rows.values() for r in y)
    assert subs["新华街道"] > subs["王褚街道"]
    summer = sum(r["date"].month in (6, 7, 8) for r in y2023)
    winter = sum(r["date"].month in (12, 1, 2) for r in y2023)
    assert summer > winter
    again = generate_records(years=(2023,), spec_dir=specs)["noise_control"][2023]
    assert again == y2023  # the same arguments, the same records; a year does not depend on the others


def test_a_yearly_ledger_and_cross_column_rules_round_trip(tmp_path):
    specs = spec_folder(tmp_path / "ledgers", {"hotline_figures.yaml": HOTLINE, "shop_checks.yaml": SHOPS},
                        all_ledgers=False)
    raw, out = tmp_path / "raw", tmp_path / "processed"
    years = (2021, 2022, 2023)
    summary = write_demo(raw, years=years, scale=0.2, spec_dir=specs)
    assert list(summary) == ["hotline_figures", "shop_checks"]
    with specs_at(specs):
        assert clean(raw, out, echo=lambda *a, **k: None).exit_code == 0
        records = generate_records(years=years, scale=0.2, spec_dir=specs)
        for ledger in summary:
            only_the_intended_rejects(out, ledger, summary)
            cleaned_as_generated(out, ledger, records[ledger])
    hotline = records["hotline_figures"]
    assert all(sorted(r["item"] for r in hotline[y]) == ["办结工单", "受理工单", "回访满意"] for y in years)  # one per key
    shops = [r for y in records["shop_checks"].values() for r in y]
    assert all(r["fixed"] <= r["found"] for r in shops)
    assert all((r["done"] is None) == (r["issue"] == "无") for r in shops)
    assert {r["kind"] for r in shops} <= {"餐饮", "零售", "其他"} and any(r["issue"] != "无" for r in shops)


@pytest.mark.parametrize(("block", "words"), [
    ("demo:\n  colour: red\n", "colour"),
    ("demo:\n  years: {2023: {rows: 10, counts: {location: {解放路: 3}}}}\n", "不是本台账分类或是否列"),
    ("demo:\n  years: {2023: {rows: 10, counts: {noise_type: {工地噪声: 3}}}}\n", "不是这一列的类别"),
    ("demo:\n  years: {2023: {rows: 10, counts: {noise_type: {施工噪声: 12}}}}\n", "多于 rows"),
    ("demo:\n  years: {2023: {rows: 4, totals: {complaints: 1000}}}\n", "无法分到 4 行"),
    ("demo:\n  months: [1, 2]\n", "12 个权重"),
    ("demo:\n  subdistricts: {火星街道: 2}\n", "不是 common.yaml 中的街道"),
])
def test_a_wrong_demo_block_is_named_in_chinese(tmp_path, block, words):
    specs = spec_folder(tmp_path / "ledgers", {"noise_control.yaml": NOISE + block}, all_ledgers=False)
    with pytest.raises(ValueError, match=words):
        generate_records(years=(2023,), spec_dir=specs)


def test_every_cell_written_reads_back_as_its_record(tmp_path):
    """The renderer's safety net: a spelling the spec does not read as the record's value is never written."""
    specs = spec_folder(tmp_path / "ledgers", {"noise_control.yaml": NOISE}, all_ledgers=False)
    ledger = SpecLedger(spec_module.load_spec("noise_control", specs), specs, seed=1, scale=0.1)
    col = ledger.columns["noise_type"]
    assert ledger.reads_as(col, "广场舞", 2023) == "社会生活噪声"
    assert ledger.reads_as(ledger.columns["subdistrict"], "焦南办事处", 2023) == "焦南街道"
    assert ledger.reads_as(ledger.columns["complaints"], "十二件", 2023) == 12
    assert ledger.reads_as(ledger.columns["rectified"], "√", 2023) is True
    assert ledger.reads_as(ledger.columns["complaints"], None, 2023) == 1  # blank: the column's default

"""The demo's folder: `write_demo` writes the synthetic ledgers and a README.md that marks them as such
(paths.SYNTHETIC_MARK, which a clean turns into 示例数据 on every page) and lists them, so that a later run
replaces its own files only and never a real ledger.
"""
from __future__ import annotations

from pathlib import Path

from analysis.demo.build import plan_demo
from analysis.demo.plans import PLANNERS
from analysis.demo.records import DEFAULT_SEED, DEFAULT_YEARS, rng_for
from analysis.demo.render import csv_bytes, xlsx_bytes
from analysis.ingest.spec import load_spec
from analysis.paths import LEDGER_SPEC_DIR, SYNTHETIC_MARK

README_NAME = "README.md"
LIST_BEGIN = "<!-- 文件清单开始 -->"
LIST_END = "<!-- 文件清单结束 -->"


def is_demo_folder(folder: Path) -> bool:
    """True when `folder` holds the demo's synthetic ledgers (its README carries the demo mark)."""
    return _own_previous_files(Path(folder)) is not None


def _own_previous_files(out_dir: Path):
    """The files a previous demo run listed in its README, or None if the folder is not a demo folder."""
    readme = out_dir / README_NAME
    if not readme.is_file():
        return None
    try:
        text = readme.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if SYNTHETIC_MARK not in text or LIST_BEGIN not in text or LIST_END not in text:
        return None
    block = text.split(LIST_BEGIN, 1)[1].split(LIST_END, 1)[0]
    files = {line.strip()[2:].strip() for line in block.splitlines() if line.strip().startswith("- ")}
    return files | {README_NAME}


def _prepare(out_dir: Path) -> None:
    """Refuse a folder holding anything the demo did not write; remove the demo's own previous files."""
    if out_dir.exists() and not out_dir.is_dir():
        raise ValueError(f"“{out_dir}”是一个文件，不是文件夹，无法写入示例数据")
    if not out_dir.exists():
        return
    existing = sorted(p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*") if p.is_file() or p.is_symlink())
    if not existing:
        return
    own = _own_previous_files(out_dir)
    if own is None:
        which = f"“{existing[0]}”" + (f"等 {len(existing)} 个文件" if len(existing) > 1 else "")
        raise ValueError(f"文件夹“{out_dir}”不是空的，也不是示例数据生成的文件夹（其中有{which}）；"
                         "为免覆盖真实台账，未写入任何文件。请指定一个空文件夹或不存在的文件夹。")
    foreign = [p for p in existing if p not in own]
    if foreign:
        more = f"等 {len(foreign)} 个" if len(foreign) > 1 else ""
        raise ValueError(f"文件夹“{out_dir}”中有不是示例数据生成的文件（“{foreign[0]}”{more}）；"
                         "为免覆盖真实台账，未写入任何文件。请移走这些文件或换一个空文件夹。")
    for rel in existing:
        (out_dir / rel).unlink()
    for d in sorted((p for p in out_dir.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
        if not any(d.iterdir()):
            d.rmdir()


def _readme(years, seed, scale, files: dict, rows: dict, spec_dir: Path) -> str:
    ledgers = list(files)
    specs = {ledger: load_spec(ledger, spec_dir) for ledger in ledgers}
    from_specs = [ledger for ledger in ledgers if ledger not in PLANNERS]
    lines = [
        "# 示例数据，非真实台账",
        "",
        SYNTHETIC_MARK,
        "",
        "本文件夹中的台账是 `analysis demo` 按固定随机种子生成的**合成数据（示例数据）**，不是解放区城市管理局的真实台账，",
        "其中的单位名称、地址、人名（如“张某某”）和电话（如“138****0000”）均为虚构，仅用于演示清洗和简报流程。",
        "2023 年的数据按《解放区城市管理局关于 2023 年法治政府建设情况的报告》中的数字构造（如三种经营12000余处、"
        "燃气排查2700余家、扬尘点位2714个、拆除违建9处约4714平方米、行政许可案件794件、非法小广告16300余处，以及年度工作数据）；"
        "每年另有几行故意写错的记录，清洗时应被剔除。",
    ]
    if from_specs:
        lines.append("其中" + "、".join(specs[ledger].label for ledger in from_specs)
                     + "按台账规格文件（ledgers/ 中的 YAML 及其 demo 设置）生成，每年有一行故意写错的记录。")
    lines += [
        "",
        f"- 年份：{'、'.join(str(y) for y in years)}",
        f"- 随机种子：{seed}；规模系数：{scale:g}",
        "- 文件夹：" + "、".join(f"{ledger}（{specs[ledger].topic}）" for ledger in ledgers),
        "",
        "## 各台账记录数（不含故意写错的行）",
        "",
        "| 台账 | " + " | ".join(f"{y}年" for y in years) + " |",
        "|---|" + "---|" * len(years),
    ]
    for ledger in ledgers:
        lines.append(f"| {specs[ledger].label} | " + " | ".join(str(rows[ledger][y]) for y in years) + " |")
    lines += ["", "## 文件清单", "", "再次运行 `analysis demo` 时，只会替换下列文件；文件夹中若有其他文件，将拒绝写入。", "", LIST_BEGIN]
    lines += [f"- {rel}" for ledger in ledgers for rel in files[ledger]]
    lines += [LIST_END, ""]
    return "\n".join(lines)


def write_demo(out_dir: Path, *, years=DEFAULT_YEARS, seed: int = DEFAULT_SEED, scale: float = 1.0,
               spec_dir: Path = LEDGER_SPEC_DIR) -> dict:
    """Write the synthetic raw ledgers into out_dir/<ledger>/… and out_dir/README.md: every ledger that has a
    spec in `spec_dir` (the seven with hand-written plans as they are, any other from its spec alone).

    Returns {ledger: {"files": [relative paths], "rows": {year: records}, "bad_rows": n}}.
    Raises ValueError (message in Chinese) if out_dir holds files the demo did not write.
    """
    out_dir, spec_dir = Path(out_dir), Path(spec_dir)
    years = sorted(set(int(y) for y in years))
    if not years:
        raise ValueError("至少要指定一个年份")
    planned = plan_demo(years=years, seed=seed, scale=scale, spec_dir=spec_dir)
    _prepare(out_dir)
    summary = {ledger: {"files": [], "rows": dict(got.rows), "bad_rows": got.bad_rows}
               for ledger, got in planned.items()}
    outputs = {}
    for ledger, got in planned.items():
        for fp in got.plans:
            rng = rng_for(seed, "render", fp.path)
            if fp.encoding:
                data = csv_bytes(fp.sheets[0], rng, fp.encoding)
            else:
                data = xlsx_bytes(fp.sheets, rng)
            outputs[fp.path] = data
            summary[ledger]["files"].append(fp.path)
    for rel, data in outputs.items():
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    files = {ledger: summary[ledger]["files"] for ledger in planned}
    rows = {ledger: summary[ledger]["rows"] for ledger in planned}
    (out_dir / README_NAME).write_text(_readme(years, seed, scale, files, rows, spec_dir), encoding="utf-8",
                                       newline="\n")
    return summary

"""`analysis briefing`: clean if the raw ledgers changed, execute the notebooks, export the HTML.

Every notebook in notebooks/ is executed with `year` and `processed_dir` injected and exported to
<out>/<year>/<name>.html, where name and title come from the notebook's metadata ("briefing").
With no ledgers in data/raw the demo ledgers are built outside data/raw and used instead.
"""
from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from analysis import atomic, paths
from analysis.demo import is_demo_folder, write_demo
from analysis.pipeline import clean, default_jobs, discover
from analysis.spec import ledger_names

STAMP = "stamp.json"


def _has_ledgers(raw: Path) -> bool:
    if not raw.is_dir():
        return False
    found, _ = discover(raw, ledger_names())
    return any(found.values())


def _fingerprint(year: int, processed: Path, notebooks: list[Path]) -> str:
    """Everything an exported page depends on: the year, the processed data, the notebooks and this package."""
    h = hashlib.sha256(str(year).encode())
    code = [p for p in sorted(paths.PACKAGE_DIR.rglob("*")) if p.is_file() and "__pycache__" not in p.parts]
    data = [p for p in sorted(processed.iterdir()) if not p.name.startswith(".")]  # outputs, not the cache
    for p in [*data, *notebooks, *code]:
        if p.is_file():
            h.update(p.name.encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def _page_text(nb) -> str:
    """All text an exported page can show (for the embedded font subset)."""
    parts = []
    for cell in nb.cells:
        parts.append(cell.source if cell.cell_type == "markdown" else "")
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            parts += [data.get("text/html", ""), data.get("text/plain", ""), output.get("text", "")]
    return "".join(p if isinstance(p, str) else "".join(p) for p in parts)


def build(year: int | None = None, raw: Path = paths.DEFAULT_RAW, processed: Path = paths.DEFAULT_PROCESSED,
          out: Path = paths.DEFAULT_REPORTS, notebooks_dir: Path = paths.DEFAULT_NOTEBOOKS) -> int:
    raw, processed, out, notebooks_dir = Path(raw), Path(processed), Path(out), Path(notebooks_dir)
    notebooks = sorted(notebooks_dir.glob("*.ipynb"))
    if not notebooks:
        print(f"错误：找不到笔记本（{notebooks_dir}/*.ipynb），请在项目根目录运行", file=sys.stderr)
        return 2

    if not _has_ledgers(raw):
        raw, processed = paths.DEFAULT_DEMO_RAW, paths.DEFAULT_DEMO_PROCESSED
        print(f"data/raw 中没有台账，改用示例数据（合成数据，位于 {raw}，不会放进 data/raw）。")
        if not is_demo_folder(raw):
            write_demo(raw)
    # clean() itself returns at once, saying so, when the raw files have not changed since the last run.
    if clean(raw, processed, jobs=default_jobs()).exit_code:
        print("注意：有文件或工作表未能读取（见上），简报照常生成，数据说明中会写明。")

    from analysis import views  # imported here: pandas and matplotlib only once cleaning is settled

    data = views.load(processed)
    try:
        year = views.choose_year(data, year)
    except ValueError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    target = out / str(year)
    build_dir = out / ".build" / str(year)
    stamp = _fingerprint(year, processed, notebooks)
    # The notebooks' metadata read as plain JSON: nbformat (jsonschema, 0.9 s to import) only when they run.
    meta = [json.loads(nb.read_text(encoding="utf-8"))["metadata"]["briefing"] for nb in notebooks]
    outputs = [target / f"{m['output']}.html" for m in meta]
    stamp_file = build_dir / STAMP
    if stamp_file.exists() and json.loads(stamp_file.read_text())["fingerprint"] == stamp and all(p.exists() for p in outputs):
        print(f"数据、笔记本和程序都没有变化，{target} 中的简报已是最新。")
        return 0

    # Imported only when notebooks run: nbformat, papermill and nbconvert take seconds to import,
    # and a warm rebuild (nothing changed) must not pay for them.
    import nbformat

    from analysis import plots, report

    print(f"生成 {year} 年简报：执行 {len(notebooks)} 个笔记本 …")
    try:
        executed = report.execute_notebooks(
            notebooks, {"year": year, "processed_dir": str(processed.resolve())}, workdir=notebooks_dir,
            build_dir=build_dir)
    except report.NotebookFailed as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    pages = {}
    try:
        for nb_path, html_path in zip(executed, outputs):
            nb = nbformat.read(nb_path, as_version=4)
            title = nb.metadata["briefing"]["title"].format(year=year) + (views.DEMO_SUFFIX if data.synthetic else "")
            css = plots.font_face_css(title + _page_text(nb) + "生成日期：0123456789年月日")
            pages[html_path] = report.render_html(nb_path, html_path, title, extra_css=css)
    except report.ReportError as exc:
        print(f"错误：{exc}；{target} 中上一次的简报保持不变。", file=sys.stderr)
        return 1
    atomic.write_all(pages)  # all pages or none: never a mix of this build and the last
    for html_path in pages:
        print(f"  已写出 {html_path}")
    atomic.write_text(stamp_file, json.dumps({"fingerprint": stamp}) + "\n")
    print(f"完成。领导版简报：{target / 'briefing.html'}")
    return 0

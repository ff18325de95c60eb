"""`analysis briefing`: clean if the raw ledgers changed, execute the page notebooks, export the HTML pages.

A page notebook is a notebook in notebooks/ whose metadata has a "briefing" entry:

  {"output": "briefing", "title": "… {report_period} …"}                  one page
  {"output": "{ledger}", "title": "{topic}分析（{period}）", "per_ledger": true}
                                                                         one page per ledger with data

Titles and outputs may use {period} (2023年, 2024年第二季度, 2024年6月, 2024年1—6月), {report_period} (2023年度
for a year), {year}, and for per-ledger pages {ledger}, {label} and {topic}. Each run gets `period` (as the
command line writes it) and `processed_dir` (and `ledger`) as papermill parameters and is exported to
<out>/<period>/<output>.html. A notebook without that metadata (an Untitled.ipynb an analyst left there) is
named and skipped. All pages are written at once, or none (commit.replace_all, as the clean's outputs).

<out>/<period>/ is one build: the pages, the index and the 报表 of the last build and nothing else it wrote. The
stamp (<out>/.build/<period>/stamp.json, committed with the pages) names the files the build wrote there; the next
build removes those it does not write again (a ledger without data now, a page a notebook no longer makes) in the
same journalled change that writes its own (replace_period_folder). Files a user put there are no build's: they are
left, and named on screen.

One briefing at a time per reports folder (a lock), and from one generation of the processed data: the outputs
of the clean are copied, checked against their manifest, into <out>/.build/data, and every page is built from
that copy, so a clean that runs meanwhile cannot mix pages of two runs. The fingerprint that lets an unchanged
briefing be skipped names that data by its manifest (which holds every output's checksum).
"""
from __future__ import annotations

import hashlib
import json
import queue
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from analysis import paths
from analysis.ingest.folder_guide import placement_help
from analysis.ingest.pipeline import clean, default_jobs
from analysis.ingest.spec import ledger_names, load_spec
from analysis.ingest.tables import snapshot
from analysis.report.periods import Period, generation_date, parse_period
from analysis.shared import commit
from analysis.shared.lock import exclusive
from analysis.shared.memory import give_back_freed
from analysis.shared.os_errors import RunError, describe

STAMP = "stamp.json"
REPORT_WORKBOOK = "统计报表.xlsx"  # the Excel 报表 beside the pages
CHECKLIST_WORKBOOK = "待核实清单.xlsx"  # the analyst's list of gaps and records to verify: not for superiors


@dataclass(frozen=True)
class PageNotebook:
    path: Path
    output: str
    title: str
    per_ledger: bool
    group: str  # the heading the index page lists it under
    order: int  # its place in the index


def page_notebooks(notebooks_dir: Path, echo=print) -> list[PageNotebook]:
    """The page notebooks of a folder, in their `order` (then name); every other notebook is named and skipped."""
    found = []
    for path in sorted(Path(notebooks_dir).glob("*.ipynb")):
        # Read as plain JSON: nbformat (jsonschema, 0.9 s to import) only when notebooks run.
        try:
            meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {}).get("briefing")
        except (OSError, ValueError, AttributeError):
            echo(f"跳过 {path}：不是有效的笔记本文件")
            continue
        if not isinstance(meta, dict) or not meta.get("output") or not meta.get("title"):
            echo(f"跳过 {path}：没有简报页面的元数据（metadata 中的 briefing），不是简报页面")
            continue
        try:
            order = int(meta.get("order", 99))
        except (TypeError, ValueError):
            order = 99
        page = PageNotebook(path, str(meta["output"]), str(meta["title"]), bool(meta.get("per_ledger")),
                            str(meta.get("group") or "其他页面"), order)
        try:  # the templates name only the fields a page gets
            fields = _SAMPLE_LEDGER_FIELDS if page.per_ledger else _SAMPLE_FIELDS
            page.output.format(**fields), page.title.format(**fields)
        except (KeyError, IndexError, ValueError) as exc:
            echo(f"跳过 {path}：元数据 briefing 中的 output 或 title 写法有误（{exc}）；"
                 f"可用的占位符：{'、'.join('{' + k + '}' for k in fields)}")
            continue
        found.append(page)
    return sorted(found, key=lambda nb: nb.order)


_SAMPLE_FIELDS = {"year": 2000, "period": "x", "report_period": "x"}
_SAMPLE_LEDGER_FIELDS = {**_SAMPLE_FIELDS, "ledger": "x", "label": "x", "topic": "x"}


@dataclass(frozen=True)
class Page:
    """One page to build: the notebook, the page's name and title, and the parameters of its run."""

    notebook: Path
    name: str
    title: str
    parameters: dict
    group: str


def plan_pages(notebooks: list[PageNotebook], period: Period, processed: Path, ledgers: list[str],
               clean_dir: Path | None = None, history_file: Path | None = None) -> list[Page]:
    """Every page of the period: one per notebook, one per ledger for a per-ledger notebook. `processed` is what the
    pages read (the briefing's snapshot); `clean_dir`, the clean's own folder it was taken from, and `history_file`,
    the figures the last build of the period published, go to the pages that declare them (the data-quality page
    names the annotated copies and what changed). Without either, no notebook is inspected: reading which parameters
    a notebook declares takes papermill and nbformat, seconds to import, and a build with nothing changed needs
    only the pages' names."""
    fields = {"year": period.year, "period": period.label, "report_period": period.report_label}
    pages = []
    for nb in notebooks:
        common = {"period": period.key, "processed_dir": str(Path(processed).resolve())}
        declared = set()
        if clean_dir is not None or history_file is not None:
            from analysis.report.execute import declared_parameters

            declared = declared_parameters(nb.path)
        if clean_dir is not None and "clean_dir" in declared:
            common["clean_dir"] = str(Path(clean_dir).resolve())
        if history_file is not None and "history_file" in declared:
            common["history_file"] = str(Path(history_file).resolve())
        if not nb.per_ledger:
            pages.append(Page(nb.path, nb.output.format(**fields), nb.title.format(**fields), common, nb.group))
            continue
        for ledger in ledgers:
            spec = load_spec(ledger)
            own = {**fields, "ledger": ledger, "label": spec.label, "topic": spec.topic}
            pages.append(Page(nb.path, nb.output.format(**own), nb.title.format(**own), {**common, "ledger": ledger},
                              nb.group))
    return pages


def _fingerprint(period: Period, manifest: bytes, notebooks: list[Path], template: Path | None = None) -> str:
    """Everything an exported page depends on: the period, the processed data (its manifest, which holds the
    checksum of every output), the notebooks (what decides their pages: notebook_key), the office's Word template
    and this package."""
    h = hashlib.sha256(repr(period).encode() + b"\0" + manifest)
    if template is not None and template.is_file():
        h.update(b"template\0" + template.read_bytes())
    for p in notebooks:
        h.update(p.name.encode() + b"\0" + notebook_key(p))
    code = [p for p in sorted(paths.PACKAGE_DIR.rglob("*")) if p.is_file() and "__pycache__" not in p.parts]
    for p in code:
        h.update(p.name.encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def notebook_key(path: Path) -> bytes:
    """What of a notebook decides its pages: the page metadata ("briefing") and each cell's type, source, tags
    (parameters, remove-cell …) and attachments. Not what running and saving it in JupyterLab writes (outputs,
    execution counts, cell ids, kernelspec and language_info, timings, collapsed/scrolled): a notebook saved with
    its outputs builds the same pages, so it must not make the next `analysis briefing` run everything again.
    A file that is not a notebook's JSON counts by its bytes."""
    raw = Path(path).read_bytes()
    try:
        nb = json.loads(raw.decode("utf-8"))
        cells = [{"type": cell.get("cell_type"), "source": _text(cell.get("source", "")),
                  "tags": (cell.get("metadata") or {}).get("tags", []), "attachments": cell.get("attachments")}
                 for cell in nb["cells"]]
        deciding = {"briefing": (nb.get("metadata") or {}).get("briefing"), "cells": cells}
        return json.dumps(deciding, sort_keys=True, ensure_ascii=False).encode("utf-8")
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError):
        return raw


def _text(source) -> str:
    """A cell's source as one string (nbformat stores it as one string or as a list of lines)."""
    return "".join(source) if isinstance(source, list) else str(source)


# The notebooks' git filter (.gitattributes: *.ipynb filter=nbstripout diff=ipynb). nbstripout strips outputs,
# execution counts, timings and collapsed/scrolled, and renumbers cell ids; the extra keys strip what JupyterLab
# rewrites on every kernel start and differs by machine: language_info (its `version` is the Python that ran it).
# The kernelspec is committed exactly as JupyterLab writes it (ipykernel's "Python 3 (ipykernel)", python3), so
# opening, running and saving a notebook leaves git clean.
NOTEBOOK_FILTER_EXTRA_KEYS = ("metadata.language_info",)


def install_notebook_filter(root: Path, echo=print) -> bool:
    """Configure nbstripout as the git filter of the notebooks in the clone at `root`, as `nbstripout --install`
    does, plus its extra keys, when its .gitattributes asks for the filter and git and nbstripout are here. Only
    this repository's own configuration (.git/config) is written, and only what is missing. Unlike nbstripout's
    own install it does not set filter.nbstripout.required: if the virtual environment named in the filter is
    removed, git warns and goes on instead of refusing every command. Whether anything was set; never raises (a
    folder that is no clone, no git, a read-only .git: nothing happens)."""
    import importlib.util
    import shutil
    import subprocess

    root = Path(root)
    try:
        wanted = (root / ".git").exists() and "filter=nbstripout" in (root / ".gitattributes").read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    git = shutil.which("git")
    if not wanted or git is None or importlib.util.find_spec("nbstripout") is None:
        return False

    def get(name: str) -> str:
        done = subprocess.run([git, "-C", str(root), "config", "--local", "--get", name], capture_output=True,
                              text=True, timeout=30)
        return done.stdout.strip() if done.returncode == 0 else ""

    def put(name: str, value: str) -> None:
        subprocess.run([git, "-C", str(root), "config", "--local", name, value], capture_output=True, timeout=30,
                       check=True)

    try:
        changed = False
        command = f'"{Path(sys.executable).as_posix()}" -m nbstripout'
        if not get("filter.nbstripout.clean"):
            put("filter.nbstripout.clean", command)
            put("filter.nbstripout.smudge", "cat")
            put("diff.ipynb.textconv", command + " -t")
            changed = True
        keys = get("filter.nbstripout.extrakeys").split()
        missing = [key for key in NOTEBOOK_FILTER_EXTRA_KEYS if key not in keys]
        if missing:
            put("filter.nbstripout.extrakeys", " ".join([*keys, *missing]))
            changed = True
    except (OSError, subprocess.SubprocessError):
        return False
    if changed:
        echo("已为本项目的 git 仓库设置笔记本过滤器（nbstripout）：在 JupyterLab 中运行并保存笔记本后，"
             "输出和 JupyterLab 改写的元数据不会进入 git。")
    return changed


def _stamped_names(stamp_file: Path) -> set[str] | None:
    """The names of the files the build of `stamp_file` wrote into its period folder; None when the stamp does not
    say (no stamp, an unreadable one, or one of a version that did not list them)."""
    try:
        names = json.loads(stamp_file.read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(names, list):
        return None
    # plain names only: a stamp edited by hand must not reach outside the folder
    return {n for n in names if isinstance(n, str) and n not in ("", ".", "..") and Path(n).name == n
            and "\\" not in n}


def _up_to_date(stamp_file: Path, fingerprint: str, folder: Path, expected: list[Path]) -> bool:
    """Whether `folder` holds the build that `fingerprint` describes: its last build's stamp has that fingerprint
    and names every expected file, and every file it names is there. The Word draft is one of those named: its
    name follows from the period and this package, which the fingerprint holds, so this check needs none of the
    modules that write the draft."""
    try:
        if json.loads(stamp_file.read_text(encoding="utf-8"))["fingerprint"] != fingerprint:
            return False
    except (OSError, ValueError, KeyError, TypeError):
        return False
    names = _stamped_names(stamp_file)
    return (names is not None and {p.name for p in expected} <= names
            and all((folder / name).is_file() for name in names))


def _others(folder: Path, build_names) -> list[str]:
    """What else is in `folder`: files and folders no build wrote (hidden ones and Office's ~$ lock files aside)."""
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir()
                  if p.name not in build_names and not p.name.startswith((".", "~$")))


def replace_period_folder(out: Path, folder: Path, pages: dict, stamp_file: Path, fingerprint: str,
                          earlier_names=()) -> tuple[list[str], list[str]]:
    """Make `folder` (<out>/<period>/) hold exactly this build: write `pages` (path in `folder` → content) and the
    stamp naming them, and remove the files the earlier build wrote there that this one does not, as one journalled
    change (commit.replace_all): an error, a Ctrl-C or a kill at any point leaves the whole earlier build or the
    whole new one. The earlier build's files are those its stamp names; when the stamp does not name them (written
    by an earlier version of this program, or gone), `earlier_names`: the names a build could write there. Nothing
    else is removed. Returns the names removed and the names of what else is in the folder (the user's own)."""
    out, folder = Path(out), Path(folder)
    names = sorted(Path(path).name for path in pages)
    earlier = _stamped_names(stamp_file)
    if earlier is None:
        earlier = set(earlier_names)
    gone = sorted(n for n in earlier - set(names) if (folder / n).is_file())
    stamp = json.dumps({"fingerprint": fingerprint, "files": names}) + "\n"
    commit.replace_all(out, {**pages, stamp_file: stamp}, remove=[folder / n for n in gone])
    return gone, _others(folder, names)


def _name_others(folder: Path, others: list[str]) -> None:
    if others:
        print(f"注意：{folder} 中另有 {len(others)} 个不是简报生成的文件或文件夹，没有删除：{'、'.join(others)}")


def build(period: str | None = None, raw: Path = paths.DEFAULT_RAW, processed: Path = paths.DEFAULT_PROCESSED,
          out: Path = paths.DEFAULT_REPORTS, notebooks_dir: Path = paths.DEFAULT_NOTEBOOKS) -> int:
    """Clean raw into processed when the raw ledgers changed, then build <out>/<period>/*.html for the period
    asked for (2024, 2024-Q2, 2024-06, 2024-01..2024-06; default: the latest complete year). Exit status.
    The pages of a year still running go to <out>/<year>/, as asked, and cover its months so far."""
    raw, processed, out, notebooks_dir = Path(raw), Path(processed), Path(out), Path(notebooks_dir)
    notebooks = page_notebooks(notebooks_dir)
    if not notebooks:
        print(f"错误：找不到简报页面的笔记本（{notebooks_dir}/*.ipynb），请在项目根目录运行", file=sys.stderr)
        return 2
    try:
        with exclusive(out, ".briefing.lock", busy=f"另一个 analysis briefing 正在生成“{out}”中的简报，请等它结束后再运行"):
            commit.recover(out)  # pages that a killed briefing left half replaced are completed first
            return _build(period, raw, processed, out, notebooks_dir, notebooks)
    except RunError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"错误：{describe(exc, out)}", file=sys.stderr)
        return 1


def _build(period, raw: Path, processed: Path, out: Path, notebooks_dir: Path, notebooks: list[PageNotebook]) -> int:
    # clean() itself returns at once, saying so, when the raw files have not changed since the last run.
    if clean(raw, processed, jobs=default_jobs()).exit_code:
        print("注意：有文件或工作表未能读取（见上），简报照常生成，数据说明中会写明。")
    give_back_freed()  # the clean's tables are gone; the pages load them again
    data_dir = out / ".build" / "data"
    manifest = snapshot(processed, data_dir)  # one generation of the processed data, for every page

    # Imported here: pandas only once cleaning is settled; the pages' own modules (matplotlib) only for a build.
    from analysis.report import data as report_data

    data = report_data.load(data_dir)
    if not any(len(table) for table in data.tables.values()):
        print("\n".join(placement_help(raw)), file=sys.stderr)
        return 2
    try:
        chosen = report_data.choose_period(data, period)
    except ValueError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    folder = parse_period(str(period)).key if period is not None else chosen.key
    target = out / folder
    build_dir = out / ".build" / folder
    from analysis.report import revisions

    history_file = target / revisions.HISTORY_FILE  # the last build's, until this one is committed
    template = paths.DEFAULT_DRAFT_TEMPLATE if paths.DEFAULT_DRAFT_TEMPLATE.is_file() else None
    ledgers = report_data.ledgers_with_data(data, chosen)
    stamp = _fingerprint(chosen, manifest, [nb.path for nb in notebooks], template)
    outputs = [target / f"{page.name}.html" for page in plan_pages(notebooks, chosen, data_dir, ledgers)]
    index, report, checklist = target / "index.html", target / REPORT_WORKBOOK, target / CHECKLIST_WORKBOOK
    stamp_file = build_dir / STAMP
    if _up_to_date(stamp_file, stamp, target, [*outputs, index, report, checklist, history_file]):
        print(f"数据、笔记本和程序都没有变化，{target} 中的简报已是最新。")
        _name_others(target, _others(target, _stamped_names(stamp_file)))
        return 0

    # Imported only when notebooks run: nbformat, papermill, nbconvert, matplotlib and python-docx take seconds to
    # import, and a warm rebuild (nothing changed) must not pay for them (nor for reading the notebooks' parameters).
    _without_iri_grammars()
    from analysis.report import draft, execute, export, pages, workbook

    docx = target / draft.draft_name(chosen)
    planned = plan_pages(notebooks, chosen, data_dir, ledgers, clean_dir=processed, history_file=history_file)
    if template is not None:
        try:
            draft.check_template(template)
        except draft.TemplateError as exc:
            print(f"错误：{exc}；{target} 中上一次的简报保持不变。", file=sys.stderr)
            return 2
    print(f"生成{chosen.label}简报：执行 {len(planned)} 个页面 …")
    runs = [execute.NotebookRun(page.notebook, page.name, page.parameters) for page in planned]

    def documents() -> tuple:
        """The history, the 报表, the 待核实清单 and the Word draft: made from the data alone, while the pages run
        (the kernels are processes of their own; this one only waits for them)."""
        history, history_note = revisions.load_history(history_file)
        history, revision = revisions.revise(history, revisions.published(data, chosen, generation_date()), chosen)
        return history_note, revision, {
            history_file: revisions.history_bytes(history),
            report: workbook.workbook_bytes(data, chosen, revision=revision),
            checklist: workbook.checklist_bytes(data, chosen),
            docx: draft.draft_bytes(data, chosen, template=template)}

    beside = _Beside(documents)
    suffix, back = pages.DEMO_SUFFIX if data.synthetic else "", [("← 目录", index.name)]
    ran: queue.SimpleQueue = queue.SimpleQueue()  # (index, executed copy) of each page as its notebook finishes

    def export_pages() -> dict:
        """Each page exported to HTML as soon as its notebook has run, while the others still run (at ~1M rows the
        exports took ~5 s after the last kernel). Each page embeds the font subset of every character it holds
        (export._with_font)."""
        html = {}
        while (item := ran.get()) is not None:
            i, nb_path = item
            html[outputs[i]] = export.render_html(nb_path, outputs[i], planned[i].title + suffix, nav=back)
        return html

    exporting = _Beside(export_pages)
    try:
        execute.execute_notebooks(runs, workdir=notebooks_dir, build_dir=build_dir,
                                  done=lambda i, nb_path: ran.put((i, nb_path)))
    except execute.ReportError as exc:
        if isinstance(exc.__cause__, OSError):  # the disk, not the notebook: name the folder
            print(f"错误：{describe(exc.__cause__, out)}", file=sys.stderr)
        else:
            print(f"错误：{exc}", file=sys.stderr)
        return 1
    finally:
        ran.put(None)  # every page that ran is queued: the exports end after the last
    try:
        html = exporting.result()
        written = {html_path: html[html_path] for html_path in outputs}  # in the pages' order, as before
        history_note, revision, made = beside.result()
        written.update(made)
        groups: dict[str, list] = {}
        for page, html_path in zip(planned, outputs):
            groups.setdefault(page.group, []).append((page.title, html_path.name, ""))
        groups.setdefault("报表", []).extend([
            ("统计报表（Excel）", report.name, "主要指标、各台账分街道分月、数据说明，可直接报送"),
            ("公文稿（Word）", docx.name, "总体情况、分领域情况、主要指标、数据说明，可直接修改后上报"),
            ("待核实清单（Excel）", checklist.name, "可能缺报的月份和待核实的记录，供分析人员核实，不报送"),
        ])
        title = f"{planned[0].title}{suffix} · 目录"
        line = pages.comparison_line(chosen)
        counts = data.checks.counts(chosen)
        notices = [text for text in (history_note, revision.line if revision is not None else None,
                                     _checks_line(counts)) if text]
        alert = revision.alert if revision is not None else ""
        written[index] = export.render_index(title, line, list(groups.items()), notices=tuple(notices), alert=alert)
    except execute.ReportError as exc:
        print(f"错误：{exc}；{target} 中上一次的简报保持不变。", file=sys.stderr)
        return 1
    except draft.TemplateError as exc:  # the template changed while the pages were built
        print(f"错误：{exc}；{target} 中上一次的简报保持不变。", file=sys.stderr)
        return 2
    # Every page a build of these notebooks could write for the period: what an earlier build may have left when
    # its stamp does not name its files.
    possible = [f"{page.name}.html" for page in plan_pages(notebooks, chosen, data_dir, ledger_names())]
    # all pages or none, and nothing of the last build left: never a mix of this build and the last
    gone, others = replace_period_folder(out, target, written, stamp_file, stamp,
                                         earlier_names=[*possible, index.name, report.name])
    for path in [*outputs, report, docx, checklist, index]:
        print(f"  已写出 {path}")
    if gone:
        print(f"  已删除上一次生成、这一次不再生成的 {len(gone)} 个文件：{'、'.join(gone)}")
    _name_others(target, others)
    print(f"完成。目录：{index.resolve()}")
    print(f"Excel 报表：{report.resolve()}")
    print(f"Word 公文稿：{docx.resolve()}" + ("（用了 templates/报告模板.docx 的样式）" if template else ""))
    print(f"领导版简报：{(target / 'briefing.html').resolve()}")
    print(f"数据质量报告（缺报、待核实、变化，剔除的行及原因）：{(target / 'data_quality.html').resolve()}")
    for text in notices:
        print(text)
    if alert:
        print(f"\n！！！ {alert} ！！！\n")
    return 0


def _without_iri_grammars() -> None:
    """nbformat imports jsonschema, which compiles 38 grammars on import (1.2 s, before any page can run) for its
    optional IRI format check when rfc3987-syntax is installed (JupyterLab's jupyter-events brings it). No notebook
    uses that format, and jsonschema goes on without the check when the package cannot be imported, which a None
    in sys.modules makes so for this process (the briefing's own; the kernels are other processes)."""
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)


class _Beside:
    """fn() run in a thread of its own while this one goes on; result() waits for it and returns its value or raises
    its exception. A daemon thread: a Ctrl-C never waits for work whose result nobody will take."""

    def __init__(self, fn):
        self._out: dict = {}
        self._thread = threading.Thread(target=self._run, args=(fn,), daemon=True)
        self._thread.start()

    def _run(self, fn) -> None:
        try:
            self._out["value"] = fn()
        except BaseException as exc:  # handed to the thread that takes the result
            self._out["error"] = exc

    def result(self):
        self._thread.join()
        if "error" in self._out:
            raise self._out["error"]
        return self._out["value"]


def _checks_line(counts: dict) -> str | None:
    """本期和上年同期的台账可能缺报 2 处、待核实 3 项，请先看…。 (None when there is nothing to check)."""
    parts = (([f"可能缺报 {counts['gap']} 处"] if counts["gap"] else [])
             + ([f"待核实 {counts['verify']} 项"] if counts["verify"] else []))
    return ("本期和上年同期的台账" + "、".join(parts) + "，请先看数据质量报告的“请先核查”和待核实清单。"
            if parts else None)

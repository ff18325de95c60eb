"""What goes where in the raw folder, said to a person: the lines `analysis clean` prints when the folder holds no
ledger yet, and the README.md of data/raw and of each ledger folder. The READMEs are written from the specs by
tools/make_raw_readmes.py (a test checks that the committed ones say what the specs say)."""
from __future__ import annotations

import difflib
from pathlib import Path

from analysis.ingest.normalize import header_key
from analysis.ingest.spec import Column, LedgerSpec, ledger_names, load_common, load_spec
from analysis.paths import LEDGER_SPEC_DIR


def placement_help(raw_dir: Path) -> list[str]:
    """Where ledger files go, for a raw folder that holds none yet."""
    lines = [f"{Path(raw_dir).as_posix()} 中还没有台账。请把各台账的 Excel/CSV 文件放进对应的文件夹（文件名随意，"
             "可按年份建子文件夹），再运行 analysis clean："]
    lines += [f"  {(Path(raw_dir) / ledger).as_posix()}/  {load_spec(ledger).label}" for ledger in ledger_names()]
    return lines


def raw_readme() -> str:
    """data/raw/README.md."""
    names = ledger_names()
    rows = "\n".join(f"| `{ledger}/` | {load_spec(ledger).label} |" for ledger in names)
    return f"""# 原始台账放在这里

每种台账一个文件夹，把各中队、各街道报来的 Excel（.xlsx、.xls）或 CSV 文件放进对应的文件夹，文件名随意，
可以按年份建子文件夹（例如 `{names[0]}/2024/`），一个文件可以有多个工作表（例如每月一张）。

| 文件夹 | 台账 |
|---|---|
{rows}

放好后在项目文件夹运行 `analysis clean`（清洗）或 `analysis briefing`（清洗并生成简报）。程序只读这些文件，从不改动它们；
不在上面这些文件夹里的文件不会被读取，清洗时会点名提醒。每个文件夹里的 README.md 写明该台账要有哪些列、各列接受哪些写法。

这里的台账可能含有个人信息：不要把它们提交到代码仓库（.gitignore 已排除本文件夹中除说明以外的所有文件）。
"""


def ledger_readme(spec: LedgerSpec) -> str:
    """data/raw/<ledger>/README.md: what the ledger holds and every header and value spelling the spec accepts."""
    rows = []
    for col in spec.columns:
        name = col.label + (" *" if col.required else "")
        headers = "、".join(dict.fromkeys((col.label, *col.headers)))
        rows.append(f"| {name} | {headers} | {_accepts(col, spec)} |")
    common = load_common()
    personal = "、".join(common.personal_header_words)
    return f"""# {spec.label}（{spec.ledger}）

把{spec.label}的 Excel（.xlsx、.xls）或 CSV 文件放在这个文件夹里：文件名随意，可以按年份建子文件夹（如 `2024/`），
一个文件可以有多个工作表（如每月一张）。表头上方可以有标题行，表头可以是一行，也可以是两行（上面一行是“基本情况”
之类的合并分组）；序号列、合计/小计行、表尾（填报人、审核人等）、空行、隐藏的工作表都会被识别并跳过。

程序按表头认列，下表中任一种表头写法都可以。带 * 的列必须有，缺了整张表不读，并说明缺哪一列。

| 列 | 可用的表头 | 接受的写法 |
|---|---|---|
{chr(10).join(rows)}

表头中含有“{personal}”等字样的列是个人信息，读取时直接丢弃，不会进入清洗结果。

表头或取值的写法认不出时，清洗结果会写明是哪个文件、哪张表、哪一行哪一列；要让程序认识新的写法，在
`src/analysis/ledgers/{spec.ledger}.yaml` 对应列的 `headers:` 或 `values:` 里加一项（街道的写法在
`src/analysis/ledgers/common.yaml`），不需要改程序。
"""


def _accepts(col: Column, spec: LedgerSpec) -> str:
    """One column's accepted values, in a sentence."""
    text = col.kind.accepts(col, spec)
    if col.default is not None:
        text += f"；空白或没有这一列时为“{col.kind.shown(col.default)}”"
    elif col.required:
        text += "；不能空白"
    return text


# Below this similarity a known header is not offered as "the closest": it would mislead more than help.
CLOSE_ENOUGH = 0.5


def header_hint(spec: LedgerSpec, text: str) -> str:
    """How to teach the program an unrecognised header: the closest known header, if any is alike, and the exact
    file and key where to add the new spelling."""
    key = header_key(text)
    known = [(header_key(h), h, col) for col in spec.columns for h in dict.fromkeys((col.label, *col.headers))]
    scored = [(difflib.SequenceMatcher(None, key, k).ratio(), h, col) for k, h, col in known if k]
    score, header, col = max(scored, key=lambda item: item[0], default=(0.0, "", None))
    shown = f"“{text}”"
    if col is None or score < CLOSE_ENOUGH:
        return (f"{shown}：不是本台账已知的表头；如需读取这一列，在 {_spec_file(spec.ledger)} 中对应列的 headers 里加上"
                f"“{key}”（不需要的列可以不管）")
    if col.type == "subdistrict":  # every ledger takes its sub-district headers from common.yaml
        where = f"{_spec_file('common')} 的 subdistrict_headers"
    else:
        where = f"{_spec_file(spec.ledger)} 中 {col.name} 列的 headers"
    return (f"{shown}：最接近的已知表头是“{header}”（{col.label}列）；如果就是这一列，在 {where} 里加上“{key}”")


def values_hint(spec: LedgerSpec, column: str) -> str:
    """Where to teach the program another spelling of a column's values."""
    return f"在 {_spec_file(spec.ledger)} 中 {column} 列的 values 里加上"


def _spec_file(name: str) -> str:
    """A spec file's path as a person finds it: from the project folder when the package lies in one (the same text
    on the screen and on pages built from any folder, in any clone), else in full."""
    path = LEDGER_SPEC_DIR / f"{name}.yaml"
    project = LEDGER_SPEC_DIR.parents[2]  # <project>/src/analysis/ledgers
    if (project / "pyproject.toml").is_file():
        return path.relative_to(project).as_posix()
    return str(path)

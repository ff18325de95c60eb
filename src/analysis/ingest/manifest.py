"""What a run's manifest says to a person: the summary printed after a clean, and the list of problems that the
summary and the data-quality page both show (written once, here)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from analysis.ingest.folder_guide import header_hint, values_hint
from analysis.ingest.records import Manifest
from analysis.ingest.spec import load_spec


@dataclass(frozen=True)
class Problem:
    """One thing in a run that a person should look at."""

    tag: str  # the screen's label: 错误, 提示, 跳过, 剔除, 重复记录, 合计不符, 未识别的表头, 归入其他 (汇总表 and 填表说明 are 跳过)
    topic: str  # the data-quality page's 问题 column: 文件未读取, 重复文件, 工作表未读取, …
    file: str
    sheet: str  # "" when the problem is the whole file's
    text: str

    @property
    def where(self) -> str:
        return f"{self.file} / {self.sheet}" if self.sheet else self.file

    def line(self) -> str:
        return f"[{self.tag}] {self.where}：{self.text}"


def total_mismatch_text(m: dict) -> str:
    """A 合计 row that disagrees with the sum of the rows it totals."""
    return f"第{m['row']}行 {m['column']}：表内合计 {m['sheet_total']:g}，逐行相加 {m['sum_of_rows']:g}"


def total_with_rejects_text(m: dict) -> str:
    """A 合计 row that is right: the rows it totals add up to it once the rejected ones among them are counted."""
    rows = "、".join(map(str, m["rejected_rows"]))
    return (f"第{m['row']}行 {m['column']}：表内合计 {m['sheet_total']:g}，保留的记录相加 {m['sum_of_rows']:g}，"
            f"相差的 {m['in_rejected']:g} 正是剔除的第{rows}行中的数：合计本身没有错，改正这些行后即相符")


def summary_mismatch_text(m: dict) -> str:
    """A summary sheet's figure that disagrees with the detail of the same file."""
    return (f"第{m['row']}行 {m['subdistrict']} {m['column']}：汇总表 {m['summary']:g}，"
            f"明细工作表逐行相加 {m['detail']:g}")


def problems(manifest: Manifest) -> list[Problem]:
    """Every problem of a run, file by file in path order, then the files passed over."""
    found = []
    for f in manifest.files:
        if f.duplicate:
            found.append(Problem("提示", "重复文件", f.file, "", f.reason))
        elif f.reason:
            found.append(Problem("错误" if f.status == "failed" else "提示", "文件未读取", f.file, "", f.reason))
        if f.read_as:
            found.append(Problem("提示", "文件格式", f.file, "",
                                 f"文件名是 {PurePosixPath(f.file).suffix or '无扩展名'}，内容其实是{f.read_as}，已按其实际格式读取"))
        for s in f.sheets or ():
            if not s.read:
                tag = "错误" if s.status == "failed" else "跳过"
                found.append(Problem(tag, "工作表未读取", f.file, s.sheet, s.reason))
            if s.rejected:
                every = "，全部剔除" if not s.kept else ""
                found.append(Problem("剔除", "剔除", f.file, s.sheet,
                                     f"剔除 {s.rejected} 行（共 {s.data_rows} 行数据{every}），原因见 rejects.csv"))
            for g in s.repeated_rows:
                found.append(Problem("重复记录", "重复记录", f.file, s.sheet,
                                     f"第{'、'.join(map(str, g))}行内容完全相同，均已保留；如是重复录入，请在台账中删去多余的行"))
            for m in s.total_mismatches:
                found.append(Problem("合计不符", "合计不符", f.file, s.sheet, total_mismatch_text(m)))
            for m in s.totals_with_rejects:
                found.append(Problem("提示", "合计含剔除行", f.file, s.sheet, total_with_rejects_text(m)))
            for m in s.summary_mismatches:
                found.append(Problem("合计不符", "合计不符", f.file, s.sheet, summary_mismatch_text(m)))
            for header in s.unrecognised_headers:
                found.append(Problem("未识别的表头", "未识别的表头", f.file, s.sheet,
                                     header_hint(load_spec(f.ledger), header)))
    found += [Problem("跳过", "跳过", s["file"], "", s["reason"]) for s in manifest.skipped]
    for ledger, total in manifest.ledgers.items():
        for name, caught in total.catch_all.items():
            found.append(Problem("归入其他", "归入其他", f"{ledger}/", "", catch_all_text(ledger, name, caught)))
        for masked in total.persons.values():
            found.append(Problem("提示", "个人姓名", f"{ledger}/", "",
                                 f"{masked['label']}：{masked['cells']} 个单元格写的是个人姓名，已替换为“［个人］”"
                                 "（个人信息不离开 data/raw；规则见 README 的“个人信息”）"))
    return found


def catch_all_text(ledger: str, column: str, caught: dict) -> str:
    """The values a ledger's catch-all category took in, named with their cells, and how to teach a spelling."""
    listed = "、".join(f"{text}（{cells}）" for text, cells in caught["values"])
    more = f"等 {caught['distinct']} 种写法" if caught["distinct"] > len(caught["values"]) else ""
    return (f"{caught['label']}：{caught['cells']} 个单元格不是已知类别的写法，记为“{caught['other']}”：{listed}{more}；"
            f"如果其中有已知类别的另一种写法，{values_hint(load_spec(ledger), column)}；"
            "要看这些单元格在哪个文件的哪一行，用 analysis check 检查这个台账的文件夹，"
            f"批注副本中这样的单元格批注为“读作：{caught['other']}”")


def summary_lines(manifest: Manifest, out_dir: Path | None = None) -> list[str]:
    """The run's summary as a person reads it: per ledger, then every problem; where rejects.csv is, in full."""
    lines = ["清洗结果："]
    for ledger, s in manifest.ledgers.items():
        extra = f"，重复文件 {s.duplicates} 个" if s.duplicates else ""
        lines.append(f"  {s.label}（{ledger}）：文件 {s.files} 个，工作表 {s.sheets} 张，"
                     f"保留 {s.rows_kept} 行，剔除 {s.rows_rejected} 行{extra}")
    found = problems(manifest)
    if found:
        lines.append("需要注意：")
        lines += ["  " + p.line() for p in found]
    rejected = manifest.rows_rejected
    if rejected:
        where = (Path(out_dir) / "rejects.csv").resolve() if out_dir is not None else "rejects.csv"
        lines.append(f"剔除的 {rejected} 行及原因见 {where}（文件、工作表、行、列、原值、原因）。")
    return lines

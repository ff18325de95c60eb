"""Rendering the demo's sheet plans into workbook and CSV bytes: every value variant written here is one the
ledger specs undo. The .xlsx zip entries and document properties carry a fixed time, so the same plans give
byte-identical files.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import random

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.merge import MergedCellRange

from analysis.demo.plans import SheetPlan
from analysis.demo.records import HAZARD_TYPES, OTHER_KINDS, SURNAMES, pick
from analysis.xlsx import reproducible_xlsx

# A fixed instant for document properties and zip entries (no clock anywhere).
FIXED_TIME = dt.datetime(2024, 1, 2, 9, 0, 0)

# --------------------------------------------------------------------------------------------
# Rendering values: every variant here is one the ledger specs undo.
# --------------------------------------------------------------------------------------------

VARIANTS = {
    "business_type": {"店外经营": ("出店经营", "跨门经营", "突店经营", "店外"),
                      "流动摊贩": ("游商", "流动商贩", "流动摊点", "流动经营"),
                      "占道经营": ("占道",)},
    "action": {"劝导教育": ("劝离", "劝导", "教育劝导"), "责令改正": ("限期整改", "下达整改通知"),
               "暂扣物品": ("暂扣",), "立案处罚": ("立案", "罚款"), "其他": ("移交相关部门", "联合执法")},
    "unit_type": {"餐饮": ("餐饮店", "餐馆", "饭店", "饭馆"), "大型商超": ("商超", "超市", "商场"),
                  "养老机构": ("养老院", "敬老院")},
    "source": {"市级督导": ("市督导", "市级交办", "市督查转办"), "日常巡查": ("巡查", "自查")},
    "method": {"自行拆除": ("自拆",), "依法强制拆除": ("强拆", "强制拆除", "组织拆除")},
    "matter": {"户外广告许可": ("户外广告设置许可", "户外广告设施设置许可"), "临时户外广告审批": ("临时户外广告", "临时性户外广告"),
               "占道审批": ("临时占道", "占用道路审批"), "门头招牌审批": ("门头招牌", "店招", "店招店牌"),
               "外摆经营许可": ("外摆", "店外摆放", "外摆经营")},
    "result": {"准予": ("准予许可", "同意", "批准"), "不予": ("不予许可", "不同意", "驳回")},
    "ad_item": {"宣传条幅": ("条幅", "横幅"), "橱窗广告": ("橱窗", "玻璃贴"), "非法小广告": ("小广告", "牛皮癣"),
                "安全隐患广告招牌": ("隐患招牌", "危险招牌")},
    "disposal": {"清理": ("清除", "铲除"), "拆除": ("强制拆除",)},
    "wf_item": {"理论学习中心组学习": ("理论学习中心组（扩大）会议学习", "中心组学习"), "执法记录仪": ("配备执法记录仪",),
                "审核行政处罚案件": ("行政处罚案件审核",), "行政诉讼案件": ("办理行政诉讼案件",),
                "审核合同协议": ("审核各类合同、协议", "审核合同"), "宣教活动": ("普法宣教活动", "法治宣传活动"),
                "执法工作培训": ("执法培训", "执法人员培训"), "区人大代表建议": ("人大代表建议",), "市政协委员提案": ("市政协提案",),
                "区政协委员提案": ("区政协提案",), "城管服务岗": ("服务岗",), "瓜果（菜）农进城服务站": ("瓜果菜农进城服务站",),
                "果蔬临时销售点": ("临时销售点",), "清理规范性文件": ("规范性文件清理",), "废止规范性文件": ("规范性文件废止",)},
}
FULLWIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")
SUB_SUFFIX = {"canon": "街道", "short": "", "office": "办事处", "full": "街道办事处", "ban": "街道办"}
XLSX_ONLY_DATES = {"date": "iso", "serial": "slash", "compact_num": "compact_text"}
NUMERIC_KEYS = ("places", "hazards_found", "hazards_rectified", "cylinders_seized", "area_m2", "quantity")
CN_DIGITS = "零一二三四五六七八九"


def _date_cell(d: dt.date, form: str, csv_mode: bool):
    if csv_mode:
        form = XLSX_ONLY_DATES.get(form, form)
    if form == "date":
        return d
    if form == "serial":
        # Excel stores every date as its serial number; what makes it a date is the cell's date format (openpyxl
        # writes one for a date). A bare number (45352) shows as a number and is rejected, as an analyst sees it.
        return d
    if form == "iso":
        return d.isoformat()
    if form == "slash":
        return f"{d.year}/{d.month}/{d.day}"
    if form == "dot":
        return f"{d.year}.{d.month}.{d.day}"
    if form == "cn":
        return f"{d.year}年{d.month}月{d.day}日"
    if form == "compact_text":
        return d.strftime("%Y%m%d")
    if form == "compact_num":
        return d.year * 10000 + d.month * 100 + d.day
    if form == "md":
        return f"{d.month}月{d.day}日"
    # With the time of day, as systems export them (the time is made up from the date: no clock, no draws).
    hour, minute = 8 + d.toordinal() % 9, d.toordinal() * 7 % 60
    if form == "dt_slash":
        return f"{d.year}/{d.month}/{d.day} {hour}:{minute:02d}"
    if form == "dt_iso":
        return f"{d.isoformat()} {hour:02d}:{minute:02d}:00"
    if form == "dt_cn":
        return f"{d.year}年{d.month}月{d.day}日{hour}时{minute}分"
    raise ValueError(form)


def _chinese_numeral(n: int) -> str:
    """1..99 as written in words: 三, 十二, 二十, 九十九 (两 for 2, as people say it)."""
    if n == 2:
        return "两"
    tens, ones = divmod(n, 10)
    return (("" if tens == 1 else CN_DIGITS[tens]) + "十" if tens else "") + (CN_DIGITS[ones] if ones else "")


def _count_cell(n: int, form: str, unit: str = "处"):
    if form == "unit" and unit:
        return f"{n}{unit}"
    if form == "fw":
        return str(n).translate(FULLWIDTH)
    if form == "str":
        return str(n)
    if form == "approx" and n >= 5:
        return f"约{n}"
    if form == "cn" and 0 < n < 100:
        return f"{_chinese_numeral(n)}{unit}"
    return n


def _area_text(a: float) -> str:
    return str(int(a)) if float(a).is_integer() else f"{a:.1f}"


def _area_cell(a: float, form: str):
    whole = float(a).is_integer()
    text = _area_text(a)
    if form == "sqm":
        return f"{text}平方米"
    if form == "m2":
        return f"{text}㎡"
    if form == "approx" and whole:
        return f"约{text}"
    if form == "comma" and whole and a >= 1000:
        return f"{int(a):,}"
    if form == "fw":
        return text.translate(FULLWIDTH)
    return int(a) if whole else round(a, 1)


class _Renderer:
    """Turns one record into the raw cells of a row, in a sheet's style."""

    def __init__(self, rng: random.Random, style: dict, csv_mode: bool):
        self.rng, self.s, self.csv = rng, style, csv_mode

    def pick(self, options):
        return pick(self.rng, options)

    def spaced(self, text: str, rate: float, inner: bool = False) -> str:
        """Stray spaces: around the text, and for sub-district names also inside (焦南 街道)."""
        if rate and self.rng.random() < rate:
            r = self.rng.random()
            if r < 0.4 or (r >= 0.7 and not inner):
                return text + " "
            if r < 0.7:
                return " " + text
            if len(text) > 2:
                i = self.rng.randrange(1, len(text))
                return text[:i] + " " + text[i:]
        return text

    def cell(self, key: str, rec: dict):
        rng, s = self.rng, self.s
        v = rec.get(key)
        if key == "date":
            return _date_cell(v, self.pick(s["date"]), self.csv)
        if key == "subdistrict":
            if v is None:
                return None
            text = v.removesuffix("街道") + SUB_SUFFIX[self.pick(s["sub"])]
            return self.spaced(text, s["sub_space"], inner=True)
        if key == "unit_type" and v == "其他":
            if rec.get("illegal_den") or rng.random() >= s["alias"]:
                return "其他"
            # The kind of place as written (宾馆, 小学食堂 …): not a category name, so it reads as 其他.
            return next((k for k in OTHER_KINDS if rec["unit_name"].endswith(k)), "其他")
        if key in VARIANTS:
            if v is None:
                return None
            variants = VARIANTS[key][v]
            if variants and rng.random() < s["alias"]:
                return rng.choice(variants)
            return v
        if key in ("places", "hazards_found", "hazards_rectified", "cylinders_seized"):
            if v == 0 and rng.random() < s["zero_blank"]:
                return None
            form = self.pick(s["count"])
            if key == "cylinders_seized" and form == "unit":
                form = "int"
            return _count_cell(v, form)
        if key == "quantity":
            return _count_cell(v, self.pick(s["count"]), rec["ad_unit"])
        if key == "wf_year":
            form = self.pick(s["wf_year"])
            return {"year_word": f"{v}年", "year_du": f"{v}年度"}.get(form, v)
        if key == "wf_value":
            return _count_cell(v, self.pick(s["wf_value"]), rec["wf_unit"])
        if key == "applicant":
            return self.spaced(v, s["text_space"]) if v else v
        if key == "area_m2":
            form = "comma" if v >= 1000 and float(v).is_integer() and rng.random() < 0.85 else self.pick(s["area"])
            return _area_cell(v, form)
        if key == "illegal_den":
            return self.pick(s["flag_true"]) if v else (self.pick(s["den_false"]) or None)
        if key == "rectified":
            if v is None:
                return None
            return self.pick(s["flag_true"] if v else s["flag_false"])
        if key == "issue_type":
            return v if v != "无" else (self.pick(s["issue_none"]) or None)
        if key in ("unit_name", "site_name"):
            return self.spaced(v, s["text_space"]) if v else v
        if key == "hazards_text":
            n = rec["hazards_found"]
            if not n:
                return rng.choice(("无", None, "未发现隐患"))
            return "、".join(rng.sample(HAZARD_TYPES, min(n, len(HAZARD_TYPES))))
        if key == "seq":
            return None  # numbered by the sheet writer
        if key == "person":
            return rng.choice(SURNAMES) + rng.choice(("某", "某某"))
        if key == "phone":
            return f"1{rng.choice('3589')}{rng.randint(0, 9)}****{rng.randint(0, 9999):04d}"
        if key == "idcard":
            return f"410802********{rng.randint(0, 9999):04d}"
        if key == "remark":
            r = rng.random()
            return None if r < 0.9 else rng.choice(("已拍照留存", "复查无反弹", "示例数据", "当场整改"))
        return v  # location, squad, site_type, address, structure: plain text or None


def _render_sheet(plan: SheetPlan, rng: random.Random, csv_mode: bool):
    """A sheet plan → (rows of raw cells, merged ranges as (r0, c0, r1, c1), 1-based; header rows)."""
    if plan.junk is not None:
        return [list(r) for r in plan.junk], [], []
    keys = [c.key for c in plan.cols]
    ncols = len(keys)
    col_of = {k: i for i, k in enumerate(keys)}
    rows, merges = [], []
    for t in plan.titles:
        rows.append([t] + [None] * (ncols - 1))
        if plan.merge_title and not csv_mode:
            merges.append((len(rows), 1, len(rows), ncols))
    # Header, on one row or on two under merged group cells.
    group_of = {k: g for g, members in plan.groups for k in members}
    if plan.groups:
        top, bottom = [None] * ncols, [None] * ncols
        r1 = len(rows) + 1
        i = 0
        while i < ncols:
            g = group_of.get(keys[i])
            if g is None:
                if csv_mode:
                    bottom[i] = plan.cols[i].header
                else:
                    top[i] = plan.cols[i].header
                    merges.append((r1, i + 1, r1 + 1, i + 1))
                i += 1
                continue
            j = i
            while j + 1 < ncols and group_of.get(keys[j + 1]) == g:
                j += 1
            top[i] = g
            if j > i and not csv_mode:
                merges.append((r1, i + 1, r1, j + 1))
            for k in range(i, j + 1):
                bottom[k] = plan.cols[k].header
            i = j + 1
        rows += [top, bottom]
        header_rows = [r1, r1 + 1]
    else:
        rows.append([c.header for c in plan.cols])
        header_rows = [len(rows)]

    render = (plan.renderer or _Renderer)(rng, plan.style, csv_mode)
    merge = plan.merge if not csv_mode else ()
    seq = 0

    def emit(raw: dict):
        nonlocal seq
        row = [raw.get(k) for k in keys]
        if "seq" in col_of:
            seq += 1
            row[col_of["seq"]] = seq
        rows.append(row)

    def blocks_of(recs):
        if not merge:
            return [[r] for r in recs]
        out, cur, cur_key = [], [], None
        for r in recs:
            k = r[merge[0]]
            if cur and k != cur_key:
                out.append(cur)
                cur = []
            cur.append(r)
            cur_key = k
        if cur:
            out.append(cur)
        return out

    def emit_block(block):
        start = len(rows) + 1
        raws = [{k: render.cell(k, r) for k in keys if k not in merge} for r in block]
        for level, mk in enumerate(merge):
            if mk not in col_of:
                continue
            c = col_of[mk]
            i = 0
            while i < len(block):
                j = i
                key_i = tuple(block[i][m] for m in merge[: level + 1])
                while j + 1 < len(block) and tuple(block[j + 1][m] for m in merge[: level + 1]) == key_i:
                    j += 1
                raws[i][mk] = render.cell(mk, block[i])
                for x in range(i + 1, j + 1):
                    raws[x][mk] = None
                if j > i:
                    merges.append((start + i, c + 1, start + j, c + 1))
                i = j + 1
        for raw in raws:
            emit(raw)

    def total_row(label: str, recs: list):
        row = [None] * ncols
        row[col_of.get("seq", 0)] = label
        for k in NUMERIC_KEYS if plan.summed is None else plan.summed:
            if k in col_of:
                s = sum(r[k] for r in recs)
                row[col_of[k]] = round(s, 1) if k == "area_m2" or isinstance(s, float) else s
        if plan.total_note and "site_name" in col_of:
            row[col_of["site_name"]] = f"共督导检查点位{len(recs)}个"
        if csv_mode:
            row = [x if x is None else (_area_text(x) if isinstance(x, float) else str(x)) for x in row]
        rows.append(row)

    groups = [plan.records]
    if plan.subtotal:
        groups, cur = [], []
        for r in plan.records:
            if cur and r["subdistrict"] != cur[-1]["subdistrict"]:
                groups.append(cur)
                cur = []
            cur.append(r)
        if cur:
            groups.append(cur)
    all_blocks = [b for g in groups for b in blocks_of(g)]
    # Bad rows go between blocks, never inside a merged range, and never in a sheet with totals.
    bad_at = {}
    for key, value in plan.bad:
        if all_blocks:
            pos = rng.randrange(len(all_blocks))
            src = rng.choice(all_blocks[pos])
        else:
            pos, src = 0, None
        bad_at.setdefault(pos, []).append((key, value, src))
    bi = 0
    for g in groups:
        for block in blocks_of(g):
            for key, value, src in bad_at.get(bi, ()):
                if src is not None:
                    raw = {k: render.cell(k, src) for k in keys}
                    raw[key] = value
                    emit(raw)
            emit_block(block)
            bi += 1
            if plan.blank_rate and rng.random() < plan.blank_rate * len(block):
                rows.append([None] * ncols)
        if plan.subtotal:
            total_row("小计", g)
    if plan.total and plan.records:
        if rng.random() < 0.5:
            rows.append([None] * ncols)
        total_row("合计", plan.records)
    if plan.footers:
        rows.append([None] * ncols)
        for footer in plan.footers:
            row = [None] * ncols
            for c, text in footer:
                row[min(c, ncols - 1)] = text
            rows.append(row)
    return rows, merges, header_rows


# --------------------------------------------------------------------------------------------
# Writing files
# --------------------------------------------------------------------------------------------


TITLE_FONT = Font(bold=True, size=14)
HEADER_FONT = Font(bold=True)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def xlsx_bytes(plans: list, rng: random.Random) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    props = wb.properties
    props.creator = "analysis demo（示例数据）"
    props.lastModifiedBy = "analysis demo"
    props.title = "示例数据，非真实台账"
    for plan in plans:
        ws = wb.create_sheet(plan.name)
        ws.sheet_state = plan.state
        rows, merges, header_rows = _render_sheet(plan, rng, csv_mode=False)
        for row in rows:
            ws.append(row)
        # The covered cells are empty already, so the range is registered directly (ws.merge_cells
        # would also rebuild each covered cell and copy borders, a third of the writing time).
        for r0, c0, r1, c1 in merges:
            ws.merged_cells.add(MergedCellRange(ws, f"{get_column_letter(c0)}{r0}:{get_column_letter(c1)}{r1}"))
        if plan.cols:
            for i, _ in enumerate(plan.titles):
                ws.cell(i + 1, 1).font = TITLE_FONT
                ws.cell(i + 1, 1).alignment = CENTER
            for r in header_rows:
                for c in range(1, len(plan.cols) + 1):
                    cell = ws.cell(r, c)
                    if cell.value is not None:
                        cell.font, cell.alignment = HEADER_FONT, CENTER
            for i, col in enumerate(plan.cols):
                width = {"seq": 6, "date": 13, "unit_name": 24, "site_name": 26, "location": 22, "address": 24,
                         "hazards_text": 22}.get(col.key, 12)
                ws.column_dimensions[get_column_letter(i + 1)].width = width
            ws.freeze_panes = ws.cell(header_rows[-1] + 1, 1)
    return reproducible_xlsx(wb, FIXED_TIME)


def csv_bytes(plan: SheetPlan, rng: random.Random, encoding: str) -> bytes:
    rows, _, _ = _render_sheet(plan, rng, csv_mode=True)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buf.getvalue().encode(encoding)

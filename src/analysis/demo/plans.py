"""The demo's layouts: how each ledger's files of a year look (sheet plans), in the messy forms real ledgers
arrive in: title rows, one- or two-row headers under merged group cells, 序号, vertically merged dates and
sub-districts, blank rows, 合计/小计 rows, footers, month sheets, monthly/quarterly files, hidden sheets,
personal-data columns, CSV in UTF-8 (BOM) and GBK. A handful of rows per year are deliberately broken
(`BAD_ROWS`) and must end in rejects.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field

from analysis.demo.records import DUST_NO_SOURCE_MONTHS, SUB_INDEX, SV_NO_PLACES_MONTHS

# Rows that are deliberately broken, (ledger, family) -> [(month, column key, raw value)]; "{y}" is the year.
BAD_ROWS = {
    ("street_vending", 0): [(8, "subdistrict", "解放区")],
    ("street_vending", 1): [(2, "date", "{y}-02-30")],
    ("street_vending", 2): [(7, "subdistrict", "火星街道"), (10, "date", "待定")],
    ("gas_safety", 0): [(11, "date", "{y}.13.2")],
    ("gas_safety", 1): [(6, "date", "待定")],
    ("gas_safety", 2): [(8, "subdistrict", "焦楠街道")],
    ("dust_control", 0): [(5, "date", "待定")],
    ("dust_control", 1): [(4, "subdistrict", "健康产业园区")],
    ("dust_control", 2): [(4, "date", "{y}-13-45")],
    ("demolitions", 0): [(None, "area_m2", "不详")],
    ("demolitions", 1): [],
    ("demolitions", 2): [(None, "area_m2", "不详")],
    ("licensing", 0): [(5, "date", "待定")],
    ("licensing", 1): [(9, "matter", "其他审批")],
    ("licensing", 2): [(6, "matter", "广告审批（待定）")],
    ("city_appearance", 0): [(3, "subdistrict", "火星街道")],
    ("city_appearance", 1): [(7, "ad_item", "垃圾清运")],
    ("city_appearance", 2): [(10, "date", "待定")],
    ("work_figures", 0): [(None, "wf_item", "其他工作")],
    ("work_figures", 1): [],
    ("work_figures", 2): [(None, "wf_value", "待统计")],
}


@dataclass
class Col:
    key: str
    header: str


@dataclass
class SheetPlan:
    name: str
    records: list
    cols: list
    style: dict
    titles: tuple = ()
    merge_title: bool = True
    groups: tuple = ()  # ((group label, (keys…)), …) for two-row headers
    merge: tuple = ()  # keys merged vertically over runs: ("date",), ("date", "subdistrict"), ("subdistrict",)
    subtotal: bool = False  # 小计 after each sub-district (records sorted by sub-district)
    total: bool = True
    total_note: bool = False  # dust: the 合计 row states the number of points
    footers: tuple = ()  # rows of ((column index, text), …)
    blank_rate: float = 0.0
    bad: list = field(default_factory=list)  # [(key, raw value)]
    state: str = "visible"
    junk: list | None = None  # a hidden or empty sheet: raw rows written as they are
    renderer: object = None  # makes the cells of a record: factory(rng, style, csv_mode); None: render._Renderer
    summed: tuple | None = None  # the keys a 合计 row sums; None: render.NUMERIC_KEYS


@dataclass
class FilePlan:
    path: str  # relative to the output folder, with the ledger folder first
    sheets: list
    encoding: str | None = None  # CSV only: "utf-8-sig" or "gbk"


def _c(spec: str) -> list:
    """'seq:序号 date:日期 …' → [Col, …]."""
    return [Col(*item.split(":", 1)) for item in spec.split()]


def _footer_full(year: int, month: int, ncols: int):
    last = calendar.monthrange(year, month)[1]
    return (((0, "填报单位：解放区城市管理局（示例）"), (min(3, ncols - 1), "填报人：王某"), (min(5, ncols - 1), "审核人：李某某"),
             (min(7, ncols - 1), f"填报时间：{year}年{month}月{last}日")),)


FOOTER_NOTE = (((0, "备注：本表为示例数据，非真实台账，仅用于演示。"),),)
FOOTER_ONE_CELL = (((0, "填报人：张某    审核人：刘某某    （示例数据）"),),)
# One merged footer line, as offices write it: several labels, staff names and a phone (masked in the demo).
FOOTER_SIGNED = (((0, "审核：李某某　制表：王某　联系电话：0391-3568888（示例数据）"),),)

# Styles: the forms values are written in. Dates forms: date (a real Excel date), serial (the same: a serial number
# with a date format), iso, slash, dot, cn, compact_text, compact_num, md (3月5日).
BASE_STYLE = dict(
    date=(("date", 1.0),), sub=(("canon", 1.0),), sub_space=0.0, alias=0.25, count=(("int", 1.0),),
    area=(("float", 1.0),), zero_blank=0.0, text_space=0.0, flag_true=(("是", 1.0),), flag_false=(("否", 1.0),),
    den_false=(("", 1.0),), issue_none=(("无", 1.0),),
)


def _style(**kw) -> dict:
    s = dict(BASE_STYLE)
    s.update(kw)
    return s


QUARTER_NAMES = ("一季度", "二季度", "三季度", "四季度")


def _by_month(records) -> dict:
    out = {m: [] for m in range(1, 13)}
    for r in records:
        out[r["date"].month].append(r)
    return out


def _bad_for(ledger: str, fam: int, year: int, month) -> list:
    return [(key, value.replace("{y}", str(year))) for m, key, value in BAD_ROWS[(ledger, fam)] if m == month]


def _hidden_template(title: str, headers: list, year: int) -> SheetPlan:
    junk = [[title], headers, [1, f"{year}年1月1日（示例）", "某某街道", "……"], ["说明：复制本表填写，勿删表头"]]
    return SheetPlan("模板", [], [], BASE_STYLE, state="hidden", junk=junk)


def _hidden_draft(year: int, state="hidden") -> SheetPlan:
    junk = [["草稿，勿用"], ["测试", 123, "火星街道", "不详"], [None], [f"{year + 76}-01-01", "待核实", "约？处"],
            ["这一行不要"]]
    return SheetPlan("草稿", [], [], BASE_STYLE, state=state, junk=junk)


def _plan_street_vending(year: int, records: list, fam: int) -> list:
    months = _by_month(records)
    name = "三种经营整治台账"
    files = []
    if fam == 0:
        cols = _c("seq:序号 date:日期 subdistrict:街道 location:地点 business_type:经营类型 places:数量（处） "
                  "action:处置方式 squad:中队 remark:备注")
        style = _style(date=(("date", 0.92), ("iso", 0.08)), sub=(("canon", 0.75), ("short", 0.15), ("ban", 0.1)),
                       sub_space=0.02, alias=0.3, count=(("int", 0.86), ("unit", 0.1), ("fw", 0.04)))
        sheets = []
        for m in range(1, 13):
            bad = _bad_for("street_vending", fam, year, m)
            sheets.append(SheetPlan(f"{m}月", months[m], cols, style,
                                    titles=(f"解放区城市管理局{name}（示例数据）", f"{year}年{m}月"),
                                    merge=("date",), total=not bad, bad=bad, footers=_footer_full(year, m, len(cols)),
                                    blank_rate=0.004))
        sheets.append(_hidden_template(f"解放区城市管理局{name}（模板）", [c.header for c in cols], year))
        files.append(FilePlan(f"street_vending/{year}年{name}（示例）.xlsx", sheets))
    elif fam == 1:
        groups = (("基本情况", ("date", "subdistrict", "location")), ("整治情况", ("business_type", "places", "action")))
        style = _style(date=(("slash", 0.5), ("serial", 0.3), ("dot", 0.2)),
                       sub=(("office", 0.4), ("canon", 0.3), ("short", 0.2), ("full", 0.1)), sub_space=0.05,
                       alias=0.45, count=(("int", 0.7), ("unit", 0.2), ("str", 0.1)))
        for q in range(1, 5):
            qmonths = range(3 * q - 2, 3 * q + 1)
            recs = [r for m in qmonths for r in months[m]]
            bad = [b for m in qmonths for b in _bad_for("street_vending", fam, year, m)]
            places = "" if set(qmonths) <= SV_NO_PLACES_MONTHS[fam] else "places:处数 "
            cols = _c(f"seq:序号 date:整治日期 subdistrict:所属街道 location:路段 business_type:违规类型 {places}"
                      "action:处理方式 squad:责任中队 person:当事人 phone:联系电话")
            sheets = [SheetPlan("台账", recs, cols, style, titles=(f"解放区城市管理局{name}（示例数据）", f"（{year}年第{q}季度）"),
                                groups=groups, merge=("date", "subdistrict"), total=not bad, bad=bad,
                                footers=FOOTER_NOTE, blank_rate=0.01)]
            if q == 3:
                sheets.append(_hidden_draft(year))
            files.append(FilePlan(f"street_vending/{year}/{year}年第{q}季度{name}.xlsx", sheets))
    else:
        date_forms = {1: "md", 2: "cn", 3: "compact_text", 4: "dot", 5: "iso", 6: "compact_num", 7: "serial",
                      8: "md", 9: "date", 10: "slash", 11: "cn", 12: "date"}
        merges = {1: ("date",), 2: ("date",), 3: ("date",), 4: ("date",), 6: ("date", "subdistrict"),
                  7: ("date", "subdistrict")}
        for m in range(1, 13):
            bad = _bad_for("street_vending", fam, year, m)
            if m <= 6:
                cols = _c("seq:序号 date:检查日期 subdistrict:辖区 location:具体位置 business_type:问题类型 places:清理数量 "
                          "action:处置结果 squad:执法中队")
            else:
                cols = _c("date:日期 subdistrict:街道办事处 location:地址 business_type:经营类型 places:数量（处） "
                          "action:处置方式 squad:中队 person:当事人 phone:联系电话")
            main = date_forms[m]
            other = "iso" if main != "iso" else "slash"
            style = _style(date=((main, 0.9), (other, 0.1)),
                           sub=(("canon", 0.45), ("short", 0.25), ("office", 0.1), ("full", 0.1), ("ban", 0.1)),
                           sub_space=0.04, alias=0.4,
                           count=(("int", 0.66), ("unit", 0.15), ("fw", 0.1), ("str", 0.06), ("approx", 0.03)))
            title = (f"解放区城市管理局{name}（示例数据）{year}年{m}月",)
            csv_enc = {5: "utf-8-sig", 11: "gbk"}.get(m)
            sheet = SheetPlan(f"{m}月", months[m], cols, style, titles=title, merge=() if csv_enc else merges.get(m, ()),
                              total=not bad and m % 4 != 0, bad=bad,
                              footers=FOOTER_ONE_CELL if m % 2 else _footer_full(year, m, len(cols)),
                              blank_rate=0.006 if m in (3, 8, 11) else 0.0)
            stem = f"street_vending/{year}/{year}年{m}月{name}"
            if csv_enc:
                files.append(FilePlan(stem + ".csv", [sheet], encoding=csv_enc))
            else:
                files.append(FilePlan(stem + ".xlsx", [sheet]))
    return files


def _plan_gas_safety(year: int, records: list, fam: int) -> list:
    months = _by_month(records)
    name = "燃气安全隐患排查整治台账"
    files = []
    if fam == 0:
        cols = _c("seq:序号 date:排查日期 subdistrict:街道 unit_name:单位名称 unit_type:单位类型 hazards_found:发现隐患（处） "
                  "hazards_rectified:已整改隐患（处） hazards_text:存在问题 cylinders_seized:查扣不合格钢瓶（个） "
                  "illegal_den:黑窝点 person:负责人 phone:联系电话")
        groups = (("基本情况", ("date", "subdistrict", "unit_name", "unit_type")),
                  ("隐患情况", ("hazards_found", "hazards_rectified", "hazards_text")))
        style = _style(date=(("date", 0.95), ("slash", 0.05)), sub=(("canon", 0.8), ("short", 0.2)), alias=0.3,
                       count=(("int", 0.9), ("unit", 0.1)), zero_blank=0.6, flag_true=(("是", 0.7), ("√", 0.3)),
                       den_false=(("", 0.7), ("否", 0.3)))
        sheets = []
        for m in range(1, 13):
            bad = _bad_for("gas_safety", fam, year, m)
            sheets.append(SheetPlan(f"{m}月", months[m], cols, style, titles=(f"解放区城市管理局{name}（示例数据）", f"{year}年{m}月"),
                                    groups=groups, merge=("date",), total=not bad, bad=bad,
                                    footers=_footer_full(year, m, len(cols)), blank_rate=0.003))
        sheets.append(_hidden_draft(year))
        files.append(FilePlan(f"gas_safety/{year}年{name}（示例）.xlsx", sheets))
    elif fam == 1:
        cols = _c("seq:序号 date:检查日期 subdistrict:所属街道 unit_name:商户名称 unit_type:类别 hazards_found:隐患数量 "
                  "hazards_rectified:整改数 cylinders_seized:查扣液化气钢瓶 illegal_den:是否黑窝点 person:法人代表 phone:手机")
        style = _style(date=(("cn", 0.6), ("iso", 0.4)), sub=(("canon", 0.5), ("office", 0.3), ("ban", 0.2)),
                       sub_space=0.03, alias=0.5, count=(("int", 0.8), ("fw", 0.1), ("unit", 0.1)), zero_blank=0.3,
                       flag_true=(("是", 0.5), ("√", 0.5)), den_false=(("否", 0.6), ("×", 0.2), ("", 0.2)),
                       text_space=0.01)
        for m in range(1, 13):
            recs = sorted(months[m], key=lambda r: (SUB_INDEX[r["subdistrict"]], r["date"], r["unit_name"]))
            bad = _bad_for("gas_safety", fam, year, m)
            sheets = [SheetPlan(f"{m}月", recs, cols, style, titles=(f"{year}年{m}月燃气安全隐患排查台账（示例数据）",),
                                merge=("subdistrict",), subtotal=not bad, total=not bad, bad=bad,
                                footers=_footer_full(year, m, len(cols)))]
            if m in (3, 9):
                sheets.append(SheetPlan("Sheet2", [], [], BASE_STYLE, junk=[]))
            files.append(FilePlan(f"gas_safety/{year}/{year}年{m:02d}月燃气排查台账.xlsx", sheets))
    else:
        base = ("seq:序号 date:排查时间 subdistrict:街道办事处 unit_name:场所名称 unit_type:行业类别 hazards_found:隐患数 "
                "hazards_rectified:整改隐患 cylinders_seized:暂扣钢瓶 illegal_den:非法储存销售点")
        quarter = {
            1: dict(cols=_c(base), date=(("serial", 0.6), ("date", 0.4)), merge=("date",),
                    groups=(("基本情况", ("date", "subdistrict", "unit_name", "unit_type")),
                            ("隐患情况", ("hazards_found", "hazards_rectified")))),
            2: dict(cols=_c(base + " person:负责人 idcard:身份证号"), date=(("md", 0.85), ("cn", 0.15)), merge=(), groups=()),
            3: dict(cols=_c(base + " remark:备注"), date=(("dot", 0.8), ("iso", 0.2)), merge=("date", "subdistrict"),
                    groups=()),
            4: dict(cols=_c(base), date=(("compact_num", 0.5), ("compact_text", 0.5)), merge=(), groups=()),
        }
        style0 = dict(sub=(("canon", 0.4), ("short", 0.2), ("office", 0.15), ("full", 0.15), ("ban", 0.1)),
                      sub_space=0.04, alias=0.45, count=(("int", 0.8), ("unit", 0.1), ("fw", 0.1)), zero_blank=0.4,
                      flag_true=(("是", 0.4), ("√", 0.4), ("✓", 0.2)), den_false=(("", 0.6), ("否", 0.2), ("×", 0.2)),
                      text_space=0.01)
        for q in range(1, 5):
            cfg = quarter[q]
            style = _style(date=cfg["date"], **style0)
            sheets = []
            for m in range(3 * q - 2, 3 * q + 1):
                if m == 12:
                    continue
                bad = _bad_for("gas_safety", fam, year, m)
                sheets.append(SheetPlan(f"{m}月", months[m], cfg["cols"], style,
                                        titles=("解放区城市管理局燃气安全排查台账（示例数据）", f"{year}年{m}月"),
                                        groups=cfg["groups"], merge=cfg["merge"], total=not bad, bad=bad,
                                        footers=FOOTER_NOTE if q % 2 else _footer_full(year, m, len(cfg["cols"])),
                                        blank_rate=0.003 if q == 3 else 0.0))
            sheets.append(_hidden_template("燃气安全排查台账（模板）", [c.header for c in cfg["cols"]], year))
            files.append(FilePlan(f"gas_safety/{year}/{year}年第{q}季度燃气安全排查台账.xlsx", sheets))
        # December as a GBK CSV (exported from another system).
        style = _style(date=(("iso", 0.7), ("cn", 0.3)), **{**style0, "flag_true": (("是", 0.5), ("√", 0.5))})
        bad = _bad_for("gas_safety", fam, year, 12)
        sheet = SheetPlan("12月", months[12], _c(base), style, titles=(f"解放区城市管理局燃气安全排查台账（示例数据）{year}年12月",),
                          total=not bad, bad=bad, footers=FOOTER_NOTE)
        files.append(FilePlan(f"gas_safety/{year}/{year}年12月燃气安全排查台账.csv", [sheet], encoding="gbk"))
    return files


def _plan_dust_control(year: int, records: list, fam: int) -> list:
    months = _by_month(records)
    name = "扬尘管控点位督导检查台账"
    files = []
    issue_none = (("无", 0.5), ("", 0.3), ("—", 0.1), ("-", 0.1))
    if fam == 0:
        for q in range(1, 5):
            qmonths = range(3 * q - 2, 3 * q + 1)
            recs = [r for m in qmonths for r in months[m]]
            bad = [b for m in qmonths for b in _bad_for("dust_control", fam, year, m)]
            with_source = not set(qmonths) <= DUST_NO_SOURCE_MONTHS[fam]
            source = "source:问题来源 " if with_source else ""
            cols = _c(f"seq:序号 date:日期 subdistrict:街道 site_name:工地名称 site_type:工地类型 issue_type:存在问题 "
                      f"{source}rectified:整改情况")
            date = {1: (("iso", 1.0),), 2: (("slash", 1.0),), 3: (("cn", 1.0),),
                    4: (("iso", 0.6), ("compact_text", 0.4))}[q]
            enc = "gbk" if q in (1, 3) else "utf-8-sig"
            style = _style(date=date, sub=(("canon", 0.7), ("short", 0.3)), sub_space=0.02, alias=0.4,
                           flag_true=(("已整改", 0.6), ("是", 0.2), ("√", 0.2)),
                           flag_false=(("未整改", 0.6), ("否", 0.2), ("×", 0.2)), issue_none=issue_none)
            sheet = SheetPlan(f"第{q}季度", recs, cols, style, titles=(f"解放区城市管理局{name}（示例数据）", f"{year}年第{q}季度"),
                              total=not bad, total_note=True, bad=bad, footers=FOOTER_NOTE + FOOTER_ONE_CELL)
            files.append(FilePlan(f"dust_control/{year}/{year}年第{q}季度扬尘督导检查台账.csv", [sheet], encoding=enc))
    elif fam == 1:
        cols = _c("seq:序号 date:督导日期 subdistrict:办事处 site_name:点位名称 site_type:点位类型 issue_type:发现问题 "
                  "source:来源 rectified:是否整改 person:建设/施工单位责任人 phone:联系电话")
        style = _style(date=(("date", 0.7), ("serial", 0.3)), sub=(("office", 0.5), ("canon", 0.3), ("short", 0.2)),
                       alias=0.5, flag_true=(("是", 0.5), ("√", 0.3), ("已整改", 0.2)),
                       flag_false=(("否", 0.5), ("×", 0.3), ("未整改", 0.2)), issue_none=issue_none)
        sheets = []
        for m in range(1, 13):
            bad = _bad_for("dust_control", fam, year, m)
            sheets.append(SheetPlan(f"{m}月", months[m], cols, style, titles=(f"解放区城市管理局{name}（示例数据）", f"{year}年{m}月"),
                                    merge=("date",), total=not bad, total_note=True, bad=bad,
                                    footers=_footer_full(year, m, len(cols)), blank_rate=0.004))
        sheets.append(_hidden_template(f"{name}（模板）", [c.header for c in cols], year))
        sheets.append(_hidden_draft(year, state="veryHidden"))
        files.append(FilePlan(f"dust_control/{year}年{name}（示例）.xlsx", sheets))
    else:
        cols = _c("seq:序号 date:督导日期 subdistrict:街道 site_name:点位名称 site_type:点位类型 issue_type:存在问题 "
                  "source:问题来源 rectified:整改情况 person:建设/施工单位责任人 phone:联系电话")
        groups = (("基本情况", ("date", "subdistrict", "site_name", "site_type")),
                  ("整治情况", ("issue_type", "source", "rectified")))
        date_forms = {1: "date", 2: "serial", 3: "md", 4: "cn", 5: "dot", 6: "compact_text", 7: "iso", 8: "slash",
                      9: "compact_num", 10: "md", 11: "date", 12: "cn"}
        for m in range(1, 13):
            bad = _bad_for("dust_control", fam, year, m)
            main = date_forms[m]
            style = _style(date=((main, 0.92), ("iso" if main != "iso" else "cn", 0.08)),
                           sub=(("canon", 0.45), ("short", 0.25), ("office", 0.1), ("full", 0.1), ("ban", 0.1)),
                           sub_space=0.04, alias=0.5, flag_true=(("已整改", 0.5), ("是", 0.2), ("√", 0.2), ("✓", 0.1)),
                           flag_false=(("未整改", 0.5), ("否", 0.25), ("×", 0.25)), issue_none=issue_none,
                           text_space=0.01)
            sheet = SheetPlan(f"{m}月", months[m], cols, style, titles=(f"解放区城市管理局{name}（示例数据）", f"{year}年{m}月"),
                              groups=groups, merge=("date", "subdistrict") if m % 3 else ("date",),
                              total=not bad and m % 2 == 0, total_note=True, bad=bad,
                              footers=_footer_full(year, m, len(cols)) if m % 3 else FOOTER_NOTE,
                              blank_rate=0.005 if m in (5, 10) else 0.0)
            q = (m - 1) // 3
            files.append(FilePlan(f"dust_control/{year}/{QUARTER_NAMES[q]}/{year}年{m}月扬尘管控督导台账.xlsx", [sheet]))
    return files


def _plan_demolitions(year: int, records: list, fam: int) -> list:
    name = "违法建设拆除台账"
    bad = _bad_for("demolitions", fam, year, None)
    area_forms = (("float", 0.3), ("sqm", 0.25), ("m2", 0.2), ("approx", 0.1), ("comma", 0.1), ("fw", 0.05))
    if fam == 0:
        cols = _c("seq:序号 date:拆除日期 subdistrict:街道 address:违建地址 structure:结构类型 area_m2:拆除面积（平方米） "
                  "method:拆除方式 person:当事人 idcard:身份证号")
        style = _style(date=(("date", 1.0),), sub=(("canon", 0.6), ("short", 0.4)), alias=0.5, area=area_forms)
        sheets = [SheetPlan("违建拆除", records, cols, style, titles=(f"解放区城市管理局{year}年{name}（示例数据）",),
                            total=not bad, bad=bad, footers=_footer_full(year, 12, len(cols))),
                  _hidden_template(f"{name}（模板）", [c.header for c in cols], year)]
        return [FilePlan(f"demolitions/{year}年{name}（示例）.xlsx", sheets)]
    if fam == 1:
        cols = _c("seq:序号 date:日期 subdistrict:所属街道 address:地址 structure:结构 area_m2:面积(㎡) method:处置方式 "
                  "person:业主姓名 phone:业主电话")
        style = _style(date=(("iso", 0.5), ("cn", 0.5)), sub=(("canon", 0.5), ("office", 0.5)), alias=0.5,
                       area=area_forms)
        sheet = SheetPlan("违建拆除", records, cols, style, titles=(f"{year}年解放区违法建设拆除台账（示例数据）",),
                          total=not bad, bad=bad, footers=FOOTER_NOTE)
        return [FilePlan(f"demolitions/{year}年违建拆除台账.csv", [sheet], encoding="utf-8-sig")]
    cols = _c("seq:序号 date:拆除日期 subdistrict:辖区 address:违建详细地址 structure:违建类型 area_m2:拆除面积（㎡） "
              "method:拆除方式 person:当事人 phone:联系电话")
    groups = (("基本情况", ("date", "subdistrict", "address", "structure")), ("整治情况", ("area_m2", "method")))
    style = _style(date=(("cn", 1.0),), sub=(("canon", 0.4), ("short", 0.3), ("full", 0.3)), alias=0.6, area=area_forms)
    sheets = [SheetPlan("拆除台账", records, cols, style, titles=(f"解放区城市管理局{name}（示例数据）", f"（{year}年度）"),
                        groups=groups, total=not bad, bad=bad, footers=_footer_full(year, 12, len(cols))),
              _hidden_draft(year)]
    return [FilePlan(f"demolitions/{year}年{name}（示例）.xlsx", sheets)]


def _plan_licensing(year: int, records: list, fam: int) -> list:
    months = _by_month(records)
    name = "行政审批台账"
    result_forms = dict(alias=0.4)
    if fam == 0:  # one workbook, a sheet a quarter, dates merged down the runs
        cols = _c("seq:序号 date:受理日期 matter:审批事项 applicant:申请单位 address:设置地点 subdistrict:所属街道 "
                  "result:审批结果 person:联系人 phone:联系电话")
        style = _style(date=(("date", 0.9), ("iso", 0.1)), sub=(("canon", 0.6), ("short", 0.4)), **result_forms)
        sheets = []
        for q in range(1, 5):
            qmonths = range(3 * q - 2, 3 * q + 1)
            bad = [b for m in qmonths for b in _bad_for("licensing", fam, year, m)]
            sheets.append(SheetPlan(f"第{QUARTER_NAMES[q - 1]}", [r for m in qmonths for r in months[m]], cols, style,
                                    titles=(f"解放区城市管理局{year}年{name}（示例数据）",), merge=("date",), total=not bad,
                                    bad=bad, footers=_footer_full(year, 3 * q, len(cols))))
        return [FilePlan(f"licensing/{year}年{name}（示例）.xlsx", sheets)]
    if fam == 1:  # exported from the approval system: dates with a time, two half-year CSV files
        cols = _c("date:办结日期 matter:许可事项 applicant:申请人单位 address:经营地址 subdistrict:街道 result:办理结果")
        style = _style(date=(("dt_slash", 0.6), ("dt_iso", 0.4)), sub=(("canon", 0.5), ("office", 0.3), ("ban", 0.2)),
                       **result_forms)
        files = []
        for half, hmonths in ((1, range(1, 7)), (2, range(7, 13))):
            bad = [b for m in hmonths for b in _bad_for("licensing", fam, year, m)]
            sheet = SheetPlan("办件明细", [r for m in hmonths for r in months[m]], cols, style,
                              titles=(f"行政审批办件明细（示例数据）{year}年{'上' if half == 1 else '下'}半年",), total=False,
                              bad=bad)
            files.append(FilePlan(f"licensing/{year}/{year}年{'上' if half == 1 else '下'}半年审批办件导出.csv", [sheet],
                                  encoding="utf-8-sig"))
        return files
    # One workbook per kind of matter, a sheet a month, a two-row header under merged groups.
    groups = (("基本情况", ("date", "applicant", "address", "subdistrict")), ("审批情况", ("matter", "result")))
    cols = _c("seq:序号 date:受理日期 applicant:申请单位 address:设置地点 subdistrict:辖区 matter:事项名称 result:办理结果")
    style = _style(date=(("cn", 0.5), ("dt_cn", 0.3), ("iso", 0.2)), sub=(("canon", 0.5), ("short", 0.3), ("ban", 0.2)),
                   **result_forms)
    books = (("户外广告审批台账", ("户外广告许可", "临时户外广告审批", "占道审批")), ("门头招牌审批台账", ("门头招牌审批",)),
             ("外摆经营许可台账", ("外摆经营许可",)))
    files = []
    for title, matters in books:
        sheets = []
        for m in range(1, 13):
            recs = [r for r in months[m] if r["matter"] in matters]
            bad = _bad_for("licensing", fam, year, m) if title == books[0][0] else []
            sheets.append(SheetPlan(f"{m}月", recs, cols, style, titles=(f"解放区城市管理局{title}（示例数据）", f"{year}年{m}月"),
                                    groups=groups, total=bool(recs) and not bad, bad=bad,
                                    footers=FOOTER_SIGNED if m % 2 else FOOTER_NOTE))
        files.append(FilePlan(f"licensing/{year}/{year}年{title}（示例）.xlsx", sheets))
    return files


def _plan_city_appearance(year: int, records: list, fam: int) -> list:
    months = _by_month(records)
    name = "市容秩序整治台账"
    files = []
    if fam == 0:  # a file a month, 小计 after each sub-district
        cols = _c("seq:序号 date:日期 subdistrict:街道 location:路段 ad_item:整治项目 quantity:数量 ad_unit:单位 disposal:处置方式 "
                  "remark:备注")
        style = _style(sub=(("canon", 0.7), ("short", 0.3)), count=(("int", 0.8), ("unit", 0.15), ("cn", 0.05)), alias=0.3)
        for m in range(1, 13):
            recs = sorted(months[m], key=lambda r: (SUB_INDEX[r["subdistrict"]], r["date"]))
            bad = _bad_for("city_appearance", fam, year, m)
            sheet = SheetPlan(f"{m}月", recs, cols, style, titles=(f"解放区城市管理局{name}（示例数据）", f"{year}年{m}月"),
                              merge=("subdistrict",), subtotal=not bad, total=not bad, bad=bad,
                              footers=_footer_full(year, m, len(cols)))
            files.append(FilePlan(f"city_appearance/{year}/{year}年{m}月{name}.xlsx", [sheet]))
        return files
    if fam == 1:  # a workbook a quarter, a sheet a month, two-row header
        groups = (("基本情况", ("date", "subdistrict", "location")), ("整治情况", ("ad_item", "quantity", "ad_unit", "disposal")))
        cols = _c("seq:序号 date:清理日期 subdistrict:所属街道 location:具体位置 ad_item:整治内容 quantity:清理数量 ad_unit:计量单位 "
                  "disposal:处理方式")
        style = _style(date=(("slash", 0.6), ("dot", 0.4)), sub=(("office", 0.4), ("canon", 0.4), ("short", 0.2)),
                       count=(("int", 0.7), ("unit", 0.2), ("fw", 0.1)), alias=0.5)
        for q in range(1, 5):
            sheets = []
            for m in range(3 * q - 2, 3 * q + 1):
                bad = _bad_for("city_appearance", fam, year, m)
                sheets.append(SheetPlan(f"{m}月", months[m], cols, style, titles=(f"{year}年{m}月{name}（示例数据）",),
                                        groups=groups, merge=("date",), total=not bad, bad=bad, footers=FOOTER_NOTE))
            files.append(FilePlan(f"city_appearance/{year}/{year}年第{q}季度{name}.xlsx", sheets))
        return files
    # 2023: a file a month; dates with a time, counts in Chinese numerals, a signed footer line
    cols = _c("seq:序号 date:整治日期 subdistrict:辖区 location:地点 ad_item:项目 quantity:数量 ad_unit:单位 disposal:处置方式")
    for m in range(1, 13):
        style = _style(date=(("dt_cn", 0.3), ("iso", 0.4), ("date", 0.3)),
                       sub=(("canon", 0.5), ("short", 0.2), ("ban", 0.2), ("full", 0.1)), sub_space=0.03,
                       count=(("int", 0.6), ("unit", 0.2), ("cn", 0.15), ("approx", 0.05)), alias=0.45)
        bad = _bad_for("city_appearance", fam, year, m)
        sheet = SheetPlan(f"{m}月", months[m], cols, style, titles=(f"解放区城市管理局{name}（示例数据）{year}年{m}月",),
                          merge=("date",), total=not bad and m % 3 != 0, bad=bad,
                          footers=FOOTER_SIGNED if m % 2 else _footer_full(year, m, len(cols)))
        files.append(FilePlan(f"city_appearance/{year}/{year}年{m}月{name}（示例）.xlsx", [sheet]))
    return files


def _plan_work_figures(year: int, records: list, fam: int) -> list:
    name = "年度工作数据表"
    bad = _bad_for("work_figures", fam, year, None)
    if fam == 0:
        cols = _c("seq:序号 wf_year:年度 wf_item:项目 wf_value:数值 wf_unit:单位 wf_note:说明")
        style = _style(wf_year=(("int", 1.0),), wf_value=(("int", 1.0),), alias=0.3)
        sheet = SheetPlan("年度数据", records, cols, style, titles=(f"解放区城市管理局{year}年度工作数据（示例数据）",),
                          total=False, bad=bad, footers=_footer_full(year, 12, len(cols)))
        return [FilePlan(f"work_figures/{year}年{name}（示例）.xlsx", [sheet])]
    if fam == 1:
        cols = _c("wf_year:年份 wf_item:工作项目 wf_value:完成数 wf_unit:计量单位")
        style = _style(wf_year=(("year_word", 1.0),), wf_value=(("unit", 1.0),), alias=0.6)
        sheet = SheetPlan("年度数据", records, cols, style, titles=(f"{year}年度工作数据（示例数据）",), total=False, bad=bad,
                          footers=FOOTER_NOTE)
        return [FilePlan(f"work_figures/{year}年度工作数据.csv", [sheet], encoding="gbk")]
    cols = _c("seq:序号 wf_year:统计年度 wf_item:指标名称 wf_value:数据 wf_unit:单位 wf_note:情况说明")
    style = _style(wf_year=(("year_du", 1.0),), wf_value=(("int", 0.6), ("unit", 0.2), ("fw", 0.2)), alias=0.5)
    sheet = SheetPlan("工作数据", records, cols, style, titles=(f"解放区城市管理局{name}（示例数据）", f"（{year}年度）"),
                      total=False, bad=bad, footers=FOOTER_SIGNED)
    return [FilePlan(f"work_figures/{year}年{name}（示例）.xlsx", [sheet])]


PLANNERS = {"street_vending": _plan_street_vending, "gas_safety": _plan_gas_safety,
            "dust_control": _plan_dust_control, "demolitions": _plan_demolitions, "licensing": _plan_licensing,
            "city_appearance": _plan_city_appearance, "work_figures": _plan_work_figures}

"""Synthetic demo ledgers (示例数据): the project's embedded default dataset, 2021–2023.

Two stages. First the *records*: for every ledger and year a list of rows with canonical values
(dates, the nine sub-district names, canonical categories, exact numbers), built so that the 2023
rows reproduce the figures of the 2023 report exactly (see `BASE_TARGETS`). Then the *rendering*:
the records are written into messy workbooks the way real ledgers arrive — title rows, one- or
two-row headers under merged group cells, 序号, vertically merged dates and sub-districts, blank
rows, 合计/小计 rows, footers, month sheets, monthly/quarterly files, hidden sheets, personal-data
columns, CSV in UTF-8 (BOM) and GBK, and the header, value, date and number variants listed in the
domain guide. Every variant used can be undone by the ledger specs, so the cleaner recovers the
records; a handful of rows per year are deliberately broken (`BAD_ROWS`) and must end in rejects.

Everything is drawn from `random.Random` streams seeded by (seed, ledger, year, purpose), no
clock or global state is used, and the .xlsx zip entries and document properties carry a fixed
time: the same arguments give byte-identical files.
"""
from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import math
import random
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.writer.excel import ExcelWriter

__all__ = ["write_demo", "generate_records", "DEFAULT_SEED", "DEFAULT_YEARS", "BAD_ROWS"]

DEFAULT_SEED = 20231231
DEFAULT_YEARS = (2021, 2022, 2023)
LEDGERS = ("street_vending", "gas_safety", "dust_control", "demolitions")

SUBDISTRICTS = ("民生街道", "民主街道", "新华街道", "焦西街道", "焦南街道", "焦北街道", "七百间街道", "上白作街道", "王褚街道")
SUB_INDEX = {name: i for i, name in enumerate(SUBDISTRICTS)}
SQUADS = dict(zip(SUBDISTRICTS, ("一中队", "二中队", "三中队", "四中队", "五中队", "六中队", "七中队", "八中队", "九中队")))

# A fixed instant for document properties and zip entries (no clock anywhere).
FIXED_TIME = dt.datetime(2024, 1, 2, 9, 0, 0)
EXCEL_EPOCH = dt.date(1899, 12, 30)

README_NAME = "README.md"
README_MARK = "<!-- analysis-demo：本文件夹由 analysis demo 生成 -->"
LIST_BEGIN = "<!-- 文件清单开始 -->"
LIST_END = "<!-- 文件清单结束 -->"

# --------------------------------------------------------------------------------------------
# Targets. 2023 reproduces the report; 2021 and 2022 are lower so that year-over-year means something.
# --------------------------------------------------------------------------------------------

BASE_TARGETS = {
    2021: dict(sv_rows=3640, sv_places=10158,
               gas_units={"餐饮": 1952, "大型商超": 74, "养老机构": 27, "其他": 248}, gas_dens=9,
               gas_catering_rows=4386, gas_rectified=391, gas_open=22, gas_cylinders=121,
               dust_rows=2146, dust_rectified=112, dust_open=17, dust_city=38, dust_city_clean=12,
               demo_rows=14, demo_tenths=61205),
    2022: dict(sv_rows=4060, sv_places=11237,
               gas_units={"餐饮": 2139, "大型商超": 80, "养老机构": 29, "其他": 275}, gas_dens=7,
               gas_catering_rows=4871, gas_rectified=468, gas_open=19, gas_cylinders=152,
               dust_rows=2417, dust_rectified=131, dust_open=15, dust_city=44, dust_city_clean=15,
               demo_rows=11, demo_tenths=52103),
    # The 2023 report: 三种经营12000余处; 2700余家 (2321+86+31+303+5 = 2746); 餐饮5000余次; 526处; 187个; 5处;
    # 扬尘点位2714个; 市级督导问题50个; 整改147处; 拆除违建9处、约4714平方米 (4713.9).
    2023: dict(sv_rows=4478, sv_places=12386,
               gas_units={"餐饮": 2321, "大型商超": 86, "养老机构": 31, "其他": 303}, gas_dens=5,
               gas_catering_rows=5368, gas_rectified=526, gas_open=15, gas_cylinders=187,
               dust_rows=2714, dust_rectified=147, dust_open=14, dust_city=50, dust_city_clean=19,
               demo_rows=9, demo_tenths=47139),
}
GAS_VISITS_PER_UNIT = {"大型商超": 3.0, "养老机构": 3.5, "其他": 1.4}


def year_targets(year: int, scale: float = 1.0) -> dict:
    """The targets of one year, scaled. Years other than 2021–2023 grow 5 % a year from 2023."""
    if year in BASE_TARGETS:
        base, factor = BASE_TARGETS[year], 1.0
    else:
        base, factor = BASE_TARGETS[2023], 1.05 ** (year - 2023)
    f = factor * scale

    def n(x, minimum=0):
        return max(minimum, int(round(x * f)))

    t = dict(
        sv_rows=n(base["sv_rows"], 1), sv_places=0,
        gas_units={k: n(v, 1) for k, v in base["gas_units"].items()}, gas_dens=n(base["gas_dens"]),
        gas_catering_rows=0, gas_rectified=n(base["gas_rectified"]), gas_open=n(base["gas_open"]),
        gas_cylinders=n(base["gas_cylinders"]),
        dust_rows=n(base["dust_rows"], 1), dust_rectified=n(base["dust_rectified"]), dust_open=n(base["dust_open"]),
        dust_city=n(base["dust_city"]), dust_city_clean=n(base["dust_city_clean"]),
        demo_rows=n(base["demo_rows"], 1), demo_tenths=0,
    )
    t["sv_places"] = max(t["sv_rows"], n(base["sv_places"]))
    t["gas_catering_rows"] = max(t["gas_units"]["餐饮"], n(base["gas_catering_rows"]))
    t["demo_tenths"] = max(t["demo_rows"] * 200, n(base["demo_tenths"]))
    # Problems need rows to sit in; keep the dust counts feasible at tiny scales.
    problems = t["dust_rectified"] + t["dust_open"]
    if problems + t["dust_city_clean"] > t["dust_rows"]:
        t["dust_rows"] = problems + t["dust_city_clean"]
    t["dust_city"] = min(t["dust_city"], problems)
    return t


# --------------------------------------------------------------------------------------------
# Names: roads, places, units, sites. Synthetic, built from parts; the roads and places are the
# ones the domain guide lists.
# --------------------------------------------------------------------------------------------

ROADS = ("解放路", "民主路", "人民路", "太行路", "普济路", "丰收路", "建设路", "塔南路", "站前路", "果园路", "龙源路")
PLACES = ("万达广场", "王府井百货", "贸易大厦", "百货大楼", "人民公园", "月季公园", "焦作影视城", "小蜗牛餐饮街区", "大杨树商业街")
# A made-up geography: which roads and places each sub-district's rows mention.
SUB_ROADS = {
    "民生街道": (("解放路", "民主路", "站前路"), ("百货大楼", "贸易大厦")),
    "民主街道": (("民主路", "人民路", "普济路"), ("王府井百货", "人民公园")),
    "新华街道": (("解放路", "建设路", "塔南路"), ("万达广场", "小蜗牛餐饮街区")),
    "焦西街道": (("人民路", "丰收路", "果园路"), ("焦作影视城",)),
    "焦南街道": (("塔南路", "太行路", "站前路"), ("大杨树商业街",)),
    "焦北街道": (("太行路", "建设路", "丰收路"), ("月季公园",)),
    "七百间街道": (("普济路", "龙源路", "果园路"), ()),
    "上白作街道": (("龙源路", "丰收路", "建设路"), ()),
    "王褚街道": (("果园路", "塔南路", "龙源路"), ()),
}
SURNAMES = "王李张刘陈杨赵黄周吴孙马郭何高罗郑梁谢宋唐许韩冯邓曹彭田董袁"
CATERING_OWNERS = (
    [f"老{s}" for s in SURNAMES] + [f"{s}记" for s in SURNAMES] + [f"{s}家" for s in SURNAMES]
    + ["怀府", "山阳", "太行", "覃怀", "豫香", "中原", "福满楼", "聚贤", "同福", "悦来", "好运来", "鸿宾", "百味", "川香",
       "湘味", "东北", "西北", "兰州", "重庆", "潮汕", "金牌", "宏兴", "老街", "老城", "乡味", "小城", "一品", "味之源",
       "香满园", "四季"]
)
CATERING_DISHES = ("烩面馆", "羊肉汤馆", "牛肉面馆", "拉面馆", "饺子馆", "包子铺", "蒸菜馆", "火锅店", "烧烤店", "米线店",
                   "砂锅店", "卤肉店", "快餐店", "炒菜馆", "面馆", "小吃店", "驴肉馆", "黄焖鸡米饭", "麻辣烫", "串串香",
                   "土菜馆", "家常菜馆", "酒家", "饭庄", "农家菜馆", "凉皮店", "胡辣汤馆", "早餐店", "炸鸡店", "焖面馆",
                   "酸菜鱼馆", "大盘鸡", "馄饨店", "小炒店")
MARKET_BRANDS = ("惠民", "万家福", "家家乐", "好又多", "佳美", "丰泽", "金太行", "鑫源", "福润", "百汇", "优品", "邻里",
                 "便民", "新世纪", "天天", "佳佳", "怀府", "山阳", "康家", "乐家")
MARKET_KINDS = ("超市", "购物广场", "生活超市", "便利超市", "百货", "量贩店")
ELDER_PREFIXES = ("福寿", "康乐", "夕阳红", "颐和", "安康", "松鹤", "幸福", "长寿", "仁和", "惠康", "天伦", "福瑞", "乐龄",
                  "康宁", "椿萱", "常青")
ELDER_KINDS = ("养老院", "敬老院", "养老服务中心", "颐养院", "老年公寓", "日间照料中心")
OTHER_KINDS = ("宾馆", "快捷酒店", "洗浴中心", "小学食堂", "中学食堂", "幼儿园食堂", "机关食堂", "医院食堂", "职工食堂",
               "茶楼", "足疗店", "KTV", "网吧", "汽修厂")
HAZARD_TYPES = ("软管老化", "私接三通", "无熄火保护", "无报警器", "减压阀不合格", "过期钢瓶")
ESTATES = ("锦绣", "华府", "御景", "翰林", "书香", "滨河", "龙源", "丰收", "太行", "怀府", "东方", "盛世", "阳光", "紫荆",
           "金水", "兴华", "嘉和", "泰和", "建业", "恒祥")
ESTATE_SUFFIXES = ("苑", "园", "府", "城", "湾", "家园", "花园", "名门")
CN_NUMS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十")
DUST_PROBLEMS = (("黄土裸露", 0.30), ("湿法作业不到位", 0.22), ("物料未覆盖", 0.20), ("车辆未冲洗", 0.15), ("围挡不全", 0.13))
STRUCTURES = ("彩钢板房", "砖混结构", "钢结构", "简易棚", "活动板房")

# Seasons (January … December) and days of the week (Monday … Sunday).
SV_MONTHS = (0.55, 0.6, 0.8, 0.95, 1.15, 1.35, 1.5, 1.45, 1.2, 1.0, 0.75, 0.6)  # summer evenings
GAS_MONTHS = (1.5, 1.3, 1.0, 0.8, 0.7, 0.6, 0.6, 0.65, 0.8, 1.0, 1.3, 1.5)  # heating season
DUST_MONTHS = (0.55, 0.5, 1.25, 1.45, 1.3, 0.9, 0.7, 0.7, 1.1, 1.35, 1.25, 0.7)  # spring and autumn
DEMO_MONTHS = (0.5, 0.3, 1.0, 1.2, 1.2, 1.0, 0.8, 0.8, 1.1, 1.2, 1.0, 0.5)
WEEKDAYS = (1.0, 1.0, 1.0, 1.0, 1.0, 0.55, 0.35)

SV_SUBS = (1.5, 1.4, 1.6, 0.9, 1.1, 0.8, 0.7, 0.5, 0.6)  # the commercial centre has most street trade
GAS_SUBS = (1.3, 1.2, 1.5, 1.0, 1.1, 0.9, 0.8, 0.6, 0.7)
DUST_SUBS = (0.6, 0.6, 0.8, 1.1, 1.0, 1.0, 1.4, 1.3, 1.3)  # construction sits at the edges
DEMO_SUBS = (0.6, 0.7, 0.8, 1.0, 1.0, 1.0, 1.3, 1.3, 1.2)

ONE_DAY = dt.timedelta(days=1)


def _rng(seed: int, *parts) -> random.Random:
    """An independent, reproducible stream per purpose (str seeds are hashed with SHA-512, not hash())."""
    return random.Random("|".join(str(p) for p in (seed, *parts)))


def _pick(rng: random.Random, options):
    """One of [(value, weight), …]."""
    values = [o[0] for o in options]
    weights = [o[1] for o in options]
    return rng.choices(values, weights)[0]


def _calendar(year: int, months, weekdays=WEEKDAYS):
    days, cum, acc = [], [], 0.0
    d = dt.date(year, 1, 1)
    while d.year == year:
        acc += months[d.month - 1] * weekdays[d.weekday()]
        days.append(d)
        cum.append(acc)
        d += ONE_DAY
    return days, cum


def _distinct_dates(rng, days, cum, k: int) -> list:
    got: set = set()
    k = min(k, len(days))
    while len(got) < k:
        got.update(rng.choices(days, cum_weights=cum, k=k - len(got)))
    return sorted(got)


def _spread(rng: random.Random, total: int, n: int, lo: int, hi: int, weights=None) -> list:
    """n integers in [lo, hi] that sum to exactly `total`, roughly in proportion to `weights`."""
    if n <= 0:
        if total:
            raise ValueError(f"cannot spread {total} over no slots")
        return []
    if not n * lo <= total <= n * hi:
        raise ValueError(f"cannot spread {total} over {n} slots of {lo}..{hi}")
    weights = weights or [1.0] * n
    wsum = float(sum(weights))
    rest = total - n * lo
    vals = [lo + min(hi - lo, int(rest * w / wsum)) for w in weights]
    left = total - sum(vals)
    open_slots = [i for i in range(n) if vals[i] < hi]
    while left > 0:
        j = rng.randrange(len(open_slots))
        i = open_slots[j]
        vals[i] += 1
        left -= 1
        if vals[i] == hi:
            open_slots[j] = open_slots[-1]
            open_slots.pop()
    return vals


def _weights_jitter(rng, weights, amount=0.12):
    return [w * (1 + amount * (2 * rng.random() - 1)) for w in weights]


def _unique_names(rng, make, n: int, taken: set) -> list:
    """n new names from make(rng), none in `taken` (which is updated)."""
    out, tries = [], 0
    while len(out) < n:
        name = make(rng)
        tries += 1
        if tries > 40 * (n + 10):  # the parts are exhausted: number the branches
            name = f"{name}{CN_NUMS[len(out) % 10]}号分店"
            k = 2
            while name in taken:
                name = f"{make(rng)}{k}号分店"
                k += 1
        if name in taken:
            continue
        taken.add(name)
        out.append(name)
    return out


def _branch(rng, sub=None) -> str:
    if sub is not None and rng.random() < 0.7:
        roads, places = SUB_ROADS[sub]
        return rng.choice(roads + places)
    return rng.choice(ROADS + PLACES)


def _location(rng, sub: str):
    roads, places = SUB_ROADS[sub]
    r = rng.random()
    if r < 0.03:
        return None
    road = rng.choice(roads)
    if places and r < 0.33:
        return rng.choice(places) + rng.choice(("周边", "东门", "南门", "西门", "北门", "门前", "广场"))
    if r < 0.5:
        other = rng.choice([x for x in ROADS if x != road])
        return f"{road}与{other}交叉口"
    if r < 0.7:
        return f"{road}{rng.randint(1, 320)}号门前"
    return road + rng.choice(("", "北段", "南段", "东段", "西段", "沿线", "菜市场周边"))


# --------------------------------------------------------------------------------------------
# Records (canonical values)
# --------------------------------------------------------------------------------------------


def _sv_records(seed: int, year: int, t: dict, fixed_months=frozenset()) -> list:
    """Street vending: t["sv_rows"] rows whose places sum to t["sv_places"]; months in `fixed_months`
    are written without a 数量 column, so their rows count one place each."""
    rng = _rng(seed, "street_vending", year)
    days, cum = _calendar(year, SV_MONTHS)
    subs = _weights_jitter(rng, SV_SUBS)
    dates = sorted(rng.choices(days, cum_weights=cum, k=t["sv_rows"]))
    places_by_type = {
        "店外经营": ((1, 2, 3, 4, 5, 6, 8), (22, 25, 20, 13, 9, 6, 5)),
        "流动摊贩": ((1, 2, 3, 4, 5), (40, 28, 17, 10, 5)),
        "占道经营": ((1, 2, 3, 4, 5, 6, 8, 10, 12), (18, 20, 18, 14, 10, 8, 6, 4, 2)),
    }
    actions = (("劝导教育", 0.55), ("责令改正", 0.24), ("暂扣物品", 0.1), ("立案处罚", 0.04), ("其他", 0.07))
    types = (("店外经营", 0.46), ("流动摊贩", 0.34), ("占道经营", 0.20))
    records = []
    for d in dates:
        sub = rng.choices(SUBDISTRICTS, subs)[0]
        btype = _pick(rng, types)
        values, weights = places_by_type[btype]
        places = 1 if d.month in fixed_months else rng.choices(values, weights)[0]
        records.append(dict(date=d, subdistrict=sub, location=_location(rng, sub), business_type=btype,
                            places=places, action=_pick(rng, actions), squad=SQUADS[sub]))
    free = [r for r in records if r["date"].month not in fixed_months]
    diff = t["sv_places"] - sum(r["places"] for r in records)
    if free:
        while diff > 0:
            r = rng.choice(free)
            if r["places"] < 15:
                r["places"] += 1
                diff -= 1
        while diff < 0:
            r = rng.choice(free)
            if r["places"] > 1:
                r["places"] -= 1
                diff += 1
    records.sort(key=lambda r: (r["date"], SUB_INDEX[r["subdistrict"]]))
    return records


@dataclass
class _Unit:
    name: str
    subdistrict: str
    unit_type: str


def _gas_universe(seed: int, sizes: dict) -> dict:
    """The district's gas users (units), persistent over the years so that units recur."""
    rng = _rng(seed, "gas_safety", "units")
    taken: set = set()

    def catering(r):
        name = r.choice(CATERING_OWNERS) + r.choice(CATERING_DISHES)
        return name + _branch(r) + "店" if r.random() < 0.2 else name

    def market(r):
        name = r.choice(MARKET_BRANDS) + r.choice(MARKET_KINDS)
        return name + _branch(r) + "店" if r.random() < 0.6 else name

    def elder(r):
        prefix = r.choice(ELDER_PREFIXES + tuple(s.removesuffix("街道") for s in SUBDISTRICTS))
        return prefix + r.choice(ELDER_KINDS)

    def other(r):
        if r.random() < 0.5:
            return _branch(r) + r.choice(OTHER_KINDS)
        return r.choice(MARKET_BRANDS + ESTATES) + r.choice(OTHER_KINDS)

    makers = {"餐饮": catering, "大型商超": market, "养老机构": elder, "其他": other}
    universe = {}
    for unit_type, make in makers.items():
        names = _unique_names(rng, make, sizes[unit_type], taken)
        subs = rng.choices(SUBDISTRICTS, GAS_SUBS, k=len(names))
        universe[unit_type] = [_Unit(n, s, unit_type) for n, s in zip(names, subs)]
    universe["_taken"] = taken
    return universe


def _gas_records(seed: int, year: int, t: dict, universe: dict) -> list:
    rng = _rng(seed, "gas_safety", year)
    days, cum = _calendar(year, GAS_MONTHS)
    rows = []
    for unit_type, n_units in t["gas_units"].items():
        units = rng.sample(universe[unit_type], n_units)
        if unit_type == "餐饮":
            n_rows = t["gas_catering_rows"]
        else:
            n_rows = max(n_units, int(round(n_units * GAS_VISITS_PER_UNIT[unit_type])))
        hi = max(12, -(-n_rows // n_units) + 2)  # at most about monthly, unless the targets ask for more
        weights = [rng.paretovariate(1.6) for _ in units]
        visits = _spread(rng, n_rows, n_units, 1, hi, weights)
        for unit, k in zip(units, visits):
            for d in _distinct_dates(rng, days, cum, k):
                rows.append(dict(date=d, subdistrict=unit.subdistrict, unit_name=unit.name, unit_type=unit_type,
                                 hazards_found=0, hazards_rectified=0, cylinders_seized=0, illegal_den=False))
    # Illegal storage and sale points (黑窝点): new names every year, written as 其他.
    den_rows = []
    taken = set(universe["_taken"])
    for name in _unique_names(rng, lambda r: f"{r.choice(ROADS)}{r.randint(2, 260)}号院液化气非法储存点", t["gas_dens"], taken):
        sub = rng.choices(SUBDISTRICTS, GAS_SUBS)[0]
        d = rng.choices(days, cum_weights=cum)[0]
        den_rows.append(dict(date=d, subdistrict=sub, unit_name=name, unit_type="其他", hazards_found=0,
                             hazards_rectified=0, cylinders_seized=0, illegal_den=True))
    # Hazards: rectified ones over ~1/1.6 as many rows, then the open (not yet rectified) ones.
    n_hazard_rows = min(len(rows), max(1 if t["gas_rectified"] else 0, int(round(t["gas_rectified"] / 1.6))))
    hazard_rows = rng.sample(rows, n_hazard_rows)
    for r, k in zip(hazard_rows, _spread(rng, t["gas_rectified"], n_hazard_rows, 1, 5)):
        r["hazards_found"] = r["hazards_rectified"] = k
    for _ in range(t["gas_open"]):
        rng.choice(rows)["hazards_found"] += 1
    # Cylinders: about half at the dens, the rest one to four at a time.
    den_share = int(round(t["gas_cylinders"] * 0.5)) if den_rows else 0
    den_share = min(den_share, 60 * len(den_rows))
    for r, k in zip(den_rows, _spread(rng, den_share, len(den_rows), min(6, den_share // max(1, len(den_rows))), 60)):
        r["cylinders_seized"] = k
    rest = t["gas_cylinders"] - den_share
    n_cyl_rows = min(len(rows), int(math.ceil(rest / 1.8)))
    for r, k in zip(rng.sample(rows, n_cyl_rows), _spread(rng, rest, n_cyl_rows, 1 if n_cyl_rows <= rest else 0, 4)):
        r["cylinders_seized"] = k
    rows.extend(den_rows)
    rows.sort(key=lambda r: (r["date"], SUB_INDEX[r["subdistrict"]], r["unit_name"]))
    return rows


def _dust_universe(seed: int, size: int) -> list:
    rng = _rng(seed, "dust_control", "sites")
    taken: set = set()

    def make(r):
        k = r.random()
        if k < 0.38:
            phase = r.choice(("", "", "一期", "二期", "三期"))
            return (r.choice(ESTATES) + r.choice(ESTATE_SUFFIXES) + phase + "项目", "房建工地")
        if k < 0.6:
            return (r.choice(ROADS) + r.choice(("道路改造工程", "雨污分流改造工程", "管网改造工程", "提质改造工程")), "市政工地")
        if k < 0.72:
            return (f"{r.choice(ROADS)}{r.randint(1, 300)}号地块项目", "房建工地")
        if k < 0.82:
            return (r.choice(ESTATES) + "片区棚户区改造项目", "拆迁工地")
        if k < 0.92:
            return (f"{r.choice(ROADS)}{r.choice(('东侧', '西侧', '南侧', '北侧'))}裸露地块", "裸露地块")
        return (f"解放区第{r.choice(CN_NUMS)}{r.choice(('小学', '中学', '幼儿园'))}改扩建工程", "房建工地")

    sites = []
    for _ in range(size):
        while True:
            name, kind = make(rng)
            if name in taken:
                if len(taken) > 2500:  # parts exhausted at large scales
                    name = f"{name}{rng.randint(2, 99)}标段"
                    if name in taken:
                        continue
                else:
                    continue
            taken.add(name)
            break
        sub = rng.choices(SUBDISTRICTS, DUST_SUBS)[0]
        sites.append(dict(site_name=name, subdistrict=sub, site_type=None if rng.random() < 0.05 else kind))
    return sites


def _dust_records(seed: int, year: int, t: dict, sites: list, no_source_months=frozenset()) -> list:
    rng = _rng(seed, "dust_control", year)
    days, cum = _calendar(year, DUST_MONTHS)
    n_sites = min(len(sites), max(1, int(round(t["dust_rows"] / 14.5))))
    active = rng.sample(sites, n_sites)
    visits = _spread(rng, t["dust_rows"], n_sites, 1, 60, [rng.uniform(0.4, 1.8) for _ in active])
    rows = []
    for site, k in zip(active, visits):
        for d in _distinct_dates(rng, days, cum, k):
            rows.append(dict(date=d, subdistrict=site["subdistrict"], site_name=site["site_name"],
                             site_type=site["site_type"], issue_type="无", source="日常巡查", rectified=None))
    n_problems = t["dust_rectified"] + t["dust_open"]
    problems = rng.sample(rows, n_problems)
    for r in problems:
        r["issue_type"] = _pick(rng, DUST_PROBLEMS)
        r["rectified"] = True
    for r in rng.sample(problems, t["dust_open"]):
        r["rectified"] = False
    # 市级督导 rows can only sit in files that have a 问题来源 column.
    city_ok = [r for r in problems if r["date"].month not in no_source_months]
    for r in rng.sample(city_ok, min(t["dust_city"], len(city_ok))):
        r["source"] = "市级督导"
    clean_ok = [r for r in rows if r["issue_type"] == "无" and r["date"].month not in no_source_months]
    for r in rng.sample(clean_ok, min(t["dust_city_clean"], len(clean_ok))):
        r["source"] = "市级督导"
    rows.sort(key=lambda r: (r["date"], SUB_INDEX[r["subdistrict"]], r["site_name"]))
    return rows


def _demo_records(seed: int, year: int, t: dict) -> list:
    rng = _rng(seed, "demolitions", year)
    days, cum = _calendar(year, DEMO_MONTHS)
    n = t["demo_rows"]
    tenths = _spread(rng, t["demo_tenths"], n, 150, 10 ** 9, [rng.lognormvariate(0, 0.7) for _ in range(n)])
    # About half of the areas are whole square metres (written as 约120, 1,050, 620㎡); the remainder
    # moves to the last row so that the total is unchanged.
    # The largest is always whole (written 1,050 when over a thousand); the smallest takes the remainders.
    big = max(range(n), key=lambda i: tenths[i])
    small = min((i for i in range(n) if i != big), key=lambda i: tenths[i]) if n > 1 else big
    for i in range(n):
        if i != small and (i == big or rng.random() < 0.55):
            whole = tenths[i] - tenths[i] % 10
            if whole >= 150:
                tenths[small] += tenths[i] - whole
                tenths[i] = whole
    dates = sorted(rng.choices(days, cum_weights=cum, k=n))
    rows = []
    for d, a in zip(dates, tenths):
        sub = rng.choices(SUBDISTRICTS, DEMO_SUBS)[0]
        roads, places = SUB_ROADS[sub]
        k = rng.random()
        if k < 0.45:
            address = f"{rng.choice(roads)}{rng.randint(1, 300)}号院内"
        elif k < 0.7:
            address = f"{rng.choice(ESTATES)}{rng.choice(ESTATE_SUFFIXES)}小区{rng.randint(1, 30)}号楼楼顶"
        elif k < 0.85 and places:
            address = f"{rng.choice(places)}{rng.choice(('北侧', '南侧', '东侧', '西侧'))}"
        elif k < 0.95:
            address = f"{rng.choice(roads)}{rng.choice(('东段', '西段', '南段', '北段'))}路边"
        else:
            address = None
        method = _pick(rng, (("自行拆除", 0.45), ("依法强制拆除", 0.45), (None, 0.1)))
        rows.append(dict(date=d, subdistrict=sub, address=address, area_m2=a / 10,
                         structure=rng.choice(STRUCTURES) if rng.random() < 0.9 else None, method=method))
    return rows


# --------------------------------------------------------------------------------------------
# Layout families: how each ledger's files of a year look. Year 2021 uses family 0, 2022 family 1,
# 2023 family 2 (other years cycle through them).
# --------------------------------------------------------------------------------------------


def family(year: int) -> int:
    return (year - 2021) % 3


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
}
# Street vending files without a 数量 column (their rows count one place each), by family.
SV_NO_PLACES_MONTHS = {0: frozenset(), 1: frozenset({1, 2, 3}), 2: frozenset()}
# Dust files without a 问题来源 column (all their rows are 日常巡查), by family.
DUST_NO_SOURCE_MONTHS = {0: frozenset({1, 2, 3, 4, 5, 6}), 1: frozenset(), 2: frozenset()}


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

# Styles: the forms values are written in. Dates forms: date (a real Excel date), serial (a plain
# number), iso, slash, dot, cn, compact_text, compact_num, md (3月5日).
BASE_STYLE = dict(
    date=(("date", 1.0),), sub=(("canon", 1.0),), sub_space=0.0, alias=0.25, count=(("int", 1.0),),
    area=(("float", 1.0),), zero_blank=0.0, text_space=0.0, flag_true=(("是", 1.0),), flag_false=(("否", 1.0),),
    den_false=(("", 1.0),), issue_none=(("无", 1.0),),
)


def _style(**kw) -> dict:
    s = dict(BASE_STYLE)
    s.update(kw)
    return s


MONTH_NAMES = [f"{m}月" for m in range(1, 13)]
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


PLANNERS = {"street_vending": _plan_street_vending, "gas_safety": _plan_gas_safety,
            "dust_control": _plan_dust_control, "demolitions": _plan_demolitions}


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
}
FULLWIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")
SUB_SUFFIX = {"canon": "街道", "short": "", "office": "办事处", "full": "街道办事处", "ban": "街道办"}
XLSX_ONLY_DATES = {"date": "iso", "serial": "slash", "compact_num": "compact_text"}
NUMERIC_KEYS = ("places", "hazards_found", "hazards_rectified", "cylinders_seized", "area_m2")


def _date_cell(d: dt.date, form: str, csv_mode: bool):
    if csv_mode:
        form = XLSX_ONLY_DATES.get(form, form)
    if form == "date":
        return d
    if form == "serial":
        return (d - EXCEL_EPOCH).days
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
    raise ValueError(form)


def _count_cell(n: int, form: str, unit: str = "处"):
    if form == "unit" and unit:
        return f"{n}{unit}"
    if form == "fw":
        return str(n).translate(FULLWIDTH)
    if form == "str":
        return str(n)
    if form == "approx" and n >= 5:
        return f"约{n}"
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
        return _pick(self.rng, options)

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

    render = _Renderer(rng, plan.style, csv_mode)
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
        for k in NUMERIC_KEYS:
            if k in col_of:
                s = sum(r[k] for r in recs)
                row[col_of[k]] = round(s, 1) if k == "area_m2" else s
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


class _FixedTimeZip(zipfile.ZipFile):
    """A ZipFile whose entries all carry FIXED_TIME (ZipFile stamps the clock or a file's mtime)."""

    def _info(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=FIXED_TIME.timetuple()[:6])
        info.compress_type = self.compression
        info.external_attr = 0o600 << 16
        return info

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            zinfo_or_arcname = self._info(zinfo_or_arcname)
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        with open(filename, "rb") as f:
            data = f.read()
        self.writestr(self._info(arcname or Path(filename).name), data, compress_type, compresslevel)


TITLE_FONT = Font(bold=True, size=14)
HEADER_FONT = Font(bold=True)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _xlsx_bytes(plans: list, rng: random.Random) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    props = wb.properties
    props.creator = "analysis demo（示例数据）"
    props.lastModifiedBy = "analysis demo"
    props.title = "示例数据，非真实台账"
    props.created = props.modified = FIXED_TIME
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
    buf = io.BytesIO()
    archive = _FixedTimeZip(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(wb, archive).save()  # not wb.save(): that stamps the current time into docProps/core.xml
    return buf.getvalue()


def _csv_bytes(plan: SheetPlan, rng: random.Random, encoding: str) -> bytes:
    rows, _, _ = _render_sheet(plan, rng, csv_mode=True)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buf.getvalue().encode(encoding)


# --------------------------------------------------------------------------------------------
# The public entry points
# --------------------------------------------------------------------------------------------


def generate_records(*, years=DEFAULT_YEARS, seed: int = DEFAULT_SEED, scale: float = 1.0) -> dict:
    """{ledger: {year: [record, …]}}: the canonical rows the demo files hold (bad rows not included)."""
    if scale <= 0:
        raise ValueError("scale 必须大于 0")
    years = sorted(set(int(y) for y in years))
    targets = {y: year_targets(y, scale) for y in years}
    sizing = [year_targets(y, scale) for y in sorted(set(years) | set(BASE_TARGETS))]
    universe = _gas_universe(seed, {k: int(max(t["gas_units"][k] for t in sizing) * 1.3) + 5
                                    for k in ("餐饮", "大型商超", "养老机构", "其他")})
    sites = _dust_universe(seed, int(max(t["dust_rows"] for t in sizing) / 14.5 * 1.4) + 10)
    out = {ledger: {} for ledger in LEDGERS}
    for y in years:
        t, fam = targets[y], family(y)
        out["street_vending"][y] = _sv_records(seed, y, t, SV_NO_PLACES_MONTHS[fam])
        out["gas_safety"][y] = _gas_records(seed, y, t, universe)
        out["dust_control"][y] = _dust_records(seed, y, t, sites, DUST_NO_SOURCE_MONTHS[fam])
        out["demolitions"][y] = _demo_records(seed, y, t)
    return out


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
    if README_MARK not in text or LIST_BEGIN not in text or LIST_END not in text:
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


LEDGER_LABELS = {"street_vending": "三种经营整治台账", "gas_safety": "燃气安全隐患排查整治台账",
                 "dust_control": "扬尘管控点位督导检查台账", "demolitions": "违法建设拆除台账"}


def _readme(years, seed, scale, files: dict, rows: dict) -> str:
    lines = [
        "# 示例数据，非真实台账",
        "",
        README_MARK,
        "",
        "本文件夹中的台账是 `analysis demo` 按固定随机种子生成的**合成数据（示例数据）**，不是解放区城市管理局的真实台账，",
        "其中的单位名称、地址、人名（如“张某某”）和电话（如“138****0000”）均为虚构，仅用于演示清洗和简报流程。",
        "2023 年的数据按《解放区城市管理局关于 2023 年法治政府建设情况的报告》中的数字构造（如三种经营12000余处、"
        "燃气排查2700余家、扬尘点位2714个、拆除违建9处约4714平方米）；每年另有几行故意写错的记录，清洗时应被剔除。",
        "",
        f"- 年份：{'、'.join(str(y) for y in years)}",
        f"- 随机种子：{seed}；规模系数：{scale:g}",
        "- 文件夹：street_vending（三种经营整治）、gas_safety（燃气安全排查）、dust_control（扬尘管控督导）、demolitions（违建拆除）",
        "",
        "## 各台账记录数（不含故意写错的行）",
        "",
        "| 台账 | " + " | ".join(f"{y}年" for y in years) + " |",
        "|---|" + "---|" * len(years),
    ]
    for ledger in LEDGERS:
        lines.append(f"| {LEDGER_LABELS[ledger]} | " + " | ".join(str(rows[ledger][y]) for y in years) + " |")
    lines += ["", "## 文件清单", "", "再次运行 `analysis demo` 时，只会替换下列文件；文件夹中若有其他文件，将拒绝写入。", "", LIST_BEGIN]
    lines += [f"- {rel}" for ledger in LEDGERS for rel in files[ledger]]
    lines += [LIST_END, ""]
    return "\n".join(lines)


def write_demo(out_dir: Path, *, years=DEFAULT_YEARS, seed: int = DEFAULT_SEED, scale: float = 1.0) -> dict:
    """Write the synthetic raw ledgers into out_dir/<ledger>/… and out_dir/README.md.

    Returns {ledger: {"files": [relative paths], "rows": {year: records}, "bad_rows": n}}.
    Raises ValueError (message in Chinese) if out_dir holds files the demo did not write.
    """
    out_dir = Path(out_dir)
    years = sorted(set(int(y) for y in years))
    if not years:
        raise ValueError("至少要指定一个年份")
    records = generate_records(years=years, seed=seed, scale=scale)
    _prepare(out_dir)
    summary = {ledger: {"files": [], "rows": {}, "bad_rows": 0} for ledger in LEDGERS}
    outputs = {}
    for ledger in LEDGERS:
        for y in years:
            fam = family(y)
            recs = records[ledger][y]
            summary[ledger]["rows"][y] = len(recs)
            summary[ledger]["bad_rows"] += len(BAD_ROWS[(ledger, fam)])
            for fp in PLANNERS[ledger](y, recs, fam):
                rng = _rng(seed, "render", fp.path)
                if fp.encoding:
                    data = _csv_bytes(fp.sheets[0], rng, fp.encoding)
                else:
                    data = _xlsx_bytes(fp.sheets, rng)
                outputs[fp.path] = data
                summary[ledger]["files"].append(fp.path)
    for rel, data in outputs.items():
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    files = {ledger: summary[ledger]["files"] for ledger in LEDGERS}
    rows = {ledger: summary[ledger]["rows"] for ledger in LEDGERS}
    (out_dir / README_NAME).write_text(_readme(years, seed, scale, files, rows), encoding="utf-8", newline="\n")
    return summary

"""The demo's records: for every ledger and year, rows with canonical values (dates, the nine sub-districts,
canonical categories, exact numbers), built so that the 2023 rows reproduce the figures of the 2023 report
exactly (the targets are data: targets.yaml).

Everything is drawn from `random.Random` streams seeded by (seed, ledger, year, purpose); no clock or global
state is used, so the same arguments give the same records.
"""
from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass
from pathlib import Path

import yaml

from analysis.ingest.spec import load_common

DEFAULT_SEED = 20231231
DEFAULT_YEARS = (2021, 2022, 2023)
LEDGERS = ("street_vending", "gas_safety", "dust_control", "demolitions", "licensing", "city_appearance", "work_figures")

SUBDISTRICTS = load_common().subdistricts
SUB_INDEX = {name: i for i, name in enumerate(SUBDISTRICTS)}
SQUADS = dict(zip(SUBDISTRICTS, ("一中队", "二中队", "三中队", "四中队", "五中队", "六中队", "七中队", "八中队", "九中队")))

# --------------------------------------------------------------------------------------------
# Targets: the figures each year's rows add up to, and how they spread over the calendar and the sub-districts.
# They are data (targets.yaml); here they take the shapes the generators below use.
# --------------------------------------------------------------------------------------------

TARGETS_PATH = Path(__file__).resolve().with_name("targets.yaml")


def load_targets(path: Path = TARGETS_PATH) -> dict:
    """targets.yaml: {"weekdays", "ledgers": {ledger: {…, "years": {year: {…}}}}, "generic": {…}}."""
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def sub_weights(weights: dict | None) -> tuple:
    """{sub-district: weight} as weights in SUBDISTRICTS' order (a sub-district not named weighs 1)."""
    return tuple((weights or {}).get(name, 1.0) for name in SUBDISTRICTS)


TARGETS = load_targets()
_HAND = TARGETS["ledgers"]


def _hand_years(*ledgers: str) -> list:
    """The years for which every one of `ledgers` has targets."""
    return sorted(set.intersection(*(set(_HAND[ledger]["years"]) for ledger in ledgers)))


def _base_targets() -> dict:
    sv, gas, dust, demo = (_HAND[k]["years"] for k in ("street_vending", "gas_safety", "dust_control", "demolitions"))
    return {y: dict(sv_rows=sv[y]["rows"], sv_places=sv[y]["places"],
                    gas_units=dict(gas[y]["units"]), gas_dens=gas[y]["dens"], gas_catering_rows=gas[y]["catering_rows"],
                    gas_rectified=gas[y]["rectified"], gas_open=gas[y]["open"], gas_cylinders=gas[y]["cylinders"],
                    dust_rows=dust[y]["rows"], dust_rectified=dust[y]["rectified"], dust_open=dust[y]["open"],
                    dust_city=dust[y]["city"], dust_city_clean=dust[y]["city_clean"],
                    demolition_rows=demo[y]["rows"], demolition_tenths=int(round(demo[y]["area_m2"] * 10)))
            for y in _hand_years("street_vending", "gas_safety", "dust_control", "demolitions")}


def _office_targets() -> dict:
    lic, city, work = (_HAND[k]["years"] for k in ("licensing", "city_appearance", "work_figures"))
    return {y: dict(matters={m: tuple(v) for m, v in lic[y]["matters"].items()}, dining=lic[y]["dining"],
                    dining_renewals=lic[y]["dining_renewals"], dining_refused=lic[y]["dining_refused"],
                    items=dict(city[y]["items"]), work=dict(work[y]["work"]))
            for y in _hand_years("licensing", "city_appearance", "work_figures")}


# The four enforcement ledgers, by year (2023: the report's figures; see targets.yaml).
BASE_TARGETS = _base_targets()
GAS_VISITS_PER_UNIT = dict(_HAND["gas_safety"]["visits_per_unit"])
# The office ledgers, by year. Licensing: cases per matter (approved, refused) and the distinct shops licensed to
# put tables outside (外摆); city appearance: the quantity cleared per item; work figures: one value per item.
OFFICE_TARGETS = _office_targets()
WORK_UNITS = dict(_HAND["work_figures"]["units"])
# Per record: the quantity a cleaning records (low, high), its unit and what was done.
ITEM_RECORDS = {item: ((r["low"], r["high"]), r["unit"], r["action"])
                for item, r in _HAND["city_appearance"]["records"].items()}
# Years after the last one with targets grow 5 % a year from it.
BASE_YEAR, OFFICE_YEAR = max(BASE_TARGETS), max(OFFICE_TARGETS)


def office_targets(year: int, scale: float = 1.0) -> dict:
    """The office ledgers' targets of one year, scaled; years without targets grow 5 % a year from the last."""
    base = OFFICE_TARGETS.get(year, OFFICE_TARGETS[OFFICE_YEAR])
    f = scale * (1.0 if year in OFFICE_TARGETS else 1.05 ** (year - OFFICE_YEAR))

    def n(x, minimum=0):
        return max(minimum, int(round(x * f)))

    return dict(matters={m: (n(ok), n(no)) for m, (ok, no) in base["matters"].items()}, dining=n(base["dining"], 1),
                dining_renewals=n(base["dining_renewals"]), dining_refused=n(base["dining_refused"]),
                items={k: n(v) for k, v in base["items"].items()},
                work=dict(base["work"]) if year in OFFICE_TARGETS else {k: n(v) for k, v in base["work"].items()})


def year_targets(year: int, scale: float = 1.0) -> dict:
    """The targets of one year, scaled. Years without targets grow 5 % a year from the last."""
    if year in BASE_TARGETS:
        base, factor = BASE_TARGETS[year], 1.0
    else:
        base, factor = BASE_TARGETS[BASE_YEAR], 1.05 ** (year - BASE_YEAR)
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
        demolition_rows=n(base["demolition_rows"], 1), demolition_tenths=0,
    )
    t["sv_places"] = max(t["sv_rows"], n(base["sv_places"]))
    t["gas_catering_rows"] = max(t["gas_units"]["餐饮"], n(base["gas_catering_rows"]))
    t["demolition_tenths"] = max(t["demolition_rows"] * 200, n(base["demolition_tenths"]))
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
SV_TYPES = _HAND["street_vending"]["business_types"]
SV_ACTIONS = _HAND["street_vending"]["actions"]
DUST_PROBLEMS = tuple(_HAND["dust_control"]["problems"].items())
STRUCTURES = ("彩钢板房", "砖混结构", "钢结构", "简易棚", "活动板房")

# Seasons (January … December), days of the week (Monday … Sunday) and sub-districts (targets.yaml).
SV_MONTHS = tuple(_HAND["street_vending"]["months"])  # summer evenings
GAS_MONTHS = tuple(_HAND["gas_safety"]["months"])  # heating season
DUST_MONTHS = tuple(_HAND["dust_control"]["months"])  # spring and autumn
DEMOLITION_MONTHS = tuple(_HAND["demolitions"]["months"])
LICENSING_MONTHS = tuple(_HAND["licensing"]["months"])
CITY_MONTHS = tuple(_HAND["city_appearance"]["months"])
WEEKDAYS = tuple(TARGETS["weekdays"])

SV_SUBS = sub_weights(_HAND["street_vending"]["subdistricts"])  # the commercial centre has most street trade
GAS_SUBS = sub_weights(_HAND["gas_safety"]["subdistricts"])
DUST_SUBS = sub_weights(_HAND["dust_control"]["subdistricts"])  # construction sits at the edges
DEMOLITION_SUBS = sub_weights(_HAND["demolitions"]["subdistricts"])
LICENSING_SUBS = sub_weights(_HAND["licensing"]["subdistricts"])
CITY_SUBS = sub_weights(_HAND["city_appearance"]["subdistricts"])

ONE_DAY = dt.timedelta(days=1)


def rng_for(seed: int, *parts) -> random.Random:
    """An independent, reproducible stream per purpose (str seeds are hashed with SHA-512, not hash())."""
    return random.Random("|".join(str(p) for p in (seed, *parts)))


def pick(rng: random.Random, options):
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
    rng = rng_for(seed, "street_vending", year)
    days, cum = _calendar(year, SV_MONTHS)
    subs = _weights_jitter(rng, SV_SUBS)
    dates = sorted(rng.choices(days, cum_weights=cum, k=t["sv_rows"]))
    types = tuple((name, kind["share"]) for name, kind in SV_TYPES.items())
    places_by_type = {name: (tuple(kind["places"]), tuple(kind["places"].values())) for name, kind in SV_TYPES.items()}
    actions = tuple(SV_ACTIONS.items())
    records = []
    for d in dates:
        sub = rng.choices(SUBDISTRICTS, subs)[0]
        btype = pick(rng, types)
        values, weights = places_by_type[btype]
        places = 1 if d.month in fixed_months else rng.choices(values, weights)[0]
        records.append(dict(date=d, subdistrict=sub, location=_location(rng, sub), business_type=btype,
                            places=places, action=pick(rng, actions), squad=SQUADS[sub]))
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
    rng = rng_for(seed, "gas_safety", "units")
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
    rng = rng_for(seed, "gas_safety", year)
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
    rng = rng_for(seed, "dust_control", "sites")
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
    rng = rng_for(seed, "dust_control", year)
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
        r["issue_type"] = pick(rng, DUST_PROBLEMS)
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
    rng = rng_for(seed, "demolitions", year)
    days, cum = _calendar(year, DEMOLITION_MONTHS)
    n = t["demolition_rows"]
    tenths = _spread(rng, t["demolition_tenths"], n, 150, 10 ** 9, [rng.lognormvariate(0, 0.7) for _ in range(n)])
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
        sub = rng.choices(SUBDISTRICTS, DEMOLITION_SUBS)[0]
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
        method = pick(rng, (("自行拆除", 0.45), ("依法强制拆除", 0.45), (None, 0.1)))
        rows.append(dict(date=d, subdistrict=sub, address=address, area_m2=a / 10,
                         structure=rng.choice(STRUCTURES) if rng.random() < 0.9 else None, method=method))
    return rows


def _shop_name(rng, sub=None) -> str:
    """A shop or company of the district, by the kinds that ask for licences."""
    k = rng.random()
    if k < 0.5:
        return rng.choice(CATERING_OWNERS) + rng.choice(CATERING_DISHES) + (_branch(rng, sub) + "店" if rng.random() < 0.3 else "")
    if k < 0.75:
        return rng.choice(MARKET_BRANDS) + rng.choice(MARKET_KINDS) + (_branch(rng, sub) + "店" if rng.random() < 0.5 else "")
    return rng.choice(ESTATES + MARKET_BRANDS) + rng.choice(("房地产开发有限公司", "商贸有限公司", "文化传媒有限公司", "装饰工程有限公司",
                                                           "通信营业厅", "药房", "眼镜店", "服装店", "家电商场"))


def _licensing_records(seed: int, year: int, t: dict) -> list:
    """One row per case; the sub-district is left blank on some (it is not a required column of this ledger)."""
    rng = rng_for(seed, "licensing", year)
    days, cum = _calendar(year, LICENSING_MONTHS)
    rows = []

    def case(matter, result, applicant=None):
        sub = rng.choices(SUBDISTRICTS, LICENSING_SUBS)[0]
        roads, _ = SUB_ROADS[sub]
        rows.append(dict(date=rng.choices(days, cum_weights=cum)[0], subdistrict=sub if rng.random() < 0.9 else None,
                         matter=matter, applicant=applicant or _shop_name(rng, sub),
                         address=f"{rng.choice(roads)}{rng.randint(1, 320)}号", result=result))

    for matter, (approved, refused) in t["matters"].items():
        for result, count in (("准予", approved), ("不予", refused)):
            for _ in range(count):
                case(matter, result)
    taken: set = set()
    shops = _unique_names(rng, lambda r: r.choice(CATERING_OWNERS) + r.choice(CATERING_DISHES), t["dining"] + t["dining_refused"],
                          taken)
    licensed, refused = shops[:t["dining"]], shops[t["dining"]:]
    for name in licensed + rng.choices(licensed, k=t["dining_renewals"]):  # some shops are licensed twice a year
        case("外摆经营许可", "准予", name)
    for name in refused:
        case("外摆经营许可", "不予", name)
    rows.sort(key=lambda r: (r["date"], r["matter"], r["applicant"]))
    return rows


def _city_records(seed: int, year: int, t: dict) -> list:
    """Cleanups: each row a place and the quantity cleared there, adding up to the year's figure per item."""
    rng = rng_for(seed, "city_appearance", year)
    days, cum = _calendar(year, CITY_MONTHS)
    rows = []
    for item, total in t["items"].items():
        (lo, hi), unit, action = ITEM_RECORDS[item]
        n = max(1 if total else 0, min(total, round(total / ((lo + hi) / 2))))
        if n == 0:
            continue
        lo = min(lo, total // n)
        for q in _spread(rng, total, n, max(1, lo), max(hi, -(-total // n)), [rng.uniform(0.5, 1.5) for _ in range(n)]):
            sub = rng.choices(SUBDISTRICTS, CITY_SUBS)[0]
            rows.append(dict(date=rng.choices(days, cum_weights=cum)[0], subdistrict=sub, location=_location(rng, sub),
                             ad_item=item, quantity=q, ad_unit=unit, disposal=action))
    rows.sort(key=lambda r: (r["date"], SUB_INDEX[r["subdistrict"]], r["ad_item"]))
    return rows


def _work_records(year: int, t: dict) -> list:
    """The year's work figures, one row each, in the order the office lists them."""
    return [dict(wf_year=year, wf_item=item, wf_value=value, wf_unit=WORK_UNITS[item], wf_note=None)
            for item, value in t["work"].items()]


# --------------------------------------------------------------------------------------------
# Layout families: how each ledger's files of a year look. Year 2021 uses family 0, 2022 family 1,
# 2023 family 2 (other years cycle through them).
# --------------------------------------------------------------------------------------------


def family(year: int) -> int:
    return (year - 2021) % 3

# Street vending files without a 数量 column (their rows count one place each), by family.
SV_NO_PLACES_MONTHS = {0: frozenset(), 1: frozenset({1, 2, 3}), 2: frozenset()}
# Dust files without a 问题来源 column (all their rows are 日常巡查), by family.
DUST_NO_SOURCE_MONTHS = {0: frozenset({1, 2, 3, 4, 5, 6}), 1: frozenset(), 2: frozenset()}


def hand_records(*, years=DEFAULT_YEARS, seed: int = DEFAULT_SEED, scale: float = 1.0) -> dict:
    """{ledger: {year: [record, …]}} of the seven ledgers with hand-written plans (LEDGERS): the canonical rows
    their demo files hold (bad rows not included). Every other ledger's come from its spec (generic.py)."""
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
        office = office_targets(y, scale)
        out["licensing"][y] = _licensing_records(seed, y, office)
        out["city_appearance"][y] = _city_records(seed, y, office)
        out["work_figures"][y] = _work_records(y, office)
    return out

"""Demo data for Zhijiang (枝江), Hubei, loaded by `flask seed-demo`.

The region tree, venues (halls, pavilions, 9 deputies' homes, 44 liaison stations), the 6 deputy
groups, handling departments, categories and a few dozen people with verified roles. No issues,
meetings or votes: those come from their own loaders. Everything is deterministic (a fixed seed),
so two loads give the same rows. Village and community names are plausible, not an official list.
"""
import random
from datetime import timedelta

from peewee import chunked, sort_models

import models
from models import (
    Category,
    Department,
    DepartmentStaff,
    DeputyGroup,
    DeputyGroupMember,
    Membership,
    Region,
    User,
    Venue,
    db,
)

DEMO_PASSWORD = "yishi-demo"  # one password for all demo accounts


class DemoDataExists(Exception):
    """The database already has regions or users; load with reset=True to replace them."""


SEED = 20240505
CITY = "枝江市"
CITY_LATLON = (30.42, 111.76)
ORDINALS = "一二三四五六七八九十"

# (name, kind, slug part, English name, centre latitude, centre longitude, stations, children)
# children: (name, kind, slug part); communities get pavilions, villages get halls.
TOWNS = [
    ("马家店街道", "subdistrict", "majiadian", "Majiadian", 30.425, 111.760, 8, [
        ("团结路社区", "community", "tuanjielu"),
        ("江汉社区", "community", "jianghan"),
        ("民主社区", "community", "minzhu"),
        ("胜利社区", "community", "shengli"),
        ("迎宾社区", "community", "yingbin"),
        ("刘家冲村", "village", "liujiachong"),
    ]),
    ("安福寺镇", "town", "anfusi", "Anfusi", 30.470, 111.620, 5, [
        ("安福寺社区", "community", "anfusi"),
        ("桑树河村", "village", "sangshuhe"),
        ("余家桥村", "village", "yujiaqiao"),
        ("新店村", "village", "xindian"),
        ("杨家店村", "village", "yangjiadian"),
    ]),
    ("白洋镇", "town", "baiyang", "Baiyang", 30.545, 111.520, 5, [
        ("白洋社区", "community", "baiyang"),
        ("石岭村", "village", "shiling"),
        ("小湾村", "village", "xiaowan"),
        ("曹家店村", "village", "caojiadian"),
    ]),
    ("顾家店镇", "town", "gujiadian", "Gujiadian", 30.375, 111.650, 4, [
        ("顾家店社区", "community", "gujiadian"),
        ("高峰村", "village", "gaofeng"),
        ("牛湾村", "village", "niuwan"),
        ("石匠湾村", "village", "shijiangwan"),
    ]),
    ("董市镇", "town", "dongshi", "Dongshi", 30.465, 111.700, 5, [
        ("董市社区", "community", "dongshi"),
        ("姚家港村", "village", "yaojiagang"),
        ("周家湖村", "village", "zhoujiahu"),
        ("曹家咀村", "village", "caojiazui"),
        ("金湖村", "village", "jinhu"),
    ]),
    ("仙女镇", "town", "xiannv", "Xiannü", 30.480, 111.800, 4, [
        ("仙女社区", "community", "xiannv"),
        ("青狮村", "village", "qingshi"),
        ("东湖村", "village", "donghu"),
        ("仙女庙村", "village", "xiannvmiao"),
    ]),
    ("问安镇", "town", "wenan", "Wen'an", 30.510, 111.880, 5, [
        ("问安社区", "community", "wenan"),
        ("关庙山村", "village", "guanmiaoshan"),
        ("刘巷村", "village", "liuxiang"),
        ("万家村", "village", "wanjia"),
        ("陈家河村", "village", "chenjiahe"),
    ]),
    ("七星台镇", "town", "qixingtai", "Qixingtai", 30.395, 111.900, 4, [
        ("七星台社区", "community", "qixingtai"),
        ("罗家湾村", "village", "luojiawan"),
        ("金桥村", "village", "jinqiao"),
        ("鲁家港村", "village", "lujiagang"),
    ]),
    ("百里洲镇", "town", "bailizhou", "Bailizhou", 30.330, 111.830, 4, [
        ("百里洲社区", "community", "bailizhou"),
        ("三洲村", "village", "sanzhou"),
        ("南河村", "village", "nanhe"),
        ("羊子庙村", "village", "yangzimiao"),
        ("桂花村", "village", "guihua"),
    ]),
]

# community → [(compound, pavilion slug)]
PAVILIONS = {
    "团结路社区": [("阳光小区", "pavilion-yangguang"), ("团结路小区", "pavilion-tuanjielu")],
    "江汉社区": [("江汉花园", "pavilion-jianghan-huayuan"), ("滨江苑", "pavilion-binjiang")],
    "民主社区": [("民主小区", "pavilion-minzhu"), ("锦绣家园", "pavilion-jinxiu")],
    "胜利社区": [("胜利小区", "pavilion-shengli")],
    "迎宾社区": [("迎宾花园", "pavilion-yingbin"), ("金色家园", "pavilion-jinse")],
    "安福寺社区": [("桔城小区", "pavilion-jucheng")],
    "白洋社区": [("白洋新村", "pavilion-baiyang-xincun")],
    "顾家店社区": [("江景小区", "pavilion-jiangjing")],
    "董市社区": [("老街小区", "pavilion-dongshi-laojie")],
    "仙女社区": [("仙女花园", "pavilion-xiannv-huayuan")],
    "问安社区": [("问安新村", "pavilion-wenan-xincun")],
    "七星台社区": [("星台家园", "pavilion-xingtai")],
    "百里洲社区": [("洲头小区", "pavilion-zhoutou")],
}
OPEN_TO_ALL = {"pavilion-jianghan-huayuan", "hall-sanzhou"}

HALL_TEXTS = [
    "{place}村民家门口的议事场所，大事小情摆上桌面，大家商量着办。",
    "设在村党群服务中心，议政员每月5日坐班，收集村民的意见建议。",
    "湾落里的“前哨所”：修路、用水、产业发展等事，村民在这里提、在这里议。",
    "板凳会就在这里开，议定的事张榜公示，办理进度随时可查。",
]
PAVILION_TEXTS = [
    "{place}居民身边的议事亭，楼道里的事、小区里的事，邻里坐下来一起商量。",
    "老旧小区改造、加装电梯、停车管理等事项在这里议定，结果张榜公示。",
    "居民有事就来说，议政员当场记录，能办的马上办，办不了的逐级交办。",
]
STATION_TEXTS = [
    "人大代表每月5日进站接待选民（“5号见”），听取意见、答复问题。",
    "联系本片区选民的代表联络站，代表定期进站，收集的民情分级交办、跟踪办理。",
    "代表在这里接待选民、开展“局长进站”活动，意见建议登记在册、件件有回音。",
]
HALL_TIMES = ["每月5日 9:00–11:30", "每月5日 9:00–11:30；每周三 14:30–17:00", "每周一 8:30–11:30"]
PAVILION_TIMES = ["每周六 9:00–11:00", "每周三 19:00–20:30", "每月5日 9:00–11:30"]
STATION_TIMES = ["每月5日 9:00–11:30", "每月5日、20日 9:00–11:30"]

GROUPS = [
    ("化工新材料", "Chemical new materials",
     "围绕姚家港化工园区转型升级、安全生产和绿色发展开展调研，联系园区企业和周边群众。"),
    ("生命健康", "Life and health",
     "关注生物医药产业发展和基层医疗卫生服务，推动看病就医更方便。"),
    ("柑橘产业", "Citrus",
     "服务柑橘种植、加工和销售，帮助橘农解决品种改良、冷链物流和品牌建设中的难题。"),
    ("乡村振兴", "Rural revitalisation",
     "聚焦农村人居环境、农田水利和集体经济，收集村民关于乡村建设的意见建议。"),
    ("城市建设", "Urban construction",
     "关注老旧小区改造、市政道路、供水排水和城市管理，推动城区品质提升。"),
    ("教育文化", "Education and culture",
     "关注学前教育、义务教育均衡发展和公共文化服务，联系学校、家长和文化工作者。"),
]

# (name, English name) of the city-level departments.
CITY_DEPARTMENTS = [
    ("市水利和湖泊局", "Water Resources and Lakes Bureau"),
    ("市住房和城乡建设局", "Housing and Urban-Rural Development Bureau"),
    ("市自然资源和规划局", "Natural Resources and Planning Bureau"),
    ("市城市管理执法局", "Urban Management and Law Enforcement Bureau"),
    ("市交通运输局", "Transport Bureau"),
    ("市公安局", "Public Security Bureau"),
    ("市农业农村局", "Agriculture and Rural Affairs Bureau"),
    ("市教育局", "Education Bureau"),
    ("市卫生健康局", "Health Commission"),
    ("市民政局", "Civil Affairs Bureau"),
    ("市生态环境局", "Ecology and Environment Bureau"),
    ("市应急管理局", "Emergency Management Bureau"),
    ("市数据局", "Data Bureau (12345 hotline)"),
]
MAJIADIAN_OFFICES = [
    ("马家店街道城建办", "Majiadian Subdistrict Urban Construction Office"),
    ("马家店街道社会事务办", "Majiadian Subdistrict Social Affairs Office"),
    ("马家店街道综治中心", "Majiadian Subdistrict Public Order Centre"),
]

# (code, name, English name, working days, city department, town department)
CATEGORIES = [
    ("water_source", "水源保护", "Water-source protection", 15, "市水利和湖泊局",
     "马家店街道办事处"),
    ("water_supply", "供水管网", "Water supply pipes", 10, "市水利和湖泊局", "马家店街道城建办"),
    ("cables", "线缆整治", "Cable clean-up (loose wires)", 10, "市城市管理执法局",
     "马家店街道城建办"),
    ("property_certificate", "不动产证办理", "Real-estate certificates", 20, "市自然资源和规划局",
     "马家店街道办事处"),
    ("old_compound", "老旧小区改造", "Old-compound renovation", 30, "市住房和城乡建设局",
     "马家店街道城建办"),
    ("community_canteen", "社区食堂", "Community canteens", 15, "市民政局", "马家店街道社会事务办"),
    ("roads", "道路交通", "Roads and traffic", 15, "市交通运输局", "马家店街道城建办"),
    ("sanitation", "环境卫生", "Sanitation", 5, "市城市管理执法局", "马家店街道城建办"),
    ("public_safety", "公共安全", "Public safety", 5, "市公安局", "马家店街道综治中心"),
    ("agriculture", "农业生产", "Agriculture", 15, "市农业农村局", "马家店街道办事处"),
    ("education", "教育", "Education", 15, "市教育局", "马家店街道社会事务办"),
    ("health", "医疗卫生", "Health care", 15, "市卫生健康局", "马家店街道社会事务办"),
    ("other", "其他", "Other", 15, "市数据局", "马家店街道办事处"),
]

DEMO_HALL_SLUG = "hall-guanmiaoshan"
DEMO_HOME_SLUG = "home-majiadian"
DEMO_STATION_SLUG = "station-majiadian-1"
WATER_DEPARTMENT = "市水利和湖泊局"

RESIDENT_NAMES = [
    "王秀英", "李建华", "张桂兰", "刘德明", "陈玉梅", "杨志强", "黄春燕", "赵国庆", "周丽娟",
    "吴海军", "徐凤英", "孙立新", "胡晓燕", "朱振华", "高淑芬", "林伟", "何冬梅", "郭建军",
    "马红霞", "罗文斌", "梁桂芳", "宋建平", "郑小红", "谢光明", "韩金莲", "唐永红", "冯德胜",
    "于秀兰", "董卫东", "萧雅琴",
]
# Where resident01… live, in order: (venue slug, how many).
RESIDENT_PLACES = [
    ("pavilion-yangguang", 6), (DEMO_HALL_SLUG, 4), ("hall-sangshuhe", 3), ("hall-yaojiagang", 3),
    ("hall-sanzhou", 3), ("pavilion-jianghan-huayuan", 4), ("pavilion-minzhu", 3),
    ("pavilion-yingbin", 2), ("hall-liuxiang", 2),
]
# councillor01…: (display name, venue slug)
COUNCILLORS = [
    ("覃明华", "pavilion-jianghan-huayuan"), ("向红梅", "pavilion-jianghan-huayuan"),
    ("田家富", "pavilion-minzhu"), ("邓玉兰", "hall-sangshuhe"), ("彭志刚", "hall-yaojiagang"),
    ("曾庆芳", "hall-sanzhou"), ("熊德华", "hall-sanzhou"), ("万春兰", "pavilion-yingbin"),
]
# deputy01…: (display name, town slug part, station number, deputy groups)
DEPUTIES = [
    ("程建国", "majiadian", 2, ["城市建设"]),
    ("袁丽萍", "majiadian", 3, ["教育文化"]),
    ("蒋正清", "dongshi", 1, ["化工新材料"]),
    ("雷振华", "dongshi", 3, ["化工新材料", "城市建设"]),
    ("汪学文", "anfusi", 1, ["柑橘产业"]),
    ("严春华", "wenan", 1, ["乡村振兴"]),
    ("肖明亮", "xiannv", 1, ["生命健康"]),
    ("魏红英", "qixingtai", 1, ["乡村振兴"]),
    ("邹建波", "bailizhou", 1, ["柑橘产业", "乡村振兴"]),
    ("任桂香", "baiyang", 1, ["生命健康"]),
    ("石国平", "gujiadian", 2, ["柑橘产业"]),
]


def _reset():
    """Delete every row of every model, dependants first."""
    for model in reversed(sort_models(models.MODELS)):
        for field in model._meta.refs:
            # A self-reference that restricts deletes (the region tree) is cut first.
            if field.rel_model is model and field.null and field.on_delete not in (
                "CASCADE", "SET NULL"
            ):
                model.update({field: None}).where(field.is_null(False)).execute()
        model.delete().execute()


def _insert(model, rows):
    for batch in chunked(rows, 50):
        model.insert_many(batch).execute()


def _jitter(rng, lat, lon, spread):
    return (
        round(lat + rng.uniform(-spread, spread), 6),
        round(lon + rng.uniform(-spread, spread), 6),
    )


def _regions(rng):
    """Insert the region tree; return {name: (region id, parent name, latitude, longitude)}."""
    city = Region.create(name=CITY, kind="city", level=models.REGION_KINDS["city"], position=0)
    _insert(Region, [
        {"name": name, "kind": kind, "level": models.REGION_KINDS[kind], "parent": city.id,
         "position": pos}
        for pos, (name, kind, *_rest) in enumerate(TOWNS)
    ])
    town_ids = {r.name: r.id for r in Region.select().where(Region.parent == city.id)}
    _insert(Region, [
        {"name": name, "kind": kind, "level": models.REGION_KINDS[kind],
         "parent": town_ids[town[0]], "position": pos}
        for town in TOWNS
        for pos, (name, kind, _slug) in enumerate(town[7])
    ])
    ids = {r.name: r.id for r in Region.select(Region.id, Region.name)}
    assert len(ids) == 1 + len(TOWNS) + sum(len(t[7]) for t in TOWNS), "region names must be unique"
    places = {CITY: (city.id, None, *CITY_LATLON)}
    for name, _kind, _slug, _en, lat, lon, _n, children in TOWNS:
        places[name] = (ids[name], CITY, lat, lon)
        for child, _ckind, _cslug in children:
            places[child] = (ids[child], name, *_jitter(rng, lat, lon, 0.025))
    return places


def _venue(rng, places, slug, kind, name, region, address, description, times):
    _rid, _parent, lat, lon = places[region]
    lat, lon = _jitter(rng, lat, lon, 0.003)
    return {
        "name": name, "slug": slug, "kind": kind, "region": places[region][0],
        "address": address, "description": description, "opening_times": times,
        "voting_open_to_all": slug in OPEN_TO_ALL, "invite_code": None,
        "latitude": lat, "longitude": lon, "resident_count": 0,
    }


def _venues(rng, places):
    """The venue rows (not yet inserted), keyed by slug, in directory order."""
    venues = {}
    for town, _kind, tslug, _en, _lat, _lon, n_stations, children in TOWNS:
        for child, ckind, cslug in children:
            if ckind == "village":
                slug = f"hall-{cslug}"
                venues[slug] = _venue(
                    rng, places, slug, "hall", f"{child}湾落议事厅", child,
                    f"{CITY}{town}{child}村委会一楼",
                    rng.choice(HALL_TEXTS).format(place=child), rng.choice(HALL_TIMES),
                )
            for compound, slug in PAVILIONS.get(child, []):
                venues[slug] = _venue(
                    rng, places, slug, "pavilion", f"{child}{compound}议事亭", child,
                    f"{CITY}{town}{child}{compound}{rng.randint(1, 12)}栋旁",
                    rng.choice(PAVILION_TEXTS).format(place=compound), rng.choice(PAVILION_TIMES),
                )
        slug = f"home-{tslug}"
        venues[slug] = _venue(
            rng, places, slug, "home", f"{town}人大代表之家", town,
            f"{CITY}{town}{'办事处' if town.endswith('街道') else '人民政府'}院内",
            f"{town}人大代表集中活动、履职学习的场所，代表定期在这里接待选民，"
            "收集的意见建议分级交办、跟踪问效。",
            "每月15日 9:00–12:00（代表集中接待日）",
        )
        for number in range(1, n_stations + 1):
            slug = f"station-{tslug}-{number}"
            if number > 2 and number - 3 < len(children):
                region = children[number - 3][0]
                name = f"{region}代表联络站"
                address = f"{CITY}{town}{region}党群服务中心二楼"
            else:
                region = town
                name = f"{town}第{ORDINALS[number - 1]}代表联络站"
                address = f"{CITY}{town}第{ORDINALS[number - 1]}片区党群服务中心"
            venues[slug] = _venue(
                rng, places, slug, "station", name, region, address,
                rng.choice(STATION_TEXTS), rng.choice(STATION_TIMES),
            )
    return venues


def _departments(places):
    """Insert the departments; return {name: id}."""
    rows = [
        {"name": name, "name_en": en, "level": "city", "region": places[CITY][0]}
        for name, en in CITY_DEPARTMENTS
    ]
    for town, kind, _slug, en, *_rest, children in TOWNS:
        rid = places[town][0]
        if kind == "subdistrict":
            rows.append({"name": f"{town}办事处", "name_en": f"{en} Subdistrict Office",
                         "level": "town", "region": rid})
            rows += [{"name": name, "name_en": name_en, "level": "town", "region": rid}
                     for name, name_en in MAJIADIAN_OFFICES]
        else:
            rows.append({"name": f"{town}人民政府", "name_en": f"{en} Town Government",
                         "level": "town", "region": rid})
            rows.append({"name": f"{town}农业服务中心",
                         "name_en": f"{en} Agricultural Service Centre",
                         "level": "town", "region": rid})
        for child, ckind, cslug in children:
            if ckind == "village":
                name, name_en = f"{child}村民委员会", f"{cslug.capitalize()} Village Committee"
            else:
                name = f"{child}居民委员会"
                name_en = f"{cslug.capitalize()} Community Residents' Committee"
            rows.append({"name": name, "name_en": name_en, "level": "village",
                         "region": places[child][0]})
    _insert(Department, rows)
    ids = {d.name: d.id for d in Department.select(Department.id, Department.name)}
    assert len(ids) == len(rows), "department names must be unique"
    return ids


def load_demo(reset=False):
    """Load the Zhijiang demo data. Returns (username, password, description-in-English) for
    each demo login.

    Raises DemoDataExists if the database already has any Region or User and reset is False.
    With reset=True, deletes all rows of all tables in models.MODELS (in reverse dependency
    order, inside one transaction) first. Every other demo account (resident01…, councillor01…,
    deputy01…) has the same password.
    """
    rng = random.Random(SEED)
    now = models.utcnow()
    with db.atomic():
        if reset:
            _reset()
        elif Region.select().exists() or User.select().exists():
            raise DemoDataExists("the database already has regions or users")

        places = _regions(rng)
        venues = _venues(rng, places)
        departments = _departments(places)

        _insert(Category, [
            {"code": code, "name": name, "name_en": en, "time_limit_days": days,
             "position": pos, "village_department": None,
             "town_department": departments[town_dep],
             "city_department": departments[city_dep]}
            for pos, (code, name, en, days, city_dep, town_dep) in enumerate(CATEGORIES)
        ])
        _insert(DeputyGroup, [
            {"name": name, "name_en": en, "description": text} for name, en, text in GROUPS
        ])
        group_ids = {g.name: g.id for g in DeputyGroup.select(DeputyGroup.id, DeputyGroup.name)}

        # People: (username, display name, admin?)
        people = [
            ("admin", "系统管理员", True), ("councillor", "王议政", False),
            ("deputy", "李代表", False), ("resident", "张大姐", False),
            ("neighbour", "刘师傅", False), ("newcomer", "陈小明", False),
            ("staff", "赵科长", False),
        ]
        people += [(f"resident{i:02d}", n, False) for i, n in enumerate(RESIDENT_NAMES, 1)]
        people += [(f"councillor{i:02d}", n, False) for i, (n, _v) in enumerate(COUNCILLORS, 1)]
        people += [(f"deputy{i:02d}", d[0], False) for i, d in enumerate(DEPUTIES, 1)]
        hasher = User()
        hasher.set_password(DEMO_PASSWORD)
        _insert(User, [
            {"username": username, "display_name": name, "password_hash": hasher.password_hash,
             "is_admin": admin, "created_at": now - timedelta(days=400 - i)}
            for i, (username, name, admin) in enumerate(people)
        ])
        user_ids = {u.username: u.id for u in User.select(User.id, User.username)}

        # Memberships: (username, venue slug, role, verified by or None for pending)
        plan = [
            ("councillor", DEMO_PAVILION_SLUG, "councillor", "admin"),
            ("councillor", DEMO_HALL_SLUG, "councillor", "admin"),
            ("deputy", DEMO_HOME_SLUG, "deputy", "admin"),
            ("deputy", DEMO_STATION_SLUG, "deputy", "admin"),
            ("resident", DEMO_PAVILION_SLUG, "resident", "councillor"),
            ("neighbour", DEMO_PAVILION_SLUG, "resident", "councillor"),
            ("newcomer", DEMO_PAVILION_SLUG, "resident", None),
        ]
        venue_councillor = {DEMO_PAVILION_SLUG: "councillor", DEMO_HALL_SLUG: "councillor"}
        for i, (_name, slug) in enumerate(COUNCILLORS, 1):
            plan.append((f"councillor{i:02d}", slug, "councillor", "admin"))
            venue_councillor.setdefault(slug, f"councillor{i:02d}")
        number = 0
        for slug, count in RESIDENT_PLACES:
            for _ in range(count):
                number += 1
                plan.append((f"resident{number:02d}", slug, "resident",
                             venue_councillor.get(slug, "admin")))
        assert number == len(RESIDENT_NAMES)
        group_members = [(group_ids["柑橘产业"], user_ids["deputy"])]
        for i, (_name, town, station, groups) in enumerate(DEPUTIES, 1):
            username = f"deputy{i:02d}"
            plan.append((username, f"home-{town}", "deputy", "admin"))
            plan.append((username, f"station-{town}-{station}", "deputy", "admin"))
            group_members += [(group_ids[g], user_ids[username]) for g in groups]

        rows = []
        for username, slug, role, verifier in plan:
            if verifier is None:
                created, verified_at, status = now - timedelta(days=1), None, "pending"
            else:
                verified_at = now - timedelta(days=rng.randint(3, 300), hours=rng.randint(0, 8))
                created, status = verified_at - timedelta(days=rng.randint(0, 3)), "verified"
                if role == "resident":
                    venues[slug]["resident_count"] += 1
            rows.append({
                "user": user_ids[username], "venue": slug, "role": role, "status": status,
                "verified_by": user_ids[verifier] if verifier else None,
                "verified_at": verified_at, "created_at": created,
            })

        _insert(Venue, list(venues.values()))
        venue_ids = {v.slug: v.id for v in Venue.select(Venue.id, Venue.slug)}
        for row in rows:
            row["venue"] = venue_ids[row["venue"]]
        _insert(Membership, rows)
        _insert(DeputyGroupMember, [{"group": g, "user": u} for g, u in group_members])
        DepartmentStaff.create(department=departments[WATER_DEPARTMENT], user=user_ids["staff"])

        import demo_agenda  # meetings, votes and outcomes; it needs the people and venues above

        demo_agenda.load(now)

    pavilion = venues[DEMO_PAVILION_SLUG]["name"]
    hall = venues[DEMO_HALL_SLUG]["name"]
    return [
        ("admin", DEMO_PASSWORD, "site administrator"),
        ("councillor", DEMO_PASSWORD, f"councillor of {pavilion} and {hall}"),
        ("deputy", DEMO_PASSWORD,
         f"deputy at {venues[DEMO_HOME_SLUG]['name']} and {venues[DEMO_STATION_SLUG]['name']}, "
         "member of the 柑橘产业 (Citrus) deputy group"),
        ("resident", DEMO_PASSWORD, f"verified resident of {pavilion}"),
        ("neighbour", DEMO_PASSWORD, f"verified resident of {pavilion}"),
        ("newcomer", DEMO_PASSWORD, f"resident of {pavilion}, waiting for verification"),
        ("staff", DEMO_PASSWORD,
         f"staff of {WATER_DEPARTMENT} (city Water Resources and Lakes Bureau)"),
    ]


DEMO_PAVILION_SLUG = "pavilion-yangguang"  # 团结路社区阳光小区议事亭, the councillor's pavilion
DEMO_USERNAMES = ("admin", "councillor", "deputy", "resident", "neighbour", "newcomer", "staff")

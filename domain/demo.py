"""Demo data for Zhijiang (枝江), Hubei, loaded by `flask seed-demo`.

The region tree, venues (halls, pavilions, 9 deputies' homes, 44 liaison stations), the 6 deputy
groups, handling departments, categories, a few dozen people with verified roles, and issues in
most venues in every status, with comments, supports and followers. No meetings or votes: those
come from their own loaders. Everything is deterministic (a fixed seed),
so two loads give the same rows. Village and community names are plausible, not an official list.
"""
import random
from datetime import timedelta

from peewee import chunked, sort_models

import models
from domain import demo_photos, demo_reports, photos
from models import (
    Assignment,
    Category,
    Comment,
    Department,
    DepartmentStaff,
    DeputyGroup,
    DeputyGroupMember,
    Follow,
    Issue,
    Membership,
    Region,
    Support,
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
COMMITTEE_DEPARTMENT = "团结路社区居民委员会"  # handles the demo pavilion's village-level matters
TOWN_DEPARTMENT = "马家店街道办事处"

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
         "position": pos, **models.pinyin_of(name)}
        for pos, (name, kind, *_rest) in enumerate(TOWNS)
    ])
    town_ids = {r.name: r.id for r in Region.select().where(Region.parent == city.id)}
    _insert(Region, [
        {"name": name, "kind": kind, "level": models.REGION_KINDS[kind],
         "parent": town_ids[town[0]], "position": pos, **models.pinyin_of(name)}
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
        "latitude": lat, "longitude": lon, "resident_count": 0, **models.pinyin_of(name),
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


# Issues -------------------------------------------------------------------------------------
# (category code, title, body). {place} is the compound or village, {n} a building or group number.
PAVILION_ISSUES = [
    ("public_safety", "小区路灯坏了，晚上出门很不安全",
     "{place}{n}栋到大门口这一段的路灯坏了快两个星期，晚上黑漆漆的。老人晚上散步、孩子放学回家都要摸黑走，"
     "前几天还有人在这里摔了一跤。希望物业和社区尽快派人修好。"),
    ("public_safety", "{n}栋门口路灯不亮",
     "{n}栋单元门口那盏路灯最近一直不亮，晚上回来找钥匙都看不见。麻烦看看是灯坏了还是线路有问题。"),
    ("old_compound", "建议给{n}栋加装电梯",
     "{n}栋是老房子，一共七层，住了不少七八十岁的老人，上下楼非常吃力。听说政府有加装电梯的补贴政策，"
     "希望社区牵头征求全栋住户意见，帮我们把电梯装起来。"),
    ("old_compound", "楼道墙皮脱落，希望粉刷一下",
     "{n}栋二单元楼道墙皮大片脱落，楼梯扶手也生锈了，看着很破旧。希望老旧小区改造时把楼道一起整修。"),
    ("sanitation", "垃圾分类点太少，经常满出来",
     "小区只有两个垃圾分类投放点，每天早上垃圾桶都满了，垃圾堆在地上，夏天味道很大，还招苍蝇。"
     "建议在{n}栋附近再设一个投放点，并增加清运次数。"),
    ("sanitation", "绿化带里堆了很多建筑垃圾",
     "有住户装修把建筑垃圾堆在{n}栋旁边的绿化带里，已经一个多月没人清理，草都压死了。请物业督促清运。"),
    ("roads", "小区停车太难，消防通道被占",
     "晚上车位不够，很多车停在消防通道上，救护车和消防车根本进不来。建议重新划线，利用边角地增加车位，"
     "同时管住乱停车。"),
    ("roads", "小区门口路面坑洼积水",
     "{place}大门口的路面坑坑洼洼，一下雨就积水，电动车经过会溅人一身泥。希望尽快修补路面。"),
    ("cables", "楼道外墙飞线太乱",
     "{n}栋外墙上的电线、网线、有线电视线缠成一团，有的还垂到一楼窗口，存在安全隐患。希望统一整治。"),
    ("cables", "电动车在楼道充电很危险",
     "有人从楼上拉线下来给电动车充电，还有人把电动车推进楼道。万一起火后果不堪设想。"
     "建议在小区里建集中充电棚。"),
    ("water_supply", "自来水水压太低，高层经常停水",
     "一到早晚用水高峰，{n}栋五楼以上就几乎没水，洗澡做饭都成问题。希望查一查是不是管网老化，"
     "是否需要加装二次供水设备。"),
    ("water_supply", "小区供水管道漏水",
     "{n}栋和{m}栋之间的地面一直在冒水，估计是地下水管破了，已经好几天了，浪费水不说，地面也泡软了。"),
    ("community_canteen", "希望社区办一个老年食堂",
     "小区里独居老人多，很多人做饭不方便。希望社区能办一个老年食堂或者助餐点，价格实惠一点，"
     "行动不便的老人能送餐上门就更好了。"),
    ("health", "社区卫生服务站希望延长开放时间",
     "卫生服务站下午五点就关门，上班的人根本赶不上量血压、开药。建议周末和晚上也开放一段时间。"),
    ("education", "小区附近缺少孩子放学后的去处",
     "很多家长下班晚，孩子放学后没人管。希望社区利用活动室办一个“四点半课堂”，请志愿者辅导作业。"),
    ("property_certificate", "房子住了十几年还没办下不动产证",
     "{place}是开发商早年建的，很多住户到现在还没有拿到不动产证，孩子上学、房屋买卖都受影响。"
     "希望有关部门帮忙协调解决。"),
    ("sanitation", "小区里流浪狗越来越多",
     "最近小区里多了好几条流浪狗，晚上成群叫唤，还追过小孩。希望联系有关部门处理。"),
    ("other", "健身器材坏了没人修",
     "小区广场上的健身器材有好几件坏了，螺丝松动，老人用着很危险。希望尽快维修或者更换。"),
    ("old_compound", "雨天屋顶漏水",
     "{n}栋顶楼住户反映，一下雨屋顶就漏水，墙都发霉了。希望把屋面防水做一下。"),
    ("public_safety", "小区监控好多不能用",
     "最近小区里丢了几辆电动车，去查监控才发现很多摄像头早就坏了。希望修好监控，门岗也要加强管理。"),
]
HALL_ISSUES = [
    ("roads", "村里通组公路坑洼严重",
     "{place}{n}组到主路的通组公路修了十多年，现在到处是坑，下雨天泥泞难走，运柑橘的车经常陷进去。"
     "希望列入今年的道路维修计划。"),
    ("roads", "{n}组路口需要装减速带和反光镜",
     "{n}组路口是个急弯，视线不好，大货车速度快，已经出过好几次险情。建议安装减速带和转弯反光镜。"),
    ("agriculture", "希望请专家来讲讲柑橘病虫害防治",
     "今年柑橘溃疡病比较重，很多橘农不知道怎么打药。希望农业部门派技术员到村里讲一讲，最好能到田里看。"),
    ("agriculture", "农田灌溉渠堵塞",
     "{n}组的灌溉渠多年没有清淤，杂草和淤泥把渠道堵了，秧田放不进水。希望组织清淤。"),
    ("water_source", "村边水塘被污染了",
     "村东头的水塘最近水发黑发臭，怀疑有人往里倒养殖废水。这个塘连着灌溉渠，希望查一查污染源。"),
    ("water_supply", "自来水经常停，水质也发黄",
     "{n}组的自来水三天两头停，来了水也是黄的，要放很久才清。希望查一查管网，保障我们用上干净的水。"),
    ("sanitation", "村里垃圾清运不及时",
     "村里的垃圾箱好几天才运一次，箱子周围都堆满了，狗一扒拉到处都是。希望增加清运次数。"),
    ("sanitation", "希望建公共厕所",
     "村文化广场经常有人跳广场舞、办活动，但附近没有公共厕所，很不方便。希望建一个。"),
    ("health", "村卫生室缺医少药",
     "村卫生室只有一个医生，常用药也经常缺。老人看个小病还要跑到镇上，希望加强村卫生室建设。"),
    ("education", "孩子上学路远，希望开通校车",
     "{n}组离镇上小学有七八里路，孩子每天上学要走很远，家长接送也难。希望开通校车或者公交。"),
    ("community_canteen", "留守老人吃饭难",
     "村里年轻人大多外出打工，留守老人吃饭很凑合。建议在村里办个幸福食堂，让老人能吃上热饭。"),
    ("public_safety", "河边没有护栏，孩子玩水危险",
     "村前那条河边没有护栏也没有警示牌，夏天常有小孩去玩水。希望尽快装上护栏和警示牌。"),
    ("cables", "村里电线杆歪了",
     "{n}组有一根电线杆被车撞歪了，电线垂得很低，人走过去伸手就能碰到，非常危险。"),
    ("other", "村文化广场的路灯不够亮",
     "文化广场晚上活动的人很多，但只有两盏路灯，光线很暗。希望多装几盏路灯。"),
    ("agriculture", "柑橘卖不上价，希望帮忙找销路",
     "今年柑橘丰收了但收购价很低，很多橘子烂在树上。希望政府帮忙对接电商和收购商，办个冷库更好。"),
    ("property_certificate", "宅基地确权证迟迟没发",
     "去年就量过宅基地了，到现在证还没发下来。家里想翻修房子，没证不敢动。希望问一问进度。"),
]
TOWN_ISSUES = [
    ("roads", "镇上到市区的公交班次太少",
     "从镇上到市区的公交一天只有几班，下午四点以后就没有车了，看病、办事很不方便。希望增加班次。"),
    ("water_source", "建议加强长江沿岸水源地保护",
     "长江边有人偷偷采砂、钓鱼，还有人在岸边洗车，影响水源地安全。希望加强巡查和执法。"),
    ("health", "镇卫生院希望增加专科门诊",
     "镇卫生院没有眼科和口腔科，老人配眼镜、看牙都要去市里。希望定期请市医院的专家下来坐诊。"),
    ("education", "镇中学教师流失严重",
     "镇中学这几年走了不少好老师，有的班一个学期换了三个数学老师。希望出台政策留住乡村教师。"),
    ("agriculture", "建议建设柑橘冷链物流中心",
     "全镇柑橘产量大，但没有冷库，采摘后只能马上低价卖掉。建议建设冷链物流中心，延长销售期。"),
    ("public_safety", "集镇街道电动车乱停乱放",
     "集镇主街两边停满了电动车和三轮车，赶集的时候路都走不通。希望划定停车区域，加强管理。"),
    ("sanitation", "集贸市场卫生脏乱差",
     "集贸市场地面污水横流，鱼肉摊的垃圾没人及时清理，气味很大。希望改造市场，加强保洁。"),
    ("community_canteen", "建议推广社区食堂经验",
     "听说马家店有的社区办了社区食堂，老人很满意。建议在全镇推广，解决老人吃饭难。"),
    ("water_supply", "城乡供水一体化进度慢",
     "我们这一片还在用村里的小水厂，水质不稳定。希望加快城乡供水一体化，早日接通市政自来水。"),
    ("other", "政务服务窗口希望周末开放",
     "在外打工的人平时回不来，周末回来办事窗口又不开门。希望政务服务中心周末安排值班窗口。"),
]
COMMENTS = [
    "我也遇到过这个问题，确实需要解决。", "支持！这个事拖了很久了。", "我家就在旁边，情况属实。",
    "希望尽快处理，老人孩子出门太不方便了。", "上次反映过一次，一直没有下文，这次希望有结果。",
    "建议先摸个底，看看大家的意见再定方案。", "这个事我愿意出力，需要志愿者的话可以找我。",
    "同意楼上的说法，费用问题也要提前说清楚。", "能不能先搞个临时办法，别等全部弄好。",
    "晚上确实很危险，我妈前几天差点摔倒。", "希望办理结果能在议事亭公示一下。",
    "我们楼的邻居都签字支持。", "说得对，这个问题影响的不只是我们一栋楼。",
    "能不能请相关部门来现场看看？", "谢谢议政员帮我们反映，辛苦了！",
    "去年别的小区也是这样解决的，可以参考。", "这事得物业和社区一起管才行。",
    "希望下次议事会把这个事拿出来讨论。", "我补充一点：周末情况更严重。",
    "已经拍了照片，需要的话可以发到群里。",
]
COUNCILLOR_COMMENTS = [
    "已收到，我们这周会去现场查看，请大家耐心等待。",
    "已和物业联系，他们答应三天内给出处理方案。",
    "这个问题涉及多个部门，我们已经整理上报，有进展会及时告诉大家。",
    "感谢大家的意见，下次议事会会专门议一议这件事。",
    "已交办到承办单位，办理时限内会有答复。",
]
DECLINE_REASONS = [
    "经核实，该问题不属于本议事场所的受理范围，已告知反映人向有关单位反映，议政员可以帮忙联系。",
    "反映的问题已在之前的整治中解决，现场核实情况与描述不符。如果问题又出现了，欢迎重新反映。",
    "该事项已有专门的办理渠道，建议拨打12345热线或到政务服务中心窗口办理。",
]
RESPONSES = [
    "已安排维修人员到现场处理，问题已经解决，欢迎居民监督。",
    "经现场查看，已完成维修并加强日常巡查，后续发现问题可随时反映。",
    "已纳入今年的改造计划，施工已经完成并通过验收。",
    "已协调相关单位落实，具体安排已在议事亭公示栏张贴。",
]
EXPLANATIONS = [
    "该事项需要列入明年的财政预算，目前资金暂时无法落实，已作为重点事项上报，明年优先安排。",
    "经评估，现有条件暂不具备实施条件，我们将继续跟踪，条件成熟后第一时间办理。",
]
REPORTER_NAMES = ["周大爷", "钱阿姨", "老孙", "吴婆婆", "郑师傅", "冯大姐", "陈老师", "褚大哥"]
# Final statuses of demo issues and how often each occurs.
DEMO_STATUSES = [
    ("submitted", 24), ("accepted", 14), ("declined", 5), ("merged", 3), ("deliberating", 5),
    ("assigned", 10), ("in_progress", 12), ("resolved", 14), ("explained", 4), ("closed", 9),
]
# The path to each final status (merged and declined are handled on their own).
DEMO_PATHS = {
    "submitted": [], "accepted": ["accepted"], "deliberating": ["accepted", "deliberating"],
    "assigned": ["accepted", "assigned"], "in_progress": ["accepted", "assigned", "in_progress"],
    "resolved": ["accepted", "assigned", "in_progress", "resolved"],
    "explained": ["accepted", "assigned", "explained"],
    "closed": ["accepted", "assigned", "in_progress", "resolved", "closed"],
}
# How many issues each venue gets: the demo logins' venues get enough to page through.
DEMO_ISSUE_COUNTS = {"pavilion-yangguang": 24, DEMO_HALL_SLUG: 12, "pavilion-jianghan-huayuan": 8}


def _issue_count(rng, venue):
    if venue.slug in DEMO_ISSUE_COUNTS:
        return DEMO_ISSUE_COUNTS[venue.slug]
    if venue.kind in ("hall", "pavilion"):
        return rng.choice((0, 2, 2, 3, 3, 4, 5))
    if venue.kind == "home":
        return rng.randint(1, 3)
    return rng.choice((0, 0, 1, 1, 2))


def _issue_texts(rng, venue, count):
    """`count` (category, title, body) for `venue`, distinct while the bank lasts."""
    bank = {"pavilion": PAVILION_ISSUES, "hall": HALL_ISSUES}.get(venue.kind, TOWN_ISSUES)
    picks = rng.sample(bank, min(count, len(bank)))
    picks += [rng.choice(bank) for _ in range(count - len(picks))]
    place = venue.name.removesuffix("议事亭").removesuffix("湾落议事厅")
    place = place.split("社区")[-1] or place
    texts = []
    for code, title, body in picks:
        n, m = rng.randint(1, 12), rng.randint(1, 12)
        texts.append((code, title.format(place=place, n=n, m=m), body.format(place=place, n=n, m=m)))
    return texts


def _later(rng, now, start, days):
    """A moment `days` (and a few hours) after `start`, but before now."""
    return min(start + timedelta(days=days, hours=rng.randint(1, 9)), now - timedelta(hours=1))


def _staff_of(department_id, staffers):
    """A member of staff of the department (made on first use, with the demo password)."""
    if department_id not in staffers:
        department = Department.get_by_id(department_id)
        template = User.get(User.username == "staff")
        user = User.create(username=f"dept{department_id:03d}", display_name=f"{department.name}经办人",
                           password_hash=template.password_hash, created_at=template.created_at)
        DepartmentStaff.create(department=department_id, user=user)
        staffers[department_id] = user
    return staffers[department_id]


def _move(rng, now, issue, final, when, people):
    """Take a raised issue along the workflow to `final` through the closed loop's own functions,
    each step a few days after the last."""
    from domain import handling, workflow

    moderator, admin, category, department, staffers = people
    lead = None
    for step in DEMO_PATHS[final]:
        when = _later(rng, now, when, rng.uniform(1, 12))
        if step == "assigned":
            lead = handling.assign(issue, moderator, Department.get_by_id(department), now=when, check=False)
        elif step == "in_progress":
            handling.sign(lead, _staff_of(department, staffers), now=when)
        elif step in ("resolved", "explained"):
            answer = rng.choice(RESPONSES if step == "resolved" else EXPLANATIONS)
            handling.answer(Assignment.get_by_id(lead.id), _staff_of(department, staffers), step, answer,
                            "A" if step == "resolved" else "C", now=when)
        elif step == "closed":
            issue = Issue.get_by_id(issue.id)
            rater = User.get_by_id(issue.author_id or issue.recorded_by_id)
            handling.rate(issue, rater, rng.choice(("satisfied", "satisfied", "basically_satisfied")), now=when)
        else:
            workflow.transition(issue, step, moderator, at=when)


def _loop_stories(now):
    """The closed loop's less common turns, at the demo pavilion, through its own functions: matters
    escalated to the town and the city, one overdue and urged, one returned, one extended, one
    reopened by a dissatisfied resident."""
    from domain import handling

    venue = Venue.get(Venue.slug == DEMO_PAVILION_SLUG)
    councillor = User.get(User.username == "councillor")
    staff = {name: User.get(User.username == name) for name in ("staff", "committee", "townstaff")}
    water = Department.get(Department.name == WATER_DEPARTMENT)
    office = Department.get(Department.name == TOWN_DEPARTMENT)
    waiting = list(Issue.select().where((Issue.venue == venue) & (Issue.status == "accepted"))
                   .order_by(Issue.created_at).limit(4))
    day = timedelta(days=1)
    if len(waiting) == 4:
        city, overdue, returned, extended = waiting
        for issue, reason in ((city, "涉及城区供水主管网，社区和街道无法解决"), (overdue, "需要街道统筹"),
                              (returned, "需要街道统筹"), (extended, "涉及全市排水管网改造")):
            handling.escalate(issue, councillor, reason, now=now - 40 * day)
        for issue in (city, extended):
            handling.escalate(Issue.get_by_id(issue.id), councillor, "需要市级部门研究解决", now=now - 39 * day)
        lead = handling.assign(Issue.get_by_id(city.id), councillor, water, now=now - 3 * day)
        handling.sign(lead, staff["staff"], now=now - 2 * day)
        late = handling.assign(Issue.get_by_id(overdue.id), councillor, office, now=now - 35 * day)
        handling.sign(late, staff["townstaff"], now=now - 30 * day)
        handling.urge(Assignment.get_by_id(late.id), councillor, "已超期，请尽快答复居民", now=now - 2 * day)
        back = handling.assign(Issue.get_by_id(returned.id), councillor, office, now=now - 2 * day)
        handling.return_(back, staff["townstaff"], "属于社区物业管理范围，请交社区居委会办理", now=now - 1 * day)
        more = handling.assign(Issue.get_by_id(extended.id), councillor, water, now=now - 12 * day)
        handling.sign(more, staff["staff"], now=now - 11 * day)
        handling.request_extension(Assignment.get_by_id(more.id), staff["staff"], more.due_on + 20 * day,
                                   "管网改造需要招标，预计一个月", now=now - 5 * day)
        handling.decide_extension(Assignment.get_by_id(more.id), councillor, True, "同意延期", now=now - 4 * day)
    answered = (Issue.select().where((Issue.venue == venue) & (Issue.status == "resolved")
                                     & Issue.author.is_null(False)).order_by(Issue.updated_at).first())
    if answered is not None:
        handling.rate(answered, User.get_by_id(answered.author_id), "dissatisfied", "修了两天又坏了，问题没有解决",
                      now=now - day)


def _issues(rng, now):
    """Issues in most venues, in every status, with comments, supports and followers.

    Issues are raised and moved through workflow.py, back-dated, so their timelines hold real
    Events; supports, comments and follows are inserted directly and the counters set to match.
    """
    from domain import workflow

    users = {u.id: u for u in User.select()}
    admin = next(u for u in users.values() if u.username == "admin")
    categories = {c.code: c for c in Category.select()}
    village_departments = {
        d.region_id: d.id for d in Department.select().where(Department.level == "village")
    }
    members = {}
    for m in Membership.select().where(Membership.status == "verified").order_by(Membership.id):
        members.setdefault((m.venue_id, m.role), []).append(users[m.user_id])
    residents = [u for u in users.values() if u.username.startswith(("resident", "neighbour"))]
    statuses = [s for s, _w in DEMO_STATUSES]
    weights = [w for _s, w in DEMO_STATUSES]
    supports, comments, follows = [], [], {}
    staffers = {s.department_id: users[s.user_id] for s in DepartmentStaff.select()}

    for venue in Venue.select(Venue, Region).join(Region).order_by(Venue.id):
        locals_ = members.get((venue.id, "resident"), [])
        staff = members.get((venue.id, "councillor"), []) + members.get((venue.id, "deputy"), [])
        moderator = (members.get((venue.id, "councillor")) or [admin])[0]
        raised = []
        for code, title, body in _issue_texts(rng, venue, _issue_count(rng, venue)):
            created = now - timedelta(days=rng.uniform(2, 330), minutes=rng.randint(0, 600))
            final = rng.choices(statuses, weights)[0]
            duplicate_of = None
            if final == "merged":
                if not raised:
                    final = "accepted"
                else:
                    # A duplicate: the same matter raised again by someone else a bit later.
                    duplicate_of = rng.choice(raised)
                    code, title = duplicate_of.category.code, duplicate_of.title
                    body = "之前好像有人反映过，但一直没解决，再反映一次：" + duplicate_of.body
                    created = _later(rng, now, duplicate_of.created_at, rng.uniform(1, 20))
            on_behalf = bool(staff) and (venue.kind in ("station", "home") or rng.random() < 0.2)
            author = None if on_behalf else rng.choice(locals_ or residents)
            issue = workflow.raise_issue(
                venue, author, title, body, category=categories[code],
                anonymous=rng.random() < 0.15,
                recorded_by=rng.choice(staff) if on_behalf else None,
                reporter_name=rng.choice(REPORTER_NAMES) if on_behalf and rng.random() < 0.7 else "",
                reporter_contact=(
                    f"139****{rng.randint(1000, 9999)}" if on_behalf and rng.random() < 0.5 else ""
                ),
                channel=rng.choice(workflow.CHANNELS_ON_BEHALF) if on_behalf else "web",
                at=created,
            )
            if final == "declined":
                workflow.decline(issue, moderator, rng.choice(DECLINE_REASONS),
                                 at=_later(rng, now, created, rng.uniform(1, 6)))
            elif final == "merged":
                workflow.merge(issue, duplicate_of, moderator,
                               at=_later(rng, now, created, rng.uniform(1, 4)))
            else:
                department = (village_departments.get(venue.region_id)
                              or categories[code].town_department_id)
                _move(rng, now, issue, final, created,
                      (moderator, admin, categories[code], department, staffers))
                raised.append(issue)

            # Supports, comments and follows, after the issue was raised.
            popular = rng.random() < 0.25
            taken = {issue.author_id}
            pool = [u for u in dict.fromkeys(locals_ + residents) if u.id not in taken]
            n_supports = rng.randint(8, 25) if popular else rng.randint(0, 6)
            for user in rng.sample(pool, min(len(pool), n_supports)):
                at = _later(rng, now, created, rng.uniform(0, 20))
                supports.append({"user": user.id, "issue": issue.id, "created_at": at})
                if rng.random() < 0.4:
                    follows.setdefault((user.id, issue.id), at)
            n_comments = rng.randint(2, 7) if popular else rng.choice((0, 0, 1, 1, 2, 3))
            for _ in range(n_comments):
                if staff and rng.random() < 0.2:
                    commenter, text = rng.choice(staff), rng.choice(COUNCILLOR_COMMENTS)
                else:
                    commenter, text = rng.choice(locals_ or residents), rng.choice(COMMENTS)
                at = _later(rng, now, created, rng.uniform(0, 30))
                comments.append({"issue": issue.id, "author": commenter.id, "body": text,
                                 "created_at": at})
                follows.setdefault((commenter.id, issue.id), at)

    followed = {(f.user_id, f.issue_id) for f in Follow.select(Follow.user, Follow.issue)}
    new_follows = sorted(key for key in follows if key not in followed)
    _insert(Support, supports)
    _insert(Comment, sorted(comments, key=lambda c: (c["issue"], c["created_at"])))
    _insert(Follow, [{"user": u, "issue": i, "created_at": follows[u, i]} for u, i in new_follows])
    added = {}
    for column, rows in ((0, supports), (1, comments), (2, [{"issue": i} for _u, i in new_follows])):
        for row in rows:
            added.setdefault(row["issue"], [0, 0, 0])[column] += 1
    for issue_id, (n_supports, n_comments, n_follows) in added.items():
        Issue.update(
            support_count=n_supports, comment_count=n_comments,
            follower_count=Issue.follower_count + n_follows,
        ).where(Issue.id == issue_id).execute()


SITE = {
    "name": "枝江议事",
    "name_en": "Zhijiang Deliberation",
    "sponsor": "枝江市人大常委会",
    "contact_phone": "0717-4200000",
    "icp": "鄂ICP备20260000号-1",
    "about": "枝江议事是枝江市人大常委会主办的基层民主议事平台。居民在湾落议事厅、小区议事亭反映身边的事，"
             "大家讨论、附议、表决，承办单位按时办理并答复，办理结果向所有人公开。\n\n"
             "本站为演示站点，电话和备案号均为示例。",
}


def load_demo(reset=False):
    """Load the Zhijiang demo data. Returns (username, password, description-in-English) for
    each demo login.

    Raises DemoDataExists if the database already has any Region or User and reset is False.
    With reset=True, deletes all rows of all tables in models.MODELS (in reverse dependency
    order, inside one transaction) first, and the files of the photos, once that has committed.
    Three demo issues get a photo drawn as the demo loads (domain/demo_photos.py): it needs the
    app's context, for the media folder. Every other demo account (resident01…, councillor01…,
    deputy01…) has the same password.
    """
    rng = random.Random(SEED)
    now = models.utcnow()
    pictures = demo_photos.draw()  # drawn and re-encoded before the transaction: it waits on nothing
    # The pictures' files are written first and taken away again if the transaction fails; the
    # files of the photos a reset deletes go only once it has committed.
    with photos.removal() as gone, photos.kept([p for _w, p in pictures]) as files, db.atomic():
        if reset:
            gone.add(models.Photo.select(models.Photo.key, models.Photo.format))  # their files go once this commits
            _reset()
        elif Region.select().exists() or User.select().exists():
            raise DemoDataExists("the database already has regions or users")

        places = _regions(rng)
        venues = _venues(rng, places)
        departments = _departments(places)

        # The site's identity, as a city office would set it (the phone and filing number are made up).
        models.SiteSettings.insert(id=1, **SITE).execute()
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
            ("staff", "赵科长", False), ("committee", "孙主任", False), ("townstaff", "周干事", False),
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
        DepartmentStaff.create(department=departments[COMMITTEE_DEPARTMENT], user=user_ids["committee"])
        DepartmentStaff.create(department=departments[TOWN_DEPARTMENT], user=user_ids["townstaff"])
        _issues(rng, now)

        from domain import demo_agenda  # meetings, votes and outcomes; it needs the people and venues above

        demo_agenda.load(now)
        _loop_stories(now)
        demo_photos.attach(files, pictures, DEMO_PAVILION_SLUG)
        demo_reports.load(now)
        __import__("domain.demo_people").demo_people.load(now)  # deputy groups' fields, good suggestions

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
        ("committee", DEMO_PASSWORD, f"staff of {COMMITTEE_DEPARTMENT} (the pavilion's community committee)"),
        ("townstaff", DEMO_PASSWORD, f"staff of {TOWN_DEPARTMENT} (the subdistrict office)"),
    ]


DEMO_PAVILION_SLUG = "pavilion-yangguang"  # 团结路社区阳光小区议事亭, the councillor's pavilion
DEMO_USERNAMES = ("admin", "councillor", "deputy", "resident", "neighbour", "newcomer", "staff", "committee",
                  "townstaff")

"""The relevance set of the issue search: a small town's issues, and what residents type to find them.

Each query lists the issues it must return among its first five results, and may list more that
are relevant too (the precision counts both). EXACT queries must return nothing else: 区路
crosses a word boundary of 小区路灯 and must find nothing. The queries
are written the way residents speak and type: colloquial phrases with particles, one-character
typos (mostly by sound, as an input method makes them), synonyms, pinyin, traditional characters
and English. tests/test_search.py runs it on the engine under test (and on both, compared, in the
PostgreSQL pass); bench/relevance.py prints its precision@5 and recall.

`load()` builds the world through the models and domain functions; `run()` answers every query.
"""
import datetime

CATEGORIES = [
    # code, name, name_en
    ("roads", "道路交通", "Roads and traffic"),
    ("lighting", "路灯照明", "Street lighting"),
    ("water", "供水排水", "Water supply and drainage"),
    ("parking", "停车管理", "Parking"),
    ("sanitation", "环境卫生", "Sanitation"),
    ("housing", "住房物业", "Housing and property"),
    ("noise", "邻里安宁", "Noise and neighbours"),
    ("fire", "消防安全", "Fire safety"),
    ("elderly", "养老服务", "Elderly care"),
    ("farming", "农业农村", "Farming and villages"),
]

VENUES = [
    # slug, name, region (community or village)
    ("tuanjie", "团结社区小区议事亭", "团结社区"),
    ("jinhu", "金湖社区议事厅", "金湖社区"),
    ("jiangkou", "江口村湾落议事厅", "江口村"),
]

SYNONYMS = [
    ("路灯", ["街灯", "street light"]),
    ("停车", ["车位", "泊车"]),
    ("下水道", ["排水", "下水管"]),
    ("噪音", ["扰民", "吵闹"]),
]

# key, venue, category, title, body
ISSUES = [
    ("L1", "tuanjie", "lighting", "小区路灯坏了", "三号楼门口的路灯坏了一个星期，晚上出门很黑，老人容易摔倒。"),
    ("L2", "jinhu", "lighting", "路灯不亮", "金湖路北段的路灯连续几天不亮，骑车很危险。"),
    ("L3", "jiangkou", "lighting", "村道没有街灯", "江口村到镇上的村道晚上一片漆黑，希望安装街灯。"),
    ("L4", "tuanjie", "housing", "楼道声控灯失灵", "五栋二单元楼道的声控灯拍手也不亮，上下楼看不清。"),
    ("P1", "tuanjie", "parking", "小区停车太难", "下班回来找不到车位，车只能停在消防通道上。"),
    ("P2", "jinhu", "parking", "希望增设停车位", "老旧小区没有停车场，建议把空地改成停车位。"),
    ("P3", "tuanjie", "parking", "僵尸车长期占用车位", "一辆没有牌照的轿车在楼下停了两年，占着公共车位。"),
    ("P4", "jinhu", "parking", "夜里乱停车堵路", "晚上有车乱停在小区出口，早上车开不出去。"),
    ("D1", "jinhu", "water", "下水道堵塞污水外溢", "菜市场旁边的下水道堵了，污水流到路面上，臭味很大。"),
    ("D2", "tuanjie", "water", "雨后积水严重", "一下大雨，小区门口就积水到膝盖，排水沟太小。"),
    ("D3", "tuanjie", "water", "自来水水压低", "六楼以上早上基本没水，水压太低，洗澡都困难。"),
    ("D4", "jiangkou", "water", "家里停水三天", "江口村三组停水已经三天了，没有任何通知。"),
    ("D5", "tuanjie", "housing", "厕所下水管漏水", "楼上卫生间的下水管漏水，渗到我家天花板。"),
    ("C1", "tuanjie", "fire", "电动车飞线充电有隐患", "有住户从楼上拉电线下来给电动车充电，容易起火。"),
    ("C2", "jinhu", "fire", "建议安装电动车充电桩", "小区没有充电桩，大家只能把电瓶车推进楼道充电。"),
    ("E1", "tuanjie", "housing", "老旧小区加装电梯", "我们楼住了很多老人，爬楼太辛苦，希望尽快加装电梯。"),
    ("E2", "jinhu", "housing", "电梯经常坏", "十二栋的电梯一个月坏了四次，困人好几次。"),
    ("S1", "jinhu", "sanitation", "垃圾桶满了没人清运", "广场边的垃圾桶已经满出来好几天了，没人来清运。"),
    ("S2", "tuanjie", "sanitation", "垃圾分类点设置不合理", "垃圾站离住户太近，夏天气味难闻。"),
    ("S3", "jiangkou", "sanitation", "江边乱倒建筑垃圾", "有人往江边倒建筑垃圾，污染环境。"),
    ("N1", "jinhu", "noise", "广场舞噪音扰民", "每天晚上广场舞音响开得很大，一直跳到十点。"),
    ("N2", "tuanjie", "noise", "夜间施工太吵", "工地凌晨还在施工，吵得睡不着觉。"),
    ("N3", "tuanjie", "noise", "烧烤店油烟扰民", "楼下烧烤店的油烟直接排进窗户。"),
    ("R1", "jiangkou", "roads", "村道坑洼不平", "江口村通往镇上的村道坑坑洼洼，下雨天车辆难行。"),
    ("R2", "jinhu", "roads", "学校门口需要斑马线", "放学时车流量大，孩子过马路很危险，希望划斑马线、装红绿灯。"),
    ("R3", "jinhu", "roads", "公交站没有站台", "金湖路公交站没有遮雨棚，下雨天等车全身湿透。"),
    ("R4", "tuanjie", "roads", "减速带损坏", "小区入口的减速带被压坏了，螺丝露在外面容易扎胎。"),
    ("O1", "tuanjie", "elderly", "社区开办老年食堂", "希望社区开办老年食堂，解决独居老人吃饭难。"),
    ("O2", "jinhu", "housing", "健身器材损坏", "文化广场的健身器材断了一根，孩子玩的时候很危险。"),
    ("F1", "jiangkou", "farming", "农田灌溉水渠堵塞", "二组的灌溉沟渠被淤泥堵住，秧田放不进水。"),
    ("F2", "jiangkou", "farming", "堰塘需要清淤", "村里的堰塘多年没有清淤，蓄水量越来越小。"),
    ("M1", "tuanjie", "housing", "物业费太高服务差", "物业费每年涨，保洁却一个星期才来一次，物业不管事。"),
    ("M2", "jinhu", "housing", "小区门禁坏了", "门禁坏了半个月，外人随便进出，不安全。"),
    ("M3", "tuanjie", "housing", "监控摄像头不工作", "停车场的监控坏了，电动车被偷也查不到。"),
    ("G1", "tuanjie", "sanitation", "绿化带杂草丛生", "小区绿化没人修剪，杂草长到半人高，蚊子很多。"),
    ("G2", "jinhu", "lighting", "树枝挡住路灯", "行道树长得太高，树枝把路灯挡住了，晚上路面很暗。"),
    ("T1", "jinhu", "roads", "窨井盖缺失", "金湖路上有一个窨井盖不见了，晚上很容易掉下去。"),
    ("T2", "tuanjie", "roads", "新修的路面塌陷", "新修的路面下雨后塌了一个坑。"),
    ("EN1", "jinhu", "lighting", "Street light broken near the school", "The street light on Jinhu Road has been dark for a week."),
    # The same title raised again elsewhere, and a duplicate merged into L1: folded under L1.
    ("L1b", "jiangkou", "lighting", "小区路灯坏了", "路灯坏了。"),
    ("L1m", "tuanjie", "lighting", "三号楼门口路灯坏了", "门口的灯坏了，晚上很黑。"),
]
MERGED = [("L1m", "L1")]

# query, the issues it must return in its first five, and (optionally) other issues that are
# relevant too: results among neither count against precision.
QUERIES = [
    # colloquial, as residents speak
    ("停车难", ["P1"], ["P2", "P3", "P4"]),
    ("路灯不亮了", ["L2", "L1"], ["L3", "G2", "EN1", "L4"]),
    ("晚上路灯", ["L1", "G2", "L3"], ["L2", "EN1"]),
    ("晚上路灯不亮了", ["L2", "L1"], ["L3", "G2", "EN1", "L4"]),
    ("下水道堵了", ["D1"], ["D5", "D2"]),
    ("下水道又堵了", ["D1"], ["D5", "D2"]),
    ("电动车充电", ["C1", "C2"]),
    ("电梯坏了", ["E2"], ["E1"]),
    ("老人爬楼难", ["E1"]),
    ("垃圾没人清理", ["S1"], ["S2", "S3"]),
    ("垃圾桶满了", ["S1"]),
    ("广场舞太吵", ["N1"], ["N2", "N3"]),
    ("晚上施工吵得睡不着", ["N2"], ["N1"]),
    ("村道坑坑洼洼", ["R1"], ["T2"]),
    ("孩子过马路危险", ["R2"]),
    ("等公交淋雨", ["R3"]),
    ("独居老人吃饭", ["O1"]),
    ("健身器材坏了", ["O2"]),
    ("水渠堵了", ["F1"]),
    ("物业不管事", ["M1"]),
    ("门禁坏了", ["M2"]),
    ("电动车被偷", ["M3"]),
    ("井盖丢了", ["T1"]),
    ("消防通道被堵", ["P1"]),
    ("停车位不够", ["P2"], ["P1", "P3", "P4"]),
    ("天花板渗水", ["D5"]),
    ("没水", ["D3"], ["D4"]),
    # plain words
    ("停车", ["P1", "P2", "P4"], ["P3"]),
    ("加装电梯", ["E1"]),
    ("斑马线", ["R2"]),
    ("减速带", ["R4"]),
    ("老年食堂", ["O1"]),
    ("堰塘清淤", ["F2"]),
    ("油烟", ["N3"]),
    ("杂草", ["G1"]),
    ("飞线充电", ["C1"]),
    ("充电桩", ["C2"]),
    ("积水", ["D2"]),
    ("停水", ["D4"]),
    ("路面塌陷", ["T2"]),
    # one character wrong, as an input method makes it (same sound), or missing
    ("路登", ["L1", "L2"], ["L3", "G2", "EN1"]),
    ("路登不亮", ["L2"], ["L1", "L3", "G2", "EN1"]),
    ("下水到堵了", ["D1"], ["D5", "D2"]),
    ("加装电体", ["E1"]),
    ("停车维", ["P1", "P2"], ["P3", "P4"]),
    # synonyms (the synonym table)
    ("街灯", ["L3", "L1"], ["L2", "G2", "EN1"]),
    ("车位", ["P3", "P2"], ["P1", "P4"]),
    ("排水", ["D2", "D1"], ["D5"]),
    ("噪音", ["N1", "N3"], ["N2"]),
    # pinyin
    ("ludeng", ["L1", "L2"], ["L3", "G2", "EN1"]),
    ("tingche", ["P1", "P2"], ["P3", "P4"]),
    ("jiazhuang dianti", ["E1"]),
    # traditional characters
    ("路燈", ["L1", "L2"], ["L3", "G2", "EN1"]),
    ("路燈壞了", ["L1"], ["L2", "L3", "G2", "EN1"]),
    ("電梯壞了", ["E2"], ["E1"]),
    # category names, in Chinese and English
    ("路灯照明", ["L1", "L2"], ["L3", "G2", "EN1"]),
    ("parking", ["P1", "P2", "P3"], ["P4"]),
    # English over English
    ("street light", ["EN1"], ["L1", "L2", "L3", "G2"]),
    # a pair that crosses a word boundary (小区|路灯) finds nothing
    ("区路", []),
]
# Queries that must return nothing else than what they list.
EXACT = {"区路"}


def load():
    """Build the relevance world in the bound database; returns {key: issue id}."""
    import models
    from domain import workflow

    city = models.Region.create(name="枝江市", kind="city", level="city")
    town = models.Region.create(name="马家店街道", kind="subdistrict", level="town", parent=city)
    regions = {}
    for _slug, _name, region in VENUES:
        if region not in regions:
            kind = "village" if region.endswith("村") else "community"
            regions[region] = models.Region.create(name=region, kind=kind, level="village", parent=town)
    venues = {
        slug: models.Venue.create(name=name, slug=slug, kind="pavilion", region=regions[region])
        for slug, name, region in VENUES
    }
    categories = {
        code: models.Category.create(code=code, name=name, name_en=name_en, position=i)
        for i, (code, name, name_en) in enumerate(CATEGORIES)
    }
    for term, others in SYNONYMS:
        for word in [term, *others]:
            models.Synonym.create(word=word, term=term)
    author = models.User.create(username="resident", display_name="居民", password_hash="x")
    start = datetime.datetime(2026, 1, 1)
    ids = {}
    for n, (key, venue, category, title, body) in enumerate(ISSUES):
        issue = workflow.raise_issue(
            venues[venue], author, title, body, category=categories[category],
            at=start + datetime.timedelta(hours=n),
        )
        ids[key] = issue.id
    for duplicate, target in MERGED:
        workflow.merge(models.Issue.get_by_id(ids[duplicate]), models.Issue.get_by_id(ids[target]), author,
                       check=False)
    return ids


def run(ids, limit=5):
    """{query: [keys of its first `limit` results]} for every query of the set."""
    from domain import search
    from models import Issue

    keys = {v: k for k, v in ids.items()}
    answers = {}
    for query, *_rest in QUERIES:
        results = search.find(Issue.everywhere(), query)
        answers[query] = [] if results is None else [keys[i.id] for i in results.limit(limit).offset(0)]
    return answers


def measure(answers):
    """[(query, precision@5, recall@5, the must-return issues missing)] and the means.

    precision@5: of the first five results, the share the set calls relevant (1 for an empty answer
    to a query that should find nothing). recall@5: of the relevant issues, the share among the
    first five, out of at most five.
    """
    rows = []
    for query, must, *more in QUERIES:
        relevant = set(must) | set(more[0] if more else [])
        top = answers[query]
        hits = [k for k in top if k in relevant]
        if relevant:
            precision = len(hits) / len(top) if top else 0.0
            recall = len(hits) / min(5, len(relevant))
        else:
            precision = recall = 0.0 if top else 1.0
        rows.append((query, precision, recall, [k for k in must if k not in top]))
    mean_p = sum(r[1] for r in rows) / len(rows)
    mean_r = sum(r[2] for r in rows) / len(rows)
    return rows, mean_p, mean_r

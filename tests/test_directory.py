import re

import pytest

import models
from domain.demo import DEMO_PAVILION_SLUG

TOWNS = ["马家店街道", "安福寺镇", "白洋镇", "顾家店镇", "董市镇", "仙女镇", "问安镇", "七星台镇", "百里洲镇"]


def test_home_shows_the_city_its_towns_and_venues(client, demo):
    page = client.get("/").get_data(as_text=True)
    assert "<h1>枝江市" in page
    for town in TOWNS:
        assert town in page
    assert "团结路社区阳光小区议事亭" in page
    assert "湾落议事厅" in page and "代表联络站" in page and "人大代表之家" in page
    assert f'href="/v/{DEMO_PAVILION_SLUG}"' in page


def test_home_in_english(client, demo):
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Find your venue" in page
    assert "residential pavilion" in page and "Deputies' liaison stations" in page
    assert "Being voted on now" in page and "Latest outcomes" in page and "Matters raised so far" in page


def test_home_on_an_empty_site(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert "还没有议事场所。" in response.get_data(as_text=True)


def test_search_as_a_full_page(client, demo):
    response = client.get("/?q=阳光")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" in page
    assert "团结路社区阳光小区议事亭" in page
    assert "关庙山村湾落议事厅" not in page
    assert 'value="阳光"' in page


def test_search_as_an_htmx_fragment(client, demo):
    response = client.get("/?q=阳光", headers={"HX-Request": "true"})
    page = response.get_data(as_text=True)
    assert "<html" not in page
    assert "团结路社区阳光小区议事亭" in page
    assert "关庙山村湾落议事厅" not in page
    assert "HX-Request" in response.headers["Vary"]


def test_boosted_and_history_restore_requests_get_the_whole_page(client, demo):
    boosted = client.get("/?q=阳光", headers={"HX-Request": "true", "HX-Boosted": "true"})
    restore = client.get("/?q=阳光", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in boosted.get_data(as_text=True)
    assert "<html" in restore.get_data(as_text=True)


def test_search_by_region_name_finds_its_venues(client, demo):
    page = client.get("/?q=团结路社区").get_data(as_text=True)
    assert "团结路社区阳光小区议事亭" in page


def test_search_without_matches_says_so(client, demo):
    page = client.get("/?q=火星", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "没有找到相符的议事场所" in page


@pytest.mark.parametrize("q", ["%", "_", "<script>alert(1)</script>", "'; drop table venue; --", "x" * 500])
def test_odd_search_text_is_harmless(client, demo, q):
    response = client.get("/", query_string={"q": q})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


def test_archived_venues_are_not_listed(client, demo):
    models.Venue.update(archived=True).where(models.Venue.slug == DEMO_PAVILION_SLUG).execute()
    page = client.get("/").get_data(as_text=True)
    directory = page[page.index('<div id="results"'):page.index('id="voting-heading"')]
    assert "团结路社区阳光小区议事亭" not in directory  # (its outcomes stay on record)


def test_venue_page_shows_what_and_who(client, demo):
    response = client.get(f"/v/{DEMO_PAVILION_SLUG}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>团结路社区阳光小区议事亭</h1>" in page
    assert "小区议事亭" in page
    assert "团结路社区" in page and "马家店街道" in page
    venue = models.Venue.get(models.Venue.slug == DEMO_PAVILION_SLUG)
    assert venue.address in page
    assert "王议政" in page  # the councillor
    assert "张大姐" not in page  # residents are not listed publicly


def test_venue_page_in_english(client, demo):
    page = client.get(f"/v/{DEMO_PAVILION_SLUG}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Who serves here" in page and "councillor" in page and "residential pavilion" in page
    assert "Add the meetings to my calendar" in page and "Follow outcomes in a feed reader" in page


def test_deputies_show_on_their_home(client, demo):
    page = client.get("/v/home-majiadian").get_data(as_text=True)
    assert "李代表" in page


def test_unknown_venue_is_404_in_the_users_language(client, db):
    zh = client.get("/v/no-such-place")
    assert zh.status_code == 404
    assert "找不到这个页面" in zh.get_data(as_text=True)
    en = client.get("/v/no-such-place", headers={"Accept-Language": "en"})
    assert "Page not found" in en.get_data(as_text=True)


# The home page that leads ----------------------------------------------------------------------

def text_of(response):
    return response.get_data(as_text=True)


def town_blocks(page):
    """{town name: the HTML of its <details>} of the directory."""
    return {
        re.search(r'<span class="town-name">([^<]+)</span>', block).group(1): block
        for block in re.findall(r'<details class="town".*?</details>', page, re.S)
    }


def test_home_folds_the_directory_by_town_without_javascript(client, demo):
    page = text_of(client.get("/"))
    towns = town_blocks(page)
    assert set(TOWNS) <= set(towns)
    # Closed until opened: a town a line, not a list of every venue.
    assert not re.search(r'<details class="town"[^>]* open', page)
    assert "<summary>" in towns["马家店街道"] and "个议事场所" in towns["马家店街道"]
    assert f'href="/v/{DEMO_PAVILION_SLUG}"' in towns["马家店街道"]
    assert "<script" not in page.split("</head>")[1]  # the folding is HTML's own


def test_deputies_venues_are_listed_apart_at_the_end_of_their_town(client, demo):
    block = town_blocks(text_of(client.get("/")))["马家店街道"]
    heading = block.index("代表联络站和代表之家")
    assert block.index('href="/v/home-majiadian"') > heading
    assert block.index('href="/v/station-majiadian-1"') > heading
    assert block.index(f'href="/v/{DEMO_PAVILION_SLUG}"') < heading


@pytest.mark.parametrize("q", ["mjd", "MJD", "m j d", "majiadian"])
def test_pinyin_and_its_initials_find_a_venue(client, demo, q):
    page = text_of(client.get("/", query_string={"q": q}, headers={"HX-Request": "true"}))
    assert 'href="/v/home-majiadian"' in page  # 马家店街道人大代表之家
    assert "关庙山村湾落议事厅" not in page
    assert '<details class="town" open>' in page  # what was found shows at once


def test_an_address_finds_its_venue(client, demo):
    venue = models.Venue.get(models.Venue.slug == DEMO_PAVILION_SLUG)
    page = text_of(client.get("/", query_string={"q": venue.address}))
    assert f'href="/v/{DEMO_PAVILION_SLUG}"' in page


def test_one_search_box_per_purpose_each_named_for_what_it_finds(client, demo):
    page = text_of(client.get("/"))
    main = page.split('<main id="main"')[1]
    assert main.count('type="search"') == 1  # the header's box searches issues, this one venues
    assert '<h2 id="find-heading">查找您的议事场所</h2>' in main
    assert '<label for="venue-q">议事场所的名称、地址或拼音首字母</label>' in main
    assert ">找场所</button>" in main


def test_a_visitor_sees_no_my_venues(client, demo):
    assert "我的议事场所</h2>" not in text_of(client.get("/"))


@pytest.mark.parametrize("username, venues, tag", [
    ("resident", ["团结路社区阳光小区议事亭"], "居民"),
    ("newcomer", ["团结路社区阳光小区议事亭"], "等待认证"),
    ("councillor", ["团结路社区阳光小区议事亭", "关庙山村湾落议事厅"], "议政员"),
])
def test_my_venues_come_first_after_login(client, auth, demo, username, venues, tag):
    auth.login(username, "yishi-demo")
    page = text_of(client.get("/"))
    mine = page.index('<h2 id="mine-heading">我的议事场所</h2>')
    assert mine < page.index('id="find-heading"') < page.index('id="voting-heading"')
    section = page[mine:page.index("</section>", mine)]
    for name in venues:
        assert name in section
    assert tag in section


def test_my_venues_in_english(client, auth, demo):
    auth.login("newcomer", "yishi-demo")
    page = text_of(client.get("/", headers={"Accept-Language": "en"}))
    assert "My venues" in page and "waiting for verification" in page


def test_home_shows_what_the_city_is_voting_on_and_decided(client, demo):
    page = text_of(client.get("/"))
    voting = page[page.index('id="voting-heading"'):page.index('id="outcomes-heading"')]
    assert "在停车场西边空地建设电动车充电桩（20个车位）" in voting and "团结路社区阳光小区议事亭" in voting
    outcomes = page[page.index('id="outcomes-heading"'):]
    assert "议事亭开放时间改为每周六上午9点到11点" in outcomes
    assert 'class="headline"' in page and "累计反映事项" in page


def test_a_vote_about_a_hidden_issue_is_not_shown_on_the_home_page(client, demo):
    item = models.AgendaItem.get(models.AgendaItem.title == "在停车场西边空地建设电动车充电桩（20个车位）")
    models.Issue.update(hidden=True).where(models.Issue.id == item.issue_id).execute()
    page = text_of(client.get("/"))
    assert "在停车场西边空地建设电动车充电桩" not in page
    assert "目前没有正在表决的议题。" in page


def test_a_visitors_home_page_is_kept_until_a_venue_changes(client, demo, statements):
    item = models.AgendaItem.get(models.AgendaItem.title == "在停车场西边空地建设电动车充电桩（20个车位）")
    assert "在停车场西边空地建设电动车充电桩" in text_of(client.get("/"))
    statements.clear()
    client.get("/")
    assert len(statements) == 1  # the venues' revisions with the site's, in one statement
    models.Issue.update(hidden=True).where(models.Issue.id == item.issue_id).execute()
    assert "在停车场西边空地建设电动车充电桩" not in text_of(client.get("/"))
    statements.clear()
    client.get("/?q=mjd")
    client.get("/?q=mjd")
    assert len(statements) > 4  # typed words are answered afresh, never kept


def test_the_home_page_reads_no_issue_table_however_many_issues(client, demo, statements):
    client.get("/")
    statements.clear()
    client.get("/?q=")  # built, not taken from the cache
    assert len(statements) <= 7
    # Venues, regions, open votes, outcomes, figures: issues only joined by id, never scanned.
    assert not any(sql.lstrip().startswith("SELECT") and 'FROM "issue"' in sql for sql in statements)


# The venue page that leads ---------------------------------------------------------------------

@pytest.fixture
def world(make):
    from world import World

    return World(make)


def test_the_venue_page_puts_votes_and_meetings_first_and_facts_aside(client, world):
    world.issue(title="楼道灯不亮")
    world.item(title="建设充电桩")
    models.Venue.update(opening_times="每周六上午").where(models.Venue.id == world.venue.id).execute()
    page = text_of(client.get("/v/yangguang"))
    now = page.index('id="agenda-panel-heading"')
    assert now < page.index('id="issues-heading"')
    top = page[now:page.index('id="about-heading"')]
    assert "建设充电桩" in top and "十二月居民议事会" in top
    side = page[page.index('<aside class="venue-side"'):page.index("</aside>")]
    assert "阳光小区1栋旁" in side and "每周六上午" in side
    assert "王议政" in side and '<span class="tag role-councillor">议政员</span>' in side
    assert "张大姐" not in side  # residents are not listed publicly


def test_feeds_are_offered_in_plain_words(client, world):
    for lang, calendar, feed in (("zh", "把议事会加到我的日历", "用订阅阅读器关注决议"),
                                  ("en", "Add the meetings to my calendar", "Follow outcomes in a feed reader")):
        page = text_of(client.get("/v/yangguang", headers={"Accept-Language": lang}))
        assert f'type="text/calendar">{calendar}</a>' in page
        assert f'type="application/atom+xml">{feed}</a>' in page
        assert page.count('class="hint"') >= 2
        visible = re.sub(r"<[^>]+>", " ", page)
        assert "iCal" not in visible and "Atom" not in visible


def test_a_councillor_gets_the_tools_and_a_visitor_the_way_to_join(client, auth, world):
    visitor = text_of(client.get("/v/yangguang"))
    assert "议政员操作" not in visitor and "/login?next=" in visitor
    auth.login("councillor")
    page = text_of(client.get("/v/yangguang"))
    assert "议政员操作" in page and "/v/yangguang/requests" in page
    assert page.index('<aside class="venue-side"') < page.index("议政员操作") < page.index("</aside>")


def test_a_resident_sees_they_may_vote(client, auth, world):
    auth.login("pending")
    assert "您的加入申请正在等议政员处理。" in text_of(client.get("/v/yangguang"))
    auth.logout()
    auth.login("resident")
    assert "您是这里的认证居民，可以参加本场所的议题表决。" in text_of(client.get("/v/yangguang"))


def statements_of(client, statements, path):
    statements.clear()
    assert client.get(path).status_code == 200
    return len(statements)


# A visitor's page reads what it is built from first (the venue's versions), then, when the cache
# has no such page, the same five statements as a signed-in reader's page at an address with a
# query (which is built every time). At its plain address, a reader's page comes from the cache too.
@pytest.mark.parametrize("role, count", [("visitor", 6), ("resident", 5), ("stranger", 5), ("councillor", 7)])
def test_the_venue_page_costs_five_statements(client, auth, world, statements, role, count):
    """The venue with its regions; its issues with their agenda badges; the votes open now with the
    next meetings; the latest outcomes; who serves there with the reader's own memberships (and for
    its councillors, the two counts of their tools). What a page around it costs (signing in, the
    header) is measured on a page without a venue."""
    for n in range(3):
        world.issue(title=f"第{n}号楼路灯坏了")
    world.item(title="建设充电桩", issue=world.issue(title="充电桩"))
    world.login(auth, role)
    client.get("/v/yangguang?sort=supported")  # what is built once per version (the categories, the figures)
    # A page without a venue reads the site's revision alone; the venue page with the venue.
    around = statements_of(client, statements, "/privacy") - 1
    built = "/v/yangguang" if role == "visitor" else "/v/yangguang?sort=new"
    assert statements_of(client, statements, built) - around == count
    if role == "visitor":  # then from the cache: the venue row, with the site's revision, and nothing else
        assert statements_of(client, statements, "/v/yangguang") == 1
    elif role != "councillor":  # the venue's versions, the account, the reader's memberships there
        statements_of(client, statements, "/v/yangguang")
        assert statements_of(client, statements, "/v/yangguang") == 3

"""Visitors' venue and issue pages are built once per version of what they show.

The database moves a venue's and an issue's revision (and the site's) with every change that shows
on those pages (migration 0020's triggers), so a cached page is never stale: each test changes
something the way the application does and sees it on the next visit.
"""
import re

import pytest
from peewee import SqliteDatabase
from world import World, text

from domain import handling, memberships, participation, workflow
from models import Category, Comment, Issue, Meeting, PageVersion, User, Venue, utcnow

HX = {"HX-Request": "true"}


@pytest.fixture
def world(make):
    return World(make)


def revisions(world, issue=None):
    venue = Venue.get_by_id(world.venue.id).revision
    return (venue, Issue.get_by_id(issue.id).revision) if issue else venue


def token(response):
    return re.search(r'name="csrf-token" content="([^"]+)"', text(response)).group(1)


def test_a_visitor_page_is_built_once_then_served_with_the_visitors_own_token(app, world, statements):
    world.issue(title="路灯不亮")
    first_visitor, second_visitor = app.test_client(), app.test_client()
    built = first_visitor.get("/v/yangguang")
    statements.clear()
    served = second_visitor.get("/v/yangguang")
    assert served.status_code == 200 and "路灯不亮" in text(served)
    assert len(statements) == 1  # the venue, with the site's revision; nothing else is read
    assert "\x00" not in text(served)
    # The same page but for what is each reader's own: the CSRF token, the forms' one-time keys.
    def shared(response):
        return re.sub(r'name="_once" value="[^"]+"', "", text(response).replace(token(response), ""))

    assert shared(built) == shared(served)


def test_each_visitor_posts_with_the_token_their_cached_page_holds(csrf_app, world):
    first, second = csrf_app.test_client(), csrf_app.test_client()
    first.get("/v/yangguang")
    page = second.get("/v/yangguang")  # from the cache
    forged = first.post("/language", data={"lang": "en", "next": "/", "csrf_token": token(page) + "x"})
    assert forged.status_code == 400
    response = second.post("/language", data={"lang": "en", "next": "/v/yangguang", "csrf_token": token(page)})
    assert response.status_code == 303


def test_a_visitor_asking_again_gets_a_304(client, world):
    first = client.get("/v/yangguang")
    again = client.get("/v/yangguang", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and first.headers["Cache-Control"] == "no-cache"
    assert {"Cookie", "Accept-Language", "HX-Request"} <= set(first.vary)


def test_language_fragment_and_query_are_kept_apart(client, world):
    world.issue(title="路灯不亮")
    zh = text(client.get("/v/yangguang"))
    en = text(client.get("/v/yangguang", headers={"Accept-Language": "en"}))
    fragment = text(client.get("/v/yangguang", headers=HX))
    filtered = text(client.get("/v/yangguang?status=declined"))
    assert "<html" in zh and "<html" in en and zh != en and "<html" not in fragment
    assert "路灯不亮" in zh and "路灯不亮" not in filtered


def test_signed_in_readers_get_their_own_page(app, client, auth, world, statements):
    app.test_client().get("/v/yangguang")  # a visitor's page is in the cache
    auth.login("resident")
    client.get("/v/yangguang")
    statements.clear()
    response = client.get("/v/yangguang")
    assert len(statements) > 2 and "ETag" not in response.headers
    assert 'action="/logout"' in text(response) and "_once" in text(response)


@pytest.mark.parametrize("path", ["/v/yangguang", "/", "/outcomes", "/v/yangguang/outcomes", "issue"])
def test_a_kept_page_costs_one_statement_and_addresses_naming_nothing_are_404(app, world, statements, path):
    path = f"/issues/{world.issue(title='路灯不亮').id}" if path == "issue" else path
    app.test_client().get(path)
    statements.clear()
    served = app.test_client().get(path)
    assert served.status_code == 200 and len(statements) == 1
    assert "_once" not in text(served)  # a visitor's forms need no one-time key: claim() keeps none
    visitor = app.test_client()
    for nothing in ("/v/nowhere", "/v/nowhere/outcomes", "/issues/99999", "/v/yang%00guang", "/issues/4294967296"):
        assert visitor.get(nothing).status_code == 404


def test_a_flash_message_is_never_served_from_the_cache(client, world):
    client.get("/v/yangguang")
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "已经保存")]
    assert "已经保存" in text(client.get("/v/yangguang"))


def test_random_query_strings_are_answered_but_never_fill_the_cache(app, client, world):
    """Only a page's canonical addresses are kept: its page number and the arguments it reads,
    as it reads them. Anything else is built for the asker and stored nowhere."""
    kept = app.extensions["page_cache"].local
    client.get("/v/yangguang")
    client.get("/outcomes")
    assert len(kept) == 2
    for n in range(30):
        for url in (f"/v/yangguang?utm_source={n}", f"/outcomes?x{n}=1", f"/outcomes?page=0{n}",
                    f"/outcomes?page=1&page={n}", f"/issues/{world.issue().id}?ref={n}"):
            response = client.get(url)
            assert response.status_code in (200, 404) and "ETag" not in response.headers, url
    assert len(kept) == 2
    assert client.get("/outcomes?page=1").status_code == 200 and len(kept) == 3  # a real address


def test_a_visitor_s_outcomes_page_is_served_from_the_cache(client, world, statements):
    from test_agenda import closed_item

    from domain import deliberation

    item = closed_item(world, ["yes"], title="加装路灯的决议")
    deliberation.publish_outcome(item, world.councillor, "同意加装。")
    assert "加装路灯的决议" in text(client.get("/outcomes"))
    statements.clear()
    served = client.get("/outcomes")
    assert served.status_code == 200 and "加装路灯的决议" in text(served)
    assert len(statements) == 1  # every venue's revision with the site's; nothing else is read
    statements.clear()
    assert "加装路灯的决议" in text(client.get("/v/yangguang/outcomes"))
    assert len(statements) <= 3
    elsewhere = world.item(meeting=world.meeting(venue=world.other_venue), state="open", title="别处的决议")
    deliberation.publish_outcome(deliberation.close_early(elsewhere, world.admin, "结束"), world.admin, "别处。")
    site = text(client.get("/outcomes"))
    assert "别处的决议" in site and site.index("别处的决议") < site.index("加装路灯的决议")
    assert "别处的决议" not in text(client.get("/v/yangguang/outcomes"))


# Every change that shows on the page moves its revision -----------------------------------------

def test_a_new_issue_and_its_counters_show_at_once(client, world):
    assert "路灯不亮" not in text(client.get("/v/yangguang"))
    issue = workflow.raise_issue(world.venue, world.resident, "路灯不亮", "三号楼前。")
    assert "路灯不亮" in text(client.get("/v/yangguang"))
    before = text(client.get(f"/issues/{issue.id}"))
    participation.support(world.resident2, Issue.get_by_id(issue.id))
    after = text(client.get(f"/issues/{issue.id}"))
    assert before != after and "路灯不亮" in text(client.get("/v/yangguang"))


def test_a_comment_its_hiding_and_a_status_change_show_on_the_issue_page(client, world):
    issue = world.issue(title="路灯不亮")
    client.get(f"/issues/{issue.id}")
    comment = Comment.create(issue=issue, author=world.resident2, body="我也看到了")
    assert "我也看到了" in text(client.get(f"/issues/{issue.id}"))
    Comment.update(hidden=True).where(Comment.id == comment.id).execute()
    assert "我也看到了" not in text(client.get(f"/issues/{issue.id}"))
    workflow.transition(Issue.get_by_id(issue.id), "deliberating", world.councillor)
    assert "议事中" in text(client.get(f"/issues/{issue.id}")) or "deliberat" in text(client.get(f"/issues/{issue.id}"))


def test_meetings_members_and_the_site_s_names_show(client, world, make):
    client.get("/v/yangguang")
    world.meeting(title="五号见面会")
    assert "五号见面会" in text(client.get("/v/yangguang"))
    User.update(display_name="王大议政").where(User.id == world.councillor.id).execute()
    assert "王大议政" in text(client.get("/v/yangguang"))
    Venue.update(address="阳光小区2栋旁").where(Venue.id == world.venue.id).execute()
    assert "阳光小区2栋旁" in text(client.get("/v/yangguang"))
    Category.create(code="lamps", name="路灯照明", name_en="Street lamps")
    assert "路灯照明" in text(client.get("/v/yangguang"))


def test_each_write_moves_the_revisions_once(world):
    issue = world.issue()
    venue_before, issue_before = revisions(world, issue)
    Issue.update(support_count=Issue.support_count + 1).where(Issue.id == issue.id).execute()
    assert revisions(world, issue) == (venue_before + 1, issue_before + 1)
    Comment.create(issue=issue, author=world.resident2, body="同意")
    assert revisions(world, issue) == (venue_before + 1, issue_before + 2)
    # A full save holding a revision read before is still a change: the revision moves on.
    stale = Issue.get_by_id(issue.id)
    stale.revision = 0
    stale.save()
    assert revisions(world, issue) == (venue_before + 2, issue_before + 3)


def test_moving_an_issue_to_another_venue_moves_both(world):
    issue = world.issue()
    other = Venue.get_by_id(world.other_venue.id).revision
    here = revisions(world)
    Issue.update(venue=world.other_venue).where(Issue.id == issue.id).execute()
    assert Venue.get_by_id(world.other_venue.id).revision == other + 1 and revisions(world) == here + 1


def test_the_site_revision_moves_with_categories_regions_departments_and_names(world, make):
    site = PageVersion.current()
    Category.create(code="x", name="新类别", name_en="New")
    make.region("新镇", kind="town")
    assert PageVersion.current() == site + 2
    User.update(phone="13800000000").where(User.id == world.resident.id).execute()
    assert PageVersion.current() == site + 2  # not shown on pages: no change
    User.update(display_name="张二姐").where(User.id == world.resident.id).execute()
    assert PageVersion.current() == site + 3


def test_memberships_and_agenda_items_move_the_venue(world, make):
    before = revisions(world)
    membership = memberships.request_join(world.stranger, world.venue)
    assert revisions(world) > before
    before = revisions(world)
    meeting = Meeting.create(venue=world.venue, title="议事会", kind="regular", starts_at=utcnow())
    assert revisions(world) == before + 1
    del membership, meeting


# Where the pages are kept ------------------------------------------------------------------------

@pytest.fixture
def app_with_redis(database_url):
    """Another app on the test's database, with `REDIS_URL` as given; the test's own database
    handle is put back afterwards."""
    import models
    from app import create_app

    kept = models.db.obj
    made = []

    def build(url):
        made.append(create_app({"DATABASE_URL": database_url, "SECRET_KEY": "x", "TESTING": True,
                                "REDIS_URL": url}))
        return made[-1]

    yield build
    models.db.obj.close_all()
    models.db.initialize(kept)


def test_with_redis_the_pages_are_kept_there(world, app_with_redis):
    import redis

    server = redis.Redis.from_url("redis://127.0.0.1:6379/15")
    try:
        server.ping()
    except redis.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    server.flushdb()
    client = app_with_redis("redis://127.0.0.1:6379/15").test_client()
    assert client.get("/v/yangguang").status_code == 200
    assert len(server.keys("yishi:page:*")) == 1
    assert client.get("/v/yangguang").status_code == 200 and len(server.keys("yishi:page:*")) == 1
    server.flushdb()


def test_a_redis_that_is_down_only_means_no_cache(world, app_with_redis):
    client = app_with_redis("redis://127.0.0.1:1/0").test_client()
    assert client.get("/v/yangguang").status_code == 200
    assert client.get("/v/yangguang").status_code == 200


def test_handling_steps_show_on_the_issue_page(client, make):
    from world import LoopWorld

    loop = LoopWorld(make)
    lead = loop.assigned()
    client.get(f"/issues/{lead.issue_id}")
    handling.sign(lead, loop.office_staff)
    assert "已签收" in text(client.get(f"/issues/{lead.issue_id}")) or "签收" in text(client.get(f"/issues/{lead.issue_id}"))


def test_every_trigger_is_in_place_after_the_last_migration(db):
    """A later migration that rebuilds a table on SQLite (adding a NOT NULL column does) drops its
    triggers: it must make them again, or the cache would serve stale pages."""
    import importlib


    versions = importlib.import_module("migrations.0020_page_versions")
    if isinstance(db.obj, SqliteDatabase):
        found = {row[0] for row in db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        assert set(versions.SQLITE_TRIGGERS) <= found
    else:
        found = {row[0] for row in db.execute_sql("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")}
        wanted = {statement.split()[2] for statement in versions.POSTGRES if statement.startswith("CREATE TRIGGER")}
        assert wanted <= found

"""Administration: every page as admin, councillor, resident and visitor; validation; the last-admin
rule; deactivation; temporary passwords; the audit trail; `flask create-admin`."""
import re
from types import SimpleNamespace

import pytest
from flask import url_for
from world import text

from domain import audit
from models import (
    AuditLog,
    Category,
    Department,
    DepartmentStaff,
    DeputyGroup,
    DeputyGroupMember,
    Issue,
    Membership,
    Region,
    User,
    Venue,
)
from tests.test_i18n import catalogue, visible_text


@pytest.fixture
def world(make):
    person = make.person

    city = make.region("枝江市", "city")
    town = make.region("马家店街道", "subdistrict", parent=city)
    other_town = make.region("董市镇", "town", parent=city)
    village = make.region("团结路社区", "community", parent=town)
    venue = make.venue("阳光小区议事亭", region=village, slug="pavilion-yangguang")
    other_venue = make.venue("姚家港村湾落议事厅", kind="hall", region=village, slug="hall-yaojiagang")
    admin = person("boss", "管理员", is_admin=True)
    councillor = person("wang", "王议政")
    make.member(councillor, venue, "councillor")
    resident = person("zhang", "张大姐", phone="13800001111")
    membership = make.member(resident, venue)
    deputy = person("li", "李代表")
    make.member(deputy, other_venue, "deputy")
    department = Department.create(name="市水利和湖泊局", name_en="Water Bureau", level="city", region=city)
    town_office = Department.create(name="马家店街道城建办", level="town", region=town)
    category = Category.create(code="water_supply", name="供水管网", name_en="Water supply",
                               city_department=department, town_department=town_office)
    group = DeputyGroup.create(name="柑橘产业", name_en="Citrus")
    del person
    return SimpleNamespace(**locals())


@pytest.fixture
def en(client):
    """English pages, so the tests read like the messages they check."""
    client.set_cookie("lang", "en")
    return client


@pytest.fixture
def admin(world, auth, en):
    auth.login("boss")
    return en


def actions():
    return [e.action for e in AuditLog.select().order_by(AuditLog.id)]


def reload(obj):
    return type(obj).get_by_id(obj.id)


# Every route and every role -------------------------------------------------------------------

def admin_urls(app, world):
    """(method, url) of every route of the administration, with ids that exist."""
    ids = {
        "region_id": world.town.id, "venue_id": world.venue.id, "user_id": world.resident.id,
        "membership_id": world.membership.id, "department_id": world.department.id,
        "group_id": world.group.id, "category_id": world.category.id,
        "key_id": 1,  # only POST /admin/api-keys/<key_id>/revoke uses it: refused before the key is sought
    }
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint.startswith("admin."):
                url = url_for(rule.endpoint, **{name: ids[name] for name in rule.arguments})
                urls += [(method, url) for method in ("GET", "POST") if method in rule.methods]
    return urls


def test_every_admin_page_opens_for_admins(app, admin, world):
    gets = [url for method, url in admin_urls(app, world) if method == "GET"]
    assert len(gets) >= 14
    for url in gets:
        response = admin.get(url)
        assert response.status_code == 200, url
        assert text(response).count("<h1") == 1, url
        assert '="None"' not in text(response), url  # no stray attribute values such as aria-invalid="None"


@pytest.mark.parametrize("username", ["wang", "zhang"])
def test_councillors_and_residents_get_403_everywhere(app, client, auth, world, username):
    auth.login(username)
    for method, url in admin_urls(app, world):
        response = client.open(url, method=method, data={"name": "x", "archived": "1"})
        assert response.status_code == 403, (method, url)
    assert actions() == []
    assert not reload(world.venue).archived and not reload(world.councillor).is_admin


def test_visitors_are_sent_to_log_in(app, client, world):
    for method, url in admin_urls(app, world):
        response = client.open(url, method=method)
        assert response.status_code == 302, (method, url)
        assert response.headers["Location"].startswith("/login?next="), url
    assert actions() == []


def test_navigation_shows_administration_to_admins_only(client, auth, world):
    auth.login("zhang")
    assert "/admin/" not in text(client.get("/"))
    auth.logout()
    auth.login("boss")
    assert 'href="/admin/"' in text(client.get("/"))


def test_a_post_without_csrf_token_is_refused(csrf_app, world):
    client = csrf_app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = world.admin.get_id()
        session["_fresh"] = True
    url = f"/admin/venues/{world.venue.id}/archive"
    assert client.post(url).status_code == 400
    assert not reload(world.venue).archived
    token = re.search(r'name="csrf_token" value="([^"]+)"', text(client.get(f"/admin/venues/{world.venue.id}"))).group(1)
    assert client.post(url, data={"csrf_token": token}).status_code == 303
    assert reload(world.venue).archived


# Regions ----------------------------------------------------------------------------------------

def test_an_empty_site_gets_a_city_then_towns_then_villages(client, auth, make, en):
    make.user("boss", is_admin=True)
    auth.login("boss")
    assert 'selected value="city"' in text(client.get("/admin/regions/new"))
    response = client.post("/admin/regions/new", data={"name": "枝江市", "kind": "city", "parent": ""})
    assert response.status_code == 303
    city = Region.get(Region.name == "枝江市")
    assert city.level == "city" and city.parent_id is None
    form = text(client.get(f"/admin/regions/new?parent={city.id}"))
    assert 'selected value="town"' in form
    client.post("/admin/regions/new", data={"name": "白洋镇", "kind": "town", "parent": city.id})
    town = Region.get(Region.name == "白洋镇")
    client.post("/admin/regions/new", data={"name": "石岭村", "kind": "village", "parent": town.id, "position": "2"})
    village = Region.get(Region.name == "石岭村")
    assert (village.parent_id, village.level, village.position) == (town.id, "village", 2)
    tree = text(client.get("/admin/regions")).split('<ul class="region-tree">')[1]
    assert tree.index("枝江市") < tree.index("白洋镇") < tree.index("石岭村")
    assert actions() == ["region.create"] * 3


@pytest.mark.parametrize(
    ("kind", "parent", "name", "message"),
    [
        ("town", "", "新镇", "A town or subdistrict belongs to the city."),
        ("village", "city", "新村", "A village or community belongs to a town or subdistrict."),
        ("town", "village", "新镇", "Please choose from the list."),
        ("city", "city", "新市", "The city is the top of the tree: it belongs to nothing."),
        ("city", "", "第二个市", "There is already a city. Add towns and villages under it."),
        ("town", "city", "", "Please enter a name."),
        ("town", "city", "镇" * 61, "At most 60 characters."),
        ("town", "abc", "新镇", "Please choose from the list."),
        ("town", "99999", "新镇", "Please choose from the list."),
    ],
)
def test_region_rules(admin, world, kind, parent, name, message):
    parent = {"city": world.city.id, "village": world.village.id}.get(parent, parent)
    before = Region.select().count()
    response = admin.post("/admin/regions/new", data={"name": name, "kind": kind, "parent": parent})
    assert response.status_code == 422
    assert message in text(response)
    assert Region.select().count() == before
    if name:
        assert f'value="{name}"' in text(response)


def test_a_bad_region_kind_is_refused(admin, world):
    response = admin.post("/admin/regions/new", data={"name": "x", "kind": "planet", "parent": world.city.id})
    assert response.status_code == 422


def test_rename_and_move_a_region(admin, world):
    response = admin.post(f"/admin/regions/{world.village.id}",
                          data={"name": "团结路新社区", "kind": "community", "parent": world.other_town.id})
    assert response.status_code == 303
    village = reload(world.village)
    assert (village.name, village.parent_id) == ("团结路新社区", world.other_town.id)
    entry = AuditLog.get(AuditLog.action == "region.update")
    assert entry.before["name"] == "团结路社区" and entry.after["name"] == "团结路新社区"
    assert entry.before["parent"] == world.town.id and entry.after["parent"] == world.other_town.id
    assert entry.actor_id == world.admin.id


def test_a_region_cannot_belong_to_itself_or_change_level(admin, world):
    itself = admin.post(f"/admin/regions/{world.town.id}",
                        data={"name": "马家店街道", "kind": "subdistrict", "parent": world.town.id})
    assert itself.status_code == 422
    level = admin.post(f"/admin/regions/{world.town.id}",
                       data={"name": "马家店街道", "kind": "village", "parent": world.city.id})
    assert level.status_code == 422
    assert "Please choose from the list." in text(level) or "level cannot change" in text(level)
    assert reload(world.town).parent_id == world.city.id and reload(world.town).level == "town"
    assert actions() == []


def test_archive_only_what_holds_no_open_venue(admin, world):
    refused = admin.post(f"/admin/regions/{world.village.id}/archive", follow_redirects=True)
    assert "Archive its venues and the regions under it first." in text(refused)
    assert not reload(world.village).archived
    for venue in (world.venue, world.other_venue):
        admin.post(f"/admin/venues/{venue.id}/archive")
    response = admin.post(f"/admin/regions/{world.village.id}/archive", follow_redirects=True)
    assert "团结路社区 is archived." in text(response)
    assert reload(world.village).archived
    assert "团结路社区" not in text(admin.get("/"))  # the directory hides it
    admin.post(f"/admin/regions/{world.village.id}/restore")
    assert not reload(world.village).archived
    assert actions()[-2:] == ["region.archive", "region.restore"]


def test_only_an_empty_region_can_be_deleted(admin, world):
    refused = admin.post(f"/admin/regions/{world.village.id}/delete", follow_redirects=True)
    assert "Only an empty region can be deleted." in text(refused)
    assert Region.get_or_none(Region.id == world.village.id)
    empty = Region.create(name="错建的村", kind="village", level="village", parent=world.other_town)
    page = text(admin.get(f"/admin/regions/{empty.id}"))
    assert "Delete this region" in page
    assert "Delete this region" not in text(admin.get(f"/admin/regions/{world.village.id}"))
    response = admin.post(f"/admin/regions/{empty.id}/delete")
    assert response.status_code == 303
    assert Region.get_or_none(Region.id == empty.id) is None
    entry = AuditLog.get(AuditLog.action == "region.delete")
    assert entry.before["name"] == "错建的村" and entry.after is None


def test_missing_records_are_404(admin, world):
    for url in ("/admin/regions/99999", "/admin/venues/99999", "/admin/users/99999", "/admin/groups/99999",
                "/admin/departments/99999", "/admin/categories/99999"):
        assert admin.get(url).status_code == 404, url
    assert admin.post("/admin/memberships/99999/remove").status_code == 404


# Venues -----------------------------------------------------------------------------------------

VENUE = {
    "name": "江汉花园小区议事亭", "kind": "pavilion", "slug": "pavilion-jianghan", "address": "江汉路 8 号",
    "opening_times": "每周六 9:00–11:00", "description": "江汉花园的议事亭。", "voting": "all",
}


def test_create_a_venue(admin, world):
    response = admin.post("/admin/venues/new", data=dict(VENUE, region=world.village.id))
    assert response.status_code == 303
    venue = Venue.get(Venue.slug == "pavilion-jianghan")
    assert response.headers["Location"] == f"/admin/venues/{venue.id}"
    assert (venue.name, venue.kind, venue.region_id) == ("江汉花园小区议事亭", "pavilion", world.village.id)
    assert venue.address == "江汉路 8 号" and venue.opening_times == "每周六 9:00–11:00"
    assert venue.voting_open_to_all is True
    assert "江汉花园小区议事亭" in text(admin.get("/v/pavilion-jianghan"))
    assert actions() == ["venue.create"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("slug", "pavilion-yangguang", "Another venue already uses this web address name."),
        ("slug", "Bad Slug", "Use small letters a–z, digits and single dashes"),
        ("slug", "议事亭", "Use small letters a–z, digits and single dashes"),
        ("slug", "", "Please enter a web address name."),
        ("name", "", "Please enter a name."),
        ("region", "", "Please choose a region."),
        ("region", "99999", "Please choose from the list."),
        ("kind", "castle", "Not a valid choice"),
        ("address", "路" * 201, "At most 200 characters."),
    ],
)
def test_venue_validation(admin, world, field, value, message):
    data = dict(VENUE, region=world.village.id)
    data[field] = value
    before = Venue.select().count()
    response = admin.post("/admin/venues/new", data=data)
    assert response.status_code == 422
    assert message in text(response)
    assert Venue.select().count() == before
    if field != "name":
        assert 'value="江汉花园小区议事亭"' in text(response)


def test_edit_a_venue_keeps_its_slug_unique(admin, world):
    url = f"/admin/venues/{world.venue.id}"
    taken = admin.post(url, data=dict(VENUE, region=world.village.id, slug="hall-yaojiagang"))
    assert taken.status_code == 422
    same = admin.post(url, data=dict(VENUE, region=world.village.id, slug="pavilion-yangguang", voting="residents"))
    assert same.status_code == 303
    venue = reload(world.venue)
    assert venue.name == "江汉花园小区议事亭" and venue.voting_open_to_all is False
    entry = AuditLog.get(AuditLog.action == "venue.update")
    assert entry.before["name"] == "阳光小区议事亭" and entry.after["name"] == "江汉花园小区议事亭"


def test_archive_a_venue_keeps_its_page(admin, world):
    response = admin.post(f"/admin/venues/{world.venue.id}/archive")
    assert response.status_code == 303
    venue = reload(world.venue)
    assert venue.archived and not venue.is_open()
    public = admin.get("/v/pavilion-yangguang")
    assert public.status_code == 200 and "Archived: read only" in text(public)
    assert "阳光小区议事亭" in text(admin.get("/admin/venues?state=archived"))
    assert "阳光小区议事亭" not in text(admin.get("/admin/venues"))
    admin.post(f"/admin/venues/{world.venue.id}/restore")
    assert reload(world.venue).is_open()
    assert actions() == ["venue.archive", "venue.restore"]


def test_venue_list_filters_ignore_nonsense(admin, world):
    for query in ("?kind=castle", "?state=xyz", "?region=abc", "?page=abc", "?page=-3"):
        assert admin.get("/admin/venues" + query).status_code == 200, query
    assert admin.get("/admin/venues?page=999").status_code == 404  # past the last page
    assert "姚家港" in text(admin.get("/admin/venues?kind=hall"))
    assert "阳光" not in text(admin.get("/admin/venues?kind=hall"))
    assert "阳光" in text(admin.get(f"/admin/venues?region={world.town.id}"))


# People and roles -----------------------------------------------------------------------------

@pytest.mark.parametrize(("q", "found"), [("张", "张大姐"), ("138000", "张大姐"), ("wan", "王议政"), ("王议", "王议政")])
def test_find_people_by_name_username_or_phone(admin, world, q, found):
    page = text(admin.get("/admin/users", query_string={"q": q}))
    assert found in page
    assert "李代表" not in page


def test_user_search_answers_htmx_with_the_fragment(admin, world):
    response = admin.get("/admin/users?q=张", headers={"HX-Request": "true"})
    assert "<html" not in text(response) and "张大姐" in text(response)
    assert "Nobody matches" in text(admin.get("/admin/users?q=nobody-at-all"))
    assert "管理员" in text(admin.get("/admin/users?show=admins"))
    assert "王议政" not in text(admin.get("/admin/users?show=admins"))


def test_users_are_paginated(admin, world, make, app):
    app.config["PAGE_SIZE"] = 3
    for n in range(5):
        make.user(f"extra{n}")
    first = text(admin.get("/admin/users"))
    assert "page=2" in first
    second = text(admin.get("/admin/users?page=2"))
    assert "extra4" in first and "extra4" not in second


def test_create_an_account_with_a_temporary_password(admin, world, client, auth):
    response = admin.post("/admin/users/new", data={
        "username": "xiong", "display_name": "熊德华", "phone": "139 0000 2222", "password": "temp-pass-1",
    })
    user = User.get(User.username == "xiong")
    assert response.status_code == 303 and response.headers["Location"] == f"/admin/users/{user.id}"
    assert user.must_change_password and user.check_password("temp-pass-1")
    entry = AuditLog.get(AuditLog.action == "user.create")
    assert "password_hash" not in entry.after
    auth.logout()
    login = auth.login("xiong", "temp-pass-1")
    assert client.get(login.headers["Location"]).headers["Location"] == "/profile/password"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("username", "zhang", "This username is taken. Please choose another."),
        ("username", "a b", "Use only letters, digits, dots, dashes and underscores."),
        ("display_name", "", "Please enter a name."),
        ("phone", "call me", "Please enter a phone number of digits."),
        ("password", "short", "A password has 8 to 128 characters."),
    ],
)
def test_account_validation(admin, world, field, value, message):
    data = {"username": "xiong", "display_name": "熊德华", "phone": "", "password": "temp-pass-1"}
    data[field] = value
    before = User.select().count()
    response = admin.post("/admin/users/new", data=data)
    assert response.status_code == 422
    assert message in text(response)
    assert User.select().count() == before


def test_edit_an_account(admin, world):
    bad = admin.post(f"/admin/users/{world.resident.id}", data={"display_name": "", "phone": ""})
    assert bad.status_code == 422 and "Please enter a name." in text(bad)
    ok = admin.post(f"/admin/users/{world.resident.id}", data={"display_name": "张桂兰", "phone": ""})
    assert ok.status_code == 303
    user = reload(world.resident)
    assert user.display_name == "张桂兰" and user.phone is None
    entry = AuditLog.get(AuditLog.action == "user.update")
    # The trail shows that the number changed, never the number (PIPL).
    assert (entry.before["phone"], entry.after["phone"]) == ("*******1111", None)


def test_make_and_unmake_a_councillor(admin, world, client, auth):
    url = f"/admin/users/{world.deputy.id}/roles"
    response = admin.post(url, data={"role-venue": world.venue.id, "role-role": "councillor"})
    assert response.status_code == 303
    membership = Membership.get(
        (Membership.user == world.deputy) & (Membership.venue == world.venue) & (Membership.role == "councillor")
    )
    assert membership.status == "verified" and membership.verified_by_id == world.admin.id
    assert "李代表" in text(admin.get("/v/pavilion-yangguang"))
    again = admin.post(url, data={"role-venue": world.venue.id, "role-role": "councillor"}, follow_redirects=True)
    assert "already has this role" in text(again)
    removed = admin.post(f"/admin/memberships/{membership.id}/remove")
    assert removed.status_code == 303
    assert reload(membership).status == "removed"
    assert "李代表" not in text(admin.get("/v/pavilion-yangguang"))
    admin.post(url, data={"role-venue": world.venue.id, "role-role": "councillor"})
    assert reload(membership).status == "verified"
    assert Membership.select().where(Membership.user == world.deputy).count() == 2
    assert actions() == ["membership.create", "membership.removed", "membership.verified"]


@pytest.mark.parametrize(
    ("venue", "role", "message"),
    [("", "councillor", "Please choose a venue."), ("99999", "councillor", "Please choose from the list."),
     ("archived", "councillor", "Please choose from the list."), ("venue", "mayor", "Not a valid choice")],
)
def test_role_validation(admin, world, venue, role, message):
    if venue == "archived":
        world.other_venue.archived = True
        world.other_venue.save()
        venue = world.other_venue.id
    elif venue == "venue":
        venue = world.venue.id
    response = admin.post(f"/admin/users/{world.resident.id}/roles", data={"role-venue": venue, "role-role": role})
    assert response.status_code == 422
    assert message in text(response)
    assert actions() == []


def test_removing_a_resident_role_updates_the_count(admin, world):
    assert reload(world.venue).resident_count == 1
    admin.post(f"/admin/memberships/{world.membership.id}/remove", data={"note": "moved away"})
    assert reload(world.venue).resident_count == 0
    assert reload(world.membership).note == "moved away"


def test_department_staff_from_the_users_page(admin, world):
    url = f"/admin/users/{world.resident.id}/departments"
    assert admin.post(url, data={"staff-department": ""}).status_code == 422
    assert admin.post(url, data={"staff-department": world.department.id}).status_code == 303
    assert DepartmentStaff.get(DepartmentStaff.user == world.resident).department_id == world.department.id
    assert "市水利和湖泊局" in text(admin.get(f"/admin/users/{world.resident.id}"))
    removed = admin.post(f"/admin/departments/{world.department.id}/staff/{world.resident.id}/remove",
                         data={"next": f"/admin/users/{world.resident.id}"})
    assert removed.headers["Location"] == f"/admin/users/{world.resident.id}"
    assert not DepartmentStaff.select().exists()
    assert actions() == ["department_staff.create", "department_staff.delete"]


def test_the_last_admin_keeps_the_role(admin, world):
    refused = admin.post(f"/admin/users/{world.admin.id}/admin/remove", follow_redirects=True)
    assert "is the last site admin" in text(refused)
    assert reload(world.admin).is_admin
    page = text(admin.get(f"/admin/users/{world.admin.id}"))
    assert "This is the last site admin." in page and "Remove the site admin role" not in page
    admin.post(f"/admin/users/{world.councillor.id}/admin")
    assert reload(world.councillor).is_admin
    response = admin.post(f"/admin/users/{world.admin.id}/admin/remove")
    assert response.headers["Location"] == "/"
    assert not reload(world.admin).is_admin
    assert admin.get("/admin/").status_code == 403
    assert actions() == ["user.grant_admin", "user.revoke_admin"]


def test_an_inactive_admin_does_not_count(admin, world, make):
    make.user("sleeper", is_admin=True, active=False)
    refused = admin.post(f"/admin/users/{world.admin.id}/admin/remove")
    assert refused.status_code == 303
    assert reload(world.admin).is_admin


def test_deactivation_blocks_login_and_ends_sessions(admin, world, app):
    councillor = app.test_client()
    councillor.post("/login", data={"username": "wang", "password": "password123"})
    assert councillor.get("/profile").status_code == 200
    response = admin.post(f"/admin/users/{world.councillor.id}/deactivate")
    assert response.status_code == 303
    assert not reload(world.councillor).active
    assert councillor.get("/profile").status_code == 302  # the open session ends
    login = app.test_client().post("/login", data={"username": "wang", "password": "password123"},
                                   headers={"Accept-Language": "en"})
    assert login.status_code == 422
    assert "This account has been deactivated." in text(login)
    # Their place in the venue stays: content and history are kept.
    assert Membership.select().where(Membership.user == world.councillor).exists()
    admin.post(f"/admin/users/{world.councillor.id}/reactivate")
    again = app.test_client().post("/login", data={"username": "wang", "password": "password123"})
    assert again.status_code == 303
    assert actions() == ["user.deactivate", "user.reactivate"]


def test_admins_cannot_deactivate_themselves(admin, world):
    response = admin.post(f"/admin/users/{world.admin.id}/deactivate", follow_redirects=True)
    assert "You cannot deactivate your own account." in text(response)
    assert reload(world.admin).active
    assert actions() == []


def test_temporary_password(admin, world, app):
    bad = admin.post(f"/admin/users/{world.resident.id}/password", data={"pw-password": "short"})
    assert bad.status_code == 422 and "A password has 8 to 128 characters." in text(bad)
    ok = admin.post(f"/admin/users/{world.resident.id}/password", data={"pw-password": "new-temp-pass"})
    assert ok.status_code == 303
    user = reload(world.resident)
    assert user.must_change_password and user.check_password("new-temp-pass")
    resident = app.test_client()
    assert resident.post("/login", data={"username": "zhang", "password": "password123"}).status_code == 422
    resident.post("/login", data={"username": "zhang", "password": "new-temp-pass"})
    assert resident.get("/").headers["Location"] == "/profile/password"
    entry = AuditLog.get(AuditLog.action == "user.set_password")
    assert "password_hash" not in entry.before and "password_hash" not in entry.after
    assert entry.after["must_change_password"] is True


# Deputy groups ----------------------------------------------------------------------------------

def test_deputy_groups_and_members(admin, world):
    # Fields left out of the request (here the description) are stored empty.
    created = admin.post("/admin/groups/new", data={"name": "城市建设", "name_en": "Urban construction"})
    group = DeputyGroup.get(DeputyGroup.name == "城市建设")
    assert created.headers["Location"] == f"/admin/groups/{group.id}"
    taken = admin.post("/admin/groups/new", data={"name": "柑橘产业"})
    assert taken.status_code == 422 and "There is already a deputy group with this name." in text(taken)
    renamed = admin.post(f"/admin/groups/{group.id}", data={"name": "城市建设组", "name_en": "", "description": "x"})
    assert renamed.status_code == 303 and reload(group).name == "城市建设组"
    url = f"/admin/groups/{group.id}/members"
    unknown = admin.post(url, data={"member-username": "nobody"})
    assert unknown.status_code == 422 and "There is no account with this username." in text(unknown)
    not_deputy = admin.post(url, data={"member-username": "zhang"})
    assert not_deputy.status_code == 422 and "is not a deputy yet" in text(not_deputy)
    assert admin.post(url, data={"member-username": "li"}).status_code == 303
    assert "李代表" in text(admin.get(f"/admin/groups/{group.id}"))
    twice = admin.post(url, data={"member-username": "li"}, follow_redirects=True)
    assert "is already in this group" in text(twice)
    assert DeputyGroupMember.select().count() == 1
    admin.post(f"/admin/groups/{group.id}/members/{world.deputy.id}/remove")
    assert DeputyGroupMember.select().count() == 0
    admin.post(f"/admin/groups/{group.id}/archive")
    assert reload(group).archived
    admin.post(f"/admin/groups/{group.id}/restore")
    assert actions() == [
        "deputy_group.create", "deputy_group.update", "deputy_group_member.create",
        "deputy_group_member.delete", "deputy_group.archive", "deputy_group.restore",
    ]


# Departments ------------------------------------------------------------------------------------

def test_departments_and_their_staff(admin, world):
    data = {"name": "董市镇人民政府", "name_en": "Dongshi Town Government", "level": "town",
            "region": world.other_town.id}
    created = admin.post("/admin/departments/new", data=data)
    department = Department.get(Department.name == "董市镇人民政府")
    assert created.headers["Location"] == f"/admin/departments/{department.id}"
    assert department.level == "town" and department.region_id == world.other_town.id
    renamed = admin.post(f"/admin/departments/{department.id}", data=dict(data, name="董市镇政府"))
    assert renamed.status_code == 303 and reload(department).name == "董市镇政府"
    clash = admin.post(f"/admin/departments/{department.id}", data=dict(data, level="city"))
    assert clash.status_code == 422 and reload(department).level == "town"
    url = f"/admin/departments/{department.id}/staff"
    unknown = admin.post(url, data={"staff-username": "nobody"})
    assert unknown.status_code == 422 and "There is no account with this username." in text(unknown)
    assert admin.post(url, data={"staff-username": "zhang"}).status_code == 303
    assert "张大姐" in text(admin.get(f"/admin/departments/{department.id}"))
    admin.post(f"/admin/departments/{department.id}/staff/{world.resident.id}/remove")
    assert not DepartmentStaff.select().exists()
    admin.post(f"/admin/departments/{department.id}/archive", follow_redirects=True)
    assert reload(department).archived
    assert "董市镇政府" not in text(admin.get("/admin/categories/new"))
    assert "董市镇政府" in text(admin.get("/admin/departments?level=town"))
    assert "市水利和湖泊局" not in text(admin.get("/admin/departments?level=town"))
    assert actions() == ["department.create", "department.update", "department_staff.create",
                         "department_staff.delete", "department.archive"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"level": "city"}, "The region is not at the level chosen above."),
        ({"name": "马家店街道城建办", "region": "town"}, "This region already has a department with this name."),
        ({"name": ""}, "Please enter a name."),
        ({"region": ""}, "Please choose a region."),
        ({"level": "galaxy"}, "Not a valid choice"),
    ],
)
def test_department_validation(admin, world, changes, message):
    data = {"name": "新部门", "name_en": "", "level": "town", "region": world.other_town.id}
    data.update(changes)
    if data["region"] == "town":
        data["region"] = world.town.id
    before = Department.select().count()
    response = admin.post("/admin/departments/new", data=data)
    assert response.status_code == 422
    assert message in text(response)
    assert Department.select().count() == before


# Categories -------------------------------------------------------------------------------------

CATEGORY = {"code": "roads", "name": "道路交通", "name_en": "Roads", "village_department": "",
            "town_department": "", "city_department": "", "time_limit_days": "15", "position": "3"}


def test_create_and_edit_a_category(admin, world):
    data = dict(CATEGORY, town_department=world.town_office.id, city_department=world.department.id)
    assert admin.post("/admin/categories/new", data=data).status_code == 303
    category = Category.get(Category.code == "roads")
    assert category.town_department_id == world.town_office.id and category.time_limit_days == 15
    assert "马家店街道城建办" in text(admin.get("/admin/categories"))
    edited = admin.post(f"/admin/categories/{category.id}", data=dict(data, code="roads_traffic", time_limit_days="10"))
    assert edited.status_code == 303
    category = reload(category)
    assert (category.code, category.time_limit_days) == ("roads_traffic", 10)
    admin.post(f"/admin/categories/{category.id}/archive")
    assert reload(category).archived
    assert actions() == ["category.create", "category.update", "category.archive"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"code": "water_supply"}, "Another category already uses this code."),
        ({"code": "道路"}, "Start with a small letter a–z"),
        ({"code": "Roads"}, "Start with a small letter a–z"),
        ({"code": ""}, "Please enter a code."),
        ({"name": ""}, "Please enter a name."),
        ({"name_en": ""}, "Please enter the English name."),
        ({"time_limit_days": "0"}, "Use a number from 1 to 365."),
        ({"time_limit_days": ""}, "Please enter a number of days."),
        ({"city_department": "town_office"}, "Please choose from the list."),
        ({"town_department": "xyz"}, "Please choose from the list."),
    ],
)
def test_category_validation(admin, world, changes, message):
    data = dict(CATEGORY, **changes)
    if data["city_department"] == "town_office":
        data["city_department"] = world.town_office.id
    before = Category.select().count()
    response = admin.post("/admin/categories/new", data=data)
    assert response.status_code == 422
    assert message in text(response)
    assert Category.select().count() == before


def test_a_used_category_code_cannot_change(admin, world):
    Issue.create(venue=world.venue, author=world.resident, title="水管漏水", body="……", category=world.category)
    url = f"/admin/categories/{world.category.id}"
    assert "readonly" in text(admin.get(url))
    data = dict(CATEGORY, code="water", name="供水", name_en="Water supply")
    refused = admin.post(url, data=data)
    assert refused.status_code == 422
    assert "Issues already use this category, so its code cannot change." in text(refused)
    assert reload(world.category).code == "water_supply"
    kept = admin.post(url, data=dict(data, code="water_supply"))
    assert kept.status_code == 303
    assert reload(world.category).name == "供水"


# Audit trail ------------------------------------------------------------------------------------

def test_audit_helpers(make):
    user = make.user(display_name="张三")
    venue = make.venue(name="旧名")
    data = audit.snapshot(user)
    assert "password_hash" not in data and data["display_name"] == "张三"
    assert isinstance(data["created_at"], str)
    before = audit.snapshot(venue)
    venue.name = "新名"
    venue.save()
    entry = audit.record(user, "venue.update", venue, before, audit.snapshot(venue), note="typo")
    entry = AuditLog.get_by_id(entry.id)
    assert (entry.object_type, entry.object_id, entry.actor_id, entry.note) == ("venue", venue.id, user.id, "typo")
    assert audit.changes(entry) == [("name", "旧名", "新名")]
    assert audit.title(entry) == "新名"
    with pytest.raises(ValueError):
        audit.record(user, "venue.explode", venue)


def test_every_kind_of_audit_action_has_a_label_in_the_filter(admin, world):
    page = text(admin.get("/admin/audit"))
    for action in audit.ACTIONS:
        assert f'value="{action}"' in page


def test_the_audit_list_shows_and_filters_changes(admin, world):
    admin.post(f"/admin/venues/{world.venue.id}", data=dict(VENUE, region=world.village.id, slug="pavilion-yangguang"))
    admin.post(f"/admin/users/{world.deputy.id}/roles", data={"role-venue": world.venue.id, "role-role": "councillor"})
    admin.post(f"/admin/regions/{world.other_town.id}/archive")
    page = text(admin.get("/admin/audit"))
    assert "Venue changed" in page and "Role given" in page and "Region archived" in page
    assert "阳光小区议事亭" in page and "江汉花园小区议事亭" in page  # before and after
    assert "李代表 · 江汉花园小区议事亭" in page  # a membership is named by both ends
    only = text(admin.get("/admin/audit?action=region.archive"))
    assert "Region archived" in only and "Venue changed</strong>" not in only
    by_type = text(admin.get("/admin/audit?object_type=membership"))
    assert "Role given" in by_type and "Region archived</strong>" not in by_type
    by_object = text(admin.get(f"/admin/audit?object_type=venue&object_id={world.venue.id}"))
    assert "Venue changed" in by_object and "Showing one record only." in by_object
    assert "Venue changed" in text(admin.get("/admin/audit?actor=boss"))
    assert "No changes match." in text(admin.get("/admin/audit?actor=wang"))
    assert "No changes match." in text(admin.get("/admin/audit?actor=nobody"))
    for nonsense in ("?action=drop.tables", "?object_type=x&object_id=abc", "?page=zz", "?object_id=5"):
        assert admin.get("/admin/audit" + nonsense).status_code == 200, nonsense


def test_the_overview_guides_a_new_site(client, auth, make, en):
    make.user("boss", is_admin=True)
    auth.login("boss")
    page = text(client.get("/admin/"))
    assert "Add the city" in page and "Completed" not in page and "Nothing has been changed yet." in page
    client.post("/admin/regions/new", data={"name": "枝江市", "kind": "city", "parent": ""})
    page = text(client.get("/admin/"))
    assert "Completed" in page and "Region created" in page


# Languages --------------------------------------------------------------------------------------

def test_validation_messages_are_in_chinese_by_default(client, auth, world):
    auth.login("boss")
    response = client.post("/admin/venues/new", data=dict(VENUE, region=world.village.id, slug="pavilion-yangguang"))
    assert response.status_code == 422
    assert "已有别的议事场所使用这个网址名" in text(response)


ZH_PAGES = ["/admin/", "/admin/regions", "/admin/regions/new", "/admin/venues", "/admin/venues/new",
            "/admin/users", "/admin/users/new", "/admin/groups", "/admin/groups/new", "/admin/departments",
            "/admin/departments/new", "/admin/categories", "/admin/categories/new", "/admin/audit"]


def test_chinese_admin_pages_show_no_english_ui_string(client, auth, world):
    auth.login("boss")
    client.post(f"/admin/venues/{world.venue.id}/archive")
    client.post(f"/admin/users/{world.deputy.id}/roles", data={"role-venue": world.venue.id, "role-role": "councillor"})
    pages = ZH_PAGES + [f"/admin/regions/{world.town.id}", f"/admin/venues/{world.venue.id}",
                        f"/admin/users/{world.resident.id}", f"/admin/groups/{world.group.id}",
                        f"/admin/departments/{world.department.id}", f"/admin/categories/{world.category.id}"]
    msgids = [
        m.id for m in catalogue("zh_Hans")
        if isinstance(m.id, str) and m.id and "%(" not in m.id and len(m.id) >= 4 and re.search("[A-Za-z]{3}", m.id)
    ]
    for path in pages:
        page = visible_text(text(client.get(path)))
        for msgid in msgids:
            assert msgid not in page, f"{path} shows untranslated {msgid!r}"


# flask create-admin -----------------------------------------------------------------------------

def test_create_admin_from_the_environment(runner, db, client):
    result = runner.invoke(args=["create-admin", "chief", "--display-name", "主任"],
                           env={"YISHI_ADMIN_PASSWORD": "a-long-secret"})
    assert result.exit_code == 0, result.output
    assert "Created site admin chief" in result.output
    login = client.post("/login", data={"username": "chief", "password": "a-long-secret"})
    assert login.status_code == 303
    assert client.get("/admin/").status_code == 200
    user = User.get(User.username == "chief")
    assert user.display_name == "主任" and user.is_admin and not user.must_change_password
    assert AuditLog.get().note == "flask create-admin"


def test_create_admin_asks_for_the_password(runner, db):
    result = runner.invoke(args=["create-admin", "chief"], input="a-long-secret\na-long-secret\n",
                           env={"YISHI_ADMIN_PASSWORD": ""})
    assert result.exit_code == 0, result.output
    assert "Password" in result.output and "a-long-secret" not in result.output
    user = User.get(User.username == "chief")
    assert user.is_admin and user.check_password("a-long-secret") and user.display_name == "chief"


def test_create_admin_promotes_an_existing_account(runner, make):
    make.user("zhou", active=False, must_change_password=True)
    result = runner.invoke(args=["create-admin", "zhou"], env={"YISHI_ADMIN_PASSWORD": "a-long-secret"})
    assert result.exit_code == 0, result.output
    user = User.get(User.username == "zhou")
    assert user.is_admin and user.active and user.check_password("a-long-secret")
    assert User.select().count() == 1
    assert AuditLog.get().action == "user.grant_admin"


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [("chief", "short", "8 to 128 characters"), ("a b", "a-long-secret", "3 to 40 letters")],
)
def test_create_admin_refuses_bad_input(runner, db, username, password, message):
    result = runner.invoke(args=["create-admin", username], env={"YISHI_ADMIN_PASSWORD": password})
    assert result.exit_code == 1
    assert message in result.output
    assert not User.select().exists()

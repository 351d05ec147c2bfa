"""Memberships: the shared status function, and the councillors' member list of their venues."""
import re

import pytest

from domain import memberships
from models import AuditLog, Membership, Notification, User, Venue


def resident_count(venue):
    return Venue.get_by_id(venue.id).resident_count


# memberships.set_membership_status / grant_role -----------------------------------------------

def test_verifying_and_removing_a_resident_keeps_the_count(make):
    venue = make.venue()
    councillor = make.user()
    pending = Membership.create(user=make.user(), venue=venue, role="resident", status="pending")
    assert memberships.set_membership_status(pending, "verified", councillor) is True
    assert resident_count(venue) == 1
    assert pending.status == "verified" and pending.verified_by_id == councillor.id
    assert pending.verified_at is not None
    assert memberships.set_membership_status(pending, "verified", councillor) is False
    assert resident_count(venue) == 1
    assert memberships.set_membership_status(pending, "removed", councillor, note="moved away") is True
    assert resident_count(venue) == 0
    assert Membership.get_by_id(pending.id).note == "moved away"
    actions = [e.action for e in AuditLog.select().order_by(AuditLog.id)]
    assert actions == ["membership.verified", "membership.removed"]


def test_a_stale_copy_does_not_count_twice(make):
    venue = make.venue()
    membership = Membership.create(user=make.user(), venue=venue, role="resident", status="pending")
    stale = Membership.get_by_id(membership.id)
    memberships.set_membership_status(membership, "verified", None)
    assert memberships.set_membership_status(stale, "verified", None) is False
    assert stale.status == "verified"
    assert resident_count(venue) == 1


def test_councillor_roles_do_not_touch_the_resident_count(make):
    venue = make.venue()
    membership = memberships.grant_role(make.user(), venue, "councillor", None)
    assert membership.status == "verified"
    assert resident_count(venue) == 0
    memberships.set_membership_status(membership, "removed", None)
    assert resident_count(venue) == 0


def test_grant_role_creates_or_reverifies(make):
    venue, user = make.venue(), make.user()
    first = memberships.grant_role(user, venue, "resident", None)
    assert resident_count(venue) == 1
    memberships.set_membership_status(first, "removed", None)
    again = memberships.grant_role(user, venue, "resident", None)
    assert again.id == first.id and again.status == "verified"
    assert resident_count(venue) == 1
    assert Membership.select().count() == 1
    assert [e.action for e in AuditLog.select().order_by(AuditLog.id)] == [
        "membership.create", "membership.removed", "membership.verified",
    ]


def test_unknown_status_is_refused(make):
    membership = make.member(make.user(), make.venue())
    with pytest.raises(ValueError):
        memberships.set_membership_status(membership, "banished", None)


# The member list of a venue -------------------------------------------------------------------

@pytest.fixture
def place(make):
    person = make.person

    venue = make.venue("阳光小区议事亭", slug="pavilion-yangguang")
    other = make.venue("江汉议事亭", slug="pavilion-jianghan")
    councillor = person("wang", "王议政")
    make.member(councillor, venue, "councillor")
    other_councillor = person("xiang", "向红梅")
    make.member(other_councillor, other, "councillor")
    resident = person("zhang", "张大姐", phone="13800001111")
    verified = make.member(resident, venue)
    newcomer = person("chen", "陈小明")
    pending = make.member(newcomer, venue, status="pending")
    admin = person("boss", "管理员", is_admin=True)
    del person
    return locals()


@pytest.fixture
def councillor(place, client, auth):
    client.set_cookie("lang", "en")
    auth.login("wang")
    return client


def members_url(action=None, membership=None, slug="pavilion-yangguang"):
    if action:
        return f"/v/{slug}/members/{membership.id}/{action}"
    return f"/v/{slug}/members"


def page(response):
    return response.get_data(as_text=True)


def test_councillors_see_their_venues_with_what_waits(councillor, place):
    response = councillor.get("/my/venues")
    assert response.status_code == 200
    body = page(response)
    assert "阳光小区议事亭" in body and "江汉议事亭" not in body
    assert "1 verified resident" in body and "1 waiting for verification" in body
    assert 'href="/my/venues"' in page(councillor.get("/"))  # in the header


@pytest.mark.parametrize(("username", "status"), [("zhang", 403), ("chen", 403), ("boss", 200)])
def test_my_venues_for_others(client, auth, place, username, status):
    auth.login(username)
    assert client.get("/my/venues").status_code == status


def test_visitors_are_sent_to_log_in(client, place):
    assert client.get("/my/venues").headers["Location"].startswith("/login")
    assert client.get(members_url()).headers["Location"].startswith("/login")
    response = client.post(members_url("verify", place["pending"]))
    assert response.headers["Location"].startswith("/login")
    assert Membership.get_by_id(place["pending"].id).status == "pending"


def test_the_full_member_list(councillor, place):
    body = page(councillor.get(members_url() + "?role=all"))
    for name in ("王议政", "张大姐", "陈小明", "13800001111"):
        assert name in body
    assert body.index("陈小明") < body.index("张大姐")  # who waits comes first
    pending_only = page(councillor.get(members_url() + "?status=pending"))
    assert "陈小明" in pending_only and "张大姐" not in pending_only
    councillors = page(councillor.get(members_url() + "?role=councillor"))
    assert "王议政" in councillors and "张大姐" not in councillors
    for nonsense in ("?status=banished", "?role=king", "?page=x"):
        assert councillor.get(members_url() + nonsense).status_code == 200


@pytest.mark.parametrize(("username", "status"), [("xiang", 403), ("zhang", 403), ("chen", 403), ("boss", 200)])
def test_the_member_list_for_other_people(client, auth, place, username, status):
    auth.login(username)
    assert client.get(members_url()).status_code == status
    response = client.post(members_url("verify", place["pending"]))
    if status == 403:
        assert response.status_code == 403
        assert Membership.get_by_id(place["pending"].id).status == "pending"
    else:
        assert response.status_code == 303
        assert Membership.get_by_id(place["pending"].id).status == "verified"


def test_verify_refuse_and_remove(councillor, place):
    venue = place["venue"]
    response = councillor.post(members_url("verify", place["pending"]))
    assert response.status_code == 303
    assert response.headers["Location"] == members_url()
    assert "陈小明 is now a verified resident." in page(councillor.get(response.headers["Location"]))
    assert Membership.get_by_id(place["pending"].id).verified_by_id == place["councillor"].id
    assert resident_count(venue) == 2
    removed = councillor.post(members_url("remove", place["verified"]), data={"note": "搬走了"})
    assert removed.status_code == 303
    assert resident_count(venue) == 1
    assert Membership.get_by_id(place["verified"].id).note == "搬走了"
    entry = AuditLog.select().order_by(AuditLog.id.desc()).get()
    assert (entry.action, entry.actor_id, entry.note) == ("membership.removed", place["councillor"].id, "搬走了")


def test_refuse_a_request_with_a_reason(councillor, place):
    response = councillor.post(members_url("refuse", place["pending"]), data={"note": "不住本小区"})
    assert response.status_code == 303
    membership = Membership.get_by_id(place["pending"].id)
    assert (membership.status, membership.note) == ("refused", "不住本小区")
    assert resident_count(place["venue"]) == 1
    assert "不住本小区" in page(councillor.get(members_url()))
    entry = AuditLog.get()
    assert (entry.action, entry.before["status"], entry.after["status"]) == ("membership.refused", "pending", "refused")


def test_a_stale_action_changes_nothing(councillor, place):
    response = councillor.post(members_url("refuse", place["verified"]), follow_redirects=True)
    assert "This membership had already changed." in page(response)
    assert Membership.get_by_id(place["verified"].id).status == "verified"
    assert not AuditLog.select().exists()


def test_councillors_manage_residents_only_and_never_themselves(councillor, place, make):
    own = Membership.get((Membership.user == place["councillor"]) & (Membership.role == "councillor"))
    assert councillor.post(members_url("remove", own)).status_code == 403
    self_resident = make.member(place["councillor"], place["venue"], status="pending")
    assert councillor.post(members_url("verify", self_resident)).status_code == 403
    elsewhere = make.member(place["resident"], place["other"], status="pending")
    assert councillor.post(members_url("verify", elsewhere)).status_code == 404
    assert councillor.post(members_url("verify", elsewhere, slug="pavilion-jianghan")).status_code == 403
    assert councillor.post("/v/pavilion-yangguang/members/99999/verify").status_code == 404
    assert councillor.post(members_url("ban", place["verified"])).status_code == 404
    assert councillor.get("/v/nowhere/members").status_code == 404
    assert not AuditLog.select().exists()


def test_a_too_long_reason_is_refused(councillor, place):
    response = councillor.post(members_url("refuse", place["pending"]), data={"note": "长" * 301})
    assert response.status_code == 422
    assert "At most 300 characters." in page(response)
    assert Membership.get_by_id(place["pending"].id).status == "pending"


def test_htmx_swaps_the_member_in_place(councillor, place):
    response = councillor.post(members_url("verify", place["pending"]), headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = page(response)
    assert "<html" not in body and f'id="member-{place["pending"].id}"' in body
    assert "verified" in body and "Remove" in body
    assert resident_count(place["venue"]) == 2


def test_the_member_list_is_paginated(councillor, place, make, app):
    for n in range(55):
        user = User.create(username=f"extra{n:02d}", display_name=f"居民{n:02d}", password_hash="-")
        make.member(user, place["venue"], status="pending")
    first = page(councillor.get(members_url()))
    assert "page=2" in first
    second = page(councillor.get(members_url() + "?page=2&slug=elsewhere&_external=1"))
    assert 'href="/v/pavilion-yangguang/members?page=1' in second and "http://" not in second.split("<main")[1]
    assert "居民54" in second or "张大姐" in second


def test_the_member_list_tells_the_person_as_the_requests_page_does(councillor, place, make):
    councillor.post(members_url("verify", place["pending"]))
    verified = Notification.get(Notification.user == place["newcomer"].id)
    assert (verified.kind, verified.actor_id, verified.data["slug"]) == (
        "membership_verified", place["councillor"].id, "pavilion-yangguang")
    latecomer = make.member(make.user(), place["venue"], status="pending")
    councillor.post(members_url("refuse", latecomer), data={"note": "不住本小区"})
    refused = Notification.get(Notification.user == latecomer.user_id)
    assert (refused.kind, refused.data["reason"]) == ("membership_refused", "不住本小区")
    assert [e.action for e in AuditLog.select().order_by(AuditLog.id)] == [
        "membership.verified", "membership.refused",
    ]


def test_a_refusal_without_a_reason_reads_well(councillor, client, auth, place):
    councillor.post(members_url("refuse", place["pending"]))
    auth.logout()
    auth.login("chen")
    body = page(client.get("/notifications"))
    assert "Your request to join 阳光小区议事亭 was refused." in body


def test_the_verified_tab_and_the_venue_count_the_same_residents(councillor, place, make):
    """One rule: a verified resident is a resident membership that is verified. The "verified" tab
    (residents by default, since residents are whom this page verifies) and the venue's count of
    verified residents (/my/venues, the quorum) say the same number."""
    make.member(place["admin"], place["venue"], "deputy")
    assert resident_count(place["venue"]) == 1
    body = page(councillor.get(members_url()))
    assert "1 verified resident" in body
    assert re.search(r">\s*verified \(1\)</a>", body)
    assert "王议政" not in body.split("<main")[1]  # councillors are under their own role
    assert "1 verified resident" in page(councillor.get("/my/venues"))
    every = page(councillor.get(members_url() + "?role=all"))
    assert re.search(r">\s*verified \(3\)</a>", every) and "1 verified resident" in every

"""Memberships: the shared status function, and the councillors' member list of their venues."""
import pytest

import memberships
from models import AuditLog, Membership, Venue


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

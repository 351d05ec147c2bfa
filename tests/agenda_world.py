"""A small world for the agenda, triage and verification tests: one venue with every role around it."""
from datetime import timedelta

import models
from models import AgendaItem, Issue, Meeting, Membership

_HASH = {}


def person(make, username, **fields):
    """A user who logs in with password123 (the hash is computed once per test run)."""
    if "hash" not in _HASH:
        _HASH["hash"] = make.user(username=f"{username}-hash-seed").password_hash
    user = models.User.create(
        username=username, display_name=fields.pop("display_name", username.capitalize()),
        password_hash=_HASH["hash"], **fields,
    )
    return user


class World:
    """venue (a pavilion) and other_venue; admin, councillor, other_councillor (at other_venue),
    resident and resident2 (verified), pending (asked to join), stranger (no membership)."""

    def __init__(self, make):
        self.make = make
        self.venue = make.venue(name="阳光议事亭", slug="yangguang", address="阳光小区1栋旁")
        self.other_venue = make.venue(name="江汉议事亭", slug="jianghan")
        self.admin = person(make, "admin", is_admin=True, display_name="管理员")
        self.councillor = person(make, "councillor", display_name="王议政")
        self.other_councillor = person(make, "othercouncillor", display_name="外站议政员")
        self.resident = person(make, "resident", display_name="张大姐")
        self.resident2 = person(make, "resident2", display_name="刘师傅")
        self.pending = person(make, "pending", display_name="陈小明")
        self.stranger = person(make, "stranger", display_name="路人甲")
        make.member(self.councillor, self.venue, role="councillor")
        make.member(self.other_councillor, self.other_venue, role="councillor")
        make.member(self.resident, self.venue)
        make.member(self.resident2, self.venue)
        make.member(self.pending, self.venue, status="pending")
        self.venue = models.Venue.get_by_id(self.venue.id)

    def issue(self, status="accepted", venue=None, author=None, title="小区需要充电桩", **fields):
        return Issue.create(
            venue=venue or self.venue, author=author or self.resident, title=title,
            body="很多人在楼道里给电动车充电，很危险。", status=status, **fields,
        )

    def meeting(self, venue=None, days=3, **fields):
        fields.setdefault("title", "十二月居民议事会")
        return Meeting.create(
            venue=venue or self.venue, starts_at=models.utcnow() + timedelta(days=days), **fields,
        )

    def item(self, meeting=None, state="open", issue=None, **fields):
        """An agenda item whose window is draft, scheduled, open or closed (by the real clock)."""
        now = models.utcnow()
        windows = {
            "draft": (None, None),
            "scheduled": (now + timedelta(hours=1), now + timedelta(days=1)),
            "open": (now - timedelta(hours=1), now + timedelta(days=1)),
            "closed": (now - timedelta(days=2), now - timedelta(days=1)),
        }
        opens, closes = windows[state]
        fields.setdefault("quorum_value", 1)
        return AgendaItem.create(
            meeting=meeting or self.meeting(), issue=issue, title=fields.pop("title", "建设充电桩"),
            opens_at=opens, closes_at=closes, **fields,
        )

    def membership(self, user):
        return Membership.get((Membership.user == user.id) & (Membership.venue == self.venue))


# (username or None for a visitor, expected status) for pages only the venue's moderators see.
MODERATOR_ROLES = [
    (None, 302),
    ("resident", 403),
    ("othercouncillor", 403),
    ("councillor", 200),
    ("admin", 200),
]

"""What tests build their worlds with: one record builder (the `make` fixture), one password hash, the
two ready-made worlds (World for a venue with every role, DiscussionWorld for an issue under
discussion), and the small helpers every test file wants (text, login, headers, browser_login).

Import from here (`from world import World, text`); conftest.py holds only the fixtures.
"""
import functools
import re
from datetime import datetime, timedelta

from werkzeug.security import generate_password_hash

import models
from domain import handling, participation, workflow
from models import AgendaItem, Issue, Meeting, Membership

PASSWORD = "password123"  # every test account's password
HX = {"HX-Request": "true"}
EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}

# (username or None for a visitor, expected status) for pages only the venue's moderators see.
MODERATOR_ROLES = [
    (None, 302),
    ("resident", 403),
    ("othercouncillor", 403),
    ("councillor", 200),
    ("admin", 200),
]
# The roles of a DiscussionWorld, as DiscussionWorld.user and .login take them.
ROLES = ("visitor", "resident", "councillor", "outsider", "admin")


@functools.cache
def password_hash(password=PASSWORD):
    """A cheap hash of `password`, made once per test session: the app's default (scrypt) costs a
    tenth of a second for every account and every login, and tests check logins, not hashing."""
    return generate_password_hash(password, method="pbkdf2:sha256:1000")


def text(response):
    return response.get_data(as_text=True)


def fresh(row):
    """The row as the database has it now."""
    return type(row).get_by_id(row.id)


def login(auth, username):
    """Log in as `username` (nobody if None), and make sure it worked."""
    if username:
        assert auth.login(username).status_code == 303


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, username, password=PASSWORD):
        return self.client.post("/login", data={"username": username, "password": password})

    def logout(self):
        return self.client.post("/logout")


def browser_login(page, base_url, username, password=PASSWORD):
    page.goto(f"{base_url}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"^(?!.*/login).*$"))


def open_work_menu(page):
    """Open the header's menu (folded on a phone) and the "My work" menu in it, where the links to
    one's own tasks (administration, moderation, my venues, the ledger…) are."""
    menu = page.locator(".site-header details.menu > summary")
    if menu.is_visible():
        menu.click()
    page.locator(".site-header details.drop > summary").first.click()


def log_out(page):
    """Log out the way a person does: open the header's menu (folded on a phone), then the account
    menu under their name, then press Log out."""
    menu = page.locator(".site-header details.menu > summary")
    if menu.is_visible():
        menu.click()
    page.locator(".site-header .account details > summary").click()
    page.locator(".site-header .account form[action='/logout'] button").click()


class Factory:
    """Small builders for the records tests need (the `make` fixture)."""

    def __init__(self):
        self.counter = 0

    def _n(self):
        self.counter += 1
        return self.counter

    def user(self, username=None, password=PASSWORD, **fields):
        n = self._n()
        return models.User.create(
            username=username or f"user{n}", display_name=fields.pop("display_name", f"用户{n}"),
            password_hash=password_hash(password), **fields,
        )

    @staticmethod
    def person(username, display_name=None, **fields):
        """A user who logs in with password123, named `display_name` (else the username, capitalised)."""
        return models.User.create(
            username=username, display_name=display_name or username.capitalize(),
            password_hash=password_hash(), **fields,
        )

    def region(self, name=None, kind="city", parent=None, **fields):
        return models.Region.create(
            name=name or f"地区{self._n()}", kind=kind, level=models.REGION_KINDS[kind], parent=parent,
            **fields,
        )

    def venue(self, name=None, kind="pavilion", region=None, **fields):
        n = self._n()
        if region is None:
            region = self.region(kind="community", parent=self.region(kind="town", parent=self.region()))
        return models.Venue.create(
            name=name or f"议事亭{n}", slug=fields.pop("slug", f"venue-{n}"), kind=kind, region=region, **fields
        )

    def member(self, user, venue, role="resident", status="verified", **fields):
        membership = models.Membership.create(user=user, venue=venue, role=role, status=status, **fields)
        if role == "resident" and status == "verified":
            models.Venue.update(resident_count=models.Venue.resident_count + 1).where(
                models.Venue.id == venue.id
            ).execute()
        return membership


def person(make, username, **fields):
    """A user who logs in with password123 (kept for the tests that call it with `make`)."""
    return make.person(username, **fields)


class Cast:
    """What every world can build and look up; the subclasses choose the people and places."""

    def __init__(self, make):
        self.make = make

    person = staticmethod(Factory.person)

    def user(self, role):
        return None if role == "visitor" else getattr(self, role)

    def login(self, auth, role):
        if role != "visitor":
            response = auth.login(role)
            assert response.status_code == 303, "login failed"

    def fresh(self, obj):
        return type(obj).get_by_id(obj.id)

    def membership(self, user):
        return Membership.get((Membership.user == user.id) & (Membership.venue == self.venue))

    def new_issue(self, title="路灯坏了", author=None, venue=None):
        """An issue as raised, its author following it (as authors do)."""
        author = author or self.author
        issue = models.Issue.create(
            venue=venue or self.venue, author=author, title=title, body="晚上小区门口很黑。"
        )
        participation.follow(author, issue)
        return models.Issue.get_by_id(issue.id)

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


class World(Cast):
    """One venue with every role around it (agenda, triage, verification, feeds):
    venue (阳光议事亭, /v/yangguang) and other_venue (/v/jianghan); admin, councillor,
    other_councillor (at other_venue), resident and resident2 (verified), pending (asked to join),
    stranger (no membership). world.issue(status=...) raises an issue, by the resident unless told."""

    def __init__(self, make):
        super().__init__(make)
        self.venue = make.venue(name="阳光议事亭", slug="yangguang", address="阳光小区1栋旁")
        self.other_venue = make.venue(name="江汉议事亭", slug="jianghan")
        self.admin = self.person("admin", is_admin=True, display_name="管理员")
        self.councillor = self.person("councillor", display_name="王议政")
        self.other_councillor = self.person("othercouncillor", display_name="外站议政员")
        self.resident = self.person("resident", display_name="张大姐")
        self.resident2 = self.person("resident2", display_name="刘师傅")
        self.pending = self.person("pending", display_name="陈小明")
        self.stranger = self.person("stranger", display_name="路人甲")
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


class DiscussionWorld(Cast):
    """One venue with an issue under discussion, and one person of every role in ROLES:
    venue (团结路议事亭, /v/tuanjie) and other_venue (/v/jianghan); author and resident (verified),
    councillor, outsider (a councillor of other_venue), admin. world.issue is the author's issue;
    world.new_issue() raises another."""

    def __init__(self, make):
        super().__init__(make)
        self.venue = make.venue(name="团结路议事亭", slug="tuanjie")
        self.other_venue = make.venue(name="江汉议事亭", slug="jianghan")
        self.author = self.person("author", "张提出")
        self.resident = self.person("resident", "李居民")
        self.councillor = self.person("councillor", "王议政")
        self.outsider = self.person("outsider", "赵外站")
        self.admin = self.person("admin", "管理员", is_admin=True)
        make.member(self.author, self.venue)
        make.member(self.resident, self.venue)
        make.member(self.councillor, self.venue, role="councillor")
        make.member(self.outsider, self.other_venue, role="councillor")
        self.issue = self.new_issue()

    def fresh(self, obj=None):
        return super().fresh(obj or self.issue)


# Thursday 3 December 2026, 10:00 UTC (18:00 in Zhijiang): a working day in a year the official
# calendar covers. The closed loop's dates are the site's local dates.
LOOP_NOW = datetime(2026, 12, 3, 10, 0)


class LoopWorld:
    """A city → town → village branch with a pavilion, departments at every level, and people."""

    def __init__(self, make):
        self.city = make.region("枝江市", kind="city")
        self.town = make.region("马家店街道", kind="subdistrict", parent=self.city)
        self.village = make.region("团结社区", kind="community", parent=self.town)
        self.other_town = make.region("董市镇", kind="town", parent=self.city)
        self.venue = make.venue("团结路议事亭", region=self.village, slug="tuanjie")
        dept = models.Department.create
        self.committee = dept(name="团结社区居民委员会", level="village", region=self.village)
        self.office = dept(name="马家店街道办事处", level="town", region=self.town)
        self.works = dept(name="马家店城建办", level="town", region=self.town)
        self.elsewhere = dept(name="董市镇人民政府", level="town", region=self.other_town)
        self.water = dept(name="市水利和湖泊局", level="city", region=self.city)
        self.category = models.Category.create(
            code="roads", name="道路", name_en="Roads", time_limit_days=10,
            village_department=self.committee, town_department=self.office, city_department=self.water,
        )
        self.author = make.user("author")
        self.councillor = make.user("councillor")
        self.deputy = make.user("deputy")
        self.admin = make.user("admin", is_admin=True)
        self.stranger = make.user("stranger")
        self.office_staff = make.user("office")
        self.works_staff = make.user("works")
        self.water_staff = make.user("water")
        make.member(self.author, self.venue)
        make.member(self.councillor, self.venue, role="councillor")
        make.member(self.deputy, self.venue, role="deputy")
        for department, user in ((self.office, self.office_staff), (self.works, self.works_staff),
                                 (self.water, self.water_staff)):
            models.DepartmentStaff.create(department=department, user=user)

    def issue(self, status="accepted", level="town", **fields):
        issue = workflow.raise_issue(self.venue, self.author, "路口积水", "一下雨就积水。",
                                     category=self.category, at=LOOP_NOW - timedelta(days=2))
        issue.level = level
        issue.status = status
        issue.save()
        for key, value in fields.items():
            setattr(issue, key, value)
        return Issue.get_by_id(issue.id)

    def assigned(self, co=(), **fields):
        issue = self.issue(**fields)
        return handling.assign(issue, self.councillor, self.office, co=co, now=LOOP_NOW)

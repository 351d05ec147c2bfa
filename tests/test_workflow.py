"""The issue's life as workflow.py rules it: who may take which step, and what each step records."""
import datetime

import pytest

from domain import search, workflow
from models import (
    Assignment,
    Department,
    DepartmentStaff,
    Event,
    Follow,
    Issue,
    Notification,
    Venue,
    utcnow,
)


class World:
    """A pavilion with its people, and a second venue with a councillor of its own."""

    def __init__(self, make):
        self.make = make
        self.venue = make.venue(slug="yangguang")
        self.other_venue = make.venue(slug="elsewhere")
        self.author = make.user("author")
        make.member(self.author, self.venue)
        self.neighbour = make.user("neighbour")
        make.member(self.neighbour, self.venue)
        self.councillor = make.user("councillor")
        make.member(self.councillor, self.venue, "councillor")
        self.deputy = make.user("deputy")
        make.member(self.deputy, self.venue, "deputy")
        self.outsider = make.user("outsider")
        make.member(self.outsider, self.other_venue, "councillor")
        self.admin = make.user("admin", is_admin=True)
        self.department = Department.create(
            name="市水利和湖泊局", level="city", region=self.venue.region.parent.parent
        )
        self.other_department = Department.create(
            name="市交通运输局", level="city", region=self.venue.region.parent.parent
        )
        self.staff = make.user("staff")
        DepartmentStaff.create(department=self.department, user=self.staff)
        self.other_staff = make.user("otherstaff")
        DepartmentStaff.create(department=self.other_department, user=self.other_staff)

    def issue(self, status="submitted", **fields):
        issue = workflow.raise_issue(self.venue, self.author, "小区路灯坏了", "三号楼门口的路灯坏了两个星期。")
        if status != "submitted" or fields:
            Issue.update(status=status, **fields).where(Issue.id == issue.id).execute()
            issue = Issue.get_by_id(issue.id)
        return issue

    def assign(self, issue, department=None):
        return Assignment.create(
            issue=issue, department=department or self.department, due_on=datetime.date.today()
        )


@pytest.fixture
def world(make):
    return World(make)


def steps(world, issue, who):
    return set(workflow.allowed_steps(issue, getattr(world, who) if who else None))


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (None, set()),
        ("author", set()),
        ("neighbour", set()),
        ("deputy", set()),
        ("outsider", set()),
        ("staff", set()),
        ("councillor", {"accepted", "declined", "merged"}),
        ("admin", {"accepted", "declined", "merged"}),
    ],
)
def test_a_submitted_issue_is_triaged_by_the_venues_councillors_and_admins(world, who, expected):
    assert steps(world, world.issue(), who) == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("author", set()),
        ("deputy", {"assigned"}),
        ("outsider", set()),
        ("councillor", {"merged", "deliberating", "assigned", "declined"}),
    ],
)
def test_an_accepted_issue_goes_on_the_agenda_or_to_a_department(world, who, expected):
    assert steps(world, world.issue("accepted"), who) == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("staff", {"in_progress", "resolved", "explained"}),
        ("other_staff", set()),
        ("author", set()),
        ("neighbour", set()),
        ("outsider", set()),
    ],
)
def test_an_assigned_issue_is_handled_by_the_staff_of_its_department(world, who, expected):
    issue = world.issue("assigned")
    world.assign(issue)
    assert steps(world, issue, who) == expected


def test_the_author_rates_a_resolved_issue_and_may_reopen_it_once(world):
    issue = world.issue("resolved")
    assert steps(world, issue, "author") == {"closed", "in_progress"}
    assert steps(world, issue, "neighbour") == set()
    assert steps(world, issue, "admin") == {"closed"}

    workflow.transition(issue, "in_progress", world.author, note="路灯还是不亮")
    assert issue.status == "in_progress" and issue.reopened
    assert Issue.get_by_id(issue.id).reopened

    workflow.transition(issue, "resolved", world.admin)
    assert steps(world, issue, "author") == {"closed"}
    with pytest.raises(workflow.TransitionError):
        workflow.transition(issue, "in_progress", world.author)
    assert Issue.get_by_id(issue.id).status == "resolved"


def test_a_transition_records_an_event_and_notifies_followers_but_not_the_actor(world):
    issue = world.issue()
    Follow.create(user=world.neighbour, issue=issue)
    Follow.create(user=world.councillor, issue=issue)
    before = issue.updated_at

    event = workflow.transition(issue, "accepted", world.councillor, note="本周派人查看")

    assert (event.kind, event.from_status, event.to_status, event.note) == (
        "status", "submitted", "accepted", "本周派人查看"
    )
    assert event.actor_id == world.councillor.id
    stored = Issue.get_by_id(issue.id)
    assert stored.status == "accepted" and stored.updated_at >= before
    notified = {n.user_id for n in Notification.select().where(Notification.issue == issue)}
    assert notified == {world.author.id, world.neighbour.id}


def test_a_step_outside_the_table_or_the_role_is_refused_and_changes_nothing(world):
    issue = world.issue()
    with pytest.raises(workflow.TransitionError):
        workflow.transition(issue, "accepted", world.neighbour)
    with pytest.raises(workflow.TransitionError):
        workflow.transition(issue, "resolved", world.admin, check=False)
    assert Issue.get_by_id(issue.id).status == "submitted"
    assert [e.kind for e in Event.select().where(Event.issue == issue)] == ["created"]


def test_back_dated_steps_carry_their_time_to_the_event_and_the_notifications(world):
    issue = world.issue()
    then = utcnow() - datetime.timedelta(days=30)
    workflow.transition(issue, "accepted", world.councillor, at=then)
    event = Event.get((Event.issue == issue) & (Event.kind == "status"))
    assert event.created_at == then
    assert Issue.get_by_id(issue.id).updated_at == then
    assert Notification.get(Notification.issue == issue).created_at == then


def test_decline_keeps_the_reason_for_everyone_to_read(world):
    issue = world.issue()
    with pytest.raises(workflow.TransitionError):
        workflow.decline(issue, world.neighbour, "不归我们管")
    assert Issue.get_by_id(issue.id).decline_reason == ""

    workflow.decline(issue, world.councillor, "属于物业合同纠纷，请找调解委员会。")
    stored = Issue.get_by_id(issue.id)
    assert stored.status == "declined"
    assert stored.decline_reason == "属于物业合同纠纷，请找调解委员会。"
    assert Event.get((Event.issue == issue) & (Event.kind == "status")).note == stored.decline_reason


def test_merge_points_a_duplicate_to_an_issue_of_the_same_venue(world):
    original, duplicate = world.issue(), world.issue()
    elsewhere = workflow.raise_issue(world.other_venue, world.author, "别处的路灯", "别处的路灯也坏了很久。")
    with pytest.raises(workflow.TransitionError):
        workflow.merge(duplicate, duplicate, world.councillor)
    with pytest.raises(workflow.TransitionError):
        workflow.merge(duplicate, elsewhere, world.councillor)
    with pytest.raises(workflow.TransitionError):
        workflow.merge(duplicate, original, world.author)

    workflow.merge(duplicate, original, world.councillor)
    stored = Issue.get_by_id(duplicate.id)
    assert stored.status == "merged" and stored.merged_into_id == original.id


def test_is_overdue_means_past_due_and_not_answered(world):
    today = datetime.date(2026, 11, 30)
    yesterday = today - datetime.timedelta(days=1)
    assert workflow.is_overdue(Issue(status="assigned", due_on=yesterday), today)
    assert workflow.is_overdue(Issue(status="in_progress", due_on=yesterday), today)
    assert not workflow.is_overdue(Issue(status="assigned", due_on=today), today)
    assert not workflow.is_overdue(Issue(status="assigned", due_on=None), today)
    for status in ("resolved", "explained", "closed", "declined", "merged"):
        assert not workflow.is_overdue(Issue(status=status, due_on=yesterday), today)


def test_next_level_climbs_village_town_city_and_stops():
    assert workflow.next_level("village") == "town"
    assert workflow.next_level("town") == "city"
    assert workflow.next_level("city") is None


def test_step_index_places_every_status_on_the_tracking_bar():
    for index, status in enumerate(workflow.STEPS):
        assert workflow.step_index(status) == index
    assert workflow.step_index("explained") == workflow.STEPS.index("resolved")
    assert workflow.step_index("declined") == 0
    assert workflow.step_index("merged") == 0


def test_raise_issue_does_everything_in_one_go(world):
    issue = workflow.raise_issue(
        world.venue, world.author, "小区路灯坏了", "三号楼门口的路灯坏了两个星期。", anonymous=True
    )
    stored = Issue.get_by_id(issue.id)
    assert (stored.status, stored.channel, stored.level, stored.anonymous) == (
        "submitted", "web", "village", True
    )
    assert Venue.get_by_id(world.venue.id).issue_count == 1
    event = Event.get(Event.issue == issue)
    assert (event.kind, event.actor_id) == ("created", world.author.id)
    assert [f.user_id for f in Follow.select().where(Follow.issue == issue)] == [world.author.id]
    assert stored.follower_count == 1
    assert [i.id for i in search.matching(Issue.select(), "路灯")] == [issue.id]


def test_record_on_behalf_keeps_the_resident_and_the_channel(world):
    issue = workflow.raise_issue(
        world.venue, None, "河边没有护栏", "村前那条河边没有护栏，孩子玩水危险。",
        recorded_by=world.councillor, reporter_name="周大爷", reporter_contact="139****1234",
        channel="bench_meeting",
    )
    stored = Issue.get_by_id(issue.id)
    assert stored.author_id is None and stored.recorded_by_id == world.councillor.id
    assert (stored.reporter_name, stored.reporter_contact, stored.channel) == (
        "周大爷", "139****1234", "bench_meeting"
    )
    assert Event.get(Event.issue == issue).actor_id == world.councillor.id
    assert [f.user_id for f in Follow.select().where(Follow.issue == issue)] == [world.councillor.id]
    with pytest.raises(ValueError):
        workflow.raise_issue(world.venue, None, "标题够长了", "内容也够长了吧，十个字。",
                             recorded_by=world.councillor, channel="carrier pigeon")


def test_raise_issue_is_all_or_nothing(world, monkeypatch):
    def broken_index(issue):
        raise RuntimeError("index unavailable")

    monkeypatch.setattr(search, "index", broken_index)
    with pytest.raises(RuntimeError):
        workflow.raise_issue(world.venue, world.author, "小区路灯坏了", "三号楼门口的路灯坏了两个星期。")
    assert Issue.select().count() == 0
    assert Event.select().count() == 0
    assert Follow.select().count() == 0
    assert Venue.get_by_id(world.venue.id).issue_count == 0


@pytest.mark.parametrize(
    ("kind", "region_kind", "level"),
    [
        ("hall", "village", "village"),
        ("pavilion", "community", "village"),
        ("station", "town", "town"),
        ("home", "subdistrict", "town"),
        ("station", "community", "village"),
        ("home", "city", "city"),
    ],
)
def test_the_default_level_follows_the_venue(make, kind, region_kind, level):
    city = make.region(kind="city")
    region = city if region_kind == "city" else make.region(kind=region_kind, parent=city)
    venue = make.venue(kind=kind, region=region)
    assert workflow.default_level(Venue.get_by_id(venue.id)) == level


def test_a_closed_issue_without_a_rating_ends_at_done():
    assert workflow.step_index("closed") == workflow.STEPS.index("closed")
    assert workflow.step_index("closed", rated=False) == workflow.STEPS.index("resolved")

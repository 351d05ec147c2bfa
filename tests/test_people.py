"""Service records (履职风采录), deputy groups (专业代表小组) and the good-suggestion award (好建议).

One fixed dataset (PeopleWorld) spread over three calendar years, with one matter raised on the
last evening of 2025 in UTC that is already New Year's Day 2026 in Zhijiang; every count is checked
against numbers worked out by hand from it.
"""
import re
from datetime import datetime

import pytest
from peewee import SqliteDatabase
from world import EN, ZH, text

import models
from domain import awards, deliberation, people, workflow
from domain import permissions as p
from domain.awards import AwardError
from models import AuditLog, Award, DeputyGroupCategory, Event, Issue

NOW = datetime(2026, 6, 1, 4, 0)  # UTC


def at(y, m, d, h=2):
    return datetime(y, m, d, h)


class PeopleWorld:
    """A pavilion with a councillor, a deputy (in a deputy group), a resident, a department's staff
    member and an admin; matters, meetings, votes, a report and awards from 2024 to 2026."""

    def __init__(self, make):
        self.venue = make.venue(name="阳光议事亭", slug="yangguang")
        self.councillor = make.person("councillor", "王议政")
        self.deputy = make.person("deputy", "李代表")
        self.resident = make.person("resident", "张大姐")
        self.staff = make.person("staff", "赵科长")
        self.admin = make.person("admin", "管理员", is_admin=True)
        self.outsider = make.person("groupie", "钱组员")  # in the group, but no deputy anywhere
        make.member(self.councillor, self.venue, role="councillor")
        make.member(self.deputy, self.venue, role="deputy")
        make.member(self.resident, self.venue)
        department = models.Department.create(name="住建局", level="city", region=self.venue.region)
        models.DepartmentStaff.create(department=department, user=self.staff)
        self.roads = models.Category.create(code="roads", name="道路", name_en="Roads", position=1)
        self.health = models.Category.create(code="health", name="医疗", name_en="Health", position=2)
        self.group = models.DeputyGroup.create(name="城市建设", name_en="Urban development")
        models.DeputyGroupMember.create(group=self.group, user=self.deputy)
        models.DeputyGroupMember.create(group=self.group, user=self.outsider)
        people.set_group_categories(self.group, [self.roads.id], self.admin)

        c, d = self.councillor, self.deputy
        # 2024: the councillor records a matter and accepts it; it becomes a good suggestion of 2024.
        self.i1 = workflow.raise_issue(self.venue, None, "桥头路灯不亮", "晚上很黑。", category=self.roads,
                                       recorded_by=c, channel="phone", reporter_name="老刘", at=at(2024, 5, 1))
        workflow.transition(self.i1, "accepted", c, at=at(2024, 6, 1))
        # 2026 by the site's clock: 17:00 UTC on 31 December 2025 is 01:00 on New Year's Day in Zhijiang.
        self.i2 = workflow.raise_issue(self.venue, None, "菜场门口积水", "一下雨就积水。", recorded_by=c,
                                       channel="phone", at=datetime(2025, 12, 31, 17, 0))
        # 2025: a resident's matter, accepted by the councillor, escalated by the deputy, urged twice.
        self.i3 = workflow.raise_issue(self.venue, self.resident, "小区道路坑洼", "车很难开。", category=self.roads,
                                       at=at(2025, 3, 1))
        workflow.transition(self.i3, "accepted", c, at=at(2025, 3, 2))
        workflow.record(self.i3, "escalated", d, "需要市里解决", at=at(2025, 6, 1))
        workflow.record(self.i3, "urged", c, at=at(2025, 7, 1))
        workflow.record(self.i3, "urged", c, at=at(2026, 2, 1))
        # A hidden matter the councillor recorded and accepted: counted nowhere, listed nowhere.
        self.hidden = workflow.raise_issue(self.venue, None, "隐藏的民情", "不该出现。", category=self.roads,
                                           recorded_by=c, channel="phone", at=at(2025, 4, 1))
        workflow.transition(self.hidden, "accepted", c, at=at(2025, 4, 2))
        awards.award(self.hidden, d, 2025, "不该出现的好建议", now=at(2025, 5, 1))
        Issue.update(hidden=True).where(Issue.id == self.hidden.id).execute()
        # An anonymous matter the deputy raised (and the admin honoured): never on the deputy's record.
        self.anonymous = workflow.raise_issue(self.venue, d, "匿名的民情", "匿名。", anonymous=True,
                                              at=at(2025, 8, 1))
        workflow.transition(self.anonymous, "accepted", c, at=at(2025, 8, 2))
        awards.award(Issue.get_by_id(self.anonymous.id), self.admin, 2025, "匿名也很好", now=at(2025, 9, 1))
        # Meetings: two the councillor ran (2025, 2026), one cancelled; votes held in 2025, one draft.
        m1 = deliberation.schedule(self.venue, c, title="四月议事会", starts_at=at(2025, 4, 10))
        m2 = deliberation.schedule(self.venue, c, title="一月议事会", starts_at=at(2026, 1, 10))
        cancelled = deliberation.schedule(self.venue, c, title="取消的会", starts_at=at(2025, 5, 10))
        deliberation.update_meeting(cancelled, cancelled=True)
        models.AgendaItem.create(meeting=m1, title="修路", opens_at=at(2025, 4, 10), closes_at=at(2025, 4, 12))
        models.AgendaItem.create(meeting=m1, title="修灯", opens_at=at(2025, 4, 11), closes_at=at(2025, 4, 13))
        models.AgendaItem.create(meeting=m2, title="草稿")
        # Special reports: one the deputy published in 2026, one still a draft.
        self.report = models.Report.create(number=1, title="道路专报", created_by=d, published_at=at(2026, 3, 1))
        models.ReportItem.create(report=self.report, issue=self.i3)
        self.draft = models.Report.create(number=2, title="草稿专报", created_by=d)
        self.i1 = Issue.get_by_id(self.i1.id)
        awards.award(self.i1, d, 2024, "建议具体可行。", now=at(2024, 12, 1))
        self.issues = {"i1": self.i1, "i3": self.i3}


@pytest.fixture
def world(make):
    return PeopleWorld(make)


def blank(**counts):
    return {metric: counts.get(metric, 0) for metric in people.METRICS}


# Service records -------------------------------------------------------------------------------

def test_the_councillors_record_counts_each_year_by_the_sites_calendar(world):
    record = people.service_record(world.councillor.id, now=NOW)
    assert record.years == {
        2026: blank(recorded=1, meetings=1, urged=1),
        2025: blank(moved=2, meetings=1, votes=2, urged=1),
        2024: blank(recorded=1, moved=1, awards=1),
    }
    assert record.totals == blank(recorded=2, moved=3, meetings=2, votes=2, urged=2, awards=1)
    assert [(k, s, n) for k, s, n in record.actions] == [("status", "accepted", 3)]
    assert [i.title for i in record.recorded] == ["菜场门口积水", "桥头路灯不亮"]
    assert [m.title for m in record.meetings] == ["一月议事会", "四月议事会"]
    assert [a.issue.title for a in record.awards] == ["桥头路灯不亮"]


def test_the_deputys_record_leaves_out_what_would_unmask_an_anonymous_author(world):
    record = people.service_record(world.deputy.id, now=NOW)
    assert record.years == {2026: blank(reports=1), 2025: blank(moved=1)}
    assert [(k, s, n) for k, s, n in record.actions] == [("escalated", None, 1)]
    assert [r.title for r in record.reports] == ["道路专报"]
    assert record.awards == []
    assert [g.name for g in record.groups] == ["城市建设"]


@pytest.mark.parametrize("who", ["resident", "staff", "admin", "groupie"])
def test_people_who_are_neither_deputy_nor_councillor_have_no_record(client, world, who):
    user = models.User.get(models.User.username == who)
    assert people.service_record(user.id) is None
    assert client.get(f"/people/{user.id}").status_code == 404


def test_a_removed_councillor_has_no_record_and_unknown_ids_are_404(client, world):
    models.Membership.update(status="removed").where(models.Membership.user == world.councillor.id).execute()
    assert client.get(f"/people/{world.councillor.id}").status_code == 404
    assert client.get("/people/999999").status_code == 404
    assert client.get("/people/99999999999").status_code == 404


def test_the_record_page_in_both_languages(client, world):
    page = text(client.get(f"/people/{world.councillor.id}", headers=EN))
    assert "Service record of 王议政" in page
    assert "Recorded for residents" in page and '<th scope="col">2025</th>' in page
    # The years run across, newest first; each row is one kind of work, its total last.
    recorded = re.search(r'<th scope="row">Recorded for residents</th>(.*?)</tr>', page, re.S).group(1)
    assert re.findall(r"<td>(\d+)</td>", recorded) == ["1", "0", "1", "2"]
    assert "桥头路灯不亮" in page and "四月议事会" in page and "阳光议事亭" in page
    assert "隐藏的民情" not in page and "不该出现" not in page
    page = text(client.get(f"/people/{world.councillor.id}", headers=ZH))
    assert "王议政的履职风采录" in page and "代录民情" in page and "好建议" in page
    deputy = text(client.get(f"/people/{world.deputy.id}", headers=EN))
    assert "匿名的民情" not in deputy and "Urban development" in deputy
    assert "Special report no. 1" in deputy and "草稿专报" not in deputy


def test_the_venue_page_links_who_serves_there_to_their_records(client, world):
    page = text(client.get("/v/yangguang"))
    assert f'href="/people/{world.councillor.id}"' in page
    assert f'href="/people/{world.deputy.id}"' in page
    assert f'href="/people/{world.resident.id}"' not in page


def _plans(database, run):
    """EXPLAIN QUERY PLAN of every SELECT `run()` sends to SQLite."""
    seen = []
    original = type(database).execute_sql

    def spy(self, sql, params=None, *args, **kwargs):
        if sql.lstrip().upper().startswith("SELECT"):
            seen.append((sql, params))
        return original(self, sql, params, *args, **kwargs)

    type(database).execute_sql = spy
    try:
        run()
    finally:
        type(database).execute_sql = original
    return [(sql, [" ".join(map(str, row)) for row in database.execute_sql("EXPLAIN QUERY PLAN " + sql, params or ())])
            for sql, params in seen]


PRINT_PLANS = False
BIG_TABLES = ("issue", "event", "meeting", "agenda_item", "award", "report", "report_item", "membership")


def test_records_and_group_pages_never_scan_a_big_table(client, world, db):
    if not isinstance(db.obj, SqliteDatabase):
        pytest.skip("query plans are read on SQLite")
    scans = []
    for url in (f"/people/{world.councillor.id}", f"/people/{world.deputy.id}", f"/groups/{world.group.id}",
                "/awards", "/awards?year=2024"):
        for sql, plan in _plans(db.obj, lambda url=url: client.get(url)):
            for line in plan:
                match = re.search(r"\bSCAN (\w+)(?! USING)", line)
                if match and match.group(1) in BIG_TABLES and "USING" not in line:
                    scans.append(f"{url}: {line} in {sql}")
            if PRINT_PLANS:
                print(url, sql[:160], plan)
    assert not scans, "\n".join(scans)


# Deputy groups ---------------------------------------------------------------------------------

def test_the_groups_page_lists_groups_with_members_and_field(client, world):
    page = text(client.get("/groups", headers=EN))
    assert "Urban development" in page and "2 members" in page and "Roads" in page
    models.DeputyGroup.update(archived=True).where(models.DeputyGroup.id == world.group.id).execute()
    assert "Urban development" not in text(client.get("/groups", headers=EN))


def test_a_group_page_shows_members_field_matters_and_reports(client, world):
    page = text(client.get(f"/groups/{world.group.id}", headers=EN))
    assert f'href="/people/{world.deputy.id}">李代表</a>' in page
    assert "钱组员" in page and f'href="/people/{world.outsider.id}"' not in page
    assert "Roads" in page and "Health" not in page
    assert "桥头路灯不亮" in page and "小区道路坑洼" in page
    assert "菜场门口积水" not in page  # no category
    assert "隐藏的民情" not in page
    assert "Special report no. 1" in page and "1 matter of this field" in page and "草稿专报" not in page
    zh = text(client.get(f"/groups/{world.group.id}", headers=ZH))
    assert "城市建设" in zh and "本领域的民情" in zh


def test_a_groups_reports_come_from_its_field_or_its_members(world, make):
    other = make.person("other", "孙代表")
    health = models.Report.create(number=3, title="医疗专报", created_by=other, published_at=at(2026, 4, 1))
    models.ReportItem.create(report=health, issue=world.i2)
    assert [r.number for r in people.group_reports([world.roads.id], [world.deputy.id])] == [1]
    assert [r.number for r in people.group_reports([world.health.id], [other.id])] == [3]
    # A report holding only a hidden matter of the field does not count for the field.
    hidden_only = models.Report.create(number=4, title="隐藏", created_by=other, published_at=at(2026, 5, 1))
    models.ReportItem.create(report=hidden_only, issue=world.hidden)
    assert [r.number for r in people.group_reports([world.roads.id], [])] == [1]


def test_a_groups_matters_are_paginated(app, client, world):
    app.config["PAGE_SIZE"] = 1
    first = text(client.get(f"/groups/{world.group.id}", headers=EN))
    assert "小区道路坑洼" in first and "桥头路灯不亮" not in first and 'rel="next"' in first
    second = text(client.get(f"/groups/{world.group.id}?page=2", headers=EN))
    assert "桥头路灯不亮" in second and 'rel="prev"' in second


def test_unknown_groups_are_404(client, world):
    assert client.get("/groups/999999").status_code == 404


def test_the_admin_sets_a_groups_field_audited(client, auth, world):
    auth.login("admin")
    url = f"/admin/groups/{world.group.id}"
    form = text(client.get(url, headers=EN))
    assert 'type="checkbox"' in form and "Categories of its field" in form
    response = client.post(url, data={"name": "城市建设", "name_en": "Urban development", "description": "",
                                      "categories": [str(world.roads.id), str(world.health.id)]})
    assert response.status_code == 303
    assert sorted(DeputyGroupCategory.category_ids(world.group)) == sorted([world.roads.id, world.health.id])
    entry = AuditLog.select().where(AuditLog.action == "deputy_group.categories").order_by(AuditLog.id.desc()).get()
    assert entry.before == {"categories": [world.roads.id]}
    assert entry.after == {"categories": sorted([world.roads.id, world.health.id])}
    listing = text(client.get("/admin/groups", headers=EN))
    assert "Roads" in listing and "Health" in listing
    # Forged: a category that does not exist keeps the field as it was and shows the form again.
    response = client.post(url, data={"name": "城市建设", "categories": ["999999"]})
    assert response.status_code == 422
    assert sorted(DeputyGroupCategory.category_ids(world.group)) == sorted([world.roads.id, world.health.id])
    # A category archived since it was chosen stays in the form, so saving the group keeps it.
    models.Category.update(archived=True).where(models.Category.id == world.health.id).execute()
    assert f'value="{world.health.id}"' in text(client.get(url))
    response = client.post(url, data={"name": "城市建设", "categories": [str(world.roads.id), str(world.health.id)]})
    assert response.status_code == 303
    assert sorted(DeputyGroupCategory.category_ids(world.group)) == sorted([world.roads.id, world.health.id])
    models.Category.update(archived=False).where(models.Category.id == world.health.id).execute()
    # A new group gets its field in the same save.
    response = client.post("/admin/groups/new", data={"name": "生命健康", "categories": [str(world.health.id)]})
    assert response.status_code == 303
    group = models.DeputyGroup.get(models.DeputyGroup.name == "生命健康")
    assert DeputyGroupCategory.category_ids(group) == [world.health.id]


# The good-suggestion award ---------------------------------------------------------------------

ROLE_VERDICTS = [("visitor", False), ("resident", False), ("councillor", False), ("staff", False),
                 ("deputy", True), ("admin", True)]


@pytest.mark.parametrize(("role", "allowed"), ROLE_VERDICTS)
def test_who_may_award(client, auth, world, role, allowed):
    user = None if role == "visitor" else models.User.get(models.User.username == role)
    assert p.can_award(user, world.i3) is allowed
    if user is not None:
        auth.login(role)
    response = client.post(f"/issues/{world.i3.id}/award", data={"year": "2025", "citation": "很好的建议"})
    if allowed:
        assert response.status_code == 303
        assert Award.of(world.i3).citation == "很好的建议"
    else:
        assert response.status_code == (302 if role == "visitor" else 403)
        assert Award.of(world.i3) is None and not Issue.get_by_id(world.i3.id).award


@pytest.mark.parametrize(("role", "allowed"), ROLE_VERDICTS)
def test_who_may_withdraw(client, auth, world, role, allowed):
    if role != "visitor":
        auth.login(role)
    response = client.post(f"/issues/{world.i1.id}/award/withdraw", data={"reason": "重复评选"})
    assert response.status_code == (303 if allowed else 302 if role == "visitor" else 403)
    assert (Award.of(world.i1) is None) is allowed


def test_award_and_withdraw_are_audited_and_on_the_timeline(client, auth, world):
    auth.login("deputy")
    assert client.post(f"/issues/{world.i3.id}/award", data={"year": "2025", "citation": "建议很好"}).status_code == 303
    issue = Issue.get_by_id(world.i3.id)
    assert issue.award and Award.of(issue).year == 2025 and Award.of(issue).awarded_by_id == world.deputy.id
    event = Event.select().where((Event.issue == issue.id) & (Event.kind == "awarded")).get()
    assert event.actor_id == world.deputy.id and event.note == "建议很好" and event.data == {"year": 2025}
    entry = AuditLog.select().where((AuditLog.action == "issue.award") & (AuditLog.object_id == issue.id)).get()
    assert entry.after == {"award": True, "award_year": 2025, "citation": "建议很好"}
    notice = models.Notification.get((models.Notification.user == world.resident.id) & (models.Notification.kind == "awarded"))
    assert notice.issue_id == issue.id and notice.data == {"year": 2025}
    client.post("/logout")
    auth.login("resident")
    assert "小区道路坑洼”被评为2025年度好建议" in text(client.get("/notifications", headers=ZH))
    client.post("/logout")
    auth.login("deputy")
    page = text(client.get(f"/issues/{issue.id}", headers=EN))
    assert "marked as a good suggestion" in page and "good suggestion of 2025" in page
    assert "A good suggestion of 2025" in page and "Withdraw the mark" in page

    assert client.post(f"/issues/{issue.id}/award/withdraw", data={"reason": "评选有误"}).status_code == 303
    issue = Issue.get_by_id(issue.id)
    assert not issue.award and Award.of(issue) is None
    event = Event.select().where((Event.issue == issue.id) & (Event.kind == "award_withdrawn")).get()
    assert event.note == "评选有误" and event.data == {"year": 2025}
    entry = AuditLog.select().where(AuditLog.action == "issue.award_withdraw").get()
    assert entry.before == {"award": True, "award_year": 2025, "citation": "建议很好"} and entry.note == "评选有误"
    page = text(client.get(f"/issues/{issue.id}", headers=ZH))
    assert "好建议已撤销" in page and "评为好建议" in page


def test_a_replayed_award_or_withdrawal_changes_nothing_more(client, auth, world):
    auth.login("deputy")
    form = {"year": "2025", "citation": "建议很好"}
    assert client.post(f"/issues/{world.i3.id}/award", data=form).status_code == 303
    again = client.post(f"/issues/{world.i3.id}/award", data={"year": "2026", "citation": "再来一次"},
                        follow_redirects=True, headers=EN)
    assert "already marked as a good suggestion" in text(again)
    assert Award.of(world.i3).citation == "建议很好"
    assert Event.select().where((Event.issue == world.i3.id) & (Event.kind == "awarded")).count() == 1
    assert AuditLog.select().where(AuditLog.action == "issue.award").count() == 4  # three in the world
    for _ in range(2):
        assert client.post(f"/issues/{world.i3.id}/award/withdraw", data={"reason": "撤销"}).status_code == 303
    assert Event.select().where((Event.issue == world.i3.id) & (Event.kind == "award_withdrawn")).count() == 1
    with pytest.raises(AwardError) as refused:
        awards.withdraw(Issue.get_by_id(world.i3.id), world.deputy, "又撤销")
    assert refused.value.reason == "not_awarded"
    with pytest.raises(AwardError) as refused:
        awards.award(Issue.get_by_id(world.i1.id), world.deputy, 2024, "又评")
    assert refused.value.reason == "already"


@pytest.mark.parametrize("form", [
    {"year": "1999", "citation": "很好"},
    {"year": "2030", "citation": "很好"},
    {"year": "abc", "citation": "很好"},
    {"citation": "很好"},
    {"year": "2025", "citation": "   "},
    {"year": "2025", "citation": "好" * 501},
])
def test_a_forged_award_form_is_refused_keeping_the_input(client, auth, world, form):
    auth.login("deputy")
    response = client.post(f"/issues/{world.i3.id}/award", data=form)
    assert response.status_code == 422
    if form["citation"].strip():
        assert form["citation"][:100] in text(response)
    assert Award.of(world.i3) is None and not Issue.get_by_id(world.i3.id).award


def test_a_withdrawal_needs_a_reason(client, auth, world):
    auth.login("admin")
    response = client.post(f"/issues/{world.i1.id}/award/withdraw", data={"reason": ""})
    assert response.status_code == 422
    assert Award.of(world.i1) is not None


def test_matters_not_taken_up_hidden_or_missing_cannot_be_awarded(client, auth, world):
    auth.login("deputy")
    response = client.post(f"/issues/{world.i2.id}/award", data={"year": "2026", "citation": "好"},
                           follow_redirects=True, headers=EN)
    assert "Only a matter that was taken up" in text(response)
    assert Award.of(world.i2) is None
    with pytest.raises(AwardError):
        awards.award(Issue.get_by_id(world.i2.id), world.deputy, 2026, "好")
    assert client.post(f"/issues/{world.hidden.id}/award/withdraw", data={"reason": "x"}).status_code == 403
    assert client.get(f"/issues/{world.hidden.id}/award").status_code == 403
    assert client.post("/issues/999999/award", data={"year": "2026", "citation": "好"}).status_code == 404
    assert client.get(f"/issues/{world.i3.id}/award").status_code == 200


def test_the_award_form_needs_the_csrf_token(csrf_app, world):
    client = csrf_app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(world.deputy.id)
        session["_fresh"] = True
    url = f"/issues/{world.i3.id}/award"
    assert client.post(url, data={"year": "2025", "citation": "好"}).status_code == 400
    assert Award.of(world.i3) is None
    token = re.search(r'name="csrf_token" value="([^"]+)"', text(client.get(url))).group(1)
    assert client.post(url, data={"year": "2025", "citation": "好", "csrf_token": token}).status_code == 303
    assert Award.of(world.i3) is not None


def test_the_issue_page_offers_the_form_only_to_those_who_may_award(client, auth, world):
    url = f"/issues/{world.i3.id}"
    assert "Mark as a good suggestion" not in text(client.get(url, headers=EN))
    auth.login("resident")
    assert "Mark as a good suggestion" not in text(client.get(url, headers=EN))
    auth.logout()
    auth.login("deputy")
    page = text(client.get(url, headers=EN))
    assert "Mark as a good suggestion" in page and f'action="/issues/{world.i3.id}/award"' in page


def test_the_awards_page_lists_by_year_and_never_a_hidden_matter(client, world):
    page = text(client.get("/awards", headers=EN))
    assert "桥头路灯不亮" in page and "建议具体可行。" in page and "匿名的民情" in page
    assert "隐藏的民情" not in page and "不该出现" not in page
    assert page.index('id="year-2025"') < page.index('id="year-2024"')
    only_2024 = text(client.get("/awards?year=2024", headers=EN))
    assert "桥头路灯不亮" in only_2024 and "匿名的民情" not in only_2024
    assert "Good suggestions of 2024" in only_2024
    # A year without awards, or not a year at all, shows every year.
    for query in ("?year=1990", "?year=abc", "?year=99999999999"):
        response = client.get("/awards" + query)
        assert response.status_code == 200 and "匿名的民情" in text(response)
    assert "好建议" in text(client.get("/awards", headers=ZH))
    assert Award.years() == [(2025, 1), (2024, 1)]


def test_the_demo_has_groups_with_fields_and_awards(demo):
    assert DeputyGroupCategory.select().count() >= 6
    assert Award.select().count() == 3
    assert all(event.kind == "awarded" for event in Event.select().where(Event.kind == "awarded"))
    assert all(Issue.get_by_id(award.issue_id).award for award in Award.select())


def test_two_deputies_marking_a_matter_at_once_make_one_award(world, make):
    """Each on its own connection, at the same moment: one award, one refusal, one timeline entry."""
    import threading

    other = make.person("deputy2", "周代表")
    make.member(other, world.venue, role="deputy")
    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def mark(deputy, citation):
        try:
            with models.db.connection_context():
                issue = Issue.get_by_id(world.i3.id)
                barrier.wait()
                try:
                    awards.award(issue, deputy, 2025, citation)
                    outcomes.append("awarded")
                except AwardError as error:
                    outcomes.append(error.reason)
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=mark, args=pair) for pair in ((world.deputy, "甲"), (other, "乙"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(outcomes) == ["already", "awarded"]
    assert Award.select().where(Award.issue == world.i3.id).count() == 1
    assert Event.select().where((Event.issue == world.i3.id) & (Event.kind == "awarded")).count() == 1

"""The closed loop's rules, without HTTP: assign, sign, answer, return, extend, urge, rate, escalate,
close what nobody rated, and remind whoever holds an item."""
import socket
from datetime import date, datetime, timedelta

import pytest
from world import LOOP_NOW as NOW
from world import LoopWorld as Loop
from world import fresh
from world import text as body

import models
from domain import handling, workflow
from domain.handling import HandlingError
from domain.permissions import NotAllowed
from models import Assignment, Event, Feedback, Notification


@pytest.fixture
def loop(make):
    return Loop(make)


def kinds(issue):
    return [e.kind for e in Event.select().where(Event.issue == issue.id).order_by(Event.id)]


# Where an issue goes -----------------------------------------------------------------------------

def test_departments_offered_are_of_the_issues_level_and_region(loop):
    issue = loop.issue(level="town")
    assert [d.name for d in handling.departments_for(issue)] == ["马家店城建办", "马家店街道办事处"]
    assert [d.name for d in handling.departments_for(issue, "city")] == ["市水利和湖泊局"]
    assert [d.name for d in handling.departments_for(issue, "village")] == ["团结社区居民委员会"]


def test_the_default_department_comes_from_the_category_for_the_level(loop):
    assert handling.default_department(loop.issue(level="town")) == loop.office
    assert handling.default_department(loop.issue(level="city")) == loop.water


def test_classify_sets_category_and_level_and_records_it(loop):
    issue = loop.issue(level="village")
    handling.classify(issue, loop.councillor, loop.category, "town")
    issue = fresh(issue)
    assert issue.level == "town" and issue.category_id == loop.category.id
    assert "classified" in kinds(issue)
    with pytest.raises(NotAllowed):
        handling.classify(issue, loop.author, loop.category, "city")
    with pytest.raises(HandlingError):
        handling.classify(issue, loop.councillor, loop.category, "province")


def test_escalation_moves_up_one_level_with_a_reason_and_takes_the_issue_back(loop):
    lead = loop.assigned()
    issue = fresh(lead.issue)
    with pytest.raises(HandlingError, match="reason_required"):
        handling.escalate(issue, loop.councillor, "  ")
    handling.escalate(issue, loop.councillor, "涉及市政排水管网", now=NOW)
    issue = fresh(issue)
    assert (issue.level, issue.status, issue.due_on) == ("city", "accepted", None)
    assert fresh(lead).state == "withdrawn"
    event = Event.get((Event.issue == issue.id) & (Event.kind == "escalated"))
    assert event.note == "涉及市政排水管网" and event.data == {"from_level": "town", "to_level": "city"}
    with pytest.raises(HandlingError, match="top_level"):
        handling.escalate(issue, loop.councillor, "再往上")


def test_only_the_assigning_side_escalates(loop):
    issue = loop.issue()
    for person in (loop.author, loop.stranger, loop.office_staff):
        with pytest.raises(NotAllowed):
            handling.escalate(issue, person, "理由")


# Assignment --------------------------------------------------------------------------------------

def test_assignment_counts_working_days_and_tells_the_departments(loop):
    lead = loop.assigned(co=[loop.works])
    issue = fresh(lead.issue)
    # 10 working days after Thursday 3 December 2026: 17 December; signing by Friday the 4th.
    assert (lead.due_on, lead.sign_due_on, lead.due_provisional) == (date(2026, 12, 17), date(2026, 12, 4), False)
    assert (issue.status, issue.due_on) == ("assigned", date(2026, 12, 17))
    co = Assignment.get((Assignment.issue == issue.id) & (Assignment.role == "co"))
    assert co.department_id == loop.works.id
    told = {n.user_id for n in Notification.select().where(Notification.kind == "assigned")}
    assert told == {loop.office_staff.id, loop.works_staff.id}
    assert models.AuditLog.get(models.AuditLog.action == "issue.assign").actor_id == loop.councillor.id


def test_a_due_date_past_the_official_calendar_is_provisional(loop):
    issue = loop.issue()
    lead = handling.assign(issue, loop.councillor, loop.office, now=datetime(2026, 12, 28, 9))
    assert lead.due_provisional is True and lead.due_on.year == 2027


def test_assignment_refuses_the_wrong_people_departments_and_states(loop):
    issue = loop.issue()
    with pytest.raises(NotAllowed):
        handling.assign(issue, loop.author, loop.office, now=NOW)
    with pytest.raises(HandlingError, match="department"):
        handling.assign(issue, loop.councillor, loop.elsewhere, now=NOW)
    with pytest.raises(HandlingError, match="department"):
        handling.assign(issue, loop.councillor, loop.water, now=NOW)  # a city department, town issue
    with pytest.raises(HandlingError, match="due_in_past"):
        handling.assign(issue, loop.councillor, loop.office, due_on=date(2026, 12, 1), now=NOW)
    with pytest.raises(HandlingError, match="status"):
        handling.assign(loop.issue(status="submitted"), loop.councillor, loop.office, now=NOW)


# Handling by the department --------------------------------------------------------------------------

def test_signing_moves_the_issue_on_and_flags_a_late_signature(loop):
    lead = loop.assigned()
    assert handling.sign(lead, loop.office_staff, now=NOW + timedelta(hours=2)) is False
    assert fresh(lead.issue).status == "in_progress"
    with pytest.raises(HandlingError, match="signed"):
        handling.sign(fresh(lead), loop.office_staff, now=NOW)

    late = loop.assigned()
    # Signing was due Friday 4 December; Monday the 7th is late.
    assert handling.sign(late, loop.office_staff, now=datetime(2026, 12, 7, 9)) is True
    event = Event.get((Event.issue == late.issue_id) & (Event.kind == "signed"))
    assert event.data["late"] is True


def test_a_department_acts_only_on_its_own_items(loop):
    lead = loop.assigned()
    for person in (loop.works_staff, loop.water_staff, loop.councillor, loop.admin, loop.author):
        with pytest.raises(NotAllowed):
            handling.sign(lead, person, now=NOW)
        with pytest.raises(NotAllowed):
            handling.answer(lead, person, "resolved", "修好了", "A", now=NOW)


def test_the_answer_is_graded_and_fits_its_kind(loop):
    lead = loop.assigned()
    handling.sign(lead, loop.office_staff, now=NOW)
    lead = fresh(lead)
    with pytest.raises(HandlingError, match="grade"):
        handling.answer(lead, loop.office_staff, "resolved", "修好了", "C", now=NOW)
    with pytest.raises(HandlingError, match="text_required"):
        handling.answer(lead, loop.office_staff, "resolved", " ", "A", now=NOW)
    handling.answer(lead, loop.office_staff, "explained", "需列入明年计划，资金到位后实施", "C", now=NOW)
    lead, issue = fresh(lead), fresh(lead.issue)
    assert (lead.state, lead.answer_kind, lead.grade) == ("answered", "explained", "C")
    assert issue.status == "explained"
    with pytest.raises(HandlingError, match="closed"):
        handling.answer(lead, loop.office_staff, "resolved", "again", "A", now=NOW)


def test_answering_at_once_signs_too(loop):
    lead = loop.assigned()
    handling.answer(lead, loop.office_staff, "resolved", "已疏通排水口", "A", now=NOW)
    assert kinds(lead.issue)[-3:] == ["signed", "status", "status"]
    assert fresh(lead.issue).status == "resolved"


def test_co_handling_departments_send_an_opinion_to_the_lead(loop):
    lead = loop.assigned(co=[loop.works])
    co = Assignment.get((Assignment.issue == lead.issue_id) & (Assignment.role == "co"))
    with pytest.raises(HandlingError, match="lead_only"):
        handling.answer(co, loop.works_staff, "resolved", "我们来答", "A", now=NOW)
    handling.send_opinion(co, loop.works_staff, "城建办可配合改造排水管", now=NOW)
    assert fresh(co).state == "answered"
    assert Notification.get(Notification.kind == "opinion").user_id == loop.office_staff.id
    opinion = Event.get((Event.issue == lead.issue_id) & (Event.kind == "opinion"))
    assert opinion.data["public"] is False


def test_a_progress_note_is_public_or_internal(loop):
    lead = loop.assigned()
    handling.progress(lead, loop.office_staff, "已现场查看", public=False, now=NOW)
    event = Event.get((Event.issue == lead.issue_id) & (Event.kind == "progress"))
    assert event.data["public"] is False and event.note == "已现场查看"


# Return and extension -------------------------------------------------------------------------------

def test_a_return_within_three_working_days_goes_back_to_the_assigning_side(loop):
    lead = loop.assigned(co=[loop.works])
    with pytest.raises(HandlingError, match="reason_required"):
        handling.return_(lead, loop.office_staff, "", now=NOW)
    handling.return_(lead, loop.office_staff, "属于市水利局职责", now=datetime(2026, 12, 8, 9))
    issue = fresh(lead.issue)
    assert (fresh(lead).state, issue.status) == ("returned", "accepted")
    assert handling.current(issue) == []  # the co-handling row is withdrawn with it
    assert Notification.get(Notification.kind == "returned").user_id == loop.councillor.id


def test_a_return_after_three_working_days_is_refused(loop):
    lead = loop.assigned()
    # Assigned Thursday 3 December: the third working day after is Tuesday the 8th.
    with pytest.raises(HandlingError, match="too_late"):
        handling.return_(lead, loop.office_staff, "不归我们管", now=datetime(2026, 12, 9, 9))


def test_an_extension_is_asked_for_and_granted_or_refused(loop):
    lead = loop.assigned()
    with pytest.raises(HandlingError, match="date"):
        handling.request_extension(lead, loop.office_staff, lead.due_on, "需要更多时间", now=NOW)
    handling.request_extension(lead, loop.office_staff, date(2026, 12, 31), "需要招标", now=NOW)
    lead = fresh(lead)
    with pytest.raises(HandlingError, match="pending"):
        handling.request_extension(lead, loop.office_staff, date(2027, 1, 8), "再延", now=NOW)
    with pytest.raises(NotAllowed):
        handling.decide_extension(lead, loop.office_staff, True)
    handling.decide_extension(lead, loop.councillor, True, now=NOW)
    lead, issue = fresh(lead), fresh(lead.issue)
    assert (lead.extension_state, lead.due_on, issue.due_on) == ("granted", date(2026, 12, 31), date(2026, 12, 31))

    other = loop.assigned()
    handling.request_extension(other, loop.office_staff, date(2026, 12, 31), "需要招标", now=NOW)
    handling.decide_extension(fresh(other), loop.councillor, False, "时限内完成", now=NOW)
    assert (fresh(other).extension_state, fresh(other).due_on) == ("refused", date(2026, 12, 17))
    with pytest.raises(HandlingError, match="no_request"):
        handling.decide_extension(fresh(other), loop.councillor, True)


# Urging and overdue ---------------------------------------------------------------------------------

def test_only_an_overdue_item_is_urged_and_each_urging_counts(loop):
    lead = loop.assigned()
    on_the_day = datetime(2026, 12, 17, 9)
    with pytest.raises(HandlingError, match="not_overdue"):
        handling.urge(lead, loop.councillor, now=on_the_day)
    assert not lead.is_overdue(date(2026, 12, 17))
    assert lead.is_overdue(date(2026, 12, 18))
    handling.urge(lead, loop.deputy, "请尽快办理", now=datetime(2026, 12, 18, 9))
    handling.urge(fresh(lead), loop.councillor, now=datetime(2026, 12, 21, 9))
    assert fresh(lead).urge_count == 2
    assert Notification.select().where(Notification.kind == "urged").count() == 2
    with pytest.raises(NotAllowed):
        handling.urge(lead, loop.author, now=datetime(2026, 12, 21, 9))


def test_an_item_is_urged_once_a_day_however_many_ask(loop):
    lead = loop.assigned()
    morning, evening = datetime(2026, 12, 18, 1), datetime(2026, 12, 18, 15)  # both 18 Dec in China
    handling.urge(lead, loop.deputy, now=morning)
    for who in (loop.deputy, loop.councillor):
        with pytest.raises(HandlingError, match="urged_today"):
            handling.urge(fresh(lead), who, now=evening)
    # Another request read the row before the first urging: the row itself refuses it.
    with pytest.raises(HandlingError, match="urged_today"):
        handling.urge(lead, loop.councillor, now=evening)
    assert fresh(lead).urge_count == 1 and kinds(lead.issue).count("urged") == 1
    handling.urge(fresh(lead), loop.councillor, now=datetime(2026, 12, 18, 17))  # 19 Dec in China
    assert fresh(lead).urge_count == 2


def test_the_urge_button_says_when_it_was_urged_today(loop, client, auth):
    lead = loop.assigned()
    Assignment.update(due_on=date(2020, 1, 2)).where(Assignment.id == lead.id).execute()
    auth.login("councillor")
    url = f"/handling/{lead.id}/urge"
    assert client.post(url, data={"note": ""}).status_code == 303
    again = client.post(url, data={"note": "再催"})
    assert again.status_code == 422 and "今天已经催办过这一件" in body(again)
    assert fresh(lead).urge_count == 1


# Two requests at once: the second finds the step taken ---------------------------------------------

def test_signing_twice_at_once_records_one_signature(loop):
    lead = loop.assigned()
    stale = fresh(lead)
    handling.sign(lead, loop.office_staff, now=NOW)
    with pytest.raises(HandlingError, match="signed"):
        handling.sign(stale, loop.office_staff, now=NOW)
    assert kinds(lead.issue).count("signed") == 1


def test_answering_twice_at_once_records_one_answer(loop):
    lead = loop.assigned()
    handling.sign(lead, loop.office_staff, now=NOW)
    stale = fresh(lead)
    handling.answer(fresh(lead), loop.office_staff, "resolved", "第一次", "A", now=NOW)
    with pytest.raises(HandlingError, match="closed"):
        handling.answer(stale, loop.office_staff, "explained", "第二次", "C", now=NOW)
    with pytest.raises(HandlingError, match="closed"):
        handling.return_(stale, loop.office_staff, "不归我们管", now=NOW)
    assert fresh(lead).response == "第一次" and fresh(lead.issue).status == "resolved"
    assert [e.to_status for e in Event.select().where(Event.issue == lead.issue_id, Event.kind == "status")] == [
        "assigned", "in_progress", "resolved"]


def test_routing_twice_at_once_makes_one_lead(loop):
    issue = loop.issue()
    stale = fresh(issue)
    handling.assign(issue, loop.councillor, loop.office, now=NOW)
    with pytest.raises(HandlingError, match="status"):
        handling.assign(stale, loop.deputy, loop.works, now=NOW)
    assert Assignment.select().where(Assignment.issue == issue.id).count() == 1


def test_escalating_twice_at_once_moves_one_level(loop):
    issue = loop.issue(level="village")
    stale = fresh(issue)
    handling.escalate(issue, loop.councillor, "需要街道协调", now=NOW)
    with pytest.raises(HandlingError, match="status"):
        handling.escalate(stale, loop.deputy, "同样的理由", now=NOW)
    assert fresh(issue).level == "town" and kinds(issue).count("escalated") == 1


def test_a_triage_step_on_a_stale_page_is_taken_once(loop):
    issue = loop.issue(status="submitted")
    stale = fresh(issue)
    workflow.accept(issue, loop.councillor)
    with pytest.raises(workflow.TransitionError):
        workflow.decline(stale, loop.councillor, "重复")
    assert fresh(issue).status == "accepted"


# Satisfaction ------------------------------------------------------------------------------------------

def answered(loop, kind="resolved", grade="A"):
    lead = loop.assigned()
    handling.answer(lead, loop.office_staff, kind, "已处理", grade, now=NOW)
    return fresh(lead.issue)


def test_a_satisfied_rating_closes_the_issue(loop):
    issue = answered(loop)
    with pytest.raises(NotAllowed):
        handling.rate(issue, loop.stranger, "satisfied")
    handling.rate(issue, loop.author, "satisfied", now=NOW)
    assert fresh(issue).status == "closed"
    assert Feedback.get(Feedback.issue == issue.id).round == 1


def test_dissatisfied_reopens_once_to_the_same_department_then_closes(loop):
    issue = answered(loop)
    handling.rate(issue, loop.author, "dissatisfied", "还是积水", now=NOW)
    issue = fresh(issue)
    assert (issue.status, issue.reopened) == ("in_progress", True)
    again = handling.lead_of(issue)
    assert (again.department_id, again.state) == (loop.office.id, "signed")
    assert Notification.get(Notification.kind == "reopened").user_id == loop.office_staff.id

    handling.answer(again, loop.office_staff, "resolved", "已重新铺设排水管", "A", now=NOW)
    handling.rate(fresh(issue), loop.author, "dissatisfied", "仍不满意", now=NOW)
    issue = fresh(issue)
    assert issue.status == "closed"
    assert [f.rating for f in Feedback.select().where(Feedback.issue == issue.id).order_by(Feedback.round)] == [
        "dissatisfied", "dissatisfied"]


def test_an_issue_recorded_on_behalf_is_rated_by_who_recorded_it(loop):
    issue = workflow.raise_issue(loop.venue, None, "路口积水", "代录", recorded_by=loop.councillor,
                                 channel="phone", category=loop.category)
    issue.status, issue.level = "accepted", "town"
    issue.save()
    lead = handling.assign(issue, loop.councillor, loop.office, now=NOW)
    handling.answer(lead, loop.office_staff, "resolved", "已处理", "A", now=NOW)
    with pytest.raises(NotAllowed):
        handling.rate(fresh(issue), loop.author, "satisfied")
    handling.rate(fresh(issue), loop.councillor, "basically_satisfied", now=NOW)
    assert fresh(issue).status == "closed"


def test_a_rating_sent_twice_at_once_counts_once(loop):
    issue = answered(loop)
    # The other request of a double click has written its rating, but this one read the issue before.
    Feedback.create(issue=issue, user=loop.author, rating="satisfied", round=1)
    with pytest.raises(HandlingError, match="status"):
        handling.rate(issue, loop.author, "dissatisfied", now=NOW)
    assert fresh(issue).status == "resolved"
    assert Feedback.select().where(Feedback.issue == issue.id).count() == 1


def test_a_rating_needs_an_answer_first(loop):
    issue = loop.issue()
    with pytest.raises(HandlingError, match="status"):
        handling.rate(issue, loop.author, "satisfied")


def test_answers_nobody_rates_close_after_fifteen_days(loop):
    issue = answered(loop)
    assert handling.close_unrated(now=NOW + timedelta(days=14)) == []
    closed = handling.close_unrated(now=NOW + timedelta(days=15))
    assert [i.id for i in closed] == [issue.id]
    issue = fresh(issue)
    assert issue.status == "closed" and not Feedback.select().where(Feedback.issue == issue.id).exists()


# Reminders -----------------------------------------------------------------------------------------------

def test_reminders_go_to_holders_once_a_day_and_to_councillors_when_overdue(loop):
    lead = loop.assigned()  # due Thursday 17 December
    assert handling.remind(now=datetime(2026, 12, 14, 8)) == []  # three working days before
    soon = handling.remind(now=datetime(2026, 12, 15, 8))
    assert [(a.id, user, kind) for a, user, kind in soon] == [(lead.id, loop.office_staff.id, "due_soon")]
    assert handling.remind(now=datetime(2026, 12, 15, 9)) == []  # the same day again: nothing new
    overdue = handling.remind(now=datetime(2026, 12, 18, 8))
    assert {(user, kind) for _a, user, kind in overdue} == {
        (loop.office_staff.id, "overdue"), (loop.councillor.id, "overdue")}
    assert handling.remind(now=datetime(2026, 12, 18, 12)) == []


def test_answered_items_are_not_reminded(loop):
    lead = loop.assigned()
    handling.answer(lead, loop.office_staff, "resolved", "已处理", "A", now=NOW)
    assert handling.remind(now=datetime(2026, 12, 20, 8)) == []


def test_dates_are_the_sites_local_dates(loop):
    lead = loop.assigned()
    # 17 December 17:00 UTC is already the 18th in Zhijiang: overdue there.
    handling.urge(lead, loop.councillor, now=datetime(2026, 12, 17, 17))
    assert fresh(lead).urge_count == 1



# Pages ------------------------------------------------------------------------------------------------

def test_the_inbox_is_for_department_staff_and_shows_only_their_items(loop, client, auth):
    lead = loop.assigned()
    assert client.get("/handling").status_code == 302  # visitors log in first
    auth.login("author")
    assert client.get("/handling").status_code == 403
    auth.logout()
    auth.login("water")
    page = client.get("/handling")
    assert page.status_code == 200 and lead.issue.title not in body(page)
    auth.logout()
    auth.login("office")
    page = body(client.get("/handling"))
    assert f'href="/handling/{lead.id}"' in page and "(1)" in page
    assert f'href="/handling/{lead.id}"' not in body(client.get("/handling?show=in_progress"))
    assert client.get("/handling?show=nonsense").status_code == 200


def test_a_department_signs_and_answers_from_the_item_page(loop, client, auth):
    lead = loop.assigned()
    auth.login("works")
    assert client.get(f"/handling/{lead.id}").status_code == 403
    assert client.post(f"/handling/{lead.id}/sign").status_code == 403
    auth.logout()
    auth.login("office")
    assert client.get(f"/handling/{lead.id}").status_code == 200
    response = client.post(f"/handling/{lead.id}/sign")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/handling/{lead.id}")
    assert fresh(lead).state == "signed"

    typed = "已经联系施工队，下周施工"
    bad = client.post(f"/handling/{lead.id}/answer", data={"kind": "resolved", "text": typed},
                      headers={"Accept-Language": "en"})
    assert bad.status_code == 422 and typed in body(bad) and "Please choose one of the options." in body(bad)
    mismatch = client.post(f"/handling/{lead.id}/answer", data={"kind": "resolved", "grade": "D", "text": typed},
                           headers={"Accept-Language": "en"})
    assert mismatch.status_code == 422 and "That grade does not fit the answer" in body(mismatch)
    assert typed in body(mismatch) and fresh(lead).state == "signed"
    assert client.post(f"/handling/{lead.id}/answer",
                       data={"kind": "resolved", "grade": "A", "text": "已修复"}).status_code == 303
    assert fresh(lead.issue).status == "resolved"


def test_a_late_return_is_refused_with_a_message(loop, client, auth):
    lead = loop.assigned()
    Assignment.update(created_at=datetime(2026, 11, 2, 9)).where(Assignment.id == lead.id).execute()
    auth.login("office")
    response = client.post(f"/handling/{lead.id}/return", data={"reason": "不归我们管"},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 422 and "only within three working days" in body(response)
    assert fresh(lead).state == "assigned"


def test_the_route_page_is_for_the_assigning_side(loop, client, auth):
    issue = loop.issue()
    for username, expected in (("author", 403), ("office", 403), ("councillor", 200), ("admin", 200)):
        auth.login(username)
        assert client.get(f"/issues/{issue.id}/route").status_code == expected, username
        auth.logout()
    auth.login("councillor")
    page = body(client.get(f"/issues/{issue.id}/route"))
    assert "马家店街道办事处" in page and "市水利和湖泊局" not in page  # only the issue's level and place
    forged = client.post(f"/issues/{issue.id}/assign", data={"lead": str(loop.water.id)})
    assert forged.status_code == 422 and fresh(issue).status == "accepted"
    done = client.post(f"/issues/{issue.id}/assign",
                       data={"lead": str(loop.office.id), "co": [str(loop.works.id)], "note": "请尽快"})
    assert done.status_code == 303
    assert fresh(issue).status == "assigned"
    assert Assignment.select().where(Assignment.issue == issue.id).count() == 2


def test_extension_and_urging_from_the_route_page(loop, client, auth):
    lead = loop.assigned()
    auth.login("office")
    assert client.post(f"/handling/{lead.id}/extension", data={"until": "2026-12-10", "reason": "x"}).status_code == 422
    assert client.post(f"/handling/{lead.id}/extension",
                       data={"until": "2027-01-15", "reason": "需要招标"}).status_code == 303
    assert client.post(f"/handling/{lead.id}/extension/decide", data={"decision": "grant"}).status_code == 403
    auth.logout()
    auth.login("councillor")
    assert "需要招标" in body(client.get(f"/issues/{lead.issue_id}/route"))
    assert client.post(f"/handling/{lead.id}/extension/decide", data={"decision": "grant"}).status_code == 303
    assert fresh(lead).due_on == date(2027, 1, 15)
    # Not overdue: urging is refused and nothing is counted.
    assert client.post(f"/handling/{lead.id}/urge", data={"note": "快"}).status_code == 422
    assert fresh(lead).urge_count == 0
    Assignment.update(due_on=date(2026, 11, 30)).where(Assignment.id == lead.id).execute()
    assert client.post(f"/handling/{lead.id}/urge", data={"note": "快"}).status_code == 303
    assert fresh(lead).urge_count == 1


def test_the_author_rates_and_a_dissatisfied_rating_reopens(loop, client, auth):
    lead = loop.assigned()
    handling.answer(lead, loop.office_staff, "resolved", "已疏通", "A", now=NOW)
    issue_id = lead.issue_id
    auth.login("stranger")
    assert client.get(f"/issues/{issue_id}/rate").status_code == 403
    auth.logout()
    auth.login("author")
    page = client.get(f"/issues/{issue_id}/rate", headers={"Accept-Language": "zh-CN"})
    assert "已疏通" in body(page) and "不满意" in body(page)
    assert client.post(f"/issues/{issue_id}/rate", data={"comment": "还在积水"}).status_code == 422
    response = client.post(f"/issues/{issue_id}/rate", data={"rating": "dissatisfied", "comment": "还在积水"})
    assert response.status_code == 303 and fresh(lead.issue).status == "in_progress"
    assert "nothing to rate" in body(client.get(f"/issues/{issue_id}/rate", headers={"Accept-Language": "en"}))


def test_flask_remind_is_safe_to_run_twice(loop, runner):
    loop.assigned()
    Assignment.update(due_on=date(2026, 11, 30)).execute()
    first = runner.invoke(args=["remind"])
    assert first.exit_code == 0 and "0 closed, 2 reminders sent" in first.output
    second = runner.invoke(args=["remind"])
    assert second.exit_code == 0 and "0 closed, 0 reminders sent" in second.output


def test_flask_remind_closes_answers_nobody_rated(loop, runner):
    issue = answered(loop)
    Event.update(created_at=NOW - timedelta(days=30)).where(Event.issue == issue.id).execute()
    result = runner.invoke(args=["remind"])
    assert f"closed unrated: #{issue.id}" in result.output
    assert fresh(issue).status == "closed"



# Mail -----------------------------------------------------------------------------------------------------

@pytest.fixture
def smtp_server(app):
    """A real SMTP server on a free local port, collecting what it is sent."""
    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(envelope)
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port,
                      MAIL_FROM="yishi@zhijiang.example", PUBLIC_URL="https://yishi.zhijiang.example")
    yield inbox
    controller.stop()


def test_with_a_mail_server_assignment_and_reminders_go_by_email_too(loop, smtp_server, runner, app):
    loop.office_staff.email = "office@zhijiang.example"
    loop.office_staff.locale = "en"
    loop.office_staff.save()
    with app.test_request_context():
        lead = loop.assigned()
    [message] = smtp_server.messages
    assert message.rcpt_tos == ["office@zhijiang.example"]
    text = message.content.decode()
    assert "Assigned to your department" in text and f"https://yishi.zhijiang.example/issues/{lead.issue_id}" in text

    Assignment.update(due_on=date(2026, 11, 30)).execute()
    assert "2 reminders sent" in runner.invoke(args=["remind"]).output
    assert len(smtp_server.messages) == 2  # the councillor gave no address
    assert "Overdue" in smtp_server.messages[-1].content.decode()
    runner.invoke(args=["remind"])
    assert len(smtp_server.messages) == 2  # nothing new the same day


def test_without_a_mail_server_nothing_is_sent_and_a_dead_one_loses_nothing(loop, app):
    loop.office_staff.email = "office@zhijiang.example"
    loop.office_staff.save()
    with app.test_request_context():
        assert loop.assigned().state == "assigned"
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1)  # nothing listens there
    with app.test_request_context():
        lead = loop.assigned()
    assert fresh(lead.issue).status == "assigned"

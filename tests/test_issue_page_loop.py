"""The issue page tells the truth about the closed loop: who handles it and by when, the answers
and ratings, the path the issue really took, internal entries only for the people involved, the
buttons each reader may use, and a poll that refreshes all of it."""
from datetime import date, timedelta

import pytest
from world import LOOP_NOW as NOW
from world import LoopWorld as Loop
from world import fresh
from world import text as body

from domain import handling, timefmt, workflow
from models import Assignment, Event, Issue

HX = {"HX-Request": "true"}


@pytest.fixture
def loop(make):
    return Loop(make)


def answered(loop, rating=None, comment=""):
    """An issue the office answered (grade A), with a progress note and a co-handling opinion
    (both internal), rated when `rating` is given."""
    lead = loop.assigned(co=[loop.works])
    co = Assignment.get((Assignment.issue == lead.issue_id) & (Assignment.role == "co"))
    handling.sign(lead, loop.office_staff, now=NOW)
    handling.progress(lead, loop.office_staff, "内部协调记录", public=False, now=NOW)
    handling.progress(lead, loop.office_staff, "已派人勘察", public=True, now=NOW)
    handling.send_opinion(co, loop.works_staff, "城建办意见：需改造管网", now=NOW)
    handling.answer(fresh(lead), loop.office_staff, "resolved", "已疏通下水道。", "A", now=NOW)
    issue = Issue.get_by_id(lead.issue_id)
    if rating:
        handling.rate(issue, loop.author, rating, comment, now=NOW)
    return Issue.get_by_id(issue.id)


def events_of(issue):
    return list(Event.select().where(Event.issue == issue.id).order_by(Event.id))


# The summary -------------------------------------------------------------------------------------

def test_the_summary_of_an_assigned_issue_counts_working_days_left(loop):
    lead = loop.assigned(co=[loop.works])
    today = timefmt.local_date(NOW)  # Thursday 3 December 2026
    handled = handling.summary(lead.issue, today)
    assert handled.lead.department == loop.office and [a.department for a in handled.co] == [loop.works]
    assert handled.active and handled.signed_at is None and not handled.overdue
    assert handled.due_on == lead.due_on and handled.days_left == 10 and handled.days_overdue is None
    assert handled.answers == [] and handled.ratings == [] and handled.urges == 0


def test_the_summary_says_how_many_working_days_overdue_and_counts_urgings(loop):
    lead = loop.assigned()
    late = lead.due_on + timedelta(days=5)  # due Thursday 17 December; five days later is Tuesday
    handling.urge(lead, loop.councillor, now=NOW + timedelta(days=20))
    handled = handling.summary(lead.issue, late)
    assert handled.overdue and handled.days_overdue == 3 and handled.days_left is None
    assert handled.urges == 1


def test_the_summary_keeps_the_answer_its_grade_and_the_ratings_after_the_loop_closes(loop):
    issue = answered(loop, "satisfied", "很及时")
    handled = handling.summary(issue, date(2026, 12, 4))
    assert not handled.active and handled.lead.department == loop.office
    assert [(a.grade, a.response) for a in handled.answers] == [("A", "已疏通下水道。")]
    assert [(f.rating, f.comment) for f in handled.ratings] == [("satisfied", "很及时")]
    assert handled.signed_at is not None


def test_the_summary_costs_two_queries_however_many_rows(loop, statements):
    issue = answered(loop, "dissatisfied", "没修好")
    statements.clear()
    handling.summary(issue, date(2026, 12, 4))
    assert len(statements) == 2


def test_an_issue_never_routed_has_an_empty_summary(loop):
    assert not handling.summary(loop.issue(), date(2026, 12, 4))


def test_a_returned_or_escalated_issue_names_no_department_until_routed_again(loop):
    lead = loop.assigned()
    handling.return_(lead, loop.office_staff, "不属于本单位职责", now=NOW)
    handled = handling.summary(fresh(lead.issue), date(2026, 12, 4))
    assert handled.lead is None and not handled.active and handled.due_on is None
    lead = loop.assigned()
    handling.escalate(fresh(lead.issue), loop.councillor, "涉及市政排水管网", now=NOW)
    assert handling.summary(fresh(lead.issue), date(2026, 12, 4)).lead is None


# The path the issue took -------------------------------------------------------------------------

def states(issue):
    return dict(workflow.path(issue, events_of(issue)))


def test_an_issue_assigned_without_a_vote_skips_the_deliberation_step(loop):
    issue = loop.issue(status="submitted")
    workflow.accept(issue, loop.councillor)
    lead = handling.assign(fresh(issue), loop.councillor, loop.office, now=NOW)
    path = states(fresh(lead.issue))
    assert path == {"submitted": "done", "accepted": "done", "deliberating": "skipped",
                    "assigned": "current", "in_progress": "todo", "resolved": "todo", "closed": "todo"}


def test_an_issue_voted_down_skips_assignment_and_handling(loop):
    issue = loop.issue(status="submitted")
    workflow.accept(issue, loop.councillor)
    workflow.transition(fresh(issue), "deliberating", loop.councillor)
    workflow.transition(fresh(issue), "closed", loop.councillor)
    path = states(fresh(issue))
    assert [path[s] for s in ("submitted", "accepted", "deliberating")] == ["done"] * 3
    assert path["assigned"] == path["in_progress"] == "skipped"
    assert path["resolved"] == "current" and path["closed"] == "todo"  # closed, but nobody rated


def test_a_declined_or_merged_issue_stops_where_it_was(loop):
    issue = loop.issue(status="submitted")
    workflow.decline(issue, loop.councillor, "不属于议事范围")
    path = states(fresh(issue))
    assert path["submitted"] == "current" and {path[s] for s in workflow.STEPS[1:]} == {"todo"}
    target, other = loop.issue(), loop.issue(status="submitted")
    workflow.accept(other, loop.councillor)
    workflow.merge(fresh(other), target, loop.councillor)
    path = states(fresh(other))
    assert path["submitted"] == "done" and path["accepted"] == "current" and path["deliberating"] == "todo"


def test_a_rated_issue_ends_at_the_rating_and_explained_counts_as_done(loop):
    issue = answered(loop, "satisfied")
    path = states(issue)
    assert path["closed"] == "current" and path["resolved"] == "done" and path["in_progress"] == "done"
    lead = loop.assigned()
    handling.answer(lead, loop.office_staff, "explained", "资金明年到位。", "C", now=NOW)
    path = states(fresh(lead.issue))
    assert path["resolved"] == "current" and path["in_progress"] == "done"


# The page, per reader ----------------------------------------------------------------------------

def page(client, issue):
    response = client.get(f"/issues/{issue.id}")
    assert response.status_code == 200
    return body(response)


@pytest.mark.parametrize("who", [None, "author", "stranger"])
def test_the_public_sees_the_department_due_answer_grade_and_rating_but_no_internal_entry(loop, client, auth, who):
    issue = answered(loop, "basically_satisfied", "基本满意，希望加快")
    if who:
        auth.login(who)
    text = page(client, issue)
    assert "承办单位 · 时限" in text and "马家店街道办事处" in text and "马家店城建办" in text
    assert "已疏通下水道。" in text and "A类：已解决或基本解决" in text and "满意度评价" in text
    assert "基本满意" in text and "基本满意，希望加快" in text and "已派人勘察" in text
    assert "内部协调记录" not in text and "城建办意见" not in text


@pytest.mark.parametrize("who", ["councillor", "deputy", "office", "works", "admin"])
def test_the_people_involved_see_the_internal_entries(loop, client, auth, who):
    issue = answered(loop)
    auth.login(who)
    text = page(client, issue)
    assert "内部协调记录" in text and "城建办意见：需改造管网" in text and "内部" in text


def test_a_department_not_involved_sees_no_internal_entry(loop, client, auth):
    issue = answered(loop)
    auth.login("water")
    assert "内部协调记录" not in page(client, issue)


def test_the_page_says_overdue_in_words_and_waiting_to_be_signed_for(loop, client):
    lead = loop.assigned()
    Assignment.update(due_on=timefmt.local_date() - timedelta(days=10)).where(Assignment.id == lead.id).execute()
    text = page(client, lead.issue)
    assert 'class="due overdue"' in text and "已超期" in text and "个工作日" in text
    assert "待签收" in text and "催办" not in text


def test_the_page_in_english_says_days_left_and_the_grade(loop, client):
    lead = loop.assigned()
    Assignment.update(due_on=timefmt.local_date() + timedelta(days=30)).where(Assignment.id == lead.id).execute()
    client.set_cookie("lang", "en")
    text = page(client, lead.issue)
    assert "Who handles it, and by when" in text and "working days left" in text
    assert "waiting to be signed for" in text and "Overdue" not in text
    issue = answered(loop, "satisfied", "good")
    text = page(client, issue)
    assert "A: solved or basically solved" in text and "satisfied" in text and "Signed for" in text
    assert "waiting to be signed for" not in text


def test_the_step_bar_says_which_steps_were_skipped(loop, client):
    lead = loop.assigned()
    client.set_cookie("lang", "en")
    text = page(client, lead.issue)
    assert '<li class="skipped">Deliberated <span class="step-note">(skipped)</span>' in text
    assert '<li class="current" aria-current="step">Assigned' in text


def test_the_buttons_follow_the_permission_rules(loop, client, auth):
    lead = loop.assigned(co=[loop.works])
    issue = lead.issue
    co = Assignment.get((Assignment.issue == issue.id) & (Assignment.role == "co"))
    route, item = f'href="/issues/{issue.id}/route"', f'href="/handling/{lead.id}"'
    rate = f'href="/issues/{issue.id}/rate"'
    assert route not in page(client, issue) and item not in page(client, issue)
    auth.login("councillor")
    text = page(client, issue)
    assert route in text and item not in text and rate not in text
    auth.logout()
    auth.login("office")
    text = page(client, issue)
    assert item in text and route not in text
    auth.logout()
    auth.login("works")
    text = page(client, issue)
    assert item not in text and f'href="/handling/{co.id}"' in text
    auth.logout()
    handling.answer(fresh(lead), loop.office_staff, "resolved", "已疏通。", "A", now=NOW)
    auth.login("author")
    text = page(client, issue)
    assert rate in text and route not in text
    auth.logout()
    auth.login("stranger")
    assert rate not in page(client, issue)


# The poll ----------------------------------------------------------------------------------------

def test_the_poll_refreshes_the_step_bar_and_the_handling_block(loop, client):
    lead = loop.assigned()
    issue = lead.issue
    first = client.get(f"/issues/{issue.id}/status", headers=HX)
    text = body(first)
    assert f'id="steps-{issue.id}"' in text and f'id="handling-{issue.id}"' in text
    assert text.count('hx-swap-oob="true"') >= 4 and "马家店街道办事处" in text
    assert client.get(f"/issues/{issue.id}/status",
                      headers={**HX, "If-None-Match": first.headers["ETag"]}).status_code == 304
    handling.answer(fresh(lead), loop.office_staff, "resolved", "已疏通。", "A", now=NOW)
    second = client.get(f"/issues/{issue.id}/status", headers={**HX, "If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200 and "已疏通。" in body(second) and "已办结" in body(second)


def test_the_poll_brings_a_new_timeline_entry_even_without_a_status_change(loop, client):
    lead = loop.assigned()
    handling.sign(lead, loop.office_staff, now=NOW)
    first = client.get(f"/issues/{lead.issue_id}/status", headers=HX)
    assert f'id="timeline-{lead.issue_id}"' in body(first) and "已派人勘察" not in body(first)
    handling.progress(fresh(lead), loop.office_staff, "已派人勘察", public=True, now=NOW + timedelta(minutes=5))
    second = client.get(f"/issues/{lead.issue_id}/status", headers={**HX, "If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200 and "已派人勘察" in body(second)


def test_the_poll_shows_internal_entries_only_to_the_people_involved(loop, client, auth):
    issue = answered(loop)
    visitor = client.get(f"/issues/{issue.id}/status", headers=HX)
    assert "已派人勘察" in body(visitor) and "内部协调记录" not in body(visitor)
    assert visitor.headers["Cache-Control"] == "no-cache"
    auth.login("councillor")
    # The visitor's copy is not the councillor's: same row, another answer.
    mine = client.get(f"/issues/{issue.id}/status", headers={**HX, "If-None-Match": visitor.headers["ETag"]})
    assert mine.status_code == 200 and "内部协调记录" in body(mine)
    assert "private" in mine.headers["Cache-Control"]


def test_the_poll_of_a_hidden_issue_says_only_its_status(loop, client):
    lead = loop.assigned()
    Issue.update(hidden=True).where(Issue.id == lead.issue_id).execute()
    text = body(client.get(f"/issues/{lead.issue_id}/status", headers=HX))
    assert "马家店街道办事处" not in text and "handling-" not in text


def test_the_page_rendering_stays_flat_with_more_events(loop, client, statements):
    issue = answered(loop)
    statements.clear()
    page(client, issue)
    few = len(statements)
    lead = loop.assigned()
    for note in ("一", "二", "三"):
        handling.progress(lead, loop.office_staff, note, public=False, now=NOW)
    statements.clear()
    page(client, lead.issue)
    assert len(statements) <= few


# The lists ---------------------------------------------------------------------------------------

def test_the_venue_list_marks_overdue_in_red_and_says_the_due_date_and_level(loop, client):
    late, in_time = loop.assigned(), loop.assigned()
    today = timefmt.local_date()
    Issue.update(due_on=today - timedelta(days=3)).where(Issue.id == late.issue_id).execute()
    Issue.update(due_on=today + timedelta(days=3)).where(Issue.id == in_time.issue_id).execute()
    text = body(client.get("/v/tuanjie"))
    assert text.count('class="tag tag-overdue"') == 1
    assert f"已超期（应于 {today - timedelta(days=3)} 办结）" in text
    assert f"时限 {today + timedelta(days=3)}" in text and "镇级" in text
    handling.answer(fresh(late), loop.office_staff, "resolved", "已疏通。", "A", now=NOW)
    assert "tag-overdue" not in body(client.get("/v/tuanjie"))


def test_the_venue_list_filters_by_level(loop, client):
    town = loop.issue()
    city = loop.issue(level="city")
    Issue.update(title="市里的事").where(Issue.id == city.id).execute()
    text = body(client.get("/v/tuanjie?level=city"))
    assert "市里的事" in text and town.title not in text
    assert '<option value="city" selected>' in text
    assert "市里的事" in body(client.get("/v/tuanjie?level=nonsense"))

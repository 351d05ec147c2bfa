"""Meetings, agenda items, votes and outcomes through HTTP, for every role."""
import re
from datetime import datetime, timedelta

import pytest
from flask import render_template
from world import HX, MODERATOR_ROLES, World, login, text

import models
from domain import deliberation
from models import AgendaItem, Assignment, Ballot, Event, Issue, Meeting, Notification, Participation


@pytest.fixture
def world(make):
    return World(make)


# Meetings ------------------------------------------------------------------------------------

def test_venue_meetings_lists_upcoming_and_past(client, world):
    world.meeting(title="下周的议事会", days=7)
    world.meeting(title="上个月的议事会", days=-30, minutes="到会20人。")
    page = text(client.get("/v/yangguang/meetings"))
    assert page.index("下周的议事会") < page.index("上个月的议事会")
    assert "/v/yangguang/meetings.ics" in page
    assert client.get("/v/nowhere/meetings").status_code == 404


@pytest.mark.parametrize("username, status", MODERATOR_ROLES)
def test_new_meeting_is_for_the_venues_moderators(client, auth, world, username, status):
    login(auth, username)
    response = client.get("/v/yangguang/meetings/new")
    assert response.status_code == status
    if status == 302:
        assert "/login" in response.headers["Location"]


def test_schedule_a_meeting_in_local_time(client, auth, world):
    login(auth, "councillor")
    response = client.post("/v/yangguang/meetings/new", data={
        "title": "5号见", "kind": "fifth_day", "starts_at": "2026-12-05T09:30",
        "ends_at": "2026-12-05T11:00", "place": "议事亭", "description": "",
    })
    assert response.status_code == 303
    meeting = Meeting.get(Meeting.title == "5号见")
    assert response.headers["Location"].endswith(f"/meetings/{meeting.id}")
    assert meeting.starts_at == datetime(2026, 12, 5, 1, 30)  # 09:30 in Beijing is 01:30 UTC
    assert meeting.created_by_id == world.councillor.id
    page = text(client.get(f"/meetings/{meeting.id}"))
    assert "2026-12-05 09:30" in page


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"title": ""}, "Please give the meeting a title."),
        ({"starts_at": ""}, "Please enter when it starts."),
        ({"starts_at": "next tuesday"}, "Please enter a date and time"),
        ({"ends_at": "2026-12-10T08:00"}, "The end must be after the start."),
        ({"kind": "fifth_day"}, "is held on the 5th of the month"),
        ({"kind": "party"}, "Please choose one of the options."),
    ],
)
def test_bad_meeting_forms_say_why(client, auth, world, fields, message):
    login(auth, "councillor")
    data = {"title": "议事会", "kind": "regular", "starts_at": "2026-12-10T09:00", "ends_at": "",
            "place": "", "description": ""}
    data.update(fields)
    response = client.post("/v/yangguang/meetings/new", data=data, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert message in text(response)
    assert Meeting.select().count() == 0


def test_meeting_page_shows_agenda_and_minutes(client, world):
    meeting = world.meeting(minutes="到会居民23人。")
    world.item(meeting, title="建设充电桩", state="open")
    page = text(client.get(f"/meetings/{meeting.id}"))
    assert "建设充电桩" in page and "到会居民23人。" in page
    assert client.get("/meetings/999").status_code == 404


@pytest.mark.parametrize("username, status", MODERATOR_ROLES)
def test_edit_meeting_and_minutes_are_for_moderators(client, auth, world, username, status):
    meeting = world.meeting()
    login(auth, username)
    assert client.get(f"/meetings/{meeting.id}/edit").status_code == status
    assert client.get(f"/meetings/{meeting.id}/minutes").status_code == status
    response = client.post(f"/meetings/{meeting.id}/minutes", data={"minutes": "会议纪要"})
    assert response.status_code == (303 if status == 200 else status)


def test_edit_meeting_and_record_minutes(client, auth, world):
    meeting = world.meeting()
    login(auth, "councillor")
    response = client.post(f"/meetings/{meeting.id}/edit", data={
        "title": "改期的议事会", "kind": "bench_meeting", "starts_at": "2026-12-12T14:00",
        "ends_at": "", "place": "广场", "description": "", "cancelled": "y",
    })
    assert response.status_code == 303
    meeting = Meeting.get_by_id(meeting.id)
    assert (meeting.title, meeting.kind, meeting.cancelled) == ("改期的议事会", "bench_meeting", True)
    assert client.post(f"/meetings/{meeting.id}/minutes", data={"minutes": ""}).status_code == 422
    client.post(f"/meetings/{meeting.id}/minutes", data={"minutes": "一、充电桩选址。"})
    assert "一、充电桩选址。" in text(client.get(f"/meetings/{meeting.id}"))


# Agenda items -------------------------------------------------------------------------------

def item_form(**fields):
    data = {"issue": "0", "title": "", "body": "", "rule": "majority", "quorum_kind": "count",
            "quorum_value": "3"}
    data.update(fields)
    return data


def test_put_an_issue_on_the_agenda(client, auth, world):
    issue = world.issue()
    meeting = world.meeting()
    login(auth, "councillor")
    page = text(client.get(f"/meetings/{meeting.id}/items/new?issue={issue.id}"))
    assert f'<option selected value="{issue.id}">' in page
    response = client.post(f"/meetings/{meeting.id}/items/new", data=item_form(issue=str(issue.id)))
    assert response.status_code == 303
    item = AgendaItem.get(AgendaItem.issue == issue)
    assert item.title == issue.title  # taken from the issue when left empty
    assert response.headers["Location"].endswith(f"/items/{item.id}")
    assert Issue.get_by_id(issue.id).status == "deliberating"
    assert Event.get(Event.issue == issue).to_status == "deliberating"
    assert Notification.select().where(Notification.user == world.resident.id).exists()


def test_free_item(client, auth, world):
    meeting = world.meeting()
    login(auth, "councillor")
    response = client.post(f"/meetings/{meeting.id}/items/new",
                           data=item_form(title="议事亭周六开放", rule="two_thirds", quorum_kind="percent",
                                          quorum_value="50"))
    assert response.status_code == 303
    item = AgendaItem.get(AgendaItem.title == "议事亭周六开放")
    assert (item.issue_id, item.rule, item.quorum_kind, item.quorum_value) == (None, "two_thirds", "percent", 50)


@pytest.mark.parametrize(
    "fields, message",
    [
        ({}, "Please give the item a title."),
        ({"title": "x", "quorum_value": "many"}, "Please enter a whole number."),
        ({"title": "x", "quorum_kind": "percent", "quorum_value": "150"}, "A percentage is at most 100."),
        ({"title": "x", "quorum_value": "-1"}, "Please enter a number from 0"),
        ({"title": "x", "rule": "unanimous"}, "Please choose one of the options."),
        ({"title": "x", "issue": "abc"}, "Please choose one of the options."),
    ],
)
def test_bad_item_forms_say_why(client, auth, world, fields, message):
    meeting = world.meeting()
    login(auth, "councillor")
    response = client.post(f"/meetings/{meeting.id}/items/new", data=item_form(**fields),
                           headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert message in text(response)


@pytest.mark.parametrize("status", ["submitted", "declined"])
def test_only_accepted_issues_of_the_venue_go_on_the_agenda(client, auth, world, status):
    meeting = world.meeting()
    wrong = [world.issue(status=status), world.issue(venue=world.other_venue)]
    login(auth, "councillor")
    for issue in wrong:
        response = client.post(f"/meetings/{meeting.id}/items/new", data=item_form(issue=str(issue.id)))
        assert response.status_code == 422
    assert AgendaItem.select().count() == 0


@pytest.mark.parametrize("username, status", MODERATOR_ROLES)
def test_item_forms_are_for_moderators(client, auth, world, username, status):
    meeting = world.meeting()
    item = world.item(meeting, state="draft")
    login(auth, username)
    assert client.get(f"/meetings/{meeting.id}/items/new").status_code == status
    assert client.get(f"/items/{item.id}/edit").status_code == status
    for action in ("window", "close", "remove"):  # remove last: it deletes the item
        response = client.post(f"/items/{item.id}/{action}", data={})
        assert response.status_code in ((303, 422) if status == 200 else (status,))


def test_edit_item_until_voting_opens(client, auth, world):
    item = world.item(state="draft")
    login(auth, "councillor")
    response = client.post(f"/items/{item.id}/edit", data=item_form(title="新标题", quorum_value="4"))
    assert response.status_code == 303
    assert AgendaItem.get_by_id(item.id).title == "新标题"
    opened = world.item(state="open", title="已开始")
    client.post(f"/items/{opened.id}/edit", data=item_form(title="改不了"), headers={"Accept-Language": "en"})
    assert AgendaItem.get_by_id(opened.id).title == "已开始"
    assert "can no longer be changed" in text(client.get(f"/items/{opened.id}", headers={"Accept-Language": "en"}))


def test_take_an_item_off_the_agenda(client, auth, world):
    issue = world.issue(status="deliberating")
    item = world.item(state="draft", issue=issue)
    login(auth, "councillor")
    response = client.post(f"/items/{item.id}/remove")
    assert response.status_code == 303
    assert AgendaItem.get_or_none(AgendaItem.id == item.id) is None
    assert Issue.get_by_id(issue.id).status == "accepted"
    opened = world.item(state="open")
    client.post(f"/items/{opened.id}/remove")
    assert AgendaItem.get_or_none(AgendaItem.id == opened.id) is not None


def test_open_the_vote_now(client, auth, world):
    issue = world.issue(status="deliberating")
    item = world.item(state="draft", issue=issue)
    login(auth, "councillor")
    closes = (models.utcnow() + timedelta(days=3, hours=8)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"/items/{item.id}/window", data={"opens_at": "", "closes_at": closes})
    assert response.status_code == 303
    item = AgendaItem.get_by_id(item.id)
    assert deliberation.state(item) == "open"
    assert Event.get((Event.issue == issue) & (Event.kind == "voting_scheduled"))
    # Once open, the window stays as it is (only an early close ends it).
    client.post(f"/items/{item.id}/window", data={"opens_at": "", "closes_at": "2030-01-01T00:00"})
    assert AgendaItem.get_by_id(item.id).closes_at == item.closes_at


@pytest.mark.parametrize(
    "opens, closes, message",
    [
        ("", "", "Please enter when voting closes."),
        ("", "2020-01-01T09:00", "Voting must close after it opens, and in the future."),
        ("2030-01-02T09:00", "2030-01-01T09:00", "Voting must close after it opens, and in the future."),
        ("soon", "2030-01-01T09:00", "Please enter a date and time"),
    ],
)
def test_bad_windows_say_why(client, auth, world, opens, closes, message):
    item = world.item(state="draft")
    login(auth, "councillor")
    response = client.post(f"/items/{item.id}/window", data={"opens_at": opens, "closes_at": closes},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert message in text(response)
    assert AgendaItem.get_by_id(item.id).opens_at is None


def test_close_early_needs_a_reason(client, auth, world):
    item = world.item(state="open")
    deliberation.cast(item, world.resident, "yes")
    login(auth, "councillor")
    response = client.post(f"/items/{item.id}/close", data={"reason": ""}, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert "Please give a reason for closing early." in text(response)
    response = client.post(f"/items/{item.id}/close", data={"reason": "议事会当场表决完毕"})
    assert response.status_code == 303
    item = AgendaItem.get_by_id(item.id)
    assert (item.result, item.close_reason) == ("passed", "议事会当场表决完毕")
    page = text(client.get(f"/items/{item.id}"))
    assert "议事会当场表决完毕" in page


# Voting -------------------------------------------------------------------------------------

def test_visitor_is_asked_to_log_in(client, world):
    item = world.item()
    page = text(client.get(f"/items/{item.id}", headers={"Accept-Language": "en"}))
    assert "Log in to vote." in page
    response = client.post(f"/items/{item.id}/vote", data={"choice": "yes"})
    assert response.status_code == 303
    assert f"/login?next=/items/{item.id}" in response.headers["Location"].replace("%2F", "/")
    assert Ballot.select().count() == 0 and Participation.select().count() == 0


def test_resident_votes_and_changes_their_vote(client, auth, world):
    item = world.item()
    login(auth, "resident")
    response = client.post(f"/items/{item.id}/vote", data={"choice": "yes"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/items/{item.id}")
    page = text(client.get(f"/items/{item.id}", headers={"Accept-Language": "en"}))
    assert "You voted: yes." in page
    client.post(f"/items/{item.id}/vote", data={"choice": "no"})
    item = AgendaItem.get_by_id(item.id)
    assert (item.yes_count, item.no_count) == (0, 1)
    assert Ballot.select().count() == 1 and Participation.select().count() == 1


def test_htmx_vote_returns_the_panel_and_the_tally_out_of_band(client, auth, world):
    item = world.item()
    login(auth, "resident")
    response = client.post(f"/items/{item.id}/vote", data={"choice": "abstain"},
                           headers={**HX, "Accept-Language": "en"})
    assert response.status_code == 200
    body = text(response)
    assert "<html" not in body
    assert f'id="vote-{item.id}"' in body and "You voted: abstain." in body
    assert re.search(rf'id="tally-{item.id}"[^>]*hx-swap-oob="true"', body)
    assert re.search(rf'id="item-badge-{item.id}"[^>]*hx-swap-oob="true"', body)
    # A secret vote shows the turnout while open, not the counts (changed on purpose, issue 13).
    assert "1 resident voted" in body and "data-choice" not in body


@pytest.mark.parametrize(
    "username, status, message",
    [
        ("stranger", 403, "Ask to join"),
        ("pending", 403, "waiting for a councillor"),
        ("othercouncillor", 403, "Ask to join"),
    ],
)
def test_those_who_may_not_vote_see_why(client, auth, world, username, status, message):
    item = world.item()
    login(auth, username)
    assert message in text(client.get(f"/items/{item.id}", headers={"Accept-Language": "en"}))
    response = client.post(f"/items/{item.id}/vote", data={"choice": "yes"}, headers={"Accept-Language": "en"})
    assert response.status_code == status
    assert "You cannot vote on this item." in text(response)
    assert Ballot.select().count() == 0 and Participation.select().count() == 0


def test_refused_resident_sees_the_reason(client, auth, world):
    membership = world.membership(world.pending)
    membership.status, membership.note = "refused", "不是本小区居民"
    membership.save()
    item = world.item()
    login(auth, "pending")
    assert "不是本小区居民" in text(client.get(f"/items/{item.id}"))


def test_vote_after_the_close_is_refused_clearly(client, auth, world):
    item = world.item(state="closed")
    login(auth, "resident")
    response = client.post(f"/items/{item.id}/vote", data={"choice": "yes"}, headers={"Accept-Language": "en"})
    assert response.status_code == 409
    assert "Voting on this item has closed. Your vote was not counted." in text(response)
    htmx = client.post(f"/items/{item.id}/vote", data={"choice": "yes"}, headers={**HX, "Accept-Language": "en"})
    assert htmx.status_code == 200 and "Your vote was not counted." in text(htmx)
    assert Ballot.select().count() == 0 and Participation.select().count() == 0


def test_vote_before_the_opening_is_refused(client, auth, world):
    item = world.item(state="scheduled")
    login(auth, "resident")
    response = client.post(f"/items/{item.id}/vote", data={"choice": "yes"}, headers={"Accept-Language": "en"})
    assert response.status_code == 409
    assert "not open yet" in text(response)


@pytest.mark.parametrize("data", [{}, {"choice": "maybe"}])
def test_bad_choice_is_refused(client, auth, world, data):
    item = world.item()
    login(auth, "resident")
    response = client.post(f"/items/{item.id}/vote", data=data, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert "Please choose yes, no or abstain." in text(response)


def test_vote_without_csrf_token_is_refused(csrf_app, world):
    item = world.item()
    client = csrf_app.test_client()
    response = client.post(f"/items/{item.id}/vote", data={"choice": "yes"})
    assert response.status_code == 400
    assert Ballot.select().count() == 0 and Participation.select().count() == 0


def test_ballot_is_secret(client, auth, world):
    item = world.item()
    deliberation.cast(item, world.resident, "yes")
    deliberation.cast(item, world.resident2, "no")
    for username in (None, "resident2", "councillor", "admin"):
        auth.logout()
        login(auth, username)
        page = text(client.get(f"/items/{item.id}", headers={"Accept-Language": "en"}))
        assert "张大姐" not in page  # the first voter's name is nowhere
        assert "2 residents voted" in page
    auth.logout()
    login(auth, "resident2")
    assert "You voted: no." in text(client.get(f"/items/{item.id}", headers={"Accept-Language": "en"}))


def test_unknown_item_is_404(client):
    assert client.get("/items/12345").status_code == 404
    assert client.post("/items/12345/vote", data={"choice": "yes"}).status_code == 404


# The live tally -----------------------------------------------------------------------------

def test_tally_answers_304_until_something_changes(client, auth, world):
    item = world.item()
    url = f"/items/{item.id}/tally?seen=open"
    first = client.get(url, headers=HX)
    assert first.status_code == 200
    assert "<html" not in text(first) and f'id="tally-{item.id}"' in text(first)
    assert "hx-trigger=\"every" in text(first)
    etag = first.headers["ETag"]
    again = client.get(url, headers={**HX, "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    deliberation.cast(item, world.resident, "yes")
    changed = client.get(url, headers={**HX, "If-None-Match": etag, "Accept-Language": "en"})
    assert changed.status_code == 200
    assert "1 resident voted" in text(changed) and "data-choice" not in text(changed)  # turnout only
    # Changing a ballot leaves the turnout, so nothing a watcher sees changes: still 304.
    deliberation.cast(item, world.resident, "no")
    assert client.get(url, headers={**HX, "If-None-Match": changed.headers["ETag"],
                                    "Accept-Language": "en"}).status_code == 304


def test_tally_without_htmx_is_the_whole_page(client, world):
    item = world.item()
    response = client.get(f"/items/{item.id}/tally")
    assert response.status_code == 200 and "<html" in text(response)


def test_closing_is_exact_even_if_nobody_visits(client, auth, world, monkeypatch):
    issue = world.issue(status="deliberating")
    item = world.item(issue=issue, quorum_value=3)
    deliberation.cast(item, world.resident, "yes")
    first = client.get(f"/items/{item.id}/tally?seen=open", headers=HX)
    later = item.closes_at + timedelta(seconds=1)
    monkeypatch.setattr(deliberation, "clock", lambda: later)
    response = client.get(f"/items/{item.id}/tally?seen=open",
                          headers={**HX, "If-None-Match": first.headers["ETag"], "Accept-Language": "en"})
    body = text(response)
    assert response.status_code == 200
    assert "hx-trigger" not in body.split('id="vote-')[0]  # polling stops
    assert "no quorum" in body
    assert re.search(rf'id="vote-{item.id}"[^>]*hx-swap-oob="true"', body)  # the buttons go away
    assert re.search(rf'id="status-{issue.id}" hx-swap-oob="true">accepted<', body)
    assert AgendaItem.get_by_id(item.id).result == "no_quorum"
    assert Issue.get_by_id(issue.id).status == "accepted"  # back in the queue for another agenda
    assert Event.get((Event.issue == issue) & (Event.kind == "vote_result")).data["result"] == "no_quorum"


# Outcomes -----------------------------------------------------------------------------------

def closed_item(world, votes, issue=None, **fields):
    item = world.item(state="open", issue=issue, **fields)
    voters = [world.resident, world.resident2]
    for user, choice in zip(voters, votes, strict=False):
        deliberation.cast(item, user, choice)
    return deliberation.close_early(item, world.councillor, "会上已表决")


def test_outcome_waits_for_the_result(client, auth, world):
    item = world.item(state="open")
    login(auth, "councillor")
    response = client.get(f"/items/{item.id}/outcome")
    assert response.status_code == 303


@pytest.mark.parametrize("username, status", MODERATOR_ROLES)
def test_outcome_form_is_for_moderators(client, auth, world, username, status):
    item = closed_item(world, ["yes"])
    login(auth, username)
    assert client.get(f"/items/{item.id}/outcome").status_code == status


def test_passed_vote_resolves_the_issue(client, auth, world):
    issue = world.issue(status="deliberating")
    item = closed_item(world, ["yes", "yes"], issue=issue)
    login(auth, "councillor")
    response = client.post(f"/items/{item.id}/outcome", data={"outcome": "", "next_status": ""},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert "Please write the outcome." in text(response)
    assert "Please choose one of the options." in text(response)
    response = client.post(f"/items/{item.id}/outcome", data={
        "outcome": "同意建设充电桩，社区负责申请资金。", "next_status": "resolved", "department": "0", "due_on": "",
    })
    assert response.status_code == 303
    assert Issue.get_by_id(issue.id).status == "resolved"
    assert AgendaItem.get_by_id(item.id).outcome_published_at is not None
    assert "同意建设充电桩" in text(client.get(f"/items/{item.id}"))
    again = client.post(f"/items/{item.id}/outcome", data={"outcome": "改一下", "next_status": "resolved"})
    assert again.status_code == 303
    assert AgendaItem.get_by_id(item.id).outcome == "同意建设充电桩，社区负责申请资金。"


def test_passed_vote_can_assign_the_issue(client, auth, world):
    department = models.Department.create(name="城建办", level="town", region=world.venue.region)
    issue = world.issue(status="deliberating")
    item = closed_item(world, ["yes"], issue=issue)
    login(auth, "councillor")
    response = client.post(f"/items/{item.id}/outcome", data={
        "outcome": "交城建办办理。", "next_status": "assigned", "department": "0", "due_on": "",
    }, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert "Please choose the department" in text(response) and "Please enter a due date." in text(response)
    response = client.post(f"/items/{item.id}/outcome", data={
        "outcome": "交城建办办理。", "next_status": "assigned", "department": str(department.id),
        "due_on": "2027-01-31",
    })
    assert response.status_code == 303
    issue = Issue.get_by_id(issue.id)
    assert (issue.status, str(issue.due_on)) == ("assigned", "2027-01-31")
    assert Assignment.get(Assignment.issue == issue).department_id == department.id


def test_rejected_vote_closes_the_issue(client, auth, world):
    issue = world.issue(status="deliberating")
    item = closed_item(world, ["no", "no"], issue=issue)
    assert item.result == "rejected"
    login(auth, "councillor")
    response = client.post(f"/items/{item.id}/outcome", data={"outcome": "多数居民不同意。", "next_status": "closed"})
    assert response.status_code == 303
    assert Issue.get_by_id(issue.id).status == "closed"
    notes = [e.note for e in Event.select().where(Event.issue == issue).order_by(Event.id)]
    assert notes.count("多数居民不同意。") == 1  # on the timeline once, with the closing step
    bad = closed_item(world, ["no"], issue=world.issue(status="deliberating", title="另一件事"))
    response = client.post(f"/items/{bad.id}/outcome", data={"outcome": "x", "next_status": "resolved"})
    assert response.status_code == 422  # a rejected vote cannot resolve its issue


def test_no_quorum_outcome_leaves_the_issue_accepted(client, auth, world):
    issue = world.issue(status="deliberating")
    item = closed_item(world, ["yes"], issue=issue, quorum_value=5)
    assert item.result == "no_quorum"
    assert Issue.get_by_id(issue.id).status == "accepted"
    login(auth, "councillor")
    response = client.post(f"/items/{item.id}/outcome", data={"outcome": "人数不够，下次再议。"})
    assert response.status_code == 303
    assert Issue.get_by_id(issue.id).status == "accepted"
    assert Event.get((Event.issue == issue) & (Event.kind == "outcome")).note == "人数不够，下次再议。"


def test_outcomes_pages_list_published_outcomes_newest_first(client, world):
    older = closed_item(world, ["yes"], title="较早的决议")
    deliberation.publish_outcome(older, world.councillor, "第一条决议。", now=models.utcnow() - timedelta(days=2))
    newer = closed_item(world, ["yes"], title="较新的决议")
    deliberation.publish_outcome(newer, world.councillor, "第二条决议。")
    closed_item(world, ["yes"], title="还没公布的")
    elsewhere = world.item(meeting=world.meeting(venue=world.other_venue), state="open", title="别处的决议")
    deliberation.publish_outcome(deliberation.close_early(elsewhere, world.admin, "结束"), world.admin, "别处。")
    site = text(client.get("/outcomes"))
    assert site.index("较新的决议") < site.index("较早的决议")
    assert "还没公布的" not in site and "别处的决议" in site
    venue_page = text(client.get("/v/yangguang/outcomes"))
    assert "较新的决议" in venue_page and "别处的决议" not in venue_page
    assert client.get("/v/nowhere/outcomes").status_code == 404
    assert client.get("/outcomes?page=abc").status_code == 200
    assert client.get("/outcomes?page=999").status_code == 404  # past the last page


# The fragments the venue and issue pages include ---------------------------------------------

def render_fragment(app, user, template, **context_of):
    """Render a fragment as `user` would see it, with the context function's dict."""
    from flask_login import login_user

    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        if user is not None:
            login_user(user)
        name, value = next(iter(context_of.items()))
        import views.agenda

        function = getattr(views.agenda, f"{name}_context")
        return render_template(template, **{name: value}, **function(value))


def test_venue_panel(client, auth, world):
    world.meeting(title="下周的议事会")
    world.issue(status="submitted")
    for user, expected, hidden in (
        (None, "Log in to ask to join", "For councillors"),
        (world.stranger, "Ask to join as a resident", "For councillors"),
        (world.pending, "waiting for a councillor", "For councillors"),
        (world.resident, "You are a verified resident here", "For councillors"),
        (world.councillor, "New issues to triage", "Log in to ask to join"),
    ):
        auth.logout()
        if user is not None:
            auth.login(user.username)
        html = client.get("/v/yangguang", headers={"Accept-Language": "en"}).get_data(as_text=True)
        assert expected in html and hidden not in html
        assert "下周的议事会" in html and "/v/yangguang/outcomes.atom" in html


def test_venue_panel_lists_what_is_being_voted_on(client, auth, world):
    open_item = world.item(state="open", title="正在表决的事")
    world.item(state="closed", title="已经结束的事")
    world.item(state="scheduled", title="还没开始的事")
    auth.login("resident")
    html = client.get("/v/yangguang").get_data(as_text=True)
    top = html[html.index('id="agenda-panel-heading"'):html.index('id="about-heading"')]
    assert f"/items/{open_item.id}" in top
    assert "已经结束的事" not in top and "还没开始的事" not in top


def test_the_votes_open_now_come_with_the_next_meetings_in_one_statement(world, statements):
    from models import Meeting

    soon = world.meeting(title="明天的会", days=1)
    past = world.meeting(title="上周的会", days=-7)
    first = world.item(meeting=past, state="open", title="上周会上开始表决的事")
    second = world.item(meeting=past, state="open", title="另一件")
    world.item(meeting=soon, state="closed", title="已经结束的事")
    later = [world.meeting(title=f"第{n}次会", days=10 + n) for n in range(4)]
    hidden = world.issue(hidden=True)
    concealed = world.item(meeting=soon, state="open", title="被隐藏的事", issue=hidden)
    Meeting.create(venue=world.other_venue, title="别处的会", starts_at=soon.starts_at)
    statements.clear()
    voting, upcoming, secret = deliberation.next_and_voting(world.venue, None, limit=3)
    assert len(statements) == 1
    assert {item.id for item in voting} == {first.id, second.id, concealed.id}
    assert all(item.meeting.venue_id == world.venue.id for item in voting)
    assert [m.id for m in upcoming] == [soon.id, later[0].id, later[1].id]
    assert secret == {concealed.id}
    # Whoever moderates the venue reads the title.
    assert deliberation.next_and_voting(world.venue, world.councillor)[2] == set()


def test_badges_for_a_page_of_issues(world):
    voting = world.issue(status="deliberating", title="在表决")
    twice = world.issue(status="deliberating", title="第二次上会")
    never = world.issue(status="accepted", title="没上会")
    world.item(state="open", issue=voting)
    world.item(state="closed", issue=twice, result="no_quorum")
    world.item(state="draft", issue=twice)
    badges = deliberation.badges_for([voting.id, twice.id, never.id])
    assert badges == {voting.id: "voting_open", twice.id: "on_agenda"}
    # The venue's list loads each issue's latest item with it: the same badges, no query more.
    from domain import search

    assert deliberation.badges_of(search.venue_issues(world.venue)) == badges


def test_issue_fragment_shows_the_vote_state(app, world):
    issue = world.issue(status="deliberating")
    item = world.item(issue=issue)
    html = render_fragment(app, None, "agenda/_issue_agenda.html", issue=issue)
    assert f'id="agenda-badge-{issue.id}"' in html and "voting open" in html
    assert f"/items/{item.id}" in html
    accepted = world.issue(status="accepted", title="等上议程")
    upcoming = world.meeting(title="下周议事会")
    html = render_fragment(app, world.councillor, "agenda/_issue_agenda.html", issue=accepted)
    assert f"/meetings/{upcoming.id}/items/new?issue={accepted.id}" in html
    html = render_fragment(app, world.resident, "agenda/_issue_agenda.html", issue=accepted)
    assert "items/new" not in html


def test_demo_data_has_every_kind_of_vote(demo, app):
    results = {item.result for item in AgendaItem.select()}
    assert {"passed", "rejected", "no_quorum", None} <= results
    assert AgendaItem.select().where(AgendaItem.outcome_published_at.is_null(False)).count() >= 3
    open_items = [i for i in AgendaItem.select() if deliberation.state(i) == "open"]
    assert open_items
    for item in AgendaItem.select():
        counted = {v: Ballot.select().where((Ballot.item == item) & (Ballot.choice == v)).count()
                   for v in ("yes", "no", "abstain")}
        assert counted == {"yes": item.yes_count, "no": item.no_count, "abstain": item.abstain_count}
    assert Meeting.select().where(Meeting.minutes != "").count() >= 2
    from models import Follow, Support

    for issue in Issue.select():
        assert issue.support_count == Support.select().where(Support.issue == issue).count()
        assert issue.follower_count == Follow.select().where(Follow.issue == issue).count()


def test_every_state_changing_route_needs_the_csrf_token(csrf_app, world):
    """With CSRF checks on, as in production, a form posted without its token changes nothing."""
    from world import Auth

    meeting = world.meeting()
    item = world.item(meeting, state="open")
    issue = world.issue(status="submitted")
    membership = world.membership(world.pending)
    client = csrf_app.test_client()
    csrf_app.config["WTF_CSRF_ENABLED"] = False
    Auth(client).login("councillor")  # logging in is not what is being tested
    csrf_app.config["WTF_CSRF_ENABLED"] = True
    urls = [
        "/v/yangguang/meetings/new", f"/meetings/{meeting.id}/edit", f"/meetings/{meeting.id}/minutes",
        f"/meetings/{meeting.id}/items/new", f"/items/{item.id}/edit", f"/items/{item.id}/remove",
        f"/items/{item.id}/window", f"/items/{item.id}/close", f"/items/{item.id}/vote",
        f"/items/{item.id}/outcome", f"/triage/{issue.id}/accept", f"/triage/{issue.id}/decline",
        f"/triage/{issue.id}/merge", "/v/yangguang/join", f"/v/yangguang/requests/{membership.id}/verify",
        f"/v/yangguang/requests/{membership.id}/refuse", "/v/yangguang/voting-rule", "/join",
        "/v/yangguang/invite/rotate",
    ]
    for url in urls:
        assert client.post(url, data={"reason": "x", "choice": "yes"}).status_code == 400, url
    assert Issue.get_by_id(issue.id).status == "submitted"
    assert AgendaItem.get_by_id(item.id).close_reason == ""


def test_followers_read_the_vote_news_in_their_notifications(client, auth, world):
    from models import Follow

    issue = world.issue(status="deliberating", title="充电桩")
    Follow.create(user=world.resident2, issue=issue)
    item = world.item(issue=issue)
    deliberation.cast(item, world.resident, "yes")
    item = deliberation.close_early(item, world.councillor, "会上已表决")
    deliberation.publish_outcome(item, world.councillor, "同意。", next_status="resolved")
    login(auth, "resident2")
    page = text(client.get("/notifications", headers={"Accept-Language": "en"}))
    assert "The vote on 充电桩 is counted: passed" in page
    assert "The outcome of the vote on 充电桩 is published" in page
    assert f'href="/items/{item.id}"' in page


def test_nobody_votes_at_an_archived_venue(client, auth, world):
    item = world.item()
    models.Venue.update(archived=True).where(models.Venue.id == world.venue.id).execute()
    login(auth, "resident")
    response = client.post(f"/items/{item.id}/vote", data={"choice": "yes"}, headers={"Accept-Language": "en"})
    assert response.status_code == 403
    assert "This venue is archived" in text(response)
    assert Ballot.select().count() == 0 and Participation.select().count() == 0


def test_an_early_close_is_in_the_audit_trail(client, auth, world):
    item = world.item()
    login(auth, "councillor")
    client.post(f"/items/{item.id}/close", data={"reason": "会上已表决"})
    auth.logout()
    login(auth, "admin")
    page = text(client.get("/admin/audit", headers={"Accept-Language": "en"}))
    assert "Vote closed early" in page and "会上已表决" in page

"""Hidden means hidden (issue 13): an issue or a comment hidden by moderation shows to nobody but those
who may see it (the venue's moderators; a hidden issue also its author, a hidden comment its own
author), on every surface: pages, fragments, polls, feeds, search, report forms, notifications,
outcomes, Open311."""
import json
from datetime import timedelta

import pytest
from world import EN, HX, DiscussionWorld, text

import models
from domain import deliberation, participation, permissions, workflow

TITLE = "隐藏议题的标题"
SAID = "隐藏议题下的评论"


@pytest.fixture
def world(make):
    world = DiscussionWorld(make)
    issue = workflow.raise_issue(world.venue, world.author, TITLE, "这里是正文，写得长一点。")
    participation.follow(world.resident, issue)
    world.comment = participation.add_comment(issue, world.resident, SAID)
    models.Issue.update(hidden=True).where(models.Issue.id == issue.id).execute()
    world.hidden = models.Issue.get_by_id(issue.id)
    return world


SEES = {"visitor": False, "resident": False, "outsider": False, "author": True, "councillor": True,
        "admin": True}
MODERATES = {"visitor": False, "resident": False, "outsider": False, "author": False, "councillor": True,
             "admin": True}


# The issue page and its fragments -----------------------------------------------------------------

@pytest.mark.parametrize("role", SEES)
def test_a_hidden_issues_comments_are_not_public_on_its_page(client, auth, world, role):
    world.login(auth, role)
    page = text(client.get(f"/issues/{world.hidden.id}", headers=EN))
    assert (TITLE in page) is SEES[role]
    assert (SAID in page) is SEES[role]


@pytest.mark.parametrize("role", SEES)
def test_a_hidden_issues_comments_are_not_in_its_poll(client, auth, world, role):
    world.login(auth, role)
    response = client.get(f"/issues/{world.hidden.id}/comments?after=0&first=0", headers={**HX, **EN})
    if SEES[role]:
        assert response.status_code == 200 and SAID in text(response)
    else:
        assert response.status_code == 404 and SAID not in text(response)


def test_a_hidden_issues_status_poll_says_no_more_than_its_badge(client, world):
    fragment = text(client.get(f"/issues/{world.hidden.id}/status", headers={**HX, **EN}))
    assert TITLE not in fragment and SAID not in fragment


# Report forms -----------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["resident", "outsider", "author"])
def test_the_report_form_of_a_hidden_issue_is_not_found(client, auth, world, role):
    world.login(auth, role)
    for headers in (EN, {**HX, **EN}):
        response = client.get(f"/issues/{world.hidden.id}/report", headers=headers)
        assert response.status_code == 404
        assert TITLE not in text(response)
    response = client.post(f"/issues/{world.hidden.id}/report",
                           data={f"report-issue-{world.hidden.id}-reason": "spam"})
    assert response.status_code == 404


@pytest.mark.parametrize("role", ["resident", "outsider"])
def test_the_report_form_of_a_comment_on_a_hidden_issue_is_not_found(client, auth, world, role):
    world.login(auth, role)
    response = client.get(f"/comments/{world.comment.id}/report", headers=EN)
    assert response.status_code == 404
    assert TITLE not in text(response) and SAID not in text(response)


def test_moderators_are_told_hidden_content_cannot_be_reported(client, auth, world):
    auth.login("councillor")
    assert client.get(f"/issues/{world.hidden.id}/report", headers=EN).status_code == 403


def test_a_visitor_is_not_sent_to_log_in_for_a_hidden_issue(client, world):
    assert client.get(f"/issues/{world.hidden.id}/report").status_code == 404


# Hidden comments --------------------------------------------------------------------------------

@pytest.fixture
def hidden_comment(world):
    issue = world.new_issue("看得见的议题")
    shown = participation.add_comment(issue, world.resident, "正常的评论")
    bad = participation.add_comment(issue, world.resident, "被隐藏的评论")
    reply = participation.add_comment(issue, world.councillor, "对隐藏评论的回复", parent=bad)
    models.Comment.update(hidden=True).where(models.Comment.id == bad.id).execute()
    return issue, shown, models.Comment.get_by_id(bad.id), reply


@pytest.mark.parametrize(("role", "sees"), [
    ("visitor", False), ("author", False), ("outsider", False), ("resident", True), ("councillor", True),
    ("admin", True),
])
def test_a_hidden_comment_shows_only_to_its_author_and_moderators(client, auth, world, hidden_comment, role, sees):
    issue, shown, bad, reply = hidden_comment
    world.login(auth, role)
    for response in (
        client.get(f"/issues/{issue.id}", headers=EN),
        client.get(f"/issues/{issue.id}/comments?after=0&first=0", headers={**HX, **EN}),
    ):
        page = text(response)
        assert "正常的评论" in page
        assert "被隐藏的评论" not in page  # the text never shows in the thread
        assert (f'id="comment-{bad.id}"' in page) is sees
        assert ("对隐藏评论的回复" in page) is sees


def test_the_report_form_of_a_hidden_comment_is_not_found(client, auth, world, hidden_comment):
    _issue, _shown, bad, _reply = hidden_comment
    auth.login("author")
    response = client.get(f"/comments/{bad.id}/report", headers=EN)
    assert response.status_code == 404 and "被隐藏的评论" not in text(response)


def test_permissions_say_who_sees_a_comment(world, hidden_comment):
    issue, shown, bad, _reply = hidden_comment
    assert permissions.can_see_comment(None, shown, issue)
    assert not permissions.can_see_comment(None, bad, issue)
    assert not permissions.can_see_comment(world.author, bad, issue)
    assert permissions.can_see_comment(world.resident, bad, issue)
    assert permissions.can_see_comment(world.councillor, bad, issue)
    assert not permissions.can_see_comment(world.resident, world.comment, world.hidden)
    assert permissions.can_see_comment(world.author, world.comment, world.hidden)


# Notifications ----------------------------------------------------------------------------------

def test_notifications_do_not_name_a_hidden_issue(client, auth, world):
    participation.add_comment(world.hidden, world.councillor, "后来的评论")  # as a moderator might
    auth.login("resident")
    page = text(client.get("/notifications", headers=EN))
    assert "an issue hidden by moderation" in page
    assert TITLE not in page and "王议政" not in page


def test_notifications_do_not_name_who_wrote_a_hidden_comment(client, auth, world, hidden_comment):
    issue, _shown, bad, _reply = hidden_comment
    auth.login("author")  # follows the issue, so heard of every comment
    page = text(client.get("/notifications", headers=EN))
    assert "Someone commented on 看得见的议题" in page
    assert "李居民 commented" in page  # the visible comment still names its author
    assert page.count("李居民 commented") == 1


# Lists, search, feeds, Open311 ----------------------------------------------------------------------

def test_a_hidden_issue_is_not_listed_or_found(client, world):
    assert TITLE not in text(client.get("/v/tuanjie", headers=EN))
    assert TITLE not in text(client.get(f"/search?q={TITLE[:4]}", headers=EN))
    assert TITLE not in text(client.get(f"/search?q={TITLE[:4]}", headers={**HX, **EN}))
    assert TITLE not in text(client.get(f"/v/tuanjie/issues/similar?title={TITLE}", headers={**HX, **EN}))


def test_a_hidden_issue_is_not_in_open311(client, world):
    listing = client.get("/open311/v2/requests.json")
    assert TITLE not in listing.get_data(as_text=True)
    one = client.get(f"/open311/v2/requests/{world.hidden.id}.json")
    assert one.status_code == 404 and TITLE not in one.get_data(as_text=True)


@pytest.fixture
def outcome(world):
    meeting = models.Meeting.create(venue=world.venue, title="议事会", starts_at=models.utcnow())
    now = models.utcnow()
    item = models.AgendaItem.create(meeting=meeting, issue=world.hidden, title="隐藏议题的议程",
                                    opens_at=now - timedelta(days=2), closes_at=now - timedelta(days=1),
                                    quorum_value=0)
    deliberation.publish_outcome(deliberation.load_item(item.id), world.councillor, "隐藏议题的决议")
    return item


def test_a_hidden_issues_outcome_is_not_published_anywhere(client, world, outcome):
    for url in ("/outcomes", "/v/tuanjie/outcomes", "/outcomes.atom", "/v/tuanjie/outcomes.atom", "/v/tuanjie"):
        body = text(client.get(url, headers=EN))
        assert "隐藏议题的决议" not in body, url
        assert "隐藏议题的议程" not in body, url


@pytest.mark.parametrize("role", SEES)
def test_an_agenda_item_does_not_name_its_hidden_issue(client, auth, world, outcome, role):
    world.login(auth, role)
    page = text(client.get(f"/items/{outcome.id}", headers=EN))
    assert (TITLE in page) is SEES[role]
    assert ("隐藏议题的议程" in page) is SEES[role]
    assert ("隐藏议题的决议" in page) is SEES[role]
    assert ("An agenda item about an issue hidden by moderation" in page) is not SEES[role]


@pytest.mark.parametrize("role", SEES)
def test_agenda_lists_do_not_name_an_item_of_a_hidden_issue(client, auth, world, role):
    meeting = models.Meeting.create(venue=world.venue, title="议事会", starts_at=models.utcnow())
    now = models.utcnow()
    models.AgendaItem.create(meeting=meeting, issue=world.hidden, title="隐藏议题的议程", quorum_value=0,
                             opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=1))
    world.login(auth, role)
    for url in (f"/meetings/{meeting.id}", "/v/tuanjie"):
        page = text(client.get(url, headers=EN))
        assert ("隐藏议题的议程" in page) is MODERATES[role], url
        assert ("An agenda item about an issue hidden by moderation" in page) is not MODERATES[role], url


# Following --------------------------------------------------------------------------------------

def test_a_hidden_issue_cannot_be_followed_but_can_be_left(client, auth, world):
    auth.login("outsider")
    assert client.post(f"/issues/{world.hidden.id}/follow", data={"want": "1"}).status_code == 404
    assert not models.Follow.select().where(models.Follow.user == world.outsider.id).exists()
    auth.logout()
    auth.login("resident")  # followed it before it was hidden
    response = client.post(f"/issues/{world.hidden.id}/follow", data={"want": "0"})
    assert response.status_code == 303
    assert not models.Follow.select().where(models.Follow.user == world.resident.id).exists()


# The ledger is for staff --------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["resident", "author"])
def test_the_ledger_is_not_for_residents(client, auth, world, role):
    world.login(auth, role)
    assert client.get("/ledger", headers=EN).status_code == 403


def test_the_ledger_shows_a_hidden_issue_only_to_the_staff_of_its_venue(client, auth, world):
    auth.login("outsider")  # a councillor of another venue: staff, but not of this one
    assert TITLE not in text(client.get("/ledger", headers=EN))


def test_open311_json_is_json(client, world):
    assert isinstance(json.loads(client.get("/open311/v2/requests.json").get_data(as_text=True)), list)

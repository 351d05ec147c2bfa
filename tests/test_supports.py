"""Supports (附议) and follows: one per person per issue, toggled by one button, counted on the row."""
import time

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from peewee import SqliteDatabase
from world import EN, HX, ROLES, ZH
from world import DiscussionWorld as World

import models
from domain import participation, permissions, workflow


@pytest.fixture
def world(make):
    return World(make)


def support(client, issue, want="1", headers=None):
    return client.post(f"/issues/{issue.id}/support", data={"want": want}, headers=headers or {})


def follow(client, issue, want="1", headers=None):
    return client.post(f"/issues/{issue.id}/follow", data={"want": want}, headers=headers or {})


# The button on the issue page -------------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_the_page_shows_the_count_and_the_right_control(client, auth, world, role):
    participation.support(world.councillor, world.issue)
    world.login(auth, role)
    page = client.get(f"/issues/{world.issue.id}", headers=EN).text
    assert "<strong>1</strong> person supports this" in page
    if role == "visitor":
        assert 'name="want"' not in page
        assert "Log in to support" in page
    elif role == "councillor":
        assert 'aria-pressed="true"' in page and 'name="want" value="0"' in page
    else:
        assert f'id="support-button-{world.issue.id}" name="want" value="1" aria-pressed="false"' in page


def test_the_author_sees_no_button(client, auth, world):
    auth.login("author")
    page = client.get(f"/issues/{world.issue.id}", headers=EN).text
    assert f'id="support-button-{world.issue.id}"' not in page
    assert "You raised this issue." in page


# Supporting -------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["resident", "councillor", "outsider", "admin"])
def test_a_plain_form_supports_and_withdraws(client, auth, world, role):
    world.login(auth, role)
    before = world.fresh().updated_at
    response = support(client, world.issue, headers=EN)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/issues/{world.issue.id}#support-{world.issue.id}"
    issue = world.fresh()
    assert issue.support_count == 1
    assert issue.updated_at >= before
    assert participation.is_supporting(world.user(role), issue)
    assert participation.is_following(world.user(role), issue)  # supporting makes you follow
    assert issue.follower_count == 2  # the author and the supporter
    page = client.get(response.headers["Location"], headers=EN).text
    assert "Thank you: your support is counted." in page
    assert 'aria-pressed="true"' in page

    response = support(client, world.issue, want="0", headers=EN)
    assert response.status_code == 303
    issue = world.fresh()
    assert issue.support_count == 0
    assert issue.follower_count == 2  # withdrawing keeps the follow
    assert "Your support is withdrawn." in client.get(response.headers["Location"], headers=EN).text


def test_supporting_twice_counts_once(client, auth, world):
    auth.login("resident")
    support(client, world.issue)
    support(client, world.issue)  # a second tab still showing the old button
    assert world.fresh().support_count == 1
    assert models.Support.select().count() == 1
    support(client, world.issue, want="0")
    support(client, world.issue, want="0")
    assert world.fresh().support_count == 0


def test_an_htmx_toggle_swaps_the_button_and_count_and_refreshes_follow(client, auth, world):
    auth.login("resident")
    response = support(client, world.issue, headers={**HX, **ZH})
    assert response.status_code == 200
    html = response.text
    assert html.lstrip().startswith(f'<div class="support" id="support-{world.issue.id}">')
    assert "<strong>1</strong> 人附议" in html
    assert 'aria-pressed="true"' in html
    assert f'<div class="follow" id="follow-{world.issue.id}" hx-swap-oob="true">' in html
    assert f'id="status-{world.issue.id}"' not in html  # a press cannot change it: the page polls it
    assert "<html" not in html
    html = support(client, world.issue, want="0", headers=HX).text
    assert "<strong>0</strong>" in html
    assert 'name="want" value="1" aria-pressed="false"' in html
    # Withdrawing leaves the reader following: the follow control on the page is still right.
    assert f'id="follow-{world.issue.id}"' not in html


def test_the_follow_control_comes_along_only_when_a_support_given_anew_made_the_reader_follow(client, auth, world):
    auth.login("resident")
    follow(client, world.issue, want="0", headers=HX)
    assert f'id="follow-{world.issue.id}" hx-swap-oob="true"' in support(client, world.issue, headers=HX).text
    again = support(client, world.issue, headers=HX).text  # a second tab: nothing changed
    assert f'id="follow-{world.issue.id}"' not in again and "<strong>1</strong>" in again
    follow(client, world.issue, want="0", headers=HX)
    withdrawn = support(client, world.issue, want="0", headers=HX).text
    assert f'id="follow-{world.issue.id}"' not in withdrawn
    assert not participation.is_following(world.user("resident"), world.issue)


def test_the_answer_s_forms_carry_the_csrf_token_just_checked(csrf_app, world):
    """Tokens do not expire, so the one the press sent serves the forms it gets back."""
    client = csrf_app.test_client()
    page = client.get("/login").text
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    assert client.post("/login", data={"username": "resident", "password": "password123", "csrf_token": token}).status_code == 303
    with client.session_transaction() as session:
        raw = session["csrf_token"]

    class Earlier(TimestampSigner):  # signed an hour ago: a new token would differ from it
        def get_timestamp(self):
            return int(time.time()) - 3600

    sent = URLSafeTimedSerializer(csrf_app.secret_key, salt="wtf-csrf-token", signer=Earlier).dumps(raw)
    html = support(client, world.issue, headers={**HX, "X-CSRFToken": sent}).text
    assert f'name="csrf_token" value="{sent}"' in html
    forged = support(client, world.issue, want="0", headers={**HX, "X-CSRFToken": sent + "x"})
    assert forged.status_code == 400 and world.fresh().support_count == 1


def test_authors_cannot_support_their_own_issue(client, auth, world):
    auth.login("author")
    response = support(client, world.issue, headers=EN)
    assert response.status_code == 403
    assert "You cannot support an issue you raised yourself." in response.text
    assert world.fresh().support_count == 0
    with pytest.raises(permissions.NotAllowed):
        participation.support(world.author, world.issue)


def test_a_visitor_is_sent_to_log_in(client, world):
    response = support(client, world.issue)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert world.fresh().support_count == 0


def test_archived_venues_take_no_supports(client, auth, world):
    world.venue.archived = True
    world.venue.save()
    auth.login("resident")
    response = support(client, world.issue, headers=ZH)
    assert response.status_code == 403
    assert "这个议事场所已归档" in response.text
    assert world.fresh().support_count == 0
    page = client.get(f"/issues/{world.issue.id}").text
    assert f'id="support-button-{world.issue.id}"' not in page


@pytest.mark.parametrize("want", ["", "2", "yes"])
def test_a_button_value_that_is_not_0_or_1_is_a_bad_request(client, auth, world, want):
    auth.login("resident")
    assert support(client, world.issue, want=want).status_code == 400
    assert follow(client, world.issue, want=want).status_code == 400


def test_a_missing_issue_is_404(client, auth, world):
    auth.login("resident")
    assert client.post("/issues/999/support", data={"want": "1"}).status_code == 404
    assert client.post("/issues/999/follow", data={"want": "1"}).status_code == 404


def test_supporting_needs_the_csrf_token(csrf_app, make):
    world = World(make)
    client = csrf_app.test_client()
    client.post("/login", data={"username": "resident", "password": "password123"})
    assert support(client, world.issue).status_code == 400
    assert follow(client, world.issue).status_code == 400
    assert world.fresh().support_count == 0


# Following --------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["resident", "councillor", "outsider", "admin"])
def test_follow_and_unfollow_with_a_plain_form(client, auth, world, role):
    world.login(auth, role)
    response = follow(client, world.issue, headers=EN)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/issues/{world.issue.id}#follow-{world.issue.id}"
    assert world.fresh().follower_count == 2
    page = client.get(response.headers["Location"], headers=EN).text
    assert "You follow this issue: you will be told about news." in page
    assert follow(client, world.issue, want="0").status_code == 303
    assert world.fresh().follower_count == 1
    assert not participation.is_following(world.user(role), world.issue)


def test_an_htmx_follow_swaps_the_button(client, auth, world):
    auth.login("resident")
    html = follow(client, world.issue, headers={**HX, **EN}).text
    assert html.lstrip().startswith(f'<div class="follow" id="follow-{world.issue.id}">')
    assert 'aria-pressed="true"' in html
    assert "You follow this issue and get its news." in html
    assert f'id="status-{world.issue.id}"' not in html


def test_a_visitor_cannot_follow_and_sees_no_follow_button(client, world):
    assert "/login" in follow(client, world.issue).headers["Location"]
    assert f'id="follow-button-{world.issue.id}"' not in client.get(f"/issues/{world.issue.id}").text


def test_following_an_archived_venues_issue_is_still_allowed(client, auth, world):
    world.venue.archived = True
    world.venue.save()
    auth.login("resident")
    assert follow(client, world.issue).status_code == 303
    assert world.fresh().follower_count == 2


# Counters ---------------------------------------------------------------------------------------

def true_counts(issue):
    comments = models.Comment.select().where(models.Comment.issue == issue.id)
    return {
        "support_count": models.Support.select().where(models.Support.issue == issue.id).count(),
        "comment_count": comments.count(),
        "follower_count": models.Follow.select().where(models.Follow.issue == issue.id).count(),
        "flag_count": models.Flag.select().where(
            (models.Flag.target_type == "issue") & (models.Flag.target_id == issue.id)
            & (models.Flag.status == "open")
        ).count(),
        "comment_flags": {
            c.id: (c.flag_count, models.Flag.select().where(
                (models.Flag.target_type == "comment") & (models.Flag.target_id == c.id)
                & (models.Flag.status == "open")
            ).count())
            for c in comments
        },
    }


def test_counters_equal_the_true_counts_after_a_mixed_sequence(client, auth, world, make):
    issue, other = world.issue, world.new_issue("垃圾没人收")
    people = [world.resident, world.councillor, world.outsider, world.admin]
    people += [World.person(f"neighbour{n}", f"邻居{n}") for n in range(4)]
    # Through the routes, as people would.
    for person in people[:5]:
        auth.login(person.username)
        support(client, issue)
        follow(client, other)
        client.post(f"/issues/{issue.id}/comments", data={"comment-body": f"{person.display_name}说"})
        auth.logout()
    auth.login("neighbour0")
    support(client, issue, want="0")
    support(client, issue, want="0")
    follow(client, issue, want="0")
    support(client, other)
    first = models.Comment.select().where(models.Comment.issue == issue.id).order_by(models.Comment.id).first()
    client.post(f"/comments/{first.id}/replies", data={f"reply-{first.id}-body": "同意"})
    client.post(f"/comments/{first.id}/report", data={f"report-comment-{first.id}-reason": "spam"})
    client.post(f"/issues/{issue.id}/report", data={f"report-issue-{issue.id}-reason": "abuse"})
    auth.logout()
    # And directly, including the paths a race would take.
    for person in people[5:]:
        participation.report(person, first, "abuse")
        participation.report(person, first, "abuse")  # a second report by the same person
        participation.support(person, other)
        participation.support(person, other)
        participation.unfollow(person, other)
        participation.unfollow(person, other)
    participation.moderate(world.councillor, first, "restore", "没问题")
    participation.report(world.author, first, "off_topic")
    participation.add_comment(other, world.author, "补充", parent=None)
    workflow.transition(models.Issue.get_by_id(issue.id), "accepted", world.councillor)

    for row in (issue, other):
        fresh = models.Issue.get_by_id(row.id)
        truth = true_counts(fresh)
        assert fresh.support_count == truth["support_count"]
        assert fresh.comment_count == truth["comment_count"]
        assert fresh.follower_count == truth["follower_count"]
        assert fresh.flag_count == truth["flag_count"]
        for kept, true in truth["comment_flags"].values():
            assert kept == true
    assert models.Issue.get_by_id(issue.id).support_count == 4
    assert models.Issue.get_by_id(other.id).support_count == 4
    assert models.Issue.get_by_id(issue.id).comment_count == 6
    assert models.Comment.get_by_id(first.id).flag_count == 1


def test_a_support_is_one_short_write(world, statements):
    """The support, the follow and both counters: three writes (on PostgreSQL one statement doing
    the three), no savepoint, nothing else; the issue then holds the counters its row has (the
    update returns them)."""
    issue = world.issue
    before = (issue.support_count, issue.follower_count)
    statements.clear()
    assert participation.support(world.resident, issue)
    writes = [sql for sql in statements if sql.lstrip().split()[0].upper() in ("INSERT", "UPDATE", "DELETE", "WITH")]
    if isinstance(models.db.obj, SqliteDatabase):
        assert [sql.split()[0] for sql in writes] == ["INSERT", "INSERT", "UPDATE"]
    else:
        assert len(writes) == 1 and writes[0].count("INSERT INTO") == 2
    assert not any("SAVEPOINT" in sql.upper() for sql in statements)
    fresh = models.Issue.get_by_id(issue.id)
    assert (fresh.support_count, fresh.follower_count) == (issue.support_count, issue.follower_count) == (
        before[0] + 1, before[1] + 1)
    statements.clear()
    assert not participation.support(world.resident, issue)  # twice counts once
    assert models.Issue.get_by_id(issue.id).support_count == before[0] + 1


def test_a_support_from_a_follower_counts_them_once_and_a_withdrawal_keeps_the_follow(world):
    issue = world.issue
    assert participation.follow(world.resident, issue)
    followers = models.Issue.get_by_id(issue.id).follower_count
    assert participation.support(world.resident, issue)
    assert issue.follower_count == followers == models.Issue.get_by_id(issue.id).follower_count
    supports = issue.support_count
    assert participation.withdraw_support(world.resident, issue)
    fresh = models.Issue.get_by_id(issue.id)
    assert issue.support_count == fresh.support_count == supports - 1
    assert issue.follower_count == fresh.follower_count == followers
    assert not participation.withdraw_support(world.resident, issue)  # nothing left to withdraw
    assert models.Issue.get_by_id(issue.id).support_count == supports - 1
    assert participation.is_following(world.resident, issue)

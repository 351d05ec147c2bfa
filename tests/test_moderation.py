"""Reports of abusive content, the automatic hiding threshold and the councillors' review."""
import pytest
from world import EN, HX, ROLES, ZH
from world import DiscussionWorld as World

import models
from domain import participation


@pytest.fixture
def world(make):
    return World(make)


@pytest.fixture
def comment(world):
    return participation.add_comment(world.issue, world.resident, "你们都是骗子")


def reporters(n):
    return [World.person(f"reporter{i}", f"举报人{i}") for i in range(n)]


def report(client, kind, obj, reason="abuse", note="", headers=None):
    return client.post(
        f"/{kind}s/{obj.id}/report",
        data={f"report-{kind}-{obj.id}-reason": reason, f"report-{kind}-{obj.id}-note": note},
        headers=headers or {},
    )


# Reporting --------------------------------------------------------------------------------------

def test_a_visitor_is_sent_to_log_in(client, world, comment):
    for response in (client.get(f"/comments/{comment.id}/report"), report(client, "comment", comment)):
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert models.Flag.select().count() == 0


@pytest.mark.parametrize("role", ["author", "councillor", "outsider", "admin"])
def test_the_report_form_as_a_page_and_as_a_fragment(client, auth, world, comment, role):
    world.login(auth, role)
    page = client.get(f"/comments/{comment.id}/report", headers=EN)
    assert page.status_code == 200
    assert "<h1>Report a comment</h1>" in page.text
    assert "你们都是骗子" in page.text
    assert '<legend>What is wrong with it?</legend>' in page.text
    fragment = client.get(f"/comments/{comment.id}/report", headers={**HX, **EN})
    assert fragment.text.lstrip().startswith(f'<div class="report" id="report-comment-{comment.id}">')
    assert "<html" not in fragment.text
    assert fragment.text.count("autofocus") == 1 and "autofocus" not in page.text
    assert client.get(f"/issues/{world.issue.id}/report").status_code == (403 if role == "author" else 200)


def test_a_report_is_recorded_once(client, auth, world, comment):
    auth.login("author")
    response = report(client, "comment", comment, "spam", "广告", headers=EN)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/issues/{world.issue.id}#comment-{comment.id}"
    assert "Thank you. A councillor will look at it." in client.get(response.headers["Location"], headers=EN).text
    flag = models.Flag.get()
    assert (flag.target_type, flag.target_id, flag.reason, flag.note, flag.status) == (
        "comment", comment.id, "spam", "广告", "open"
    )
    assert models.Comment.get_by_id(comment.id).flag_count == 1
    again = report(client, "comment", comment, headers=EN)
    assert again.status_code == 200
    assert "You have reported this already." in again.text
    assert "You have reported this already." in client.get(f"/comments/{comment.id}/report", headers=EN).text
    assert models.Flag.select().count() == 1
    assert models.Comment.get_by_id(comment.id).flag_count == 1


def test_an_htmx_report_answers_with_thanks(client, auth, world, comment):
    auth.login("author")
    response = report(client, "comment", comment, headers={**HX, **ZH})
    assert response.status_code == 200
    assert "谢谢！议政员会来查看。" in response.text and "<html" not in response.text
    assert f'id="status-{world.issue.id}" hx-swap-oob="true"' in response.text


def test_an_issue_can_be_reported(client, auth, world):
    auth.login("resident")
    response = report(client, "issue", world.issue, "off_topic")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/issues/{world.issue.id}"
    assert world.fresh().flag_count == 1


def test_hidden_content_offers_no_report_link(client, auth, world):
    models.Issue.update(hidden=True).where(models.Issue.id == world.issue.id).execute()
    comment = participation.add_comment(world.issue, world.author, "x")
    models.Comment.update(hidden=True).where(models.Comment.id == comment.id).execute()
    auth.login("resident")
    page = client.get(f"/issues/{world.issue.id}", headers=EN).text
    assert "Report this issue" not in page
    assert f"/comments/{comment.id}/report" not in page


def test_nobody_reports_what_they_wrote(client, auth, world, comment):
    auth.login("resident")
    assert report(client, "comment", comment).status_code == 403
    auth.logout()
    auth.login("author")
    assert report(client, "issue", world.issue).status_code == 403
    assert models.Flag.select().count() == 0


@pytest.mark.parametrize(("reason", "headers", "message"), [
    ("", EN, "Please choose a reason."),
    ("rude", EN, "Please choose a reason."),
    ("", ZH, "请选一个原因。"),
])
@pytest.mark.parametrize("htmx", [False, True])
def test_a_report_needs_a_reason(client, auth, world, comment, reason, headers, message, htmx):
    auth.login("author")
    response = report(client, "comment", comment, reason, "说明", headers={**headers, **(HX if htmx else {})})
    assert response.status_code == 422
    assert message in response.text
    assert 'value="说明"' in response.text
    assert models.Flag.select().count() == 0


def test_a_long_note_is_refused(client, auth, world, comment):
    auth.login("author")
    response = report(client, "comment", comment, "spam", "字" * 301, headers=EN)
    assert response.status_code == 422
    assert "At most 300 characters, please." in response.text


def test_reporting_missing_content_is_404(client, auth, world):
    auth.login("author")
    assert client.get("/comments/999/report").status_code == 404
    assert client.post("/issues/999/report").status_code == 404
    assert client.get("/other/1/report").status_code == 404


def test_reporting_needs_the_csrf_token(csrf_app, make):
    world = World(make)
    comment = participation.add_comment(world.issue, world.resident, "x")
    client = csrf_app.test_client()
    client.post("/login", data={"username": "author", "password": "password123"})
    assert report(client, "comment", comment).status_code == 400


# The threshold ----------------------------------------------------------------------------------

def test_three_distinct_reports_hide_a_comment_until_review(client, auth, world, comment):
    people = reporters(3)
    assert participation.report(people[0], comment, "abuse")
    assert not participation.report(people[0], comment, "spam")  # once per person
    participation.report(people[1], comment, "abuse")
    assert not models.Comment.get_by_id(comment.id).hidden
    participation.report(people[2], comment, "spam")
    hidden = models.Comment.get_by_id(comment.id)
    assert hidden.hidden and hidden.flag_count == 3
    page = client.get(f"/issues/{world.issue.id}", headers=EN).text
    assert "你们都是骗子" not in page
    assert f'id="comment-{comment.id}"' not in page  # not even its place, for a visitor
    (entry,) = models.AuditLog.select()
    assert (entry.actor_id, entry.action, entry.object_type, entry.object_id) == (
        None, "comment.hide", "comment", comment.id
    )
    assert entry.before == {"hidden": False, "flag_count": 3}
    assert entry.after == {"hidden": True, "flag_count": 3}
    assert "3 reports" in entry.note


def test_three_reports_hide_an_issue_and_mark_its_timeline(world):
    for person in reporters(3):
        participation.report(person, world.issue, "spam")
    issue = world.fresh()
    assert issue.hidden and issue.flag_count == 3
    event = models.Event.get(models.Event.issue == issue.id)
    assert event.kind == "hidden" and event.actor_id is None
    assert models.AuditLog.get().action == "issue.hide"


def test_a_hidden_issue_takes_no_comments(client, auth, world):
    for person in reporters(3):
        participation.report(person, world.issue, "spam")
    auth.login("author")  # who still reads it; others do not see its discussion at all (test_hidden.py)
    page = client.get(f"/issues/{world.issue.id}", headers=EN).text
    assert "This issue is hidden by moderation: it takes no new comments or supports." in page


# The review queue -------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_only_councillors_of_the_venue_and_admins_see_the_queue(client, auth, world, comment, role):
    participation.report(world.author, comment, "abuse", "骂人")
    world.login(auth, role)
    for headers in ({}, HX):
        response = client.get("/v/tuanjie/moderation", headers={**headers, **EN})
        if role == "visitor":
            assert response.status_code == 302 and "/login" in response.headers["Location"]
        elif role in ("resident", "outsider", "author"):
            assert response.status_code == 403
        else:
            assert response.status_code == 200
            assert "你们都是骗子" in response.text  # moderators read the reported text
            assert "abusive · 张提出" in response.text and "骂人" in response.text
            assert "Dismiss reports" in response.text


def test_the_queue_lists_reported_and_hidden_content_of_its_venue_only(client, auth, world, comment):
    elsewhere = world.new_issue("别处的议题", venue=world.other_venue)
    participation.report(world.resident, elsewhere, "spam")
    quiet = participation.add_comment(world.issue, world.author, "好好说话")
    models.Comment.update(hidden=True).where(models.Comment.id == quiet.id).execute()
    participation.report(world.author, comment, "abuse")
    auth.login("councillor")
    page = client.get("/v/tuanjie/moderation", headers=EN).text
    assert "你们都是骗子" in page and "好好说话" in page
    assert "别处的议题" not in page
    assert "No reported or hidden issues." in page
    assert page.index("你们都是骗子") < page.index("好好说话")  # reported first
    assert client.get("/v/nowhere/moderation").status_code == 404


def moderate(client, kind, obj, action, reason="", headers=None, slug="tuanjie", **extra):
    return client.post(
        f"/v/{slug}/moderation/{kind}/{obj.id}",
        data={f"mod-{kind}-{obj.id}-action": action, f"mod-{kind}-{obj.id}-reason": reason, **extra},
        headers=headers or {},
    )


@pytest.mark.parametrize(("headers", "message"), [(EN, "Please say why you hide it."), (ZH, "请写明隐藏的理由。")])
@pytest.mark.parametrize("htmx", [False, True])
def test_hiding_needs_a_reason(client, auth, world, comment, headers, message, htmx):
    auth.login("councillor")
    response = moderate(client, "comment", comment, "hide", "  ", headers={**headers, **(HX if htmx else {})})
    assert response.status_code == 422
    assert message in response.text
    assert ("<html" in response.text) is not htmx
    assert not models.Comment.get_by_id(comment.id).hidden
    assert models.AuditLog.select().count() == 0


def test_an_unknown_action_is_refused(client, auth, world, comment):
    auth.login("councillor")
    response = moderate(client, "comment", comment, "delete", "x", headers=EN)
    assert response.status_code == 422
    assert "Please choose what to do." in response.text


def test_a_councillor_hides_a_comment_with_a_reason_and_it_is_logged(client, auth, world, comment):
    participation.report(world.author, comment, "abuse")
    auth.login("councillor")
    response = moderate(client, "comment", comment, "hide", "人身攻击", headers=EN)
    assert response.status_code == 303 and response.headers["Location"] == "/v/tuanjie/moderation"
    assert "Hidden. The decision is logged." in client.get("/v/tuanjie/moderation", headers=EN).text
    hidden = models.Comment.get_by_id(comment.id)
    assert hidden.hidden and hidden.flag_count == 0
    flag = models.Flag.get()
    assert (flag.status, flag.resolved_by_id) == ("upheld", world.councillor.id)
    entry = models.AuditLog.get()
    assert (entry.actor_id, entry.action, entry.object_id, entry.note) == (
        world.councillor.id, "comment.hide", comment.id, "人身攻击"
    )
    assert entry.before == {"hidden": False, "flag_count": 1}
    assert entry.after == {"hidden": True, "flag_count": 0}


def test_restore_shows_it_again_and_dismisses_the_reports(client, auth, world, comment):
    people = reporters(3)
    for person in people:
        participation.report(person, comment, "spam")
    auth.login("councillor")
    response = moderate(client, "comment", comment, "restore", headers={**HX, **EN})
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<article class="review-item" id="review-comment-{comment.id}">')
    assert "Shown again. The decision is logged." in response.text
    shown = models.Comment.get_by_id(comment.id)
    assert not shown.hidden and shown.flag_count == 0
    assert {f.status for f in models.Flag.select()} == {"dismissed"}
    assert models.AuditLog.select().order_by(models.AuditLog.id.desc()).get().action == "comment.restore"
    assert "你们都是骗子" in client.get(f"/issues/{world.issue.id}").text
    # The same people cannot report it again; new reports count from nothing.
    assert not participation.report(people[0], comment, "spam")
    participation.report(world.author, comment, "spam")
    assert models.Comment.get_by_id(comment.id).flag_count == 1


def test_dismiss_keeps_it_shown_and_closes_the_reports(client, auth, world, comment):
    participation.report(world.author, comment, "off_topic")
    auth.login("admin")
    assert moderate(client, "comment", comment, "dismiss").status_code == 303
    kept = models.Comment.get_by_id(comment.id)
    assert not kept.hidden and kept.flag_count == 0
    assert models.Flag.get().status == "dismissed"
    assert models.AuditLog.get().actor_id == world.admin.id


def test_hiding_and_restoring_an_issue_writes_its_timeline(client, auth, world):
    auth.login("councillor")
    assert moderate(client, "issue", world.issue, "hide", "重复发帖").status_code == 303
    assert world.fresh().hidden
    assert moderate(client, "issue", world.issue, "restore", "已核实").status_code == 303
    assert not world.fresh().hidden
    events = [(e.kind, e.actor_id, e.note) for e in models.Event.select().order_by(models.Event.id)]
    assert events == [("hidden", world.councillor.id, "重复发帖"), ("restored", world.councillor.id, "已核实")]
    assert [e.action for e in models.AuditLog.select().order_by(models.AuditLog.id)] == ["issue.hide", "issue.restore"]


def test_an_action_that_no_longer_fits_changes_nothing(client, auth, world, comment):
    auth.login("councillor")
    response = moderate(client, "comment", comment, "dismiss", headers=EN)  # nothing to dismiss
    assert response.status_code == 303
    assert "someone has dealt with this already" in client.get("/v/tuanjie/moderation", headers=EN).text
    assert models.AuditLog.select().count() == 0


def test_after_acting_a_plain_form_goes_back_where_it_came_from(client, auth, world, comment):
    auth.login("councillor")
    page = client.get(f"/v/tuanjie/moderation/comment/{comment.id}?next=/comments/{comment.id}", headers=EN)
    assert page.status_code == 200
    assert "<h1>Review a comment</h1>" in page.text
    assert f'name="next" value="/comments/{comment.id}"' in page.text
    response = moderate(client, "comment", comment, "hide", "骂人", next=f"/comments/{comment.id}")
    assert response.headers["Location"] == f"/comments/{comment.id}"
    response = moderate(client, "comment", comment, "restore", next="https://evil.example/")
    assert response.headers["Location"] == "/v/tuanjie/moderation"


@pytest.mark.parametrize("role", ROLES)
def test_who_may_moderate(client, auth, world, comment, role):
    world.login(auth, role)
    response = moderate(client, "comment", comment, "hide", "骂人")
    expected = {"visitor": 302, "resident": 403, "author": 403, "outsider": 403, "councillor": 303, "admin": 303}
    assert response.status_code == expected[role]
    assert models.Comment.get_by_id(comment.id).hidden is (role in ("councillor", "admin"))
    for headers in ({}, HX):
        page = client.get(f"/v/tuanjie/moderation/comment/{comment.id}", headers=headers)
        assert page.status_code == {"visitor": 302, "councillor": 200, "admin": 200}.get(role, 403)
        if page.status_code == 200:
            assert ("<html" in page.text) is not headers
            assert f'<article class="review-item" id="review-comment-{comment.id}">' in page.text


def test_content_of_another_venue_is_not_found_here(client, auth, world):
    elsewhere = world.new_issue("别处的议题", venue=world.other_venue)
    auth.login("councillor")
    assert client.get(f"/v/tuanjie/moderation/issue/{elsewhere.id}").status_code == 404
    assert moderate(client, "issue", elsewhere, "hide", "x").status_code == 404
    assert client.get("/v/tuanjie/moderation/comment/999").status_code == 404
    assert client.get("/v/tuanjie/moderation/comment/99999999999999999999").status_code == 404


def test_moderating_needs_the_csrf_token(csrf_app, make):
    world = World(make)
    comment = participation.add_comment(world.issue, world.resident, "x")
    client = csrf_app.test_client()
    client.post("/login", data={"username": "councillor", "password": "password123"})
    assert moderate(client, "comment", comment, "hide", "x").status_code == 400
    assert not models.Comment.get_by_id(comment.id).hidden


# Where moderators find it -----------------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_the_navigation_links_moderators_to_their_venues(client, auth, world, comment, role):
    participation.report(world.author, comment, "abuse")
    world.login(auth, role)
    home = client.get("/", headers=EN).text
    response = client.get("/moderation", headers=EN)
    if role in ("councillor", "outsider", "admin"):
        assert 'href="/moderation"' in home
        assert response.status_code == 200
        if role == "outsider":
            assert 'href="/v/jianghan/moderation"' in response.text and "nothing waits" in response.text
        else:
            assert 'href="/v/tuanjie/moderation"' in response.text
            assert "1 waits for review" in response.text
    else:
        assert 'href="/moderation"' not in home
        assert response.status_code == (302 if role == "visitor" else 403)


def test_an_automatic_hide_is_audited_as_automatic_not_the_command_line(client, auth, world):
    for person in reporters(3):
        participation.report(person, world.issue, "spam")
    entry = models.AuditLog.get(models.AuditLog.action == "issue.hide")
    assert entry.actor_id is None and entry.automatic
    auth.login("admin")
    page = client.get("/admin/audit", headers=EN).get_data(as_text=True)
    assert "automatic" in page and "command line" not in page
    zh = client.get("/admin/audit", headers=ZH).get_data(as_text=True)
    assert "自动" in zh


# What a hidden comment or issue says about who hid it ------------------------------------------

def test_hidden_by_reports_says_so_not_that_someone_hid_it(client, auth, world, comment):
    for reporter in reporters(participation.FLAG_THRESHOLD):
        participation.report(reporter, comment, "abuse")
        participation.report(reporter, world.issue, "spam")
    world.login(auth, "councillor")
    for headers, automatic, moderated in (
        (EN, "Hidden automatically after several reports, until a councillor reviews it.", "Hidden by moderation."),
        (ZH, "多人举报后已自动隐藏，等待议政员审核。", "管理员"),
    ):
        page = client.get(f"/issues/{world.issue.id}", headers=headers).text
        assert automatic in page and moderated not in page
    page = client.get(f"/issues/{world.issue.id}", headers=EN).text
    assert "hidden from the public automatically after several reports" in page


def test_hidden_by_a_councillor_says_moderation_hid_it(client, auth, world, comment):
    for reporter in reporters(participation.FLAG_THRESHOLD):
        participation.report(reporter, comment, "abuse")
    participation.moderate(world.councillor, models.Comment.get_by_id(comment.id), "hide", "骂人")
    participation.moderate(world.councillor, models.Issue.get_by_id(world.issue.id), "hide", "广告")
    world.login(auth, "councillor")
    page = client.get(f"/issues/{world.issue.id}", headers=EN).text
    assert "Hidden by moderation." in page and "after several reports" not in page
    assert "hidden from the public by moderation" in page
    assert "此内容经审核已隐藏。" in client.get(f"/issues/{world.issue.id}", headers=ZH).text

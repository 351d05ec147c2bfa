"""Notifications: written for followers, listed in the reader's language, counted in the header."""
import pytest
from world import EN, HX, ROLES, ZH
from world import DiscussionWorld as World

import models
from domain import participation, workflow


@pytest.fixture
def world(make):
    return World(make)


def notices(user):
    return list(models.Notification.select().where(models.Notification.user == user.id))


# Which notifications are written ----------------------------------------------------------------

def test_a_comment_notifies_every_follower_but_its_writer(world):
    participation.follow(world.resident, world.issue)
    participation.support(world.councillor, world.issue)  # supporters follow
    comment = participation.add_comment(world.issue, world.resident, "灯还是不亮")
    assert notices(world.resident) == []
    for person in (world.author, world.councillor):
        (notice,) = notices(person)
        assert (notice.kind, notice.issue_id, notice.actor_id) == ("comment", world.issue.id, world.resident.id)
        assert notice.data == {"comment": comment.id}
    assert notices(world.outsider) == []


def test_a_status_change_notifies_followers(world):
    participation.follow(world.resident, world.issue)
    workflow.transition(world.issue, "accepted", world.councillor)
    (notice,) = notices(world.resident)
    assert notice.kind == "status"
    assert notice.data == {"from_status": "submitted", "to_status": "accepted"}


def test_many_followers_are_notified_by_one_statement(world, statements):
    """Notices to followers are written in bulk, whatever their number, by one statement that
    reads nothing into Python (a big following must not hold the write lock for long)."""
    models.User.insert_many([{"username": f"neighbour{n}", "display_name": f"邻居{n}", "password_hash": "x"}
                             for n in range(1200)]).execute()
    followers = list(models.User.select().where(models.User.username.startswith("neighbour")).order_by(models.User.id))
    models.Follow.insert_many([{"user": f.id, "issue": world.issue.id} for f in followers]).execute()
    statements.clear()
    written = workflow.notify_followers(world.issue, "status", world.councillor, from_status="a", to_status="b")
    assert written == 1200 + 1  # the author follows their issue too
    assert len(statements) == 1 and statements[0].lstrip().upper().startswith("INSERT")
    notice = models.Notification.get(models.Notification.user == followers[-1].id)
    assert (notice.kind, notice.issue_id, notice.actor_id, notice.read) == ("status", world.issue.id,
                                                                            world.councillor.id, False)
    assert notice.data == {"from_status": "a", "to_status": "b"} and notice.created_at is not None
    assert notices(world.councillor) == []


# The list ---------------------------------------------------------------------------------------

def test_a_visitor_is_sent_to_log_in(client):
    for response in (client.get("/notifications"), client.post("/notifications/read")):
        assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize(("headers", "comment_text", "status_text"), [
    (EN, "王议政 commented on 路灯坏了", "路灯坏了 is now accepted"),
    (ZH, "王议政 评论了“路灯坏了”", "“路灯坏了”现在是已受理"),
])
def test_the_list_speaks_the_readers_language(client, auth, world, headers, comment_text, status_text):
    comment = participation.add_comment(world.issue, world.councillor, "已经报修")
    workflow.transition(world.issue, "accepted", world.councillor)
    auth.login("author")
    page = client.get("/notifications", headers=headers).text
    assert page.index(status_text) < page.index(comment_text)  # newest first
    assert f'href="/comments/{comment.id}"' in page
    assert f'href="/issues/{world.issue.id}"' in page
    assert page.count('class="tag tag-new"') == 2


@pytest.mark.parametrize("role", [r for r in ROLES if r != "visitor"])
def test_each_person_sees_only_their_own(client, auth, world, role):
    participation.add_comment(world.issue, world.councillor, "已经报修")
    world.login(auth, role)
    page = client.get("/notifications", headers=EN).text
    assert ("commented on" in page) is (role == "author")
    if role != "author":
        assert "No notifications yet." in page


def test_the_list_as_an_htmx_fragment(client, auth, world):
    participation.add_comment(world.issue, world.councillor, "已经报修")
    auth.login("author")
    html = client.get("/notifications", headers={**HX, **EN}).text
    assert html.lstrip().startswith("<div id=\"notification-list\">")
    assert "commented on" in html and "<html" not in html


def test_names_and_titles_are_escaped_and_hidden_issues_keep_their_title(client, auth, world):
    world.councillor.display_name = "<b>王</b>"
    world.councillor.save()
    participation.add_comment(world.issue, world.councillor, "已经报修")
    secret = world.new_issue("<i>不该看到的标题</i>")
    participation.follow(world.resident, secret)
    participation.add_comment(secret, world.councillor, "x")
    models.Issue.update(hidden=True).where(models.Issue.id == secret.id).execute()
    auth.login("author")
    page = client.get("/notifications", headers=EN).text
    assert "&lt;b&gt;王&lt;/b&gt; commented on" in page and "<b>王</b>" not in page
    auth.logout()
    auth.login("resident")
    page = client.get("/notifications", headers=EN).text
    assert "commented on an issue hidden by moderation" in page
    assert "不该看到的标题" not in page


def test_the_list_pages_by_thirty(client, auth, world):
    models.Notification.insert_many(
        [{"user": world.author.id, "kind": "status", "issue": world.issue.id,
          "data": {"from_status": "submitted", "to_status": "accepted"}} for _ in range(31)]
    ).execute()
    auth.login("author")
    first = client.get("/notifications", headers=EN).text
    assert first.count("<li class=\"notification") == 30
    assert 'href="/notifications?page=2"' in first
    second = client.get("/notifications?page=2", headers=EN).text
    assert second.count("<li class=\"notification") == 1
    assert 'href="/notifications"' in second
    assert client.get("/notifications?page=x").status_code == 200


def test_mark_all_read_with_a_plain_form(client, auth, world):
    participation.add_comment(world.issue, world.councillor, "已经报修")
    auth.login("author")
    response = client.post("/notifications/read", headers=EN)
    assert response.status_code == 303 and response.headers["Location"] == "/notifications"
    page = client.get("/notifications", headers=EN).text
    assert "All notifications are marked as read." in page
    assert "tag-new" not in page and "Mark all as read" not in page
    assert participation.unread_summary(world.author) == (0, 0)


def test_mark_all_read_with_htmx_refreshes_the_header_count(client, auth, world):
    participation.add_comment(world.issue, world.councillor, "已经报修")
    auth.login("author")
    html = client.post("/notifications/read", headers={**HX, **EN}).text
    assert html.lstrip().startswith("<div id=\"notification-list\">")
    assert "tag-new" not in html
    assert '<a id="notifications-link"' in html and 'hx-swap-oob="true"' in html
    assert "badge-count" not in html


def test_mark_all_read_needs_the_csrf_token(csrf_app, make):
    world = World(make)
    participation.add_comment(world.issue, world.councillor, "已经报修")
    client = csrf_app.test_client()
    client.post("/login", data={"username": "author", "password": "password123"})
    assert client.post("/notifications/read").status_code == 400
    assert participation.unread_summary(world.author)[0] == 1


# The header count -------------------------------------------------------------------------------

def test_the_header_shows_the_unread_count_accessibly(client, auth, world):
    participation.add_comment(world.issue, world.councillor, "一")
    participation.add_comment(world.issue, world.resident, "二")
    auth.login("author")
    page = client.get("/", headers=EN).text
    assert '<a id="notifications-link" href="/notifications"' in page
    assert '<span class="badge-count" aria-hidden="true">2</span><span class="visually-hidden">(2 unread)</span>' in page
    page = client.get("/", headers=ZH).text
    assert "通知" in page and "（2 条未读）" in page


def test_no_polling_while_a_temporary_password_must_be_changed(client, auth, world):
    world.resident.must_change_password = True
    world.resident.save()
    auth.login("resident")
    page = client.get("/profile/password").text
    assert '<a id="notifications-link" href="/notifications">' in page


def test_visitors_have_no_notification_link(client, world):
    assert "notifications-link" not in client.get("/").text
    assert client.get("/notifications/count", headers=HX).status_code == 204


def test_the_count_polls_with_304_while_nothing_changed(client, auth, world):
    auth.login("author")
    first = client.get("/notifications/count", headers={**HX, **EN})
    assert first.status_code == 200
    assert "badge-count" not in first.text
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "no-cache, private"
    again = client.get("/notifications/count", headers={**HX, **EN, "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    participation.add_comment(world.issue, world.councillor, "已经报修")
    news = client.get("/notifications/count", headers={**HX, **EN, "If-None-Match": etag})
    assert news.status_code == 200
    assert '<span class="badge-count" aria-hidden="true">1</span>' in news.text
    assert news.headers["ETag"] != etag


def test_the_count_is_one_query_on_the_304_path(client, auth, world, statements):
    auth.login("author")
    etag = client.get("/notifications/count").headers["ETag"]
    statements.clear()
    assert client.get("/notifications/count", headers={"If-None-Match": etag}).status_code == 304
    notification_queries = [s for s in statements if '"notification"' in s]
    assert len(notification_queries) == 1
    assert len(statements) == 2  # the other one loads the logged-in user


def test_the_list_is_newest_first_by_when_it_happened(client, auth, world):
    """A notice written later may tell of something earlier (a vote closed at its first read, a
    merge): the list goes by when it happened, not by when the row was written."""
    from datetime import timedelta

    workflow.transition(world.issue, "accepted", world.councillor)
    participation.add_comment(world.issue, world.councillor, "已经报修")
    comment_notice, status_notice = sorted(notices(world.author), key=lambda n: n.kind)
    models.Notification.update(created_at=models.utcnow() - timedelta(hours=2)).where(
        models.Notification.id == comment_notice.id).execute()
    auth.login("author")
    page = client.get("/notifications", headers=EN).text
    assert page.index("is now accepted") < page.index("commented on")


def test_a_reply_tells_the_comments_writer_it_was_answered(client, auth, world):
    participation.follow(world.resident, world.issue)
    mine = participation.add_comment(world.issue, world.resident, "灯还是不亮")
    reply = participation.add_comment(world.issue, world.councillor, "明天来修", parent=mine)
    (notice,) = notices(world.resident)
    assert (notice.kind, notice.actor_id, notice.data) == ("reply", world.councillor.id, {"comment": reply.id})
    assert [n.kind for n in notices(world.author)] == ["comment", "comment"]  # a follower's news
    auth.login("resident")
    page = client.get("/notifications", headers=EN).text
    assert "王议政 replied to your comment on 路灯坏了" in page and "commented on" not in page
    assert f'href="/comments/{reply.id}"' in page
    assert "王议政回复了您在“路灯坏了”下的评论" in client.get("/notifications", headers=ZH).text


def test_a_reply_reaches_the_comments_writer_who_does_not_follow(world):
    mine = participation.add_comment(world.issue, world.outsider, "我也看到了")
    participation.add_comment(world.issue, world.councillor, "谢谢", parent=mine)
    assert [n.kind for n in notices(world.outsider)] == ["reply"]


def test_replying_to_oneself_tells_nobody_twice(world):
    mine = participation.add_comment(world.issue, world.resident, "灯还是不亮")
    participation.add_comment(world.issue, world.resident, "补充一下", parent=mine)
    assert notices(world.resident) == []
    assert [n.kind for n in notices(world.author)] == ["comment", "comment"]

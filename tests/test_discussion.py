"""The discussion under an issue: posting, replies, validation, polling with 304, pagination."""
import datetime
import re

import pytest
from world import EN, HX, ROLES, ZH
from world import DiscussionWorld as World

import models
from domain import participation


@pytest.fixture
def world(make):
    return World(make)


def post_comment(client, issue, text, headers=None, **extra):
    return client.post(
        f"/issues/{issue.id}/comments", data={"comment-body": text, **extra}, headers=headers or {}
    )


# The issue page ---------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_everyone_reads_the_thread_and_only_the_logged_in_get_the_form(client, auth, world, role):
    participation.add_comment(world.issue, world.resident, "我也觉得要修")
    world.login(auth, role)
    page = client.get(f"/issues/{world.issue.id}", headers=EN).text
    assert "我也觉得要修" in page
    assert "1 comment" in page
    if role == "visitor":
        assert 'name="comment-body"' not in page
        assert "Log in to join the discussion" in page
    else:
        assert 'name="comment-body"' in page
        assert 'name="reply-' in page


def test_an_archived_venue_shows_no_form(client, auth, world):
    world.venue.archived = True
    world.venue.save()
    auth.login("resident")
    page = client.get(f"/issues/{world.issue.id}", headers=EN).text
    assert 'name="comment-body"' not in page
    assert "This venue is archived" in page


def test_moderation_links_only_for_councillors_of_the_venue_and_admins(client, auth, world):
    participation.add_comment(world.issue, world.resident, "一条评论")
    moderate = "/v/tuanjie/moderation/comment/"
    for role, shown in (("resident", False), ("outsider", False), ("councillor", True), ("admin", True)):
        auth.login(role)
        assert (moderate in client.get(f"/issues/{world.issue.id}").text) is shown, role
        auth.logout()


# Posting ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["resident", "councillor", "outsider", "admin"])
def test_a_plain_post_redirects_to_the_new_comment(client, auth, world, role):
    world.login(auth, role)
    before = world.fresh().updated_at
    response = post_comment(client, world.issue, "门口的灯三天没亮了", headers=EN)
    comment = models.Comment.get()
    assert response.status_code == 303
    assert response.headers["Location"] == f"/issues/{world.issue.id}#comment-{comment.id}"
    assert comment.author_id == world.user(role).id
    issue = world.fresh()
    assert issue.comment_count == 1
    assert issue.updated_at >= before
    page = client.get(response.headers["Location"], headers=EN).text
    assert "门口的灯三天没亮了" in page
    assert "Your comment is posted." in page


def test_an_htmx_post_answers_with_a_fresh_form_and_the_new_comments_out_of_band(client, auth, world):
    earlier = participation.add_comment(world.issue, world.councillor, "已经报修")
    auth.login("resident")
    response = post_comment(
        client, world.issue, "谢谢", headers={**HX, **EN}, after=earlier.id - 1, first=0
    )
    mine = models.Comment.select().order_by(models.Comment.id.desc()).get()
    assert response.status_code == 200
    html = response.text
    # The form comes back empty, with a word that it worked.
    assert html.lstrip().startswith(f'<form id="comment-form-{world.issue.id}"')
    assert "Your comment is posted." in html
    assert re.search(r'<textarea[^>]*name="comment-body"[^>]*>\s*</textarea>', html)
    # Everything newer than the page's cursor is appended, including the councillor's comment.
    assert f'hx-swap-oob="beforeend:#comments-{world.issue.id}"' in html
    assert f'id="comment-{earlier.id}"' in html and f'id="comment-{mine.id}"' in html
    # The poller moves on, the count and the status badge are refreshed out of band.
    assert f'name="after" value="{mine.id}"' in html
    assert f'id="comment-count-{world.issue.id}" hx-swap-oob="true">2 comments' in html
    assert f'id="status-{world.issue.id}" hx-swap-oob="true"' in html
    assert "<html" not in html


def test_an_htmx_post_without_the_pollers_position_goes_to_the_comment(client, auth, world):
    auth.login("resident")
    response = post_comment(client, world.issue, "谢谢", headers=HX)
    comment = models.Comment.get()
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == f"/issues/{world.issue.id}#comment-{comment.id}"


def test_a_visitor_is_sent_to_log_in(client, world):
    response = post_comment(client, world.issue, "你好")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert models.Comment.select().count() == 0


def test_an_archived_venue_refuses_comments_with_a_message(client, auth, world):
    world.venue.archived = True
    world.venue.save()
    auth.login("resident")
    response = post_comment(client, world.issue, "你好", headers=EN)
    assert response.status_code == 403
    assert "This venue is archived" in response.text
    response = post_comment(client, world.issue, "你好", headers=ZH)
    assert "这个议事场所已归档" in response.text
    assert models.Comment.select().count() == 0


def test_a_hidden_issue_refuses_comments(client, auth, world):
    models.Issue.update(hidden=True).where(models.Issue.id == world.issue.id).execute()
    auth.login("resident")
    response = post_comment(client, world.issue, "你好", headers=EN)
    assert response.status_code == 403
    assert "hidden by moderation" in response.text


def test_missing_issue_is_404(client, auth, world):
    auth.login("resident")
    assert post_comment(client, type("I", (), {"id": 9999}), "你好").status_code == 404
    assert client.post("/issues/99999999999/comments", data={"comment-body": "x"}).status_code == 404


def test_posting_needs_the_csrf_token(csrf_app, make):
    world = World(make)
    client = csrf_app.test_client()
    client.post("/login", data={"username": "resident", "password": "password123"})
    response = client.post(f"/issues/{world.issue.id}/comments", data={"comment-body": "你好"})
    assert response.status_code == 400
    top = participation.add_comment(world.issue, world.author, "x")
    response = client.post(f"/comments/{top.id}/replies", data={f"reply-{top.id}-body": "你好"})
    assert response.status_code == 400
    assert models.Comment.select().count() == 1


# Validation -------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "headers", "message"),
    [
        ("", EN, "Please write your comment."),
        ("   \n  ", EN, "Please write your comment."),
        ("字" * 2001, EN, "A comment has at most 2000 characters."),
        ("", ZH, "请写下您的评论。"),
        ("字" * 2001, ZH, "评论最多 2000 个字。"),
    ],
)
@pytest.mark.parametrize("htmx", [False, True])
def test_a_bad_comment_comes_back_with_its_message_and_text(client, auth, world, text, headers, message, htmx):
    auth.login("resident")
    response = post_comment(
        client, world.issue, text, headers={**headers, **(HX if htmx else {})}, after=0, first=0
    )
    assert response.status_code == 422
    assert message in response.text
    assert 'aria-invalid="true"' in response.text
    if text.strip():
        assert text in response.text  # what was typed is kept
    assert ("<html" in response.text) is not htmx
    assert models.Comment.select().count() == 0


def test_two_thousand_characters_fit_and_line_breaks_count_once(client, auth, world):
    auth.login("resident")
    text = ("字" * 999 + "\r\n") * 2  # 2,000 characters as the textarea counts them
    assert post_comment(client, world.issue, text.strip()).status_code == 303
    assert models.Comment.get().body == ("字" * 999 + "\n" + "字" * 999)


def test_what_people_type_is_escaped_with_line_breaks_and_safe_links(client, auth, world):
    auth.login("resident")
    post_comment(client, world.issue, '<script>alert(1)</script>\n看 https://example.com/a?b=1&c=2 "x"')
    page = client.get(f"/issues/{world.issue.id}").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>" in page
    assert '<a href="https://example.com/a?b=1&amp;c=2" rel="nofollow noopener ugc">' in page


# Replies ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["resident", "councillor", "outsider", "admin"])
def test_a_reply_sits_under_its_comment_and_a_reply_to_a_reply_joins_the_top(client, auth, world, role):
    top = participation.add_comment(world.issue, world.author, "已经报修")
    world.login(auth, role)
    response = client.post(f"/comments/{top.id}/replies", data={f"reply-{top.id}-body": "什么时候修好？"})
    first_reply = models.Comment.get(models.Comment.body == "什么时候修好？")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"#comment-{first_reply.id}")
    assert first_reply.parent_id == top.id
    response = client.post(
        f"/comments/{first_reply.id}/replies", data={f"reply-{first_reply.id}-body": "下周"}
    )
    second = models.Comment.get(models.Comment.body == "下周")
    assert second.parent_id == top.id
    assert world.fresh().comment_count == 3
    page = client.get(f"/issues/{world.issue.id}").text
    replies = page[page.index(f'id="replies-{top.id}"'):]
    assert replies.index("什么时候修好？") < replies.index("下周")


def test_an_htmx_reply_answers_with_a_closed_reply_form_and_the_reply_out_of_band(client, auth, world):
    top = participation.add_comment(world.issue, world.councillor, "已经报修")
    auth.login("resident")
    response = client.post(
        f"/comments/{top.id}/replies", headers=HX,
        data={f"reply-{top.id}-body": "谢谢", "after": top.id, "first": top.id},
    )
    reply = models.Comment.get(models.Comment.body == "谢谢")
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<details class="reply" id="reply-{top.id}">')
    assert f'hx-swap-oob="beforeend:#replies-{top.id}"' in response.text
    assert f'id="comment-{reply.id}"' in response.text
    assert "beforeend:#comments-" not in response.text


@pytest.mark.parametrize("htmx", [False, True])
def test_a_bad_reply_comes_back_open_with_its_message(client, auth, world, htmx):
    top = participation.add_comment(world.issue, world.councillor, "已经报修")
    auth.login("resident")
    response = client.post(
        f"/comments/{top.id}/replies", data={f"reply-{top.id}-body": " "},
        headers={**EN, **(HX if htmx else {})},
    )
    assert response.status_code == 422
    assert f'<details class="reply" id="reply-{top.id}" open>' in response.text
    assert "Please write your comment." in response.text


def test_replying_to_a_missing_comment_is_404(client, auth, world):
    auth.login("resident")
    assert client.post("/comments/999/replies", data={"reply-999-body": "x"}).status_code == 404


def test_a_visitor_cannot_reply(client, world):
    top = participation.add_comment(world.issue, world.councillor, "已经报修")
    response = client.post(f"/comments/{top.id}/replies", data={f"reply-{top.id}-body": "x"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# Polling ----------------------------------------------------------------------------------------

def poll(client, issue, after, headers=None, **params):
    query = "&".join(f"{k}={v}" for k, v in {"after": after, "first": 0, **params}.items())
    return client.get(f"/issues/{issue.id}/comments?{query}", headers={**HX, **(headers or {})})


@pytest.mark.parametrize("role", ROLES)
def test_the_poll_answers_304_while_nothing_changed(client, auth, world, role):
    world.login(auth, role)
    first = poll(client, world.issue, 0)
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "no-cache, private"
    etag = first.headers["ETag"]
    assert '<li id="comment-' not in first.text
    again = poll(client, world.issue, 0, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    participation.add_comment(world.issue, world.councillor, "新消息")
    news = poll(client, world.issue, 0, headers={"If-None-Match": etag})
    assert news.status_code == 200
    assert "新消息" in news.text
    assert news.headers["ETag"] != etag


def test_the_304_path_reads_one_row(app, client, world, statements):
    etag = poll(client, world.issue, 0).headers["ETag"]
    statements.clear()
    assert poll(client, world.issue, 0, headers={"If-None-Match": etag}).status_code == 304
    assert len(statements) == 1
    assert '"issue"' in statements[0]


def test_the_poll_brings_only_what_is_new(client, world):
    old = participation.add_comment(world.issue, world.resident, "旧评论")
    participation.add_comment(world.issue, world.councillor, "新评论")
    reply = participation.add_comment(world.issue, world.author, "回复旧评论", parent=old)
    html = poll(client, world.issue, old.id, first=old.id).text
    assert f'<li id="comment-{old.id}"' not in html
    assert f'beforeend:#comments-{world.issue.id}' in html and "新评论" in html
    assert f'beforeend:#replies-{old.id}' in html and "回复旧评论" in html
    assert f'name="after" value="{reply.id}"' in html
    assert f'hx-get="/issues/{world.issue.id}/comments?after={reply.id}' in html


def test_on_an_older_page_the_poll_brings_only_replies_to_that_page(client, world, monkeypatch):
    monkeypatch.setattr(participation, "COMMENTS_PER_PAGE", 2)
    a, b, c = (participation.add_comment(world.issue, world.resident, f"第{n}条") for n in "一二三")
    cursor = c.id
    newer_top = participation.add_comment(world.issue, world.resident, "第四条")
    participation.add_comment(world.issue, world.councillor, "回复第一条", parent=a)
    reply_c = participation.add_comment(world.issue, world.councillor, "回复第三条", parent=c)
    html = poll(client, world.issue, cursor, first=a.id, last=b.id).text
    assert "第四条" not in html and "beforeend:#comments-" not in html
    assert "回复第一条" in html and "回复第三条" not in html
    assert f'name="after" value="{reply_c.id}"' in html
    assert newer_top.id < reply_c.id


def test_a_comment_posted_while_the_page_is_read_is_left_to_the_poll(client, world, monkeypatch):
    before = participation.add_comment(world.issue, world.resident, "早一点的")
    participation.add_comment(world.issue, world.councillor, "读页面时发的")
    participation.add_comment(world.issue, world.author, "读页面时回复的", parent=before)
    monkeypatch.setattr(participation, "last_comment_id", lambda issue: before.id)
    page = client.get(f"/issues/{world.issue.id}").text
    assert "早一点的" in page
    assert "读页面时发的" not in page and "读页面时回复的" not in page
    assert f'name="after" value="{before.id}"' in page
    monkeypatch.undo()
    html = poll(client, world.issue, before.id, first=before.id).text
    assert "读页面时发的" in html and "读页面时回复的" in html


def test_a_poll_without_a_position(client, world):
    assert client.get(f"/issues/{world.issue.id}/comments", headers=HX).status_code == 400
    response = client.get(f"/issues/{world.issue.id}/comments?page=2")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/issues/{world.issue.id}?page=2#discussion-{world.issue.id}"
    assert client.get(f"/issues/{world.issue.id}/comments?after=abc", headers=HX).status_code == 400
    assert client.get(f"/issues/{world.issue.id}/comments?after=99999999999999999999", headers=HX).status_code == 400


def test_polling_a_missing_issue_is_404(client, world):
    assert client.get("/issues/9999/comments?after=0", headers=HX).status_code == 404


# Pagination and permalinks ----------------------------------------------------------------------

def add_many(world, n):
    rows = [
        {"issue": world.issue.id, "author": world.resident.id, "body": f"评论{i:03d}",
         "created_at": models.utcnow() + datetime.timedelta(seconds=i)}
        for i in range(n)
    ]
    models.Comment.insert_many(rows).execute()
    models.Issue.update(comment_count=n).where(models.Issue.id == world.issue.id).execute()
    return list(models.Comment.select().order_by(models.Comment.id))


def test_long_threads_paginate_fifty_top_level_comments_a_page(client, auth, world):
    comments = add_many(world, 51)
    participation.add_comment(world.issue, world.councillor, "回复第一条", parent=comments[0])
    first = client.get(f"/issues/{world.issue.id}", headers=EN).text
    assert "评论000" in first and "评论049" in first and "评论050" not in first
    assert "回复第一条" in first
    assert f'href="/issues/{world.issue.id}?page=2#discussion-{world.issue.id}"' in first
    assert 'name="last"' in first  # an older page: the poll does not append top-level comments
    second = client.get(f"/issues/{world.issue.id}?page=2", headers=EN).text
    assert "评论050" in second and "评论049" not in second
    assert 'name="last"' not in second
    assert 'aria-current="page"' in second
    assert client.get(f"/issues/{world.issue.id}?page=99").status_code == 200
    assert client.get(f"/issues/{world.issue.id}?page=abc").status_code == 200


def test_a_comment_posted_from_an_older_page_lands_on_the_last(client, auth, world):
    add_many(world, 51)
    auth.login("resident")
    response = client.post(
        f"/issues/{world.issue.id}/comments", headers=HX,
        data={"comment-body": "新的", "after": 99, "first": 1, "last": 50},
    )
    comment = models.Comment.get(models.Comment.body == "新的")
    assert response.headers["HX-Redirect"] == f"/issues/{world.issue.id}?page=2#comment-{comment.id}"


@pytest.mark.parametrize("role", ROLES)
def test_a_comment_has_a_lasting_address(client, auth, world, role):
    world.login(auth, role)
    comments = add_many(world, 52)
    response = client.get(f"/comments/{comments[51].id}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/issues/{world.issue.id}?page=2#comment-{comments[51].id}"
    assert client.get(f"/comments/{comments[0].id}").headers["Location"].endswith(
        f"/issues/{world.issue.id}#comment-{comments[0].id}"
    )
    assert client.get("/comments/999").status_code == 404


def test_the_page_does_not_ask_more_queries_for_more_comments(client, world, statements):
    def count_queries():
        statements.clear()
        assert client.get(f"/issues/{world.issue.id}").status_code == 200
        return len(statements)

    count_queries()  # what a process reads once (the site's settings) is read here
    participation.add_comment(world.issue, world.resident, "一")  # and the cached page is old
    few = count_queries()
    for comment in add_many(world, 30)[:10]:
        participation.add_comment(world.issue, world.councillor, "回复", parent=comment)
    assert count_queries() == few


def test_hidden_comments_show_no_text(client, auth, world):
    comment = participation.add_comment(world.issue, world.resident, "不该看到的话")
    models.Comment.update(hidden=True).where(models.Comment.id == comment.id).execute()
    # The venue's councillor sees where it stood; anyone else does not see it at all (test_hidden.py).
    for role, placeholder in (("visitor", False), ("councillor", True)):
        world.login(auth, role)
        page = client.get(f"/issues/{world.issue.id}", headers=EN).text
        assert "不该看到的话" not in page
        assert ("Hidden by moderation." in page) is placeholder
        assert (f'id="comment-{comment.id}"' in page) is placeholder
        auth.logout()

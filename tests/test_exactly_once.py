"""Exactly once: a form sent twice (a double click, a retry after a dropped connection) acts once,
and the repeat gets the first answer. Every form carries a one-time key beside its CSRF token
(views/once.py); these tests send the same form twice as a browser would."""
import re
import threading

import pytest
import requests
from world import HX, PASSWORD, DiscussionWorld, LoopWorld, World, browser_login, text

from domain import participation
from models import AgendaItem, Ballot, Category, Comment, Event, Issue, Participation, Submission, Support


def form_fields(html, action):
    """The hidden fields (CSRF token and one-time key) of the form posting to `action`."""
    for match in re.finditer(r"<form\b[^>]*>.*?</form>", html, re.S):
        form = match.group(0)
        if f'action="{action}' in form:
            fields = dict(re.findall(r'<input[^>]*name="([\w-]*csrf_token|_once)"[^>]*value="([^"]+)"', form))
            return fields
    raise AssertionError(f"no form posts to {action}")


@pytest.fixture
def client(csrf_app):
    return csrf_app.test_client()


def login(client, username):
    html = text(client.get("/login"))
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303


def twice(client, page, action, data, headers=None):
    """Send the form `action` found on `page` twice with the same key; both answers."""
    fields = form_fields(text(client.get(page)), action)
    assert fields.get("_once"), "the form carries no one-time key"
    data = {**data, **fields}
    first = client.post(action, data=data, headers=headers or {})
    second = client.post(action, data=data, headers=headers or {})
    return first, second


def assert_same_answer(first, second):
    assert first.status_code == second.status_code
    assert first.headers.get("Location") == second.headers.get("Location")
    assert "X-Repeated-Submission" not in first.headers
    assert second.headers.get("X-Repeated-Submission") == "1"


def test_every_form_gets_its_own_key_beside_its_csrf_token_but_the_toggles(client, make, db):
    world = DiscussionWorld(make)
    login(client, "resident")
    html = text(client.get(f"/issues/{world.issue.id}"))
    tokens = re.findall(r'name="[\w-]*csrf_token"', html)
    keys = re.findall(r'name="_once" value="([^"]+)"', html)
    toggles = [f"/issues/{world.issue.id}/support", f"/issues/{world.issue.id}/follow"]
    assert len(tokens) >= 5 and len(keys) == len(tokens) - len(toggles) and len(set(keys)) == len(keys)
    for action in toggles:
        assert "csrf_token" in form_fields(html, action) and "_once" not in form_fields(html, action)
    assert form_fields(html, f"/issues/{world.issue.id}/comments").get("_once")


def test_raising_an_issue_twice_raises_one(client, make, db):
    World(make)
    category = Category.create(code="roads", name="道路", name_en="Roads")
    login(client, "resident")
    data = {"title": "小区门口路灯坏了", "body": "晚上很黑，老人走路不方便。", "category": str(category.id)}
    first, second = twice(client, "/v/yangguang/issues/new", "/v/yangguang/issues/new", data)
    assert first.status_code == 303
    assert_same_answer(first, second)
    assert Issue.select().where(Issue.title == "小区门口路灯坏了").count() == 1


def test_a_comment_sent_twice_is_posted_once(client, make, db):
    world = DiscussionWorld(make)
    login(client, "resident")
    action = f"/issues/{world.issue.id}/comments"
    first, second = twice(client, f"/issues/{world.issue.id}", action, {"comment-body": "我也遇到过，支持。"})
    assert first.status_code == 303
    assert_same_answer(first, second)
    assert Comment.select().where(Comment.body == "我也遇到过，支持。").count() == 1
    assert world.fresh().comment_count == 1


def test_an_htmx_comment_sent_twice_gets_the_same_fragment(client, make, db):
    world = DiscussionWorld(make)
    login(client, "resident")
    action = f"/issues/{world.issue.id}/comments"
    first, second = twice(client, f"/issues/{world.issue.id}", action,
                          {"comment-body": "双击了一下。", "after": "0"}, headers=HX)
    assert first.status_code == second.status_code == 200
    assert "双击了一下。" in text(second) and second.headers["X-Repeated-Submission"] == "1"
    assert Comment.select().count() == 1


def test_an_htmx_comment_sent_elsewhere_is_sent_there_again(client, make, db):
    """Posted through htmx from a page without the thread's position, the answer sends the browser
    to the new comment (HX-Redirect); the repeat is sent to the same place."""
    world = DiscussionWorld(make)
    login(client, "resident")
    action = f"/issues/{world.issue.id}/comments"
    first, second = twice(client, f"/issues/{world.issue.id}", action, {"comment-body": "从旧页面发的。"},
                          headers=HX)
    assert first.headers["HX-Redirect"] and second.headers["HX-Redirect"] == first.headers["HX-Redirect"]
    assert second.headers["X-Repeated-Submission"] == "1"
    assert Comment.select().count() == 1


def test_the_same_key_with_other_content_is_a_new_submission(client, make, db):
    world = DiscussionWorld(make)
    login(client, "resident")
    action = f"/issues/{world.issue.id}/comments"
    fields = form_fields(text(client.get(f"/issues/{world.issue.id}")), action)
    client.post(action, data={**fields, "comment-body": "第一条评论。"})
    again = client.post(action, data={**fields, "comment-body": "改过的第二条。"})
    assert again.status_code == 303 and "X-Repeated-Submission" not in again.headers
    assert Comment.select().count() == 2


def test_only_a_form_whose_own_action_is_a_toggle_goes_without_a_key(app):
    from views import once

    token = '<input type="hidden" name="csrf_token" value="t">'
    body = (f'<form method="post" action="/issues/7/support">{token}</form>'
            f'<form method="post" data-action="/issues/7/follow" action="/issues/7/comments">{token}</form>')
    stamped = once.stamped(body.encode(), app.extensions["once_exempt"]).decode()
    assert stamped.count('name="_once"') == 1 and stamped.index('name="_once"') > stamped.index("/comments")


@pytest.mark.parametrize("htmx", [False, True])
def test_a_support_sent_twice_counts_once_and_keeps_no_answer(client, make, db, htmx):
    """A toggle sends the state it wants: the second sending finds it so and changes nothing, with
    no key to look up and no answer kept, even when an old page's form sends one."""
    world = DiscussionWorld(make)
    login(client, "resident")
    action = f"/issues/{world.issue.id}/support"
    data = {**form_fields(text(client.get(f"/issues/{world.issue.id}")), action), "want": "1", "_once": "old-key"}
    headers = HX if htmx else {}
    first, second = (client.post(action, data=data, headers=headers) for _ in range(2))
    assert first.status_code == second.status_code == (200 if htmx else 303)
    assert "X-Repeated-Submission" not in second.headers
    assert Support.select().count() == 1 and world.fresh().support_count == 1
    assert Submission.select().count() == 0
    if htmx:
        assert f'id="support-button-{world.issue.id}" name="want" value="0" aria-pressed="true"' in text(second)


def test_a_ballot_sent_twice_is_cast_once(client, make, db):
    world = World(make)
    item = world.item()
    login(client, "resident")
    action = f"/items/{item.id}/vote"
    first, second = twice(client, f"/items/{item.id}", action, {"choice": "yes"})
    assert first.status_code == 303
    assert_same_answer(first, second)
    assert AgendaItem.get_by_id(item.id).yes_count == 1
    assert Ballot.select().count() == 1 and Participation.select().count() == 1


def test_a_handling_answer_sent_twice_is_published_once(client, make, db):
    loop = LoopWorld(make)
    lead = loop.assigned()
    login(client, "office")
    client.post(f"/handling/{lead.id}/sign", data=form_fields(text(client.get(f"/handling/{lead.id}")),
                                                            f"/handling/{lead.id}/sign"))
    action = f"/handling/{lead.id}/answer"
    first, second = twice(client, f"/handling/{lead.id}", action,
                          {"kind": "resolved", "grade": "A", "text": "已经修好了路面。"})
    assert first.status_code == 303
    # Without the key the repeat would be refused as "no longer open"; it gets the first answer.
    assert_same_answer(first, second)
    assert Event.select().where((Event.issue == lead.issue_id) & (Event.to_status == "resolved")).count() == 1


def test_a_refused_form_keeps_no_key_so_a_retry_goes_through(client, make, db):
    world = DiscussionWorld(make)
    login(client, "resident")
    action = f"/issues/{world.issue.id}/comments"
    fields = form_fields(text(client.get(f"/issues/{world.issue.id}")), action)
    Issue.update(hidden=True).where(Issue.id == world.issue.id).execute()
    assert client.post(action, data={**fields, "comment-body": "还没修好。"}).status_code == 403
    assert Submission.select().count() == 0
    Issue.update(hidden=False).where(Issue.id == world.issue.id).execute()
    assert client.post(action, data={**fields, "comment-body": "还没修好。"}).status_code == 303
    assert Comment.select().count() == 1


def test_a_request_that_fails_midway_keeps_nothing_and_its_retry_acts(client, make, db, monkeypatch):
    """What was written is committed only with the answer: a crash before it leaves nothing behind
    (so nothing was committed without being acknowledged), and the retry does the work."""
    world = DiscussionWorld(make)
    login(client, "resident")
    action = f"/issues/{world.issue.id}/comments"
    fields = form_fields(text(client.get(f"/issues/{world.issue.id}")), action)
    real = participation.add_comment

    def crash_after_writing(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("the worker died")

    monkeypatch.setattr(participation, "add_comment", crash_after_writing)
    with pytest.raises(RuntimeError):
        client.post(action, data={**fields, "comment-body": "断线前写的。"})
    assert Comment.select().count() == 0 and Submission.select().count() == 0
    monkeypatch.setattr(participation, "add_comment", real)
    assert client.post(action, data={**fields, "comment-body": "断线前写的。"}).status_code == 303
    assert Comment.select().count() == 1


def test_two_sendings_at_the_same_moment_act_once(live_server, make, db):
    world = DiscussionWorld(make)
    session = requests.Session()
    html = session.get(f"{live_server.url}/login").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    session.post(f"{live_server.url}/login", data={"username": "resident", "password": PASSWORD,
                                                  "csrf_token": token}, allow_redirects=False)
    action = f"/issues/{world.issue.id}/comments"
    fields = form_fields(session.get(f"{live_server.url}/issues/{world.issue.id}").text, action)
    data = {**fields, "comment-body": "同时点了两下。"}
    answers = []
    barrier = threading.Barrier(4)

    def send():
        barrier.wait(timeout=60)  # a thread that failed before it must not hang the others
        answers.append(session.post(f"{live_server.url}{action}", data=data, allow_redirects=False,
                                    timeout=30))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [303] * 4
    assert len({a.headers["Location"] for a in answers}) == 1
    assert Comment.select().where(Comment.body == "同时点了两下。").count() == 1


# In a real browser ------------------------------------------------------------------------------

@pytest.mark.browser
@pytest.mark.parametrize("javascript", [False, True])
def test_a_double_click_posts_one_comment_and_the_next_comment_posts_too(browser, live_server, make, db,
                                                                        javascript):
    """Through a real browser, with and without JavaScript: a double click gives one comment, and
    the form that comes back (with a fresh key) posts the next comment, which is not taken for a
    repeat. (The browser may itself send a double click once; the repeats above are sent by hand.)"""
    world = DiscussionWorld(make)
    context = browser.new_context(java_script_enabled=javascript, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        browser_login(page, live_server.url, "resident")
        page.goto(f"{live_server.url}/issues/{world.issue.id}")
        page.fill("textarea[name='comment-body']", "双击发表的评论。")
        page.locator(f"#comment-submit-{world.issue.id}").dblclick()
        page.locator(".comment", has_text="双击发表的评论。").first.wait_for()
        page.wait_for_timeout(1000)  # let a second sending arrive, if there is one
        page.fill("textarea[name='comment-body']", "接着写的第二条。")
        page.locator(f"#comment-submit-{world.issue.id}").click()
        page.locator(".comment", has_text="接着写的第二条。").first.wait_for()
    finally:
        context.close()
    assert Comment.select().where(Comment.body == "双击发表的评论。").count() == 1
    assert Comment.select().where(Comment.body == "接着写的第二条。").count() == 1
    assert world.fresh().comment_count == 2

"""views/kept.py: a plain visitor's GET of a kept page is answered before Flask, exactly as Flask
would answer it, and a signed-in reader's venue page from its two kept parts; everyone and
everything else goes on to Flask."""
import re

import pytest
from world import World, text

import models


@pytest.fixture(autouse=True)
def one_minute(monkeypatch):
    """A kept page's key holds the minute: a test must not see it move between two requests."""
    import views

    monkeypatch.setattr(views, "minute", lambda: 29_000_000)


@pytest.fixture
def world(make):
    return World(make)


@pytest.fixture
def flask_calls(app):
    """How many requests reached Flask (the WSGI app behind views.kept.KeptPages)."""
    calls = []
    inner = app.wsgi_app.wsgi_app

    def counted(environ, start_response):
        calls.append(environ["PATH_INFO"])
        return inner(environ, start_response)

    app.wsgi_app.wsgi_app = counted
    return calls


def token(response):
    return re.search(r'name="csrf-token" content="([^"]+)"', text(response)).group(1)


def without_tokens(response):
    return text(response).replace(token(response), "")


@pytest.mark.parametrize("path", ["/v/yangguang", "/", "/outcomes", "/v/yangguang/outcomes", "issue"])
def test_a_visitor_gets_what_flask_built_without_reaching_flask(app, world, flask_calls, statements, path):
    path = f"/issues/{world.issue(title='路灯不亮').id}" if path == "issue" else path
    built = app.test_client().get(path)
    assert flask_calls == [path]
    statements.clear()
    served = app.test_client().get(path)
    assert flask_calls == [path] and len(statements) == 1
    assert served.status_code == 200 and without_tokens(served) == without_tokens(built)
    for name in ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "ETag", "Cache-Control",
                 "Content-Type"):
        assert served.headers[name] == built.headers[name], name
    assert set(served.vary) == set(built.vary) == {"Cookie", "Accept-Language", "HX-Request"}
    cookie = served.headers["Set-Cookie"]
    assert cookie.startswith("session=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie


def test_its_token_and_session_cookie_are_the_ones_flask_accepts(csrf_app, world, flask_calls):
    csrf_app.test_client().get("/v/yangguang")
    visitor = csrf_app.test_client()
    page = visitor.get("/v/yangguang")
    assert flask_calls == ["/v/yangguang"]
    assert visitor.post("/language", data={"lang": "en", "next": "/", "csrf_token": token(page) + "x"}).status_code == 400
    assert visitor.post("/language", data={"lang": "en", "next": "/", "csrf_token": token(page)}).status_code == 303
    # A visitor whose session already holds a token keeps it: no new cookie, the token still good.
    again = visitor.get("/v/yangguang", headers={"Accept-Language": "zh"})
    assert "Set-Cookie" not in again.headers
    assert visitor.post("/language", data={"lang": "zh_Hans", "next": "/", "csrf_token": token(again)}).status_code == 303


def test_a_forged_session_cookie_counts_as_none(app, world, flask_calls):
    app.test_client().get("/v/yangguang")
    visitor = app.test_client()
    visitor.set_cookie("session", "eyJfdXNlcl9pZCI6IjE6MCJ9.forged.signature")
    served = visitor.get("/v/yangguang")
    assert served.status_code == 200 and flask_calls == ["/v/yangguang"]
    assert "forged" not in served.headers["Set-Cookie"]


def test_each_language_and_mode_is_its_own_page(app, world, flask_calls):
    for headers, cookies in (({"Accept-Language": "en"}, {}), ({}, {"lang": "en"}), ({}, {"large_text": "1"}), ({}, {})):
        pages = []
        for _ in range(2):
            visitor = app.test_client()
            for name, value in cookies.items():
                visitor.set_cookie(name, value)
            pages.append(visitor.get("/v/yangguang", headers=headers))
        assert without_tokens(pages[0]) == without_tokens(pages[1])
    assert len(flask_calls) == 3  # English (by header or cookie alike), large text, Chinese


def test_asking_again_gets_a_304_before_flask(app, world, flask_calls):
    first = app.test_client().get("/v/yangguang")
    again = app.test_client().get("/v/yangguang", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b"" and len(flask_calls) == 1
    assert again.headers["ETag"] == first.headers["ETag"] and "Set-Cookie" not in again.headers


def test_everyone_else_goes_on_to_flask(app, client, auth, world, flask_calls):
    app.test_client().get("/v/yangguang")
    visitor = app.test_client()
    for request in (
        lambda: visitor.get("/v/yangguang?page=1"),
        lambda: visitor.get("/v/yangguang", headers={"HX-Request": "true"}),
        lambda: visitor.head("/v/yangguang"),
        lambda: visitor.get("/v/nowhere"),
        lambda: visitor.get("/v/yang%00guang"),
        lambda: visitor.get("/issues/4294967296"),
        lambda: visitor.get("/privacy"),
    ):
        flask_calls.clear()
        request()
        assert len(flask_calls) == 1
    with visitor.session_transaction() as session:
        session["_flashes"] = [("success", "已经保存")]
    flask_calls.clear()
    assert "已经保存" in text(visitor.get("/v/yangguang")) and flask_calls
    auth.login("resident")
    flask_calls.clear()
    assert 'action="/logout"' in text(client.get("/v/yangguang")) and flask_calls


def test_with_secure_cookies_the_session_cookie_is_secure(app, world, flask_calls):
    app.config.update(SESSION_COOKIE_SECURE=True)
    app.test_client().get("/v/yangguang")
    served = app.test_client().get("/v/yangguang")
    assert len(flask_calls) == 1 and "Secure" in served.headers["Set-Cookie"]


@pytest.mark.parametrize("anonymous", [False, True])
def test_a_visitor_s_poll_gets_its_304_before_flask_while_nothing_changed(app, world, flask_calls, anonymous):
    from domain import participation

    issue = world.issue(title="路灯不亮", anonymous=anonymous, author=world.councillor)
    poll = f"/issues/{issue.id}/status"
    visitor = app.test_client()
    first = visitor.get(poll, headers={"HX-Request": "true"})
    assert first.status_code == 200 and flask_calls == [poll]
    asked = {"HX-Request": "true", "If-None-Match": first.headers["ETag"]}
    by_flask = app.test_client().get(poll + "?from=flask", headers=asked)  # a query string: Flask's
    assert by_flask.status_code == 304 and len(flask_calls) == 2
    again = visitor.get(poll, headers=asked)
    assert again.status_code == 304 and len(flask_calls) == 2
    for name in ("ETag", "Cache-Control", "Content-Security-Policy"):
        assert again.headers[name] == by_flask.headers[name], name
    assert set(again.vary) == set(by_flask.vary)
    participation.support(world.resident, issue)
    changed = visitor.get(poll, headers=asked)
    assert changed.status_code == 200 and len(flask_calls) == 3


def test_a_poll_from_anyone_else_goes_on_to_flask(app, client, auth, world, flask_calls):
    poll = f"/issues/{world.issue().id}/status"
    etag = app.test_client().get(poll, headers={"HX-Request": "true"}).headers["ETag"]
    auth.login("resident")
    flask_calls.clear()
    for headers in ({"HX-Request": "true", "If-None-Match": etag}, {}):
        client.get(poll, headers=headers)
    app.test_client().get(poll, headers={"HX-Request": "true"})  # nothing to compare with
    app.test_client().get("/issues/99999/status", headers={"HX-Request": "true", "If-None-Match": etag})
    assert len(flask_calls) == 4


# Signed-in readers: the venue page from its two kept parts --------------------------------------

def once_keys(response):
    return re.findall(r'name="_once" value="([^"]+)"', text(response))


def as_built(response):
    """The page without what is new in every answer: the CSRF token and the forms' one-time keys."""
    page = without_tokens(response)
    for key in once_keys(response):
        page = page.replace(key, "")
    return page


def reader(app, auth_client, username):
    """A client signed in as `username`, past the welcome message (a page of its own)."""
    client = app.test_client()
    assert client.post("/login", data={"username": username, "password": "password123"}).status_code == 303
    client.get("/privacy")
    return client


@pytest.mark.parametrize("username", ["resident", "pending", "stranger", "othercouncillor"])
def test_a_reader_gets_what_flask_built_without_reaching_flask(app, world, flask_calls, statements, username):
    client = reader(app, None, username)
    flask_calls.clear()
    built = client.get("/v/yangguang")
    assert flask_calls == ["/v/yangguang"]
    statements.clear()
    served = client.get("/v/yangguang")
    assert flask_calls == ["/v/yangguang"] and len(statements) == 3
    assert served.status_code == 200 and as_built(served) == as_built(built)
    name = models.User.get(models.User.username == username).display_name
    assert name in text(served) and 'action="/logout"' in text(served)
    for name in ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "Content-Type"):
        assert served.headers[name] == built.headers[name], name
    assert set(served.vary) == set(built.vary) and "ETag" not in served.headers
    assert "Set-Cookie" not in served.headers
    # Every form has its own fresh one-time key, as on a page Flask built (views/once.py).
    keys = once_keys(served)
    assert keys and len(set(keys)) == len(keys) and not set(keys) & set(once_keys(client.get("/v/yangguang")))


def test_its_token_is_the_reader_s_own(csrf_app, world, flask_calls):
    client = csrf_app.test_client()
    page = client.get("/login")
    assert client.post("/login", data={"username": "resident", "password": "password123",
                                       "csrf_token": token(page)}).status_code == 303
    client.get("/privacy")
    client.get("/v/yangguang")
    flask_calls.clear()
    served = client.get("/v/yangguang")
    assert flask_calls == []
    assert client.post("/language", data={"lang": "en", "next": "/", "csrf_token": token(served) + "x"}).status_code == 400
    assert client.post("/language", data={"lang": "en", "next": "/", "csrf_token": token(served)}).status_code == 303


def test_readers_alike_share_the_body_and_each_has_their_own_header(app, world, flask_calls):
    from flask import template_rendered

    first, second = reader(app, None, "resident"), reader(app, None, "resident2")
    first.get("/v/yangguang")
    rendered = []

    def seen(sender, template, context, **extra):
        rendered.append(template.name)

    template_rendered.connect(seen, app)
    try:
        page = second.get("/v/yangguang")
    finally:
        template_rendered.disconnect(seen, app)
    assert rendered == ["_header.html"]  # the body was the first resident's, the header is theirs
    assert "刘师傅" in text(page) and "张大姐" not in text(page)
    assert "您是这里的认证居民" in text(page)
    # A reader whose own facts differ gets another body: the pending request, not the verified resident's.
    assert "您的加入申请正在等议政员处理。" in text(reader(app, None, "pending").get("/v/yangguang"))


@pytest.mark.parametrize("username", ["councillor", "admin"])
def test_a_moderator_s_page_is_built_for_them_every_time(app, world, flask_calls, username):
    client = reader(app, None, username)
    flask_calls.clear()
    first, again = client.get("/v/yangguang"), client.get("/v/yangguang")
    assert len(flask_calls) == 2 and "议政员操作" in text(again)
    world.make.member(world.stranger, world.venue, status="pending")
    assert as_built(client.get("/v/yangguang")) != as_built(first)  # the count of requests to join moved


def test_what_the_header_shows_moves_it(app, world, flask_calls):
    client = reader(app, None, "resident")

    def header():
        page = text(client.get("/v/yangguang"))
        return page[page.index("<header"):page.index("</header>")]

    assert "badge-count" not in header() and "张大姐" in header()
    models.Notification.create(user=world.resident, kind="comment", issue=world.issue())
    assert "badge-count" in header()
    models.User.update(display_name="张大姐姐").where(models.User.id == world.resident.id).execute()
    assert "张大姐姐" in header()
    models.User.update(locale="en").where(models.User.id == world.resident.id).execute()
    assert "Log out" in header() and "My venues" not in header()
    models.Membership.update(role="councillor").where(models.Membership.user == world.resident.id).execute()
    assert "My venues" in header()


def test_a_session_that_no_longer_holds_goes_on_to_flask(app, world, flask_calls):
    client = reader(app, None, "resident")
    client.get("/v/yangguang")
    flask_calls.clear()
    other_browser = client.get("/v/yangguang", headers={"User-Agent": "another browser"})
    assert flask_calls == ["/v/yangguang"] and other_browser.status_code == 200
    flask_calls.clear()
    client.get("/v/yangguang")
    assert flask_calls == []  # the same browser again: from the cache
    models.User.update(must_change_password=True).where(models.User.id == world.resident.id).execute()
    assert client.get("/v/yangguang").status_code in (302, 303) and flask_calls == ["/v/yangguang"]
    models.User.update(must_change_password=False, session_version=models.User.session_version + 1).where(
        models.User.id == world.resident.id).execute()
    signed_out = client.get("/v/yangguang")
    assert 'action="/logout"' not in text(signed_out) and "张大姐" not in text(signed_out)
    models.User.update(session_version=0, active=False).where(models.User.id == world.resident.id).execute()
    assert 'action="/logout"' not in text(reader_again := client.get("/v/yangguang")) and reader_again.status_code == 200

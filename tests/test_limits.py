"""Limits on abuse, tried as an attacker would: many wrong passwords, many accounts from one address,
a flood of comments, issues and ballots. Each limited route answers 429 with a page that says when
to try again, in both languages and without JavaScript (and in place for htmx).

The other test files run with the limits off (conftest); this one builds its app with them on, each
test with fresh counters in memory."""
import os
import statistics
import time

import pytest
from conftest import TEMPLATE_CACHE
from world import EN, HX, PASSWORD, World, text

from app import create_app
from models import Category, Comment, Issue, User
from views import limits


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app({
        "TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://",
    })
    app.instance_path = str(tmp_path)
    app.jinja_env.bytecode_cache = TEMPLATE_CACHE
    return app


@pytest.fixture
def world(make):
    world = World(make)
    world.category = Category.create(code="roads", name="道路", name_en="Roads")
    return world


def first_window(name):
    """How many tries the first window of limit `name` allows."""
    return int(limits.DEFAULTS[name].split(";")[0].split()[0])


def login(client, username, password=PASSWORD):
    return client.post("/login", data={"username": username, "password": password})


def assert_says_when(response, language="zh"):
    assert response.status_code == 429
    wait = int(response.headers["Retry-After"])
    assert 0 < wait <= 24 * 3600
    page = text(response)
    if language == "zh":
        assert "尝试次数太多" in page and "后再试" in page
    else:
        assert "Too many tries" in page and "Please try again in" in page
    assert "<script" not in page.split("</head>")[1]  # the page needs no JavaScript


# Logins ------------------------------------------------------------------------------------------

def test_fifty_wrong_passwords_do_not_end_with_the_right_one_accepted(client, world):
    allowed = first_window("login_account")
    answers = [login(client, "resident", "wrong-password").status_code for _ in range(50)]
    assert answers[:allowed] == [422] * allowed
    assert set(answers[allowed:]) == {429}
    right = login(client, "resident")
    assert_says_when(right)
    assert client.get("/profile").status_code == 302  # not logged in


def test_the_login_limit_is_per_account_from_any_address(client, world):
    for n in range(first_window("login_account")):
        login_from = {"REMOTE_ADDR": f"10.0.0.{n + 1}"}
        assert client.post("/login", data={"username": "resident", "password": "x" * 8},
                           environ_base=login_from).status_code == 422
    blocked = client.post("/login", data={"username": "resident", "password": PASSWORD},
                          environ_base={"REMOTE_ADDR": "10.0.0.99"})
    assert blocked.status_code == 429
    # Another account is not held up by it.
    assert login(client, "resident2").status_code == 303


def test_the_login_limit_is_per_address_across_usernames(client, world):
    allowed = first_window("login_address")
    for n in range(allowed):
        assert login(client, f"nobody{n}", "wrong-password").status_code == 422
    assert login(client, "resident2").status_code == 429
    # Another address may still log in.
    other = client.post("/login", data={"username": "resident2", "password": PASSWORD},
                        environ_base={"REMOTE_ADDR": "10.1.1.1"})
    assert other.status_code == 303


def test_logins_that_work_do_not_count(client, world):
    for _ in range(first_window("login_account") + 3):
        assert login(client, "resident").status_code == 303
        client.post("/logout")


def test_the_wait_grows_with_the_failures(client, world, monkeypatch):
    clock = [time.time()]
    monkeypatch.setattr(time, "time", lambda: clock[0])
    waits = []
    for _ in range(4):
        while True:
            response = login(client, "resident", "wrong-password")
            if response.status_code == 429:
                waits.append(int(response.headers["Retry-After"]))
                break
        clock[0] += waits[-1] + 1
    # 5 failures: a minute; 10: the rest of ten minutes; 20: the rest of the hour.
    assert waits[0] <= 61
    assert waits[1] > 5 * 60
    assert waits[3] > 30 * 60


def test_the_429_page_speaks_english_too_and_htmx_gets_it_in_place(client, world):
    for _ in range(first_window("login_account")):
        login(client, "resident", "wrong-password")
    assert_says_when(client.post("/login", data={"username": "resident", "password": PASSWORD}, headers=EN),
                     language="en")
    fragment = client.post("/login", data={"username": "resident", "password": PASSWORD}, headers=HX)
    assert fragment.status_code == 429 and fragment.headers["HX-Retarget"] == "#main"
    assert "<html" not in text(fragment) and 'role="alert"' in text(fragment)


def test_an_unknown_username_takes_as_long_as_a_known_one(client, make, db):
    """The time a wrong login takes does not tell whether the username exists."""
    user = make.user("realname")
    user.set_password("the-real-password")  # the site's own (slow) hash, not the tests' cheap one
    user.save()

    def timed(username):
        start = time.perf_counter()
        assert client.post("/login", data={"username": username, "password": "wrong-password"}).status_code == 422
        return time.perf_counter() - start

    known = statistics.median(timed("realname") for _ in range(3))
    unknown = statistics.median(timed("nosuchname") for _ in range(3))
    assert unknown > known * 0.5, (known, unknown)


@pytest.fixture
def redis_url():
    redis = pytest.importorskip("redis")
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        redis.Redis.from_url(url, socket_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {url}")
    return url


def test_counters_live_in_redis_when_redis_url_names_one(app, redis_url, world, monkeypatch):
    """With REDIS_URL the counts outlive a worker: a limiter started afresh (another worker, a
    restart) goes on from where the others are. In memory, it would start again from zero."""
    import uuid

    # A key prefix of this test's own, so no other run's counts are found (the limiter keeps the
    # prefix of the first app it served).
    monkeypatch.setattr(limits.limiter, "_key_prefix", f"yishi-test-{uuid.uuid4().hex}")
    app.config.update(RATELIMIT_STORAGE_URI=redis_url)
    limits.limiter.init_app(app)
    allowed = first_window("login_account")
    answers = [login(app.test_client(), "resident", "wrong-password").status_code for _ in range(allowed)]
    limits.limiter.init_app(app)  # a new worker: new storage, the same Redis
    answers.append(login(app.test_client(), "resident", "wrong-password").status_code)
    assert answers == [422] * allowed + [429]


# Registration ------------------------------------------------------------------------------------

def test_fifty_registrations_from_one_address_make_a_few_accounts(client, world):
    before = User.select().count()
    answers = []
    for n in range(50):
        answers.append(client.post("/register", data={
            "username": f"sock{n}", "display_name": f"马甲{n}", "password": PASSWORD, "confirm": PASSWORD,
        }).status_code)
        client.post("/logout")
    allowed = first_window("register")
    assert answers[:allowed] == [303] * allowed and set(answers[allowed:]) == {429}
    assert User.select().count() - before == allowed
    assert_says_when(client.post("/register", data={"username": "another"}))


# Issues, comments, ballots -----------------------------------------------------------------------

def issue_data(world, n):
    return {"title": f"第{n}号路灯坏了", "body": "晚上很黑，老人走路不方便。", "category": str(world.category.id)}


def test_issues_are_limited_per_account_per_minute(client, world):
    login(client, "resident")
    answers = [client.post("/v/yangguang/issues/new", data=issue_data(world, n)).status_code for n in range(10)]
    allowed = first_window("issue")
    assert answers[:allowed] == [303] * allowed and set(answers[allowed:]) == {429}
    assert Issue.select().count() == allowed
    # Another resident is not held up.
    client.post("/logout")
    login(client, "resident2")
    assert client.post("/v/yangguang/issues/new", data=issue_data(world, 99)).status_code == 303


def test_recording_issues_on_behalf_is_limited_too(client, world):
    login(client, "councillor")
    answers = [client.post("/v/yangguang/issues/record", data={**issue_data(world, n), "channel": "phone"}).status_code
               for n in range(10)]
    allowed = first_window("issue")
    assert answers[:allowed] == [303] * allowed and set(answers[allowed:]) == {429}


def test_a_hundred_comments_in_a_second_are_cut_short(client, world):
    issue = world.issue()
    login(client, "resident2")
    started = time.monotonic()
    answers = [client.post(f"/issues/{issue.id}/comments", data={"comment-body": f"刷屏{n}"}).status_code
               for n in range(100)]
    allowed = first_window("comment")
    assert answers[:allowed] == [303] * allowed and set(answers[allowed:]) == {429}
    assert Comment.select().count() == allowed
    assert time.monotonic() - started < 60  # all inside the limit's first window


def test_replies_count_with_comments(client, world):
    issue = world.issue()
    login(client, "resident2")
    allowed = first_window("comment")
    for n in range(allowed - 1):
        assert client.post(f"/issues/{issue.id}/comments", data={"comment-body": f"评论{n}"}).status_code == 303
    top = Comment.select().first()
    assert client.post(f"/comments/{top.id}/replies", data={f"reply-{top.id}-body": "回复一"}).status_code == 303
    assert client.post(f"/comments/{top.id}/replies", data={f"reply-{top.id}-body": "回复二"}).status_code == 429


def test_ballots_are_limited_per_account(client, world):
    item = world.item()
    login(client, "resident")
    allowed = first_window("vote")
    choices = ["yes", "no"] * allowed
    answers = [client.post(f"/items/{item.id}/vote", data={"choice": c}).status_code for c in choices[:allowed + 3]]
    assert answers[:allowed] == [303] * allowed and set(answers[allowed:]) == {429}


def test_reading_is_never_limited(client, world):
    issue = world.issue()
    for _ in range(60):
        assert client.get(f"/issues/{issue.id}").status_code == 200
    assert client.get("/login").status_code == 200


def test_limits_come_from_the_app_config(app, client, world):
    app.config["LIMITS"] = {"comment": "2 per minute"}
    issue = world.issue()
    login(client, "resident2")
    answers = [client.post(f"/issues/{issue.id}/comments", data={"comment-body": f"第{n}条"}).status_code
               for n in range(4)]
    assert answers == [303, 303, 429, 429]


# Bounded input -----------------------------------------------------------------------------------

def test_a_five_megabyte_field_is_refused_with_a_clear_page(client, world):
    login(client, "resident")
    huge = {**issue_data(world, 1), "body": "很" * (5 * 1024 * 1024 // 3)}
    response = client.post("/v/yangguang/issues/new", data=huge)
    assert response.status_code == 413
    assert "一次提交的内容太多" in text(response) and "请删短一些再试" in text(response)
    english = client.post("/v/yangguang/issues/new", data=huge, headers=EN)
    assert "Too much sent at once" in text(english)
    assert Issue.select().count() == 0


def test_a_multipart_field_bigger_than_form_memory_is_refused_below_the_request_limit(app, client, world):
    login(client, "resident")
    body = "x" * (app.config["MAX_FORM_MEMORY_SIZE"] + 1)
    assert len(body) < app.config["MAX_CONTENT_LENGTH"]
    response = client.post(f"/issues/{world.issue().id}/comments", data={"comment-body": body},
                           content_type="multipart/form-data")
    assert response.status_code == 413 and Comment.select().count() == 0


def test_htmx_is_told_in_place_that_too_much_was_sent(client, world):
    login(client, "resident")
    response = client.post(f"/issues/{world.issue().id}/comments", data={"comment-body": "x" * 2_000_000},
                           headers=HX)
    assert response.status_code == 413 and response.headers["HX-Retarget"] == "#main"
    assert 'role="alert"' in text(response) and "<html" not in text(response)


LISTS = ["/outcomes", "/v/yangguang/outcomes", "/v/yangguang", "/search?q=路灯", "/admin/users", "/admin/venues",
         "/admin/audit", "/v/yangguang/members", "/notifications"]


@pytest.mark.parametrize("page", ["461168601842738792", "99999999999999999999", "10001", "9" * 400])
def test_page_numbers_beyond_range_are_404_on_every_list(client, world, page):
    login(client, "admin")
    for path in LISTS:
        joiner = "&" if "?" in path else "?"
        assert client.get(f"{path}{joiner}page={page}").status_code == 404, path


def test_pages_past_the_last_are_404_and_odd_numbers_mean_the_first(client, world):
    login(client, "admin")
    for path in ("/outcomes", "/admin/users", "/notifications"):
        assert client.get(f"{path}?page=500").status_code == 404, path
        for odd in ("abc", "-1", "0", "²", "٣", "1e3"):
            assert client.get(f"{path}?page={odd}").status_code == 200, (path, odd)


def test_odd_digits_in_ids_name_nothing(client, world):
    login(client, "admin")
    assert client.get("/admin/audit?object_type=issue&object_id=²").status_code == 200

"""Sessions that end when asked: logging out voids the cookie for good (a copy of it too), a new
password or an admin's deactivation ends every other session, "sign out everywhere" ends them all,
and with YISHI_SECURE_COOKIES=1 no cookie travels without HTTPS."""
import pytest
from conftest import TEMPLATE_CACHE
from world import PASSWORD, World, text

from app import create_app
from models import User


@pytest.fixture
def world(make):
    return World(make)


def signed_in(client):
    return client.get("/profile").status_code == 200


def second_browser(app, username):
    other = app.test_client()
    assert other.post("/login", data={"username": username, "password": PASSWORD}).status_code == 303
    return other


def copy_of(app, client):
    """Another browser holding a copy of `client`'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def test_a_cookie_copied_before_logout_does_not_work_after_it(app, client, auth, world):
    auth.login("resident")
    thief = copy_of(app, client)
    assert signed_in(thief)
    auth.logout()
    assert not signed_in(client)
    assert not signed_in(thief)
    assert thief.post("/v/yangguang/issues/new", data={"title": "冒名提交的民情"}).status_code == 302


def test_changing_the_password_ends_the_other_sessions_but_not_this_one(app, client, auth, world):
    auth.login("resident")
    phone = second_browser(app, "resident")
    response = client.post("/profile/password", data={
        "current": PASSWORD, "password": "a-new-password-1", "confirm": "a-new-password-1",
    }, headers={"Accept-Language": "en"})
    assert response.status_code == 303
    assert signed_in(client)
    assert not signed_in(phone)
    assert phone.post("/login", data={"username": "resident", "password": "a-new-password-1"}).status_code == 303


def test_sign_out_everywhere_ends_every_session(app, client, auth, world):
    auth.login("resident")
    phone = second_browser(app, "resident")
    assert "退出所有设备上的登录" in text(client.get("/profile"))
    response = client.post("/profile/sessions/end")
    assert response.status_code == 303
    assert not signed_in(client) and not signed_in(phone)
    # Logging in again works.
    assert auth.login("resident").status_code == 303 and signed_in(client)


def test_deactivation_ends_sessions_and_reactivation_does_not_revive_them(app, client, auth, world):
    auth.login("resident")
    admin = second_browser(app, "admin")
    assert admin.post(f"/admin/users/{world.resident.id}/deactivate").status_code == 303
    assert not signed_in(client)
    assert admin.post(f"/admin/users/{world.resident.id}/reactivate").status_code == 303
    assert not signed_in(client)
    assert auth.login("resident").status_code == 303 and signed_in(client)


def test_a_temporary_password_set_by_an_admin_ends_the_sessions(app, client, auth, world):
    auth.login("resident")
    admin = second_browser(app, "admin")
    admin.post(f"/admin/users/{world.resident.id}/password",
               data={"pw-password": "temporary-123", "pw-confirm": "temporary-123"})
    assert User.get_by_id(world.resident.id).must_change_password
    assert not signed_in(client)


def test_a_session_naming_no_version_is_not_signed_in(app, client, world):
    with client.session_transaction() as session:
        session["_user_id"] = str(world.resident.id)  # the form cookies had before versions
        session["_fresh"] = True
    assert not signed_in(client)
    for odd in (f"{world.resident.id}:x", f"{world.resident.id}:²", f"{world.resident.id}:1:0", ":", "9" * 30 + ":0"):
        with client.session_transaction() as session:
            session["_user_id"] = odd
        assert not signed_in(client), odd
    with client.session_transaction() as session:
        session["_user_id"] = world.resident.get_id()
    assert signed_in(client)


def test_logging_out_everywhere_else_leaves_other_accounts_alone(app, client, auth, world):
    auth.login("resident")
    other = second_browser(app, "resident2")
    auth.logout()
    assert signed_in(other)


# HTTPS only --------------------------------------------------------------------------------------

@pytest.fixture
def secure_app(database_url, tmp_path):
    app = create_app({
        "TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False, "SECURE_COOKIES": True,
    })
    app.instance_path = str(tmp_path)
    app.jinja_env.bytecode_cache = TEMPLATE_CACHE
    return app


def test_secure_cookies_and_hsts_when_asked(secure_app, make, db):
    World(make)
    client = secure_app.test_client()
    login = client.post("/login", data={"username": "resident", "password": PASSWORD})
    assert "Secure" in login.headers["Set-Cookie"] and "HttpOnly" in login.headers["Set-Cookie"]
    assert "max-age=31536000" in login.headers["Strict-Transport-Security"]
    language = client.post("/language", data={"lang": "en"})
    cookie = next(c for c in language.headers.getlist("Set-Cookie") if c.startswith("lang="))
    assert "Secure" in cookie


def test_no_hsts_or_secure_cookies_by_default(client, world):
    login = client.post("/login", data={"username": "resident", "password": PASSWORD})
    assert "Strict-Transport-Security" not in login.headers
    assert "Secure" not in login.headers["Set-Cookie"]


def test_the_environment_switches_secure_cookies_on(monkeypatch, database_url):
    monkeypatch.setenv("YISHI_SECURE_COOKIES", "1")
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "x"})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]

"""Fixtures: every test gets the app on a freshly migrated database of the engine under test.

The engine is SQLite unless TEST_DATABASE_URL names PostgreSQL (as the second CI pass does). SQLite tests
copy a migrated template file; PostgreSQL tests share one migrated database, emptied between tests.
"""
import os
import re
import shutil
import threading

import pytest
from playhouse.migrations import Runner
from werkzeug.serving import make_server

import models
from app import create_app, make_database
from commands import HERE

ENGINE_URL = os.environ.get("TEST_DATABASE_URL", "")
POSTGRES = ENGINE_URL.startswith(("postgres://", "postgresql://"))


def migrate(database):
    with database.connection_context():
        Runner(database, directory=os.path.join(HERE, "migrations")).up()


def drop_everything(database):
    with database.connection_context():
        database.execute_sql("DROP SCHEMA public CASCADE")
        database.execute_sql("CREATE SCHEMA public")


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """A migrated database: a SQLite file to copy, or the PostgreSQL database itself."""
    if POSTGRES:
        database = make_database(ENGINE_URL)
        drop_everything(database)
        migrate(database)
        return ENGINE_URL
    path = tmp_path_factory.mktemp("template") / "yishi.db"
    migrate(make_database(f"sqlite:///{path}"))
    return path


def empty_postgres(database):
    with database.connection_context():
        tables = [t for t in database.get_tables() if t != "schema_migration"]
        database.execute_sql(
            "TRUNCATE {} RESTART IDENTITY CASCADE".format(", ".join(f'"{t}"' for t in tables))
        )


@pytest.fixture
def database_url(database_template, tmp_path):
    if POSTGRES:
        empty_postgres(make_database(ENGINE_URL))
        return ENGINE_URL
    path = tmp_path / "yishi.db"
    shutil.copy(database_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
        }
    )
    app.instance_path = str(tmp_path)
    yield app
    if not models.db.is_closed():
        models.db.close()


@pytest.fixture
def csrf_app(app):
    """The app with CSRF checks on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    """An open connection for tests that work with models directly."""
    with models.db.connection_context():
        yield models.db


PASSWORD_HASHES = {}


class Factory:
    """Small builders for the records tests need."""

    def __init__(self):
        self.counter = 0

    def _n(self):
        self.counter += 1
        return self.counter

    def user(self, username=None, password="password123", **fields):
        n = self._n()
        user = models.User(
            username=username or f"user{n}", display_name=fields.pop("display_name", f"用户{n}"), **fields
        )
        # Hashing takes a tenth of a second; one hash per password keeps many-user tests quick.
        if password not in PASSWORD_HASHES:
            user.set_password(password)
            PASSWORD_HASHES[password] = user.password_hash
        user.password_hash = PASSWORD_HASHES[password]
        user.save()
        return user

    def region(self, name=None, kind="city", parent=None, **fields):
        return models.Region.create(
            name=name or f"地区{self._n()}", kind=kind, level=models.REGION_KINDS[kind], parent=parent,
            **fields,
        )

    def venue(self, name=None, kind="pavilion", region=None, **fields):
        n = self._n()
        if region is None:
            region = self.region(kind="community", parent=self.region(kind="town", parent=self.region()))
        return models.Venue.create(
            name=name or f"议事亭{n}", slug=fields.pop("slug", f"venue-{n}"), kind=kind, region=region, **fields
        )

    def member(self, user, venue, role="resident", status="verified", **fields):
        membership = models.Membership.create(user=user, venue=venue, role=role, status=status, **fields)
        if role == "resident" and status == "verified":
            models.Venue.update(resident_count=models.Venue.resident_count + 1).where(
                models.Venue.id == venue.id
            ).execute()
        return membership


@pytest.fixture
def make(db):
    return Factory()


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, username, password="password123"):
        return self.client.post("/login", data={"username": username, "password": password})

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def demo(db):
    """The Zhijiang demo data."""
    from domain import demo as demo_module

    return demo_module.load_demo()


# Browser tests ------------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        message = (
            "Chromium is not installed: apt-get install -y chromium chromium-driver fonts-noto-cjk"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_server(app):
    """The app served over HTTP on a free local port, in a thread."""
    app.config["WTF_CSRF_ENABLED"] = True
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_port}"
    yield server
    server.shutdown()
    thread.join()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def nojs_page(browser, live_server):
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def browser_login(page, base_url, username, password="password123"):
    page.goto(f"{base_url}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"^(?!.*/login).*$"))

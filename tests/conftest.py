"""Fixtures: every test gets the app on a freshly migrated database of the engine under test.

The engine is SQLite unless TEST_DATABASE_URL names PostgreSQL (as the second CI pass does). SQLite tests
copy a migrated template file; PostgreSQL tests share one migrated database, emptied between tests.
The demo is loaded once per session too: a test that asks for `demo` starts from a copy of it.

Builders and helpers (World, DiscussionWorld, text, login, HX, EN, browser_login…) live in world.py.
"""
import os
import shutil
import threading

import pytest
from jinja2 import BytecodeCache
from peewee import sort_models
from playhouse.migrations import Runner
from werkzeug.routing import Rule
from werkzeug.serving import make_server
from world import Auth, Factory, browser_login, password_hash  # noqa: F401 (browser_login: old imports)

import models
from app import create_app, make_database
from commands import HERE

ENGINE_URL = os.environ.get("TEST_DATABASE_URL", "")
POSTGRES = ENGINE_URL.startswith(("postgres://", "postgresql://"))
DEMO_SCHEMA = "demo_rows"  # PostgreSQL: where the demo's rows wait between tests


# Each test builds its own app, and a new app compiles every URL rule and template anew: two thirds of
# a short test's time. What they compile to depends only on the rule or the template's source, so the
# session keeps it (the apps stay separate, with their own config, URL map and Jinja environment).

class TemplateCache(BytecodeCache):
    """Compiled templates kept in memory for the session (Jinja checks each against its source)."""

    def __init__(self):
        self.store = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.store:
            bucket.bytecode_from_string(self.store[bucket.key])

    def dump_bytecode(self, bucket):
        self.store[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_CACHE = TemplateCache()
_compile_builder = Rule._compile_builder
_builders = {}


def _cached_builder(self, append_unknown=True):
    # The builder takes the rule as an argument and reads only its converters at call time; what is
    # compiled comes from the rule's text and parts. Rules with defaults bake them in: not kept.
    if self.defaults:
        return _compile_builder(self, append_unknown)
    key = (self.rule, tuple(self._trace), append_unknown)
    if key not in _builders:
        _builders[key] = _compile_builder(self, append_unknown)
    return _builders[key]


Rule._compile_builder = _cached_builder


def migrate(database):
    with database.connection_context():
        Runner(database, directory=os.path.join(HERE, "migrations")).up()


def drop_everything(database):
    with database.connection_context():
        database.execute_sql(f"DROP SCHEMA IF EXISTS {DEMO_SCHEMA} CASCADE")
        database.execute_sql("DROP SCHEMA public CASCADE")
        database.execute_sql("CREATE SCHEMA public")


def load_demo(database, media):
    """The demo's logins, after loading it into `database` (its photos' files into the folder
    `media`), with its accounts' password hashed cheaply (see world.password_hash): demo tests log
    in a great deal."""
    from flask import Flask

    from domain import demo as demo_module

    holder = Flask(__name__)  # the app context the demo's photos need: where their files go
    holder.config["MEDIA_DIR"] = str(media)
    models.db.initialize(database)
    with holder.app_context(), database.connection_context():
        logins = demo_module.load_demo()
        models.User.update(password_hash=password_hash(demo_module.DEMO_PASSWORD)).execute()
    return logins


class Postgres:
    """The session's one PostgreSQL database, migrated once and emptied before each test.

    DELETE in reverse dependency order and a reset of the sequences take milliseconds where TRUNCATE
    takes a tenth of a second; the demo's rows, once loaded, wait in DEMO_SCHEMA to be copied back.
    """

    def __init__(self, url):
        self.database = make_database(url)
        drop_everything(self.database)
        migrate(self.database)
        with self.database.connection_context():
            ordered = [m._meta.table_name for m in sort_models(models.MODELS)]
            others = set(self.database.get_tables()) - set(ordered) - {"schema_migration"}
            self.tables = ordered + sorted(others)
            # (table, column, sequence) of every serial column
            self.serials = self.database.execute_sql(
                "SELECT t.relname, a.attname, s.oid::regclass::text FROM pg_depend d "
                "JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S' "
                "JOIN pg_class t ON t.oid = d.refobjid "
                "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid "
                "WHERE t.relnamespace = 'public'::regnamespace AND d.deptype IN ('a', 'i')"
            ).fetchall()
        self.demo_next = None  # each sequence's next value after the demo

    def _empty(self):
        self.database.execute_sql("; ".join(f'DELETE FROM "{t}"' for t in reversed(self.tables)))
        self._set_sequences([(sequence, 1) for _t, _c, sequence in self.serials])
        # The one row migration 0020 makes, as a freshly migrated database has it.
        self.database.execute_sql("INSERT INTO page_version (id, site) VALUES (1, 0)")

    def _set_sequences(self, pairs):
        self.database.execute_sql(
            "SELECT setval(s::regclass, n, false) FROM unnest(%s::text[], %s::bigint[]) AS x(s, n)",
            ([s for s, _n in pairs], [n for _s, n in pairs]),
        )

    def empty(self):
        with self.database.connection_context(), self.database.atomic():
            self._empty()

    def keep_demo(self, media):
        """Load the demo and keep a copy of its rows (its photos' files in `media`); returns its logins."""
        self.empty()
        logins = load_demo(self.database, media)
        with self.database.connection_context(), self.database.atomic():
            self.database.execute_sql(f"CREATE SCHEMA {DEMO_SCHEMA}")
            for table in self.tables:
                self.database.execute_sql(f'CREATE TABLE {DEMO_SCHEMA}."{table}" AS TABLE public."{table}"')
            self.demo_next = [
                (sequence, self.database.execute_sql(
                    f'SELECT COALESCE(MAX("{column}"), 0) + 1 FROM "{table}"').fetchone()[0])
                for table, column, sequence in self.serials
            ]
        return logins

    def restore_demo(self):
        with self.database.connection_context(), self.database.atomic():
            self._empty()
            # The demo's copy holds page_version's one row too: the one _empty() put back makes way.
            self.database.execute_sql("DELETE FROM page_version")
            self.database.execute_sql("; ".join(
                f'INSERT INTO public."{t}" SELECT * FROM {DEMO_SCHEMA}."{t}"' for t in self.tables
            ))
            self._set_sequences(self.demo_next)


@pytest.fixture(scope="session")
def postgres():
    return Postgres(ENGINE_URL)


@pytest.fixture(scope="session")
def database_template(request, tmp_path_factory):
    """A migrated database: a SQLite file to copy, or the PostgreSQL database itself."""
    if POSTGRES:
        request.getfixturevalue("postgres")
        return ENGINE_URL
    path = tmp_path_factory.mktemp("template") / "yishi.db"
    migrate(make_database(f"sqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def demo_media(tmp_path_factory):
    """The files of the demo's photos, as it was loaded once: each test that has the demo gets a copy."""
    return tmp_path_factory.mktemp("demo-media")


@pytest.fixture(scope="session")
def demo_template(request, database_template, demo_media, tmp_path_factory):
    """The demo, loaded once: (its logins, a SQLite file to copy, or None on PostgreSQL)."""
    if POSTGRES:
        return request.getfixturevalue("postgres").keep_demo(demo_media), None
    path = tmp_path_factory.mktemp("demo") / "yishi.db"
    shutil.copy(database_template, path)
    database = make_database(f"sqlite:///{path}")
    logins = load_demo(database, demo_media)
    database.close()
    return logins, path


@pytest.fixture
def database_url(request, database_template, tmp_path):
    """A fresh database for this test: empty and migrated, or holding the demo if the test asks for it
    (and then the files of its photos in the test's media folder, the app's instance/media)."""
    wants_demo = "demo" in request.fixturenames
    if wants_demo:
        request.getfixturevalue("demo_template")
        shutil.copytree(request.getfixturevalue("demo_media"), tmp_path / "media")
    if POSTGRES:
        postgres = request.getfixturevalue("postgres")
        if wants_demo:
            request.getfixturevalue("demo_template")
            postgres.restore_demo()
        else:
            postgres.empty()
        return ENGINE_URL
    path = tmp_path / "yishi.db"
    shutil.copy(request.getfixturevalue("demo_template")[1] if wants_demo else database_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            # Limits on abuse would trip tests that log in and post a great deal; test_limits.py
            # builds its app with them on.
            "RATELIMIT_ENABLED": False,
        }
    )
    app.instance_path = str(tmp_path)
    app.jinja_env.bytecode_cache = TEMPLATE_CACHE
    yield app
    if not models.db.is_closed():
        models.db.close()
    if hasattr(models.db.obj, "close_all"):  # the pool's idle connections too
        models.db.obj.close_all()


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


@pytest.fixture
def make(db):
    return Factory()


@pytest.fixture(name="password_hash", scope="session")
def password_hash_fixture():
    """The hash of "password123" that every test account has."""
    return password_hash()


@pytest.fixture
def statements(monkeypatch, db):
    """Every SQL statement the database runs from here on (clear() it before the part that counts)."""
    seen = []
    database = type(models.db.obj)
    original = database.execute_sql

    def counting(self, sql, params=None, *args, **kwargs):
        # A statement the server prepared is recorded as its SQL, as SQLite runs it; preparing it,
        # once in a connection's life, is no more a request's statement than SQLite's PRAGMAs.
        if not sql.startswith("PREPARE "):
            seen.append(models.PREPARED_SQL[sql.split()[1].split("(")[0]] if sql.startswith("EXECUTE ") else sql)
        return original(self, sql, params, *args, **kwargs)

    monkeypatch.setattr(database, "execute_sql", counting)
    return seen


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def demo(db, demo_template):
    """The Zhijiang demo data (loaded once per session, copied for each test); returns its logins."""
    return list(demo_template[0])


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

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
from peewee import sort_models
from playhouse.migrations import Runner
from werkzeug.serving import make_server
from world import Auth, Factory, browser_login, password_hash  # noqa: F401 (browser_login: old imports)

import models
from app import create_app, make_database
from commands import HERE

ENGINE_URL = os.environ.get("TEST_DATABASE_URL", "")
POSTGRES = ENGINE_URL.startswith(("postgres://", "postgresql://"))
DEMO_SCHEMA = "demo_rows"  # PostgreSQL: where the demo's rows wait between tests


def migrate(database):
    with database.connection_context():
        Runner(database, directory=os.path.join(HERE, "migrations")).up()


def drop_everything(database):
    with database.connection_context():
        database.execute_sql(f"DROP SCHEMA IF EXISTS {DEMO_SCHEMA} CASCADE")
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


def data_tables(database):
    """The tables that hold rows, parents before children."""
    ordered = [m._meta.table_name for m in sort_models(models.MODELS)]
    others = sorted(set(database.get_tables()) - set(ordered) - {"schema_migration"})
    return ordered + others


def empty_postgres(database):
    with database.connection_context():
        database.execute_sql(
            "TRUNCATE {} RESTART IDENTITY CASCADE".format(", ".join(f'"{t}"' for t in data_tables(database)))
        )


def load_demo(database):
    """The demo's logins, after loading it into `database`, with its accounts' password hashed cheaply
    (see world.password_hash): demo tests log in a great deal."""
    from domain import demo as demo_module

    models.db.initialize(database)
    with database.connection_context():
        logins = demo_module.load_demo()
        models.User.update(password_hash=password_hash(demo_module.DEMO_PASSWORD)).execute()
    return logins


@pytest.fixture(scope="session")
def demo_template(database_template, tmp_path_factory):
    """The demo, loaded once: (its logins, a SQLite file to copy or the schema holding its rows)."""
    if POSTGRES:
        database = make_database(ENGINE_URL)
        empty_postgres(database)
        logins = load_demo(database)
        with database.connection_context():
            database.execute_sql(f"DROP SCHEMA IF EXISTS {DEMO_SCHEMA} CASCADE")
            database.execute_sql(f"CREATE SCHEMA {DEMO_SCHEMA}")
            for table in data_tables(database):
                database.execute_sql(f'CREATE TABLE {DEMO_SCHEMA}."{table}" AS TABLE public."{table}"')
        return logins, DEMO_SCHEMA
    path = tmp_path_factory.mktemp("demo") / "yishi.db"
    shutil.copy(database_template, path)
    database = make_database(f"sqlite:///{path}")
    logins = load_demo(database)
    database.close()
    return logins, path


def restore_demo(database):
    """Empty the PostgreSQL database and put the demo's rows back, sequences included."""
    tables = data_tables(database)
    with database.atomic():
        database.execute_sql(
            "TRUNCATE {} RESTART IDENTITY CASCADE".format(", ".join(f'"{t}"' for t in tables))
        )
        for table in tables:
            database.execute_sql(f'INSERT INTO public."{table}" SELECT * FROM {DEMO_SCHEMA}."{table}"')
        sequences = database.execute_sql(
            "SELECT table_name, column_name, pg_get_serial_sequence(format('%I', table_name), column_name) "
            "FROM information_schema.columns WHERE table_schema = 'public' "
            "AND pg_get_serial_sequence(format('%I', table_name), column_name) IS NOT NULL"
        ).fetchall()
        for table, column, sequence in sequences:
            database.execute_sql(
                f'SELECT setval(%s, COALESCE((SELECT MAX("{column}") FROM public."{table}"), 0) + 1, false)',
                (sequence,),
            )


@pytest.fixture
def database_url(request, database_template, tmp_path):
    """A fresh database for this test: empty and migrated, or holding the demo if the test asks for it."""
    wants_demo = "demo" in request.fixturenames
    if POSTGRES:
        database = make_database(ENGINE_URL)
        if wants_demo:
            request.getfixturevalue("demo_template")
            with database.connection_context():
                restore_demo(database)
        else:
            empty_postgres(database)
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


@pytest.fixture
def make(db):
    return Factory()


@pytest.fixture(name="password_hash", scope="session")
def password_hash_fixture():
    """The hash of "password123" that every test account has."""
    return password_hash()


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

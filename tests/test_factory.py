import os
import sqlite3
import threading
import time

import pytest
from peewee import OperationalError, PostgresqlDatabase, SqliteDatabase

import app as factory
import models
from app import create_app, make_database


def test_testing_config_is_applied(app):
    assert app.testing
    assert app.config["TIMEZONE"] == "Asia/Shanghai"
    assert app.config["BABEL_DEFAULT_LOCALE"] == "zh_Hans"


def test_defaults_put_the_database_in_the_instance_folder(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"SECRET_KEY": "x"})
    assert app.config["DATABASE_URL"] == "sqlite:///" + os.path.join(app.instance_path, "yishi.db")


def test_environment_configures_the_app(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/env.db")
    monkeypatch.setenv("YISHI_SITE_NAME", "枝江议事")
    monkeypatch.setenv("SECRET_KEY", "from-env")
    app = create_app()
    assert app.config["DATABASE_URL"].endswith("env.db")
    assert app.config["SITE_NAME"] == "枝江议事"
    assert app.config["SECRET_KEY"] == "from-env"


def test_secret_key_is_generated_once_and_kept(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/k.db")
    first = create_app({"SECRET_KEY": None})
    second = create_app({"SECRET_KEY": None})
    assert first.config["SECRET_KEY"] and first.config["SECRET_KEY"] == second.config["SECRET_KEY"]


def test_sqlite_takes_the_write_lock_at_begin_in_wal_mode(tmp_path):
    database = make_database(f"sqlite:///{tmp_path}/db.sqlite")
    assert isinstance(database, SqliteDatabase)
    with database.connection_context():
        assert database.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert database.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
        assert database.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 10000
    assert database._lock_type == "IMMEDIATE"


def test_a_pooled_sqlite_database_sets_its_pragmas_once_per_connection(tmp_path):
    database = make_database(f"sqlite:///{tmp_path}/db.sqlite", pool=2)
    seen = []
    original = database.execute_sql
    database.execute_sql = lambda sql, *a, **k: (seen.append(sql), original(sql, *a, **k))[1]
    for _ in range(3):
        with database.connection_context():
            database.execute_sql("SELECT 1")
    assert len(database._connections) == 1  # one connection, taken back three times
    assert database._lock_type == "IMMEDIATE"
    with database.connection_context():
        assert database.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert database.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 10000
    database.close_all()


def test_a_request_reuses_the_pooled_connection(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite", "SECRET_KEY": "x"})
    client = app.test_client()
    assert client.get("/no-such-page").status_code == 404
    assert client.get("/no-such-page").status_code == 404
    assert len(models.db.obj._connections) == 1 and not models.db.obj._in_use
    models.db.obj.close_all()


def test_postgresql_url_gives_postgresql():
    database = make_database("postgresql://someone@127.0.0.1:5432/yishi")
    assert isinstance(database, PostgresqlDatabase)
    assert isinstance(make_database("postgresql://someone@127.0.0.1:5432/yishi", pool=4), PostgresqlDatabase)
    assert database.database == "yishi"
    assert database.connect_params["host"] == "127.0.0.1"


def test_unknown_database_url_is_refused():
    with pytest.raises(ValueError):
        make_database("mysql://x@y/z")


def test_responses_carry_security_headers_and_vary(client):
    response = client.get("/")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "HX-Request" in response.headers["Vary"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_after_the_first_request_a_poll_runs_one_statement_and_no_pragma(database_url, monkeypatch):
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "x", "TESTING": True})
    seen = []
    database = type(models.db.obj)
    original = database.execute_sql
    monkeypatch.setattr(database, "execute_sql", lambda self, sql, *a, **k: (seen.append(sql), original(self, sql, *a, **k))[1])
    client = app.test_client()
    client.get("/issues/12345/status", headers={"HX-Request": "true"})
    seen.clear()
    assert client.get("/issues/12345/status", headers={"HX-Request": "true"}).status_code == 404
    assert len(seen) == 1 and "PRAGMA" not in seen[0]
    models.db.obj.close_all()


def test_a_writer_takes_the_lock_as_soon_as_another_process_lets_it_go(tmp_path):
    """SQLite's busy handler would sleep 1, 2, 5 … ms between asks; BEGIN asks again within ~0.1 ms
    of the release, and every other statement keeps the 10 s busy timeout."""
    path = f"{tmp_path}/db.sqlite"
    database = make_database(f"sqlite:///{path}", pool=2)
    with database.connection_context():
        database.execute_sql("CREATE TABLE t (n INTEGER)")
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another process holding the write lock
    released = []

    def release():
        time.sleep(0.03)
        released.append(time.monotonic())
        other.execute("COMMIT")

    threading.Thread(target=release).start()
    with database.connection_context():
        with database.atomic():
            took = time.monotonic()
            database.execute_sql("INSERT INTO t VALUES (1)")
        assert took - released[0] < 0.01  # the busy handler's next ask would have come later
        assert database.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 10000
    other.close()
    database.close_all()


def test_a_writer_that_never_gets_the_lock_fails_after_the_busy_timeout(tmp_path, monkeypatch):
    monkeypatch.setattr(factory, "BUSY_TIMEOUT_MS", 50)
    path = f"{tmp_path}/db.sqlite"
    database = make_database(f"sqlite:///{path}")
    with database.connection_context():
        database.execute_sql("CREATE TABLE t (n INTEGER)")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    with database.connection_context():
        with pytest.raises(OperationalError, match="locked"), database.atomic():
            pass
        assert database.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 50
    other.execute("ROLLBACK")
    other.close()


def test_a_view_s_own_vary_is_kept_beside_ours(app):
    @app.get("/test-vary")
    def own_vary():
        return "x", 200, {"Vary": "Origin"}

    response = app.test_client().get("/test-vary")
    assert set(response.headers["Vary"].split(", ")) == {"Origin", "HX-Request", "Cookie"}


def test_flask_asks_once_whether_a_function_is_a_coroutine_and_keeps_a_bounded_few(app):
    def hook():
        return None

    assert app.ensure_sync(hook) is hook and hook in app.known_sync
    assert app.ensure_sync(hook) is hook

    async def view():
        return "async"

    with pytest.raises(RuntimeError, match="async"):  # Flask's word for a coroutine without asgiref
        app.ensure_sync(view)
    assert view not in app.known_sync
    for _ in range(app.MAX_KNOWN_SYNC + 10):  # made anew each time, as a closure per call would be
        app.ensure_sync(lambda: None)
    assert len(app.known_sync) == app.MAX_KNOWN_SYNC



@pytest.fixture
def postgres_pool(database_url, monkeypatch):
    """(a pool of two connections to the test's PostgreSQL database, as a worker's; its URL; the
    connections peewee's own check was asked about, with its SELECT 1)."""
    from conftest import POSTGRES
    from playhouse.pool import PooledPostgresqlDatabase

    if not POSTGRES:
        pytest.skip("PostgreSQL's pool: runs in the PostgreSQL pass (TEST_DATABASE_URL)")
    database, pinged = make_database(database_url, pool=2), []
    ping = PooledPostgresqlDatabase._is_closed
    monkeypatch.setattr(PooledPostgresqlDatabase, "_is_closed", lambda self, conn: pinged.append(conn) or ping(self, conn))
    yield database, database_url, pinged
    database.close_all()


def test_a_connection_given_back_a_moment_ago_is_handed_out_without_a_round_trip(postgres_pool):
    database, _url, pinged = postgres_pool
    with database.connection_context():
        first = database.connection()
        database.execute_sql("SELECT 1")
    for _ in range(3):
        with database.connection_context():
            assert database.connection() is first
            assert database.execute_sql("SELECT 2").fetchone() == (2,)
    assert pinged == []


def test_a_connection_idle_for_long_is_asked_and_one_the_server_dropped_is_replaced(postgres_pool, monkeypatch):
    database, url, pinged = postgres_pool
    with database.connection_context():
        first = database.connection()
        backend = database.execute_sql("SELECT pg_backend_pid()").fetchone()[0]
    other = make_database(url)
    with other.connection_context():
        other.execute_sql("SELECT pg_terminate_backend(%s)", (backend,))
    monkeypatch.setattr(type(database), "PING_AFTER", 0)
    with database.connection_context():
        assert database.connection() is not first and pinged == [first]
        assert database.execute_sql("SELECT 3").fetchone() == (3,)


def test_a_connection_closed_here_is_never_handed_out_again(postgres_pool):
    database, _url, _pinged = postgres_pool
    with database.connection_context():
        first = database.connection()
    first.close()
    with database.connection_context():
        assert database.connection() is not first
        assert database.execute_sql("SELECT 4").fetchone() == (4,)

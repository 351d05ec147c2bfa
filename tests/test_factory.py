import os

import pytest
from peewee import PostgresqlDatabase, SqliteDatabase

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


def test_postgresql_url_gives_postgresql():
    database = make_database("postgresql://someone@127.0.0.1:5432/yishi")
    assert isinstance(database, PostgresqlDatabase)
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

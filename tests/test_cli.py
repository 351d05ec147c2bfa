import os

import pytest

import models
from domain.demo import DEMO_PASSWORD, DEMO_USERNAMES


def test_db_upgrade_on_a_migrated_database_says_up_to_date(runner):
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output


def test_db_upgrade_applies_migrations_to_an_empty_database(tmp_path, monkeypatch):
    from app import create_app

    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/empty.db", "SECRET_KEY": "x"})
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "applied: 0001_initial" in result.output
    with models.db.connection_context():
        assert "issue" in models.db.get_tables()


def test_db_status_marks_applied_migrations(runner):
    result = runner.invoke(args=["db", "status"])
    assert result.exit_code == 0
    assert "[x] 0001_initial" in result.output


def test_db_generate_finds_nothing_when_models_match(runner):
    result = runner.invoke(args=["db", "generate", "nothing"])
    assert result.exit_code == 0, result.output
    assert "schema matches models.py" in result.output


def test_seed_demo_loads_once_and_refuses_the_second_time(runner, app):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    for username in DEMO_USERNAMES:
        assert username in first.output
    assert DEMO_PASSWORD in first.output
    with models.db.connection_context():
        users = models.User.select().count()
        assert models.Venue.select().where(models.Venue.kind == "station").count() == 44
        assert models.Venue.select().where(models.Venue.kind == "home").count() == 9
        assert models.DeputyGroup.select().count() == 6

    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code != 0
    assert "not empty" in second.output
    with models.db.connection_context():
        assert models.User.select().count() == users

    quiet = runner.invoke(args=["seed-demo", "--if-empty"])
    assert quiet.exit_code == 0
    assert "not loaded" in quiet.output and DEMO_PASSWORD in quiet.output


def test_seed_demo_reset_reloads(runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with models.db.connection_context():
        models.User.create(username="extra", display_name="多余", password_hash="x")
    result = runner.invoke(args=["seed-demo", "--reset"])
    assert result.exit_code == 0, result.output
    with models.db.connection_context():
        assert not models.User.select().where(models.User.username == "extra").exists()
        assert models.User.get(models.User.username == "admin").is_admin


def test_translate_extract_and_compile(runner):
    extract = runner.invoke(args=["translate", "extract"])
    assert extract.exit_code == 0, extract.output
    compiled = runner.invoke(args=["translate", "compile"])
    assert compiled.exit_code == 0, compiled.output


def test_make_run_installs_only_what_the_site_needs(tmp_path):
    """`make run` installs requirements.txt; the test tools come with `make test` only."""
    import shutil
    import subprocess

    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for name in ("Makefile", "requirements.txt", "requirements-dev.txt"):
        shutil.copy(os.path.join(root, name), tmp_path / name)

    def planned(target):
        done = subprocess.run(["make", "-n", target], cwd=tmp_path, capture_output=True, text=True)
        return [line for line in done.stdout.splitlines() if "pip install" in line]

    assert [line.split()[-1] for line in planned("run")] == ["requirements.txt"]
    assert [line.split()[-1] for line in planned("dev-venv")] == ["requirements-dev.txt"]

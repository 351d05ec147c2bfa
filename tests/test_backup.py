"""`flask backup` and `flask restore`: a backup taken while the site holds data, restored over a
database that changed since, gives back every row as it was (SQLite online backup; pg_dump and
pg_restore on PostgreSQL)."""
import os

import models
from models import Comment, Issue, User, db


def every_row():
    """Every row of every table, by table, in a stable order."""
    rows = {}
    for model in models.MODELS:
        rows[model._meta.table_name] = sorted(
            tuple(str(v) for v in row) for row in model.select().tuples()
        )
    return rows


def test_a_backup_restored_finds_every_row_again(app, runner, demo, tmp_path):
    before = every_row()
    assert sum(len(r) for r in before.values()) > 100  # the demo city, not an empty database
    path = tmp_path / "yishi.backup"
    result = runner.invoke(args=["backup", str(path)])
    assert result.exit_code == 0, result.output
    assert path.exists() and path.stat().st_size > 0

    # The site goes on: rows change, are deleted and added.
    with db.atomic():
        Comment.delete().execute()
        Issue.update(title="改掉的标题").execute()
        User.create(username="backup-newcomer", display_name="备份后新来的", password_hash="x")
    assert every_row() != before

    result = runner.invoke(args=["restore", "--yes", str(path)])
    assert result.exit_code == 0, result.output
    after = every_row()
    for table in before:
        assert after[table] == before[table], table


def test_backup_without_a_path_writes_a_dated_file_in_the_instance_folder(app, runner, db):
    result = runner.invoke(args=["backup"])
    assert result.exit_code == 0, result.output
    folder = os.path.join(app.instance_path, "backups")
    assert len(os.listdir(folder)) == 1 and os.listdir(folder)[0].startswith("yishi-")


def test_restore_refuses_what_is_not_a_backup_and_asks_first(app, runner, db, tmp_path):
    bogus = tmp_path / "not-a-backup"
    bogus.write_text("hello")
    result = runner.invoke(args=["restore", "--yes", str(bogus)])
    assert result.exit_code != 0
    result = runner.invoke(args=["restore", str(bogus)], input="n\n")
    assert result.exit_code != 0 and "Aborted" in result.output

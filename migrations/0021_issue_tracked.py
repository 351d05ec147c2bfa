"""Whether an issue is a tracked matter (it has had a lead assignment), kept by the database.

The ledger counts its matters per status through the index (tracked, status): a status no
tracked matter has costs nothing, whatever the number of issues that never reached the ledger.
A trigger sets the flag when a lead assignment is written, so no code path can forget; an issue
never stops being tracked (its assignments go only with it). Plain ALTER TABLE, so that SQLite
keeps the triggers of 0002 and 0020 on the issue table.
"""
from peewee import *

SQLITE = (
    "CREATE TRIGGER assignment_tracks AFTER INSERT ON assignment WHEN NEW.role = 'lead' BEGIN"
    " UPDATE issue SET tracked = 1 WHERE id = NEW.issue_id AND tracked = 0; END",
)
POSTGRES = (
    """CREATE FUNCTION yishi_assignment_tracks() RETURNS trigger AS $$
    BEGIN
      UPDATE issue SET tracked = TRUE WHERE id = NEW.issue_id AND NOT tracked;
      RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER assignment_tracks AFTER INSERT ON assignment FOR EACH ROW"
    " WHEN (NEW.role = 'lead') EXECUTE FUNCTION yishi_assignment_tracks()",
)


def _sqlite(db):
    return isinstance(db, SqliteDatabase)


def up(migrator, db):
    kind = "INTEGER NOT NULL DEFAULT 0" if _sqlite(db) else "BOOLEAN NOT NULL DEFAULT FALSE"
    db.execute_sql(f"ALTER TABLE issue ADD COLUMN tracked {kind}")
    db.execute_sql(
        f"UPDATE issue SET tracked = {'1' if _sqlite(db) else 'TRUE'}"
        " WHERE id IN (SELECT issue_id FROM assignment WHERE role = 'lead')"
    )
    db.execute_sql("CREATE INDEX issue_tracked_status ON issue (tracked, status)")
    for statement in SQLITE if _sqlite(db) else POSTGRES:
        db.execute_sql(statement)


def down(migrator, db):
    if _sqlite(db):
        db.execute_sql("DROP TRIGGER IF EXISTS assignment_tracks")
    else:
        db.execute_sql("DROP TRIGGER IF EXISTS assignment_tracks ON assignment")
        db.execute_sql("DROP FUNCTION IF EXISTS yishi_assignment_tracks()")
    db.execute_sql("DROP INDEX issue_tracked_status")
    db.execute_sql("ALTER TABLE issue DROP COLUMN tracked")

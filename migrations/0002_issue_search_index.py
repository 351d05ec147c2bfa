"""The full-text index of issues (see search.py): FTS5 on SQLite, a tsvector with GIN on PostgreSQL.

Neither table is a peewee model; search.py reads and writes them with SQL of its engine.
"""
from peewee import SqliteDatabase


def up(migrator, db):
    import search

    if isinstance(db, SqliteDatabase):
        db.execute_sql("CREATE VIRTUAL TABLE issue_fts USING fts5(title, body)")
        # A virtual table has no foreign key: a trigger drops the tokens of a deleted issue.
        db.execute_sql(
            "CREATE TRIGGER issue_fts_delete AFTER DELETE ON issue "
            "BEGIN DELETE FROM issue_fts WHERE rowid = old.id; END"
        )
    else:
        db.execute_sql(
            "CREATE TABLE issue_search ("
            "issue_id INTEGER PRIMARY KEY REFERENCES issue (id) ON DELETE CASCADE, "
            "document TSVECTOR NOT NULL)"
        )
        db.execute_sql("CREATE INDEX issue_search_document ON issue_search USING GIN (document)")
    sql = search.index_sql(db)
    for issue_id, title, body in db.execute_sql("SELECT id, title, body FROM issue").fetchall():
        db.execute_sql(sql, (issue_id, *search.document(title, body)))


def down(migrator, db):
    if isinstance(db, SqliteDatabase):
        db.execute_sql("DROP TRIGGER IF EXISTS issue_fts_delete")
        db.execute_sql("DROP TABLE IF EXISTS issue_fts")
    else:
        db.execute_sql("DROP TABLE IF EXISTS issue_search")

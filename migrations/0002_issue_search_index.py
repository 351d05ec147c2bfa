"""The full-text index of issues: FTS5 on SQLite, a tsvector with GIN on PostgreSQL.

Neither table is a peewee model. The tokenizer of the day is frozen here, so this migration means
the same thing whatever later becomes of domain/search.py; after the tokenizer changes, rebuild the
index with `flask search reindex`.
"""
import re
import unicodedata

from peewee import SqliteDatabase

_CJK = (
    "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
    "\U00020000-\U0003134f"
)
_TOKEN = re.compile(rf"([{_CJK}]+)|((?:(?![{_CJK}])[^\W_])+)")


def _tokens(text):
    text = unicodedata.normalize("NFKC", text or "").casefold()
    out = []
    for cjk, word in _TOKEN.findall(text):
        if word:
            out.append(word)
        elif len(cjk) == 1:
            out.append(cjk)
        else:
            out.extend(cjk[i:i + 2] for i in range(len(cjk) - 1))
            out.extend(cjk)
    return " ".join(out)


def up(migrator, db):
    if isinstance(db, SqliteDatabase):
        db.execute_sql("CREATE VIRTUAL TABLE issue_fts USING fts5(title, body)")
        # A virtual table has no foreign key: a trigger drops the tokens of a deleted issue.
        db.execute_sql(
            "CREATE TRIGGER issue_fts_delete AFTER DELETE ON issue "
            "BEGIN DELETE FROM issue_fts WHERE rowid = old.id; END"
        )
        sql = "INSERT INTO issue_fts (rowid, title, body) VALUES (?, ?, ?)"
    else:
        db.execute_sql(
            "CREATE TABLE issue_search ("
            "issue_id INTEGER PRIMARY KEY REFERENCES issue (id) ON DELETE CASCADE, "
            "document TSVECTOR NOT NULL)"
        )
        db.execute_sql("CREATE INDEX issue_search_document ON issue_search USING GIN (document)")
        sql = (
            "INSERT INTO issue_search (issue_id, document) VALUES (%s, "
            "setweight(to_tsvector('simple', %s), 'A') || setweight(to_tsvector('simple', %s), 'B'))"
        )
    for issue_id, title, body in db.execute_sql("SELECT id, title, body FROM issue").fetchall():
        db.execute_sql(sql, (issue_id, _tokens(title), _tokens(body)))


def down(migrator, db):
    if isinstance(db, SqliteDatabase):
        db.execute_sql("DROP TRIGGER IF EXISTS issue_fts_delete")
        db.execute_sql("DROP TABLE IF EXISTS issue_fts")
    else:
        db.execute_sql("DROP TABLE IF EXISTS issue_search")

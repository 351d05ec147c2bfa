"""Search that finds what people mean: a synonyms table, the pinyin of venue and region names, and
the issue index rebuilt with a category column (title, category, body).

The pinyin is computed here with pypinyin (a pinned library, not app code), frozen as of today.
The index is filled with the character bigrams of migration 0002 (frozen here too), which find
everything the word-aware tokens do; `flask db upgrade` then rebuilds it with the word-aware tokens
of domain/words.py (commands.REINDEX_AFTER; then 区路 no longer matches 小区路灯). A database
migrated by other means needs `flask search reindex` once.
"""
import importlib
import re
import unicodedata

from peewee import CharField, DateTimeField, Model, SqliteDatabase

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


def _pinyin(name):
    from pypinyin import Style, lazy_pinyin

    name = name or ""
    full = "".join(p for p in lazy_pinyin(name, errors=lambda s: list(s.casefold())) if p.isalnum())
    first = lazy_pinyin(name, style=Style.FIRST_LETTER, strict=False, errors=lambda s: list(s.casefold()))
    return full.lower()[:240], "".join(p for p in first if p.isalnum()).lower()[:80]


def _create_index(db):
    if isinstance(db, SqliteDatabase):
        db.execute_sql("CREATE VIRTUAL TABLE issue_fts USING fts5(title, category, body)")
        db.execute_sql(
            "CREATE TRIGGER issue_fts_delete AFTER DELETE ON issue "
            "BEGIN DELETE FROM issue_fts WHERE rowid = old.id; END"
        )
        sql = "INSERT INTO issue_fts (rowid, title, category, body) VALUES (?, ?, ?, ?)"
    else:
        db.execute_sql(
            "CREATE TABLE issue_search ("
            "issue_id INTEGER PRIMARY KEY REFERENCES issue (id) ON DELETE CASCADE, "
            "document TSVECTOR NOT NULL)"
        )
        db.execute_sql("CREATE INDEX issue_search_document ON issue_search USING GIN (document)")
        sql = (
            "INSERT INTO issue_search (issue_id, document) VALUES (%s, "
            "setweight(to_tsvector('simple', %s), 'A') || setweight(to_tsvector('simple', %s), 'B') "
            "|| setweight(to_tsvector('simple', %s), 'C'))"
        )
    rows = db.execute_sql(
        "SELECT issue.id, issue.title, category.name, category.name_en, issue.body FROM issue "
        "LEFT OUTER JOIN category ON category.id = issue.category_id"
    ).fetchall()
    for issue_id, title, name, name_en, body in rows:
        category = f"{name or ''} {name_en or ''}".strip()
        db.execute_sql(sql, (issue_id, _tokens(title), _tokens(category), _tokens(body)))


def _drop_index(db):
    if isinstance(db, SqliteDatabase):
        db.execute_sql("DROP TRIGGER IF EXISTS issue_fts_delete")
        db.execute_sql("DROP TABLE IF EXISTS issue_fts")
    else:
        db.execute_sql("DROP TABLE IF EXISTS issue_search")


def up(migrator, db):
    class Synonym(Model):
        word = CharField(max_length=40, unique=True)
        term = CharField(max_length=40, index=True)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "synonym"

    db.create_tables([Synonym])
    for table in ("region", "venue"):
        migrator.migrate(
            migrator.add_column(table, "pinyin", CharField(max_length=240, default="")),
            migrator.add_column(table, "initials", CharField(max_length=80, default="")),
        )
        for row_id, name in db.execute_sql(f'SELECT id, name FROM "{table}"').fetchall():
            full, initials = _pinyin(name)
            db.execute_sql(
                f'UPDATE "{table}" SET pinyin = {db.param}, initials = {db.param} WHERE id = {db.param}',
                (full, initials, row_id),
            )
        migrator.migrate(
            migrator.add_index(table, ("pinyin",), False),
            migrator.add_index(table, ("initials",), False),
        )
    _drop_index(db)
    _create_index(db)


def down(migrator, db):
    _drop_index(db)
    importlib.import_module("migrations.0002_issue_search_index").up(migrator, db)
    for table in ("region", "venue"):
        migrator.migrate(
            migrator.drop_index(table, f"{table}_initials"),
            migrator.drop_index(table, f"{table}_pinyin"),
            migrator.drop_column(table, "initials"),
            migrator.drop_column(table, "pinyin"),
        )
    db.execute_sql('DROP TABLE IF EXISTS "synonym"')

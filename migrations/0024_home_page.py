"""What the home page needs: the pinyin of venues and regions inserted in bulk without it (the
demo's, before it computed them), so the directory finds 马家店 by majiadian or mjd there too (only
empty rows change; the pinyin is computed as in 0013, frozen here); and an index on when agenda
items close, so "what is being voted on now across the city" reads only the open ones.
Plain CREATE INDEX: no table is rebuilt, so migration 0020's triggers stay."""


def _pinyin(name):
    from pypinyin import Style, lazy_pinyin

    name = name or ""
    full = "".join(p for p in lazy_pinyin(name, errors=lambda s: list(s.casefold())) if p.isalnum())
    first = lazy_pinyin(name, style=Style.FIRST_LETTER, strict=False, errors=lambda s: list(s.casefold()))
    return full.lower()[:240], "".join(p for p in first if p.isalnum()).lower()[:80]


def up(migrator, db):
    for table in ("region", "venue"):
        rows = db.execute_sql(f'SELECT id, name FROM "{table}" WHERE pinyin = \'\' AND name <> \'\'').fetchall()
        for row_id, name in rows:
            full, initials = _pinyin(name)
            db.execute_sql(
                f'UPDATE "{table}" SET pinyin = {db.param}, initials = {db.param} WHERE id = {db.param}',
                (full, initials, row_id),
            )
    db.execute_sql('CREATE INDEX IF NOT EXISTS "agenda_item_closes_at" ON "agenda_item" ("closes_at")')


def down(migrator, db):
    db.execute_sql('DROP INDEX IF EXISTS "agenda_item_closes_at"')  # the pinyin filled in stays right

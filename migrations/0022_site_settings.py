"""The site's identity set by the admins (site_settings, one row), and the large-text mode (长辈模式)
remembered on the user.

Plain ALTER TABLE and CREATE TABLE: nothing is rebuilt, so migration 0020's triggers stay. Saving
the settings moves page_version.site (a trigger, as 0020 does for categories), which every process
reads already: cached pages and each process's copy of the settings follow it.
"""
from peewee import *

TABLE = (
    "CREATE TABLE site_settings (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(40) NOT NULL,"
    " sponsor VARCHAR(80) NOT NULL, contact_phone VARCHAR(40) NOT NULL, icp VARCHAR(60) NOT NULL,"
    " about TEXT NOT NULL)"
)
SQLITE = tuple(
    f"CREATE TRIGGER site_settings_site_{when.lower()} AFTER {when} ON site_settings BEGIN"
    f" UPDATE page_version SET site = site + 1; END"
    for when in ("INSERT", "UPDATE", "DELETE")
)
# yishi_site_changed() is migration 0020's.
POSTGRES = (
    "CREATE TRIGGER site_settings_site_changed AFTER INSERT OR UPDATE OR DELETE ON site_settings"
    " FOR EACH STATEMENT EXECUTE FUNCTION yishi_site_changed()",
)


def _sqlite(db):
    return isinstance(db, SqliteDatabase)


def up(migrator, db):
    false = "0" if _sqlite(db) else "FALSE"
    kind = "INTEGER" if _sqlite(db) else "BOOLEAN"
    db.execute_sql(f'ALTER TABLE "user" ADD COLUMN large_text {kind} NOT NULL DEFAULT {false}')
    db.execute_sql(TABLE)
    for statement in SQLITE if _sqlite(db) else POSTGRES:
        db.execute_sql(statement)


def down(migrator, db):
    if _sqlite(db):
        for when in ("insert", "update", "delete"):
            db.execute_sql(f"DROP TRIGGER IF EXISTS site_settings_site_{when}")
    db.execute_sql("DROP TABLE site_settings")  # its PostgreSQL trigger goes with it
    db.execute_sql('ALTER TABLE "user" DROP COLUMN large_text')

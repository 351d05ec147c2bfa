"""Versions that say when a page must be built again, kept by the database itself.

`venue.revision` moves with every change that shows on the venue's page (its issues and their
counters, meetings, agenda items and tallies, memberships, the venue row); `issue.revision` with
every change that shows on the issue's page (the issue row, which every event touches, its
comments and agenda items); `page_version.site` with what shows on every page (categories,
regions, departments, people's names). Triggers do it, in the same transaction as the change, so
no code path can forget; a row update that already moved a version (a trigger's own) does not
move it again. A cached page keyed by these versions is never stale.
"""
from peewee import *

SQLITE = (
    # What a trigger's own bump looks like: the revision went up. Anything else is a change.
    "CREATE TRIGGER issue_changed AFTER UPDATE ON issue WHEN NEW.revision <= OLD.revision BEGIN"
    " UPDATE issue SET revision = OLD.revision + 1 WHERE id = NEW.id;"
    " UPDATE venue SET revision = revision + 1 WHERE id IN (NEW.venue_id, OLD.venue_id); END",
    "CREATE TRIGGER issue_added AFTER INSERT ON issue BEGIN"
    " UPDATE venue SET revision = revision + 1 WHERE id = NEW.venue_id; END",
    "CREATE TRIGGER issue_removed AFTER DELETE ON issue BEGIN"
    " UPDATE venue SET revision = revision + 1 WHERE id = OLD.venue_id; END",
    "CREATE TRIGGER venue_changed AFTER UPDATE ON venue WHEN NEW.revision <= OLD.revision BEGIN"
    " UPDATE venue SET revision = OLD.revision + 1 WHERE id = NEW.id; END",
    *(
        f"CREATE TRIGGER comment_{when.lower()} AFTER {when} ON comment BEGIN"
        f" UPDATE issue SET revision = revision + 1 WHERE id = {row}.issue_id; END"
        for when, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD"))
    ),
    *(
        f"CREATE TRIGGER agenda_item_{when.lower()} AFTER {when} ON agenda_item BEGIN"
        f" UPDATE issue SET revision = revision + 1 WHERE id = {row}.issue_id;"
        f" UPDATE venue SET revision = revision + 1 WHERE id = (SELECT venue_id FROM meeting WHERE id = {row}.meeting_id); END"
        for when, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD"))
    ),
    *(
        f"CREATE TRIGGER {table}_{when.lower()} AFTER {when} ON {table} BEGIN"
        f" UPDATE venue SET revision = revision + 1 WHERE id = {row}.venue_id; END"
        for table in ("meeting", "membership")
        for when, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD"))
    ),
    *(
        f"CREATE TRIGGER {table}_site_{when.lower()} AFTER {when} ON {table} BEGIN"
        f" UPDATE page_version SET site = site + 1; END"
        for table in ("category", "region", "department")
        for when in ("INSERT", "UPDATE", "DELETE")
    ),
    "CREATE TRIGGER user_renamed AFTER UPDATE OF display_name ON \"user\""
    " WHEN NEW.display_name IS NOT OLD.display_name BEGIN UPDATE page_version SET site = site + 1; END",
)
SQLITE_TRIGGERS = (
    "issue_changed", "issue_added", "issue_removed", "venue_changed",
    *(f"comment_{w}" for w in ("insert", "update", "delete")),
    *(f"agenda_item_{w}" for w in ("insert", "update", "delete")),
    *(f"{t}_{w}" for t in ("meeting", "membership") for w in ("insert", "update", "delete")),
    *(f"{t}_site_{w}" for t in ("category", "region", "department") for w in ("insert", "update", "delete")),
    "user_renamed",
)

POSTGRES = (
    """CREATE FUNCTION yishi_issue_changed() RETURNS trigger AS $$
    BEGIN
      IF TG_OP = 'UPDATE' THEN
        IF NEW.revision > OLD.revision THEN RETURN NEW; END IF;
        NEW.revision := OLD.revision + 1;
        UPDATE venue SET revision = revision + 1 WHERE id IN (NEW.venue_id, OLD.venue_id);
        RETURN NEW;
      ELSIF TG_OP = 'INSERT' THEN
        UPDATE venue SET revision = revision + 1 WHERE id = NEW.venue_id;
        RETURN NEW;
      END IF;
      UPDATE venue SET revision = revision + 1 WHERE id = OLD.venue_id;
      RETURN OLD;
    END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER issue_changed BEFORE INSERT OR UPDATE OR DELETE ON issue"
    " FOR EACH ROW EXECUTE FUNCTION yishi_issue_changed()",
    """CREATE FUNCTION yishi_venue_changed() RETURNS trigger AS $$
    BEGIN
      IF NEW.revision <= OLD.revision THEN NEW.revision := OLD.revision + 1; END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER venue_changed BEFORE UPDATE ON venue FOR EACH ROW EXECUTE FUNCTION yishi_venue_changed()",
    """CREATE FUNCTION yishi_comment_changed() RETURNS trigger AS $$
    BEGIN
      UPDATE issue SET revision = revision + 1
       WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.issue_id ELSE NEW.issue_id END;
      RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER comment_changed AFTER INSERT OR UPDATE OR DELETE ON comment"
    " FOR EACH ROW EXECUTE FUNCTION yishi_comment_changed()",
    """CREATE FUNCTION yishi_agenda_item_changed() RETURNS trigger AS $$
    DECLARE item agenda_item;
    BEGIN
      IF TG_OP = 'DELETE' THEN item := OLD; ELSE item := NEW; END IF;
      UPDATE issue SET revision = revision + 1 WHERE id = item.issue_id;
      UPDATE venue SET revision = revision + 1 WHERE id = (SELECT venue_id FROM meeting WHERE id = item.meeting_id);
      RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER agenda_item_changed AFTER INSERT OR UPDATE OR DELETE ON agenda_item"
    " FOR EACH ROW EXECUTE FUNCTION yishi_agenda_item_changed()",
    """CREATE FUNCTION yishi_venue_part_changed() RETURNS trigger AS $$
    BEGIN
      UPDATE venue SET revision = revision + 1
       WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.venue_id ELSE NEW.venue_id END;
      RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    *(
        f"CREATE TRIGGER {table}_changed AFTER INSERT OR UPDATE OR DELETE ON {table}"
        " FOR EACH ROW EXECUTE FUNCTION yishi_venue_part_changed()"
        for table in ("meeting", "membership")
    ),
    """CREATE FUNCTION yishi_site_changed() RETURNS trigger AS $$
    BEGIN
      UPDATE page_version SET site = site + 1;
      RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    *(
        f"CREATE TRIGGER {table}_site_changed AFTER INSERT OR UPDATE OR DELETE ON {table}"
        " FOR EACH STATEMENT EXECUTE FUNCTION yishi_site_changed()"
        for table in ("category", "region", "department")
    ),
    'CREATE TRIGGER user_renamed AFTER UPDATE OF display_name ON "user" FOR EACH ROW'
    " WHEN (NEW.display_name IS DISTINCT FROM OLD.display_name) EXECUTE FUNCTION yishi_site_changed()",
)
POSTGRES_DROP = (
    "DROP TRIGGER IF EXISTS issue_changed ON issue", "DROP TRIGGER IF EXISTS venue_changed ON venue",
    "DROP TRIGGER IF EXISTS comment_changed ON comment", "DROP TRIGGER IF EXISTS agenda_item_changed ON agenda_item",
    "DROP TRIGGER IF EXISTS meeting_changed ON meeting", "DROP TRIGGER IF EXISTS membership_changed ON membership",
    "DROP TRIGGER IF EXISTS category_site_changed ON category", "DROP TRIGGER IF EXISTS region_site_changed ON region",
    "DROP TRIGGER IF EXISTS department_site_changed ON department", 'DROP TRIGGER IF EXISTS user_renamed ON "user"',
    *(f"DROP FUNCTION IF EXISTS yishi_{name}()" for name in (
        "issue_changed", "venue_changed", "comment_changed", "agenda_item_changed", "venue_part_changed",
        "site_changed",
    )),
)


def _sqlite(db):
    return isinstance(db, SqliteDatabase)


def up(migrator, db):
    # Plain ALTER TABLE: peewee's add_column would rebuild the table on SQLite to make the column
    # NOT NULL, and a rebuilt table loses its triggers (the search index's, on issue).
    for table in ("venue", "issue"):
        db.execute_sql(f"ALTER TABLE {table} ADD COLUMN revision INTEGER NOT NULL DEFAULT 0")
    db.execute_sql(
        'CREATE TABLE page_version (id INTEGER NOT NULL PRIMARY KEY, site INTEGER NOT NULL)'
    )
    db.execute_sql('INSERT INTO page_version (id, site) VALUES (1, 0)')
    for statement in SQLITE if _sqlite(db) else POSTGRES:
        db.execute_sql(statement)


def down(migrator, db):
    if _sqlite(db):
        for name in SQLITE_TRIGGERS:
            db.execute_sql(f"DROP TRIGGER IF EXISTS {name}")
    else:
        for statement in POSTGRES_DROP:
            db.execute_sql(statement)
    db.execute_sql('DROP TABLE page_version')
    for table in ("issue", "venue"):
        db.execute_sql(f"ALTER TABLE {table} DROP COLUMN revision")

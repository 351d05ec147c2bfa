"""Photos on issues and on departments' answers. Adding or removing one moves the issue's revision
(see 0020), so the cached issue page shows it at once: triggers, like the comments'."""
from peewee import *

SQLITE = tuple(
    f"CREATE TRIGGER photo_{when.lower()} AFTER {when} ON photo BEGIN"
    f" UPDATE issue SET revision = revision + 1 WHERE id = {row}.issue_id; END"
    for when, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD"))
)
POSTGRES = (
    """CREATE FUNCTION yishi_photo_changed() RETURNS trigger AS $$
    BEGIN
      UPDATE issue SET revision = revision + 1
       WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.issue_id ELSE NEW.issue_id END;
      RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER photo_changed AFTER INSERT OR UPDATE OR DELETE ON photo"
    " FOR EACH ROW EXECUTE FUNCTION yishi_photo_changed()",
)


def _sqlite(db):
    return isinstance(db, SqliteDatabase)


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class Issue(Model):
        class Meta:
            database = db
            table_name = 'issue'

    class Assignment(Model):
        class Meta:
            database = db
            table_name = 'assignment'

    class Photo(Model):
        issue = ForeignKeyField(Issue, on_delete='CASCADE')
        assignment = ForeignKeyField(Assignment, null=True, on_delete='CASCADE')
        key = CharField(max_length=32, unique=True)
        format = CharField(max_length=4)
        width = IntegerField()
        height = IntegerField()
        thumb_width = IntegerField()
        thumb_height = IntegerField()
        alt = CharField(max_length=200)
        position = IntegerField(default=0)
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'photo'
            indexes = ((('issue', 'assignment', 'position'), False),)

    db.create_tables([Photo])
    for statement in SQLITE if _sqlite(db) else POSTGRES:
        db.execute_sql(statement)


def down(migrator, db):
    if _sqlite(db):
        for when in ("insert", "update", "delete"):
            db.execute_sql(f"DROP TRIGGER IF EXISTS photo_{when}")
    else:
        db.execute_sql("DROP TRIGGER IF EXISTS photo_changed ON photo")
        db.execute_sql("DROP FUNCTION IF EXISTS yishi_photo_changed()")
    migrator.migrate(migrator.drop_table('photo'))

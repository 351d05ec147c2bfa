"""Say in the audit log when the site acted by itself (a hide after three reports), rather than
showing such an entry as made on the command line. Earlier automatic hides are found by their note."""
from peewee import *

def up(migrator, db):
    migrator.migrate(migrator.add_column('audit_log', 'automatic', BooleanField(default=False)))
    db.execute_sql(
        f"UPDATE audit_log SET automatic = {db.param} WHERE actor_id IS NULL AND note LIKE {db.param}",
        (True, "hidden automatically%"),
    )

def down(migrator, db):
    migrator.migrate(migrator.drop_column('audit_log', 'automatic'))

"""Say in the audit log when the site acted by itself (a hide after three reports), rather than
showing such an entry as made on the command line. Earlier automatic hides are found by their note."""
from peewee import *

def up(migrator, db):
    migrator.migrate(migrator.add_column('audit_log', 'automatic', BooleanField(default=False)))
    db.execute_sql(
        "UPDATE audit_log SET automatic = %s WHERE actor_id IS NULL AND note LIKE 'hidden automatically%%'"
        % ("1" if db.__class__.__name__.startswith("Sqlite") else "TRUE")
    )


def down(migrator, db):
    migrator.migrate(migrator.drop_column('audit_log', 'automatic'))

"""Trust: a session version on each account (raised to end its sessions), the time a person deleted
their account, and the one-time submission keys with the first answer each got."""
from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_column('user', 'session_version', IntegerField(default=0)),
        migrator.add_column('user', 'deleted_at', DateTimeField(null=True)),
    )

    class Submission(Model):
        token = CharField(unique=True, max_length=64)
        status = IntegerField(default=0)
        location = CharField(max_length=2000, default='')
        content_type = CharField(max_length=100, default='')
        body = TextField(default='')
        created_at = DateTimeField(index=True)
        class Meta:
            database = db
            table_name = 'submission'
    db.create_tables([Submission])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('submission'))
    migrator.migrate(
        migrator.drop_column('user', 'deleted_at'),
        migrator.drop_column('user', 'session_version'),
    )

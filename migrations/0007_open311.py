"""Open311 GeoReport v2: the API keys other civic software files requests with (kept hashed,
with their rate-limit window), and what each request brought beside its issue."""
from peewee import *


def up(migrator, db):
    class Issue(Model):
        class Meta:
            database = db
            table_name = 'issue'

    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class ApiKey(Model):
        name = CharField(max_length=80)
        key_hash = CharField(unique=True, max_length=64)
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        revoked_at = DateTimeField(null=True)
        last_used_at = DateTimeField(null=True)
        window_started_at = DateTimeField(null=True)
        window_count = IntegerField(default=0)
        class Meta:
            database = db
            table_name = 'api_key'
    db.create_tables([ApiKey])

    class Open311Request(Model):
        issue = ForeignKeyField(Issue, unique=True, on_delete='CASCADE')
        api_key = ForeignKeyField(ApiKey, null=True, on_delete='SET NULL')
        media_url = CharField(max_length=500, default='')
        address_id = CharField(max_length=100, default='')
        zipcode = CharField(max_length=20, default='')
        account_id = CharField(max_length=100, default='')
        device_id = CharField(max_length=100, default='')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'open311_request'
    db.create_tables([Open311Request])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('open311_request'))
    migrator.migrate(migrator.drop_table('api_key'))

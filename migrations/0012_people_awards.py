"""Service records, deputy groups' fields and good-suggestion awards: the link of a deputy group to
the categories of its field, the awards (one per issue, with year and citation), and the indexes
that let a service record count a person's work per year without a scan."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class Issue(Model):
        class Meta:
            database = db
            table_name = 'issue'

    class Category(Model):
        class Meta:
            database = db
            table_name = 'category'

    class DeputyGroup(Model):
        class Meta:
            database = db
            table_name = 'deputy_group'

    class DeputyGroupCategory(Model):
        group = ForeignKeyField(DeputyGroup, on_delete='CASCADE')
        category = ForeignKeyField(Category, on_delete='CASCADE')

        class Meta:
            database = db
            table_name = 'deputy_group_category'
            indexes = ((('group', 'category'), True),)

    class Award(Model):
        issue = ForeignKeyField(Issue, unique=True, on_delete='CASCADE')
        year = IntegerField()
        citation = TextField()
        awarded_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        awarded_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'award'
            indexes = ((('year', 'awarded_at'), False),)

    db.create_tables([DeputyGroupCategory, Award])
    migrator.migrate(migrator.add_index('event', ('actor_id', 'created_at')))
    migrator.migrate(migrator.add_index('meeting', ('created_by_id', 'starts_at')))
    migrator.migrate(migrator.add_index('issue', ('recorded_by_id', 'created_at')))
    migrator.migrate(migrator.add_index('issue', ('category_id', 'created_at')))


def down(migrator, db):
    migrator.migrate(migrator.drop_index('issue', 'issue_category_id_created_at'))
    migrator.migrate(migrator.drop_index('issue', 'issue_recorded_by_id_created_at'))
    migrator.migrate(migrator.drop_index('meeting', 'meeting_created_by_id_starts_at'))
    migrator.migrate(migrator.drop_index('event', 'event_actor_id_created_at'))
    migrator.migrate(migrator.drop_table('award'))
    migrator.migrate(migrator.drop_table('deputy_group_category'))

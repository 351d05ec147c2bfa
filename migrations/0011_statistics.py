"""Statistics: summary rows kept in the same transaction as every change of an issue (see
domain/stats.py), and what each issue adds to them.

Backfill: the rows are counted from the issues with app code (keyword extraction needs jieba), which
a migration does not import, so `flask db upgrade` runs `flask stats recount` itself when it has
just applied this migration. A database upgraded any other way needs `flask stats recount` once.
"""
from peewee import *


def up(migrator, db):
    class Issue(Model):
        class Meta:
            database = db
            table_name = 'issue'

    class StatIssue(Model):
        issue = ForeignKeyField(Issue, primary_key=True, on_delete='CASCADE')
        snapshot = TextField(null=True)
        words = TextField(null=True)

        class Meta:
            database = db
            table_name = 'stat_issue'

    class StatCount(Model):
        town = IntegerField()
        category = IntegerField()
        month = IntegerField()
        dim = CharField(max_length=12)
        value = CharField(max_length=40, default='')
        metric = CharField(max_length=20)
        bucket = IntegerField(default=0)
        count = IntegerField(default=0)

        class Meta:
            database = db
            table_name = 'stat_count'
            indexes = (
                (('town', 'category', 'month', 'dim', 'value', 'metric', 'bucket'), True),
                (('dim', 'value', 'category', 'town'), False),
            )

    class StatKeyword(Model):
        town = IntegerField()
        category = IntegerField()
        month = IntegerField()
        word = CharField(max_length=40)
        count = IntegerField(default=0)

        class Meta:
            database = db
            table_name = 'stat_keyword'
            indexes = ((('town', 'category', 'month', 'word'), True),)

    db.create_tables([StatIssue, StatCount, StatKeyword])


def down(migrator, db):
    db.execute_sql('DROP TABLE stat_keyword')
    db.execute_sql('DROP TABLE stat_count')
    db.execute_sql('DROP TABLE stat_issue')

"""The special report (民情专报): numbered per year (第N期) when published, draft or published, a
correction refers to the report it corrects, and who published it. A draft has no number yet.

A report published before this migration keeps its number, in the year it was published.
"""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class Report(Model):
        class Meta:
            database = db
            table_name = 'report'

    migrator.migrate(migrator.drop_index('report', 'report_number'))
    migrator.migrate(migrator.drop_not_null('report', 'number'))
    migrator.migrate(migrator.add_column('report', 'year', IntegerField(null=True)))
    migrator.migrate(migrator.add_column('report', 'state', CharField(max_length=10, default='draft')))
    migrator.migrate(migrator.add_column('report', 'published_by_id', ForeignKeyField(User, field=User.id, null=True, on_delete='SET NULL')))
    migrator.migrate(migrator.add_column('report', 'corrects_id', ForeignKeyField(Report, field=Report.id, null=True, on_delete='RESTRICT')))
    migrator.migrate(migrator.add_column('report', 'item_count', IntegerField(default=0)))
    migrator.migrate(migrator.add_column('report', 'updated_at', DateTimeField(null=True)))
    db.execute_sql('UPDATE report SET updated_at = created_at')
    migrator.migrate(migrator.add_not_null('report', 'updated_at'))
    rows = db.execute_sql('SELECT id, published_at FROM report WHERE published_at IS NOT NULL').fetchall()
    for report_id, published_at in rows:
        year = int(str(published_at)[:4])
        db.execute_sql(f"UPDATE report SET state = 'published', year = {db.param} WHERE id = {db.param}",
                       (year, report_id))
    db.execute_sql('UPDATE report SET item_count = (SELECT COUNT(*) FROM report_item WHERE report_item.report_id = report.id)')
    migrator.migrate(migrator.add_index('report', ('year', 'number'), unique=True))
    migrator.migrate(migrator.add_index('report', ('state', 'published_at')))
    migrator.migrate(migrator.add_index('report_item', ('issue_id', 'report_id')))
    migrator.migrate(migrator.add_index('issue', ('level', 'status')))


def down(migrator, db):
    migrator.migrate(migrator.drop_index('issue', 'issue_level_status'))
    migrator.migrate(migrator.drop_index('report_item', 'report_item_issue_id_report_id'))
    migrator.migrate(migrator.drop_index('report', 'report_state_published_at'))
    migrator.migrate(migrator.drop_index('report', 'report_year_number'))
    migrator.migrate(migrator.drop_index('report', 'report_corrects_id'))
    migrator.migrate(migrator.drop_index('report', 'report_published_by_id'))
    migrator.migrate(migrator.drop_column('report', 'updated_at'))
    migrator.migrate(migrator.drop_column('report', 'item_count'))
    migrator.migrate(migrator.drop_column('report', 'corrects_id'))
    migrator.migrate(migrator.drop_column('report', 'published_by_id'))
    migrator.migrate(migrator.drop_column('report', 'state'))
    migrator.migrate(migrator.drop_column('report', 'year'))
    db.execute_sql('DELETE FROM report WHERE number IS NULL')
    migrator.migrate(migrator.add_not_null('report', 'number'))
    migrator.migrate(migrator.add_index('report', ('number',), unique=True))

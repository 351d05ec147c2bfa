"""The closed loop: assignments are signed for, answered with a grade, returned, extended and
urged; co-handling departments; one rating per round; a log of reminders sent.

Assignments made before this migration are brought to the state their issue shows.
"""
from peewee import *

def up(migrator, db):
    class Assignment(Model):
        class Meta:
            database = db
            table_name = 'assignment'

    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class Reminder(Model):
        assignment = ForeignKeyField(Assignment, on_delete='CASCADE')
        user = ForeignKeyField(User, on_delete='CASCADE')
        sent_on = DateField()
        class Meta:
            database = db
            table_name = 'reminder'
            indexes = ((('assignment', 'user', 'sent_on'), True),)
    db.create_tables([Reminder])

    migrator.migrate(migrator.add_column('assignment', 'role', CharField(max_length=4, default='lead')))
    migrator.migrate(migrator.add_column('assignment', 'state', CharField(max_length=10, default='assigned')))
    migrator.migrate(migrator.add_column('assignment', 'due_provisional', BooleanField(default=False)))
    migrator.migrate(migrator.add_column('assignment', 'sign_due_on', DateField(null=True)))
    migrator.migrate(migrator.add_column('assignment', 'signed_at', DateTimeField(null=True)))
    migrator.migrate(migrator.add_column('assignment', 'signed_by_id', ForeignKeyField(User, field=User.id, null=True, on_delete='SET NULL')))
    migrator.migrate(migrator.add_column('assignment', 'answer_kind', CharField(max_length=10, default='')))
    migrator.migrate(migrator.add_column('assignment', 'grade', CharField(max_length=1, default='')))
    migrator.migrate(migrator.add_column('assignment', 'answered_by_id', ForeignKeyField(User, field=User.id, null=True, on_delete='SET NULL')))
    migrator.migrate(migrator.add_column('assignment', 'return_reason', TextField(default='')))
    migrator.migrate(migrator.add_column('assignment', 'extension_state', CharField(max_length=10, default='')))
    migrator.migrate(migrator.add_column('assignment', 'extension_until', DateField(null=True)))
    migrator.migrate(migrator.add_column('assignment', 'extension_reason', TextField(default='')))
    migrator.migrate(migrator.add_column('assignment', 'urge_count', IntegerField(default=0)))
    migrator.migrate(migrator.add_column('assignment', 'closed_at', DateTimeField(null=True)))
    migrator.migrate(migrator.add_column('feedback', 'round', IntegerField(default=1)))
    migrator.migrate(migrator.add_index('assignment', ('department_id', 'state', 'due_on')))
    migrator.migrate(migrator.add_index('assignment', ('issue_id', 'state')))
    migrator.migrate(migrator.add_index('feedback', ('issue_id', 'round'), unique=True))
    db.execute_sql(
        "UPDATE assignment SET state = 'answered', closed_at = responded_at, answer_kind = "
        "(SELECT CASE WHEN issue.status = 'explained' THEN 'explained' ELSE 'resolved' END "
        "FROM issue WHERE issue.id = assignment.issue_id) WHERE responded_at IS NOT NULL"
    )
    db.execute_sql(
        "UPDATE assignment SET state = 'signed', signed_at = created_at WHERE responded_at IS NULL "
        "AND issue_id IN (SELECT id FROM issue WHERE status = 'in_progress')"
    )


def down(migrator, db):
    migrator.migrate(migrator.drop_index('feedback', 'feedback_issue_id_round'))
    migrator.migrate(migrator.drop_index('assignment', 'assignment_signed_by_id'))
    migrator.migrate(migrator.drop_index('assignment', 'assignment_issue_id_state'))
    migrator.migrate(migrator.drop_index('assignment', 'assignment_department_id_state_due_on'))
    migrator.migrate(migrator.drop_index('assignment', 'assignment_answered_by_id'))
    migrator.migrate(migrator.drop_column('feedback', 'round'))
    migrator.migrate(migrator.drop_column('assignment', 'closed_at'))
    migrator.migrate(migrator.drop_column('assignment', 'urge_count'))
    migrator.migrate(migrator.drop_column('assignment', 'extension_reason'))
    migrator.migrate(migrator.drop_column('assignment', 'extension_until'))
    migrator.migrate(migrator.drop_column('assignment', 'extension_state'))
    migrator.migrate(migrator.drop_column('assignment', 'return_reason'))
    migrator.migrate(migrator.drop_column('assignment', 'answered_by_id'))
    migrator.migrate(migrator.drop_column('assignment', 'grade'))
    migrator.migrate(migrator.drop_column('assignment', 'answer_kind'))
    migrator.migrate(migrator.drop_column('assignment', 'signed_by_id'))
    migrator.migrate(migrator.drop_column('assignment', 'signed_at'))
    migrator.migrate(migrator.drop_column('assignment', 'sign_due_on'))
    migrator.migrate(migrator.drop_column('assignment', 'due_provisional'))
    migrator.migrate(migrator.drop_column('assignment', 'state'))
    migrator.migrate(migrator.drop_column('assignment', 'role'))
    migrator.migrate(migrator.drop_table('reminder'))

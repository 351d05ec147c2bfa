"""Indexes for the ledger (台账): its rows are the latest lead assignment of each issue, walked in
due-date or assigned-date order with the id as tie-break (the keyset cursor), and "latest" is
checked by a probe for a later lead of the same issue."""
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_index('assignment', ('role', 'due_on', 'id')))
    migrator.migrate(migrator.add_index('assignment', ('role', 'created_at', 'id')))
    migrator.migrate(migrator.add_index('assignment', ('issue_id', 'role', 'id')))


def down(migrator, db):
    migrator.migrate(migrator.drop_index('assignment', 'assignment_issue_id_role_id'))
    migrator.migrate(migrator.drop_index('assignment', 'assignment_role_created_at_id'))
    migrator.migrate(migrator.drop_index('assignment', 'assignment_role_due_on_id'))

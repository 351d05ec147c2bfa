"""Indexes that find the officials whose names no one else may take (domain/accounts.py): verified
councillors and deputies by role, and site admins, without reading every member or account."""
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_index('membership', ('role', 'status', 'user_id')))
    migrator.migrate(migrator.add_index('user', ('is_admin',)))


def down(migrator, db):
    migrator.migrate(migrator.drop_index('user', 'user_is_admin'))
    migrator.migrate(migrator.drop_index('membership', 'membership_role_status_user_id'))

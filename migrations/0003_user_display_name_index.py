"""Index users' display names, so the administration finds people by name through an index."""
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_index('user', ('display_name',)))


def down(migrator, db):
    migrator.migrate(migrator.drop_index('user', 'user_display_name'))

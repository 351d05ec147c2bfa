"""Index meetings by start time, so the site-wide calendar reads only the meetings it lists."""
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_index('meeting', ('starts_at',), False))


def down(migrator, db):
    migrator.migrate(migrator.drop_index('meeting', 'meeting_starts_at'))

# Generated from a schema diff on 2026-12-03 07:06.
from peewee import *

def up(migrator, db):
    migrator.migrate(migrator.add_column('user', 'email', CharField(null=True, max_length=120)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column('user', 'email'))

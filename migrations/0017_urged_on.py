"""The day an assignment was last urged: one urging a day per item, decided by the row itself."""
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_column('assignment', 'last_urged_on', DateField(null=True)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column('assignment', 'last_urged_on'))

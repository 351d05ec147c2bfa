"""Drop the indexes that another index of the same table already covers: each one only cost every
附议 and 关注 another write (a support's row is three index entries, a follow's five).

support (issue_id) and follow (issue_id) are the first column of the unique (issue_id, user_id);
follow (user_id) is the first column of (user_id, issue_id). support (user_id) stays: no other
index begins with it.
"""
from peewee import *

DROPPED = (("support", "support_issue_id", "issue_id"), ("follow", "follow_issue_id", "issue_id"),
           ("follow", "follow_user_id", "user_id"))


def up(migrator, db):
    for _table, index, _column in DROPPED:
        db.execute_sql(f'DROP INDEX IF EXISTS "{index}"')


def down(migrator, db):
    for table, index, column in DROPPED:
        db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{index}" ON "{table}" ("{column}")')

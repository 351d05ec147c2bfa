"""Trust: a session version on each account (raised to end its sessions), the time a person deleted
their account, and the one-time submission keys with the first answer each got. The audit trail's
earlier snapshots get their phone numbers masked, as new ones are (PIPL)."""
import json
import re

from peewee import *

PHONE_FIELDS = ('phone', 'reporter_contact')


def _mask(value):
    # All but the last four digits hidden (as domain/audit.mask_phone does; migrations import no app code).
    if not isinstance(value, str) or not value:
        return value
    digits = sum(ch.isdigit() for ch in value)
    seen = [0]

    def hide(match):
        seen[0] += 1
        return match.group() if seen[0] > digits - 4 else '*'

    return re.sub(r'\d', hide, value)


def mask_audit_phones(db):
    """Mask the phone numbers that audit snapshots written before this migration hold in clear."""
    p = db.param
    rows = db.execute_sql(
        f"SELECT id, before, after FROM audit_log WHERE before LIKE {p} OR after LIKE {p} "
        f"OR before LIKE {p} OR after LIKE {p}",
        ('%"phone"%', '%"phone"%', '%"reporter_contact"%', '%"reporter_contact"%'),
    ).fetchall()
    for row_id, before, after in rows:
        masked = []
        for text in (before, after):
            data = json.loads(text) if text else None
            if isinstance(data, dict):
                for key in PHONE_FIELDS:
                    if key in data:
                        data[key] = _mask(data[key])
            masked.append(None if data is None else json.dumps(data, ensure_ascii=False, sort_keys=True))
        db.execute_sql(f'UPDATE audit_log SET before = {db.param}, after = {db.param} WHERE id = {db.param}',
                       (masked[0], masked[1], row_id))


def up(migrator, db):
    migrator.migrate(
        migrator.add_column('user', 'session_version', IntegerField(default=0)),
        migrator.add_column('user', 'deleted_at', DateTimeField(null=True)),
    )

    class Submission(Model):
        token = CharField(unique=True, max_length=64)
        status = IntegerField(default=0)
        location = CharField(max_length=2000, default='')
        content_type = CharField(max_length=100, default='')
        body = TextField(default='')
        created_at = DateTimeField(index=True)
        class Meta:
            database = db
            table_name = 'submission'
    db.create_tables([Submission])
    mask_audit_phones(db)


def down(migrator, db):
    migrator.migrate(migrator.drop_table('submission'))
    migrator.migrate(
        migrator.drop_column('user', 'deleted_at'),
        migrator.drop_column('user', 'session_version'),
    )

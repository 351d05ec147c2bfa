"""Secret ballots and personal verification codes.

Who took part (participation) is stored apart from what they chose (ballot: no voter, no time).
Existing votes move over: on a closed item the ballots keep no reference at all and are written
in a random order; on an item still open they are found by a keyed reference (an HMAC of voter and
item under a fresh per-item secret), as domain/voting.py computes it, until the close destroys it.
The vote table is dropped: going down cannot bring back who voted how, by design.
"""
import datetime
import hashlib
import hmac
import random
import secrets

from peewee import *


def _ref(key, user_id, item_id):
    # The same reference as domain.voting.ballot_ref (migrations import no app code).
    return hmac.new(bytes.fromhex(key), f"{int(item_id)}:{int(user_id)}".encode(), hashlib.sha256).hexdigest()


def up(migrator, db):
    # Read the votes first: on SQLite adding a NOT NULL column rebuilds agenda_item, and dropping
    # the old table cascades to the rows that refer to it.
    votes = db.execute_sql('SELECT item_id, user_id, choice FROM vote ORDER BY item_id').fetchall()
    migrator.migrate(
        migrator.add_column('agenda_item', 'open_poll', BooleanField(default=False)),
        migrator.add_column('agenda_item', 'live_count', BooleanField(default=False)),
        migrator.add_column('agenda_item', 'ballot_key', CharField(null=True, max_length=64)),
    )

    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class Venue(Model):
        voting_open_to_all = BooleanField()
        class Meta:
            database = db
            table_name = 'venue'

    class Meeting(Model):
        venue = ForeignKeyField(Venue)
        class Meta:
            database = db
            table_name = 'meeting'

    class AgendaItem(Model):
        meeting = ForeignKeyField(Meeting)
        opens_at = DateTimeField(null=True)
        closes_at = DateTimeField(null=True)
        result = CharField(null=True)
        open_poll = BooleanField(default=False)
        ballot_key = CharField(null=True, max_length=64)
        class Meta:
            database = db
            table_name = 'agenda_item'

    class Participation(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        item = ForeignKeyField(AgendaItem, on_delete='CASCADE')
        class Meta:
            database = db
            table_name = 'participation'
            indexes = ((('item', 'user'), True),)

    class Ballot(Model):
        item = ForeignKeyField(AgendaItem, on_delete='CASCADE')
        choice = CharField(max_length=8)
        ref = CharField(null=True, max_length=64)
        class Meta:
            database = db
            table_name = 'ballot'
            indexes = ((('item', 'ref'), True),)

    class PersonalCode(Model):
        venue = ForeignKeyField(Venue, on_delete='CASCADE')
        number = IntegerField()
        code_hash = CharField(unique=True, max_length=64)
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        used_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        used_at = DateTimeField(null=True)
        revoked_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        revoked_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'personal_code'
            indexes = ((('venue', 'number'), True), (('venue', 'used_by'), True))

    db.create_tables([Participation, Ballot, PersonalCode])

    # Items whose window is set were called for whoever the venue let vote then: the best record
    # there is of whether they were open polls.
    open_venues = Venue.select(Venue.id).where(Venue.voting_open_to_all == True)  # noqa: E712
    open_meetings = Meeting.select(Meeting.id).where(Meeting.venue.in_(open_venues))
    (AgendaItem.update(open_poll=True)
     .where(AgendaItem.opens_at.is_null(False) & AgendaItem.meeting.in_(open_meetings))
     .execute())

    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    shuffle = random.SystemRandom().shuffle
    by_item = {}
    for item_id, user_id, choice in votes:
        by_item.setdefault(item_id, []).append((user_id, choice))
    for item_id, cast in by_item.items():
        item = AgendaItem.get_by_id(item_id)
        still_open = item.result is None and item.closes_at is not None and item.closes_at > now
        key = secrets.token_hex(32) if still_open else None
        if key:
            AgendaItem.update(ballot_key=key).where(AgendaItem.id == item_id).execute()
        users = [user_id for user_id, _ in cast]
        shuffle(users)
        ballots = [{'item': item_id, 'choice': choice, 'ref': _ref(key, user_id, item_id) if key else None}
                   for user_id, choice in cast]
        shuffle(ballots)
        for start in range(0, len(users), 500):
            Participation.insert_many(
                [{'item': item_id, 'user': user_id} for user_id in users[start:start + 500]]
            ).execute()
            Ballot.insert_many(ballots[start:start + 500]).execute()

    migrator.migrate(migrator.drop_table('vote'))


def down(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class AgendaItem(Model):
        class Meta:
            database = db
            table_name = 'agenda_item'

    class Vote(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        item = ForeignKeyField(AgendaItem, on_delete='CASCADE')
        choice = CharField(max_length=8)
        created_at = DateTimeField()
        updated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'vote'
            indexes = ((('item', 'user'), True),)

    db.create_tables([Vote])
    migrator.migrate(
        migrator.drop_table('personal_code'),
        migrator.drop_table('ballot'),
        migrator.drop_table('participation'),
        migrator.drop_column('agenda_item', 'ballot_key'),
        migrator.drop_column('agenda_item', 'live_count'),
        migrator.drop_column('agenda_item', 'open_poll'),
    )

"""Ballot secrecy that survives the operator (issue 13): who took part is stored apart from what
they chose; while open a ballot is found only by a keyed reference; at the close the key and the
references are destroyed, and nothing in the database links a choice to a person any more."""
import importlib
import re
from datetime import timedelta

import pytest
from playhouse.migrate import SchemaMigrator
from world import EN, World, login, text

import models
from domain import deliberation, voting
from models import AgendaItem, AuditLog, Ballot, Participation

HX = {"HX-Request": "true", "Accept-Language": "en"}


@pytest.fixture
def world(make):
    return World(make)


def voters(world, n):
    users = []
    for _ in range(n):
        user = world.make.user()
        world.make.member(user, world.venue)
        users.append(user)
    return users


def everything_in_the_database(db):
    """Every value of every row of every table, as one text: what an operator could read."""
    parts = []
    for table in db.get_tables():
        for row in db.execute_sql(f'SELECT * FROM "{table}"').fetchall():
            parts.append(" ".join(str(value) for value in row))
    return "\n".join(parts)


def test_the_tables_keep_no_link_between_voter_and_choice(db):
    ballot = {column.name: column.data_type.lower() for column in db.get_columns("ballot")}
    participation = {column.name for column in db.get_columns("participation")}
    assert set(ballot) == {"id", "item_id", "choice", "ref"}  # no voter
    assert not any("date" in kind or "time" in kind for kind in ballot.values())  # no time
    assert participation == {"id", "user_id", "item_id"}  # no choice, no time
    assert "vote" not in db.get_tables()


def test_after_the_close_nothing_links_a_choice_to_a_person(db, world):
    item = world.item(quorum_value=1)
    people = voters(world, 30)
    plan = [("yes", "no")[n % 2] for n in range(len(people))]
    for user, choice in zip(people, plan, strict=True):
        deliberation.cast(item, user, choice)
    deliberation.cast(item, people[0], "abstain")  # a change of mind while open
    key = AgendaItem.get_by_id(item.id).ballot_key
    refs = {ballot.ref for ballot in Ballot.select().where(Ballot.item == item.id)}
    assert key and len(refs) == len(people) and None not in refs
    assert voting.ballot_ref(key, people[0].id, item.id) in refs  # the key finds a ballot while open
    order_before = [b.choice for b in Ballot.select().where(Ballot.item == item.id).order_by(Ballot.id)]

    deliberation.close_early(item, world.councillor, "会上已表决")

    closed = AgendaItem.get_by_id(item.id)
    assert closed.ballot_key is None and closed.result == "rejected"
    ballots = list(Ballot.select().where(Ballot.item == item.id).order_by(Ballot.id))
    assert all(ballot.ref is None for ballot in ballots)
    assert sorted(b.choice for b in ballots) == sorted(["abstain"] + plan[1:])
    # Stored again in a random order: not even the row order follows the order people voted in.
    assert [b.choice for b in ballots] != order_before
    assert Participation.select().where(Participation.item == item.id).count() == len(people)
    # The operator reads every table: neither the key nor any reference is left anywhere
    # (audit trail and timeline included).
    dump = everything_in_the_database(db)
    assert key not in dump
    assert not any(ref in dump for ref in refs)
    assert AuditLog.select().where(AuditLog.action == "agenda_item.close_early").exists()
    # Not even the voter finds their choice again; they only know they took part.
    assert deliberation.own_choice(closed, people[0]) is None
    assert deliberation.took_part(closed, people[0])
    assert (closed.yes_count, closed.no_count, closed.abstain_count) == (14, 15, 1)


def test_a_close_by_the_clock_destroys_the_key_at_the_first_read(world, monkeypatch):
    item = world.item()
    deliberation.cast(item, world.resident, "yes")
    assert AgendaItem.get_by_id(item.id).ballot_key
    later = item.closes_at + timedelta(seconds=1)
    monkeypatch.setattr(deliberation, "clock", lambda: later)
    deliberation.load_item(item.id)
    assert AgendaItem.get_by_id(item.id).ballot_key is None
    assert Ballot.get(Ballot.item == item.id).ref is None


def test_remind_seals_every_closed_vote_nobody_read(runner, world, monkeypatch):
    item = world.item()
    deliberation.cast(item, world.resident, "yes")
    later = item.closes_at + timedelta(seconds=1)
    monkeypatch.setattr(deliberation, "clock", lambda: later)
    result = runner.invoke(args=["remind"])
    assert result.exit_code == 0, result.output
    assert "1 closed votes counted and their ballots unlinked" in result.output
    fresh = AgendaItem.get_by_id(item.id)
    assert fresh.result and fresh.ballot_key is None


def test_changing_a_ballot_while_open_changes_the_one_ballot(client, auth, world):
    item = world.item()
    login(auth, "resident")
    for choice in ("yes", "no", "abstain", "no"):
        assert client.post(f"/items/{item.id}/vote", data={"choice": choice}).status_code == 303
    fresh = AgendaItem.get_by_id(item.id)
    assert (fresh.yes_count, fresh.no_count, fresh.abstain_count) == (0, 1, 0)
    assert Ballot.select().count() == 1 and Ballot.get().choice == "no"
    assert Participation.select().count() == 1
    assert "You voted: no." in text(client.get(f"/items/{item.id}", headers=EN))


def test_the_tally_shows_turnout_only_while_open(client, world, monkeypatch):
    item = world.item()
    deliberation.cast(item, world.resident, "yes")
    deliberation.cast(item, world.resident2, "no")
    body = text(client.get(f"/items/{item.id}/tally?seen=open", headers=HX))
    assert "2 residents voted" in body
    assert "data-choice" not in body and "The vote is secret" in body
    page = text(client.get(f"/items/{item.id}", headers=EN))
    assert "data-choice" not in page
    # At the close, the counts.
    later = item.closes_at + timedelta(seconds=1)
    monkeypatch.setattr(deliberation, "clock", lambda: later)
    body = text(client.get(f"/items/{item.id}/tally?seen=open", headers=HX))
    assert 'data-choice="yes">1<' in body and 'data-choice="no">1<' in body


def test_a_show_of_hands_shows_the_live_count_labelled_so(client, auth, world):
    item = world.item(state="draft")
    login(auth, "councillor")
    closes = (deliberation.clock() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"/items/{item.id}/window", data={"closes_at": closes, "live_count": "y"})
    assert response.status_code == 303
    assert AgendaItem.get_by_id(item.id).live_count
    deliberation.cast(AgendaItem.get_by_id(item.id), world.resident, "yes")
    body = text(client.get(f"/items/{item.id}/tally?seen=open", headers=HX))
    assert 'data-choice="yes">1<' in body and "Live count" in body and "show of hands" in body


def test_the_window_form_leaves_the_vote_secret_by_default(client, auth, world):
    item = world.item(state="draft")
    login(auth, "councillor")
    closes = (deliberation.clock() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    assert client.post(f"/items/{item.id}/window", data={"closes_at": closes}).status_code == 303
    assert not AgendaItem.get_by_id(item.id).live_count


def test_the_tally_etag_does_not_move_when_a_ballot_changes(client, world):
    item = world.item()
    deliberation.cast(item, world.resident, "yes")
    first = client.get(f"/items/{item.id}/tally?seen=open", headers=HX)
    deliberation.cast(item, world.resident, "no")
    again = client.get(f"/items/{item.id}/tally?seen=open", headers={**HX, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


# Migration 0014 moves the old votes over -----------------------------------------------------

def test_the_migration_moves_votes_and_unlinks_closed_ones(db, world):
    migration = importlib.import_module("migrations.0014_verification_ballots")
    open_item = world.item()
    closed_item = world.item(state="closed")
    migrator = SchemaMigrator.from_database(db.obj)
    migration.down(migrator, db.obj)
    now = models.utcnow()
    for item, user, choice in ((open_item, world.resident, "yes"), (open_item, world.resident2, "no"),
                               (closed_item, world.resident, "abstain")):
        db.execute_sql(
            f"INSERT INTO vote (user_id, item_id, choice, created_at, updated_at) VALUES "
            f"({db.obj.param}, {db.obj.param}, {db.obj.param}, {db.obj.param}, {db.obj.param})",
            (user.id, item.id, choice, now, now),
        )
    migration.up(migrator, db.obj)
    assert "vote" not in db.get_tables()
    assert Participation.select().count() == 3
    closed_ballots = list(Ballot.select().where(Ballot.item == closed_item.id))
    assert [(b.choice, b.ref) for b in closed_ballots] == [("abstain", None)]
    assert AgendaItem.get_by_id(closed_item.id).ballot_key is None
    # The open vote goes on: each voter finds their ballot and can change it.
    fresh = AgendaItem.get_by_id(open_item.id)
    assert fresh.ballot_key
    assert deliberation.own_choice(fresh, world.resident) == "yes"
    assert deliberation.own_choice(fresh, world.resident2) == "no"
    fresh.yes_count, fresh.no_count = 1, 1
    fresh.save()
    deliberation.cast(fresh, world.resident2, "yes")
    assert Ballot.select().where((Ballot.item == open_item.id) & (Ballot.choice == "yes")).count() == 2


def test_no_page_names_a_voter_after_the_close(client, auth, world):
    item = world.item()
    deliberation.cast(item, world.resident, "yes")
    deliberation.close_early(item, world.councillor, "会上已表决")
    for username in (None, "councillor", "admin"):
        auth.logout()
        login(auth, username)
        page = text(client.get(f"/items/{item.id}", headers=EN))
        assert "张大姐" not in page and not re.search(r"You voted: \w", page)

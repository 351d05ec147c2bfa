"""models.Prepared: statements whose SQL is made once, giving what peewee's own queries give."""
import datetime

import pytest
from peewee import PostgresqlDatabase
from world import World

from domain import participation
from models import Issue, Prepared, Slot, Support, User, Venue, utcnow


def test_an_issue_comes_with_its_venue_as_peewee_would_load_them(make):
    world = World(make)
    issue = world.issue(title="路灯不亮")
    loaded = Issue.with_its_venue(issue.id)
    expected = Issue.select(Issue, Venue).join(Venue).where(Issue.id == issue.id).get()
    assert loaded.__data__ == expected.__data__ and loaded.venue.__data__ == expected.venue.__data__
    assert loaded.venue.slug == "yangguang" and not loaded.is_dirty() and not loaded.venue.is_dirty()
    assert Issue.with_its_venue(issue.id + 1000) is None


def test_an_account_loads_only_while_active_and_a_deleted_name_reads_as_former_resident(make):
    world = World(make)
    user = world.resident
    assert User.active_by_id(user.id).username == user.username
    User.update(display_name="").where(User.id == user.id).execute()
    assert str(User.active_by_id(user.id).display_name) == "former resident"
    User.update(active=False).where(User.id == user.id).execute()
    assert User.active_by_id(user.id) is None


def test_a_time_given_by_slot_is_the_time_it_runs_not_when_its_text_was_made(make):
    world = World(make)
    issue = world.issue(author=world.councillor)
    participation.support(world.resident, issue)
    first = Support.get(Support.issue == issue.id).created_at
    participation.withdraw_support(world.resident, issue)
    participation.support(world.resident, issue)
    assert Support.get(Support.issue == issue.id).created_at > first  # not the time of the first
    assert utcnow() - Support.get(Support.issue == issue.id).created_at < datetime.timedelta(minutes=1)
    assert Issue.get_by_id(issue.id).support_count == 1


def test_constant_parameters_stay_and_slots_take_the_arguments(make):
    world = World(make)
    a, b = world.issue(title="甲"), world.issue(title="乙")
    titles = Prepared(lambda: Issue.select(Issue.title).where((Issue.id == Slot(1)) | (Issue.id == Slot(0))).limit(1))
    assert titles.first(a.id, 0) == ("甲",) and titles.first(0, b.id) == ("乙",)


def test_on_postgresql_the_server_plans_a_statement_once_per_connection(make, monkeypatch):
    import models

    if not isinstance(models.db.obj, PostgresqlDatabase):
        pytest.skip("SQLite keeps its statements itself (the sqlite3 module's cache)")
    world = World(make)
    issue = world.issue(title="路灯不亮")
    sent = []
    database = type(models.db.obj)
    original = database.execute_sql
    monkeypatch.setattr(database, "execute_sql", lambda self, sql, *a, **k: (sent.append(sql), original(self, sql, *a, **k))[1])
    statement = Prepared(lambda: Issue.select(Issue.title).where(Issue.id == Slot(0)))
    assert statement.first(issue.id) == ("路灯不亮",)
    assert [sql.split()[0] for sql in sent] == ["PREPARE", "EXECUTE"]
    sent.clear()
    with pytest.raises(RuntimeError), models.db.atomic():  # a rollback keeps what was prepared
        statement.first(issue.id)
        raise RuntimeError
    assert statement.first(issue.id + 1000) is None
    assert [sql.split()[0] for sql in sent] == ["EXECUTE", "EXECUTE"]
    assert models.PREPARED_SQL[statement.name].endswith('WHERE ("t1"."id" = $1)')

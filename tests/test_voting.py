"""Vote counting: the rules of voting.py, ballots stored by deliberation.cast, and their integrity
under any sequence of casts and under many residents voting at once on the real database."""
import threading
from collections import Counter
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from peewee import fn

import models
from domain import deliberation, voting
from domain.voting import Tally
from models import AgendaItem, Ballot, Meeting, Participation, Venue

T0 = datetime(2026, 12, 5, 1, 0, 0)
T1 = datetime(2026, 12, 8, 12, 0, 0)
SECOND = timedelta(seconds=1)


# The window ----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "now, expected",
    [
        (T0 - SECOND, "scheduled"),  # the second before it opens
        (T0, "open"),  # opening is inclusive
        (T0 + SECOND, "open"),
        (T1 - SECOND, "open"),  # the second before it closes
        (T1, "closed"),  # at the very second of the close, voting is over
        (T1 + SECOND, "closed"),  # the second after
    ],
)
def test_window_edges(now, expected):
    assert voting.window_state(T0, T1, now) == expected


def test_no_window_is_draft():
    assert voting.window_state(None, None, T0) == "draft"
    assert voting.window_state(T0, None, T0) == "draft"


# Quorum --------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "kind, value, residents, needed",
    [
        ("count", 5, 100, 5),
        ("count", 0, 100, 1),  # a vote nobody took part in never counts
        ("percent", 50, 8, 4),
        ("percent", 60, 8, 5),  # 4.8 rounds up
        ("percent", 30, 10, 3),  # exactly 3, not rounded up past it
        ("percent", 100, 7, 7),
        ("percent", 50, 0, 1),
    ],
)
def test_quorum_needed(kind, value, residents, needed):
    assert voting.quorum_needed(kind, value, residents) == needed


def test_unknown_quorum_kind_is_refused():
    with pytest.raises(ValueError):
        voting.quorum_needed("guess", 1, 1)


# Rules, ties and abstentions ----------------------------------------------------------------

@pytest.mark.parametrize(
    "tally, rule, needed, expected",
    [
        (Tally(3, 2, 0), "majority", 1, "passed"),
        (Tally(2, 2, 0), "majority", 1, "rejected"),  # a tie is rejected
        (Tally(2, 3, 0), "majority", 1, "rejected"),
        (Tally(2, 1, 10), "majority", 1, "passed"),  # abstentions count for neither side
        (Tally(0, 0, 5), "majority", 1, "rejected"),  # everyone abstained
        (Tally(2, 1, 0), "two_thirds", 1, "passed"),  # exactly two thirds
        (Tally(3, 2, 0), "two_thirds", 1, "rejected"),  # a majority, but under two thirds
        (Tally(6, 3, 0), "two_thirds", 1, "passed"),
        (Tally(5, 3, 4), "two_thirds", 1, "rejected"),
        (Tally(4, 0, 0), "two_thirds", 1, "passed"),
        (Tally(2, 1, 1), "majority", 5, "no_quorum"),  # 4 ballots, 5 needed
        (Tally(2, 1, 2), "majority", 5, "passed"),  # abstentions count towards the quorum
        (Tally(0, 0, 0), "majority", 1, "no_quorum"),
    ],
)
def test_result(tally, rule, needed, expected):
    assert voting.result(tally, rule, needed) == expected


def test_unknown_rule_is_refused():
    with pytest.raises(ValueError):
        voting.result(Tally(1, 0, 0), "unanimous", 1)


def test_change_moves_one_ballot():
    tally = voting.change(Tally(0, 0, 0), None, "yes")
    assert tally == Tally(1, 0, 0)
    assert voting.change(tally, "yes", "no") == Tally(0, 1, 0)
    with pytest.raises(ValueError):
        voting.change(tally, None, "maybe")


def test_badge_follows_state_and_result():
    assert voting.badge("draft", None) == "on_agenda"
    assert voting.badge("scheduled", None) == "on_agenda"
    assert voting.badge("open", None) == "voting_open"
    assert voting.badge("closed", "no_quorum") == "no_quorum"


casts = st.lists(st.tuples(st.integers(0, 9), st.sampled_from(voting.CHOICES)), max_size=60)


@given(casts)
def test_pure_tally_equals_the_last_choice_of_each_voter(sequence):
    tally, ballots = Tally(0, 0, 0), {}
    for voter, choice in sequence:
        tally = voting.change(tally, ballots.get(voter), choice)
        ballots[voter] = choice
    counted = Counter(ballots.values())
    assert tally == Tally(counted["yes"], counted["no"], counted["abstain"])
    assert voting.total(tally) == len(ballots)


# Stored ballots ------------------------------------------------------------------------------

def open_item(make, voters=0, **fields):
    """An item at a new venue with its vote open around now, and `voters` verified residents."""
    venue = make.venue()
    meeting = Meeting.create(venue=venue, title="议事会", starts_at=models.utcnow())
    now = models.utcnow()
    fields.setdefault("opens_at", now - timedelta(hours=1))
    fields.setdefault("closes_at", now + timedelta(days=1))
    item = AgendaItem.create(meeting=meeting, title="表决事项", **fields)
    users = []
    for _ in range(voters):
        user = voter(make)
        make.member(user, venue)
        users.append(user)
    return item, users


def voter(make):
    # No password: hashing one per voter would make these tests slow for nothing.
    n = make._n()
    return models.User.create(username=f"voter{n}", display_name=f"居民{n}", password_hash="-")


def stored_counts(item):
    rows = (
        Ballot.select(Ballot.choice, fn.COUNT(Ballot.id).alias("n"))
        .where(Ballot.item == item.id).group_by(Ballot.choice)
    )
    counted = {row.choice: row.n for row in rows}
    return Tally(counted.get("yes", 0), counted.get("no", 0), counted.get("abstain", 0))


def row_counts(item):
    fresh = AgendaItem.get_by_id(item.id)
    return Tally(fresh.yes_count, fresh.no_count, fresh.abstain_count)


def test_cast_and_change(make):
    item, (alice, bob) = open_item(make, voters=2)
    assert deliberation.cast(item, alice, "yes") is None
    assert deliberation.cast(item, bob, "no") is None
    assert deliberation.cast(item, alice, "abstain") == "yes"  # changed, not added
    assert deliberation.cast(item, alice, "abstain") == "abstain"  # the same again changes nothing
    assert row_counts(item) == Tally(0, 1, 1) == stored_counts(item)
    assert Ballot.select().where(Ballot.item == item.id).count() == 2
    assert Participation.select().where(Participation.item == item.id).count() == 2
    assert deliberation.own_choice(item, alice) == "abstain"


@pytest.mark.parametrize("offset, reason", [(-SECOND, "not_open"), (timedelta(0), None), (SECOND, None)])
def test_cast_at_the_opening(make, offset, reason):
    item, (alice,) = open_item(make, voters=1, opens_at=T0, closes_at=T1)
    if reason:
        with pytest.raises(deliberation.VotingError) as exc:
            deliberation.cast(item, alice, "yes", now=T0 + offset)
        assert exc.value.reason == reason
    else:
        deliberation.cast(item, alice, "yes", now=T0 + offset)
        assert row_counts(item).yes == 1


@pytest.mark.parametrize("offset, accepted", [(-SECOND, True), (timedelta(0), False), (SECOND, False)])
def test_cast_at_the_close(make, offset, accepted):
    item, (alice,) = open_item(make, voters=1, opens_at=T0, closes_at=T1)
    if accepted:
        deliberation.cast(item, alice, "yes", now=T1 + offset)
        assert row_counts(item).yes == 1
    else:
        with pytest.raises(deliberation.VotingError) as exc:
            deliberation.cast(item, alice, "yes", now=T1 + offset)
        assert exc.value.reason == "closed"
        assert row_counts(item) == Tally(0, 0, 0)


def test_a_change_after_the_close_keeps_the_first_choice(make):
    item, (alice,) = open_item(make, voters=1, opens_at=T0, closes_at=T1)
    deliberation.cast(item, alice, "yes", now=T1 - SECOND)
    with pytest.raises(deliberation.VotingError):
        deliberation.cast(item, alice, "no", now=T1)
    assert row_counts(item) == Tally(1, 0, 0)
    deliberation.settle(item, now=T1)
    # Closed: the choice is counted, and no longer linked to alice, not even for her.
    assert deliberation.own_choice(item, alice) is None
    assert deliberation.took_part(item, alice)


def test_cast_refuses_the_ineligible_and_bad_choices(make):
    item, (alice,) = open_item(make, voters=1)
    stranger = voter(make)
    with pytest.raises(deliberation.VotingError) as exc:
        deliberation.cast(item, stranger, "yes")
    assert exc.value.reason == "not_eligible"
    with pytest.raises(deliberation.VotingError) as exc:
        deliberation.cast(item, alice, "maybe")
    assert exc.value.reason == "bad_choice"
    assert row_counts(item) == Tally(0, 0, 0)


def test_a_venue_open_to_all_lets_any_registered_user_vote(make):
    item, _ = open_item(make, opens_at=None, closes_at=None)
    Venue.update(voting_open_to_all=True).where(Venue.id == item.meeting.venue_id).execute()
    now = models.utcnow()
    deliberation.set_window(item, None, now - SECOND, now + timedelta(days=1))
    assert AgendaItem.get_by_id(item.id).open_poll
    deliberation.cast(item, voter(make), "yes")
    assert row_counts(item).yes == 1


def test_opening_a_venue_to_all_does_not_open_a_vote_already_called(make):
    """Who may vote is fixed with the window: a residents' vote stays one (changed on purpose:
    before, the venue's setting of the moment decided)."""
    item, _ = open_item(make)
    Venue.update(voting_open_to_all=True).where(Venue.id == item.meeting.venue_id).execute()
    with pytest.raises(deliberation.VotingError) as exc:
        deliberation.cast(item, voter(make), "yes")
    assert exc.value.reason == "not_eligible"


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=st.lists(st.tuples(st.integers(0, 4), st.sampled_from(voting.CHOICES)), max_size=25))
def test_stored_counters_equal_the_stored_votes(make, sequence):
    item, users = open_item(make, voters=5)
    for voter, choice in sequence:
        deliberation.cast(item, users[voter], choice)
    assert row_counts(item) == stored_counts(item)
    last = {voter: choice for voter, choice in sequence}
    counted = Counter(last.values())
    assert row_counts(item) == Tally(counted["yes"], counted["no"], counted["abstain"])


# Fixing the result --------------------------------------------------------------------------

def test_settle_fixes_the_result_once_when_read_after_the_close(make):
    item, users = open_item(make, voters=3, opens_at=T0, closes_at=T1, quorum_value=2)
    for user, choice in zip(users, ("yes", "yes", "no"), strict=True):
        deliberation.cast(item, user, choice, now=T0)
    assert deliberation.settle(item, now=T1 - SECOND).result is None  # still open
    assert deliberation.settle(item, now=T1).result == "passed"
    assert AgendaItem.get_by_id(item.id).result == "passed"
    # A stale copy read by another request agrees and writes nothing new.
    stale = AgendaItem.get_by_id(item.id)
    stale.result = None
    assert deliberation.settle(stale, now=T1 + SECOND).result == "passed"


def test_percent_quorum_counts_verified_residents(make):
    item, users = open_item(make, voters=4, opens_at=T0, closes_at=T1, quorum_kind="percent", quorum_value=75)
    for user in users[:2]:
        deliberation.cast(item, user, "yes", now=T0)
    assert deliberation.settle(item, now=T1).result == "no_quorum"  # 2 of the 3 needed


def test_close_early_needs_a_reason_and_fixes_the_result(make):
    item, (alice,) = open_item(make, voters=1, quorum_value=1)
    councillor = voter(make)
    deliberation.cast(item, alice, "no")
    with pytest.raises(deliberation.VotingError):
        deliberation.close_early(item, councillor, "  ")
    closed = deliberation.close_early(item, councillor, "会议提前结束")
    assert closed.result == "rejected"
    assert AgendaItem.get_by_id(item.id).close_reason == "会议提前结束"
    with pytest.raises(deliberation.VotingError) as exc:
        deliberation.cast(item, alice, "yes")
    assert exc.value.reason == "closed"


# Many residents at once ---------------------------------------------------------------------

def test_parallel_voters_never_lose_or_duplicate_a_vote(make):
    """20 residents vote and change their votes at the same time, each on its own connection."""
    item, users = open_item(make, voters=20)
    plans = [
        [voting.CHOICES[(i + k) % 3] for k in range(1 + i % 4)]  # 1 to 4 casts each, ending anywhere
        for i in range(len(users))
    ]
    barrier = threading.Barrier(len(users))
    errors = []

    def resident(user, plan):
        try:
            with models.db.connection_context():
                barrier.wait()
                for choice in plan:
                    deliberation.cast(item, user, choice)
        except Exception as exc:  # reported below, with the thread's failure
            errors.append(exc)

    threads = [threading.Thread(target=resident, args=pair) for pair in zip(users, plans, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    expected = Counter(plan[-1] for plan in plans)
    assert stored_counts(item) == Tally(expected["yes"], expected["no"], expected["abstain"])
    assert row_counts(item) == stored_counts(item)
    assert Ballot.select().where(Ballot.item == item.id).count() == len(users)
    assert Participation.select().where(Participation.item == item.id).count() == len(users)

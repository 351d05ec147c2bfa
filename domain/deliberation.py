"""Meetings, agenda items, ballots and outcomes as stored facts (the counting rules are in voting.py).

Every write here is one transaction. Ballots and results keep the item's counters right under
concurrency on both engines: each write first takes the item's row with an UPDATE that also checks
the window (SQLite takes the write lock at BEGIN anyway; on PostgreSQL the row lock makes votes,
an early close and the fixing of the result on one item wait for each other), then reads and writes.
"""
import random
from datetime import timedelta

from peewee import SqliteDatabase, fn

from domain import audit, handling, mail, permissions, voting, workflow
from models import (
    AgendaItem,
    Ballot,
    Department,
    Issue,
    Meeting,
    Participation,
    Venue,
    db,
    utcnow,
)


def clock():
    """The time every window is measured against (tests move it forward)."""
    return utcnow()


class VotingError(Exception):
    """A ballot or a window change the item's state does not allow; `reason` says which."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason  # not_open | closed | not_eligible | bad_choice | bad_window


class OutcomeError(Exception):
    """An outcome that cannot be published (no result yet, already published, wrong next step)."""


COUNTERS = {"yes": AgendaItem.yes_count, "no": AgendaItem.no_count, "abstain": AgendaItem.abstain_count}


# Reading an item ----------------------------------------------------------------------------

def state(item, now=None):
    """The item's window state now: draft, scheduled, open or closed (see voting.window_state)."""
    return voting.window_state(item.opens_at, item.closes_at, now or clock())


def tally(item):
    return voting.Tally(item.yes_count, item.no_count, item.abstain_count)


def quorum(item, venue):
    """The number of ballots `item` needs, against the venue's verified residents now."""
    return voting.quorum_needed(item.quorum_kind, item.quorum_value, venue.resident_count)


def badge(item, now=None):
    """on_agenda, voting_open, passed, rejected or no_quorum (voting_closed until it is fixed);
    an open poll's result is poll_passed, poll_rejected, … (see voting.public_badge)."""
    return voting.public_badge(voting.badge(state(item, now), item.result), item.open_poll)


def _signed_in(user):
    return user is not None and getattr(user, "is_authenticated", False)


def own_choice(item, user):
    """The choice `user` made on `item` while its vote is open, or None. Only ever shown to that
    user; after the close nobody, that user included, can find it again."""
    if not _signed_in(user):
        return None
    key = AgendaItem.select(AgendaItem.ballot_key).where(AgendaItem.id == item.id).scalar()
    if not key:
        return None
    ballot = Ballot.by_ref(item, voting.ballot_ref(key, user.id, item.id))
    return ballot.choice if ballot else None


def took_part(item, user):
    """Whether `user` took part in the vote on `item` (kept after the close; the choice is not)."""
    return _signed_in(user) and Participation.exists_for(item, user)


def public_tally(item, now=None):
    """(what the public sees, turnout): the counts by choice once they may be shown (see
    voting.shows_counts), else None; the turnout always."""
    counted = tally(item)
    shown = voting.shows_counts(state(item, now), item.live_count)
    return (counted if shown else None), voting.total(counted)


def load_item(item_id):
    """The item with its meeting and venue, its result fixed if its window has closed; or None."""
    item = AgendaItem.with_venue(item_id)
    if item is not None:
        settle(item)
    return item


def issue_of(item):
    """The issue the item was made from, or None."""
    return Issue.get_or_none(Issue.id == item.issue_id) if item.issue_id else None


# Meetings -----------------------------------------------------------------------------------

MEETING_FIELDS = ("title", "kind", "starts_at", "ends_at", "place", "description")


def schedule(venue, actor, **fields):
    """A new meeting at `venue`; `fields` are the Meeting columns of the form."""
    with db.atomic():
        return Meeting.create(
            venue=venue, created_by=actor, **{k: fields[k] for k in MEETING_FIELDS if k in fields}
        )


def update_meeting(meeting, **fields):
    """Change the meeting's details (title, kind, time, place, description, minutes, cancelled)."""
    allowed = (*MEETING_FIELDS, "minutes", "cancelled")
    with db.atomic():
        for key in allowed:
            if key in fields:
                setattr(meeting, key, fields[key])
        meeting.updated_at = utcnow()
        meeting.save()
    return meeting


def upcoming_and_past(venue, now=None, limit=None):
    """The venue's meetings: (upcoming by date, past latest first), cancelled included."""
    now = now or clock()
    upcoming, past = Meeting.upcoming(venue, now), Meeting.past(venue, now)
    if limit:
        upcoming, past = upcoming.limit(limit), past.limit(limit)
    return list(upcoming), list(past)


def calendar(venue=None, days=180, limit=500):
    """The meetings of a calendar feed: from `days` ago on, of one venue or all."""
    return Meeting.since(clock() - timedelta(days=days), venue).limit(limit)


# Agenda items -------------------------------------------------------------------------------

def agenda_candidates(venue, limit=200):
    """Issues of the venue a councillor may put on an agenda: accepted ones, newest first."""
    return list(
        Issue.select(Issue.id, Issue.title)
        .where((Issue.venue == venue) & (Issue.status == "accepted") & ~Issue.hidden)
        .order_by(Issue.created_at.desc())
        .limit(limit)
    )


def add_item(meeting, actor, title, body="", issue=None, rule="majority", quorum_kind="count",
             quorum_value=0):
    """Put a matter on the meeting's agenda; an accepted issue moves on to deliberating."""
    if rule not in voting.RULES or quorum_kind not in voting.QUORUM_KINDS:
        raise ValueError("unknown rule or quorum kind")
    with db.atomic():
        position = (
            AgendaItem.select(fn.COALESCE(fn.MAX(AgendaItem.position), 0))
            .where(AgendaItem.meeting == meeting).scalar()
        ) + 1
        item = AgendaItem.create(
            meeting=meeting, issue=issue, title=title, body=body, position=position, rule=rule,
            quorum_kind=quorum_kind, quorum_value=quorum_value,
        )
        if issue is not None:
            workflow.transition(
                issue, "deliberating", actor, note=meeting.title, item=item.id, meeting=meeting.id
            )
            workflow.notify_author(issue, "status", actor, from_status="accepted", to_status="deliberating")
    return item


def update_item(item, title, body, rule, quorum_kind, quorum_value, now=None):
    """Change an item's text, rule and quorum while it is not yet open for votes."""
    now = now or clock()
    with db.atomic():
        changed = (
            AgendaItem.update(
                title=title, body=body, rule=rule, quorum_kind=quorum_kind,
                quorum_value=quorum_value, updated_at=now,
            )
            .where((AgendaItem.id == item.id) & AgendaItem.not_open_yet(now))
            .execute()
        )
    if not changed:
        raise VotingError("not_editable")
    item.title, item.body, item.rule = title, body, rule
    item.quorum_kind, item.quorum_value = quorum_kind, quorum_value
    return item


def remove_item(item, actor, now=None):
    """Take an item off the agenda before its vote opens; its issue goes back to accepted."""
    now = now or clock()
    with db.atomic():
        removed = (
            AgendaItem.delete()
            .where((AgendaItem.id == item.id) & AgendaItem.not_open_yet(now))
            .execute()
        )
        if not removed:
            raise VotingError("not_editable")
        issue = Issue.get_or_none(Issue.id == item.issue_id) if item.issue_id else None
        if issue is not None and issue.status == "deliberating" and not _pending_items(issue):
            workflow.transition(issue, "accepted", actor, note=item.title)
            workflow.notify_author(issue, "status", actor, from_status="deliberating", to_status="accepted")


def _pending_items(issue):
    """Whether `issue` is still on some agenda without a fixed result."""
    return (
        AgendaItem.select().where((AgendaItem.issue == issue) & AgendaItem.result.is_null()).exists()
    )


def set_window(item, actor, opens_at, closes_at, now=None, live_count=False):
    """Open the vote now or later: from `opens_at` until `closes_at` (naive UTC).

    Allowed while the vote has not opened; the close must be after the open and in the future.
    Who may vote is fixed here: when the venue lets every registered user vote, the item is an
    open poll for good. `live_count` shows the counts while the vote is open (a show of hands).
    """
    now = now or clock()
    if opens_at is None or closes_at is None or closes_at <= opens_at or closes_at <= now:
        raise VotingError("bad_window")
    open_poll = Venue.select(Venue.voting_open_to_all).join(Meeting).where(
        Meeting.id == item.meeting_id
    ).scalar()
    with db.atomic():
        changed = (
            AgendaItem.update(opens_at=opens_at, closes_at=closes_at, open_poll=bool(open_poll),
                              live_count=bool(live_count), updated_at=now)
            .where(
                (AgendaItem.id == item.id)
                & AgendaItem.result.is_null()
                & AgendaItem.not_open_yet(now)
            )
            .execute()
        )
        if not changed:
            raise VotingError("not_editable")
        item.opens_at, item.closes_at = opens_at, closes_at
        item.open_poll, item.live_count = bool(open_poll), bool(live_count)
        if item.issue_id:
            issue = Issue.get_by_id(item.issue_id)
            workflow.record(
                issue, "voting_scheduled", actor, item=item.id,
                opens_at=opens_at.isoformat(), closes_at=closes_at.isoformat(),
            )
            workflow.notify_followers(issue, "voting_scheduled", actor, item=item.id)
    return item


# Ballots ------------------------------------------------------------------------------------

def _lock_open(item_id, now):
    """Take the item's row if its window is open at `now`; False when it is not."""
    return bool(
        AgendaItem.update(updated_at=now)
        .where((AgendaItem.id == item_id) & AgendaItem.open_at(now))
        .execute()
    )


def _ballot_key(item_id):
    """The item's ballot secret, made on the first ballot (the caller holds the item's row)."""
    key = AgendaItem.select(AgendaItem.ballot_key).where(AgendaItem.id == item_id).scalar()
    if key:
        return key
    key = voting.new_ballot_key()
    AgendaItem.update(ballot_key=key).where(AgendaItem.id == item_id).execute()
    return key


def cast(item, user, choice, now=None):
    """Record `user`'s ballot on `item`, or change it; return the previous choice (or None).

    Refuses (VotingError) a choice that is not yes/no/abstain, a voter who is not eligible, and a
    ballot outside the window, judged at the time of the write inside the transaction. That the
    user took part goes to Participation; the choice to a Ballot found only by its keyed reference.
    """
    if choice not in voting.CHOICES:
        raise VotingError("bad_choice")
    now = now or clock()
    if not permissions.can_vote(user, item):
        raise VotingError("not_eligible")
    with db.atomic():
        if not _lock_open(item.id, now):
            current = AgendaItem.get_by_id(item.id)
            opened = state(current, now) in (voting.DRAFT, voting.SCHEDULED)
            raise VotingError("not_open" if opened else "closed")
        ref = voting.ballot_ref(_ballot_key(item.id), user.id, item.id)
        ballot = Ballot.by_ref(item, ref)
        old = ballot.choice if ballot else None
        moves = voting.delta(old, choice)
        if not moves:
            return old
        if ballot is None:
            Participation.insert(item=item.id, user=user.id).execute()
            Ballot.insert(item=item.id, choice=choice, ref=ref).execute()
        else:
            Ballot.update(choice=choice).where(Ballot.id == ballot.id).execute()
        AgendaItem.update(
            {COUNTERS[c]: COUNTERS[c] + step for c, step in moves.items()}
        ).where(AgendaItem.id == item.id).execute()
    return old


def _seal(item_id):
    """Unlink the item's ballots from their voters for good: destroy the key, drop the references,
    and store the ballots again in a random order (so not even their order follows the voters').
    Runs inside the transaction that fixes the result."""
    choices = [choice for (choice,) in Ballot.select(Ballot.choice).where(Ballot.item == item_id).tuples()]
    if isinstance(db.obj, SqliteDatabase):
        db.execute_sql("PRAGMA secure_delete = ON")  # deleted rows are overwritten, not left in free pages
    Ballot.delete().where(Ballot.item == item_id).execute()
    random.SystemRandom().shuffle(choices)
    for start in range(0, len(choices), 500):
        Ballot.insert_many(
            [{"item": item_id, "choice": choice, "ref": None} for choice in choices[start:start + 500]]
        ).execute()
    AgendaItem.update(ballot_key=None).where(AgendaItem.id == item_id).execute()


def close_early(item, actor, reason, now=None):
    """End an open vote now, with the councillor's recorded reason, and fix its result."""
    reason = (reason or "").strip()
    if not reason:
        raise VotingError("reason_required")
    now = now or clock()
    with db.atomic():
        closed = (
            AgendaItem.update(closes_at=now, close_reason=reason, updated_at=now)
            .where((AgendaItem.id == item.id) & AgendaItem.open_at(now))
            .execute()
        )
        if not closed:
            raise VotingError("not_open")
        before = audit.snapshot(item)
        fresh = AgendaItem.get_by_id(item.id)
        audit.record(actor, "agenda_item.close_early", fresh, before, audit.snapshot(fresh), note=reason)
    item.closes_at, item.close_reason = now, reason
    return settle(item, now)


def settle(item, now=None):
    """Fix the result of an item whose window has closed, exactly once; return the item.

    Whoever reads the item first after the close does it; concurrent readers agree because only
    the UPDATE that finds the result still empty writes it. A no-quorum vote sends its issue back
    to accepted, so it can go on a later agenda; passed and rejected wait for the outcome.
    """
    now = now or clock()
    if item.result or state(item, now) != voting.CLOSED:
        return item
    with db.atomic():
        # Take the row first, so no ballot is still being written while we count.
        if not (
            AgendaItem.update(updated_at=now)
            .where((AgendaItem.id == item.id) & AgendaItem.result.is_null())
            .execute()
        ):
            fresh = AgendaItem.get_by_id(item.id)
            item.result, item.updated_at = fresh.result, fresh.updated_at
            return item
        fresh = AgendaItem.get_by_id(item.id)
        venue = Venue.select().join(Meeting).where(Meeting.id == fresh.meeting_id).get()
        counted = tally(fresh)
        outcome = voting.result(counted, fresh.rule, quorum(fresh, venue))
        AgendaItem.update(result=outcome).where(AgendaItem.id == item.id).execute()
        _seal(item.id)
        if fresh.issue_id:
            issue = Issue.get_by_id(fresh.issue_id)
            data = {"item": item.id, "result": outcome, **counted._asdict()}
            if fresh.open_poll:
                data["open_poll"] = True
            workflow.record(issue, "vote_result", None, **data)
            workflow.notify_followers(issue, "vote_result", None, **data)
            workflow.notify_author(issue, "vote_result", None, **data)
            if outcome == "no_quorum" and issue.status == "deliberating" and not _pending_items(issue):
                workflow.transition(issue, "accepted", None, check=False)
    item.result, item.updated_at, item.ballot_key = outcome, now, None
    item.yes_count, item.no_count, item.abstain_count = counted
    return item


def settle_closed(now=None):
    """Fix the result of every item whose window has closed but nobody has read since, so its
    ballot key does not outlive the close (run by `flask remind`). Returns how many."""
    now = now or clock()
    due = AgendaItem.select().where(
        AgendaItem.result.is_null() & AgendaItem.closes_at.is_null(False) & (AgendaItem.closes_at <= now)
    )
    count = 0
    for item in due:
        settle(item, now)
        count += 1
    return count


# Outcomes -----------------------------------------------------------------------------------

# What may happen to the issue when the outcome of each result is published.
NEXT_STEPS = {
    "passed": ("assigned", "resolved"),
    "rejected": ("closed",),
    "no_quorum": (),
}


def publish_outcome(item, actor, text, next_status=None, department=None, due_on=None, now=None):
    """Publish the decision (决议) of a voted item and move its issue on.

    passed: the issue is assigned to a handling department with a due date (when the decision
    needs someone to carry it out) or resolved (when the decision itself settles the matter);
    rejected: the issue is closed with the outcome as its answer; no quorum: the issue went back
    to accepted when the result was fixed, and the outcome only says so.
    """
    text = (text or "").strip()
    if not text:
        raise OutcomeError("text_required")
    now = now or clock()
    item = settle(item, now)
    if not item.result:
        raise OutcomeError("no_result")
    issue = issue_of(item)
    moves = issue is not None and issue.status == "deliberating" and NEXT_STEPS[item.result]
    if moves and next_status not in NEXT_STEPS[item.result]:
        raise OutcomeError("next_step")
    if moves and next_status == "assigned" and (department is None or due_on is None):
        raise OutcomeError("assignment")
    with db.atomic():
        published = (
            AgendaItem.update(outcome=text, outcome_by=actor, outcome_published_at=now, updated_at=now)
            .where((AgendaItem.id == item.id) & AgendaItem.outcome_published_at.is_null())
            .execute()
        )
        if not published:
            raise OutcomeError("published")
        if issue is not None:
            # The text goes on the timeline once: on the step it causes, or here when it moves nothing.
            workflow.record(issue, "outcome", actor, note="" if moves else text, item=item.id,
                            result=item.result)
            if moves and next_status == "assigned":
                # The publisher was checked by the deliberation rules; the assignment is the loop's own.
                handling.assign(issue, actor, department, due_on=due_on, note=text, now=now, check=False)
            elif moves:
                workflow.transition(issue, next_status, actor, note=text)
            workflow.notify_followers(issue, "outcome", actor, item=item.id, result=item.result)
            workflow.notify_author(issue, "outcome", actor, item=item.id, result=item.result)
    item.outcome, item.outcome_by, item.outcome_published_at = text, actor, now
    if moves and next_status == "assigned":
        mail.notify(handling.staff_of([department.id]), "assigned", issue)
    return item


def outcomes(venue=None):
    """Published outcomes, newest first, with their meetings and venues (one query)."""
    return AgendaItem.published(venue)


def next_and_voting(venue, user, now=None, limit=3):
    """What the top of the venue page shows: (the items open for votes now, closing soonest first,
    the next `limit` meetings, the ids of the open items whose titles `user` may not read because
    their issue is hidden), in one statement."""
    now = now or clock()
    voting, upcoming = [], []
    for meeting in Meeting.next_and_voting(venue, now, limit):
        item = meeting.open_item
        if meeting.starts_at >= now and (not upcoming or upcoming[-1].id != meeting.id):
            upcoming.append(meeting)
        if item is not None and item.id is not None:
            item.meeting = meeting
            voting.append(item)
    voting.sort(key=lambda item: (item.closes_at, item.id))
    hidden = {item.id for item in voting if item.issue_id is not None and item.issue.hidden}
    concealed_ids = set() if not hidden or permissions.can_moderate_content(user, venue) else hidden
    return voting, upcoming[:limit], concealed_ids


def voting_now(venue, now=None):
    """The venue's items open for votes right now, closing soonest first, with their meetings."""
    return list(AgendaItem.voting_at(venue, now or clock()))


def departments_for_assignment():
    """The departments an outcome may assign its issue to, by level and name."""
    return Department.select().where(~Department.archived).order_by(Department.level, Department.name)


def badges_for(issue_ids, now=None):
    """{issue id: agenda badge} for a page of issues, from each one's latest agenda item (one query).

    Issues never put on an agenda are left out.
    """
    now = now or clock()
    latest = {}
    for item in (
        AgendaItem.select(AgendaItem.id, AgendaItem.issue, AgendaItem.opens_at, AgendaItem.closes_at,
                          AgendaItem.result, AgendaItem.open_poll)
        .where(AgendaItem.issue.in_(list(issue_ids)))
        .order_by(AgendaItem.id)
    ):
        latest[item.issue_id] = item
    return {issue_id: badge(item, now) for issue_id, item in latest.items()}


def badges_of(issues, now=None):
    """{issue id: agenda badge} for a page of issues: from the latest items they were loaded with
    (Issue.with_latest_item), else from one query (badges_for)."""
    issues = list(issues)
    if not all(hasattr(issue, "latest_item") for issue in issues):
        return badges_for([issue.id for issue in issues], now)
    now = now or clock()
    return {
        issue.id: badge(issue.latest_item, now)
        for issue in issues if issue.latest_item is not None and issue.latest_item.id is not None
    }


def concealed(items, user, venue):
    """The ids of the agenda `items` (of `venue`) whose titles `user` may not read: those made from
    an issue hidden by moderation, unless `user` moderates the venue (one query, none for them)."""
    if permissions.can_moderate_content(user, venue):
        return set()
    return AgendaItem.of_hidden_issues(item.id for item in items)


def items_of_issue(issue):
    """The agenda items made from `issue`, oldest first, with meetings; results fixed."""
    now = clock()
    return [settle(item, now) for item in AgendaItem.of_issue(issue)]

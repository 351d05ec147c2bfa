"""The issue's life: which status may follow which, who may move it, and what every move records.

One table, TRANSITIONS, says it all; `transition` is the only way an issue's status changes, and it
writes the Event the timeline and the ledger read, and notifies the issue's followers.
"""
import datetime

from peewee import JOIN, Value

from domain import audit, permissions, search, stats, timefmt
from domain import photos as _photos
from domain.permissions import CLOSERS, HANDLERS, MODERATORS
from models import (
    ISSUE_STATES,
    Event,
    Follow,
    Issue,
    Notification,
    User,
    Venue,
    db,
    utcnow,
)

# (from, to) → the roles that may take that step. Roles are relative to the issue, see
# permissions.roles_of(), which also names the groups.
# The statuses of an issue whose lead assignment is active: it enters them by assignment and
# leaves them only by an answer or by going back to be routed again (see TRANSITIONS).
HANDLING = ("assigned", "in_progress")
TRANSITIONS = {
    ("submitted", "accepted"): MODERATORS,
    ("submitted", "declined"): MODERATORS,
    ("submitted", "merged"): MODERATORS,
    ("accepted", "merged"): MODERATORS,
    ("accepted", "deliberating"): MODERATORS,
    ("accepted", "assigned"): MODERATORS | {"deputy"},
    ("accepted", "declined"): MODERATORS,
    ("deliberating", "accepted"): MODERATORS,  # taken off the agenda
    ("deliberating", "assigned"): MODERATORS | {"deputy"},
    ("deliberating", "resolved"): MODERATORS,  # residents decided and it is done
    ("deliberating", "closed"): MODERATORS,  # the vote rejected it
    # Returned by the department or escalated, to be routed again: only through domain/handling.py,
    # which checks who may.
    ("assigned", "accepted"): frozenset(),
    ("in_progress", "accepted"): frozenset(),
    ("assigned", "in_progress"): HANDLERS,
    ("assigned", "resolved"): HANDLERS,
    ("assigned", "explained"): HANDLERS,
    ("in_progress", "resolved"): HANDLERS,
    ("in_progress", "explained"): HANDLERS,
    ("resolved", "closed"): CLOSERS,
    ("explained", "closed"): CLOSERS,
    # A dissatisfied resident reopens once (see reopen()).
    ("resolved", "in_progress"): frozenset({"author"}),
    ("explained", "in_progress"): frozenset({"author"}),
}

# Steps of the tracking bar: 提交 → 受理 → 议事 → 交办 → 办理 → 办结 → 评价.
STEPS = ("submitted", "accepted", "deliberating", "assigned", "in_progress", "resolved", "closed")
FINISHED = frozenset({"resolved", "explained", "closed", "declined", "merged"})
# Statuses no step leads out of: a page showing one has nothing to wait for.
FINAL = frozenset(status for status in ISSUE_STATES if not any(frm == status for frm, _to in TRANSITIONS))
LEVELS = ("village", "town", "city")


class TransitionError(Exception):
    """A step the table does not allow, or not for this person."""


def allowed_steps(issue, user):
    """The statuses `user` may move `issue` to now."""
    roles = permissions.roles_of(user, issue)
    return [
        to for (frm, to), who in TRANSITIONS.items()
        if frm == issue.status and roles & who and not (to == "in_progress" and frm in ("resolved", "explained") and issue.reopened)
    ]


def can_move(issue, to_status, user):
    return to_status in allowed_steps(issue, user)


def record(issue, kind, actor=None, note="", from_status=None, to_status=None, at=None, **data):
    """Append an Event to the issue's trail (no status change by itself).

    `at` back-dates it (demo data, imports); by default it happens now. The issue's `updated_at`
    moves with it, so every poll of the issue sees the new entry.
    """
    at = at or utcnow()
    issue_id = issue.id if isinstance(issue, Issue) else issue
    if not isinstance(issue, Issue) or issue.updated_at is None or issue.updated_at < at:
        if isinstance(issue, Issue):
            issue.updated_at = at
        Issue.update(updated_at=at).where((Issue.id == issue_id) & (Issue.updated_at < at)).execute()
    # else the caller has just written the row with this time (a transition): no second update
    event = Event.create(
        issue=issue, actor=actor, kind=kind, note=note, from_status=from_status,
        to_status=to_status, data=data or None, created_at=at,
    )
    stats.on_event(issue, kind)  # the summary rows, in the same transaction as the change
    return event


def notify_followers(issue, kind, actor=None, at=None, skip=None, **data):
    """One Notification for every follower of `issue` except the actor (and the user id `skip`,
    who is told otherwise), written by the database in one INSERT … SELECT however many follow it
    (nothing is read into Python). Returns how many."""
    actor_id = actor.id if actor is not None else None
    at = at or utcnow()
    followers = Follow.select(
        Follow.user, Value(kind), Value(issue.id), Value(actor_id),
        Value(Notification.data.db_value(data or None)), Value(False), Value(at),
    ).where(Follow.issue == issue.id)
    for left_out in (actor_id, skip):
        if left_out is not None:
            followers = followers.where(Follow.user != left_out)
    fields = [Notification.user, Notification.kind, Notification.issue, Notification.actor, Notification.data,
              Notification.read, Notification.created_at]
    return Notification.insert_from(followers, fields).as_rowcount().execute()


def _check(issue, to_status, actor, check):
    if check and not can_move(issue, to_status, actor):
        raise TransitionError(f"{issue.status} → {to_status} is not allowed")
    if (issue.status, to_status) not in TRANSITIONS:
        raise TransitionError(f"{issue.status} → {to_status} is not a step of the workflow")


def transition(issue, to_status, actor, note="", check=True, at=None, **data):
    """Move `issue` to `to_status`, recording an Event and notifying followers, in one transaction.

    Raises TransitionError when the table does not allow the step for `actor` (unless check=False,
    for steps the system takes itself, such as a vote's result), and when another request moved
    the issue since it was read (of two clicks at once, one step is taken). `at` back-dates it.
    """
    _check(issue, to_status, actor, check)
    at = at or utcnow()
    with db.atomic():
        from_status = issue.status
        reopened = issue.reopened or (to_status == "in_progress" and from_status in ("resolved", "explained"))
        moved = Issue.update(status=to_status, updated_at=at, reopened=reopened).where(
            (Issue.id == issue.id) & (Issue.status == from_status)
        ).execute()
        if not moved:
            raise TransitionError(f"{from_status} → {to_status}: the issue changed meanwhile")
        issue.status, issue.updated_at, issue.reopened = to_status, at, reopened
        event = record(issue, "status", actor, note, from_status, to_status, at=at, **data)
        notify_followers(issue, "status", actor, at=at, from_status=from_status, to_status=to_status)
    return event


CHANNELS_ON_BEHALF = (
    "bench_meeting", "home_visit", "phone", "wechat", "questionnaire", "station_reception", "hotline",
)


def default_level(venue):
    """The level that handles an issue raised at `venue`: halls and pavilions serve a village or
    community; homes and stations serve the level of their region."""
    if venue.kind in ("hall", "pavilion"):
        return "village"
    level = venue.region.level
    return level if level in LEVELS else "village"


def raise_issue(venue, author, title, body, category=None, anonymous=False, recorded_by=None,
                reporter_name="", reporter_contact="", channel="web", at=None, photos=()):
    """Raise an issue at `venue`, the one way issues are created.

    In one transaction: the Issue, Venue.issue_count + 1, an Event "created", a Follow by the
    author (or, on behalf, by whoever recorded it) and the search index. Record on behalf (代录):
    `author` is None and `recorded_by` the councillor or deputy, with the resident's name and
    contact (both optional) and the channel it came through. `photos` are uploads checked by
    domain.photos.prepare, kept with it.
    """
    if channel not in ("web", "open311") + CHANNELS_ON_BEHALF:
        raise ValueError(f"unknown channel {channel!r}")
    at = at or utcnow()
    follower = author or recorded_by
    with _photos.kept(photos) as files, db.atomic():
        issue = Issue.create(
            venue=venue, author=author, recorded_by=recorded_by, reporter_name=reporter_name,
            reporter_contact=reporter_contact, anonymous=anonymous, title=title, body=body,
            category=category, level=default_level(venue), channel=channel, created_at=at,
            updated_at=at, follower_count=0 if follower is None else 1,
        )
        Venue.update(issue_count=Venue.issue_count + 1).where(Venue.id == venue.id).execute()
        record(issue, "created", recorded_by or author, at=at, channel=channel)
        if follower is not None:
            Follow.create(user=follower, issue=issue, created_at=at)
        search.index(issue)
        files.rows(issue, follower, at=at)
    return issue


def step_index(status, rated=True):
    """Where `status` stands on the tracking bar (declined/merged stop at the first step).

    An issue closed without a rating (a proposal the residents voted down) ends at 办结, not 评价.
    """
    if status == "explained" or (status == "closed" and not rated):
        return STEPS.index("resolved")
    return STEPS.index(status) if status in STEPS else 0


def path(issue, events):
    """The tracking bar as the issue really went: [(step, state)] with state done, current,
    skipped (a step it went past without taking: no vote, no 议事) or todo.

    `events` are the issue's Events (its timeline); the steps taken are the statuses its status
    Events went from and to. Explained counts as 办结; 评价 only with a rating; a declined or merged
    issue stops at the last step it reached.
    """
    def step_of(status):
        return "resolved" if status == "explained" else status

    taken = {"submitted"}
    rated = False
    for event in events:
        if event.kind == "status":
            taken.update(step_of(s) for s in (event.from_status, event.to_status) if s)
        elif event.kind == "rated":
            rated = True
    status = step_of(issue.status)
    if status == "closed" and not rated:
        status = "resolved"  # ended without a rating (voted down, or nobody rated the answer)
    if status in STEPS:
        taken.add(status)
        current = STEPS.index(status)
    else:  # declined, merged: where it stopped
        current = max(STEPS.index(s) for s in taken if s in STEPS)
    return [
        (step, "current" if i == current else "todo" if i > current
         else "done" if step in taken else "skipped")
        for i, step in enumerate(STEPS)
    ]


def is_overdue(issue, today=None):
    """Past its due date and not yet answered (resolved or explained)."""
    today = today or datetime.date.today()
    return issue.due_on is not None and issue.due_on < today and issue.status not in FINISHED


def due_state(issue, today=None):
    """What a list row says about the issue's due date: "overdue", "due" (still in time) or None
    (no due date, or already answered)."""
    if issue.due_on is None or issue.status in FINISHED:
        return None
    return "overdue" if is_overdue(issue, today or timefmt.local_date()) else "due"


def next_level(level):
    """The level above `level`, or None at the top (city)."""
    index = LEVELS.index(level)
    return LEVELS[index + 1] if index + 1 < len(LEVELS) else None


# Triage: accept, decline, merge (councillors of the issue's venue, and admins) --------------------

def notify_author(issue, kind, actor=None, **data):
    """Tell the issue's author about a change, unless they made it or follow the issue (in which
    case notify_followers has told them already). Returns 1 when a notification was written."""
    author_id = issue.author_id
    if author_id is None or (actor is not None and actor.id == author_id):
        return 0
    if Follow.select().where((Follow.issue == issue.id) & (Follow.user == author_id)).exists():
        return 0
    Notification.create(
        user=author_id, kind=kind, issue=issue.id, actor=actor.id if actor is not None else None,
        data=data or None,
    )
    return 1


def accept(issue, actor, note=""):
    """Take a new issue up (受理): submitted → accepted, the author told."""
    if issue.status != "submitted":  # deliberating → accepted is taking it off an agenda, not this
        raise TransitionError(f"{issue.status} is not new")
    with db.atomic():
        event = transition(issue, "accepted", actor, note)
        notify_author(issue, "status", actor, from_status="submitted", to_status="accepted")
        audit.record(actor, "issue.accept", issue, {"status": "submitted"}, {"status": "accepted"}, note)
    return event


def decline(issue, actor, reason, check=True, at=None):
    """Decline an issue with a reason everyone can read (不予受理); the reason is required."""
    reason = (reason or "").strip()
    if not reason:
        raise TransitionError("a reason is required to decline")
    from_status = issue.status
    with db.atomic():
        event = transition(issue, "declined", actor, reason, check=check, at=at)
        issue.decline_reason = reason
        issue.save(only=[Issue.decline_reason])
        notify_author(issue, "status", actor, from_status=from_status, to_status="declined")
        audit.record(actor, "issue.decline", issue, {"status": from_status}, {"status": "declined"}, reason)
    return event


def triage_queue(venue):
    """The venue's new issues waiting for triage, oldest first, with their authors."""
    return (
        Issue.select(Issue, User)
        .join(User, JOIN.LEFT_OUTER, on=(Issue.author == User.id))
        .where((Issue.venue == venue) & (Issue.status == "submitted"))
        .order_by(Issue.created_at, Issue.id)
    )


def merge_targets(issue):
    """The issues `issue` may be merged into: others of its venue, not merged, declined or hidden."""
    return (
        Issue.select(Issue.id, Issue.title, Issue.status)
        .where(
            (Issue.venue == issue.venue_id)
            & (Issue.id != issue.id)
            & Issue.merged_into.is_null()
            & Issue.status.not_in(("merged", "declined"))
            & ~Issue.hidden
        )
        .order_by(Issue.created_at.desc())
    )


def _move_rows(model, source, target, skip_user=None):
    """Move `model` rows (Support or Follow) from source to target, skipping users already there
    (and `skip_user`); drop the rest from the source. Returns how many moved."""
    already = model.select(model.user).where(model.issue == target.id)
    movable = (model.issue == source.id) & model.user.not_in(already)
    if skip_user is not None:
        movable &= model.user != skip_user
    moved = model.update(issue=target.id).where(movable).execute()
    model.delete().where(model.issue == source.id).execute()
    return moved


def merge(issue, target, actor, note="", check=True, at=None):
    """Fold a duplicate into `target` (合并): its supports and followers move over, each person
    counted once (the target's author never supports their own issue), and both timelines say so.
    """
    from models import Support

    if (
        target.id == issue.id
        or target.venue_id != issue.venue_id
        or target.merged_into_id is not None
        or target.status in ("merged", "declined")
    ):
        raise TransitionError("not a valid merge target")
    from_status = issue.status
    with db.atomic():
        # Tell the source's followers and author first, while they still follow it.
        event = transition(issue, "merged", actor, note, check=check, at=at, into=target.id)
        notify_author(issue, "status", actor, from_status=from_status, to_status="merged")
        supports = _move_rows(Support, issue, target, skip_user=target.author_id)
        follows = _move_rows(Follow, issue, target)
        Issue.update(
            support_count=Issue.support_count + supports,
            follower_count=Issue.follower_count + follows,
            updated_at=utcnow(),
        ).where(Issue.id == target.id).execute()
        issue.merged_into = target.id
        issue.support_count = issue.follower_count = 0
        issue.save(only=[Issue.merged_into, Issue.support_count, Issue.follower_count])
        record(target, "merged_from", actor, note, at=at, source=issue.id, supports=supports, follows=follows)
        audit.record(actor, "issue.merge", issue, {"status": from_status},
                     {"status": "merged", "merged_into": target.id}, note)
    return event

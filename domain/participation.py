"""Taking part in an issue: comments, supports, follows, reports of abusive content and their moderation.

Every write runs in one transaction together with the counter it changes on the Issue or Comment row.
Counters move by an UPDATE with an expression (never read-modify-write), so two people acting at the
same moment are both counted; a unique index turns a second support, follow or report into an
IntegrityError, which the functions here treat as "already done".
"""
import math

from peewee import JOIN, IntegrityError, fn

from domain import accounts, audit, permissions, workflow
from models import (
    Comment,
    Flag,
    Follow,
    Issue,
    Notification,
    Prepared,
    Slot,
    Support,
    User,
    Venue,
    db,
    on_sqlite,
    utcnow,
)

COMMENTS_PER_PAGE = 50  # top-level comments on one page of a thread; replies go with their parent
POLL_LIMIT = 100  # new comments sent by one poll; the next poll brings the rest
FLAG_THRESHOLD = 3  # distinct open reports that hide a comment or issue until a councillor reviews it
NOTIFICATIONS_PER_PAGE = 30
TARGETS = {"issue": Issue, "comment": Comment}


# Comments ---------------------------------------------------------------------------------------

def add_comment(issue, author, body, parent=None):
    """Post `body` on `issue` as `author`, optionally replying to `parent`.

    Replies are one level deep: a reply to a reply attaches to the top comment. The issue's
    comment_count and updated_at move in the same transaction, and followers are notified; the
    writer of the comment replied to hears that it was answered ("reply"), following or not.
    """
    replied_to = parent.author_id if parent is not None else None
    if replied_to == author.id:
        replied_to = None
    if parent is not None:
        if parent.issue_id != issue.id:
            raise ValueError("the parent comment belongs to another issue")
        if parent.parent_id is not None:
            parent = Comment.get_by_id(parent.parent_id)
    with db.atomic():
        comment = Comment.create(issue=issue.id, author=author.id, parent=parent, body=body)
        Issue.update(comment_count=Issue.comment_count + 1, updated_at=utcnow()).where(
            Issue.id == issue.id
        ).execute()
        workflow.notify_followers(issue, "comment", author, skip=replied_to, comment=comment.id)
        if replied_to is not None:
            Notification.create(user=replied_to, kind="reply", issue=issue.id, actor=author.id,
                                data={"comment": comment.id})
    return comment


def top_level(issue_id):
    """The top-level comments of the issue with id `issue_id`."""
    return Comment.select().where((Comment.issue == issue_id) & Comment.parent.is_null())


def page_count(issue):
    """How many pages the thread of `issue` has (at least one)."""
    return max(1, math.ceil(top_level(issue.id).count() / COMMENTS_PER_PAGE))


def page_of(comment):
    """The page of its thread on which `comment` (or the comment it replies to) stands."""
    root_id = comment.parent_id or comment.id
    rank = top_level(comment.issue_id).where(Comment.id <= root_id).count()
    return max(1, math.ceil(rank / COMMENTS_PER_PAGE))


def shown_to(reader, issue):
    """The condition on a Comment of `issue` that keeps what `reader` may read: what moderation
    hid only for those who moderate the venue (and for its own author)."""
    reader_id = reader.id if permissions.signed_in(reader) else None
    return Comment.shown(issue.id, reader_id, permissions.can_see_hidden(reader, issue))


def thread_page(issue, page, upto, reader=None):
    """The top-level comments on `page` that `reader` may read, with their authors and role badges
    (`.roles`), each with `.reply_list` filled in.

    Only comments up to id `upto` are read, so a comment posted meanwhile is left to the poll
    that starts there. Three queries whatever the thread's length: the page, its replies, and the
    roles of their authors.
    """
    shown = shown_to(reader, issue)
    comments = list(
        Comment.select(Comment, User)
        .join(User)
        .where(shown & Comment.parent.is_null() & (Comment.id <= upto))
        .order_by(Comment.id)
        .paginate(page, COMMENTS_PER_PAGE)
    )
    by_id = {c.id: c for c in comments}
    for comment in comments:
        comment.reply_list = []
    replies = []
    if by_id:
        replies = list(
            Comment.select(Comment, User)
            .join(User)
            .where(shown & Comment.parent.in_(list(by_id)) & (Comment.id <= upto))
            .order_by(Comment.id)
        )
        for reply in replies:
            by_id[reply.parent_id].reply_list.append(reply)
    accounts.badge(comments + replies, issue.venue_id)
    return comments


def last_comment_id(issue):
    """The id of the newest comment on `issue`, or 0: where a poll starts looking for news."""
    return Comment.select(fn.MAX(Comment.id)).where(Comment.issue == issue.id).scalar() or 0


def comments_after(issue, after, limit=POLL_LIMIT, reader=None):
    """Comments on `issue` newer than id `after` that `reader` may read, oldest first, with their
    authors and role badges."""
    return accounts.badge(
        Comment.select(Comment, User)
        .join(User)
        .where(shown_to(reader, issue) & (Comment.id > after))
        .order_by(Comment.id)
        .limit(limit),
        issue.venue_id,
    )


# Supports and follows ---------------------------------------------------------------------------

def _insert_once(model, **fields):
    """Create the row, or return None when the unique index says it exists (inside a savepoint)."""
    try:
        with db.atomic():
            return model.create(**fields)
    except IntegrityError:
        return None


# What a press of 附议 or 关注 runs, many times a second on a busy day: SQL made once (models.Prepared).
_ADD = {model: Prepared(lambda model=model: model.insert(user=Slot(0), issue=Slot(1), created_at=Slot(2))
                        .on_conflict_ignore().as_rowcount()) for model in (Support, Follow)}
_REMOVE = {model: Prepared(lambda model=model: model.delete().where((model.user == Slot(0)) & (model.issue == Slot(1))))
           for model in (Support, Follow)}
_HAS = {model: Prepared(lambda model=model: model.select(model.id).where((model.user == Slot(0)) & (model.issue == Slot(1))))
        for model in (Support, Follow)}
_COUNT = Prepared(lambda: Issue.update(
    support_count=Issue.support_count + Slot(0), follower_count=Issue.follower_count + Slot(1), updated_at=Slot(2),
).where(Issue.id == Slot(3)).returning(Issue.support_count, Issue.follower_count))
_COUNT_FOLLOWERS = Prepared(lambda: Issue.update(follower_count=Issue.follower_count + Slot(0)).where(Issue.id == Slot(1)))


def _added(model, user, issue):
    """1 when `user`'s row is inserted, 0 when its unique index says it exists: one statement, no
    savepoint, no exception (INSERT … ON CONFLICT DO NOTHING)."""
    return _ADD[model].execute(user.id, issue.id, utcnow()).rowcount


def _removed(model, user, issue):
    """1 when `user`'s row was there and is deleted, else 0."""
    return _REMOVE[model].execute(user.id, issue.id).rowcount


def _count(issue, supports, follows):
    """Move `issue`'s counters in its row by `supports` and `follows`; `issue` then holds them as
    the row does (the same statement returns them), so the answer needs not read them again."""
    now = utcnow()
    _counted(issue, _COUNT.execute(supports, follows, now, issue.id).fetchall(), now)  # all: SQLite ends it


def _counted(issue, rows, now):
    """`issue` with the counters its row returned, when it returned any."""
    if rows:
        (issue.support_count, issue.follower_count), issue.updated_at = rows[0], now
        issue._dirty -= {"support_count", "follower_count", "updated_at"}


# On PostgreSQL a press is one statement, atomic by itself: the support (or its removal), the
# follow a new support brings, and both counters, in a data-modifying WITH. SQLite has no such
# statement and takes the same steps in one short transaction (support, withdraw_support).
_GIVE_PG = Prepared(sql="""WITH s AS (INSERT INTO support (user_id, issue_id, created_at) VALUES ($1, $2, $3)
                ON CONFLICT DO NOTHING RETURNING 1),
     f AS (INSERT INTO follow (user_id, issue_id, created_at)
                SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM s) ON CONFLICT DO NOTHING RETURNING 1)
UPDATE issue SET support_count = support_count + 1, follower_count = follower_count + (SELECT count(*) FROM f),
                 updated_at = $3
WHERE id = $2 AND EXISTS (SELECT 1 FROM s) RETURNING support_count, follower_count""")
_WITHDRAW_PG = Prepared(sql="""WITH d AS (DELETE FROM support WHERE user_id = $1 AND issue_id = $2 RETURNING 1)
UPDATE issue SET support_count = support_count - 1, updated_at = $3
WHERE id = $2 AND EXISTS (SELECT 1 FROM d) RETURNING support_count, follower_count""")


def _pressed_pg(statement, user, issue):
    """Whether the one `statement` changed `issue`'s support, which then holds its counters."""
    now = utcnow()
    rows = statement.execute(user.id, issue.id, now).fetchall()
    _counted(issue, rows, now)
    return bool(rows)


def _has(model, user, issue):
    return _HAS[model].first(user.id, issue.id) is not None


def follow(user, issue):
    """Make `user` follow `issue`; False when they already did."""
    with db.atomic():
        if not _added(Follow, user, issue):
            return False
        _COUNT_FOLLOWERS.execute(1, issue.id)
    return True


def unfollow(user, issue):
    """Stop `user` following `issue`; False when they did not follow it."""
    with db.atomic():
        if not _removed(Follow, user, issue):
            return False
        _COUNT_FOLLOWERS.execute(-1, issue.id)
    return True


def is_following(user, issue):
    return _has(Follow, user, issue)


def support(user, issue):
    """Add `user`'s support (附议) to `issue`, and make them follow it; False when already given.

    One short transaction of three statements: the support, the follow (when new), and both
    counters with the issue's time in one update of its row, which `issue` then holds (on
    PostgreSQL, one statement doing all three).
    Raises permissions.NotAllowed when `user` may not support it (their own issue, a closed one).
    """
    permissions.ensure(permissions.can_support, user, issue)
    if not on_sqlite():
        return _pressed_pg(_GIVE_PG, user, issue)
    with db.atomic():
        if not _added(Support, user, issue):
            return False
        _count(issue, 1, _added(Follow, user, issue))
    return True


def withdraw_support(user, issue):
    """Take `user`'s support back (they keep following); False when there was none."""
    if not on_sqlite():
        return _pressed_pg(_WITHDRAW_PG, user, issue)
    with db.atomic():
        if not _removed(Support, user, issue):
            return False
        _count(issue, -1, 0)
    return True


def is_supporting(user, issue):
    return _has(Support, user, issue)


# Notifications ----------------------------------------------------------------------------------

def notifications(user, page=1):
    """`user`'s notifications on `page`, newest first, with their actor and issue (one query).

    One more than a page is read, so the caller knows whether an older page exists.
    """
    actor = User.alias()
    rows = list(
        Notification.select(Notification, actor, Issue)
        .join(actor, JOIN.LEFT_OUTER, on=(Notification.actor == actor.id))
        .switch(Notification)
        .join(Issue, JOIN.LEFT_OUTER, on=(Notification.issue == Issue.id))
        .where(Notification.user == user.id)
        # By when it happened: rows written later may tell of earlier events (a merge moving
        # followers over, a vote closed at its first read after the window, imported data).
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .offset((page - 1) * NOTIFICATIONS_PER_PAGE)
        .limit(NOTIFICATIONS_PER_PAGE + 1)
    )
    _conceal(rows)
    return rows


# The notifications that tell of a comment: on an issue one follows, and a reply to one's own.
COMMENT_KINDS = ("comment", "reply")


def _conceal(rows):
    """Mark the notifications that must not name their actor (`.actor_concealed`): the author of an
    anonymous issue acting on it (shown as its author), and whoever wrote a comment or acted on an
    issue that moderation has hidden since. One query for the comments, none when there are none."""
    said = {n.data.get("comment") for n in rows if n.kind in COMMENT_KINDS and isinstance(n.data, dict)}
    said = [i for i in said if isinstance(i, int)]
    hidden = set()
    if said:
        hidden = {i for (i,) in Comment.select(Comment.id).where(Comment.id.in_(said) & Comment.hidden).tuples()}
    for n in rows:
        issue = n.issue if n.issue_id is not None else None
        n.actor_is_author = bool(issue and issue.anonymous and n.actor_id == issue.author_id)
        n.actor_concealed = bool(
            (issue and issue.hidden)
            or (n.kind in COMMENT_KINDS and isinstance(n.data, dict) and n.data.get("comment") in hidden)
        )


def unread_summary(user):
    """(unread count, newest unread id) for `user`: one query on the (user, read, id) index."""
    count, newest = (
        Notification.select(fn.COUNT(Notification.id), fn.MAX(Notification.id))
        .where((Notification.user == user.id) & (Notification.read == False))  # noqa: E712
        .tuples()
        .get()
    )
    return count or 0, newest or 0


def mark_all_read(user):
    """Mark every notification of `user` read; returns how many were unread."""
    with db.atomic():
        return (
            Notification.update(read=True)
            .where((Notification.user == user.id) & (Notification.read == False))  # noqa: E712
            .execute()
        )


# Reports of abusive content and their moderation ------------------------------------------------

def target_type(obj):
    return "issue" if isinstance(obj, Issue) else "comment"


def author_id(obj):
    return obj.author_id


def venue_id(obj):
    """The venue whose councillors moderate `obj`."""
    if isinstance(obj, Issue):
        return obj.venue_id
    return Issue.select(Issue.venue).where(Issue.id == obj.issue_id).scalar()


def has_reported(user, obj):
    return Flag.select().where(
        (Flag.target_type == target_type(obj)) & (Flag.target_id == obj.id) & (Flag.user == user.id)
    ).exists()


def open_flags(kind, ids):
    """{target id: [open Flag with its user, oldest first]} for targets of `kind` among `ids`."""
    result = {i: [] for i in ids}
    if not ids:
        return result
    for flag in (
        Flag.select(Flag, User)
        .join(User, on=(Flag.user == User.id))
        .where((Flag.target_type == kind) & Flag.target_id.in_(list(ids)) & (Flag.status == "open"))
        .order_by(Flag.id)
    ):
        result[flag.target_id].append(flag)
    return result


def _state(model, obj_id, lock=False):
    query = model.select(model.hidden, model.flag_count).where(model.id == obj_id)
    if lock and db.for_update:  # PostgreSQL; SQLite's write lock is taken at BEGIN already
        query = query.for_update()
    row = query.get()
    return {"hidden": row.hidden, "flag_count": row.flag_count}


def _set_hidden(obj, kind, hidden, actor, note):
    model = TARGETS[kind]
    fields = {"hidden": hidden}
    if kind == "issue":
        fields["updated_at"] = utcnow()
    model.update(**fields).where(model.id == obj.id).execute()
    obj.hidden = hidden
    if kind == "issue":
        workflow.record(obj, "hidden" if hidden else "restored", actor, note=note)


def report(user, obj, reason, note=""):
    """`user` reports `obj` (an Issue or a Comment) as abusive, spam or off topic, once.

    Returns False when they reported it before. The row's flag_count counts the open reports; at
    FLAG_THRESHOLD the content is hidden automatically until a councillor reviews it.
    """
    kind = target_type(obj)
    model = TARGETS[kind]
    with db.atomic():
        flag = _insert_once(
            Flag, user=user.id, target_type=kind, target_id=obj.id, reason=reason, note=note or ""
        )
        if flag is None:
            return False
        model.update(flag_count=model.flag_count + 1).where(model.id == obj.id).execute()
        state = _state(model, obj.id)
        obj.flag_count = state["flag_count"]
        if not state["hidden"] and state["flag_count"] >= FLAG_THRESHOLD:
            why = f"hidden automatically after {state['flag_count']} reports"
            _set_hidden(obj, kind, True, None, why)
            audit.record(audit.AUTOMATIC, f"{kind}.hide", obj, state, _state(model, obj.id), why)
    return True


MODERATION_ACTIONS = ("hide", "restore", "dismiss")


def allowed_actions(obj):
    """What a councillor may do to `obj` now: hide or dismiss the reports if it shows, restore or
    keep it hidden if it is hidden."""
    if obj.hidden:
        return ("restore", "hide") if obj.flag_count else ("restore",)
    return ("hide", "dismiss") if obj.flag_count else ("hide",)


def moderate(moderator, obj, action, reason=""):
    """Apply a councillor's decision to `obj` and log it with who and why.

    hide: hide it and uphold its open reports; restore: show it and dismiss them; dismiss: dismiss
    the reports and leave it shown. Returns False when the action no longer fits (someone else
    decided first), changing nothing.
    """
    if action not in MODERATION_ACTIONS:
        raise ValueError(f"unknown moderation action: {action}")
    kind = target_type(obj)
    model = TARGETS[kind]
    with db.atomic():
        before = _state(model, obj.id, lock=True)  # two councillors deciding at once take turns
        obj.hidden, obj.flag_count = before["hidden"], before["flag_count"]
        if action not in allowed_actions(obj):
            return False
        resolution = "upheld" if action == "hide" else "dismissed"
        Flag.update(status=resolution, resolved_by=moderator.id, resolved_at=utcnow()).where(
            (Flag.target_type == kind) & (Flag.target_id == obj.id) & (Flag.status == "open")
        ).execute()
        model.update(flag_count=0).where(model.id == obj.id).execute()
        obj.flag_count = 0
        if action == "hide" and not before["hidden"]:
            _set_hidden(obj, kind, True, moderator, reason)
        elif action == "restore":
            _set_hidden(obj, kind, False, moderator, reason)
        audit.record(moderator, f"{kind}.{action}", obj, before, _state(model, obj.id), reason)
    return True


def review_queue(venue, limit=100):
    """What councillors of `venue` should look at: ([issues], [comments]) that have open reports or
    are hidden, the reported ones first, newest first, comments with their issue and author."""
    issues = list(
        Issue.select(Issue, User)
        .join(User, JOIN.LEFT_OUTER, on=(Issue.author == User.id))
        .where((Issue.venue == venue.id) & ((Issue.flag_count > 0) | Issue.hidden))
        .order_by((Issue.flag_count > 0).desc(), Issue.id.desc())
        .limit(limit)
    )
    comments = list(
        Comment.select(Comment, Issue, User)
        .join(Issue)
        .switch(Comment)
        .join(User)
        .where((Issue.venue == venue.id) & ((Comment.flag_count > 0) | Comment.hidden))
        .order_by((Comment.flag_count > 0).desc(), Comment.id.desc())
        .limit(limit)
    )
    issue_flags = open_flags("issue", [i.id for i in issues])
    comment_flags = open_flags("comment", [c.id for c in comments])
    for issue in issues:
        issue.open_flags = issue_flags[issue.id]
    for comment in comments:
        comment.open_flags = comment_flags[comment.id]
    return issues, comments


def moderated_venues(user):
    """([venues], {venue id: pending count}) for the moderation index: for a site admin the venues
    where something waits, for a councillor every venue they moderate."""
    if permissions.is_admin(user):
        pending = pending_by_venue()
        return list(Venue.named(pending)), pending
    venues = [m.venue for m in user.memberships("councillor")]
    return venues, pending_by_venue([v.id for v in venues])


def pending_by_venue(venue_ids=None):
    """{venue id: number of issues and comments with open reports}, optionally for some venues."""
    counts = {}
    issues = Issue.select(Issue.venue, fn.COUNT(Issue.id)).where(Issue.flag_count > 0)
    comments = (
        Comment.select(Issue.venue, fn.COUNT(Comment.id)).join(Issue).where(Comment.flag_count > 0)
    )
    if venue_ids is not None:
        issues = issues.where(Issue.venue.in_(venue_ids))
        comments = comments.where(Issue.venue.in_(venue_ids))
    for query in (issues.group_by(Issue.venue), comments.group_by(Issue.venue)):
        for venue, count in query.tuples():
            counts[venue] = counts.get(venue, 0) + count
    return counts

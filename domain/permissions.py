"""Who may do what: every permission rule of the site, one function per act.

Views ask through `views.require`; templates call the same functions."""
from flask import g, has_request_context
from flask_babel import lazy_gettext as _l

from models import Assignment, DepartmentStaff, Meeting, Membership, User, Venue


def is_admin(user):
    return bool(user and user.is_authenticated and user.is_admin)


def is_last_admin(user):
    """Whether `user` is the only active site admin, whose admin role must therefore stay."""
    if not (user.is_admin and user.active):
        return False
    return not User.select().where(User.is_admin & User.active & (User.id != user.id)).exists()


def moderates_anywhere(user):
    """Whether `user` is a site admin or a verified councillor somewhere (one indexed query)."""
    if not (user and user.is_authenticated):
        return False
    return is_admin(user) or (
        Membership.select()
        .where(
            (Membership.user == user.id)
            & (Membership.role == "councillor")
            & (Membership.status == "verified")
        )
        .exists()
    )


def remember_memberships(user, venue, memberships):
    """On a page that only reads: `user`'s memberships at `venue` (every role and status), loaded
    with the page's other rows, answer this request's questions about them without asking again.
    Never on a request that changes memberships: what it remembers would go stale."""
    if user and user.is_authenticated and has_request_context():
        g.known_memberships = (user.id, _venue_id(venue), list(memberships))


def _venue_id(venue):
    return venue if isinstance(venue, int) else venue.id


def _known_memberships(user, venue):
    """`user`'s memberships at `venue` as remembered for this request, or None if not."""
    known = g.get("known_memberships") if has_request_context() else None
    if known is None or known[:2] != (user.id, _venue_id(venue)):
        return None
    return known[2]


def has_any_venue_role(user, venue, roles):
    """Whether `user` holds a verified role among `roles` at `venue` (one query)."""
    if not (user and user.is_authenticated):
        return False
    known = _known_memberships(user, venue)
    if known is not None:
        return any(m.role in roles and m.status == "verified" for m in known)
    return (
        Membership.select()
        .where(
            (Membership.user == user.id)
            & (Membership.venue == venue)
            & (Membership.role.in_(list(roles)))
            & (Membership.status == "verified")
        )
        .exists()
    )


# Participation: issues, comments, supports, follows, reports ---------------------------------------

def signed_in(user):
    """A visitor is not: every act below asks for an account first."""
    return bool(user and user.is_authenticated)


def is_author(user, issue):
    """Whether `user` raised `issue` (an issue recorded on behalf has no author on the site)."""
    return signed_in(user) and issue.author_id is not None and issue.author_id == user.id


def can_raise_issue(user, venue):
    """Every logged-in user may raise an issue at a venue that is not archived."""
    return signed_in(user) and not venue.archived


def can_record_issue(user, venue):
    """Councillors and deputies of the venue, and admins, record issues on behalf of residents."""
    if venue.archived:
        return False
    return is_admin(user) or has_any_venue_role(user, venue, ("councillor", "deputy"))


def closed_to_participation(issue):
    """Why `issue` takes no new comments or supports now, "archived" (its venue) or "hidden" (by
    moderation), or None while it does. `issue.venue` must be loaded."""
    if issue.venue.archived:
        return "archived"
    return "hidden" if issue.hidden else None


def can_comment(user, issue):
    """Logged-in, active users comment on issues that are open to participation."""
    return signed_in(user) and user.is_active and closed_to_participation(issue) is None


def can_reply(user, issue, comment):
    """Whoever may comment on `issue` replies to its comments, except those hidden by moderation."""
    return can_comment(user, issue) and not comment.hidden


def can_support(user, issue):
    """Anyone who may comment supports an issue, except its author."""
    return can_comment(user, issue) and not is_author(user, issue)


def can_follow(user, issue):
    """Every logged-in user may follow any issue they can reach, even in an archived venue."""
    return signed_in(user)


def can_report(user, content):
    """Logged-in users report other people's issues and comments as abusive, spam or off topic,
    while they still show (hidden content is with the councillors already)."""
    return signed_in(user) and content.author_id != user.id and not content.hidden


def can_moderate_content(user, venue):
    """Who reviews reports and hides or restores the issues and comments of `venue` (a venue or
    its id): whoever moderates the venue."""
    return can_moderate(user, venue)


def can_see_issue(user, issue):
    """A hidden issue stays visible to its author and to those who moderate its venue."""
    if not issue.hidden:
        return True
    return is_author(user, issue) or can_moderate_content(user, issue.venue_id)


def can_see_photo(user, issue):
    """A photo of an issue or of its answer is read by whoever reads the issue: hidden means hidden."""
    return can_see_issue(user, issue)


# Until a department answers, the author may still show what the matter looks like.
PHOTOS_CHANGE_IN = ("submitted", "accepted", "deliberating", "assigned", "in_progress")


def can_change_photos(user, issue):
    """The author adds and removes their issue's photos while it is open (not yet answered, declined
    or merged) and open to participation. `issue.venue` must be loaded."""
    return (is_author(user, issue) and user.is_active and issue.status in PHOTOS_CHANGE_IN
            and closed_to_participation(issue) is None)


def can_see_contact(user, issue):
    """The contact of a resident recorded on behalf: the venue's councillors and deputies, admins."""
    return is_admin(user) or has_any_venue_role(user, issue.venue_id, ("councillor", "deputy"))


def can_see_author(user, issue):
    """Who may see the name behind an anonymous issue: its author, and those who see the contact
    of a resident recorded on behalf. Everyone sees the name of an issue that is not anonymous."""
    if not issue.anonymous:
        return True
    return signed_in(user) and (is_author(user, issue) or can_see_contact(user, issue))


class NotAllowed(Exception):
    """A domain function was asked to do what the permission named in the message refuses."""


def ensure(permission, user, obj, *more):
    """Raise NotAllowed unless `permission(user, obj, *more)`: how the domain refuses an act."""
    if not permission(user, obj, *more):
        raise NotAllowed(permission.__name__)


def navigation(user):
    """The header links that fit the user's roles: (endpoint, label)."""
    links = [("main.index", _l("Directory"))]
    links.append(("agenda.outcomes", _l("Outcomes")))
    links.append(("stats.index", _l("Statistics")))
    links.append(("reports.index", _l("Special reports")))
    if user and user.is_authenticated:
        councillor = user.has_role("councillor")
        if councillor:
            links.append(("members.my_venues", _l("My venues")))
        if councillor or user.is_admin:
            links.append(("discussion.moderation_index", _l("Moderation")))
        if user.is_admin:
            links.append(("admin.index", _l("Administration")))
        if handles_anywhere(user):
            links.append(("handling.inbox", _l("Assigned to us")))
        if can_see_ledger(user):
            links.append(("ledger.index", _l("Ledger")))
        links.append(("auth.profile", _l("My profile")))
        links.append(("verification.join_with_code", _l("Invite code")))
    return links


# Deliberation: meetings, agenda items, votes, memberships, triage
# Roles here are relative to a venue or an issue; domain/workflow.py's table of steps names them.

MODERATORS = frozenset({"councillor", "admin"})
HANDLERS = frozenset({"staff", "councillor", "deputy", "admin"})
CLOSERS = frozenset({"author", "admin"})


def venue_roles(user, venue):
    """The roles `user` holds at `venue`: the roles of their verified memberships, and admin."""
    if not (user and user.is_authenticated):
        return frozenset()
    known = _known_memberships(user, venue)
    if known is not None:
        roles = {m.role for m in known if m.status == "verified"}
    else:
        roles = set(Membership.roles_at(user, venue))
    if user.is_admin:
        roles.add("admin")
    return frozenset(roles)


def roles_of(user, issue):
    """The roles `user` holds toward `issue`: its venue's roles, author, and staff of a department
    the issue is assigned to."""
    if not (user and user.is_authenticated):
        return frozenset()
    roles = set(venue_roles(user, issue.venue_id))
    if issue.author_id == user.id:
        roles.add("author")
    if (
        DepartmentStaff.select()
        .join(Assignment, on=(Assignment.department == DepartmentStaff.department))
        .where((DepartmentStaff.user == user.id) & (Assignment.issue == issue.id))
        .exists()
    ):
        roles.add("staff")
    return frozenset(roles)


def can_moderate(user, venue):
    """Councillors of the venue, and site admins, moderate it."""
    return bool(venue_roles(user, venue) & MODERATORS)


def can_manage_members(user, venue):
    """Who sees a venue's full member list, its requests to join and its invite code, and decides
    who may vote there."""
    return can_moderate(user, venue)


def can_manage_own_venues(user):
    """Who has a "my venues" page: councillors (anywhere) and admins."""
    return is_admin(user) or bool(user and user.is_authenticated and user.has_role("councillor"))


def can_verify(user, membership):
    """Who verifies, refuses or removes a resident: those who manage the venue's members, never
    about themselves. Councillors and deputies are appointed in the administration, not here."""
    return (
        membership.role == "resident"
        and bool(user and user.is_authenticated)
        and membership.user_id != user.id
        and can_manage_members(user, membership.venue_id)
    )


# Who serves at a venue: they run it, so they are never offered to join it as a resident.
SERVING_ROLES = ("councillor", "deputy")


def serves_at(user, venue):
    """Whether `user` serves at `venue` as a verified councillor or deputy (one query)."""
    return has_any_venue_role(user, venue, SERVING_ROLES)


def can_join(user, venue):
    """Logged-in users ask to join a venue that is not archived, unless they serve there."""
    return bool(user and user.is_authenticated) and not venue.archived and not serves_at(user, venue)


def can_print_poster(user, venue):
    """Anyone may print the QR poster of a venue that is open (an archived one has no poster: it
    takes part in nothing any more)."""
    return not venue.archived


def can_triage(user, issue):
    """Who accepts, declines or merges a new issue: its venue's MODERATORS, as workflow's table of
    steps says for those steps."""
    return can_moderate(user, issue.venue_id)


def can_schedule_meeting(user, venue):
    """The venue's moderators schedule its meetings."""
    return can_moderate(user, venue)


def can_manage_meeting(user, meeting):
    """Who edits a meeting, writes its minutes and builds its agenda."""
    return can_schedule_meeting(user, meeting.venue_id)


def can_manage_item(user, item):
    """Who edits an agenda item, opens and closes its vote and publishes its outcome."""
    return can_manage_meeting(user, item.meeting)


ELIGIBLE = "eligible"


def voting_eligibility(user, venue, open_to_all=None):
    """Whether `user` may vote at `venue`, and if not why: (reason, membership or None).

    reason is eligible, archived (the venue is read only), login (a visitor), join (no request
    yet), serves (no request, and they serve there as councillor or deputy: no offer to join), pending (waiting for a councillor), refused or removed. A venue open to all lets every
    registered user vote; `open_to_all` overrides the venue's setting for an item whose voting
    window fixed it (an open poll).
    """
    if venue.archived:
        return "archived", None
    if not (user and user.is_authenticated):
        return "login", None
    known = _known_memberships(user, venue)
    if known is not None:
        membership = next((m for m in known if m.role == "resident"), None)
    else:
        membership = Membership.resident(user, venue)
    if venue.voting_open_to_all if open_to_all is None else open_to_all:
        return ELIGIBLE, membership
    if membership is None:
        return ("serves" if serves_at(user, venue) else "join"), None
    if membership.status == "verified":
        return ELIGIBLE, membership
    return membership.status, membership


def item_open_to_all(item):
    """Whether every registered user may vote on `item`: fixed with its window (an open poll),
    else the venue's setting. None when the item is still a draft (the venue decides)."""
    return item.open_poll if item.opens_at is not None else None


def can_vote(user, item):
    """Who votes on an agenda item (whether its window is open is the item's state, not this).
    Judged on the venue and the item as they are now, whatever copies the caller holds: a venue
    opened to all later does not open a vote already called for its residents."""
    from models import AgendaItem

    fresh = AgendaItem.get_or_none(AgendaItem.id == item.id)
    if fresh is None:
        return False
    venue = Venue.select().join(Meeting).where(Meeting.id == fresh.meeting_id).get()
    return voting_eligibility(user, venue, item_open_to_all(fresh))[0] == ELIGIBLE


# Handling: assignments, answers, ratings ----------------------------------------------------------

def can_assign(user, issue):
    """Who routes an issue to departments, escalates it and decides extensions: the venue's
    councillors and deputies, and admins."""
    return is_admin(user) or has_any_venue_role(user, issue.venue_id, ("councillor", "deputy"))


def is_staff_of(user, department_id):
    from models import DepartmentStaff

    if not (user and user.is_authenticated):
        return False
    return (
        DepartmentStaff.select()
        .where((DepartmentStaff.user == user.id) & (DepartmentStaff.department == department_id))
        .exists()
    )


def handles_anywhere(user):
    """Whether `user` works for a handling department (and so has an inbox)."""
    from models import DepartmentStaff

    if not (user and user.is_authenticated):
        return False
    return DepartmentStaff.select().where(DepartmentStaff.user == user.id).exists()


def can_handle(user, assignment):
    """A department acts only on its own items: its staff sign, answer, return and ask for time."""
    return is_staff_of(user, assignment.department_id)


def can_urge(user, issue):
    """The venue's councillors and deputies, and admins, urge an overdue item."""
    return can_assign(user, issue)


def can_rate(user, issue):
    """The author rates how their issue was handled; for an issue recorded on a resident's behalf,
    the councillor or deputy who recorded it."""
    if not (user and user.is_authenticated):
        return False
    rater = issue.author_id if issue.author_id is not None else issue.recorded_by_id
    return rater == user.id


def can_see_internal(user, issue):
    """Who reads an issue's internal timeline entries (internal progress notes, co-handling
    opinions): the venue's councillors and deputies, staff of a department it was routed to, and
    admins."""
    if not (user and user.is_authenticated):
        return False
    if is_admin(user) or has_any_venue_role(user, issue.venue_id, ("councillor", "deputy")):
        return True
    return (
        DepartmentStaff.select()
        .join(Assignment, on=(Assignment.department == DepartmentStaff.department))
        .where((DepartmentStaff.user == user.id) & (Assignment.issue == issue.id))
        .exists()
    )


# Ledger ------------------------------------------------------------------------------------------

LEDGER_ROLES = ("councillor", "deputy")


def _ledger_departments(user):
    from models import DepartmentStaff

    return DepartmentStaff.select(DepartmentStaff.department).where(DepartmentStaff.user == user.id)


def _ledger_memberships(user):
    return Membership.select(Membership.venue).where(
        (Membership.user == user.id) & Membership.role.in_(LEDGER_ROLES) & (Membership.status == "verified")
    )


def can_see_ledger(user):
    """Who opens the ledger (台账): admins, verified councillors and deputies, department staff."""
    if not (user and user.is_authenticated):
        return False
    # One query for both ways in: it runs on every page, for the navigation.
    return is_admin(user) or (_ledger_memberships(user) | _ledger_departments(user)).exists()


def ledger_scope(user):
    """The condition on an Issue that keeps the ledger rows `user` may see, or None for everything
    (admins). Councillors and deputies see the matters of the venues where they hold that role;
    staff the matters their departments hold, as the latest lead or as a co-handling department of
    the current routing. Only the parts the user has go in, so an index serves each."""
    from functools import reduce
    from operator import or_

    from peewee import SQL, fn

    from models import Assignment, Issue

    if is_admin(user):
        return None
    if not (user and user.is_authenticated):
        return SQL("1 = 0")
    parts = []
    venues = [m.venue_id for m in _ledger_memberships(user)]
    if venues:
        parts.append(Issue.venue.in_(venues))
    departments = [s.department_id for s in _ledger_departments(user)]
    if departments:
        held, later = Assignment.alias("held"), Assignment.alias("held_later")
        parts.append(Issue.id.in_(
            held.select(held.issue).where(
                held.department.in_(departments)
                & ~fn.EXISTS(later.select(SQL("1")).where(
                    (later.issue == held.issue) & (later.role == "lead") & (later.id > held.id)
                ))
            )
        ))
    return reduce(or_, parts) if parts else SQL("1 = 0")


def ledger_venues(user):
    """The ids of the venues whose matters `user` may find in the ledger (a subquery), or None for
    every venue (admins)."""
    from models import Assignment, Issue

    if is_admin(user):
        return None
    return _ledger_memberships(user) | (
        Issue.select(Issue.venue).join(Assignment, on=(Assignment.issue == Issue.id))
        .where(Assignment.department.in_(_ledger_departments(user)))
    )


# People: service records, good-suggestion awards -----------------------------------------------

def has_service_record(user):
    """Whether `user` has a public service record (履职风采录): a verified councillor or deputy
    somewhere. A resident's own activity is not published."""
    if user is None:
        return False
    return (
        Membership.select()
        .where(
            (Membership.user == user.id)
            & Membership.role.in_(("councillor", "deputy"))
            & (Membership.status == "verified")
        )
        .exists()
    )


def can_award(user, issue):
    """Who marks a matter as a good suggestion (好建议) of a year, and withdraws the mark: verified
    deputies (anywhere: the congress honours suggestions of the whole city) and admins, on a matter
    the public can see."""
    if not signed_in(user) or issue.hidden:
        return False
    return is_admin(user) or (
        Membership.select()
        .where((Membership.user == user.id) & (Membership.role == "deputy") & (Membership.status == "verified"))
        .exists()
    )


# Special reports (民情专报) ------------------------------------------------------------------------

def can_compile_reports(user):
    """Deputies (verified, at any venue) and admins compile and publish special reports."""
    if not (user and user.is_authenticated):
        return False
    return is_admin(user) or (
        Membership.select()
        .where((Membership.user == user.id) & (Membership.role == "deputy") & (Membership.status == "verified"))
        .exists()
    )


def can_see_report(user, report):
    """Everyone reads a published report; a draft only those who compile reports."""
    return report.state == "published" or can_compile_reports(user)


def can_edit_report(user, report):
    """Who changes a draft (title, summary, items and their notes), publishes it, or starts a
    correction of a published report: those who compile reports. That a published report itself
    never changes is the report's rule (domain/reports.py), not a person's."""
    return can_compile_reports(user)


# Hidden means hidden ------------------------------------------------------------------------------
# What moderation hid (Issue.hidden, Comment.hidden) is read only by those who moderate its venue;
# a hidden issue also by its author (can_see_issue), a hidden comment by its own author. Every page,
# fragment, poll, feed and form asks these, and queries of many rows use Issue.public() and
# Comment.shown(), which say the same.

def can_see_hidden(user, issue):
    """Who reads what moderation hid in `issue` and its discussion: whoever moderates its venue."""
    return can_moderate_content(user, issue.venue_id)


def can_see_discussion(user, issue):
    """Who reads the discussion of `issue`: anyone while it shows; once it is hidden, those who may
    still see the issue."""
    return can_see_issue(user, issue)


def can_see_comment(user, comment, issue):
    """Who reads `comment` (of `issue`): whoever reads the discussion, unless moderation hid the
    comment; then its author and the venue's moderators."""
    if not can_see_discussion(user, issue):
        return False
    if not comment.hidden:
        return True
    return (signed_in(user) and comment.author_id == user.id) or can_see_hidden(user, issue)


def can_open_report_form(user, content, issue):
    """Who may even see the report form of an issue or comment (`content`): anyone signed in while
    it shows; once moderation hid it (or its issue), nobody but the venue's moderators, to whom it
    says why it cannot be reported. Others are told it does not exist."""
    if not (issue.hidden or content.hidden):
        return True
    return can_see_hidden(user, issue)

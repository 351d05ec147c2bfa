"""Who may do what: every permission rule of the site, one function per act.

Views ask through `views.require`; templates call the same functions."""
from flask_babel import lazy_gettext as _l

from models import Assignment, DepartmentStaff, Meeting, Membership, User, Venue


def is_admin(user):
    return bool(user and user.is_authenticated and user.is_admin)


def is_last_admin(user):
    """Whether `user` is the only active site admin, whose admin role must therefore stay."""
    if not (user.is_admin and user.active):
        return False
    return not User.select().where(User.is_admin & User.active & (User.id != user.id)).exists()


def can_take_part(user, issue):
    """Logged-in, active users comment on and support issues, unless the venue is archived or the
    issue is hidden by moderation. `issue.venue` must be loaded."""
    return (
        bool(user and user.is_authenticated and user.is_active)
        and not issue.venue.archived
        and not issue.hidden
    )


def can_support(user, issue):
    """Anyone who may take part supports an issue, except its author."""
    return can_take_part(user, issue) and issue.author_id != user.id


def can_report(user, content):
    """Logged-in users report other people's issues and comments as abusive, spam or off topic."""
    return bool(user and user.is_authenticated) and content.author_id != user.id


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


def has_any_venue_role(user, venue, roles):
    """Whether `user` holds a verified role among `roles` at `venue` (one query)."""
    if not (user and user.is_authenticated):
        return False
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


def can_raise_issue(user, venue):
    """Every logged-in user may raise an issue at a venue that is not archived."""
    return bool(user and user.is_authenticated) and not venue.archived


def can_record_issue(user, venue):
    """Councillors and deputies of the venue, and admins, record issues on behalf of residents."""
    if venue.archived:
        return False
    return is_admin(user) or has_any_venue_role(user, venue, ("councillor", "deputy"))


def can_see_author(user, issue):
    """Who may see the name behind an anonymous issue: its author, the venue's councillors and
    deputies, and admins. Everyone sees the name of an issue that is not anonymous."""
    if not issue.anonymous:
        return True
    if not (user and user.is_authenticated):
        return False
    if issue.author_id is not None and issue.author_id == user.id:
        return True
    return is_admin(user) or has_any_venue_role(user, issue.venue_id, ("councillor", "deputy"))


def can_see_contact(user, issue):
    """The contact of a resident recorded on behalf: the venue's councillors and deputies, admins."""
    return is_admin(user) or has_any_venue_role(user, issue.venue_id, ("councillor", "deputy"))


def can_see_issue(user, issue):
    """A hidden issue stays visible to its author and to those who moderate its venue."""
    if not issue.hidden:
        return True
    if user and user.is_authenticated and issue.author_id == user.id:
        return True
    return can_moderate(user, issue.venue_id)


def navigation(user):
    """The header links that fit the user's roles: (endpoint, label)."""
    links = [("main.index", _l("Directory"))]
    links.append(("agenda.outcomes", _l("Outcomes")))
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


def can_join(user, venue):
    """Logged-in users ask to join a venue that is not archived."""
    return bool(user and user.is_authenticated) and not venue.archived


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


def voting_eligibility(user, venue):
    """Whether `user` may vote at `venue`, and if not why: (reason, membership or None).

    reason is eligible, archived (the venue is read only), login (a visitor), join (no request
    yet), pending (waiting for a councillor), refused or removed. A venue open to all lets every
    registered user vote.
    """
    if venue.archived:
        return "archived", None
    if not (user and user.is_authenticated):
        return "login", None
    membership = Membership.resident(user, venue)
    if venue.voting_open_to_all:
        return ELIGIBLE, membership
    if membership is None:
        return "join", None
    if membership.status == "verified":
        return ELIGIBLE, membership
    return membership.status, membership


def can_vote(user, item):
    """Who votes on an agenda item (whether its window is open is the item's state, not this).
    Judged on the venue as it is now, whatever copy of it the item carries."""
    venue = Venue.select().join(Meeting).where(Meeting.id == item.meeting_id).get()
    return voting_eligibility(user, venue)[0] == ELIGIBLE


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


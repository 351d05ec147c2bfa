"""Who may do what: every permission rule of the site, one function per act.

Views ask through `views.require`; templates call the same functions."""
from flask_babel import lazy_gettext as _l

from models import Membership, User


def is_admin(user):
    return bool(user and user.is_authenticated and user.is_admin)


def has_venue_role(user, venue, role):
    """Whether `user` holds a verified `role` at `venue`."""
    return has_any_venue_role(user, venue, (role,))


def can_moderate(user, venue):
    """Councillors of the venue, and site admins, moderate it."""
    return is_admin(user) or has_venue_role(user, venue, "councillor")


def can_manage_members(user, venue):
    """Who sees a venue's full member list and verifies or removes its residents."""
    return can_moderate(user, venue)


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
        if can_see_ledger(user):
            links.append(("ledger.index", _l("Ledger")))
        links.append(("auth.profile", _l("My profile")))
        links.append(("verification.join_with_code", _l("Invite code")))
    return links


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

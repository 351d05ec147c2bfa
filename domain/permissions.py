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
    if user and user.is_authenticated:
        councillor = user.has_role("councillor")
        if councillor:
            links.append(("members.my_venues", _l("My venues")))
        if councillor or user.is_admin:
            links.append(("discussion.moderation_index", _l("Moderation")))
        if user.is_admin:
            links.append(("admin.index", _l("Administration")))
        links.append(("auth.profile", _l("My profile")))
        links.append(("verification.join_with_code", _l("Invite code")))
    return links

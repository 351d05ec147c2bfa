"""Who may do what: every permission rule of the site, checked in views through `require`."""
from functools import wraps

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from models import Membership


def is_admin(user):
    return bool(user and user.is_authenticated and user.is_admin)


def has_venue_role(user, venue, role):
    """Whether `user` holds a verified `role` at `venue`."""
    if not (user and user.is_authenticated):
        return False
    return (
        Membership.select()
        .where(
            (Membership.user == user.id)
            & (Membership.venue == venue)
            & (Membership.role == role)
            & (Membership.status == "verified")
        )
        .exists()
    )


def can_moderate(user, venue):
    """Councillors of the venue, and site admins, moderate it."""
    return is_admin(user) or has_venue_role(user, venue, "councillor")


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


def require(allowed):
    """Abort with 403 unless `allowed` is true (401 redirect to login for visitors)."""
    if not current_user.is_authenticated:
        from app import login_manager

        abort(login_manager.unauthorized())
    if not allowed:
        abort(403)


def admin_required(view):
    """Decorator: only site admins."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        require(is_admin(current_user))
        return view(*args, **kwargs)

    return wrapped


def navigation(user):
    """The header links that fit the user's roles: (endpoint, label)."""
    links = [("main.index", _l("Directory"))]
    if user and user.is_authenticated:
        links.append(("auth.profile", _l("My profile")))
    return links

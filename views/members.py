"""A venue's members, for its councillors and site admins: the full list; verify, refuse or remove
residents. Roles (councillor, deputy) are given and taken in the administration.
"""
from flask import Blueprint, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from peewee import fn
from playhouse.flask_utils import get_object_or_404

from domain import memberships
from domain.permissions import can_manage_members, is_admin
from models import ROLES, Membership, User, Venue
from views import Page, render, require, safe_next, see_other, wants_fragment
from views.admin.forms import NoteForm

bp = Blueprint("members", __name__)

STATUS_FILTERS = ("all", "pending", "verified", "refused", "removed")

# action: (the status it leads to, the statuses it may start from)
ACTIONS = {
    "verify": ("verified", {"pending", "refused", "removed"}),
    "refuse": ("refused", {"pending"}),
    "remove": ("removed", {"verified"}),
}


@bp.get("/my/venues")
def my_venues():
    require(current_user.is_authenticated and (is_admin(current_user) or current_user.has_role("councillor")))
    venues = [m.venue for m in current_user.memberships("councillor")]
    pending = dict(
        Membership.select(Membership.venue, fn.COUNT(Membership.id))
        .where(
            Membership.venue.in_([v.id for v in venues])
            & (Membership.role == "resident")
            & (Membership.status == "pending")
        )
        .group_by(Membership.venue)
        .tuples()
    ) if venues else {}
    return render("members/my_venues.html", venues=venues, pending=pending)


def _venue(slug):
    venue = get_object_or_404(Venue.select(), Venue.slug == slug)
    require(can_manage_members(current_user, venue))
    return venue


def _list_page(venue, status=200, row_errors=None):
    show = request.args.get("status", "all")
    if show not in STATUS_FILTERS:
        show = "all"
    role = request.args.get("role", "")
    if role not in ROLES:
        role = ""
    query = (
        Membership.select(Membership, User)
        .join(User, on=Membership.user)
        .where(Membership.venue == venue)
        .order_by(Membership.status != "pending", Membership.role, User.display_name, Membership.id)
    )
    counts_query = Membership.select(Membership.status, fn.COUNT(Membership.id)).where(Membership.venue == venue)
    if role:
        query = query.where(Membership.role == role)
        counts_query = counts_query.where(Membership.role == role)
    if show != "all":
        query = query.where(Membership.status == show)
    counts = dict(counts_query.group_by(Membership.status).tuples())
    counts["all"] = sum(counts.values())
    return render(
        "members/index.html", venue=venue, listing=Page(query, size=50), show=show, role=role, counts=counts,
        filters=STATUS_FILTERS, roles=ROLES, row_errors=row_errors or {}, status=status,
    )


@bp.get("/v/<slug>/members")
def index(slug):
    return _list_page(_venue(slug))


@bp.post("/v/<slug>/members/<int:membership_id>/<any(verify, refuse, remove):action>")
def change(slug, membership_id, action):
    venue = _venue(slug)
    membership = get_object_or_404(
        Membership.select(Membership, User).join(User, on=Membership.user),
        (Membership.id == membership_id) & (Membership.venue == venue.id),
    )
    # Councillors and deputies are appointed in the administration, not here; nobody verifies themselves.
    if membership.role != "resident" or membership.user_id == current_user.id:
        abort(403)
    form = NoteForm()
    if not form.validate():
        return _list_page(venue, 422, {membership.id: form.note.errors})
    target, starts = ACTIONS[action]
    changed = False
    if membership.status in starts:
        changed = memberships.set_membership_status(membership, target, current_user, form.note.data)
    if wants_fragment():
        return render("members/_member.html", venue=venue, m=membership, row_errors={})
    if changed:
        messages = {
            "verify": _("%(name)s is now a verified resident.", name=membership.user.display_name),
            "refuse": _("The request of %(name)s is refused.", name=membership.user.display_name),
            "remove": _("%(name)s is no longer a verified resident.", name=membership.user.display_name),
        }
        flash(messages[action], "success")
    else:
        flash(_("This membership had already changed. Here is the list as it is now."), "info")
    return see_other(safe_next(url_for("members.index", slug=venue.slug)))

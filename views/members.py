"""A venue's members, for its councillors and site admins: the full list; verify, refuse or remove
residents. Roles (councillor, deputy) are given and taken in the administration.
"""
from flask import Blueprint, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from domain import memberships
from domain.permissions import can_manage_members, can_manage_own_venues, can_verify
from models import ROLES, Membership
from views import Page, answer, get_membership, get_venue, render, require, safe_next
from views.admin.forms import NoteForm

bp = Blueprint("members", __name__)

STATUS_FILTERS = ("all", "pending", "verified", "refused", "removed")
ALL_ROLES = "all"


@bp.get("/my/venues")
def my_venues():
    require(can_manage_own_venues(current_user))
    venues = [m.venue for m in current_user.memberships("councillor")]
    return render("members/my_venues.html", venues=venues, pending=Membership.pending_counts(venues))


def _list_page(venue, status=200, row_errors=None):
    show = request.args.get("status", "all")
    if show not in STATUS_FILTERS:
        show = "all"
    # Residents first: they are whom this page verifies, and so the "verified" tab counts exactly
    # the verified residents the venue counts (Venue.resident_count, kept by domain.memberships).
    role = request.args.get("role", "resident")
    if role not in ROLES and role != ALL_ROLES:
        role = "resident"
    counts = Membership.status_counts(venue, None if role == ALL_ROLES else role)
    residents = counts if role == "resident" else Membership.status_counts(venue, "resident")
    counts["all"] = sum(counts.values())
    return render(
        "members/index.html", venue=venue, show=show, role=role, counts=counts,
        verified_residents=residents.get("verified", 0), all_roles=ALL_ROLES,
        listing=Page(Membership.roster(venue, None if role == ALL_ROLES else role,
                                       None if show == "all" else show), size=50),
        filters=STATUS_FILTERS, roles=ROLES, row_errors=row_errors or {}, status=status,
    )


@bp.get("/v/<slug>/members")
def index(slug):
    return _list_page(get_venue(slug, check=can_manage_members))


@bp.post("/v/<slug>/members/<int:membership_id>/<any(verify, refuse, remove):action>")
def change(slug, membership_id, action):
    venue = get_venue(slug, check=can_manage_members)
    membership = get_membership(venue, membership_id, check=can_verify)
    form = NoteForm()
    if not form.validate():
        return _list_page(venue, 422, {membership.id: form.note.errors})
    if memberships.decide(membership, action, current_user, form.note.data):
        messages = {
            "verify": _("%(name)s is now a verified resident.", name=membership.user.display_name),
            "refuse": _("The request of %(name)s is refused.", name=membership.user.display_name),
            "remove": _("%(name)s is no longer a verified resident.", name=membership.user.display_name),
        }
        message, category = messages[action], "success"
    else:
        message, category = _("This membership had already changed. Here is the list as it is now."), "info"
    return answer(
        safe_next(url_for("members.index", slug=venue.slug)), "members/_member.html",
        flash_message=message, category=category, venue=venue, m=membership, row_errors={},
    )

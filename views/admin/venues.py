"""Venues: deliberation halls, residential pavilions, liaison stations and deputies' homes."""
from flask import request, url_for
from flask_babel import gettext as _

from domain import labels
from models import Region, Venue
from views import Page, id_arg, render
from views.admin import archiving, bp, found, save_form, set_archived
from views.admin.forms import VenueForm

VENUE_STATES = ("active", "archived", "all")


@bp.get("/venues")
def venues():
    q = request.args.get("q", "").strip()[:60]
    kind = request.args.get("kind", "")
    kind = kind if kind in labels.LABELS["venue_kind"] else ""
    state = request.args.get("state", "active")
    state = state if state in VENUE_STATES else "active"
    region_id = id_arg("region")
    return render(
        "admin/venues.html", listing=Page(Venue.admin_listing(q, kind, state, region_id), size=50), q=q,
        kind=kind, state=state, region_id=region_id, states=VENUE_STATES,
    )


def _page(venue):
    return url_for("admin.venue_edit", venue_id=venue.id)


@bp.route("/venues/new", methods=["GET", "POST"])
def venue_new():
    form = VenueForm().start_in(Region.get_or_none(Region.id == id_arg("region")))
    return save_form(form, Venue(), "admin/venue_form.html", _page, venue=None)


@bp.route("/venues/<int:venue_id>", methods=["GET", "POST"])
def venue_edit(venue_id):
    venue = found(Venue, venue_id)
    return save_form(
        VenueForm(obj=venue, venue=venue), venue, "admin/venue_form.html", _page,
        venue=venue, people=list(venue.office_holders()),
    )


@archiving("/venues/<int:venue_id>", "venue")
def venue_archived(venue_id, archived):
    venue = found(Venue, venue_id)
    blocked = not archived and venue.region.archived and _("Restore %(name)s first.", name=venue.region.name)
    return set_archived(
        venue, archived, _page(venue), blocked,
        _("%(name)s is archived: its page stays readable, nothing new can be posted.", name=venue.name),
    )

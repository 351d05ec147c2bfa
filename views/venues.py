"""A venue's page: what it is, where, and who serves there."""
from flask import Blueprint
from playhouse.flask_utils import get_object_or_404

from models import Venue
from views import render

bp = Blueprint("venues", __name__, url_prefix="/v")


@bp.get("/<slug>")
def show(slug):
    venue = get_object_or_404(Venue.select(), Venue.slug == slug)
    return render(
        "venues/show.html",
        venue=venue,
        councillors=list(venue.people("councillor")),
        deputies=list(venue.people("deputy")),
    )

"""The directory of regions and venues, site-wide search, and the language switcher."""
from flask import Blueprint, current_app, make_response, request, url_for
from flask_login import current_user

from extensions import LOCALES
from models import Region, Venue, db
from views import render, safe_next, see_other

bp = Blueprint("main", __name__)


def directory(venues):
    """Group `venues` under the region tree: [(town, [(region, [venue…])…])…].

    Only regions holding a listed venue appear; the town's own venues come first.
    """
    regions = {r.id: r for r in Region.current()}
    by_region = {}
    for venue in venues:
        by_region.setdefault(venue.region_id, []).append(venue)
    towns = sorted(
        (r for r in regions.values() if r.level == "town"), key=lambda r: (r.position, r.name)
    )
    tree = []
    for town in towns:
        groups = []
        if town.id in by_region:
            groups.append((town, by_region[town.id]))
        children = sorted(
            (r for r in regions.values() if r.parent_id == town.id), key=lambda r: (r.position, r.name)
        )
        groups.extend((child, by_region[child.id]) for child in children if child.id in by_region)
        if groups:
            tree.append((town, groups))
    city_venues = [v for v in venues if regions.get(v.region_id) and regions[v.region_id].level == "city"]
    return tree, city_venues


@bp.get("/")
def index():
    q = request.args.get("q", "").strip()[:60]
    venues = list(Venue.search(q))
    tree, city_venues = directory(venues)
    return render(
        "main/index.html",
        "main/_results.html",
        q=q,
        tree=tree,
        city_venues=city_venues,
        count=len(venues),
        city=Region.city(),
    )


@bp.post("/language")
def language():
    lang = request.form.get("lang")
    response = make_response(see_other(safe_next(url_for("main.index"))))
    if lang in LOCALES:
        response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
                            secure=current_app.config["SECURE_COOKIES"])
        if current_user.is_authenticated and current_user.locale != lang:
            with db.atomic():
                current_user.locale = lang
                current_user.save(only=["locale"])
    return response

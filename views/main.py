"""The directory of regions and venues, site-wide search, the language and large-text switches,
the page about the site and its icon."""
import functools
import os

from flask import Blueprint, current_app, make_response, request, url_for
from flask_login import current_user

from domain import accounts, stats
from extensions import LOCALES
from models import Region, Venue, db
from views import LARGE_TEXT_COOKIE, cached_page, render, safe_next, see_other, wants_fragment

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
        headline=None if wants_fragment() else stats.headline(),
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


@bp.post("/large-text")
def large_text():
    """Switch the large-text mode (长辈模式) on or off, and go back to the page it was asked on."""
    on = request.form.get("on") == "1"
    response = make_response(see_other(safe_next(url_for("main.index"))))
    if on:
        response.set_cookie(LARGE_TEXT_COOKIE, "1", max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
                            secure=current_app.config["SECURE_COOKIES"])
    else:
        response.delete_cookie(LARGE_TEXT_COOKIE, samesite="Lax", httponly=True,
                               secure=current_app.config["SECURE_COOKIES"])
    if current_user.is_authenticated:
        accounts.set_large_text(current_user, on)
    return response


@bp.get("/about")
def about():
    return cached_page(lambda: render("main/about.html"))


@functools.cache
def _icon(folder):
    with open(os.path.join(folder, "favicon.ico"), "rb") as fh:
        return fh.read()


@bp.get("/favicon.ico")
def favicon():
    # Browsers ask for it at the root, whatever the page says; 14 KB, read once a process.
    response = current_app.response_class(_icon(current_app.static_folder), mimetype="image/vnd.microsoft.icon")
    response.cache_control.public = True
    response.cache_control.max_age = 7 * 24 * 3600
    return response

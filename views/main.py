"""The home page (the directory of venues and what the city is deciding), the language and
large-text switches, the page about the site and its icon."""
import functools
import os

from flask import Blueprint, current_app, make_response, request, url_for
from flask_login import current_user

from domain import accounts, directory
from extensions import LOCALES
from models import db
from views import (
    LARGE_TEXT_COOKIE,
    cached_page,
    every_venue_versions,
    kept_for_visitors,
    page_versions,
    render,
    safe_next,
    see_other,
    wants_fragment,
)

bp = Blueprint("main", __name__)


@bp.get("/")
@kept_for_visitors(every_venue_versions)
def index():
    q = request.args.get("q", "")

    def build():
        page = directory.home(current_user, q, fragment=wants_fragment())
        return render("main/index.html", "main/_results.html", home=page, q=page.q)

    if q:  # words anyone may type are answered, never kept
        return build()
    # Every venue's revision moves with its issues, meetings, votes and outcomes: all the page shows.
    versions, site = page_versions(every_venue_versions)
    return cached_page(build, *versions, site=site)


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

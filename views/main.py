"""The home page (the directory of venues and what the city is deciding) and the language switcher."""
from flask import Blueprint, current_app, make_response, request, url_for
from flask_login import current_user

from domain import directory
from extensions import LOCALES
from models import db
from views import render, safe_next, see_other, wants_fragment

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    page = directory.home(current_user, request.args.get("q", ""), fragment=wants_fragment())
    return render("main/index.html", "main/_results.html", home=page, q=page.q)


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

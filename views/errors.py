"""Error pages in the reader's language, for every blueprint.

Views raise `abort(code)`, or `abort(code, description=_("why"))` to say why; this renders it.
"""
import datetime
import math
import time

from flask import Blueprint, g, render_template
from flask_babel import format_datetime, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import Forbidden, HTTPException, default_exceptions

from domain.permissions import NotAllowed

bp = Blueprint("errors", __name__)

ERROR_TEXT = {
    400: (_l("Bad request"), _l("The request could not be understood. Please go back and try again.")),
    403: (_l("Not allowed"), _l("You do not have permission to do this.")),
    404: (_l("Page not found"), _l("There is no page at this address. It may have been moved.")),
    405: (_l("Method not allowed"), _l("This address does not accept that kind of request.")),
    413: (_l("Too much sent at once"),
          _l("What you sent is too large for the site. Please shorten your text and try again.")),
    422: (_l("Please check your input"), _l("Some of what you sent could not be accepted.")),
    429: (_l("Too many tries"), _l("You have tried this too often. Please wait a while and try again.")),
    500: (_l("Something went wrong"), _l("The site had a problem. Please try again in a moment.")),
}


def _own_description(exc):
    """The description a view passed to abort(), or None for werkzeug's English default."""
    default = default_exceptions.get(exc.code)
    if exc.description and (default is None or exc.description != default.description):
        return exc.description
    return None


def render_error(exc):
    title, text = ERROR_TEXT[exc.code]
    g.error_page = True  # no fresh read of the site's settings: an error costs no more than it must
    response = render_template("error.html", code=exc.code, title=title, text=_own_description(exc) or text)
    return response, exc.code


def _notice(title, text, code, headers=None):
    """An error that htmx should show in place (at the top of the page, keeping what was typed)
    rather than ignore: a plain page without JavaScript, a notice for htmx."""
    from views import wants_fragment

    if wants_fragment():
        body = render_template("_notice.html", title=title, text=text)
        headers = {**(headers or {}), "HX-Retarget": "#main", "HX-Reswap": "afterbegin show:#main:top"}
        return body, code, headers
    g.error_page = True
    return render_template("error.html", code=code, title=title, text=text), code, headers or {}


@bp.app_errorhandler(413)
def too_large(exc):
    from flask import current_app, request

    title, text = ERROR_TEXT[413]
    view = current_app.view_functions.get(request.endpoint) if request.url_rule else None
    if getattr(view, "max_content_length", None) is not None and request.mimetype == "multipart/form-data":
        # A form with photos: the photos together made it too large.
        text = _l("The photos together are larger than the site takes at once (%(num)d MB). "
                  "Please go back and choose fewer or smaller photos.", num=view.max_content_length() // 2**20)
    return _notice(title, text, 413)


@bp.app_errorhandler(429)
def too_many(exc):
    """Say when to try again: the moment the limit that was reached lets the next try through."""
    from extensions import limiter

    title, text = ERROR_TEXT[429]
    resets = [limit.reset_at for limit in limiter.current_limits if limit.breached]
    wait = max(1, math.ceil(max(resets) - time.time())) if resets else 60
    minutes = math.ceil(wait / 60)
    from models import utcnow

    when = format_datetime(utcnow() + datetime.timedelta(seconds=wait), "HH:mm")
    if wait < 60:
        text = ngettext("You have tried this too often. Please try again in %(num)d second (at %(when)s).",
                        "You have tried this too often. Please try again in %(num)d seconds (at %(when)s).",
                        wait, when=when)
    else:
        text = ngettext("You have tried this too often. Please try again in %(num)d minute (at %(when)s).",
                        "You have tried this too often. Please try again in %(num)d minutes (at %(when)s).",
                        minutes, when=when)
    return _notice(title, text, 429, {"Retry-After": str(wait)})


for _code in ERROR_TEXT:
    if _code not in (413, 429):
        bp.app_errorhandler(_code)(render_error)


@bp.app_errorhandler(CSRFError)
def csrf_error(exc):
    expired = HTTPException(
        _l("Your form expired or came from another site. Please reload the page and try again.")
    )
    expired.code = 400
    return render_error(expired)


@bp.app_errorhandler(NotAllowed)
def not_allowed(exc):
    # A domain function refused what a view let through: the same answer as the view's own check.
    return render_error(Forbidden())


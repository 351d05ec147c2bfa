"""Error pages in the reader's language, for every blueprint.

Views raise `abort(code)`, or `abort(code, description=_("why"))` to say why; this renders it.
"""
from flask import Blueprint, render_template
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
    422: (_l("Please check your input"), _l("Some of what you sent could not be accepted.")),
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
    response = render_template("error.html", code=exc.code, title=title, text=_own_description(exc) or text)
    return response, exc.code


for _code in ERROR_TEXT:
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


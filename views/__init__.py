"""Blueprints, one a module; shared helpers for the page-or-fragment decision."""
from urllib.parse import urlsplit

from flask import redirect, render_template, request

from app import MAX_ID, htmx


def wants_fragment():
    """An htmx request that is neither boosted nor a history restore gets the fragment."""
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(page, fragment=None, status=200, **context):
    """Render the whole page, or only its `_fragment` when htmx asked for it."""
    template = fragment if fragment and wants_fragment() else page
    return render_template(template, **context), status


def see_other(location):
    """POST-redirect-GET."""
    return redirect(location, 303)


def safe_next(default):
    """The `next` URL of the request when it stays on this site, else `default`."""
    target = request.values.get("next", "")
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc and "\\" not in target:
        return target
    return default


def id_arg(name):
    """A non-negative id from the query string or form, or None when absent, malformed or too big
    to name anything (ids are 32-bit)."""
    raw = request.values.get(name, "")
    if not raw.isdigit() or len(raw) > 10:
        return None
    value = int(raw)
    return value if value <= MAX_ID else None

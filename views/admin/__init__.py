"""Administration: the city's staff set up regions, venues, people and roles, deputy groups,
departments and categories, and read the audit trail. Site admins only; every change is audited.

One module an entity, all on the one `admin` blueprint defined here, with the flows they share:
`save_form` (a create or edit page), `set_archived` (archive or restore), `save_audited` and
`delete_audited` (a write and its audit entry in one transaction).
"""
from functools import wraps

from flask import Blueprint, flash
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from peewee import IntegrityError
from playhouse.flask_utils import get_object_or_404

from domain import audit as trail  # `audit` here is views.admin.audit, the audit trail's pages
from domain.permissions import is_admin
from models import db
from views import render, require, see_other

bp = Blueprint("admin", __name__, url_prefix="/admin", cli_group=None)

ADDED = _l("%(name)s is added.")
SAVED = _l("%(name)s is saved.")


@bp.before_request
def only_admins():
    require(is_admin(current_user))


def found(model, pk):
    """The `model` row with id `pk`, or 404."""
    return get_object_or_404(model.select(), model.id == pk)


def form_status(form):
    return 422 if form.is_submitted() else 200


def save_audited(obj, action, before):
    """Save `obj` with its audit entry in one transaction; False when a unique value is taken.

    An existing row writes only the fields that were set, so a change made meanwhile to another
    field (a password, the admin flag) stays.
    """
    try:
        with db.atomic():
            obj.save(only=obj.dirty_fields if obj.id is not None else None)
            trail.record(current_user, action, obj, before, trail.snapshot(obj))
    except IntegrityError:
        return False
    return True


def delete_audited(obj):
    """Delete `obj` with its audit entry `<type>.delete` in one transaction."""
    with db.atomic():
        before = trail.snapshot(obj)
        obj.delete_instance()
        trail.record(current_user, f"{trail.object_type(obj)}.delete", obj, before, None)


def save_form(form, obj, template, done, message=ADDED, **context):
    """The create and the edit page of every record the administration keeps, as one flow.

    GET shows `form` in `template` (with `context`). A valid POST copies the form onto `obj`
    (`form.apply`), saves it with its audit entry (`<type>.create` when `obj` is new, else
    `<type>.update`), flashes `message` (`SAVED` for an edit) and goes to `done(obj)`. An invalid
    POST, or a unique value taken meanwhile (`form.taken` names the field and what to say), shows
    the form again with status 422.
    """
    if form.validate_on_submit():
        new = obj.id is None
        before = None if new else trail.snapshot(obj)
        form.apply(obj)
        if save_audited(obj, f"{trail.object_type(obj)}.{'create' if new else 'update'}", before):
            flash((message if new else SAVED) % {"name": str(obj)}, "success")
            return see_other(done(obj))
        if form.taken:
            field, error = form.taken
            form[field].errors.append(error)
    return render(template, form=form, status=form_status(form), **context)


def set_archived(obj, archived, back, blocked=None, message=None):
    """Archive or restore `obj` with its audit entry, unless it already is or `blocked` says why
    not (a message); say so and go back to `back`."""
    if blocked:
        flash(blocked, "error")
    elif obj.archived != archived:
        with db.atomic():
            before = trail.snapshot(obj)
            obj.archived = archived
            obj.save(only=[type(obj).archived])
            trail.record(current_user, f"{trail.object_type(obj)}.{'archive' if archived else 'restore'}", obj,
                         before, trail.snapshot(obj))
        if archived:
            flash(message or _("%(name)s is archived.", name=obj.name), "success")
        else:
            flash(_("%(name)s is restored.", name=obj.name), "success")
    return see_other(back)


def archiving(rule, name):
    """Route POST `rule`/archive and `rule`/restore (endpoints `<name>_archive`, `<name>_restore`)
    to the decorated view, which gets `archived=True` or `False` besides the URL's arguments."""
    def register(view):
        def bound(archived):
            @wraps(view)
            def route(**arguments):
                return view(archived=archived, **arguments)
            return route

        bp.add_url_rule(f"{rule}/archive", f"{name}_archive", bound(True), methods=["POST"])
        bp.add_url_rule(f"{rule}/restore", f"{name}_restore", bound(False), methods=["POST"])
        return view
    return register


# The pages, one module an entity; imported last, as they add their routes to `bp`.
from views.admin import (  # noqa: E402
    api_keys,
    audit,
    categories,
    departments,
    groups,
    overview,
    regions,
    settings,
    synonyms,
    users,
    venues,
)

__all__ = [
    "api_keys", "audit", "bp", "categories", "departments", "groups", "overview", "regions", "settings", "synonyms", "users",
    "venues",
]

"""People and roles: accounts, their roles at venues, places of work, site admins, passwords."""
import contextlib

from flask import flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from peewee import IntegrityError

from domain import audit as trail
from domain import labels, memberships
from domain.permissions import is_last_admin
from models import Department, DepartmentStaff, DeputyGroup, Membership, User, Venue, db
from views import Page, render, safe_next, see_other
from views.admin import bp, found, save_audited, save_form
from views.admin.departments import add_staff
from views.admin.forms import (
    NoteForm,
    RoleForm,
    StaffForm,
    TemporaryPasswordForm,
    UserCreateForm,
    UserEditForm,
)

USER_FILTERS = ("all", "admins", "inactive")


@bp.get("/users")
def users():
    q = request.args.get("q", "").strip()[:40]
    show = request.args.get("show", "all")
    show = show if show in USER_FILTERS else "all"
    return render(
        "admin/users.html", "admin/_users.html", listing=Page(User.admin_listing(q, show)), q=q, show=show,
        filters=USER_FILTERS,
    )


def _page(user):
    return url_for("admin.user_edit", user_id=user.id)


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    return save_form(
        UserCreateForm(), User(must_change_password=True), "admin/user_new.html", _page,
        _l("The account of %(name)s is ready. Tell them their username and temporary password."),
    )


def _user_context(user, **forms):
    """What the user's page shows; a form that failed validation is passed in to show its errors."""
    forms.setdefault("edit_form", UserEditForm(obj=user, formdata=None))
    forms.setdefault("role_form", RoleForm(prefix="role", formdata=None))
    forms.setdefault("staff_form", StaffForm(prefix="staff", formdata=None))
    forms.setdefault("password_form", TemporaryPasswordForm(prefix="pw", formdata=None))
    return dict(
        person=user, memberships=list(user.all_memberships()), departments=list(DepartmentStaff.of_user(user)),
        groups=list(DeputyGroup.of_member(user)), last_admin=is_last_admin(user), **forms,
    )


def _side_form(user_id, name, form, act):
    """Answer one of the smaller forms of the user's page (`name`: role_form, staff_form,
    password_form): `act(user, form)` when it is valid, then the page again; else the page showing
    the form's errors, with status 422."""
    user = found(User, user_id)
    if not form.validate():
        return render("admin/user.html", status=422, **_user_context(user, **{name: form}))
    act(user, form)
    return see_other(_page(user))


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id):
    user = found(User, user_id)
    form = UserEditForm(obj=user)
    return save_form(form, user, "admin/user.html", _page, **_user_context(user, edit_form=form))


@bp.post("/users/<int:user_id>/roles")
def user_grant_role(user_id):
    return _side_form(user_id, "role_form", RoleForm(prefix="role"), _grant_role)


def _grant_role(user, form):
    venue = Venue.get_by_id(form.venue.data)
    role = form.role.data
    if user.has_role(role, venue):
        flash(_("%(name)s already has this role.", name=user.display_name), "info")
    else:
        # IntegrityError: someone created the same membership meanwhile, so it exists as asked.
        with contextlib.suppress(IntegrityError):
            memberships.grant_role(user, venue, role, current_user)
        flash(_("%(name)s is now %(role)s of %(venue)s.", name=user.display_name,
                role=labels.label("role", role), venue=venue.name), "success")


@bp.post("/memberships/<int:membership_id>/remove")
def membership_remove(membership_id):
    membership = found(Membership, membership_id)
    form = NoteForm()
    note = form.note.data if form.validate() else ""
    if memberships.set_membership_status(membership, "removed", current_user, note):
        flash(_("The role is removed."), "success")
    return see_other(safe_next(url_for("admin.user_edit", user_id=membership.user_id)))


@bp.post("/users/<int:user_id>/departments")
def user_add_department(user_id):
    return _side_form(user_id, "staff_form", StaffForm(prefix="staff"),
                      lambda user, form: add_staff(Department.get_by_id(form.department.data), user))


def _switch(user, field, value, action, message=None):
    """Set the account's `field` to `value` (audited) unless it already is, say `message`, and go
    back to the account."""
    if getattr(user, field.name) != value:
        before = trail.snapshot(user)
        setattr(user, field.name, value)
        save_audited(user, action, before)
        if message:
            flash(message, "success")
    return see_other(_page(user))


@bp.post("/users/<int:user_id>/admin")
def user_grant_admin(user_id):
    user = found(User, user_id)
    return _switch(user, User.is_admin, True, "user.grant_admin",
                   _("%(name)s is now a site admin.", name=user.display_name))


def _refuse_last_admin(user):
    flash(_("%(name)s is the last site admin. Make someone else an admin first.", name=user.display_name), "error")
    return see_other(_page(user))


@bp.post("/users/<int:user_id>/admin/remove")
def user_revoke_admin(user_id):
    user = found(User, user_id)
    with db.atomic():
        # Checked inside the write transaction, so two admins cannot remove each other at once.
        if is_last_admin(User.get_by_id(user.id)):
            return _refuse_last_admin(user)
        _switch(user, User.is_admin, False, "user.revoke_admin")
    flash(_("%(name)s is no longer a site admin.", name=user.display_name), "success")
    if user.id == current_user.id:
        return see_other(url_for("main.index"))
    return see_other(_page(user))


@bp.post("/users/<int:user_id>/deactivate")
def user_deactivate(user_id):
    user = found(User, user_id)
    if user.id == current_user.id:
        flash(_("You cannot deactivate your own account."), "error")
        return see_other(_page(user))
    with db.atomic():
        if user.active and is_last_admin(User.get_by_id(user.id)):
            return _refuse_last_admin(user)
        answer = _switch(user, User.active, False, "user.deactivate",
                         _("%(name)s can no longer log in. What they wrote stays.", name=user.display_name))
        # Signed out everywhere now, and still when the account is reactivated.
        user.end_sessions()
        return answer


@bp.post("/users/<int:user_id>/reactivate")
def user_reactivate(user_id):
    user = found(User, user_id)
    return _switch(user, User.active, True, "user.reactivate", _("%(name)s can log in again.", name=user.display_name))


@bp.post("/users/<int:user_id>/password")
def user_set_password(user_id):
    return _side_form(user_id, "password_form", TemporaryPasswordForm(prefix="pw"), _set_password)


def _set_password(user, form):
    before = trail.snapshot(user)
    user.set_password(form.password.data)
    user.must_change_password = True
    save_audited(user, "user.set_password", before)
    user.end_sessions()  # whoever knew the old password is signed out
    flash(_("The temporary password of %(name)s is set. They must change it when they next log in.",
            name=user.display_name), "success")

"""Handling departments (承办单位) and the people who work for them."""
from flask import abort, flash, request, url_for
from flask_babel import gettext as _

from models import Department, DepartmentStaff
from views import render, safe_next, see_other
from views.admin import archiving, bp, delete_audited, found, save_audited, save_form, set_archived
from views.admin.forms import PARENT_LEVEL, DepartmentForm, UsernameForm


@bp.get("/departments")
def departments():
    level = request.args.get("level", "")
    level = level if level in PARENT_LEVEL else ""
    return render(
        "admin/departments.html", departments=list(Department.admin_listing(level)),
        counts=DepartmentStaff.counts(), level=level,
    )


def _page(department):
    return url_for("admin.department_edit", department_id=department.id)


@bp.route("/departments/new", methods=["GET", "POST"])
def department_new():
    return save_form(DepartmentForm(), Department(), "admin/department_form.html", _page, department=None)


def _staff(department, staff_form=None):
    return dict(
        department=department, staff=list(department.staff_users()),
        staff_form=staff_form or UsernameForm(prefix="staff", formdata=None),
    )


@bp.route("/departments/<int:department_id>", methods=["GET", "POST"])
def department_edit(department_id):
    department = found(Department, department_id)
    return save_form(
        DepartmentForm(obj=department, department=department), department, "admin/department_form.html", _page,
        **_staff(department),
    )


@archiving("/departments/<int:department_id>", "department")
def department_archived(department_id, archived):
    department = found(Department, department_id)
    return set_archived(department, archived, _page(department))


@bp.post("/departments/<int:department_id>/staff")
def department_staff_add(department_id):
    department = found(Department, department_id)
    form = UsernameForm(prefix="staff")
    if not form.validate():
        return render(
            "admin/department_form.html", form=DepartmentForm(obj=department, department=department, formdata=None),
            status=422, **_staff(department, form),
        )
    add_staff(department, form.user)
    return see_other(_page(department))


def add_staff(department, user):
    """Make `user` work for `department` (audited), and say so."""
    if save_audited(DepartmentStaff(department=department, user=user), "department_staff.create", None):
        flash(_("%(name)s now works for %(department)s.", name=user.display_name, department=department.name),
              "success")
    else:
        flash(_("%(name)s already works for %(department)s.", name=user.display_name,
                department=department.name), "info")


@bp.post("/departments/<int:department_id>/staff/<int:user_id>/remove")
def staff_remove(department_id, user_id):
    delete_audited(DepartmentStaff.get_or_none(department=department_id, user=user_id) or abort(404))
    flash(_("The staff member is removed."), "success")
    return see_other(safe_next(url_for("admin.department_edit", department_id=department_id)))

"""Administration: the city's staff set up regions, venues, people and roles, deputy groups,
departments and categories, and read the audit trail. Site admins only; every change is audited.
"""
import contextlib
import datetime

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from peewee import JOIN, IntegrityError, fn
from playhouse.flask_utils import get_object_or_404

from domain import audit, labels, memberships, timefmt
from domain.permissions import is_admin, is_last_admin
from models import (
    REGION_KINDS,
    AuditLog,
    Category,
    Department,
    DepartmentStaff,
    DeputyGroup,
    DeputyGroupMember,
    Membership,
    Region,
    User,
    Venue,
    db,
    utcnow,
)
from views import Page, id_arg, render, require, safe_next, see_other
from views.admin import forms as admin_forms

bp = Blueprint("admin", __name__, url_prefix="/admin", cli_group=None)


@bp.before_request
def only_admins():
    require(is_admin(current_user))


@bp.context_processor
def audit_helpers():
    return {
        "action_label": lambda action: audit.ACTIONS.get(action, action),
        "entry_changes": audit.changes,
        "entry_link": lambda entry: entry_link(entry),
        "field_label": audit.field_label,
        "label_choices": labels.choices,
    }


def form_status(form):
    return 422 if form.is_submitted() else 200


def _archive(obj, archived, kind):
    """Archive or restore `obj` (a region, venue, department, category or deputy group), audited."""
    with db.atomic():
        before = audit.snapshot(obj)
        obj.archived = archived
        obj.save(only=[type(obj).archived])
        audit.record(current_user, f"{kind}.{'archive' if archived else 'restore'}", obj, before,
                     audit.snapshot(obj))


def _save_audited(obj, action, before):
    """Save `obj` with its audit entry in one transaction; False when a unique value is taken."""
    try:
        with db.atomic():
            obj.save()
            audit.record(current_user, action, obj, before, audit.snapshot(obj))
    except IntegrityError:
        return False
    return True


def _toggle_archived(obj, archived, kind, back):
    """Archive or restore `obj` unless it already is, say so, and go back to `back`."""
    if obj.archived != archived:
        _archive(obj, archived, kind)
        if archived:
            flash(_("%(name)s is archived.", name=obj.name), "success")
        else:
            flash(_("%(name)s is restored.", name=obj.name), "success")
    return see_other(back)


# Overview -------------------------------------------------------------------------------------

@bp.get("/")
def index():
    counts = {
        "regions": Region.select().where(~Region.archived).count(),
        "venues": Venue.select().where(~Venue.archived).count(),
        "users": User.select().count(),
        "departments": Department.select().where(~Department.archived).count(),
        "categories": Category.select().where(~Category.archived).count(),
        "groups": DeputyGroup.select().where(~DeputyGroup.archived).count(),
    }
    has_city = Region.select().where(Region.level == "city").exists()
    has_councillor = Membership.select().where(
        (Membership.role == "councillor") & (Membership.status == "verified")
    ).exists()
    recent = list(
        AuditLog.select(AuditLog, User).join(User, JOIN.LEFT_OUTER).order_by(AuditLog.id.desc()).limit(10)
    )
    return render(
        "admin/index.html", counts=counts, has_city=has_city, has_councillor=has_councillor, recent=recent,
        names=AuditNames(recent),
    )


# Regions ------------------------------------------------------------------------------------

@bp.get("/regions")
def regions():
    all_regions = list(Region.select().order_by(Region.position, Region.name))
    children = {}
    for region in all_regions:
        children.setdefault(region.parent_id, []).append(region)
    venue_counts = dict(
        Venue.select(Venue.region, fn.COUNT(Venue.id)).where(~Venue.archived).group_by(Venue.region).tuples()
    )
    return render(
        "admin/regions.html", roots=children.get(None, []), children=children, venue_counts=venue_counts,
    )


CHILD_KIND = {"city": "town", "town": "village"}


@bp.route("/regions/new", methods=["GET", "POST"])
def region_new():
    form = admin_forms.RegionForm()
    if not form.is_submitted():
        parent = Region.get_or_none(Region.id == id_arg("parent")) if id_arg("parent") else None
        if parent is not None and parent.level in CHILD_KIND:
            form.parent.data = parent.id
            form.kind.data = CHILD_KIND[parent.level]
        elif Region.select().where(Region.level == "city").exists():
            form.kind.data = "town"
        else:
            form.kind.data = "city"
    if form.validate_on_submit():
        with db.atomic():
            region = Region.create(
                name=form.name.data, kind=form.kind.data, level=REGION_KINDS[form.kind.data],
                parent=form.parent.data, position=form.position.data or 0,
            )
            audit.record(current_user, "region.create", region, None, audit.snapshot(region))
        flash(_("%(name)s is added.", name=region.name), "success")
        return see_other(url_for("admin.regions") + f"#region-{region.id}")
    return render("admin/region_form.html", form=form, region=None, status=form_status(form))


@bp.route("/regions/<int:region_id>", methods=["GET", "POST"])
def region_edit(region_id):
    region = get_object_or_404(Region.select(), Region.id == region_id)
    form = admin_forms.RegionForm(obj=region, region=region)
    if form.validate_on_submit():
        with db.atomic():
            before = audit.snapshot(region)
            region.name = form.name.data
            region.kind = form.kind.data
            region.parent = form.parent.data
            region.position = form.position.data or 0
            region.save()
            audit.record(current_user, "region.update", region, before, audit.snapshot(region))
        flash(_("%(name)s is saved.", name=region.name), "success")
        return see_other(url_for("admin.regions") + f"#region-{region.id}")
    return render(
        "admin/region_form.html", form=form, region=region,
        venues=list(region.venues.order_by(Venue.name)),
        has_children=region.children.exists(),
        status=form_status(form),
    )


@bp.post("/regions/<int:region_id>/archive")
def region_archive(region_id):
    region = get_object_or_404(Region.select(), Region.id == region_id)
    if region.venues.where(~Venue.archived).exists() or region.children.where(~Region.archived).exists():
        flash(_("Archive its venues and the regions under it first."), "error")
    elif not region.archived:
        _archive(region, True, "region")
        flash(_("%(name)s is archived.", name=region.name), "success")
    return see_other(url_for("admin.region_edit", region_id=region.id))


@bp.post("/regions/<int:region_id>/restore")
def region_restore(region_id):
    region = get_object_or_404(Region.select(), Region.id == region_id)
    if region.parent is not None and region.parent.archived:
        flash(_("Restore %(name)s first.", name=region.parent.name), "error")
    elif region.archived:
        _archive(region, False, "region")
        flash(_("%(name)s is restored.", name=region.name), "success")
    return see_other(url_for("admin.region_edit", region_id=region.id))


@bp.post("/regions/<int:region_id>/delete")
def region_delete(region_id):
    region = get_object_or_404(Region.select(), Region.id == region_id)
    # Only a region nothing refers to may go; anything with history is archived instead.
    if region.venues.exists() or region.children.exists() or region.departments.exists():
        flash(_("Only an empty region can be deleted. Archive it instead."), "error")
        return see_other(url_for("admin.region_edit", region_id=region.id))
    with db.atomic():
        before = audit.snapshot(region)
        region.delete_instance()
        audit.record(current_user, "region.delete", region, before, None)
    flash(_("%(name)s is deleted.", name=region.name), "success")
    return see_other(url_for("admin.regions"))


# Venues -------------------------------------------------------------------------------------

VENUE_STATES = ("active", "archived", "all")
# The usual venue of a region's kind, offered first when adding a venue there.
VENUE_KIND_FOR_REGION = {"village": "hall", "community": "pavilion"}


@bp.get("/venues")
def venues():
    q = request.args.get("q", "").strip()[:60]
    kind = request.args.get("kind", "")
    state = request.args.get("state", "active")
    region_id = id_arg("region")
    query = Venue.select(Venue, Region).join(Region).order_by(Region.name, Venue.name)
    if q:
        query = query.where(Venue.name.contains(q) | (Venue.slug == q) | Region.name.contains(q))
    if kind in labels.LABELS["venue_kind"]:
        query = query.where(Venue.kind == kind)
    else:
        kind = ""
    if state == "archived":
        query = query.where(Venue.archived)
    elif state != "all":
        state = "active"
        query = query.where(~Venue.archived)
    if region_id:
        query = query.where((Venue.region == region_id) | (Region.parent == region_id))
    return render(
        "admin/venues.html", listing=Page(query, size=50), q=q, kind=kind, state=state, region_id=region_id,
        states=VENUE_STATES,
    )


@bp.route("/venues/new", methods=["GET", "POST"])
def venue_new():
    form = admin_forms.VenueForm()
    if not form.is_submitted() and id_arg("region"):
        region = Region.get_or_none(Region.id == id_arg("region"))
        if region is not None:
            form.region.data = region.id
            form.kind.data = VENUE_KIND_FOR_REGION.get(region.kind, "station")
    if form.validate_on_submit():
        venue = Venue()
        form.apply(venue)
        if not _save_audited(venue, "venue.create", None):
            form.slug.errors.append(_("Another venue already uses this web address name."))
        else:
            flash(_("%(name)s is added.", name=venue.name), "success")
            return see_other(url_for("admin.venue_edit", venue_id=venue.id))
    return render("admin/venue_form.html", form=form, venue=None, status=form_status(form))


def _venue_people(venue):
    return list(
        Membership.select(Membership, User)
        .join(User, on=Membership.user)
        .where((Membership.venue == venue) & (Membership.role != "resident") & (Membership.status == "verified"))
        .order_by(Membership.role, User.display_name)
    )


@bp.route("/venues/<int:venue_id>", methods=["GET", "POST"])
def venue_edit(venue_id):
    venue = get_object_or_404(Venue.select(), Venue.id == venue_id)
    form = admin_forms.VenueForm(obj=venue, venue=venue)
    if form.validate_on_submit():
        before = audit.snapshot(venue)
        form.apply(venue)
        venue.updated_at = utcnow()
        if not _save_audited(venue, "venue.update", before):
            form.slug.errors.append(_("Another venue already uses this web address name."))
        else:
            flash(_("%(name)s is saved.", name=venue.name), "success")
            return see_other(url_for("admin.venue_edit", venue_id=venue.id))
    return render(
        "admin/venue_form.html", form=form, venue=venue, people=_venue_people(venue),
        status=form_status(form),
    )


@bp.post("/venues/<int:venue_id>/archive")
def venue_archive(venue_id):
    venue = get_object_or_404(Venue.select(), Venue.id == venue_id)
    if not venue.archived:
        _archive(venue, True, "venue")
        flash(_("%(name)s is archived: its page stays readable, nothing new can be posted.", name=venue.name),
              "success")
    return see_other(url_for("admin.venue_edit", venue_id=venue.id))


@bp.post("/venues/<int:venue_id>/restore")
def venue_restore(venue_id):
    venue = get_object_or_404(Venue.select(), Venue.id == venue_id)
    if venue.region.archived:
        flash(_("Restore %(name)s first.", name=venue.region.name), "error")
    elif venue.archived:
        _archive(venue, False, "venue")
        flash(_("%(name)s is restored.", name=venue.name), "success")
    return see_other(url_for("admin.venue_edit", venue_id=venue.id))


# People and roles -----------------------------------------------------------------------------

USER_FILTERS = ("all", "admins", "inactive")


@bp.get("/users")
def users():
    q = request.args.get("q", "").strip()[:40]
    show = request.args.get("show", "all")
    query = User.search(q)
    if show == "admins":
        query = query.where(User.is_admin)
    elif show == "inactive":
        query = query.where(~User.active)
    else:
        show = "all"
    query = query.order_by(User.display_name, User.id) if q else query.order_by(User.id.desc())
    return render(
        "admin/users.html", "admin/_users.html", listing=Page(query), q=q, show=show, filters=USER_FILTERS,
    )


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    form = admin_forms.UserCreateForm()
    if form.validate_on_submit():
        user = User(
            username=form.username.data, display_name=form.display_name.data,
            phone=form.phone.data or None, must_change_password=True,
        )
        user.set_password(form.password.data)
        if not _save_audited(user, "user.create", None):
            form.username.errors.append(_("This username is taken. Please choose another."))
        else:
            flash(_("The account of %(name)s is ready. Tell them their username and temporary password.",
                    name=user.display_name), "success")
            return see_other(url_for("admin.user_edit", user_id=user.id))
    return render("admin/user_new.html", form=form, status=form_status(form))


def _user_page(user, status=200, **forms):
    """The user's page with its forms; a form that failed validation is passed in to show its errors."""
    forms.setdefault("edit_form", admin_forms.UserEditForm(obj=user, formdata=None))
    forms.setdefault("role_form", admin_forms.RoleForm(prefix="role", formdata=None))
    forms.setdefault("staff_form", admin_forms.StaffForm(prefix="staff", formdata=None))
    forms.setdefault("password_form", admin_forms.TemporaryPasswordForm(prefix="pw", formdata=None))
    member_of = list(
        Membership.select(Membership, Venue, Region)
        .join(Venue).join(Region)
        .where(Membership.user == user)
        .order_by(Membership.status != "verified", Venue.name, Membership.role)
    )
    departments = list(
        DepartmentStaff.select(DepartmentStaff, Department)
        .join(Department)
        .where(DepartmentStaff.user == user)
        .order_by(Department.name)
    )
    groups = list(
        DeputyGroup.select().join(DeputyGroupMember)
        .where(DeputyGroupMember.user == user)
        .order_by(DeputyGroup.name)
    )
    return render(
        "admin/user.html", person=user, memberships=member_of, departments=departments, groups=groups,
        last_admin=is_last_admin(user), status=status, **forms,
    )


def _get_user(user_id):
    return get_object_or_404(User.select(), User.id == user_id)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id):
    user = _get_user(user_id)
    if request.method == "GET":
        return _user_page(user)
    form = admin_forms.UserEditForm()
    if not form.validate():
        return _user_page(user, 422, edit_form=form)
    with db.atomic():
        before = audit.snapshot(user)
        user.display_name = form.display_name.data
        user.phone = form.phone.data or None
        user.save(only=[User.display_name, User.phone])
        audit.record(current_user, "user.update", user, before, audit.snapshot(user))
    flash(_("%(name)s is saved.", name=user.display_name), "success")
    return see_other(url_for("admin.user_edit", user_id=user.id))


@bp.post("/users/<int:user_id>/roles")
def user_grant_role(user_id):
    user = _get_user(user_id)
    form = admin_forms.RoleForm(prefix="role")
    if not form.validate():
        return _user_page(user, 422, role_form=form)
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
    return see_other(url_for("admin.user_edit", user_id=user.id))


@bp.post("/memberships/<int:membership_id>/remove")
def membership_remove(membership_id):
    membership = get_object_or_404(Membership.select(), Membership.id == membership_id)
    form = admin_forms.NoteForm()
    note = form.note.data if form.validate() else ""
    if memberships.set_membership_status(membership, "removed", current_user, note):
        flash(_("The role is removed."), "success")
    return see_other(safe_next(url_for("admin.user_edit", user_id=membership.user_id)))


@bp.post("/users/<int:user_id>/departments")
def user_add_department(user_id):
    user = _get_user(user_id)
    form = admin_forms.StaffForm(prefix="staff")
    if not form.validate():
        return _user_page(user, 422, staff_form=form)
    department = Department.get_by_id(form.department.data)
    _add_staff(department, user)
    return see_other(url_for("admin.user_edit", user_id=user.id))


def _add_staff(department, user):
    if _save_audited(DepartmentStaff(department=department, user=user), "department_staff.create", None):
        flash(_("%(name)s now works for %(department)s.", name=user.display_name, department=department.name),
              "success")
    else:
        flash(_("%(name)s already works for %(department)s.", name=user.display_name,
                department=department.name), "info")


@bp.post("/departments/<int:department_id>/staff/<int:user_id>/remove")
def staff_remove(department_id, user_id):
    staff = get_object_or_404(
        DepartmentStaff.select(),
        (DepartmentStaff.department == department_id) & (DepartmentStaff.user == user_id),
    )
    with db.atomic():
        before = audit.snapshot(staff)
        staff.delete_instance()
        audit.record(current_user, "department_staff.delete", staff, before, None)
    flash(_("The staff member is removed."), "success")
    return see_other(safe_next(url_for("admin.department_edit", department_id=department_id)))


def _set_user_flag(user, field, value, action):
    with db.atomic():
        before = audit.snapshot(user)
        setattr(user, field.name, value)
        user.save(only=[field])
        audit.record(current_user, action, user, before, audit.snapshot(user))


@bp.post("/users/<int:user_id>/admin")
def user_grant_admin(user_id):
    user = _get_user(user_id)
    if not user.is_admin:
        _set_user_flag(user, User.is_admin, True, "user.grant_admin")
        flash(_("%(name)s is now a site admin.", name=user.display_name), "success")
    return see_other(url_for("admin.user_edit", user_id=user.id))


@bp.post("/users/<int:user_id>/admin/remove")
def user_revoke_admin(user_id):
    user = _get_user(user_id)
    with db.atomic():
        # Checked inside the write transaction, so two admins cannot remove each other at once.
        if is_last_admin(User.get_by_id(user.id)):
            flash(_("%(name)s is the last site admin. Make someone else an admin first.",
                    name=user.display_name), "error")
            return see_other(url_for("admin.user_edit", user_id=user.id))
        if user.is_admin:
            _set_user_flag(user, User.is_admin, False, "user.revoke_admin")
    flash(_("%(name)s is no longer a site admin.", name=user.display_name), "success")
    if user.id == current_user.id:
        return see_other(url_for("main.index"))
    return see_other(url_for("admin.user_edit", user_id=user.id))


@bp.post("/users/<int:user_id>/deactivate")
def user_deactivate(user_id):
    user = _get_user(user_id)
    if user.id == current_user.id:
        flash(_("You cannot deactivate your own account."), "error")
    elif user.active:
        with db.atomic():
            if is_last_admin(User.get_by_id(user.id)):
                flash(_("%(name)s is the last site admin. Make someone else an admin first.",
                        name=user.display_name), "error")
                return see_other(url_for("admin.user_edit", user_id=user.id))
            _set_user_flag(user, User.active, False, "user.deactivate")
        flash(_("%(name)s can no longer log in. What they wrote stays.", name=user.display_name), "success")
    return see_other(url_for("admin.user_edit", user_id=user.id))


@bp.post("/users/<int:user_id>/reactivate")
def user_reactivate(user_id):
    user = _get_user(user_id)
    if not user.active:
        _set_user_flag(user, User.active, True, "user.reactivate")
        flash(_("%(name)s can log in again.", name=user.display_name), "success")
    return see_other(url_for("admin.user_edit", user_id=user.id))


@bp.post("/users/<int:user_id>/password")
def user_set_password(user_id):
    user = _get_user(user_id)
    form = admin_forms.TemporaryPasswordForm(prefix="pw")
    if not form.validate():
        return _user_page(user, 422, password_form=form)
    with db.atomic():
        before = audit.snapshot(user)
        user.set_password(form.password.data)
        user.must_change_password = True
        user.save(only=[User.password_hash, User.must_change_password])
        audit.record(current_user, "user.set_password", user, before, audit.snapshot(user))
    flash(_("The temporary password of %(name)s is set. They must change it when they next log in.",
            name=user.display_name), "success")
    return see_other(url_for("admin.user_edit", user_id=user.id))


# Deputy groups ----------------------------------------------------------------------------------

@bp.get("/groups")
def groups():
    counts = dict(
        DeputyGroupMember.select(DeputyGroupMember.group, fn.COUNT(DeputyGroupMember.id))
        .group_by(DeputyGroupMember.group).tuples()
    )
    rows = list(DeputyGroup.select().order_by(DeputyGroup.archived, DeputyGroup.name))
    return render("admin/groups.html", groups=rows, counts=counts)


@bp.route("/groups/new", methods=["GET", "POST"])
def group_new():
    form = admin_forms.DeputyGroupForm()
    if form.validate_on_submit():
        group = DeputyGroup(name=form.name.data, name_en=form.name_en.data, description=form.description.data)
        if not _save_audited(group, "deputy_group.create", None):
            form.name.errors.append(_("There is already a deputy group with this name."))
        else:
            flash(_("%(name)s is added.", name=group.name), "success")
            return see_other(url_for("admin.group_edit", group_id=group.id))
    return render("admin/group_form.html", form=form, group=None, status=form_status(form))


def _group_page(group, form=None, member_form=None, status=200):
    members = list(
        User.select().join(DeputyGroupMember).where(DeputyGroupMember.group == group).order_by(User.display_name)
    )
    return render(
        "admin/group_form.html", group=group, members=members, status=status,
        form=form or admin_forms.DeputyGroupForm(obj=group, group=group, formdata=None),
        member_form=member_form or admin_forms.UsernameForm(prefix="member", formdata=None),
    )


@bp.route("/groups/<int:group_id>", methods=["GET", "POST"])
def group_edit(group_id):
    group = get_object_or_404(DeputyGroup.select(), DeputyGroup.id == group_id)
    if request.method == "GET":
        return _group_page(group)
    form = admin_forms.DeputyGroupForm(group=group)
    if form.validate():
        before = audit.snapshot(group)
        form.populate_obj(group)
        if not _save_audited(group, "deputy_group.update", before):
            form.name.errors.append(_("There is already a deputy group with this name."))
        else:
            flash(_("%(name)s is saved.", name=group.name), "success")
            return see_other(url_for("admin.group_edit", group_id=group.id))
    return _group_page(group, form=form, status=422)


@bp.post("/groups/<int:group_id>/archive")
def group_archive(group_id):
    group = get_object_or_404(DeputyGroup.select(), DeputyGroup.id == group_id)
    return _toggle_archived(group, True, "deputy_group", url_for("admin.group_edit", group_id=group.id))


@bp.post("/groups/<int:group_id>/restore")
def group_restore(group_id):
    group = get_object_or_404(DeputyGroup.select(), DeputyGroup.id == group_id)
    return _toggle_archived(group, False, "deputy_group", url_for("admin.group_edit", group_id=group.id))


@bp.post("/groups/<int:group_id>/members")
def group_member_add(group_id):
    group = get_object_or_404(DeputyGroup.select(), DeputyGroup.id == group_id)
    form = admin_forms.UsernameForm(prefix="member")
    if form.validate() and not form.user.has_role("deputy"):
        form.username.errors.append(_("%(name)s is not a deputy yet. Give them the deputy role at a venue first.",
                                      name=form.user.display_name))
    if form.errors:
        return _group_page(group, member_form=form, status=422)
    user = form.user
    if _save_audited(DeputyGroupMember(group=group, user=user), "deputy_group_member.create", None):
        flash(_("%(name)s is added to the group.", name=user.display_name), "success")
    else:
        flash(_("%(name)s is already in this group.", name=user.display_name), "info")
    return see_other(url_for("admin.group_edit", group_id=group.id))


@bp.post("/groups/<int:group_id>/members/<int:user_id>/remove")
def group_member_remove(group_id, user_id):
    member = get_object_or_404(
        DeputyGroupMember.select(),
        (DeputyGroupMember.group == group_id) & (DeputyGroupMember.user == user_id),
    )
    with db.atomic():
        before = audit.snapshot(member)
        member.delete_instance()
        audit.record(current_user, "deputy_group_member.delete", member, before, None)
    flash(_("The member is removed from the group."), "success")
    return see_other(safe_next(url_for("admin.group_edit", group_id=group_id)))


# Departments --------------------------------------------------------------------------------------

@bp.get("/departments")
def departments():
    level = request.args.get("level", "")
    query = (
        Department.select(Department, Region)
        .join(Region)
        .order_by(Department.archived, Department.level, Region.name, Department.name)
    )
    if level in admin_forms.PARENT_LEVEL:
        query = query.where(Department.level == level)
    else:
        level = ""
    counts = dict(
        DepartmentStaff.select(DepartmentStaff.department, fn.COUNT(DepartmentStaff.id))
        .group_by(DepartmentStaff.department).tuples()
    )
    return render("admin/departments.html", departments=list(query), counts=counts, level=level)


@bp.route("/departments/new", methods=["GET", "POST"])
def department_new():
    form = admin_forms.DepartmentForm()
    if form.validate_on_submit():
        department = Department()
        form.populate_obj(department)
        if not _save_audited(department, "department.create", None):
            form.region.errors.append(_("This region already has a department with this name."))
        else:
            flash(_("%(name)s is added.", name=department.name), "success")
            return see_other(url_for("admin.department_edit", department_id=department.id))
    return render("admin/department_form.html", form=form, department=None, status=form_status(form))


def _department_page(department, form=None, staff_form=None, status=200):
    staff = list(
        User.select().join(DepartmentStaff).where(DepartmentStaff.department == department)
        .order_by(User.display_name)
    )
    return render(
        "admin/department_form.html", department=department, staff=staff, status=status,
        form=form or admin_forms.DepartmentForm(obj=department, department=department, formdata=None),
        staff_form=staff_form or admin_forms.UsernameForm(prefix="staff", formdata=None),
    )


@bp.route("/departments/<int:department_id>", methods=["GET", "POST"])
def department_edit(department_id):
    department = get_object_or_404(Department.select(), Department.id == department_id)
    if request.method == "GET":
        return _department_page(department)
    form = admin_forms.DepartmentForm(department=department)
    if form.validate():
        before = audit.snapshot(department)
        form.populate_obj(department)
        if not _save_audited(department, "department.update", before):
            form.region.errors.append(_("This region already has a department with this name."))
        else:
            flash(_("%(name)s is saved.", name=department.name), "success")
            return see_other(url_for("admin.department_edit", department_id=department.id))
    return _department_page(department, form=form, status=422)


@bp.post("/departments/<int:department_id>/archive")
def department_archive(department_id):
    department = get_object_or_404(Department.select(), Department.id == department_id)
    return _toggle_archived(department, True, "department", url_for("admin.department_edit", department_id=department.id))


@bp.post("/departments/<int:department_id>/restore")
def department_restore(department_id):
    department = get_object_or_404(Department.select(), Department.id == department_id)
    return _toggle_archived(department, False, "department", url_for("admin.department_edit", department_id=department.id))


@bp.post("/departments/<int:department_id>/staff")
def department_staff_add(department_id):
    department = get_object_or_404(Department.select(), Department.id == department_id)
    form = admin_forms.UsernameForm(prefix="staff")
    if not form.validate():
        return _department_page(department, staff_form=form, status=422)
    _add_staff(department, form.user)
    return see_other(url_for("admin.department_edit", department_id=department.id))


# Categories -------------------------------------------------------------------------------------

@bp.get("/categories")
def categories():
    rows = list(Category.select().order_by(Category.archived, Category.position, Category.name))
    names = dict(Department.select(Department.id, Department.name).tuples())
    return render("admin/categories.html", categories=rows, department_names=names)


@bp.route("/categories/new", methods=["GET", "POST"])
def category_new():
    form = admin_forms.CategoryForm()
    if form.validate_on_submit():
        category = Category()
        form.apply(category)
        if not _save_audited(category, "category.create", None):
            form.code.errors.append(_("Another category already uses this code."))
        else:
            flash(_("%(name)s is added.", name=category.name), "success")
            return see_other(url_for("admin.categories"))
    return render("admin/category_form.html", form=form, category=None, status=form_status(form))


@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
def category_edit(category_id):
    category = get_object_or_404(Category.select(), Category.id == category_id)
    form = admin_forms.CategoryForm(obj=category, category=category)
    if form.validate_on_submit():
        before = audit.snapshot(category)
        form.apply(category)
        if not _save_audited(category, "category.update", before):
            form.code.errors.append(_("Another category already uses this code."))
        else:
            flash(_("%(name)s is saved.", name=category.name), "success")
            return see_other(url_for("admin.categories"))
    return render("admin/category_form.html", form=form, category=category, status=form_status(form))


@bp.post("/categories/<int:category_id>/archive")
def category_archive(category_id):
    category = get_object_or_404(Category.select(), Category.id == category_id)
    return _toggle_archived(category, True, "category", url_for("admin.category_edit", category_id=category.id))


@bp.post("/categories/<int:category_id>/restore")
def category_restore(category_id):
    category = get_object_or_404(Category.select(), Category.id == category_id)
    return _toggle_archived(category, False, "category", url_for("admin.category_edit", category_id=category.id))


# Audit trail ------------------------------------------------------------------------------------

# Where an entry's object is managed: (endpoint, url argument, key of the snapshot holding the id).
ENTRY_LINKS = {
    "region": ("admin.region_edit", "region_id", "id"),
    "venue": ("admin.venue_edit", "venue_id", "id"),
    "user": ("admin.user_edit", "user_id", "id"),
    "membership": ("admin.user_edit", "user_id", "user"),
    "department": ("admin.department_edit", "department_id", "id"),
    "department_staff": ("admin.department_edit", "department_id", "department"),
    "category": ("admin.category_edit", "category_id", "id"),
    "deputy_group": ("admin.group_edit", "group_id", "id"),
    "deputy_group_member": ("admin.group_edit", "group_id", "group"),
}


def entry_link(entry):
    """The admin page of an audit entry's object, or None once it was deleted."""
    endpoint, argument, key = ENTRY_LINKS.get(entry.object_type, (None, None, None))
    data = entry.after or entry.before or {}
    if endpoint is None or data.get(key) is None or entry.action == "region.delete":
        return None
    return url_for(endpoint, **{argument: data[key]})


# Snapshot fields that hold the id of another record, and the model whose name to show for it.
REFERENCES = {
    "user": User, "verified_by": User, "venue": Venue, "region": Region, "parent": Region,
    "department": Department, "village_department": Department, "town_department": Department,
    "city_department": Department, "group": DeputyGroup,
}


# Snapshot fields holding a stored choice, and the labels.py group that translates it.
LABEL_GROUPS = {
    ("region", "kind"): "region_kind", ("venue", "kind"): "venue_kind", (None, "level"): "level",
    (None, "role"): "role", ("membership", "status"): "membership_status",
}


class AuditNames:
    """Names for the ids that a page of audit entries refers to, found with one query per model."""

    def __init__(self, entries):
        wanted = {}
        for entry in entries:
            for data in (entry.before or {}, entry.after or {}):
                for key, model in REFERENCES.items():
                    if isinstance(data.get(key), int):
                        wanted.setdefault(model, set()).add(data[key])
        self.names = {}
        for model, ids in wanted.items():
            name = model.display_name if model is User else model.name
            for pk, text in model.select(model.id, name).where(model.id.in_(list(ids))).tuples():
                self.names[model, pk] = text

    def value(self, field, value, object_type=None):
        """A snapshot value as shown: a referenced record's name, a choice's label, else the value."""
        model = REFERENCES.get(field)
        if model is not None and isinstance(value, int):
            return self.names.get((model, value), f"#{value}")
        group = LABEL_GROUPS.get((object_type, field)) or LABEL_GROUPS.get((None, field))
        if group and isinstance(value, str):
            return labels.label(group, value)
        if field.endswith("_at") and isinstance(value, str):
            try:
                return timefmt.format_local(datetime.datetime.fromisoformat(value), "yyyy-MM-dd HH:mm:ss")
            except ValueError:
                return value
        return value

    def title(self, entry):
        """The object's name; for a link record (membership, staff, group member), both ends."""
        data = entry.after or entry.before or {}
        if entry.object_type in ("membership", "department_staff", "deputy_group_member"):
            other = next(k for k in ("venue", "department", "group") if k in data)
            return f"{self.value('user', data.get('user'))} · {self.value(other, data.get(other))}"
        return audit.title(entry)


@bp.get("/audit")
def audit_log():
    action = request.args.get("action", "")
    object_type = request.args.get("object_type", "")
    actor_name = request.args.get("actor", "").strip()[:40]
    object_id = id_arg("object_id")
    query = AuditLog.select(AuditLog, User).join(User, JOIN.LEFT_OUTER).order_by(AuditLog.id.desc())
    if action in audit.ACTIONS:
        query = query.where(AuditLog.action == action)
    else:
        action = ""
    if object_type in audit.OBJECT_TYPES:
        query = query.where(AuditLog.object_type == object_type)
        if object_id:
            query = query.where(AuditLog.object_id == object_id)
    else:
        object_type, object_id = "", None
    actor = None
    if actor_name:
        actor = User.get_or_none(User.username == actor_name)
        query = query.where(AuditLog.actor == (actor.id if actor else 0))
    page = Page(query, size=50)
    return render(
        "admin/audit.html", listing=page, names=AuditNames(page.items), action=action, object_type=object_type,
        object_id=object_id, actor_name=actor_name, actions=audit.ACTIONS, object_types=audit.OBJECT_TYPES,
    )
from views.admin import api_keys  # noqa: E402,F401  (Open311 API keys register their routes on bp)

"""Deputy groups (专业代表小组): deputies organised by field."""
from contextlib import nullcontext

from flask import abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from domain import people
from models import DeputyGroup, DeputyGroupCategory, DeputyGroupMember, db
from views import render, safe_next, see_other
from views.admin import archiving, bp, delete_audited, found, save_audited, save_form, set_archived
from views.admin.forms import DeputyGroupForm, MemberForm


@bp.get("/groups")
def groups():
    return render("admin/groups.html", groups=list(DeputyGroup.listing()), counts=DeputyGroupMember.counts(),
                  fields=DeputyGroupCategory.by_group())


def _page(group):
    return url_for("admin.group_edit", group_id=group.id)


def _saved(form):
    """What follows a saved group: its field's categories, saved in the same transaction (see
    _writing), then its page."""
    def done(group):
        people.set_group_categories(group, form.categories.data or [], current_user)
        return _page(group)
    return done


def _writing():
    """One transaction for a posted group form: the group, its audit entry and its field."""
    return db.atomic() if request.method == "POST" else nullcontext()


@bp.route("/groups/new", methods=["GET", "POST"])
def group_new():
    form = DeputyGroupForm()
    with _writing():
        return save_form(form, DeputyGroup(), "admin/group_form.html", _saved(form), group=None)


def _members(group, member_form=None):
    return dict(
        group=group, members=list(group.member_users()),
        member_form=member_form or MemberForm(prefix="member", formdata=None),
    )


@bp.route("/groups/<int:group_id>", methods=["GET", "POST"])
def group_edit(group_id):
    group = found(DeputyGroup, group_id)
    form = DeputyGroupForm(obj=group, group=group)
    with _writing():
        return save_form(form, group, "admin/group_form.html", _saved(form), **_members(group))


@archiving("/groups/<int:group_id>", "group")
def group_archived(group_id, archived):
    group = found(DeputyGroup, group_id)
    return set_archived(group, archived, _page(group))


@bp.post("/groups/<int:group_id>/members")
def group_member_add(group_id):
    group = found(DeputyGroup, group_id)
    form = MemberForm(prefix="member")
    if not form.validate():
        return render(
            "admin/group_form.html", form=DeputyGroupForm(obj=group, group=group, formdata=None), status=422,
            **_members(group, form),
        )
    user = form.user
    if save_audited(DeputyGroupMember(group=group, user=user), "deputy_group_member.create", None):
        flash(_("%(name)s is added to the group.", name=user.display_name), "success")
    else:
        flash(_("%(name)s is already in this group.", name=user.display_name), "info")
    return see_other(_page(group))


@bp.post("/groups/<int:group_id>/members/<int:user_id>/remove")
def group_member_remove(group_id, user_id):
    delete_audited(DeputyGroupMember.get_or_none(group=group_id, user=user_id) or abort(404))
    flash(_("The member is removed from the group."), "success")
    return see_other(safe_next(url_for("admin.group_edit", group_id=group_id)))

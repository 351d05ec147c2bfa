"""The region tree: the city, its towns and subdistricts, their villages and communities."""
from flask import flash, url_for
from flask_babel import gettext as _

from models import Region, Venue
from views import id_arg, render, see_other
from views.admin import archiving, bp, delete_audited, found, save_form, set_archived
from views.admin.forms import RegionForm


@bp.get("/regions")
def regions():
    children = {}
    for region in Region.in_tree_order():
        children.setdefault(region.parent_id, []).append(region)
    return render(
        "admin/regions.html", roots=children.get(None, []), children=children,
        venue_counts=Venue.counts_by_region(),
    )


def _in_tree(region):
    return url_for("admin.regions") + f"#region-{region.id}"


@bp.route("/regions/new", methods=["GET", "POST"])
def region_new():
    form = RegionForm().start_under(Region.get_or_none(Region.id == id_arg("parent")))
    return save_form(form, Region(), "admin/region_form.html", _in_tree, region=None)


@bp.route("/regions/<int:region_id>", methods=["GET", "POST"])
def region_edit(region_id):
    region = found(Region, region_id)
    return save_form(
        RegionForm(obj=region, region=region), region, "admin/region_form.html", _in_tree,
        region=region, venues=list(region.venues_by_name()), has_children=region.children.exists(),
    )


@archiving("/regions/<int:region_id>", "region")
def region_archived(region_id, archived):
    region = found(Region, region_id)
    if archived:
        blocked = region.holds_active() and _("Archive its venues and the regions under it first.")
    else:
        blocked = region.parent is not None and region.parent.archived and _(
            "Restore %(name)s first.", name=region.parent.name)
    return set_archived(region, archived, url_for("admin.region_edit", region_id=region.id), blocked)


@bp.post("/regions/<int:region_id>/delete")
def region_delete(region_id):
    region = found(Region, region_id)
    # Only a region nothing refers to may go; anything with history is archived instead.
    if region.is_referenced():
        flash(_("Only an empty region can be deleted. Archive it instead."), "error")
        return see_other(url_for("admin.region_edit", region_id=region.id))
    delete_audited(region)
    flash(_("%(name)s is deleted.", name=region.name), "success")
    return see_other(url_for("admin.regions"))

"""The audit trail as the administration shows it: the list with its filters, and the presenter
that names the records an entry refers to and links to where each is managed."""
import datetime

from flask import request, url_for

from domain import audit as trail
from domain import labels, timefmt
from models import AuditLog, Department, DeputyGroup, Region, User, Venue
from views import Page, id_arg, render
from views.admin import bp


@bp.context_processor
def audit_helpers():
    return {
        "action_label": lambda action: trail.ACTIONS.get(action, action),
        "entry_changes": trail.changes,
        "entry_link": entry_link,
        "field_label": trail.field_label,
        "label_choices": labels.choices,
    }


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
        return trail.title(entry)


@bp.get("/audit")
def audit_log():
    action = request.args.get("action", "")
    action = action if action in trail.ACTIONS else ""
    object_type = request.args.get("object_type", "")
    object_type = object_type if object_type in trail.OBJECT_TYPES else ""
    object_id = id_arg("object_id") if object_type else None
    actor_name = request.args.get("actor", "").strip()[:40]
    page = Page(AuditLog.filtered(action, object_type, object_id, actor_name), size=50)
    return render(
        "admin/audit.html", listing=page, names=AuditNames(page.items), action=action, object_type=object_type,
        object_id=object_id, actor_name=actor_name, actions=trail.ACTIONS, object_types=trail.OBJECT_TYPES,
    )

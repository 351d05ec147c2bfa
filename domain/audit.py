"""The audit trail of privileged actions: who changed which record, before and after, and when.

Call `record` inside the same `db.atomic()` as the change it describes, so the entry exists exactly
when the change does. `snapshot` turns a model into the JSON-ready dict that `before`/`after` hold.
"""
import datetime
import re

from flask_babel import lazy_gettext as _l
from peewee import ForeignKeyField

from models import AuditLog

# Never copied into the audit trail.
SECRET_FIELDS = frozenset({"password_hash", "session_version", "ballot_key", "code_hash"})
# Kept masked (PIPL): the trail needs to show that a phone number changed, never the number.
PHONE_FIELDS = frozenset({"phone", "reporter_contact"})
# Columns the models derive from others (the pinyin of a name, for search): no one changes them.
DERIVED_FIELDS = frozenset({"pinyin", "initials"})

# Every action the site records, with its label for the audit list (and its filter).
ACTIONS = {
    "region.create": _l("Region created"),
    "region.update": _l("Region changed"),
    "region.archive": _l("Region archived"),
    "region.restore": _l("Region restored"),
    "region.delete": _l("Region deleted"),
    "venue.create": _l("Venue created"),
    "venue.update": _l("Venue changed"),
    "venue.archive": _l("Venue archived"),
    "venue.restore": _l("Venue restored"),
    "user.create": _l("Account created"),
    "user.update": _l("Account changed"),
    "user.deactivate": _l("Account deactivated"),
    "user.reactivate": _l("Account reactivated"),
    "user.grant_admin": _l("Made site admin"),
    "user.revoke_admin": _l("Site admin role removed"),
    "user.set_password": _l("Temporary password set"),
    "user.delete": _l("Account deleted by its owner"),
    "membership.create": _l("Role given"),
    "membership.verified": _l("Membership verified"),
    "membership.pending": _l("Membership set to waiting"),
    "membership.refused": _l("Membership refused"),
    "membership.removed": _l("Membership removed"),
    "personal_code.create": _l("Personal codes made"),
    "personal_code.use": _l("Personal code used"),
    "personal_code.revoke": _l("Personal code revoked"),
    "department.create": _l("Department created"),
    "department.update": _l("Department changed"),
    "department.archive": _l("Department archived"),
    "department.restore": _l("Department restored"),
    "department_staff.create": _l("Staff member added"),
    "department_staff.delete": _l("Staff member removed"),
    "category.create": _l("Category created"),
    "category.update": _l("Category changed"),
    "category.archive": _l("Category archived"),
    "category.restore": _l("Category restored"),
    "deputy_group.create": _l("Deputy group created"),
    "deputy_group.update": _l("Deputy group changed"),
    "deputy_group.archive": _l("Deputy group archived"),
    "deputy_group.restore": _l("Deputy group restored"),
    "deputy_group_member.create": _l("Group member added"),
    "deputy_group_member.delete": _l("Group member removed"),
    "issue.hide": _l("Issue hidden"),
    "issue.restore": _l("Issue restored"),
    "issue.dismiss": _l("Reports on an issue dismissed"),
    "comment.hide": _l("Comment hidden"),
    "comment.restore": _l("Comment restored"),
    "comment.dismiss": _l("Reports on a comment dismissed"),
    "agenda_item.close_early": _l("Vote closed early"),
    "issue.accept": _l("Issue accepted"),
    "issue.decline": _l("Issue declined"),
    "issue.merge": _l("Issue merged into another"),
    "issue.assign": _l("Issue assigned to a department"),
    "issue.escalate": _l("Issue escalated to a higher level"),
    "issue.answer": _l("Department answered"),
    "issue.return": _l("Department returned an issue"),
    "issue.extension": _l("Extension decided"),
    "issue.rate": _l("Handling rated"),
    "report.publish": _l("Special report published"),
    "issue.award": _l("Marked as a good suggestion"),
    "issue.award_withdraw": _l("Good suggestion withdrawn"),
    "deputy_group.categories": _l("Deputy group's field changed"),
    "api_key.create": _l("Open311 API key issued"),
    "api_key.revoke": _l("Open311 API key revoked"),
    "synonym.create": _l("Synonyms added"),
    "synonym.update": _l("Synonyms changed"),
    "synonym.delete": _l("Synonyms removed"),
    "site_settings.update": _l("Site settings changed"),
}

OBJECT_TYPES = {
    "region": _l("Region"),
    "venue": _l("Venue"),
    "user": _l("Account"),
    "membership": _l("Membership"),
    "personal_code": _l("Personal code"),
    "department": _l("Department"),
    "department_staff": _l("Department staff"),
    "category": _l("Category"),
    "deputy_group": _l("Deputy group"),
    "deputy_group_member": _l("Deputy group member"),
    "issue": _l("Issue"),
    "comment": _l("Comment"),
    "agenda_item": _l("Agenda item"),
    "api_key": _l("Open311 API key"),
    "synonym": _l("Synonyms"),
    "report": _l("Special report"),
    "site_settings": _l("Site settings"),
}

# Names of the fields that snapshots hold, as the audit list shows them.
FIELD_LABELS = {
    "name": _l("Name"),
    "name_en": _l("Name in English"),
    "kind": _l("Kind"),
    "level": _l("Level"),
    "parent": _l("Belongs to"),
    "position": _l("Order in lists"),
    "archived": _l("Archived"),
    "slug": _l("Web address name"),
    "region": _l("Region"),
    "address": _l("Address"),
    "description": _l("Description"),
    "opening_times": _l("Opening times"),
    "voting_open_to_all": _l("Every registered user may vote"),
    "username": _l("Username"),
    "display_name": _l("Name"),
    "phone": _l("Phone"),
    "locale": _l("Language"),
    "is_admin": _l("Site admin"),
    "active": _l("Can log in"),
    "must_change_password": _l("Must change password"),
    "user": _l("Account"),
    "venue": _l("Venue"),
    "role": _l("Role"),
    "status": _l("Status"),
    "note": _l("Note"),
    "verified_by": _l("Verified by"),
    "verified_at": _l("Verified at"),
    "number": _l("Number"),
    "used_by": _l("Used by"),
    "used_at": _l("Used at"),
    "revoked_by": _l("Revoked by"),
    "revoked_at": _l("Revoked at"),
    "group": _l("Deputy group"),
    "department": _l("Department"),
    "code": _l("Code"),
    "village_department": _l("Handling department at village level"),
    "town_department": _l("Handling department at town level"),
    "city_department": _l("Handling department at city level"),
    "time_limit_days": _l("Time limit (working days)"),
    "created_at": _l("Created"),
    "updated_at": _l("Changed"),
    "invite_code": _l("Invite code"),
    "closes_at": _l("Voting closes"),
    "close_reason": _l("Why the vote closed early"),
    "co": _l("Co-handling departments"),
    "merged_into": _l("Merged into"),
    "due_on": _l("Due"),
    "grade": _l("Answer grade"),
    "rating": _l("Rating"),
    "round": _l("Round"),
    "granted": _l("Granted"),
    "until": _l("New due date"),
    "year": _l("Year"),
    "items": _l("Matters"),
    "state": _l("State"),
    "award": _l("Good suggestion"),
    "award_year": _l("Year of the good suggestion"),
    "citation": _l("Citation"),
    "categories": _l("Categories"),
    "sponsor": _l("Sponsoring office"),
    "contact_phone": _l("Contact phone"),
    "icp": _l("ICP filing number"),
    "about": _l("About this site"),
}


def field_label(name):
    """The translated name of a snapshot field, or the field name itself."""
    return FIELD_LABELS.get(name, name)


def _plain(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


def object_type(obj):
    """The name an object's entries are filed under: its table name (venue, deputy_group, …)."""
    return obj._meta.table_name


def mask_phone(value):
    """A phone number with all but its last four digits hidden: 13812345678 → *******5678."""
    if not value:
        return value
    digits = sum(ch.isdigit() for ch in value)
    seen = 0

    def hide(match):
        nonlocal seen
        seen += 1
        return match.group() if seen > digits - 4 else "*"

    return re.sub(r"\d", hide, value)


def snapshot(obj):
    """The record's own columns as a JSON-ready dict; foreign keys as ids, secrets left out, phone
    numbers masked."""
    data = {}
    for name, field in obj._meta.fields.items():
        if name in SECRET_FIELDS or name in DERIVED_FIELDS:
            continue
        value = obj.__data__.get(name)
        if isinstance(field, ForeignKeyField) and hasattr(value, "id"):
            value = value.id
        if name in PHONE_FIELDS:
            value = mask_phone(value)
        data[name] = _plain(value)
    return data


AUTOMATIC = "automatic"  # the actor of what the site does by itself (a hide after three reports)


def record(actor, action, obj, before=None, after=None, note=""):
    """Write one audit entry: `actor` (a user; None for the command line; AUTOMATIC for the site
    itself) did `action` to `obj`.

    `before` and `after` are snapshots (None for a creation or a deletion respectively).
    Call it inside the transaction that makes the change.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action: {action}")
    return AuditLog.create(
        actor=getattr(actor, "id", None),
        automatic=actor == AUTOMATIC,
        action=action,
        object_type=object_type(obj),
        object_id=obj.id,
        before=before,
        after=after,
        note=note or "",
    )


def changes(entry):
    """The fields an entry changed: [(field, before, after)], all fields for a creation or deletion."""
    before, after = entry.before or {}, entry.after or {}
    keys = list(after) + [k for k in before if k not in after]
    # The id is the entry's own object_id, shown as its title.
    return [(k, before.get(k), after.get(k)) for k in keys if k != "id" and before.get(k) != after.get(k)]


def title(entry):
    """A short human name for the entry's object, taken from its snapshot."""
    data = entry.after or entry.before or {}
    for key in ("name", "display_name", "username", "code"):
        if data.get(key):
            return str(data[key])
    return f"#{entry.object_id}" if entry.object_id else ""

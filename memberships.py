"""Changes to memberships, in one place so Venue.resident_count always equals the venue's verified
residents and every change lands in the audit trail.

Used by the administration (roles), the councillors' member list and the verification requests.
"""
import audit
from models import MEMBERSHIP_STATES, ROLES, Membership, Venue, db, utcnow


def _adjust_resident_count(membership, was_verified, is_verified):
    if membership.role != "resident" or was_verified == is_verified:
        return
    delta = 1 if is_verified else -1
    Venue.update(resident_count=Venue.resident_count + delta).where(
        Venue.id == membership.venue_id
    ).execute()


def set_membership_status(membership, status, actor, note=""):
    """Move `membership` to `status` (pending, verified, refused or removed) on behalf of `actor`.

    In one transaction: stamps verified_by/verified_at when it becomes verified, keeps the venue's
    resident_count equal to its verified residents, stores `note` (e.g. why a request was refused)
    and writes the audit entry "membership.<status>". Safe against two people acting at once: only
    the first change from the status seen here takes effect. Returns True if the status changed,
    False if it already was `status` (or someone else changed it first); `membership` is updated
    in place either way.
    """
    if status not in MEMBERSHIP_STATES:
        raise ValueError(f"unknown membership status: {status}")
    with db.atomic():
        current = Membership.get_by_id(membership.id)
        if current.status == status:
            membership.__data__.update(current.__data__)
            return False
        before = audit.snapshot(current)
        fields = {Membership.status: status, Membership.note: (note or "")[:300]}
        if status == "verified":
            fields[Membership.verified_by] = getattr(actor, "id", None)
            fields[Membership.verified_at] = utcnow()
        # The status seen above is the condition, so a concurrent change makes this a no-op.
        changed = (
            Membership.update(fields)
            .where((Membership.id == current.id) & (Membership.status == current.status))
            .execute()
        )
        fresh = Membership.get_by_id(current.id)
        membership.__data__.update(fresh.__data__)
        if not changed:
            return False
        _adjust_resident_count(current, current.status == "verified", status == "verified")
        audit.record(actor, f"membership.{status}", fresh, before, audit.snapshot(fresh), note=note)
    return True


def grant_role(user, venue, role, actor, note=""):
    """Make `user` a verified `role` (resident, councillor or deputy) of `venue`.

    Creates the membership, or verifies the existing one (pending, refused or removed), keeping
    the resident count and the audit trail as `set_membership_status` does. Returns the membership.
    """
    if role not in ROLES:
        raise ValueError(f"unknown role: {role}")
    with db.atomic():
        membership = Membership.get_or_none(
            (Membership.user == user.id) & (Membership.venue == venue.id) & (Membership.role == role)
        )
        if membership is not None:
            set_membership_status(membership, "verified", actor, note)
            return membership
        membership = Membership.create(
            user=user.id, venue=venue.id, role=role, status="verified",
            verified_by=getattr(actor, "id", None), verified_at=utcnow(), note=(note or "")[:300],
        )
        _adjust_resident_count(membership, False, True)
        audit.record(actor, "membership.create", membership, None, audit.snapshot(membership), note=note)
    return membership

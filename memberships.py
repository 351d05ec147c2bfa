"""Residents joining a venue: requests, verification by councillors, invite codes.

Venue.resident_count (the verified residents, the base of a percentage quorum) changes in the same
transaction as the membership it counts.
"""
import secrets

from peewee import IntegrityError

from models import AuditLog, Membership, Notification, Venue, db, utcnow

# No 0/O, 1/I/L: the code is read off a printed notice and typed on a phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


def normalise_code(text):
    """An invite code as typed: spaces and dashes dropped, upper case."""
    return "".join(ch for ch in (text or "").upper() if ch not in " -\t")


def new_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def resident_membership(user, venue):
    """The user's resident membership at `venue` (any status), or None."""
    return Membership.get_or_none(
        (Membership.user == user.id) & (Membership.venue == venue) & (Membership.role == "resident")
    )


def _set_status(membership, status, actor, note=""):
    """Move a resident membership to `status`, keeping the venue's resident count right.

    Returns False when it already had that status (a double click, a concurrent councillor).
    """
    now = utcnow()
    fields = {"status": status, "note": note}
    if status == "verified":
        fields.update(verified_by=actor.id if actor is not None else None, verified_at=now)
    with db.atomic():
        changed = (
            Membership.update(fields)
            .where((Membership.id == membership.id) & (Membership.status != status))
            .execute()
        )
        if not changed:
            return False
        before = membership.status
        if membership.role == "resident":
            step = (status == "verified") - (before == "verified")
            if step:
                Venue.update(resident_count=Venue.resident_count + step, updated_at=now).where(
                    Venue.id == membership.venue_id
                ).execute()
        for key, value in fields.items():
            setattr(membership, key, value)
    return True


def request_join(user, venue):
    """Ask to be verified as a resident of `venue`; returns the membership (maybe already verified).

    Someone refused or removed earlier may ask again: their request goes back to pending.
    """
    membership = resident_membership(user, venue)
    if membership is None:
        try:
            with db.atomic():
                return Membership.create(user=user.id, venue=venue, role="resident", status="pending")
        except IntegrityError:  # the same request twice at once
            return resident_membership(user, venue)
    if membership.status in ("refused", "removed"):
        _set_status(membership, "pending", None)
    return membership


def verify(membership, actor):
    """A councillor confirms the person lives here: pending → verified; the person is told."""
    with db.atomic():
        if not _set_status(membership, "verified", actor):
            return False
        Notification.create(
            user=membership.user_id, kind="membership_verified", actor=actor.id,
            data={"venue": membership.venue_id},
        )
        AuditLog.create(
            actor=actor, action="membership.verify", object_type="membership", object_id=membership.id,
            after={"status": "verified"},
        )
    return True


def refuse(membership, actor, reason):
    """A councillor refuses a request (or withdraws a verification), with a reason the person sees."""
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("a reason is required")
    with db.atomic():
        before = membership.status
        if not _set_status(membership, "refused", actor, note=reason):
            return False
        Notification.create(
            user=membership.user_id, kind="membership_refused", actor=actor.id,
            data={"venue": membership.venue_id, "reason": reason},
        )
        AuditLog.create(
            actor=actor, action="membership.refuse", object_type="membership", object_id=membership.id,
            before={"status": before}, after={"status": "refused"}, note=reason,
        )
    return True


def join_with_code(user, code):
    """Verify `user` as a resident of the venue whose invite code this is; that venue, or None."""
    code = normalise_code(code)
    if not code:
        return None
    venue = Venue.get_or_none((Venue.invite_code == code) & ~Venue.archived)
    if venue is None:
        return None
    membership = request_join(user, venue)
    if membership.status != "verified":
        with db.atomic():
            _set_status(membership, "verified", None, note="invite code")
    return venue


def rotate_code(venue, actor):
    """Give the venue a new invite code; the old one stops working at once."""
    for _ in range(5):
        code = new_code()
        try:
            with db.atomic():
                before = venue.invite_code
                Venue.update(invite_code=code, updated_at=utcnow()).where(Venue.id == venue.id).execute()
                AuditLog.create(
                    actor=actor, action="venue.rotate_invite_code", object_type="venue",
                    object_id=venue.id, note="rotated" if before else "created",
                )
        except IntegrityError:  # another venue drew the same code
            continue
        venue.invite_code = code
        return code
    raise RuntimeError("could not draw a unique invite code")


def set_voting_open_to_all(venue, actor, open_to_all):
    """Whether every registered user may vote at `venue`, or only its verified residents."""
    with db.atomic():
        before = venue.voting_open_to_all
        Venue.update(voting_open_to_all=open_to_all, updated_at=utcnow()).where(
            Venue.id == venue.id
        ).execute()
        AuditLog.create(
            actor=actor, action="venue.voting_open_to_all", object_type="venue", object_id=venue.id,
            before={"voting_open_to_all": before}, after={"voting_open_to_all": open_to_all},
        )
    venue.voting_open_to_all = open_to_all


def pending_requests(venue):
    """Requests waiting for a councillor, oldest first, with the people."""
    from models import User

    return (
        Membership.select(Membership, User)
        .join(User, on=(Membership.user == User.id))
        .where(
            (Membership.venue == venue) & (Membership.role == "resident")
            & (Membership.status == "pending")
        )
        .order_by(Membership.created_at, Membership.id)
    )


def decided_requests(venue, limit=20):
    """The latest verified or refused residents, newest decision first."""
    from models import User

    return (
        Membership.select(Membership, User)
        .join(User, on=(Membership.user == User.id))
        .where(
            (Membership.venue == venue) & (Membership.role == "resident")
            & Membership.status.in_(("verified", "refused"))
        )
        .order_by(Membership.verified_at.desc(nulls="LAST"), Membership.id.desc())
        .limit(limit)
    )

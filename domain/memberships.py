"""Changes to memberships, in one place so Venue.resident_count always equals the venue's verified
residents and every change lands in the audit trail.

Used by the administration (roles), the councillors' member list and the verification requests;
residents ask to join, or join with a code, through the functions at the end.

One resident, one voice: a venue-wide invite code (printed on a public notice) only lets people
ask to join; it never verifies anyone by itself and never undoes a councillor's refusal. A person
is verified by a councillor, or by a one-time personal code a councillor handed them (see
make_personal_codes): each code verifies one account once, can be revoked, and is stored hashed.
"""
import hashlib
import secrets

from peewee import IntegrityError, fn

from domain import audit, permissions
from models import MEMBERSHIP_STATES, ROLES, Membership, Notification, PersonalCode, Venue, db, utcnow


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


# Joining a venue as a resident: requests, councillors' decisions, invite codes -------------------

# No 0/O, 1/I/L: the code is read off a printed notice and typed on a phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


def normalise_code(text):
    """An invite code as typed: spaces and dashes dropped, upper case."""
    return "".join(ch for ch in (text or "").upper() if ch not in " -\t")


def new_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def request_join(user, venue):
    """Ask to be verified as a resident of `venue`; returns the membership (maybe already verified).

    Someone refused or removed earlier may ask again: their request goes back to pending.
    """
    membership = Membership.resident(user, venue)
    if membership is None:
        try:
            with db.atomic():
                return Membership.create(user=user.id, venue=venue, role="resident", status="pending")
        except IntegrityError:  # the same request twice at once
            return Membership.resident(user, venue)
    if membership.status in ("refused", "removed"):
        set_membership_status(membership, "pending", user)
    return membership


def _venue_data(membership):
    # A notification names its venue as it was called then, without a query per row to show it.
    venue = Venue.get_by_id(membership.venue_id)
    return {"venue": venue.id, "slug": venue.slug, "name": venue.name}


def _decide(membership, actor, status, note, kind, **data):
    """Move a resident's membership to `status` for `actor`, and tell the person with a
    Notification of `kind` when there is one. False if it already was so."""
    permissions.ensure(permissions.can_verify, actor, membership)
    with db.atomic():
        if not set_membership_status(membership, status, actor, note):
            return False
        if kind:
            Notification.create(
                user=membership.user_id, kind=kind, actor=actor.id, data={**_venue_data(membership), **data},
            )
    return True


def verify(membership, actor, note=""):
    """A councillor confirms the person lives here; the person is told. False if it was already so.

    Raises permissions.NotAllowed when `actor` may not (see permissions.can_verify): nobody verifies
    themselves. So do refuse and remove.
    """
    return _decide(membership, actor, "verified", note, "membership_verified")


def refuse(membership, actor, reason=""):
    """A councillor refuses a request (or withdraws a verification), with the reason the person
    sees (the requests page requires one; the member list leaves it optional)."""
    reason = (reason or "").strip()
    return _decide(membership, actor, "refused", reason, "membership_refused", reason=reason)


def remove(membership, actor, note=""):
    """A councillor takes a verified resident off the venue's residents (e.g. moved away)."""
    return _decide(membership, actor, "removed", note, None)


# What the member list's buttons may start from: a click on a row that changed since is a no-op.
STARTS = {
    "verify": ({"pending", "refused", "removed"}, verify),
    "refuse": ({"pending"}, refuse),
    "remove": ({"verified"}, remove),
}


def decide(membership, action, actor, note=""):
    """verify, refuse or remove `membership` from the member list, if its status still allows the
    action; False when it does not (or nothing changed)."""
    starts, act = STARTS[action]
    if membership.status not in starts:
        permissions.ensure(permissions.can_verify, actor, membership)
        return False
    return act(membership, actor, note)


# What joining with a code did; the page says each in plain words.
REQUESTED = "requested"  # a venue's invite code: the request waits for a councillor
VERIFIED = "verified"  # a personal code: verified at once
ALREADY = "already"  # verified here before; nothing changed (a personal code is not spent)
REFUSED = "refused"  # a councillor refused or removed this person; a code does not change that
USED = "used"  # a personal code somebody has used
REVOKED = "revoked"  # a personal code a councillor withdrew
UNKNOWN = "unknown"  # no venue and no personal code has this code


def join_with_code(user, code):
    """Join with the code `user` typed: (what happened, venue or None); see the outcomes above.

    A personal code verifies `user` as a resident of its venue, once. A venue's invite code only
    asks to join (a pending request, as the venue page's button does) and leaves a refusal as it is.
    """
    code = normalise_code(code)
    if not code:
        return UNKNOWN, None
    personal = PersonalCode.get_or_none(PersonalCode.code_hash == hash_code(code))
    if personal is not None:
        return _use_personal_code(user, personal)
    venue = Venue.get_or_none((Venue.invite_code == code) & ~Venue.archived)
    if venue is None:
        return UNKNOWN, None
    membership = Membership.resident(user, venue)
    if membership is not None and membership.status in ("refused", "removed"):
        return REFUSED, venue
    membership = request_join(user, venue)
    return (ALREADY if membership.status == "verified" else REQUESTED), venue


def _use_personal_code(user, personal):
    venue = Venue.get_by_id(personal.venue_id)
    if venue.archived:
        return UNKNOWN, None
    if personal.revoked_at:
        return REVOKED, venue
    membership = Membership.resident(user, venue)
    if membership is not None and membership.status == "verified":
        return ALREADY, venue
    if personal.used_at:
        return USED, venue
    if membership is not None and membership.status in ("refused", "removed"):
        return REFUSED, venue
    try:
        with db.atomic():
            before = audit.snapshot(personal)
            now = utcnow()
            # Whoever writes first spends the code; a second use at the same moment finds it spent.
            spent = (
                PersonalCode.update(used_by=user.id, used_at=now)
                .where((PersonalCode.id == personal.id) & PersonalCode.used_at.is_null()
                       & PersonalCode.revoked_at.is_null())
                .execute()
            )
            if not spent:
                fresh = PersonalCode.get_by_id(personal.id)
                return (REVOKED if fresh.revoked_at else USED), venue
            fresh = PersonalCode.get_by_id(personal.id)
            audit.record(user, "personal_code.use", fresh, before, audit.snapshot(fresh))
            membership = request_join(user, venue)
            note = f"personal code No. {personal.number}"
            set_membership_status(membership, "verified", user, note=note)
            # The councillor who handed over the code vouched for the person.
            Membership.update(verified_by=personal.created_by_id).where(
                Membership.id == membership.id
            ).execute()
    except IntegrityError:  # this person spent another code of the venue at the same moment
        return ALREADY, venue
    return VERIFIED, venue


# Personal codes: a sheet a councillor prints and hands out, one code to one person -------------

PERSONAL_CODE_LENGTH = 12  # 31**12, about 2**59: not guessable, even without a limit on tries
MAX_SHEET = 100


def hash_code(code):
    """How a personal code is stored: its SHA-256, never the code itself."""
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def format_code(code):
    """A personal code as printed: in groups of four (ABCD-EFGH-JKMN)."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def make_personal_codes(venue, actor, count):
    """Make `count` new personal codes for `venue`: [(number, code)], the codes in clear for the
    printed sheet, the only time they exist outside the hands of the people who get them."""
    permissions.ensure(permissions.can_manage_members, actor, venue)
    if not 1 <= count <= MAX_SHEET:
        raise ValueError(f"a sheet has 1 to {MAX_SHEET} codes")
    sheet = []
    with db.atomic():
        last = PersonalCode.select(fn.MAX(PersonalCode.number)).where(PersonalCode.venue == venue.id).scalar()
        number = last or 0
        for _ in range(count):
            number += 1
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(PERSONAL_CODE_LENGTH))
            PersonalCode.create(venue=venue.id, number=number, code_hash=hash_code(code), created_by=actor.id)
            sheet.append((number, format_code(code)))
        audit.record(actor, "personal_code.create", venue, note=f"No. {sheet[0][0]}–{sheet[-1][0]}")
    return sheet


def revoke_personal_code(personal, actor):
    """Withdraw a code nobody has used yet (lost, or given to the wrong person). False if it was
    already used or revoked."""
    permissions.ensure(permissions.can_manage_members, actor, personal.venue_id)
    with db.atomic():
        before = audit.snapshot(personal)
        changed = (
            PersonalCode.update(revoked_by=actor.id, revoked_at=utcnow())
            .where((PersonalCode.id == personal.id) & PersonalCode.used_at.is_null()
                   & PersonalCode.revoked_at.is_null())
            .execute()
        )
        fresh = PersonalCode.get_by_id(personal.id)
        personal.__data__.update(fresh.__data__)
        if not changed:
            return False
        audit.record(actor, "personal_code.revoke", fresh, before, audit.snapshot(fresh))
    return True


CODES_SHOWN = 300


def personal_codes(venue, limit=CODES_SHOWN):
    """The venue's latest personal codes, newest first, with the people who used them."""
    return PersonalCode.of_venue(venue).limit(limit)


def rotate_code(venue, actor):
    """Give the venue a new invite code; the old one stops working at once."""
    for _ in range(5):
        code = new_code()
        try:
            with db.atomic():
                before = audit.snapshot(venue)
                Venue.update(invite_code=code, updated_at=utcnow()).where(Venue.id == venue.id).execute()
                fresh = Venue.get_by_id(venue.id)
                audit.record(actor, "venue.update", fresh, before, audit.snapshot(fresh), note="invite code")
        except IntegrityError:  # another venue drew the same code
            continue
        venue.invite_code = code
        return code
    raise RuntimeError("could not draw a unique invite code")


def set_voting_open_to_all(venue, actor, open_to_all):
    """Whether every registered user may vote at `venue`, or only its verified residents."""
    with db.atomic():
        before = audit.snapshot(venue)
        Venue.update(voting_open_to_all=open_to_all, updated_at=utcnow()).where(
            Venue.id == venue.id
        ).execute()
        fresh = Venue.get_by_id(venue.id)
        audit.record(actor, "venue.update", fresh, before, audit.snapshot(fresh), note="who may vote")
    venue.voting_open_to_all = open_to_all


def pending_requests(venue):
    """Requests waiting for a councillor, oldest first, with the people."""
    return Membership.of_venue(venue, "resident", "pending").order_by(Membership.created_at, Membership.id)


def decided_requests(venue, limit=20):
    """The latest verified or refused residents, newest decision first."""
    return (
        Membership.of_venue(venue, "resident", ("verified", "refused"))
        .order_by(Membership.verified_at.desc(nulls="LAST"), Membership.id.desc())
        .limit(limit)
    )

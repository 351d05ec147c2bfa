"""Personal data (PIPL, 个人信息保护法): what the site holds about a person, handed to them on
request, and the deletion of their account.

What a person wrote in public (issues, comments) stays, as the deliberation it took part in, but is
shown as by a "former resident": the account keeps no name, username, phone, email or password.
Ballots are not in the export: a ballot is secret and the site does not hand out who chose what.
"""
import secrets

from domain import audit, memberships, participation
from models import (
    Comment,
    DepartmentStaff,
    DeputyGroupMember,
    Feedback,
    Flag,
    Follow,
    Issue,
    Membership,
    Notification,
    Support,
    User,
    Venue,
    db,
    utcnow,
)


class LastAdmin(Exception):
    """The only active site admin cannot delete their account: nobody could administer the site."""


def _when(value):
    return value.isoformat() + "Z" if value is not None else None


def export(user):
    """Everything the site holds about `user`, as a JSON-ready dict."""
    return {
        "account": {
            "id": user.id,
            "username": user.username,
            "display_name": str(user.display_name),
            "phone": user.phone,
            "email": user.email,
            "language": user.locale,
            "site_admin": user.is_admin,
            "created_at": _when(user.created_at),
        },
        "memberships": [
            {"venue": m.venue.name, "role": m.role, "status": m.status, "note": m.note,
             "created_at": _when(m.created_at), "verified_at": _when(m.verified_at)}
            for m in Membership.select(Membership, Venue).join(Venue).where(Membership.user == user)
            .order_by(Membership.id)
        ],
        "issues": [
            {"id": i.id, "venue": i.venue.name, "title": i.title, "body": i.body, "status": i.status,
             "anonymous": i.anonymous, "address": i.address, "created_at": _when(i.created_at)}
            for i in Issue.select(Issue, Venue).join(Venue).where(Issue.author == user).order_by(Issue.id)
        ],
        "comments": [
            {"id": c.id, "issue": c.issue_id, "body": c.body, "hidden": c.hidden, "created_at": _when(c.created_at)}
            for c in Comment.select().where(Comment.author == user).order_by(Comment.id)
        ],
        "supports": [
            {"issue": s.issue_id, "created_at": _when(s.created_at)}
            for s in Support.select().where(Support.user == user).order_by(Support.id)
        ],
        "follows": [
            {"issue": f.issue_id, "created_at": _when(f.created_at)}
            for f in Follow.select().where(Follow.user == user).order_by(Follow.id)
        ],
        "ratings": [
            {"issue": f.issue_id, "rating": f.rating, "comment": f.comment, "created_at": _when(f.created_at)}
            for f in Feedback.select().where(Feedback.user == user).order_by(Feedback.id)
        ],
        "reports": [
            {"target_type": f.target_type, "target_id": f.target_id, "reason": f.reason, "note": f.note,
             "created_at": _when(f.created_at)}
            for f in Flag.select().where(Flag.user == user).order_by(Flag.id)
        ],
        "notifications": [
            {"kind": n.kind, "issue": n.issue_id, "read": n.read, "created_at": _when(n.created_at)}
            for n in Notification.select().where(Notification.user == user).order_by(Notification.id)
        ],
        "ballots": "secret: the site keeps no list of what you chose that it could hand out",
    }


def delete_account(user):
    """Delete `user`'s account: what identifies them goes, what they wrote stays as a former
    resident's. Their roles end (each as an audited membership change), their follows, group and
    department places and notifications are deleted, and every session of theirs ends."""
    from domain.permissions import is_last_admin

    with db.atomic():
        user = User.get_by_id(user.id)
        if is_last_admin(user):
            raise LastAdmin()
        for membership in Membership.select().where(
            (Membership.user == user) & (Membership.status != "removed")
        ):
            memberships.set_membership_status(membership, "removed", user, "account deleted")
        for follow in Follow.select(Follow.issue).where(Follow.user == user):
            participation.unfollow(user, Issue(id=follow.issue_id))
        for model in (Notification, DeputyGroupMember, DepartmentStaff):
            model.delete().where(model.user == user).execute()
        before = audit.snapshot(user)
        User.update(
            username=f"deleted-{user.id}-{secrets.token_hex(4)}", display_name="", phone=None, email=None,
            locale=None, is_admin=False, active=False, must_change_password=False,
            password_hash="!", deleted_at=utcnow(), session_version=User.session_version + 1,
        ).where(User.id == user.id).execute()
        # Logged as the command line would be: the actor's account no longer names anyone.
        audit.record(None, "user.delete", user, before, audit.snapshot(User.get_by_id(user.id)),
                     note="deleted by its owner")
    return User.get_by_id(user.id)

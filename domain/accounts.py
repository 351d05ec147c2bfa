"""Accounts made outside the site's forms: the first site admin, from the command line."""
import re

from domain import audit
from models import User, db


def create_admin(username, password, display_name=None):
    """Create site admin `username`, or make the existing account an admin with this password.

    Returns (user, created). Raises ValueError with a message for a bad username or password.
    """
    if not re.fullmatch(r"[A-Za-z0-9_.-]{3,40}", username or ""):
        raise ValueError("A username has 3 to 40 letters, digits, dots, dashes or underscores.")
    if len(password or "") < 8 or len(password) > 128:
        raise ValueError("A password has 8 to 128 characters.")
    display_name = (display_name or "").strip()[:40]
    with db.atomic():
        user = User.get_or_none(User.username == username)
        created = user is None
        before = None if created else audit.snapshot(user)
        if created:
            user = User(username=username, display_name=display_name or username)
        elif display_name:
            user.display_name = display_name
        user.set_password(password)
        user.is_admin = True
        user.active = True
        user.must_change_password = False
        user.save()
        audit.record(None, "user.create" if created else "user.grant_admin", user, before,
                     audit.snapshot(user), note="flask create-admin")
    return user, created

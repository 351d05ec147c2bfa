"""Accounts: the first site admin (from the command line), the rules a display name must keep, and
the role badges of officials' contributions."""
import re
import unicodedata

from flask_babel import lazy_gettext as _l

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
    with db.atomic():
        user = User.get_or_none(User.username == username)
        created = user is None
        if display_name:
            display_name, problem = check_display_name(display_name[:40], user)
            if problem:
                raise ValueError(str(problem))
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


# Names people can trust ----------------------------------------------------------------------------
# A display name is what others read next to an issue, a comment or a vote's outcome: it must be
# readable, say the same on every screen, and never pass for an official's. One check, used by the
# registration, the profile and the administration (forms.py calls `check_display_name`).

# Letters that draw nothing on screen although Unicode counts them as letters or symbols.
INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u17b4\u17b5\u180e")
# Latin lookalikes among Cyrillic and Greek letters, compared as the Latin letter they imitate.
LOOKALIKES = str.maketrans({
    "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
    "т": "t", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "ɡ": "g", "ӏ": "l",
    "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t",
    "υ": "u", "χ": "x", "0": "o", "1": "l",
})
# The titles of office, folded: a name made of one, or of an official's name and one, imitates.
TITLES = (
    "人民议政员", "议政员", "人大代表", "代表", "网站管理员", "管理员", "承办单位", "部门", "官方",
    "councillor", "councilor", "deputy", "administrator", "admin", "department", "official", "staff",
)


def normalise_name(value):
    """A typed name in its one canonical form: NFKC (full-width letters become plain ones), every
    run of white space one space, trimmed. Control characters stay, for the check to refuse."""
    if not isinstance(value, str):
        return ""
    return " ".join(unicodedata.normalize("NFKC", value).split())


def fold_name(name):
    """What a name looks like to a reader, for comparing two names: NFKC, case folded, lookalike
    letters as the Latin ones, and nothing but letters, digits and marks (no spaces, punctuation,
    symbols or invisible characters)."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name or "").casefold())
    folded = folded.translate(LOOKALIKES)
    return "".join(
        ch for ch in folded
        if unicodedata.category(ch)[0] in "LNM" and ch not in INVISIBLE
    )


def _hidden_character(ch):
    # Cc controls, Cf format characters (zero-width, bidi overrides and isolates), Co/Cs/Cn.
    return unicodedata.category(ch)[0] == "C" or ch in INVISIBLE


def _imitations(folded):
    """`folded` and what is left of it without a title of office at its start or end."""
    yield folded
    for title in TITLES:
        if folded.startswith(title):
            yield folded[len(title):]
        if folded.endswith(title):
            yield folded[: -len(title)]


def official_names(owner=None):
    """{folded name} of every official (verified councillors and deputies, department staff, site
    admins) but `owner`, whose own name is theirs, and of every department: one query."""
    owner_id = owner.id if owner is not None and owner.id is not None else 0
    names = set()
    for (name,) in User.official_names(owner_id).tuples():
        folded = fold_name(name)
        if folded:
            names.add(folded)
    return names


def check_display_name(value, owner=None):
    """(the name in canonical form, None) when it may be shown as someone's name, else (that form,
    the message saying why not). `owner` is the account the name is for, if it exists already."""
    name = normalise_name(value)
    if any(_hidden_character(ch) for ch in name):
        return name, _l("A name cannot contain invisible characters or characters that change the "
                        "direction of text.")
    folded = fold_name(name)
    if not any(unicodedata.category(ch)[0] in "LN" for ch in folded):
        return name, _l("A name needs letters or digits that people can see.")
    officials = official_names(owner)
    if any(variant in officials for variant in _imitations(folded) if variant):
        return name, _l("This name is too close to the name of a councillor, deputy, department or "
                        "site admin. Please choose one people will not mistake for theirs.")
    if folded in TITLES:
        return name, _l("A title of office cannot be a name. Please enter your own name.")
    return name, None


# Role badges ---------------------------------------------------------------------------------------

# The order badges are shown in.
OFFICIAL_ROLES = ("councillor", "deputy", "department", "admin")


def official_roles(user_ids, venue_id):
    """{user id: (role, …)} of the officials among `user_ids`, as their contributions at `venue_id`
    are badged: councillor where they are a councillor of that venue, deputy (a deputy anywhere),
    department (staff of a handling department), admin. Residents are left out. One query,
    whatever the number of people."""
    ids = {i for i in user_ids if i is not None}
    if not ids:
        return {}
    found = {}
    for user_id, role in User.official_roles(ids, venue_id).tuples():
        found.setdefault(user_id, set()).add(role)
    return {user_id: tuple(r for r in OFFICIAL_ROLES if r in roles) for user_id, roles in found.items()}


def badge(items, venue_id, attr="author_id"):
    """Give each of `items` (comments, say) `.roles`: the official roles of the person in its
    `attr`, from one query for them all. Returns `items`."""
    items = list(items)
    roles = official_roles([getattr(item, attr) for item in items], venue_id)
    for item in items:
        item.roles = roles.get(getattr(item, attr), ())
    return items


def set_large_text(user, on):
    """Remember on `user`'s account whether they read the site in large-text mode (长辈模式)."""
    if user.large_text != on:
        with db.atomic():
            user.large_text = on
            user.save(only=[User.large_text])

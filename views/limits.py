"""Limits on abuse: how often an address or an account may log in, register, raise issues, comment
and vote. One table of limits; the views wear the decorators below.

The figures live in the app's config (`LIMITS`), so a site can loosen or tighten them without code:
each is a Flask-Limiter string such as "5 per minute;20 per hour". Several windows on one limit make
the delay grow: after 5 wrong passwords an account waits a minute, after 10 ten minutes, after 20 an
hour. Counters live in Redis when REDIS_URL is set (every worker and host counts together), in the
process's memory otherwise.
"""
from flask import current_app, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from extensions import limiter

DEFAULTS = {
    # Wrong passwords for one username, from anywhere (only failures count).
    "login_account": "5 per minute;10 per 10 minutes;20 per hour;50 per day",
    # Wrong passwords from one address, for any username (only failures count).
    "login_address": "20 per minute;60 per hour;200 per day",
    # Accounts made from one address (only accounts made count).
    "register": "3 per 10 minutes;10 per day",
    # Issues raised (or recorded) by one account.
    "issue": "3 per minute;30 per day",
    # Comments and replies by one account.
    "comment": "6 per minute;200 per day",
    # Ballots cast or changed by one account.
    "vote": "20 per minute;300 per day",
}


def _configured(name):
    return lambda: current_app.config.get("LIMITS", {}).get(name) or DEFAULTS[name]


def _username():
    # The account named in the form, however it is typed: one counter per account.
    return "account:" + request.form.get("username", "").strip().lower()[:40]


def _account():
    """Whose counter a signed-in act goes on: the account's (its address for a visitor, who is
    sent to log in anyway)."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return get_remote_address()


def _failed(response):
    # A login or registration that worked redirects (303); anything else was a failure.
    return response.status_code != 303


def _succeeded(response):
    return response.status_code == 303


def _acted(response):
    return response.status_code < 400


def _posts():
    return request.method != "POST"


# Shared limits: raising and recording issues count together, and so do comments and replies.
login = [
    limiter.shared_limit(_configured("login_account"), "login-account", key_func=_username,
                         deduct_when=_failed, exempt_when=_posts),
    limiter.shared_limit(_configured("login_address"), "login-address", key_func=get_remote_address,
                         deduct_when=_failed, exempt_when=_posts),
]
register = [
    limiter.shared_limit(_configured("register"), "register", key_func=get_remote_address,
                         deduct_when=_succeeded, exempt_when=_posts),
]
issue = [limiter.shared_limit(_configured("issue"), "issue", key_func=_account, deduct_when=_acted,
                              exempt_when=_posts)]
comment = [limiter.shared_limit(_configured("comment"), "comment", key_func=_account, deduct_when=_acted,
                                exempt_when=_posts)]
vote = [limiter.shared_limit(_configured("vote"), "vote", key_func=_account, deduct_when=_acted,
                             exempt_when=_posts)]


GROUPS = {"login": login, "register": register, "issue": issue, "comment": comment, "vote": vote}


def limited(*names):
    """Decorate a view with every limit of the groups `names` (login, register, issue, comment, vote)."""
    def decorate(view):
        for name in names:
            for limit in GROUPS[name]:
                view = limit(view)
        return view
    return decorate


def accepts_photos(view):
    """Mark a view whose form carries photos: its request may hold a full set of them beside the
    form's text (see app.Request), where every other request is held to MAX_CONTENT_LENGTH. Put it
    right under the route decorator."""
    from domain import photos

    view.max_content_length = photos.request_limit
    return view

"""The Flask extensions, as module-level singletons the factory initialises (as microblog does)."""
from flask import request
from flask_babel import Babel
from flask_babel import lazy_gettext as _l
from flask_htmx import HTMX
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect

from models import User

LOCALES = ("zh_Hans", "en")

babel = Babel()
csrf = CSRFProtect()
htmx = HTMX()
# Limits on abuse (views/limits.py); storage and switch from the app's RATELIMIT_* config.
limiter = Limiter(get_remote_address)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please log in to continue.")
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(session_id):
    """The account a session cookie names, while the cookie's session version is the account's own:
    logging out, a new password or deactivation raise it, and every older cookie stops working."""
    user_id, _sep, version = str(session_id).partition(":")
    if not (f"{user_id}{version}".isascii() and user_id.isdigit() and version.isdigit()
            and len(user_id) <= 10 and len(version) <= 10):
        return None
    user = User.get_or_none((User.id == int(user_id)) & User.active)
    if user is None or user.session_version != int(version):
        return None
    return user


def select_locale():
    """The user's setting, else the switcher's cookie, else Accept-Language, else Chinese."""
    if current_user and current_user.is_authenticated and current_user.locale in LOCALES:
        return current_user.locale
    cookie = request.cookies.get("lang")
    if cookie in LOCALES:
        return cookie
    for lang, _quality in request.accept_languages:
        lang = lang.lower()
        if lang.startswith("zh"):
            return "zh_Hans"
        if lang.startswith("en"):
            return "en"
    return "zh_Hans"

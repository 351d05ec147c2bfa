"""The Flask extensions, as module-level singletons the factory initialises (as microblog does)."""
from flask import request
from flask_babel import Babel
from flask_babel import lazy_gettext as _l
from flask_htmx import HTMX
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect

from models import User

LOCALES = ("zh_Hans", "en")

babel = Babel()
csrf = CSRFProtect()
htmx = HTMX()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please log in to continue.")
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(user_id):
    try:
        return User.get_or_none((User.id == int(user_id)) & User.active)
    except ValueError:
        return None


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

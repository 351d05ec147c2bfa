"""The Flask extensions, as module-level singletons the factory initialises (as microblog does)."""
import contextlib

from babel import Locale
from flask import g, request
from flask.sessions import SecureCookieSessionInterface
from flask_babel import Babel, get_locale, get_translations
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
    account = session_account(session_id)
    if account is None:
        return None
    user = User.active_by_id(account[0])
    if user is None or user.session_version != account[1]:
        return None
    return user


def session_account(session_id):
    """(user id, session version) that a session's `_user_id` names, or None when it names none."""
    user_id, _sep, version = str(session_id).partition(":")
    if not (f"{user_id}{version}".isascii() and user_id.isdigit() and version.isdigit()
            and len(user_id) <= 10 and len(version) <= 10):
        return None
    return int(user_id), int(version)


# Each language's babel Locale, made once: Flask-Babel parses what select_locale names anew for
# every request, but takes a Locale as it is.
PARSED_LOCALES = {code: Locale.parse(code) for code in LOCALES}


def select_locale():
    """The user's setting, else the switcher's cookie, else Accept-Language, else Chinese."""
    user = current_user._get_current_object()
    setting = user.locale if user and user.is_authenticated else None
    locale, negotiated = reader_locale(setting, request.cookies, request.accept_languages)
    if negotiated:
        g.locale_negotiated = True  # the answer depends on Accept-Language: it must say so (Vary)
    return PARSED_LOCALES[locale]


def translations():
    """The gettext translations of the language the request speaks, for templates. Flask-Babel
    finds them anew for every string, through a dozen lookups of its request state and the
    locale's name; here they are kept with the locale they belong to. The locale is read where
    Flask-Babel keeps it for the request (force_locale puts another there for a while), and asked
    of Flask-Babel only until it has chosen one."""
    state = g._get_current_object()
    locale = getattr(state.get("_flask_babel"), "babel_locale", None) or get_locale()
    kept = state.get("_translations")
    if kept is None or kept[0] is not locale:
        kept = state._translations = (locale, get_translations())
    return kept[1]


def reader_locale(setting, cookies, accept_languages):
    """(the language of a reader whose account says `setting`, None for a visitor, whether
    Accept-Language chose it): the setting when the site speaks it, else as for a visitor."""
    if setting in LOCALES:
        return setting, False
    return visitor_locale(cookies, accept_languages)


def visitor_locale(cookies, accept_languages):
    """(the language of someone not signed in, whether Accept-Language chose it): the switcher's
    cookie, else the first language of Accept-Language that the site speaks, else Chinese."""
    cookie = cookies.get("lang")
    if cookie in LOCALES:
        return cookie, False
    for lang, _quality in accept_languages:
        lang = lang.lower()
        if lang.startswith("zh"):
            return "zh_Hans", True
        if lang.startswith("en"):
            return "en", True
    return "zh_Hans", True


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed cookie session, its serializer made once for the app's keys rather than
    again for every request (making it cost more than reading the cookie)."""

    made = None  # (the keys, their serializer)

    def get_signing_serializer(self, app):
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        made = self.made
        if made is None or made[0] != keys:
            made = self.made = (keys, super().get_signing_serializer(app))
        return made[1]


class PageCache:
    """Rendered pages by key, kept in this process (the `size` most recently used) or, when the
    deployment names one (REDIS_URL), in Redis, shared by every host. A key holds the versions
    the page was built from, read from the database, so an entry is never stale and nothing is
    ever invalidated: entries only age out (`lifetime` seconds in Redis, by use here)."""

    def __init__(self, size=512, redis_url="", lifetime=900):
        import threading
        from collections import OrderedDict

        self.size, self.lifetime = size, lifetime
        self.local, self.lock = OrderedDict(), threading.Lock()
        self.redis = None
        if redis_url:
            import redis

            self.redis = redis.Redis.from_url(redis_url, socket_timeout=0.5, socket_connect_timeout=0.5)

    def get(self, key):
        if self.redis is not None:
            try:
                return self.redis.get("yishi:page:" + key)
            except Exception:  # a cache that is down is a cache that misses
                return None
        with self.lock:
            body = self.local.get(key)
            if body is not None:
                self.local.move_to_end(key)
            return body

    def set(self, key, body):
        if self.redis is not None:
            with contextlib.suppress(Exception):  # a cache that is down keeps nothing
                self.redis.set("yishi:page:" + key, body, ex=self.lifetime)
            return
        with self.lock:
            self.local[key] = body
            self.local.move_to_end(key)
            while len(self.local) > self.size:
                self.local.popitem(last=False)

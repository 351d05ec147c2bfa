"""Yishi (议事): the application factory. Extensions live in extensions.py, commands in commands.py."""
import os
import secrets
import sqlite3
import time

from flask import Flask, abort, current_app, g, request
from flask import Request as FlaskRequest
from flask_babel import get_locale
from flask_login import current_user
from peewee import OperationalError, PostgresqlDatabase, SqliteDatabase
from playhouse.db_url import parse as parse_db_url
from playhouse.pool import PooledPostgresqlDatabase, PooledSqliteDatabase
from werkzeug.datastructures import ImmutableMultiDict

import commands
from domain.site import IdentityCache
from extensions import (
    LOCALES,
    CookieSessions,
    PageCache,
    babel,
    csrf,
    htmx,
    limiter,
    login_manager,
    select_locale,
    translations,
)
from models import MAX_ID, db
from views import VARY, VARY_NEGOTIATED, once
from views.kept import KeptPages

HERE = os.path.dirname(os.path.abspath(__file__))
BUSY_TIMEOUT_MS = 10_000  # how long SQLite waits for a lock another connection holds
# Where `make run` serves: the public address when YISHI_PUBLIC_URL is not set.
DEVELOPMENT_URL = "http://127.0.0.1:5000"


class PromptWriteLock:
    """SQLite, taking the write lock as soon as the writer before has let it go.

    While another process writes, BEGIN IMMEDIATE is refused (SQLITE_BUSY), and SQLite's busy
    handler sleeps 1, 2, 5, 10 … ms before it asks again, for a lock held about a tenth of a
    millisecond: two workers pressing 附议 spent a tenth of their time asleep. Here the busy
    timeout is off for the BEGIN alone, and it is asked again after 50 µs, doubling up to 2 ms,
    for as long as the busy timeout would have waited. Every other statement keeps SQLite's handler."""

    def begin(self, lock_type=None):
        lock_type = lock_type or self._lock_type
        cursor = self.cursor()
        cursor.execute("PRAGMA busy_timeout = 0")
        try:
            pause, deadline = 0.00005, time.monotonic() + BUSY_TIMEOUT_MS / 1000
            while True:
                try:
                    cursor.execute(f"BEGIN {lock_type}" if lock_type else "BEGIN")
                    return
                except sqlite3.OperationalError as error:
                    if error.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY or time.monotonic() > deadline:
                        raise OperationalError(*error.args) from error
                time.sleep(pause)
                pause = min(pause * 2, 0.002)
        finally:
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


class PromptSqliteDatabase(PromptWriteLock, SqliteDatabase):
    pass


class PooledPromptSqliteDatabase(PromptWriteLock, PooledSqliteDatabase):
    pass


class PooledPromptPostgresqlDatabase(PooledPostgresqlDatabase):
    """PostgreSQL's pool, asking the server whether a connection still lives only when it has lain
    unused for PING_AFTER seconds. peewee asks (SELECT 1, a round trip) at every checkout, so every
    request paid one more round trip than its own statements; a connection given back a moment ago
    is handed out as it is, as most pools do by default. Closed connections are still found (the
    driver marks them), and so is one a restarted server dropped while it lay idle."""

    PING_AFTER = 10

    def __init__(self, *args, **kwargs):
        self._returned = {}  # connection key → when it was last given back to the pool
        super().__init__(*args, **kwargs)

    def _is_closed(self, conn):
        returned = self._returned.pop(self.conn_key(conn), None)
        if (not conn.closed and returned is not None and time.monotonic() - returned <= self.PING_AFTER
                and self._adapter.txn_status(conn) == self._adapter.txn_idle):
            return False
        return super()._is_closed(conn)

    def _close(self, conn, close_conn=False):
        with self._pool_lock:  # no checkout between the return and its time (an RLock, as peewee's)
            super()._close(conn, close_conn)
            if not (close_conn or conn.closed):  # back in the pool, not closed there as stale
                self._returned[self.conn_key(conn)] = time.monotonic()


def make_database(url, pool=0):
    """A peewee database for `url`: SQLite (WAL, write lock at BEGIN) or PostgreSQL.

    With `pool` (the most connections one process holds), closing a connection returns it to the
    pool and the next request takes it back: no new connection, no PRAGMAs, per request. The
    PRAGMAs run once, when a connection is made.
    """
    pooled = {"max_connections": pool, "stale_timeout": 300, "timeout": 10} if pool else {}
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):]
        if path != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        else:
            pooled = {}  # each connection would be another empty database
        options = dict(
            pragmas={
                "journal_mode": "wal",
                "foreign_keys": 1,
                "synchronous": "normal",
                "busy_timeout": BUSY_TIMEOUT_MS,
            },
            lock_type="IMMEDIATE",
        )
        if pooled:
            # A pooled connection serves one thread at a time, but not always the same one.
            return PooledPromptSqliteDatabase(path, check_same_thread=False, **pooled, **options)
        return PromptSqliteDatabase(path, timeout=10, **options)
    if url.startswith(("postgres://", "postgresql://")):
        params = parse_db_url(url)
        name = params.pop("database")
        return (PooledPromptPostgresqlDatabase(name, **pooled, **params) if pooled
                else PostgresqlDatabase(name, **params))
    raise ValueError(f"unsupported DATABASE_URL: {url}")


class Request(FlaskRequest):
    """A request held to its view's size limit (views.limits.accepts_photos) when it has one and
    sends files (multipart), else to MAX_CONTENT_LENGTH. Decided before anything reads the body,
    the CSRF check included; each text field stays within MAX_FORM_MEMORY_SIZE."""

    @property
    def max_content_length(self):
        if (self._max_content_length is None and current_app and self.url_rule is not None
                and self.mimetype == "multipart/form-data"):
            limit = getattr(current_app.view_functions.get(self.url_rule.endpoint), "max_content_length", None)
            if limit is not None:
                return limit()
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value):
        self._max_content_length = value


def _secret_key(instance_path):
    # A key kept in the instance folder survives restarts, so sessions do too.
    path = os.path.join(instance_path, "secret_key")
    if not os.path.exists(path):
        os.makedirs(instance_path, exist_ok=True)
        with open(path, "w") as fh:
            fh.write(secrets.token_hex(32))
    with open(path) as fh:
        return fh.read().strip()


class Yishi(Flask):
    """Flask, with the request class above, asking once per function whether it is a coroutine
    (Flask asks for every hook of every request: a dozen inspections a request)."""

    request_class = Request
    MAX_KNOWN_SYNC = 1000  # functions made anew per call (bound methods, closures) are not kept

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.known_sync = set()

    def ensure_sync(self, func):
        if func in self.known_sync:
            return func
        sync = super().ensure_sync(func)
        if sync is func and len(self.known_sync) < self.MAX_KNOWN_SYNC:
            self.known_sync.add(func)
        return sync


def create_app(config=None):
    app = Yishi(__name__, instance_relative_config=True)
    app.config.from_mapping(
        DATABASE_URL=os.environ.get(
            "DATABASE_URL", "sqlite:///" + os.path.join(app.instance_path, "yishi.db")
        ),
        SECRET_KEY=os.environ.get("SECRET_KEY"),
        # The most connections one process keeps open for its requests (0: a new one for every
        # request). Made only when needed: a sync gunicorn worker uses one, a threaded one one per
        # thread; a thread that finds all in use waits up to 10 s.
        DB_POOL_SIZE=int(os.environ.get("YISHI_DB_POOL_SIZE") or 32),
        TIMEZONE=os.environ.get("YISHI_TIMEZONE", "Asia/Shanghai"),
        # The site's identity until the admins set it (Administration › Site settings).
        SITE_NAME=os.environ.get("YISHI_SITE_NAME", ""),
        SITE_NAME_EN=os.environ.get("YISHI_SITE_NAME_EN", ""),  # English pages; else SITE_NAME
        SITE_SPONSOR=os.environ.get("YISHI_SPONSOR", ""),
        SITE_PHONE=os.environ.get("YISHI_PHONE", ""),
        SITE_ICP=os.environ.get("YISHI_ICP", ""),
        SITE_ABOUT=os.environ.get("YISHI_ABOUT", ""),
        # The authority in feed ids and calendar UIDs: fixed, so they stay the same whichever
        # address the site is reached by (subscribers would otherwise see every event twice).
        FEED_AUTHORITY=os.environ.get("YISHI_FEED_AUTHORITY", "yishi.local"),
        # Open311: the jurisdiction_id this site serves (default: the feed authority), and the pepper
        # of the API keys' hashes (default: SECRET_KEY, whose rotation would then void every key).
        # The site's address as people reach it, for links in mail sent from the command line too
        # and in printed QR codes: never taken from the request's Host header, which the sender
        # chooses. Unset, it is the development address and the posters warn (PUBLIC_URL_MISSING).
        PUBLIC_URL=os.environ.get("YISHI_PUBLIC_URL", ""),
        # Notices by email when a mail server is named (see domain/mail.py).
        MAIL_SERVER=os.environ.get("MAIL_SERVER", ""),
        MAIL_PORT=int(os.environ.get("MAIL_PORT") or 25),
        MAIL_USE_TLS=os.environ.get("MAIL_USE_TLS") == "1",
        MAIL_USERNAME=os.environ.get("MAIL_USERNAME", ""),
        MAIL_PASSWORD=os.environ.get("MAIL_PASSWORD", ""),
        MAIL_FROM=os.environ.get("MAIL_FROM", ""),
        OPEN311_JURISDICTION=os.environ.get("YISHI_OPEN311_JURISDICTION", ""),
        OPEN311_KEY_PEPPER=os.environ.get("YISHI_OPEN311_KEY_PEPPER", ""),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("YISHI_SECURE_COOKIES") == "1",
        REMEMBER_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,
        BABEL_DEFAULT_LOCALE="zh_Hans",
        BABEL_TRANSLATION_DIRECTORIES=os.path.join(HERE, "translations"),
        PAGE_SIZE=20,
        # Visitors' pages, built once per version of what they show (see views.cached_page):
        # in this process by default, in Redis when several hosts serve one database.
        PAGE_CACHE_SIZE=int(os.environ.get("YISHI_PAGE_CACHE_SIZE") or 512),
        REDIS_URL=os.environ.get("REDIS_URL", ""),
        # Limits on abuse (views/limits.py): shared through Redis when REDIS_URL names one.
        RATELIMIT_ENABLED=os.environ.get("YISHI_RATE_LIMITS", "1") != "0",
        RATELIMIT_STORAGE_URI=os.environ.get("REDIS_URL") or "memory://",
        # Every window is checked, so the 429 page can say when the longest one that is full ends.
        RATELIMIT_FAIL_ON_FIRST_BREACH=False,
        RATELIMIT_KEY_PREFIX="yishi",
        # Redis down: count in memory meanwhile rather than fail the request.
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
        RATELIMIT_SWALLOW_ERRORS=True,
        LIMITS={},  # name → Flask-Limiter string, overriding views/limits.DEFAULTS
        # Bounded input: a whole request, and what one form may hold in memory.
        MAX_CONTENT_LENGTH=1024 * 1024,
        MAX_FORM_MEMORY_SIZE=256 * 1024,
        MAX_FORM_PARTS=200,
        # How long a form's one-time submission key keeps the answer it got (views/once.py).
        SUBMISSION_KEY_HOURS=24,
        SECURE_COOKIES=os.environ.get("YISHI_SECURE_COOKIES") == "1",
        # Photos (domain/photos.py): where their files are kept (default instance/media; a folder
        # several hosts share when they serve one site), and the most one file may be.
        MEDIA_DIR=os.environ.get("YISHI_MEDIA_DIR", ""),
        PHOTO_MAX_BYTES=int(os.environ.get("YISHI_PHOTO_MAX_BYTES") or 8 * 1024 * 1024),
    )
    if config:
        app.config.update(config)
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["TIMEZONE"]
    app.config["PUBLIC_URL_MISSING"] = not app.config["PUBLIC_URL"]
    if app.config["PUBLIC_URL_MISSING"]:
        app.config["PUBLIC_URL"] = DEVELOPMENT_URL
    if app.config["SECURE_COOKIES"]:
        # Served over HTTPS only: no cookie of ours travels in clear.
        app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _secret_key(app.instance_path)

    db.initialize(make_database(app.config["DATABASE_URL"], pool=app.config["DB_POOL_SIZE"]))

    app.session_interface = CookieSessions()
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    htmx.init_app(app)
    login_manager.init_app(app)
    app.extensions["page_cache"] = PageCache(app.config["PAGE_CACHE_SIZE"], app.config["REDIS_URL"])
    app.extensions["site_identity"] = IdentityCache(app.config)
    limiter.init_app(app)

    app.config["SECURITY_HEADERS"] = _security_headers(app.config)
    _register_request_hooks(app)
    _register_templates(app)
    _register_blueprints(app)
    once.init_app(app)
    commands.register(app)
    app.wsgi_app = KeptPages(app, app.wsgi_app)
    return app


def _security_headers(config):
    """(name, value) of the headers every answer carries."""
    headers = [
        ("Content-Security-Policy",
         "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
         "frame-ancestors 'none'; form-action 'self'; base-uri 'self'"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
    ]
    if config["SECURE_COOKIES"]:
        headers.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
    return headers


def _register_request_hooks(app):
    @app.before_request
    def open_db():
        # A connection someone else opened (a CLI command, a test) is theirs to close.
        g.opened_db = db.connect(reuse_if_open=True)

    @app.before_request
    def drop_nul():
        # No keyboard types NUL and PostgreSQL cannot store it: drop it from what was sent, and
        # an address holding one names nothing.
        if "\x00" in request.path:
            abort(404)
        for name in ("args",) if request.method in ("GET", "HEAD") else ("args", "form"):
            data = getattr(request, name)
            if any("\x00" in value for _key, values in data.lists() for value in values):
                cleaned = ImmutableMultiDict(
                    [(key, value.replace("\x00", "")) for key, values in data.lists() for value in values]
                )
                setattr(request, name, cleaned)
                request.__dict__.pop("values", None)

    @app.before_request
    def keep_checked_csrf_token():
        # Tokens do not expire (WTF_CSRF_TIME_LIMIT=None): the one Flask-WTF has just checked
        # serves the answer's forms as well as a new one would, and needs no signing. It is the
        # form's `csrf_token`, else (no form field holds one) the header htmx sends.
        if g.get("csrf_valid") and app.config["WTF_CSRF_TIME_LIMIT"] is None and "csrf_token" not in g:
            sent = request.form.get("csrf_token")
            if sent is None and not any(name.endswith("csrf_token") for name in request.form):
                sent = request.headers.get("X-CSRFToken")
            if sent:
                g.csrf_token = sent

    @app.url_value_preprocessor
    def ids_in_range(endpoint, values):
        # Ids are 32-bit: a bigger one names nothing (and PostgreSQL would refuse to compare it).
        if values and any(isinstance(v, int) and v > MAX_ID for v in values.values()):
            abort(404)

    @app.teardown_request
    def close_db(exc):
        if g.pop("opened_db", False) and not db.is_closed():
            db.close()

    @app.after_request
    def security_headers(response):
        for name, value in app.config["SECURITY_HEADERS"]:
            response.headers.setdefault(name, value)
        vary = VARY_NEGOTIATED if g.get("locale_negotiated") else VARY
        if "Vary" in response.headers:  # the view's own: parsed, merged and written back once
            response.vary.update(vary.split(", "))
        else:
            response.headers["Vary"] = vary
        return response


def _register_templates(app):
    from domain import labels, permissions, timefmt, workflow
    from views import csrf_token, header_slot, large_text, site_identity, site_name

    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.jinja_env.globals.update(
        get_locale=get_locale, label=lambda group, value: labels.translated_label(translations(), group, value),
        LOCALES=LOCALES, due_state=workflow.due_state,
        site_identity=site_identity, site_name=site_name, large_text=large_text, header_slot=header_slot,
    )
    app.jinja_env.filters.update(
        localtime=timefmt.format_local, ago=timefmt.ago, html_lang=labels.html_lang,
        paragraphs=labels.paragraphs,
    )

    @app.context_processor
    def navigation():
        # csrf_token here, not a global: Flask-WTF's context processor would win over a global.
        # nav is called by the pages that show the header, not by every fragment.
        return {"nav": lambda: permissions.navigation(current_user), "htmx": htmx, "csrf_token": csrf_token}


def _register_blueprints(app):
    from views import (
        admin,
        agenda,
        auth,
        discussion,
        errors,
        handling,
        issues,
        ledger,
        main,
        members,
        open311,
        people,
        photos,
        reports,
        stats,
        triage,
        venues,
        verification,
    )

    for module in (errors, main, auth, venues, issues, discussion, admin, members, agenda, verification, triage,
                   handling, ledger, open311, people, photos, reports, stats):
        app.register_blueprint(module.bp)

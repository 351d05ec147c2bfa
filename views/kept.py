"""The pages visitors open most, answered from the cache before the request reaches Flask; and
their polls' 304s; and the venue page of a signed-in reader, from its two kept parts.

A visitor's GET of a page kept for visitors (views.kept_for_visitors: a venue, an issue, the home
page, the outcomes), with no query string and not from htmx, is what most requests are. KeptPages,
wrapped around the app's WSGI callable, answers it with one statement (the page's versions, its
SQL made once) and the page that views.cached_page keeps under the same key: no request context,
no extensions' hooks. It gives the visitor the same CSRF token and session cookie Flask-WTF and
Flask would, and the same headers. Anything else, a cache miss included, goes on to Flask, which
builds the page and keeps it. A visitor's poll (views.polled_by_visitors) whose ETag still holds
gets its 304 here the same way.

A signed-in reader's GET of a page kept for readers (views.kept_for_readers) is answered here when
both parts views.cached_page keeps are there: the body shared by readers with the same own facts,
and their header. Three statements: the page's versions, the account (User.reader: it checks the
session's version as load_user does, and keys the header) and the reader's own facts. Whatever
Flask-Login would do more with the session (a browser other than the one that signed in, a
remember-me cookie to set or clear) or the account (a password to change) goes on to Flask.
"""
import hashlib
import os

from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer
from peewee import DatabaseError
from werkzeug.exceptions import HTTPException
from werkzeug.http import dump_cookie
from werkzeug.wrappers import Request

from extensions import CookieSessions, login_manager, reader_locale, session_account, visitor_locale
from models import MAX_ID, User, db
from views import (
    CSRF_PLACEHOLDER,
    HEADER_PLACEHOLDER,
    LARGE_TEXT_COOKIE,
    READER,
    VARY_NEGOTIATED,
    VERSIONS,
    page_key,
    reader_keys,
    validator,
)
from views.once import stamped

ROUTES_KEPT = 4096


class Signing:
    """`serializer.dumps`, with its signer and the signer's derived key made once: itsdangerous
    makes both again for every value it signs, which costs more than signing it."""

    def __init__(self, serializer):
        self.serializer, self.signer = serializer, serializer.make_signer()
        key = self.signer.derive_key()
        self.signer.derive_key = lambda secret_key=None: key

    def dumps(self, value):
        return self.signer.sign(self.serializer.dump_payload(value)).decode("utf-8")



class KeptPages:
    def __init__(self, app, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app
        interface = app.session_interface
        # Flask's own cookie session, or nothing answered here (another session store is Flask's).
        self.active = type(interface) in (SecureCookieSessionInterface, CookieSessions) and bool(app.secret_key)
        if not self.active:
            return
        self.interface = interface
        self.sessions = interface.get_signing_serializer(app)  # made once, not once a request
        self.session_signing = Signing(self.sessions)
        self.max_age = int(app.permanent_session_lifetime.total_seconds())
        # Flask-WTF's token: the session's raw token, signed (flask_wtf.csrf.generate_csrf).
        self.tokens = Signing(URLSafeTimedSerializer(app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key,
                                                     salt="wtf-csrf-token"))
        self.routes = {}  # (script, path) → (endpoint, view arguments), see _view
        self.token_field = app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        self.remember_cookie = app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
        self.protection = app.config.get("SESSION_PROTECTION", login_manager.session_protection)

    def __call__(self, environ, start_response):
        answer = self.answer(environ) if self.active else None
        if answer is None:
            return self.wsgi_app(environ, start_response)
        status, headers, body = answer
        start_response(status, headers)
        return [body]

    def answer(self, environ):
        """(status, headers, body) of a kept page or a poll's 304 for a plain visitor, or None for
        Flask to answer."""
        if environ.get("REQUEST_METHOD") != "GET" or environ.get("QUERY_STRING"):
            return None
        poll = environ.get("HTTP_HX_REQUEST") == "true"
        if "HTTP_HX_REQUEST" in environ and not (poll and "HTTP_HX_BOOSTED" not in environ
                                                 and "HTTP_HX_HISTORY_RESTORE_REQUEST" not in environ):
            return None
        request = Request(environ)
        cookies = request.cookies
        if "\x00" in request.path or (poll and not request.if_none_match):
            return None
        session = self._session(cookies)
        if session is None or {"_flashes", "_permanent"} & session.keys():
            return None  # a message waiting: their own page
        if "_user_id" in session:
            return None if poll else self._reader(environ, request, session)
        if self.remember_cookie in cookies:
            return None  # Flask-Login signs them in
        view, view_args = self._view(environ)
        read = getattr(view, "visitor_parts" if poll else "page_versions", None)
        if read is None:
            return None
        opened = db.connect(reuse_if_open=True)
        try:
            if poll:
                with self.app.app_context():  # the site's time zone says what day it is
                    found = read(**view_args)
            else:
                found = read(**view_args)
        except DatabaseError:
            return None  # Flask shows the error page
        finally:
            if opened:
                db.close()
        locale, negotiated = visitor_locale(cookies, request.accept_languages)
        if poll:
            return self._poll(request, found, locale, negotiated)
        environ[VERSIONS] = (read, view_args, found)  # on a miss, the view reads them from here
        if found is None:
            return None  # Flask says 404
        versions, site = found
        key = page_key(versions, site, request.path, (), locale, False, cookies.get(LARGE_TEXT_COOKIE) == "1")
        headers = [*self.app.config["SECURITY_HEADERS"], ("ETag", f'W/"{key}"'), ("Cache-Control", "no-cache"),
                   ("Vary", VARY_NEGOTIATED)]
        if request.if_none_match.contains_weak(key):
            return "304 NOT MODIFIED", headers, b""
        body = self.app.extensions["page_cache"].get(key)
        if body is None:
            return None
        token = self._token(session, headers)
        body = body.replace(CSRF_PLACEHOLDER.encode(), token.encode())
        headers += [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))]
        return "200 OK", headers, body

    def _reader(self, environ, request, session):
        """(status, headers, body) of a signed-in reader's kept page, or None for Flask to answer."""
        account = session_account(session["_user_id"])
        if account is None or "_remember" in session or not self._same_browser(request, session):
            return None
        view, view_args = self._view(environ)
        own_of = getattr(view, "reader_own", None)
        if own_of is None:
            return None
        opened = db.connect(reuse_if_open=True)
        try:
            found = view.page_versions(**view_args)
            reader = User.reader(account[0])
            own = own_of(account[0], found[0]) if found and reader else None
        except DatabaseError:
            return None
        finally:
            if opened:
                db.close()
        environ[VERSIONS] = (view.page_versions, view_args, found)
        environ[READER] = (account[0], reader, own)
        if found is None or reader is None or reader.session_version != account[1] or reader.must_change_password:
            return None
        locale, negotiated = reader_locale(reader.locale, request.cookies, request.accept_languages)
        body_key, header_key = reader_keys(*found, request.path, locale, reader, own)
        cache = self.app.extensions["page_cache"]
        body = cache.get(body_key)
        header = body and cache.get(header_key)
        raw = session.get(self.token_field)
        if not header or not isinstance(raw, str):
            return None
        body = body.replace(HEADER_PLACEHOLDER.encode(), header, 1).replace(
            CSRF_PLACEHOLDER.encode(), self.tokens.dumps(raw).encode())
        body = stamped(body, self.app.extensions["once_exempt"]) or body  # forms' one-time keys (views/once.py)
        vary = "Cookie, HX-Request, Accept-Language" if negotiated else "Cookie, HX-Request"
        return "200 OK", [*self.app.config["SECURITY_HEADERS"], ("Content-Type", "text/html; charset=utf-8"),
                          ("Content-Length", str(len(body))), ("Vary", vary)], body

    def _same_browser(self, request, session):
        """Whether Flask-Login's session protection lets the session through unchanged: the
        browser is the one that signed in (its identifier, flask_login.utils._create_identifier),
        or in "basic" mode, the session is already marked not fresh."""
        if self.protection not in ("basic", "strong"):
            return True
        agent = request.headers.get("User-Agent")
        address = request.headers.get("X-Forwarded-For", request.remote_addr)
        if address is not None:
            address = address.encode("utf-8").split(b",")[0].strip()
        identifier = hashlib.sha512(f"{address}|{agent if agent is None else agent.encode('utf-8')}".encode()).hexdigest()
        return session.get("_id") == identifier or (self.protection == "basic" and session.get("_fresh") is False)

    def _session(self, cookies):
        """The visitor's session as Flask would open it ({} without a cookie, or with one that does
        not verify), or None when it cannot tell."""
        value = cookies.get(self.interface.get_cookie_name(self.app))
        if not value:
            return {}
        try:
            data = self.sessions.loads(value, max_age=self.max_age)
        except BadSignature:
            return {}
        return data if isinstance(data, dict) else None

    def _poll(self, request, parts, locale, negotiated):
        """A 304 while the visitor's ETag still holds (as views.conditional answers), else None."""
        if parts is None:
            return None
        etag = validator(parts, locale, True)
        if not request.if_none_match.contains_weak(etag):
            return None
        vary = "HX-Request, Cookie, Accept-Language" if negotiated else "HX-Request, Cookie"
        return "304 NOT MODIFIED", [*self.app.config["SECURITY_HEADERS"], ("ETag", f'W/"{etag}"'),
                                    ("Cache-Control", "no-cache"), ("Vary", vary)], b""

    def _view(self, environ):
        """(view function, view arguments) this GET's address names, or (None, None). Matched once
        per address (the last ROUTES_KEPT addresses), as the same GET always matches the same way."""
        address = (environ.get("HTTP_HOST"), environ.get("SCRIPT_NAME"), environ.get("PATH_INFO"))
        route = self.routes.get(address)
        if route is None:
            try:
                route = self.app.url_map.bind_to_environ(environ, server_name=self.app.config["SERVER_NAME"]).match()
            except HTTPException:  # no such page, another method, a redirect to the canonical address
                route = (None, {})
            if len(self.routes) >= ROUTES_KEPT:
                self.routes.clear()
            self.routes[address] = route
        endpoint, view_args = route
        if endpoint is None or any(isinstance(v, int) and v > MAX_ID for v in view_args.values()):
            return None, None  # names nothing (views' ids_in_range)
        return self.app.view_functions.get(endpoint), dict(view_args)

    def _token(self, session, headers):
        """The visitor's signed CSRF token; a new session cookie in `headers` when the session had
        no raw token yet (what generate_csrf and Flask's save_session do)."""
        raw = session.get(self.token_field)
        if not isinstance(raw, str):
            raw = session[self.token_field] = hashlib.sha1(os.urandom(64)).hexdigest()
            app, interface = self.app, self.interface
            headers.append(("Set-Cookie", dump_cookie(
                interface.get_cookie_name(app), self.session_signing.dumps(session),
                domain=interface.get_cookie_domain(app), path=interface.get_cookie_path(app),
                secure=interface.get_cookie_secure(app), httponly=interface.get_cookie_httponly(app),
                samesite=interface.get_cookie_samesite(app), partitioned=interface.get_cookie_partitioned(app),
            )))
        return self.tokens.dumps(raw)

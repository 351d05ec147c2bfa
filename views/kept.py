"""The pages visitors open most, answered from the cache before the request reaches Flask; and
their polls' 304s.

A visitor's GET of a page kept for visitors (views.kept_for_visitors: a venue, an issue, the home
page, the outcomes), with no query string and not from htmx, is what most requests are. KeptPages,
wrapped around the app's WSGI callable, answers it with one statement (the page's versions, its
SQL made once) and the page that views.cached_page keeps under the same key: no request context,
no extensions' hooks. It gives the visitor the same CSRF token and session cookie Flask-WTF and
Flask would, and the same headers. Anything else, a cache miss included, goes on to Flask, which
builds the page and keeps it. A visitor's poll (views.polled_by_visitors) whose ETag still holds
gets its 304 here the same way.
"""
import hashlib
import os

from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer
from peewee import DatabaseError
from werkzeug.exceptions import HTTPException
from werkzeug.http import dump_cookie
from werkzeug.wrappers import Request

from extensions import visitor_locale
from models import MAX_ID, db
from views import CSRF_PLACEHOLDER, LARGE_TEXT_COOKIE, VERSIONS, page_key, validator

VARY = "Cookie, Accept-Language, HX-Request"



class KeptPages:
    def __init__(self, app, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app
        interface = app.session_interface
        # Flask's own cookie session, or nothing answered here (another session store is Flask's).
        self.active = type(interface) is SecureCookieSessionInterface and bool(app.secret_key)
        if not self.active:
            return
        self.interface = interface
        self.sessions = interface.get_signing_serializer(app)  # made once, not once a request
        self.max_age = int(app.permanent_session_lifetime.total_seconds())
        # Flask-WTF's token: the session's raw token, signed (flask_wtf.csrf.generate_csrf).
        self.tokens = URLSafeTimedSerializer(app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key,
                                             salt="wtf-csrf-token")
        self.token_field = app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        self.remember_cookie = app.config.get("REMEMBER_COOKIE_NAME", "remember_token")

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
        if self.remember_cookie in cookies or "\x00" in request.path or (poll and not request.if_none_match):
            return None
        session = self._session(cookies)
        if session is None or {"_user_id", "_flashes", "_permanent"} & session.keys():
            return None  # someone signed in, or a message waiting: their own page
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
                   ("Vary", VARY)]
        if request.if_none_match.contains_weak(key):
            return "304 NOT MODIFIED", headers, b""
        body = self.app.extensions["page_cache"].get(key)
        if body is None:
            return None
        token = self._token(session, headers)
        body = body.replace(CSRF_PLACEHOLDER.encode(), token.encode())
        headers += [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))]
        return "200 OK", headers, body

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
        """(view function, view arguments) this address names, or (None, None)."""
        try:
            endpoint, view_args = self.app.url_map.bind_to_environ(
                environ, server_name=self.app.config["SERVER_NAME"]
            ).match()
        except HTTPException:  # no such page, another method, a redirect to the canonical address
            return None, None
        if any(isinstance(v, int) and v > MAX_ID for v in view_args.values()):
            return None, None  # names nothing (views' ids_in_range)
        return self.app.view_functions.get(endpoint), view_args

    def _token(self, session, headers):
        """The visitor's signed CSRF token; a new session cookie in `headers` when the session had
        no raw token yet (what generate_csrf and Flask's save_session do)."""
        raw = session.get(self.token_field)
        if not isinstance(raw, str):
            raw = session[self.token_field] = hashlib.sha1(os.urandom(64)).hexdigest()
            app, interface = self.app, self.interface
            headers.append(("Set-Cookie", dump_cookie(
                interface.get_cookie_name(app), self.sessions.dumps(session),
                domain=interface.get_cookie_domain(app), path=interface.get_cookie_path(app),
                secure=interface.get_cookie_secure(app), httponly=interface.get_cookie_httponly(app),
                samesite=interface.get_cookie_samesite(app), partitioned=interface.get_cookie_partitioned(app),
            )))
        return self.tokens.dumps(raw)

"""Blueprints, one a module, and the response toolkit every view uses.

A view parses the request, calls one domain function and answers with one of these:
`render` (page or fragment), `see_other` (POST-redirect-GET), `answer` (a form's result, as a
fragment for htmx or a redirect), `conditional` (ETag and 304 for polls and feeds), `Page` (one page
of a query). `require` turns a permission function's verdict into 401/403, and the `get_*` helpers
load a row and authorize it in one call, as flaskr's `get_post(id, check_author)` does.
"""
import hashlib
import time
from urllib.parse import urlsplit

from flask import (
    abort,
    current_app,
    flash,
    g,
    has_request_context,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from peewee import DatabaseError
from playhouse.flask_utils import get_object_or_404

from extensions import htmx, login_manager
from models import MAX_ID, Issue, Membership, PageVersion, User, Venue, db

MAX_PAGE = 10_000


def wants_fragment():
    """An htmx request that is neither boosted nor a history restore gets the fragment."""
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(page, fragment=None, status=200, **context):
    """Render the whole page, or only its `_fragment` when htmx asked for it."""
    template = fragment if fragment and wants_fragment() else page
    return render_template(template, **context), status


def see_other(location):
    """POST-redirect-GET."""
    return redirect(location, 303)


def answer(location, fragment=None, flash_message=None, category="success", **context):
    """The answer to a form that worked: `fragment` rendered for htmx, else a redirect to `location`.

    `flash_message` (a lazy string is translated only here) says what happened on the page the
    redirect leads to; a fragment shows what its context holds instead, so nothing is left to
    flash on a later page.
    """
    if fragment and wants_fragment():
        return render_template(fragment, **context), 200
    if flash_message:
        flash(str(flash_message), category)
    return see_other(location)


def safe_next(default):
    """The `next` URL of the request when it stays on this site, else `default`."""
    target = request.values.get("next", "")
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc and "\\" not in target:
        return target
    return default


def id_arg(name):
    """A non-negative id from the query string or form, or None when absent, malformed or too big
    to name anything (ids are 32-bit)."""
    raw = request.values.get(name, "")
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 10:
        return None
    value = int(raw)
    return value if value <= MAX_ID else None


# Permissions -------------------------------------------------------------------------------------

def require(allowed, message=None):
    """Abort unless `allowed`: visitors go to the login page, others get 403 (saying `message`)."""
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    if not allowed:
        abort(403, description=message)


def _authorized(obj, check, message=None):
    if check is not None:
        require(check(current_user, obj), message)
    return obj


def get_venue(slug, check=None, message=None, path=False):
    """The venue at `slug` (404 if none), when `check(current_user, venue)` allows it. With `path`,
    its regions up to the city and the site's revision come with it (Venue.with_path)."""
    from models import Venue

    query = Venue.with_path() if path else Venue.select()
    venue = get_object_or_404(query, Venue.slug == slug)
    if path:
        g.site_version = venue.site_revision
    return _authorized(venue, check, message)


def get_issue(issue_id, check=None, message=None):
    """The issue `issue_id` with its venue (404 if none), when `check(current_user, issue)` allows it."""
    issue = Issue.with_its_venue(issue_id)
    if issue is None:
        abort(404)
    return _authorized(issue, check, message)


def get_meeting(meeting_id, check=None, message=None):
    """The meeting `meeting_id` with its venue (404 if none), when `check(current_user, meeting)`
    allows it."""
    from models import Meeting, Venue

    meeting = get_object_or_404(Meeting.select(Meeting, Venue).join(Venue), Meeting.id == meeting_id)
    return _authorized(meeting, check, message)


def get_item(item_id, check=None, message=None):
    """The agenda item `item_id` with its meeting and venue, its result fixed once voting has
    closed (404 if none), when `check(current_user, item)` allows it."""
    from domain import deliberation

    item = deliberation.load_item(item_id)
    if item is None:
        abort(404)
    return _authorized(item, check, message)


def get_membership(venue, membership_id, check=None, message=None):
    """The membership `membership_id` of `venue` with its person, when `check(current_user,
    membership)` allows it. Another venue's membership is 404 here, as if it did not exist."""
    from models import Membership

    membership = get_object_or_404(Membership.of_venue(venue), Membership.id == membership_id)
    return _authorized(membership, check, message)


# Addresses to print --------------------------------------------------------------------------------

def public_url(endpoint, **values):
    """The address of `endpoint` as people outside reach it: the configured PUBLIC_URL and the
    route's path. Never the request's Host header, which whoever sends the request chooses: an
    address printed on a poster or a notice must not be theirs."""
    return current_app.config["PUBLIC_URL"].rstrip("/") + url_for(endpoint, **values)


# Lists ---------------------------------------------------------------------------------------------

def page_number():
    """The ?page= of the request: 1 when missing or not a positive number; a number beyond
    MAX_PAGE names no page (404), however many digits it has."""
    raw = request.args.get("page", "")
    if not (raw.isascii() and raw.isdigit()):
        return 1
    if len(raw) > len(str(MAX_PAGE)) or int(raw) > MAX_PAGE:
        abort(404)
    return max(1, int(raw))


class Page:
    """One page of a query, fetched with one row more than it shows to know whether another follows.

    No COUNT(*): a list page stays one indexed query however many rows there are.
    """

    def __init__(self, query, number=None, size=None):
        self.number = page_number() if number is None else number
        size = size or current_app.config["PAGE_SIZE"]
        rows = list(query.limit(size + 1).offset((self.number - 1) * size)) if query is not None else []
        self.items = rows[:size]
        if self.number > 1 and not self.items:
            abort(404)  # past the last page: there is no such page
        self.has_previous = self.number > 1
        self.has_next = len(rows) > size

    @staticmethod
    def url(number):
        """This address with ?page=`number`, the rest of the query string kept."""
        # The query string is the visitor's: it must not override the route's own arguments or
        # reach url_for's options (_external, _anchor, …).
        args = {k: v for k, v in request.args.items() if not k.startswith("_")}
        args.update(request.view_args or {}, page=number)
        return url_for(request.endpoint, **args)


# Conditional GET ---------------------------------------------------------------------------------

def validator(parts, locale, fragment):
    """The ETag of an answer made from `parts` (see conditional; views.kept makes the same)."""
    return hashlib.blake2b(repr((*parts, locale, fragment)).encode(), digest_size=12).hexdigest()


def conditional(build, *parts, cache="no-cache, private"):
    """Answer a GET that clients repeat (polls, feeds) with an ETag, and 304 while it still holds.

    With `parts` the validator comes from them (what the row already holds), so a 304 renders
    nothing; the reader's language and page-or-fragment are added. Without, it is the body's hash.
    `build()` returns the body (or a response) when one must be sent. `no-cache` lets the browser
    keep the answer but ask again every time, sending If-None-Match.
    """
    if parts:
        etag = validator(parts, str(get_locale()), wants_fragment())
        if request.if_none_match.contains_weak(etag):
            response = current_app.response_class(status=304)
        else:
            response = make_response(build())
        response.set_etag(etag, weak=True)
    else:
        response = make_response(build())
        response.add_etag()
    response.headers["Cache-Control"] = cache
    return response.make_conditional(request) if not parts else response


# What every page shows: the site's identity and the reader's large-text mode ---------------------

LARGE_TEXT_COOKIE = "large_text"


def site_version():
    """The site-wide revision (categories, regions, names, the site's settings), read once a request."""
    if "site_version" not in g:
        g.site_version = PageVersion.current()
    return g.site_version


def site_identity():
    """The site's name, sponsoring office, phone, ICP number and about text (domain/site.py)."""
    cache = current_app.extensions["site_identity"]
    if not has_request_context() or db.is_closed() or (g.get("error_page") and cache.loaded()):
        # An error page made before the request's connection opened, or one that should cost
        # nothing more: what this process read last.
        return cache.last()
    try:
        return cache.get(site_version())
    except DatabaseError:
        return cache.last()  # the error page of a database that fails (or is not migrated yet)


def site_name():
    """What the reader's pages call the site: the admins' name in the reader's language (the
    English one on English pages when it is set), else 议事 / Yishi."""
    return site_identity().name_in(get_locale()) or _("Yishi")


def large_text():
    """Whether the reader chose the large-text mode (长辈模式): on their account once signed in, in a
    cookie before."""
    if not has_request_context():
        return False
    if current_user.is_authenticated:
        return bool(current_user.large_text)
    return request.cookies.get(LARGE_TEXT_COOKIE) == "1"


# Visitors' pages, built once per version ---------------------------------------------------------

# What every answer's content may depend on besides its address: the fragment htmx asks for, the
# signed-in reader, and the language when Accept-Language chose it (always, for a kept page).
VARY = "HX-Request, Cookie"
VARY_NEGOTIATED = "HX-Request, Cookie, Accept-Language"

# Where a cached page holds the reader's own CSRF token (the language switcher posts it too).
CSRF_PLACEHOLDER = "\x00csrf\x00"


def csrf_token():
    """The CSRF token for a template: the placeholder while a page for the cache is built, else the
    request's (Flask-WTF keeps it in g once made)."""
    state = g._get_current_object()
    if state.get("building_cached_page"):
        return CSRF_PLACEHOLDER
    return state.get("csrf_token") or generate_csrf()


def for_everyone():
    """A visitor with nothing personal waiting (no flash message): their page is everyone's, and
    cached_page may keep it."""
    return not current_user.is_authenticated and "_flashes" not in session


def _cache_arguments(args):
    """The query arguments of this request as a cache key may hold them: (name, value) pairs when
    every argument sent is one the page reads (`page`, or a name of `args`) with the value the
    view understood (`args`' value; a page number as a number), else None. So a page is kept only
    under its canonical addresses, a bounded set, and never under random query strings."""
    understood = {name: str(value) for name, value in (args or {}).items()}
    if "page" in request.args:
        understood["page"] = str(page_number())
    sent = request.args.to_dict(flat=False)
    if any(name not in understood or values != [understood[name]] for name, values in sent.items()):
        return None
    return tuple(sorted((name, understood[name]) for name in sent))


SHARED_PARTS = 2_000  # entries kept before the store starts afresh


def shared(build, *key):
    """A part that every reader of a page sees alike (the categories, a venue's figures), built
    once per `key`, which names the versions it comes from (see cached_page), then kept in this
    process. Only for parts whose versions move with every change they show."""
    store = current_app.extensions.setdefault("shared_parts", {})
    if key not in store:
        if len(store) >= SHARED_PARTS:
            store.clear()
        store[key] = build()
    return store[key]


def minute():
    """The minute a kept page was built in: it shows relative times and voting windows."""
    return int(time.time() // 60)


def page_key(versions, site, path, arguments, locale, fragment, large):
    """The cache key, and ETag, of a visitor's page (see cached_page; views.kept makes the same)."""
    return hashlib.blake2b(repr((
        *versions, site, path, arguments, locale, fragment, large, minute(),
    )).encode(), digest_size=16).hexdigest()


def _page_key(versions, site, arguments):
    return page_key(versions, site_version() if site is None else site, request.path, arguments,
                    str(get_locale()), wants_fragment(), large_text())


def _kept(response, key):
    """`response`, a visitor's page from the cache (or its 304), with its validator and the
    reader's own CSRF token."""
    g.kept_page = True  # nothing personal to stamp on its forms (see once.stamp_forms)
    if response.status_code == 200:
        response.set_data(response.get_data().replace(CSRF_PLACEHOLDER.encode(), generate_csrf().encode()))
    response.set_etag(key, weak=True)
    response.headers["Cache-Control"] = "no-cache"
    response.vary.update(("Cookie", "Accept-Language", "HX-Request"))
    return response


def cached_page(build, *versions, args=None, site=None, own=None):
    """A page built once per version of what it shows, then served from the cache.

    `versions` are what the page was built from (a venue's or an issue's revision, which the
    database moves with every change that shows there, see migration 0020); the site-wide
    revision, the language, page-or-fragment, the large-text mode, the path, the query arguments
    and the minute (relative times, voting windows) are added. `args` are the query arguments the
    page reads besides `page`, {name: the value as the view understood it}: a request with any other
    argument, or another spelling of a value, is built every time and kept nowhere, so random
    query strings cannot fill the cache. The same key is the ETag, so a browser asking again gets
    a 304. `site` is the site's revision when the caller has already read it.

    A signed-in reader's page is kept too where the view says what their own part of it is built
    from (`own`, see kept_for_readers), at its plain address: in two parts, see _reader_page.
    Anyone else's is built every time.
    """
    if not for_everyone():
        if own is None or not _plain_reading():
            return build()
        return _reader_page(build, versions, site_version() if site is None else site, own)
    arguments = _cache_arguments(args)
    if arguments is None:
        return build()
    key = _page_key(versions, site, arguments)
    cache = current_app.extensions["page_cache"]
    if request.if_none_match.contains_weak(key):
        return _kept(current_app.response_class(status=304), key)
    if (body := cache.get(key)) is not None:
        return _kept(current_app.response_class(body, mimetype="text/html"), key)
    g.building_cached_page = True
    try:
        response = make_response(build())
    finally:
        g.building_cached_page = False
    if response.status_code != 200:
        return response
    cache.set(key, response.get_data())
    return _kept(response, key)


# Signed-in readers' pages, in two kept parts ------------------------------------------------------

HEADER_PLACEHOLDER = "\x00header\x00"  # where a reader's page goes on with their own header


def header_slot():
    """For base.html: the placeholder while a reader's page is built for the cache, else None."""
    return HEADER_PLACEHOLDER if g.get("building_reader_page") else None


def personal_page():
    """Says that the page being built shows something its versions do not follow (a councillor's
    counts of requests waiting): it is built for this reader and kept for nobody."""
    g.personal_page = True


def _plain_reading():
    """A signed-in reader's GET of a page at its plain address, nothing personal waiting."""
    return (current_user.is_authenticated and request.method == "GET" and not request.args
            and not wants_fragment() and "_flashes" not in session)


def reader_keys(versions, site, path, locale, reader, own):
    """(body key, header key) of a signed-in reader's page. The body is every reader's who has the
    same `own` facts (what the view's kept_for_readers function read: their memberships at the
    venue) and the same settings; the header holds what is theirs (User.reader: their name, the
    links their roles open, their unread count), so it is kept for each such reader. views.kept
    makes the same keys."""
    body = page_key(versions, site, path, (), locale, False, bool(reader.large_text))
    return (
        hashlib.blake2b(repr(("reader", body, bool(reader.is_admin), own)).encode(), digest_size=16).hexdigest(),
        hashlib.blake2b(repr(("header", *reader, site, path, locale)).encode(), digest_size=16).hexdigest(),
    )


def _reader_page(build, versions, site, own_of):
    """A signed-in reader's page from two kept parts: the body the view builds, with a placeholder
    for the header, kept for every reader with the same own facts (unless personal_page() says
    it cannot be); and the header, kept for this reader. The CSRF token is theirs, and
    once.stamp_forms gives each form a fresh one-time key, as on any page."""
    kept = request.environ.get(READER)
    if kept is not None and kept[0] == current_user.id:  # views.kept read them for this request
        reader, own = kept[1:]
    else:
        reader, own = User.reader(current_user.id), own_of(current_user.id, versions)
    if reader is None:
        return build()
    body_key, header_key = reader_keys(versions, site, request.path, str(get_locale()), reader, own)
    cache = current_app.extensions["page_cache"]
    body = cache.get(body_key)
    if body is None:
        g.building_cached_page = g.building_reader_page = True
        try:
            response = make_response(build())
        finally:
            g.building_cached_page = g.building_reader_page = False
        if response.status_code != 200:
            return response
        body = response.get_data()
        if not g.pop("personal_page", False):
            cache.set(body_key, body)
    header = cache.get(header_key)
    if header is None:
        g.building_cached_page = True
        try:
            header = render_template("_header.html", brand=site_name()).encode()
        finally:
            g.building_cached_page = False
        cache.set(header_key, header)
    page = body.replace(HEADER_PLACEHOLDER.encode(), header, 1).replace(CSRF_PLACEHOLDER.encode(),
                                                                         generate_csrf().encode())
    return current_app.response_class(page, mimetype="text/html")


# The pages visitors open most, answered before the request reaches Flask (views/kept.py) -------

VERSIONS = "yishi.page_versions"  # where views.kept leaves what it read, on a miss, for the view
READER = "yishi.reader"  # and what it read of a signed-in reader: (user id, User.reader, their own facts)


def polled_by_visitors(parts_of):
    """Marks a poll answered with conditional(): `parts_of(**view_args)` gives the parts of a
    visitor's validator, or None. views.kept answers a visitor's poll whose ETag still holds with a
    304 before the request reaches Flask; anything else goes on to the view."""
    def mark(view):
        view.visitor_parts = parts_of
        return view

    return mark


def kept_for_readers(own_of):
    """Marks a view kept_for_visitors whose signed-in readers' pages are kept too (cached_page's
    `own`): `own_of(user id, versions)` reads what the reader's own part of the page is built from
    (their memberships at the venue). views.kept answers them from the cache as it does visitors."""
    def mark(view):
        view.reader_own = own_of
        return view

    return mark


def kept_for_visitors(versions_of):
    """Marks a view whose visitors' page is kept by cached_page: `versions_of(**view_args)` reads
    what the page is built from, ((versions…), the site's revision), or None when the address names
    nothing. views.kept answers a visitor from the cache with it before the request reaches Flask;
    the view gets the same answer from page_versions(versions_of, …)."""
    def mark(view):
        view.page_versions = versions_of
        return view

    return mark


def venue_versions(slug):
    """What a venue's page and its outcomes are built from: its revision."""
    found = Venue.versions(slug)
    return found and (("venue", found[0], found[1]), found[2])


def own_at_venue(user_id, versions):
    """What a reader's own part of a venue's page is built from (kept_for_readers): their
    memberships there, which say what they may do there."""
    return Membership.own_at(user_id, versions[1])


def issue_versions(issue_id):
    """What an issue's page is built from: its revision."""
    found = Issue.versions(issue_id)
    return found and (("issue", found[0], found[1]), found[2])


def every_venue_versions():
    """What a page showing every venue's meetings, votes and outcomes is built from: every
    venue's revision moves with them (migration 0020)."""
    *venues, site = Venue.all_versions()
    return tuple(venues), site


def page_versions(versions_of, **view_args):
    """What a kept page is built from, `versions_of(**view_args)` (see kept_for_visitors), unless
    views.kept read it for this request already: 404 when it names nothing."""
    kept = request.environ.get(VERSIONS)
    if kept is not None and kept[0] is versions_of and kept[1] == view_args:
        found = kept[2]
    else:
        found = versions_of(**view_args)
    if found is None:
        abort(404)
    g.site_version = found[1]
    return found

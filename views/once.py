"""Exactly once: a form sent twice (a double click, a retry after a dropped connection, a reload
of the answer page) acts once, and the second sending gets the first one's answer.

Every form the site renders carries a one-time submission key, put beside its CSRF token by
`stamp_forms` (one place, whichever way a template writes the token). When a signed-in person
sends a form with a key, `claim` opens one transaction for the whole request and records the key in
it; the view's writes join that transaction, and `settle` stores the answer (its status, and its
Location or, for htmx, its body) in the same transaction before the answer leaves. So either the
write and its key are committed together, or neither is:

- sent again after the first answer was committed → the stored answer, nothing done twice;
- sent again while the first is still running → the second waits on the key's unique index (on
  SQLite, on the write lock) and then gets the stored answer;
- the server died before committing → nothing was written, and the retry does the work.

The key is tied to the account, the address and what the form held: the same key with other
content (the Back button, then a changed text) is a new submission. Answers are kept
SUBMISSION_KEY_HOURS (24 by default); a refusal (4xx) keeps no key, so a corrected retry goes through.

Toggles need none of this: their forms send the state they want (附议 given or not, followed or not),
so a second sending changes nothing. They carry no key, and a press keeps no answer.
"""
import datetime
import hashlib
import re
import secrets

from flask import current_app, g, redirect, request
from flask_login import current_user
from peewee import IntegrityError

from domain import mail, photos
from models import Submission, db, utcnow

KEY_FIELD = "_once"
# The CSRF token's hidden input, however a template writes it ({{ form.csrf_token }} or by hand).
# (A form with a prefix names it "<prefix>-csrf_token".)
CSRF_INPUT = re.compile(r'<input[^>]*\bname="(?:[\w.-]+-)?csrf_token"[^>]*>')
MAX_STORED_BODY = 200_000
IGNORED_FIELDS = {KEY_FIELD}
# Posts that change nothing (checking one field as it is typed): no transaction, nothing kept.
READ_ONLY = {"issues.validate"}
# Posts that set a state rather than add to it: sent again, they change nothing (see above).
IDEMPOTENT = {"discussion.support", "discussion.follow"}
_ACTION = re.compile(rb'\saction="([^"?#]*)')  # the form's own, not data-action= or hx-action=


def init_app(app):
    app.extensions["once_exempt"] = paths_of(app, IDEMPOTENT)
    app.before_request(claim)
    # after_request functions run last-registered first: settle stores the view's own answer, then
    # stamp_forms gives the forms in whatever is sent (a replay too) fresh keys.
    app.after_request(stamp_forms)
    app.after_request(settle)
    app.teardown_request(abandon)


def paths_of(app, endpoints):
    """A pattern that finds the end of a path posting to one of `endpoints` (bytes, as pages are
    sent): each route with its variable parts as any one segment."""
    routes = [b"[^/]+".join(re.escape(part.encode()) for part in re.split(r"<[^>]+>", rule.rule))
              for rule in app.url_map.iter_rules() if rule.endpoint in endpoints]
    return re.compile(b"(?:" + b"|".join(routes) + b")$") if routes else None


def _new_key():
    return secrets.token_urlsafe(12)


def _posts_to(body, at, paths):
    """Whether the form that holds position `at` of `body` posts to an address `paths` finds."""
    start = body.rfind(b"<form", 0, at)
    action = _ACTION.search(body, start, body.find(b">", start)) if start != -1 else None
    return bool(action and paths.search(action.group(1)))


def stamped(body, exempt=None):
    """`body` (bytes) with a one-time key after every CSRF token input, or None when none needs one:
    the inputs of forms posting to the addresses `exempt` finds (paths_of) get none.

    Found with bytes.find rather than a regular expression over the decoded page (which cost a
    millisecond on a long issue page, for every page sent): each `csrf_token"` is looked up, the
    tag around it checked with CSRF_INPUT, and the key put after its end."""
    at = body.find(b'csrf_token"')
    parts, done = [], 0
    while at != -1:
        start, end = body.rfind(b"<", done, at), body.find(b">", at)
        if (start != -1 and end != -1 and CSRF_INPUT.fullmatch(body[start:end + 1].decode("utf-8", "replace"))
                and not (exempt and _posts_to(body, start, exempt))):
            parts += [body[done:end + 1], f'<input type="hidden" name="{KEY_FIELD}" value="{_new_key()}">'.encode()]
            done = end + 1
        at = body.find(b'csrf_token"', max(at + 1, done))
    if not parts:
        return None
    parts.append(body[done:])
    return b"".join(parts)


def stamp_forms(response):
    """Give every form in an HTML answer its own one-time key, beside its CSRF token."""
    if (
        response.mimetype != "text/html"
        or response.direct_passthrough
        or response.is_streamed
        or response.status_code == 304
        or g.get("kept_page")  # a visitor's page: claim() keeps no key for visitors
    ):
        return response
    body = stamped(response.get_data(), current_app.extensions["once_exempt"])
    if body is not None:
        response.set_data(body)
    return response


def _token(key):
    """What identifies one submission: who sent which key to which address with what content."""
    content = sorted(
        (name, value) for name, values in request.form.lists()
        if name not in IGNORED_FIELDS and not name.endswith("csrf_token") for value in values
    )
    digest = hashlib.sha256()
    for part in (str(current_user.id), key, request.method, request.full_path, repr(content)):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


def claim():
    """Before a keyed form's view runs: answer a repeat with the first answer, or open the
    request's transaction with the key recorded in it."""
    if (request.method != "POST" or request.endpoint in READ_ONLY or request.endpoint in IDEMPOTENT
            or not current_user.is_authenticated):
        return None
    key = request.form.get(KEY_FIELD, "")
    if not key or len(key) > 64:
        return None
    token = _token(key)
    transaction = db.atomic()
    transaction.__enter__()
    try:
        Submission.purge(utcnow() - datetime.timedelta(hours=current_app.config["SUBMISSION_KEY_HOURS"]))
        with db.atomic():
            Submission.insert(token=token).execute()
    except IntegrityError:
        # Sent before: the first sending committed its answer (a running one would have held us
        # on the unique index, or on SQLite's write lock, until it committed or rolled back).
        first = Submission.get_or_none(Submission.token == token)
        transaction.__exit__(None, None, None)
        if first is not None and first.status:
            return replay(first)
        return None
    except BaseException as exc:
        transaction.__exit__(type(exc), exc, exc.__traceback__)
        raise
    g.once = (transaction, token)
    g.mail_queue = {}  # notices by mail wait for the commit (domain/mail.py)
    photos.start_deferring()  # so do the files of photos deleted (domain/photos.py)
    return None


def replay(first):
    """The answer the first sending got."""
    if 300 <= first.status < 400:
        response = redirect(first.location, first.status)
    else:
        response = current_app.response_class(first.body, first.status, content_type=first.content_type)
        if first.location:  # an htmx answer that sent the page elsewhere
            response.headers["HX-Redirect"] = first.location
    response.headers["X-Repeated-Submission"] = "1"
    return response


def _stored(response):
    """The answer as kept for a repeat: status, and Location or a body that can be sent again."""
    fields = {Submission.status: response.status_code}
    if 300 <= response.status_code < 400:
        fields[Submission.location] = response.headers.get("Location", "")[:2000]
    elif not (response.direct_passthrough or response.is_streamed):
        fields[Submission.location] = response.headers.get("HX-Redirect", "")[:2000]
        body = response.get_data(as_text=True)
        if len(body) <= MAX_STORED_BODY:
            fields[Submission.body] = body
            fields[Submission.content_type] = (response.content_type or "")[:100]
    return fields


def settle(response):
    """Commit the view's writes together with the answer its key keeps (or with no key at all
    when the form was refused); roll everything back on a server error."""
    once = g.pop("once", None)
    if once is None:
        return response
    transaction, token = once
    try:
        if response.status_code >= 500:
            transaction.__exit__(RuntimeError, RuntimeError("server error"), None)
            g.pop("mail_queue", None)
            photos.drop_deferred()
            return response
        if response.status_code < 400:
            Submission.update(_stored(response)).where(Submission.token == token).execute()
        else:
            Submission.delete().where(Submission.token == token).execute()
    except BaseException as exc:
        transaction.__exit__(type(exc), exc, exc.__traceback__)
        g.pop("mail_queue", None)
        photos.drop_deferred()
        raise
    transaction.__exit__(None, None, None)
    photos.remove_deferred()
    mail.send_deferred()
    return response


def abandon(exc):
    """A request that ended in an exception before its answer: nothing it wrote is kept."""
    once = g.pop("once", None)
    g.pop("mail_queue", None)
    photos.drop_deferred()
    if once is not None:
        transaction, _token = once
        error = exc or RuntimeError("request abandoned")
        transaction.__exit__(type(error), error, None)

"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2): other civic software lists our
categories as services, files matters at a venue, and follows them to closed.

The spec's words map onto ours: a service is a Category (service_code = its code), a service
request an Issue (service_request_id = its id, as a string), status open/closed comes from the
issue's status, status_notes from the latest public answer, agency_responsible from the lead
department. Documents are plain dicts and lists, written out as XML (the required format) or as
JSON by the spec's Spark convention: the root element dropped, repeated elements as arrays (even of
one), empty elements as null. Requests are filed with an API key, kept as a keyed hash only.
"""
import datetime
import hashlib
import hmac
import json
import math
import re
import secrets
from xml.etree import ElementTree

import click
from flask import current_app, url_for
from flask.cli import with_appcontext
from flask_babel import gettext as _
from peewee import JOIN, Case

from domain import audit, labels, photos, timefmt, workflow
from models import (
    ACTIVE_ASSIGNMENT_STATES,
    ApiKey,
    Assignment,
    Category,
    Department,
    Issue,
    Open311Request,
    Photo,
    User,
    Venue,
    db,
    utcnow,
)

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this endpoint's documents last changed shape (discovery's changeset).
CHANGESET = datetime.datetime(2026, 12, 3, tzinfo=datetime.UTC)
CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
MAX_SPAN = datetime.timedelta(days=90)  # GET requests: "may not span more than 90 days"
MAX_RESULTS = 1000  # GET requests: "or first 1000 requests returned, whichever is smallest"
MAX_DESCRIPTION = 4000
# The spec's statuses: closed means "it has been resolved", so an answered matter is closed; a
# dissatisfied rating reopens it, and it is open again.
CLOSED = workflow.FINISHED
VENUE_ATTRIBUTE = "venue"
TITLE_ATTRIBUTE = "title"
# Which element each repeated child is written as in XML, by the name of its parent.
ELEMENTS = {
    "services": "service", "service_requests": "request", "errors": "error",
    "attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format",
}
# Characters XML 1.0 cannot hold (control characters other than tab and line breaks).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class Open311Error(Exception):
    """An error the spec names: the HTTP status and the errors document's description."""

    def __init__(self, status, description, retry_after=None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after


# Documents: XML and JSON from one structure -------------------------------------------------------

def _fill(element, content):
    if isinstance(content, list):
        for item in content:
            _fill(ElementTree.SubElement(element, ELEMENTS[element.tag]), item)
    elif isinstance(content, dict):
        for name, value in content.items():
            _fill(ElementTree.SubElement(element, name), value)
    elif isinstance(content, bool):
        element.text = "true" if content else "false"
    elif content is not None:
        element.text = _NOT_XML.sub("", str(content))


def to_xml(root, content):
    """`content` under the root element `root`, with the XML declaration the spec requires."""
    element = ElementTree.Element(root)
    _fill(element, content)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(element, encoding="unicode")


def to_json(root, content):
    """The Spark convention: the root dropped, lists as arrays, text as strings, empty as null."""
    return json.dumps(content, ensure_ascii=False)


def serialize(fmt, root, content):
    return (to_xml if fmt == "xml" else to_json)(root, content)


def errors_document(status, description):
    return [{"code": status, "description": description}]


def w3c(value):
    """A stored naive UTC time as a W3C datetime in the site's time zone, with its offset."""
    if value is None:
        return None
    local = value.replace(tzinfo=datetime.UTC, microsecond=0).astimezone(timefmt.site_zone())
    return local.isoformat()


def end_of_day(day):
    """The last second of `day` on the site's clocks, as a W3C datetime (a due date's deadline)."""
    if day is None:
        return None
    return datetime.datetime.combine(day, datetime.time(23, 59, 59), tzinfo=timefmt.site_zone()).isoformat()


def parse_w3c(raw, name):
    """A W3C datetime from a query string as naive UTC; without an offset, the site's clocks."""
    raw = raw.strip()
    # An unencoded "+08:00" arrives as " 08:00": put the plus sign back.
    raw = re.sub(r"^(\S+T[\d:.]+) (\d\d:?\d\d)$", r"\1+\2", raw)
    if raw.endswith(("Z", "z")):
        raw = raw[:-1] + "+00:00"
    try:
        if re.fullmatch(r"\d{4}", raw):
            value = datetime.datetime(int(raw), 1, 1)
        elif re.fullmatch(r"\d{4}-\d{2}", raw):
            value = datetime.datetime(int(raw[:4]), int(raw[5:]), 1)
        else:
            value = datetime.datetime.fromisoformat(raw)
        if value.tzinfo is None:
            value = value.replace(tzinfo=timefmt.site_zone())
        return value.astimezone(datetime.UTC).replace(tzinfo=None)
    except (ValueError, OverflowError):
        raise Open311Error(400, f"{name} must be a W3C datetime, eg 2010-01-01T00:00:00Z") from None


def _shift(value, delta):
    """`value` + `delta`, stopping at the ends of the calendar instead of overflowing."""
    try:
        return value + delta
    except OverflowError:
        return datetime.datetime.max if delta > datetime.timedelta(0) else datetime.datetime.min


# Jurisdiction ---------------------------------------------------------------------------------------

def jurisdiction():
    """The one jurisdiction this site serves (OPEN311_JURISDICTION, else the feed authority)."""
    config = current_app.config
    return config.get("OPEN311_JURISDICTION") or config.get("FEED_AUTHORITY") or "yishi.local"


def check_jurisdiction(value):
    """A missing jurisdiction_id is accepted, since the site serves one; a wrong one is 404."""
    value = (value or "").strip()
    if value and value != jurisdiction():
        raise Open311Error(404, f"jurisdiction_id provided was not found: {value}")


# API keys -------------------------------------------------------------------------------------------

KEY_PREFIX = "ys311_"


def _pepper():
    config = current_app.config
    return (config.get("OPEN311_KEY_PEPPER") or config["SECRET_KEY"]).encode()


def key_hash(clear):
    """The keyed hash a key is stored as: HMAC-SHA256 with the app-wide pepper."""
    return hmac.new(_pepper(), clear.encode(), hashlib.sha256).hexdigest()


def _snapshot(key):
    # Even the keyed hash stays out of the audit trail, as do the counters.
    return {k: v for k, v in audit.snapshot(key).items()
            if k in ("id", "name", "created_by", "created_at", "revoked_at")}


def issue_key(name, actor):
    """A new key named `name`: (the ApiKey, the clear key, which is shown this once)."""
    name = (name or "").strip()[:80]
    if not name:
        raise ValueError("a key needs a name")
    clear = KEY_PREFIX + secrets.token_urlsafe(24)
    with db.atomic():
        key = ApiKey.create(name=name, key_hash=key_hash(clear), created_by=actor)
        audit.record(actor, "api_key.create", key, None, _snapshot(key))
    return key, clear


def revoke_key(key, actor):
    """Revoke `key` for good: requests carrying it are refused with 403 from now on."""
    if key.revoked_at is not None:
        return False
    with db.atomic():
        before = _snapshot(key)
        key.revoked_at = utcnow()
        key.save(only=[ApiKey.revoked_at])
        audit.record(actor, "api_key.revoke", key, before, _snapshot(key))
    return True


def keys():
    """Every key with who made it, the live ones first, newest first."""
    return (
        ApiKey.select(ApiKey, User).join(User, JOIN.LEFT_OUTER, on=(ApiKey.created_by == User.id))
        .order_by(ApiKey.revoked_at.is_null(False), ApiKey.created_at.desc(), ApiKey.id.desc())
    )


def authenticate(clear):
    """The live key `clear` names, else Open311Error 403."""
    clear = (clear or "").strip()
    if not clear:
        raise Open311Error(403, "api_key was not provided")
    key = ApiKey.get_or_none((ApiKey.key_hash == key_hash(clear)) & ApiKey.revoked_at.is_null())
    if key is None:
        raise Open311Error(403, "Invalid api_key received -- can't proceed with create_request.")
    return key


def rate_limit():
    """(requests, seconds): how many requests a key may make in each fixed window."""
    config = current_app.config
    return int(config.get("OPEN311_RATE_LIMIT", 60)), int(config.get("OPEN311_RATE_WINDOW", 60))


def consume(key, now=None):
    """Count one request against `key`'s current window; Open311Error 429 past the limit.

    One UPDATE counts it, so workers and threads never lose a count between them.
    """
    limit, seconds = rate_limit()
    now = now or utcnow()
    epoch = datetime.datetime(1970, 1, 1)
    start = epoch + datetime.timedelta(seconds=(now - epoch).total_seconds() // seconds * seconds)
    with db.atomic():
        ApiKey.update(
            window_count=Case(None, [(ApiKey.window_started_at == start, ApiKey.window_count + 1)], 1),
            window_started_at=start,
            last_used_at=now,
        ).where(ApiKey.id == key.id).execute()
        count = ApiKey.select(ApiKey.window_count).where(ApiKey.id == key.id).scalar()
    if count > limit:
        retry = math.ceil((start + datetime.timedelta(seconds=seconds) - now).total_seconds())
        raise Open311Error(429, f"Too many requests with this api_key: at most {limit} every {seconds} seconds.",
                           retry_after=max(1, retry))


# Services -------------------------------------------------------------------------------------------

def _service_description(category):
    return _("Matters about %(name)s, raised at a village deliberation hall or residential pavilion and "
             "answered within %(days)d working days of their assignment to a department.",
             name=labels.localized(category), days=category.time_limit_days)


def _group(category, departments):
    for level in ("city", "town", "village"):
        department = departments.get(category.__data__.get(f"{level}_department"))
        if department is not None:
            return labels.localized(department)
    return None


def services():
    """GET services: one service per category an issue may be filed under."""
    categories = list(Category.choices())
    ids = {c.__data__.get(f"{level}_department") for c in categories for level in ("village", "town", "city")}
    departments = {d.id: d for d in Department.select().where(Department.id.in_([i for i in ids if i]))}
    return [
        {
            "service_code": category.code,
            "service_name": labels.localized(category),
            "description": _service_description(category),
            "metadata": True,  # every service asks for the venue
            "type": "realtime",
            "keywords": ", ".join(dict.fromkeys(filter(None, (category.name, category.name_en, category.code)))),
            "group": _group(category, departments),
        }
        for category in categories
    ]


def find_service(code):
    """The category `code` names, else Open311Error 400 (none given) or 404."""
    code = (code or "").strip()
    if not code:
        raise Open311Error(400, "service_code was not provided")
    category = Category.get_or_none((Category.code == code) & ~Category.archived)
    if category is None:
        raise Open311Error(404, f"service_code provided was not found: {code}")
    return category


def open_venues():
    return Venue.select().where(~Venue.archived).order_by(Venue.name, Venue.id)


def service_definition(category):
    """GET services/{code}: the venue to raise the matter at, and an optional title."""
    return {
        "service_code": category.code,
        "attributes": [
            {
                "variable": True,
                "code": VENUE_ATTRIBUTE,
                "datatype": "singlevaluelist",
                "required": True,
                "datatype_description": _("The key of a venue: its web address name."),
                "order": 1,
                "description": _("The village deliberation hall or residential pavilion where the matter "
                                 "should be raised: the one that serves the place it is about."),
                "values": [{"key": venue.slug, "name": venue.name} for venue in open_venues()],
            },
            {
                "variable": True,
                "code": TITLE_ATTRIBUTE,
                "datatype": "string",
                "required": False,
                "datatype_description": _("At most 120 characters."),
                "order": 2,
                "description": _("A short title for the matter; by default, the start of the description."),
            },
        ],
    }


def discovery():
    """The Service Discovery document for this endpoint."""
    changeset = CHANGESET.isoformat().replace("+00:00", "Z")
    return {
        "changeset": changeset,
        "contact": _("Write to the site's administrators through %(url)s.",
                     url=url_for("main.index", _external=True)),
        "key_service": _("API keys are issued by the site's administrators."),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": url_for("open311.discovery", fmt="xml", _external=True).rsplit("/", 1)[0],
                "changeset": changeset,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }


# Filing a request -----------------------------------------------------------------------------------

def _number(values, name, low, high):
    raw = (values.get(name) or "").strip()
    try:
        value = float(raw)
    except ValueError:
        raise Open311Error(400, f"{name} must be a number") from None
    if not (math.isfinite(value) and low <= value <= high):
        raise Open311Error(400, f"{name} must be between {low} and {high}")
    return value


def _text(values, name, limit):
    return " ".join((values.get(name) or "").split())[:limit]


def _title(explicit, description, service_name):
    title = " ".join((explicit or "").split())
    if not title:
        first_line = next((line.strip() for line in description.splitlines() if line.strip()), "")
        title = first_line if len(first_line) <= 60 else first_line[:59] + "…"
    return (title or service_name)[:120]


def _alt(values, description, title):
    """The words that say what the uploaded picture shows: media_alt, else the description (the
    start of it), else the title."""
    alt = _text(values, "media_alt", photos.ALT_LENGTH)
    if alt:
        return alt
    told = " ".join(description.split()) or title
    return told if len(told) <= photos.ALT_LENGTH else told[:photos.ALT_LENGTH - 1] + "…"


def _size(limit):
    return f"{limit // 2**20} MB" if limit >= 2**20 else f"{limit // 1024} KB"


def too_large_description(limit, multipart):
    """Why a request over its size limit (`limit` bytes) is refused."""
    if multipart:
        return f"The request is larger than the {_size(limit)} this endpoint takes: send a smaller picture as media"
    return f"The request is larger than the {_size(limit)} this endpoint takes"


def _media_error(error):
    """What is wrong with the uploaded `media`, in the endpoint's words (a photos.PhotoError)."""
    if error.code == "too_large":
        return f"media is larger than {_size(photos.max_bytes())}: send a smaller picture"
    if error.code == "too_many_pixels":
        return f"media has more than {photos.MAX_PIXELS} pixels: send a smaller picture"
    if error.code == "unreadable":
        return "media cannot be read as a picture: the file may be damaged"
    return "media must be a JPEG, PNG or WebP picture"


def request_limit():
    """The most a POST carrying `media` may hold: one picture, and the form's text beside it."""
    return photos.max_bytes() + current_app.config["MAX_CONTENT_LENGTH"]


def file_request(key, values, files=None, now=None):
    """POST requests: raise the issue at the venue the `venue` attribute names, channel Open311,
    recorded by the key's holder for the person who reported it. Returns the issue.

    `values` holds the request's form and query string (a MultiDict), `files` its uploads: a
    picture sent as `media` (multipart/form-data, as FixMyStreet sends it) is checked and kept
    as the issue's photo the way the issue form keeps one (domain/photos.py), or the request is
    refused and nothing is filed. The reporter's name and contact are kept as a recording on
    behalf keeps them, the name hidden from the public.
    """
    category = find_service(values.get("service_code"))
    has_lat, has_long = bool((values.get("lat") or "").strip()), bool((values.get("long") or "").strip())
    address = _text(values, "address_string", 200)
    address_id = _text(values, "address_id", 100)
    if has_lat != has_long:
        raise Open311Error(400, "lat and long must both be sent")
    if not (has_lat or address or address_id):
        raise Open311Error(400, "A full location parameter must be submitted: lat and long, address_string "
                                "or address_id")
    latitude = _number(values, "lat", -90, 90) if has_lat else None
    longitude = _number(values, "long", -180, 180) if has_long else None
    slug = (values.get(f"attribute[{VENUE_ATTRIBUTE}]") or "").strip()
    if not slug:
        raise Open311Error(400, f"attribute[{VENUE_ATTRIBUTE}] was not provided: the venue to raise the matter at")
    venue = Venue.get_or_none((Venue.slug == slug) & ~Venue.archived)
    if venue is None:
        raise Open311Error(400, f"attribute[{VENUE_ATTRIBUTE}] is not a key of the service definition: {slug}")
    description = (values.get("description") or "").replace("\r\n", "\n").strip()
    if len(description) > MAX_DESCRIPTION:
        raise Open311Error(400, f"description is limited to {MAX_DESCRIPTION} characters")
    media_url = (values.get("media_url") or "").strip()
    if media_url and (len(media_url) > 500 or not re.fullmatch(r"https?://\S+", media_url)):
        raise Open311Error(400, "media_url must be an http or https URL of at most 500 characters")
    service_name = labels.localized(category)
    title = _title(values.get(f"attribute[{TITLE_ATTRIBUTE}]"), description, service_name)
    name = " ".join(filter(None, (_text(values, "first_name", 40), _text(values, "last_name", 40))))[:40]
    contact = " · ".join(filter(None, (_text(values, "email", 60), _text(values, "phone", 20))))[:60]
    upload = (files or {}).get("media")
    prepared = []
    if upload:  # a file part with a name: one left empty in a form sends none
        try:
            prepared.append(photos.prepare(upload.stream, _alt(values, description, title)))
        except photos.PhotoError as error:
            raise Open311Error(400, _media_error(error)) from None
    at = now or utcnow()
    # The picture's files are written before the transaction and taken away again if it fails.
    with photos.kept(prepared) as kept, db.atomic():
        issue = workflow.raise_issue(
            venue, None, title, description or title, category=category, anonymous=bool(name),
            recorded_by=key.created_by_id, reporter_name=name, reporter_contact=contact, channel="open311",
            at=at,
        )
        issue.address = address
        issue.latitude, issue.longitude = latitude, longitude
        issue.save(only=[Issue.address, Issue.latitude, Issue.longitude])
        Open311Request.create(
            issue=issue, api_key=key, media_url=media_url, address_id=address_id,
            zipcode=_text(values, "zipcode", 20), account_id=_text(values, "account_id", 100),
            device_id=_text(values, "device_id", 100), created_at=at,
        )
        kept.rows(issue, key.created_by_id, at=at)
    return issue


def filed_document(issue, values):
    """The POST answer: the new id at once (every service is realtime)."""
    return [{
        "service_request_id": str(issue.id),
        "service_notice": _("The councillors of %(venue)s will take it up; follow it at %(url)s",
                            venue=issue.venue.name, url=url_for("issues.show", issue_id=issue.id, _external=True)),
        "account_id": _text(values, "account_id", 100) or None,
    }]


# Querying requests ----------------------------------------------------------------------------------

def _comma_list(values, name):
    return [part.strip() for raw in values.getlist(name) for part in raw.split(",") if part.strip()]


def query(values, now=None):
    """GET requests: the public issues the filters choose, newest first, at most 1,000.

    service_request_id (a comma list) overrides every other filter. Otherwise the dates span at
    most 90 days (the most recent 90 by default), of the service codes and statuses given.
    """
    issues = _public()
    ids = _comma_list(values, "service_request_id")
    if ids:
        wanted = [int(i) for i in ids if i.isascii() and i.isdigit() and len(i) <= 10 and int(i) < 2**31][:MAX_RESULTS]
        return _documents(issues.where(Issue.id.in_(wanted or [0])).order_by(Issue.created_at.desc(), Issue.id.desc()))
    statuses = _comma_list(values, "status")
    if any(s not in ("open", "closed") for s in statuses):
        raise Open311Error(400, "status must be open or closed (comma delimited)")
    start = parse_w3c(values["start_date"], "start_date") if (values.get("start_date") or "").strip() else None
    end = parse_w3c(values["end_date"], "end_date") if (values.get("end_date") or "").strip() else None
    if start is None and end is None:
        end = now or utcnow()
    if start is None:
        start = _shift(end, -MAX_SPAN)
    elif end is None:
        end = _shift(start, MAX_SPAN)
    if end < start:
        raise Open311Error(400, "end_date is before start_date")
    if end - start > MAX_SPAN:
        raise Open311Error(400, "start_date and end_date may not span more than 90 days")
    issues = issues.where(Issue.created_at.between(start, end))
    codes = _comma_list(values, "service_code")
    if codes:
        issues = issues.where(Category.code.in_(codes))
    if statuses and set(statuses) != {"open", "closed"}:
        closed = Issue.status.in_(sorted(CLOSED))
        issues = issues.where(closed if statuses[0] == "closed" else ~closed)
    return _documents(issues.order_by(Issue.created_at.desc(), Issue.id.desc()).limit(MAX_RESULTS))


def _public():
    return Issue.public(Venue).switch(Issue).join(Venue)


def find_request(raw_id):
    """GET requests/{id}: the one public issue, else Open311Error 404."""
    if not (raw_id.isascii() and raw_id.isdigit() and len(raw_id) <= 10 and int(raw_id) < 2**31):
        raise Open311Error(404, f"service_request_id provided was not found: {raw_id}")
    issues = _public()
    documents = _documents(issues.where(Issue.id == int(raw_id)))
    if not documents:
        raise Open311Error(404, f"service_request_id provided was not found: {raw_id}")
    return documents


def _documents(issues):
    """The request documents of `issues`, with their answers, departments and Open311 fields
    fetched in four queries, whatever their number."""
    issues = list(issues)
    ids = [issue.id for issue in issues]
    leads = {}
    answers = {}
    if ids:
        rows = (
            Assignment.select(Assignment, Department).join(Department)
            .where(Assignment.issue.in_(ids) & (Assignment.role == "lead"))
            .order_by(Assignment.id)
        )
        for row in rows:
            if row.state in ACTIVE_ASSIGNMENT_STATES or row.state == "answered":
                leads[row.issue_id] = row.department
            if row.answer_kind in ("resolved", "explained"):
                answers[row.issue_id] = row.response
    extras = {row.issue_id: row for row in Open311Request.select().where(Open311Request.issue.in_(ids or [0]))}
    firsts = Photo.first_of(ids)
    return [_document(issue, leads.get(issue.id), answers.get(issue.id), extras.get(issue.id), firsts.get(issue.id))
            for issue in issues]


def status_notes(issue, answer):
    """The latest public word on the matter: why it was declined, where it was merged, or the lead
    department's answer."""
    if issue.status == "declined":
        return issue.decline_reason or None
    if issue.status == "merged" and issue.merged_into_id:
        return _("Merged into request %(id)s, which carries it on.", id=issue.merged_into_id)
    return answer or None


def _media_url(photo, extra):
    """The issue's first photo, at the site's public address; else what the request was filed with."""
    if photo is not None:
        return photos.public_url(photo)
    return (extra.media_url or None) if extra else None


def _document(issue, department, answer, extra, photo=None):
    category = issue.category if issue.category_id else None
    venue = issue.venue
    has_point = issue.latitude is not None and issue.longitude is not None
    latitude, longitude = (issue.latitude, issue.longitude) if has_point else (venue.latitude, venue.longitude)
    return {
        "service_request_id": str(issue.id),
        "status": "closed" if issue.status in CLOSED else "open",
        "status_notes": status_notes(issue, answer),
        "service_name": labels.localized(category) if category else None,
        "service_code": category.code if category else None,
        "description": issue.body or None,
        "agency_responsible": labels.localized(department) if department else None,
        "service_notice": None,
        "requested_datetime": w3c(issue.created_at),
        "updated_datetime": w3c(issue.updated_at),
        "expected_datetime": end_of_day(issue.due_on),
        "address": issue.address or ", ".join(filter(None, (venue.address, venue.name))),
        "address_id": (extra.address_id or None) if extra else None,
        "zipcode": (extra.zipcode or None) if extra else None,
        "lat": latitude,
        "long": longitude,
        "media_url": _media_url(photo, extra),
    }


def source_of(issue):
    """The name of the key `issue` was filed with through Open311, or None."""
    row = (
        Open311Request.select(Open311Request, ApiKey).join(ApiKey)
        .where(Open311Request.issue == issue.id).first()
    )
    return row.api_key.name if row is not None else None


# The command line: flask open311 key create NAME / revoke ID / list ----------------------------------

@click.group("open311")
def cli():
    """Open311 GeoReport v2."""


@cli.group("key")
def key_cli():
    """API keys for other civic software."""


@key_cli.command("create")
@click.argument("name")
@click.option("--by", "username", help="The account that records and rates what is filed with the key.")
@with_appcontext
def key_create(name, username):
    """Issue a key named NAME and print it (it is shown only this once)."""
    with db.connection_context():
        holder = None
        if username:
            holder = User.get_or_none(User.username == username)
            if holder is None:
                raise click.ClickException(f"no account {username}")
        key, clear = issue_key(name, holder)
    click.echo(f"{key.id}\t{key.name}\t{clear}")


@key_cli.command("revoke")
@click.argument("key_id", type=int)
@with_appcontext
def key_revoke(key_id):
    """Revoke the key KEY_ID."""
    with db.connection_context():
        key = ApiKey.get_or_none(ApiKey.id == key_id)
        if key is None:
            raise click.ClickException(f"no key {key_id}")
        click.echo("revoked" if revoke_key(key, None) else "already revoked")


@key_cli.command("list")
@with_appcontext
def key_list():
    """List the keys: id, name, state, last used."""
    with db.connection_context():
        for key in keys():
            state = "revoked" if key.revoked_at else "live"
            click.echo(f"{key.id}\t{key.name}\t{state}\t{key.last_used_at or ''}")

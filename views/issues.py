"""Issues: raise one at a venue or record one on behalf of a resident, its page and status badge,
similar issues while typing a title, and the site-wide search."""
from flask import Blueprint, abort, current_app, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from playhouse.flask_utils import get_object_or_404

from domain import accounts, handling, labels, permissions, photos, search, timefmt, workflow
from forms import IssueForm, RecordIssueForm
from models import Issue, Venue
from views import (
    Page,
    agenda,
    answer,
    cached_page,
    conditional,
    get_venue,
    issue_versions,
    kept_for_visitors,
    page_versions,
    polled_by_visitors,
    render,
    require,
    see_other,
    wants_fragment,
)
from views.limits import accepts_photos, limited
from views.thread import thread_context

bp = Blueprint("issues", __name__)

# How often an issue page asks whether its status changed (seconds).
DEFAULT_POLL_SECONDS = 10
FORMS = {"raise": IssueForm, "record": RecordIssueForm}
# Statuses in which the assigning side may route, re-route or escalate an issue.
ROUTABLE = ("accepted", "deliberating", "assigned", "in_progress")
# Venues shown above the issues a search finds, whose name, address or pinyin match.
VENUES_FOUND = 6


@bp.app_template_filter("localized")
def localized_filter(obj):
    return labels.localized(obj)


def _issue_form(slug, kind):
    """The raise (or record-on-behalf) page: GET shows the form, POST raises the issue."""
    venue = get_venue(
        slug, check=permissions.can_raise_issue,
        message=_("This venue is archived. It keeps its history but takes no new issues."),
    )
    if kind == "record":
        require(permissions.can_record_issue(current_user, venue))
    form = FORMS[kind]()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if kind == "record":
            issue = workflow.raise_issue(venue, None, recorded_by=user, photos=form.prepared,
                                         **form.issue_data())
            flash(_("The issue is recorded. It is now on the venue's list."), "success")
        else:
            issue = workflow.raise_issue(venue, user, photos=form.prepared, **form.issue_data())
            flash(_("Thank you. Your issue is raised; you will be told when something happens."),
                  "success")
        return see_other(url_for("issues.show", issue_id=issue.id))
    return render(
        "issues/new.html",
        form=form,
        venue=venue,
        kind=kind,
        # After a failed submit, what looks alike (the only way people without JavaScript see it).
        similar=search.similar(venue, form.title.data or "") if form.is_submitted() else [],
        status=422 if form.is_submitted() else 200,
    )


@bp.route("/v/<slug>/issues/new", methods=["GET", "POST"])
@accepts_photos
@limited("issue")
def new(slug):
    return _issue_form(slug, "raise")


@bp.route("/v/<slug>/issues/record", methods=["GET", "POST"])
@accepts_photos
@limited("issue")
def record(slug):
    return _issue_form(slug, "record")


@bp.post("/v/<slug>/issues/validate")
def validate(slug):
    """Check one field of the form with the very validators a submit uses; answer its fragment."""
    venue = get_venue(slug)
    if not current_user.is_authenticated and wants_fragment():
        # A login page swapped into the field would help no one; the submit will ask to log in.
        abort(403)
    require(current_user.is_authenticated)
    kind = request.args.get("form", "raise")
    if kind not in FORMS:
        abort(400)
    form = FORMS[kind]()
    name = request.args.get("field", "")
    if name not in form or name == "csrf_token":
        abort(400)
    field = form[name]
    inline = getattr(type(form), f"validate_{name}", None)
    field.validate(form, [inline] if inline else [])
    # 200 even with an error: the answer is the field as checked, and htmx swaps only 2xx. Without
    # htmx there is nothing to update in place: back to the form.
    return answer(
        url_for("issues.record" if kind == "record" else "issues.new", slug=slug),
        "issues/_field.html", venue=venue, form=form, kind=kind, name=name,
    )


@bp.get("/v/<slug>/issues/similar")
def similar(slug):
    """Issues at the venue that look like the title being typed (to support one instead)."""
    venue = get_venue(slug)
    title = request.args.get("title", "")[:search.MAX_QUERY_LENGTH]
    return render(
        "issues/similar.html", "issues/_similar.html",
        venue=venue, title=title.strip(), similar=search.similar(venue, title),
    )


@bp.get("/issues/<int:issue_id>")
@kept_for_visitors(issue_versions)
def show(issue_id):
    versions, site = page_versions(issue_versions, issue_id=issue_id)
    return cached_page(lambda: _show(get_object_or_404(Issue.with_venue(), Issue.id == issue_id)),
                       *versions, site=site)


def _show(issue):
    people = issue.people()
    internal, show_author = _reader(issue)
    events = _visible_events(issue, internal)
    handled = handling.summary(issue)
    own_photos, answer_photos = photos.of_issue(issue)
    return render(
        "issues/show.html",
        issue=issue,
        own_photos=own_photos,
        answer_photos=answer_photos,
        change_photos=permissions.signed_in(current_user) and permissions.can_change_photos(current_user, issue),
        # A hidden issue keeps its page (links in notifications still lead somewhere), but only
        # its author and those who moderate the venue see what it says.
        concealed=not permissions.can_see_issue(current_user, issue),
        events=events,
        handled=handled,
        actions=_actions(issue, handled),
        author=people.get(issue.author_id),
        roles=_roles(issue, events),
        recorder=people.get(issue.recorded_by_id),
        show_author=show_author,
        show_contact=bool(issue.reporter_contact) and permissions.can_see_contact(current_user, issue),
        merged_into=issue.merged_target(),
        path=workflow.path(issue, events),
        # A final status cannot change: nothing to poll for.
        poll_seconds=None if issue.status in workflow.FINAL
        else current_app.config.get("STATUS_POLL_SECONDS", DEFAULT_POLL_SECONDS),
        **thread_context(issue),
        **agenda.issue_context(issue),
    )


def _reader(issue):
    """What of the trail this reader may see: (internal entries, the anonymous author's name).
    Internal entries (internal progress notes, co-handling opinions) are for the people involved."""
    if not permissions.signed_in(current_user):
        return _visitor_reader(issue)
    return (permissions.can_see_internal(current_user, issue),
            permissions.can_see_author(current_user, issue))


def _visitor_reader(issue):
    return False, not issue.anonymous


def _visible_events(issue, internal):
    events = list(issue.timeline())
    return events if internal else [
        e for e in events if not (e.data and e.data.get("public") is False)
    ]


def _actions(issue, handled):
    """What the reader may do about the handling, asked of the permission rules: route it, rate
    it, or open their department's item."""
    user = current_user
    if not permissions.signed_in(user):
        return {}
    actions = {}
    if issue.status in ROUTABLE and permissions.can_assign(user, issue):
        actions["route"] = url_for("handling.route", issue_id=issue.id)
    if issue.status in ("resolved", "explained") and permissions.can_rate(user, issue):
        actions["rate"] = url_for("handling.rate", issue_id=issue.id)
    current = _current(handled)
    if current:
        mine = set(handling.departments_of(user))
        actions["mine"] = [(a.department, url_for("handling.item", assignment_id=a.id))
                            for a in current if a.department_id in mine]
    return actions


def _current(handled):
    return [a for a in (handled.lead, *handled.co) if a is not None and a.active]


def _poll_parts(issue, reader):
    """What a poll's validator is made of: the row's counters, what the reader may see, the day."""
    return (*issue.version(), *reader, timefmt.local_date())


def _visitor_poll_parts(issue_id):
    issue = Issue.counters(issue_id)
    return None if issue is None else _poll_parts(issue, _visitor_reader(issue))


@bp.get("/issues/<int:issue_id>/status")
@polled_by_visitors(_visitor_poll_parts)
def status(issue_id):
    """The status badge, for polling: 304 Not Modified while the row is unchanged.

    The row is found by primary key and nothing is rendered when the ETag matches. Plain
    `no-cache` (not private): the badge says nothing that differs between readers.
    """
    issue = Issue.counters(issue_id)
    if issue is None:
        abort(404)
    if not wants_fragment():
        return see_other(url_for("issues.show", issue_id=issue_id))
    reader = _reader(issue)
    return conditional(
        lambda: _poll(issue, *reader), *_poll_parts(issue, reader),
        cache="no-cache, private" if permissions.signed_in(current_user) else "no-cache",
    )


def _roles(issue, events):
    """The role badges of the officials who raised, recorded or acted on `issue` (one query)."""
    return accounts.official_roles(
        [issue.author_id, issue.recorded_by_id, *(e.actor_id for e in events)], issue.venue_id
    )


def _poll(issue, internal, show_author):
    """The badge, and with it (swapped out of band) the step bar, who handles the issue and the
    timeline as this reader sees it. A hidden issue's poll says no more than its badge."""
    if issue.hidden:
        return render_template("issues/_status_poll.html", issue=issue)
    issue = Issue.with_venue().where(Issue.id == issue.id).get()
    events = _visible_events(issue, internal)
    return render_template(
        "issues/_status_poll.html", issue=issue, path=workflow.path(issue, events),
        handled=handling.summary(issue), events=events, show_author=show_author, refresh=True,
        answer_photos=photos.of_issue(issue)[1],
        roles=_roles(issue, events),
    )


@bp.get("/search", endpoint="search")
def search_page():
    """Issues across every venue matching the words typed, best first."""
    q = request.args.get("q", "").strip()[:search.MAX_QUERY_LENGTH]
    results = search.find(Issue.everywhere(), q) if q else None
    page = Page(results)
    return render(
        "issues/search.html", "issues/_search_results.html",
        q=q, listing=page, searchable=results is not None, results=results,
        venues=list(Venue.search(q).limit(VENUES_FOUND)) if q else [],
        page_url=lambda number: url_for("issues.search", q=q, page=number if number > 1 else None),
    )

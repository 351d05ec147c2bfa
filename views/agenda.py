"""Meetings (议事会), agenda items and their votes, outcomes (决议), and the feeds of both."""
import hashlib
from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, make_response, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from playhouse.flask_utils import PaginatedQuery, get_object_or_404

from domain import deliberation, feeds, labels, memberships, permissions, voting
from forms import CloseForm, ItemForm, MeetingForm, MinutesForm, OutcomeForm, VoteForm, WindowForm
from models import AgendaItem, Department, Issue, Meeting, Venue
from views import render, require, see_other, wants_fragment

bp = Blueprint("agenda", __name__)


def _refusal(reason):
    messages = {
        "closed": _("Voting on this item has closed. Your vote was not counted."),
        "not_open": _("Voting on this item is not open yet. Your vote was not counted."),
        "not_eligible": _("You cannot vote on this item. See below how to take part."),
        "bad_choice": _("Please choose yes, no or abstain."),
    }
    return messages.get(reason, messages["closed"])


def _venue(slug):
    return get_object_or_404(Venue.select(), Venue.slug == slug)


def _meeting(meeting_id):
    return get_object_or_404(Meeting.select(Meeting, Venue).join(Venue), Meeting.id == meeting_id)


def _item(item_id):
    item = deliberation.load_item(item_id)
    if item is None:
        abort(404)
    return item


def _moderate(venue):
    require(permissions.can_moderate(current_user, venue))


def _poll_seconds():
    return current_app.config.get("TALLY_POLL_SECONDS", 5)


# The venue page and the issue page include these (see templates/agenda/_venue_panel.html and
# templates/agenda/_issue_agenda.html).

def venue_context(venue):
    """What templates/agenda/_venue_panel.html needs on the venue page."""
    upcoming, past = deliberation.upcoming_and_past(venue, limit=5)
    moderator = permissions.can_moderate(current_user, venue)
    eligible, membership = deliberation.eligibility(current_user, venue)
    context = {
        "agenda_upcoming": upcoming,
        "agenda_past": past,
        "agenda_moderator": moderator,
        "agenda_eligibility": eligible,
        "agenda_membership": membership,
        "agenda_outcomes": list(deliberation.outcomes(venue).limit(3)),
        "agenda_voting": deliberation.voting_now(venue),
    }
    if moderator:
        context["agenda_pending_requests"] = memberships.pending_requests(venue).count()
        context["agenda_new_issues"] = (
            Issue.select().where((Issue.venue == venue) & (Issue.status == "submitted")).count()
        )
    return context


def issue_context(issue):
    """What templates/agenda/_issue_agenda.html needs on the issue page."""
    items = deliberation.items_of_issue(issue)
    now = deliberation.clock()
    moderator = permissions.can_moderate(current_user, issue.venue)
    context = {
        "agenda_items": [(item, deliberation.badge(item, now)) for item in items],
        "agenda_badge": deliberation.badge(items[-1], now) if items else None,
        "agenda_moderator": moderator,
        "agenda_meetings": [],
    }
    if moderator and issue.status == "accepted":
        context["agenda_meetings"], _past = deliberation.upcoming_and_past(issue.venue, limit=10)
        context["agenda_meetings"] = [m for m in context["agenda_meetings"] if not m.cancelled]
    return context


# Meetings -----------------------------------------------------------------------------------

@bp.get("/v/<slug>/meetings")
def venue_meetings(slug):
    venue = _venue(slug)
    upcoming, past = deliberation.upcoming_and_past(venue)
    return render(
        "agenda/meetings.html", venue=venue, agenda_upcoming=upcoming, agenda_past=past,
        agenda_moderator=permissions.can_moderate(current_user, venue),
    )


@bp.route("/v/<slug>/meetings/new", methods=["GET", "POST"])
def new_meeting(slug):
    venue = _venue(slug)
    _moderate(venue)
    form = MeetingForm()
    if request.method == "GET":
        form.place.data = venue.address
    if form.validate_on_submit():
        meeting = deliberation.schedule(
            venue, current_user,
            **{name: getattr(form, name).data for name in deliberation.MEETING_FIELDS},
        )
        flash(_("The meeting is scheduled."), "success")
        return see_other(url_for("agenda.meeting", meeting_id=meeting.id))
    return render(
        "agenda/meeting_form.html", form=form, venue=venue, meeting=None,
        status=422 if form.is_submitted() else 200,
    )


@bp.get("/meetings/<int:meeting_id>")
def meeting(meeting_id):
    meeting = _meeting(meeting_id)
    now = deliberation.clock()
    items = [deliberation.settle(item, now) for item in meeting.items.order_by(AgendaItem.position)]
    return render(
        "agenda/meeting.html", meeting=meeting, venue=meeting.venue,
        items=[(item, deliberation.badge(item, now)) for item in items],
        moderator=permissions.can_moderate(current_user, meeting.venue),
    )


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
def edit_meeting(meeting_id):
    meeting = _meeting(meeting_id)
    _moderate(meeting.venue)
    form = MeetingForm(obj=meeting)
    if form.validate_on_submit():
        fields = {name: getattr(form, name).data for name in deliberation.MEETING_FIELDS}
        deliberation.update_meeting(meeting, cancelled=form.cancelled.data, **fields)
        flash(_("The meeting is saved."), "success")
        return see_other(url_for("agenda.meeting", meeting_id=meeting.id))
    return render(
        "agenda/meeting_form.html", form=form, venue=meeting.venue, meeting=meeting,
        status=422 if form.is_submitted() else 200,
    )


@bp.route("/meetings/<int:meeting_id>/minutes", methods=["GET", "POST"])
def minutes(meeting_id):
    meeting = _meeting(meeting_id)
    _moderate(meeting.venue)
    form = MinutesForm(obj=meeting)
    if form.validate_on_submit():
        deliberation.update_meeting(meeting, minutes=form.minutes.data)
        flash(_("The minutes are saved."), "success")
        return see_other(url_for("agenda.meeting", meeting_id=meeting.id))
    return render(
        "agenda/minutes_form.html", form=form, meeting=meeting, venue=meeting.venue,
        status=422 if form.is_submitted() else 200,
    )


# Agenda items -------------------------------------------------------------------------------

def _agenda_issues(venue):
    """Issues of the venue a councillor may put on an agenda: accepted ones, newest first."""
    return list(
        Issue.select(Issue.id, Issue.title)
        .where((Issue.venue == venue) & (Issue.status == "accepted") & ~Issue.hidden)
        .order_by(Issue.created_at.desc())
        .limit(200)
    )


@bp.route("/meetings/<int:meeting_id>/items/new", methods=["GET", "POST"])
def new_item(meeting_id):
    meeting = _meeting(meeting_id)
    _moderate(meeting.venue)
    issues = _agenda_issues(meeting.venue)
    form = ItemForm(issues=issues)
    if request.method == "GET":
        wanted = request.args.get("issue", type=int)
        form.issue.data = wanted if wanted in {i.id for i in issues} else 0
    if form.validate_on_submit():
        issue = Issue.get_by_id(form.issue.data) if form.issue.data else None
        item = deliberation.add_item(
            meeting, current_user, title=form.title.data or issue.title, body=form.body.data,
            issue=issue, rule=form.rule.data, quorum_kind=form.quorum_kind.data,
            quorum_value=form.quorum_value.data,
        )
        flash(_("The item is on the agenda. Set its voting window to open the vote."), "success")
        return see_other(url_for("agenda.item", item_id=item.id))
    return render(
        "agenda/item_form.html", form=form, meeting=meeting, venue=meeting.venue, item=None,
        status=422 if form.is_submitted() else 200,
    )


@bp.route("/items/<int:item_id>/edit", methods=["GET", "POST"])
def edit_item(item_id):
    item = _item(item_id)
    venue = item.meeting.venue
    _moderate(venue)
    form = ItemForm(obj=item)
    del form.issue  # where an item came from does not change
    if form.validate_on_submit():
        try:
            deliberation.update_item(
                item, form.title.data or item.title, form.body.data, form.rule.data,
                form.quorum_kind.data, form.quorum_value.data,
            )
        except deliberation.VotingError:
            flash(_("Voting has opened: the item can no longer be changed."), "error")
        else:
            flash(_("The item is saved."), "success")
        return see_other(url_for("agenda.item", item_id=item.id))
    return render(
        "agenda/item_form.html", form=form, meeting=item.meeting, venue=venue, item=item,
        status=422 if form.is_submitted() else 200,
    )


@bp.post("/items/<int:item_id>/remove")
def remove_item(item_id):
    item = _item(item_id)
    _moderate(item.meeting.venue)
    try:
        deliberation.remove_item(item, current_user)
    except deliberation.VotingError:
        flash(_("Voting has opened: the item can no longer be taken off the agenda."), "error")
        return see_other(url_for("agenda.item", item_id=item.id))
    flash(_("The item is taken off the agenda."), "success")
    return see_other(url_for("agenda.meeting", meeting_id=item.meeting_id))


def item_context(item, **extra):
    """Everything the item page and its fragments show."""
    venue = item.meeting.venue
    now = deliberation.clock()
    state = deliberation.state(item, now)
    eligibility, membership = deliberation.eligibility(current_user, venue)
    moderator = permissions.can_moderate(current_user, venue)
    context = {
        "item": item,
        "meeting": item.meeting,
        "venue": venue,
        "issue": Issue.get_or_none(Issue.id == item.issue_id) if item.issue_id else None,
        "state": state,
        "badge": voting.badge(state, item.result),
        "tally": deliberation.tally(item),
        "needed": deliberation.quorum(item, venue),
        "own": deliberation.own_choice(item, current_user),
        "eligibility": eligibility,
        "membership": membership,
        "moderator": moderator,
        "poll_seconds": _poll_seconds(),
        "vote_form": VoteForm(formdata=None),
        "message": None,
        "now": now,
    }
    if moderator:
        context["window_form"] = WindowForm(formdata=None)
        context["close_form"] = CloseForm(formdata=None)
    context.update(extra)
    return context


@bp.get("/items/<int:item_id>")
def item(item_id):
    return render("agenda/item.html", **item_context(_item(item_id)))


WINDOW_STATES = (voting.DRAFT, voting.SCHEDULED, voting.OPEN, voting.CLOSED)


def _tally_etag(item, seen):
    state = deliberation.state(item)
    user_id = current_user.get_id() if current_user.is_authenticated else "-"
    key = "|".join(
        str(v) for v in (
            item.id, item.yes_count, item.no_count, item.abstain_count, item.result, item.opens_at,
            item.closes_at, item.updated_at, state, seen, user_id, get_locale(), wants_fragment(),
        )
    )
    return hashlib.sha1(key.encode()).hexdigest()[:20]


@bp.get("/items/<int:item_id>/tally")
def tally(item_id):
    """The live tally, polled by the item page: 304 when nothing changed since the last poll.

    `seen` is the window state the page last showed; when the state moves on (the vote opened
    or closed), the answer also swaps the vote panel and the badges out of band.
    """
    item = _item(item_id)
    seen = request.args.get("seen", "")
    etag = _tally_etag(item, seen)
    if request.if_none_match.contains_weak(etag):
        response = make_response("", 304)
    else:
        context = item_context(item)
        context["changed"] = seen in WINDOW_STATES and seen != context["state"]
        body, status = render("agenda/item.html", "agenda/_tally.html", **context)
        response = make_response(body, status)
    response.set_etag(etag, weak=True)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.post("/items/<int:item_id>/vote")
def vote(item_id):
    item = _item(item_id)
    if not current_user.is_authenticated:
        # Back to the item after logging in, not to this POST-only address.
        return see_other(url_for("auth.login", next=url_for("agenda.item", item_id=item.id)))
    form = VoteForm()
    if not form.validate_on_submit():
        reason = "bad_choice"
    else:
        try:
            deliberation.cast(item, current_user, form.choice.data)
        except deliberation.VotingError as exc:
            reason = exc.reason
        else:
            reason = None
    fresh = _item(item_id)
    if reason is None:
        message = _("Your vote is counted: %(choice)s. You can change it until voting closes.",
                    choice=labels.label("vote_choice", form.choice.data))
        if wants_fragment():
            return render("agenda/item.html", "agenda/_vote_response.html",
                          **item_context(fresh, notice=message))
        flash(message, "success")
        return see_other(url_for("agenda.item", item_id=item.id))
    # A refused ballot: say why, clearly, where the vote buttons were.
    context = item_context(fresh, message=_refusal(reason))
    if wants_fragment():
        return render("agenda/item.html", "agenda/_vote_response.html", **context)
    status = 409 if reason in ("closed", "not_open") else 403 if reason == "not_eligible" else 422
    return render("agenda/item.html", status=status, **context)


@bp.post("/items/<int:item_id>/window")
def window(item_id):
    item = _item(item_id)
    _moderate(item.meeting.venue)
    form = WindowForm()
    if form.validate_on_submit():
        opens = form.opens_at.data or deliberation.clock()
        try:
            deliberation.set_window(item, current_user, opens, form.closes_at.data)
        except deliberation.VotingError:
            flash(_("Voting has opened already: its window can no longer be changed."), "error")
        else:
            if deliberation.state(item) == voting.OPEN:
                flash(_("Voting is open."), "success")
            else:
                flash(_("Voting is scheduled."), "success")
        return see_other(url_for("agenda.item", item_id=item.id))
    return render("agenda/item.html", status=422, **item_context(item, window_form=form))


@bp.post("/items/<int:item_id>/close")
def close(item_id):
    item = _item(item_id)
    _moderate(item.meeting.venue)
    form = CloseForm()
    if form.validate_on_submit():
        try:
            deliberation.close_early(item, current_user, form.reason.data)
        except deliberation.VotingError:
            flash(_("This vote is not open, so it cannot be closed."), "error")
        else:
            flash(_("Voting is closed and the result is fixed."), "success")
        return see_other(url_for("agenda.item", item_id=item.id))
    return render("agenda/item.html", status=422, **item_context(item, close_form=form))


@bp.route("/items/<int:item_id>/outcome", methods=["GET", "POST"])
def outcome(item_id):
    item = _item(item_id)
    venue = item.meeting.venue
    _moderate(venue)
    if not item.result:
        flash(_("The outcome can be written once voting has closed."), "error")
        return see_other(url_for("agenda.item", item_id=item.id))
    if item.outcome_published_at:
        flash(_("The outcome is already published."), "info")
        return see_other(url_for("agenda.item", item_id=item.id))
    issue = Issue.get_or_none(Issue.id == item.issue_id) if item.issue_id else None
    steps = deliberation.NEXT_STEPS[item.result] if issue and issue.status == "deliberating" else ()
    departments = (
        Department.select().where(~Department.archived).order_by(Department.level, Department.name)
        if "assigned" in steps else []
    )
    form = OutcomeForm(steps=steps, departments=departments)
    if request.method == "GET" and steps:
        form.next_status.data = steps[0] if len(steps) == 1 else None
        if "due_on" in form and issue.category_id and issue.category.time_limit_days:
            form.due_on.data = (deliberation.clock() + timedelta(days=issue.category.time_limit_days)).date()
    if form.validate_on_submit():
        assigning = "department" in form and form.department.data
        department = Department.get_or_none(Department.id == form.department.data) if assigning else None
        try:
            deliberation.publish_outcome(
                item, current_user, form.outcome.data, next_status=form.next_status.data or None,
                department=department, due_on=form.due_on.data if assigning else None,
            )
        except deliberation.OutcomeError:
            flash(_("The outcome could not be published. Please check the item and try again."), "error")
            return see_other(url_for("agenda.item", item_id=item.id))
        flash(_("The outcome is published."), "success")
        return see_other(url_for("agenda.item", item_id=item.id))
    return render(
        "agenda/outcome_form.html", form=form, item=item, venue=venue, meeting=item.meeting,
        issue=issue, tally=deliberation.tally(item), status=422 if form.is_submitted() else 200,
    )


# Outcomes and feeds -------------------------------------------------------------------------

def _outcome_page(venue):
    return PaginatedQuery(deliberation.outcomes(venue), current_app.config["PAGE_SIZE"], check_bounds=False)


@bp.get("/outcomes")
def outcomes():
    pages = _outcome_page(None)
    return render("agenda/outcomes.html", venue=None, pages=pages, outcomes=list(pages.get_object_list()))


@bp.get("/v/<slug>/outcomes")
def venue_outcomes(slug):
    venue = _venue(slug)
    pages = _outcome_page(venue)
    return render("agenda/outcomes.html", venue=venue, pages=pages, outcomes=list(pages.get_object_list()))


def _atom(venue):
    items = list(deliberation.outcomes(venue).limit(50))
    host = current_app.config["FEED_AUTHORITY"]
    site = current_app.config["SITE_NAME"] or _("Yishi")
    if venue is None:
        title = _("Outcomes · %(site)s", site=site)
        html_url = url_for("agenda.outcomes", _external=True)
        self_url = url_for("agenda.outcomes_atom", _external=True)
        feed_id = feeds.tag_uri(host, "outcomes")
    else:
        title = _("Outcomes of %(venue)s", venue=venue.name)
        html_url = url_for("agenda.venue_outcomes", slug=venue.slug, _external=True)
        self_url = url_for("agenda.venue_outcomes_atom", slug=venue.slug, _external=True)
        feed_id = feeds.tag_uri(host, "outcomes", venue.id)
    entries = []
    for item in items:
        summary = _("%(result)s · yes %(yes)d, no %(no)d, abstain %(abstain)d · %(venue)s",
                    result=labels.label("vote_result", item.result), yes=item.yes_count,
                    no=item.no_count, abstain=item.abstain_count, venue=item.meeting.venue.name)
        entries.append({
            "id": feeds.tag_uri(host, "outcome", item.id),
            "title": item.title,
            "url": url_for("agenda.item", item_id=item.id, _external=True),
            "published": item.outcome_published_at,
            "updated": item.outcome_published_at,
            "author": item.meeting.venue.name,
            "category": labels.label("vote_result", item.result),
            "summary": summary,
            "content": f"{summary}\n\n{item.outcome}",
        })
    updated = items[0].outcome_published_at if items else (venue.created_at if venue else deliberation.clock())
    body = feeds.atom(
        {"id": feed_id, "title": title, "updated": updated, "self_url": self_url,
         "html_url": html_url, "author": site},
        entries, lang=str(get_locale()).replace("_", "-"),
    )
    response = make_response(body)
    response.headers["Content-Type"] = "application/atom+xml; charset=utf-8"
    return _conditional(response)


def _conditional(response):
    """Feed readers poll: answer 304 when the feed is the same as the one they have."""
    response.add_etag()
    response.headers["Cache-Control"] = "no-cache"
    return response.make_conditional(request)


@bp.get("/outcomes.atom")
def outcomes_atom():
    return _atom(None)


@bp.get("/v/<slug>/outcomes.atom")
def venue_outcomes_atom(slug):
    return _atom(_venue(slug))


def _ical(venue):
    since = deliberation.clock() - timedelta(days=180)
    query = (
        Meeting.select(Meeting, Venue).join(Venue)
        .where(Meeting.starts_at >= since).order_by(Meeting.starts_at).limit(500)
    )
    if venue is not None:
        query = query.where(Meeting.venue == venue)
        name = _("Meetings of %(venue)s", venue=venue.name)
    else:
        name = _("Meetings · %(site)s", site=current_app.config["SITE_NAME"] or _("Yishi"))
    host = current_app.config["FEED_AUTHORITY"]
    events = []
    for meeting in query:
        url = url_for("agenda.meeting", meeting_id=meeting.id, _external=True)
        kind = labels.label("meeting_kind", meeting.kind)
        description = "\n\n".join(part for part in (str(kind), meeting.description, url) if part)
        events.append({
            "uid": f"meeting-{meeting.id}@{host}",
            "start": meeting.starts_at,
            "end": meeting.ends_at,
            "stamp": meeting.updated_at,
            "created": meeting.created_at,
            "modified": meeting.updated_at,
            "summary": meeting.title if venue is not None else f"{meeting.title} · {meeting.venue.name}",
            "location": meeting.place or meeting.venue.address or meeting.venue.name,
            "description": description,
            "url": url,
            "cancelled": meeting.cancelled,
        })
    body = feeds.calendar(name, events, tzid=current_app.config["TIMEZONE"])
    response = make_response(body)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = 'inline; filename="meetings.ics"'
    return _conditional(response)


@bp.get("/meetings.ics")
def meetings_ics():
    return _ical(None)


@bp.get("/v/<slug>/meetings.ics")
def venue_meetings_ics(slug):
    return _ical(_venue(slug))


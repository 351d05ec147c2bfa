"""Meetings (议事会), agenda items and their votes, outcomes (决议), and the feeds of both."""
from datetime import timedelta

from flask import Blueprint, current_app, flash, make_response, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from domain import accounts, deliberation, feeds, labels, memberships, permissions, voting, workflow
from domain.permissions import can_manage_item, can_manage_meeting, can_schedule_meeting
from forms import CloseForm, ItemForm, MeetingForm, MinutesForm, OutcomeForm, VoteForm, WindowForm
from models import Department, Issue
from views import (
    Page,
    answer,
    cached_page,
    conditional,
    every_venue_versions,
    get_item,
    get_meeting,
    get_venue,
    kept_for_visitors,
    page_versions,
    personal_page,
    render,
    see_other,
    site_name,
    venue_versions,
    wants_fragment,
)
from views.limits import limited

bp = Blueprint("agenda", __name__)

# What templates ask about meetings, items, votes, members and triage: the permission functions
# themselves, so a page shows a button exactly when its route would allow the act.
PERMISSIONS = (
    "can_manage_item", "can_manage_meeting", "can_manage_members", "can_schedule_meeting",
    "can_triage", "can_verify",
)


@bp.app_context_processor
def deliberation_permissions():
    return {name: getattr(permissions, name) for name in PERMISSIONS}


def _refusal(reason):
    messages = {
        "closed": _("Voting on this item has closed. Your vote was not counted."),
        "not_open": _("Voting on this item is not open yet. Your vote was not counted."),
        "not_eligible": _("You cannot vote on this item. See below how to take part."),
        "bad_choice": _("Please choose yes, no or abstain."),
    }
    return messages.get(reason, messages["closed"])


def _poll_seconds():
    return current_app.config.get("TALLY_POLL_SECONDS", 5)


# The venue page and the issue page include these (see templates/agenda/_venue_panel.html and
# templates/agenda/_issue_agenda.html).

def venue_context(venue):
    """What the venue page shows of its deliberation: the votes open now and the next meetings (one
    statement), the latest outcomes (one), whether the reader may vote, and the councillors' counts."""
    voting, upcoming, concealed = deliberation.next_and_voting(venue, current_user)
    eligible, membership = permissions.voting_eligibility(current_user, venue)
    context = {
        "agenda_upcoming": upcoming,
        "agenda_eligibility": eligible,
        "agenda_membership": membership,
        "agenda_outcomes": list(deliberation.outcomes(venue).limit(3)),
        "agenda_voting": voting,
        "agenda_concealed": concealed,
    }
    if permissions.can_manage_members(current_user, venue):
        personal_page()  # the counts move without the venue's revision
        context["agenda_pending_requests"] = memberships.pending_requests(venue).count()
        context["agenda_new_issues"] = workflow.triage_queue(venue).count()
    return context


def issue_context(issue):
    """What templates/agenda/_issue_agenda.html needs on the issue page."""
    items = deliberation.items_of_issue(issue)
    now = deliberation.clock()
    context = {
        "agenda_items": [(item, deliberation.badge(item, now)) for item in items],
        "agenda_badge": deliberation.badge(items[-1], now) if items else None,
        "agenda_meetings": [],
    }
    if issue.status == "accepted" and can_schedule_meeting(current_user, issue.venue):
        upcoming, _past = deliberation.upcoming_and_past(issue.venue, limit=10)
        context["agenda_meetings"] = [m for m in upcoming if not m.cancelled]
    return context


# Meetings -----------------------------------------------------------------------------------

@bp.get("/v/<slug>/meetings")
def venue_meetings(slug):
    venue = get_venue(slug)
    upcoming, past = deliberation.upcoming_and_past(venue)
    return render("agenda/meetings.html", venue=venue, agenda_upcoming=upcoming, agenda_past=past)


@bp.route("/v/<slug>/meetings/new", methods=["GET", "POST"])
def new_meeting(slug):
    venue = get_venue(slug, check=can_schedule_meeting)
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
    meeting = get_meeting(meeting_id)
    now = deliberation.clock()
    items = [deliberation.settle(item, now) for item in meeting.agenda()]
    return render(
        "agenda/meeting.html", meeting=meeting, venue=meeting.venue,
        items=[(item, deliberation.badge(item, now)) for item in items],
        concealed=deliberation.concealed(items, current_user, meeting.venue_id),
    )


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
def edit_meeting(meeting_id):
    meeting = get_meeting(meeting_id, check=can_manage_meeting)
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
    meeting = get_meeting(meeting_id, check=can_manage_meeting)
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

@bp.route("/meetings/<int:meeting_id>/items/new", methods=["GET", "POST"])
def new_item(meeting_id):
    meeting = get_meeting(meeting_id, check=can_manage_meeting)
    issues = deliberation.agenda_candidates(meeting.venue)
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
    item = get_item(item_id, check=can_manage_item)
    venue = item.meeting.venue
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
    item = get_item(item_id, check=can_manage_item)
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
    open_to_all = permissions.item_open_to_all(item)
    eligibility, membership = permissions.voting_eligibility(current_user, venue, open_to_all)
    shown, turnout = deliberation.public_tally(item, now)
    issue = deliberation.issue_of(item)
    context = {
        "item": item,
        "meeting": item.meeting,
        "venue": venue,
        # An issue hidden by moderation is not named to those who may not see it, nor is the item
        # made from it.
        "issue": issue if issue is None or permissions.can_see_issue(current_user, issue) else None,
        "concealed": issue is not None and not permissions.can_see_issue(current_user, issue),
        "outcome_roles": accounts.official_roles([item.outcome_by_id], venue.id).get(item.outcome_by_id, ())
        if item.outcome_published_at else (),
        "state": state,
        "badge": deliberation.badge(item, now),
        "shown": shown,
        "turnout": turnout,
        "open_to_all": venue.voting_open_to_all if open_to_all is None else open_to_all,
        "needed": deliberation.quorum(item, venue),
        "own": deliberation.own_choice(item, current_user) if state == voting.OPEN else None,
        "took_part": state == voting.CLOSED and deliberation.took_part(item, current_user),
        "eligibility": eligibility,
        "membership": membership,
        "poll_seconds": _poll_seconds(),
        "vote_form": VoteForm(formdata=None),
        "window_form": WindowForm(formdata=None),
        "close_form": CloseForm(formdata=None),
        "message": None,
        "now": now,
    }
    context.update(extra)
    return context


@bp.get("/items/<int:item_id>")
def item(item_id):
    return render("agenda/item.html", **item_context(get_item(item_id)))


WINDOW_STATES = (voting.DRAFT, voting.SCHEDULED, voting.OPEN, voting.CLOSED)


@bp.get("/items/<int:item_id>/tally")
def tally(item_id):
    """The live tally, polled by the item page: 304 when nothing changed since the last poll.

    `seen` is the window state the page last showed; when the state moves on (the vote opened
    or closed), the answer also swaps the vote panel and the badges out of band. The validator
    is made of what the answer shows, so while a secret vote is open a changed ballot (same
    turnout) changes nothing a watcher can see, not even the ETag.
    """
    item = get_item(item_id)
    seen = request.args.get("seen", "")

    def build():
        context = item_context(item)
        context["changed"] = seen in WINDOW_STATES and seen != context["state"]
        return render("agenda/item.html", "agenda/_tally.html", **context)

    shown, turnout = deliberation.public_tally(item)
    return conditional(
        build, item.id, tuple(shown) if shown else None, turnout, item.result, item.opens_at,
        item.closes_at, item.live_count, item.open_poll, deliberation.state(item), seen,
        current_user.get_id(),
    )


# How a refused ballot answers a plain form post.
REFUSAL_STATUS = {"closed": 409, "not_open": 409, "not_eligible": 403}


@bp.post("/items/<int:item_id>/vote")
@limited("vote")
def vote(item_id):
    item = get_item(item_id)
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
    fresh = get_item(item_id)
    if reason is None:
        message = _("Your vote is counted: %(choice)s. You can change it until voting closes.",
                    choice=labels.label("vote_choice", form.choice.data))
        return answer(url_for("agenda.item", item_id=item.id), "agenda/_vote_response.html",
                      flash_message=message, **item_context(fresh, notice=message))
    # A refused ballot: say why, clearly, where the vote buttons were. htmx swaps only 2xx and 422
    # answers, so there the refusal is a 200 that replaces the buttons.
    status = 200 if wants_fragment() else REFUSAL_STATUS.get(reason, 422)
    return render("agenda/item.html", "agenda/_vote_response.html", status=status,
                  **item_context(fresh, message=_refusal(reason)))


@bp.post("/items/<int:item_id>/window")
def window(item_id):
    item = get_item(item_id, check=can_manage_item)
    form = WindowForm()
    if form.validate_on_submit():
        opens = form.opens_at.data or deliberation.clock()
        try:
            deliberation.set_window(item, current_user, opens, form.closes_at.data,
                                    live_count=form.live_count.data)
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
    item = get_item(item_id, check=can_manage_item)
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
    item = get_item(item_id, check=can_manage_item)
    venue = item.meeting.venue
    if not item.result:
        flash(_("The outcome can be written once voting has closed."), "error")
        return see_other(url_for("agenda.item", item_id=item.id))
    if item.outcome_published_at:
        flash(_("The outcome is already published."), "info")
        return see_other(url_for("agenda.item", item_id=item.id))
    issue = deliberation.issue_of(item)
    steps = deliberation.NEXT_STEPS[item.result] if issue and issue.status == "deliberating" else ()
    departments = deliberation.departments_for_assignment() if "assigned" in steps else []
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

@bp.get("/outcomes")
@kept_for_visitors(every_venue_versions)
def outcomes():
    # Every venue's agenda items move its revision (migration 0020), so all of them version this.
    versions, site = page_versions(every_venue_versions)
    return cached_page(
        lambda: render("agenda/outcomes.html", venue=None, listing=Page(deliberation.outcomes(None))),
        *versions, site=site,
    )


@bp.get("/v/<slug>/outcomes")
@kept_for_visitors(venue_versions)
def venue_outcomes(slug):
    versions, site = page_versions(venue_versions, slug=slug)

    def build():
        venue = get_venue(slug)
        return render("agenda/outcomes.html", venue=venue, listing=Page(deliberation.outcomes(venue)))

    return cached_page(build, *versions, site=site)


def _atom(venue):
    return conditional(lambda: _atom_body(venue))


def _atom_body(venue):
    items = list(deliberation.outcomes(venue).limit(50))
    host = current_app.config["FEED_AUTHORITY"]
    site = site_name()
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
        # An open poll is labelled so in the feed too, never read as a residents' decision.
        result = labels.label("poll_result" if item.open_poll else "vote_result", item.result)
        summary = _("%(result)s · yes %(yes)d, no %(no)d, abstain %(abstain)d · %(venue)s",
                    result=result, yes=item.yes_count,
                    no=item.no_count, abstain=item.abstain_count, venue=item.meeting.venue.name)
        entries.append({
            "id": feeds.tag_uri(host, "outcome", item.id),
            "title": item.title,
            "url": url_for("agenda.item", item_id=item.id, _external=True),
            "published": item.outcome_published_at,
            "updated": item.outcome_published_at,
            "author": item.meeting.venue.name,
            "category": result,
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
    return response


@bp.get("/outcomes.atom")
def outcomes_atom():
    return _atom(None)


@bp.get("/v/<slug>/outcomes.atom")
def venue_outcomes_atom(slug):
    return _atom(get_venue(slug))


def _ical(venue):
    return conditional(lambda: _ical_body(venue))


def _ical_body(venue):
    if venue is not None:
        name = _("Meetings of %(venue)s", venue=venue.name)
    else:
        name = _("Meetings · %(site)s", site=site_name())
    host = current_app.config["FEED_AUTHORITY"]
    events = []
    for meeting in deliberation.calendar(venue):
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
    return response


@bp.get("/meetings.ics")
def meetings_ics():
    return _ical(None)


@bp.get("/v/<slug>/meetings.ics")
def venue_meetings_ics(slug):
    return _ical(get_venue(slug))


"""Triage (受理): councillors take new issues up, decline them with a reason, or merge duplicates."""
from flask import Blueprint, url_for
from flask_babel import gettext as _
from flask_login import current_user

from domain import workflow
from domain.labels import label
from domain.permissions import can_moderate, can_triage
from forms import DeclineForm, MergeForm
from models import Issue
from views import answer, get_issue, get_venue, render, safe_next

bp = Blueprint("triage", __name__)

# How many possible merge targets the form offers: the venue's latest open issues.
MERGE_CHOICES = 100


@bp.get("/v/<slug>/triage")
def queue(slug):
    venue = get_venue(slug, check=can_moderate)
    return render("triage/queue.html", venue=venue, issues=list(workflow.triage_queue(venue)))


def _page(issue, decline_form=None, merge_form=None, status=200):
    targets = list(workflow.merge_targets(issue).limit(MERGE_CHOICES))
    return render(
        "triage/issue.html", issue=issue, venue=issue.venue,
        decline_form=decline_form or DeclineForm(formdata=None),
        merge_form=merge_form or MergeForm(formdata=None, targets=targets),
        status=status,
    )


@bp.get("/triage/<int:issue_id>")
def show(issue_id):
    return _page(get_issue(issue_id, check=can_triage))


def _done(issue, message):
    """After a triage step: the new badge for htmx, or back to where the councillor came from."""
    return answer(safe_next(url_for("triage.queue", slug=issue.venue.slug)), "triage/_done.html",
                  flash_message=message, issue=issue, message=message)


def _not_new(issue):
    message = _("This issue is no longer new (it is %(status)s), so it cannot be triaged.",
                status=label("issue_status", issue.status))
    return answer(url_for("issues.show", issue_id=issue.id), "triage/_done.html",
                  flash_message=message, category="error", issue=issue, message=message)


def _step(issue, act, message):
    """Take a triage step (`act`), or say that the issue is no longer new."""
    try:
        act()
    except workflow.TransitionError:
        return _not_new(issue)
    return _done(issue, message)


@bp.post("/triage/<int:issue_id>/accept")
def accept(issue_id):
    issue = get_issue(issue_id, check=can_triage)
    return _step(issue, lambda: workflow.accept(issue, current_user),
                 _("Accepted: “%(title)s”.", title=issue.title))


@bp.post("/triage/<int:issue_id>/decline")
def decline(issue_id):
    issue = get_issue(issue_id, check=can_triage)
    form = DeclineForm()
    if not form.validate_on_submit():
        return _page(issue, decline_form=form, status=422)
    return _step(issue, lambda: workflow.decline(issue, current_user, form.reason.data),
                 _("Declined: “%(title)s”. The reason is shown on the issue.", title=issue.title))


@bp.post("/triage/<int:issue_id>/merge")
def merge(issue_id):
    issue = get_issue(issue_id, check=can_triage)
    form = MergeForm(targets=list(workflow.merge_targets(issue).limit(MERGE_CHOICES)))
    if not form.validate_on_submit():
        return _page(issue, merge_form=form, status=422)
    target = Issue.get_by_id(form.target.data)
    return _step(issue, lambda: workflow.merge(issue, target, current_user),
                 _("Merged into #%(id)d “%(title)s”.", id=target.id, title=target.title))

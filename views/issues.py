"""An issue's page: what was raised, where it stands, and its timeline."""
from flask import Blueprint
from peewee import JOIN
from playhouse.flask_utils import get_object_or_404

import workflow
from models import Event, Issue, User, Venue
from views import render
from views.discussion import thread_context

bp = Blueprint("issues", __name__)


@bp.get("/issues/<int:issue_id>")
def show(issue_id):
    issue = get_object_or_404(Issue.select(Issue, Venue).join(Venue), Issue.id == issue_id)
    events = list(
        Event.select(Event, User)
        .join(User, join_type=JOIN.LEFT_OUTER, on=(Event.actor == User.id))
        .where(Event.issue == issue)
        .order_by(Event.id)
    )
    return render(
        "issues/show.html",
        issue=issue,
        events=events,
        steps=workflow.STEPS,
        step=workflow.step_index(issue.status),
        **thread_context(issue),
    )

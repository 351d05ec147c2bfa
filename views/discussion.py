"""The discussion under an issue: comments and replies, supports and follows, reports of abusive
content and their review by councillors, and each user's notifications.

Every route works as a plain form post (303 to the page) and, for htmx, answers with the fragment to
swap plus out-of-band updates (the status badge, the comment count, the thread's poller). Polls
answer 304 Not Modified from a validator built on the issue's row alone, so an idle page is cheap.
"""
from flask import Blueprint, abort, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from playhouse.flask_utils import get_object_or_404

from domain import participation, permissions
from forms import CommentForm, ModerationForm, ReportForm
from models import Comment, Issue
from views import (
    answer,
    conditional,
    get_issue,
    get_venue,
    id_arg,
    page_number,
    render,
    require,
    safe_next,
    wants_fragment,
)
from views import issues as issue_pages
from views.limits import limited
from views.thread import Thread, comment_url

bp = Blueprint("discussion", __name__)


def _refusal(issue):
    """Why the reader may not comment on or support `issue` now, when the issue is the reason."""
    return {
        "archived": _("This venue is archived: it takes no new comments or supports."),
        "hidden": _("This issue is hidden by moderation: it takes no new comments or supports."),
    }.get(permissions.closed_to_participation(issue))


def _want():
    """The state a toggle button asks for: True (1) or False (0); anything else is a bad request."""
    value = request.form.get("want")
    if value not in ("1", "0"):
        abort(400)
    return value == "1"


def _comment(comment_id):
    return get_object_or_404(Comment, Comment.id == comment_id)


# Comments ---------------------------------------------------------------------------------------

def _poll_position():
    """The thread position an htmx request carries (from the poller): (after, first, last)."""
    return id_arg("after"), id_arg("first") or 0, id_arg("last")


def _news_context(issue_id, after, first, last):
    """The comments after `after` for a page whose top-level comments run from `first` to `last`,
    with the issue as it is now (its counters moved)."""
    issue = get_issue(issue_id)
    thread = Thread(issue, current_user, page_number())
    thread.first, thread.last = first, last
    top, replies = thread.news(participation.comments_after(issue, after, reader=current_user), after)
    return {"issue": issue, "thread": thread, "new_top": top, "new_replies": replies}


@bp.get("/issues/<int:issue_id>/comments")
def comments(issue_id):
    """The thread's poll: comments newer than `after`, or 304 when there are none."""
    after, first, last = _poll_position()
    if after is None:
        if wants_fragment():
            abort(400)
        return redirect(url_for(
            "issues.show", issue_id=issue_id, page=request.args.get("page", type=int),
            _anchor=f"discussion-{issue_id}",
        ))
    row = Issue.counters(issue_id)
    if row is None or (row.hidden and not permissions.can_see_discussion(current_user, get_issue(issue_id))):
        abort(404)
    reader = current_user.id if current_user.is_authenticated else 0
    return conditional(
        lambda: render_template("discussion/_news.html", **_news_context(issue_id, after, first, last)),
        row.id, row.comment_count, after, first, last, reader,
    )


@bp.get("/comments/<int:comment_id>")
def permalink(comment_id):
    """A comment's lasting address: its issue's page, on the right page of the thread."""
    return redirect(comment_url(_comment(comment_id)))


@bp.post("/issues/<int:issue_id>/comments")
@limited("comment")
def comment(issue_id):
    issue = get_issue(issue_id)
    require(permissions.can_comment(current_user, issue), _refusal(issue))
    return _post(issue, CommentForm(prefix="comment"), None)


@bp.post("/comments/<int:comment_id>/replies")
@limited("comment")
def reply(comment_id):
    parent = _comment(comment_id)
    issue = get_issue(parent.issue_id)
    require(permissions.can_reply(current_user, issue, parent), _refusal(issue))
    return _post(issue, CommentForm(prefix=f"reply-{parent.id}"), parent)


def _post(issue, form, parent):
    if not form.validate_on_submit():
        return _invalid(issue, form, parent)
    comment = participation.add_comment(issue, current_user, form.body.data, parent)
    after, first, last = _poll_position()
    if wants_fragment() and (after is None or (parent is None and last is not None)):
        # Posted from an older page of the thread: htmx goes where the new comment stands.
        response = make_response("", 200)
        response.headers["HX-Redirect"] = comment_url(comment)
        return response
    return answer(
        comment_url(comment), "discussion/_posted.html", flash_message=_("Your comment is posted."),
        parent=parent, **(_news_context(issue.id, after, first, last) if wants_fragment() else {}),
    )


def _invalid(issue, form, parent):
    """The form again, with its messages and the text as typed: the fragment for htmx, else the
    whole issue page."""
    if wants_fragment():
        thread = Thread(issue, current_user, page_number())
        if parent is None:
            thread.form = form
            return render_template("discussion/_form.html", issue=issue, thread=thread), 422
        thread.failed_reply = (parent.id, form)
        return render_template("discussion/_reply.html", issue=issue, thread=thread, c=parent), 422
    g.discussion_failed = (parent.id if parent else None, form)
    response = make_response(issue_pages.show(issue.id))
    response.status_code = 422
    return response


# Supports and follows ---------------------------------------------------------------------------

# What pressing Support or Follow does, with what it says: (do, undo, done, undone).
TOGGLES = {
    "support": (
        participation.support, participation.withdraw_support,
        _l("Thank you: your support is counted."), _l("Your support is withdrawn."),
    ),
    "follow": (
        participation.follow, participation.unfollow,
        _l("You follow this issue: you will be told about news."), _l("You no longer follow this issue."),
    ),
}


@bp.post("/issues/<int:issue_id>/support")
def support(issue_id):
    issue = get_issue(issue_id)
    user = current_user._get_current_object()  # asked often: not through the proxy each time
    allowed = permissions.can_support(user, issue)
    if not allowed:  # why, said only when it is so
        own = permissions.is_author(user, issue)
        require(allowed, _("You cannot support an issue you raised yourself.") if own else _refusal(issue))
    return _toggle(issue, "support", user)


@bp.post("/issues/<int:issue_id>/follow")
def follow(issue_id):
    issue = get_issue(issue_id, check=permissions.can_follow)
    if _want() and not permissions.can_see_issue(current_user, issue):
        abort(404)  # unfollowing stays possible, so the notices of a hidden issue can be stopped
    return _toggle(issue, "follow", current_user._get_current_object())


def _toggle(issue, which, user):
    """Set the button `which` as the form asks; answer with the pressed control again (the
    counters as they are now), or the issue page saying what changed."""
    do, undo, done, undone = TOGGLES[which]
    want = _want()
    changed = (do if want else undo)(user, issue)
    # What the press set is known; supporting anew also follows (participation.support), and only
    # then has the follow control changed too.
    known = {"supported" if which == "support" else "following": bool(want)}
    followed = which == "support" and want and changed
    if followed:
        known["following"] = True
    fragment = wants_fragment()
    if fragment and not (changed and which == "support"):  # a support's counters came with it
        issue.reread_counters()
    return answer(
        None if fragment else url_for("issues.show", issue_id=issue.id, _anchor=f"{which}-{issue.id}"),
        "discussion/_toggled.html",
        flash_message=(done if want else undone) if changed else None,
        issue=issue, thread=Thread(issue, user, known=known), which=which, followed=followed,
    )


# Reports of abusive content ---------------------------------------------------------------------

def _content(kind, target_id):
    """(the issue or comment, its issue) or 404, also when moderation hid it from the reader."""
    if kind in ("issues", "issue"):
        content = issue = get_issue(target_id)
    else:
        content = get_object_or_404(Comment.with_author(), Comment.id == target_id)
        issue = get_issue(content.issue_id)
    if not permissions.can_open_report_form(current_user, content, issue):
        abort(404)
    return content, issue


def _content_url(content, issue):
    return comment_url(content) if isinstance(content, Comment) else url_for(
        "issues.show", issue_id=issue.id
    )


@bp.route("/<any(issues, comments):kind>/<int:target_id>/report", methods=["GET", "POST"])
def report(kind, target_id):
    content, issue = _content(kind, target_id)
    require(permissions.can_report(current_user, content))
    target_type = participation.target_type(content)
    form = ReportForm(prefix=f"report-{target_type}-{content.id}")
    context = {
        "form": form, "content": content, "issue": issue, "target_type": target_type,
        "back": _content_url(content, issue), "threshold": participation.FLAG_THRESHOLD,
    }
    already = participation.has_reported(current_user, content)
    if not already and form.validate_on_submit():
        if participation.report(current_user, content, form.reason.data, form.note.data):
            return answer(
                context["back"], "discussion/_report.html",
                flash_message=_("Thank you. A councillor will look at it."), already=False, done=True, **context,
            )
        already = True
    status = 422 if form.is_submitted() and not already else 200
    return render(
        "discussion/report.html", "discussion/_report.html", status=status, already=already, done=False,
        **context,
    )


# Notifications ----------------------------------------------------------------------------------

def unread_notifications():
    """The reader's unread count for the header (0 for visitors); called only where it is shown."""
    if not current_user.is_authenticated:
        return 0
    return participation.unread_summary(current_user)[0]


@bp.app_context_processor
def notification_badge():
    return {"unread_notifications": unread_notifications}


def _notifications_page(page):
    rows = participation.notifications(current_user, page)
    if page > 1 and not rows:
        abort(404)  # past the last page
    return {
        "rows": rows[: participation.NOTIFICATIONS_PER_PAGE], "page_number": page,
        "more": len(rows) > participation.NOTIFICATIONS_PER_PAGE,
    }


@bp.get("/notifications")
@login_required
def notifications():
    return render(
        "discussion/notifications.html", "discussion/_notifications.html", **_notifications_page(page_number())
    )


@bp.post("/notifications/read")
@login_required
def mark_read():
    participation.mark_all_read(current_user)
    return answer(
        url_for("discussion.notifications"), "discussion/_notifications.html",
        flash_message=_("All notifications are marked as read."), oob_link=True, unread=0,
        **(_notifications_page(1) if wants_fragment() else {}),
    )


@bp.get("/notifications/count")
def notification_count():
    """The header link with the unread count, polled; 304 while nothing changed."""
    if not current_user.is_authenticated:
        return "", 204
    unread, newest = participation.unread_summary(current_user)
    return conditional(
        lambda: render_template("discussion/_notifications_link.html", unread=unread),
        current_user.id, unread, newest,
    )


# Moderation -------------------------------------------------------------------------------------

@bp.get("/moderation")
@login_required
def moderation_index():
    """The venues the reader moderates, with how much waits for review at each."""
    require(permissions.moderates_anywhere(current_user))
    venues, pending = participation.moderated_venues(current_user)
    return render(
        "discussion/moderation_index.html", venues=venues, pending=pending,
        admin=permissions.is_admin(current_user),
    )


@bp.get("/v/<slug>/moderation")
def moderation(slug):
    venue = get_venue(slug, check=permissions.can_moderate_content)
    issues, comments = participation.review_queue(venue)
    for kind, items in (("issue", issues), ("comment", comments)):
        for content in items:
            content.actions = participation.allowed_actions(content)
            content.mod_form = ModerationForm(prefix=f"mod-{kind}-{content.id}", formdata=None)
    return render(
        "discussion/moderation.html", venue=venue, issues=issues, comments=comments,
        threshold=participation.FLAG_THRESHOLD,
    )


def _moderated(kind, target_id, venue):
    """The issue or comment under review, with its author (and issue), its open reports; 404 when
    it does not belong to `venue`."""
    model = Issue if kind == "issue" else Comment
    content = get_object_or_404(model.reported_at(venue), model.id == target_id)
    content.open_flags = participation.open_flags(kind, [content.id])[content.id]
    content.actions = participation.allowed_actions(content)
    return content


@bp.route("/v/<slug>/moderation/<any(issue, comment):kind>/<int:target_id>", methods=["GET", "POST"])
def moderate(slug, kind, target_id):
    venue = get_venue(slug, check=permissions.can_moderate_content)
    content = _moderated(kind, target_id, venue)
    form = ModerationForm(prefix=f"mod-{kind}-{content.id}")
    if form.validate_on_submit():
        if participation.moderate(current_user, content, form.action.data, form.reason.data):
            message = {
                "hide": _("Hidden. The decision is logged."),
                "restore": _("Shown again. The decision is logged."),
                "dismiss": _("Reports dismissed. The decision is logged."),
            }[form.action.data]
        else:
            message = _("Nothing changed: someone has dealt with this already.")
        if wants_fragment():
            content = _moderated(kind, target_id, venue)
        return answer(
            safe_next(url_for("discussion.moderation", slug=venue.slug)), "discussion/_moderation_item.html",
            flash_message=message, venue=venue, content=content, kind=kind, message=message,
            form=ModerationForm(prefix=f"mod-{kind}-{content.id}", formdata=None),
        )
    return render(
        "discussion/moderation_item.html", "discussion/_moderation_item.html",
        status=422 if form.is_submitted() and form.errors else 200,
        venue=venue, content=content, kind=kind, form=form, message=None,
    )

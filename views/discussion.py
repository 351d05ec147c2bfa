"""The discussion under an issue: comments and replies, supports and follows, reports of abusive
content and their review by councillors, and each user's notifications.

Every route works as a plain form post (303 to the page) and, for htmx, answers with the fragment to
swap plus out-of-band updates (the status badge, the comment count, the thread's poller). Polls
answer 304 Not Modified from a validator built on the issue's row alone, so an idle page is cheap.
"""
from functools import cached_property

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from peewee import JOIN
from playhouse.flask_utils import get_object_or_404

from domain import participation, permissions
from forms import CommentForm, ModerationForm, ReportForm
from models import Comment, Issue, User, Venue
from views import id_arg, page_number, render, require, safe_next, see_other, wants_fragment

bp = Blueprint("discussion", __name__)




def _or_404(query, model, row_id, *where):
    """The row of `model` with id `row_id` from `query`, or 404."""
    return get_object_or_404(query, model.id == row_id, *where)


def _issue_or_404(issue_id):
    return _or_404(Issue.select(Issue, Venue).join(Venue), Issue, issue_id)


def _closed_to(issue):
    """403 with the reason when `issue` takes no new comments or supports now."""
    if issue.venue.archived:
        message = _("This venue is archived: it takes no new comments or supports.")
    else:
        message = _("This issue is hidden by moderation: it takes no new comments or supports.")
    abort(403, description=message)


def _require_take_part(issue):
    require(current_user.is_authenticated)
    if not permissions.can_take_part(current_user, issue):
        _closed_to(issue)


def _want():
    """The state a toggle button asks for: True (1) or False (0); anything else is a bad request."""
    value = request.form.get("want")
    if value not in ("1", "0"):
        abort(400)
    return value == "1"


def _etag_response(etag):
    """304 when the client holds `etag` already, else None; the caller renders and tags the answer."""
    if request.if_none_match.contains_weak(etag):
        response = current_app.response_class(status=304)
        _tag(response, etag)
        return response
    return None


def _tag(response, etag):
    response.set_etag(etag, weak=True)
    # Keep it, but ask again every time: the server answers 304 while nothing changed.
    response.headers["Cache-Control"] = "no-cache, private"
    return response


def comment_url(comment):
    """Where `comment` stands: its issue's page, on the right page of the thread."""
    page = participation.page_of(comment)
    return url_for(
        "issues.show", issue_id=comment.issue_id, page=page if page > 1 else None,
        _anchor=f"comment-{comment.id}",
    )


class Thread:
    """What the discussion templates need to know about one issue for one reader."""

    def __init__(self, issue, user, page=1):
        self.issue = issue
        self.user = user
        self.page = page
        self.pages = 1
        self.comments = []
        self.cursor = 0  # the newest comment id the page holds: polls ask for what came after it
        self.first = 0  # the first top-level comment id on this page
        self.last = None  # the last one, or None on the last page (where new comments are appended)
        self.form = None
        self.failed_reply = None  # (parent id, form) when a reply failed validation
        self.poll_seconds = current_app.config.get("COMMENT_POLL_SECONDS", 5)

    def load(self):
        """Read the comments of the page (four queries) and where polling starts."""
        issue = self.issue
        # The cursor first: what is posted while the page is read comes with the first poll.
        self.cursor = participation.last_comment_id(issue)
        self.pages = participation.page_count(issue)
        self.page = min(max(self.page, 1), self.pages)
        self.comments = participation.thread_page(issue, self.page, self.cursor)
        self.first = self.comments[0].id if self.comments else 0
        self.last = self.comments[-1].id if self.page < self.pages else None
        return self

    @property
    def page_arg(self):
        return self.page if self.page > 1 else None

    @cached_property
    def signed_in(self):
        return bool(self.user and self.user.is_authenticated)

    @cached_property
    def can_comment(self):
        return permissions.can_take_part(self.user, self.issue)

    @cached_property
    def is_author(self):
        return self.signed_in and self.issue.author_id == self.user.id

    @cached_property
    def can_support(self):
        return permissions.can_support(self.user, self.issue)

    @cached_property
    def can_moderate(self):
        return self.signed_in and permissions.can_moderate(self.user, self.issue.venue_id)

    @cached_property
    def supported(self):
        return self.signed_in and participation.is_supporting(self.user, self.issue)

    @cached_property
    def following(self):
        return self.signed_in and participation.is_following(self.user, self.issue)

    def can_report(self, content):
        return permissions.can_report(self.user, content)

    def comment_form(self):
        if self.form is None:
            self.form = CommentForm(prefix="comment", formdata=None)
        return self.form

    def reply_form(self, parent):
        if self.failed_reply and self.failed_reply[0] == parent.id:
            form = self.failed_reply[1]
        else:
            form = CommentForm(prefix=f"reply-{parent.id}", formdata=None)
        form.body.label.text = _("Your reply")
        return form

    def news(self, comments, after):
        """Split `comments` (newer than `after`) into what this page shows: new top-level comments
        (on the last page only) with their replies, and replies to comments already on the page."""
        top, replies, new_top = [], {}, {}
        for comment in comments:
            if comment.parent_id is None:
                if self.last is None:
                    comment.reply_list = []
                    top.append(comment)
                    new_top[comment.id] = comment
            elif comment.parent_id in new_top:
                new_top[comment.parent_id].reply_list.append(comment)
            elif comment.parent_id >= self.first and (self.last is None or comment.parent_id <= self.last):
                replies.setdefault(comment.parent_id, []).append(comment)
        self.cursor = comments[-1].id if comments else after
        return top, sorted(replies.items())


def thread_context(issue, user=None, page=None):
    """What templates/discussion/_section.html needs to show the thread of `issue`.

    The page of the thread comes from `?page=`; a comment form that failed validation on a plain
    post is shown again with its messages and text (see `_invalid`).
    """
    thread = Thread(issue, current_user if user is None else user, page_number() if page is None else page)
    failed = g.pop("discussion_failed", None)
    if failed is not None:
        parent_id, form = failed
        if parent_id is None:
            thread.form = form
        else:
            thread.failed_reply = failed
    return {"thread": thread.load()}


# Comments ---------------------------------------------------------------------------------------

def _poll_position():
    """The thread position an htmx request carries (from the poller): (after, first, last)."""
    return id_arg("after"), id_arg("first") or 0, id_arg("last")


def _news_context(issue, thread, after):
    comments = participation.comments_after(issue, after)
    top, replies = thread.news(comments, after)
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
    row = _or_404(Issue.select(Issue.id, Issue.comment_count), Issue, issue_id)
    user_id = current_user.id if current_user.is_authenticated else 0
    etag = f"c{issue_id}-{row.comment_count}-{after}-{first}-{last or ''}-{user_id}-{get_locale()}"
    unchanged = _etag_response(etag)
    if unchanged is not None:
        return unchanged
    issue = _issue_or_404(issue_id)
    thread = Thread(issue, current_user, page_number())
    thread.first, thread.last = first, last
    response = make_response(render_template("discussion/_news.html", **_news_context(issue, thread, after)))
    return _tag(response, etag)


@bp.get("/comments/<int:comment_id>")
def permalink(comment_id):
    """A comment's lasting address: its issue's page, on the right page of the thread."""
    comment = _or_404(Comment.select(), Comment, comment_id)
    return redirect(comment_url(comment))


@bp.post("/issues/<int:issue_id>/comments")
def comment(issue_id):
    issue = _issue_or_404(issue_id)
    _require_take_part(issue)
    return _post(issue, CommentForm(prefix="comment"), None)


@bp.post("/comments/<int:comment_id>/replies")
def reply(comment_id):
    parent = _or_404(Comment.select(), Comment, comment_id)
    issue = _issue_or_404(parent.issue_id)
    _require_take_part(issue)
    return _post(issue, CommentForm(prefix=f"reply-{parent.id}"), parent)


def _post(issue, form, parent):
    if not form.validate_on_submit():
        return _invalid(issue, form, parent)
    comment = participation.add_comment(issue, current_user, form.body.data, parent)
    if not wants_fragment():
        flash(_("Your comment is posted."), "success")
        return see_other(comment_url(comment))
    after, first, last = _poll_position()
    if after is None or (parent is None and last is not None):
        # Posted from an older page of the thread: go where the new comment stands.
        response = make_response("", 200)
        response.headers["HX-Redirect"] = comment_url(comment)
        return response
    issue = _issue_or_404(issue.id)  # the counters as they are now
    thread = Thread(issue, current_user, page_number())
    thread.first, thread.last = first, last
    context = _news_context(issue, thread, after)
    return render_template("discussion/_posted.html", parent=parent, **context)


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
    from views import issues

    g.discussion_failed = (parent.id if parent else None, form)
    response = make_response(issues.show(issue.id))
    response.status_code = 422
    return response


# Supports and follows ---------------------------------------------------------------------------

@bp.post("/issues/<int:issue_id>/support")
def support(issue_id):
    issue = _issue_or_404(issue_id)
    require(current_user.is_authenticated)
    if issue.author_id == current_user.id:
        abort(403, description=_("You cannot support an issue you raised yourself."))
    _require_take_part(issue)
    if _want():
        changed = participation.support(current_user, issue)
        message = _("Thank you: your support is counted.")
    else:
        changed = participation.withdraw_support(current_user, issue)
        message = _("Your support is withdrawn.")
    return _toggled(issue, message if changed else None, "support")


@bp.post("/issues/<int:issue_id>/follow")
def follow(issue_id):
    issue = _issue_or_404(issue_id)
    require(current_user.is_authenticated)
    if _want():
        changed = participation.follow(current_user, issue)
        message = _("You follow this issue: you will be told about news.")
    else:
        changed = participation.unfollow(current_user, issue)
        message = _("You no longer follow this issue.")
    return _toggled(issue, message if changed else None, "follow")


def _toggled(issue, message, which):
    if not wants_fragment():
        if message:
            flash(message, "success")
        return see_other(url_for("issues.show", issue_id=issue.id, _anchor=f"{which}-{issue.id}"))
    issue = _issue_or_404(issue.id)
    thread = Thread(issue, current_user)
    return render_template("discussion/_toggled.html", issue=issue, thread=thread, which=which)


# Reports of abusive content ---------------------------------------------------------------------

def _content(kind, target_id):
    """(the issue or comment, its issue) or 404."""
    if kind in ("issues", "issue"):
        issue = _issue_or_404(target_id)
        return issue, issue
    comment = _or_404(Comment.select(Comment, User).join(User), Comment, target_id)
    return comment, _issue_or_404(comment.issue_id)


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
    already = participation.has_reported(current_user, content)
    done = False
    if not already and form.validate_on_submit():
        done = participation.report(current_user, content, form.reason.data, form.note.data)
        already = not done
        if done and not wants_fragment():
            flash(_("Thank you. A councillor will look at it."), "success")
            return see_other(_content_url(content, issue))
    status = 422 if form.is_submitted() and not (done or already) else 200
    return render(
        "discussion/report.html", "discussion/_report.html", status=status, form=form,
        content=content, issue=issue, target_type=target_type, already=already, done=done,
        back=_content_url(content, issue), threshold=participation.FLAG_THRESHOLD,
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


@bp.get("/notifications")
@login_required
def notifications():
    page = page_number()
    rows = participation.notifications(current_user, page)
    more = len(rows) > participation.NOTIFICATIONS_PER_PAGE
    return render(
        "discussion/notifications.html", "discussion/_notifications.html",
        rows=rows[: participation.NOTIFICATIONS_PER_PAGE], page_number=page, more=more,
    )


@bp.post("/notifications/read")
@login_required
def mark_read():
    participation.mark_all_read(current_user)
    if not wants_fragment():
        flash(_("All notifications are marked as read."), "success")
        return see_other(url_for("discussion.notifications"))
    rows = participation.notifications(current_user, 1)
    more = len(rows) > participation.NOTIFICATIONS_PER_PAGE
    return render_template(
        "discussion/_notifications.html", rows=rows[: participation.NOTIFICATIONS_PER_PAGE], page_number=1,
        more=more, oob_link=True, unread=0,
    )


@bp.get("/notifications/count")
def notification_count():
    """The header link with the unread count, polled; 304 while nothing changed."""
    if not current_user.is_authenticated:
        return "", 204
    unread, newest = participation.unread_summary(current_user)
    etag = f"n{current_user.id}-{unread}-{newest}-{get_locale()}"
    unchanged = _etag_response(etag)
    if unchanged is not None:
        return unchanged
    response = make_response(render_template("discussion/_notifications_link.html", unread=unread))
    return _tag(response, etag)


# Moderation -------------------------------------------------------------------------------------

@bp.get("/moderation")
@login_required
def moderation_index():
    """The venues the reader moderates, with how much waits for review at each."""
    require(permissions.moderates_anywhere(current_user))
    if permissions.is_admin(current_user):
        pending = participation.pending_by_venue()
        venues = list(Venue.select().where(Venue.id.in_(list(pending) or [0])).order_by(Venue.name))
    else:
        venues = [m.venue for m in current_user.memberships("councillor")]
        pending = participation.pending_by_venue([v.id for v in venues])
    return render(
        "discussion/moderation_index.html", venues=venues, pending=pending,
        admin=permissions.is_admin(current_user),
    )


def _venue_to_moderate(slug):
    venue = get_object_or_404(Venue.select(), Venue.slug == slug)
    require(permissions.can_moderate(current_user, venue))
    return venue


@bp.get("/v/<slug>/moderation")
def moderation(slug):
    venue = _venue_to_moderate(slug)
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
    if kind == "issue":
        content = _or_404(
            Issue.select(Issue, User).join(User, on=(Issue.author == User.id), join_type=JOIN.LEFT_OUTER),
            Issue, target_id, Issue.venue == venue.id,
        )
    else:
        content = _or_404(
            Comment.select(Comment, Issue, User).join(Issue).switch(Comment).join(User),
            Comment, target_id, Issue.venue == venue.id,
        )
    content.open_flags = participation.open_flags(kind, [content.id])[content.id]
    content.actions = participation.allowed_actions(content)
    return content


@bp.route("/v/<slug>/moderation/<any(issue, comment):kind>/<int:target_id>", methods=["GET", "POST"])
def moderate(slug, kind, target_id):
    venue = _venue_to_moderate(slug)
    content = _moderated(kind, target_id, venue)
    form = ModerationForm(prefix=f"mod-{kind}-{content.id}")
    message = None
    if form.validate_on_submit():
        if participation.moderate(current_user, content, form.action.data, form.reason.data):
            message = {
                "hide": _("Hidden. The decision is logged."),
                "restore": _("Shown again. The decision is logged."),
                "dismiss": _("Reports dismissed. The decision is logged."),
            }[form.action.data]
        else:
            message = _("Nothing changed: someone has dealt with this already.")
        if not wants_fragment():
            flash(message, "success")
            return see_other(safe_next(url_for("discussion.moderation", slug=venue.slug)))
        content = _moderated(kind, target_id, venue)
        form = ModerationForm(prefix=f"mod-{kind}-{content.id}", formdata=None)
    status = 422 if form.is_submitted() and form.errors else 200
    return render(
        "discussion/moderation_item.html", "discussion/_moderation_item.html", status=status,
        venue=venue, content=content, kind=kind, form=form, message=message,
    )


"""The discussion section of an issue page, as one reader sees it: shared by the issue page
(views.issues) and the routes that post to it or poll it (views.discussion), so neither imports
the other for it. Not a blueprint: no routes here."""
from functools import cached_property

from flask import current_app, g, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.local import LocalProxy

from domain import participation, permissions
from forms import CommentForm
from views import page_number


def comment_url(comment):
    """Where `comment` stands: its issue's page, on the right page of the thread."""
    page = participation.page_of(comment)
    return url_for(
        "issues.show", issue_id=comment.issue_id, page=page if page > 1 else None,
        _anchor=f"comment-{comment.id}",
    )


class Thread:
    """What the discussion templates need to know about one issue for one reader.

    Its `can_*` answers are those of domain.permissions, asked once per page: templates ask the
    thread, never the condition itself.
    """

    def __init__(self, issue, user, page=1, known=None):
        """`known`: answers the request itself just settled ({"supported": True}), not asked again."""
        self.issue = issue
        self.user = user._get_current_object() if isinstance(user, LocalProxy) else user  # asked often
        self.page = page
        self.pages = 1
        self.comments = []
        self.cursor = 0  # the newest comment id the page holds: polls ask for what came after it
        self.first = 0  # the first top-level comment id on this page
        self.last = None  # the last one, or None on the last page (where new comments are appended)
        self.form = None
        self.failed_reply = None  # (parent id, form) when a reply failed validation
        self.poll_seconds = current_app.config.get("COMMENT_POLL_SECONDS", 5)
        self.__dict__.update(known or {})  # where the cached properties keep their answers

    def load(self):
        """Read the comments of the page (four queries) and where polling starts."""
        issue = self.issue
        # The cursor first: what is posted while the page is read comes with the first poll.
        self.cursor = participation.last_comment_id(issue)
        self.pages = participation.page_count(issue)
        self.page = min(max(self.page, 1), self.pages)
        self.comments = participation.thread_page(issue, self.page, self.cursor, self.user)
        self.first = self.comments[0].id if self.comments else 0
        self.last = self.comments[-1].id if self.page < self.pages else None
        return self

    @property
    def page_arg(self):
        return self.page if self.page > 1 else None

    @cached_property
    def signed_in(self):
        return permissions.signed_in(self.user)

    @cached_property
    def closed(self):
        """Why the issue takes no comments now ("archived", "hidden"), or None."""
        return permissions.closed_to_participation(self.issue)

    @cached_property
    def can_comment(self):
        return permissions.can_comment(self.user, self.issue)

    def can_reply(self, comment):
        return permissions.can_reply(self.user, self.issue, comment)

    @cached_property
    def show_author(self):
        """Whether the reader may see the name of an anonymous issue's author on their comments."""
        return permissions.can_see_author(self.user, self.issue)

    @cached_property
    def is_author(self):
        return permissions.is_author(self.user, self.issue)

    @cached_property
    def can_support(self):
        return permissions.can_support(self.user, self.issue)

    @cached_property
    def can_follow(self):
        return permissions.can_follow(self.user, self.issue)

    @cached_property
    def can_moderate(self):
        return permissions.can_moderate_content(self.user, self.issue.venue_id)

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
    post is shown again with its messages and text (see views.discussion._invalid).
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

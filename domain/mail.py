"""Notices by email, where the site has a mail server (MAIL_SERVER): the same notices people see on
the site, for those who handle matters and gave an address.

Mail is sent after the change is committed, never inside its transaction, and a mail server that
is down costs a line in the log, not the change.
"""
import logging
import smtplib
from email.message import EmailMessage

from flask import current_app, g, has_app_context, has_request_context
from flask_babel import force_locale
from flask_babel import gettext as _

from models import User

log = logging.getLogger(__name__)

SUBJECTS = {
    "assigned": lambda issue: _("Assigned to your department: %(title)s", title=issue.title),
    "due_soon": lambda issue: _("Due soon: %(title)s", title=issue.title),
    "overdue": lambda issue: _("Overdue: %(title)s", title=issue.title),
}


def enabled():
    """Whether a mail server is named (outside the app, as in a plain unit test, none is)."""
    return has_app_context() and bool(current_app.config.get("MAIL_SERVER"))


def deferring():
    """Whether the request runs in one transaction (a form sent with a one-time key, views/once.py)
    that commits after the view: its notices wait for that commit."""
    return has_request_context() and g.get("mail_queue") is not None


def send_deferred():
    """Send the notices the request's transaction held back, now that it is committed (each once)."""
    queue = g.pop("mail_queue", None) if has_request_context() else None
    for user_ids, kind, issue in (queue or {}).values():
        notify(user_ids, kind, issue)


def notify(user_ids, kind, issue):
    """Email `kind` about `issue` to those of `user_ids` who gave an address, each in their language.
    Returns how many messages the server took (0 when they wait for the request's commit)."""
    if not enabled() or kind not in SUBJECTS:
        return 0
    if deferring():
        user_ids = list(user_ids)
        g.mail_queue.setdefault((tuple(sorted(user_ids)), kind, issue.id), (user_ids, kind, issue))
        return 0
    people = list(User.select().where(User.id.in_(list(user_ids)) & User.email.is_null(False) & User.active))
    messages = []
    for person in people:
        with force_locale(person.locale or "zh_Hans"):
            message = EmailMessage()
            message["Subject"] = SUBJECTS[kind](issue)
            message["From"] = current_app.config.get("MAIL_FROM") or "yishi@localhost"
            message["To"] = person.email
            link = f"{current_app.config['PUBLIC_URL'].rstrip('/')}/issues/{issue.id}"
            message.set_content(_("%(name)s, please see %(link)s", name=person.display_name, link=link))
            messages.append(message)
    if not messages:
        return 0
    config = current_app.config
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25), timeout=10) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            for message in messages:
                smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        log.warning("mail to %d people about issue %d not sent: %s", len(messages), issue.id, error)
        return 0
    return len(messages)

"""Notices by email, where the site has a mail server (MAIL_SERVER): the same notices people see on
the site, for those who handle matters and gave an address.

Mail is sent after the change is committed, never inside its transaction, and a mail server that
is down costs a line in the log, not the change.
"""
import logging
import smtplib
from email.message import EmailMessage

from flask import current_app, has_app_context
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


def notify(user_ids, kind, issue):
    """Email `kind` about `issue` to those of `user_ids` who gave an address, each in their language.
    Returns how many messages the server took."""
    if not enabled() or kind not in SUBJECTS:
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

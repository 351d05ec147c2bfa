"""Translated labels for the stored choice values, and small text filters for templates."""
import re
import weakref

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms.fields.choices import SelectChoice

LABELS = {
    "region_kind": {
        "city": _l("city"),
        "town": _l("town"),
        "subdistrict": _l("subdistrict"),
        "village": _l("village"),
        "community": _l("community"),
    },
    "level": {"city": _l("city level"), "town": _l("town level"), "village": _l("village level")},
    "venue_kind": {
        "hall": _l("village deliberation hall"),
        "pavilion": _l("residential pavilion"),
        "station": _l("deputy liaison station"),
        "home": _l("deputies' home"),
    },
    "role": {"resident": _l("resident"), "councillor": _l("councillor"), "deputy": _l("deputy")},
    # The badge on an official's contribution (see accounts.official_roles).
    "official_role": {
        "councillor": _l("Councillor"), "deputy": _l("Deputy"), "department": _l("Dept. staff"),
        "admin": _l("Admin"),
    },
    "membership_status": {
        "pending": _l("waiting for verification"),
        "verified": _l("verified"),
        "refused": _l("refused"),
        "removed": _l("removed"),
    },
    "issue_status": {
        "submitted": _l("submitted"),
        "accepted": _l("accepted"),
        "declined": _l("declined"),
        "merged": _l("merged"),
        "deliberating": _l("under deliberation"),
        "assigned": _l("assigned"),
        "in_progress": _l("being handled"),
        "resolved": _l("resolved"),
        "explained": _l("explained"),
        "closed": _l("closed"),
    },
    # The steps of the tracking bar, in the words people know from parcel tracking.
    "step": {
        "submitted": _l("Raised"),
        "accepted": _l("Accepted"),
        "deliberating": _l("Deliberated"),
        "assigned": _l("Assigned"),
        "in_progress": _l("Handled"),
        "resolved": _l("Done"),
        "closed": _l("Rated"),
    },
    "channel": {
        "web": _l("website"),
        "bench_meeting": _l("bench meeting"),
        "home_visit": _l("home visit"),
        "phone": _l("phone"),
        "wechat": _l("WeChat group"),
        "questionnaire": _l("questionnaire"),
        "station_reception": _l("liaison station reception"),
        "hotline": _l("hotline"),
        "open311": _l("Open311"),
    },
    "meeting_kind": {
        "regular": _l("regular meeting"),
        "fifth_day": _l("“Meet on the 5th”"),
        "bureau_visit": _l("bureau chief's visit"),
        "bench_meeting": _l("bench meeting"),
        "deputy_visit": _l("deputy's visit"),
    },
    "vote_choice": {"yes": _l("yes"), "no": _l("no"), "abstain": _l("abstain")},
    "vote_rule": {
        "majority": _l("simple majority of votes cast"),
        "two_thirds": _l("two thirds of votes cast"),
    },
    "quorum_kind": {
        "count": _l("a number of votes"),
        "percent": _l("a percentage of verified residents"),
    },
    "vote_result": {"passed": _l("passed"), "rejected": _l("rejected"), "no_quorum": _l("no quorum")},
    # The same results of an open poll (anyone registered could answer): opinion, not a decision.
    "poll_result": {
        "passed": _l("open poll: yes won"),
        "rejected": _l("open poll: yes did not win"),
        "no_quorum": _l("open poll: too few answers"),
    },
    "personal_code_state": {"unused": _l("not used yet"), "used": _l("used"), "revoked": _l("withdrawn")},
    "rating": {
        "satisfied": _l("satisfied"),
        "basically_satisfied": _l("basically satisfied"),
        "dissatisfied": _l("dissatisfied"),
    },
    "report_state": {"draft": _l("draft"), "published": _l("published")},
    "flag_reason": {"abuse": _l("abusive"), "spam": _l("spam"), "off_topic": _l("off topic")},
    # The closed loop: the grade a department gives its answer, and where an assignment stands.
    "grade": {
        "A": _l("A: solved or basically solved"),
        "B": _l("B: being solved or planned"),
        "C": _l("C: cannot be solved now, reasons stated"),
        "D": _l("D: kept for reference"),
    },
    "assignment_role": {"lead": _l("lead department"), "co": _l("co-handling department")},
    "assignment_state": {
        "assigned": _l("waiting to be signed for"),
        "signed": _l("being handled"),
        "answered": _l("answered"),
        "returned": _l("returned"),
        "withdrawn": _l("withdrawn"),
    },
    "inbox": {
        "new": _l("New"),
        "in_progress": _l("In progress"),
        "due_soon": _l("Due soon"),
        "overdue": _l("Overdue"),
        "returned": _l("Returned"),
    },
    # Agenda and votes: the badge an item (and its issue) shows, and what publishing does.
    "agenda_badge": {
        "on_agenda": _l("on the agenda"),
        "voting_open": _l("voting open"),
        "voting_closed": _l("voting closed"),
        "passed": _l("passed"),
        "rejected": _l("rejected"),
        "no_quorum": _l("no quorum"),
        "poll_voting_closed": _l("open poll closed"),
        "poll_passed": _l("open poll: yes won"),
        "poll_rejected": _l("open poll: yes did not win"),
        "poll_no_quorum": _l("open poll: too few answers"),
    },
    "window_state": {
        "draft": _l("not yet put to the vote"),
        "scheduled": _l("voting not yet open"),
        "open": _l("voting open"),
        "closed": _l("voting closed"),
    },
    "outcome_step": {
        "assigned": _l("Assign it to a department to carry out"),
        "resolved": _l("Mark it resolved: the decision settles the matter"),
        "closed": _l("Close it: the residents voted against it"),
    },
    # Lines of an issue's timeline, by Event.kind (a status change shows its new status instead).
    "event_kind": {
        "status": _l("status changed"),
        "voting_scheduled": _l("voting window set"),
        "vote_result": _l("vote counted"),
        "outcome": _l("outcome published"),
        "merged_from": _l("a duplicate was merged into this issue"),
        "created": _l("Raised"),
        "hidden": _l("hidden by moderation"),
        "restored": _l("restored by moderation"),
        "classified": _l("category and level set"),
        "escalated": _l("escalated to a higher level"),
        "signed": _l("signed for by the department"),
        "progress": _l("progress note"),
        "opinion": _l("co-handling department's opinion"),
        "returned": _l("returned by the department"),
        "extension_requested": _l("more time asked for"),
        "extension_granted": _l("more time granted"),
        "extension_refused": _l("more time refused"),
        "urged": _l("urged"),
        "rated": _l("rated"),
        "reported": _l("reported in the special report"),
        "awarded": _l("marked as a good suggestion"),
        "award_withdrawn": _l("good suggestion mark withdrawn"),
    },
}


def label(group, value):
    """The translated label of a stored value, or the value itself when unknown."""
    return LABELS.get(group, {}).get(value, value)


_TRANSLATED = weakref.WeakKeyDictionary()  # gettext translations → every label in their language


def translated_label(translations, group, value):
    """label() for templates, where `translations` are those of the language the request speaks:
    every label is translated once per language, not again for each one shown."""
    table = _TRANSLATED.get(translations)
    if table is None:
        table = _TRANSLATED[translations] = {
            group: {value: str(text) for value, text in values.items()} for group, values in LABELS.items()
        }
    return table.get(group, {}).get(value, value)


def localized(obj):
    """The name of a category, department or group in the reader's language."""
    if str(get_locale()) == "en" and getattr(obj, "name_en", ""):
        return obj.name_en
    return obj.name


def choices(group):
    """The choices of a select field for the stored values of `group`."""
    return [SelectChoice(value, text) for value, text in LABELS[group].items()]


def html_lang(locale):
    """The BCP 47 tag for a Babel locale: zh_Hans → zh-Hans."""
    return str(locale).replace("_", "-")


_URL = re.compile(r"https?://[^\s<>\"'）。，]+")


def paragraphs(text):
    """Escaped text with line breaks kept and http(s) links made clickable."""
    out = []
    for line in escape(text or "").split("\n"):
        out.append(
            _URL.sub(
                lambda m: Markup('<a href="{0}" rel="nofollow noopener ugc">{0}</a>').format(
                    Markup(m.group(0))
                ),
                str(line),
            )
        )
    return Markup("<br>".join(out))

"""Translated labels for the stored choice values, and small text filters for templates."""
import re

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

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
    "membership_status": {
        "pending": _l("waiting for verification"),
        "verified": _l("verified"),
        "refused": _l("refused"),
        "removed": _l("removed"),
    },
}


def label(group, value):
    """The translated label of a stored value, or the value itself when unknown."""
    return LABELS.get(group, {}).get(value, value)


def choices(group):
    """(value, label) pairs for a select field."""
    return list(LABELS[group].items())


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

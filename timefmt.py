"""Times in the reader's terms: stored as naive UTC, shown in the site's time zone."""
from flask_babel import format_datetime, format_timedelta

from models import utcnow


def format_local(value, fmt="yyyy-MM-dd HH:mm"):
    """A stored UTC time in the site's time zone, e.g. 2026-11-30 09:30."""
    if value is None:
        return ""
    return format_datetime(value, fmt)


def ago(value):
    """How long ago, in words: "3 days ago" / "3天前"."""
    if value is None:
        return ""
    return format_timedelta(value - utcnow(), add_direction=True, threshold=1.0)

"""Times in the reader's terms: stored as naive UTC, shown in the site's time zone."""
import datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
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


def site_zone():
    """The site's time zone (YISHI_TIMEZONE, Asia/Shanghai by default, and outside the app)."""
    name = current_app.config.get("TIMEZONE") if has_app_context() else None
    return ZoneInfo(name or "Asia/Shanghai")


def local_to_utc(value):
    """A naive time read on the site's clocks (a form's datetime-local) as naive UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=site_zone()).astimezone(datetime.UTC).replace(tzinfo=None)


def utc_to_local(value):
    """A stored naive UTC time as naive local time, as a datetime-local input shows it."""
    if value is None:
        return None
    return value.replace(tzinfo=datetime.UTC).astimezone(site_zone()).replace(tzinfo=None)


def local_date(now=None):
    """The date on the site's calendars at `now` (naive UTC, by default the present)."""
    return utc_to_local(now or utcnow()).date()


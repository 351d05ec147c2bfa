"""Service records (履职风采录) and deputy groups (专业代表小组): the public account of what each
deputy and councillor did, and of what each group of deputies follows.

Every count here is one grouped query that walks one person's (or one group's) rows through an
index (see the indexes at the end of models.py), never the whole table. Years are the site's
calendar years: a CASE on the stored UTC time against each local New Year, so both engines agree.
Matters hidden by moderation are neither counted nor listed, nor is anything that would tell who
wrote an anonymous matter.
"""
import datetime
from dataclasses import dataclass, field

from peewee import Case, fn

from domain import audit, permissions, timefmt
from models import (
    AgendaItem,
    Award,
    Category,
    DeputyGroup,
    DeputyGroupCategory,
    DeputyGroupMember,
    Event,
    Issue,
    Meeting,
    Membership,
    Report,
    ReportItem,
    User,
    Venue,
    db,
    utcnow,
)

RECORD_ROLES = ("councillor", "deputy")
# What a service record counts, in the order its table shows them.
METRICS = ("recorded", "moved", "meetings", "votes", "reports", "urged", "awards")
# Timeline entries that moved a matter on: a status step they took, its category and level set, an
# escalation. Urgings are counted on their own.
MOVING_KINDS = ("status", "classified", "escalated")
LATEST = 10


def _year_start(year):
    """Local New Year of `year` as naive UTC, the way times are stored."""
    return timefmt.local_to_utc(datetime.datetime(year, 1, 1))


def year_span(now=None):
    """(first, last) calendar years a record counts: from the first matter raised on the site (the
    low end of an index) to next year (meetings are scheduled ahead)."""
    this_year = timefmt.local_date(now).year
    first = Issue.select(fn.MIN(Issue.created_at)).scalar()
    first_year = timefmt.utc_to_local(first).year if first else this_year
    return min(first_year, this_year), this_year + 1


def year_of(column, span):
    """The site's calendar year of a stored UTC time, as SQL both engines read the same way;
    times before the span count in its first year."""
    first, last = span
    return Case(None, [(column < _year_start(year + 1), year) for year in range(first, last)], last)


def _public_of(user):
    """Issues the public sees and that do not tell who wrote an anonymous matter."""
    return ~Issue.hidden & ~((Issue.author == user.id) & Issue.anonymous)


@dataclass
class ServiceRecord:
    user: User
    roles: list  # [(Membership with .venue)]
    groups: list
    years: dict  # {year: {metric: count}}
    totals: dict  # {metric: count}
    actions: list  # [(kind, to_status, count)] what they moved matters on with, most first
    recorded: list = field(default_factory=list)
    moved: list = field(default_factory=list)
    meetings: list = field(default_factory=list)
    reports: list = field(default_factory=list)
    awards: list = field(default_factory=list)


def service_record(user_id, now=None):
    """The service record of user `user_id`, or None when there is no such person or they are
    neither a deputy nor a councillor (a resident's activity is not published)."""
    user = User.get_or_none(User.id == user_id)
    if user is None or not permissions.has_service_record(user):
        return None
    span = year_span(now)
    now = now or utcnow()
    years = {}

    def add(metric, rows):
        for year, count in rows:
            years.setdefault(int(year), dict.fromkeys(METRICS, 0))[metric] += int(count)

    recorded_year = year_of(Issue.created_at, span)
    add("recorded", Issue.select(recorded_year, fn.COUNT(Issue.id))
        .where((Issue.recorded_by == user.id) & ~Issue.hidden).group_by(recorded_year).tuples())

    event_year = year_of(Event.created_at, span)
    actions = {}
    query = (
        Event.select(event_year, Event.kind, Event.to_status, fn.COUNT(Event.id))
        .join(Issue, on=(Event.issue == Issue.id))
        .where((Event.actor == user.id) & Event.kind.in_(MOVING_KINDS + ("urged",)) & _public_of(user))
        .group_by(event_year, Event.kind, Event.to_status)
        .tuples()
    )
    for year, kind, to_status, count in query:
        add("urged" if kind == "urged" else "moved", [(year, count)])
        if kind != "urged":
            key = (kind, to_status if kind == "status" else None)
            actions[key] = actions.get(key, 0) + int(count)

    meeting_year = year_of(Meeting.starts_at, span)
    add("meetings", Meeting.select(meeting_year, fn.COUNT(Meeting.id))
        .where((Meeting.created_by == user.id) & ~Meeting.cancelled).group_by(meeting_year).tuples())

    vote_year = year_of(AgendaItem.opens_at, span)
    add("votes", AgendaItem.select(vote_year, fn.COUNT(AgendaItem.id)).join(Meeting)
        .where((Meeting.created_by == user.id) & (AgendaItem.opens_at <= now)).group_by(vote_year).tuples())

    report_year = year_of(Report.published_at, span)
    add("reports", Report.select(report_year, fn.COUNT(Report.id))
        .where((Report.created_by == user.id) & Report.published_at.is_null(False)).group_by(report_year).tuples())

    add("awards", Award.select(Award.year, fn.COUNT(Award.id)).join(Issue)
        .where(_theirs(user)).group_by(Award.year).tuples())

    totals = dict.fromkeys(METRICS, 0)
    for counts in years.values():
        for metric, count in counts.items():
            totals[metric] += count
    return ServiceRecord(
        user=user,
        roles=list(user.memberships().where(Membership.role.in_(RECORD_ROLES))),
        groups=list(DeputyGroup.of_member(user).where(~DeputyGroup.archived)),
        years=dict(sorted(years.items(), reverse=True)),
        totals=totals,
        actions=sorted(((k, s, n) for (k, s), n in actions.items()), key=lambda a: (-a[2], a[0], a[1] or "")),
        recorded=list(
            Issue.everywhere()
            .where(Issue.recorded_by == user.id).order_by(Issue.created_at.desc(), Issue.id.desc()).limit(LATEST)
        ),
        moved=list(
            Event.select(Event, Issue).join(Issue, on=(Event.issue == Issue.id))
            .where((Event.actor == user.id) & Event.kind.in_(MOVING_KINDS + ("urged",)) & _public_of(user))
            .order_by(Event.created_at.desc(), Event.id.desc()).limit(LATEST)
        ),
        meetings=list(
            Meeting.select(Meeting, Venue).join(Venue)
            .where((Meeting.created_by == user.id) & ~Meeting.cancelled)
            .order_by(Meeting.starts_at.desc()).limit(LATEST)
        ),
        reports=list(
            Report.select().where((Report.created_by == user.id) & Report.published_at.is_null(False))
            .order_by(Report.published_at.desc()).limit(LATEST)
        ),
        awards=list(
            Award.select(Award, Issue).join(Issue).where(_theirs(user))
            .order_by(Award.year.desc(), Award.awarded_at.desc())
        ),
    )


def _theirs(user):
    """Public matters `user` recorded, or raised under their name."""
    return ~Issue.hidden & ((Issue.recorded_by == user.id) | ((Issue.author == user.id) & ~Issue.anonymous))


def with_records(user_ids):
    """The ids among `user_ids` of people who have a service record (one query), to link names."""
    ids = list(set(user_ids))
    if not ids:
        return set()
    return {
        u for (u,) in Membership.select(Membership.user).where(
            Membership.user.in_(ids) & Membership.role.in_(RECORD_ROLES) & (Membership.status == "verified")
        ).distinct().tuples()
    }


# Deputy groups ---------------------------------------------------------------------------------

def groups():
    """The groups in use, by name, each with .member_count and .categories (three queries)."""
    rows = list(DeputyGroup.active().order_by(DeputyGroup.name))
    counts = DeputyGroupMember.counts()
    fields = DeputyGroupCategory.by_group()
    for group in rows:
        group.member_count = counts.get(group.id, 0)
        group.categories = fields.get(group.id, [])
    return rows


def group_matters(category_ids):
    """The public matters of a field, newest first, with category and venue (for a Page)."""
    return (
        Issue.everywhere()
        .where(Issue.category.in_(list(category_ids) or [0]))
        .order_by(Issue.created_at.desc(), Issue.id.desc())
    )


def group_reports(category_ids, member_ids, limit=50):
    """Published special reports the group contributed to: those holding public matters of its
    field or compiled by its members, newest first, each with .field_items (how many of its
    matters are of the field)."""
    category_ids, member_ids = list(category_ids) or [0], list(member_ids) or [0]
    of_field = (
        ReportItem.select(ReportItem.report).join(Issue, on=(ReportItem.issue == Issue.id))
        .where(Issue.category.in_(category_ids) & ~Issue.hidden)
    )
    reports = list(
        Report.select()
        .where(Report.published_at.is_null(False) & (Report.id.in_(of_field) | Report.created_by.in_(member_ids)))
        .order_by(Report.published_at.desc(), Report.id.desc()).limit(limit)
    )
    counts = dict(
        ReportItem.select(ReportItem.report, fn.COUNT(ReportItem.id)).join(Issue, on=(ReportItem.issue == Issue.id))
        .where(ReportItem.report.in_([r.id for r in reports] or [0]) & Issue.category.in_(category_ids) & ~Issue.hidden)
        .group_by(ReportItem.report).tuples()
    )
    for report in reports:
        report.field_items = counts.get(report.id, 0)
    return reports


def set_group_categories(group, category_ids, actor):
    """Make `category_ids` the field of `group`, audited; call it inside the group's save."""
    wanted = sorted(set(category_ids))
    current = sorted(DeputyGroupCategory.category_ids(group))
    if wanted == current:
        return False
    known = [c for (c,) in Category.select(Category.id).where(Category.id.in_(wanted or [0])).tuples()]
    with db.atomic():
        DeputyGroupCategory.delete().where(
            (DeputyGroupCategory.group == group.id) & DeputyGroupCategory.category.not_in(known or [0])
        ).execute()
        for category_id in sorted(set(known) - set(current)):
            DeputyGroupCategory.create(group=group.id, category=category_id)
        audit.record(actor, "deputy_group.categories", group, {"categories": current}, {"categories": sorted(known)})
    return True

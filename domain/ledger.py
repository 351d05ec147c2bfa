"""The ledger (台账): every tracked matter, where it stands and who holds it.

A tracked matter is an issue with at least one Assignment; its row shows the issue's latest lead
assignment (the active one, or the last one when none is active). The query drives from that
assignment, so the default sort (due date) walks an index, and pages are cut by keyset (a cursor
of the sort key and the id) rather than OFFSET: page 500 costs what page 1 does.

The page, the CSV and the XLSX all take their cells from `Cells`, so an export holds exactly
what the page shows for the same filter.
"""
import datetime
from dataclasses import dataclass, field, fields

from flask_babel import lazy_gettext as _l
from peewee import JOIN, SQL, Case, Cast, Select, Value, fn

from domain import labels, permissions, search, workflow
from models import (
    ACTIVE_ASSIGNMENT_STATES,
    ISSUE_STATES,
    MAX_ID,
    Assignment,
    Category,
    Department,
    Feedback,
    Issue,
    Region,
    Venue,
    db,
    on_sqlite,
    utcnow,
)

# Every status, in the workflow's order: a tracked matter usually shows one from accepted on (a
# returned or escalated one goes back to accepted), but the counts show whatever is there.
STATUSES = ISSUE_STATES
SORTS = {
    "due": _l("Due date, soonest first"),
    "assigned": _l("Assigned date, newest first"),
    "days_open": _l("Days open, longest first"),
}
DEFAULT_SORT = "due"
MAX_QUERY_LENGTH = 100
CHUNK = 1000  # rows fetched at a time by the exports
COUNT_CAP = 1000  # the counts per status stop here (see `counts`)
SEARCHED = 1000  # words in the title look among the newest issues holding them, this many

# (key, header) of every column, in order; the page, the CSV and the XLSX share them.
COLUMNS = (
    ("number", _l("No.")),
    ("title", _l("Title")),
    ("venue", _l("Venue")),
    ("town", _l("Town / subdistrict")),
    ("level", _l("Level")),
    ("category", _l("Category")),
    ("department", _l("Handling department")),
    ("status", _l("Status")),
    ("assigned", _l("Assigned on")),
    ("due", _l("Due date")),
    ("days_open", _l("Days open")),
    ("overdue", _l("Overdue")),
    ("rating", _l("Satisfaction rating")),
)

VenueRegion = Region.alias("venue_region")
ParentRegion = Region.alias("parent_region")
LatestFeedback = Feedback.alias("latest_feedback")


def _digits(value):
    """A positive 32-bit id from a query-string value, or None."""
    value = (value or "").strip()
    if not value.isdigit() or len(value) > 10 or int(value) > MAX_ID:
        return None
    return int(value) or None


@dataclass
class Filters:
    """What the ledger is narrowed to and sorted by; every field comes from the address."""

    venue: int | None = None
    town: int | None = None
    level: str = ""
    category: int | None = None
    department: int | None = None
    status: str = ""
    overdue: bool = False
    q: str = ""
    sort: str = DEFAULT_SORT
    after: str = ""  # the keyset cursor: "<sort key>~<assignment id>"

    @classmethod
    def from_args(cls, args):
        """The filters of a query string; unknown or malformed values are ignored, never an error."""
        level = args.get("level", "")
        status = args.get("status", "")
        sort = args.get("sort", "")
        return cls(
            venue=_digits(args.get("venue")),
            town=_digits(args.get("town")),
            level=level if level in workflow.LEVELS else "",
            category=_digits(args.get("category")),
            department=_digits(args.get("department")),
            status=status if status in STATUSES else "",
            overdue=args.get("overdue", "") in ("1", "on", "yes", "true"),
            q=args.get("q", "").strip()[:MAX_QUERY_LENGTH],
            sort=sort if sort in SORTS else DEFAULT_SORT,
            after=args.get("after", "")[:60],
        )

    def matched(self):
        """The ids of the newest SEARCHED issues holding the words of `q`, looked up once."""
        if getattr(self, "_matched", None) is None:
            found = search.newest_matching(self.q, SEARCHED)
            self._matched = [issue_id for (issue_id,) in found.tuples()] if found is not None else []
        return self._matched

    def args(self, **changes):
        """These filters as query-string arguments (empty ones left out), with `changes` applied."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        if values.get("sort") == DEFAULT_SORT:
            values["sort"] = ""
        values["overdue"] = "1" if values["overdue"] else ""
        return {key: value for key, value in values.items() if value not in (None, "", False)}


# The query -------------------------------------------------------------------------------------

def _days_open(now):
    """Whole days from the assignment to its closing (answer, return, withdrawal) or to `now`."""
    end = fn.COALESCE(Assignment.closed_at, now)
    if on_sqlite():
        return Cast(fn.julianday(fn.date(end)) - fn.julianday(fn.date(Assignment.created_at)), "INTEGER")
    return Cast(end, "date") - Cast(Assignment.created_at, "date")


def _sort_key(sort, now):
    """(expression, descending) of a sort; ties are broken by the assignment id the same way."""
    if sort == "assigned":
        return Assignment.created_at, True
    if sort == "days_open":
        return _days_open(now), True
    return Assignment.due_on, False


def _later_lead(alias, name):
    """No lead assignment of the same issue came after `alias` (so it is the latest, or a co row
    of the current routing)."""
    later = Assignment.alias(name)
    return ~fn.EXISTS(
        later.select(SQL("1")).where(
            (later.issue == alias.issue) & (later.role == "lead") & (later.id > alias.id)
        )
    )


def _issue_filters(query, user, filters):
    """`query` (over Issue) narrowed to what `user` may see and to the filters on the issue itself."""
    scope = permissions.ledger_scope(user)
    if scope is not None:
        query = query.where(scope)
    if filters.venue:
        query = query.where(Issue.venue == filters.venue)
    if filters.town:
        query = query.where(Issue.venue.in_(
            Venue.select(Venue.id).join(VenueRegion, on=(Venue.region == VenueRegion.id)).where(
                (VenueRegion.id == filters.town) | (VenueRegion.parent == filters.town)
            )
        ))
    if filters.level:
        query = query.where(Issue.level == filters.level)
    if filters.category:
        query = query.where(Issue.category == filters.category)
    if filters.q:
        # Nothing searchable in the words: nothing matches, rather than everything.
        query = query.where(Issue.id.in_(filters.matched()) if filters.matched() else SQL("1 = 0"))
    return query


def _assignment_filters(query, lead, filters, today):
    if filters.department:
        query = query.where(lead.department == filters.department)
    if filters.overdue:
        query = query.where(lead.state.in_(ACTIVE_ASSIGNMENT_STATES) & (lead.due_on < today))
    return query


def _base(user, filters, today):
    """The tracked matters `user` may see under `filters` but the status: latest lead assignments
    joined to their issues."""
    query = (
        Assignment.select()
        .join(Issue, on=(Assignment.issue == Issue.id))
        .switch(Assignment)
        .where((Assignment.role == "lead") & _later_lead(Assignment, "later"))
    )
    return _assignment_filters(_issue_filters(query, user, filters), Assignment, filters, today)


def counts(user, filters, today=None):
    """{status: number of matters} under every filter but the status one, each number counted no
    further than COUNT_CAP + 1 (`count_label` shows more as "1000+"), in one statement.

    Each status is counted from the index (tracked, status), so a status no tracked matter has
    costs nothing and a full one costs COUNT_CAP rows: the counts cost the same at a thousand
    issues and at a million. The latest lead assignment is looked for per issue (a correlated
    EXISTS, which keeps the issue index as the outer loop whatever the planner's statistics say).
    """
    found = db.execute(counts_query(user, filters, today or utcnow().date())).fetchall()
    return {status: n for status, n in found if n}


def counts_query(user, filters, today):
    """The statement of `counts`: one capped count per status, put together by UNION ALL."""
    parts = []
    # An overdue matter's lead is active, so only the statuses of handling can hold one.
    for status in workflow.HANDLING if filters.overdue else STATUSES:
        lead = Assignment.alias("lead")
        held = lead.select(SQL("1")).where(
            (lead.issue == Issue.id) & (lead.role == "lead") & _later_lead(lead, "lead_later")
        )
        matters = Issue.select(SQL("1")).where(
            (Issue.tracked == True) & (Issue.status == status)  # noqa: E712
            & fn.EXISTS(_assignment_filters(held, lead, filters, today))
        )
        if filters.department:
            # The department's own assignments drive the count: it costs what that department holds.
            matters = matters.where(Issue.id.in_(
                Assignment.select(Assignment.issue).where(Assignment.department == filters.department)
            ))
        matters = _issue_filters(matters, user, filters)
        counted = matters.order_by().limit(COUNT_CAP + 1).alias(f"m_{status}")
        parts.append(Select([counted], [Value(status), fn.COUNT(SQL("*"))]))
    query = parts[0]
    for part in parts[1:]:
        query = query.union_all(part)
    return query


def count_label(n):
    """A count as the ledger shows it: exact up to COUNT_CAP, "1000+" beyond."""
    return f"{COUNT_CAP:,}+" if n > COUNT_CAP else f"{n:,}"


def total_label(counts):
    """The count of every status together, as the ledger shows it."""
    shown = sum(min(n, COUNT_CAP) for n in counts.values())
    return f"{shown:,}+" if any(n > COUNT_CAP for n in counts.values()) else f"{shown:,}"


def rows(user, filters, now=None):
    """The ledger's rows under `filters` (status included), sorted, from the cursor on: a query
    that yields dicts; the caller limits it."""
    now = now or utcnow()
    today = now.date()
    key, descending = _sort_key(filters.sort, now)
    rating = (
        LatestFeedback.select(LatestFeedback.rating)
        .where(LatestFeedback.issue == Issue.id)
        .order_by(LatestFeedback.round.desc())
        .limit(1)
    )
    query = (
        _base(user, filters, today)
        .select(
            Assignment.id.alias("assignment_id"), Assignment.due_on, Assignment.created_at.alias("assigned_at"),
            Assignment.closed_at, Assignment.state, Assignment.due_provisional,
            Issue.id.alias("issue_id"), Issue.title, Issue.status, Issue.level,
            Venue.name.alias("venue_name"),
            Case(None, [(VenueRegion.level == "town", VenueRegion.name)], ParentRegion.name).alias("town_name"),
            Category.name.alias("category_name"), Category.name_en.alias("category_name_en"),
            Department.name.alias("department_name"), Department.name_en.alias("department_name_en"),
            rating.alias("rating"), key.alias("sort_key"),
        )
        .switch(Issue)
        .join(Venue, on=(Issue.venue == Venue.id))
        .join(VenueRegion, on=(Venue.region == VenueRegion.id))
        .join(ParentRegion, JOIN.LEFT_OUTER, on=(VenueRegion.parent == ParentRegion.id))
        .switch(Issue)
        .join(Category, JOIN.LEFT_OUTER, on=(Issue.category == Category.id))
        .switch(Assignment)
        .join(Department, on=(Assignment.department == Department.id))
    )
    if filters.status:
        query = query.where(Issue.status == filters.status)
    cursor = parse_cursor(filters.sort, filters.after)
    if cursor is not None:
        value, last_id = cursor
        # `key >= value` first, so both engines start the index walk at the cursor.
        if descending:
            query = query.where((key <= value) & ((key < value) | (Assignment.id < last_id)))
        else:
            query = query.where((key >= value) & ((key > value) | (Assignment.id > last_id)))
    order = (key.desc(), Assignment.id.desc()) if descending else (key, Assignment.id)
    return query.order_by(*order).dicts()


# The keyset cursor -----------------------------------------------------------------------------

def make_cursor(sort, row):
    """The cursor that starts the page after `row`."""
    value = row["sort_key"]
    if hasattr(value, "isoformat"):
        value = value.isoformat()
    return f"{value}~{row['assignment_id']}"


def parse_cursor(sort, text):
    """(sort key value, assignment id) of a cursor, or None when it is absent or malformed."""
    value, sep, last = (text or "").rpartition("~")
    if not sep or not last.isdigit() or len(last) > 10 or int(last) > MAX_ID:
        return None
    try:
        if sort == "assigned":
            parsed = datetime.datetime.fromisoformat(value)
            if parsed.tzinfo is not None:
                return None
        elif sort == "days_open":
            parsed = int(value)
            if abs(parsed) > 1_000_000:
                return None
        else:
            parsed = datetime.date.fromisoformat(value)
    except ValueError:
        return None
    return parsed, int(last)


@dataclass
class LedgerPage:
    """One page of the ledger: its rows, and the cursor of the next page when there is one."""

    items: list = field(default_factory=list)
    next_cursor: str = ""
    first: bool = True


def page(user, filters, size, now=None):
    """One page of `size` rows from the filters' cursor, fetching one more to know whether another
    follows (no COUNT, no OFFSET)."""
    now = now or utcnow()
    found = list(rows(user, filters, now).limit(size + 1))
    items = [decorate(row, now.date()) for row in found[:size]]
    next_cursor = make_cursor(filters.sort, found[size - 1]) if len(found) > size else ""
    return LedgerPage(items=items, next_cursor=next_cursor, first=not parse_cursor(filters.sort, filters.after))


def iterate(user, filters, now=None, chunk=None):
    """Every row under `filters`, from the first, fetched `chunk` at a time by keyset and each
    chunk streamed with `.iterator()`: memory stays bounded however many rows there are."""
    now = now or utcnow()
    chunk = chunk or CHUNK
    cursor = ""
    while True:
        step = Filters(**{**{f.name: getattr(filters, f.name) for f in fields(filters)}, "after": cursor})
        last = None
        count = 0
        for row in rows(user, step, now).limit(chunk).iterator():
            last = row
            count += 1
            yield decorate(row, now.date())
        if count < chunk:
            return
        cursor = make_cursor(filters.sort, last)


# What a row shows ------------------------------------------------------------------------------

def _date(value):
    if isinstance(value, str):  # SQLite hands back what a subquery or CASE holds as text
        return datetime.date.fromisoformat(value[:10])
    return value.date() if isinstance(value, datetime.datetime) else value


def decorate(row, today):
    """A row with what is derived from it: overdue, days open, the assigned date."""
    assigned = _date(row["assigned_at"])
    closed = _date(row["closed_at"]) if row["closed_at"] else None
    due = _date(row["due_on"])
    row["assigned_on"] = assigned
    row["due_on"] = due
    row["days_open"] = ((closed or today) - assigned).days
    row["overdue"] = row["state"] in ACTIVE_ASSIGNMENT_STATES and due < today
    return row


class Cells:
    """The values a row shows, column by column, in the reader's language: what the page prints and
    the exports write (dates stay dates, days a number). Labels are translated once per instance,
    not once per cell: an export of 100,000 rows would otherwise spend most of its time in gettext.
    """

    def __init__(self):
        from flask_babel import get_locale

        # Everything is translated here, so calling the instance needs no request context: an
        # export's generator runs after the request has ended.
        self.english = str(get_locale()) == "en"
        self.labels = {
            group: {value: str(text) for value, text in labels.LABELS[group].items()}
            for group in ("level", "issue_status", "rating")
        }
        self.yes_no = (str(_l("not overdue")), str(_l("overdue")))

    def label(self, group, value):
        return self.labels[group].get(value, value)

    def name(self, row, prefix):
        if self.english and row.get(f"{prefix}_name_en"):
            return row[f"{prefix}_name_en"]
        return row[f"{prefix}_name"] or ""

    def __call__(self, row):
        return [
            row["issue_id"],
            row["title"],
            row["venue_name"],
            row["town_name"] or "",
            self.label("level", row["level"]),
            self.name(row, "category"),
            self.name(row, "department"),
            self.label("issue_status", row["status"]),
            row["assigned_on"],
            row["due_on"],
            row["days_open"],
            self.yes_no[row["overdue"]],
            self.label("rating", row["rating"]) if row["rating"] else "",
        ]


def headers():
    """The column headers in the reader's language."""
    return [str(text) for _key, text in COLUMNS]


# What the filters offer ------------------------------------------------------------------------

def choices(user):
    """The options of the filter form: the venues and towns `user` may pick among (those of their
    scope), every category and department."""
    venues = (
        Venue.select(Venue, VenueRegion, ParentRegion)
        .join(VenueRegion, on=(Venue.region == VenueRegion.id))
        .join(ParentRegion, JOIN.LEFT_OUTER, on=(VenueRegion.parent == ParentRegion.id))
        .order_by(Venue.name)
    )
    mine = permissions.ledger_venues(user)
    if mine is not None:
        venues = venues.where(Venue.id.in_(mine))
    venues = list(venues)
    towns = {}
    for venue in venues:
        region = venue.region
        if region.level == "town":
            towns[region.id] = region
        elif region.parent is not None and region.parent.level == "town":
            towns[region.parent.id] = region.parent
    return {
        "venues": venues,
        "towns": sorted(towns.values(), key=lambda r: (r.position, r.name)),
        "levels": workflow.LEVELS,
        "categories": list(Category.choices()),
        "departments": list(Department.select().order_by(Department.level, Department.name)),
        "statuses": STATUSES,
        "sorts": SORTS,
    }

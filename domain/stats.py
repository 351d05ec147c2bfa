"""Statistics (统计): how many matters were raised, taken up, resolved and explained, how fast,
how satisfied people were, what is overdue, and the hot topics, kept in summary rows.

Every change of an issue goes through `workflow.record`, which calls `on_event` in the change's own
transaction. `on_event` works out what the issue adds to the statistics now (its *facts*), takes
back what it added before (kept in its StatIssue row) and adds the new, in one upsert of the
difference. So the rows are always the sum over the issues of their facts, which is exactly what
`recount` counts from scratch, and the page reads a few hundred rows whatever the number of issues.

Facts belong to the month the issue was raised (a cohort: "of the matters raised in the period, how
many are resolved now"). Each fact is written in four scopes (all towns or its town × all
categories or its category), so a page filtered by town and category reads only its own rows, and
in each scope broken down by one dimension at a time: total, category, town (or venue within a
town), level, channel, and, for the handling departments' facts, department.

Hidden issues still count (the matter was raised), but their keywords do not feed the hot topics.
What changes without an Event of the issue is not followed until the issue's next change: a venue
moved to another town, a category deleted. `flask stats recount` counts everything again.
"""
import datetime
import json
from collections import Counter

from peewee import Case, chunked, fn

from domain import hot_topics, timefmt, workdays
from models import (
    ACTIVE_ASSIGNMENT_STATES,
    Assignment,
    Category,
    Department,
    Event,
    Feedback,
    Issue,
    Region,
    StatCount,
    StatIssue,
    StatKeyword,
    Venue,
    db,
)

ACCEPTED = frozenset({"accepted", "deliberating", "assigned", "in_progress", "resolved", "explained", "closed"})
ANSWERS = ("resolved", "explained")
RATING_METRICS = {
    "satisfied": "rated_satisfied", "basically_satisfied": "rated_basically", "dissatisfied": "rated_dissatisfied",
}
# Facts of the handling departments (the rest are the issue's own).
DEPARTMENT_METRICS = ("assigned", "answered", "on_time", "returned", "urged", "open_due")
NO_CATEGORY = -1
# Events that change nothing the statistics read.
QUIET = frozenset({"progress", "extension_requested", "extension_refused", "opinion"})
UPSERT_BATCH = 200


# Months as yyyymm integers -----------------------------------------------------------------

def month_of(moment):
    """The month (yyyymm) on the site's calendar of a stored UTC time."""
    day = timefmt.local_date(moment)
    return day.year * 100 + day.month


def add_months(month, count):
    """`month` (yyyymm) moved by `count` months."""
    index = (month // 100) * 12 + (month % 100 - 1) + count
    return (index // 12) * 100 + index % 12 + 1


def months_between(first, last):
    """Every month from `first` to `last` (yyyymm), in order."""
    out, month = [], first
    while month <= last:
        out.append(month)
        month = add_months(month, 1)
    return out


# What one issue adds --------------------------------------------------------------------------

def town_of(venue_id):
    """The town (or subdistrict) a venue lies in; a venue above the towns counts under its own
    region (the city), so every issue has one."""
    venue = Venue.get_by_id(venue_id)
    node = Region.get_by_id(venue.region_id)
    chain = [node, *reversed(node.ancestors())]
    for region in chain:
        if region.level == "town":
            return region.id
    return node.id


def facts(issue, assignments, rating, answered_at):
    """Counter {(metric, bucket, department or None): n} of what `issue` adds now.

    `assignments` are its Assignment rows, `rating` the latest rating (or None), `answered_at`
    when it was last resolved or explained, if its status stands on that answer.
    """
    out = Counter()
    out["raised", 0, None] += 1
    status = issue.status
    if status in ACCEPTED:
        out["accepted", 0, None] += 1
    elif status in ("declined", "merged"):
        out[status, 0, None] += 1
    if answered_at is not None:
        outcome, at = answered_at
        out[outcome, 0, None] += 1
        days, _certain = workdays.workdays_between(timefmt.local_date(issue.created_at), timefmt.local_date(at))
        out["days", max(days, 0), None] += 1
    if rating is not None:
        out[RATING_METRICS[rating], 0, None] += 1
    for a in assignments:
        department = a.department_id
        if a.role == "lead":
            out["assigned", 0, department] += 1
            if a.state == "answered":
                out["answered", 0, department] += 1
                if a.responded_at is not None and timefmt.local_date(a.responded_at) <= a.due_on:
                    out["on_time", 0, department] += 1
            elif a.state in ACTIVE_ASSIGNMENT_STATES:
                out["open_due", a.due_on.toordinal(), department] += 1
        if a.state == "returned":
            out["returned", 0, department] += 1
        if a.urge_count:
            out["urged", 0, department] += a.urge_count
    return out


def snapshot_of(issue, town, assignments, rating, answered_at):
    """The JSON-ready record of what `issue` adds: [dimensions, facts, keywords count]."""
    dims = [month_of(issue.created_at), town, issue.venue_id, issue.category_id or NO_CATEGORY,
            issue.level, issue.channel]
    return [dims, sorted([m, b, d, n] for (m, b, d), n in facts(issue, assignments, rating, answered_at).items()),
            not issue.hidden]


def _add_fact(counts, dims, metric, bucket, department, n):
    """Add `n` of one fact of issues with dimensions `dims` to `counts`, in every scope and
    breakdown it belongs to."""
    month, town, venue, category, level, channel = dims
    for t, c in ((0, 0), (town, 0), (0, category), (town, category)):
        counts[t, c, month, "total", "", metric, bucket] += n
        if department is not None:
            counts[t, c, month, "department", str(department), metric, bucket] += n
            continue
        if metric == "days":
            continue
        counts[t, c, month, "level", level, metric, bucket] += n
        counts[t, c, month, "channel", channel, metric, bucket] += n
        if c == 0:
            counts[t, c, month, "category", str(category), metric, bucket] += n
        if t == 0:
            counts[t, c, month, "town", str(town), metric, bucket] += n
        else:
            counts[t, c, month, "venue", str(venue), metric, bucket] += n


def _add_word(keywords, dims, word, n):
    month, town, _venue, category = dims[:4]
    for t, c in ((0, 0), (town, 0), (0, category), (town, category)):
        keywords[t, c, month, word] += n


def expand(snapshot, words):
    """(Counter of StatCount keys, Counter of StatKeyword keys) that a snapshot stands for."""
    counts, keywords = Counter(), Counter()
    if not snapshot:
        return counts, keywords
    dims, fact_rows, words_count = snapshot
    for metric, bucket, department, n in fact_rows:
        _add_fact(counts, dims, metric, bucket, department, n)
    if words_count:
        for word in words or ():
            _add_word(keywords, dims, word, 1)
    return counts, keywords


def _answered_at(issue):
    """(outcome, when) of the answer `issue`'s status stands on, or None."""
    if issue.status not in (*ANSWERS, "closed"):
        return None
    event = (
        Event.select(Event.to_status, Event.created_at)
        .where((Event.issue == issue.id) & (Event.kind == "status") & Event.to_status.in_(ANSWERS))
        .order_by(Event.id.desc()).first()
    )
    return (event.to_status, event.created_at) if event is not None else None


def _latest_rating(issue_id):
    row = (Feedback.select(Feedback.rating).where(Feedback.issue == issue_id)
           .order_by(Feedback.round.desc(), Feedback.id.desc()).first())
    return row.rating if row is not None else None


def _assignments(issue_id):
    return list(
        Assignment.select(Assignment.department, Assignment.role, Assignment.state, Assignment.due_on,
                          Assignment.responded_at, Assignment.urge_count)
        .where(Assignment.issue == issue_id).order_by(Assignment.id)
    )


COUNT_KEY = ("town", "category", "month", "dim", "value", "metric", "bucket")
KEYWORD_KEY = ("town", "category", "month", "word")


def _upsert(table, key, items):
    """Add each (key values, n) of `items` to `table`'s count, creating the rows that are missing.

    Written as SQL text: peewee takes longer to build a many-row upsert than the database to run it.
    """
    columns = ", ".join(f'"{c}"' for c in (*key, "count"))
    target = ", ".join(f'"{c}"' for c in key)
    row = "(" + ", ".join([db.obj.param] * (len(key) + 1)) + ")"
    for batch in chunked(items, UPSERT_BATCH):
        params = [value for k, n in batch for value in (*k, n)]
        db.execute_sql(
            f'INSERT INTO "{table}" ({columns}) VALUES {", ".join([row] * len(batch))} '
            f'ON CONFLICT ({target}) DO UPDATE SET "count" = "{table}"."count" + excluded."count"',
            params,
        )


def _apply(counts, keywords):
    """Add the (possibly negative) differences to the summary rows, in sorted order (so two
    transactions take the rows' locks in the same order)."""
    _upsert(StatCount._meta.table_name, COUNT_KEY, [(k, n) for k, n in sorted(counts.items()) if n])
    _upsert(StatKeyword._meta.table_name, KEYWORD_KEY, [(k, n) for k, n in sorted(keywords.items()) if n])


def _difference(new, old):
    delta = Counter(new)
    delta.subtract(old)
    return delta


def on_event(issue, kind=""):
    """Bring the summary rows up to date with `issue` after a change (called by workflow.record
    in the change's transaction, and by whatever changes an issue after its last Event)."""
    if kind in QUIET:
        return
    issue_id = issue.id if isinstance(issue, Issue) else issue  # record() takes either
    with db.atomic():
        query = StatIssue.select().where(StatIssue.issue == issue_id)
        if db.for_update:  # PostgreSQL: two changes of one issue take turns (SQLite locks at BEGIN)
            query = query.for_update()
        kept = query.first()
        issue = Issue.get_by_id(issue_id)  # as it is now, read after the lock
        if kept is None:
            town = town_of(issue.venue_id)
            words = hot_topics.keywords(issue.title, issue.body)
            old = None
        else:
            town, words, old = kept.snapshot[0][1], kept.words or [], kept.snapshot
        new = snapshot_of(issue, town, _assignments(issue.id), _latest_rating(issue.id), _answered_at(issue))
        if new == old:
            return
        new_counts, new_keywords = expand(new, words)
        old_counts, old_keywords = expand(old, words)
        _apply(_difference(new_counts, old_counts), _difference(new_keywords, old_keywords))
        if kept is None:
            StatIssue.create(issue=issue.id, snapshot=new, words=words)
        else:
            StatIssue.update(snapshot=new).where(StatIssue.issue == issue.id).execute()


class _Row:
    """A row read as a tuple, with the attribute names facts() and snapshot_of() use (building
    model instances is most of a recount's time)."""

    def __init__(self, names, values):
        self.__dict__.update(zip(names, values, strict=True))


ISSUE_COLUMNS = ("id", "venue_id", "category_id", "level", "channel", "status", "hidden", "created_at")
ASSIGNMENT_COLUMNS = ("issue_id", "department_id", "role", "state", "due_on", "responded_at", "urge_count")


def recount(reextract=False, chunk=2000):
    """Count every summary row again from the issues (after a migration, an import that bypassed
    the domain, or a change of the stop words with `reextract`). Returns the number of issues.

    Facts are summed per distinct set of dimensions first, so the many issues that share them
    are expanded into rows once.
    """
    towns = {}
    venues = {v.id: v.region_id for v in Venue.select(Venue.id, Venue.region)}
    regions = {r.id: r for r in Region.select()}

    def town(venue_id):
        if venue_id not in towns:
            node = regions[venues[venue_id]]
            found = node.id
            while node is not None:
                if node.level == "town":
                    found = node.id
                    break
                node = regions.get(node.parent_id)
            towns[venue_id] = found
        return towns[venue_id]

    fact_sums, word_sums, total = Counter(), Counter(), 0
    table = StatIssue._meta.table_name
    insert = f'INSERT INTO "{table}" ("issue_id", "snapshot", "words") VALUES ({", ".join([db.obj.param] * 3)})'
    with db.atomic():
        StatCount.delete().execute()
        StatKeyword.delete().execute()
        ids = [row_id for (row_id,) in Issue.select(Issue.id).order_by(Issue.id).tuples()]
        for block in chunked(ids, chunk):
            issues = [
                _Row(ISSUE_COLUMNS, values) for values in
                Issue.select(Issue.id, Issue.venue, Issue.category, Issue.level, Issue.channel, Issue.status,
                             Issue.hidden, Issue.created_at).where(Issue.id.in_(block)).order_by(Issue.id).tuples()
            ]
            kept = {}
            if not reextract:
                kept = {issue_id: words for issue_id, words in
                        StatIssue.select(StatIssue.issue, StatIssue.words).where(StatIssue.issue.in_(block)).tuples()}
            missing = [i.id for i in issues if kept.get(i.id) is None]
            for issue_id, title, body in (Issue.select(Issue.id, Issue.title, Issue.body)
                                          .where(Issue.id.in_(missing)).tuples() if missing else ()):
                kept[issue_id] = hot_topics.keywords(title, body)
            assignments = {}
            for values in (Assignment.select(Assignment.issue, Assignment.department, Assignment.role,
                                             Assignment.state, Assignment.due_on, Assignment.responded_at,
                                             Assignment.urge_count)
                           .where(Assignment.issue.in_(block)).order_by(Assignment.id).tuples()):
                assignments.setdefault(values[0], []).append(_Row(ASSIGNMENT_COLUMNS, values))
            ratings = dict(Feedback.select(Feedback.issue, Feedback.rating).where(Feedback.issue.in_(block))
                           .order_by(Feedback.round, Feedback.id).tuples())  # the latest round last
            answers = {}
            for issue_id, to_status, created_at in (
                Event.select(Event.issue, Event.to_status, Event.created_at)
                .where(Event.issue.in_(block) & (Event.kind == "status") & Event.to_status.in_(ANSWERS))
                .order_by(Event.id).tuples()
            ):
                answers[issue_id] = (to_status, created_at)
            rows = []
            for issue in issues:
                words = kept[issue.id]
                answered = answers.get(issue.id) if issue.status in (*ANSWERS, "closed") else None
                snapshot = snapshot_of(issue, town(issue.venue_id), assignments.get(issue.id, []),
                                       ratings.get(issue.id), answered)
                dims, fact_rows, words_count = snapshot
                dims = tuple(dims)
                for metric, bucket, department, n in fact_rows:
                    fact_sums[dims, metric, bucket, department] += n
                if words_count:
                    for word in words:
                        word_sums[dims[:4], word] += 1
                rows.append((issue.id, json.dumps(snapshot), json.dumps(words, ensure_ascii=False)))
            StatIssue.delete().where(StatIssue.issue.in_(block)).execute()
            db.obj.cursor().executemany(insert, rows)
            total += len(issues)
        StatIssue.delete().where(StatIssue.issue.not_in(Issue.select(Issue.id))).execute()
        counts, keywords = Counter(), Counter()
        for (dims, metric, bucket, department), n in fact_sums.items():
            _add_fact(counts, dims, metric, bucket, department, n)
        for (dims, word), n in word_sums.items():
            _add_word(keywords, dims, word, n)
        _apply(counts, keywords)
    return total


def current_rows():
    """{key: count} of every non-zero summary row, StatCount and StatKeyword (for checks)."""
    counts = {
        (r.town, r.category, r.month, r.dim, r.value, r.metric, r.bucket): r.count
        for r in StatCount.select() if r.count
    }
    keywords = {(r.town, r.category, r.month, r.word): r.count for r in StatKeyword.select() if r.count}
    return counts, keywords


# Reading the figures --------------------------------------------------------------------------

PERIODS = ("12m", "month", "year", "last_year", "all")


def period_months(period, today=None):
    """(first month, last month, months the month-by-month chart shows) of a period."""
    today = today or timefmt.local_date()
    this = today.year * 100 + today.month
    if period == "month":
        first, last = this, this
    elif period == "year":
        first, last = today.year * 100 + 1, this
    elif period == "last_year":
        first, last = (today.year - 1) * 100 + 1, (today.year - 1) * 100 + 12
    elif period == "all":
        first, last = 0, this
    else:
        first, last = add_months(this, -11), this
    shown = months_between(max(first, add_months(last, -11)), last)
    return first, last, shown


def rate(part, whole):
    """part / whole as a fraction, or None when there is nothing to divide."""
    return part / whole if whole else None


def median(histogram):
    """The median of a histogram {value: how many}, or None when it is empty."""
    total = sum(histogram.values())
    if not total:
        return None
    wanted = sorted({(total - 1) // 2, total // 2})
    found, seen = [], 0
    for value in sorted(histogram):
        n = histogram[value]
        while wanted and wanted[0] < seen + n:
            found.append(value)
            wanted.pop(0)
        seen += n
    return sum(found) / len(found)


class Tally:
    """The figures of one group of issues, from its summed metrics."""

    def __init__(self, metrics, key=None, name=""):
        self.key, self.name = key, name
        self.m = metrics
        self.raised = metrics.get("raised", 0)
        self.accepted = metrics.get("accepted", 0)
        self.declined = metrics.get("declined", 0)
        self.merged = metrics.get("merged", 0)
        self.resolved = metrics.get("resolved", 0)
        self.explained = metrics.get("explained", 0)
        self.satisfied = metrics.get("rated_satisfied", 0)
        self.basically = metrics.get("rated_basically", 0)
        self.dissatisfied = metrics.get("rated_dissatisfied", 0)
        self.rated = self.satisfied + self.basically + self.dissatisfied
        self.resolution_rate = rate(self.resolved, self.accepted)
        self.satisfaction_rate = rate(self.satisfied + self.basically, self.rated)
        self.assigned = metrics.get("assigned", 0)
        self.answered = metrics.get("answered", 0)
        self.on_time = metrics.get("on_time", 0)
        self.on_time_rate = rate(self.on_time, self.answered)
        self.returned = metrics.get("returned", 0)
        self.urged = metrics.get("urged", 0)
        self.overdue = 0


class Figures:
    """Everything the statistics page shows for one choice of period, town and category."""

    def __init__(self, rows, first, last, shown, today, town, category):
        self.first, self.last, self.shown, self.today = first, last, shown, today
        self.town, self.category = town, category
        metrics = Counter()
        by = {}
        months = {}
        days = Counter()
        overdue = 0
        # (see scope_rows: an open item's bucket says only whether it is overdue)
        for month, dim, value, metric, bucket, n in rows:
            n = int(n or 0)
            if dim == "total":
                if metric == "days":
                    days[bucket] += n
                elif metric == "open_due":
                    overdue += n if bucket else 0
                else:
                    metrics[metric] += n
                    months.setdefault(month, Counter())[metric] += n
            else:
                group = by.setdefault(dim, {}).setdefault(value, Counter())
                if metric == "open_due":
                    group["overdue"] += n if bucket else 0
                else:
                    group[metric] += n
        self.total = Tally(metrics)
        self.total.overdue = overdue
        self.median_days = median(days)
        self.days = days
        self.by = by
        self.months = [(month, Tally(months.get(month, {}), key=month)) for month in shown]

    def breakdown(self, dim, names, order=None):
        """[Tally] of each value of `dim` with a name, most raised first (or in `order`)."""
        out = []
        for value, metrics in self.by.get(dim, {}).items():
            tally = Tally(metrics, key=value, name=names.get(value, value))
            tally.overdue = metrics.get("overdue", 0)
            if tally.raised or tally.assigned or tally.returned or tally.urged or tally.overdue:
                out.append(tally)
        if order is not None:
            return sorted(out, key=lambda t: order.index(t.key) if t.key in order else len(order))
        return sorted(out, key=lambda t: (-(t.raised or t.assigned), str(t.name)))


def scope_rows(town, category, first, last, today):
    """The summed summary rows of one scope over months first…last: (month, dim, value, metric,
    bucket, count), from two aggregates over one indexed range. Only the totals keep their months
    and their working-days buckets; an open item's due-date bucket becomes 1 when it is overdue
    on `today`, else 0, so the rows returned stay few however many due dates there are."""
    scope = ((StatCount.town == town) & (StatCount.category == category) & StatCount.month.between(first, last))
    due = StatCount.metric == "open_due"
    overdue = Case(None, [(due & (StatCount.bucket < today.toordinal()), 1)], 0)
    bucket = Case(None, [(due & (StatCount.bucket < today.toordinal()), 1), (due, 0)], StatCount.bucket)
    totals = (
        StatCount.select(StatCount.month, StatCount.metric, bucket, fn.SUM(StatCount.count))
        .where(scope & (StatCount.dim == "total"))
        .group_by(StatCount.month, StatCount.metric, bucket).tuples()
    )
    parts = (
        StatCount.select(StatCount.dim, StatCount.value, StatCount.metric, overdue, fn.SUM(StatCount.count))
        .where(scope & (StatCount.dim != "total"))
        .group_by(StatCount.dim, StatCount.value, StatCount.metric, overdue).tuples()
    )
    return ([(month, "total", "", metric, b, n) for month, metric, b, n in totals]
            + [(0, dim, value, metric, b, n) for dim, value, metric, b, n in parts])


def figures(period="12m", town=0, category=0, today=None):
    """The Figures of issues raised in `period`, in `town` (a region id, 0 for all) and of
    `category` (an id, 0 for all)."""
    today = today or timefmt.local_date()
    first, last, shown = period_months(period, today)
    rows = scope_rows(town, category, first, last, today)
    return Figures(rows, first, last, shown, today, town, category)


def headline(venue=None):
    """The Tally (raised, resolved, satisfaction) of every issue, or of those raised at `venue`,
    with `.town` the venue's town (0 for every town): one indexed query over the summary rows."""
    dim, value = ("venue", str(venue.id)) if venue is not None else ("total", "")
    query = (
        StatCount.select(StatCount.town, StatCount.metric, fn.SUM(StatCount.count))
        .where((StatCount.dim == dim) & (StatCount.value == value) & (StatCount.category == 0)
               & StatCount.metric.in_(("raised", "resolved", *RATING_METRICS.values())))
        .group_by(StatCount.town, StatCount.metric)
    )
    if venue is None:
        query = query.where(StatCount.town == 0)
    metrics, towns = Counter(), set()
    for town, metric, n in query.tuples():
        metrics[metric] += int(n or 0)
        towns.add(town)
    tally = Tally(metrics)
    tally.town = min(towns) if towns else 0
    return tally


# Hot topics -------------------------------------------------------------------------------------

HOT_WORDS = 12
EARLIER = 3  # months the current one is compared with


def trend(now, before):
    """"rising", "falling" or "steady": this month's count against the average of the months before."""
    average = before / EARLIER
    if now > average:
        return "rising"
    if now < average:
        return "falling"
    return "steady"


class Topic:
    def __init__(self, key, now, before, name=""):
        self.key, self.name, self.now, self.before = key, name or key, now, before
        self.average = before / EARLIER
        self.trend = trend(now, before)


def topics(town=0, category=0, today=None, words=HOT_WORDS):
    """This month's categories and keywords against the three months before, in a scope:
    (month, [Topic] of categories, [Topic] of this month's top keywords, [Topic] of keywords that
    were frequent before and are not among them)."""
    today = today or timefmt.local_date()
    this = today.year * 100 + today.month
    earlier = add_months(this, -EARLIER)
    categories = []
    if category == 0:
        counts = {}
        for value, month, n in (
            StatCount.select(StatCount.value, StatCount.month, fn.SUM(StatCount.count))
            .where((StatCount.town == town) & (StatCount.category == 0) & StatCount.month.between(earlier, this)
                   & (StatCount.dim == "category") & (StatCount.metric == "raised"))
            .group_by(StatCount.value, StatCount.month).tuples()
        ):
            pair = counts.setdefault(value, [0, 0])
            pair[0 if month == this else 1] += int(n or 0)
        categories = sorted((Topic(value, now, before) for value, (now, before) in counts.items() if now or before),
                            key=lambda t: (-t.now, -t.before, t.key))

    def top(first, last, limit):
        return [
            word for word, _n in (
                StatKeyword.select(StatKeyword.word, fn.SUM(StatKeyword.count).alias("n"))
                .where((StatKeyword.town == town) & (StatKeyword.category == category)
                       & StatKeyword.month.between(first, last))
                .group_by(StatKeyword.word).having(fn.SUM(StatKeyword.count) > 0)
                .order_by(fn.SUM(StatKeyword.count).desc(), StatKeyword.word).limit(limit).tuples()
            )
        ]

    current = top(this, this, words)
    previous = [w for w in top(earlier, add_months(this, -1), words) if w not in current][:words // 2]
    counts = {}
    if current or previous:
        for word, month, n in (
            StatKeyword.select(StatKeyword.word, StatKeyword.month, fn.SUM(StatKeyword.count))
            .where((StatKeyword.town == town) & (StatKeyword.category == category)
                   & StatKeyword.month.between(earlier, this) & StatKeyword.word.in_(current + previous))
            .group_by(StatKeyword.word, StatKeyword.month).tuples()
        ):
            pair = counts.setdefault(word, [0, 0])
            pair[0 if month == this else 1] += int(n or 0)
    return (
        this,
        categories,
        [Topic(w, *counts.get(w, (0, 0))) for w in current],
        [Topic(w, *counts.get(w, (0, 0))) for w in previous],
    )


# Names for the page -----------------------------------------------------------------------------

def towns():
    """The regions the town filter offers: every town in use, and the city (for venues above them)."""
    return list(
        Region.select().where(Region.level.in_(("town", "city")) & ~Region.archived)
        .order_by(Region.level != "city", Region.position, Region.name)
    )


def names(model, ids, localized):
    """{str(id): name} of the rows of `model` with these ids (one query)."""
    wanted = [int(i) for i in ids if str(i).lstrip("-").isdigit() and int(i) > 0]
    if not wanted:
        return {}
    return {str(row.id): localized(row) for row in model.select().where(model.id.in_(wanted))}


def label_names(figures, localized, no_category):
    """{dimension: {value: name}} of the values the figures break down by."""
    by = figures.by
    categories = names(Category, by.get("category", {}), localized)
    categories[str(NO_CATEGORY)] = no_category
    return {
        "category": categories,
        "town": names(Region, by.get("town", {}), lambda r: r.name),
        "venue": names(Venue, by.get("venue", {}), lambda v: v.name),
        "department": names(Department, by.get("department", {}), localized),
    }


def today_local():
    return timefmt.local_date()


def as_date(month):
    """The first day of a yyyymm month."""
    return datetime.date(month // 100, month % 100, 1)

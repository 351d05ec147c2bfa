"""The closed loop after triage (引导·交办·办理·反馈): classify and escalate, assign to departments,
sign for, answer, return, extend, urge, rate, and close what nobody rated.

Each act is one function that checks its permission (domain/permissions.py), changes the rows in
one transaction, writes the issue's Event, tells whoever must act next, and audits it. Due dates
count working days (domain/workdays.py). `today` and `now` may be passed for tests and demo data.
"""
import datetime

from peewee import IntegrityError, fn

from domain import audit, mail, permissions, search, stats, timefmt, workdays, workflow
from domain import photos as _photos
from models import (
    ACTIVE_ASSIGNMENT_STATES,
    ANSWER_GRADES,
    RATINGS,
    Assignment,
    Department,
    DepartmentStaff,
    Event,
    Feedback,
    Issue,
    Membership,
    Notification,
    Region,
    Reminder,
    db,
    utcnow,
)

DEFAULT_TIME_LIMIT = 15  # working days, when the issue has no category
SIGN_WITHIN = 1  # working days to sign for an assignment (签收)
RETURN_WITHIN = 3  # working days in which a department may return an item outside its remit
REMIND_BEFORE = 2  # working days before the due date when reminders start
AUTO_CLOSE_AFTER = datetime.timedelta(days=15)  # an answer nobody rated closes after this
# Which grades fit which answer: A solved or basically solved, B being solved or planned,
# C cannot be solved now (reasons stated), D kept for reference.
GRADES = {"resolved": ("A", "B"), "explained": ("B", "C", "D")}


class HandlingError(Exception):
    """An act that the rules do not allow now; `code` says which rule, for the page to explain.
    (A person who may not act at all gets permissions.NotAllowed.)"""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


# Where an issue goes --------------------------------------------------------------------------

def region_at(venue, level):
    """The region of `venue`'s branch of the tree at `level` (village, town or city), or None."""
    region = Region.get_by_id(venue.region_id)
    for node in [region, *reversed(region.ancestors())]:
        if node.level == level:
            return node
    return None


def departments_for(issue, level=None):
    """The departments that may handle `issue` at `level` (its own by default): those of that level
    in the issue's own village, town or the city."""
    level = level or issue.level
    region = region_at(issue.venue, level)
    if region is None:
        return Department.select().where(Department.id.is_null())
    return (
        Department.select()
        .where((Department.level == level) & (Department.region == region) & ~Department.archived)
        .order_by(Department.name)
    )


def default_department(issue):
    """The category's department for the issue's level, when it serves the issue's region."""
    if issue.category is None:
        return None
    department = issue.category.department_for(issue.level)
    if department is None:
        return None
    return department if departments_for(issue).where(Department.id == department.id).exists() else None


def due_date(issue, start):
    """(due date, provisional): the category's time limit in working days after `start`."""
    days = issue.category.time_limit_days if issue.category_id else DEFAULT_TIME_LIMIT
    return workdays.add_workdays(start, days or DEFAULT_TIME_LIMIT)


def classify(issue, actor, category, level, note=""):
    """Set the category and the level that must handle `issue` (分类·定级); not for an issue
    declined or merged, which nobody handles."""
    permissions.ensure(permissions.can_assign, actor, issue)
    if issue.status in ("declined", "merged"):
        raise HandlingError("status")
    if level not in workflow.LEVELS:
        raise HandlingError("level")
    note = (note or "").strip()
    with db.atomic():
        before = {"category": issue.category_id, "level": issue.level}
        issue.category = category
        issue.level = level
        issue.updated_at = utcnow()
        issue.save(only=[Issue.category, Issue.level, Issue.updated_at])
        workflow.record(issue, "classified", actor, note, category=category.id if category else None,
                        level=level, before=before)
        search.index(issue)  # the category's names are searched too


def escalate(issue, actor, reason, now=None):
    """Move `issue` up a level (village → town → city) with a recorded reason. An issue already
    assigned is taken back from its departments to be routed at the new level."""
    permissions.ensure(permissions.can_assign, actor, issue)
    reason = (reason or "").strip()
    if not reason:
        raise HandlingError("reason_required")
    higher = workflow.next_level(issue.level)
    if higher is None:
        raise HandlingError("top_level")
    if issue.status not in ("accepted", "deliberating", "assigned", "in_progress"):
        raise HandlingError("status")
    now = now or utcnow()
    with db.atomic():
        was = issue.level
        moved = Issue.update(level=higher, updated_at=now).where(
            (Issue.id == issue.id) & (Issue.level == was)
        ).execute()
        if not moved:  # escalated by someone else meanwhile
            raise HandlingError("status")
        issue.level, issue.updated_at = higher, now
        workflow.record(issue, "escalated", actor, reason, at=now, from_level=was, to_level=higher)
        if issue.status in workflow.HANDLING:
            _withdraw(issue, now)
            workflow.transition(issue, "accepted", actor, reason, check=False, at=now, escalated=True)
        audit.record(actor, "issue.escalate", issue, {"level": was}, {"level": higher}, note=reason)


def _withdraw(issue, now):
    Assignment.update(state="withdrawn", closed_at=now).where(
        (Assignment.issue == issue.id) & Assignment.state.in_(ACTIVE_ASSIGNMENT_STATES)
    ).execute()
    issue.due_on = None
    issue.save(only=[Issue.due_on])


# Assignment (交办) ----------------------------------------------------------------------------

def staff_of(department_ids):
    """The user ids of the staff of `department_ids`."""
    return [
        row.user_id for row in DepartmentStaff.select(DepartmentStaff.user)
        .where(DepartmentStaff.department.in_(list(department_ids)))
    ]


def _notify(user_ids, kind, issue, actor, at=None, **data):
    actor_id = actor.id if actor is not None else None
    rows = [
        {"user": uid, "kind": kind, "issue": issue.id, "actor": actor_id, "data": data or None,
         "created_at": at or utcnow()}
        for uid in dict.fromkeys(user_ids) if uid != actor_id
    ]
    if rows:
        Notification.insert_many(rows).execute()
    return len(rows)


def assign(issue, actor, lead, co=(), due_on=None, note="", now=None, check=True):
    """Route `issue` to `lead` (主办) and optional co-handling departments (协办) with a due date.

    The due date defaults to the category's time limit in working days; signing is due within one
    working day. The departments' staff are told. `check=False` is for a passed vote's outcome,
    whose publisher was checked by the deliberation rules.
    """
    if check:
        permissions.ensure(permissions.can_assign, actor, issue)
    note = (note or "").strip()
    if issue.status not in ("accepted", "deliberating"):
        raise HandlingError("status")
    co = [d for d in dict.fromkeys(co) if d.id != lead.id]
    allowed = {d.id for d in departments_for(issue)}
    if check and any(d.id not in allowed for d in (lead, *co)):
        raise HandlingError("department")
    now = now or utcnow()
    today = timefmt.local_date(now)
    provisional = False
    if due_on is None:
        due_on, certain = due_date(issue, today)
        provisional = not certain
    elif due_on < today:
        raise HandlingError("due_in_past")
    sign_due_on, _certain = workdays.add_workdays(today, SIGN_WITHIN)
    with db.atomic():
        try:
            workflow.transition(issue, "assigned", actor, note, check=False, at=now, department=lead.id,
                                co=[d.id for d in co], due_on=due_on.isoformat())
        except workflow.TransitionError as error:  # routed by someone else meanwhile
            raise HandlingError("status") from error
        rows = [
            Assignment.create(
                issue=issue, department=department, assigned_by=actor, role=role, due_on=due_on,
                due_provisional=provisional, sign_due_on=sign_due_on, created_at=now,
            )
            for department, role in [(lead, "lead"), *((d, "co") for d in co)]
        ]
        issue.due_on = due_on
        issue.save(only=[Issue.due_on])
        stats.on_event(issue, "assigned")  # the assignments came after the step's Event
        staff = staff_of([a.department_id for a in rows])
        _notify(staff, "assigned", issue, actor, at=now, due_on=due_on.isoformat())
        audit.record(actor, "issue.assign", issue, None,
                     {"department": lead.id, "co": [d.id for d in co], "due_on": due_on.isoformat()})
    # An outer transaction (a vote's outcome, the demo) has not committed yet; a request's own
    # transaction sends its notices once committed.
    if not db.in_transaction() or mail.deferring():
        mail.notify(staff, "assigned", issue)
    return rows[0]


def current(issue):
    """The issue's active assignments, the lead first."""
    return list(
        Assignment.select(Assignment, Department).join(Department)
        .where((Assignment.issue == issue.id) & Assignment.state.in_(ACTIVE_ASSIGNMENT_STATES))
        .order_by(Assignment.role.desc(), Assignment.id)  # "lead" sorts after "co": descending
    )


def latest_answer(issue):
    """The lead department's latest answer to `issue`, or None."""
    return (
        Assignment.select(Assignment, Department).join(Department)
        .where((Assignment.issue == issue.id) & (Assignment.role == "lead")
               & Assignment.answer_kind.in_(tuple(GRADES)))
        .order_by(Assignment.id.desc()).first()
    )


def lead_of(issue):
    """The active lead assignment of `issue`, or None."""
    return (
        Assignment.select().where(
            (Assignment.issue == issue.id) & (Assignment.role == "lead")
            & Assignment.state.in_(ACTIVE_ASSIGNMENT_STATES)
        ).order_by(Assignment.id.desc()).first()
    )


# Handling (办理), by the department's staff ----------------------------------------------------

def departments_of(user):
    """The ids of the departments `user` works for."""
    return [row.department_id for row in DepartmentStaff.select(DepartmentStaff.department)
            .where(DepartmentStaff.user == user.id)]


def inbox(user, show, today=None):
    """(the assignments of `show` for `user`'s departments, the counts of every view)."""
    today = today or timefmt.local_date()
    horizon, _certain = workdays.add_workdays(today, REMIND_BEFORE)
    departments = departments_of(user)
    return (Assignment.of_departments(departments, show, today, horizon),
            Assignment.inbox_counts(departments, today, horizon))


def may_return(assignment, today=None):
    """Whether the return window (three working days from assignment) is still open."""
    deadline, _certain = workdays.add_workdays(timefmt.local_date(assignment.created_at), RETURN_WITHIN)
    return assignment.active and (today or timefmt.local_date()) <= deadline


def _take(assignment, states, refusal, **changes):
    """Write `changes` to `assignment` only while its row is still in one of `states`: of two
    requests at once (a double click, two staff), the second finds the item taken and is refused
    with `refusal` instead of recording the step twice."""
    taken = Assignment.update(**changes).where(
        (Assignment.id == assignment.id) & Assignment.state.in_(states)
    ).execute()
    if not taken:
        raise HandlingError(refusal)
    for name, value in changes.items():
        setattr(assignment, name, value)


def _own_active(assignment, actor):
    permissions.ensure(permissions.can_handle, actor, assignment)
    if assignment.state not in ACTIVE_ASSIGNMENT_STATES:
        raise HandlingError("closed")


def sign(assignment, actor, now=None):
    """Sign for an assignment (签收). Late when after its signing date; the lead's signing moves
    the issue to in progress."""
    _own_active(assignment, actor)
    if assignment.state == "signed":
        raise HandlingError("signed")
    now = now or utcnow()
    late = assignment.sign_due_on is not None and timefmt.local_date(now) > assignment.sign_due_on
    with db.atomic():
        _take(assignment, ("assigned",), "signed", state="signed", signed_at=now, signed_by=actor)
        issue = assignment.issue
        workflow.record(issue, "signed", actor, at=now, department=assignment.department_id,
                        late=late, role=assignment.role)
        if assignment.role == "lead" and issue.status == "assigned":
            workflow.transition(issue, "in_progress", actor, check=False, at=now)
    return late


def progress(assignment, actor, note, public=True, now=None):
    """A progress note by the handling department; internal notes are for the people involved."""
    _own_active(assignment, actor)
    note = (note or "").strip()
    if not note:
        raise HandlingError("text_required")
    return workflow.record(assignment.issue, "progress", actor, note, at=now,
                           department=assignment.department_id, public=bool(public))


def answer(assignment, actor, kind, text, grade, now=None, photos=()):
    """The lead department's public answer (答复): resolved (已办结) or explained (已解释), graded
    A–D, with up to four `photos` (checked by domain.photos.prepare). Signing is implied when the
    department answers at once."""
    _own_active(assignment, actor)
    if assignment.role != "lead":
        raise HandlingError("lead_only")
    text = (text or "").strip()
    if kind not in GRADES:
        raise HandlingError("kind")
    if not text:
        raise HandlingError("text_required")
    if grade not in ANSWER_GRADES or grade not in GRADES[kind]:
        raise HandlingError("grade")
    now = now or utcnow()
    with _photos.kept(photos) as files, db.atomic():
        if assignment.state == "assigned":
            sign(assignment, actor, now)
        issue = Issue.get_by_id(assignment.issue_id)
        _take(assignment, ACTIVE_ASSIGNMENT_STATES, "closed", state="answered", answer_kind=kind,
              grade=grade, response=text, answered_by=actor, responded_at=now, closed_at=now)
        # Co-handling departments that sent nothing are done too: the lead answered for all.
        Assignment.update(state="withdrawn", closed_at=now).where(
            (Assignment.issue == issue.id) & (Assignment.role == "co")
            & Assignment.state.in_(ACTIVE_ASSIGNMENT_STATES)
        ).execute()
        files.rows(issue, actor, assignment=assignment, at=now)
        workflow.transition(issue, kind, actor, text, check=False, at=now,
                            department=assignment.department_id, grade=grade)
        workflow.notify_author(issue, "status", actor, from_status="in_progress", to_status=kind)
        audit.record(actor, "issue.answer", issue, None, {"kind": kind, "grade": grade})
    return assignment


def send_opinion(assignment, actor, text, now=None):
    """A co-handling department's opinion, sent to the lead, which answers for all."""
    _own_active(assignment, actor)
    if assignment.role != "co":
        raise HandlingError("co_only")
    text = (text or "").strip()
    if not text:
        raise HandlingError("text_required")
    now = now or utcnow()
    with db.atomic():
        signed = {} if assignment.signed_at is not None else {"signed_at": now, "signed_by": actor}
        _take(assignment, ACTIVE_ASSIGNMENT_STATES, "closed", state="answered", answer_kind="opinion",
              response=text, answered_by=actor, responded_at=now, closed_at=now, **signed)
        issue = assignment.issue
        workflow.record(issue, "opinion", actor, text, at=now, department=assignment.department_id,
                        public=False)
        lead = lead_of(issue)
        if lead is not None:
            _notify(staff_of([lead.department_id]), "opinion", issue, actor, at=now)
    return assignment


def return_(assignment, actor, reason, now=None):
    """Send an item outside the department's remit back (退回), within three working days of its
    assignment. A returned lead sends the issue back to the assigning side to route again."""
    _own_active(assignment, actor)
    reason = (reason or "").strip()
    if not reason:
        raise HandlingError("reason_required")
    now = now or utcnow()
    if not may_return(assignment, timefmt.local_date(now)):
        raise HandlingError("too_late")
    with db.atomic():
        _take(assignment, ACTIVE_ASSIGNMENT_STATES, "closed", state="returned", return_reason=reason,
              closed_at=now)
        issue = Issue.get_by_id(assignment.issue_id)
        workflow.record(issue, "returned", actor, reason, at=now, department=assignment.department_id,
                        role=assignment.role)
        if assignment.role == "lead":
            _withdraw(issue, now)
            workflow.transition(issue, "accepted", actor, reason, check=False, at=now, returned=True)
        if assignment.assigned_by_id is not None:
            _notify([assignment.assigned_by_id], "returned", issue, actor, at=now)
        audit.record(actor, "issue.return", issue, None, {"department": assignment.department_id},
                     note=reason)
    return assignment


def request_extension(assignment, actor, until, reason, now=None):
    """Ask for more time (延期) with a reason and a new date; the assigning side decides."""
    _own_active(assignment, actor)
    if assignment.role != "lead":
        raise HandlingError("lead_only")
    reason = (reason or "").strip()
    if not reason:
        raise HandlingError("reason_required")
    if until is None or until <= assignment.due_on:
        raise HandlingError("date")
    if assignment.extension_state == "requested":
        raise HandlingError("pending")
    with db.atomic():
        assignment.extension_state = "requested"
        assignment.extension_until = until
        assignment.extension_reason = reason
        assignment.save(only=[Assignment.extension_state, Assignment.extension_until,
                              Assignment.extension_reason])
        issue = assignment.issue
        workflow.record(issue, "extension_requested", actor, reason, at=now,
                        department=assignment.department_id, until=until.isoformat())
        if assignment.assigned_by_id is not None:
            _notify([assignment.assigned_by_id], "extension_requested", issue, actor, at=now)


def decide_extension(assignment, actor, grant, note="", now=None):
    """Grant (the due date moves) or refuse a requested extension."""
    issue = Issue.get_by_id(assignment.issue_id)
    permissions.ensure(permissions.can_assign, actor, issue)
    if assignment.extension_state != "requested" or not assignment.active:
        raise HandlingError("no_request")
    note = (note or "").strip()
    with db.atomic():
        assignment.extension_state = "granted" if grant else "refused"
        fields = [Assignment.extension_state]
        if grant:
            assignment.due_on = assignment.extension_until
            assignment.due_provisional = not workdays.is_workday(assignment.due_on)[1]
            fields += [Assignment.due_on, Assignment.due_provisional]
            issue.due_on = assignment.due_on
            issue.save(only=[Issue.due_on])
        assignment.save(only=fields)
        workflow.record(issue, "extension_granted" if grant else "extension_refused", actor, note,
                        at=now, department=assignment.department_id,
                        until=assignment.extension_until.isoformat())
        _notify(staff_of([assignment.department_id]),
                "extension_granted" if grant else "extension_refused", issue, actor, at=now)
        audit.record(actor, "issue.extension", issue, None,
                     {"granted": bool(grant), "until": assignment.extension_until.isoformat()}, note=note)


def urge(assignment, actor, note="", now=None):
    """Urge an overdue item (催办): recorded, counted per department, and its staff told. Once a
    day per item: more would only inflate the department's count, not its speed."""
    issue = Issue.get_by_id(assignment.issue_id)
    permissions.ensure(permissions.can_urge, actor, issue)
    now = now or utcnow()
    today = timefmt.local_date(now)
    if not assignment.is_overdue(today):
        raise HandlingError("not_overdue")
    note = (note or "").strip()
    with db.atomic():
        urged = Assignment.update(urge_count=Assignment.urge_count + 1, last_urged_on=today).where(
            (Assignment.id == assignment.id)
            & (Assignment.last_urged_on.is_null() | (Assignment.last_urged_on < today))
        ).execute()
        if not urged:
            raise HandlingError("urged_today")
        assignment.urge_count += 1
        assignment.last_urged_on = today
        workflow.record(issue, "urged", actor, note, at=now, department=assignment.department_id)
        _notify(staff_of([assignment.department_id]), "urged", issue, actor, at=now)


# Satisfaction (满意度评价) ---------------------------------------------------------------------

def rate(issue, actor, rating, comment="", now=None):
    """The author's (or recording councillor's) rating of an answered issue.

    Dissatisfied the first time: the issue reopens to the same department with the comment.
    Otherwise (or the second time) the issue closes, the rating on record.
    """
    permissions.ensure(permissions.can_rate, actor, issue)
    if rating not in RATINGS:
        raise HandlingError("rating")
    if issue.status not in ("resolved", "explained"):
        raise HandlingError("status")
    comment = (comment or "").strip()
    now = now or utcnow()
    round_ = 2 if issue.reopened else 1
    with db.atomic():
        try:
            with db.atomic():  # a savepoint: the unique (issue, round) row decides a race
                Feedback.create(issue=issue, user=actor, rating=rating, comment=comment, round=round_,
                                created_at=now)
        except IntegrityError as error:
            # The same rating sent twice at once (a double click, a retried form): the first counts.
            raise HandlingError("status") from error
        workflow.record(issue, "rated", actor, comment, at=now, rating=rating, round=round_)
        if rating == "dissatisfied" and not issue.reopened:
            answered = (
                Assignment.select().where((Assignment.issue == issue.id) & (Assignment.role == "lead"))
                .order_by(Assignment.id.desc()).first()
            )
            workflow.transition(issue, "in_progress", actor, comment, check=False, at=now)
            if answered is not None:
                due_on, certain = due_date(issue, timefmt.local_date(now))
                Assignment.create(
                    issue=issue, department=answered.department_id, assigned_by=answered.assigned_by_id,
                    role="lead", state="signed", signed_at=now, due_on=due_on, due_provisional=not certain,
                    created_at=now,
                )
                issue.due_on = due_on
                issue.save(only=[Issue.due_on])
                stats.on_event(issue, "reopened")  # the new assignment came after the last Event
                _notify(staff_of([answered.department_id]), "reopened", issue, actor, at=now)
        else:
            workflow.transition(issue, "closed", actor, check=False, at=now)
        audit.record(actor, "issue.rate", issue, None, {"rating": rating, "round": round_})


def close_unrated(now=None):
    """Close every answered issue nobody rated within 15 days of its answer; returns them."""
    now = now or utcnow()
    answered = ("resolved", "explained")
    answered_at = (
        Event.select(Event.issue, fn.MAX(Event.created_at).alias("at")).join(Issue)
        .where(Issue.status.in_(answered) & (Event.kind == "status") & Event.to_status.in_(answered))
        .group_by(Event.issue)
    )
    stale = (
        Issue.select().join(answered_at, on=(Issue.id == answered_at.c.issue_id))
        .where(answered_at.c.at <= now - AUTO_CLOSE_AFTER).order_by(Issue.id)
    )
    closed = []
    for issue in stale:
        workflow.transition(issue, "closed", None, check=False, at=now, unrated=True)
        closed.append(issue)
    return closed


# Reminders (跟踪提醒) --------------------------------------------------------------------------

def councillors_of(venue_id):
    return [
        m.user_id for m in Membership.select(Membership.user).where(
            (Membership.venue == venue_id) & (Membership.role == "councillor")
            & (Membership.status == "verified")
        )
    ]


def remind(now=None):
    """Remind whoever holds an item due within two working days or overdue, at most once a day per
    item and person; the venue's councillors hear of overdue items too. Safe to run every hour.

    Returns [(assignment, user id, "due_soon" | "overdue")] for what was sent now.
    """
    now = now or utcnow()
    today = timefmt.local_date(now)
    horizon, _certain = workdays.add_workdays(today, REMIND_BEFORE)
    due = (
        Assignment.select(Assignment, Issue).join(Issue)
        .where(Assignment.state.in_(ACTIVE_ASSIGNMENT_STATES) & (Assignment.due_on <= horizon))
        .order_by(Assignment.due_on, Assignment.id)
    )
    sent = []
    for assignment in due:
        kind = "overdue" if assignment.due_on < today else "due_soon"
        people = staff_of([assignment.department_id])
        if kind == "overdue":
            people += councillors_of(assignment.issue.venue_id)
        for user_id in dict.fromkeys(people):
            try:
                with db.atomic():
                    # The unique (assignment, user, day) row is what makes a second run send nothing.
                    Reminder.create(assignment=assignment.id, user=user_id, sent_on=today)
                    Notification.create(
                        user=user_id, kind=kind, issue=assignment.issue_id, created_at=now,
                        data={"due_on": assignment.due_on.isoformat(), "department": assignment.department_id},
                    )
            except IntegrityError:
                continue
            mail.notify([user_id], kind, assignment.issue)
            sent.append((assignment, user_id, kind))
    return sent



# What the issue page shows (承办单位 · 时限) -------------------------------------------------------

class Summary:
    """Who handles an issue, by when, and what came of it, as the issue page and its poll show it.

    Everything in it is public (co-handling opinions and internal notes are not here), so one
    rendering serves every reader.
    """

    def __init__(self, assignments, ratings, today):
        self.today = today
        self.departments = {a.department_id: a.department for a in assignments}
        leads = [a for a in assignments if a.role == "lead"]
        # The lead now, or the last one if it answered: who handled it. One that returned the
        # item or was taken back (escalated) holds nothing, and the page must not say it does.
        active = [a for a in leads if a.active]
        self.lead = active[-1] if active else (
            leads[-1] if leads and leads[-1].state == "answered" else None)
        routed_at = self.lead.created_at if self.lead else None
        self.co = [a for a in assignments if a.role == "co" and a.created_at == routed_at
                   and a.state != "returned"]
        self.answers = [a for a in leads if a.answer_kind in GRADES]
        self.ratings = ratings
        self.urges = sum(a.urge_count for a in assignments if a.created_at == routed_at)
        lead = self.lead
        self.active = bool(lead and lead.active)
        self.due_on = lead.due_on if lead else None
        self.provisional = bool(lead and lead.due_provisional)
        self.overdue = bool(lead and lead.is_overdue(today))
        self.signed_at = lead.signed_at if lead else None
        self.days_left = self.days_overdue = None
        if self.active:
            days, certain = workdays.workdays_between(today, lead.due_on)
            self.provisional = self.provisional or not certain
            if self.overdue:
                self.days_overdue = -days
            else:
                self.days_left = days

    def __bool__(self):
        return self.lead is not None or bool(self.ratings)


def summary(issue, today=None):
    """The Summary of `issue`'s handling: two queries (its assignments with their departments,
    its ratings), however many routings, answers and ratings it had."""
    assignments = list(
        Assignment.select(Assignment, Department).join(Department)
        .where(Assignment.issue == issue.id).order_by(Assignment.id)
    )
    ratings = list(Feedback.select().where(Feedback.issue == issue.id).order_by(Feedback.round, Feedback.id))
    return Summary(assignments, ratings, today or timefmt.local_date())

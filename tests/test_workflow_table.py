"""The whole workflow table: every status × action × role, allowed or refused, and when allowed
the status it leads to and the event it records. The expectations are written out here, apart from
the code they check, so a change of rule shows up as a change of this table.

Actions on an assignment (sign, answer, opinion, return, extend, urge) exist only once the issue
has been routed: for a status that never had an assignment there is nothing to act on, so those
cells are not cells. Each cell runs in a savepoint that is rolled back, on one issue per status.
"""
from datetime import date, timedelta

import pytest
from flask_login import AnonymousUserMixin
from world import LOOP_NOW as NOW
from world import LoopWorld as Loop
from world import fresh

from domain import handling, workflow
from domain.handling import HandlingError
from domain.permissions import NotAllowed
from models import Assignment, Event, Issue, db

STATUSES = ("submitted", "accepted", "deliberating", "assigned", "in_progress", "resolved",
            "explained", "closed", "declined", "merged")
ROUTED = ("assigned", "in_progress", "resolved", "explained", "closed")
ROLES = ("visitor", "author", "resident", "councillor", "deputy", "lead_staff", "co_staff",
         "other_staff", "admin", "stranger")
ASSIGNERS = {"councillor", "deputy", "admin"}
TRIAGERS = {"councillor", "admin"}
ACTIVE = {"assigned", "in_progress"}
LATER = NOW + timedelta(days=60)  # long past any due date: the item is overdue

# action: (the roles that may take it, the statuses it may be taken in, the status it leads to
# (None: unchanged; "accepted" for a routed issue taken back), the event kind it records)
TABLE = {
    "accept": (TRIAGERS, {"submitted"}, "accepted", "status"),
    "decline": (TRIAGERS, {"submitted", "accepted"}, "declined", "status"),
    "merge": (TRIAGERS, {"submitted", "accepted"}, "merged", "status"),
    "deliberate": (TRIAGERS, {"accepted"}, "deliberating", "status"),
    "assign": (ASSIGNERS, {"accepted", "deliberating"}, "assigned", "status"),
    "classify": (ASSIGNERS, set(STATUSES) - {"declined", "merged"}, None, "classified"),
    "escalate": (ASSIGNERS, {"accepted", "deliberating", "assigned", "in_progress"}, "back", "escalated"),
    "sign": ({"lead_staff"}, {"assigned"}, "in_progress", "signed"),
    "answer": ({"lead_staff"}, ACTIVE, "resolved", "status"),
    "opinion": ({"co_staff"}, ACTIVE, None, "opinion"),
    "return": ({"lead_staff"}, ACTIVE, "accepted", "returned"),
    "extend": ({"lead_staff"}, ACTIVE, None, "extension_requested"),
    "urge": (ASSIGNERS, ACTIVE, None, "urged"),
    "rate": ({"author"}, {"resolved", "explained"}, "closed", "rated"),
}
ON_ASSIGNMENT = {"sign", "answer", "opinion", "return", "extend", "urge"}


class Table(Loop):
    def __init__(self, make):
        super().__init__(make)
        self.resident = make.user("resident")
        make.member(self.resident, self.venue)
        self.people = {
            "visitor": AnonymousUserMixin(), "author": self.author, "resident": self.resident,
            "councillor": self.councillor, "deputy": self.deputy, "lead_staff": self.office_staff,
            "co_staff": self.works_staff, "other_staff": self.water_staff, "admin": self.admin,
            "stranger": self.stranger,
        }

    def in_status(self, status):
        """An issue of the town level that got to `status` the way issues do."""
        if status not in ROUTED:
            return self.issue(status=status, level="town")
        lead = self.assigned(co=[self.works])
        if status != "assigned":
            handling.sign(lead, self.office_staff, now=NOW)
        if status in ("resolved", "explained", "closed"):
            kind, grade = ("explained", "C") if status == "explained" else ("resolved", "A")
            handling.answer(fresh(lead), self.office_staff, kind, "答复", grade, now=NOW)
        if status == "closed":
            handling.rate(Issue.get_by_id(lead.issue_id), self.author, "satisfied", now=NOW)
        return Issue.get_by_id(lead.issue_id)

    def take(self, action, issue, actor):
        lead = Assignment.select().where((Assignment.issue == issue.id) & (Assignment.role == "lead")).first()
        co = Assignment.select().where((Assignment.issue == issue.id) & (Assignment.role == "co")).first()
        return {
            "accept": lambda: workflow.accept(issue, actor),
            "decline": lambda: workflow.decline(issue, actor, "不属于议事范围"),
            "merge": lambda: workflow.merge(issue, self.issue(), actor),
            "deliberate": lambda: workflow.transition(issue, "deliberating", actor),
            "assign": lambda: handling.assign(issue, actor, self.office, now=NOW),
            "classify": lambda: handling.classify(issue, actor, self.category, "town"),
            "escalate": lambda: handling.escalate(issue, actor, "需要上级协调", now=NOW),
            "sign": lambda: handling.sign(lead, actor, now=NOW),
            "answer": lambda: handling.answer(lead, actor, "resolved", "已办结", "A", now=NOW),
            "opinion": lambda: handling.send_opinion(co, actor, "协办意见", now=NOW),
            "return": lambda: handling.return_(lead, actor, "不属于本单位职责", now=NOW),
            "extend": lambda: handling.request_extension(lead, actor, date(2027, 6, 30), "需要招标", now=NOW),
            "urge": lambda: handling.urge(lead, actor, now=LATER),
            "rate": lambda: handling.rate(issue, actor, "satisfied", now=NOW),
        }[action]()


def outcome(table, action, issue_id, role):
    """(allowed, status after, the kinds of the events written) for one cell."""
    with db.atomic() as savepoint:
        issue = Issue.get_by_id(issue_id)
        before = Event.select().where(Event.issue == issue.id).count()
        try:
            table.take(action, issue, table.people[role])
            allowed = True
        except (NotAllowed, HandlingError, workflow.TransitionError):
            allowed = False
        after = Issue.get_by_id(issue.id)
        written = [e.kind for e in Event.select().where(Event.issue == issue.id).order_by(Event.id)][before:]
        savepoint.rollback()
    return allowed, after.status, written


def expected(action, status, role):
    who, when, leads_to, kind = TABLE[action]
    if not (role in who and status in when):
        return False, status, []
    if leads_to == "back":  # escalated: a routed issue goes back to be routed at the new level
        leads_to = "accepted" if status in ACTIVE else None
    return True, leads_to or status, kind


@pytest.mark.parametrize("action", sorted(TABLE))
def test_the_workflow_table(make, action):
    table = Table(make)
    wrong = []
    for status in STATUSES:
        if action in ON_ASSIGNMENT and status not in ROUTED:
            continue
        issue_id = table.in_status(status).id
        for role in ROLES:
            allowed, after, written = outcome(table, action, issue_id, role)
            want_allowed, want_status, want_kind = expected(action, status, role)
            if allowed != want_allowed or after != want_status:
                wrong.append(f"{status} × {role}: allowed={allowed} → {after}, expected "
                             f"allowed={want_allowed} → {want_status}")
            elif allowed and want_kind not in written:
                wrong.append(f"{status} × {role}: wrote {written}, expected a {want_kind!r} event")
            elif not allowed and written:
                wrong.append(f"{status} × {role}: refused but wrote {written}")
    assert not wrong, f"{action}:\n" + "\n".join(wrong)


def test_every_step_of_the_transition_table_is_reached_by_some_action():
    """The table above covers the workflow: each (from, to) of TRANSITIONS is some action's step,
    or one the system takes itself (a vote's result, taking an item off an agenda, reopening)."""
    by_actions = {(s, TABLE[a][2]) for a in TABLE for s in TABLE[a][1] if TABLE[a][2] not in (None, "back")}
    by_actions |= {(s, "accepted") for s in ACTIVE}  # escalated back, or returned
    by_actions |= {("in_progress", "resolved"), ("assigned", "explained"), ("in_progress", "explained")}
    by_system = {("deliberating", "accepted"), ("deliberating", "resolved"), ("deliberating", "closed"),
                 ("resolved", "in_progress"), ("explained", "in_progress")}
    assert set(workflow.TRANSITIONS) <= by_actions | by_system

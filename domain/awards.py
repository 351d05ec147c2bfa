"""The good-suggestion award (好建议): deputies and admins honour a matter as a good suggestion of a
year, with a citation, and may withdraw it.

Each act is one transaction: the Award row, Issue.award on the issue's row, an Event on the issue's
timeline (an award also tells the matter's followers, its author among them) and an audit entry. The UPDATE of the issue's row that checks its flag comes first, so two
marks (or two withdrawals) sent at once, or a form sent twice, make one change and one refusal on
both engines.
"""
from domain import audit, permissions, timefmt, workflow
from models import Award, Issue, db, utcnow

# A matter is honoured once it was taken up; a declined or merged one cannot be.
NOT_AWARDABLE = frozenset({"submitted", "declined", "merged"})
CITATION_LENGTH = 500


class AwardError(Exception):
    """An award the matter's state does not allow; `reason` says which."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason  # status | already | not_awarded | year | citation | reason


def awardable(issue):
    """Whether `issue`'s state lets it be honoured (who may do it is permissions.can_award)."""
    return issue.status not in NOT_AWARDABLE and not issue.hidden


def years_for(issue, now=None):
    """The years `issue` may be honoured for, the latest first: from the year it was raised to this
    year, on the site's calendar."""
    first = timefmt.utc_to_local(issue.created_at).year
    last = timefmt.local_date(now).year
    return list(range(max(last, first), first - 1, -1))


def award(issue, actor, year, citation, now=None):
    """Mark `issue` as a good suggestion of `year` with `citation`. Returns the Award."""
    permissions.ensure(permissions.can_award, actor, issue)
    citation = (citation or "").strip()
    if not awardable(issue):
        raise AwardError("status")
    if year not in years_for(issue, now):
        raise AwardError("year")
    if not citation or len(citation) > CITATION_LENGTH:
        raise AwardError("citation")
    now = now or utcnow()
    with db.atomic():
        if not Issue.update(award=True, updated_at=now).where((Issue.id == issue.id) & ~Issue.award).execute():
            raise AwardError("already")
        issue.award, issue.updated_at = True, now
        row = Award.create(issue=issue.id, year=year, citation=citation, awarded_by=actor, awarded_at=now)
        workflow.record(issue, "awarded", actor, citation, at=now, year=year)
        workflow.notify_followers(issue, "awarded", actor, at=now, year=year)
        audit.record(actor, "issue.award", issue, {"award": False}, {"award": True, "award_year": year,
                                                                    "citation": citation})
    return row


def withdraw(issue, actor, reason, now=None):
    """Withdraw the good-suggestion mark of `issue`, saying why (kept on its timeline)."""
    permissions.ensure(permissions.can_award, actor, issue)
    reason = (reason or "").strip()
    if not reason or len(reason) > CITATION_LENGTH:
        raise AwardError("reason")
    now = now or utcnow()
    with db.atomic():
        if not Issue.update(award=False, updated_at=now).where((Issue.id == issue.id) & Issue.award).execute():
            raise AwardError("not_awarded")
        issue.award, issue.updated_at = False, now
        row = Award.of(issue)
        before = {"award": True}
        if row is not None:
            before.update(award_year=row.year, citation=row.citation)
            row.delete_instance()
        workflow.record(issue, "award_withdrawn", actor, reason, at=now, year=before.get("award_year"))
        audit.record(actor, "issue.award_withdraw", issue, before, {"award": False}, reason)

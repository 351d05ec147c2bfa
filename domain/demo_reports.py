"""The demo's special report (民情专报), built through domain/reports.py like any other.

Deputies escalate a few town-level matters of their liaison stations and homes to the city, and
the demo deputy compiles the city-level matters into 第1期, published two days ago, which sends the
waiting ones to their city departments. The two least supported city matters are left as candidates,
so a deputy trying the demo can compile this month's report.
"""
from datetime import timedelta

from domain import handling, reports
from models import Issue, Membership, User, Venue

ESCALATED = 5  # town-level matters the deputies take up to the city
LEFT_FOR_NEXT = 2  # city matters left for the next report
REASONS = (
    "涉及跨镇区统筹，镇里无法单独解决，需要市级部门研究",
    "需要市级资金和规划支持",
    "涉及全市性政策，建议提请市里统一解决",
)
TITLE = "关于城乡基础设施和民生服务若干问题的报告"
SUMMARY = (
    "近一个月来，各代表联络站、代表之家收集群众意见建议，经代表调研核实，梳理出以下需要市级层面"
    "协调解决的问题。\n"
    "这些问题群众反映集中、附议人数多，涉及供水、道路、公共服务等方面，建议市政府交有关部门研究办理，"
    "并在规定时限内答复群众。"
)
NOTES = (
    "群众反映强烈，建议纳入市级年度计划统筹解决。",
    "代表实地查看属实，建议相关部门会同镇街现场办公。",
    "涉及多个部门职责，建议明确牵头单位，限期答复。",
    "建议结合城乡一体化项目一并考虑。",
)


def _deputy_of(venue_id):
    membership = (Membership.select().where((Membership.venue == venue_id) & (Membership.role == "deputy")
                                            & (Membership.status == "verified"))
                  .order_by(Membership.id).first())
    return User.get_by_id(membership.user_id) if membership else None


def load(now):
    """Escalate, compile and publish the demo's special report (call inside the demo's transaction)."""
    deputy = User.get(User.username == "deputy")
    admin = User.get(User.username == "admin")
    waiting = list(
        Issue.select(Issue).join(Venue)
        .where(Venue.kind.in_(("station", "home")) & (Issue.level == "town") & (Issue.status == "accepted")
               & ~Issue.hidden)
        .order_by(Issue.support_count.desc(), Issue.id)
        .limit(ESCALATED)
    )
    for n, issue in enumerate(waiting):
        handling.escalate(issue, _deputy_of(issue.venue_id) or admin, REASONS[n % len(REASONS)],
                          now=now - timedelta(days=12 - n))
    city = list(Issue.select().where((Issue.level == "city") & Issue.status.in_(reports.REPORTABLE) & ~Issue.hidden)
                .order_by(Issue.support_count.desc(), Issue.id))
    chosen = city[:-LEFT_FOR_NEXT] if len(city) > LEFT_FOR_NEXT else city
    if not chosen:
        return None
    report = reports.create_draft(deputy, TITLE, SUMMARY, now=now - timedelta(days=3))
    for n, issue in enumerate(chosen):
        reports.add_item(report, deputy, issue, NOTES[n % len(NOTES)])
    return reports.publish(report, deputy, now=now - timedelta(days=2))

"""Demo deputy groups' fields and good suggestions (called last by demo.load_demo).

Through the domain's own functions: each group's categories as the administration would set them,
and a few resolved matters honoured by the demo deputy, this year and last, so /groups, /awards and
the service records have something true to show.
"""
from datetime import timedelta

from domain import awards, people, timefmt
from models import Category, DeputyGroup, Issue, User

# The field of each demo group (by its Chinese name), as category codes of demo.CATEGORIES.
FIELDS = {
    "柑橘产业": ("agriculture",),
    "乡村振兴": ("agriculture", "roads", "water_source"),
    "城市建设": ("old_compound", "roads", "cables", "water_supply"),
    "教育文化": ("education", "community_canteen"),
    "生命健康": ("health", "sanitation"),
    "化工新材料": ("water_source", "public_safety"),
}
CITATIONS = (
    "建议具体可行，办理后群众普遍满意，可在全市推广。",
    "反映问题准确，推动了相关部门建立长效机制。",
    "来自群众身边的好点子，体现了“群众的事群众议”。",
)


def load(now):
    """Give the demo groups their fields and honour a few resolved matters as good suggestions."""
    admin = User.get(User.username == "admin")
    deputy = User.get(User.username == "deputy")
    codes = {c.code: c.id for c in Category.select(Category.id, Category.code)}
    for group in DeputyGroup.select():
        wanted = [codes[code] for code in FIELDS.get(group.name, ()) if code in codes]
        people.set_group_categories(group, wanted, admin)
    chosen = list(
        Issue.select().where((Issue.status.in_(("resolved", "closed"))) & ~Issue.hidden & ~Issue.anonymous)
        .order_by(Issue.recorded_by.is_null(), Issue.support_count.desc(), Issue.id).limit(len(CITATIONS))
    )
    this_year = timefmt.local_date(now).year
    for number, (issue, citation) in enumerate(zip(chosen, CITATIONS, strict=False)):
        when = max(issue.updated_at, now - timedelta(days=30 * (number + 1)))
        years = awards.years_for(issue, when)
        year = this_year - 1 if number == 2 and this_year - 1 in years else years[0]
        awards.award(issue, deputy, year, citation, now=when)

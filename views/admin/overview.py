"""The administration's front page: how much there is, what is missing, what changed last."""
from models import AuditLog, Category, Department, DeputyGroup, Membership, Region, User, Venue
from views import render
from views.admin import bp
from views.admin.audit import AuditNames


@bp.get("/")
def index():
    counts = {
        "regions": Region.active().count(),
        "venues": Venue.active().count(),
        "users": User.select().count(),
        "departments": Department.active().count(),
        "categories": Category.active().count(),
        "groups": DeputyGroup.active().count(),
    }
    recent = list(AuditLog.filtered().limit(10))
    return render(
        "admin/index.html", counts=counts, has_city=Region.has_city(),
        has_councillor=Membership.anyone_verified_as("councillor"), recent=recent, names=AuditNames(recent),
    )

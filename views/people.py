"""Service records (履职风采录), deputy groups (专业代表小组) and good suggestions (好建议): public
pages about the people who serve and the matters honoured, and the deputies' award form."""
from flask import Blueprint, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from playhouse.flask_utils import get_object_or_404

from domain import awards, people, permissions
from domain.awards import AwardError
from forms import AwardForm, WithdrawAwardForm
from models import Award, DeputyGroup, DeputyGroupCategory
from views import Page, get_issue, id_arg, render, see_other

bp = Blueprint("people", __name__)

REFUSALS = {
    "status": _l("Only a matter that was taken up can be a good suggestion."),
    "already": _l("This matter is already marked as a good suggestion."),
    "not_awarded": _l("This matter is not marked as a good suggestion."),
    "year": _l("Please choose one of the options."),
    "citation": _l("Please say why it is a good suggestion."),
    "reason": _l("Please give the reason. It is kept on the matter's timeline."),
}

# The columns of a service record's table, in people.METRICS order.
METRIC_LABELS = {
    "recorded": _l("Recorded for residents"),
    "moved": _l("Moved on"),
    "meetings": _l("Meetings run"),
    "votes": _l("Votes held"),
    "reports": _l("Special reports"),
    "urged": _l("Urgings"),
    "awards": _l("Good suggestions"),
}


@bp.app_template_global()
def award_of(issue):
    """The award of `issue` when it has one (the flag on its row saves the query otherwise)."""
    return Award.of(issue) if issue.award else None


@bp.app_template_global()
def award_forms(issue):
    """What the issue page offers the reader about the award: None, or (award form or None,
    withdraw form or None) for those who may mark it."""
    if not permissions.can_award(current_user, issue):
        return None
    if issue.award:
        return None, WithdrawAwardForm(formdata=None)
    if not awards.awardable(issue):
        return None
    return AwardForm(formdata=None, years=awards.years_for(issue)), None


@bp.get("/people/<int:user_id>")
def record(user_id):
    found = people.service_record(user_id)
    if found is None:
        abort(404)
    return render("people/record.html", record=found, metrics=people.METRICS, metric_labels=METRIC_LABELS)


@bp.get("/groups")
def groups():
    return render("people/groups.html", groups=people.groups())


@bp.get("/groups/<int:group_id>")
def group(group_id):
    found = get_object_or_404(DeputyGroup.select(), DeputyGroup.id == group_id)
    categories = list(DeputyGroupCategory.categories_of(found))
    category_ids = [c.id for c in categories]
    members = list(found.member_users())
    return render(
        "people/group.html",
        group=found,
        categories=categories,
        members=members,
        linked=people.with_records(m.id for m in members),
        listing=Page(people.group_matters(category_ids) if category_ids else None),
        reports=people.group_reports(category_ids, [m.id for m in members]),
    )


@bp.get("/awards")
def list_awards():
    years = Award.years()
    year = id_arg("year")
    if year not in {y for y, _count in years}:
        year = None
    return render("people/awards.html", years=years, year=year, listing=Page(Award.listing(year)))


def _back(issue):
    return url_for("issues.show", issue_id=issue.id) + "#award"


def _form_page(issue, form=None, withdraw_form=None, status=200):
    return render(
        "people/award_form.html", issue=issue, award=award_of(issue), awardable=awards.awardable(issue),
        form=form or AwardForm(formdata=None, years=awards.years_for(issue)),
        withdraw_form=withdraw_form or WithdrawAwardForm(formdata=None), status=status,
    )


@bp.route("/issues/<int:issue_id>/award", methods=["GET", "POST"])
def award(issue_id):
    issue = get_issue(issue_id, permissions.can_award)
    if request.method == "GET":
        return _form_page(issue)
    if issue.award or not awards.awardable(issue):
        # Sent twice, or the matter moved on meanwhile: nothing changes, and the page says why.
        flash(REFUSALS["already" if issue.award else "status"], "info")
        return see_other(_back(issue))
    form = AwardForm(years=awards.years_for(issue))
    if not form.validate():
        return _form_page(issue, form=form, status=422)
    try:
        done = awards.award(issue, current_user, form.year.data, form.citation.data)
    except AwardError as error:
        flash(REFUSALS[error.reason], "info")
    else:
        flash(_("The matter is marked as a good suggestion of %(year)s.", year=done.year), "success")
    return see_other(_back(issue))


@bp.post("/issues/<int:issue_id>/award/withdraw")
def withdraw_award(issue_id):
    issue = get_issue(issue_id, permissions.can_award)
    if not issue.award:
        flash(REFUSALS["not_awarded"], "info")
        return see_other(_back(issue))
    form = WithdrawAwardForm()
    if not form.validate():
        return _form_page(issue, withdraw_form=form, status=422)
    try:
        awards.withdraw(issue, current_user, form.reason.data)
    except AwardError as error:
        flash(REFUSALS[error.reason], "info")
    else:
        flash(_("The good-suggestion mark is withdrawn."), "success")
    return see_other(_back(issue))


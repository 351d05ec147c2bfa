"""The closed loop's pages: the department inbox and item (签收·办理·答复·退回·延期), the assigning
side's routing page (分类·定级·交办·升级·延期审批·催办) and the resident's rating (满意度评价).

Every act is a plain form post answered with 303 (or the page again with 422 and the messages); the
rules are in domain/handling.py, the permissions in domain/permissions.py.
"""
from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from playhouse.flask_utils import get_object_or_404

from domain import handling, permissions, photos, timefmt
from forms import (
    AnswerForm,
    AssignForm,
    ClassifyForm,
    DecideExtensionForm,
    EscalateForm,
    ExtensionForm,
    OpinionForm,
    ProgressForm,
    RateForm,
    ReturnForm,
    UrgeForm,
)
from models import INBOX_VIEWS, Assignment, Category, Issue
from views import Page, get_issue, render, require, see_other
from views.limits import accepts_photos

bp = Blueprint("handling", __name__)

# What each rule that refuses an act says, in the reader's language (HandlingError.code).
REFUSALS = {
    "status": _l("The issue is not at a step where this can be done."),
    "department": _l("That department does not handle matters of this level and place."),
    "due_in_past": _l("The due date cannot be in the past."),
    "signed": _l("This item is signed for already."),
    "closed": _l("This item is no longer open: it was answered, returned or withdrawn."),
    "lead_only": _l("Only the lead department does this; co-handling departments send an opinion."),
    "co_only": _l("Only co-handling departments send an opinion; the lead department answers."),
    "too_late": _l("An item can be returned only within three working days of its assignment."),
    "date": _l("The new date must be after the current due date."),
    "pending": _l("An extension was asked for already; the assigning side has not decided yet."),
    "no_request": _l("No extension is waiting for a decision."),
    "not_overdue": _l("Only an overdue item can be urged."),
    "urged_today": _l("This item was urged today already. It can be urged again tomorrow."),
    "top_level": _l("City matters are at the top level already."),
    "grade": _l("That grade does not fit the answer: A or B for resolved, B, C or D for explained."),
    "level": _l("Please choose one of the options."),
    "reason_required": _l("Please give the reason."),
    "text_required": _l("Please write the text."),
    "rating": _l("Please choose one of the options."),
}


def _refused(error):
    """The rule's reason, for the page shown again."""
    flash(str(REFUSALS.get(error.code, REFUSALS["status"])), "error")


def _assignment(assignment_id, check):
    assignment = get_object_or_404(Assignment.with_issue(), Assignment.id == assignment_id)
    require(check(current_user, assignment))
    return assignment


# The department's inbox and item ----------------------------------------------------------------

@bp.get("/handling")
def inbox():
    require(permissions.handles_anywhere(current_user))
    show = request.args.get("show", "new")
    if show not in INBOX_VIEWS:
        show = "new"
    query, counts = handling.inbox(current_user, show)
    return render("handling/inbox.html", listing=Page(query), show=show, counts=counts,
                  views=INBOX_VIEWS, today=timefmt.local_date())


def _item_page(assignment, status=200, **forms):
    issue = assignment.issue
    forms.setdefault("progress_form", ProgressForm(formdata=None))
    forms.setdefault("answer_form", AnswerForm(formdata=None))
    forms.setdefault("opinion_form", OpinionForm(formdata=None))
    forms.setdefault("return_form", ReturnForm(formdata=None))
    forms.setdefault("extension_form", ExtensionForm(formdata=None))
    own_photos, answer_photos = photos.of_issue(issue)
    return render(
        "handling/item.html", status=status, assignment=assignment, issue=issue,
        own_photos=own_photos, answer_photos=answer_photos.get(assignment.id, []),
        others=[a for a in handling.current(issue) if a.id != assignment.id],
        timeline=list(issue.timeline()), may_return=handling.may_return(assignment),
        show_author=permissions.can_see_author(current_user, issue),
        today=timefmt.local_date(), **forms,
    )


@bp.get("/handling/<int:assignment_id>")
def item(assignment_id):
    return _item_page(_assignment(assignment_id, permissions.can_handle))


def _act(assignment_id, form_class, form_name, act):
    """Check the form, take the step, and go back to the item; 422 with the messages on bad input."""
    assignment = _assignment(assignment_id, permissions.can_handle)
    form = form_class() if form_class else None
    if form is not None and not form.validate_on_submit():
        return _item_page(assignment, status=422, **{form_name: form})
    try:
        message = act(assignment, form)
    except handling.HandlingError as error:
        _refused(error)
        return _item_page(assignment, status=422, **({form_name: form} if form else {}))
    flash(message, "success")
    return see_other(url_for("handling.item", assignment_id=assignment.id))


@bp.post("/handling/<int:assignment_id>/sign")
def sign(assignment_id):
    def act(assignment, _form):
        late = handling.sign(assignment, current_user)
        return _("Signed for, later than the one working day expected.") if late else _("Signed for.")

    return _act(assignment_id, None, None, act)


@bp.post("/handling/<int:assignment_id>/progress")
def progress(assignment_id):
    def act(assignment, form):
        handling.progress(assignment, current_user, form.note.data, public=form.public.data)
        return _("The progress note is kept on the issue's record.")

    return _act(assignment_id, ProgressForm, "progress_form", act)


@bp.post("/handling/<int:assignment_id>/answer")
@accepts_photos
def answer(assignment_id):
    def act(assignment, form):
        handling.answer(assignment, current_user, form.kind.data, form.text.data, form.grade.data,
                        photos=form.prepared)
        return _("The answer is published. The resident is asked to rate it.")

    return _act(assignment_id, AnswerForm, "answer_form", act)


@bp.post("/handling/<int:assignment_id>/opinion")
def opinion(assignment_id):
    def act(assignment, form):
        handling.send_opinion(assignment, current_user, form.text.data)
        return _("Your opinion is sent to the lead department.")

    return _act(assignment_id, OpinionForm, "opinion_form", act)


@bp.post("/handling/<int:assignment_id>/return")
def return_(assignment_id):
    def act(assignment, form):
        handling.return_(assignment, current_user, form.reason.data)
        return _("Returned. Whoever assigned it will route it again.")

    return _act(assignment_id, ReturnForm, "return_form", act)


@bp.post("/handling/<int:assignment_id>/extension")
def extension(assignment_id):
    def act(assignment, form):
        handling.request_extension(assignment, current_user, form.until.data, form.reason.data)
        return _("More time is asked for. You will be told of the decision.")

    return _act(assignment_id, ExtensionForm, "extension_form", act)


# The assigning side: route, escalate, decide extensions, urge ------------------------------------

def _route_page(issue, status=200, **forms):
    departments = list(handling.departments_for(issue))
    default = handling.default_department(issue)
    forms.setdefault("classify_form", ClassifyForm(
        formdata=None, data={"category": issue.category_id, "level": issue.level}))
    forms.setdefault("assign_form", AssignForm(
        formdata=None, departments=departments, data={"lead": default.id if default else None}))
    forms.setdefault("escalate_form", EscalateForm(formdata=None))
    forms.setdefault("decide_form", DecideExtensionForm(formdata=None))
    forms.setdefault("urge_form", UrgeForm(formdata=None))
    current = handling.current(issue)
    return render(
        "handling/route.html", status=status, issue=issue, venue=issue.venue, current=current,
        departments=departments, due=handling.due_date(issue, timefmt.local_date()),
        today=timefmt.local_date(), **forms,
    )


def _issue_to_route(issue_id):
    return get_issue(issue_id, check=permissions.can_assign)


@bp.get("/issues/<int:issue_id>/route")
def route(issue_id):
    return _route_page(_issue_to_route(issue_id))


def _routed(issue, message, act, **forms):
    """Take the step and go back to the routing page; on a refusal, the page again (422) saying why."""
    try:
        act()
    except handling.HandlingError as error:
        _refused(error)
        return _route_page(issue, status=422, **forms)
    flash(message, "success")
    return see_other(url_for("handling.route", issue_id=issue.id))


@bp.post("/issues/<int:issue_id>/classify")
def classify(issue_id):
    issue = _issue_to_route(issue_id)
    form = ClassifyForm()
    if not form.validate_on_submit():
        return _route_page(issue, status=422, classify_form=form)
    category = Category.get_or_none(Category.id == form.category.data)
    return _routed(issue, _("Category and level are set."),
                   lambda: handling.classify(issue, current_user, category, form.level.data),
                   classify_form=form)


@bp.post("/issues/<int:issue_id>/assign")
def assign(issue_id):
    issue = _issue_to_route(issue_id)
    departments = list(handling.departments_for(issue))
    form = AssignForm(departments=departments)
    if not form.validate_on_submit():
        return _route_page(issue, status=422, assign_form=form)
    by_id = {d.id: d for d in departments}
    return _routed(
        issue, _("Assigned. The departments are told."),
        lambda: handling.assign(issue, current_user, by_id[form.lead.data],
                                co=[by_id[i] for i in form.co.data or []], due_on=form.due_on.data,
                                note=form.note.data),
        assign_form=form,
    )


@bp.post("/issues/<int:issue_id>/escalate")
def escalate(issue_id):
    issue = _issue_to_route(issue_id)
    form = EscalateForm()
    if not form.validate_on_submit():
        return _route_page(issue, status=422, escalate_form=form)
    return _routed(issue, _("Escalated. Route it to a department of the new level."),
                   lambda: handling.escalate(issue, current_user, form.reason.data), escalate_form=form)


def _assignment_to_route(assignment_id):
    return _assignment(assignment_id, lambda user, a: permissions.can_assign(user, a.issue))


@bp.post("/handling/<int:assignment_id>/extension/decide")
def decide_extension(assignment_id):
    assignment = _assignment_to_route(assignment_id)
    form = DecideExtensionForm()
    if not form.validate_on_submit():
        return _route_page(assignment.issue, status=422, decide_form=form)
    grant = form.decision.data == "grant"
    return _routed(
        assignment.issue, _("The new date is granted.") if grant else _("The extension is refused."),
        lambda: handling.decide_extension(assignment, current_user, grant, form.note.data),
        decide_form=form,
    )


@bp.post("/handling/<int:assignment_id>/urge")
def urge(assignment_id):
    assignment = _assignment(assignment_id, lambda user, a: permissions.can_urge(user, a.issue))
    form = UrgeForm()
    if not form.validate_on_submit():
        return _route_page(assignment.issue, status=422, urge_form=form)
    return _routed(assignment.issue, _("Urged. The department is told."),
                   lambda: handling.urge(assignment, current_user, form.note.data), urge_form=form)


# The resident's rating ------------------------------------------------------------------------------

@bp.route("/issues/<int:issue_id>/rate", methods=["GET", "POST"])
def rate(issue_id):
    issue = get_issue(issue_id, check=permissions.can_rate)
    form = RateForm()
    if form.validate_on_submit():
        try:
            handling.rate(issue, current_user, form.rating.data, form.comment.data)
        except handling.HandlingError as error:
            _refused(error)
        else:
            reopened = Issue.get_by_id(issue.id).status == "in_progress"
            flash(_("Thank you. The department is asked to look at it again.") if reopened
                  else _("Thank you for rating how it was handled."), "success")
            return see_other(url_for("issues.show", issue_id=issue.id))
    return render("handling/rate.html", status=422 if form.is_submitted() else 200, issue=issue,
                  form=form, answer=handling.latest_answer(issue), ratable=issue.status in ("resolved", "explained"))

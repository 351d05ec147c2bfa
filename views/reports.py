"""The special report (民情专报): the public list, a page per report with how each matter was handled
since, its print view (A4, static/report-print.css) and its Word file; and the compiling pages for
deputies and admins (draft, matters chosen with filters kept in the address, a note per matter,
summary, preview, publish, correction).

Every act is a plain form post answered with 303, or the page again with the messages (422); an act
on a report published meanwhile (a form sent again, a second tab) answers 409 with the report's page.
The rules are in domain/reports.py, who may in domain/permissions.py.
"""
from flask import Blueprint, abort, current_app, flash, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from domain import permissions, reports
from forms import ReportAddForm, ReportDraftForm, ReportMoveForm, ReportNoteForm, ReportPublishForm
from models import Issue, Report
from views import Page, render, require, see_other

bp = Blueprint("reports", __name__)

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# What each rule that refuses an act says (ReportError.code).
REFUSALS = {
    "published": _l("This report has already been published and can no longer be changed. "
                    "To put something right, start a correction."),
    "not_published": _l("Only a published report can be corrected."),
    "empty": _l("This report has no matters yet. Add at least one before publishing."),
    "not_city": _l("Only city-level matters go into a special report. Escalate the matter to the city first."),
    "hidden": _l("This matter was hidden by moderation and cannot be reported."),
    "reported": _l("This matter is already in another published special report."),
    "status": _l("Only matters that were taken up and are not yet answered go into a special report."),
    "duplicate": _l("This matter is already in this report."),
    "no_item": _l("This matter is not in this report."),
    "no_department": _l("The city has no handling department for this matter. An administrator must add one first."),
    "title": _l("Please give the report a title."),
    "summary": _l("The summary is too long."),
    "note": _l("The note is too long."),
    "direction": _l("Please choose one of the options."),
    "corrects": _l("Only a published report can be corrected."),
}


def _refusal(error):
    message = str(REFUSALS.get(error.code, REFUSALS["status"]))
    if error.issue is not None:
        message = f"{message} (#{error.issue.id} {error.issue.title})"
    return message


def _report(report_id, check):
    """The report `report_id` (404 if none) when `check(current_user, report)` allows it."""
    report = reports.load(report_id)
    if report is None:
        abort(404)
    if not check(current_user, report):
        require(False)  # visitors go to the login page, others get 403
    return report


def _chinese():
    return str(get_locale()) != "en"


def _heading(n):
    """一、二、… in Chinese, 1. 2. … in English."""
    return reports.heading_number(n, _chinese())


# Reading ---------------------------------------------------------------------------------------

@bp.get("/reports")
def index():
    compiles = permissions.can_compile_reports(current_user)
    return render("reports/index.html", listing=Page(Report.published()),
                  drafts=list(Report.drafts().limit(50)) if compiles else [], compiles=compiles,
                  label_of=reports.issue_label)


def _show(report, status=200):
    sheet = reports.Sheet(report)
    return render("reports/show.html", status=status, sheet=sheet, report=report,
                  can_edit=permissions.can_edit_report(current_user, report),
                  publish_form=ReportPublishForm(formdata=None), label_of=reports.issue_label,
                  heading=_heading)


@bp.get("/reports/<int:report_id>")
def show(report_id):
    return _show(_report(report_id, permissions.can_see_report))


@bp.get("/reports/<int:report_id>/print")
def print_view(report_id):
    report = _report(report_id, permissions.can_see_report)
    return render("reports/print.html", sheet=reports.Sheet(report), report=report,
                  heading=_heading, label_of=reports.issue_label)


@bp.get("/reports/<int:report_id>/docx")
def docx(report_id):
    report = _report(report_id, permissions.can_see_report)
    body = reports.to_docx(reports.Sheet(report), chinese=_chinese())
    name = (f"report-{report.year}-{report.number:02d}.docx" if report.number is not None
            else f"report-draft-{report.id}.docx")
    response = current_app.response_class(body, mimetype=DOCX_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-cache, private"
    return response


# Compiling -------------------------------------------------------------------------------------

@bp.route("/reports/new", methods=["GET", "POST"])
def new():
    require(permissions.can_compile_reports(current_user))
    form = ReportDraftForm()
    if form.validate_on_submit():
        try:
            report = reports.create_draft(current_user, form.title.data, form.summary.data)
        except reports.ReportError as error:
            flash(_refusal(error), "error")
        else:
            flash(_("Draft started. Now choose the matters it reports."), "success")
            return see_other(url_for("reports.edit", report_id=report.id))
    status = 422 if request.method == "POST" else 200
    return render("reports/new.html", status=status, form=form)


def _edit_page(report, status=200, draft_form=None, note_forms=None, add_form=None):
    filters = reports.Filters.from_args(request.args)
    items = reports.items_of(report)
    forms = {item.issue_id: ReportNoteForm(formdata=None, prefix=f"item{item.issue_id}", note=item.note)
             for item in items}
    forms.update(note_forms or {})
    return render(
        "reports/edit.html", status=status, report=report, items=items, note_forms=forms,
        draft_form=draft_form or ReportDraftForm(formdata=None, obj=report),
        add_form=add_form or ReportAddForm(formdata=None), move_form=ReportMoveForm(formdata=None),
        publish_form=ReportPublishForm(formdata=None), filters=filters,
        candidates=Page(reports.candidates(report, filters)), choices=reports.filter_choices(),
        filter_args=filters.args(), towns=reports.towns_of(items), label_of=reports.issue_label,
    )


def _refused(report, error, **forms):
    """The answer to an act the report's rules refuse: the report's page (409) when it was published
    meanwhile, else the compiling page again with the reason (422)."""
    flash(_refusal(error), "error")
    if error.code == "published":
        return _show(reports.load(report.id), status=409)
    return _edit_page(report, status=422, **forms)


def _back(report):
    """Back to the compiling page, the candidates' filters kept."""
    return see_other(url_for("reports.edit", report_id=report.id,
                             **reports.Filters.from_args(request.args).args()))


@bp.get("/reports/<int:report_id>/edit")
def edit(report_id):
    report = _report(report_id, permissions.can_edit_report)
    if report.state != "draft":
        flash(str(REFUSALS["published"]), "error")
        return see_other(url_for("reports.show", report_id=report.id))
    return _edit_page(report)


@bp.post("/reports/<int:report_id>/edit")
def update(report_id):
    report = _report(report_id, permissions.can_edit_report)
    form = ReportDraftForm()
    if not form.validate_on_submit():
        return _edit_page(report, status=422, draft_form=form)
    try:
        reports.update_draft(report, current_user, form.title.data, form.summary.data)
    except reports.ReportError as error:
        return _refused(report, error, draft_form=form)
    flash(_("Title and summary saved."), "success")
    return _back(report)


@bp.post("/reports/<int:report_id>/items")
def add_item(report_id):
    report = _report(report_id, permissions.can_edit_report)
    form = ReportAddForm()
    issue = Issue.get_or_none(Issue.id == form.issue.data) if form.validate_on_submit() else None
    if issue is None:
        flash(_("Please choose a matter from the list."), "error")
        return _edit_page(report, status=422, add_form=form)
    try:
        reports.add_item(report, current_user, issue)
    except reports.ReportError as error:
        return _refused(report, error, add_form=form)
    flash(_("Added: %(title)s", title=issue.title), "success")
    return _back(report)


@bp.post("/reports/<int:report_id>/items/<int:issue_id>/note")
def note(report_id, issue_id):
    report = _report(report_id, permissions.can_edit_report)
    form = ReportNoteForm(prefix=f"item{issue_id}")
    if not form.validate_on_submit():
        return _edit_page(report, status=422, note_forms={issue_id: form})
    try:
        reports.set_note(report, current_user, issue_id, form.note.data)
    except reports.ReportError as error:
        return _refused(report, error, note_forms={issue_id: form})
    flash(_("Note saved."), "success")
    return _back(report)


@bp.post("/reports/<int:report_id>/items/<int:issue_id>/move")
def move(report_id, issue_id):
    report = _report(report_id, permissions.can_edit_report)
    form = ReportMoveForm()
    if not form.validate_on_submit():
        flash(str(REFUSALS["direction"]), "error")
        return _edit_page(report, status=422)
    try:
        reports.move_item(report, current_user, issue_id, form.direction.data)
    except reports.ReportError as error:
        return _refused(report, error)
    return _back(report)


@bp.post("/reports/<int:report_id>/items/<int:issue_id>/remove")
def remove_item(report_id, issue_id):
    report = _report(report_id, permissions.can_edit_report)
    if not ReportPublishForm().validate_on_submit():
        abort(400)
    try:
        reports.remove_item(report, current_user, issue_id)
    except reports.ReportError as error:
        return _refused(report, error)
    flash(_("Taken out of the report."), "success")
    return _back(report)


@bp.post("/reports/<int:report_id>/publish")
def publish(report_id):
    report = _report(report_id, permissions.can_edit_report)
    if not ReportPublishForm().validate_on_submit():
        abort(400)
    try:
        reports.publish(report, current_user)
    except reports.ReportError as error:
        return _refused(report, error)
    flash(_("Published as %(label)s. Each matter is on its way to its city department.",
            label=reports.issue_label(report)), "success")
    return see_other(url_for("reports.show", report_id=report.id))


@bp.post("/reports/<int:report_id>/discard")
def discard(report_id):
    report = _report(report_id, permissions.can_edit_report)
    if not ReportPublishForm().validate_on_submit():
        abort(400)
    try:
        reports.discard(report, current_user)
    except reports.ReportError as error:
        return _refused(report, error)
    flash(_("The draft was thrown away."), "success")
    return see_other(url_for("reports.index"))


@bp.post("/reports/<int:report_id>/correct")
def correct(report_id):
    report = _report(report_id, permissions.can_edit_report)
    if not ReportPublishForm().validate_on_submit():
        abort(400)
    try:
        correction = reports.start_correction(report, current_user)
    except reports.ReportError as error:
        flash(_refusal(error), "error")
        return _show(report, status=409)
    flash(_("A correction was started with the same matters and notes. Put right what was wrong, then publish it."),
          "success")
    return see_other(url_for("reports.edit", report_id=correction.id))

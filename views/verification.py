"""Residents joining a venue: asking, being verified or refused, invite codes and personal codes."""
from flask import Blueprint, flash, make_response, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from playhouse.flask_utils import get_object_or_404

from domain import memberships, posters
from domain.permissions import can_join, can_manage_members, can_verify
from forms import InviteCodeForm, PersonalCodesForm, RefuseForm, VotingRuleForm
from models import PersonalCode
from views import answer, get_membership, get_venue, public_url, render, require, safe_next, see_other

bp = Blueprint("verification", __name__)


def _login_first(next_url):
    """Visitors are sent to log in, and come back to `next_url` (a page, not this POST)."""
    return see_other(url_for("auth.login", next=next_url))


@bp.post("/v/<slug>/join")
def join(slug):
    venue = get_venue(slug)
    back = safe_next(url_for("venues.show", slug=venue.slug))
    if not current_user.is_authenticated:
        return _login_first(back)
    require(can_join(current_user, venue))
    membership = memberships.request_join(current_user, venue)
    if membership.status == "verified":
        flash(_("You are a verified resident of %(venue)s.", venue=venue.name), "info")
    else:
        flash(_("Your request is sent. A councillor of %(venue)s will verify it; until then you "
                "cannot vote here.", venue=venue.name), "success")
    return see_other(back)


def _requests_page(venue, refuse_forms=None, rule_form=None, status=200):
    pending = list(memberships.pending_requests(venue))
    refuse_forms = refuse_forms or {}
    for membership in pending:
        refuse_forms.setdefault(membership.id, RefuseForm(formdata=None, prefix=f"r{membership.id}"))
    if rule_form is None:
        rule_form = VotingRuleForm(formdata=None)
        rule_form.open_to_all.data = "all" if venue.voting_open_to_all else "residents"
    return render(
        "verification/requests.html", venue=venue, pending=pending, refuse_forms=refuse_forms,
        decided=list(memberships.decided_requests(venue)), rule_form=rule_form, status=status,
    )


@bp.get("/v/<slug>/requests")
def requests(slug):
    venue = get_venue(slug, check=can_manage_members)
    return _requests_page(venue)


@bp.post("/v/<slug>/requests/<int:membership_id>/verify")
def verify(slug, membership_id):
    venue = get_venue(slug, check=can_manage_members)
    membership = get_membership(venue, membership_id, check=can_verify)
    memberships.verify(membership, current_user)
    message = _("%(name)s is now a verified resident.", name=membership.user.display_name)
    return answer(url_for("verification.requests", slug=venue.slug), "verification/_decided.html",
                  flash_message=message, membership=membership, message=message, venue=venue,
                  pending_count=memberships.pending_requests(venue).count())


@bp.post("/v/<slug>/requests/<int:membership_id>/refuse")
def refuse(slug, membership_id):
    venue = get_venue(slug, check=can_manage_members)
    membership = get_membership(venue, membership_id, check=can_verify)
    form = RefuseForm(prefix=f"r{membership.id}")
    if not form.validate_on_submit():
        return _requests_page(venue, refuse_forms={membership.id: form}, status=422)
    memberships.refuse(membership, current_user, form.reason.data)
    flash(_("The request of %(name)s is refused.", name=membership.user.display_name), "success")
    return see_other(url_for("verification.requests", slug=venue.slug))


@bp.post("/v/<slug>/voting-rule")
def voting_rule(slug):
    venue = get_venue(slug, check=can_manage_members)
    form = VotingRuleForm()
    if not form.validate_on_submit():
        return _requests_page(venue, rule_form=form, status=422)
    memberships.set_voting_open_to_all(venue, current_user, form.open_to_all.data == "all")
    flash(_("Saved: who may vote here."), "success")
    return see_other(url_for("verification.requests", slug=venue.slug))


def _code_errors(outcome, venue):
    """What the join page says when a code did not verify or send a request."""
    name = venue.name if venue is not None else ""
    return {
        memberships.REFUSED: _("A councillor of %(venue)s refused your request, and a code does not "
                               "change that. Please talk to a councillor.", venue=name),
        memberships.USED: _("This personal code has been used already. Each code works once: ask "
                            "the councillor for a new one."),
        memberships.REVOKED: _("This personal code was withdrawn by a councillor. Ask them for a new one."),
    }.get(outcome, _("No venue has this code. Please check the notice, or ask a councillor."))


@bp.route("/join", methods=["GET", "POST"])
def join_with_code():
    form = InviteCodeForm()
    if request.method == "GET" and request.args.get("code"):
        form.code.data = request.args.get("code", "")[:20]
    if form.validate_on_submit():
        if not current_user.is_authenticated:
            return _login_first(url_for("verification.join_with_code", code=form.code.data))
        outcome, venue = memberships.join_with_code(current_user, form.code.data)
        if outcome == memberships.VERIFIED:
            flash(_("Welcome! You are a verified resident of %(venue)s and can vote there.",
                    venue=venue.name), "success")
            return see_other(url_for("venues.show", slug=venue.slug))
        if outcome == memberships.REQUESTED:
            flash(_("Your request to join %(venue)s is sent. A councillor will verify it; until then "
                    "you cannot vote there.", venue=venue.name), "success")
            return see_other(url_for("venues.show", slug=venue.slug))
        if outcome == memberships.ALREADY:
            flash(_("You are a verified resident of %(venue)s.", venue=venue.name), "info")
            return see_other(url_for("venues.show", slug=venue.slug))
        form.code.errors.append(_code_errors(outcome, venue))
    return render("verification/join.html", form=form, status=422 if form.is_submitted() else 200)


# Personal codes -------------------------------------------------------------------------------

def _codes_page(venue, form=None, status=200):
    return render("verification/codes.html", venue=venue, codes=list(memberships.personal_codes(venue)),
                  shown=memberships.CODES_SHOWN, form=form or PersonalCodesForm(formdata=None), status=status)


@bp.get("/v/<slug>/codes")
def codes(slug):
    venue = get_venue(slug, check=can_manage_members)
    return _codes_page(venue)


@bp.post("/v/<slug>/codes")
def make_codes(slug):
    """Make a sheet of personal codes and answer with it: the one time the codes are shown, so
    the answer is a page to print, not a redirect, and no cache may keep it."""
    venue = get_venue(slug, check=can_manage_members)
    form = PersonalCodesForm()
    if not form.validate_on_submit():
        return _codes_page(venue, form=form, status=422)
    sheet = memberships.make_personal_codes(venue, current_user, form.count.data)
    join_url = public_url("verification.join_with_code")
    body, status = render("verification/code_sheet.html", venue=venue, sheet=sheet, join_url=join_url)
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/v/<slug>/codes/<int:code_id>/revoke")
def revoke_code(slug, code_id):
    venue = get_venue(slug, check=can_manage_members)
    personal = get_object_or_404(PersonalCode.select(), (PersonalCode.id == code_id) & (PersonalCode.venue == venue.id))
    if memberships.revoke_personal_code(personal, current_user):
        flash(_("Code No. %(number)d is withdrawn: it no longer works.", number=personal.number), "success")
    else:
        flash(_("Code No. %(number)d was already used or withdrawn.", number=personal.number), "info")
    return see_other(url_for("verification.codes", slug=venue.slug))


@bp.get("/v/<slug>/invite")
def invite(slug):
    venue = get_venue(slug, check=can_manage_members)
    join_url = public_url("verification.join_with_code", code=venue.invite_code) if venue.invite_code else None
    qr = posters.qr_svg(join_url, _("QR code of the page to join %(venue)s: %(url)s", venue=venue.name,
                                     url=join_url)) if join_url else None
    return render("verification/invite.html", venue=venue, join_url=join_url, qr=qr,
                  site_url=public_url("main.index"))


@bp.post("/v/<slug>/invite/rotate")
def rotate(slug):
    venue = get_venue(slug, check=can_manage_members)
    had_code = bool(venue.invite_code)
    memberships.rotate_code(venue, current_user)
    if had_code:
        flash(_("A new code is made. The old code no longer works: print the new notice."), "success")
    else:
        flash(_("The invite code is made. Print the notice for the notice board."), "success")
    return see_other(url_for("verification.invite", slug=venue.slug))

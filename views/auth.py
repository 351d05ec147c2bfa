"""Accounts: register, log in and out, profile and password; sessions that end when asked; a
person's own data (download it, delete the account) and the privacy notice."""
import json

from flask import Blueprint, flash, make_response, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from peewee import IntegrityError

from domain import accounts, privacy
from forms import DeleteAccountForm, LoginForm, PasswordForm, ProfileForm, RegisterForm
from models import User, db, utcnow
from views import LARGE_TEXT_COOKIE, render, safe_next, see_other
from views.limits import limited

bp = Blueprint("auth", __name__)

# Where a user who must change a temporary password may still go.
OPEN_WHILE_CHANGING = {"auth.password", "auth.logout", "main.language", "static", "auth.privacy_notice"}


@bp.before_app_request
def force_password_change():
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in OPEN_WHILE_CHANGING
    ):
        flash(_("Please choose a new password before you go on."), "info")
        return see_other(url_for("auth.password"))


@bp.route("/register", methods=["GET", "POST"])
@limited("register")
def register():
    if current_user.is_authenticated:
        return see_other(url_for("main.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        user = User(
            username=form.username.data,
            display_name=form.display_name.data,
            locale=request.cookies.get("lang") if request.cookies.get("lang") in ("zh_Hans", "en") else None,
            large_text=_chose_large_text(),
        )
        user.set_password(form.password.data)
        try:
            with db.atomic():
                user.save()
        except IntegrityError:
            form.username.errors.append(_("This username is taken. Please choose another."))
        else:
            login_user(user)
            flash(_("Welcome, %(name)s! Your account is ready.", name=user.display_name), "success")
            return see_other(safe_next(url_for("main.index")))
    status = 422 if form.is_submitted() else 200
    return render("auth/register.html", form=form, status=status)


def _chose_large_text():
    """Whether this browser was switched to the large-text mode before signing in: the account
    keeps it, so the text does not shrink as its reader signs in (it is not switched off here:
    the account may have chosen it on another device)."""
    return request.cookies.get(LARGE_TEXT_COOKIE) == "1"


@bp.route("/login", methods=["GET", "POST"])
@limited("login")
def login():
    if current_user.is_authenticated:
        return see_other(safe_next(url_for("main.index")))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = User.authenticate(form.username.data, form.password.data)
        if user is None:
            error = _("Wrong username or password. Please try again.")
        elif not user.active:
            error = _("This account has been deactivated. Please ask the site administrator.")
        else:
            login_user(user)
            if _chose_large_text():
                accounts.set_large_text(user, True)
            flash(_("You are logged in."), "success")
            return see_other(safe_next(url_for("main.index")))
    status = 422 if form.is_submitted() else 200
    return render("auth/login.html", form=form, error=error, status=status)


@bp.post("/logout")
def logout():
    # The session's cookie stops working for good, even where someone copied it.
    if current_user.is_authenticated:
        current_user.end_sessions()
    logout_user()
    flash(_("You are logged out."), "success")
    return see_other(url_for("main.index"))


@bp.post("/profile/sessions/end")
@login_required
def end_sessions():
    """Sign out everywhere: every browser and device this account is logged in on, this one too."""
    current_user.end_sessions()
    logout_user()
    flash(_("You are signed out everywhere. Log in again to go on."), "success")
    return see_other(url_for("main.index"))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if request.method == "GET" and not current_user.locale:
        form.locale.data = request.cookies.get("lang") or "zh_Hans"
    if form.validate_on_submit():
        with db.atomic():
            current_user.display_name = form.display_name.data
            current_user.phone = form.phone.data or None
            current_user.email = form.email.data or None
            current_user.locale = form.locale.data
            current_user.save()
        flash(_("Your profile is saved."), "success")
        return see_other(url_for("auth.profile"))
    status = 422 if form.is_submitted() else 200
    return render(
        "auth/profile.html", form=form, memberships=list(current_user.memberships()), status=status
    )


@bp.route("/profile/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append(_("This is not your current password."))
        else:
            with db.atomic():
                current_user.set_password(form.password.data)
                current_user.must_change_password = False
                current_user.save()
                # Whoever knew the old password is signed out; this browser stays signed in.
                current_user.end_sessions()
            login_user(current_user._get_current_object())
            flash(_("Your password is changed. You are signed out everywhere else."), "success")
            return see_other(url_for("auth.profile"))
    status = 422 if form.is_submitted() else 200
    return render("auth/password.html", form=form, status=status)


@bp.get("/profile/data.json")
@login_required
def my_data():
    """Everything the site holds about the reader, as a JSON file to keep."""
    body = json.dumps(privacy.export(current_user), ensure_ascii=False, indent=2)
    response = make_response(body)
    response.headers["Content-Type"] = "application/json; charset=utf-8"
    stamp = utcnow().strftime("%Y%m%d")
    response.headers["Content-Disposition"] = f'attachment; filename="yishi-my-data-{stamp}.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/profile/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    """Delete the reader's account, once they confirm with their password."""
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.password.data):
            form.password.errors.append(_("This is not your current password."))
        else:
            try:
                privacy.delete_account(current_user)
            except privacy.LastAdmin:
                form.password.errors.append(
                    _("You are the last site admin. Make someone else an admin first.")
                )
            else:
                logout_user()
                flash(_("Your account is deleted. What you wrote stays, as by a former resident."), "success")
                return see_other(url_for("main.index"))
    status = 422 if form.is_submitted() else 200
    return render("auth/delete.html", form=form, status=status)


@bp.get("/privacy")
def privacy_notice():
    """What the site keeps about people, why, and for how long."""
    return render("auth/privacy.html")

"""Accounts: register, log in and out, profile and password."""
from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from peewee import IntegrityError

from forms import LoginForm, PasswordForm, ProfileForm, RegisterForm
from models import User, db
from views import render, safe_next, see_other

bp = Blueprint("auth", __name__)

# Where a user who must change a temporary password may still go.
OPEN_WHILE_CHANGING = {"auth.password", "auth.logout", "main.language", "static"}


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
def register():
    if current_user.is_authenticated:
        return see_other(url_for("main.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        user = User(
            username=form.username.data,
            display_name=form.display_name.data,
            locale=request.cookies.get("lang") if request.cookies.get("lang") in ("zh_Hans", "en") else None,
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


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return see_other(safe_next(url_for("main.index")))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = User.by_username(form.username.data)
        if user is None or not user.check_password(form.password.data):
            error = _("Wrong username or password. Please try again.")
        elif not user.active:
            error = _("This account has been deactivated. Please ask the site administrator.")
        else:
            login_user(user)
            flash(_("You are logged in."), "success")
            return see_other(safe_next(url_for("main.index")))
    status = 422 if form.is_submitted() else 200
    return render("auth/login.html", form=form, error=error, status=status)


@bp.post("/logout")
def logout():
    logout_user()
    flash(_("You are logged out."), "success")
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
            flash(_("Your password is changed."), "success")
            return see_other(url_for("auth.profile"))
    status = 422 if form.is_submitted() else 200
    return render("auth/password.html", form=form, status=status)

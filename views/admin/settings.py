"""Site settings: the site's name, sponsoring office, contact phone, ICP filing number and about
text, shown on every page (domain/site.py)."""
from flask import current_app, flash, url_for
from flask_babel import gettext as _
from flask_login import current_user

from domain import site
from views import render, see_other
from views.admin import bp, form_status
from views.admin.forms import SiteSettingsForm


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    identity = current_app.extensions["site_identity"]
    form = SiteSettingsForm(data=identity.saved_values())
    if form.validate_on_submit():
        site.save_settings(current_user, form.values())
        flash(_("The site settings are saved."), "success")
        return see_other(url_for("admin.settings"))
    return render("admin/settings.html", form=form, defaults=identity.defaults, status=form_status(form))

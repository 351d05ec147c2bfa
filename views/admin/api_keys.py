"""Administration of Open311 API keys: issue one to a piece of civic software, name it, revoke it.

The clear key is shown once, on the page that answers the POST which created it: it is never
stored, and a redirect would have to carry it through the session cookie.
"""
from flask import flash, url_for
from flask_babel import gettext as _
from flask_login import current_user
from playhouse.flask_utils import get_object_or_404

from domain import open311
from models import ApiKey
from views import render, see_other
from views.admin import bp, form_status
from views.admin.forms import ApiKeyForm


def _page(form, new_key=None, clear_key=None, status=200):
    body, code = render(
        "admin/api_keys.html", form=form, keys=list(open311.keys()), new_key=new_key, clear_key=clear_key,
        jurisdiction=open311.jurisdiction(), status=status,
    )
    return body, code, {"Cache-Control": "no-store"}


@bp.get("/api-keys")
def api_keys():
    return _page(ApiKeyForm())


@bp.post("/api-keys")
def api_key_new():
    form = ApiKeyForm()
    if not form.validate_on_submit():
        return _page(form, status=form_status(form))
    key, clear = open311.issue_key(form.name.data, current_user)
    return _page(ApiKeyForm(formdata=None), new_key=key, clear_key=clear, status=201)


@bp.post("/api-keys/<int:key_id>/revoke")
def api_key_revoke(key_id):
    key = get_object_or_404(ApiKey.select(), ApiKey.id == key_id)
    if open311.revoke_key(key, current_user):
        flash(_("The key %(name)s is revoked: requests carrying it are refused.", name=key.name), "success")
    return see_other(url_for("admin.api_keys"))

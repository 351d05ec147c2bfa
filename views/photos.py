"""Photos: their files, served to whoever may read their issue, and the author's page to add and
remove their issue's photos while it is open. Uploads are checked in forms.PhotoFields, kept by
domain/photos.py."""
from flask import Blueprint, abort, flash, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from domain import permissions, photos
from forms import AddPhotosForm
from models import Photo
from views import get_issue, render, see_other
from views.limits import accepts_photos

bp = Blueprint("photos", __name__)

# A file never changes under its key (a new photo gets a new key). Kept by the reader's browser
# only: a shared cache would go on serving the photo of an issue hidden since.
CACHE = "private, max-age=31536000, immutable"


def _send(key, thumb):
    photo = photos.visible(current_user, key)
    path = photos.path_of(key, photo.format, thumb) if photo is not None else None
    if path is None:
        abort(404)
    try:
        response = send_file(path, mimetype=photos.MIMETYPES[photo.format], conditional=True,
                             etag=f"{key}{'-thumb' if thumb else ''}", max_age=31536000)
    except FileNotFoundError:
        abort(404)
    response.headers["Cache-Control"] = CACHE
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    return response


@bp.get("/photos/<key>")
def show(key):
    return _send(key, thumb=False)


@bp.get("/photos/<key>/thumb")
def thumb(key):
    return _send(key, thumb=True)


def _issue_of_author(issue_id):
    return get_issue(issue_id, check=permissions.can_change_photos,
                     message=_("Photos can be added or removed by the issue's author while it is open."))


def _page(issue, form, status=200):
    present = list(Photo.own(issue.id))
    return render("issues/photos.html", status=status, issue=issue, venue=issue.venue, form=form,
                  photos=present, free=photos.MAX_PHOTOS - len(present))


@bp.route("/issues/<int:issue_id>/photos", methods=["GET", "POST"])
@accepts_photos
def manage(issue_id):
    """The author's photos of an open issue: add up to four in all, remove any."""
    issue = _issue_of_author(issue_id)
    form = AddPhotosForm()
    if form.validate_on_submit():
        if not form.prepared:
            form.form_errors.append(_("Please choose a photo."))
        else:
            try:
                photos.add(issue, current_user._get_current_object(), form.prepared)
            except photos.PhotoError as error:
                form.form_errors.append(error.message)
            else:
                flash(_("The photos are added."), "success")
                return see_other(url_for("issues.show", issue_id=issue.id))
    return _page(issue, form, 422 if form.is_submitted() else 200)


@bp.post("/issues/<int:issue_id>/photos/<key>/remove")
def remove(issue_id, key):
    issue = _issue_of_author(issue_id)
    if not photos.remove(issue, current_user._get_current_object(), key):
        abort(404)
    flash(_("The photo is removed."), "success")
    return see_other(url_for("photos.manage", issue_id=issue.id))

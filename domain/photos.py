"""Photos on issues and on departments' answers: check and re-encode an upload, keep its files,
attach it, take it away.

An upload is never kept as it came. Pillow must decode it as JPEG, PNG or WebP (a forged file, an
HTML or SVG page named .jpg, does not decode and is refused; SVG is never taken); it is turned as
its EXIF says, then drawn again into a new file without any of its metadata (EXIF with the place it
was taken, XMP, comments, colour profiles), at most FULL_SIZE pixels on its long side, and a
thumbnail of THUMB_SIZE: JPEG, or PNG when it has transparency. Pictures of more than MAX_PIXELS
are refused before they are decoded (a small file can unpack to gigabytes).

The files live under the media folder (config MEDIA_DIR, YISHI_MEDIA_DIR; instance/media by default),
which several hosts may share, named by a random key: `<key[:2]>/<key>.jpg` and `<key>.thumb.jpg`.
"""
import io
import os
import re
import secrets
import tempfile

from flask import current_app, g, has_request_context
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from domain import permissions
from models import Issue, Photo, db, utcnow

MAX_PHOTOS = 4  # on an issue, and on an answer
MAX_BYTES = 8 * 1024 * 1024  # one file, as sent (config PHOTO_MAX_BYTES)
MAX_PIXELS = 50_000_000  # width × height of what is sent, checked before decoding
FULL_SIZE = 1600
THUMB_SIZE = 320
ALT_LENGTH = 200
# What Pillow calls the formats taken (its JPEG reader also reads MPO, the JPEG some cameras write
# with a second picture). No HEIC: Pillow cannot read it without a plugin.
FORMATS = ("JPEG", "PNG", "WEBP")
KEY = re.compile(r"[0-9a-f]{32}")
EXTENSIONS = {"jpeg": "jpg", "png": "png"}
MIMETYPES = {"jpeg": "image/jpeg", "png": "image/png"}
# Register every format plugin now: Image.open(formats=…) looks only among those registered.
Image.init()

ERRORS = {
    "too_many": _l("At most %(num)d photos.", num=MAX_PHOTOS),
    "type": _l("This file is not a photo the site takes. Please choose a JPEG, PNG or WebP picture."),
    "unreadable": _l("This photo cannot be read: the file may be damaged. Please choose another."),
    "too_many_pixels": _l("This picture is too large to process. Please choose a smaller one."),
}


class PhotoError(Exception):
    """An upload the site does not take; `code` is a key of ERRORS."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code

    @property
    def message(self):
        if self.code == "too_large":
            return gettext("This photo is larger than %(num)d MB. Please choose a smaller one.",
                           num=max_bytes() // 2**20)
        return ERRORS[self.code]


class Prepared:
    """An upload decoded and re-encoded, ready to be kept: its two files' bytes and its sizes."""

    def __init__(self, fmt, full, thumb, alt=""):
        self.format = fmt
        self.full, self.full_bytes = full
        self.thumb, self.thumb_bytes = thumb
        self.alt = alt


def max_bytes():
    return current_app.config.get("PHOTO_MAX_BYTES") or MAX_BYTES


def request_limit():
    """The most a request carrying photos may hold: a full set, and the form's text beside them."""
    return MAX_PHOTOS * max_bytes() + current_app.config["MAX_CONTENT_LENGTH"]


def _size(stream):
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def _has_transparency(image):
    return image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)


def _encode(image, fmt, box):
    """`image` made to fit `box` pixels and written afresh as `fmt`: (size, bytes)."""
    copy = image.copy()
    copy.thumbnail((box, box), Image.Resampling.LANCZOS)
    copy.info = {}  # nothing of the upload's own travels on: no EXIF, XMP, ICC, comments
    out = io.BytesIO()
    if fmt == "png":
        copy.save(out, "PNG", optimize=True)
    else:
        copy.save(out, "JPEG", quality=85, optimize=True, progressive=True)
    return copy.size, out.getvalue()


def prepare(stream, alt=""):
    """Check and re-encode one upload (a file object): a Prepared, or PhotoError saying why not."""
    if _size(stream) > max_bytes():
        raise PhotoError("too_large")
    try:
        # Pillow refuses (or warns about) a picture bigger than its own limit as it opens it; a
        # smaller one over ours is refused here, before anything is decoded.
        with Image.open(stream, formats=FORMATS) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise PhotoError("too_many_pixels")
            if image.format in ("JPEG", "MPO"):
                # Decode a big JPEG at a fraction of its size: no more memory than needed.
                image.draft("RGB", (FULL_SIZE, FULL_SIZE))
            image.load()
            upright = ImageOps.exif_transpose(image)
    except PhotoError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoError("too_many_pixels") from None
    except UnidentifiedImageError:
        raise PhotoError("type") from None
    except (OSError, ValueError, SyntaxError, EOFError, IndexError, TypeError, KeyError,
            ZeroDivisionError, MemoryError):
        # Pillow says a broken file in many ways.
        raise PhotoError("unreadable") from None
    if _has_transparency(upright):
        fmt, upright = "png", upright.convert("RGBA")
    else:
        fmt, upright = "jpeg", upright.convert("RGB")
    return Prepared(fmt, _encode(upright, fmt, FULL_SIZE), _encode(upright, fmt, THUMB_SIZE), alt)


# Files --------------------------------------------------------------------------------------------

def media_dir():
    """Where the files are: MEDIA_DIR if set (shared by several hosts), else instance/media."""
    return current_app.config.get("MEDIA_DIR") or os.path.join(current_app.instance_path, "media")


def path_of(key, fmt, thumb=False):
    """The file of photo `key` (None for a key that is not one: nothing outside the folder is named)."""
    if not KEY.fullmatch(key or "") or fmt not in EXTENSIONS:
        return None
    name = f"{key}.thumb.{EXTENSIONS[fmt]}" if thumb else f"{key}.{EXTENSIONS[fmt]}"
    return os.path.join(media_dir(), key[:2], name)


def _write(path, data):
    # Written whole under a temporary name, then renamed: a reader never sees half a file.
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def _unlink(key, fmt):
    for thumb in (False, True):
        path = path_of(key, fmt, thumb)
        if path and os.path.exists(path):
            os.unlink(path)


def _keep(prepared):
    """Write the files of `prepared` under a new key; the key."""
    key = secrets.token_hex(16)
    _write(path_of(key, prepared.format), prepared.full_bytes)
    _write(path_of(key, prepared.format, thumb=True), prepared.thumb_bytes)
    return key


class Kept:
    """The files of some uploads, written before the transaction that records them: if it fails,
    `discard` takes them away again (used as a context manager around that transaction)."""

    def __init__(self, prepared):
        self.prepared = list(prepared)
        self.keys = []

    def __enter__(self):
        try:
            for item in self.prepared:
                self.keys.append(_keep(item))
        except BaseException:
            self.discard()
            raise
        return self

    def __exit__(self, kind, value, traceback):
        if kind is not None:
            self.discard()
        return False

    def discard(self):
        for key, item in zip(self.keys, self.prepared, strict=False):
            _unlink(key, item.format)

    def rows(self, issue, actor, assignment=None, start=0, at=None):
        """Record the photos kept (inside the caller's transaction)."""
        for index in range(len(self.prepared)):
            self.row(index, issue, actor, assignment, position=start + index, at=at)

    def row(self, index, issue, actor, assignment=None, position=0, at=None):
        """Record the `index`th photo kept alone (inside the caller's transaction): several issues'
        photos kept together (the demo's)."""
        key, item = self.keys[index], self.prepared[index]
        Photo.create(
            issue=issue, assignment=assignment, key=key, format=item.format,
            width=item.full[0], height=item.full[1], thumb_width=item.thumb[0],
            thumb_height=item.thumb[1], alt=item.alt, position=position, created_by=actor,
            created_at=at or utcnow(),
        )


def kept(prepared):
    """Write the files of `prepared` (a list of Prepared) for a transaction to record them."""
    return Kept(prepared)


class Removal:
    """The files of photos whose rows a transaction deletes (the photos themselves, or their issue
    or answer, which take them along): noted inside the transaction with `add`, unlinked only once
    it has committed. If it rolls back, the files stay with the rows that stay.

    Used around the outermost transaction (`with photos.removal() as gone, db.atomic():`), the
    files go as the block ends. In a request that runs in one transaction (a form sent with a
    one-time key, views/once.py) they wait for that transaction's commit (`remove_deferred`).
    """

    def __init__(self):
        self.files = []

    def add(self, photos):
        """Note the files of `photos` (rows, or a query of them) before their rows are deleted."""
        self.files.extend((photo.key, photo.format) for photo in photos)

    def __enter__(self):
        if db.in_transaction() and not _deferring():
            # Unlinking as this block ends would come before the enclosing transaction commits.
            raise RuntimeError("photos.removal() must enclose the outermost transaction")
        return self

    def __exit__(self, kind, value, traceback):
        if kind is None:
            if _deferring():
                g.photo_removals.extend(self.files)
            else:
                _unlink_all(self.files)
        self.files = []
        return False


def removal():
    """A Removal: the files of photos a transaction deletes, taken away once it has committed."""
    return Removal()


def _deferring():
    return has_request_context() and g.get("photo_removals") is not None


def _unlink_all(files):
    for key, fmt in files:
        _unlink(key, fmt)


def remove_deferred():
    """Unlink the files the request's transaction deleted the rows of, now that it has committed."""
    _unlink_all(g.pop("photo_removals", None) or ())


def start_deferring():
    """The request runs in one transaction committed after the view: files wait for it."""
    g.photo_removals = []


def drop_deferred():
    """The request's transaction rolled back: its photos' rows stay, and so do their files."""
    g.pop("photo_removals", None)


# Acts ---------------------------------------------------------------------------------------------

def add(issue, actor, prepared):
    """The author adds photos to their open issue, up to MAX_PHOTOS in all."""
    if not permissions.can_change_photos(actor, issue):
        raise permissions.NotAllowed()
    prepared = list(prepared)
    with kept(prepared) as files, db.atomic():
        present = list(Photo.own(issue.id))
        if len(present) + len(prepared) > MAX_PHOTOS:
            raise PhotoError("too_many")
        start = max((p.position for p in present), default=-1) + 1
        files.rows(issue, actor, start=start)
        Issue.update(updated_at=utcnow()).where(Issue.id == issue.id).execute()


def remove(issue, actor, key):
    """The author takes one of their issue's own photos away; its files go too. False if there is
    no such photo."""
    if not permissions.can_change_photos(actor, issue):
        raise permissions.NotAllowed()
    photo = Photo.own(issue.id).where(Photo.key == key).first()
    if photo is None:
        return False
    with removal() as gone, db.atomic():
        gone.add([photo])
        photo.delete_instance()
        Issue.update(updated_at=utcnow()).where(Issue.id == issue.id).execute()
    return True


# Reading --------------------------------------------------------------------------------------------

def visible(user, key):
    """The photo named `key` if `user` may see its issue, else None (as if it did not exist)."""
    if not KEY.fullmatch(key or ""):
        return None
    photo = Photo.with_issue(key)
    if photo is None or not permissions.can_see_photo(user, photo.issue):
        return None
    return photo


def of_issue(issue):
    """(the issue's own photos, {assignment id: the photos of that answer}) in one query."""
    own, answers = [], {}
    for photo in Photo.of_issue(issue.id):
        if photo.assignment_id is None:
            own.append(photo)
        else:
            answers.setdefault(photo.assignment_id, []).append(photo)
    return own, answers


def public_url(photo):
    """The photo's address as people reach the site (PUBLIC_URL), for Open311 and feeds."""
    from flask import url_for

    return current_app.config["PUBLIC_URL"].rstrip("/") + url_for("photos.show", key=photo.key)

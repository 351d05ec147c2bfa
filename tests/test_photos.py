"""Photos on issues and on departments' answers: uploading them when raising an issue (and every way
an upload can be wrong), what is kept of them (re-encoded, resized, without EXIF and GPS), who may
see them (hidden means hidden), the author's adding and removing, the department's answer, Open311's
media_url, and the cached issue page showing a new photo at once."""
import io
import os
import re

import pytest
from PIL import ExifTags, Image
from world import EN, LOOP_NOW, Auth, LoopWorld, browser_login, text

from domain import demo as demo_module
from domain import demo_photos, handling, photos, workflow
from models import Category, Issue, Photo, db
from views import once

TITLE = "小区路灯坏了"
BODY = "三号楼门口的路灯坏了两个星期，晚上很黑。"
ALT = "三号楼门口不亮的路灯"
GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (30.0, 25.0, 12.0),
    ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (111.0, 45.0, 30.0),
}


def picture(size=(800, 600), fmt="JPEG", mode="RGB", color=(200, 60, 40), exif=None, **options):
    """The bytes of a picture made here, as a phone might send it."""
    image = Image.new(mode, size, color)
    out = io.BytesIO()
    if exif is not None:
        options["exif"] = exif
    image.save(out, fmt, **options)
    return out.getvalue()


def phone_photo():
    """A JPEG taken on its side (EXIF orientation 6: turn it a quarter clockwise) with the place it was
    taken in its GPS EXIF."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(GPS)
    return picture((800, 600), exif=exif)


def noise(size):
    """A PNG of random pixels: it does not compress, so it is about 3 bytes a pixel."""
    return picture(fmt="PNG") if size is None else _noise_png(size)


def _noise_png(size):
    image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


class Site:
    def __init__(self, make):
        self.venue = make.venue(name="阳光小区议事亭", slug="yangguang")
        self.roads = Category.create(code="roads", name="道路交通", name_en="Roads and traffic", position=0)
        self.resident = make.user("resident", display_name="张大姐")
        make.member(self.resident, self.venue)
        self.neighbour = make.user("neighbour", display_name="刘师傅")
        make.member(self.neighbour, self.venue)
        self.councillor = make.user("councillor", display_name="王议政")
        make.member(self.councillor, self.venue, "councillor")

    def form(self, files=(), **fields):
        """The raise form: `files` are (bytes, file name, alt text) for slots 1, 2, …"""
        data = {"title": TITLE, "body": BODY, "category": str(self.roads.id), **fields}
        for number, (content, name, alt) in enumerate(files, start=1):
            data[f"photo_{number}"] = (io.BytesIO(content), name)
            if alt is not None:
                data[f"alt_{number}"] = alt
        return data


@pytest.fixture
def site(make):
    return Site(make)


@pytest.fixture
def auth(client):
    return Auth(client)


def raise_with(client, site, files=(), **fields):
    return client.post("/v/yangguang/issues/new", data=site.form(files, **fields),
                       content_type="multipart/form-data", headers=EN)


def post(client, url, data):
    return client.post(url, data=data, content_type="multipart/form-data", headers=EN)


def multipart(fields, files):
    """A multipart body written out by hand: for a big file the test client would spool it to a
    temporary file that it leaves open."""
    parts = [f'--B\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
             for name, value in fields.items()]
    parts += [f'--B\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
              f"Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n"
              for name, filename, content in files]
    return {"data": b"".join(parts) + b"--B--\r\n", "content_type": "multipart/form-data; boundary=B"}


def fetch(client, url, **kwargs):
    """GET a photo's file: (status, mimetype, headers, bytes), the file closed again."""
    with client.get(url, **kwargs) as response:
        return response.status_code, response.mimetype, response.headers, response.get_data()


def file_of(app, photo, thumb=False):
    with app.app_context():
        return photos.path_of(photo.key, photo.format, thumb)


def stored(app, photo, thumb=False):
    with open(file_of(app, photo, thumb), "rb") as fh:
        return fh.read()


# Raising an issue with photos -----------------------------------------------------------------------

def test_a_resident_raises_an_issue_with_two_photos(app, client, site, auth):
    auth.login("resident")
    response = raise_with(client, site, [(picture((3000, 2000)), "lamp.jpg", ALT),
                                         (picture((400, 300), "PNG"), "gate.png", "小区大门")])
    assert response.status_code == 303
    issue = Issue.get(Issue.title == TITLE)
    first, second = Photo.own(issue.id)
    assert (first.alt, first.position, first.created_by_id) == (ALT, 0, site.resident.id)
    # Resized to 1600 px on its long side, with a thumbnail of 320; an opaque PNG becomes a JPEG.
    assert (first.width, first.height, first.thumb_width, first.thumb_height) == (1600, 1067, 320, 213)
    assert (second.format, second.width, second.height) == ("jpeg", 400, 300)
    assert Image.open(io.BytesIO(stored(app, first, thumb=True))).size == (320, 213)
    # The files are under the instance folder by default, named by the random key.
    assert file_of(app, first).startswith(os.path.join(app.instance_path, "media"))
    assert first.key != second.key and len(first.key) == 32 and "lamp" not in first.key

    page = text(client.get(f"/issues/{issue.id}"))
    assert f'src="/photos/{first.key}/thumb"' in page and f'href="/photos/{first.key}"' in page
    assert f'alt="{ALT}"' in page and 'loading="lazy"' in page


def test_the_raise_form_takes_photos_without_javascript(client, site, auth):
    auth.login("resident")
    page = text(client.get("/v/yangguang/issues/new", headers=EN))
    assert 'enctype="multipart/form-data"' in page
    for number in range(1, 5):
        assert f'<label for="photo_{number}">' in page and f'<label for="alt_{number}">' in page
    assert 'name="photo_5"' not in page and "<details" in page


@pytest.mark.parametrize("files, message", [
    ([(picture(), f"{n}.jpg", f"照片{n}") for n in range(1, 6)], "At most 4 photos."),
    ([(b"<html><script>alert(1)</script></html>", "lamp.jpg", ALT)], "not a photo the site takes"),
    ([(b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "lamp.svg", ALT)],
     "not a photo the site takes"),
    ([(picture(fmt="GIF", mode="P"), "lamp.gif", ALT)], "not a photo the site takes"),
    ([(picture((1200, 900))[:2000], "lamp.jpg", ALT)], "cannot be read"),
    ([(picture(), "lamp.jpg", "")], "Please say what the photo shows."),
    ([(picture(), "lamp.jpg", "  ")], "Please say what the photo shows."),
    ([(picture(), "lamp.jpg", "长" * 201)], "At most 200 characters."),
], ids=["five", "html", "svg", "gif", "corrupt", "no-alt", "blank-alt", "long-alt"])
def test_a_wrong_photo_is_refused_keeping_what_was_typed(client, site, auth, files, message):
    auth.login("resident")
    if len(files) == 5:
        # The form has four slots: a fifth file comes from a forged form.
        data = site.form(files[:4])
        data["photo_1"] = [data["photo_1"], (io.BytesIO(files[4][0]), "5.jpg")]
        response = post(client, "/v/yangguang/issues/new", data)
    else:
        response = raise_with(client, site, files)
    page = text(response)
    assert response.status_code == 422
    assert message in page
    assert TITLE in page and BODY in page
    assert "please choose them again" in page
    assert Issue.select().count() == 0 and Photo.select().count() == 0


def test_a_description_without_its_photo_asks_for_the_photo_again(client, site, auth):
    auth.login("resident")
    response = post(client, "/v/yangguang/issues/new", site.form(alt_1=ALT))
    assert response.status_code == 422
    page = text(response)
    assert "Please choose the photo again, or clear what it shows." in page and ALT in page
    assert "<details class=\"photo-fields\" id=\"photos-field\" open>" in page


def test_a_photo_over_the_size_limit_is_refused(app, client, site, auth):
    app.config["PHOTO_MAX_BYTES"] = 1024 * 1024
    big = _noise_png((700, 700))
    assert len(big) > 1024 * 1024
    auth.login("resident")
    response = client.post("/v/yangguang/issues/new", headers=EN,
                           **multipart({**site.form(), "alt_1": ALT}, [("photo_1", "big.png", big)]))
    assert response.status_code == 422
    assert "larger than 1 MB" in text(response) and TITLE in text(response)
    assert Issue.select().count() == 0


def test_a_request_larger_than_a_full_set_of_photos_is_413_saying_so(app, client, site, auth):
    app.config["PHOTO_MAX_BYTES"] = 100 * 1024  # the request may then hold 4 × 100 KB + 1 MB
    auth.login("resident")
    response = client.post("/v/yangguang/issues/new", headers=EN,
                           **multipart(site.form(), [("photo_1", "huge.jpg", b"\xff" * (2 * 1024 * 1024))]))
    assert response.status_code == 413
    assert "choose fewer or smaller photos" in text(response)
    # Other forms keep the site's own limit.
    response = client.post("/issues/1/comments", data={"body": "x" * (2 * 1024 * 1024)}, headers=EN)
    assert response.status_code == 413


def test_a_decompression_bomb_is_refused_not_a_500(client, site, auth):
    bomb = picture((10_000, 6_000), "PNG", mode="1", color=0)  # 60 million pixels in a few KB
    assert len(bomb) < 200_000
    auth.login("resident")
    response = raise_with(client, site, [(bomb, "bomb.png", ALT)])
    assert response.status_code == 422
    assert "too large to process" in text(response)


def test_a_picture_over_pillows_own_limit_is_refused_too(app, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with app.test_request_context(), pytest.raises(photos.PhotoError) as refused:
        photos.prepare(io.BytesIO(picture((100, 30), "PNG")), ALT)
    assert refused.value.code == "too_many_pixels"


def test_what_is_kept_has_no_exif_and_no_gps_and_stands_upright(app, client, site, auth):
    original = phone_photo()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # it was there
    auth.login("resident")
    assert raise_with(client, site, [(original, "IMG_0001.jpg", ALT)]).status_code == 303
    photo = Photo.get()
    for thumb in (False, True):
        status, _type, _headers, data = fetch(client, f"/photos/{photo.key}{'/thumb' if thumb else ''}")
        assert status == 200
        image = Image.open(io.BytesIO(data))
        assert image.format == "JPEG"
        assert not image.getexif() and "exif" not in image.info and "xmp" not in image.info
        assert b"Exif" not in data and b"PhoneMaker" not in data
        assert data == stored(app, photo, thumb)
    # Turned as its orientation said: taken 800 × 600 on its side, it stands 600 × 800.
    assert (photo.width, photo.height) == (600, 800)


def test_a_picture_with_transparency_stays_a_png(client, site, auth):
    auth.login("resident")
    png = picture((500, 500), "PNG", mode="RGBA", color=(0, 128, 0, 100))
    assert raise_with(client, site, [(png, "sign.png", "绿色的标志")]).status_code == 303
    photo = Photo.get()
    _status, mimetype, _headers, data = fetch(client, f"/photos/{photo.key}")
    assert photo.format == "png" and mimetype == "image/png"
    assert Image.open(io.BytesIO(data)).mode == "RGBA"


def test_a_webp_is_taken(client, site, auth):
    auth.login("resident")
    assert raise_with(client, site, [(picture(fmt="WEBP"), "a.webp", ALT)]).status_code == 303
    assert Photo.get().format == "jpeg"


def test_the_media_folder_is_set_by_configuration(app, client, site, auth, tmp_path):
    shared = tmp_path / "shared-media"
    app.config["MEDIA_DIR"] = str(shared)
    auth.login("resident")
    assert raise_with(client, site, [(picture(), "a.jpg", ALT)]).status_code == 303
    key = Photo.get().key
    assert (shared / key[:2] / f"{key}.jpg").exists() and (shared / key[:2] / f"{key}.thumb.jpg").exists()
    assert fetch(client, f"/photos/{key}")[0] == 200


def test_a_councillor_records_an_issue_with_a_photo(client, site, auth):
    auth.login("councillor")
    data = site.form([(picture(), "a.jpg", ALT)], channel="phone")
    response = post(client, "/v/yangguang/issues/record", data)
    assert response.status_code == 303
    assert Photo.get().created_by_id == site.councillor.id


# Serving: hidden means hidden -------------------------------------------------------------------------

def _issue_with_photo(site, client, auth):
    auth.login("resident")
    raise_with(client, site, [(picture(), "a.jpg", ALT)])
    auth.logout()
    return Issue.get(), Photo.get()


def test_a_visitor_sees_the_photo_of_a_public_issue(client, site, auth):
    issue, photo = _issue_with_photo(site, client, auth)
    for url in (f"/photos/{photo.key}", f"/photos/{photo.key}/thumb"):
        status, mimetype, headers, _data = fetch(client, url)
        assert status == 200 and mimetype == "image/jpeg"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Cache-Control"] == "private, max-age=31536000, immutable"
        assert fetch(client, url, headers={"If-None-Match": headers["ETag"]})[0] == 304


def test_the_photo_of_a_hidden_issue_is_not_found_but_for_its_author_and_councillors(client, site, auth):
    issue, photo = _issue_with_photo(site, client, auth)
    Issue.update(hidden=True).where(Issue.id == issue.id).execute()
    url = f"/photos/{photo.key}"
    assert fetch(client, url)[0] == 404
    assert fetch(client, url + "/thumb")[0] == 404
    auth.login("neighbour")
    assert fetch(client, url)[0] == 404
    for who in ("resident", "councillor"):
        auth.logout()
        auth.login(who)
        assert fetch(client, url)[0] == 200
    auth.logout()
    assert photo.key not in text(client.get(f"/issues/{issue.id}"))


@pytest.mark.parametrize("key", ["0" * 32, "..%2F..%2Fsecret_key", "ABCDEF" + "0" * 26, "0" * 31, "0" * 33])
def test_a_key_that_names_no_photo_is_404(client, key):
    assert client.get(f"/photos/{key}").status_code == 404


def test_a_photo_whose_file_is_gone_is_404_not_500(app, client, site, auth):
    _issue, photo = _issue_with_photo(site, client, auth)
    os.unlink(file_of(app, photo))
    assert client.get(f"/photos/{photo.key}").status_code == 404


# The author adds and removes photos while the issue is open --------------------------------------------

def test_the_author_adds_and_removes_photos_and_the_cached_page_follows(app, client, site, auth):
    issue, first = _issue_with_photo(site, client, auth)
    page = text(client.get(f"/issues/{issue.id}"))  # built for visitors, and cached
    assert first.key in page
    auth.login("resident")
    assert "Add or remove photos" in text(client.get(f"/issues/{issue.id}", headers=EN))
    assert client.get(f"/issues/{issue.id}/photos").status_code == 200
    files = {f"photo_{n}": (io.BytesIO(picture()), f"{n}.jpg") for n in (1, 2, 3)}
    alts = {f"alt_{n}": f"照片{n}" for n in (1, 2, 3)}
    response = post(client, f"/issues/{issue.id}/photos", {**files, **alts})
    assert response.status_code == 303
    assert [p.position for p in Photo.own(issue.id)] == [0, 1, 2, 3]
    page = text(client.get(f"/issues/{issue.id}/photos", headers=EN))
    assert "the most it can have" in page and 'name="photo_1"' not in page
    # A fifth is refused, whatever the form is made to send.
    response = post(client, f"/issues/{issue.id}/photos",
                    {"photo_1": (io.BytesIO(picture()), "5.jpg"), "alt_1": "第五张"})
    assert response.status_code == 422 and "At most 4 photos." in text(response)
    assert client.post(f"/issues/{issue.id}/photos/{first.key}/remove").status_code == 303
    assert not os.path.exists(file_of(app, first))
    assert client.post(f"/issues/{issue.id}/photos/{first.key}/remove").status_code == 404
    auth.logout()
    page = text(client.get(f"/issues/{issue.id}"))
    assert first.key not in page and "照片3" in page
    assert fetch(client, f"/photos/{first.key}")[0] == 404


def test_adding_nothing_says_so(client, site, auth):
    issue, _photo = _issue_with_photo(site, client, auth)
    auth.login("resident")
    response = post(client, f"/issues/{issue.id}/photos", {})
    assert response.status_code == 422 and "Please choose a photo." in text(response)


def test_only_the_author_changes_photos_and_only_while_the_issue_is_open(client, site, auth):
    issue, photo = _issue_with_photo(site, client, auth)
    for who in ("neighbour", "councillor"):
        auth.login(who)
        assert client.get(f"/issues/{issue.id}/photos").status_code == 403
        assert client.post(f"/issues/{issue.id}/photos/{photo.key}/remove").status_code == 403
        auth.logout()
    Issue.update(status="declined").where(Issue.id == issue.id).execute()
    auth.login("resident")
    assert client.get(f"/issues/{issue.id}/photos").status_code == 403
    assert "Add or remove photos" not in text(client.get(f"/issues/{issue.id}", headers=EN))


# Files go only with their rows: once the deletion has committed -----------------------------------

def test_a_deletion_that_rolls_back_keeps_the_files_and_one_that_commits_takes_them(app, client, site, auth):
    issue, photo = _issue_with_photo(site, client, auth)
    with app.app_context():
        with pytest.raises(LookupError), photos.removal() as gone, db.atomic():
            gone.add(Photo.select().where(Photo.issue == issue.id))
            Issue.delete().where(Issue.id == issue.id).execute()  # the photo goes with it
            raise LookupError("a rule refuses after the delete")
        assert Photo.get_by_id(photo.id) and os.path.exists(file_of(app, photo))
        assert os.path.exists(file_of(app, photo, thumb=True))
        with photos.removal() as gone, db.atomic():
            gone.add(Photo.select().where(Photo.issue == issue.id))
            Issue.delete().where(Issue.id == issue.id).execute()
            assert os.path.exists(file_of(app, photo))  # not before the commit
    assert Photo.select().count() == 0
    assert not os.path.exists(file_of(app, photo)) and not os.path.exists(file_of(app, photo, thumb=True))


def test_a_removal_inside_a_transaction_it_cannot_see_the_end_of_is_refused(app, client, site, auth):
    _issue, photo = _issue_with_photo(site, client, auth)
    with app.app_context(), pytest.raises(RuntimeError), db.atomic(), photos.removal() as gone:
        gone.add([photo])
    assert os.path.exists(file_of(app, photo))


def keyed_remove(client, issue, photo):
    page = client.get(f"/issues/{issue.id}/photos").get_data(as_text=True)
    form = rf'action="/issues/\d+/photos/{photo.key}/remove".*?name="_once" value="([^"]+)"'
    key = re.search(form, page, re.S).group(1)
    return client.post(f"/issues/{issue.id}/photos/{photo.key}/remove", data={"_once": key})


def test_the_authors_removal_takes_the_files_when_the_requests_transaction_commits(app, client, site, auth):
    issue, photo = _issue_with_photo(site, client, auth)
    auth.login("resident")
    assert keyed_remove(client, issue, photo).status_code == 303
    assert Photo.select().count() == 0 and not os.path.exists(file_of(app, photo))


def test_the_authors_removal_keeps_the_files_when_the_requests_transaction_rolls_back(
        app, client, site, auth, monkeypatch):
    issue, photo = _issue_with_photo(site, client, auth)
    auth.login("resident")

    def fails(*args, **kwargs):
        raise RuntimeError("the database went away before the commit")

    # The view's delete is done; storing the answer with it fails, so the whole request rolls back.
    monkeypatch.setattr(once, "_stored", fails)
    with pytest.raises(RuntimeError):
        keyed_remove(client, issue, photo)
    assert Photo.get_by_id(photo.id)
    assert os.path.exists(file_of(app, photo)) and os.path.exists(file_of(app, photo, thumb=True))
    auth.logout()
    assert fetch(client, f"/photos/{photo.key}")[0] == 200


def test_resetting_the_demo_takes_the_old_photos_files_only_once_it_commits(app, client, site, auth, monkeypatch):
    _issue, photo = _issue_with_photo(site, client, auth)

    def broken(rng):
        raise RuntimeError("the demo failed half-way")

    with app.app_context(), monkeypatch.context() as patch:
        patch.setattr(demo_module, "_regions", broken)
        with pytest.raises(RuntimeError):
            demo_module.load_demo(reset=True)
    assert Photo.get_by_id(photo.id) and os.path.exists(file_of(app, photo))
    assert media_files(app) == {os.path.basename(file_of(app, photo, thumb)) for thumb in (False, True)}
    with app.app_context():
        demo_module.load_demo(reset=True)
    assert not Photo.select().where(Photo.key == photo.key).exists()
    assert not os.path.exists(file_of(app, photo)) and not os.path.exists(file_of(app, photo, thumb=True))
    assert len(media_files(app)) == 2 * Photo.select().count() == 6  # the new demo's own


def test_a_demo_refused_on_a_full_database_leaves_no_picture_behind(app, client, site, auth):
    _issue, photo = _issue_with_photo(site, client, auth)
    before = media_files(app)
    with app.app_context(), pytest.raises(demo_module.DemoDataExists):
        demo_module.load_demo()  # its pictures were written before it found the database full
    assert media_files(app) == before and Photo.select().count() == 1


def media_files(app):
    """The names of the files in the media folder (the demo's drawn pictures, and any left behind)."""
    with app.app_context():
        media = photos.media_dir()
    return {name for _d, _s, names in os.walk(media) for name in names}


def test_the_demo_issues_show_the_photos_drawn_for_them(client, demo):
    drawn = list(Photo.select().order_by(Photo.id))
    assert len(drawn) == 3 and len({photo.issue_id for photo in drawn}) == 3
    for photo, (words, _alt, _draw) in zip(drawn, demo_photos.PICTURES, strict=True):
        issue = Issue.get_by_id(photo.issue_id)
        assert words in issue.title and issue.venue.slug == demo_module.DEMO_PAVILION_SLUG
        assert re.fullmatch(r"[\u4e00-\u9fff，]+", photo.alt)  # said in Chinese
        page = text(client.get(f"/issues/{issue.id}"))
        assert f'<img src="/photos/{photo.key}/thumb"' in page and f'alt="{photo.alt}"' in page
        for url, most in ((f"/photos/{photo.key}", photos.FULL_SIZE), (f"/photos/{photo.key}/thumb", photos.THUMB_SIZE)):
            status, mimetype, _headers, data = fetch(client, url)
            assert status == 200 and mimetype == "image/jpeg"
            with Image.open(io.BytesIO(data)) as image:  # re-encoded as an upload is: resized, no EXIF
                assert image.format == "JPEG" and max(image.size) <= most and not image.getexif()


# The department's answer --------------------------------------------------------------------------------

@pytest.fixture
def loop(make):
    return LoopWorld(make)


def test_the_lead_department_answers_with_a_photo(client, loop, auth):
    lead = loop.assigned()
    auth.login("office")
    page = text(client.get(f"/handling/{lead.id}"))
    assert 'enctype="multipart/form-data"' in page and 'name="alt_1"' in page
    url = f"/handling/{lead.id}/answer"
    data = {"kind": "resolved", "grade": "A", "text": "排水口已疏通。"}
    refused = post(client, url, {**data, "photo_1": (io.BytesIO(picture()), "done.jpg")})
    assert refused.status_code == 422 and "Please say what the photo shows." in text(refused)
    assert "排水口已疏通。" in text(refused)
    response = post(client, url, {**data, "photo_1": (io.BytesIO(picture()), "done.jpg"),
                                  "alt_1": "疏通后的排水口"})
    assert response.status_code == 303
    photo = Photo.get()
    assert (photo.assignment_id, photo.issue_id, photo.created_by_id) == (lead.id, lead.issue_id, loop.office_staff.id)
    assert not list(Photo.own(lead.issue_id))  # the answer's, not the issue's own
    auth.logout()
    page = text(client.get(f"/issues/{lead.issue_id}"))
    assert f'/photos/{photo.key}/thumb' in page and "疏通后的排水口" in page
    assert fetch(client, f"/photos/{photo.key}")[0] == 200


def test_a_refused_answer_keeps_no_photo_files(app, loop):
    lead = loop.assigned()
    with app.test_request_context():
        prepared = photos.prepare(io.BytesIO(picture()), "照片")
        with pytest.raises(handling.HandlingError):
            handling.answer(lead, loop.office_staff, "resolved", "好了", "C", now=LOOP_NOW, photos=[prepared])
        # A rule that refuses inside the transaction: the files written before it go again.
        handling.answer(lead, loop.office_staff, "resolved", "好了", "A", now=LOOP_NOW)
        stale = handling.Assignment.get_by_id(lead.id)
        stale.state = "signed"
        with pytest.raises(handling.HandlingError):
            handling.answer(stale, loop.office_staff, "resolved", "又答", "A", now=LOOP_NOW, photos=[prepared])
        media = photos.media_dir()
    assert Photo.select().count() == 0
    assert not os.path.exists(media) or not any(files for _d, _s, files in os.walk(media))


# Open311 ----------------------------------------------------------------------------------------------

def test_open311_gives_the_first_photo_as_media_url(app, client, site, auth):
    app.config["PUBLIC_URL"] = "https://yishi.zhijiang.example/"
    auth.login("resident")
    raise_with(client, site, [(picture(), "1.jpg", "第一张"), (picture(), "2.jpg", "第二张")])
    workflow.raise_issue(site.venue, site.resident, "没有照片的问题", BODY, category=site.roads)
    auth.logout()
    with_photo = Issue.get(Issue.title == TITLE)
    first = Photo.own(with_photo.id).first()
    documents = client.get("/open311/v2/requests.json").get_json()
    media = {d["service_request_id"]: d["media_url"] for d in documents}
    assert media[str(with_photo.id)] == f"https://yishi.zhijiang.example/photos/{first.key}"
    assert list(media.values()).count(None) == 1
    one = client.get(f"/open311/v2/requests/{with_photo.id}.json").get_json()
    assert one[0]["media_url"] == f"https://yishi.zhijiang.example/photos/{first.key}"


# In a real browser ---------------------------------------------------------------------------------------

@pytest.mark.browser
def test_a_photo_goes_up_without_javascript_and_its_pages_pass_axe(browser, live_server, site):
    from test_accessibility import AXE, AXE_PATH, PHONE, problems

    if not AXE.exists():
        pytest.skip("axe-core is not installed: run `make axe` (needs npm)")
    base = live_server.url
    plain = browser.new_context(java_script_enabled=False, locale="zh-CN", viewport=PHONE)
    page = plain.new_page()
    browser_login(page, base, "resident")
    page.goto(base + "/v/yangguang/issues/new")
    page.fill("#title", TITLE)
    page.fill("#body", BODY)
    page.select_option("#category", str(site.roads.id))
    page.locator("#photos-field summary").click()
    page.set_input_files("#photo_1", files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg",
                                             "buffer": phone_photo()}])
    page.fill("#alt_1", ALT)
    # The process's first issue loads the word cutter's dictionary: slow on a busy machine.
    page.set_default_timeout(90_000)
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url("**/issues/*")
    issue_url = page.url
    plain.close()

    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    page.route(base + AXE_PATH, lambda route: route.fulfill(path=AXE, content_type="text/javascript"))
    browser_login(page, base, "resident")
    page.goto(issue_url)
    thumbnail = page.locator(f'.photos img[alt="{ALT}"]')
    thumbnail.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle())
    assert thumbnail.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [240, 320]
    found = problems(page, "issue with a photo")
    page.goto(issue_url + "/photos")
    found += problems(page, "the author's photos")
    page.goto(base + "/v/yangguang/issues/new")
    page.locator("#photos-field summary").click()
    page.fill("#alt_1", ALT)
    page.locator("main form button[type=submit]").last.click()
    page.locator(".error").first.wait_for()
    found += problems(page, "raise an issue, a photo's description without the photo")
    context.close()
    assert not found, "\n".join(found)

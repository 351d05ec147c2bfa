"""`flask backup` and `flask restore`: a backup taken while the site holds data, restored over a
database that changed since, gives back every row as it was (SQLite online backup; pg_dump and
pg_restore on PostgreSQL) and every photo's file (issue 14); an archive that would write outside its
folder is refused; a backup from before photos were backed up still restores its database."""
import io
import json
import os
import tarfile

import pytest
from test_photos import ALT, Site, fetch, file_of, picture, raise_with, stored

import commands
import models
from domain import photos
from models import Comment, Issue, Photo, User, db


def every_row():
    """Every row of every table, by table, in a stable order."""
    rows = {}
    for model in models.MODELS:
        rows[model._meta.table_name] = sorted(
            tuple(str(v) for v in row) for row in model.select().tuples()
        )
    return rows


def test_a_backup_restored_finds_every_row_again(app, runner, demo, tmp_path):
    before = every_row()
    assert sum(len(r) for r in before.values()) > 100  # the demo city, not an empty database
    path = tmp_path / "yishi.backup"
    result = runner.invoke(args=["backup", str(path)])
    assert result.exit_code == 0, result.output
    assert path.exists() and path.stat().st_size > 0

    # The site goes on: rows change, are deleted and added.
    with db.atomic():
        Comment.delete().execute()
        Issue.update(title="改掉的标题").execute()
        User.create(username="backup-newcomer", display_name="备份后新来的", password_hash="x")
    assert every_row() != before

    result = runner.invoke(args=["restore", "--yes", str(path)])
    assert result.exit_code == 0, result.output
    after = every_row()
    for table in before:
        assert after[table] == before[table], table


def test_backup_without_a_path_writes_a_dated_file_in_the_instance_folder(app, runner, db):
    result = runner.invoke(args=["backup"])
    assert result.exit_code == 0, result.output
    folder = os.path.join(app.instance_path, "backups")
    assert len(os.listdir(folder)) == 1 and os.listdir(folder)[0].startswith("yishi-")


def test_restore_refuses_what_is_not_a_backup_and_asks_first(app, runner, db, tmp_path):
    bogus = tmp_path / "not-a-backup"
    bogus.write_text("hello")
    result = runner.invoke(args=["restore", "--yes", str(bogus)])
    assert result.exit_code != 0
    result = runner.invoke(args=["restore", str(bogus)], input="n\n")
    assert result.exit_code != 0 and "Aborted" in result.output


def test_backup_is_one_archive_of_the_database_and_the_photos(app, runner, demo, tmp_path):
    path = tmp_path / "yishi.tar.gz"
    assert runner.invoke(args=["backup", str(path)]).exit_code == 0
    drawn = Photo.select().count()
    assert drawn > 0  # the demo's photos
    with tarfile.open(path) as archive:
        names = archive.getnames()
        manifest = json.load(archive.extractfile("manifest.json"))
    assert manifest["engine"] == ("sqlite" if commands._is_sqlite() else "postgresql")
    assert set(names) & {"database.sqlite", "database.dump"}
    for photo in Photo.select():
        assert f"media/{photo.key[:2]}/{photo.key}.jpg" in names or f"media/{photo.key[:2]}/{photo.key}.png" in names
    # Nothing half-written is left beside it.
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".backup-")] == []


def test_an_uploaded_photo_survives_backup_and_restore(app, client, make, auth, runner, tmp_path):
    site = Site(make)
    auth.login("resident")
    assert raise_with(client, site, [(picture(), "lamp.jpg", ALT)]).status_code == 303
    issue, photo = Issue.get(), Photo.get()
    full, thumb = stored(app, photo), stored(app, photo, thumb=True)
    path = tmp_path / "with-photo.tar.gz"
    result = runner.invoke(args=["backup", str(path)])
    assert result.exit_code == 0 and "2 photo files" in result.output  # the photo and its thumbnail

    # The photo is removed, its row and its files; another comes after the backup.
    with app.app_context():
        assert photos.remove(issue, site.resident, photo.key)
    assert not os.path.exists(file_of(app, photo)) and Photo.select().count() == 0
    raise_with(client, site, [(picture(color=(0, 0, 255)), "later.jpg", "后来的照片")], title="后来的问题")
    later = Photo.get()

    result = runner.invoke(args=["restore", "--yes", str(path)])
    assert result.exit_code == 0, result.output
    assert [p.key for p in Photo.select()] == [photo.key]
    assert stored(app, photo) == full and stored(app, photo, thumb=True) == thumb
    # The folder is the backup's: what came after it went with the rows that did.
    assert not os.path.exists(file_of(app, later))
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith((".restore-", "media.old-"))] == []
    auth.logout()
    status, mimetype, _headers, body = fetch(client, f"/photos/{photo.key}")
    assert (status, mimetype, body) == (200, "image/jpeg", full)


def _archive(path, members):
    """A tar.gz holding a manifest and `members`: (name, bytes, or a TarInfo type and its link)."""
    manifest = json.dumps({"format": 1, "engine": "sqlite" if commands._is_sqlite() else "postgresql"}).encode()
    with tarfile.open(path, "w:gz") as archive:
        for name, content in [("manifest.json", manifest), *members]:
            info = tarfile.TarInfo(name)
            if isinstance(content, tuple):
                info.type, info.linkname = content
                archive.addfile(info)
            else:
                info.size = len(content)
                archive.addfile(info, io.BytesIO(content))


@pytest.mark.parametrize("name, content, says", [
    ("../escaped.txt", b"x", "points outside the archive"),
    ("media/../../escaped.txt", b"x", "points outside the archive"),
    ("/tmp/yishi-escaped.txt", b"x", "points outside the archive"),
    ("media/ab/link.jpg", (tarfile.SYMTYPE, "/etc/passwd"), "not a plain file or folder"),
    ("media/ab/hard.jpg", (tarfile.LNKTYPE, "../../escaped.txt"), "not a plain file or folder"),
    ("startup.py", b"x", "not something `flask backup` writes"),
])
def test_an_archive_that_would_write_outside_its_folder_is_refused(app, client, make, auth, runner, tmp_path,
                                                                   name, content, says):
    site = Site(make)
    auth.login("resident")
    raise_with(client, site, [(picture(), "lamp.jpg", ALT)])
    photo = Photo.get()
    full = stored(app, photo)
    bad = tmp_path / "backups" / "bad.tar.gz"
    bad.parent.mkdir()
    _archive(bad, [("media/ab/cd.jpg", b"not really"), (name, content)])

    result = runner.invoke(args=["restore", "--yes", str(bad)])
    assert result.exit_code != 0
    assert "is refused" in result.output and says in result.output
    assert not (tmp_path / "escaped.txt").exists() and not os.path.exists("/tmp/yishi-escaped.txt")
    # Nothing changed: the rows and the photos are as they were, and nothing was left unpacked.
    assert Photo.select().count() == 1 and stored(app, photo) == full
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".restore-")] == []


def test_a_backup_of_the_database_alone_still_restores_and_says_the_photos_were_not_in_it(
        app, client, make, auth, runner, tmp_path):
    site = Site(make)
    auth.login("resident")
    raise_with(client, site, [(picture(), "lamp.jpg", ALT)])
    photo = Photo.get()
    old = tmp_path / "yishi-old.db"
    with app.app_context():
        commands._dump_database(str(old))  # what `flask backup` wrote before issue 14: the database alone
    User.create(username="after-the-backup", display_name="备份之后", password_hash="x")

    result = runner.invoke(args=["restore", "--yes", str(old)])
    assert result.exit_code == 0, result.output
    assert "photo folder was left as it was" in result.output
    assert not User.select().where(User.username == "after-the-backup").exists()
    assert Photo.get().key == photo.key and os.path.exists(file_of(app, photo))


def test_a_restore_that_fails_midway_keeps_the_old_photos(app, client, make, auth, runner, tmp_path):
    site = Site(make)
    auth.login("resident")
    raise_with(client, site, [(picture(), "lamp.jpg", ALT)])
    photo = Photo.get()
    full = stored(app, photo)
    broken = tmp_path / "broken.tar.gz"
    database = commands.DATABASE_MEMBERS["sqlite" if commands._is_sqlite() else "postgresql"]
    _archive(broken, [(database, b"not a database"), ("media/ab/other.jpg", b"x")])

    result = runner.invoke(args=["restore", "--yes", str(broken)])
    assert result.exit_code != 0
    assert Photo.get().key == photo.key and stored(app, photo) == full
    assert not os.path.exists(os.path.join(app.instance_path, "media", "ab", "other.jpg"))
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".restore-")] == []


def test_a_swap_that_fails_puts_the_old_photo_folder_back(tmp_path, monkeypatch):
    media, new = tmp_path / "media", tmp_path / ".restore-x" / "media"
    (media / "ab").mkdir(parents=True)
    (media / "ab" / "old.jpg").write_bytes(b"old")
    new.mkdir(parents=True)
    renames = []
    rename = os.rename

    def failing_second(source, target):
        renames.append((source, target))
        if len(renames) == 2:
            raise OSError("the disk went away")
        rename(source, target)

    monkeypatch.setattr(os, "rename", failing_second)
    with pytest.raises(OSError):
        commands._swap_folder(str(new), str(media))
    assert (media / "ab" / "old.jpg").read_bytes() == b"old" and new.is_dir()

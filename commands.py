"""The command line: `flask db`, `seed-demo`, `create-admin`, `remind`, `search`, `stats`, `open311`,
`translate`, `backup` and `restore`."""
import contextlib
import datetime
import io
import os
import shutil
import sqlite3
import subprocess
import sys

import click
from flask.cli import with_appcontext

import models
from models import db

HERE = os.path.dirname(os.path.abspath(__file__))
PASSWORD_ENV = "YISHI_ADMIN_PASSWORD"
STATS_MIGRATION = "0011_statistics"


def register(app):
    from domain import open311

    for command in (db_group, seed_demo, create_admin, remind, search_group, stats_group, translate, open311.cli,
                    backup, restore):
        app.cli.add_command(command)


def runner():
    from playhouse.migrations import Runner

    return Runner(db.obj, directory=os.path.join(HERE, "migrations"))


@click.group("db")
def db_group():
    """Database migrations."""


@db_group.command("upgrade")
def db_upgrade():
    """Apply every pending migration."""
    with db.connection_context():
        applied = runner().up()
        # Migrations that change the search's tokens fill the index with frozen bigrams; store the
        # word-aware tokens of today's tokenizer right away.
        if set(applied) & REINDEX_AFTER and models.Issue.select().exists():
            from domain import search

            click.echo(f"search index rebuilt: {search.reindex_all()} issues")
        click.echo("\n".join(f"applied: {name}" for name in applied) or "database is up to date")
        if STATS_MIGRATION in applied:
            # The summary rows are counted with app code, which a migration does not import.
            from domain import stats

            click.echo(f"statistics counted for {stats.recount()} issues")


REINDEX_AFTER = {"0013_search"}


@db_group.command("status")
def db_status():
    """List migrations, marking the applied ones."""
    with db.connection_context():
        for migration in runner().status():
            click.echo(f"[{'x' if migration.applied else ' '}] {migration.name}")


@db_group.command("generate")
@click.argument("name")
def db_generate(name):
    """Write a migration from the difference between the database and models.py."""
    from playhouse.migrations import template
    from playhouse.schema_diff import diff_models

    with db.connection_context():
        diff = diff_models(db.obj, models.MODELS)
    if not diff:
        click.echo("schema matches models.py")
        return
    click.echo(runner().create(name, body=template(diff)))


@click.command("seed-demo")
@click.option("--reset", is_flag=True, help="Delete all data first.")
@click.option("--if-empty", is_flag=True, help="Do nothing when data exists.")
@with_appcontext  # the demo's photos are written to the app's media folder
def seed_demo(reset, if_empty):
    """Load the Zhijiang demo data and print the demo logins."""
    from domain import demo

    with db.connection_context():
        try:
            logins = demo.load_demo(reset=reset)
        except demo.DemoDataExists as exc:
            if if_empty:
                click.echo(
                    "The database has data already; demo data not loaded. If it was seeded, "
                    f"log in as {', '.join(demo.DEMO_USERNAMES)} with password {demo.DEMO_PASSWORD}."
                )
                return
            raise click.ClickException(
                "The database is not empty. Use --reset to delete everything and reload."
            ) from exc
    click.echo("Demo logins (username / password):")
    for username, password, role in logins:
        click.echo(f"  {username:<12} {password:<12} {role}")


@click.command("create-admin")
@click.argument("username")
@click.option("--display-name", help="The name shown on the site (default: the username).")
def create_admin(username, display_name):
    """Create a site admin (or make an existing account one).

    The password comes from the YISHI_ADMIN_PASSWORD environment variable, or is asked for.
    """
    from domain import accounts

    password = os.environ.get(PASSWORD_ENV) or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    with db.connection_context():
        try:
            user, created = accounts.create_admin(username, password, display_name)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
    if created:
        click.echo(f"Created site admin {user.username}. Log in at /login.")
    else:
        click.echo(f"{user.username} exists: it is now a site admin, active, with the password given.")


@click.command("remind")
@with_appcontext
def remind():
    """Close answers nobody rated in 15 days, and remind whoever holds an item due within two working
    days or overdue (at most once a day each); fix the result of votes whose window closed unread,
    which destroys their ballot keys. Safe to run from cron every hour."""
    from domain import deliberation, handling

    with db.connection_context():
        sealed = deliberation.settle_closed()
        closed = handling.close_unrated()
        sent = handling.remind()
    if sealed:
        click.echo(f"{sealed} closed votes counted and their ballots unlinked")
    for issue in closed:
        click.echo(f"closed unrated: #{issue.id} {issue.title}")
    for assignment, user_id, kind in sent:
        click.echo(f"reminded user {user_id} of #{assignment.issue_id} ({kind}, due {assignment.due_on})")
    click.echo(f"{len(closed)} closed, {len(sent)} reminders sent")


@click.group("search")
def search_group():
    """The full-text index of issues."""


@search_group.command("reindex")
def search_reindex():
    """Rebuild the index from the issues (after the tokenizer changes)."""
    from domain import search

    with db.connection_context():
        count = search.reindex_all()
    click.echo(f"indexed {count} issues")


@click.group("stats")
def stats_group():
    """The statistics' summary rows."""


@stats_group.command("recount")
@click.option("--keywords", is_flag=True, help="Extract every issue's keywords again (after the stop words change).")
def stats_recount(keywords):
    """Count the summary rows again from the issues (after an import that bypassed the site)."""
    from domain import stats

    with db.connection_context():
        count = stats.recount(reextract=keywords)
    click.echo(f"statistics counted for {count} issues")


@click.group("translate")
def translate():
    """Extract, update and compile the message catalogues."""


def pybabel(*args):
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=HERE)


@translate.command("extract")
def extract():
    """Extract messages into messages.pot."""
    pybabel("extract", "-F", "babel.cfg", "-k", "_l", "-k", "ngettext:1,2",
            "--no-location", "--sort-output", "-o", "messages.pot", ".")


@translate.command("update")
def update():
    """Extract, then merge new messages into each catalogue."""
    extract.callback()
    pybabel("update", "-i", "messages.pot", "-d", "translations", "--no-fuzzy-matching",
            "--ignore-obsolete")
    fill_english_catalogue(os.path.join(HERE, "translations", "en", "LC_MESSAGES", "messages.po"))


@translate.command("compile")
def compile_():
    """Compile the catalogues for use."""
    pybabel("compile", "-d", "translations", "--statistics")


def fill_english_catalogue(path):
    """The msgids are English: the en catalogue translates each to itself, so it is complete."""
    from babel.messages.pofile import read_po, write_po

    with open(path, "rb") as fh:
        catalog = read_po(fh, locale="en")
    for message in catalog:
        if message.id and not any(message.string if isinstance(message.string, tuple) else [message.string]):
            message.string = message.id
    with open(path, "wb") as fh:
        write_po(fh, catalog, omit_header=False, sort_output=True, width=100)


# Backups -----------------------------------------------------------------------------------------

def _postgres_args(database):
    """pg_dump/pg_restore connection options for a peewee PostgresqlDatabase, and its environment
    (the password goes by PGPASSWORD, never on the command line)."""
    params = dict(database.connect_params)
    args = ["--dbname", database.database]
    for option, key in (("--host", "host"), ("--port", "port"), ("--username", "user")):
        if params.get(key):
            args += [option, str(params[key])]
    env = dict(os.environ)
    if params.get("password"):
        env["PGPASSWORD"] = str(params["password"])
    return args, env


def _is_sqlite():
    from peewee import SqliteDatabase

    return isinstance(db.obj, SqliteDatabase)


# What a backup archive holds: the database copy under one of these names, the photos' files under
# media/, and a manifest saying which engine the copy is of.
DATABASE_MEMBERS = {"sqlite": "database.sqlite", "postgresql": "database.dump"}
MEDIA_MEMBER = "media"
MANIFEST_MEMBER = "manifest.json"
ARCHIVE_FORMAT = 1


def _engine():
    return "sqlite" if _is_sqlite() else "postgresql"


def _dump_database(path):
    """The database copied to the file `path` while the site runs."""
    if _is_sqlite():
        with db.connection_context():
            target = sqlite3.connect(path)
            try:
                # Page by page, letting writers in between; the copy is one consistent moment.
                db.connection().backup(target, pages=1024)
            finally:
                target.close()
    else:
        args, env = _postgres_args(db.obj)
        done = subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--schema=public", "--file", path, *args],
                              env=env, capture_output=True, text=True)
        if done.returncode:
            raise click.ClickException(f"pg_dump failed: {done.stderr.strip()}")


def _load_database(path):
    """Every row of the database replaced with those of the copy at `path` (of this engine)."""
    if _is_sqlite():
        try:
            source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        except sqlite3.Error as exc:
            raise click.ClickException(f"{path} is not a SQLite backup: {exc}") from exc
        try:
            if source.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise click.ClickException(f"{path} is not a sound SQLite database")
            with db.connection_context():
                source.backup(db.connection())
        except sqlite3.DatabaseError as exc:
            raise click.ClickException(f"{path} is not a SQLite backup: {exc}") from exc
        finally:
            source.close()
    else:
        args, env = _postgres_args(db.obj)
        done = subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                               "--exit-on-error", *args, path], env=env, capture_output=True, text=True)
        if done.returncode:
            raise click.ClickException(f"pg_restore failed: {done.stderr.strip()}")


def _media_files(media):
    """(path, name in the archive) of every photo file under the folder `media`, in a stable order;
    half-written uploads (photos._write's temporary names) left out."""
    for folder, dirs, names in os.walk(media):
        dirs.sort()
        for name in sorted(names):
            path = os.path.join(folder, name)
            if name.startswith(".") or not os.path.isfile(path) or os.path.islink(path):
                continue
            yield path, "/".join((MEDIA_MEMBER, os.path.relpath(path, media).replace(os.sep, "/")))


@click.command("backup")
@click.argument("path", required=False, type=click.Path(dir_okay=False))
@with_appcontext
def backup(path):
    """Copy the whole database and the photos' files to the archive PATH (tar.gz) while the site
    runs: SQLite's online backup, or pg_dump's custom format on PostgreSQL, beside the media folder.
    Without PATH, a dated archive in instance/backups/."""
    import json
    import tarfile
    import tempfile

    from flask import current_app

    from domain import photos

    if not path:
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
        folder = os.path.join(current_app.instance_path, "backups")
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, f"yishi-{stamp}.tar.gz")
    path = os.path.abspath(path)
    if not os.path.isdir(os.path.dirname(path)):
        raise click.ClickException(f"there is no folder {os.path.dirname(path)} to write the backup in")
    engine = _engine()
    # Written under a temporary name beside PATH, renamed once whole: a backup that fails midway
    # leaves no archive that looks complete.
    handle, partial = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".backup-", suffix=".tar.gz")
    os.close(handle)
    try:
        with tempfile.TemporaryDirectory(prefix="yishi-backup-") as scratch:
            copy = os.path.join(scratch, DATABASE_MEMBERS[engine])
            # The database first, then the files: a photo's file is written before its row commits,
            # so every row in the copy finds its file (a file newer than the copy is only extra).
            _dump_database(copy)
            media = photos.media_dir()
            files = list(_media_files(media)) if os.path.isdir(media) else []
            manifest = json.dumps({
                "format": ARCHIVE_FORMAT, "engine": engine,
                "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            }).encode()
            with tarfile.open(partial, "w:gz") as archive:
                info = tarfile.TarInfo(MANIFEST_MEMBER)
                info.size, info.mtime = len(manifest), int(datetime.datetime.now(datetime.UTC).timestamp())
                archive.addfile(info, io.BytesIO(manifest))
                archive.add(copy, arcname=DATABASE_MEMBERS[engine])
                # The folder itself too, so that a backup of no photos restores an empty folder.
                folder_info = tarfile.TarInfo(MEDIA_MEMBER)
                folder_info.type, folder_info.mode = tarfile.DIRTYPE, 0o755
                archive.addfile(folder_info)
                kept = 0
                for file_path, name in files:
                    # A photo removed while we copy: its row is in the copy, its file not.
                    with contextlib.suppress(FileNotFoundError):
                        archive.add(file_path, arcname=name, recursive=False)
                        kept += 1
        os.replace(partial, path)
    except BaseException:
        if os.path.exists(partial):
            os.unlink(partial)
        raise
    click.echo(f"backed up to {path} (the database and {kept} photo files)")


def _checked_members(archive, path):
    """The archive's members, each checked to be a plain file or folder named inside it, as
    `flask backup` writes them; else ClickException (an absolute or `..` name would write outside
    the folder it is unpacked in)."""
    members = archive.getmembers()
    for member in members:
        name = member.name
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or os.path.isabs(name) or ".." in parts:
            raise click.ClickException(f"{path} is refused: its member {name!r} points outside the archive")
        if not (member.isfile() or member.isdir()):
            raise click.ClickException(f"{path} is refused: its member {name!r} is not a plain file or folder")
        top = parts[0]
        if top not in (MANIFEST_MEMBER, MEDIA_MEMBER, *DATABASE_MEMBERS.values()):
            raise click.ClickException(f"{path} is refused: {name!r} is not something `flask backup` writes")
    return members


def _swap_folder(new, target):
    """Put the folder `new` in the place of `target` by renames, the old one kept until the new is
    in place: a failure leaves the old folder where it was."""
    old = None
    if os.path.lexists(target):
        old = f"{target}.old-{datetime.datetime.now(datetime.UTC).strftime('%Y%m%d%H%M%S%f')}"
        os.rename(target, old)
    try:
        os.rename(new, target)
    except BaseException:
        if old is not None:
            os.rename(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _restore_archive(path):
    """Restore the database and the photo folder from an archive `flask backup` wrote."""
    import json
    import tarfile
    import tempfile

    from domain import photos

    media = os.path.abspath(photos.media_dir())
    parent = os.path.dirname(media)
    os.makedirs(parent, exist_ok=True)
    # Unpacked beside the media folder (the same file system: the swap is a rename); anything
    # that fails before the swap leaves the old photos as they were.
    scratch = tempfile.mkdtemp(dir=parent, prefix=".restore-")
    try:
        try:
            with tarfile.open(path, "r:*") as archive:
                members = _checked_members(archive, path)
                # The members are checked above; Python's own "data" filter too, where it has one
                # (3.11.4 and later).
                extra = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
                archive.extractall(scratch, members=members, **extra)
        except (tarfile.TarError, EOFError, OSError) as exc:
            raise click.ClickException(f"{path} cannot be unpacked: {exc}") from exc
        try:
            with open(os.path.join(scratch, MANIFEST_MEMBER), encoding="utf-8") as fh:
                manifest = json.load(fh)
        except (OSError, ValueError) as exc:
            raise click.ClickException(f"{path} is not an archive of `flask backup`: no manifest") from exc
        engine = manifest.get("engine") if isinstance(manifest, dict) else None
        if engine not in DATABASE_MEMBERS:
            raise click.ClickException(f"{path} is not an archive of `flask backup`: its manifest names no engine")
        if engine != _engine():
            raise click.ClickException(f"{path} holds a {engine} database, but the site runs on {_engine()}")
        copy = os.path.join(scratch, DATABASE_MEMBERS[engine])
        if not os.path.isfile(copy):
            raise click.ClickException(f"{path} holds no database copy")
        unpacked = os.path.join(scratch, MEDIA_MEMBER)
        os.makedirs(unpacked, exist_ok=True)
        _load_database(copy)
        try:
            _swap_folder(unpacked, media)
        except OSError as exc:
            raise click.ClickException(
                f"the database was restored, but the photo folder could not be put in place of {media} "
                f"({exc}): the old photos are still there; restore again once it can be") from exc
        return sum(len(names) for _folder, _dirs, names in os.walk(media))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Replace the database and the photos without asking.")
@with_appcontext
def restore(path, yes):
    """Replace the whole database and the photo folder with the backup archive at PATH (made by
    `flask backup`). An older backup, a bare database copy, restores the database alone."""
    import tarfile

    if not yes:
        click.confirm("This replaces every row of the database and every photo with the backup. Go on?",
                      abort=True)
    if tarfile.is_tarfile(path):
        count = _restore_archive(path)
        click.echo(f"restored from {path} (the database and {count} photo files)")
    else:
        _load_database(path)
        click.echo(f"restored from {path}")
        click.echo("note: this backup is a database copy alone (from before photos were backed up): "
                   "the photo folder was left as it was")

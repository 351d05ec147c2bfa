"""Yishi (议事): the application factory, configuration, extensions and command line."""
import os
import secrets
import subprocess
import sys

import click
from flask import Flask, abort, g, render_template, request
from flask_babel import Babel, get_locale
from flask_babel import lazy_gettext as _l
from flask_htmx import HTMX
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from peewee import PostgresqlDatabase, SqliteDatabase
from playhouse.db_url import parse as parse_db_url
from werkzeug.datastructures import ImmutableMultiDict

import models
from models import User, db

LOCALES = ("zh_Hans", "en")
MAX_ID = 2**31 - 1
HERE = os.path.dirname(os.path.abspath(__file__))

babel = Babel()
csrf = CSRFProtect()
htmx = HTMX()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please log in to continue.")
login_manager.login_message_category = "info"


def make_database(url):
    """A peewee database for `url`: SQLite (WAL, write lock at BEGIN) or PostgreSQL."""
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):]
        if path != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        return SqliteDatabase(
            path,
            pragmas={
                "journal_mode": "wal",
                "foreign_keys": 1,
                "synchronous": "normal",
                "busy_timeout": 10000,
            },
            timeout=10,
            lock_type="IMMEDIATE",
        )
    if url.startswith(("postgres://", "postgresql://")):
        params = parse_db_url(url)
        name = params.pop("database")
        return PostgresqlDatabase(name, **params)
    raise ValueError(f"unsupported DATABASE_URL: {url}")


def _secret_key(instance_path):
    # A key kept in the instance folder survives restarts, so sessions do too.
    path = os.path.join(instance_path, "secret_key")
    if not os.path.exists(path):
        os.makedirs(instance_path, exist_ok=True)
        with open(path, "w") as fh:
            fh.write(secrets.token_hex(32))
    with open(path) as fh:
        return fh.read().strip()


def select_locale():
    """The user's setting, else the switcher's cookie, else Accept-Language, else Chinese."""
    if current_user and current_user.is_authenticated and current_user.locale in LOCALES:
        return current_user.locale
    cookie = request.cookies.get("lang")
    if cookie in LOCALES:
        return cookie
    for lang, _quality in request.accept_languages:
        lang = lang.lower()
        if lang.startswith("zh"):
            return "zh_Hans"
        if lang.startswith("en"):
            return "en"
    return "zh_Hans"


def create_app(config=None):
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        DATABASE_URL=os.environ.get(
            "DATABASE_URL", "sqlite:///" + os.path.join(app.instance_path, "yishi.db")
        ),
        SECRET_KEY=os.environ.get("SECRET_KEY"),
        TIMEZONE=os.environ.get("YISHI_TIMEZONE", "Asia/Shanghai"),
        SITE_NAME=os.environ.get("YISHI_SITE_NAME", ""),
        # The authority in feed ids and calendar UIDs: fixed, so they stay the same whichever
        # address the site is reached by (subscribers would otherwise see every event twice).
        FEED_AUTHORITY=os.environ.get("YISHI_FEED_AUTHORITY", "yishi.local"),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("YISHI_SECURE_COOKIES") == "1",
        REMEMBER_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,
        BABEL_DEFAULT_LOCALE="zh_Hans",
        BABEL_TRANSLATION_DIRECTORIES=os.path.join(HERE, "translations"),
        PAGE_SIZE=20,
    )
    if config:
        app.config.update(config)
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["TIMEZONE"]
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _secret_key(app.instance_path)

    db.initialize(make_database(app.config["DATABASE_URL"]))

    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    htmx.init_app(app)
    login_manager.init_app(app)

    _register_request_hooks(app)
    _register_templates(app)
    _register_blueprints(app)
    _register_errors(app)
    _register_cli(app)
    return app


@login_manager.user_loader
def load_user(user_id):
    try:
        return User.get_or_none((User.id == int(user_id)) & User.active)
    except ValueError:
        return None


def _register_request_hooks(app):
    @app.before_request
    def open_db():
        # A connection someone else opened (a CLI command, a test) is theirs to close.
        g.opened_db = db.connect(reuse_if_open=True)

    @app.before_request
    def drop_nul():
        # No keyboard types NUL and PostgreSQL cannot store it: drop it from what was sent, and
        # an address holding one names nothing.
        if "\x00" in request.path:
            abort(404)
        for name in ("args", "form"):
            data = getattr(request, name)
            if any("\x00" in value for _key, values in data.lists() for value in values):
                cleaned = ImmutableMultiDict(
                    [(key, value.replace("\x00", "")) for key, values in data.lists() for value in values]
                )
                setattr(request, name, cleaned)
                request.__dict__.pop("values", None)

    @app.url_value_preprocessor
    def ids_in_range(endpoint, values):
        # Ids are 32-bit: a bigger one names nothing (and PostgreSQL would refuse to compare it).
        if values and any(isinstance(v, int) and v > MAX_ID for v in values.values()):
            abort(404)

    @app.teardown_request
    def close_db(exc):
        if g.pop("opened_db", False) and not db.is_closed():
            db.close()

    @app.after_request
    def security_headers(response):
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "frame-ancestors 'none'; form-action 'self'; base-uri 'self'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.vary.add("HX-Request")
        response.vary.add("Cookie")
        return response


def _register_templates(app):
    import labels
    import timefmt

    app.jinja_env.globals.update(get_locale=get_locale, label=labels.label, LOCALES=LOCALES)
    app.jinja_env.filters.update(
        localtime=timefmt.format_local, ago=timefmt.ago, html_lang=labels.html_lang,
        paragraphs=labels.paragraphs,
    )

    @app.context_processor
    def navigation():
        import permissions

        return {"nav": permissions.navigation(current_user), "htmx": htmx}


def _register_blueprints(app):
    from views import admin, agenda, auth, discussion, issues, main, members, triage, venues, verification

    for module in (main, auth, venues, issues, discussion, admin, members, agenda, verification, triage):
        app.register_blueprint(module.bp)


ERROR_TEXT = {
    400: (_l("Bad request"), _l("The request could not be understood. Please go back and try again.")),
    403: (_l("Not allowed"), _l("You do not have permission to do this.")),
    404: (_l("Page not found"), _l("There is no page at this address. It may have been moved.")),
    405: (_l("Method not allowed"), _l("This address does not accept that kind of request.")),
    422: (_l("Please check your input"), _l("Some of what you sent could not be accepted.")),
    500: (_l("Something went wrong"), _l("The site had a problem. Please try again in a moment.")),
}


def render_error(code, message=None):
    title, text = ERROR_TEXT[code]
    return render_template("error.html", code=code, title=title, text=message or text), code


def _register_errors(app):
    for code in ERROR_TEXT:
        app.register_error_handler(code, lambda exc, code=code: render_error(code))

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return render_error(
            400, _l("Your form expired or came from another site. Please reload the page and try again.")
        )


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


def _register_cli(app):
    from playhouse.migrations import Runner

    def runner():
        return Runner(db.obj, directory=os.path.join(HERE, "migrations"))

    @app.cli.group("db")
    def db_group():
        """Database migrations."""

    @db_group.command("upgrade")
    def db_upgrade():
        """Apply every pending migration."""
        with db.connection_context():
            applied = runner().up()
        click.echo("\n".join(f"applied: {name}" for name in applied) or "database is up to date")

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

    @app.cli.command("seed-demo")
    @click.option("--reset", is_flag=True, help="Delete all data first.")
    @click.option("--if-empty", is_flag=True, help="Do nothing when data exists.")
    def seed_demo(reset, if_empty):
        """Load the Zhijiang demo data and print the demo logins."""
        import demo

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

    @app.cli.group("translate")
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

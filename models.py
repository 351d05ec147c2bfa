"""All peewee models of Yishi.

Times are stored as naive UTC; templates show them in the site's time zone (see `domain/timefmt.py`).
Counters that list pages show on every row are kept on the row and updated in the same
transaction as the fact they count.
"""
import collections
import datetime
import itertools
import json
import re
import secrets
import weakref

from peewee import (
    JOIN,
    SQL,
    BooleanField,
    Case,
    CharField,
    DatabaseProxy,
    DateField,
    DateTimeField,
    DoubleField,
    Field,
    ForeignKeyField,
    IntegerField,
    Model,
    Node,
    PostgresqlDatabase,
    SqliteDatabase,
    TextField,
    Value,
    fn,
)
from werkzeug.security import check_password_hash, generate_password_hash

db = DatabaseProxy()
# Ids are 32-bit: a bigger number names no row (and PostgreSQL refuses to compare it).
MAX_ID = 2**31 - 1


def on_sqlite(database=None):
    """Whether `database` (the application's by default) is SQLite, where a query must be written
    otherwise than for PostgreSQL."""
    return isinstance(database or db.obj, SqliteDatabase)


def utcnow():
    """The current time as naive UTC, the form every DateTimeField stores."""
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


class JSONField(TextField):
    """A small JSON document kept as text (portable across SQLite and PostgreSQL)."""

    def db_value(self, value):
        return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)

    def python_value(self, value):
        return None if value is None else json.loads(value)


_DUMMY = []


def _dummy_hash():
    """A hash made the way real ones are (once per process), to check unknown usernames against."""
    if not _DUMMY:
        _DUMMY.append(generate_password_hash(secrets.token_hex(16)))
    return _DUMMY[0]


class FormerResident(str):
    """The name a deleted account shows wherever its contributions stay: "former resident" (前居民) in
    the reader's language, in templates (`__html__`) and in formatted text (`__str__`)."""

    def __new__(cls):
        return super().__new__(cls, "former resident")

    def __str__(self):
        from flask_babel import gettext

        return gettext("former resident")

    def __html__(self):
        from markupsafe import escape

        return str(escape(str(self)))


class DisplayNameField(CharField):
    """A display name; a deleted account's is stored empty and reads as FormerResident."""

    def db_value(self, value):
        return "" if isinstance(value, FormerResident) else super().db_value(value)

    def python_value(self, value):
        return FormerResident() if value == "" else super().python_value(value)


class Slot(Node):
    """Parameter `index` of a Prepared statement, given each time it runs."""

    def __init__(self, index=0):
        self.index = index

    def __sql__(self, ctx):
        ctx.literal(ctx.state.param or "?")
        ctx._values.append(self)
        return ctx


# The names of the statements each PostgreSQL connection has prepared (see Prepared), and the SQL
# each name stands for (what a log or a test shows instead of "EXECUTE yishi_3").
_PREPARED = weakref.WeakKeyDictionary()
PREPARED_SQL = {}


class Prepared:
    """A statement that requests ask all the time (a page's versions, a poll's counters), whose SQL
    text peewee builds once per engine rather than once per request: building it costs more than
    running it. `build()` makes the query, with Slot(i) where the i-th argument of `execute` goes;
    a column left to its default would keep the value it had when the text was made, so an INSERT
    gives every column that has a changing default (a time) a Slot. `sql` instead gives the text
    itself, for PostgreSQL only, with $1, $2 … for the arguments.

    On PostgreSQL the server keeps the statement too, planned once per connection (PREPARE, then
    EXECUTE): planning one of these costs the server more than running it."""

    numbers = itertools.count(1)

    def __init__(self, build=None, sql=None):
        self.build, self.sql, self.made, self.plan = build, sql, {}, None
        self.name = f"yishi_{next(Prepared.numbers)}"

    def _made(self):
        """(the query, the SQL to run, its parameters, the PREPARE the connection needs first or None)."""
        engine = type(db.obj)
        made = self.made.get(engine)
        if made is None:
            if self.sql is not None:
                count = max(map(int, re.findall(r"\$(\d+)", self.sql)), default=0)
                query, text, params = None, self.sql, [Slot(i) for i in range(count)]
            else:
                query = self.build()
                text, params = query.sql()
            prepare = None
            if issubclass(engine, PostgresqlDatabase) and "%%" not in text:
                numbers = itertools.count(1)
                PREPARED_SQL[self.name] = re.sub(r"%s", lambda _m: f"${next(numbers)}", text)
                prepare = f"PREPARE {self.name} AS {PREPARED_SQL[self.name]}"
                text = f"EXECUTE {self.name}" + (f"({', '.join(['%s'] * len(params))})" if params else "")
            made = self.made[engine] = (query, text, params, prepare)
        return made

    def execute(self, *args):
        _query, sql, params, prepare = self._made()
        if prepare is not None:
            ready = _PREPARED.setdefault(db.connection(), set())
            if self.name not in ready:
                db.execute_sql(prepare)  # kept by the server for the connection's life, rollbacks too
                ready.add(self.name)
        return db.execute_sql(sql, [args[p.index] if isinstance(p, Slot) else p for p in params])

    def first(self, *args):
        """The first row (a tuple), or None."""
        return self.execute(*args).fetchone()

    def first_model(self, *args):
        """The first row as the query's model, with the rows its foreign keys name when the query
        joins them (`Issue.select(Issue, Venue).join(Venue)` gives issue.venue), or None. Made from
        a plan worked out once, not by peewee's row reader, which works it out again every time:
        each instance gets its values as peewee's own constructor would store them, without a
        setattr per column."""
        row = self.execute(*args).fetchone()
        if row is None:
            return None
        made, at = [], 0
        for model, names, converters, foreign_key in self._plan():
            values = list(row[at:at + len(names)])
            at += len(names)
            for i, convert in converters:
                if values[i] is not None:
                    values[i] = convert(values[i])
            instance = model.__new__(model)
            instance.__data__, instance._dirty, instance.__rel__ = dict(zip(names, values, strict=True)), set(), {}
            if foreign_key is not None:
                made[0].__rel__[foreign_key.name] = instance
            made.append(instance)
        return made[0]

    def _plan(self):
        """[(model, the names of its fields in the row, (position, converter) of each field whose
        value the driver does not already give as Python holds it, the first model's foreign key
        naming it or None)]."""
        plan = self.plan
        if plan is None:
            query = self._made()[0]
            plan = []
            for field in query._returning:
                if not plan or plan[-1][0] is not field.model:
                    foreign_key = None
                    if plan:
                        foreign_key = next(f for f in plan[0][0]._meta.refs if f.rel_model is field.model)
                    plan.append((field.model, [], [], foreign_key))
                names, converters = plan[-1][1], plan[-1][2]
                if not _as_stored(field):
                    converters.append((len(names), field.python_value))
                names.append(field.name)
            self.plan = plan
        return plan


def _as_stored(field):
    """Whether `field`'s value is what both drivers return (an integer or a string), so that
    peewee's python_value would give it back unchanged."""
    if isinstance(field, ForeignKeyField):
        field = field.rel_field
    kind = type(field)
    return kind.python_value is Field.python_value and kind.adapt in (IntegerField.adapt, CharField.adapt)


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False


class Archivable:
    """A model whose rows are archived rather than deleted once anything refers to them."""

    @classmethod
    def active(cls):
        """The rows that are not archived."""
        return cls.select().where(~cls.archived)


# Choices are (stored value, English label). Labels are translated where shown (see domain/labels.py).
REGION_LEVELS = ("city", "town", "village")
REGION_KINDS = {
    "city": "city",
    "town": "town",
    "subdistrict": "town",
    "village": "village",
    "community": "village",
}
VENUE_KINDS = ("hall", "pavilion", "station", "home")
ROLES = ("resident", "councillor", "deputy")
MEMBERSHIP_STATES = ("pending", "verified", "refused", "removed")
ISSUE_STATES = (
    "submitted", "accepted", "declined", "merged", "deliberating", "assigned",
    "in_progress", "resolved", "explained", "closed",
)
CHANNELS = (
    "web", "bench_meeting", "home_visit", "phone", "wechat", "questionnaire",
    "station_reception", "hotline", "open311",
)
MEETING_KINDS = ("regular", "fifth_day", "bureau_visit", "bench_meeting", "deputy_visit")
VOTE_CHOICES = ("yes", "no", "abstain")
VOTE_RULES = ("majority", "two_thirds")
QUORUM_KINDS = ("count", "percent")
VOTE_RESULTS = ("passed", "rejected", "no_quorum")
RATINGS = ("satisfied", "basically_satisfied", "dissatisfied")
ASSIGNMENT_ROLES = ("lead", "co")
ASSIGNMENT_STATES = ("assigned", "signed", "answered", "returned", "withdrawn")
ACTIVE_ASSIGNMENT_STATES = ("assigned", "signed")
INBOX_VIEWS = ("new", "in_progress", "due_soon", "overdue", "returned")
ANSWER_GRADES = ("A", "B", "C", "D")
FLAG_REASONS = ("abuse", "spam", "off_topic")
REPORT_STATES = ("draft", "published")


class Region(Archivable, BaseModel):
    """A node of the city → town/subdistrict → village/community tree."""

    name = CharField(max_length=60)
    kind = CharField(max_length=12)  # a key of REGION_KINDS
    level = CharField(max_length=8, index=True)  # REGION_KINDS[kind]
    parent = ForeignKeyField("self", null=True, backref="children", on_delete="RESTRICT")
    position = IntegerField(default=0)
    archived = BooleanField(default=False)
    created_at = DateTimeField(default=utcnow)
    pinyin = CharField(max_length=240, default="", index=True)  # of the name, kept by save()
    initials = CharField(max_length=80, default="", index=True)

    class Meta:
        indexes = ((("parent", "position", "name"), False),)

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        keep_pinyin(self, kwargs)
        return super().save(*args, **kwargs)

    @classmethod
    def current(cls):
        """The regions in use (not archived), for the directory."""
        return cls.select().where(~cls.archived)

    @classmethod
    def city(cls):
        """The root of the tree (the first region without a parent), or None."""
        return cls.select().where(cls.parent.is_null()).order_by(cls.id).first()

    def ancestors(self):
        """Regions above this one, from the root down."""
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))

    # Administration
    @classmethod
    def has_city(cls):
        """Whether the top of the tree exists yet."""
        return cls.select().where(cls.level == "city").exists()

    @classmethod
    def in_tree_order(cls):
        """Every region, archived or not, as the tree lists its siblings: by position, then name."""
        return cls.select().order_by(cls.position, cls.name)

    @classmethod
    def other_roots(cls, region=None):
        """Regions in use at the top of the tree, `region` aside: a second city, if any."""
        query = cls.select().where(cls.parent.is_null() & ~cls.archived)
        return query.where(cls.id != region.id) if region is not None else query

    def venues_by_name(self):
        return self.venues.order_by(Venue.name)

    def holds_active(self):
        """Whether a venue or region under it is still in use, so it cannot be archived yet."""
        return self.venues.where(~Venue.archived).exists() or self.children.where(~Region.archived).exists()

    def is_referenced(self):
        """Whether anything refers to it (a venue, a region, a department), so it cannot be deleted."""
        return self.venues.exists() or self.children.exists() or self.departments.exists()


class Venue(Archivable, BaseModel):
    """A deliberation hall, residential pavilion, liaison station or deputies' home."""

    name = CharField(max_length=80)
    slug = CharField(max_length=60, unique=True)
    kind = CharField(max_length=10, index=True)
    region = ForeignKeyField(Region, backref="venues", on_delete="RESTRICT")
    address = CharField(max_length=200, default="")
    description = TextField(default="")
    opening_times = CharField(max_length=200, default="")
    voting_open_to_all = BooleanField(default=False)
    invite_code = CharField(max_length=16, null=True, unique=True)
    latitude = DoubleField(null=True)
    longitude = DoubleField(null=True)
    archived = BooleanField(default=False)
    issue_count = IntegerField(default=0)
    resident_count = IntegerField(default=0)  # verified residents, the base of a percentage quorum
    revision = IntegerField(default=0)  # moved by the database with every change its page shows
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    pinyin = CharField(max_length=240, default="", index=True)  # of the name, kept by save()
    initials = CharField(max_length=80, default="", index=True)

    class Meta:
        indexes = ((("region", "name"), False),)

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        keep_pinyin(self, kwargs)
        return super().save(*args, **kwargs)

    @classmethod
    def search(cls, text):
        """Venues whose name, address or region name contains `text` (the directory is small), or
        whose name's or region's pinyin or initials start with it (majia, mjd find 马家店): prefix
        ranges on indexed columns, like User.search."""
        query = cls.select(cls, Region).join(Region).where(~cls.archived)
        text = (text or "").strip()
        if text:
            letters = "".join(text.split()).lower()
            if letters.isascii() and letters.isalpha():
                upper = letters + "\uffff"
                regions = Region.select(Region.id).where(
                    Region.pinyin.between(letters, upper) | Region.initials.between(letters, upper)
                )
                found = (
                    cls.pinyin.between(letters, upper) | cls.initials.between(letters, upper)
                    | cls.region.in_(regions)
                )
            else:
                found = cls.name.contains(text) | cls.address.contains(text) | Region.name.contains(text)
            query = query.where(found)
        return query.order_by(Region.position, Region.name, cls.name)

    @classmethod
    def versions(cls, slug):
        """(id, revision, the site's revision) of the venue at `slug`, or None: what its page is
        built from, in one statement whose SQL is made once."""
        return _VENUE_VERSIONS.first(slug)

    @classmethod
    def all_versions(cls):
        """(how many venues, the sum of their revisions, the last id, the site's revision): moves
        whenever any venue's revision does, so it versions pages that show every venue's meetings and
        agenda items. One statement whose SQL is made once."""
        return _ALL_VENUE_VERSIONS.first()

    @classmethod
    def with_path(cls):
        """Venues with their region and the two regions above it (village → town → city: the
        tree's whole depth), and the site's revision as `site_revision`, in one statement."""
        parent, grand = Region.alias("parent"), Region.alias("grand")
        return (
            cls.select(cls, Region, parent, grand,
                       PageVersion.select(PageVersion.site).limit(1).alias("site_revision"))
            .join(Region)
            .join(parent, JOIN.LEFT_OUTER, on=(Region.parent == parent.id))
            .join(grand, JOIN.LEFT_OUTER, on=(parent.parent == grand.id))
        )

    @classmethod
    def named(cls, ids):
        """The venues with these ids, by name."""
        return cls.select().where(cls.id.in_(list(ids) or [0])).order_by(cls.name)

    def is_open(self):
        """Whether new issues, comments and votes may be posted here (archived venues are read only)."""
        return not self.archived

    def people(self, role):
        """Verified members of this venue holding `role`, by display name."""
        return (
            User.select()
            .join(Membership, on=Membership.user)
            .where(
                (Membership.venue == self)
                & (Membership.role == role)
                & (Membership.status == "verified")
            )
            .order_by(User.display_name)
        )

    # Administration
    @classmethod
    def admin_listing(cls, q="", kind="", state="active", region_id=None):
        """Venues for the admin list: matching `q`, of `kind`, in `state`, in or under `region_id`."""
        query = cls.select(cls, Region).join(Region).order_by(Region.name, cls.name)
        if q:
            query = query.where(cls.name.contains(q) | (cls.slug == q) | Region.name.contains(q))
        if kind:
            query = query.where(cls.kind == kind)
        if state == "archived":
            query = query.where(cls.archived)
        elif state != "all":
            query = query.where(~cls.archived)
        if region_id:
            query = query.where((cls.region == region_id) | (Region.parent == region_id))
        return query

    @classmethod
    def counts_by_region(cls):
        """{region id: number of its venues that are not archived}."""
        return dict(cls.select(cls.region, fn.COUNT(cls.id)).where(~cls.archived).group_by(cls.region).tuples())

    @classmethod
    def choosable(cls):
        """The venues not archived, with their regions, by region and name (for a select)."""
        return (
            cls.select(cls.id, cls.name, Region.name).join(Region).where(~cls.archived)
            .order_by(Region.name, cls.name)
        )

    def slug_taken(self, slug):
        """Whether another venue than this one (it may be new) uses `slug`."""
        return Venue.select().where((Venue.slug == slug) & (Venue.id != self.id)).exists()

    def officials_and(self, user):
        """The verified councillors' and deputies' memberships here, and every membership of
        `user` here (any role or status; none for a visitor), with their users, in one statement."""
        officials = (Membership.role != "resident") & (Membership.status == "verified")
        if user is not None and user.is_authenticated:
            officials |= Membership.user == user.id
        return (
            Membership.select(Membership, User)
            .join(User, on=Membership.user)
            .where((Membership.venue == self) & officials)
            .order_by(Membership.role, User.display_name)
        )

    def office_holders(self):
        """The verified councillors' and deputies' memberships here, with their users."""
        return (
            Membership.select(Membership, User)
            .join(User, on=Membership.user)
            .where((Membership.venue == self) & (Membership.role != "resident") & (Membership.status == "verified"))
            .order_by(Membership.role, User.display_name)
        )


class User(BaseModel):
    username = CharField(max_length=40, unique=True)
    display_name = DisplayNameField(max_length=40, index=True)
    password_hash = CharField(max_length=256)
    phone = CharField(max_length=20, null=True, index=True)
    email = CharField(max_length=120, null=True)  # for notices by email, where the site sends mail
    locale = CharField(max_length=10, null=True)
    large_text = BooleanField(default=False)  # 长辈模式: larger type and targets, higher contrast
    is_admin = BooleanField(default=False, index=True)
    active = BooleanField(default=True)
    must_change_password = BooleanField(default=False)
    created_at = DateTimeField(default=utcnow)
    # Raised to end every session of the account at once (logout, new password, deactivation).
    session_version = IntegerField(default=0)
    deleted_at = DateTimeField(null=True)  # the person deleted their account; contributions stay

    def __str__(self):
        return self.display_name

    # Flask-Login's protocol.
    @property
    def is_active(self):
        return self.active

    @property
    def is_authenticated(self):
        return True

    @property
    def is_anonymous(self):
        return False

    def get_id(self):
        # The session version rides in the id the session cookie keeps, so raising it voids
        # every cookie issued before (see extensions.load_user).
        return f"{self.id}:{self.session_version}"

    @classmethod
    def active_by_id(cls, user_id):
        """The active account `user_id`, or None: what every signed-in request loads, its SQL made once."""
        return _ACTIVE_USER.first_model(user_id)

    @classmethod
    def reader(cls, user_id):
        """What a signed-in page is built from besides what it shows (see views.kept_for_readers):
        the account's session version, its settings, name and roles, and its unread notifications,
        as a Reader, or None when no active account has that id. One statement whose SQL is made once."""
        row = _READER.first(user_id)
        return row and Reader(*row)

    @classmethod
    def by_username(cls, username):
        """The account that logs in as `username`, or None."""
        return cls.get_or_none(cls.username == username)

    @classmethod
    def search(cls, text):
        """Users whose username, display name or phone starts with `text`, through their indexes.

        Prefix ranges rather than LIKE, so both SQLite and PostgreSQL answer from an index.
        """
        text = (text or "").strip()
        if not text:
            return cls.select()
        upper = text + "\U0010ffff"
        return cls.select().where(
            cls.username.between(text, upper)
            | cls.display_name.between(text, upper)
            | cls.phone.between(text, upper)
        )

    def set_password(self, password):
        self.password_hash = generate_password_hash(password)

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)

    @classmethod
    def authenticate(cls, username, password):
        """The account `username` when `password` is its password, else None. An unknown username
        costs the same hashing as a known one, so the time taken does not tell which exist."""
        user = cls.by_username(username)
        if user is None or user.deleted_at is not None:
            check_password_hash(_dummy_hash(), password)
            return None
        return user if user.check_password(password) else None

    def end_sessions(self):
        """End every session of this account (each cookie names the version it was issued under)."""
        User.update(session_version=User.session_version + 1).where(User.id == self.id).execute()
        self.session_version = User.select(User.session_version).where(User.id == self.id).scalar()

    def memberships(self, role=None):
        """This user's verified memberships, with their venues, optionally of one role."""
        query = (
            Membership.select(Membership, Venue)
            .join(Venue)
            .where((Membership.user == self) & (Membership.status == "verified"))
            .order_by(Venue.name)
        )
        if role:
            query = query.where(Membership.role == role)
        return query

    def has_role(self, role, venue=None):
        """Whether the user holds a verified `role` (at `venue`, or anywhere)."""
        query = Membership.select().where(
            (Membership.user == self) & (Membership.role == role) & (Membership.status == "verified")
        )
        if venue is not None:
            query = query.where(Membership.venue == venue)
        return query.exists()

    # Administration
    @classmethod
    def admin_listing(cls, q="", show="all"):
        """Accounts for the admin list: matching `q` by name, else newest first; only admins or
        only deactivated accounts when `show` says so."""
        query = cls.search(q)
        if show == "admins":
            query = query.where(cls.is_admin)
        elif show == "inactive":
            query = query.where(~cls.active)
        return query.order_by(cls.display_name, cls.id) if q else query.order_by(cls.id.desc())

    @classmethod
    def username_taken(cls, username):
        return cls.select().where(cls.username == username).exists()

    def all_memberships(self):
        """Every membership of this user, in any status, with venue and region; verified first."""
        return (
            Membership.select(Membership, Venue, Region)
            .join(Venue).join(Region)
            .where(Membership.user == self)
            .order_by(Membership.status != "verified", Venue.name, Membership.role)
        )

    # Names and role badges (see domain/accounts.py)
    @classmethod
    def official_names(cls, owner_id=0):
        """The display names of the officials (verified councillors and deputies, department staff,
        site admins) other than user `owner_id`, and the names of every department but those
        `owner_id` works for (a department's account may bear its name): one query."""
        others = cls.id != owner_id
        departments = ~Department.id.in_(
            DepartmentStaff.select(DepartmentStaff.department).where(DepartmentStaff.user == owner_id)
        )
        # A union of index-driven parts: the officials are few, the accounts and members many.
        return (
            cls.select(cls.display_name).join(Membership, on=(Membership.user == cls.id)).where(
                others & Membership.role.in_(("councillor", "deputy")) & (Membership.status == "verified")
            )
            | cls.select(cls.display_name).join(DepartmentStaff, on=(DepartmentStaff.user == cls.id)).where(others)
            | cls.select(cls.display_name).where(others & cls.is_admin)
            | Department.select(Department.name).where(departments)
            | Department.select(Department.name_en).where(departments & (Department.name_en != ""))
        )

    @classmethod
    def official_roles(cls, ids, venue_id):
        """(user id, role) of the official roles of the users `ids` as seen at venue `venue_id`:
        councillor there, deputy anywhere, department (staff), admin. One query."""
        ids = list(ids)
        memberships = Membership.select(Membership.user, Membership.role).where(
            Membership.user.in_(ids) & (Membership.status == "verified")
            & (((Membership.role == "councillor") & (Membership.venue == venue_id)) | (Membership.role == "deputy"))
        )
        staff = DepartmentStaff.select(DepartmentStaff.user, Value("department").cast("varchar")).where(
            DepartmentStaff.user.in_(ids)
        )
        admins = cls.select(cls.id, Value("admin").cast("varchar")).where(cls.id.in_(ids) & cls.is_admin)
        return memberships | staff | admins


class Membership(BaseModel):
    """A user's role at a venue; residents need verification by a councillor."""

    user = ForeignKeyField(User, backref="membership_set", on_delete="CASCADE")
    venue = ForeignKeyField(Venue, backref="membership_set", on_delete="CASCADE")
    role = CharField(max_length=12)
    status = CharField(max_length=10, default="pending")
    verified_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    verified_at = DateTimeField(null=True)
    note = CharField(max_length=300, default="")  # e.g. why a request was refused
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = (
            (("user", "venue", "role"), True),
            (("venue", "role", "status"), False),
            (("role", "status", "user"), False),  # the officials (accounts.official_names)
        )

    @classmethod
    def of_venue(cls, venue, role=None, status=None):
        """The venue's memberships with their people, of one role and one status (or a tuple of
        statuses) when given."""
        query = cls.select(cls, User).join(User, on=(cls.user == User.id)).where(cls.venue == venue)
        if role:
            query = query.where(cls.role == role)
        if status:
            query = query.where(cls.status.in_([status] if isinstance(status, str) else list(status)))
        return query

    @classmethod
    def roster(cls, venue, role=None, status=None):
        """The venue's member list: who waits first, then by role and name."""
        return cls.of_venue(venue, role, status).order_by(
            cls.status != "pending", cls.role, User.display_name, cls.id
        )

    @classmethod
    def status_counts(cls, venue, role=None):
        """{status: how many memberships} at `venue`, of one role when given (one query)."""
        query = cls.select(cls.status, fn.COUNT(cls.id)).where(cls.venue == venue)
        if role:
            query = query.where(cls.role == role)
        return dict(query.group_by(cls.status).tuples())

    @classmethod
    def pending_counts(cls, venues):
        """{venue id: residents waiting for verification} for `venues` (one query)."""
        ids = [venue.id for venue in venues]
        if not ids:
            return {}
        return dict(
            cls.select(cls.venue, fn.COUNT(cls.id))
            .where(cls.venue.in_(ids) & (cls.role == "resident") & (cls.status == "pending"))
            .group_by(cls.venue)
            .tuples()
        )

    @classmethod
    def of_user_with_venues(cls, user):
        """`user`'s memberships, verified or waiting, at venues not archived, with the venues, by
        venue name and role."""
        return (
            cls.select(cls, Venue)
            .join(Venue)
            .where((cls.user == user.id) & cls.status.in_(("verified", "pending")) & ~Venue.archived)
            .order_by(Venue.name, Venue.id, cls.role)
        )

    @classmethod
    def roles_at(cls, user, venue):
        """The roles `user` holds, verified, at `venue` (one query)."""
        return [
            role for (role,) in cls.select(cls.role).where(
                (cls.user == user.id) & (cls.venue == venue) & (cls.status == "verified")
            ).tuples()
        ]

    @classmethod
    def own_at(cls, user_id, venue_id):
        """(role, status, note) of each of the user's memberships at the venue, oldest first: what
        their own part of the venue page is built from. One statement whose SQL is made once."""
        return tuple(_OWN_MEMBERSHIPS.execute(user_id, venue_id).fetchall())

    @classmethod
    def resident(cls, user, venue):
        """The user's resident membership at `venue` (any status), or None."""
        return cls.get_or_none((cls.user == user.id) & (cls.venue == venue) & (cls.role == "resident"))

    # Administration
    @classmethod
    def anyone_verified_as(cls, role):
        """Whether someone holds `role` somewhere, verified."""
        return cls.select().where((cls.role == role) & (cls.status == "verified")).exists()


class DeputyGroup(Archivable, BaseModel):
    """Deputies organised by field (专业代表小组)."""

    name = CharField(max_length=60, unique=True)
    name_en = CharField(max_length=80, default="")
    description = TextField(default="")
    archived = BooleanField(default=False)

    # Administration
    def __str__(self):
        return self.name

    @classmethod
    def listing(cls):
        """Every group, the archived last, by name."""
        return cls.select().order_by(cls.archived, cls.name)

    @classmethod
    def of_member(cls, user):
        """The groups `user` belongs to, by name."""
        return cls.select().join(DeputyGroupMember).where(DeputyGroupMember.user == user).order_by(cls.name)

    @classmethod
    def name_taken(cls, name, group=None):
        """Whether a group other than `group` is called `name`."""
        query = cls.select().where(cls.name == name)
        return (query.where(cls.id != group.id) if group is not None else query).exists()

    def member_users(self):
        """The users in this group, by name."""
        return User.select().join(DeputyGroupMember).where(DeputyGroupMember.group == self).order_by(User.display_name)


class DeputyGroupMember(BaseModel):
    group = ForeignKeyField(DeputyGroup, backref="members", on_delete="CASCADE")
    user = ForeignKeyField(User, backref="deputy_groups", on_delete="CASCADE")

    class Meta:
        indexes = ((("group", "user"), True),)

    # Administration
    @classmethod
    def counts(cls):
        """{group id: number of members}."""
        return dict(cls.select(cls.group, fn.COUNT(cls.id)).group_by(cls.group).tuples())


class Department(Archivable, BaseModel):
    """A handling department (承办单位) at some level of the region tree."""

    name = CharField(max_length=80)
    name_en = CharField(max_length=120, default="")
    level = CharField(max_length=8, index=True)
    region = ForeignKeyField(Region, backref="departments", on_delete="RESTRICT")
    archived = BooleanField(default=False)

    class Meta:
        indexes = ((("region", "name"), True),)

    def __str__(self):
        return self.name

    # Administration
    @classmethod
    def admin_listing(cls, level=""):
        """Departments with their regions, of `level` if given; the archived last."""
        query = cls.select(cls, Region).join(Region).order_by(cls.archived, cls.level, Region.name, cls.name)
        return query.where(cls.level == level) if level else query

    @classmethod
    def names(cls):
        """{id: name} of every department."""
        return dict(cls.select(cls.id, cls.name).tuples())

    @classmethod
    def choosable(cls, level=None, keep=None):
        """Departments not archived (of `level`), with their regions, by name; `keep` even if archived."""
        condition = ~cls.archived if keep is None else (~cls.archived | (cls.id == keep))
        query = cls.select(cls, Region).join(Region).where(condition).order_by(cls.name)
        return query.where(cls.level == level) if level else query

    def name_taken(self, region, name):
        """Whether another department than this one (it may be new) at `region` is called `name`."""
        return Department.select().where(
            (Department.region == region) & (Department.name == name) & (Department.id != self.id)
        ).exists()

    def staff_users(self):
        """The users working for this department, by name."""
        return User.select().join(DepartmentStaff).where(DepartmentStaff.department == self).order_by(User.display_name)


class DepartmentStaff(BaseModel):
    department = ForeignKeyField(Department, backref="staff", on_delete="CASCADE")
    user = ForeignKeyField(User, backref="departments", on_delete="CASCADE")

    class Meta:
        indexes = ((("department", "user"), True),)

    # Administration
    @classmethod
    def counts(cls):
        """{department id: number of staff}."""
        return dict(cls.select(cls.department, fn.COUNT(cls.id)).group_by(cls.department).tuples())

    @classmethod
    def of_user(cls, user):
        """`user`'s places of work, with their departments, by department name."""
        return cls.select(cls, Department).join(Department).where(cls.user == user).order_by(Department.name)


class Category(Archivable, BaseModel):
    """What an issue is about, with the department that handles it by default at each level."""

    code = CharField(max_length=30, unique=True)
    name = CharField(max_length=40)
    name_en = CharField(max_length=60)
    village_department = ForeignKeyField(Department, null=True, on_delete="SET NULL", backref="+")
    town_department = ForeignKeyField(Department, null=True, on_delete="SET NULL", backref="+")
    city_department = ForeignKeyField(Department, null=True, on_delete="SET NULL", backref="+")
    time_limit_days = IntegerField(default=15)  # working days
    position = IntegerField(default=0)
    archived = BooleanField(default=False)

    def __str__(self):
        return self.name

    def department_for(self, level):
        """The default handling department at `level` (village, town or city), or None."""
        return getattr(self, f"{level}_department", None)

    @classmethod
    def choices(cls):
        """The categories an issue may be filed under, in their set order."""
        return cls.select().where(~cls.archived).order_by(cls.position, cls.id)

    # Administration
    @classmethod
    def admin_listing(cls):
        """Every category, the archived last, in their set order."""
        return cls.select().order_by(cls.archived, cls.position, cls.name)

    def code_taken(self, code):
        """Whether another category than this one (it may be new) uses `code`."""
        return Category.select().where((Category.code == code) & (Category.id != self.id)).exists()


class Issue(BaseModel):
    """One matter raised by a resident, or recorded for one (代录)."""

    venue = ForeignKeyField(Venue, backref="issues", on_delete="RESTRICT")
    author = ForeignKeyField(User, null=True, backref="issues", on_delete="SET NULL")
    recorded_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    reporter_name = CharField(max_length=40, default="")
    reporter_contact = CharField(max_length=60, default="")
    anonymous = BooleanField(default=False)
    title = CharField(max_length=120)
    body = TextField()
    category = ForeignKeyField(Category, null=True, backref="issues", on_delete="SET NULL")
    level = CharField(max_length=8, default="village")
    status = CharField(max_length=14, default="submitted")
    channel = CharField(max_length=20, default="web")
    address = CharField(max_length=200, default="")
    latitude = DoubleField(null=True)
    longitude = DoubleField(null=True)
    merged_into = ForeignKeyField("self", null=True, on_delete="SET NULL", backref="merged")
    decline_reason = TextField(default="")
    award = BooleanField(default=False)
    hidden = BooleanField(default=False)
    support_count = IntegerField(default=0)
    comment_count = IntegerField(default=0)
    follower_count = IntegerField(default=0)
    flag_count = IntegerField(default=0)
    due_on = DateField(null=True)
    reopened = BooleanField(default=False)
    revision = IntegerField(default=0)  # moved by the database with every change its page shows
    tracked = BooleanField(default=False)  # has had a lead assignment: set by the database (0021)
    created_at = DateTimeField(default=utcnow, index=True)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = (
            (("venue", "created_at"), False),
            (("venue", "support_count"), False),
            (("venue", "status"), False),
            (("status", "due_on"), False),
            (("level", "status"), False),  # a special report's candidates: city matters by status
            (("tracked", "status"), False),  # the ledger's counts
        )

    @classmethod
    def public(cls, *more):
        """Issues anyone may see, with their category (an outer join: it may be empty).

        `more` adds models to the select, for the caller to join (the venue, across venues).
        """
        return (
            cls.select(cls, Category, *more)
            .join(Category, JOIN.LEFT_OUTER, on=(cls.category == Category.id))
            .where(~cls.hidden)
        )

    @classmethod
    def at(cls, venue, status="", category="", level=""):
        """The public issues of `venue`, of one status, category code and level when given."""
        query = cls.public().where(cls.venue == venue)
        if status:
            query = query.where(cls.status == status)
        if category:
            query = query.where(Category.code == category)
        if level:
            query = query.where(cls.level == level)
        return query

    @classmethod
    def everywhere(cls):
        """The public issues of every venue, each with its venue (for the site-wide search)."""
        return cls.public(Venue).switch(cls).join(Venue)

    @classmethod
    def with_venue(cls):
        """Issues with their venue and category, the way the issue page shows one."""
        return (
            cls.select(cls, Venue, Category)
            .join(Venue)
            .switch(cls)
            .join(Category, JOIN.LEFT_OUTER, on=(cls.category == Category.id))
        )

    COUNTER_FIELDS = ("id", "status", "updated_at", "support_count", "comment_count", "follower_count", "hidden",
                      "venue", "author", "anonymous")

    @classmethod
    def counters(cls, issue_id):
        """Only what polls compare of issue `issue_id` (status, counters, last change) and what
        says who may read what (venue, author), found by primary key: one indexed row, nothing
        joined, its SQL made once. None when there is no such issue."""
        row = _ISSUE_COUNTERS.first(issue_id)
        if row is None:
            return None
        fields = [cls._meta.fields[name] for name in cls.COUNTER_FIELDS]
        return cls(**{field.name: field.python_value(value) for field, value in zip(fields, row, strict=True)})

    def reread_counters(self):
        """Read again what polls compare (status, counters, last change), as counters() does."""
        now = Issue.counters(self.id)
        if now is not None:
            for name in ("status", "updated_at", "support_count", "comment_count", "follower_count", "hidden"):
                setattr(self, name, getattr(now, name))
            self._dirty.clear()

    @classmethod
    def with_its_venue(cls, issue_id):
        """Issue `issue_id` with its venue, or None: what every act on an issue loads first, in one
        statement whose SQL is made once."""
        return _ISSUE_WITH_VENUE.first_model(issue_id)

    @classmethod
    def versions(cls, issue_id):
        """(id, revision, the site's revision) of issue `issue_id`, or None: what its page is built
        from, in one statement whose SQL is made once."""
        return _ISSUE_VERSIONS.first(issue_id)

    def version(self):
        """What changes whenever the status badge or the counts beside it change (see counters)."""
        return (
            self.id, self.status, self.updated_at, self.support_count, self.comment_count,
            self.follower_count, self.hidden,
        )

    @classmethod
    def reported_at(cls, venue):
        """Issues of `venue` with their author (who may be gone), for moderation."""
        return (
            cls.select(cls, User)
            .join(User, JOIN.LEFT_OUTER, on=(cls.author == User.id))
            .where(cls.venue == venue.id)
        )

    def people(self):
        """{id: User} of its author and of whoever recorded it, with their names only (one query)."""
        ids = [i for i in (self.author_id, self.recorded_by_id) if i is not None]
        return {u.id: u for u in User.select(User.id, User.display_name).where(User.id.in_(ids))}

    def merged_target(self):
        """The issue this one was merged into (its id and title), or None."""
        if not self.merged_into_id:
            return None
        return Issue.select(Issue.id, Issue.title).where(Issue.id == self.merged_into_id).first()

    def hidden_by_reports(self):
        """Whether reports hid it (participation.report at FLAG_THRESHOLD), not yet reviewed: a
        councillor's decision clears the open reports, so one they hid has no flag_count."""
        return self.hidden and self.flag_count > 0

    def is_rated(self):
        """Whether its author has rated how it was handled."""
        return Feedback.select().where(Feedback.issue == self).exists()

    def timeline(self):
        """The issue's Events, oldest first by when they happened (a row written later may tell of
        something earlier: a merge folds in a duplicate with its own dates, records are imported),
        each with its actor (who may be gone)."""
        return (
            Event.select(Event, User)
            .join(User, JOIN.LEFT_OUTER, on=(Event.actor == User.id))
            .where(Event.issue == self)
            .order_by(Event.created_at, Event.id)
        )

    @classmethod
    def with_latest_item(cls, query):
        """`query` with each issue's latest agenda item (its window and result) as `latest_item`,
        through an outer join on the newest item's id: the list's badges come with its rows."""
        latest = AgendaItem.alias("latest_item")
        newest = AgendaItem.select(fn.MAX(AgendaItem.id)).where(AgendaItem.issue == cls.id)
        return (
            query.select_extend(latest.id, latest.opens_at, latest.closes_at, latest.result, latest.open_poll)
            .switch(cls)
            .join(latest, JOIN.LEFT_OUTER, on=(latest.id == newest), attr="latest_item")
        )

    @classmethod
    def ordered(cls, query, sort):
        """`query` newest first, or most supported first (sort="supported")."""
        if sort == "supported":
            return query.order_by(cls.support_count.desc(), cls.created_at.desc(), cls.id.desc())
        return query.order_by(cls.created_at.desc(), cls.id.desc())


class Comment(BaseModel):
    issue = ForeignKeyField(Issue, backref="comments", on_delete="CASCADE")
    author = ForeignKeyField(User, backref="comments", on_delete="CASCADE")
    parent = ForeignKeyField("self", null=True, backref="replies", on_delete="CASCADE")
    body = TextField()
    hidden = BooleanField(default=False)
    flag_count = IntegerField(default=0)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("issue", "id"), False),)

    def hidden_by_reports(self):
        """Whether reports hid it (participation.report at FLAG_THRESHOLD), not yet reviewed: a
        councillor's decision clears the open reports, so one they hid has no flag_count."""
        return self.hidden and self.flag_count > 0

    @classmethod
    def with_author(cls):
        """Comments with their author."""
        return cls.select(cls, User).join(User)

    @classmethod
    def shown(cls, issue_id, reader_id=None, everything=False):
        """Where a comment of issue `issue_id` shows to a reader: every one to those who see what
        moderation hid (`everything`); to others none that is hidden, unless the reader (`reader_id`)
        wrote it, nor a reply to such a comment."""
        if everything:
            return cls.issue == issue_id
        reader_id = reader_id or 0
        parent = cls.alias("hidden_parent")
        hidden_parents = parent.select(parent.id).where(
            (parent.issue == issue_id) & parent.hidden & (parent.author != reader_id)
        )
        return (
            (cls.issue == issue_id)
            & (~cls.hidden | (cls.author == reader_id))
            & (cls.parent.is_null() | cls.parent.not_in(hidden_parents))
        )

    @classmethod
    def reported_at(cls, venue):
        """Comments on the issues of `venue`, with their issue and author, for moderation."""
        return cls.select(cls, Issue, User).join(Issue).switch(cls).join(User).where(Issue.venue == venue.id)


class Support(BaseModel):
    """A resident's 附议 on an issue: one per resident per issue."""

    user = ForeignKeyField(User, on_delete="CASCADE")
    issue = ForeignKeyField(Issue, backref="supports", on_delete="CASCADE", index=False)  # (issue, user) serves
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("issue", "user"), True),)


class Follow(BaseModel):
    # The two indexes below serve lookups by either column alone (migration 0027).
    user = ForeignKeyField(User, on_delete="CASCADE", index=False)
    issue = ForeignKeyField(Issue, backref="follows", on_delete="CASCADE", index=False)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("issue", "user"), True), (("user", "issue"), False))


class Meeting(BaseModel):
    """A scheduled deliberation (议事会) at a venue."""

    venue = ForeignKeyField(Venue, backref="meetings", on_delete="RESTRICT")
    title = CharField(max_length=120)
    kind = CharField(max_length=16, default="regular")
    starts_at = DateTimeField(index=True)
    ends_at = DateTimeField(null=True)
    place = CharField(max_length=200, default="")
    description = TextField(default="")
    minutes = TextField(default="")
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    cancelled = BooleanField(default=False)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("venue", "starts_at"), False),)

    @classmethod
    def upcoming(cls, venue, now):
        """The venue's meetings from `now` on, soonest first (cancelled ones included)."""
        return cls.select().where((cls.venue == venue) & (cls.starts_at >= now)).order_by(cls.starts_at)

    @classmethod
    def next_and_voting(cls, venue, now, limit):
        """The venue's next `limit` meetings from `now` on, and every meeting of it with an item
        open for votes at `now`, each row with that item as `open_item` (or None) and its issue's
        `hidden` flag: what the venue page shows at its top, in one statement."""
        upcoming = (
            cls.select(cls.id).where((cls.venue == venue) & (cls.starts_at >= now))
            .order_by(cls.starts_at).limit(limit)
        )
        return (
            cls.select(cls, AgendaItem, Issue.id, Issue.hidden)
            .join(AgendaItem, JOIN.LEFT_OUTER, on=((AgendaItem.meeting == cls.id) & AgendaItem.open_at(now)),
                  attr="open_item")
            .join(Issue, JOIN.LEFT_OUTER, on=(AgendaItem.issue == Issue.id))
            .where((cls.venue == venue) & (cls.id.in_(upcoming) | AgendaItem.id.is_null(False)))
            .order_by(cls.starts_at, cls.id, AgendaItem.closes_at)
        )

    @classmethod
    def past(cls, venue, now):
        """The venue's meetings before `now`, latest first."""
        return cls.select().where((cls.venue == venue) & (cls.starts_at < now)).order_by(cls.starts_at.desc())

    @classmethod
    def since(cls, start, venue=None):
        """Meetings from `start` on, in date order, with their venues; of one venue when given."""
        query = cls.select(cls, Venue).join(Venue).where(cls.starts_at >= start).order_by(cls.starts_at)
        return query.where(cls.venue == venue) if venue is not None else query

    def agenda(self):
        """The meeting's agenda items, in order."""
        return AgendaItem.select().where(AgendaItem.meeting == self).order_by(AgendaItem.position)


class AgendaItem(BaseModel):
    """A matter put to a formal vote at a meeting; the tallies are kept on the row."""

    meeting = ForeignKeyField(Meeting, backref="items", on_delete="CASCADE")
    issue = ForeignKeyField(Issue, null=True, backref="agenda_items", on_delete="SET NULL")
    title = CharField(max_length=120)
    body = TextField(default="")
    position = IntegerField(default=0)
    opens_at = DateTimeField(null=True)
    closes_at = DateTimeField(null=True, index=True)  # the votes open now, across the city
    rule = CharField(max_length=12, default="majority")
    quorum_kind = CharField(max_length=8, default="count")
    quorum_value = IntegerField(default=0)
    yes_count = IntegerField(default=0)
    no_count = IntegerField(default=0)
    abstain_count = IntegerField(default=0)
    close_reason = TextField(default="")
    result = CharField(max_length=10, null=True)
    outcome = TextField(default="")
    outcome_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    outcome_published_at = DateTimeField(null=True, index=True)
    # Fixed when the window is set: an open poll (every registered user may answer) is never
    # shown as a decision of the verified residents.
    open_poll = BooleanField(default=False)
    live_count = BooleanField(default=False)  # a show-of-hands vote: the counts show while open
    # The secret that keys the ballots' references while the vote is open; destroyed at the close.
    ballot_key = CharField(max_length=64, null=True)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("meeting", "position"), False),)

    @classmethod
    def not_open_yet(cls, now):
        """Where an item's vote has not opened by `now`: its text and window may still change."""
        return cls.opens_at.is_null() | (cls.opens_at > now)

    @classmethod
    def open_at(cls, now):
        """Where an item is open for votes at `now`, its result not yet fixed."""
        return (cls.opens_at <= now) & (cls.closes_at > now) & cls.result.is_null()

    @classmethod
    def with_venue(cls, item_id):
        """The item with its meeting and venue (one query), or None."""
        return cls.select(cls, Meeting, Venue).join(Meeting).join(Venue).where(cls.id == item_id).first()

    @classmethod
    def published(cls, venue=None):
        """Items whose outcome is published, newest first, with meetings and venues; of one venue
        when given. Items made from an issue hidden by moderation are left out with it."""
        query = (
            cls.select(cls, Meeting, Venue)
            .join(Meeting)
            .join(Venue)
            .switch(cls)
            .join(Issue, JOIN.LEFT_OUTER, on=(cls.issue == Issue.id))
            .where(cls.outcome_published_at.is_null(False) & (Issue.id.is_null() | ~Issue.hidden))
            .order_by(cls.outcome_published_at.desc(), cls.id.desc())
        )
        return query.where(Meeting.venue == venue) if venue is not None else query

    @classmethod
    def voting_at(cls, venue, now):
        """The venue's items open for votes at `now`, closing soonest first, with their meetings."""
        return (
            cls.select(cls, Meeting)
            .join(Meeting)
            .where((Meeting.venue == venue) & cls.open_at(now))
            .order_by(cls.closes_at)
        )

    @classmethod
    def open_everywhere(cls, now):
        """Items open for votes at `now` in every venue not archived, closing soonest first, with
        their meetings and venues; items made from an issue hidden by moderation are left out."""
        return (
            cls.select(cls, Meeting, Venue)
            .join(Meeting)
            .join(Venue)
            .switch(cls)
            .join(Issue, JOIN.LEFT_OUTER, on=(cls.issue == Issue.id))
            .where(cls.open_at(now) & ~Venue.archived & (Issue.id.is_null() | ~Issue.hidden))
            .order_by(cls.closes_at, cls.id)
        )

    @classmethod
    def of_hidden_issues(cls, item_ids):
        """The ids among `item_ids` of the items made from an issue hidden by moderation (one query)."""
        ids = list(item_ids)
        if not ids:
            return set()
        return {
            item_id for (item_id,) in cls.select(cls.id).join(Issue, on=(cls.issue == Issue.id))
            .where(cls.id.in_(ids) & Issue.hidden).tuples()
        }

    @classmethod
    def of_issue(cls, issue):
        """The items made from `issue`, oldest first, with their meetings."""
        return cls.select(cls, Meeting).join(Meeting).where(cls.issue == issue).order_by(cls.id)


class Assignment(BaseModel):
    """Routing of an issue to a handling department (交办), with its due date and answer.

    One row per department per routing: the lead (主办) answers for all, co-handling departments
    (协办) send it their opinion. A row leaves the active states when it is answered, returned
    (退回) or withdrawn (the issue was routed elsewhere); a reopened issue gets a new row.
    """

    issue = ForeignKeyField(Issue, backref="assignments", on_delete="CASCADE")
    department = ForeignKeyField(Department, backref="assignments", on_delete="RESTRICT")
    assigned_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    role = CharField(max_length=4, default="lead")  # ASSIGNMENT_ROLES
    state = CharField(max_length=10, default="assigned")  # ASSIGNMENT_STATES
    due_on = DateField()
    due_provisional = BooleanField(default=False)  # counted past the official calendar's last year
    sign_due_on = DateField(null=True)
    signed_at = DateTimeField(null=True)
    signed_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    response = TextField(default="")
    answer_kind = CharField(max_length=10, default="")  # resolved | explained | opinion
    grade = CharField(max_length=1, default="")  # ANSWER_GRADES
    answered_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    responded_at = DateTimeField(null=True)
    return_reason = TextField(default="")
    extension_state = CharField(max_length=10, default="")  # requested | granted | refused
    extension_until = DateField(null=True)
    extension_reason = TextField(default="")
    urge_count = IntegerField(default=0)
    last_urged_on = DateField(null=True)  # one urging a day (local date)
    closed_at = DateTimeField(null=True)  # answered, returned or withdrawn
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = (
            (("department", "due_on"), False),
            (("department", "state", "due_on"), False),
            (("issue", "state"), False),
            (("role", "due_on", "id"), False),
            (("role", "created_at", "id"), False),
            (("issue", "role", "id"), False),
        )

    @property
    def active(self):
        return self.state in ACTIVE_ASSIGNMENT_STATES

    def is_overdue(self, today):
        """Still open after its due date (`today` is the site's local date)."""
        return self.active and self.due_on < today

    @classmethod
    def with_issue(cls):
        """Assignments with their issue, its venue and the department, for one page about one."""
        return cls.select(cls, Issue, Venue, Department).join(Issue).join(Venue).switch(cls).join(Department)

    @classmethod
    def of_departments(cls, department_ids, show, today, horizon):
        """A department inbox: its assignments with their issues and venues, by `show` (a key of
        INBOX_VIEWS), the soonest due first."""
        query = cls.with_issue().where(cls.department.in_(list(department_ids)))
        active = cls.state.in_(ACTIVE_ASSIGNMENT_STATES)
        where = {
            "new": cls.state == "assigned",
            "in_progress": cls.state == "signed",
            "due_soon": active & (cls.due_on >= today) & (cls.due_on <= horizon),
            "overdue": active & (cls.due_on < today),
            "returned": cls.state == "returned",
        }[show]
        order = (cls.closed_at.desc(),) if show == "returned" else (cls.due_on, cls.id)
        return query.where(where).order_by(*order, cls.id)

    @classmethod
    def inbox_counts(cls, department_ids, today, horizon):
        """How many assignments each view of the inbox holds, in one query."""
        active = cls.state.in_(ACTIVE_ASSIGNMENT_STATES)

        def count(condition):
            return fn.SUM(Case(None, [(condition, 1)], 0))

        row = (
            cls.select(
                count(cls.state == "assigned").alias("new"),
                count(cls.state == "signed").alias("in_progress"),
                count(active & (cls.due_on >= today) & (cls.due_on <= horizon)).alias("due_soon"),
                count(active & (cls.due_on < today)).alias("overdue"),
                count(cls.state == "returned").alias("returned"),
            )
            .where(cls.department.in_(list(department_ids)))
            .dicts().get()
        )
        return {key: int(value or 0) for key, value in row.items()}


class Feedback(BaseModel):
    """The resident's satisfaction rating (满意度评价) of how an issue was handled, one per round
    (the first answer, and the second after a dissatisfied rating reopened the issue)."""

    issue = ForeignKeyField(Issue, backref="feedback", on_delete="CASCADE")
    user = ForeignKeyField(User, on_delete="CASCADE")
    rating = CharField(max_length=20)
    comment = TextField(default="")
    round = IntegerField(default=1)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("issue", "round"), True),)


class Reminder(BaseModel):
    """That `user` was reminded of `assignment` on `sent_on`: at most one reminder a day each."""

    assignment = ForeignKeyField(Assignment, on_delete="CASCADE", backref="+")
    user = ForeignKeyField(User, on_delete="CASCADE", backref="+")
    sent_on = DateField()

    class Meta:
        indexes = ((("assignment", "user", "sent_on"), True),)


class Report(BaseModel):
    """A numbered special report (民情专报, 第N期) for the city leadership.

    A draft has no number; publishing gives it the next number of its year (unique per year, never
    reused: published reports are never deleted) and freezes it. A correction is a new report that
    `corrects` an earlier one. `created_by` is who compiled it. See domain/reports.py.
    """

    number = IntegerField(null=True)
    year = IntegerField(null=True)
    state = CharField(max_length=10, default="draft")  # REPORT_STATES
    title = CharField(max_length=120)
    summary = TextField(default="")
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    published_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    corrects = ForeignKeyField("self", null=True, on_delete="RESTRICT", backref="corrections")
    item_count = IntegerField(default=0)
    published_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = (
            (("year", "number"), True),
            (("state", "published_at"), False),
        )

    @classmethod
    def published(cls):
        """Published reports, the newest first (one indexed query)."""
        return (
            cls.select().where(cls.state == "published")
            .order_by(cls.published_at.desc(), cls.id.desc())
        )

    @classmethod
    def drafts(cls):
        """Drafts, the most recently changed first."""
        return cls.select().where(cls.state == "draft").order_by(cls.updated_at.desc(), cls.id.desc())

    @property
    def is_published(self):
        return self.state == "published"


class ReportItem(BaseModel):
    """One matter in a special report, in its place, with the compiler's note."""

    report = ForeignKeyField(Report, backref="items", on_delete="CASCADE")
    issue = ForeignKeyField(Issue, on_delete="CASCADE")
    position = IntegerField(default=0)
    note = TextField(default="")

    class Meta:
        indexes = ((("report", "issue"), True), (("issue", "report"), False))

    @classmethod
    def of(cls, report):
        """The report's items in order, each with its issue, venue and category (one query)."""
        return (
            cls.select(cls, Issue, Venue, Category)
            .join(Issue).join(Venue).switch(Issue)
            .join(Category, JOIN.LEFT_OUTER, on=(Issue.category == Category.id))
            .where(cls.report == report.id)
            .order_by(cls.position, cls.id)
        )


class Notification(BaseModel):
    """An in-app notice; its text is rendered from `kind` and `data` in the reader's language."""

    user = ForeignKeyField(User, on_delete="CASCADE")
    kind = CharField(max_length=30)
    issue = ForeignKeyField(Issue, null=True, on_delete="CASCADE")
    actor = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    data = JSONField(null=True)
    read = BooleanField(default=False)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("user", "read", "id"), False),)


class Event(BaseModel):
    """The append-only trail of an issue: every change, with who, what, when and a note."""

    issue = ForeignKeyField(Issue, backref="events", on_delete="CASCADE")
    actor = ForeignKeyField(User, null=True, on_delete="SET NULL")
    kind = CharField(max_length=30)
    from_status = CharField(max_length=14, null=True)
    to_status = CharField(max_length=14, null=True)
    note = TextField(default="")
    data = JSONField(null=True)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("issue", "id"), False),)


class Flag(BaseModel):
    """A report of abusive content on an issue or a comment: one per user per target."""

    user = ForeignKeyField(User, on_delete="CASCADE")
    target_type = CharField(max_length=8)  # issue | comment
    target_id = IntegerField()
    reason = CharField(max_length=10)
    note = CharField(max_length=300, default="")
    status = CharField(max_length=10, default="open")  # open | upheld | dismissed
    resolved_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    resolved_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = (
            (("target_type", "target_id", "user"), True),
            (("status", "target_type"), False),
        )


class AuditLog(BaseModel):
    """A privileged action: who did what to which record, before and after, when."""

    actor = ForeignKeyField(User, null=True, on_delete="SET NULL")
    automatic = BooleanField(default=False)  # done by the site itself; no actor and not the command line
    action = CharField(max_length=40, index=True)
    object_type = CharField(max_length=30)
    object_id = IntegerField(null=True)
    before = JSONField(null=True)
    after = JSONField(null=True)
    note = TextField(default="")
    created_at = DateTimeField(default=utcnow, index=True)

    class Meta:
        indexes = ((("object_type", "object_id"), False),)

    # Administration
    @classmethod
    def filtered(cls, action="", object_type="", object_id=None, actor=""):
        """Entries with their actors, newest first: of `action`, about `object_type` (and
        `object_id`), by the user called `actor`, where given."""
        query = cls.select(cls, User).join(User, JOIN.LEFT_OUTER).order_by(cls.id.desc())
        if action:
            query = query.where(cls.action == action)
        if object_type:
            query = query.where(cls.object_type == object_type)
        if object_type and object_id:
            query = query.where(cls.object_id == object_id)
        if actor:
            query = query.where(cls.actor.in_(User.select(User.id).where(User.username == actor)))
        return query


class ApiKey(BaseModel):
    """A key other civic software files Open311 requests with (see domain/open311.py).

    Only a keyed hash of the key is kept: the clear key is shown once, when it is issued. The
    current rate-limit window and its count live on the row, so every worker counts the same.
    """

    name = CharField(max_length=80)
    key_hash = CharField(max_length=64, unique=True)
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    created_at = DateTimeField(default=utcnow)
    revoked_at = DateTimeField(null=True)
    last_used_at = DateTimeField(null=True)
    window_started_at = DateTimeField(null=True)
    window_count = IntegerField(default=0)

    def __str__(self):
        return self.name

    @property
    def active(self):
        return self.revoked_at is None


class Open311Request(BaseModel):
    """What an Open311 request brought beside the issue it created: the key it came with (the
    source the issue page shows) and the fields the issue has no column for."""

    issue = ForeignKeyField(Issue, unique=True, backref="open311", on_delete="CASCADE")
    api_key = ForeignKeyField(ApiKey, null=True, backref="requests", on_delete="SET NULL")
    media_url = CharField(max_length=500, default="")
    address_id = CharField(max_length=100, default="")
    zipcode = CharField(max_length=20, default="")
    account_id = CharField(max_length=100, default="")
    device_id = CharField(max_length=100, default="")
    created_at = DateTimeField(default=utcnow)


class PageVersion(BaseModel):
    """One row: the revision of what every page shows (categories, regions, departments, people's
    names), moved by the database's triggers (migration 0020)."""

    site = IntegerField()

    class Meta:
        table_name = "page_version"

    @classmethod
    def current(cls):
        """The site-wide revision now."""
        return cls.select(cls.site).scalar()


def _site_revision():
    return PageVersion.select(PageVersion.site).limit(1)


_VENUE_VERSIONS = Prepared(lambda: Venue.select(Venue.id, Venue.revision, _site_revision()).where(Venue.slug == Slot()))
_ALL_VENUE_VERSIONS = Prepared(lambda: Venue.select(
    fn.COUNT(Venue.id), fn.COALESCE(fn.SUM(Venue.revision), 0), fn.MAX(Venue.id), _site_revision()
))
_ISSUE_VERSIONS = Prepared(lambda: Issue.select(Issue.id, Issue.revision, _site_revision()).where(Issue.id == Slot()))
_ACTIVE_USER = Prepared(lambda: User.select().where((User.id == Slot()) & User.active))
# The header of a signed-in page shows the name, the links the roles open (domain/permissions.py's
# navigation: verified councillor or deputy somewhere, staff of a department, admin) and the unread count.
Reader = collections.namedtuple("Reader", "session_version must_change_password locale large_text is_admin "
                                          "display_name councillor deputy staff unread")


def _verified_somewhere(role):
    return fn.EXISTS(Membership.select(SQL("1")).where(
        (Membership.user == User.id) & (Membership.role == role) & (Membership.status == "verified")))


_READER = Prepared(lambda: User.select(
    User.session_version, User.must_change_password, User.locale, User.large_text, User.is_admin, User.display_name,
    _verified_somewhere("councillor"), _verified_somewhere("deputy"),
    fn.EXISTS(DepartmentStaff.select(SQL("1")).where(DepartmentStaff.user == User.id)),
    Notification.select(fn.COUNT(Notification.id)).where(
        (Notification.user == User.id) & (Notification.read == False)),  # noqa: E712
).where((User.id == Slot()) & User.active))
_OWN_MEMBERSHIPS = Prepared(lambda: Membership.select(Membership.role, Membership.status, Membership.note).where(
    (Membership.user == Slot(0)) & (Membership.venue == Slot(1))).order_by(Membership.id))
_ISSUE_WITH_VENUE = Prepared(lambda: Issue.select(Issue, Venue).join(Venue).where(Issue.id == Slot()))
_ISSUE_COUNTERS = Prepared(lambda: Issue.select(*(Issue._meta.fields[n] for n in Issue.COUNTER_FIELDS))
                           .where(Issue.id == Slot()))


# --- search ---
def pinyin_of(name):
    """{"pinyin": …, "initials": …} of a venue's or region's name: 马家店 → majiadian, mjd."""
    from pypinyin import Style, lazy_pinyin

    name = name or ""
    full = "".join(p for p in lazy_pinyin(name, errors=lambda s: list(s.casefold())) if p.isalnum())
    first = lazy_pinyin(name, style=Style.FIRST_LETTER, strict=False, errors=lambda s: list(s.casefold()))
    initials = "".join(p for p in first if p.isalnum())
    return {"pinyin": full.lower()[:240], "initials": initials.lower()[:80]}


def keep_pinyin(row, save_kwargs):
    """Set the pinyin and initials of a venue's or region's name before it is saved, so the
    directory finds 马家店 by majiadian or mjd through an index. Rows inserted in bulk take
    theirs from pinyin_of."""
    full, initials = pinyin_of(row.name).values()
    if (row.pinyin, row.initials) != (full, initials):
        row.pinyin, row.initials = full, initials
        only = save_kwargs.get("only")
        if only is not None:
            save_kwargs["only"] = [*only, type(row).pinyin, type(row).initials]


class Synonym(BaseModel):
    """A word that means the same as its group's `term` in a search (街灯 → 路灯). The term is a
    row of its own group, so any word of a group finds the others."""

    word = CharField(max_length=40, unique=True)
    term = CharField(max_length=40, index=True)
    created_at = DateTimeField(default=utcnow)

    def __str__(self):
        return self.word

    @classmethod
    def groups(cls):
        """Every group as (term, [its other words]), by term."""
        groups = {}
        for row in cls.select().order_by(cls.term, cls.id):
            groups.setdefault(row.term, [])
            if row.word != row.term:
                groups[row.term].append(row.word)
        return sorted(groups.items())

    @classmethod
    def group(cls, term):
        """The words of the group of `term`, the term first; [] when there is none."""
        words = [r.word for r in cls.select(cls.word).where(cls.term == term).order_by(cls.id)]
        return sorted(words, key=lambda w: w != term)

    @classmethod
    def taken(cls, words, but=""):
        """[(word, its term)] for those of `words` that belong to a group other than `but`'s."""
        query = cls.select(cls.word, cls.term).where(cls.word.in_(list(words)) & (cls.term != but))
        return [(r.word, r.term) for r in query.order_by(cls.word)]

    @classmethod
    def of(cls, words):
        """{word: [every word of its group]} for the `words` that belong to a group (two indexed
        lookups, whatever the size of the table)."""
        words = list(words)
        if not words:
            return {}
        terms = cls.select(cls.term).where(cls.word.in_(words))
        rows = list(cls.select(cls.word, cls.term).where(cls.term.in_(terms)).order_by(cls.id))
        members = {}
        for row in rows:
            members.setdefault(row.term, []).append(row.word)
        return {row.word: members[row.term] for row in rows if row.word in words}


MODELS = [
    Region, Venue, User, Membership, DeputyGroup, DeputyGroupMember, Department,
    DepartmentStaff, Category, Issue, Comment, Support, Follow, Meeting, AgendaItem,
    Assignment, Feedback, Reminder, Report, ReportItem, Notification, Event, Flag, AuditLog,
    ApiKey, Open311Request, PageVersion,


    ApiKey, Open311Request, Synonym,
]


# --- statistics ---

class StatIssue(BaseModel):
    """What one issue adds to the statistics now (see domain/stats.py): kept so that a change can
    take back what the issue added before and add what it adds after, in the change's transaction."""

    issue = ForeignKeyField(Issue, primary_key=True, backref="+", on_delete="CASCADE")
    snapshot = JSONField(null=True)  # [dimensions, facts, whether its keywords count]
    words = JSONField(null=True)  # its keywords, extracted once when it was raised


class StatCount(BaseModel):
    """A summary row: how many times `metric` (in `bucket`) happened to the issues raised in
    `month`, within a scope (a town or 0 for all, a category or 0 for all), broken down by one
    dimension (`dim` = `value`). The statistics page sums these, never the issues themselves."""

    town = IntegerField()
    category = IntegerField()
    month = IntegerField()  # yyyymm, on the site's calendar
    dim = CharField(max_length=12)
    value = CharField(max_length=40, default="")
    metric = CharField(max_length=20)
    bucket = IntegerField(default=0)  # working days to answer, or a due date's ordinal
    count = IntegerField(default=0)

    class Meta:
        indexes = (
            (("town", "category", "month", "dim", "value", "metric", "bucket"), True),
            (("dim", "value", "category", "town"), False),
        )


class StatKeyword(BaseModel):
    """How many issues raised in `month`, within a scope (as StatCount), have `word` among their
    keywords: what the hot topics compare month by month."""

    town = IntegerField()
    category = IntegerField()
    month = IntegerField()
    word = CharField(max_length=40)
    count = IntegerField(default=0)

    class Meta:
        indexes = ((("town", "category", "month", "word"), True),)


MODELS += [StatIssue, StatCount, StatKeyword]


# --- people: service records, deputy groups' fields, good-suggestion awards ---

class DeputyGroupCategory(BaseModel):
    """A category in a deputy group's field: the group follows the matters filed under it."""

    group = ForeignKeyField(DeputyGroup, backref="field", on_delete="CASCADE")
    category = ForeignKeyField(Category, backref="+", on_delete="CASCADE")

    class Meta:
        indexes = ((("group", "category"), True),)

    @classmethod
    def category_ids(cls, group):
        """The ids of the categories in `group`'s field."""
        return [c for (c,) in cls.select(cls.category).where(cls.group == group).tuples()]

    @classmethod
    def categories_of(cls, group):
        """The categories in `group`'s field, in their set order."""
        return (
            Category.select().join(cls, on=(cls.category == Category.id))
            .where(cls.group == group).order_by(Category.position, Category.id)
        )

    @classmethod
    def by_group(cls):
        """{group id: [categories]} for every group (the categories are few)."""
        out = {}
        query = (
            cls.select(cls.group, Category).join(Category, on=(cls.category == Category.id))
            .order_by(Category.position, Category.id)
        )
        for row in query:
            out.setdefault(row.group_id, []).append(row.category)
        return out


class Award(BaseModel):
    """A matter honoured as a good suggestion (好建议) of `year`, with its citation.

    One per issue; Issue.award says the same on the issue's row, so lists show it without a join.
    Withdrawing deletes the row; the issue's timeline and the audit trail keep the history.
    """

    issue = ForeignKeyField(Issue, unique=True, backref="+", on_delete="CASCADE")
    year = IntegerField()
    citation = TextField()
    awarded_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    awarded_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("year", "awarded_at"), False),)

    @classmethod
    def of(cls, issue):
        """The award of `issue` (an issue or its id), or None."""
        return cls.get_or_none(cls.issue == getattr(issue, "id", issue))

    @classmethod
    def listing(cls, year=None):
        """Public awards with their issues and venues, the latest year first; of one year when given."""
        query = (
            cls.select(cls, Issue, Venue)
            .join(Issue).join(Venue)
            .where(~Issue.hidden)
            .order_by(cls.year.desc(), cls.awarded_at.desc(), cls.id.desc())
        )
        return query.where(cls.year == year) if year else query

    @classmethod
    def years(cls):
        """[(year, how many public awards)], the latest first (one grouped query on the year index)."""
        return list(
            cls.select(cls.year, fn.COUNT(cls.id)).join(Issue).where(~Issue.hidden)
            .group_by(cls.year).order_by(cls.year.desc()).tuples()
        )


MODELS += [DeputyGroupCategory, Award]

# What service records and group pages count and list, each through an index of its own (added here
# rather than in the classes above, so this area's schema reads in one place).
Event.add_index(Event.actor, Event.created_at)  # a person's actions, by year
Meeting.add_index(Meeting.created_by, Meeting.starts_at)  # the meetings a person ran
Issue.add_index(Issue.recorded_by, Issue.created_at)  # the matters a person recorded for residents
Issue.add_index(Issue.category, Issue.created_at)  # a deputy group's field, newest first

# --- trust: secret ballots and personal verification codes ---

class Participation(BaseModel):
    """That `user` took part in the vote on `item`: never what they chose (see Ballot)."""

    user = ForeignKeyField(User, backref="+", on_delete="CASCADE")
    item = ForeignKeyField(AgendaItem, backref="participations", on_delete="CASCADE")

    class Meta:
        indexes = ((("item", "user"), True),)

    @classmethod
    def exists_for(cls, item, user):
        """Whether `user` took part in the vote on `item`."""
        return cls.select().where((cls.item == item.id) & (cls.user == user.id)).exists()


class Ballot(BaseModel):
    """One choice on an item, with no voter and no time.

    While the vote is open, `ref` (a keyed hash of voter and item, see voting.ballot_ref) finds the
    ballot for changing; the close nulls every ref and the item's key, and stores the ballots again
    in a random order, so nothing left links a choice to a person.
    """

    item = ForeignKeyField(AgendaItem, backref="ballots", on_delete="CASCADE")
    choice = CharField(max_length=8)
    ref = CharField(max_length=64, null=True)

    class Meta:
        indexes = ((("item", "ref"), True),)

    @classmethod
    def by_ref(cls, item, ref):
        """The open ballot on `item` with this reference, or None."""
        return cls.get_or_none((cls.item == item.id) & (cls.ref == ref))


class PersonalCode(BaseModel):
    """A one-time code a councillor hands to one person: entering it verifies them as a resident.

    Only a hash of the code is kept; `number` is what the printed sheet shows beside it, so a lost
    code can be revoked by its number.
    """

    venue = ForeignKeyField(Venue, backref="personal_codes", on_delete="CASCADE")
    number = IntegerField()
    code_hash = CharField(max_length=64, unique=True)
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    used_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    used_at = DateTimeField(null=True)
    revoked_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    revoked_at = DateTimeField(null=True)

    class Meta:
        # One code per person per venue: a second code cannot make a second voice.
        indexes = ((("venue", "number"), True), (("venue", "used_by"), True))

    @property
    def state(self):
        """unused, used or revoked."""
        if self.used_at:
            return "used"
        return "revoked" if self.revoked_at else "unused"

    @classmethod
    def of_venue(cls, venue):
        """The venue's codes, newest number first, with who used them."""
        return (
            cls.select(cls, User)
            .join(User, JOIN.LEFT_OUTER, on=(cls.used_by == User.id))
            .where(cls.venue == venue)
            .order_by(cls.number.desc())
        )


MODELS.extend([Participation, Ballot, PersonalCode])

# --- trust: sessions and submissions ---

class Submission(BaseModel):
    """A form sent with a one-time submission key, and the answer it got, so that the same form sent
    again (a double click, a retry after a dropped connection) gets that answer instead of acting twice.

    `token` is a hash of who sent it, the key and what the form held; see views/once.py.
    """

    token = CharField(max_length=64, unique=True)
    status = IntegerField(default=0)  # 0 while the first answer is being made
    location = CharField(max_length=2000, default="")
    content_type = CharField(max_length=100, default="")
    body = TextField(default="")
    created_at = DateTimeField(default=utcnow, index=True)

    @classmethod
    def purge(cls, before):
        """Forget the answers given before `before` (through the index on created_at)."""
        return cls.delete().where(cls.created_at < before).execute()


MODELS.append(Submission)


# --- the site's identity ---

class SiteSettings(BaseModel):
    """One row (id 1): what the admins set about the site itself: its name (and its English name, for
    English pages), the office that runs it
    (主办单位), a phone, the ICP filing number and a short text about it. An empty value falls back
    to the server's default (YISHI_SITE_NAME, …). Every change moves `page_version.site` (a trigger,
    migration 0022), so each process notices it and cached pages are built again."""

    name = CharField(max_length=40, default="")
    name_en = CharField(max_length=80, default="")  # migration 0025
    sponsor = CharField(max_length=80, default="")
    contact_phone = CharField(max_length=40, default="")
    icp = CharField(max_length=60, default="")
    about = TextField(default="")

    class Meta:
        table_name = "site_settings"

    @classmethod
    def load(cls):
        """The settings row, or None while nobody has saved one."""
        return cls.get_or_none(cls.id == 1)


MODELS.append(SiteSettings)


# --- photos ---

class Photo(BaseModel):
    """A photo on an issue, or on a department's answer to it (`assignment`), re-encoded without
    its metadata when it was uploaded (domain/photos.py). Its files are named by `key`, a random
    name nobody chooses; what may read them is what may read the issue."""

    issue = ForeignKeyField(Issue, backref="photos", on_delete="CASCADE")
    assignment = ForeignKeyField(Assignment, null=True, backref="photos", on_delete="CASCADE")
    key = CharField(max_length=32, unique=True)
    format = CharField(max_length=4)  # jpeg | png
    width = IntegerField()
    height = IntegerField()
    thumb_width = IntegerField()
    thumb_height = IntegerField()
    alt = CharField(max_length=200)
    position = IntegerField(default=0)
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("issue", "assignment", "position"), False),)

    @classmethod
    def of_issue(cls, issue_id):
        """Every photo of issue `issue_id`, its own and its answers', in the order they were given."""
        return cls.select().where(cls.issue == issue_id).order_by(cls.position, cls.id)

    @classmethod
    def own(cls, issue_id):
        """The photos the issue was raised with (or that its author added), not its answers'."""
        return cls.of_issue(issue_id).where(cls.assignment.is_null())

    @classmethod
    def first_of(cls, issue_ids):
        """{issue id: its first own photo} for `issue_ids` (one query)."""
        firsts = {}
        rows = (cls.select().where(cls.issue.in_(list(issue_ids) or [0]) & cls.assignment.is_null())
                .order_by(cls.issue, cls.position, cls.id))
        for row in rows:
            firsts.setdefault(row.issue_id, row)
        return firsts

    @classmethod
    def with_issue(cls, key):
        """The photo named `key` with its issue (who may see it is who may see the issue), or None."""
        return cls.select(cls, Issue).join(Issue).where(cls.key == key).first()


MODELS.append(Photo)

"""All peewee models of Yishi.

Times are stored as naive UTC; templates show them in the site's time zone (see `domain/timefmt.py`).
Counters that list pages show on every row are kept on the row and updated in the same
transaction as the fact they count.
"""
import datetime
import json

from peewee import (
    JOIN,
    BooleanField,
    CharField,
    DatabaseProxy,
    DateField,
    DateTimeField,
    DoubleField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)
from werkzeug.security import check_password_hash, generate_password_hash

db = DatabaseProxy()
# Ids are 32-bit: a bigger number names no row (and PostgreSQL refuses to compare it).
MAX_ID = 2**31 - 1


def utcnow():
    """The current time as naive UTC, the form every DateTimeField stores."""
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


class JSONField(TextField):
    """A small JSON document kept as text (portable across SQLite and PostgreSQL)."""

    def db_value(self, value):
        return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)

    def python_value(self, value):
        return None if value is None else json.loads(value)


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False


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
ANSWER_GRADES = ("A", "B", "C", "D")
FLAG_REASONS = ("abuse", "spam", "off_topic")


class Region(BaseModel):
    """A node of the city → town/subdistrict → village/community tree."""

    name = CharField(max_length=60)
    kind = CharField(max_length=12)  # a key of REGION_KINDS
    level = CharField(max_length=8, index=True)  # REGION_KINDS[kind]
    parent = ForeignKeyField("self", null=True, backref="children", on_delete="RESTRICT")
    position = IntegerField(default=0)
    archived = BooleanField(default=False)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("parent", "position", "name"), False),)

    def __str__(self):
        return self.name

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


class Venue(BaseModel):
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
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("region", "name"), False),)

    def __str__(self):
        return self.name

    @classmethod
    def search(cls, text):
        """Venues whose name, address or region name contains `text` (the directory is small)."""
        query = cls.select(cls, Region).join(Region).where(~cls.archived)
        text = (text or "").strip()
        if text:
            query = query.where(
                cls.name.contains(text) | cls.address.contains(text) | Region.name.contains(text)
            )
        return query.order_by(Region.position, Region.name, cls.name)

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


class User(BaseModel):
    username = CharField(max_length=40, unique=True)
    display_name = CharField(max_length=40, index=True)
    password_hash = CharField(max_length=256)
    phone = CharField(max_length=20, null=True, index=True)
    locale = CharField(max_length=10, null=True)
    is_admin = BooleanField(default=False)
    active = BooleanField(default=True)
    must_change_password = BooleanField(default=False)
    created_at = DateTimeField(default=utcnow)

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
        return str(self.id)

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
        )


class DeputyGroup(BaseModel):
    """Deputies organised by field (专业代表小组)."""

    name = CharField(max_length=60, unique=True)
    name_en = CharField(max_length=80, default="")
    description = TextField(default="")
    archived = BooleanField(default=False)


class DeputyGroupMember(BaseModel):
    group = ForeignKeyField(DeputyGroup, backref="members", on_delete="CASCADE")
    user = ForeignKeyField(User, backref="deputy_groups", on_delete="CASCADE")

    class Meta:
        indexes = ((("group", "user"), True),)


class Department(BaseModel):
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


class DepartmentStaff(BaseModel):
    department = ForeignKeyField(Department, backref="staff", on_delete="CASCADE")
    user = ForeignKeyField(User, backref="departments", on_delete="CASCADE")

    class Meta:
        indexes = ((("department", "user"), True),)


class Category(BaseModel):
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
    created_at = DateTimeField(default=utcnow, index=True)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = (
            (("venue", "created_at"), False),
            (("venue", "support_count"), False),
            (("venue", "status"), False),
            (("status", "due_on"), False),
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
    def at(cls, venue, status="", category=""):
        """The public issues of `venue`, of one status and one category code when given."""
        query = cls.public().where(cls.venue == venue)
        if status:
            query = query.where(cls.status == status)
        if category:
            query = query.where(Category.code == category)
        return query

    def timeline(self):
        """The issue's Events, oldest first, each with its actor (who may be gone)."""
        return (
            Event.select(Event, User)
            .join(User, JOIN.LEFT_OUTER, on=(Event.actor == User.id))
            .where(Event.issue == self)
            .order_by(Event.id)
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


class Support(BaseModel):
    """A resident's 附议 on an issue: one per resident per issue."""

    user = ForeignKeyField(User, on_delete="CASCADE")
    issue = ForeignKeyField(Issue, backref="supports", on_delete="CASCADE")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("issue", "user"), True),)


class Follow(BaseModel):
    user = ForeignKeyField(User, on_delete="CASCADE")
    issue = ForeignKeyField(Issue, backref="follows", on_delete="CASCADE")
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


class AgendaItem(BaseModel):
    """A matter put to a formal vote at a meeting; the tallies are kept on the row."""

    meeting = ForeignKeyField(Meeting, backref="items", on_delete="CASCADE")
    issue = ForeignKeyField(Issue, null=True, backref="agenda_items", on_delete="SET NULL")
    title = CharField(max_length=120)
    body = TextField(default="")
    position = IntegerField(default=0)
    opens_at = DateTimeField(null=True)
    closes_at = DateTimeField(null=True)
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
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("meeting", "position"), False),)


class Vote(BaseModel):
    """A resident's secret ballot on an agenda item; changeable until the window closes."""

    user = ForeignKeyField(User, on_delete="CASCADE")
    item = ForeignKeyField(AgendaItem, backref="votes", on_delete="CASCADE")
    choice = CharField(max_length=8)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("item", "user"), True),)


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
    """A numbered special report (民情专报, 第N期) for the city leadership."""

    number = IntegerField(unique=True)
    title = CharField(max_length=120)
    summary = TextField(default="")
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    published_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)


class ReportItem(BaseModel):
    report = ForeignKeyField(Report, backref="items", on_delete="CASCADE")
    issue = ForeignKeyField(Issue, on_delete="CASCADE")
    position = IntegerField(default=0)
    note = TextField(default="")

    class Meta:
        indexes = ((("report", "issue"), True),)


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
    action = CharField(max_length=40, index=True)
    object_type = CharField(max_length=30)
    object_id = IntegerField(null=True)
    before = JSONField(null=True)
    after = JSONField(null=True)
    note = TextField(default="")
    created_at = DateTimeField(default=utcnow, index=True)

    class Meta:
        indexes = ((("object_type", "object_id"), False),)


MODELS = [
    Region, Venue, User, Membership, DeputyGroup, DeputyGroupMember, Department,
    DepartmentStaff, Category, Issue, Comment, Support, Follow, Meeting, AgendaItem, Vote,
    Assignment, Feedback, Reminder, Report, ReportItem, Notification, Event, Flag, AuditLog,
]

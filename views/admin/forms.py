"""Forms of the administration and of the councillors' member list.

Forms that offer database records (regions, venues, departments) fill their choices when built,
through the `*_choices` helpers; the rules that need the database (a taken slug or code, a region's
place in the tree) are `validate_<field>` methods here, so views only read, save and audit.
"""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice as Choice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from domain import labels
from forms import PHONE_RULE, username_field
from models import REGION_KINDS, Category, Department, DeputyGroup, Region, User, Venue, utcnow

# Which level a region's parent has: towns hang under the city, villages under a town.
PARENT_LEVEL = {"city": None, "town": "city", "village": "town"}
# The kind of region offered first when adding one under a region of this level.
CHILD_KIND = {"city": "town", "town": "village"}
# The usual venue of a region's kind, offered first when adding a venue there.
VENUE_KIND_FOR_REGION = {"village": "hall", "community": "pavilion"}

SLUG_RULE = Regexp(
    r"^[a-z0-9]+(-[a-z0-9]+)*$",
    message=_l("Use small letters a–z, digits and single dashes, for example pavilion-yangguang."),
)
CODE_RULE = Regexp(
    r"^[a-z][a-z0-9_]*$",
    message=_l("Start with a small letter a–z; then use letters, digits and underscores."),
)


def clean(value):
    """Text without surrounding spaces; a field left out of the request becomes "" (the columns are NOT NULL)."""
    return value.strip() if isinstance(value, str) else ""


def int_or_none(value):
    """Coerce a select's value: an id, or None for the empty choice."""
    if value in (None, "", "None"):
        return None
    return int(value)


class ChoiceSelect(SelectField):
    """A select whose bad value gets our own translated message, never a 500 or a raw one."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("coerce", int_or_none)
        kwargs.setdefault("validate_choice", False)
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("Please choose from the list.")) from None

    def pre_validate(self, form):
        allowed = {self.coerce(choice.value) for choice in self.iter_choices()}
        if self.data is not None and self.data not in allowed:
            raise ValidationError(_l("Please choose from the list."))


class AdminForm(FlaskForm):
    """A form of a record that `views.admin.save_form` creates or edits.

    `apply` copies the form onto the record; `taken` is the field and the message to show when a
    unique value (a slug, a code) was taken by someone else between validating and saving.
    """

    taken = None

    def apply(self, obj):
        self.populate_obj(obj)


# Choice builders ------------------------------------------------------------------------------

def region_paths(regions):
    """{id: "City › Town › Village"} for `regions`, a list of every region (the tree is small)."""
    by_id = {r.id: r for r in regions}
    paths = {}
    for region in regions:
        chain, node, seen = [], region, set()
        while node is not None and node.id not in seen:
            seen.add(node.id)
            chain.append(node.name)
            node = by_id.get(node.parent_id)
        paths[region.id] = " › ".join(reversed(chain))
    return paths


def region_choices(levels=None, exclude=()):
    """(id, path) of the regions that are not archived, in tree order, of `levels` if given."""
    regions = list(Region.select().order_by(Region.position, Region.name))
    paths = region_paths(regions)
    rows = [
        Choice(r.id, paths[r.id]) for r in regions
        if not r.archived and r.id not in exclude and (levels is None or r.level in levels)
    ]
    return sorted(rows, key=lambda choice: choice.label)


def venue_choices():
    """(id, "Venue (region)") of the venues that are not archived."""
    query = (
        Venue.select(Venue.id, Venue.name, Region.name)
        .join(Region)
        .where(~Venue.archived)
        .order_by(Region.name, Venue.name)
    )
    return [Choice(v.id, f"{v.name} ({v.region.name})") for v in query]


def department_choices(level=None, keep=None):
    """(id, "Department (region)") of active departments (of `level`), plus `keep` if archived."""
    query = Department.select(Department, Region).join(Region).order_by(Department.name)
    condition = ~Department.archived
    if keep is not None:
        condition |= Department.id == keep
    query = query.where(condition)
    if level:
        query = query.where(Department.level == level)
    return [Choice(d.id, f"{d.name} ({d.region.name})") for d in query]


# Regions and venues ---------------------------------------------------------------------------

class RegionForm(AdminForm):
    name = StringField(
        _l("Name"),
        filters=[clean],
        validators=[DataRequired(_l("Please enter a name.")), Length(max=60, message=_l("At most %(max)d characters."))],
        description=_l("As people say it, for example 马家店街道 or 团结路社区."),
    )
    kind = SelectField(_l("Kind"), choices=labels.choices("region_kind"), validators=[DataRequired()])
    parent = ChoiceSelect(
        _l("Belongs to"),
        description=_l("A town or subdistrict belongs to the city; a village or community to a town."),
    )
    position = IntegerField(
        _l("Order in lists"),
        default=0,
        validators=[Optional(), NumberRange(0, 9999, _l("Use a number from %(min)s to %(max)s."))],
        description=_l("Smaller numbers come first; leave 0 to sort by name."),
    )

    def __init__(self, *args, region=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.region = region
        if region is not None:
            # A region keeps its level: what hangs under it and what is filed at it depend on it.
            self.kind.choices = [c for c in labels.choices("region_kind") if REGION_KINDS[c.value] == region.level]
        exclude = {region.id} if region is not None else set()
        self.parent.choices = [Choice("", _l("— none: this is the city —"))] + region_choices(("city", "town"), exclude)

    def start_under(self, parent):
        """Offer a new region under `parent` (or None): the kind that usually hangs there."""
        if not self.is_submitted():
            if parent is not None and parent.level in CHILD_KIND:
                self.parent.data = parent.id
                self.kind.data = CHILD_KIND[parent.level]
            else:
                self.kind.data = "town" if Region.has_city() else "city"
        return self

    # A concurrent change can only have removed the parent meanwhile.
    taken = ("parent", _l("Please choose from the list."))

    def apply(self, region):
        """Copy the form onto `region`."""
        region.name = self.name.data
        region.kind = self.kind.data
        region.level = REGION_KINDS[self.kind.data]
        region.parent = self.parent.data
        region.position = self.position.data or 0

    def validate_kind(self, field):
        if field.data not in REGION_KINDS:
            raise ValidationError(_l("Please choose from the list."))
        if self.region is not None and REGION_KINDS[field.data] != self.region.level:
            raise ValidationError(_l("A region's level cannot change. Create a new region instead."))

    def validate_parent(self, field):
        level = REGION_KINDS.get(self.kind.data)
        if level is None:
            return
        want = PARENT_LEVEL[level]
        parent = Region.get_or_none(Region.id == field.data) if field.data else None
        if want is None:
            if parent is not None:
                raise ValidationError(_l("The city is the top of the tree: it belongs to nothing."))
            others = Region.select().where(Region.parent.is_null() & ~Region.archived)
            if self.region is not None:
                others = others.where(Region.id != self.region.id)
            if others.exists():
                raise ValidationError(_l("There is already a city. Add towns and villages under it."))
            return
        if parent is None:
            raise ValidationError(
                _l("A town or subdistrict belongs to the city.") if want == "city"
                else _l("A village or community belongs to a town or subdistrict.")
            )
        if parent.archived:
            raise ValidationError(_l("This region is archived. Choose another."))
        if self.region is not None and self.region.id in {parent.id, *(a.id for a in parent.ancestors())}:
            raise ValidationError(_l("A region cannot belong to itself or to a region under it."))
        if parent.level != want:
            raise ValidationError(
                _l("A town or subdistrict belongs to the city.") if want == "city"
                else _l("A village or community belongs to a town or subdistrict.")
            )


VOTING_CHOICES = [
    Choice("residents", _l("Only verified residents of this venue")),
    Choice("all", _l("Every registered user")),
]


class VenueForm(AdminForm):
    name = StringField(
        _l("Name"),
        filters=[clean],
        validators=[DataRequired(_l("Please enter a name.")), Length(max=80, message=_l("At most %(max)d characters."))],
        description=_l("For example 阳光小区议事亭."),
    )
    kind = SelectField(_l("Kind"), choices=labels.choices("venue_kind"))
    region = ChoiceSelect(_l("Region"), validators=[InputRequired(_l("Please choose a region."))])
    slug = StringField(
        _l("Web address name"),
        filters=[clean],
        validators=[
            DataRequired(_l("Please enter a web address name.")),
            Length(2, 60, _l("Use %(min)d to %(max)d characters.")),
            SLUG_RULE,
        ],
        description=_l("The end of the venue's web address, for example pavilion-yangguang. "
                       "Changing it later breaks links people saved."),
    )
    address = StringField(
        _l("Address"), filters=[clean],
        validators=[Length(max=200, message=_l("At most %(max)d characters."))],
    )
    opening_times = StringField(
        _l("Opening times"), filters=[clean],
        validators=[Length(max=200, message=_l("At most %(max)d characters."))],
        description=_l("For example 每周六 9:00–11:00."),
    )
    description = TextAreaField(
        _l("Description"), filters=[clean],
        validators=[Length(max=5000, message=_l("At most %(max)d characters."))],
        description=_l("What this venue is for and who it serves."),
    )
    voting = SelectField(_l("Who may vote"), choices=VOTING_CHOICES)

    def __init__(self, *args, venue=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.venue = venue
        if venue is not None and not self.is_submitted():
            self.voting.data = "all" if venue.voting_open_to_all else "residents"
        choices = region_choices()
        if venue is not None and venue.region_id not in {c.value for c in choices}:
            # An archived region stays selectable for the venues already in it.
            choices.append(Choice(venue.region_id, Region.get_by_id(venue.region_id).name))
        self.region.choices = [Choice("", _l("— choose —"))] + choices

    def validate_slug(self, field):
        query = Venue.select().where(Venue.slug == field.data)
        if self.venue is not None:
            query = query.where(Venue.id != self.venue.id)
        if query.exists():
            raise ValidationError(_l("Another venue already uses this web address name."))

    taken = ("slug", _l("Another venue already uses this web address name."))

    def start_in(self, region):
        """Offer a new venue in `region` (or None): the kind of venue such a region usually has."""
        if region is not None and not self.is_submitted():
            self.region.data = region.id
            self.kind.data = VENUE_KIND_FOR_REGION.get(region.kind, "station")
        return self

    def apply(self, venue):
        """Copy the form onto `venue`, which changes now."""
        for name in ("name", "kind", "slug", "address", "opening_times", "description"):
            setattr(venue, name, getattr(self, name).data)
        venue.region = self.region.data
        venue.voting_open_to_all = self.voting.data == "all"
        venue.updated_at = utcnow()


# People -------------------------------------------------------------------------------------

class UserCreateForm(AdminForm):
    username = username_field(_l("The person logs in with it. Letters and digits, for example zhang3."))
    display_name = StringField(
        _l("Name"),
        filters=[clean],
        validators=[DataRequired(_l("Please enter a name.")), Length(max=40, message=_l("At most %(max)d characters."))],
    )
    phone = StringField(_l("Phone (optional)"), filters=[clean], validators=[Optional(), PHONE_RULE])
    password = StringField(
        _l("Temporary password"),
        validators=[
            InputRequired(_l("Please choose a password.")),
            Length(8, 128, _l("A password has %(min)d to %(max)d characters.")),
        ],
        description=_l("At least 8 characters. Tell it to the person: they must choose their own "
                       "password when they first log in."),
    )

    taken = ("username", _l("This username is taken. Please choose another."))

    def validate_username(self, field):
        if User.select().where(User.username == field.data).exists():
            raise ValidationError(_l("This username is taken. Please choose another."))

    def apply(self, user):
        """Copy the form onto the new account `user`."""
        user.username = self.username.data
        user.display_name = self.display_name.data
        user.phone = self.phone.data or None
        user.set_password(self.password.data)


class UserEditForm(AdminForm):
    display_name = StringField(
        _l("Name"),
        filters=[clean],
        validators=[DataRequired(_l("Please enter a name.")), Length(max=40, message=_l("At most %(max)d characters."))],
    )
    phone = StringField(_l("Phone (optional)"), filters=[clean], validators=[Optional(), PHONE_RULE])

    def apply(self, user):
        user.display_name = self.display_name.data
        user.phone = self.phone.data or None


class TemporaryPasswordForm(FlaskForm):
    password = StringField(
        _l("Temporary password"),
        validators=[
            InputRequired(_l("Please choose a password.")),
            Length(8, 128, _l("A password has %(min)d to %(max)d characters.")),
        ],
        description=_l("Tell it to the person: they must choose a new password when they next log in."),
    )


class RoleForm(FlaskForm):
    venue = ChoiceSelect(_l("Venue"), validators=[InputRequired(_l("Please choose a venue."))])
    role = SelectField(
        _l("Role"),
        choices=[c for c in labels.choices("role") if c.value != "resident"],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.venue.choices = [Choice("", _l("— choose —"))] + venue_choices()


class StaffForm(FlaskForm):
    department = ChoiceSelect(_l("Department"), validators=[InputRequired(_l("Please choose a department."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.department.choices = [Choice("", _l("— choose —"))] + department_choices()


class UsernameForm(FlaskForm):
    """Add a person (to a department or a deputy group) by username."""

    username = StringField(
        _l("Username"),
        filters=[clean],
        validators=[DataRequired(_l("Please enter a username."))],
        description=_l("Find it under People if you are not sure."),
    )

    def validate_username(self, field):
        self.user = User.get_or_none(User.username == field.data)
        if self.user is None:
            raise ValidationError(_l("There is no account with this username."))


class NoteForm(FlaskForm):
    """An optional reason, kept with a membership change."""

    note = StringField(
        _l("Reason (optional)"),
        filters=[clean],
        validators=[Length(max=300, message=_l("At most %(max)d characters."))],
    )


# Deputy groups, departments, categories -----------------------------------------------------------

class DeputyGroupForm(AdminForm):
    name = StringField(
        _l("Name in Chinese"),
        filters=[clean],
        validators=[DataRequired(_l("Please enter a name.")), Length(max=60, message=_l("At most %(max)d characters."))],
        description=_l("For example 柑橘产业."),
    )
    name_en = StringField(
        _l("Name in English"), filters=[clean],
        validators=[Length(max=80, message=_l("At most %(max)d characters."))],
    )
    description = TextAreaField(
        _l("Description"), filters=[clean],
        validators=[Length(max=5000, message=_l("At most %(max)d characters."))],
    )

    taken = ("name", _l("There is already a deputy group with this name."))

    def __init__(self, *args, group=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.group = group

    def validate_name(self, field):
        query = DeputyGroup.select().where(DeputyGroup.name == field.data)
        if self.group is not None:
            query = query.where(DeputyGroup.id != self.group.id)
        if query.exists():
            raise ValidationError(_l("There is already a deputy group with this name."))


LEVEL_CHOICES = labels.choices("level")


class DepartmentForm(AdminForm):
    name = StringField(
        _l("Name in Chinese"),
        filters=[clean],
        validators=[DataRequired(_l("Please enter a name.")), Length(max=80, message=_l("At most %(max)d characters."))],
        description=_l("For example 市水利和湖泊局."),
    )
    name_en = StringField(
        _l("Name in English"), filters=[clean],
        validators=[Length(max=120, message=_l("At most %(max)d characters."))],
    )
    level = SelectField(_l("Level"), choices=LEVEL_CHOICES)
    region = ChoiceSelect(
        _l("Region"),
        validators=[InputRequired(_l("Please choose a region."))],
        description=_l("Where it works: the city for a city bureau, a town for a town office, and so on."),
    )

    taken = ("region", _l("This region already has a department with this name."))

    def __init__(self, *args, department=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.department = department
        self.region.choices = [Choice("", _l("— choose —"))] + region_choices()
        if department is not None and department.region_id not in {c.value for c in self.region.choices}:
            self.region.choices.append(Choice(department.region_id, Region.get_by_id(department.region_id).name))

    def validate_region(self, field):
        region = Region.get_or_none(Region.id == field.data) if field.data else None
        if region is None:
            return
        if region.level != self.level.data:
            raise ValidationError(_l("The region is not at the level chosen above."))
        query = Department.select().where((Department.region == region) & (Department.name == self.name.data))
        if self.department is not None:
            query = query.where(Department.id != self.department.id)
        if query.exists():
            raise ValidationError(_l("This region already has a department with this name."))


class CategoryForm(AdminForm):
    code = StringField(
        _l("Code"),
        filters=[clean],
        validators=[
            DataRequired(_l("Please enter a code.")),
            Length(2, 30, _l("Use %(min)d to %(max)d characters.")),
            CODE_RULE,
        ],
        description=_l("A short English word for statistics and data exchange, for example water_supply. "
                       "It cannot change once an issue uses the category."),
    )
    name = StringField(
        _l("Name in Chinese"),
        filters=[clean],
        validators=[DataRequired(_l("Please enter a name.")), Length(max=40, message=_l("At most %(max)d characters."))],
    )
    name_en = StringField(
        _l("Name in English"),
        filters=[clean],
        validators=[
            DataRequired(_l("Please enter the English name.")),
            Length(max=60, message=_l("At most %(max)d characters.")),
        ],
    )
    village_department = ChoiceSelect(_l("Handling department at village level"))
    town_department = ChoiceSelect(_l("Handling department at town level"))
    city_department = ChoiceSelect(_l("Handling department at city level"))
    time_limit_days = IntegerField(
        _l("Time limit (working days)"),
        default=15,
        validators=[
            InputRequired(_l("Please enter a number of days.")),
            NumberRange(1, 365, _l("Use a number from %(min)s to %(max)s.")),
        ],
        description=_l("How long the department has to answer, unless someone sets another date."),
    )
    position = IntegerField(
        _l("Order in lists"),
        default=0,
        validators=[Optional(), NumberRange(0, 9999, _l("Use a number from %(min)s to %(max)s."))],
    )

    taken = ("code", _l("Another category already uses this code."))

    def __init__(self, *args, category=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.category = category
        self.code_locked = category is not None and category.issues.exists()
        for level in ("village", "town", "city"):
            field = getattr(self, f"{level}_department")
            keep = getattr(category, f"{level}_department_id", None) if category is not None else None
            field.choices = [Choice("", _l("— none —"))] + department_choices(level, keep)

    def validate_code(self, field):
        if self.code_locked and field.data != self.category.code:
            raise ValidationError(_l("Issues already use this category, so its code cannot change."))
        query = Category.select().where(Category.code == field.data)
        if self.category is not None:
            query = query.where(Category.id != self.category.id)
        if query.exists():
            raise ValidationError(_l("Another category already uses this code."))

    def apply(self, category):
        """Copy the form onto `category`."""
        for name in ("code", "name", "name_en", "village_department", "town_department",
                     "city_department", "time_limit_days"):
            setattr(category, name, getattr(self, name).data)
        category.position = self.position.data or 0


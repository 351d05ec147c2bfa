"""Forms of the administration and of the councillors' member list.

They build on the toolkit in forms.py (filters, `ChoiceSelect`, `text_field`, `at_most`, …).
Forms that offer database records (regions, venues, departments) fill their choices when built,
through the `*_choices` helpers; the rules that need the database (a taken slug or code, a region's
place in the tree) are `validate_<field>` methods here, so views only read, save and audit.
"""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
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
from wtforms.widgets import CheckboxInput, ListWidget

from domain import labels
from forms import (
    PHONE_RULE,
    ChoiceSelect,
    TrustedName,
    clean_text,
    dictated,
    dictated_username,
    new_password_rules,
    phone_field,
    strip,
    text_field,
    username_field,
    your_name_field,
)
from models import (
    REGION_KINDS,
    Category,
    Department,
    DeputyGroup,
    DeputyGroupCategory,
    Region,
    Synonym,
    User,
    Venue,
    utcnow,
)

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
PLEASE_CHOOSE = _l("— choose —")


def key_field(label, low, high, required, rule, description):
    """A name for machines (a web address, a code): `low` to `high` characters of `rule`'s alphabet."""
    length = Length(low, high, _l("Use %(min)d to %(max)d characters."))
    return text_field(label, length, required, description, rules=[rule], cleaner=dictated)


def name_field(label, count, description=""):
    """The name a record is listed by: required, trimmed, at most `count` characters."""
    return text_field(label, count, _l("Please enter a name."), description)


def position_field(description=""):
    return IntegerField(
        _l("Order in lists"),
        default=0,
        validators=[Optional(), NumberRange(0, 9999, _l("Use a number from %(min)s to %(max)s."))],
        description=description,
    )


def temporary_password_field(description):
    return StringField(_l("Temporary password"), validators=new_password_rules(), description=description)


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
    regions = list(Region.in_tree_order())
    paths = region_paths(regions)
    rows = [
        Choice(r.id, paths[r.id]) for r in regions
        if not r.archived and r.id not in exclude and (levels is None or r.level in levels)
    ]
    return sorted(rows, key=lambda choice: choice.label)


def region_choices_keeping(region_id):
    """`region_choices()` after an empty choice, plus `region_id` when it is archived: a record
    already there may stay."""
    choices = [Choice("", PLEASE_CHOOSE)] + region_choices()
    if region_id is not None and region_id not in {c.value for c in choices}:
        choices.append(Choice(region_id, Region.get_by_id(region_id).name))
    return choices


def venue_choices():
    """(id, "Venue (region)") of the venues that are not archived."""
    return [Choice(v.id, f"{v.name} ({v.region.name})") for v in Venue.choosable()]


def department_choices(level=None, keep=None):
    """(id, "Department (region)") of active departments (of `level`), plus `keep` if archived."""
    return [Choice(d.id, f"{d.name} ({d.region.name})") for d in Department.choosable(level, keep)]


# Regions and venues ---------------------------------------------------------------------------

class RegionForm(AdminForm):
    name = name_field(_l("Name"), 60, _l("As people say it, for example 马家店街道 or 团结路社区."))
    kind = SelectField(_l("Kind"), choices=labels.choices("region_kind"), validators=[DataRequired()])
    parent = ChoiceSelect(
        _l("Belongs to"),
        description=_l("A town or subdistrict belongs to the city; a village or community to a town."),
    )
    position = position_field(_l("Smaller numbers come first; leave 0 to sort by name."))

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
            if Region.other_roots(self.region).exists():
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
    name = name_field(_l("Name"), 80, _l("For example 阳光小区议事亭."))
    kind = SelectField(_l("Kind"), choices=labels.choices("venue_kind"))
    region = ChoiceSelect(_l("Region"), validators=[InputRequired(_l("Please choose a region."))])
    slug = key_field(
        _l("Web address name"), 2, 60, _l("Please enter a web address name."), SLUG_RULE,
        _l("The end of the venue's web address, for example pavilion-yangguang. "
           "Changing it later breaks links people saved."),
    )
    address = text_field(_l("Address"), 200)
    opening_times = text_field(_l("Opening times"), 200, description=_l("For example 每周六 9:00–11:00."))
    description = text_field(
        _l("Description"), 5000, description=_l("What this venue is for and who it serves."), kind=TextAreaField,
    )
    voting = SelectField(_l("Who may vote"), choices=VOTING_CHOICES)

    taken = ("slug", _l("Another venue already uses this web address name."))

    def __init__(self, *args, venue=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.venue = venue or Venue()
        if venue is not None and not self.is_submitted():
            self.voting.data = "all" if venue.voting_open_to_all else "residents"
        # An archived region stays selectable for the venues already in it.
        self.region.choices = region_choices_keeping(self.venue.region_id)

    def start_in(self, region):
        """Offer a new venue in `region` (or None): the kind of venue such a region usually has."""
        if region is not None and not self.is_submitted():
            self.region.data = region.id
            self.kind.data = VENUE_KIND_FOR_REGION.get(region.kind, "station")
        return self

    def validate_slug(self, field):
        if self.venue.slug_taken(field.data):
            raise ValidationError(self.taken[1])

    def apply(self, venue):
        """Copy the form onto `venue`, which changes now."""
        for name in ("name", "kind", "slug", "address", "opening_times", "description"):
            setattr(venue, name, getattr(self, name).data)
        venue.region = self.region.data
        venue.voting_open_to_all = self.voting.data == "all"
        venue.updated_at = utcnow()


# People -------------------------------------------------------------------------------------

class UserEditForm(TrustedName, AdminForm):
    display_name = your_name_field(label=_l("Name"), required=_l("Please enter a name."))
    phone = phone_field()

    def apply(self, user):
        user.display_name = self.display_name.data
        user.phone = self.phone.data or None


class UserCreateForm(UserEditForm):
    username = username_field(_l("The person logs in with it. Letters and digits, for example zhang3."))
    password = temporary_password_field(
        _l("At least 8 characters. Tell it to the person: they must choose their own password when they "
           "first log in."),
    )

    taken = ("username", _l("This username is taken. Please choose another."))

    def apply(self, user):
        """Copy the form onto the new account `user`."""
        super().apply(user)
        user.username = self.username.data
        user.set_password(self.password.data)


class TemporaryPasswordForm(FlaskForm):
    password = temporary_password_field(
        _l("Tell it to the person: they must choose a new password when they next log in."),
    )


class RoleForm(FlaskForm):
    venue = ChoiceSelect(_l("Venue"), validators=[InputRequired(_l("Please choose a venue."))])
    role = SelectField(
        _l("Role"),
        choices=[c for c in labels.choices("role") if c.value != "resident"],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.venue.choices = [Choice("", PLEASE_CHOOSE)] + venue_choices()


class StaffForm(FlaskForm):
    department = ChoiceSelect(_l("Department"), validators=[InputRequired(_l("Please choose a department."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.department.choices = [Choice("", PLEASE_CHOOSE)] + department_choices()


class UsernameForm(FlaskForm):
    """Add a person (to a department or a deputy group) by username."""

    username = StringField(
        _l("Username"),
        filters=[dictated_username],
        validators=[DataRequired(_l("Please enter a username."))],
        description=_l("Find it under People if you are not sure."),
    )

    def validate_username(self, field):
        self.user = User.get_or_none(User.username == field.data)
        if self.user is None:
            raise ValidationError(_l("There is no account with this username."))


class MemberForm(UsernameForm):
    """Add a deputy to a deputy group by username."""

    def validate_username(self, field):
        super().validate_username(field)
        if not self.user.has_role("deputy"):
            raise ValidationError(
                _l("%(name)s is not a deputy yet. Give them the deputy role at a venue first.")
                % {"name": self.user.display_name}
            )


class NoteForm(FlaskForm):
    """An optional reason, kept with a membership change."""

    note = text_field(_l("Reason (optional)"), 300)


# Deputy groups, departments, categories -----------------------------------------------------------

class DeputyGroupForm(AdminForm):
    name = name_field(_l("Name in Chinese"), 60, _l("For example 柑橘产业."))
    name_en = text_field(_l("Name in English"), 80)
    description = text_field(_l("Description"), 5000, kind=TextAreaField)
    categories = SelectMultipleField(
        _l("Categories of its field"), coerce=int, choices=[], validate_choice=False,
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
        description=_l("The group's page lists the matters of these categories."),
    )

    taken = ("name", _l("There is already a deputy group with this name."))

    def __init__(self, *args, group=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.group = group
        linked = DeputyGroupCategory.category_ids(group) if group is not None else []
        # Categories archived since they were chosen stay offered, so saving the group keeps them.
        offered = Category.select().where(~Category.archived | Category.id.in_(linked or [0]))
        self.categories.choices = [(c.id, labels.localized(c)) for c in offered.order_by(Category.position, Category.id)]
        if group is not None and not self.is_submitted():
            self.categories.data = linked

    def validate_categories(self, field):
        allowed = {value for value, _label in field.choices}
        if any(value not in allowed for value in field.data or []):
            raise ValidationError(_l("Please choose one of the options."))

    def apply(self, obj):
        # The categories are links, not columns: views.admin.groups saves them.
        obj.name, obj.name_en, obj.description = self.name.data, self.name_en.data, self.description.data

    def validate_name(self, field):
        if DeputyGroup.name_taken(field.data, self.group):
            raise ValidationError(self.taken[1])


LEVEL_CHOICES = labels.choices("level")


class DepartmentForm(AdminForm):
    name = name_field(_l("Name in Chinese"), 80, _l("For example 市水利和湖泊局."))
    name_en = text_field(_l("Name in English"), 120)
    level = SelectField(_l("Level"), choices=LEVEL_CHOICES)
    region = ChoiceSelect(
        _l("Region"),
        validators=[InputRequired(_l("Please choose a region."))],
        description=_l("Where it works: the city for a city bureau, a town for a town office, and so on."),
    )

    taken = ("region", _l("This region already has a department with this name."))

    def __init__(self, *args, department=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.department = department or Department()
        self.region.choices = region_choices_keeping(self.department.region_id)

    def validate_region(self, field):
        region = Region.get_or_none(Region.id == field.data) if field.data else None
        if region is None:
            return
        if region.level != self.level.data:
            raise ValidationError(_l("The region is not at the level chosen above."))
        if self.department.name_taken(region, self.name.data):
            raise ValidationError(self.taken[1])


class CategoryForm(AdminForm):
    code = key_field(
        _l("Code"), 2, 30, _l("Please enter a code."), CODE_RULE,
        _l("A short English word for statistics and data exchange, for example water_supply. "
           "It cannot change once an issue uses the category."),
    )
    name = name_field(_l("Name in Chinese"), 40)
    name_en = text_field(_l("Name in English"), 60, _l("Please enter the English name."))
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
    position = position_field()

    taken = ("code", _l("Another category already uses this code."))

    def __init__(self, *args, category=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.category = category or Category()
        self.code_locked = category is not None and category.issues.exists()
        for level in ("village", "town", "city"):
            keep = getattr(self.category, f"{level}_department_id")
            getattr(self, f"{level}_department").choices = [Choice("", _l("— none —"))] + department_choices(level, keep)

    def validate_code(self, field):
        if self.code_locked and field.data != self.category.code:
            raise ValidationError(_l("Issues already use this category, so its code cannot change."))
        if self.category.code_taken(field.data):
            raise ValidationError(self.taken[1])

    def apply(self, category):
        """Copy the form onto `category`."""
        self.populate_obj(category)
        category.position = self.position.data or 0


class ApiKeyForm(FlaskForm):
    name = text_field(_l("Name"), 80, _l("Please enter a name."),
                      _l("Who will use the key, for example the city hotline's system."))


# --- search ---
class SynonymForm(FlaskForm):
    """A group of words that mean the same in a search: its term, and the other words."""

    term = text_field(
        _l("Word"), 40, _l("Please enter a word."),
        _l("The usual word, for example 路灯."),
    )
    words = text_field(
        _l("Words that mean the same"), 400, _l("Please enter at least one other word."),
        _l("Separated by spaces or commas, for example 街灯, street light. A search for any of them "
           "finds the others."),
        kind=TextAreaField,
    )
    original = StringField(filters=[strip])  # the term of the group being changed, if any

    def validate_term(self, field):
        if len(field.data) > 40:
            raise ValidationError(_l("Use at most %(max)d characters.", max=40))

    def validate_words(self, field):
        from domain import search

        words = self.others()
        if not words:
            raise ValidationError(_l("Please enter at least one other word."))
        if any(len(w) > 40 for w in words):
            raise ValidationError(_l("Each word may have at most %(max)d characters.", max=40))
        term = search.synonym_words(self.term.data or "")[:1]
        taken = Synonym.taken([*term, *words], but=self.original.data or (term[0] if term else ""))
        if taken:
            word, other = taken[0]
            raise ValidationError(_l("“%(word)s” already belongs to the group of “%(term)s”.", word=word, term=other))

    def others(self):
        from domain import search

        term = search.synonym_words(self.term.data or "")
        return [w for w in search.synonym_words(self.words.data or "") if w not in term]


# The filing number as the MIIT issues it: the province's character, ICP备 (or ICP证), digits, 号, and
# the number of the site under that filing (鄂ICP备12345678号-1).
ICP_RULE = Regexp(
    r"^[\u4e00-\u9fff]ICP[备证]\d{4,12}号(-\d{1,3})?$",
    message=_l("Write the number as the MIIT gave it, for example 鄂ICP备12345678号-1."),
)
DEFAULT_HINT = _l("Leave it empty to use the server's default.")


class SiteSettingsForm(FlaskForm):
    """The site's identity (domain/site.py): each field empty for the server's default."""

    name = text_field(_l("Site name"), 40, description=DEFAULT_HINT)
    name_en = text_field(_l("Site name in English"), 80,
                         description=_l("What English pages call the site. Leave it empty to use the "
                                        "server's default, or else the site name above."))
    sponsor = text_field(_l("Sponsoring office"), 80,
                         description=_l("The office that runs the site, as the footer names it (主办单位)."))
    contact_phone = StringField(_l("Contact phone"), filters=[dictated], validators=[Optional(), PHONE_RULE],
                                description=_l("Shown in the footer of every page."))
    icp = text_field(_l("ICP filing number"), 60, rules=[Optional(), ICP_RULE], cleaner=dictated,
                     description=_l("The footer links it to the MIIT's filing register."))
    about = text_field(_l("About this site"), 1000, kind=TextAreaField, cleaner=clean_text,
                       description=_l("A few sentences for the About page; its first sentences also "
                                      "describe the pages to search engines."))

    def values(self):
        return {name: self[name].data for name in ("name", "name_en", "sponsor", "contact_phone", "icp", "about")}

"""WTForms forms; labels and messages are lazily translated so each request gets its language.

The first part is the toolkit every form of the site builds on, the administration's included
(views/admin/forms.py): the filters that clean typed text, the coercion of a select's id, the
fields whose bad values get our own messages, and the rules and fields that recur.
"""
import re
import unicodedata

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    AnyOf,
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from domain import accounts, deliberation, labels, photos, timefmt, words
from models import ANSWER_GRADES, FLAG_REASONS, MAX_ID, RATINGS, Category, User

PHONE_RULE = Regexp(r"^\+?[0-9 -]{5,20}$", message=_l("Please enter a phone number of digits."))
USERNAME_RULE = Regexp(
    r"^[A-Za-z0-9_.-]+$",
    message=_l("Use only letters, digits, dots, dashes and underscores."),
)


# Filters and coercion ----------------------------------------------------------------------------

def strip(value):
    """Text without surrounding spaces; a field left out of the request becomes "" (text columns are
    NOT NULL)."""
    return value.strip() if isinstance(value, str) else ""


def dictated(value, keep=""):
    """An ASCII-natured field (phone, code, username, email, number) as voice input fills it (issue 14):
    full-width ＡＢ３ made ABC3 by NFKC, the sentence mark it adds at the end and surrounding spaces
    dropped; marks in `keep` stay, where the field's own alphabet has them. Never for prose: NFKC
    would turn Chinese punctuation into ASCII."""
    if not isinstance(value, str):
        return ""
    return words.without_end_mark(unicodedata.normalize("NFKC", value), keep)


def dictated_username(value):
    """A username as typed or dictated: a dot is a letter of usernames, so only 。?! are dropped."""
    return dictated(value, keep=".")


def contact(value):
    """A contact that may be a phone number or words (王阿姨家，3栋): a phone number as dictated
    makes it (its groups of digits kept as they came), anything else as clean_text."""
    number = dictated(value)
    return number if PHONE_RULE.regex.match(number) else clean_text(value)


def one_newline(value):
    """Browsers send line breaks as CRLF; count each as the one character the textarea showed."""
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value):
    """Typed text without control characters (PostgreSQL refuses NUL), lines ending in \\n, trimmed."""
    if not isinstance(value, str):
        return value
    return CONTROL_CHARACTERS.sub("", value.replace("\r\n", "\n").replace("\r", "\n")).strip()


def optional_id(value):
    """A select's value as an id; anything else (empty, not a number) as None."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# Fields ------------------------------------------------------------------------------------------

def at_most(count):
    """The length rule of a text field: at most `count` characters."""
    return Length(max=count, message=_l("At most %(max)d characters."))


def text_field(label, length, required=None, description="", kind=StringField, rules=(), cleaner=strip):
    """A text field (`kind`: a TextAreaField for more lines) cleaned by `cleaner`.

    `length` is its most characters, or its own Length rule; `required` is what to say when it is
    left empty, if it must not be; `rules` are checked after these.
    """
    length = at_most(length) if isinstance(length, int) else length
    validators = [DataRequired(required), length, *rules] if required else [length, *rules]
    return kind(label, filters=[cleaner], validators=validators, description=description)


def new_password_rules():
    """What a new password must be: given, 8 to 128 characters."""
    return [
        InputRequired(_l("Please choose a password.")),
        Length(8, 128, _l("A password has %(min)d to %(max)d characters.")),
    ]


def confirm_field(label):
    """The new password typed again."""
    return PasswordField(
        label,
        validators=[
            InputRequired(_l("Please type the password again.")),
            EqualTo("password", _l("The two passwords are not the same.")),
        ],
    )


def phone_field(description=""):
    """An optional phone number."""
    return StringField(
        _l("Phone (optional)"), filters=[dictated], validators=[Optional(), PHONE_RULE], description=description,
    )


def username_free(form, field):
    """Refuse a username someone already has."""
    if User.username_taken(field.data):
        raise ValidationError(_l("This username is taken. Please choose another."))


def username_field(description):
    """The username of a new account: 3–40 letters, digits, dots, dashes and underscores, not taken."""
    return StringField(
        _l("Username"),
        filters=[dictated_username],
        validators=[
            DataRequired(_l("Please enter a username.")),
            Length(3, 40, _l("A username has %(min)d to %(max)d characters.")),
            USERNAME_RULE,
            username_free,
        ],
        description=description,
    )


LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class LocalDateTimeField(DateTimeLocalField):
    """A datetime-local input read and shown in the site's time zone; `data` is naive UTC."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("invalid_value_message", _l("Please enter a date and time, e.g. 2026-12-05 09:30."))
        super().__init__(label, validators, format=LOCAL_FORMATS, **kwargs)

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        return timefmt.utc_to_local(self.data).strftime(self.format[0]) if self.data else ""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.data = timefmt.local_to_utc(self.data) if self.data else self.data


class NumberField(IntegerField):
    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("invalid_value_message", _l("Please enter a whole number."))
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        super().process_formdata([dictated(value) for value in valuelist])


class _OwnChoiceMessages:
    """A choice field whose bad or missing value gets our own translated `message`, never a 500 or
    WTForms' own words."""

    unreadable = False

    def __init__(self, label=None, validators=None, skip_if_no_choices=False, message=None, **kwargs):
        kwargs.setdefault("validate_choice", False)
        super().__init__(label, validators, **kwargs)
        self.skip_if_no_choices = skip_if_no_choices
        self.message = _l("Please choose one of the options.") if message is None else message

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
        # A value that names nothing (not a number, say) is wrong even where "none" is a choice.
        self.unreadable = self.data is None and bool(valuelist) and valuelist[0] not in ("", "None")

    def pre_validate(self, form):
        if self.skip_if_no_choices and not self.choices:
            return
        # A choice is a (value, label) pair or a SelectChoice; either way the value comes first.
        if self.unreadable or self.data not in [self.coerce(next(iter(choice))) for choice in self.choices]:
            raise ValidationError(self.message)


class ChoiceField(_OwnChoiceMessages, SelectField):
    pass


class ChoiceRadio(_OwnChoiceMessages, RadioField):
    pass


class ChoiceSelect(ChoiceField):
    """A select of records by id, whose empty choice ("") stands for none."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("coerce", optional_id)
        kwargs.setdefault("message", _l("Please choose from the list."))
        super().__init__(label, validators, **kwargs)


# Photos ------------------------------------------------------------------------------------------

def _photo_slots():
    fields = {}
    for number in range(1, photos.MAX_PHOTOS + 1):
        fields[f"photo_{number}"] = FileField(_l("Photo %(num)d", num=number))
        fields[f"alt_{number}"] = StringField(
            _l("What photo %(num)d shows", num=number),
            filters=[clean_text],
            validators=[at_most(photos.ALT_LENGTH)],
            # Said once, beside the first: four times the same hint would only crowd the form.
            description=_l("In a few words, for people who cannot see it. For example: "
                           "the broken lamp at the gate of building 3.") if number == 1 else "",
        )
    return fields


class PhotoFields(type("PhotoSlots", (), _photo_slots())):
    """Up to photos.MAX_PHOTOS photos, each with the words that say what it shows (required). A
    form that takes them (with FlaskForm) has `prepared`: the photos checked and re-encoded."""

    photo_slots = range(1, photos.MAX_PHOTOS + 1)

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        self.prepared = []
        sent = sum(1 for name in request.files for upload in request.files.getlist(name) if upload)
        if sent > photos.MAX_PHOTOS:
            self.form_errors.append(photos.ERRORS["too_many"])
            return False
        for number in self.photo_slots:
            upload, alt = self[f"photo_{number}"], self[f"alt_{number}"]
            if not upload.data:
                if alt.data and not alt.errors:
                    upload.errors.append(_l("Please choose the photo again, or clear what it shows."))
                continue
            if not alt.data:
                alt.errors.append(_l("Please say what the photo shows."))
            try:
                self.prepared.append(photos.prepare(upload.data.stream, alt.data))
            except photos.PhotoError as error:
                upload.errors.append(error.message)
        return valid and not any(self[f"{kind}_{n}"].errors for kind in ("photo", "alt") for n in self.photo_slots)

    def photos_touched(self):
        """Whether the photos were part of what was sent (one described, or something wrong with
        them): their part of the form is shown open again."""
        return bool(self.form_errors) or any(
            self[f"alt_{n}"].data or self[f"{kind}_{n}"].errors
            for kind in ("photo", "alt") for n in self.photo_slots)


# Accounts ----------------------------------------------------------------------------------------

def your_name_field(description="", label=None, required=None):
    """A display name, in its canonical form (see accounts.normalise_name); a form holding one takes
    `TrustedName` too, for the rules a name must keep."""
    return StringField(
        label or _l("Your name"),
        filters=[accounts.normalise_name],
        validators=[
            DataRequired(required or _l("Please enter your name.")),
            Length(1, 40, _l("A name has at most %(max)d characters.")),
        ],
        description=description,
    )


class TrustedName:
    """A form with a `display_name`: refuse names that hide characters, show nothing, or pass for an
    official's (domain.accounts.check_display_name). The account the form edits (its `obj`) keeps
    its own name."""

    def __init__(self, *args, **kwargs):
        self.name_owner = kwargs.get("obj")
        super().__init__(*args, **kwargs)

    def validate_display_name(self, field):
        field.data, problem = accounts.check_display_name(field.data, self.name_owner)
        if problem:
            raise ValidationError(problem)


class RegisterForm(TrustedName, FlaskForm):
    username = username_field(_l("You log in with it. Letters and digits, for example zhang3."))
    display_name = your_name_field(_l("Shown next to what you write."))
    password = PasswordField(_l("Password"), validators=new_password_rules(), description=_l("At least 8 characters."))
    confirm = confirm_field(_l("Password again"))


class LoginForm(FlaskForm):
    username = StringField(
        _l("Username"), filters=[dictated_username], validators=[DataRequired(_l("Please enter your username."))]
    )
    password = PasswordField(
        _l("Password"), validators=[InputRequired(_l("Please enter your password."))]
    )


class ProfileForm(TrustedName, FlaskForm):
    display_name = your_name_field()
    phone = phone_field(_l("Only councillors of your venues see it."))
    email = StringField(
        _l("Email (optional)"), filters=[dictated],
        validators=[Optional(), at_most(120),
                    Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Please enter an email address, e.g. name@example.com."))],
        description=_l("Where the site sends notices of matters you handle, if it sends email."),
    )
    locale = SelectField(
        _l("Language"),
        choices=[
            SelectChoice("zh_Hans", "中文", render_kw={"lang": "zh-Hans"}),
            SelectChoice("en", "English", render_kw={"lang": "en"}),
        ],
        validators=[DataRequired()],
    )


class PasswordForm(FlaskForm):
    current = PasswordField(
        _l("Current password"), validators=[InputRequired(_l("Please enter your password."))]
    )
    password = PasswordField(_l("New password"), validators=new_password_rules())
    confirm = confirm_field(_l("New password again"))


class IssueForm(PhotoFields, FlaskForm):
    """Raise an issue at a venue (我要反映), with photos if the resident has some."""

    title = text_field(
        _l("Title"), Length(5, 120, _l("A title has %(min)d to %(max)d characters.")),
        _l("Please give your issue a title."),
        _l("In one line, what is the matter? For example: the street lamp at gate 3 is broken."),
        cleaner=clean_text,
    )
    body = text_field(
        _l("Full description"), Length(10, 5000, _l("A description has %(min)d to %(max)d characters.")),
        _l("Please describe the issue."), _l("Where is it, since when, who is affected, and what would help?"),
        TextAreaField, cleaner=clean_text,
    )
    category = SelectField(
        _l("Category"),
        coerce=optional_id,
        validate_choice=False,
        description=_l("Choose what fits best. A councillor can change it later."),
    )
    anonymous = BooleanField(
        _l("Hide my name from the public"),
        description=_l("Others see “a resident”. Councillors and deputies of this venue still see your name."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from domain.labels import localized

        self.categories = {c.id: c for c in Category.choices()}
        self.category.choices = [("", _l("Choose a category"))] + [
            (c.id, localized(c)) for c in self.categories.values()
        ]

    def validate_category(self, field):
        if field.data not in self.categories:
            raise ValidationError(_l("Please choose a category from the list."))

    def issue_data(self):
        """The keyword arguments of workflow.raise_issue that this form holds."""
        return {
            "title": self.title.data,
            "body": self.body.data,
            "category": self.categories[self.category.data],
            "anonymous": bool(self.anonymous.data),
        }


class RecordIssueForm(IssueForm):
    """A councillor or deputy records an issue collected offline for a resident (代录)."""

    channel = SelectField(
        _l("How it came in"),
        validate_choice=False,
        description=_l("Where you heard it from the resident."),
    )
    reporter_name = StringField(
        _l("Resident's name (optional)"),
        filters=[clean_text],
        validators=[Optional(), Length(max=40, message=_l("A name has at most %(max)d characters."))],
        description=_l("Leave it empty if the resident did not give a name."),
    )
    reporter_contact = StringField(
        _l("Resident's phone or other contact (optional)"),
        filters=[contact],
        validators=[
            Optional(),
            Length(max=60, message=_l("A contact has at most %(max)d characters.")),
        ],
        description=_l("Only councillors and deputies of this venue see it."),
    )
    anonymous = BooleanField(
        _l("Hide the resident's name from the public"),
        description=_l("Others see “a resident”. Councillors and deputies of this venue still see the name."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from domain.labels import label
        from domain.workflow import CHANNELS_ON_BEHALF

        self.channel.choices = [("", _l("Choose how it came in"))] + [
            (channel, label("channel", channel)) for channel in CHANNELS_ON_BEHALF
        ]

    def validate_channel(self, field):
        from domain.workflow import CHANNELS_ON_BEHALF

        if field.data not in CHANNELS_ON_BEHALF:
            raise ValidationError(_l("Please choose how the issue came in."))

    def issue_data(self):
        return {
            **super().issue_data(),
            "channel": self.channel.data,
            "reporter_name": self.reporter_name.data or "",
            "reporter_contact": self.reporter_contact.data or "",
        }


class AddPhotosForm(PhotoFields, FlaskForm):
    """The author adds photos to their open issue."""


class CommentForm(FlaskForm):
    body = TextAreaField(
        _l("Your comment"),
        filters=[one_newline, strip],
        validators=[
            DataRequired(_l("Please write your comment.")),
            Length(max=2000, message=_l("A comment has at most %(max)d characters.")),
        ],
        description=_l("Up to 2,000 characters. Be kind and keep to the matter."),
    )


class ReportForm(FlaskForm):
    reason = RadioField(
        _l("What is wrong with it?"),
        choices=labels.choices("flag_reason"),
        validate_choice=False,
        validators=[
            InputRequired(_l("Please choose a reason.")),
            AnyOf(FLAG_REASONS, message=_l("Please choose a reason.")),
        ],
    )
    note = StringField(
        _l("More details (optional)"),
        filters=[strip],
        validators=[Length(max=300, message=_l("At most %(max)d characters, please."))],
    )


class ModerationForm(FlaskForm):
    # Set by the button pressed: hide, restore or dismiss.
    action = StringField(
        validators=[AnyOf(("hide", "restore", "dismiss"), message=_l("Please choose what to do."))]
    )
    reason = TextAreaField(
        _l("Reason"),
        filters=[strip],
        validators=[Length(max=500, message=_l("At most %(max)d characters, please."))],
        description=_l("Needed when you hide something. It goes into the log."),
    )

    def validate_reason(self, field):
        if self.action.data == "hide" and not field.data:
            raise ValidationError(_l("Please say why you hide it."))


# Agenda, meetings, votes, triage and verification -----------------------------------------------

def _reason(label, message):
    return text_field(label, 1000, message, kind=TextAreaField)


class MeetingForm(FlaskForm):
    title = text_field(
        _l("Title"), 120, _l("Please give the meeting a title."),
        _l("For example: December residents' meeting on the parking plan."),
    )
    kind = ChoiceField(_l("Kind of meeting"), choices=[])
    starts_at = LocalDateTimeField(
        _l("Starts"), validators=[InputRequired(_l("Please enter when it starts."))],
        description=_l("Beijing time."),
    )
    ends_at = LocalDateTimeField(_l("Ends (optional)"), validators=[Optional()])
    place = text_field(_l("Place"), 200, description=_l("Leave empty to meet at the venue's address."))
    description = text_field(_l("What it is about (optional)"), 5000, kind=TextAreaField)
    cancelled = BooleanField(_l("This meeting is cancelled"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = labels.choices("meeting_kind")

    def validate_ends_at(self, field):
        if field.data and self.starts_at.data and field.data <= self.starts_at.data:
            raise ValidationError(_l("The end must be after the start."))

    def validate_kind(self, field):
        # “Meet on the 5th” is the deputies' monthly reception day, on the 5th by name.
        if field.data == "fifth_day" and self.starts_at.data and timefmt.utc_to_local(self.starts_at.data).day != 5:
            raise ValidationError(_l("A “Meet on the 5th” meeting is held on the 5th of the month."))


class MinutesForm(FlaskForm):
    minutes = text_field(
        _l("Minutes"), 20000, _l("Please write the minutes."),
        _l("Who came, what was said, what was agreed. Everyone can read them."), TextAreaField,
    )


class ItemForm(FlaskForm):
    issue = ChoiceField(_l("From an issue"), coerce=int, choices=[],
                        description=_l("An accepted issue of this venue, or none for a free item."))
    title = text_field(_l("Title"), 120, description=_l("Leave empty to use the issue's title."))
    body = text_field(
        _l("What residents vote on"), 10000, description=_l("Say plainly what a yes and a no mean."),
        kind=TextAreaField,
    )
    rule = ChoiceRadio(_l("Rule"), choices=[], default="majority")
    quorum_kind = ChoiceRadio(_l("Quorum"), choices=[], default="count")
    quorum_value = NumberField(
        _l("Quorum value"), default=1,
        validators=[InputRequired(_l("Please enter a number.")),
                    NumberRange(0, 100000, _l("Please enter a number from %(min)s to %(max)s."))],
        description=_l("How many votes at least, or what percentage of the verified residents."),
    )

    def __init__(self, *args, issues=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.issue.choices = [(0, _l("None: a free item"))] + [(i.id, f"#{i.id} {i.title}") for i in issues]
        self.rule.choices = labels.choices("vote_rule")
        self.quorum_kind.choices = labels.choices("quorum_kind")

    def validate_title(self, field):
        if not field.data and not ("issue" in self and self.issue.data):
            raise ValidationError(_l("Please give the item a title."))

    def validate_quorum_value(self, field):
        if self.quorum_kind.data == "percent" and field.data is not None and field.data > 100:
            raise ValidationError(_l("A percentage is at most 100."))


class WindowForm(FlaskForm):
    opens_at = LocalDateTimeField(
        _l("Voting opens"), validators=[Optional()], description=_l("Leave empty to open it now."),
    )
    closes_at = LocalDateTimeField(
        _l("Voting closes"), validators=[InputRequired(_l("Please enter when voting closes."))],
        description=_l("Beijing time. Votes are taken until this minute."),
    )
    live_count = BooleanField(
        _l("Show the count while voting is open (a show of hands)"),
        description=_l("Leave it off for a secret vote: then only the turnout shows until the close."),
    )

    def validate_closes_at(self, field):
        now = deliberation.clock()
        opens = self.opens_at.data or now
        if field.data and field.data <= max(opens, now):
            raise ValidationError(_l("Voting must close after it opens, and in the future."))


class CloseForm(FlaskForm):
    reason = _reason(_l("Why close the vote early?"), _l("Please give a reason for closing early."))


class VoteForm(FlaskForm):
    choice = ChoiceRadio(_l("Your vote"), choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.choice.choices = labels.choices("vote_choice")


class OutcomeForm(FlaskForm):
    outcome = text_field(
        _l("Outcome"), 10000, _l("Please write the outcome."),
        _l("What was decided and what happens next, in plain words. Everyone can read it."), TextAreaField,
    )
    # No choice to make when the issue does not move (a free item, or no quorum).
    next_status = ChoiceRadio(_l("What happens to the issue"), choices=[], skip_if_no_choices=True)
    department = ChoiceField(_l("Handling department"), coerce=int, choices=[])
    due_on = DateField(
        _l("Due date"), validators=[Optional()],
        invalid_value_message=_l("Please enter a date, e.g. 2026-12-31."),
    )

    def __init__(self, *args, steps=(), departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.next_status.choices = [(s, labels.label("outcome_step", s)) for s in steps]
        if "assigned" in steps:
            self.department.choices = [(0, _l("Choose a department"))] + [(d.id, d.name) for d in departments]
        else:  # nothing to assign: the fields are not shown, so they are not checked either
            del self.department
            del self.due_on

    def validate_department(self, field):
        if self.next_status.data == "assigned" and not field.data:
            raise ValidationError(_l("Please choose the department that carries it out."))

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        # The due date may be empty unless the issue is being assigned (Optional stops the chain).
        if "due_on" in self and self.next_status.data == "assigned" and not self.due_on.data:
            if not self.due_on.errors:
                self.due_on.errors.append(_l("Please enter a due date."))
            valid = False
        return valid


class DeclineForm(FlaskForm):
    reason = _reason(_l("Why is it declined?"), _l("Please give the reason. Everyone will see it."))


class MergeForm(FlaskForm):
    target = ChoiceField(_l("Merge into"), coerce=int, choices=[],
                         description=_l("The issue that raises the same matter."))

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.target.choices = [(t.id, f"#{t.id} {t.title}") for t in targets]


class RefuseForm(FlaskForm):
    reason = _reason(_l("Why is it refused?"), _l("Please give the reason. The person will see it."))


class InviteCodeForm(FlaskForm):
    code = text_field(
        _l("Invite code"), 20, _l("Please enter the code."),
        _l("The code on your venue's notice board, or the personal code a councillor gave you."),
        cleaner=dictated,
    )


class VotingRuleForm(FlaskForm):
    open_to_all = ChoiceRadio(_l("Who may vote here"), choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.open_to_all.choices = [
            ("residents", _l("Verified residents of this venue")),
            ("all", _l("Every registered user: votes called from now on are open polls")),
        ]


# Handling: assignment, the department's work, ratings ------------------------------------------

def _text(label, length, required=None, description=""):
    return text_field(label, length, required, description, kind=TextAreaField, cleaner=clean_text)


def _date(label, description=None, required=False):
    rule = DataRequired(_l("Please enter a date.")) if required else Optional()
    return DateField(label, validators=[rule], description=description,
                     invalid_value_message=_l("Please enter a date, e.g. 2026-12-31."))


class ClassifyForm(FlaskForm):
    category = ChoiceField(_l("Category"), coerce=optional_id, choices=[])
    level = ChoiceRadio(_l("Who must handle it"), choices=[],
                        description=_l("The village or community, the town or subdistrict, or the city."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = [(c.id, labels.localized(c)) for c in Category.choices()]
        self.level.choices = [(level, labels.label("level", level)) for level in ("village", "town", "city")]


class AssignForm(FlaskForm):
    lead = ChoiceField(_l("Lead department (主办)"), coerce=optional_id, choices=[],
                       description=_l("It answers for all, by the due date."))
    co = SelectMultipleField(_l("Co-handling departments (协办)"), coerce=int, choices=[],
                             validate_choice=False,
                             description=_l("Optional. They send their opinion to the lead department."))
    due_on = _date(_l("Due date"), _l("Leave empty to count the category's time limit in working days."))
    note = _text(_l("Note to the department"), 2000)

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(d.id, labels.localized(d)) for d in departments]
        self.lead.choices = choices
        self.co.choices = choices

    def validate_co(self, field):
        allowed = {value for value, _label in self.lead.choices}
        if any(value not in allowed for value in field.data or []):
            raise ValidationError(_l("Please choose one of the options."))


class EscalateForm(FlaskForm):
    reason = _text(_l("Why must a higher level handle it?"), 1000, _l("Please give the reason. It is kept on the issue's record."))


class ProgressForm(FlaskForm):
    note = _text(_l("Progress note"), 2000, _l("Please write what was done."))
    public = BooleanField(_l("Everyone may read this note"), default=True)


class AnswerForm(PhotoFields, FlaskForm):
    kind = ChoiceRadio(_l("The answer"), choices=[])
    grade = ChoiceRadio(_l("Answer grade"), choices=[],
                        description=_l("A solved or basically solved; B being solved or planned; "
                                       "C cannot be solved now, reasons stated; D kept for reference."))
    text = _text(_l("Answer to the resident"), 5000, _l("Please write the answer. The resident and everyone else will read it."),
                 description=_l("What was done, or why it cannot be done now and what would change that."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [("resolved", labels.label("issue_status", "resolved")),
                             ("explained", labels.label("issue_status", "explained"))]
        self.grade.choices = [(grade, labels.label("grade", grade)) for grade in ANSWER_GRADES]


class OpinionForm(FlaskForm):
    text = _text(_l("Opinion for the lead department"), 5000, _l("Please write your department's opinion."))


class ReturnForm(FlaskForm):
    reason = _text(_l("Why is it outside your remit?"), 1000, _l("Please give the reason, and say who should handle it if you know."))


class ExtensionForm(FlaskForm):
    until = _date(_l("New due date"), required=True)
    reason = _text(_l("Why is more time needed?"), 1000, _l("Please give the reason."))


class DecideExtensionForm(FlaskForm):
    decision = ChoiceRadio(_l("Decision"), choices=[])
    note = _text(_l("Note"), 1000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.decision.choices = [("grant", _l("Grant the new date")), ("refuse", _l("Refuse"))]


class UrgeForm(FlaskForm):
    note = _text(_l("Message to the department"), 1000)


class RateForm(FlaskForm):
    rating = ChoiceRadio(_l("How satisfied are you with how it was handled?"), choices=[])
    comment = _text(_l("Comment"), 2000, description=_l("If you are not satisfied, say what is still wrong."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rating.choices = [(rating, labels.label("rating", rating)) for rating in RATINGS]


# Special reports (民情专报) ------------------------------------------------------------------------

class ReportDraftForm(FlaskForm):
    """A special report's title and summary, while it is a draft."""

    title = text_field(_l("Title"), 120, _l("Please give the report a title."),
                       _l("For example: Waterlogging on the city's main roads."), cleaner=clean_text)
    summary = _text(_l("Summary"), 5000, description=_l(
        "What the city leadership should read first: what these matters have in common and what is asked of them."))


class ReportAddForm(FlaskForm):
    """Put one candidate matter in the draft."""

    issue = NumberField(_l("Matter"), validators=[
        InputRequired(_l("Please choose a matter from the list.")),
        NumberRange(1, MAX_ID, _l("Please choose a matter from the list.")),
    ])


class ReportNoteForm(FlaskForm):
    """The compiler's note on one matter of the draft (the form has a prefix per matter)."""

    note = _text(_l("Note for the leadership"), 2000,
                 description=_l("Why this matter needs the city, and what the deputies suggest."))


class ReportMoveForm(FlaskForm):
    direction = ChoiceField(_l("Move"), choices=[SelectChoice("up", _l("Move up")), SelectChoice("down", _l("Move down"))])


class ReportPublishForm(FlaskForm):
    """Publishing, starting a correction: a button, with the CSRF token."""
# People: the good-suggestion award (好建议) -------------------------------------------------------

class AwardForm(FlaskForm):
    year = ChoiceField(_l("Good suggestion of the year"), coerce=optional_id, choices=[])
    citation = _text(_l("Citation"), 500, _l("Please say why it is a good suggestion."),
                     description=_l("Everyone reads it on the matter's page and on the list of good suggestions."))

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.year.choices = [(year, str(year)) for year in years]
        if not self.is_submitted() and years and self.year.data is None:
            self.year.data = years[0]


class WithdrawAwardForm(FlaskForm):
    reason = _text(_l("Why is the mark withdrawn?"), 500, _l("Please give the reason. It is kept on the matter's timeline."))

# Trust: personal verification codes -------------------------------------------------------------

class PersonalCodesForm(FlaskForm):
    count = NumberField(
        _l("How many codes"), default=20,
        validators=[InputRequired(_l("Please enter a number.")),
                    NumberRange(1, 100, _l("Please enter a number from %(min)s to %(max)s."))],
        description=_l("One code for each person you will verify. Each code works once."),
    )


# --- trust: personal data ---

class DeleteAccountForm(FlaskForm):
    """Delete one's own account, confirmed with the password."""

    password = PasswordField(
        _l("Your password"), validators=[InputRequired(_l("Please enter your password."))]
    )

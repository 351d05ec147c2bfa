"""WTForms forms; labels and messages are lazily translated so each request gets its language."""
import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    AnyOf,
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

import labels
from models import FLAG_REASONS, Category, User

USERNAME_RULE = Regexp(
    r"^[A-Za-z0-9_.-]+$",
    message=_l("Use only letters, digits, dots, dashes and underscores."),
)


def strip(value):
    return value.strip() if isinstance(value, str) else value


def one_newline(value):
    """Browsers send line breaks as CRLF; count each as the one character the textarea showed."""
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


class RegisterForm(FlaskForm):
    username = StringField(
        _l("Username"),
        filters=[strip],
        validators=[
            DataRequired(_l("Please enter a username.")),
            Length(3, 40, _l("A username has %(min)d to %(max)d characters.")),
            USERNAME_RULE,
        ],
        description=_l("You log in with it. Letters and digits, for example zhang3."),
    )
    display_name = StringField(
        _l("Your name"),
        filters=[strip],
        validators=[
            DataRequired(_l("Please enter your name.")),
            Length(1, 40, _l("A name has at most %(max)d characters.")),
        ],
        description=_l("Shown next to what you write."),
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            InputRequired(_l("Please choose a password.")),
            Length(8, 128, _l("A password has %(min)d to %(max)d characters.")),
        ],
        description=_l("At least 8 characters."),
    )
    confirm = PasswordField(
        _l("Password again"),
        validators=[
            InputRequired(_l("Please type the password again.")),
            EqualTo("password", _l("The two passwords are not the same.")),
        ],
    )

    def validate_username(self, field):
        if User.select().where(User.username == field.data).exists():
            raise ValidationError(_l("This username is taken. Please choose another."))


class LoginForm(FlaskForm):
    username = StringField(
        _l("Username"), filters=[strip], validators=[DataRequired(_l("Please enter your username."))]
    )
    password = PasswordField(
        _l("Password"), validators=[InputRequired(_l("Please enter your password."))]
    )


class ProfileForm(FlaskForm):
    display_name = StringField(
        _l("Your name"),
        filters=[strip],
        validators=[
            DataRequired(_l("Please enter your name.")),
            Length(1, 40, _l("A name has at most %(max)d characters.")),
        ],
    )
    phone = StringField(
        _l("Phone (optional)"),
        filters=[strip],
        validators=[
            Optional(),
            Regexp(r"^\+?[0-9 -]{5,20}$", message=_l("Please enter a phone number of digits.")),
        ],
        description=_l("Only councillors of your venues see it."),
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
    password = PasswordField(
        _l("New password"),
        validators=[
            InputRequired(_l("Please choose a password.")),
            Length(8, 128, _l("A password has %(min)d to %(max)d characters.")),
        ],
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[
            InputRequired(_l("Please type the password again.")),
            EqualTo("password", _l("The two passwords are not the same.")),
        ],
    )


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


class IssueForm(FlaskForm):
    """Raise an issue at a venue (我要反映)."""

    title = StringField(
        _l("Title"),
        filters=[clean_text],
        validators=[
            DataRequired(_l("Please give your issue a title.")),
            Length(5, 120, _l("A title has %(min)d to %(max)d characters.")),
        ],
        description=_l("In one line, what is the matter? For example: the street lamp at gate 3 is broken."),
    )
    body = TextAreaField(
        _l("Full description"),
        filters=[clean_text],
        validators=[
            DataRequired(_l("Please describe the issue.")),
            Length(10, 5000, _l("A description has %(min)d to %(max)d characters.")),
        ],
        description=_l("Where is it, since when, who is affected, and what would help?"),
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
        from labels import localized

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
        filters=[clean_text],
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
        from labels import label
        from workflow import CHANNELS_ON_BEHALF

        self.channel.choices = [("", _l("Choose how it came in"))] + [
            (channel, label("channel", channel)) for channel in CHANNELS_ON_BEHALF
        ]

    def validate_channel(self, field):
        from workflow import CHANNELS_ON_BEHALF

        if field.data not in CHANNELS_ON_BEHALF:
            raise ValidationError(_l("Please choose how the issue came in."))

    def issue_data(self):
        return {
            **super().issue_data(),
            "channel": self.channel.data,
            "reporter_name": self.reporter_name.data or "",
            "reporter_contact": self.reporter_contact.data or "",
        }


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

"""WTForms forms; labels and messages are lazily translated so each request gets its language."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, RadioField, SelectField, StringField, TextAreaField
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
from models import FLAG_REASONS, User

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

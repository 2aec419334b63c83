"""WTForms classes of the pages, drawn with the GOV.UK widgets."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovDateInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, ValidationError

from tracker.domain.validation import EARLIEST, LATEST, NAME_MAX, one_line_error, text_error
from tracker.models.base import INITIATIVE_KINDS, INITIATIVE_STATUSES, ROLES, TASK_STATUSES
from tracker.web.filters import label


def opt(value: object, text: str) -> SelectChoice:
    return SelectChoice(value, text)


def choices(values: tuple[str, ...]) -> list[SelectChoice]:
    return [opt(v, label(v)) for v in values]


class OneLine:
    """WTForms validator: the domain's one-line rule (no line breaks or control
    characters, at most 200 characters). Whether it is required is the service's rule."""

    def __init__(self, what: str):
        self.what = what

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if error := one_line_error(field.data, self.what, required=False):
            raise ValidationError(error)


class Text:
    """WTForms validator: the domain's rule for multi-line text (no NUL or other
    control characters, at most 10,000 characters)."""

    def __init__(self, what: str):
        self.what = what

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if error := text_error(field.data, self.what):
            raise ValidationError(error)


def name_length(what: str) -> OneLine:
    return OneLine(what)


def text_length(what: str) -> Text:
    return Text(what)


def optional_int(value) -> int | None:
    """Coerce for selects whose first choice is "none": '' becomes None."""
    if value in (None, "", "None"):
        return None
    return int(value)


YEAR_MIN, YEAR_MAX = EARLIEST.year, LATEST.year


class GovDateField(Field):
    """A required day/month/year date that never answers 500, whatever is posted.

    GovDateInput unpacks exactly three parts; a hand-made POST may send fewer, so
    the raw data is always padded to three and a missing date is a form error.
    """

    widget = GovDateInput()

    def _value(self) -> str:
        return self.data.strftime("%d %m %Y") if self.data else ""

    def process_formdata(self, valuelist: list[str]) -> None:
        parts = [(v or "").strip() for v in valuelist][:3]
        parts += [""] * (3 - len(parts))
        self.raw_data = parts
        self.data = None
        if not any(parts):
            raise ValueError(f"Enter the {self.label.text.lower()}")
        if not all(parts):
            raise ValueError(f"The {self.label.text.lower()} must include a day, month and year")
        day, month, year = parts
        if len(year) != 4 or not year.isdigit():
            raise ValueError("The year must include 4 numbers")
        if not YEAR_MIN <= int(year) <= YEAR_MAX:
            raise ValueError(f"The year must be between {YEAR_MIN} and {YEAR_MAX}")
        try:
            self.data = datetime.strptime(f"{day} {month} {year}", "%d %m %Y").date()
        except ValueError:
            raise ValueError(f"The {self.label.text.lower()} must be a real date") from None


class OptionalGovDateField(GovDateField):
    """A day/month/year date that may be left empty (None)."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if not any((v or "").strip() for v in valuelist):
            self.raw_data = ["", "", ""]
            self.data = None
            return
        super().process_formdata(valuelist)


class MoneyField(StringField):
    """Pounds and pence as typed ("12,500" or "12500.50"); data is whole pence or None."""

    widget = GovTextInput()

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        pounds, pence = divmod(self.data, 100)
        return f"{pounds}" if pence == 0 else f"{pounds}.{pence:02d}"

    def process_formdata(self, valuelist: list[str]) -> None:
        raw = (valuelist[0] if valuelist else "").strip().lstrip("£").replace(",", "")
        self.data = None
        if not raw:
            return
        try:
            amount = Decimal(raw)
        except InvalidOperation:
            raise ValueError("Enter the budget in pounds, like 12500 or 12500.50") from None
        if not amount.is_finite() or amount < 0 or amount >= Decimal(10**13):
            raise ValueError("Enter a budget of £0 or more, under £10 trillion")
        if amount != amount.quantize(Decimal("0.01")):
            raise ValueError("The budget cannot have fractions of a penny")
        self.data = int(amount * 100)


class NumberField(StringField):
    """A positive number of hours as typed; data is a float or None."""

    widget = GovTextInput()

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else f"{self.data:g}"

    def process_formdata(self, valuelist: list[str]) -> None:
        raw = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if not raw:
            return
        try:
            value = float(raw)
        except ValueError:
            raise ValueError(f"{self.label.text} must be a number, like 12 or 7.5") from None
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"{self.label.text} must be a number, like 12 or 7.5")
        self.data = value


def task_id_list(text: str) -> list[int]:
    """Task ids typed as '12, 15 31'; raises ValidationError for anything else."""
    parts = text.replace(",", " ").split()
    if not all(p.isdigit() and len(p) < 12 for p in parts):
        raise ValidationError("Enter task numbers separated by commas, like 12, 15")
    return [int(p) for p in parts]


# Initiatives ----------------------------------------------------------------


class InitiativeFilterForm(FlaskForm):
    class Meta:
        csrf = False

    status = SelectField(
        "Status", choices=[opt("", "Any status"), *choices(INITIATIVE_STATUSES)], widget=GovSelect()
    )
    department = SelectField("Department", choices=[], coerce=optional_int, widget=GovSelect())
    kind = SelectField(
        "Kind", choices=[opt("", "Any kind"), *choices(INITIATIVE_KINDS)], widget=GovSelect()
    )
    submit = SubmitField("Filter", widget=GovSubmitInput())

    def filters(self) -> dict:
        """The filters asked for. An empty or nonsense value means "any": it is no error,
        so the page shows none and selects the "Any …" option instead."""
        self.validate()
        chosen = {}
        for field in self:
            if field.type == "SubmitField":
                continue
            if field.errors or field.data in (None, "", "None"):
                field.errors = []
                field.data = field.coerce(field.choices[0].value) if field.choices else None
                chosen[field.name] = None
            else:
                chosen[field.name] = field.data
        return chosen


class InitiativeForm(FlaskForm):
    title = StringField("Title", widget=GovTextInput(), validators=[name_length("Title")])
    source = StringField(
        "Source",
        description="The issuing body, for example Department of Health",
        widget=GovTextInput(),
        validators=[name_length("Source")],
    )
    # No default: a kind chosen by nobody would be recorded as if somebody had chosen it.
    kind = SelectField(
        "Kind", choices=[opt("", "Select a kind"), *choices(INITIATIVE_KINDS)], widget=GovSelect()
    )
    summary = TextAreaField(
        "Summary", widget=GovTextArea(), validators=[text_length("The summary")]
    )
    rationale = TextAreaField(
        "Rationale",
        description="Why this change matters, in plain English for front-line staff",
        widget=GovTextArea(),
        validators=[text_length("The rationale")],
    )
    budget = MoneyField(
        "Ring-fenced budget in pounds (optional)", description="For example 125000 or 125000.50"
    )
    start_date = GovDateField("Start date", description="For example 1 4 2026")
    deadline = GovDateField("Deadline", description="For example 31 3 2027")
    status = SelectField("Status", choices=choices(INITIATIVE_STATUSES), widget=GovSelect())
    owner_id = SelectField("Owner", choices=[], coerce=optional_int, widget=GovSelect())
    department_ids = SelectMultipleField(
        "Departments it affects", choices=[], coerce=int, widget=GovCheckboxesInput()
    )
    submit = SubmitField("Save initiative", widget=GovSubmitInput())


# Tasks ----------------------------------------------------------------------


class TaskForm(FlaskForm):
    title = StringField("Title", widget=GovTextInput(), validators=[name_length("Title")])
    description = TextAreaField(
        "Description", widget=GovTextArea(), validators=[text_length("The description")]
    )
    team_id = SelectField("Team", choices=[], coerce=optional_int, widget=GovSelect())
    effort_hours = NumberField("Effort in hours", description="The hours of change work in all")
    start_date = GovDateField("Start date")
    due_date = GovDateField("Due date")
    depends_on = SelectMultipleField(
        "Depends on tasks of this initiative",
        choices=[],
        coerce=int,
        widget=GovCheckboxesInput(),
    )
    other_depends_on = StringField(
        "Depends on tasks of other initiatives (optional)",
        description="Task numbers separated by commas, like 12, 15",
        widget=GovTextInput(),
        validators=[Length(max=NAME_MAX, message="Enter fewer task numbers")],
    )
    status = SelectField("Status", choices=choices(TASK_STATUSES), widget=GovSelect())
    blocked_reason = TextAreaField(
        "Blocked reason (if blocked)",
        widget=GovTextArea(),
        validators=[text_length("The blocked reason")],
    )
    note = TextAreaField(
        "Note for the task's history (optional)",
        widget=GovTextArea(),
        validators=[text_length("The note")],
    )
    version = HiddenField()
    check_load = SubmitField("Check team load", widget=GovSubmitInput())
    submit = SubmitField("Save task", widget=GovSubmitInput())

    def validate_other_depends_on(self, field: StringField) -> None:
        task_id_list(field.data or "")

    def dependency_ids(self) -> list[int]:
        typed = task_id_list(self.other_depends_on.data or "")
        return sorted(set(self.depends_on.data or []) | set(typed))


class StatusForm(FlaskForm):
    status = SelectField("Status", choices=choices(TASK_STATUSES), widget=GovSelect())
    blocked_reason = TextAreaField(
        "Blocked reason (if blocked)",
        widget=GovTextArea(),
        validators=[text_length("The blocked reason")],
    )
    note = TextAreaField(
        "Progress note", widget=GovTextArea(), validators=[text_length("The note")]
    )
    version = HiddenField()
    next = HiddenField()
    submit = SubmitField("Update task", widget=GovSubmitInput())


def form_version(field: HiddenField) -> int | None:
    raw = (field.data or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


# Admin ----------------------------------------------------------------------


class UserForm(FlaskForm):
    username = StringField("Username", widget=GovTextInput(), validators=[name_length("Username")])
    display_name = StringField(
        "Display name", widget=GovTextInput(), validators=[name_length("Display name")]
    )
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            Optional(),
            OneLine("the email address"),
            Length(max=254, message="Email must be 254 characters or fewer"),
        ],
    )
    role = SelectField("Role", choices=choices(ROLES), widget=GovSelect())
    department_id = SelectField("Department", choices=[], coerce=optional_int, widget=GovSelect())
    email_mode = SelectField(
        "Email alerts",
        choices=[opt("immediate", "Each alert at once"), opt("digest", "One daily digest")],
        widget=GovSelect(),
    )
    active = BooleanField("Active (may sign in)", widget=GovCheckboxInput(), default=True)
    password = PasswordField(
        "Password",
        description="At least 10 characters. When editing, leave blank to keep the password.",
        widget=GovPasswordInput(),
        validators=[Length(max=NAME_MAX, message="The password must be 200 characters or fewer")],
    )
    submit = SubmitField("Save user", widget=GovSubmitInput())


class DepartmentForm(FlaskForm):
    name = StringField("Name", widget=GovTextInput(), validators=[name_length("Name")])
    submit = SubmitField("Save department", widget=GovSubmitInput())


class TeamForm(FlaskForm):
    name = StringField("Name", widget=GovTextInput(), validators=[name_length("Name")])
    department_id = SelectField("Department", choices=[], coerce=optional_int, widget=GovSelect())
    lead_id = SelectField("Team lead", choices=[], coerce=optional_int, widget=GovSelect())
    capacity_hours_per_week = NumberField(
        "Capacity in hours a week", description="The hours the team can give to change work"
    )
    establishment_fte = NumberField(
        "Establishment (FTE)",
        description="Funded posts in full-time equivalents, for example 12.5. Needed "
        "before vacancies, absences and agency cover can be recorded. Leave empty if not known.",
    )
    submit = SubmitField("Save team", widget=GovSubmitInput())


class AdjustmentForm(FlaskForm):
    """A vacancy, absence or agency cover of a team (SPEC §9)."""

    kind = RadioField(
        "What is it?",
        choices=[
            opt("vacancy", "Vacancy: a funded post not filled"),
            opt("absence", "Absence: long-term sickness, maternity, secondment out"),
            opt("agency_cover", "Agency cover: agency or interim staff filling in"),
        ],
        widget=GovRadioInput(),
        validate_choice=False,  # the service names an unknown kind clearly
    )
    fte = NumberField("FTE", description="Full-time equivalents, for example 1 or 0.5")
    starts_on = GovDateField("Start date")
    ends_on = OptionalGovDateField(
        "End date (optional)",
        description="Leave empty for until further notice. For example, 31 3 2027",
    )
    note = TextAreaField(
        "Note (optional)",
        description="For example: social worker post, recruitment under way",
        widget=GovTextArea(),
        validators=[text_length("The note")],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())

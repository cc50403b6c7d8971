"""Staff forms, and the translated words for every way the accounts services refuse what staff typed."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from bawaba.accounts.one_time_codes import CodeProblem
from bawaba.accounts.permissions import GRANTABLE_ROLES
from bawaba.accounts.phones import InvalidPhone, normalise_mobile
from bawaba.accounts.problem_words import NATIONAL_ID_ERRORS, PHONE_ERRORS, TOO_MANY_CODES
from bawaba.accounts.staff import StaffProblem

ACTIVATION_CODE_ERRORS = {
    CodeProblem.WRONG: _("The user name or the code is not right. Check the text message and try again."),
    CodeProblem.EXPIRED: _(
        "This activation code has expired. Ask your agency administrator to send you a new one."
    ),
    CodeProblem.USED: _(
        "This activation code has already been used. Sign in at the staff sign-in page, or ask your agency "
        "administrator for a new code."
    ),
    CodeProblem.TOO_MANY_ATTEMPTS: _(
        "Too many wrong codes. Ask your agency administrator to send you a new one."
    ),
    CodeProblem.TOO_MANY_SENT: TOO_MANY_CODES,
}
# (form field, words) for each refusal of the staff services.
STAFF_ERRORS = {
    StaffProblem.NOT_ALLOWED: ("roles", _("You cannot give this role here.")),
    StaffProblem.USERNAME_FORMAT: (
        "username",
        _(
            "A user name has 3 to 150 characters: lower-case Latin letters, digits, dots, dashes and "
            "underscores, starting with a letter or a digit. It cannot start with “citizen-”."
        ),
    ),
    StaffProblem.USERNAME_TAKEN: ("username", _("This user name is already taken. Choose another.")),
    StaffProblem.NAME_NEEDED: ("full_name", _("Enter the member's full name.")),
    StaffProblem.NO_ROLES: ("roles", _("Choose at least one role.")),
    StaffProblem.NOT_IN_AGENCY: (None, _("This person does not work for this agency.")),
    StaffProblem.ROLE_HELD: ("role", _("This member already has this role in this office.")),
    StaffProblem.NO_SUCH_ROLE: (None, _("This member does not have this role any more.")),
    StaffProblem.LAST_ADMIN_ROLE: (
        None,
        _(
            "You cannot withdraw your own last agency administrator role. Ask another administrator of this "
            "agency to do it."
        ),
    ),
    StaffProblem.SELF: (None, _("You cannot deactivate or reactivate your own account.")),
    StaffProblem.WORKS_ELSEWHERE: (
        None,
        _(
            "This member also works for another agency or for the whole platform, so only a platform "
            "administrator can deactivate or reactivate the account. You can withdraw their roles here."
        ),
    ),
    StaffProblem.ALREADY_ACTIVATED: (None, _("This member has already set their password.")),
    StaffProblem.DEACTIVATED: (None, _("This account is deactivated. Reactivate it first.")),
}
# Words for the delegation services' refusals; a form may say some of them its own way (see the forms).
DELEGATION_ERRORS = {
    "not-allowed": _("You cannot record this kind of delegation in this agency."),
    "no-such-citizen": _(
        "No citizen with an account has this national ID number. They must create an account first."
    ),
    "self": _("The parent and the child cannot have the same national ID number."),
    "birth-date-unknown": _(
        "The date of birth cannot be read from this national ID number, so we cannot tell whether the "
        "child is a minor."
    ),
    "not-a-minor": _(
        "This child is not a minor: by the date of birth in the national ID number they are %(age)s or "
        "older. Only children under %(age)s can be recorded."
    ),
    "parent-not-older": _(
        "The parent or guardian must be older than the child: check both national ID numbers."
    ),
    "already-recorded": _("This delegation is already recorded and in force."),
    "registry-number-format": _(
        "A commercial registry number has up to 30 Latin letters and digits, with / or - between them."
    ),
    "expiry-in-the-past": _("Choose a date after today."),
    "reason-needed": _("Say why the delegation ends."),
    "already-ended": _("This delegation has already ended."),
    "evidence-needed": _("Enter the evidence the delegation rests on."),
    "name-needed": _("Enter the name."),
    **{problem.value: words for problem, words in NATIONAL_ID_ERRORS.items()},
}


def delegation_error(problem: str) -> str:
    return DELEGATION_ERRORS[problem] % {"age": settings.BAWABA_AGE_OF_MAJORITY}


def role_choices() -> list[tuple[str, str]]:
    return [(role.value, role.label) for role in GRANTABLE_ROLES]


def _ltr(**attrs) -> forms.TextInput:
    return forms.TextInput(attrs={"dir": "ltr", "spellcheck": "false", **attrs})


class NationalIdField(forms.CharField):
    def __init__(self, *, label, **kwargs):
        super().__init__(
            label=label, max_length=30, widget=_ltr(inputmode="numeric", autocomplete="off"), **kwargs
        )


class OfficeField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            label=_("Office or service centre (optional)"),
            max_length=100,
            required=False,
            help_text=_("Leave empty for the whole agency."),
            **kwargs,
        )


class StaffAddForm(forms.Form):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        help_text=_(
            "Lower-case Latin letters, digits, dots and dashes, for example ahmed.hassan. The member types it "
            "at every sign-in."
        ),
        widget=_ltr(autocomplete="off"),
    )
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    mobile = forms.CharField(
        label=_("Mobile number"),
        max_length=30,
        help_text=_("We text the activation code to this number, for example +201012345678."),
        widget=_ltr(inputmode="tel", autocomplete="off"),
    )
    email = forms.EmailField(label=_("E-mail (optional)"), required=False)
    roles = forms.MultipleChoiceField(
        label=_("Roles in this agency"), widget=forms.CheckboxSelectMultiple, choices=role_choices
    )
    office = OfficeField()
    language = forms.ChoiceField(
        label=_("Language of the text messages"), choices=[("ar", "العربية"), ("en", "English")]
    )

    def clean_mobile(self):
        try:
            return normalise_mobile(self.cleaned_data["mobile"], home_region=settings.BAWABA_HOME_REGION)
        except InvalidPhone as exc:
            raise forms.ValidationError(PHONE_ERRORS[exc.problem]) from exc


class RoleGrantForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=role_choices)
    office = OfficeField()


class ActivateForm(forms.Form):
    username = forms.CharField(
        label=_("User name"), max_length=150, widget=_ltr(autocomplete="username", autocapitalize="none")
    )
    code = forms.CharField(
        label=_("Activation code"),
        max_length=10,
        help_text=_("The code in the text message your agency sent you."),
        widget=_ltr(inputmode="numeric", autocomplete="one-time-code"),
    )
    password = forms.CharField(
        label=_("New password"),
        help_text=_("At least 10 characters; not only digits, and not a common password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=_("New password again"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password_again") and data["password"] != data["password_again"]:
            self.add_error("password_again", _("The two passwords are not the same."))
        return data


class ChildDelegationForm(forms.Form):
    parent_national_id = NationalIdField(label=_("National ID number of the parent or guardian"))
    child_national_id = NationalIdField(label=_("National ID number of the child"))
    child_name = forms.CharField(label=_("Name of the child"), max_length=200)
    evidence = forms.CharField(
        label=_("Evidence"),
        max_length=300,
        help_text=_("The birth-record number, or the number of the court's guardianship decision."),
    )

    # Where each refusal of the service belongs on this form, and what it says there.
    fields_for = {
        "agent": "parent_national_id",
        "principal": "child_national_id",
        "principal_name": "child_name",
        "evidence": "evidence",
    }
    words_for = {
        "name-needed": _("Enter the child's name as written in the birth record."),
        "evidence-needed": _("Enter the evidence: for example the birth-record number."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["child_national_id"].help_text = _(
            "The child must be under %(age)s by the date of birth in this number."
        ) % {"age": settings.BAWABA_AGE_OF_MAJORITY}


class CompanyDelegationForm(forms.Form):
    representative_national_id = NationalIdField(label=_("National ID number of the representative"))
    registry_number = forms.CharField(
        label=_("Commercial registry number"), max_length=40, widget=_ltr(autocomplete="off")
    )
    company_name = forms.CharField(label=_("Name of the company"), max_length=200)
    evidence = forms.CharField(
        label=_("Evidence"),
        max_length=300,
        help_text=_(
            "The number of the commercial register extract or of the decision naming the representative."
        ),
    )
    expires_on = forms.DateField(
        label=_("Until (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The last day the representation is valid. Leave empty if it has no end date."),
    )

    fields_for = {
        "agent": "representative_national_id",
        "principal": "registry_number",
        "principal_name": "company_name",
        "evidence": "evidence",
        "expires_on": "expires_on",
    }
    words_for = {
        "name-needed": _("Enter the company's name as written in the commercial register."),
        "evidence-needed": _("Enter the evidence: for example the commercial register extract number."),
    }


class DelegationEndForm(forms.Form):
    reason = forms.CharField(
        label=_("Why does the delegation end?"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: a court decision, a correction of the register, the company's request."),
    )


class DelegationSearchForm(forms.Form):
    q = forms.CharField(label=_("National ID, registry number or name"), max_length=100, required=False)

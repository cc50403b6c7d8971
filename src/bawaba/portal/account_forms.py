"""Account forms: fields, and the translated words for every way the account services refuse input."""

from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bawaba.accounts.certificates import CertificateProblem
from bawaba.accounts.models import User
from bawaba.accounts.national_id import InvalidNationalId, parse
from bawaba.accounts.one_time_codes import CodeProblem, CodeRefused
from bawaba.accounts.phones import InvalidPhone, normalise_mobile
from bawaba.accounts.problem_words import (
    NATIONAL_ID_ERRORS,
    PHONE_ERRORS,
    TOO_MANY_CODES,
    TOO_MANY_FROM_HERE,
    minutes,
)
from bawaba.accounts.services import SignInProblem, national_id_rule

CODE_ERRORS = {
    CodeProblem.WRONG: _("This code is not right. You have %(left)s more tries."),
    CodeProblem.EXPIRED: _("This code has expired. Ask for a new one."),
    CodeProblem.USED: _("This code has already been used. Ask for a new one."),
    CodeProblem.TOO_MANY_ATTEMPTS: _("Too many wrong codes. Ask for a new one."),
    CodeProblem.TOO_MANY_SENT: TOO_MANY_CODES,
}
SIGN_IN_ERRORS = {
    SignInProblem.WRONG: _("The national ID number or the password is not right."),
    SignInProblem.LOCKED: _("Too many failed attempts. For your safety, try again in %(minutes)s minutes."),
    SignInProblem.TOO_MANY_FROM_HERE: TOO_MANY_FROM_HERE,
}

DELEGATION_ERRORS = {
    "no-such-citizen": _(
        "No citizen with an account has this national ID number. They must create an account first."
    ),
    "self": _("You cannot give a mandate to yourself."),
    "expiry-in-the-past": _("Choose a date after today."),
    "too-many": _("You have given too many mandates in a short time. Try again later."),
    "not-yours": _("This mandate is not yours."),
}
CERTIFICATE_ERRORS = {
    CertificateProblem.MALFORMED: _(
        "The certificate or the signature is not in the expected form. Paste them exactly as the signer printed them."
    ),
    CertificateProblem.UNTRUSTED: _(
        "This certificate was not issued by the national certification authority, or it has expired, or the challenge is too old."
    ),
    CertificateProblem.REVOKED: _(
        "This certificate has been revoked. Ask the national certification authority for a new one."
    ),
    CertificateProblem.REVOCATION_UNKNOWN: _(
        "We cannot check right now whether this certificate is revoked, so we cannot accept it. Try again later."
    ),
    CertificateProblem.BAD_SIGNATURE: _(
        "The signature does not match this challenge and certificate. Sign the challenge shown on this page."
    ),
    CertificateProblem.NO_IDENTITY: _("This certificate does not name a national ID number."),
}
STAFF_WRONG = _("The user name or the password is not right.")
AUTHENTICATOR_ERRORS = {
    "wrong": _("This code is not right, or it was already used. Enter the code your app shows now."),
    "locked": _("Too many wrong codes. For your safety, try again in %(minutes)s minutes."),
    "not-set-up": _("No authenticator app is set up for this account."),
    "already-set-up": _("An authenticator app is already set up for this account."),
}
SECURITY_LABELS = {
    "accounts.authenticator.added": _("Authenticator app set up"),
    "accounts.passkey.added": _("Passkey added"),
    "accounts.passkey.removed": _("Passkey removed"),
    "accounts.passkey.used": _("Passkey used"),
    "accounts.passkey.refused": _("A passkey was refused"),
    "accounts.passkey.clone-suspected": _("A passkey was refused: it may have been copied"),
    "accounts.password.changed": _("Password changed"),
    "accounts.password.reset": _("New password chosen with a code"),
    "accounts.mobile.changed": _("Mobile number changed"),
    "accounts.email.changed": _("E-mail address changed"),
    "accounts.mandate.granted": _("You gave someone a mandate to act for you"),
    "accounts.mandate.revoked": _("You withdrew a mandate"),
    "accounts.acting-for.started": _("Someone started acting for you"),
    "accounts.citizen.registered": _("Account created"),
    "accounts.mobile.verified": _("Mobile number confirmed"),
    "accounts.signed-in": _("Signed in"),
    "accounts.sign-in.failed": _("Failed sign-in attempt"),
    "accounts.stepped-up": _("Identity confirmed again for a service"),
    "accounts.signed-out-everywhere": _("Signed out of every other session"),
    "accounts.registration.repeated": _("Someone tried to open a new account with your national ID number"),
}


def refusal(refused: CodeRefused) -> str:
    """The words for a refused code: how many tries are left, or how long to wait."""
    return CODE_ERRORS[refused.problem] % {
        "left": refused.attempts_left,
        "minutes": minutes(refused.retry_after),
    }


class NewPasswordForm(forms.Form):
    """A new password typed twice; the account services check its strength."""

    labels = (_("Password"), _("Password again"))

    password = forms.CharField(
        label=_("Password"),
        help_text=_("At least 10 characters; not only digits, and not a common password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=_("Password again"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label, self.fields["password_again"].label = self.labels

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password_again") and data["password"] != data["password_again"]:
            self.add_error("password_again", _("The two passwords are not the same."))
        return data


class NationalIdField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            label=_("National ID number"),
            max_length=30,
            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "username", "dir": "ltr"}),
            **kwargs,
        )


class RegisterForm(NewPasswordForm):
    field_order = ["national_id", "mobile", "email", "password", "password_again"]

    national_id = NationalIdField()
    mobile = forms.CharField(
        label=_("Mobile number"),
        max_length=30,
        help_text=_("We send a code to this number. From abroad, start with + and the country code."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "dir": "ltr"}),
    )
    email = forms.EmailField(label=_("E-mail (if you have one)"), required=False)

    def clean_national_id(self):
        try:
            return parse(
                self.cleaned_data["national_id"], national_id_rule(), today=timezone.localdate()
            ).number
        except InvalidNationalId as exc:
            raise forms.ValidationError(NATIONAL_ID_ERRORS[exc.problem]) from exc

    def clean_mobile(self):
        try:
            return normalise_mobile(self.cleaned_data["mobile"], home_region=settings.BAWABA_HOME_REGION)
        except InvalidPhone as exc:
            raise forms.ValidationError(PHONE_ERRORS[exc.problem]) from exc

    def clean(self):
        data = super().clean()
        if password := data.get("password"):
            owner = User(national_id=data.get("national_id"), email=data.get("email"))
            try:
                validate_password(password, owner)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return data


class SignInForm(forms.Form):
    national_id = NationalIdField()
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class StaffSignInForm(forms.Form):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "dir": "ltr"}),
    )
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class PasswordChangeForm(NewPasswordForm):
    field_order = ["current", "password", "password_again"]
    labels = (_("New password"), _("New password again"))

    current = forms.CharField(
        label=_("Current password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class PasswordForgottenForm(forms.Form):
    national_id = NationalIdField()


class PasswordResetForm(NewPasswordForm):
    field_order = ["code", "password", "password_again"]
    labels = (_("New password"), _("New password again"))

    code = forms.CharField(
        label=_("Code"),
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "dir": "ltr"}),
    )


class EmailChangeForm(forms.Form):
    email = forms.EmailField(label=_("New e-mail address"), help_text=_("We send a code to this address."))


class MobileChangeForm(forms.Form):
    mobile = forms.CharField(
        label=_("New mobile number"),
        max_length=30,
        help_text=_("We send a code to this number. From abroad, start with + and the country code."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "dir": "ltr"}),
    )


class MandateForm(forms.Form):
    agent_national_id = NationalIdField()
    services = forms.MultipleChoiceField(
        label=_("For which services"),
        required=False,
        help_text=_("Choose none to allow every service."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    expires_on = forms.DateField(
        label=_("Until"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The last day the mandate is valid."),
    )

    def __init__(self, *args, services: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent_national_id"].label = _("National ID number of the person who will act for you")
        self.fields["services"].choices = services


class CertificateForm(forms.Form):
    certificate = forms.CharField(
        label=_("Your certificate (PEM)"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6, "dir": "ltr", "spellcheck": "false"}),
        help_text=_("The lines from -----BEGIN CERTIFICATE----- to the last -----END CERTIFICATE-----."),
    )
    signature = forms.CharField(
        label=_("Signature"),
        max_length=2000,
        widget=forms.TextInput(attrs={"dir": "ltr", "spellcheck": "false"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "dir": "ltr"}),
    )

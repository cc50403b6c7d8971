"""The passkey name form, and the words for every way the passkey checks refuse."""

from django import forms
from django.utils.translation import gettext_lazy as _

from bawaba.accounts.passkeys import PasskeyProblem

PASSKEY_ERRORS = {
    PasskeyProblem.EXPIRED: _("This passkey request has expired or was already used. Try again."),
    PasskeyProblem.INVALID: _(
        "The passkey's answer could not be checked for this site. Try again, or use another way to sign in."
    ),
    PasskeyProblem.UNKNOWN: _(
        "This passkey is not registered here. Sign in another way, then add it on your account page."
    ),
    PasskeyProblem.REMOVED: _(
        "This passkey was removed from its account. Sign in another way; you can add it again on your account page."
    ),
    PasskeyProblem.NOT_VERIFIED: _(
        "Your device did not check your fingerprint, face or PIN. Turn on its screen lock and try again."
    ),
    PasskeyProblem.CLONED: _(
        "This passkey was refused because it may have been copied. Sign in another way and remove it from your account."
    ),
    PasskeyProblem.DUPLICATE: _("This passkey is already registered."),
    PasskeyProblem.TOO_MANY_PASSKEYS: _(
        "Your account already has the most passkeys it can hold. Remove one first."
    ),
    PasskeyProblem.TOO_MANY_FAILURES: _(
        "Too many failed attempts from this connection. Try again in %(minutes)s minutes."
    ),
    PasskeyProblem.NOT_A_CITIZEN: _("Passkeys are only for citizen accounts."),
}


class PasskeyNameForm(forms.Form):
    name = forms.CharField(
        label=_("Name of this passkey"),
        max_length=60,
        help_text=_("So you can tell your passkeys apart, for example “My phone” or “Work laptop”."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

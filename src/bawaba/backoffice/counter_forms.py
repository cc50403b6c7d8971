"""The counter's forms, and the translated words for every way the counter services refuse what was typed.

Agents type sums as printed on notes and receipts (485 or 485.50, in Western or Arabic-Indic digits); the
forms turn them into the currency's minor units, and refuse more decimals than the currency has.
"""

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bawaba.core.money import Money
from bawaba.payments.counter import CENTRE_MAX, NOTE_MAX, SLIP_MAX
from bawaba.payments.models import CounterPayment

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٫٬", "01234567890123456789.,")
MAX_MAJOR = Decimal(10) ** 12

# (form field, words) for each refusal of the counter services.
COUNTER_ERRORS = {
    "not-allowed": (None, _("You do not take payments for this agency.")),
    "shift-open-already": (None, _("You already have an open shift. Close it before opening another.")),
    "no-open-shift": (None, _("You have no open shift. Open a shift before taking payments.")),
    "centre-needed": ("centre", _("Enter the service centre's code or name (up to 100 characters).")),
    "bad-currency": ("currency", _("Enter a currency as its three capital letters, for example EGP.")),
    "bad-amount": (None, _("An amount cannot be negative.")),
    "note-needed": (
        "note",
        _("The cash counted differs from what is expected: explain the difference (up to 2000 characters)."),
    ),
    "already-paid": (None, _("This fee is paid already. Nothing was taken.")),
    "nothing-to-pay": (None, _("There is nothing to pay on this application.")),
    "closed": (None, _("This application is closed: there is nothing to pay on it.")),
    "wrong-currency": (
        None,
        _("This fee is owed in another currency than your shift's cash. Nothing was taken."),
    ),
    "amount-changed": (
        None,
        _("The sum owed has changed since this page was shown. Check it and confirm again."),
    ),
    "bad-method": ("method", _("Choose cash or card terminal.")),
    "too-little": ("received", _("The cash received is less than the sum owed.")),
    "slip-needed": ("terminal_slip", _("Enter the approval number printed on the terminal's slip.")),
}


def minor_units(text: str, currency: str) -> int:
    """`text` in the currency's major units, as a whole number of minor units. Raises ValidationError."""
    cleaned = text.strip().translate(_DIGITS).replace(",", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValidationError(
            _("Enter an amount in numbers, for example 485 or 485.50."), code="invalid"
        ) from None
    if not value.is_finite() or value < 0 or value >= MAX_MAJOR:
        raise ValidationError(_("Enter an amount in numbers, for example 485 or 485.50."), code="invalid")
    exponent = -Money(1, currency).major.as_tuple().exponent
    minor = value.scaleb(exponent)
    if minor != minor.to_integral_value():
        raise ValidationError(
            _("This currency has %(digits)s decimal places.") % {"digits": exponent}, code="decimals"
        )
    return int(minor)


class AmountField(forms.CharField):
    """An amount in major units, cleaned to minor units of the form's currency."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.currency = "EGP"
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off", "dir": "ltr"})

    def clean(self, value):
        text = super().clean(value)
        if text in self.empty_values:
            return None
        return minor_units(text, self.currency)


class ShiftOpenForm(forms.Form):
    centre = forms.CharField(
        label=_("Service centre"),
        max_length=CENTRE_MAX,
        help_text=_("The centre's code or name, as on its sign."),
    )
    currency = forms.CharField(
        label=_("Currency of the cash drawer"),
        min_length=3,
        max_length=3,
        help_text=_("Three capital letters, for example EGP."),
    )
    opening_float = AmountField(
        label=_("Opening float"), help_text=_("The cash in the drawer before the first payment.")
    )

    def clean_currency(self):
        currency = self.cleaned_data["currency"].strip().upper()
        if not (currency.isascii() and currency.isalpha()):
            raise ValidationError(COUNTER_ERRORS["bad-currency"][1])
        # Fields are cleaned in order: the float, after this, is read in this currency's decimals.
        self.fields["opening_float"].currency = currency
        return currency


class FindForm(forms.Form):
    reference = forms.CharField(
        label=_("Application reference"),
        max_length=20,
        help_text=_("As written on the citizen's papers, for example BWB-2026-000123."),
    )


class PayForm(forms.Form):
    owed = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    method = forms.ChoiceField(
        label=_("Payment method"), choices=CounterPayment.Method.choices, widget=forms.RadioSelect
    )
    received = AmountField(
        label=_("Cash received"),
        required=False,
        help_text=_("For cash: what the citizen handed over. The change is worked out for you."),
    )
    terminal_slip = forms.CharField(
        label=_("Terminal slip approval number"),
        max_length=SLIP_MAX,
        required=False,
        help_text=_("For a card terminal: the approval number printed on the slip."),
    )

    def __init__(self, *args, currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received"].currency = currency
        self.fields["terminal_slip"].widget.attrs.update({"autocomplete": "off", "dir": "ltr"})


class ShiftCloseForm(forms.Form):
    counted_cash = AmountField(
        label=_("Cash counted"), help_text=_("All the cash in the drawer now, the opening float included.")
    )
    note = forms.CharField(
        label=_("Note on the difference"),
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when the cash counted differs from what is expected."),
    )

    def __init__(self, *args, currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counted_cash"].currency = currency

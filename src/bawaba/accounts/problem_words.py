"""The words for the accounts engines' refusals, shared by every page that takes a national ID or a phone.

The citizen portal and the staff pages say the same thing about the same mistake.
"""

from django.utils.translation import gettext_lazy as _

from .national_id import Problem as IdProblem
from .phones import Problem as PhoneProblem

NATIONAL_ID_ERRORS = {
    IdProblem.FORMAT: _("A national ID number has 14 digits."),
    IdProblem.CHECK_DIGIT: _("This national ID number is not valid: check each digit."),
    IdProblem.BIRTH_DATE: _(
        "The date of birth inside this national ID number is not valid: check the digits."
    ),
    IdProblem.REGION: _(
        "The governorate code inside this national ID number is not valid: check the digits."
    ),
}
PHONE_ERRORS = {
    PhoneProblem.FORMAT: _(
        "Enter a mobile number, for example 010 1234 5678, or +44 7911 123456 from abroad."
    ),
    PhoneProblem.NOT_MOBILE: _("This is a landline number: enter a mobile number that can receive SMS."),
}
TOO_MANY_CODES = _("We have sent too many codes to this number. Try again in %(minutes)s minutes.")
TOO_MANY_FROM_HERE = _("Too many attempts from this connection. Try again in %(minutes)s minutes.")


def minutes(seconds: int) -> int:
    """A wait in whole minutes, rounded up: never "try again in 0 minutes"."""
    return max(1, -(-seconds // 60))

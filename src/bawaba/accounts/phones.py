"""Mobile numbers in E.164. Foreign numbers are accepted: citizens abroad register with the phone they have."""

from enum import StrEnum

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType


class Problem(StrEnum):
    FORMAT = "format"
    NOT_MOBILE = "not-mobile"


class InvalidPhone(ValueError):
    def __init__(self, problem: Problem):
        super().__init__(problem.value)
        self.problem = problem


_MOBILE = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}


def normalise_mobile(raw: str, *, home_region: str) -> str:
    """E.164 form of a mobile number typed with or without the country code (home_region: ISO 3166 alpha-2)."""
    try:
        number = phonenumbers.parse(raw, home_region)
    except NumberParseException as exc:
        raise InvalidPhone(Problem.FORMAT) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(Problem.FORMAT)
    if phonenumbers.number_type(number) not in _MOBILE:
        raise InvalidPhone(Problem.NOT_MOBILE)
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def masked(e164: str) -> str:
    """+20 10•••••678: enough for the owner to recognise, not enough to learn the number."""
    return f"{e164[:5]}{'•' * (len(e164) - 8)}{e164[-3:]}"

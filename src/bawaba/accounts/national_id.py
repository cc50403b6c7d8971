"""National ID numbers: a configurable rule (length, check digit, embedded birth date and sex).

Pure: takes the rule and the number, touches nothing. The default rule is the 14-digit layout used across
the region: century digit (2 = 1900s, 3 = 2000s), birth date YYMMDD, region code, four-digit serial whose
last digit is odd for men, then one check digit.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from stdnum import damm, luhn, verhoeff
from stdnum.exceptions import ValidationError
from stdnum.iso7064 import mod_11_10


class Problem(StrEnum):
    FORMAT = "format"
    CHECK_DIGIT = "check-digit"
    BIRTH_DATE = "birth-date"
    REGION = "region"


_CHECKS = {"luhn": luhn, "verhoeff": verhoeff, "damm": damm, "mod-11-10": mod_11_10}


@dataclass(frozen=True)
class NationalIdRule:
    length: int = 14
    check: str = "luhn"  # luhn | verhoeff | damm | mod-11-10 | none
    embedded_birth_date: bool = True
    regions: frozenset[str] = frozenset({f"{n:02d}" for n in range(1, 36)} | {"88"})

    @classmethod
    def from_settings(cls, config: dict) -> "NationalIdRule":
        values = dict(config)
        if "regions" in values:
            values["regions"] = frozenset(values["regions"])
        rule = cls(**values)
        if rule.check not in (*_CHECKS, "none"):
            raise ValueError(f"unknown check-digit algorithm {rule.check!r}")
        return rule


@dataclass(frozen=True)
class NationalId:
    number: str
    birth_date: date | None
    sex: str | None  # "male" | "female"
    region: str | None


class InvalidNationalId(ValueError):
    def __init__(self, problem: Problem):
        super().__init__(problem.value)
        self.problem = problem


_ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def clean(raw: str) -> str:
    """What people type: Arabic-Indic digits, spaces and dashes are accepted."""
    return raw.translate(_ARABIC_DIGITS).replace(" ", "").replace("-", "").strip()


def parse(raw: str, rule: NationalIdRule, *, today: date) -> NationalId:
    number = clean(raw)
    if len(number) != rule.length or not number.isascii() or not number.isdigit():
        raise InvalidNationalId(Problem.FORMAT)
    if rule.check != "none":
        try:
            _CHECKS[rule.check].validate(number)
        except ValidationError as exc:
            raise InvalidNationalId(Problem.CHECK_DIGIT) from exc
    if not rule.embedded_birth_date:
        return NationalId(number, None, None, None)
    century = {"2": 1900, "3": 2000}.get(number[0])
    try:
        born = date(century + int(number[1:3]), int(number[3:5]), int(number[5:7])) if century else None
    except ValueError:
        born = None
    if born is None or born > today:
        raise InvalidNationalId(Problem.BIRTH_DATE)
    region = number[7:9]
    if region not in rule.regions:
        raise InvalidNationalId(Problem.REGION)
    sex = "male" if int(number[12]) % 2 else "female"
    return NationalId(number, born, sex, region)


def make(*, birth_date: date, region: str, serial: int, sex: str, rule: NationalIdRule) -> str:
    """A number that satisfies the rule: for demo data and tests."""
    century = "2" if birth_date.year < 2000 else "3"
    sex_digit = 2 * (serial % 5) + (1 if sex == "male" else 0)
    body = f"{century}{birth_date:%y%m%d}{region}{serial % 1000:03d}{sex_digit}"
    return body + ("0" if rule.check == "none" else str(_CHECKS[rule.check].calc_check_digit(body)))

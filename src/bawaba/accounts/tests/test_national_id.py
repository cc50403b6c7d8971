"""National ID rule: every valid number parses to its birth date and sex; every corruption is caught."""

from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bawaba.accounts.national_id import InvalidNationalId, NationalIdRule, Problem, make, parse

TODAY = date(2026, 11, 23)
RULE = NationalIdRule()

births = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
regions = st.sampled_from(sorted(RULE.regions))
sexes = st.sampled_from(["male", "female"])


@given(births, regions, st.integers(0, 10**6), sexes)
def test_made_numbers_parse_back(born, region, serial, sex):
    number = make(birth_date=born, region=region, serial=serial, sex=sex, rule=RULE)
    parsed = parse(number, RULE, today=TODAY)
    assert (parsed.birth_date, parsed.region, parsed.sex) == (born, region, sex)


@given(births, regions, st.integers(0, 10**6), sexes, st.integers(0, 13), st.integers(1, 9))
def test_any_single_digit_typo_is_rejected(born, region, serial, sex, position, shift):
    number = make(birth_date=born, region=region, serial=serial, sex=sex, rule=RULE)
    typo = number[:position] + str((int(number[position]) + shift) % 10) + number[position + 1 :]
    with pytest.raises(InvalidNationalId):
        parse(typo, RULE, today=TODAY)


@given(births, regions, st.integers(0, 10**6), sexes, st.integers(0, 12))
def test_swapped_neighbours_are_rejected_by_verhoeff(born, region, serial, sex, position):
    rule = NationalIdRule(check="verhoeff")
    number = make(birth_date=born, region=region, serial=serial, sex=sex, rule=rule)
    assume(number[position] != number[position + 1])
    swapped = number[:position] + number[position + 1] + number[position] + number[position + 2 :]
    with pytest.raises(InvalidNationalId):
        parse(swapped, rule, today=TODAY)


def test_arabic_digits_spaces_and_dashes_are_accepted():
    number = make(birth_date=date(1990, 5, 17), region="01", serial=123, sex="female", rule=RULE)
    arabic = number.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert parse(f"{arabic[:7]} {arabic[7:]}", RULE, today=TODAY).number == number
    assert parse(f"{number[:7]}-{number[7:]}", RULE, today=TODAY).number == number


@pytest.mark.parametrize(
    "raw,problem",
    [
        ("123", Problem.FORMAT),
        ("2900517010123x", Problem.FORMAT),
        ("", Problem.FORMAT),
    ],
)
def test_malformed_numbers_name_the_problem(raw, problem):
    with pytest.raises(InvalidNationalId) as caught:
        parse(raw, RULE, today=TODAY)
    assert caught.value.problem == problem


def test_a_future_birth_date_is_refused():
    number = make(birth_date=date(2026, 12, 1), region="01", serial=1, sex="male", rule=RULE)
    with pytest.raises(InvalidNationalId) as caught:
        parse(number, RULE, today=TODAY)
    assert caught.value.problem == Problem.BIRTH_DATE


def test_an_unknown_region_is_refused():
    number = make(birth_date=date(1980, 1, 1), region="77", serial=1, sex="male", rule=RULE)
    with pytest.raises(InvalidNationalId) as caught:
        parse(number, RULE, today=TODAY)
    assert caught.value.problem == Problem.REGION


def test_a_rule_for_another_country_comes_from_settings():
    rule = NationalIdRule.from_settings({"length": 10, "check": "luhn", "embedded_birth_date": False})
    assert parse("1234567897", rule, today=TODAY).birth_date is None
    with pytest.raises(ValueError, match="unknown check-digit"):
        NationalIdRule.from_settings({"check": "crc32"})

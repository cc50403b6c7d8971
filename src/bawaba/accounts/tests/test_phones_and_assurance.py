import pytest

from bawaba.accounts.assurance import Level, needs_step_up, reached
from bawaba.accounts.phones import InvalidPhone, Problem, masked, normalise_mobile


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("010 1234 5678", "+201012345678"),
        ("٠١٠١٢٣٤٥٦٧٨", "+201012345678"),
        ("+44 7911 123456", "+447911123456"),
        ("00971 50 123 4567", "+971501234567"),
    ],
)
def test_mobile_numbers_home_and_abroad_become_e164(raw, expected):
    assert normalise_mobile(raw, home_region="EG") == expected


@pytest.mark.parametrize(
    "raw,problem", [("12", Problem.FORMAT), ("hello", Problem.FORMAT), ("02 2345 6789", Problem.NOT_MOBILE)]
)
def test_bad_numbers_name_the_problem(raw, problem):
    with pytest.raises(InvalidPhone) as caught:
        normalise_mobile(raw, home_region="EG")
    assert caught.value.problem == problem


def test_masked_number_hides_the_middle():
    assert masked("+201012345678") == "+2010•••••678"


def test_the_strongest_method_sets_the_level():
    assert reached(["password"]) == Level.LOW
    assert reached(["password", "password+sms"]) == Level.SUBSTANTIAL
    assert reached(["oidc:national-id"], provider_levels={"oidc:national-id": Level.HIGH}) == Level.HIGH
    assert reached([]) == Level.NONE
    assert reached(["unknown-method"]) == Level.NONE


def test_step_up_is_needed_only_below_the_service_level():
    assert needs_step_up(Level.LOW, Level.named("substantial"))
    assert not needs_step_up(Level.HIGH, Level.named("substantial"))

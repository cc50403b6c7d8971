"""Registration, verification and sign-in as a citizen meets them, and as an attacker probes them."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from bawaba.accounts.models import User
from bawaba.accounts.national_id import InvalidNationalId, NationalIdRule, make
from bawaba.accounts.one_time_codes import CodeProblem, CodeRefused
from bawaba.accounts.phones import InvalidPhone
from bawaba.accounts.services import (
    MessageKind,
    SignInProblem,
    SignInRefused,
    citizen_register,
    citizen_verify_mobile,
    sign_in_code_check,
    sign_in_code_issue,
    sign_in_password,
)
from bawaba.audit.models import AuditEntry

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)
AMINA = make(birth_date=date(1991, 3, 9), region="01", serial=42, sex="female", rule=NationalIdRule())
PASSWORD = "Nile-river-2026!"


def register(national_id=AMINA, mobile="010 1234 5678", password=PASSWORD):
    return citizen_register(national_id=national_id, mobile=mobile, password=password, today=TODAY)


def registered_citizen() -> User:
    sent = register()
    return citizen_verify_mobile(record_uuid=sent.record_uuid, attempt=sent.code)


def test_registration_sends_a_code_and_verification_activates_the_account():
    sent = register()
    assert sent.kind == MessageKind.VERIFY_MOBILE and sent.to == "+201012345678" and len(sent.code) == 6
    user = User.objects.get(national_id=AMINA)
    assert not user.is_active and user.birth_date == date(1991, 3, 9) and user.sex == "female"
    verified = citizen_verify_mobile(record_uuid=sent.record_uuid, attempt=sent.code)
    assert verified.is_active and verified.mobile_verified_at is not None
    assert AuditEntry.objects.filter(action="accounts.mobile.verified", subject_id=str(user.uuid)).exists()


def test_registering_a_number_that_has_an_account_reveals_nothing_and_tells_the_owner():
    owner = registered_citizen()
    sent = register(mobile="+447911123456")
    assert sent.destination == "+447911123456"  # what the person typing sees: the same as a new registration
    assert sent.kind == MessageKind.REGISTRATION_ATTEMPT and sent.code is None and sent.to == owner.mobile
    with pytest.raises(CodeRefused):
        citizen_verify_mobile(record_uuid=sent.record_uuid, attempt="000000")
    owner.refresh_from_db()
    assert owner.mobile == "+201012345678" and owner.check_password(PASSWORD)


@pytest.mark.parametrize(
    "field,value,error",
    [
        ("national_id", AMINA[:-1] + str((int(AMINA[-1]) + 1) % 10), InvalidNationalId),
        ("mobile", "12345", InvalidPhone),
        ("password", "short", ValidationError),
        ("password", "1234567890123", ValidationError),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(field, value, error):
    with pytest.raises(error):
        register(**{field: value})
    assert not User.objects.filter(national_id=AMINA).exists()


def test_sign_in_with_password_then_code():
    user = registered_citizen()
    request = RequestFactory().post("/")
    assert sign_in_password(request, national_id=AMINA, password=PASSWORD, address="127.0.0.1") == user
    sent = sign_in_code_issue(user=user)
    sign_in_code_check(record_uuid=sent.record_uuid, attempt=sent.code, user=user)
    with pytest.raises(CodeRefused):
        sign_in_code_check(record_uuid=sent.record_uuid, attempt=sent.code, user=user)


def test_a_sign_in_code_of_another_account_is_refused():
    user = registered_citizen()
    other = User.objects.create_user("someone-else", password=PASSWORD, mobile="+201099999999")
    sent = sign_in_code_issue(user=other)
    with pytest.raises(CodeRefused) as caught:
        sign_in_code_check(record_uuid=sent.record_uuid, attempt=sent.code, user=user)
    assert caught.value.problem == CodeProblem.WRONG


def test_wrong_password_and_unknown_number_get_the_same_answer():
    registered_citizen()
    request = RequestFactory().post("/")
    unknown = make(birth_date=date(1970, 1, 1), region="02", serial=7, sex="male", rule=NationalIdRule())
    answers = []
    for national_id in (AMINA, unknown, "not-a-number"):
        with pytest.raises(SignInRefused) as caught:
            sign_in_password(request, national_id=national_id, password="wrong-password", address="10.0.0.1")
        answers.append(caught.value.problem)
    assert answers == [SignInProblem.WRONG] * 3


def test_repeated_failures_lock_the_account_with_growing_waits():
    registered_citizen()
    request = RequestFactory().post("/")
    for _ in range(5):
        with pytest.raises(SignInRefused):
            sign_in_password(request, national_id=AMINA, password="wrong-password", address="10.0.0.2")
    with pytest.raises(SignInRefused) as caught:
        sign_in_password(request, national_id=AMINA, password=PASSWORD, address="10.0.0.3")
    assert caught.value.problem == SignInProblem.LOCKED and caught.value.retry_after >= 60


def test_one_address_cannot_try_many_accounts(settings):
    settings.BAWABA_SIGN_INS_PER_ADDRESS_PER_HOUR = 3
    request = RequestFactory().post("/")
    problems = []
    for serial in range(4):
        national_id = make(
            birth_date=date(1980, 1, 1), region="03", serial=serial, sex="male", rule=NationalIdRule()
        )
        with pytest.raises(SignInRefused) as caught:
            sign_in_password(request, national_id=national_id, password="x", address="10.0.0.9")
        problems.append(caught.value.problem)
    assert problems[-1] == SignInProblem.TOO_MANY_FROM_HERE

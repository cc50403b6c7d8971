"""One-time codes resist guessing, replay, expiry abuse and flooding."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bawaba.accounts.models import OneTimeCode
from bawaba.accounts.one_time_codes import CodeProblem, CodeRefused, code_check, code_issue

pytestmark = pytest.mark.django_db
PHONE = "+201012345678"


def issue(destination=PHONE):
    return code_issue(purpose=OneTimeCode.Purpose.VERIFY_MOBILE, destination=destination)


def refused(record, attempt) -> CodeRefused:
    with pytest.raises(CodeRefused) as caught:
        code_check(record_uuid=record.uuid, attempt=attempt)
    return caught.value


def test_the_right_code_works_once():
    issued = issue()
    assert code_check(record_uuid=issued.record.uuid, attempt=issued.code).used_at is not None
    assert refused(issued.record, issued.code).problem == CodeProblem.USED


def test_only_a_keyed_hash_is_stored():
    issued = issue()
    row = OneTimeCode.objects.get(pk=issued.record.pk)
    assert issued.code not in row.code_hash and len(row.code_hash) == 64
    assert len(issued.code) == 6 and issued.code.isdigit()


def test_a_wrong_code_says_how_many_tries_are_left_then_locks(settings):
    issued = issue()
    wrong = "000000" if issued.code != "000000" else "111111"
    problems = [refused(issued.record, wrong) for _ in range(settings.BAWABA_CODE_MAX_ATTEMPTS)]
    assert [p.attempts_left for p in problems[:-1]] == list(
        range(settings.BAWABA_CODE_MAX_ATTEMPTS - 1, 0, -1)
    )
    assert problems[-1].problem == CodeProblem.TOO_MANY_ATTEMPTS
    # Even the right code is now refused: guessing cannot continue on this code.
    assert refused(issued.record, issued.code).problem == CodeProblem.TOO_MANY_ATTEMPTS


def test_an_expired_code_is_refused():
    issued = issue()
    OneTimeCode.objects.filter(pk=issued.record.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert refused(issued.record, issued.code).problem == CodeProblem.EXPIRED


def test_a_new_code_cancels_the_previous_one():
    first, second = issue(), issue()
    assert refused(first.record, first.code).problem == CodeProblem.EXPIRED
    assert code_check(record_uuid=second.record.uuid, attempt=second.code)


def test_sending_is_limited_per_destination(settings):
    for _ in range(settings.BAWABA_CODE_SENDS_PER_HOUR):
        issue()
    with pytest.raises(CodeRefused) as caught:
        issue()
    assert caught.value.problem == CodeProblem.TOO_MANY_SENT and caught.value.retry_after > 0
    assert issue(destination="+201099999999")  # another number is not affected


def _confirm_mobile(record, attempt):
    from bawaba.accounts.services import citizen_verify_mobile

    citizen_verify_mobile(record_uuid=record.uuid, attempt=attempt)


def _change_mobile(record, attempt):
    from bawaba.accounts.services import mobile_change_confirm

    mobile_change_confirm(user=record.user, record_uuid=record.uuid, attempt=attempt)


def _change_email(record, attempt):
    from bawaba.accounts.services import email_change_confirm

    email_change_confirm(user=record.user, record_uuid=record.uuid, attempt=attempt)


def _reset_password(record, attempt):
    from bawaba.accounts.services import password_reset_finish

    password_reset_finish(record_uuid=record.uuid, attempt=attempt, new_password="Granite-river-2031")


@pytest.mark.parametrize(
    "confirm,purpose",
    [
        (_confirm_mobile, OneTimeCode.Purpose.VERIFY_MOBILE),
        (_change_mobile, OneTimeCode.Purpose.VERIFY_MOBILE),
        (_change_email, OneTimeCode.Purpose.VERIFY_EMAIL),
        (_reset_password, OneTimeCode.Purpose.SIGN_IN),
    ],
)
def test_wrong_guesses_count_even_when_the_confirming_service_rolls_back(settings, confirm, purpose):
    # Each of these services writes its change in a transaction that a wrong code rolls back: the guess
    # must still be counted, or a code could be guessed without end.
    from bawaba.accounts.models import User

    user = User.objects.create_user("citizen-guess", password="x" * 12, national_id="29103090104240")
    issued = code_issue(purpose=purpose, destination="+201001234567", user=user)
    wrong = "000000" if issued.code != "000000" else "111111"
    for _ in range(settings.BAWABA_CODE_MAX_ATTEMPTS):
        with pytest.raises(CodeRefused):
            confirm(issued.record, wrong)
    with pytest.raises(CodeRefused) as refused:
        confirm(issued.record, issued.code)
    assert refused.value.problem == CodeProblem.TOO_MANY_ATTEMPTS

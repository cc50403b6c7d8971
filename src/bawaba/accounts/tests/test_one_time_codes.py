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

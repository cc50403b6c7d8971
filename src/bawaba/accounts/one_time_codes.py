"""One-time codes: issue (rate-limited per destination) and check (expiring, single use, bounded attempts)."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from bawaba.core.ratelimit import Limit, hit

from .models import OneTimeCode, User

__all__ = ["CodeProblem", "CodeRefused", "IssuedCode", "code_check", "code_issue"]


class CodeProblem(StrEnum):
    TOO_MANY_SENT = "too-many-sent"
    WRONG = "wrong"
    EXPIRED = "expired"
    USED = "used"
    TOO_MANY_ATTEMPTS = "too-many-attempts"


class CodeRefused(Exception):
    def __init__(self, problem: CodeProblem, *, retry_after: int = 0, attempts_left: int = 0):
        super().__init__(problem.value)
        self.problem, self.retry_after, self.attempts_left = problem, retry_after, attempts_left


@dataclass(frozen=True)
class IssuedCode:
    record: OneTimeCode
    code: str  # handed to the message being sent, never stored


def _digest(record_uuid, code: str) -> str:
    key = f"bawaba-one-time-code:{settings.SECRET_KEY}".encode()
    return hmac.new(key, f"{record_uuid}:{code}".encode(), hashlib.sha256).hexdigest()


def _send_limit() -> Limit:
    return Limit("code-send", settings.BAWABA_CODE_SENDS_PER_HOUR, 3600)


@transaction.atomic
def code_issue(
    *, purpose: str, destination: str, user: User | None = None, ttl_seconds: int | None = None
) -> IssuedCode:
    """`ttl_seconds` defaults to the short life of a sign-in code; an activation code lives for days."""
    verdict = hit(_send_limit(), destination)
    if not verdict.allowed:
        raise CodeRefused(CodeProblem.TOO_MANY_SENT, retry_after=verdict.retry_after)
    now = timezone.now()
    # A new code replaces any earlier one for the same purpose and destination.
    OneTimeCode.objects.filter(purpose=purpose, destination=destination, used_at__isnull=True).update(
        expires_at=now
    )
    code = f"{secrets.randbelow(10**settings.BAWABA_CODE_DIGITS):0{settings.BAWABA_CODE_DIGITS}d}"
    record = OneTimeCode(
        purpose=purpose,
        destination=destination,
        user=user,
        expires_at=now + timedelta(seconds=ttl_seconds or settings.BAWABA_CODE_TTL_SECONDS),
    )
    record.code_hash = _digest(record.uuid, code)
    record.save()
    return IssuedCode(record, code)


def _wrong_attempts_key(record: OneTimeCode) -> str:
    return f"one-time-code:{record.uuid}:wrong"


def code_check(*, record_uuid, attempt: str) -> OneTimeCode:
    """Spend the code if `attempt` matches; every other outcome raises CodeRefused naming why.

    Wrong attempts are also counted in the shared cache: a caller that rolls its transaction back after the
    refusal (as a service confirming a change does) must not give the guesser their attempt back.
    """
    with transaction.atomic():
        record = OneTimeCode.objects.select_for_update().get(uuid=record_uuid)
        attempts = max(record.attempts, cache.get(_wrong_attempts_key(record), 0))
        if record.used_at is not None:
            raise CodeRefused(CodeProblem.USED)
        if attempts >= settings.BAWABA_CODE_MAX_ATTEMPTS:
            raise CodeRefused(CodeProblem.TOO_MANY_ATTEMPTS)
        if timezone.now() >= record.expires_at:
            raise CodeRefused(CodeProblem.EXPIRED)
        record.attempts = attempts + 1
        matches = hmac.compare_digest(record.code_hash, _digest(record.uuid, attempt.strip()))
        if matches:
            record.used_at = timezone.now()
        record.save(update_fields=["attempts", "used_at"])
    if not matches:
        lifetime = int((record.expires_at - timezone.now()).total_seconds()) + 60
        cache.set(_wrong_attempts_key(record), record.attempts, timeout=max(lifetime, 60))
        left = settings.BAWABA_CODE_MAX_ATTEMPTS - record.attempts
        raise CodeRefused(CodeProblem.WRONG if left else CodeProblem.TOO_MANY_ATTEMPTS, attempts_left=left)
    return record

"""Authenticator apps: set up with a QR code, then a code from the app is a second factor (substantial).

A code is refused if its time step was already used, so a code seen over someone's shoulder cannot be replayed.
"""

import time

import pyotp
import segno
from django.db import transaction
from django.utils import timezone

from bawaba.audit.services import audit_record
from bawaba.core.ratelimit import Lockout
from bawaba.core.sealing import seal, unseal

from .models import Authenticator, User

__all__ = ["AuthenticatorRefused", "authenticator_begin", "authenticator_check", "authenticator_confirm"]

ISSUER = "Bawaba"
PURPOSE = "authenticator"
LOCKOUT = Lockout("authenticator", threshold=5, base_seconds=60)


class AuthenticatorRefused(Exception):
    def __init__(self, problem: str, retry_after: int = 0):
        super().__init__(problem)
        self.problem, self.retry_after = problem, retry_after


def _totp(record: Authenticator) -> pyotp.TOTP:
    return pyotp.TOTP(unseal(record.sealed_secret, purpose=PURPOSE))


@transaction.atomic
def authenticator_begin(*, user: User) -> tuple[str, str]:
    """A new key for the account (replacing one not yet confirmed); returns (key, QR code as an SVG data URI)."""
    existing = Authenticator.objects.filter(user=user).first()
    if existing is not None and existing.confirmed_at is not None:
        raise AuthenticatorRefused("already-set-up")
    secret = pyotp.random_base32()
    Authenticator.objects.update_or_create(
        user=user, defaults={"sealed_secret": seal(secret, purpose=PURPOSE)}
    )
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.national_id or user.username, issuer_name=ISSUER)
    return secret, segno.make(uri, error="m").svg_data_uri(scale=4, dark="#232528")


def _spend(record: Authenticator, code: str, *, now: float) -> None:
    totp = _totp(record)
    step = int(now // totp.interval)
    # Accept the previous, current and next step (clock drift), but never a step at or before the last used.
    for candidate in (step - 1, step, step + 1):
        if candidate > record.last_used_step and totp.verify(
            code.strip(), for_time=candidate * totp.interval
        ):
            record.last_used_step = candidate
            return
    raise AuthenticatorRefused("wrong")


def _guarded(user: User, code: str, *, confirmed: bool, now: float | None) -> Authenticator:
    if seconds := LOCKOUT.locked_for(str(user.uuid)):
        raise AuthenticatorRefused("locked", seconds)
    with transaction.atomic():
        record = Authenticator.objects.select_for_update().filter(user=user).first()
        if record is None or (record.confirmed_at is not None) != confirmed:
            raise AuthenticatorRefused("not-set-up")
        try:
            _spend(record, code, now=time.time() if now is None else now)
        except AuthenticatorRefused:
            LOCKOUT.fail(str(user.uuid))
            raise
        record.save(update_fields=["last_used_step"])
    LOCKOUT.succeed(str(user.uuid))
    return record


def authenticator_confirm(*, user: User, code: str, now: float | None = None) -> None:
    record = _guarded(user, code, confirmed=False, now=now)
    record.confirmed_at = timezone.now()
    record.save(update_fields=["confirmed_at"])
    audit_record(
        action="accounts.authenticator.added",
        actor=f"user:{user.uuid}",
        subject_type="user",
        subject_id=str(user.uuid),
    )


def authenticator_check(*, user: User, code: str, now: float | None = None) -> None:
    _guarded(user, code, confirmed=True, now=now)


def has_authenticator(user: User) -> bool:
    return Authenticator.objects.filter(user=user, confirmed_at__isnull=False).exists()

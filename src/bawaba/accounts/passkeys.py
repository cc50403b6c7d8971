"""Passkeys (WebAuthn): adding one to an account, signing in or stepping up with it, removing it.

A passkey is a key pair made on the citizen's device; the platform keeps the public key. Every ceremony is
bound to a fresh challenge kept in the session, spent on the first answer and refused after two minutes.
The device must check its owner (PIN or biometric: "user verification") each time, so a passkey is
something held and something known or been, and the session reaches "substantial".

The browser's answers are checked by py_webauthn. User verification and the signature counter are checked
here, after it has verified the signature, so a flag or a count is only ever read from signed data.
"""

import secrets
import time
from enum import StrEnum
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import (
    base64url_to_bytes,
    bytes_to_base64url,
    options_to_json_dict,
    parse_authentication_credential_json,
    parse_registration_credential_json,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    CredentialDeviceType,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from bawaba.audit.services import audit_record
from bawaba.core.ratelimit import Limit, hit, peek

from .models import Passkey, User

__all__ = [
    "PasskeyProblem",
    "PasskeyRefused",
    "has_passkeys",
    "passkey_get",
    "passkey_list",
    "passkey_register",
    "passkey_registration_options",
    "passkey_remove",
    "passkey_sign_in",
    "passkey_sign_in_options",
    "passkey_step_up",
    "passkey_step_up_options",
]

CEREMONY_SECONDS = 120
MAX_PASSKEYS = 10
# Failed answers from one address, whichever account they name: guessing is pointless against signatures,
# but a flood of bad answers is someone probing, and each one costs a signature check.
FAILURES = Limit("passkey-failures-address", attempts=10, window_seconds=900)

REGISTER, SIGN_IN, STEP_UP = "register", "sign-in", "step-up"
# Whatever a hostile browser may send: py_webauthn's refusals, and what its parsers raise on garbage.
_MALFORMED = (WebAuthnException, ValueError, TypeError, KeyError, AttributeError)


class PasskeyProblem(StrEnum):
    EXPIRED = "expired"  # no challenge waiting: never asked for, too old, or already answered
    INVALID = "invalid"  # not signed for this site and this challenge by this key, or not well formed
    UNKNOWN = "unknown"  # no such passkey (for this account)
    REMOVED = "removed"
    NOT_VERIFIED = "not-verified"  # the device did not check its owner's PIN or biometric
    CLONED = "cloned"  # the signature counter went backwards: the key may have been copied
    DUPLICATE = "duplicate"
    TOO_MANY_PASSKEYS = "too-many-passkeys"
    TOO_MANY_FAILURES = "too-many-failures"
    NOT_A_CITIZEN = "not-a-citizen"


class PasskeyRefused(Exception):
    def __init__(self, problem: PasskeyProblem, retry_after: int = 0):
        super().__init__(problem.value)
        self.problem, self.retry_after = problem, retry_after


def _rp_id() -> str:
    return settings.BAWABA_WEBAUTHN_RP_ID


def _origins() -> list[str]:
    return list(settings.BAWABA_WEBAUTHN_ORIGINS)


def _user_handle(user: User) -> bytes:
    """What the passkey stores to name its account: random (the public UUID), never the national ID."""
    return user.uuid.bytes


def _session_key(purpose: str) -> str:
    return f"bawaba_passkey_{purpose}"


def _begin(session, purpose: str, *, now: float | None = None, **extra) -> bytes:
    challenge = secrets.token_bytes(32)
    session[_session_key(purpose)] = {
        "challenge": bytes_to_base64url(challenge),
        "expires": (time.time() if now is None else now) + CEREMONY_SECONDS,
        **extra,
    }
    return challenge


def _take(session, purpose: str) -> dict | None:
    """The challenge waiting for this ceremony, removed: whatever happens next, it is never accepted again."""
    return session.pop(_session_key(purpose), None)


def _challenge(ceremony: dict | None, *, now: float | None, user: User | None = None) -> bytes:
    now = time.time() if now is None else now
    if ceremony is None or ceremony["expires"] < now:
        raise PasskeyRefused(PasskeyProblem.EXPIRED)
    if user is not None and ceremony.get("user") != str(user.uuid):
        raise PasskeyRefused(PasskeyProblem.EXPIRED)
    return base64url_to_bytes(ceremony["challenge"])


def _descriptor(passkey: Passkey) -> PublicKeyCredentialDescriptor:
    transports = []
    for value in passkey.transports:
        try:
            transports.append(AuthenticatorTransport(value))
        except ValueError:
            continue
    return PublicKeyCredentialDescriptor(id=base64url_to_bytes(passkey.credential_id), transports=transports)


def _active(user: User):
    return Passkey.objects.filter(user=user, removed_at=None)


def passkey_list(*, user: User) -> list[Passkey]:
    return list(_active(user))


def passkey_get(*, user: User, passkey_uuid: UUID | str) -> Passkey | None:
    return _active(user).filter(uuid=passkey_uuid).first()


def has_passkeys(user: User) -> bool:
    return _active(user).exists()


def _audit(action: str, *, actor: str, data: dict, passkey: Passkey | None = None, user: User | None = None):
    """Recorded against the account concerned, so it shows in its owner's security log."""
    owner = passkey.user if passkey is not None else user
    if passkey is not None:
        data = {"passkey": str(passkey.uuid), "name": passkey.name, **data}
    if owner is not None:
        subject_type, subject_id = "user", str(owner.uuid)
    else:
        subject_type, subject_id = "passkey", data.get("credential", "")
    audit_record(action=action, actor=actor, subject_type=subject_type, subject_id=subject_id, data=data)


def _guarded(ceremony: str, *, address: str, attempt):
    """Run one answer under the per-address failure limit; a refusal is counted and audited, then raised.

    `attempt(seen)` does the work in a transaction and records in `seen` the account or the passkey it
    identified, so the refusal lands in the security log of the account concerned.
    """
    verdict = peek(FAILURES, address)
    if not verdict.allowed:
        raise PasskeyRefused(PasskeyProblem.TOO_MANY_FAILURES, verdict.retry_after)
    seen: dict = {}
    try:
        with transaction.atomic():
            return attempt(seen)
    except PasskeyRefused as exc:
        hit(FAILURES, address)
        passkey = seen.get("passkey")
        action = (
            "accounts.passkey.clone-suspected"
            if exc.problem == PasskeyProblem.CLONED
            else "accounts.passkey.refused"
        )
        data = {"ceremony": ceremony, "problem": exc.problem.value, **seen.get("data", {})}
        if passkey is None:
            data["credential"] = seen.get("credential", "")[:16]
        _audit(action, passkey=passkey, user=seen.get("user"), actor=f"address:{address}", data=data)
        raise


# Adding a passkey.


def passkey_registration_options(*, session, user: User, name: str, now: float | None = None) -> dict:
    """Options for navigator.credentials.create(), as JSON; the caller has checked the session's level."""
    if not user.national_id:
        raise PasskeyRefused(PasskeyProblem.NOT_A_CITIZEN)
    existing = passkey_list(user=user)
    if len(existing) >= MAX_PASSKEYS:
        raise PasskeyRefused(PasskeyProblem.TOO_MANY_PASSKEYS)
    challenge = _begin(session, REGISTER, now=now, user=str(user.uuid), name=name.strip()[:60])
    options = generate_registration_options(
        rp_id=_rp_id(),
        rp_name=settings.BAWABA_WEBAUTHN_RP_NAME,
        user_id=_user_handle(user),
        user_name=user.national_id,
        user_display_name=user.get_full_name() or user.national_id,
        challenge=challenge,
        timeout=CEREMONY_SECONDS * 1000,
        # Discoverable, so the citizen can sign in without typing anything; verified, so it is two factors.
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[_descriptor(passkey) for passkey in existing],
    )
    return options_to_json_dict(options)


def passkey_register(
    *, session, user: User, response: dict | str, address: str, now: float | None = None
) -> Passkey:
    """Check the device's answer to the registration options and keep its public key. Raises PasskeyRefused."""
    ceremony = _take(session, REGISTER)

    def attempt(seen: dict) -> Passkey:
        seen["user"] = user
        challenge = _challenge(ceremony, now=now, user=user)
        try:
            credential = parse_registration_credential_json(response)
            verified = verify_registration_response(
                credential=credential,
                expected_challenge=challenge,
                expected_rp_id=_rp_id(),
                expected_origin=_origins(),
                require_user_verification=False,  # checked below, to say so in the refusal
            )
        except _MALFORMED as exc:
            raise PasskeyRefused(PasskeyProblem.INVALID) from exc
        credential_id = bytes_to_base64url(verified.credential_id)
        seen["credential"] = credential_id
        if not verified.user_verified:
            raise PasskeyRefused(PasskeyProblem.NOT_VERIFIED)
        # Locks the account's row: two answers at once cannot both slip under the limit.
        User.objects.select_for_update().filter(pk=user.pk).first()
        if Passkey.objects.filter(credential_id=credential_id).exists():
            raise PasskeyRefused(PasskeyProblem.DUPLICATE)
        if _active(user).count() >= MAX_PASSKEYS:
            raise PasskeyRefused(PasskeyProblem.TOO_MANY_PASSKEYS)
        passkey = Passkey.objects.create(
            user=user,
            name=ceremony.get("name") or "",
            credential_id=credential_id,
            public_key=verified.credential_public_key,
            sign_count=verified.sign_count,
            transports=[t.value for t in credential.response.transports or []],
            aaguid=verified.aaguid,
            backed_up=verified.credential_backed_up
            or verified.credential_device_type == CredentialDeviceType.MULTI_DEVICE,
        )
        _audit("accounts.passkey.added", passkey=passkey, actor=f"user:{user.uuid}", data={})
        return passkey

    return _guarded(REGISTER, address=address, attempt=attempt)


# Signing in and stepping up.


def passkey_sign_in_options(*, session, now: float | None = None) -> dict:
    """Options for navigator.credentials.get() with no account named: the device offers its passkeys."""
    challenge = _begin(session, SIGN_IN, now=now)
    options = generate_authentication_options(
        rp_id=_rp_id(),
        challenge=challenge,
        timeout=CEREMONY_SECONDS * 1000,
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    return options_to_json_dict(options)


def passkey_step_up_options(*, session, user: User, now: float | None = None) -> dict:
    """Options naming the signed-in account's own passkeys. Raises PasskeyRefused (unknown) if it has none."""
    existing = passkey_list(user=user)
    if not existing:
        raise PasskeyRefused(PasskeyProblem.UNKNOWN)
    challenge = _begin(session, STEP_UP, now=now, user=str(user.uuid))
    options = generate_authentication_options(
        rp_id=_rp_id(),
        challenge=challenge,
        timeout=CEREMONY_SECONDS * 1000,
        allow_credentials=[_descriptor(passkey) for passkey in existing],
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    return options_to_json_dict(options)


def _check_assertion(ceremony: dict | None, response, *, user: User | None, now: float | None, seen: dict):
    try:
        credential = parse_authentication_credential_json(response)
    except _MALFORMED as exc:
        raise PasskeyRefused(PasskeyProblem.INVALID) from exc
    credential_id = bytes_to_base64url(credential.raw_id)
    seen["credential"] = credential_id
    passkey = (
        Passkey.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(credential_id=credential_id)
        .first()
    )
    seen["passkey"] = passkey
    # The challenge first: without a fresh one, nothing is said about the passkey, not even whether it exists.
    challenge = _challenge(ceremony, now=now, user=user)
    if passkey is None:
        raise PasskeyRefused(PasskeyProblem.UNKNOWN)
    owner = passkey.user
    if (user is not None and owner.pk != user.pk) or not owner.is_active or not owner.national_id:
        raise PasskeyRefused(PasskeyProblem.UNKNOWN)
    if passkey.removed_at is not None:
        raise PasskeyRefused(PasskeyProblem.REMOVED)
    handle = credential.response.user_handle
    # With no account named beforehand, the device must say whose passkey it is, and say it right.
    if (handle is None and user is None) or (handle is not None and handle != _user_handle(owner)):
        raise PasskeyRefused(PasskeyProblem.INVALID)
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=_rp_id(),
            expected_origin=_origins(),
            credential_public_key=bytes(passkey.public_key),
            # The counter is compared below, once the signature over it is known to be good.
            credential_current_sign_count=0,
            require_user_verification=False,
        )
    except _MALFORMED as exc:
        raise PasskeyRefused(PasskeyProblem.INVALID) from exc
    if not verified.user_verified:
        raise PasskeyRefused(PasskeyProblem.NOT_VERIFIED)
    # Devices that keep no counter always say 0; one that does must go up every time.
    if (verified.new_sign_count or passkey.sign_count) and verified.new_sign_count <= passkey.sign_count:
        seen["data"] = {"stored_count": passkey.sign_count, "presented_count": verified.new_sign_count}
        raise PasskeyRefused(PasskeyProblem.CLONED)
    passkey.sign_count = verified.new_sign_count
    passkey.last_used_at = timezone.now()
    passkey.backed_up = verified.credential_backed_up
    passkey.save(update_fields=["sign_count", "last_used_at", "backed_up"])
    return passkey


def passkey_sign_in(*, session, response: dict | str, address: str, now: float | None = None) -> Passkey:
    """The passkey that answered the sign-in challenge (its `user` is who signs in). Raises PasskeyRefused."""
    ceremony = _take(session, SIGN_IN)

    def attempt(seen: dict) -> Passkey:
        passkey = _check_assertion(ceremony, response, user=None, now=now, seen=seen)
        _audit(
            "accounts.passkey.used", passkey=passkey, actor=f"user:{passkey.user.uuid}", data={"for": SIGN_IN}
        )
        return passkey

    return _guarded(SIGN_IN, address=address, attempt=attempt)


def passkey_step_up(
    *, session, user: User, response: dict | str, address: str, now: float | None = None
) -> Passkey:
    """The signed-in citizen proves it is them again with one of their passkeys. Raises PasskeyRefused."""
    ceremony = _take(session, STEP_UP)

    def attempt(seen: dict) -> Passkey:
        passkey = _check_assertion(ceremony, response, user=user, now=now, seen=seen)
        _audit("accounts.passkey.used", passkey=passkey, actor=f"user:{user.uuid}", data={"for": STEP_UP})
        return passkey

    return _guarded(STEP_UP, address=address, attempt=attempt)


# Removing a passkey.


@transaction.atomic
def passkey_remove(*, user: User, passkey_uuid: UUID | str) -> Passkey:
    """The passkey stops working at once; it is kept, so a later attempt with it is named in the log."""
    passkey = _active(user).select_for_update().filter(uuid=passkey_uuid).first()
    if passkey is None:
        raise PasskeyRefused(PasskeyProblem.UNKNOWN)
    passkey.removed_at = timezone.now()
    passkey.save(update_fields=["removed_at"])
    _audit("accounts.passkey.removed", passkey=passkey, actor=f"user:{user.uuid}", data={})
    return passkey

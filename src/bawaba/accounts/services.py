"""Citizen accounts: registration, mobile verification and sign-in checks. Messages are sent by the caller.

Answers never reveal whether a national ID number is registered: a registration for a number that already
has an account looks the same to whoever typed it, and the account's owner is told on their own phone.
"""

import secrets
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from uuid import UUID, uuid4

from cryptography import x509
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from bawaba.audit.services import audit_record
from bawaba.core.ratelimit import Limit, Lockout, hit

from .certificates import CertificateProblem, CertificateRefused, verify_signed_challenge
from .models import OneTimeCode, User
from .national_id import NationalIdRule, clean, parse
from .one_time_codes import CodeProblem, CodeRefused, code_check, code_issue
from .phones import normalise_mobile

__all__ = [
    "CodeToSend",
    "SignInProblem",
    "SignInRefused",
    "certificate_challenge",
    "certificate_sign_in",
    "certificate_sign_in_offered",
    "certificate_trust",
    "citizen_register",
    "citizen_verify_mobile",
    "email_change_confirm",
    "email_change_start",
    "mobile_change_confirm",
    "mobile_change_start",
    "password_change",
    "password_reset_finish",
    "password_reset_start",
    "sign_in_code_check",
    "sign_in_code_issue",
    "sign_in_password",
    "staff_sign_in_password",
]


class MessageKind(StrEnum):
    VERIFY_MOBILE = "verify-mobile"
    SIGN_IN = "sign-in"
    REGISTRATION_ATTEMPT = "registration-attempt"
    MOBILE_CHANGED = "mobile-changed"
    VERIFY_EMAIL = "verify-email"
    EMAIL_CHANGED = "email-changed"
    PASSWORD_CHANGED = "password-changed"  # noqa: S105 (a message kind, not a password)
    PASSWORD_RESET = "password-reset"  # noqa: S105 (a message kind, not a password)


@dataclass(frozen=True)
class CodeToSend:
    """What the caller must send: `code` to `to`, or (code None) a notice to the account's owner."""

    record_uuid: UUID
    destination: str  # where the citizen was told the code went
    to: str
    kind: MessageKind
    code: str | None
    language: str


def national_id_rule() -> NationalIdRule:
    return NationalIdRule.from_settings(settings.BAWABA_NATIONAL_ID_RULE)


@transaction.atomic
def citizen_register(
    *, national_id: str, mobile: str, password: str, email: str = "", language: str = "ar", today: date
) -> CodeToSend:
    """Raises InvalidNationalId, InvalidPhone, ValidationError (password) or CodeRefused (too many codes)."""
    parsed = parse(national_id, national_id_rule(), today=today)
    phone = normalise_mobile(mobile, home_region=settings.BAWABA_HOME_REGION)
    validate_password(password, User(national_id=parsed.number, email=email))
    owner = User.objects.filter(national_id=parsed.number, is_active=True).first()
    if owner is not None:
        decoy = code_issue(purpose=OneTimeCode.Purpose.VERIFY_MOBILE, destination=phone)
        audit_record(
            action="accounts.registration.repeated",
            actor="anonymous",
            subject_type="user",
            subject_id=str(owner.uuid),
        )
        return CodeToSend(
            decoy.record.uuid,
            phone,
            owner.mobile,
            MessageKind.REGISTRATION_ATTEMPT,
            None,
            owner.preferred_language,
        )
    # A registration never verified may be started again, by whoever holds the number's phone.
    user = User.objects.filter(national_id=parsed.number).first() or User(
        username=f"citizen-{parsed.number}", national_id=parsed.number
    )
    user.birth_date, user.sex, user.mobile, user.email = parsed.birth_date, parsed.sex, phone, email
    user.preferred_language, user.is_active = language, False
    user.set_password(password)
    user.save()
    issued = code_issue(purpose=OneTimeCode.Purpose.VERIFY_MOBILE, destination=phone, user=user)
    audit_record(
        action="accounts.citizen.registered",
        actor=f"user:{user.uuid}",
        subject_type="user",
        subject_id=str(user.uuid),
    )
    return CodeToSend(issued.record.uuid, phone, phone, MessageKind.VERIFY_MOBILE, issued.code, language)


def _spend_code(*, record_uuid: UUID, attempt: str, purpose: str, user: User | None = None) -> OneTimeCode:
    """Spend a code issued for `purpose` to an account (to `user`, when given); any other code counts as wrong."""
    record = code_check(record_uuid=record_uuid, attempt=attempt)
    if record.purpose != purpose or record.user is None or (user is not None and record.user_id != user.pk):
        raise CodeRefused(CodeProblem.WRONG)
    return record


@transaction.atomic
def citizen_verify_mobile(*, record_uuid: UUID, attempt: str) -> User:
    record = _spend_code(record_uuid=record_uuid, attempt=attempt, purpose=OneTimeCode.Purpose.VERIFY_MOBILE)
    user = record.user
    user.mobile, user.mobile_verified_at, user.is_active = record.destination, timezone.now(), True
    user.save(update_fields=["mobile", "mobile_verified_at", "is_active"])
    audit_record(
        action="accounts.mobile.verified",
        actor=f"user:{user.uuid}",
        subject_type="user",
        subject_id=str(user.uuid),
    )
    return user


class SignInProblem(StrEnum):
    WRONG = "wrong"
    LOCKED = "locked"
    TOO_MANY_FROM_HERE = "too-many-from-here"


class SignInRefused(Exception):
    def __init__(self, problem: SignInProblem, retry_after: int = 0):
        super().__init__(problem.value)
        self.problem, self.retry_after = problem, retry_after


ACCOUNT_LOCKOUT = Lockout("sign-in-account", threshold=5, base_seconds=60)


def _address_limit() -> Limit:
    return Limit("sign-in-address", settings.BAWABA_SIGN_INS_PER_ADDRESS_PER_HOUR, 3600)


def sign_in_password(request, *, national_id: str, password: str, address: str) -> User:
    """A citizen's password check; per-account lock-out with back-off and a per-address limit, same answer for all."""
    account_key = clean(national_id)
    return _password_check(
        request,
        account_key=account_key,
        address=address,
        credentials={"national_id": account_key, "password": password},
        owner=lambda: User.objects.filter(national_id=account_key).values_list("uuid", flat=True).first(),
    )


def staff_sign_in_password(request, *, username: str, password: str, address: str) -> User:
    """A staff member's password check, under the same limits; the second factor is never optional for staff."""
    return _password_check(
        request,
        account_key=f"staff:{username}",
        address=address,
        credentials={"username": username, "password": password},
        owner=lambda: User.objects.filter(username=username).values_list("uuid", flat=True).first(),
    )


def _password_check(request, *, account_key: str, address: str, credentials: dict, owner) -> User:
    verdict = hit(_address_limit(), address)
    if not verdict.allowed:
        raise SignInRefused(SignInProblem.TOO_MANY_FROM_HERE, verdict.retry_after)
    if seconds := ACCOUNT_LOCKOUT.locked_for(account_key):
        raise SignInRefused(SignInProblem.LOCKED, seconds)
    user = authenticate(request, **credentials)
    if user is None:
        ACCOUNT_LOCKOUT.fail(account_key)
        # Recorded against the account when there is one, so its owner sees the attempt in their security log.
        account = owner()
        audit_record(
            action="accounts.sign-in.failed",
            actor=f"address:{address}",
            subject_type="user" if account else "sign-in-name",
            subject_id=str(account) if account else account_key[-4:],
        )
        raise SignInRefused(SignInProblem.WRONG)
    ACCOUNT_LOCKOUT.succeed(account_key)
    return user


def sign_in_code_issue(*, user: User) -> CodeToSend:
    issued = code_issue(purpose=OneTimeCode.Purpose.SIGN_IN, destination=user.mobile, user=user)
    return CodeToSend(
        issued.record.uuid,
        user.mobile,
        user.mobile,
        MessageKind.SIGN_IN,
        issued.code,
        user.preferred_language,
    )


def sign_in_code_check(*, record_uuid: UUID, attempt: str, user: User) -> None:
    _spend_code(record_uuid=record_uuid, attempt=attempt, purpose=OneTimeCode.Purpose.SIGN_IN, user=user)


@transaction.atomic
def password_change(*, user: User, current: str, new: str) -> CodeToSend | None:
    """Raises SignInRefused (wrong current password) or ValidationError; other sessions end with the old hash."""
    if not user.check_password(current):
        raise SignInRefused(SignInProblem.WRONG)
    validate_password(new, user)
    user.set_password(new)
    user.save(update_fields=["password"])
    audit_record(
        action="accounts.password.changed",
        actor=f"user:{user.uuid}",
        subject_type="user",
        subject_id=str(user.uuid),
    )
    if not user.mobile:
        return None
    return CodeToSend(
        uuid4(), user.mobile, user.mobile, MessageKind.PASSWORD_CHANGED, None, user.preferred_language
    )


@dataclass(frozen=True)
class _Contact:
    """A way to reach a citizen that is only changed once the new one is proven."""

    purpose: str
    field: str
    verified_field: str
    action: str
    notice: MessageKind


_MOBILE = _Contact(
    OneTimeCode.Purpose.VERIFY_MOBILE,
    "mobile",
    "mobile_verified_at",
    "accounts.mobile.changed",
    MessageKind.MOBILE_CHANGED,
)
_EMAIL = _Contact(
    OneTimeCode.Purpose.VERIFY_EMAIL,
    "email",
    "email_verified_at",
    "accounts.email.changed",
    MessageKind.EMAIL_CHANGED,
)


def _contact_change_confirm(
    contact: _Contact, *, user: User, record_uuid: UUID, attempt: str
) -> CodeToSend | None:
    """Switch to the proven address; returns the notice for the old one, if there was one."""
    record = _spend_code(record_uuid=record_uuid, attempt=attempt, purpose=contact.purpose, user=user)
    old = getattr(user, contact.field)
    setattr(user, contact.field, record.destination)
    setattr(user, contact.verified_field, timezone.now())
    user.save(update_fields=[contact.field, contact.verified_field])
    audit_record(
        action=contact.action,
        actor=f"user:{user.uuid}",
        subject_type="user",
        subject_id=str(user.uuid),
        data={"from": old[-3:] if old else "", "to": record.destination[-3:]},
    )
    if not old or old == record.destination:
        return None
    return CodeToSend(uuid4(), old, old, contact.notice, None, user.preferred_language)


def mobile_change_start(*, user: User, mobile: str) -> CodeToSend:
    """Raises InvalidPhone or CodeRefused. The new number is confirmed by a code before it replaces the old."""
    phone = normalise_mobile(mobile, home_region=settings.BAWABA_HOME_REGION)
    issued = code_issue(purpose=OneTimeCode.Purpose.VERIFY_MOBILE, destination=phone, user=user)
    return CodeToSend(
        issued.record.uuid, phone, phone, MessageKind.VERIFY_MOBILE, issued.code, user.preferred_language
    )


@transaction.atomic
def mobile_change_confirm(*, user: User, record_uuid: UUID, attempt: str) -> CodeToSend | None:
    return _contact_change_confirm(_MOBILE, user=user, record_uuid=record_uuid, attempt=attempt)


def password_reset_start(*, national_id: str) -> CodeToSend:
    """A code to the account's confirmed mobile; for a number with no such account, a code that goes nowhere.

    Either way the answer looks the same, so the page cannot be used to learn who has an account.
    """
    number = clean(national_id)
    user = User.objects.filter(national_id=number, is_active=True, mobile_verified_at__isnull=False).first()
    if user is None:
        decoy = code_issue(purpose=OneTimeCode.Purpose.SIGN_IN, destination=f"reset:{number}")
        return CodeToSend(decoy.record.uuid, "", "", MessageKind.PASSWORD_RESET, None, "ar")
    issued = code_issue(purpose=OneTimeCode.Purpose.SIGN_IN, destination=user.mobile, user=user)
    return CodeToSend(
        issued.record.uuid,
        user.mobile,
        user.mobile,
        MessageKind.PASSWORD_RESET,
        issued.code,
        user.preferred_language,
    )


@transaction.atomic
def password_reset_finish(*, record_uuid: UUID, attempt: str, new_password: str) -> User:
    """Raises CodeRefused or ValidationError. Every session of the account ends."""
    # Reset codes are issued as sign-in codes to the account's confirmed mobile.
    user = _spend_code(record_uuid=record_uuid, attempt=attempt, purpose=OneTimeCode.Purpose.SIGN_IN).user
    validate_password(new_password, user)
    user.set_password(new_password)
    user.session_generation += 1
    user.save(update_fields=["password", "session_generation"])
    ACCOUNT_LOCKOUT.succeed(user.national_id or "")
    audit_record(
        action="accounts.password.reset",
        actor=f"user:{user.uuid}",
        subject_type="user",
        subject_id=str(user.uuid),
    )
    return user


CHALLENGE_SECONDS = 300


def certificate_challenge() -> str:
    """A fresh text for the citizen to sign; the caller keeps it (in the session) and accepts it once."""
    return f"bawaba-sign-in:{secrets.token_urlsafe(24)}:{timezone.now().isoformat(timespec='seconds')}"


def certificate_sign_in_offered() -> bool:
    return Path(settings.BAWABA_PKI_ROOTS).exists()


def certificate_trust() -> tuple[list, list] | None:
    """The configured roots and revocation lists, or None when certificate sign-in is not set up here."""
    roots_path = Path(settings.BAWABA_PKI_ROOTS)
    if not roots_path.exists():
        return None
    roots = x509.load_pem_x509_certificates(roots_path.read_bytes())
    crls = [
        x509.load_pem_x509_crl(Path(p).read_bytes()) for p in settings.BAWABA_PKI_CRLS if Path(p).exists()
    ]
    return roots, crls


@transaction.atomic
def certificate_sign_in(*, challenge: str, issued_at, signature_b64: str, chain_pem: bytes) -> User:
    """Raises CertificateRefused. The account of the certificate's holder, made from it if there is none."""
    trust = certificate_trust()
    if trust is None or (timezone.now() - issued_at).total_seconds() > CHALLENGE_SECONDS:
        raise CertificateRefused(CertificateProblem.UNTRUSTED)
    roots, crls = trust
    signer = verify_signed_challenge(
        challenge=challenge.encode(),
        signature_b64=signature_b64,
        chain_pem=chain_pem,
        roots=roots,
        crls=crls,
        now=timezone.now(),
    )
    user = User.objects.filter(national_id=signer.national_id).first()
    if user is None:
        user = User(
            username=f"citizen-{signer.national_id}",
            national_id=signer.national_id,
            first_name=signer.name[:150],
        )
        user.set_unusable_password()
        user.save()
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    audit_record(
        action="accounts.certificate.used",
        actor=f"user:{user.uuid}",
        subject_type="user",
        subject_id=str(user.uuid),
        data={"serial": str(signer.serial)},
    )
    return user


def email_change_start(*, user: User, email: str) -> CodeToSend:
    """Raises ValidationError (not an address) or CodeRefused. The code goes to the new address."""
    address = email.strip().lower()
    validate_email(address)
    issued = code_issue(purpose=OneTimeCode.Purpose.VERIFY_EMAIL, destination=address, user=user)
    return CodeToSend(
        issued.record.uuid, address, address, MessageKind.VERIFY_EMAIL, issued.code, user.preferred_language
    )


@transaction.atomic
def email_change_confirm(*, user: User, record_uuid: UUID, attempt: str) -> CodeToSend | None:
    return _contact_change_confirm(_EMAIL, user=user, record_uuid=record_uuid, attempt=attempt)

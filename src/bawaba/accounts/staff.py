"""Staff accounts run by an agency's administrators: open one, hand out and take back roles, switch it off.

An agency administrator acts only inside their own agency, and every function here checks that whatever a
page sent. A new member sets their own password with a code sent to their phone; the code comes back to the
caller, who sends it (accounts does not send messages).
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from bawaba.audit.services import audit_record
from bawaba.core.ratelimit import Limit, hit

from .models import OneTimeCode, StaffMembership, StaffRole, User, UserSession
from .one_time_codes import CodeProblem, CodeRefused, code_check, code_issue
from .permissions import GRANTABLE_ROLES, can_manage_agency_staff, is_staff_member
from .phones import normalise_mobile
from .services import SignInProblem, SignInRefused

__all__ = [
    "ActivationCode",
    "StaffEntry",
    "StaffProblem",
    "StaffRefused",
    "StaffStatus",
    "agency_staff",
    "agency_staff_member",
    "staff_activate",
    "staff_activation_resend",
    "staff_member_add",
    "staff_member_deactivate",
    "staff_member_reactivate",
    "staff_role_grant",
    "staff_role_withdraw",
    "staff_roles",
]

ACTIVATE_LIMIT = Limit("staff-activate-address", attempts=20, window_seconds=3600)
# Staff user names are typed at every sign-in and read out over the phone: plain ASCII, no spaces.
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,149}$")
# Citizens' accounts are named citizen-<national ID>; a staff account must never take such a name.
RESERVED_PREFIXES = ("citizen-",)


class StaffProblem(StrEnum):
    NOT_ALLOWED = "not-allowed"
    USERNAME_FORMAT = "username-format"
    USERNAME_TAKEN = "username-taken"
    NAME_NEEDED = "name-needed"
    NO_ROLES = "no-roles"
    NOT_IN_AGENCY = "not-in-agency"
    ROLE_HELD = "role-held"
    NO_SUCH_ROLE = "no-such-role"
    LAST_ADMIN_ROLE = "last-admin-role"
    SELF = "self"
    WORKS_ELSEWHERE = "works-elsewhere"
    ALREADY_ACTIVATED = "already-activated"
    DEACTIVATED = "deactivated"


class StaffRefused(Exception):
    def __init__(self, problem: StaffProblem):
        super().__init__(problem.value)
        self.problem = problem


class StaffStatus(StrEnum):
    ACTIVE = "active"
    AWAITING_ACTIVATION = "awaiting-activation"
    DEACTIVATED = "deactivated"


@dataclass(frozen=True)
class ActivationCode:
    """What the caller must text to the new member: `code` to `to`, in `language`."""

    record_uuid: UUID
    to: str
    code: str
    language: str
    username: str
    expires_at: datetime


@dataclass
class StaffEntry:
    user: User
    status: StaffStatus
    memberships: list[StaffMembership] = field(default_factory=list)
    # Roles in another agency or platform-wide: then only a platform administrator may switch the account off.
    works_elsewhere: bool = False


def staff_status(user: User) -> StaffStatus:
    if not user.is_active:
        return StaffStatus.DEACTIVATED
    if not user.has_usable_password():
        return StaffStatus.AWAITING_ACTIVATION
    return StaffStatus.ACTIVE


def _actor(user: User) -> str:
    return f"user:{user.uuid}"


def _require_admin(actor: User, agency: str) -> None:
    if not agency or not can_manage_agency_staff(actor, agency=agency):
        raise StaffRefused(StaffProblem.NOT_ALLOWED)


def _require_member(member: User, agency: str) -> None:
    if not StaffMembership.objects.filter(user=member, agency=agency).exists():
        raise StaffRefused(StaffProblem.NOT_IN_AGENCY)


def _roles_checked(roles: list[str]) -> list[str]:
    chosen = sorted(set(roles))
    if not chosen:
        raise StaffRefused(StaffProblem.NO_ROLES)
    if any(role not in GRANTABLE_ROLES for role in chosen):
        raise StaffRefused(StaffProblem.NOT_ALLOWED)
    return chosen


# Reads -----------------------------------------------------------------------------------------------------


def staff_roles(*, user: User) -> dict[str, list[StaffMembership]]:
    """A staff member's own roles, by agency code ("" for platform-wide roles)."""
    grouped: dict[str, list[StaffMembership]] = defaultdict(list)
    if not user.is_authenticated or not user.is_active:
        return {}
    for membership in StaffMembership.objects.filter(user=user).order_by("agency", "role", "office"):
        grouped[membership.agency].append(membership)
    return dict(grouped)


def agency_staff(*, viewer: User, agency: str) -> list[StaffEntry]:
    """The agency's staff and their roles in it, for that agency's administrators only."""
    if not can_manage_agency_staff(viewer, agency=agency):
        return []
    entries: dict[int, StaffEntry] = {}
    memberships = (
        StaffMembership.objects.filter(agency=agency)
        .select_related("user")
        .order_by("user__first_name", "user__username", "role", "office")
    )
    for membership in memberships:
        entry = entries.setdefault(
            membership.user_id, StaffEntry(membership.user, staff_status(membership.user))
        )
        entry.memberships.append(membership)
    return list(entries.values())


def agency_staff_member(*, viewer: User, agency: str, member_uuid) -> StaffEntry | None:
    if not can_manage_agency_staff(viewer, agency=agency):
        return None
    member = User.objects.filter(uuid=member_uuid, staff_memberships__agency=agency).distinct().first()
    if member is None:
        return None
    memberships = list(StaffMembership.objects.filter(user=member, agency=agency).order_by("role", "office"))
    elsewhere = StaffMembership.objects.filter(user=member).exclude(agency=agency).exists()
    return StaffEntry(member, staff_status(member), memberships, works_elsewhere=elsewhere)


# Writes ----------------------------------------------------------------------------------------------------


def _activation_code(member: User) -> ActivationCode:
    issued = code_issue(
        purpose=OneTimeCode.Purpose.ACTIVATE,
        destination=member.mobile,
        user=member,
        ttl_seconds=settings.BAWABA_ACTIVATION_CODE_TTL_HOURS * 3600,
    )
    return ActivationCode(
        issued.record.uuid,
        member.mobile,
        issued.code,
        member.preferred_language,
        member.username,
        issued.record.expires_at,
    )


@transaction.atomic
def staff_member_add(
    *,
    actor: User,
    agency: str,
    username: str,
    full_name: str,
    mobile: str,
    roles: list[str],
    email: str = "",
    office: str = "",
    language: str = "ar",
) -> tuple[User, ActivationCode]:
    """Open an account with no usable password and give it roles in the administrator's agency.

    Raises StaffRefused, InvalidPhone, ValidationError (e-mail) or CodeRefused (too many codes to that phone).
    """
    _require_admin(actor, agency)
    chosen = _roles_checked(roles)
    name = username.strip().lower()
    if not USERNAME.match(name) or name.startswith(RESERVED_PREFIXES):
        raise StaffRefused(StaffProblem.USERNAME_FORMAT)
    if User.objects.filter(username__iexact=name).exists():
        raise StaffRefused(StaffProblem.USERNAME_TAKEN)
    if not full_name.strip():
        raise StaffRefused(StaffProblem.NAME_NEEDED)
    phone = normalise_mobile(mobile, home_region=settings.BAWABA_HOME_REGION)
    address = email.strip().lower()
    if address:
        validate_email(address)
    member = User(
        username=name,
        first_name=full_name.strip()[:150],
        mobile=phone,
        email=address,
        preferred_language=language if language in ("ar", "en") else "ar",
    )
    member.set_unusable_password()
    member.save()
    office = office.strip()
    for role in chosen:
        StaffMembership.objects.create(
            user=member, role=role, agency=agency, office=office, granted_by=_actor(actor)
        )
    code = _activation_code(member)
    audit_record(
        action="accounts.staff.added",
        actor=_actor(actor),
        subject_type="user",
        subject_id=str(member.uuid),
        data={"agency": agency, "roles": chosen, "office": office, "username": name},
    )
    return member, code


@transaction.atomic
def staff_activation_resend(*, actor: User, agency: str, member: User) -> ActivationCode:
    """A new code for a member who has not set their password yet; the earlier code stops working."""
    _require_admin(actor, agency)
    _require_member(member, agency)
    member = User.objects.select_for_update().get(pk=member.pk)
    status = staff_status(member)
    if status == StaffStatus.DEACTIVATED:
        raise StaffRefused(StaffProblem.DEACTIVATED)
    if status != StaffStatus.AWAITING_ACTIVATION:
        raise StaffRefused(StaffProblem.ALREADY_ACTIVATED)
    code = _activation_code(member)
    audit_record(
        action="accounts.staff.activation-code-sent",
        actor=_actor(actor),
        subject_type="user",
        subject_id=str(member.uuid),
        data={"agency": agency},
    )
    return code


@transaction.atomic
def staff_role_grant(
    *, actor: User, agency: str, member: User, role: str, office: str = ""
) -> StaffMembership:
    _require_admin(actor, agency)
    _roles_checked([role])
    _require_member(member, agency)
    office = office.strip()
    if StaffMembership.objects.filter(user=member, agency=agency, role=role, office=office).exists():
        raise StaffRefused(StaffProblem.ROLE_HELD)
    membership = StaffMembership.objects.create(
        user=member, role=role, agency=agency, office=office, granted_by=_actor(actor)
    )
    audit_record(
        action="accounts.staff.role-granted",
        actor=_actor(actor),
        subject_type="user",
        subject_id=str(member.uuid),
        data={"agency": agency, "role": role, "office": office},
    )
    return membership


@transaction.atomic
def staff_role_withdraw(*, actor: User, agency: str, member: User, role: str, office: str = "") -> None:
    """Take back one role in the agency. An administrator keeps at least one administrator role of their own."""
    _require_admin(actor, agency)
    _roles_checked([role])
    # Locking the administrator's own rows makes two withdrawals at once wait for each other.
    own_admin_roles = list(
        StaffMembership.objects.select_for_update().filter(
            user=actor, agency=agency, role=StaffRole.AGENCY_ADMIN
        )
    )
    membership = (
        StaffMembership.objects.select_for_update()
        .filter(user=member, agency=agency, role=role, office=office.strip())
        .first()
    )
    if membership is None:
        raise StaffRefused(StaffProblem.NO_SUCH_ROLE)
    if member.pk == actor.pk and role == StaffRole.AGENCY_ADMIN and len(own_admin_roles) <= 1:
        raise StaffRefused(StaffProblem.LAST_ADMIN_ROLE)
    membership.delete()
    audit_record(
        action="accounts.staff.role-withdrawn",
        actor=_actor(actor),
        subject_type="user",
        subject_id=str(member.uuid),
        data={"agency": agency, "role": role, "office": membership.office},
    )


def _require_only_here(actor: User, agency: str, member: User) -> None:
    """Switching an account off reaches every agency it works for: only one that works for this one alone."""
    _require_admin(actor, agency)
    if member.pk == actor.pk:
        raise StaffRefused(StaffProblem.SELF)
    _require_member(member, agency)
    if StaffMembership.objects.filter(user=member).exclude(agency=agency).exists():
        raise StaffRefused(StaffProblem.WORKS_ELSEWHERE)


@transaction.atomic
def staff_member_deactivate(*, actor: User, agency: str, member: User) -> None:
    """The account stops working at once: every session it has, in every process, ends with it."""
    _require_only_here(actor, agency, member)
    member = User.objects.select_for_update().get(pk=member.pk)
    if not member.is_active:
        return
    member.is_active = False
    member.session_generation += 1
    member.save(update_fields=["is_active", "session_generation"])
    ended = UserSession.objects.filter(user=member, ended_at=None).update(ended_at=timezone.now())
    audit_record(
        action="accounts.staff.deactivated",
        actor=_actor(actor),
        subject_type="user",
        subject_id=str(member.uuid),
        data={"agency": agency, "sessions": ended},
    )


@transaction.atomic
def staff_member_reactivate(*, actor: User, agency: str, member: User) -> None:
    _require_only_here(actor, agency, member)
    member = User.objects.select_for_update().get(pk=member.pk)
    if member.is_active:
        return
    member.is_active = True
    member.save(update_fields=["is_active"])
    audit_record(
        action="accounts.staff.reactivated",
        actor=_actor(actor),
        subject_type="user",
        subject_id=str(member.uuid),
        data={"agency": agency},
    )


def staff_activate(*, username: str, attempt: str, password: str, address: str) -> User:
    """A new member sets their password with the code texted to them; the phone counts as confirmed.

    Raises SignInRefused (too many tries from this address), ValidationError (a weak password, checked before
    the code so a weak password never uses the code up) or CodeRefused. A user name with no account waiting
    is answered like a wrong code.
    """
    verdict = hit(ACTIVATE_LIMIT, address)
    if not verdict.allowed:
        raise SignInRefused(SignInProblem.TOO_MANY_FROM_HERE, verdict.retry_after)
    name = username.strip().lower()
    member = User.objects.filter(username=name, is_active=True).first()
    if member is not None and (member.has_usable_password() or not is_staff_member(member)):
        member = None
    validate_password(password, member or User(username=name))
    record = (
        OneTimeCode.objects.filter(user=member, purpose=OneTimeCode.Purpose.ACTIVATE)
        .order_by("-created_at")
        .first()
        if member
        else None
    )
    if record is None:
        raise CodeRefused(CodeProblem.WRONG)
    # Not inside the transaction below: a wrong attempt must stay counted when this raises.
    code_check(record_uuid=record.uuid, attempt=attempt)
    with transaction.atomic():
        member = User.objects.select_for_update().get(pk=member.pk)
        member.set_password(password)
        member.mobile, member.mobile_verified_at = record.destination, timezone.now()
        member.save(update_fields=["password", "mobile", "mobile_verified_at"])
        audit_record(
            action="accounts.staff.activated",
            actor=_actor(member),
            subject_type="user",
            subject_id=str(member.uuid),
        )
    return member

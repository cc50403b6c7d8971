"""Who may do what. Every check is a plain function of the user and the object; nothing can switch one off."""

from django.conf import settings

from .assurance import Level
from .models import Delegation, StaffMembership, StaffRole, User

AGENCY_ROLES = {StaffRole.OFFICER, StaffRole.SUPERVISOR, StaffRole.AGENCY_ADMIN}
# What an agency administrator may hand out, and only in their own agency; platform-wide roles are given
# by platform administrators.
GRANTABLE_ROLES = (StaffRole.OFFICER, StaffRole.SUPERVISOR, StaffRole.AGENCY_ADMIN, StaffRole.CENTRE_AGENT)
# The people who handle the papers; an agency administrator manages staff and records nothing by default.
DELEGATION_RECORDING_ROLES = {StaffRole.OFFICER, StaffRole.SUPERVISOR}


def _roles(user: User, *, agency: str | None = None) -> set[str]:
    if not user.is_authenticated or not user.is_active:
        return set()
    memberships = StaffMembership.objects.filter(user=user)
    if agency is not None:
        memberships = memberships.filter(agency=agency)
    return set(memberships.values_list("role", flat=True))


def is_staff_member(user: User) -> bool:
    return bool(_roles(user))


def can_work_on_agency_cases(user: User, *, agency: str) -> bool:
    """Officers, supervisors and admins of that agency, and no one else."""
    return bool(_roles(user, agency=agency) & AGENCY_ROLES)


def can_supervise_agency(user: User, *, agency: str) -> bool:
    return bool(_roles(user, agency=agency) & {StaffRole.SUPERVISOR, StaffRole.AGENCY_ADMIN})


def can_manage_agency_staff(user: User, *, agency: str) -> bool:
    return StaffRole.AGENCY_ADMIN in _roles(user, agency=agency)


def can_record_child_delegations(user: User, *, agency: str) -> bool:
    """Parents and guardians of minors are recorded from the civil register, by the agencies that keep it."""
    return agency in settings.BAWABA_CHILD_DELEGATION_AGENCIES and bool(
        _roles(user, agency=agency) & DELEGATION_RECORDING_ROLES
    )


def can_record_company_delegations(user: User, *, agency: str) -> bool:
    """Company representatives are recorded from the commercial register, by the agencies that keep it."""
    return agency in settings.BAWABA_COMPANY_DELEGATION_AGENCIES and bool(
        _roles(user, agency=agency) & DELEGATION_RECORDING_ROLES
    )


def can_record_delegation_kind(user: User, *, agency: str, kind: str) -> bool:
    check = {
        Delegation.Kind.MINOR_CHILD: can_record_child_delegations,
        Delegation.Kind.COMPANY: can_record_company_delegations,
    }.get(kind)
    return bool(check and check(user, agency=agency))


def can_see_agency_delegations(user: User, *, agency: str) -> bool:
    """The lists of what an agency recorded are for those who record there."""
    return can_record_child_delegations(user, agency=agency) or can_record_company_delegations(
        user, agency=agency
    )


def can_read_audit_log(user: User) -> bool:
    return bool(_roles(user) & {StaffRole.AUDITOR, StaffRole.PLATFORM_ADMIN})


def can_manage_notifications(user: User) -> bool:
    """The wording of every notice and the message log of the whole platform: platform administrators only."""
    return StaffRole.PLATFORM_ADMIN in _roles(user)


def can_reconcile_payments(user: User) -> bool:
    """The gateways' settlement against our payments, and resolving what differs: finance staff and platform
    administrators."""
    return bool(_roles(user) & {StaffRole.FINANCE, StaffRole.PLATFORM_ADMIN})


def can_use_django_admin(user: User, *, session_level: Level) -> bool:
    """Platform administrators only, and only with a second factor in this session."""
    return StaffRole.PLATFORM_ADMIN in _roles(user) and session_level >= Level.SUBSTANTIAL


def staff_needs_second_factor(user: User, *, session_level: Level) -> bool:
    """Staff work on other people's data: a password alone never opens a staff page."""
    return is_staff_member(user) and session_level < Level.SUBSTANTIAL

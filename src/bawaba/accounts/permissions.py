"""Who may do what. Every check is a plain function of the user and the object; nothing can switch one off."""

from .assurance import Level
from .models import StaffMembership, StaffRole, User

AGENCY_ROLES = {StaffRole.OFFICER, StaffRole.SUPERVISOR, StaffRole.AGENCY_ADMIN}


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


def can_read_audit_log(user: User) -> bool:
    return bool(_roles(user) & {StaffRole.AUDITOR, StaffRole.PLATFORM_ADMIN})


def can_use_django_admin(user: User, *, session_level: Level) -> bool:
    """Platform administrators only, and only with a second factor in this session."""
    return StaffRole.PLATFORM_ADMIN in _roles(user) and session_level >= Level.SUBSTANTIAL


def staff_needs_second_factor(user: User, *, session_level: Level) -> bool:
    """Staff work on other people's data: a password alone never opens a staff page."""
    return is_staff_member(user) and session_level < Level.SUBSTANTIAL

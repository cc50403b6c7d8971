"""Who may see an application and in which role they act on it. Plain functions; nothing switches them off."""

from bawaba.accounts.delegation import delegation_active, delegation_allows
from bawaba.accounts.models import StaffRole, User
from bawaba.accounts.permissions import can_supervise_agency, can_work_on_agency_cases

from .models import Application


def acts_for_applicant(user: User, application: Application) -> bool:
    """The applicant, whoever filed it, or someone a delegation in force lets act for the applicant here."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.pk in (application.applicant_id, application.filed_by_id):
        return True
    return any(
        d.principal_id == application.applicant_id
        and delegation_allows(d, service_code=application.service.code)
        for d in delegation_active(agent=user)
    )


def role_on(user: User, application: Application) -> str | None:
    """ "citizen", "supervisor", "officer" or None. Staff never act as officers on their own applications."""
    if acts_for_applicant(user, application):
        return "citizen"
    if can_supervise_agency(user, agency=application.agency):
        return "supervisor"
    if can_work_on_agency_cases(user, agency=application.agency):
        return "officer"
    return None


def can_file_for(user: User, *, applicant: User, service_code: str) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.pk == applicant.pk:
        return True
    return any(
        d.principal_id == applicant.pk and delegation_allows(d, service_code=service_code)
        for d in delegation_active(agent=user)
    )


# The agency's side -----------------------------------------------------------------------------------------

STAFF_ROLES = ("officer", "supervisor")


def staff_role_on(user: User, application: Application) -> str | None:
    """ "supervisor" or "officer" when the user works on this application for its agency; None otherwise,
    and None for their own applications (or those they act on for someone), whatever their roles."""
    role = role_on(user, application)
    return role if role in STAFF_ROLES else None


def can_see_agency_queue(user: User, *, agency: str) -> bool:
    return can_work_on_agency_cases(user, agency=agency)


def can_supervise_agency_queue(user: User, *, agency: str) -> bool:
    return can_supervise_agency(user, agency=agency)


def can_claim(user: User, application: Application) -> bool:
    return (
        staff_role_on(user, application) is not None
        and application.assignee_id is None
        and application.closed_at is None
    )


def can_assign(user: User, application: Application) -> bool:
    return staff_role_on(user, application) == "supervisor" and application.closed_at is None


def can_release(user: User, application: Application) -> bool:
    """The officer it is assigned to hands it back; a supervisor may take it off anyone."""
    role = staff_role_on(user, application)
    if role is None or application.assignee_id is None:
        return False
    return role == "supervisor" or application.assignee_id == user.pk


def can_be_assigned(candidate: User, application: Application) -> bool:
    """An active officer or supervisor of the application's agency, who is not the applicant's side."""
    return (
        candidate.is_active
        and candidate.staff_memberships.filter(
            agency=application.agency, role__in=[StaffRole.OFFICER, StaffRole.SUPERVISOR]
        ).exists()
        and staff_role_on(candidate, application) is not None
    )


def can_add_note(user: User, application: Application) -> bool:
    return staff_role_on(user, application) is not None

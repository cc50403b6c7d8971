"""Who may see an application and in which role they act on it. Plain functions; nothing switches them off."""

from bawaba.accounts.delegation import delegation_active, delegation_allows
from bawaba.accounts.models import User
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

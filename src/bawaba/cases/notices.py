"""What the people an application concerns are told, in the same transaction as the change that tells it.

The applicant hears of their filing and of every state whose workflow definition names a notice (`notify:` in
workflows/definitions/*.yaml, or a service's own workflow); the assignee and the agency's supervisors hear when
an application runs past its time.
"""

from datetime import datetime

from django.db.models import Q
from django.utils import formats, timezone, translation

from bawaba.accounts.models import StaffMembership, StaffRole, User
from bawaba.core.i18n import localized
from bawaba.core.money import Money
from bawaba.notifications.services import notify
from bawaba.workflows.engine import Workflow

from .models import Application

__all__ = ["applicant_tell", "breach_tell", "moved_tell"]


def _values(application: Application, language: str, *, text: str, now: datetime) -> dict[str, str]:
    """Every placeholder an application's notices use, in the recipient's language."""
    local = timezone.localtime(now)
    service = application.service
    with translation.override(language):
        return {
            "reference": application.reference,
            "service": localized(service, "name", language),
            "date": formats.date_format(local, "j F Y"),
            "time": formats.time_format(local, "H:i"),
            "message": text,
            "reason": text,
            "place": localized(service.agency, "name", language),
            "amount": Money(application.fees_due, application.currency).format(language)
            if application.currency
            else "",
        }


def applicant_tell(
    application: Application, notice: str, *, text: str = "", now: datetime | None = None
) -> None:
    applicant = application.applicant
    notify(
        notice=notice,
        recipient=applicant,
        values=_values(application, applicant.preferred_language, text=text, now=now or timezone.now()),
        reference=application.reference,
    )


def moved_tell(
    application: Application, workflow: Workflow, *, text: str = "", now: datetime | None = None
) -> None:
    """After a move: the notice of the state it reached, if its workflow names one."""
    if notice := workflow.states[application.state].notify:
        applicant_tell(application, notice, text=text, now=now)


def breach_tell(application: Application, *, days: int, now: datetime | None = None) -> None:
    """The assignee, and every supervisor of the agency, hear that an application is late."""
    supervisors = StaffMembership.objects.filter(agency=application.agency, role=StaffRole.SUPERVISOR)
    people = User.objects.filter(
        Q(pk__in=supervisors.values("user")) | Q(pk=application.assignee_id), is_active=True
    ).distinct()
    now = now or timezone.now()
    for person in people:
        values = _values(application, person.preferred_language, text="", now=now)
        notify(
            notice="application.sla-breached",
            recipient=person,
            values={**values, "days": str(days)},
            reference=application.reference,
        )

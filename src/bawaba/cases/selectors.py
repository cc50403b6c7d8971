"""Reading applications for the people they belong to, and the one public question anyone may ask.

Always scoped by who asks: the applicant, whoever filed for them, or someone a delegation in force lets act
for the applicant (`permissions.acts_for_applicant`). An application someone may not see is answered exactly
like one that does not exist. Public tracking reveals where an application stands and nothing else.
"""

import hmac
import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone

from bawaba.accounts.delegation import delegation_active
from bawaba.accounts.models import Delegation, User
from bawaba.audit.services import audit_record
from bawaba.core.text import western_digits
from bawaba.workflows.engine import State, Transition, Workflow

from .models import Application, TimelineEntry
from .permissions import acts_for_applicant
from .service_parts import workflow_facts, workflow_for

__all__ = [
    "REFERENCE",
    "NextStep",
    "Tracked",
    "application_open",
    "application_track",
    "applications_of",
    "citizen_actions",
    "next_step",
    "normalised_reference",
    "timeline_for_applicant",
]

# All the list reads, and nothing more: a citizen's list is the page they come back to most, and loading whole
# applications, services and accounts (answers, definitions, catalogue texts) made each row cost several times it.
_LIST_FIELDS = (
    "uuid",
    "reference",
    "state",
    "clock",
    "due_on",
    "fees_due",
    "fees_paid",
    "submitted_at",
    "filed_by",
    "service__name_ar",
    "service__name_en",
    "service__sla_working_days",
    "service_version__content_hash",
    "applicant__first_name",
    "applicant__last_name",
    "applicant__national_id",
)
# Six digits at least: past the year's 999,999th application, reference_next gives seven.
REFERENCE = re.compile(r"BWB-\d{4}-\d{6,9}")


def _delegation_in_force(user: User, delegation: Delegation) -> bool:
    return delegation.agent_id == user.pk and any(
        d.pk == delegation.pk for d in delegation_active(agent=user)
    )


def applications_of(*, user: User, acting_for: Delegation | None = None) -> QuerySet[Application]:
    """Newest first. Acting for someone: their applications that the delegation covers. Otherwise the person's
    own applications and those they filed for someone else. Loads what the list shows (see _LIST_FIELDS)."""
    if not user.is_authenticated or not user.is_active:
        return Application.objects.none()
    if acting_for is not None:
        if acting_for.principal_id is None or not _delegation_in_force(user, acting_for):
            return Application.objects.none()
        found = Application.objects.filter(applicant_id=acting_for.principal_id)
        if acting_for.services:
            found = found.filter(service__code__in=acting_for.services)
    else:
        found = Application.objects.filter(Q(applicant=user) | Q(filed_by=user))
    return (
        found.select_related("service", "service_version", "applicant")
        .only(*_LIST_FIELDS)
        .order_by("-submitted_at", "-pk")
    )


def application_open(*, user: User, uuid) -> Application | None:
    """The application if this person may see it, else None (also for a UUID that names nothing).

    Opening someone else's application (as their delegate, or as whoever filed it) is recorded for them.
    """
    try:
        application = (
            Application.objects.select_related("service", "service_version", "applicant", "filed_by")
            .filter(uuid=uuid)
            .first()
        )
    except ValidationError:  # not a UUID at all
        return None
    if application is None or not acts_for_applicant(user, application):
        return None
    if application.applicant_id != user.pk:
        audit_record(
            action="cases.application.opened",
            actor=f"user:{user.uuid}",
            on_behalf_of=f"user:{application.applicant.uuid}",
            subject_type="application",
            subject_id=str(application.uuid),
            data={"reference": application.reference, "service": application.service.code},
        )
    return application


def timeline_for_applicant(application: Application) -> list[TimelineEntry]:
    """The steps the applicant may see, oldest first, with what was written at each."""
    return list(application.timeline.filter(visible_to_applicant=True).order_by("at", "pk"))


def citizen_actions(application: Application, *, user: User) -> list[Transition]:
    """What the applicant (or their delegate) can do now, as the workflow lists it."""
    if not acts_for_applicant(user, application):
        return []
    workflow = workflow_for(application.service_version)
    return workflow.actions(application.state, "citizen", workflow_facts(application, actor=user))


class NextStep:
    """What the applicant has to do for the application to move on, if anything."""

    ANSWER = "answer"  # the agency asked a question
    PAY = "pay"  # the fee is due before the agency starts or issues
    COLLECT = "collect"  # the document waits at a service centre


def next_step(application: Application, workflow: Workflow) -> str | None:
    if workflow.is_terminal(application.state):
        return None
    citizen_moves = {
        t.action for t in workflow.transitions if application.state in t.sources and "citizen" in t.actors
    }
    if "answer" in citizen_moves:
        return NextStep.ANSWER
    fees_outstanding = application.fees_due > 0 and not application.fees_paid
    # The workflow waits for the fee where its next move is the system's, once the fees are settled.
    waits_for_fee = any(
        t.automatic and t.guard == "fees-settled" and application.state in t.sources
        for t in workflow.transitions
    )
    if fees_outstanding and waits_for_fee:
        return NextStep.PAY
    if application.state == "ready-for-collection":
        return NextStep.COLLECT
    return None


@dataclass(frozen=True)
class Tracked:
    """All public tracking tells: which service, where it stands, since when."""

    service_name: dict[str, str]
    state: State
    updated_on: date


def normalised_reference(text: str) -> str:
    """What people type for a reference: Arabic digits, lower case, spaces, other dashes."""
    cleaned = western_digits(text or "").upper().replace(" ", "")
    return re.sub(r"[\u2010-\u2015\u2212_]", "-", cleaned)


def application_track(*, reference: str, national_id_last_four: str) -> Tracked | None:
    """The application with this reference whose applicant's national ID ends in these four digits.

    None whether the reference names nothing or the digits are wrong: a caller cannot tell the two apart.
    The caller rate-limits.
    """
    reference = normalised_reference(reference)
    digits = western_digits(national_id_last_four or "").strip()
    if not REFERENCE.fullmatch(reference) or not re.fullmatch(r"\d{4}", digits):
        return None
    application = (
        Application.objects.select_related("service", "service_version", "applicant")
        .only(
            "reference",
            "state",
            "state_since",
            "service__name_ar",
            "service__name_en",
            "service_version__content_hash",
            "applicant__national_id",
        )
        .filter(reference=reference)
        .first()
    )
    national_id = application.applicant.national_id if application is not None else ""
    # Compared in constant time, and against a stand-in when there is no application, so that neither the
    # answer nor its timing says which of the two was wrong.
    expected = (national_id or "")[-4:] or "\x00" * 4
    if not hmac.compare_digest(expected.encode(), digits.encode()) or application is None:
        return None
    workflow = workflow_for(application.service_version)
    return Tracked(
        service_name={"ar": application.service.name_ar, "en": application.service.name_en},
        state=workflow.states[application.state],
        updated_on=timezone.localdate(application.state_since),
    )

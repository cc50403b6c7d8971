"""Filing an application and moving it on: each change checked, applied, recorded and announced at once.

Every change runs in one transaction that writes the application, its timeline entry, the audit entry and the
domain event, so either all of it happened or none of it did.
"""

from datetime import datetime
from enum import StrEnum

from django.db import IntegrityError, transaction
from django.utils import timezone

from bawaba.accounts.models import User
from bawaba.audit.services import audit_record
from bawaba.catalogue.models import Service, ServiceVersion
from bawaba.core.business_calendar import calendar_from_settings
from bawaba.core.references import reference_next
from bawaba.events.services import event_emit
from bawaba.forms.engine import FieldError
from bawaba.workflows.engine import Clock, Transition, TransitionRefused, Workflow
from bawaba.workflows.sla import sla_status

from .applicant_facts import applicant_facts
from .deadlines import working_days_before
from .eligibility import Verdict, judge
from .models import Application, TimelineEntry
from .notices import applicant_tell, moved_tell
from .permissions import can_file_for, role_on
from .service_parts import FILEABLE_KINDS, fees_due, form_for, workflow_facts, workflow_for

__all__ = [
    "ActionRefused",
    "SubmissionProblem",
    "SubmissionRefused",
    "application_act",
    "application_submit",
    "eligibility_of",
]


type History = list[tuple[str, datetime]]  # (state entered, when), oldest first


class SubmissionProblem(StrEnum):
    NOT_FILEABLE = "not-fileable"
    NOT_ALLOWED = "not-allowed"
    NOT_ELIGIBLE = "not-eligible"
    STALE_VERSION = "stale-version"
    INVALID = "invalid"


class SubmissionRefused(Exception):
    def __init__(
        self,
        problem: SubmissionProblem,
        *,
        errors: list[FieldError] | None = None,
        verdict: Verdict | None = None,
    ):
        super().__init__(problem.value)
        self.problem, self.errors, self.verdict = problem, errors or [], verdict


class ActionRefused(Exception):
    """`problem` is a workflow refusal (see workflows.engine.Refusal), "forbidden" or "conflict"."""

    def __init__(self, problem: str, *, detail: tuple[str, ...] = ()):
        super().__init__(problem)
        self.problem, self.detail = problem, detail


def eligibility_of(*, service: Service, applicant: User) -> Verdict:
    conditions = (service.current_version.definition.get("eligibility") or {}).get("conditions", [])
    return judge(conditions, applicant_facts(applicant))


def _due_on(application: Application, workflow: Workflow, now: datetime, history: History | None):
    """The last working day for the agency, while the SLA clock runs; None while it is paused or stopped."""
    if workflow.states[application.state].clock != Clock.RUNNING:
        return None
    if history is None:
        history = [(e.to_state, e.at) for e in application.timeline.all()]
    calendar, zone = calendar_from_settings(), timezone.get_current_timezone()
    status = sla_status(
        workflow=workflow,
        history=history,
        now=now,
        allowed_working_days=application.service.sla_working_days,
        calendar=calendar,
        zone=zone,
    )
    if status.due is None:
        # Already past it: the day it fell due stays the date, so the queue still sorts it first.
        return working_days_before(calendar, now.astimezone(zone).date(), status.used - status.allowed)
    return status.due


def deadline_fields_set(
    application: Application, workflow: Workflow, now: datetime, *, history: History | None = None
) -> None:
    """After a move: what the SLA clock does now, the due date, and when it closed if it is final.
    `history` is the timeline's (state, time) pairs when the caller has them; otherwise they are read."""
    state = workflow.states[application.state]
    application.clock = state.clock
    application.closed_at = (application.closed_at or now) if state.terminal else None
    application.due_on = _due_on(application, workflow, now, history)


def move_entry(
    application: Application, transition: Transition, *, actor: str, role: str, text: str, now: datetime
) -> TimelineEntry:
    """Move the application (in memory) and return the timeline entry that records it, not yet saved."""
    entry = TimelineEntry(
        application=application,
        at=now,
        action=transition.action,
        from_state=application.state,
        to_state=transition.target,
        actor=actor,
        role=role,
        text=text,
    )
    application.state = transition.target
    application.state_since = now
    return entry


def move_record(
    application: Application, transition: Transition, *, actor: str, role: str, text: str, now: datetime
) -> None:
    move_entry(application, transition, actor=actor, role=role, text=text, now=now).save()


def _system_moves(application: Application, workflow: Workflow, now: datetime) -> list[TimelineEntry]:
    """The system's own moves: instant issuance, asking for payment, recording it."""
    return [
        move_entry(application, transition, actor="system", role="system", text="", now=now)
        for transition in workflow.settle(application.state, workflow_facts(application))
    ]


def system_moves_settle(application: Application, workflow: Workflow, now: datetime) -> None:
    TimelineEntry.objects.bulk_create(_system_moves(application, workflow, now))


def application_submit(
    *,
    service: Service,
    version: ServiceVersion,
    applicant: User,
    filed_by: User,
    answers: dict,
    submission_key: str,
) -> Application:
    """Raises SubmissionRefused. Submitting the same key again returns the application already filed."""
    earlier = Application.objects.filter(filed_by=filed_by, submission_key=submission_key).first()
    if earlier is not None:
        return earlier
    if service.kind not in FILEABLE_KINDS:
        raise SubmissionRefused(SubmissionProblem.NOT_FILEABLE)
    if not can_file_for(filed_by, applicant=applicant, service_code=service.code):
        raise SubmissionRefused(SubmissionProblem.NOT_ALLOWED)
    if version.pk != service.current_version_id:
        # The service changed while the citizen was filling in the form: they check it against the new one.
        raise SubmissionRefused(SubmissionProblem.STALE_VERSION)
    verdict = eligibility_of(service=service, applicant=applicant)
    if not verdict.eligible:
        raise SubmissionRefused(SubmissionProblem.NOT_ELIGIBLE, verdict=verdict)
    checked = form_for(version).clean_all(answers)
    if not checked.ok:
        raise SubmissionRefused(SubmissionProblem.INVALID, errors=checked.errors)
    workflow = workflow_for(version)
    fees, currency = fees_due(version.definition, checked.values, applicant=applicant)
    now = timezone.now()
    application = Application(
        service=service,
        service_version=version,
        agency=service.agency.code,
        applicant=applicant,
        filed_by=filed_by,
        workflow=workflow.code,
        state=workflow.initial,
        state_since=now,
        answers=checked.values,
        fees_due=fees,
        currency=currency,
        submitted_at=now,
        submission_key=submission_key,
    )
    # Everything is worked out before the first write, so each row is written once and the reference counter,
    # which every filing waits on, is held for as short a time as can be.
    timeline = [
        TimelineEntry(
            application=application,
            at=now,
            action="submit",
            to_state=workflow.initial,
            actor=f"user:{filed_by.uuid}",
            role="citizen",
        )
    ]
    timeline += _system_moves(application, workflow, now)
    deadline_fields_set(application, workflow, now, history=[(e.to_state, e.at) for e in timeline])
    # Refusals all come before this point; the writes need no savepoint of their own in the caller's transaction.
    with transaction.atomic(savepoint=False):
        try:
            with transaction.atomic():
                application.reference = reference_next()
                application.save(force_insert=True)
        except IntegrityError:
            # The same submission arrived twice at the same moment: the other one was filed.
            return Application.objects.get(filed_by=filed_by, submission_key=submission_key)
        TimelineEntry.objects.bulk_create(timeline)
        on_behalf_of = f"user:{applicant.uuid}" if applicant.pk != filed_by.pk else ""
        audit_record(
            action="cases.application.submitted",
            actor=f"user:{filed_by.uuid}",
            subject_type="application",
            subject_id=str(application.uuid),
            data={"reference": application.reference, "service": service.code},
            on_behalf_of=on_behalf_of,
        )
        applicant_tell(application, "application.submitted", now=now)
        if application.state != workflow.initial:
            moved_tell(application, workflow, now=now)  # the system's own moves at filing, such as a refusal
        event_emit(
            name="application.submitted",
            payload={
                "application": str(application.uuid),
                "reference": application.reference,
                "service": service.code,
                "agency": application.agency,
                "applicant": str(applicant.uuid),
                "state": application.state,
            },
        )
        return application


@transaction.atomic
def application_act(
    *, application_uuid, revision: int, action: str, user: User, inputs: dict | None = None
) -> Application:
    """Take `action` on the application as it was at `revision`. Raises ActionRefused."""
    inputs = inputs or {}
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("service__agency", "service_version", "proposed_by", "applicant")
        .filter(uuid=application_uuid)
        .first()
    )
    role = role_on(user, application) if application is not None else None
    if role is None:
        raise ActionRefused("forbidden")
    if application.revision != revision:
        # Someone acted on it since this person loaded it: they see the new state before deciding.
        raise ActionRefused("conflict")
    workflow = workflow_for(application.service_version)
    try:
        transition = workflow.take(
            application.state,
            action,
            actor=role,
            facts=workflow_facts(application, actor=user),
            inputs=inputs,
        )
    except TransitionRefused as refused:
        raise ActionRefused(str(refused.refusal), detail=refused.detail) from None
    now = timezone.now()
    before = application.state
    text = next((str(inputs[name]).strip() for name in transition.requires if inputs.get(name)), "")
    move_record(application, transition, actor=f"user:{user.uuid}", role=role, text=text, now=now)
    application.proposed_by = user if transition.guard == "four-eyes-required" else None
    system_moves_settle(application, workflow, now)
    application.revision += 1
    deadline_fields_set(application, workflow, now)
    application.save()
    audit_record(
        action=f"cases.application.{transition.action}",
        actor=f"user:{user.uuid}",
        subject_type="application",
        subject_id=str(application.uuid),
        data={"reference": application.reference, "from": before, "to": application.state, "role": role},
    )
    state_changed_emit(application, action=transition.action, before=before, workflow=workflow, text=text)
    return application


def state_changed_emit(
    application: Application, *, action: str, before: str, workflow: Workflow, text: str = ""
) -> None:
    """The event every move announces, whoever made it (subscribers such as search read this shape), and the
    applicant's notice of the state it reached."""
    moved_tell(application, workflow, text=text)
    event_emit(
        name="application.state-changed",
        payload={
            "application": str(application.uuid),
            "reference": application.reference,
            "service": application.service.code,
            "agency": application.agency,
            "applicant": str(application.applicant.uuid),
            "action": action,
            "from": before,
            "to": application.state,
        },
    )

"""What the system does on the clock: flag applications past their due date for the supervisor, and take the
workflows' timed moves (closing a request the applicant left unanswered, an unpaid one…).

Both are idempotent: each application is locked and checked again before anything is written, so two sweeps
at once, or one run again after a failure, change each application once. Each application is its own
transaction, with its timeline entry, audit entry and event.
"""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from bawaba.audit.services import audit_record
from bawaba.catalogue.models import ServiceVersion
from bawaba.core.business_calendar import calendar_from_settings
from bawaba.events.services import event_emit
from bawaba.workflows.engine import Clock

from .deadlines import last_working_day, working_days_before
from .models import Application, TimelineEntry
from .notices import breach_tell
from .service_parts import workflow_facts, workflow_for
from .services import deadline_fields_set, move_record, state_changed_emit, system_moves_settle

__all__ = ["sla_breaches_flag", "timed_moves_take"]


def sla_breaches_flag(*, now: datetime | None = None) -> list[str]:
    """Flag every application whose due date has passed and is not flagged yet; returns their references."""
    now = now or timezone.now()
    calendar = calendar_from_settings()
    worked_up_to = last_working_day(calendar, timezone.localdate(now))
    overdue = {"clock": Clock.RUNNING, "due_on__lt": worked_up_to, "sla_breached_at__isnull": True}
    flagged = []
    for pk in list(
        Application.objects.filter(**overdue).order_by("due_on", "pk").values_list("pk", flat=True)
    ):
        with transaction.atomic():
            application = (
                Application.objects.select_for_update(of=("self",))
                .select_related("service__agency", "assignee")
                .filter(pk=pk, **overdue)
                .first()
            )
            if application is None:
                continue  # acted on, paused or flagged since the list was read
            application.sla_breached_at = now
            application.save(update_fields=["sla_breached_at", "updated_at"])
            TimelineEntry.objects.create(
                application=application,
                at=now,
                action="sla-breached",
                from_state=application.state,
                to_state=application.state,
                actor="system",
                role="system",
                visible_to_applicant=False,
            )
            audit_record(
                action="cases.application.sla-breached",
                actor="system",
                subject_type="application",
                subject_id=str(application.uuid),
                data={"reference": application.reference, "due_on": application.due_on.isoformat()},
            )
            event_emit(
                name="application.sla-breached",
                payload={
                    "application": str(application.uuid),
                    "reference": application.reference,
                    "service": application.service.code,
                    "agency": application.agency,
                    "state": application.state,
                    "due_on": application.due_on.isoformat(),
                    "assignee": str(application.assignee.uuid) if application.assignee else None,
                },
            )
            breach_tell(
                application, days=calendar.working_days_between(application.due_on, worked_up_to), now=now
            )
            flagged.append(application.reference)
    return flagged


def timed_moves_take(*, now: datetime | None = None) -> list[str]:
    """Take every timed move whose time has come; returns the references of the applications moved."""
    now = now or timezone.now()
    calendar, zone = calendar_from_settings(), timezone.get_current_timezone()
    today = timezone.localdate(now)
    moved = []
    for version in ServiceVersion.objects.only("pk", "content_hash").order_by("pk"):
        workflow = workflow_for(version)
        for transition in workflow.transitions:
            if transition.after_working_days is None:
                continue
            # Entered on the day `after` working days back, or on the days off just after it, or before.
            entered_by = working_days_before(calendar, today, transition.after_working_days)
            before = calendar.next_working_day(entered_by + timedelta(days=1))
            candidates = Application.objects.filter(
                service_version_id=version.pk,
                state__in=transition.sources,
                state_since__lt=datetime.combine(before, time(0), zone),
            ).values_list("pk", flat=True)
            for pk in list(candidates):
                if (reference := _take_timed(pk, version.pk, calendar, now)) is not None:
                    moved.append(reference)
    return moved


@transaction.atomic
def _take_timed(pk: int, version_pk: int, calendar, now: datetime) -> str | None:
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("service__agency", "service_version", "applicant", "proposed_by")
        .filter(pk=pk, service_version_id=version_pk)
        .first()
    )
    if application is None:
        return None
    workflow = workflow_for(application.service_version)
    if workflow.is_terminal(application.state):
        return None
    days = calendar.working_days_between(timezone.localdate(application.state_since), timezone.localdate(now))
    transition = workflow.overdue(application.state, days, workflow_facts(application))
    if transition is None:
        return None  # moved on since, or its time has not come
    before = application.state
    move_record(application, transition, actor="system", role="system", text="", now=now)
    application.proposed_by = None
    system_moves_settle(application, workflow, now)
    application.revision += 1
    deadline_fields_set(application, workflow, now)
    application.save()
    audit_record(
        action=f"cases.application.{transition.action}",
        actor="system",
        subject_type="application",
        subject_id=str(application.uuid),
        data={
            "reference": application.reference,
            "from": before,
            "to": application.state,
            "role": "system",
            "working_days": days,
        },
    )
    state_changed_emit(application, action=transition.action, before=before, workflow=workflow)
    return application.reference

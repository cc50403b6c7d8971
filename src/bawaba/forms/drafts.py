"""Drafts: a citizen's answers saved on the server at every step, so they can stop and resume on any device.

One draft per (person filing, applicant, service). It remembers the service version it was started under; when
the service has changed since, the answers that still fit are carried over to the new form. A draft is kept
BAWABA_DRAFT_DAYS after its last change; the citizen is told BAWABA_DRAFT_WARN_DAYS before it is deleted.
"""

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from bawaba.accounts.models import User
from bawaba.audit.services import audit_record
from bawaba.events.services import event_emit

from .attachments import attachment_errors, attachments_delete, attachments_of, attachments_orphaned
from .engine import Form, StepResult
from .models import Attachment, Draft
from .prefill import prefill

__all__ = [
    "DraftOpened",
    "draft_discard",
    "draft_filed",
    "draft_get",
    "draft_list",
    "draft_locked",
    "draft_open",
    "draft_report",
    "draft_step_move",
    "draft_step_save",
    "draft_submission_key",
    "draft_submitted",
    "drafts_expire",
    "drafts_warn",
]

REVIEW = "review"  # the step a draft is on once every question has been answered
# A filed draft is kept this long, so that a submission sent again (a retried request) lands on what it filed.
KEEP_FILED = timedelta(days=1)
NOTE_MAX = 1000


@dataclass(frozen=True)
class DraftOpened:
    draft: Draft
    created: bool  # a new draft, rather than one resumed
    rebased: bool  # resumed, but the service's form changed since it was started


def _lifetime() -> timedelta:
    return timedelta(days=settings.BAWABA_DRAFT_DAYS)


def draft_get(*, filed_by: User, applicant: User, service_code: str) -> Draft | None:
    """The draft for this service, including one just filed (see KEEP_FILED)."""
    return Draft.objects.filter(filed_by=filed_by, applicant=applicant, service_code=service_code).first()


def draft_filed(*, filed_by: User, service_code: str, application) -> Draft | None:
    """The draft filed as this application by this person, while it is kept (see KEEP_FILED)."""
    return Draft.objects.filter(filed_by=filed_by, service_code=service_code, application=application).first()


def draft_list(*, user: User) -> QuerySet[Draft]:
    """The forms this person has started and not yet filed, most recently changed first."""
    return Draft.objects.filter(filed_by=user, application__isnull=True, expires_at__gt=timezone.now())


def _first_step(form: Form, answers: Mapping) -> str:
    steps = form.visible_steps(answers)
    return steps[0].key if steps else REVIEW


def _authoritative(form: Form, applicant: User) -> dict:
    """The prefilled answers the citizen cannot change, as their sources give them now."""
    fresh = prefill(form, applicant)
    return {name: fresh.get(name) for name, spec in form.fields.items() if spec.read_only}


def _rebase(draft: Draft, form: Form, *, version_number: int, version_hash: str) -> None:
    """Carry the answers over to the service's new form: those to questions it no longer asks are dropped."""
    draft.answers = {name: value for name, value in draft.answers.items() if name in form.fields}
    if draft.step != REVIEW and draft.step not in {step.key for step in form.steps}:
        draft.step = _first_step(form, draft.answers)
    draft.version_number, draft.version_hash = version_number, version_hash


def _renew(draft: Draft) -> None:
    draft.expires_at = timezone.now() + _lifetime()
    draft.warned_at = None


@transaction.atomic
def draft_open(
    *,
    filed_by: User,
    applicant: User,
    service_code: str,
    version_number: int,
    version_hash: str,
    form: Form,
) -> DraftOpened:
    """Resume the draft for this service or start one, prefilled with what the platform knows."""
    draft = (
        Draft.objects.select_for_update()
        .filter(filed_by=filed_by, applicant=applicant, service_code=service_code)
        .first()
    )
    if draft is not None and (draft.submitted or draft.expires_at <= timezone.now()):
        _delete(draft)  # filed already, or past its time: this is a new application
        draft = None
    if draft is None:
        answers = prefill(form, applicant)
        draft = Draft(
            filed_by=filed_by,
            applicant=applicant,
            service_code=service_code,
            version_number=version_number,
            version_hash=version_hash,
            answers=answers,
            step=_first_step(form, answers),
        )
        _renew(draft)
        draft.save()
        return DraftOpened(draft, created=True, rebased=False)
    rebased = draft.version_hash != version_hash
    if rebased:
        _rebase(draft, form, version_number=version_number, version_hash=version_hash)
    # A registry may have corrected what it holds since the citizen started: they see its current answer.
    for name, value in _authoritative(form, applicant).items():
        if value in (None, ""):
            draft.answers.pop(name, None)
        else:
            draft.answers[name] = value
    _renew(draft)
    draft.save()
    return DraftOpened(draft, created=False, rebased=rebased)


@transaction.atomic
def draft_step_save(
    *, draft: Draft, form: Form, step: str, posted: Mapping[str, Sequence[str]], reached: str | None = None
) -> StepResult:
    """Check a step's posted answers and keep those that pass: the step's questions answered wrongly, or now
    hidden, are left unanswered. `reached` is the step the citizen goes to next, so they resume there."""
    locked = Draft.objects.select_for_update().get(pk=draft.pk)
    result = form.clean_step(step, posted, locked.answers)
    errors = result.errors + attachment_errors(form, result.values, draft=locked)
    bad = {error.field for error in errors}
    asked = set(form.step(step).fields)
    answers = {name: value for name, value in locked.answers.items() if name not in asked}
    answers.update({name: value for name, value in result.values.items() if name not in bad})
    locked.answers = answers
    if reached:
        locked.step = reached
    _renew(locked)
    locked.save()
    draft.answers, draft.step, draft.expires_at, draft.warned_at = (
        locked.answers,
        locked.step,
        locked.expires_at,
        None,
    )
    return StepResult(values=result.values, errors=errors)


def draft_locked(*, draft: Draft) -> Draft:
    """The draft read again and held until the caller's transaction ends: one submission at a time."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("a draft is locked inside the transaction that uses it")
    return Draft.objects.select_for_update().get(pk=draft.pk)


def draft_step_move(*, draft: Draft, step: str) -> None:
    """Record where the citizen is, without changing any answer."""
    Draft.objects.filter(pk=draft.pk).update(step=step)
    draft.step = step


@transaction.atomic
def draft_submission_key(*, draft: Draft) -> str:
    """The key the review page submits with: the same for every showing of it until the draft is filed, so a
    second tab or a double click submits the same application."""
    locked = Draft.objects.select_for_update().get(pk=draft.pk)
    if not locked.submission_key:
        locked.submission_key = secrets.token_urlsafe(32)
        locked.save(update_fields=["submission_key"])
    draft.submission_key = locked.submission_key
    return locked.submission_key


@transaction.atomic(savepoint=False)
def draft_submitted(
    *, draft: Draft, form: Form, application_uuid, reference: str, agency: str, filed_answers: Mapping
) -> None:
    """The draft was filed: its files become the application's documents, the rest is let go."""
    kept = attachments_of(filed_answers, form)
    Attachment.objects.filter(draft=draft, uuid__in=kept, application__isnull=True).update(
        application=application_uuid, agency=agency, draft=None
    )
    attachments_delete(Attachment.objects.filter(draft=draft, application__isnull=True))
    draft.application, draft.reference, draft.submitted_at = application_uuid, reference, timezone.now()
    draft.answers, draft.reports = {}, []
    draft.save(update_fields=["application", "reference", "submitted_at", "answers", "reports", "updated_at"])


def _delete(draft: Draft) -> int:
    files = attachments_delete(Attachment.objects.filter(draft=draft, application__isnull=True))
    draft.delete()
    return files


@transaction.atomic
def draft_discard(*, draft: Draft) -> None:
    """The citizen starts again or gives up: their answers and files are deleted at once."""
    _delete(draft)


@transaction.atomic
def draft_report(*, draft: Draft, form: Form, field: str, note: str, actor: User) -> None:
    """The citizen says a prefilled answer is wrong. Kept with the draft for the agency; the audit entry lets
    the registry that holds it be told."""
    spec = form.fields.get(field)
    if spec is None or spec.prefill is None:
        raise ValueError(f"{field} is not a prefilled question")
    source = spec.prefill.source
    draft.reports = [
        *draft.reports,
        {
            "field": field,
            "source": source,
            "key": spec.prefill.key,
            "shown": draft.answers.get(field),
            "note": note.strip()[:NOTE_MAX],
            "at": timezone.now().isoformat(),
        },
    ]
    draft.save(update_fields=["reports", "updated_at"])
    audit_record(
        action="forms.prefill.reported-wrong",
        actor=f"user:{actor.uuid}",
        subject_type="draft",
        subject_id=str(draft.uuid),
        data={"service": draft.service_code, "field": field, "source": source, "key": spec.prefill.key},
        on_behalf_of=f"user:{draft.applicant.uuid}" if draft.applicant_id != actor.pk else "",
    )


def drafts_warn(*, now: datetime | None = None) -> int:
    """Tell each citizen whose draft will soon be deleted, once per draft (until they change it again)."""
    now = now or timezone.now()
    soon = now + timedelta(days=settings.BAWABA_DRAFT_WARN_DAYS)
    due = Draft.objects.filter(
        application__isnull=True, warned_at__isnull=True, expires_at__gt=now, expires_at__lte=soon
    )
    warned = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            draft = (
                Draft.objects.select_for_update()
                .select_related("filed_by")
                .filter(pk=pk, warned_at__isnull=True, application__isnull=True)
                .first()
            )
            if draft is None:
                continue  # warned by another worker meanwhile
            draft.warned_at = now
            draft.save(update_fields=["warned_at"])
            event_emit(
                name="draft.expiring",
                payload={
                    "draft": str(draft.uuid),
                    "user": str(draft.filed_by.uuid),
                    "service": draft.service_code,
                    "expires_at": draft.expires_at.isoformat(),
                },
            )
            warned += 1
    return warned


@transaction.atomic
def drafts_expire(*, now: datetime | None = None) -> dict[str, int]:
    """Delete drafts past their time (and filed ones kept long enough), then the files nothing needs any more."""
    now = now or timezone.now()
    expired = Draft.objects.filter(application__isnull=True, expires_at__lte=now)
    filed = Draft.objects.filter(application__isnull=False, submitted_at__lte=now - KEEP_FILED)
    files = 0
    deleted = 0
    for draft in [*expired, *filed]:
        files += _delete(draft)
        deleted += 1
    files += attachments_delete(attachments_orphaned(now=now))
    return {"drafts": deleted, "attachments": files}

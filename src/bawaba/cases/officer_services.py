"""The agency's side of an application: opening it (recorded), taking it on, handing it over, internal notes,
and confirming the receipt of several at once.

Each write checks the permission, then writes the application, its timeline entry (never shown to the
applicant), the audit entry and the domain event in one transaction. Claiming, assigning and releasing act on
the application as the officer saw it (`revision`): two supervisors reassigning at once, one wins and the other
is told. Notes add to the application without changing it, so they need no revision.
"""

from dataclasses import dataclass
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from bawaba.accounts.models import User
from bawaba.audit.services import audit_record
from bawaba.events.services import event_emit
from bawaba.forms.attachments import attachment_readable_by_staff
from bawaba.forms.models import Attachment

from .models import Application, InternalNote, TimelineEntry
from .officer_selectors import staff_documents
from .permissions import (
    can_add_note,
    can_assign,
    can_be_assigned,
    can_claim,
    can_release,
    staff_role_on,
)
from .services import ActionRefused, application_act

__all__ = [
    "NOTE_MAX_LENGTH",
    "ReceiptOutcome",
    "application_assign",
    "application_claim",
    "application_document_open",
    "application_note_add",
    "application_open",
    "application_release",
    "applications_receive",
]

NOTE_MAX_LENGTH = 4000


def _actor(user: User) -> str:
    return f"user:{user.uuid}"


def _name(user: User) -> str:
    return user.get_full_name() or user.username


def _reading_record(viewer: User, application: Application, *, role: str, action: str, **detail) -> None:
    # Staff reading a citizen's data is on the record; the citizen will see who read it and when.
    audit_record(
        action=action,
        actor=_actor(viewer),
        subject_type="application",
        subject_id=str(application.uuid),
        data={
            "reference": application.reference,
            "agency": application.agency,
            "role": role,
            "applicant": str(application.applicant.uuid),
            **detail,
        },
    )


def application_open(*, viewer: User, application_uuid, agency: str) -> Application | None:
    """The application for a staff page, its opening recorded (who, for which agency, in which role).

    None, and nothing recorded, when it is not this agency's or the viewer does not work on it here.
    """
    application = (
        Application.objects.select_related(
            "service", "service_version", "applicant", "assignee", "proposed_by"
        )
        .filter(uuid=application_uuid, agency=agency)
        .first()
    )
    if application is None:
        return None
    role = staff_role_on(viewer, application)
    if role is None:
        return None
    _reading_record(viewer, application, role=role, action="cases.application.opened")
    return application


def application_document_open(
    *, viewer: User, application_uuid, agency: str, attachment_uuid
) -> Attachment | None:
    """A document filed with the application, for a staff member of its agency, the reading recorded.

    None, and nothing recorded, unless the application is this agency's, the viewer works on it here, and the
    file is one its answers refer to and was filed with it.
    """
    application = (
        Application.objects.select_related("service_version", "applicant")
        .filter(uuid=application_uuid, agency=agency)
        .first()
    )
    if application is None or (role := staff_role_on(viewer, application)) is None:
        return None
    attachment = staff_documents(application).get(str(attachment_uuid))
    if attachment is None or attachment_readable_by_staff(user=viewer, uuid=attachment.uuid) is None:
        return None
    _reading_record(
        viewer,
        application,
        role=role,
        action="cases.application.document-read",
        document=str(attachment.uuid),
        question=attachment.field,
    )
    return attachment


def _locked(application_uuid) -> Application:
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("service", "applicant", "assignee")
        .filter(uuid=application_uuid)
        .first()
    )
    if application is None:
        raise ActionRefused("forbidden")
    return application


def _locked_for_staff(application_uuid, revision: int, user: User) -> tuple[Application, str]:
    """The application locked for a change of hands, and the staff member's role on it. Someone with no role
    is refused before being told whether their copy is stale."""
    application = _locked(application_uuid)
    role = staff_role_on(user, application)
    if role is None:
        raise ActionRefused("forbidden")
    if application.revision != revision:
        raise ActionRefused("conflict")
    return application, role


def _handed(application: Application, *, action: str, user: User, role: str, to: User | None) -> None:
    """Record a change of hands: a staff-only timeline entry, the audit entry and the event."""
    before = application.assignee
    application.assignee = to
    application.revision += 1
    application.save(update_fields=["assignee", "revision", "updated_at"])
    TimelineEntry.objects.create(
        application=application,
        at=timezone.now(),
        action=action,
        from_state=application.state,
        to_state=application.state,
        actor=_actor(user),
        role=role,
        text=_name(to) if to is not None else "",
        visible_to_applicant=False,
    )
    audit_record(
        action=f"cases.application.{action}",
        actor=_actor(user),
        subject_type="application",
        subject_id=str(application.uuid),
        data={
            "reference": application.reference,
            "from": str(before.uuid) if before else None,
            "to": str(to.uuid) if to else None,
            "role": role,
        },
    )
    event_emit(
        name="application.assigned",
        payload={
            "application": str(application.uuid),
            "reference": application.reference,
            "agency": application.agency,
            "assignee": str(to.uuid) if to else None,
            "previous": str(before.uuid) if before else None,
        },
    )


@transaction.atomic
def application_claim(*, application_uuid, revision: int, user: User) -> Application:
    """An officer takes on an application of their agency that nobody has. Raises ActionRefused."""
    application, role = _locked_for_staff(application_uuid, revision, user)
    if application.closed_at is not None:
        raise ActionRefused("closed")
    if not can_claim(user, application):
        raise ActionRefused("already-assigned")
    _handed(application, action="claim", user=user, role=role, to=user)
    return application


@transaction.atomic
def application_assign(
    *, application_uuid, revision: int, user: User, assignee_uuid: UUID | str
) -> Application:
    """A supervisor gives the application to an officer of the agency, or moves it to another. Raises
    ActionRefused."""
    application, role = _locked_for_staff(application_uuid, revision, user)
    if application.closed_at is not None:
        raise ActionRefused("closed")
    if not can_assign(user, application):
        raise ActionRefused("not-supervisor")
    assignee = User.objects.filter(uuid=assignee_uuid).first()
    if assignee is None or not can_be_assigned(assignee, application):
        raise ActionRefused("not-assignable")
    if application.assignee_id == assignee.pk:
        return application
    _handed(application, action="assign", user=user, role=role, to=assignee)
    return application


@transaction.atomic
def application_release(*, application_uuid, revision: int, user: User) -> Application:
    """The officer hands the application back to the agency's queue, or a supervisor takes it off them."""
    application, role = _locked_for_staff(application_uuid, revision, user)
    if application.assignee_id is None:
        raise ActionRefused("not-assigned")
    if not can_release(user, application):
        raise ActionRefused("not-supervisor")
    _handed(application, action="release", user=user, role=role, to=None)
    return application


@transaction.atomic
def application_note_add(*, application_uuid, user: User, text: str) -> InternalNote:
    """A note for the agency's staff; the applicant never sees it. Raises ActionRefused."""
    application = _locked(application_uuid)
    if not can_add_note(user, application):
        raise ActionRefused("forbidden")
    text = (text or "").strip()
    if not text:
        raise ActionRefused("note-empty")
    if len(text) > NOTE_MAX_LENGTH:
        raise ActionRefused("note-too-long")
    note = InternalNote.objects.create(application=application, at=timezone.now(), author=user, text=text)
    audit_record(
        action="cases.application.note-added",
        actor=_actor(user),
        subject_type="application",
        subject_id=str(application.uuid),
        data={"reference": application.reference, "note": str(note.uuid)},
    )
    # The words stay in the note: the event only says there is one.
    event_emit(
        name="application.note-added",
        payload={
            "application": str(application.uuid),
            "reference": application.reference,
            "agency": application.agency,
            "note": str(note.uuid),
            "author": str(user.uuid),
        },
    )
    return note


@dataclass(frozen=True)
class ReceiptOutcome:
    application: str  # the UUID as sent
    reference: str  # empty when the application is not one the user may see
    problem: str | None  # None when received; else an ActionRefused problem


def applications_receive(*, agency: str, selected: list[tuple[str, int]], user: User) -> list[ReceiptOutcome]:
    """Confirm the receipt of several applications at once, each on its own through `application_act` (its own
    check, transaction and record), as (uuid, revision) the officer saw. One refused does not stop the others.
    """
    outcomes = []
    for application_uuid, revision in selected:
        application = Application.objects.filter(uuid=application_uuid, agency=agency).first()
        if application is None or staff_role_on(user, application) is None:
            # Nothing about an application of another agency, not even its reference.
            outcomes.append(ReceiptOutcome(str(application_uuid), "", "forbidden"))
            continue
        try:
            application_act(application_uuid=application.uuid, revision=revision, action="receive", user=user)
        except ActionRefused as refused:
            outcomes.append(ReceiptOutcome(str(application_uuid), application.reference, refused.problem))
        else:
            outcomes.append(ReceiptOutcome(str(application_uuid), application.reference, None))
    return outcomes

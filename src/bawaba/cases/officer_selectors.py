"""What the agency's staff read about one application they opened: its whole timeline (including what the
applicant never sees), the internal notes, and the moves the workflow offers them now.

Callers pass an application they got from `officer_services.application_open`, which checked the viewer."""

from dataclasses import dataclass
from datetime import datetime

from bawaba.accounts.models import User
from bawaba.forms.attachments import attachments_of
from bawaba.forms.models import Attachment
from bawaba.workflows.engine import Transition, Workflow

from .models import Application, InternalNote
from .permissions import staff_role_on
from .service_parts import form_for, workflow_facts, workflow_for

__all__ = [
    "StaffTimelineEntry",
    "action_facts",
    "staff_actions",
    "staff_documents",
    "staff_notes",
    "staff_timeline",
]


@dataclass(frozen=True)
class StaffTimelineEntry:
    at: datetime
    action: str
    from_state: str
    to_state: str
    actor: User | None  # None for the system
    role: str
    text: str
    visible_to_applicant: bool


def _people(actors: set[str]) -> dict[str, User]:
    uuids = [actor.removeprefix("user:") for actor in actors if actor.startswith("user:")]
    return {f"user:{user.uuid}": user for user in User.objects.filter(uuid__in=uuids)}


def staff_timeline(application: Application) -> list[StaffTimelineEntry]:
    entries = list(application.timeline.all())
    people = _people({entry.actor for entry in entries})
    return [
        StaffTimelineEntry(
            entry.at,
            entry.action,
            entry.from_state,
            entry.to_state,
            people.get(entry.actor),
            entry.role,
            entry.text,
            entry.visible_to_applicant,
        )
        for entry in entries
    ]


def staff_notes(application: Application) -> list[InternalNote]:
    return list(application.notes.select_related("author"))


def action_facts(application: Application, user: User) -> dict:
    """What the workflow's guards look at, for this member of staff acting on it."""
    return workflow_facts(application, actor=user)


def staff_actions(user: User, application: Application) -> tuple[Workflow, list[Transition]]:
    """The workflow and the moves it lets this member of staff make now, in their role."""
    workflow = workflow_for(application.service_version)
    role = staff_role_on(user, application)
    if role is None or workflow.is_terminal(application.state):
        return workflow, []
    return workflow, workflow.actions(application.state, role, workflow_facts(application, actor=user))


def staff_documents(application: Application) -> dict[str, Attachment]:
    """The files the answers refer to that were filed with this application, by their UUID."""
    wanted = attachments_of(application.answers or {}, form_for(application.service_version))
    if not wanted:
        return {}
    return {
        str(attachment.uuid): attachment
        for attachment in Attachment.objects.filter(uuid__in=wanted, application=application.uuid)
    }

"""Forms of the work queue and the application page, and the words for every refusal of the cases services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from bawaba.cases.deadlines import SlaStanding
from bawaba.cases.officer_services import NOTE_MAX_LENGTH
from bawaba.cases.queue import STATE_ALL, STATE_CLOSED
from bawaba.core.i18n import pick
from bawaba.workflows.engine import Transition

# The words a person writes when taking a transition (workflows.engine.INPUTS), as the officer's box names them.
INPUT_LABELS = {
    "reason": _("Reason (the applicant will read it)"),
    "message": _("Message to the applicant"),
    "note": _("Note"),
    "answer": _("Answer"),
}
INPUT_MISSING = {
    "reason": _("Give the reason: the applicant will read it."),
    "message": _("Write the message to the applicant."),
    "note": _("Write the note."),
    "answer": _("Write the answer."),
}
INPUT_MAX_LENGTH = 4000

# Words for each way the cases services refuse (cases.services.ActionRefused problems).
ACTION_ERRORS = {
    "forbidden": _("You cannot act on this application."),
    "conflict": _(
        "Someone else changed this application while you had it open. It is shown below as it is now: check "
        "it before you act again."
    ),
    "terminal": _("This application is closed: nothing more can be done on it."),
    "unknown-action": _("This action does not exist for this application."),
    "not-from-this-state": _("This action cannot be taken at this step of the application."),
    "not-your-role": _("Your role does not allow this action on this application."),
    "condition-not-met": _("The conditions for this action are not met."),
    "input-missing": _("Fill in the text this action needs."),
    "already-assigned": _("Someone has already taken this application on."),
    "closed": _("This application is closed."),
    "not-supervisor": _("Only a supervisor of this agency can do this."),
    "not-assignable": _("Choose an active officer or supervisor of this agency who is not the applicant."),
    "not-assigned": _("This application is not assigned to anyone."),
    "note-empty": _("Write the note."),
    "note-too-long": _("A note has at most %(limit)s characters."),
}
# Why a guarded action was refused, by the guard that did not hold.
GUARD_ERRORS = {
    "another-officer": _("You proposed this approval: another officer must confirm it."),
    "fees-settled": _("The fees have not been paid yet."),
    "four-eyes-required": _("The conditions for this action are not met."),
    "four-eyes-not-required": _("The conditions for this action are not met."),
}


def refusal_words(problem: str, detail: tuple[str, ...] = ()) -> str:
    if problem == "condition-not-met":
        for guard in detail:
            if guard in GUARD_ERRORS and guard != "four-eyes-required":
                return str(GUARD_ERRORS[guard])
    if problem == "note-too-long":
        return str(ACTION_ERRORS[problem]) % {"limit": NOTE_MAX_LENGTH}
    return str(ACTION_ERRORS.get(problem, ACTION_ERRORS["forbidden"]))


SLA_CHOICES = [
    ("", _("Any")),
    (SlaStanding.ON_TIME.value, _("On time")),
    (SlaStanding.AT_RISK.value, _("At risk")),
    (SlaStanding.BREACHED.value, _("Overdue")),
    (SlaStanding.PAUSED.value, _("Paused: waiting for the applicant")),
]
ASSIGNEE_CHOICES = [("", _("Anyone")), ("mine", _("Assigned to me")), ("unassigned", _("Not assigned"))]


class QueueFilterForm(forms.Form):
    service = forms.ChoiceField(label=_("Service"), required=False)
    state = forms.ChoiceField(label=_("Step"), required=False)
    sla = forms.ChoiceField(label=_("Time limit"), required=False, choices=SLA_CHOICES)
    assignee = forms.ChoiceField(label=_("Assigned to"), required=False, choices=ASSIGNEE_CHOICES)

    def __init__(self, *args, services, states, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", _("All services"))] + [(s.code, s.name) for s in services]
        self.fields["state"].choices = [
            ("", _("Open applications")),
            (STATE_CLOSED, _("Closed applications")),
            (STATE_ALL, _("All applications")),
            *states,
        ]

    def value(self, name: str) -> str:
        """The chosen value, or none for a value that is not one of the choices."""
        return (self.cleaned_data.get(name) or "") if self.is_bound else ""


class ActionForm(forms.Form):
    """One move the workflow offers: the revision it was seen at and the words it requires. Its action is sent
    unprefixed beside it (the page's `action` field), so the view knows which form was posted."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, transition: Transition, **kwargs):
        super().__init__(*args, prefix=transition.action, **kwargs)
        self.transition = transition
        self.label = pick(transition.label)
        for name in transition.requires:
            self.fields[name] = forms.CharField(
                label=INPUT_LABELS.get(name, name),
                max_length=INPUT_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 4}),
                error_messages={"required": INPUT_MISSING.get(name, ACTION_ERRORS["input-missing"])},
            )

    @property
    def inputs(self) -> list[str]:
        return list(self.transition.requires)


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Internal note"),
        help_text=_("Only the agency's staff read it; the applicant never sees it."),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": ACTION_ERRORS["note-empty"]},
    )


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(label=_("Assign to"))
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, caseworkers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [
            (str(user.uuid), user.get_full_name() or user.username) for user in caseworkers
        ]
        self.fields["assignee"].error_messages["invalid_choice"] = ACTION_ERRORS["not-assignable"]

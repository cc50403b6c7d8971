"""Following an application: the citizen's list, one application's page with what they can do on it now
(answer the agency, withdraw), and public tracking by reference that needs no account.

Someone else's application is a 404, exactly like one that does not exist. Public tracking tells only the
service, where the application stands and since when, and gives the same answer for a reference that names
nothing as for wrong digits; it is rate-limited per address in the shared cache.
"""

from dataclasses import dataclass
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from bawaba.accounts.delegation import acting_for
from bawaba.accounts.problem_words import TOO_MANY_FROM_HERE, minutes
from bawaba.cases.deadlines import sla_view
from bawaba.cases.models import Application, TimelineEntry
from bawaba.cases.payments import fee_paid_intent
from bawaba.cases.selectors import (
    REFERENCE,
    NextStep,
    application_open,
    application_track,
    applications_of,
    citizen_actions,
    next_step,
    normalised_reference,
    timeline_for_applicant,
)
from bawaba.cases.service_parts import form_for, workflow_for
from bawaba.cases.services import ActionRefused, application_act
from bawaba.core.business_calendar import calendar_from_settings
from bawaba.core.i18n import pick
from bawaba.core.paging import page_get
from bawaba.core.ratelimit import Limit, hit
from bawaba.core.text import western_digits
from bawaba.forms.attachments import attachment_readable
from bawaba.payments.refunds import refunds_made
from bawaba.workflows.engine import State, Transition

from .apply_questions import display

PAGE_SIZE = 20
# Per address, and per reference so that many addresses cannot share out the guessing of one reference's digits.
TRACK_ADDRESS_LIMIT = Limit("track-address", attempts=10, window_seconds=600)
TRACK_REFERENCE_LIMIT = Limit("track-reference", attempts=30, window_seconds=3600)

NEXT_STEP_WORDS = {
    NextStep.ANSWER: gettext_lazy("Answer the agency's question"),
    NextStep.PAY: gettext_lazy("Pay the fee"),
    NextStep.COLLECT: gettext_lazy("Collect your document"),
}
INPUT_LABELS = {
    "answer": gettext_lazy("Your answer"),
    "reason": gettext_lazy("Your reason"),
    "message": gettext_lazy("Your message"),
    "note": gettext_lazy("Your note"),
}
INPUT_MISSING = gettext_lazy("Write this before you send it.")
REFUSAL_WORDS = {
    "conflict": gettext_lazy(
        "The application changed while you had the page open. This is where it stands now: "
        "check it, then try again if you still need to."
    ),
    "terminal": gettext_lazy("This application is closed: nothing more can be done on it."),
}
NOT_NOW = gettext_lazy("This cannot be done on the application as it stands now.")
DONE = {
    "answer": gettext_lazy("Your answer was sent to the agency."),
    "withdraw": gettext_lazy("Your application was withdrawn."),
}
DONE_OTHERWISE = gettext_lazy("Done: the application was updated.")


# ------------------------------------------------------------------------------------------------ the list


@dataclass(frozen=True)
class Row:
    application: Application
    state: State
    next_step: str
    sla: object
    for_whom: str  # the applicant's name when it is someone else's application
    url: str


def _applicant_name(application: Application) -> str:
    person = application.applicant
    return person.get_full_name() or person.national_id or ""


@login_required
@require_GET
def application_list(request):
    delegation = acting_for(request)
    page = page_get(
        applications_of(user=request.user, acting_for=delegation), request.GET.get("page"), PAGE_SIZE
    )
    rows = []
    calendar, today = calendar_from_settings(), timezone.localdate()
    for application in page.object_list:
        workflow = workflow_for(application.service_version)
        step = next_step(application, workflow)
        rows.append(
            Row(
                application=application,
                state=workflow.states[application.state],
                next_step=NEXT_STEP_WORDS[step] if step else "",
                sla=sla_view(application, today=today, calendar=calendar),
                for_whom=_applicant_name(application)
                if application.applicant_id != request.user.pk and delegation is None
                else "",
                url=reverse("portal:application_detail", args=[application.uuid]),
            )
        )
    return render(
        request,
        "portal/applications/list.html",
        {"page": page, "rows": rows, "delegation": delegation},
    )


# ------------------------------------------------------------------------------------------------ one application


class ActionForm(forms.Form):
    """What a move needs from the citizen (their answer…), and the revision of the page they acted on."""

    revision = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def __init__(self, requires: tuple[str, ...], *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in requires:
            self.fields[name] = forms.CharField(
                label=INPUT_LABELS.get(name, name),
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 5}),
                error_messages={"required": INPUT_MISSING},
            )

    @property
    def inputs(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "revision"}


@dataclass(frozen=True)
class Step:
    entry: TimelineEntry
    label: str
    who: str


@dataclass(frozen=True)
class AnswerRow:
    label: str
    value: str
    link: str = ""


def _who(entry: TimelineEntry, user) -> str:
    if entry.role == "citizen":
        return _("You") if entry.actor == f"user:{user.uuid}" else _("The applicant")
    if entry.role in ("officer", "supervisor"):
        return _("The agency")
    return _("Bawaba")


def _timeline(application: Application, workflow, user) -> list[Step]:
    steps = []
    for entry in timeline_for_applicant(application):
        state = workflow.states.get(entry.to_state)
        steps.append(Step(entry, pick(state.label) if state else entry.to_state, _who(entry, user)))
    return steps


def _answers(application: Application, user) -> list[tuple[str, list[AnswerRow]]]:
    """The answers as filed, under the form's steps and labels; uploaded files by their name."""
    form = form_for(application.service_version)
    answers = application.answers or {}
    shown = form.visible(answers)
    attachments = {}
    for name, spec in form.fields.items():
        if spec.widget == "file" and answers.get(name):
            try:
                found = attachment_readable(user=user, uuid=UUID(str(answers[name])))
            except ValueError:
                found = None
            if found is not None:
                attachments[str(answers[name])] = found
    laid_out = []
    for step in form.steps:
        rows = []
        for name in step.fields:
            if name not in shown or answers.get(name) in (None, "", []):
                continue
            spec = form.fields[name]
            value = display(spec, answers[name], attachments)
            link = ""
            if spec.widget == "file":
                value = value or _("A file was uploaded")
                if str(answers[name]) in attachments:
                    link = reverse("portal:attachment_download", args=[answers[name]])
            rows.append(AnswerRow(pick(spec.label), value, link))
        if rows:
            laid_out.append((pick(step.title), rows))
    return laid_out


def _found(request, application: UUID) -> Application:
    found = application_open(user=request.user, uuid=application)
    if found is None:
        raise Http404(_("There is no such application."))
    return found


def _detail_page(request, found: Application, *, error: str = "", posted: dict | None = None, status=200):
    workflow = workflow_for(found.service_version)
    actions = citizen_actions(found, user=request.user)
    inline = next((t for t in actions if t.requires), None)
    inline_form = None
    if inline is not None:
        inline_form = ActionForm(inline.requires, initial={"revision": found.revision, **(posted or {})})
    step = next_step(found, workflow)
    # Paid and back from the gateway, before the payment's event has moved the application on.
    paid = fee_paid_intent(found) if found.fees_due else None
    paid_online = step == NextStep.PAY and paid is not None
    if paid_online:
        step = None
    timeline = _timeline(found, workflow, request.user)
    return render(
        request,
        "portal/applications/detail.html",
        {
            "application": found,
            "state": workflow.states[found.state],
            "terminal": workflow.is_terminal(found.state),
            "next_step": NEXT_STEP_WORDS[step] if step else "",
            "sla": sla_view(found),
            "timeline": timeline,
            "conversation": [s for s in timeline if s.entry.text],
            "answers": _answers(found, request.user),
            "inline": inline,
            "inline_form": inline_form,
            "other_actions": [t for t in actions if t is not inline],
            "error": error,
            "for_whom": _applicant_name(found) if found.applicant_id != request.user.pk else "",
            "can_pay": step == NextStep.PAY,
            "fees_paid": found.fees_paid or paid_online,
            "receipt": paid if paid is not None and paid.payer_id == request.user.pk else None,
            "refunds": refunds_made(paid) if paid is not None else [],
        },
        status=status,
    )


@login_required
@require_GET
def application_detail(request, application: UUID):
    return _detail_page(request, _found(request, application))


def _available(found: Application, user, action: str) -> Transition | None:
    return next((t for t in citizen_actions(found, user=user) if t.action == action), None)


@login_required
@require_http_methods(["GET", "POST"])
def application_act_page(request, application: UUID, action: str):
    """Confirm a move (withdraw) or write what it needs (an answer), then take it."""
    found = _found(request, application)
    transition = _available(found, request.user, action)
    if request.method == "GET" and transition is None:
        return _detail_page(request, found, error=NOT_NOW, status=409)
    requires = transition.requires if transition else ()
    form = ActionForm(requires, request.POST or None, initial={"revision": found.revision})
    if request.method == "POST" and form.is_valid():
        try:
            application_act(
                application_uuid=found.uuid,
                revision=form.cleaned_data["revision"],
                action=action,
                user=request.user,
                inputs=form.inputs,
            )
        except ActionRefused as refused:
            if refused.problem == "forbidden":
                raise Http404(_("There is no such application.")) from None
            if refused.problem == "input-missing":
                for name in refused.detail:
                    if name in form.fields:
                        form.add_error(name, INPUT_MISSING)
            else:
                words = REFUSAL_WORDS.get(refused.problem, NOT_NOW)
                # What they wrote is kept, to send again once they have seen the new state.
                return _detail_page(
                    request, _found(request, application), error=words, posted=form.inputs, status=409
                )
        else:
            messages.success(request, DONE.get(action, DONE_OTHERWISE))
            return redirect("portal:application_detail", found.uuid)
    if transition is None:  # posted for a move the application no longer offers
        return _detail_page(request, found, error=NOT_NOW, status=409)
    return render(
        request,
        "portal/applications/act.html",
        {
            "application": found,
            "transition": transition,
            "form": form,
            "question": _last_question(found),
        },
        status=400 if request.method == "POST" else 200,
    )


def _last_question(application: Application) -> str:
    """What the agency last asked, shown above the answer box."""
    for entry in reversed(timeline_for_applicant(application)):
        if entry.role in ("officer", "supervisor") and entry.text:
            return entry.text
    return ""


# ------------------------------------------------------------------------------------------------ public tracking


REFERENCE_ERROR = gettext_lazy(
    "Enter the reference as it is written on your receipt, for example BWB-2026-000123."
)
TOO_MANY_FOR_REFERENCE = gettext_lazy(
    "This reference has been looked up too many times. Try again in %(minutes)s minutes."
)
DIGITS_ERROR = gettext_lazy("Enter the last four digits of the applicant's national ID number.")


class UnechoedInput(forms.TextInput):
    """Digits of a national ID number are not written back into the page once sent."""

    def format_value(self, value):
        return None


class TrackForm(forms.Form):
    reference = forms.CharField(
        label=gettext_lazy("Application reference"),
        help_text=gettext_lazy("For example BWB-2026-000123. It is on your receipt and in our messages."),
        max_length=40,
        error_messages={"required": REFERENCE_ERROR},
        widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "ltr", "spellcheck": "false"}),
    )
    last_four = forms.CharField(
        label=gettext_lazy("Last four digits of the applicant's national ID number"),
        max_length=8,
        error_messages={"required": DIGITS_ERROR},
        widget=UnechoedInput(
            attrs={"autocomplete": "off", "inputmode": "numeric", "dir": "ltr", "size": "6"}
        ),
    )

    def clean_reference(self) -> str:
        reference = normalised_reference(self.cleaned_data["reference"])
        if not REFERENCE.fullmatch(reference):
            raise forms.ValidationError(REFERENCE_ERROR)
        return reference

    def clean_last_four(self) -> str:
        digits = western_digits(self.cleaned_data["last_four"]).strip()
        if not (len(digits) == 4 and digits.isascii() and digits.isdigit()):
            raise forms.ValidationError(DIGITS_ERROR)
        return digits


@never_cache
@require_http_methods(["GET", "POST"])
def track(request):
    form = TrackForm(request.POST or None)
    result, not_found, status = None, False, 200
    if request.method == "POST" and form.is_valid():
        reference = form.cleaned_data["reference"]
        verdict, words = hit(TRACK_ADDRESS_LIMIT, request.META.get("REMOTE_ADDR", "")), TOO_MANY_FROM_HERE
        if verdict.allowed:
            verdict, words = hit(TRACK_REFERENCE_LIMIT, reference), TOO_MANY_FOR_REFERENCE
        if not verdict.allowed:
            form.add_error(None, words % {"minutes": minutes(verdict.retry_after)})
            status = 429
        else:
            result = application_track(
                reference=reference, national_id_last_four=form.cleaned_data["last_four"]
            )
            not_found = result is None
    return render(
        request,
        "portal/applications/track.html",
        {"form": form, "result": result, "not_found": not_found},
        status=status,
    )

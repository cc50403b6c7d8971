"""One application as the agency's staff work on it: the answers, documents, timeline and internal notes, and
the moves the workflow offers them now, each as a form. Every opening is recorded.

A refused move shows the page again, as the application is now, with the reason in words; nothing was written.
"""

import uuid

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bawaba.cases.deadlines import sla_view
from bawaba.cases.models import Application
from bawaba.cases.officer_selectors import staff_actions, staff_documents, staff_notes, staff_timeline
from bawaba.cases.officer_services import (
    application_assign,
    application_claim,
    application_document_open,
    application_note_add,
    application_open,
    application_release,
)
from bawaba.cases.payments import fee_paid_intent
from bawaba.cases.permissions import (
    can_assign,
    can_claim,
    can_release,
    can_see_agency_queue,
    staff_role_on,
)
from bawaba.cases.queue import agency_caseworkers
from bawaba.cases.services import ActionRefused, application_act
from bawaba.core.i18n import pick
from bawaba.payments.refunds import can_request_refunds, refundable_left

from .access import AgencyShown, agency_page
from .answers import answers_by_step
from .application_forms import ActionForm, AssignForm, NoteForm, refusal_words
from .reason_templates import reason_template, reason_templates
from .refund_views import can_see_refunds

queue_page_for = agency_page(can_see_agency_queue)

STATUS_FOR = {"conflict": 409, "forbidden": 403}


def _here(agency: AgencyShown, application) -> str:
    return reverse("backoffice:application", args=[agency.code, application])


def _acting_on(request, agency: AgencyShown, application) -> Application:
    """The application a form was posted for, if it is this agency's and the member works on it; else 404."""
    found = (
        Application.objects.select_related("service", "applicant")
        .filter(uuid=application, agency=agency.code)
        .first()
    )
    if found is None or staff_role_on(request.user, found) is None:
        raise Http404
    return found


def _prefilled(request, agency: AgencyShown, application: Application) -> tuple[str, str]:
    """(action, text) of a ready-made text asked for in the address (?for=reject&template=…), in the applicant's
    language: the page works without JavaScript."""
    action, code = request.GET.get("for", ""), request.GET.get("template", "")
    template = reason_template(agency=agency.code, action=action, code=code) if action and code else None
    if template is None:
        return "", ""
    return action, template.text.get(application.applicant.preferred_language) or template.text["ar"]


def _refund_url(user, agency: AgencyShown, application: Application) -> str:
    """Where to ask for part of the paid fee back, for staff who may request refunds and while some is left."""
    if not can_request_refunds(user) or not can_see_refunds(user, agency=agency.code):
        return ""
    paid = fee_paid_intent(application) if application.fees_due else None
    if paid is None or not refundable_left(paid):
        return ""
    return reverse("backoffice:refund_new", args=[agency.code, paid.uuid])


def _page(
    request,
    agency: AgencyShown,
    application_uuid,
    *,
    failed: ActionForm | None = None,
    note_form: NoteForm | None = None,
    status: int = 200,
):
    application = application_open(viewer=request.user, application_uuid=application_uuid, agency=agency.code)
    if application is None:
        raise Http404
    user = request.user
    role = staff_role_on(user, application)
    workflow, transitions = staff_actions(user, application)
    prefill_action, prefill_text = _prefilled(request, agency, application)
    action_forms = []
    for transition in transitions:
        if failed is not None and failed.transition.action == transition.action:
            form = failed
        else:
            initial = {"revision": application.revision}
            if transition.action == prefill_action:
                initial.update(dict.fromkeys(transition.requires, prefill_text))
            form = ActionForm(transition=transition, initial=initial)
        templates = (
            reason_templates(agency=agency.code, action=transition.action) if transition.requires else []
        )
        action_forms.append(
            {
                "form": form,
                "templates": templates,
                "chosen": request.GET.get("template", "") if transition.action == prefill_action else "",
            }
        )
    language = application.applicant.preferred_language
    template_texts = {
        item["form"].transition.action: {
            t.code: t.text.get(language) or t.text["ar"] for t in item["templates"]
        }
        for item in action_forms
        if item["templates"]
    }
    state = workflow.states.get(application.state)
    steps, documents = answers_by_step(application, staff_documents(application))
    caseworkers = agency_caseworkers(viewer=user, agency=agency.code) if can_assign(user, application) else []
    return render(
        request,
        "backoffice/applications/detail.html",
        {
            "agency": agency,
            "application": application,
            "role": role,
            "state_label": pick(state.label) if state else application.state,
            "sla": sla_view(application),
            "steps": steps,
            "documents": documents,
            "timeline": [
                {
                    "entry": entry,
                    "state_label": pick(workflow.states[entry.to_state].label)
                    if entry.to_state in workflow.states
                    else entry.to_state,
                }
                for entry in staff_timeline(application)
            ],
            "notes": staff_notes(application),
            "note_form": note_form or NoteForm(),
            "action_forms": action_forms,
            "failed": failed,
            "can_claim": can_claim(user, application),
            "can_release": can_release(user, application),
            "assign_form": AssignForm(
                caseworkers=caseworkers,
                initial={
                    "revision": application.revision,
                    "assignee": str(application.assignee.uuid) if application.assignee else "",
                },
            )
            if caseworkers
            else None,
            "proposed_by_me": application.proposed_by_id == user.pk,
            "applicant_language": language,
            "template_texts": template_texts,
            "refund_url": _refund_url(user, agency, application),
        },
        status=status,
    )


@queue_page_for
@require_http_methods(["GET"])
def application_page(request, agency: AgencyShown, application):
    return _page(request, agency, application)


@queue_page_for
@require_http_methods(["POST"])
def application_act_page(request, agency: AgencyShown, application):
    found = _acting_on(request, agency, application)
    workflow, transitions = staff_actions(request.user, found)
    action = request.POST.get("action", "")
    transition = next((t for t in transitions if t.action == action), None)
    if transition is None:
        # Not offered to this member now: the service says why (another step, another role, a guard…).
        try:
            application_act(
                application_uuid=found.uuid,
                revision=int(request.POST.get(f"{action}-revision") or 0),
                action=action,
                user=request.user,
                inputs={},
            )
        except ActionRefused as refused:
            messages.error(request, refusal_words(refused.problem, refused.detail))
            return _page(request, agency, application, status=STATUS_FOR.get(refused.problem, 400))
        except ValueError:
            messages.error(request, refusal_words("conflict"))
            return _page(request, agency, application, status=409)
        return redirect(_here(agency, application))
    form = ActionForm(request.POST, transition=transition)
    if not form.is_valid():
        return _page(request, agency, application, failed=form, status=400)
    try:
        moved = application_act(
            application_uuid=found.uuid,
            revision=form.cleaned_data["revision"],
            action=transition.action,
            user=request.user,
            inputs={name: form.cleaned_data[name] for name in transition.requires},
        )
    except ActionRefused as refused:
        if refused.problem == "input-missing":
            for name in refused.detail:
                form.add_error(name if name in form.fields else None, refusal_words("input-missing"))
            return _page(request, agency, application, failed=form, status=400)
        messages.error(request, refusal_words(refused.problem, refused.detail))
        return _page(request, agency, application, status=STATUS_FOR.get(refused.problem, 400))
    messages.success(
        request,
        _("Done: %(action)s. The application is now at the step “%(state)s”.")
        % {"action": form.label, "state": pick(workflow.states[moved.state].label)},
    )
    return redirect(_here(agency, application))


def _hands(request, agency: AgencyShown, application, change, done: str):
    found = _acting_on(request, agency, application)
    try:
        revision = int(request.POST.get("revision") or 0)
    except ValueError:
        revision = 0
    try:
        change(found, revision)
    except ActionRefused as refused:
        messages.error(request, refusal_words(refused.problem, refused.detail))
        return _page(request, agency, application, status=STATUS_FOR.get(refused.problem, 400))
    messages.success(request, done)
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(_here(agency, application))


@queue_page_for
@require_http_methods(["POST"])
def application_claim_page(request, agency: AgencyShown, application):
    def claim(found, revision):
        application_claim(application_uuid=found.uuid, revision=revision, user=request.user)

    return _hands(request, agency, application, claim, _("The application is yours now."))


@queue_page_for
@require_http_methods(["POST"])
def application_release_page(request, agency: AgencyShown, application):
    def release(found, revision):
        application_release(application_uuid=found.uuid, revision=revision, user=request.user)

    return _hands(request, agency, application, release, _("The application is back in the agency's queue."))


@queue_page_for
@require_http_methods(["POST"])
def application_assign_page(request, agency: AgencyShown, application):
    def assign(found, revision):
        application_assign(
            application_uuid=found.uuid,
            revision=revision,
            user=request.user,
            assignee_uuid=_uuid_or_none(request.POST.get("assignee", "")),
        )

    return _hands(request, agency, application, assign, _("The application is assigned."))


def _uuid_or_none(value: str):
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


@queue_page_for
@require_http_methods(["POST"])
def application_note_page(request, agency: AgencyShown, application):
    found = _acting_on(request, agency, application)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            application_note_add(
                application_uuid=found.uuid, user=request.user, text=form.cleaned_data["text"]
            )
        except ActionRefused as refused:
            form.add_error("text", refusal_words(refused.problem))
        else:
            messages.success(request, _("The note is added. Only the agency's staff can read it."))
            return redirect(_here(agency, application) + "#notes")
    return _page(request, agency, application, note_form=form, status=400)


@queue_page_for
@require_http_methods(["GET"])
def application_document(request, agency: AgencyShown, application, document):
    """A document filed with the application; each reading is recorded like an opening."""
    found = application_document_open(
        viewer=request.user, application_uuid=application, agency=agency.code, attachment_uuid=document
    )
    if found is None:
        raise Http404
    response = FileResponse(
        found.file.open("rb"), as_attachment=True, filename=found.name, content_type=found.content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response

"""The agency's work queue (filters in the address, so it works without JavaScript and can be bookmarked),
confirming the receipt of several applications at once, and the supervisor's page."""

import uuid

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from bawaba.cases.deadlines import SlaStanding, sla_view
from bawaba.cases.officer_selectors import action_facts
from bawaba.cases.officer_services import applications_receive
from bawaba.cases.permissions import can_see_agency_queue, can_supervise_agency_queue
from bawaba.cases.queue import (
    QueueFilters,
    agency_caseworkers,
    queue_page,
    queue_services,
    queue_states,
    team_list,
    team_overview,
)
from bawaba.cases.service_parts import workflow_for
from bawaba.core.business_calendar import calendar_from_settings
from bawaba.core.i18n import pick

from .access import AgencyShown, agency_page
from .application_forms import QueueFilterForm, refusal_words

queue_page_for = agency_page(can_see_agency_queue)
supervisor_page_for = agency_page(can_supervise_agency_queue)

BULK_ACTION = "receive"


def rows_of(applications, user, agency: str) -> list[dict]:
    """What a table shows of each application: its SLA today, its step's label, whether it can be received
    (the page it leads to checks each one again)."""
    calendar, today = calendar_from_settings(), timezone.localdate()
    role = "supervisor" if can_supervise_agency_queue(user, agency=agency) else "officer"
    rows = []
    for application in applications:
        workflow = workflow_for(application.service_version)
        state = workflow.states.get(application.state)
        receivable = (
            state is not None
            and not state.terminal
            and any(
                t.action == BULK_ACTION
                for t in workflow.actions(application.state, role, action_facts(application, user))
            )
        )
        rows.append(
            {
                "application": application,
                "state_label": pick(state.label) if state else application.state,
                "sla": sla_view(application, today=today, calendar=calendar),
                "receivable": receivable,
            }
        )
    return rows


def _back_to(request, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


@queue_page_for
@require_http_methods(["GET"])
def queue(request, agency: AgencyShown):
    services = queue_services(viewer=request.user, agency=agency.code)
    states = queue_states(viewer=request.user, agency=agency.code)
    form = QueueFilterForm(request.GET or None, services=services, states=states)
    if form.is_bound:
        form.is_valid()  # a value that is not a choice is named in the summary and not applied
    filters = QueueFilters(
        service=form.value("service"),
        state=form.value("state"),
        sla=form.value("sla"),
        assignee=form.value("assignee"),
    )
    page = queue_page(
        viewer=request.user, agency=agency.code, filters=filters, page=request.GET.get("page", 1)
    )
    query = request.GET.copy()
    query.pop("page", None)
    rows = rows_of(page.object_list, request.user, agency.code)
    return render(
        request,
        "backoffice/applications/queue.html",
        {
            "agency": agency,
            "form": form,
            "page": page,
            "rows": rows,
            "any_receivable": any(row["receivable"] for row in rows),
            "query": query.urlencode(),
            "here": request.get_full_path(),
            "can_supervise": can_supervise_agency_queue(request.user, agency=agency.code),
        },
    )


def _selected(request) -> list[tuple[str, int]]:
    """The applications ticked, as (uuid, revision seen); anything that is not one is dropped."""
    chosen = []
    for value in request.POST.getlist("application"):
        key, _sep, revision = value.partition(":")
        try:
            chosen.append((str(uuid.UUID(key)), int(revision)))
        except ValueError:
            continue
    return chosen


@queue_page_for
@require_http_methods(["POST"])
def queue_receive(request, agency: AgencyShown):
    back = _back_to(request, reverse("backoffice:queue", args=[agency.code]))
    selected = _selected(request)
    if not selected:
        messages.error(request, _("Tick the applications whose receipt you confirm."))
        return redirect(back)
    outcomes = applications_receive(agency=agency.code, selected=selected, user=request.user)
    done = [o.reference for o in outcomes if o.problem is None]
    if done:
        messages.success(
            request,
            ngettext(
                "Receipt confirmed for %(count)s application: %(references)s.",
                "Receipt confirmed for %(count)s applications: %(references)s.",
                len(done),
            )
            % {"count": len(done), "references": ", ".join(done)},
        )
    for outcome in outcomes:
        if outcome.problem is None:
            continue
        if not outcome.reference:
            messages.error(request, _("One of the applications ticked is not one of this agency's."))
        else:
            messages.error(
                request,
                _("%(reference)s was not received: %(why)s")
                % {"reference": outcome.reference, "why": refusal_words(outcome.problem)},
            )
    return redirect(back)


@supervisor_page_for
@require_http_methods(["GET"])
def team(request, agency: AgencyShown):
    overview = team_overview(viewer=request.user, agency=agency.code)
    breached = team_list(viewer=request.user, agency=agency.code, standing=SlaStanding.BREACHED)
    at_risk = team_list(viewer=request.user, agency=agency.code, standing=SlaStanding.AT_RISK)
    caseworkers = agency_caseworkers(viewer=request.user, agency=agency.code)
    return render(
        request,
        "backoffice/applications/team.html",
        {
            "agency": agency,
            "overview": overview,
            "breached": rows_of(breached, request.user, agency.code),
            "at_risk": rows_of(at_risk, request.user, agency.code),
            "caseworkers": caseworkers,
            "here": request.get_full_path(),
        },
    )

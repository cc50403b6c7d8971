"""Delegations recorded by an agency's officers: parents of minors, company representatives; and ending them."""

from urllib.parse import urlencode

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bawaba.accounts.permissions import (
    can_record_child_delegations,
    can_record_company_delegations,
    can_see_agency_delegations,
)
from bawaba.accounts.recorded_delegations import (
    RecordRefused,
    child_delegation_record,
    company_delegation_record,
    delegation_end,
    delegation_recorded_get,
    delegations_recorded,
    recorded_delegation_rows,
)
from bawaba.core.paging import page_get

from .access import AgencyShown, agency_page
from .forms import (
    ChildDelegationForm,
    CompanyDelegationForm,
    DelegationEndForm,
    DelegationSearchForm,
    delegation_error,
)

PAGE_SIZE = 50


def _names(delegation) -> dict:
    return {
        "agent": delegation.agent.get_full_name() or delegation.agent.national_id,
        "principal": delegation.principal_name,
    }


@agency_page(can_see_agency_delegations)
@require_http_methods(["GET"])
def delegation_list(request, agency: AgencyShown):
    search = DelegationSearchForm(request.GET or None)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    found = delegations_recorded(viewer=request.user, agency=agency.code, query=query)
    page = page_get(found, request.GET.get("page"), PAGE_SIZE)
    return render(
        request,
        "backoffice/delegations/list.html",
        {
            "agency": agency,
            "search": search,
            "query": query,
            "search_query": urlencode({"q": query}) if query else "",
            "page": page,
            "rows": recorded_delegation_rows(page.object_list),
            "can_record_child": can_record_child_delegations(request.user, agency=agency.code),
            "can_record_company": can_record_company_delegations(request.user, agency=agency.code),
        },
    )


def _record(request, agency: AgencyShown, *, form_class, record, title: str, done: str):
    """One recording page: the form, the service, its refusals shown beside the field they concern.

    The form's fields are named as the service's arguments.
    """
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            delegation = record(officer=request.user, agency=agency.code, **form.cleaned_data)
        except RecordRefused as exc:
            words = form.words_for.get(exc.problem) or delegation_error(exc.problem)
            form.add_error(form.fields_for.get(exc.field), words)
        else:
            messages.success(request, done % _names(delegation))
            return redirect("backoffice:delegation_list", agency.code)
    return render(
        request, "backoffice/delegations/record.html", {"agency": agency, "form": form, "title": title}
    )


@agency_page(can_record_child_delegations)
@require_http_methods(["GET", "POST"])
def child_new(request, agency: AgencyShown):
    return _record(
        request,
        agency,
        form_class=ChildDelegationForm,
        record=child_delegation_record,
        title=_("Record a parent or guardian of a minor child"),
        done=_("Recorded: %(agent)s can now act for %(principal)s."),
    )


@agency_page(can_record_company_delegations)
@require_http_methods(["GET", "POST"])
def company_new(request, agency: AgencyShown):
    return _record(
        request,
        agency,
        form_class=CompanyDelegationForm,
        record=company_delegation_record,
        title=_("Record a representative of a company"),
        done=_("Recorded: %(agent)s can now act for %(principal)s."),
    )


@agency_page(can_see_agency_delegations)
@require_http_methods(["GET", "POST"])
def delegation_end_page(request, agency: AgencyShown, delegation):
    found = delegation_recorded_get(viewer=request.user, agency=agency.code, delegation_uuid=delegation)
    if found is None:
        raise Http404
    row = recorded_delegation_rows([found])[0]
    form = DelegationEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                delegation_end(
                    officer=request.user,
                    agency=agency.code,
                    delegation_uuid=found.uuid,
                    reason=form.cleaned_data["reason"],
                )
        except RecordRefused as exc:
            if exc.problem == "not-found":
                raise Http404 from exc
            form.add_error("reason" if exc.field == "reason" else None, delegation_error(exc.problem))
        else:
            messages.success(
                request,
                _("The delegation has ended: %(agent)s can no longer act for %(principal)s.") % _names(found),
            )
            return redirect("backoffice:delegation_list", agency.code)
    return render(request, "backoffice/delegations/end.html", {"agency": agency, "row": row, "form": form})

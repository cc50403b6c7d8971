"""Settlement reconciliation for finance staff and platform administrators: the daily runs (counts, totals,
open findings), one run's findings, and resolving a finding with a note of what was found or done."""

from functools import wraps

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from bawaba.accounts.permissions import can_reconcile_payments
from bawaba.core.paging import page_get
from bawaba.payments.gateways import GatewayUnavailable, SettlementInvalid
from bawaba.payments.reconciliation import NOTE_MAX, ResolveRefused, mismatch_resolve, reconciliation_run
from bawaba.payments.reconciliation_selectors import (
    settlement_mismatch_get,
    settlement_run_get,
    settlement_run_mismatches,
    settlement_runs,
)

from .access import forbidden, staff_page

PAGE_SIZE = 30

KIND_WORDS = {
    "missing": gettext_lazy("Missing from the gateway's file"),
    "extra": gettext_lazy("Not recorded by us"),
    "amount": gettext_lazy("Amount differs"),
}
KIND_EXPLAINED = {
    "missing": gettext_lazy("We recorded this payment as paid, but the gateway did not settle it that day."),
    "extra": gettext_lazy("The gateway settled this payment, but we have no paid record of it."),
    "amount": gettext_lazy("The gateway settled another amount or currency than we recorded as owed."),
}
REFUSALS = {
    "note-required": gettext_lazy("Write what was found or done: a finding is never closed without a note."),
    "note-too-long": gettext_lazy("Keep the note to %(max)s characters.") % {"max": NOTE_MAX},
}


def finance_page(view):
    """Finance staff and platform administrators, with a second factor like every staff page."""

    @staff_page
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can_reconcile_payments(request.user):
            return forbidden(request)
        return view(request, *args, **kwargs)

    return wrapper


class ResolveForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("What was found or done"),
        help_text=gettext_lazy(
            "For example: refunded to the payer by the bank on 5 December; or recorded late, matches receipt "
            "RCP-2026-000123. It is kept with your name and the time."
        ),
        max_length=NOTE_MAX,
        error_messages={"required": REFUSALS["note-required"], "max_length": REFUSALS["note-too-long"]},
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean_note(self):
        note = self.cleaned_data["note"].strip()
        if not note:
            raise forms.ValidationError(REFUSALS["note-required"])
        return note


def _run_or_404(request, run):
    found = settlement_run_get(viewer=request.user, run_uuid=run)
    if found is None:
        raise Http404
    return found


def _row(mismatch) -> dict:
    return {
        "m": mismatch,
        "kind": KIND_WORDS[mismatch.kind],
        "explained": KIND_EXPLAINED[mismatch.kind],
    }


@finance_page
@require_http_methods(["GET"])
def settlement_list(request):
    page = page_get(settlement_runs(viewer=request.user), request.GET.get("page"), PAGE_SIZE)
    return render(request, "backoffice/finance/runs.html", {"page": page, "query": ""})


@finance_page
@require_http_methods(["GET"])
def settlement_run_page(request, run):
    found = _run_or_404(request, run)
    rows = [_row(m) for m in settlement_run_mismatches(viewer=request.user, run=found)]
    return render(
        request,
        "backoffice/finance/run.html",
        {
            "run": found,
            "open_rows": [row for row in rows if row["m"].status == "open"],
            "resolved_rows": [row for row in rows if row["m"].status != "open"],
        },
    )


@finance_page
@require_http_methods(["POST"])
def settlement_run_again(request, run):
    found = _run_or_404(request, run)
    try:
        reconciliation_run(day=found.day, by=request.user)
    except (GatewayUnavailable, SettlementInvalid) as error:
        messages.error(
            request,
            _("The day was not reconciled again, and nothing changed: %(error)s") % {"error": error},
        )
    else:
        messages.success(request, _("The day was reconciled again with the gateway's file."))
    return redirect("backoffice:settlement_run", found.uuid)


def _mismatch_page(request, mismatch, form, *, status=200):
    return render(
        request,
        "backoffice/finance/mismatch.html",
        {"run": mismatch.run, "row": _row(mismatch), "form": form},
        status=status,
    )


@finance_page
@require_http_methods(["GET", "POST"])
def settlement_mismatch_page(request, run, mismatch):
    found = settlement_mismatch_get(viewer=request.user, mismatch_uuid=mismatch)
    if found is None or found.run.uuid != run:
        raise Http404
    if request.method == "GET":
        return _mismatch_page(request, found, ResolveForm())
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            mismatch_resolve(mismatch_uuid=found.uuid, note=form.cleaned_data["note"], by=request.user)
        except ResolveRefused as refused:
            if refused.problem == "already-resolved":
                messages.error(request, _("Someone resolved this finding already: their note is below."))
                return redirect("backoffice:settlement_mismatch", found.run.uuid, found.uuid)
            if refused.problem not in REFUSALS:
                return forbidden(request)
            form.add_error("note", REFUSALS[refused.problem])
        else:
            messages.success(request, _("The finding is resolved. Your note is kept with it."))
            return redirect("backoffice:settlement_run", found.run.uuid)
    return _mismatch_page(request, found, form, status=400)

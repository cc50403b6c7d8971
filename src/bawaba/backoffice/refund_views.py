"""Refunds of an agency's paid applications: found by the application's reference or the receipt's number,
requested by one member of staff, approved or rejected by another. Each page is refused (403) to staff
without the permission it needs; the services check it again."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from bawaba.accounts.permissions import can_work_on_agency_cases
from bawaba.cases.refunds import (
    agency_intent,
    agency_paid_intent,
    agency_refund,
    agency_refunds,
    application_of,
)
from bawaba.core.money import Money
from bawaba.payments.models import Refund
from bawaba.payments.refunds import (
    RefundRefused,
    can_approve_refunds,
    can_request_refunds,
    refund_approve,
    refund_reject,
    refund_request,
    refund_send,
    refundable_left,
    refunds_made,
)

from .access import AgencyShown, agency_page, forbidden

OPEN = (Refund.Status.REQUESTED, Refund.Status.APPROVED)


def can_see_refunds(user, *, agency: str) -> bool:
    return can_work_on_agency_cases(user, agency=agency) and (
        can_request_refunds(user) or can_approve_refunds(user)
    )


refunds_page = agency_page(can_see_refunds)


def _places(currency: str) -> int:
    return -Money(1, currency).major.as_tuple().exponent


def _major(amount: int, currency: str) -> Decimal:
    return Money(amount, currency).major


class FindForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Application reference or receipt number"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off"}),
    )


class RequestForm(forms.Form):
    amount = forms.DecimalField(
        label=gettext_lazy("Amount to give back"),
        min_value=Decimal("0"),
        max_digits=15,
        decimal_places=3,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "dir": "ltr"}),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Write why the money is given back.")},
    )

    def __init__(self, *args, currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.fields["amount"].help_text = _(
            "In %(currency)s; all that is left to refund unless you change it."
        ) % {"currency": currency}

    def clean_amount(self) -> int:
        value = self.cleaned_data["amount"]
        places = _places(self.currency)
        try:
            minor = value.scaleb(places)
            if minor != minor.to_integral_value():
                raise InvalidOperation
        except InvalidOperation:
            raise forms.ValidationError(
                _("Use at most %(places)s digits after the decimal point.") % {"places": places}
            ) from None
        return int(minor)


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note"),
        help_text=gettext_lazy("Required to reject: the person who asked will read it."),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _list(request, agency: AgencyShown, *, search: FindForm, found=None, status=200):
    rows = agency_refunds(agency=agency.code)
    return render(
        request,
        "backoffice/refunds/list.html",
        {
            "agency": agency,
            "search": search,
            "found": found,
            "found_application": application_of(found) if found is not None else None,
            "found_left": refundable_left(found) if found is not None else 0,
            "awaiting": [row for row in rows if row[0].status == Refund.Status.REQUESTED],
            "retrying": [row for row in rows if row[0].status == Refund.Status.APPROVED],
            "decided": [row for row in rows if row[0].status not in OPEN][:50],
            "can_request": can_request_refunds(request.user),
            "can_approve": can_approve_refunds(request.user),
        },
        status=status,
    )


@refunds_page
@require_http_methods(["GET"])
def refund_list(request, agency: AgencyShown):
    search = FindForm(request.GET or None)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    found = agency_paid_intent(agency=agency.code, found=query) if query else None
    if query and found is None:
        search.add_error("q", _("No paid payment of this agency has this reference or receipt number."))
        return _list(request, agency, search=search, status=404)
    return _list(request, agency, search=search, found=found)


@refunds_page
@require_http_methods(["GET", "POST"])
def refund_new(request, agency: AgencyShown, intent):
    if not can_request_refunds(request.user):
        return forbidden(request)
    found = agency_intent(agency=agency.code, intent_uuid=intent)
    if found is None:
        raise Http404
    left = refundable_left(found)
    initial = {"amount": _major(left, found.currency)}
    form = RequestForm(request.POST or None, initial=initial, currency=found.currency)
    if request.method == "POST" and form.is_valid():
        try:
            refund_request(
                intent=found,
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except RefundRefused as refused:
            if refused.problem == "forbidden":
                return forbidden(request)
            if refused.problem == "amount":
                form.add_error(
                    "amount",
                    _("Enter an amount above zero and at most %(left)s: what is left to refund.")
                    % {"left": Money(left, found.currency).format(request.LANGUAGE_CODE)},
                )
            else:
                form.add_error("reason" if refused.problem == "reason" else None, refused.message)
        else:
            messages.success(request, _("The refund is requested. Another member of staff must approve it."))
            return redirect("backoffice:refunds", agency.code)
    return render(
        request,
        "backoffice/refunds/new.html",
        {
            "agency": agency,
            "intent": found,
            "application": application_of(found),
            "left": left,
            "made": refunds_made(found),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@refunds_page
@require_http_methods(["GET", "POST"])
def refund_page(request, agency: AgencyShown, refund):
    shown = agency_refund(agency=agency.code, refund_uuid=refund)
    if shown is None:
        raise Http404
    found, application = shown
    form = DecisionForm(request.POST or None)
    if request.method == "POST":
        if not can_approve_refunds(request.user):
            return forbidden(request)
        decision = request.POST.get("decision")
        try:
            if decision == "retry":
                found = refund_send(refund=found)
                _told(request, found)
                return redirect("backoffice:refund", agency.code, found.uuid)
            if form.is_valid() and decision in ("approve", "reject"):
                note = form.cleaned_data["note"]
                if decision == "approve":
                    found = refund_approve(refund=found, actor=request.user, note=note)
                    _told(request, found)
                else:
                    refund_reject(refund=found, actor=request.user, note=note)
                    messages.success(request, _("The refund is rejected."))
                return redirect("backoffice:refunds", agency.code)
        except RefundRefused as refused:
            form.add_error("note" if refused.problem == "note" else None, refused.message)
    return render(
        request,
        "backoffice/refunds/detail.html",
        {
            "agency": agency,
            "refund": found,
            "application": application,
            "form": form,
            "may_decide": can_approve_refunds(request.user)
            and found.requested_by_id != request.user.pk
            and found.status == Refund.Status.REQUESTED,
            "own": found.requested_by_id == request.user.pk,
            "may_retry": can_approve_refunds(request.user) and found.status == Refund.Status.APPROVED,
        },
        status=400 if form.errors else 200,
    )


def _told(request, refund: Refund) -> None:
    if refund.status == Refund.Status.SUCCEEDED:
        messages.success(request, _("The refund is made; the payer is told."))
    elif refund.status == Refund.Status.FAILED:
        messages.error(request, _("The payment service refused this refund; nothing was given back."))
    else:
        messages.error(
            request,
            _(
                "The refund is approved but the payment service could not be reached. Try sending it again later."
            ),
        )

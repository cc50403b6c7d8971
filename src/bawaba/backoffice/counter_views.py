"""The service-centre counter: an agent opens a shift, takes an application's fee in cash or on a card terminal,
prints the receipt, and closes the shift by counting the cash. Finance officers and auditors see every shift.

A refused step shows its page again with the reason in words; nothing was written.
"""

from functools import wraps
from uuid import UUID

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bawaba.accounts.models import StaffMembership, StaffRole
from bawaba.cases.counter_payments import application_at_counter, fee_at_counter_take, fee_breakdown
from bawaba.cases.payments import fee_paid_intent
from bawaba.core.i18n import current_language, pick
from bawaba.core.money import Money
from bawaba.payments.counter import (
    CounterRefused,
    can_oversee_counter_shifts,
    can_take_counter_payments,
    shift_close,
    shift_open,
    shift_totals,
)
from bawaba.payments.counter_selectors import (
    counter_receipt,
    shift_current,
    shift_payments,
    shift_refunds,
    shift_seen,
    shifts_overseen,
)
from bawaba.payments.models import Shift

from .access import forbidden, staff_page
from .counter_forms import COUNTER_ERRORS, FindForm, PayForm, ShiftCloseForm, ShiftOpenForm

FIRST_CURRENCY = "EGP"  # the drawer's currency offered to an agent's first shift


def counter_page(view):
    """Service-centre agents only."""

    @staff_page
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can_take_counter_payments(request.user):
            return forbidden(request)
        return view(request, *args, **kwargs)

    return wrapper


def overseer_page(view):
    """Finance officers, auditors and platform administrators."""

    @staff_page
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can_oversee_counter_shifts(request.user):
            return forbidden(request)
        return view(request, *args, **kwargs)

    return wrapper


def _refused(form, refused: CounterRefused) -> None:
    field, words = COUNTER_ERRORS.get(refused.problem, (None, refused.problem))
    form.add_error(field if field in form.fields else None, str(words))


def _open_form(user) -> ShiftOpenForm:
    membership = (
        StaffMembership.objects.filter(user=user, role=StaffRole.CENTRE_AGENT).exclude(office="").first()
    )
    last = Shift.objects.filter(agent=user).order_by("-opened_at").first()
    return ShiftOpenForm(
        initial={
            "centre": membership.office if membership else (last.centre if last else ""),
            "currency": last.currency if last else FIRST_CURRENCY,
        }
    )


def _home(request, *, open_form=None, find_form=None, status=200):
    shift = shift_current(request.user)
    context = {"shift": shift, "open_form": open_form, "find_form": find_form or FindForm()}
    if shift is None:
        context["open_form"] = open_form or _open_form(request.user)
    else:
        context["totals"] = shift_totals(shift)
        context["payments"] = shift_payments(shift)
    return render(request, "backoffice/counter/home.html", context, status=status)


@counter_page
@require_GET
def counter(request):
    return _home(request)


@counter_page
@require_POST
def counter_shift_open(request):
    form = ShiftOpenForm(request.POST)
    if form.is_valid():
        try:
            shift_open(
                agent=request.user,
                centre=form.cleaned_data["centre"],
                opening_float=form.cleaned_data["opening_float"],
                currency=form.cleaned_data["currency"],
            )
        except CounterRefused as refused:
            _refused(form, refused)
        else:
            messages.success(request, _("Your shift is open. You can take payments now."))
            return redirect("backoffice:counter")
    return _home(request, open_form=form, status=400)


def _breakdown_rows(application) -> list[tuple[str, str]]:
    quote = fee_breakdown(application)
    if quote is None:
        return []
    rows = []
    for line in quote.lines:
        label = pick(line.label)
        if line.option_label:
            label = f"{label}: {pick(line.option_label)}"
        elif line.count is not None and line.kind == "per-item":
            label = f"{label} × {line.count}"
        rows.append((label, Money(line.amount, quote.currency).format(current_language())))
    return rows


def _pay_page(request, application, *, form=None, status=200):
    shift = shift_current(request.user)
    paid = fee_paid_intent(application) if application.fees_due else None
    context = {
        "application": application,
        "shift": shift,
        "paid": application.fees_paid or paid is not None,
        "breakdown": _breakdown_rows(application),
        "form": form
        or PayForm(
            initial={"owed": application.fees_due, "method": "cash"},
            currency=application.currency or FIRST_CURRENCY,
        ),
    }
    return render(request, "backoffice/counter/pay.html", context, status=status)


@counter_page
@require_http_methods(["GET", "POST"])
def counter_pay(request):
    """GET ?reference=…: the application and what it owes. POST: the payment taken."""
    data = request.POST if request.method == "POST" else request.GET
    find = FindForm(data)
    if not find.is_valid():
        return _home(request, find_form=find, status=400)
    application = application_at_counter(agent=request.user, reference=find.cleaned_data["reference"])
    if application is None:
        find.add_error(
            "reference",
            _("No application with this reference, or not one of the agencies you take payments for."),
        )
        return _home(request, find_form=find, status=404)
    if request.method == "GET":
        return _pay_page(request, application)
    form = PayForm(request.POST, currency=application.currency or FIRST_CURRENCY)
    if form.is_valid():
        try:
            intent = fee_at_counter_take(
                application=application,
                agent=request.user,
                owed_seen=form.cleaned_data["owed"],
                method=form.cleaned_data["method"],
                received=form.cleaned_data["received"],
                terminal_slip=form.cleaned_data["terminal_slip"],
            )
        except CounterRefused as refused:
            _refused(form, refused)
        else:
            change = intent.counter.change_given
            if change:
                messages.success(
                    request,
                    _("Payment recorded. Give the citizen %(change)s in change and this receipt.")
                    % {"change": Money(change, intent.currency).format(request.LANGUAGE_CODE)},
                )
            else:
                messages.success(request, _("Payment recorded. Give the citizen this receipt."))
            return redirect("backoffice:counter_receipt", intent.uuid)
    return _pay_page(request, application, form=form, status=400)


@staff_page
@require_GET
def counter_receipt_page(request, intent: UUID):
    paid = counter_receipt(user=request.user, intent_uuid=intent)
    if paid is None:
        raise Http404(_("There is no such receipt."))
    return render(request, "backoffice/counter/receipt.html", {"paid": paid, "counter": paid.counter})


@counter_page
@require_http_methods(["GET", "POST"])
def counter_shift_close(request):
    shift = shift_current(request.user)
    if shift is None:
        messages.error(request, str(COUNTER_ERRORS["no-open-shift"][1]))
        return redirect("backoffice:counter")
    form = ShiftCloseForm(request.POST or None, currency=shift.currency)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                closed = shift_close(
                    agent=request.user,
                    shift_uuid=request.POST.get("shift", ""),
                    counted_cash=form.cleaned_data["counted_cash"],
                    note=form.cleaned_data["note"],
                )
            except CounterRefused as refused:
                _refused(form, refused)
            else:
                messages.success(request, _("Your shift is closed."))
                return redirect("backoffice:counter_shift", closed.uuid)
    context = {"shift": shift, "totals": shift_totals(shift), "form": form}
    return render(request, "backoffice/counter/close.html", context, status=status)


@staff_page
@require_GET
def counter_shift_page(request, shift: UUID):
    found = shift_seen(user=request.user, shift_uuid=shift)
    if found is None:
        raise Http404(_("There is no such shift."))
    totals = shift_totals(found) if found.closed_at is None else None
    context = {
        "shift": found,
        "totals": totals,
        "payments": shift_payments(found),
        "refunds": shift_refunds(found),
        "overseer": can_oversee_counter_shifts(request.user),
    }
    return render(request, "backoffice/counter/shift.html", context)


@overseer_page
@require_GET
def counter_shifts(request):
    shifts = shifts_overseen(user=request.user)
    rows = [(shift, shift_totals(shift) if shift.closed_at is None else None) for shift in shifts]
    return render(request, "backoffice/counter/shifts.html", {"rows": rows})

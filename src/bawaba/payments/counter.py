"""Paying at a service-centre counter: the agent's shift, the payments taken in it, and its cash counted at close.

A counter payment is an intent born paid: it is written with its receipt number and `payment.succeeded` in one
transaction, through the same `intent_outcome_record` as a gateway payment, so the purpose's owner moves on the
same way. "Paid once" is the database's rule (one succeeded intent per purpose), so two agents, or an agent and
the gateway, can never both count the same sum. An online payment still open for the purpose is closed in that
transaction; if its gateway takes the money afterwards, `_settle` holds it as a mismatch for finance staff.

The shift row is locked by every payment, every cash refund paid out of it (`refunds.refund_approve`) and by its
close, so nothing is taken into or paid out of a shift being counted.
"""

import secrets

from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from bawaba.accounts.models import StaffMembership, StaffRole, User
from bawaba.audit.services import audit_record
from bawaba.core.references import reference_next

from .models import CounterPayment, Intent, Refund, Shift
from .services import intent_outcome_record

__all__ = [
    "COUNTER",
    "CounterRefused",
    "can_oversee_counter_shifts",
    "can_take_counter_payments",
    "counter_payment_take",
    "shift_close",
    "shift_open",
    "shift_totals",
]

COUNTER = "counter"  # the `gateway` of an intent paid at a counter
OVERSEERS = {StaffRole.FINANCE, StaffRole.AUDITOR, StaffRole.PLATFORM_ADMIN}
CENTRE_MAX = Shift._meta.get_field("centre").max_length
SLIP_MAX = CounterPayment._meta.get_field("terminal_slip").max_length
NOTE_MAX = 2000


class CounterRefused(Exception):
    """`problem`: not-allowed, shift-open-already, no-open-shift, centre-needed, bad-currency, bad-amount,
    note-needed, already-paid, nothing-to-pay, wrong-currency, amount-changed, bad-method, too-little,
    slip-needed, closed."""

    def __init__(self, problem: str):
        super().__init__(problem)
        self.problem = problem


# Who may ------------------------------------------------------------------------------------------------------


def _memberships(user: User):
    if not user.is_authenticated or not user.is_active:
        return StaffMembership.objects.none()
    return StaffMembership.objects.filter(user=user)


def can_take_counter_payments(user: User, *, agency: str | None = None) -> bool:
    """Service-centre agents, for the applications of the agencies they hold that role in (any, without one)."""
    memberships = _memberships(user).filter(role=StaffRole.CENTRE_AGENT)
    if agency is not None:
        memberships = memberships.filter(agency=agency)
    return memberships.exists()


def can_oversee_counter_shifts(user: User) -> bool:
    """Every centre's shifts and their differences: finance officers, auditors and platform administrators."""
    return _memberships(user).filter(role__in=OVERSEERS).exists()


# Shifts -------------------------------------------------------------------------------------------------------


def _actor(user: User) -> str:
    return f"user:{user.uuid}"


def shift_totals(shift: Shift) -> dict:
    """What the shift's payments add up to, by method, the cash refunds paid out of it, and the cash the drawer
    should hold: the float, plus cash taken, less cash refunded."""
    sums = {
        row["method"]: (row["total"] or 0, row["count"])
        for row in shift.payments.values("method").annotate(total=Sum("intent__amount"), count=Count("id"))
    }
    cash, cash_count = sums.get(CounterPayment.Method.CASH, (0, 0))
    terminal, terminal_count = sums.get(CounterPayment.Method.TERMINAL, (0, 0))
    refunded = (
        shift.refunds.filter(status=Refund.Status.SUCCEEDED).aggregate(total=Sum("amount"))["total"] or 0
    )
    return {
        "cash": cash,
        "terminal": terminal,
        "count": cash_count + terminal_count,
        "refunded": refunded,
        "expected_cash": shift.opening_float + cash - refunded,
    }


def shift_open(*, agent: User, centre: str, opening_float: int, currency: str) -> Shift:
    """A new shift for the agent. Raises CounterRefused (one open shift at a time, also for two tabs at once)."""
    centre = " ".join(centre.split())
    if not can_take_counter_payments(agent):
        raise CounterRefused("not-allowed")
    if not centre or len(centre) > CENTRE_MAX:
        raise CounterRefused("centre-needed")
    if len(currency) != 3 or not currency.isascii() or not currency.isupper():
        raise CounterRefused("bad-currency")
    if opening_float < 0:
        raise CounterRefused("bad-amount")
    with transaction.atomic():
        try:
            with transaction.atomic():
                shift = Shift.objects.create(
                    agent=agent,
                    centre=centre,
                    currency=currency,
                    opening_float=opening_float,
                    opened_at=timezone.now(),
                )
        except IntegrityError:
            raise CounterRefused("shift-open-already") from None
        audit_record(
            action="payments.shift.opened",
            actor=_actor(agent),
            subject_type="counter-shift",
            subject_id=str(shift.uuid),
            data={"centre": centre, "opening_float": opening_float, "currency": currency},
        )
    return shift


def _open_shift_locked(agent: User) -> Shift:
    shift = Shift.objects.select_for_update().filter(agent=agent, closed_at__isnull=True).first()
    if shift is None:
        raise CounterRefused("no-open-shift")
    return shift


@transaction.atomic
def shift_close(*, agent: User, shift_uuid, counted_cash: int, note: str) -> Shift:
    """Close the agent's open shift with the cash counted; the difference is kept and, unless nil, explained.
    Raises CounterRefused: no-open-shift (also for a shift closed already or another's), bad-amount,
    note-needed."""
    shift = _open_shift_locked(agent)
    if str(shift.uuid) != str(shift_uuid):
        raise CounterRefused("no-open-shift")
    if counted_cash < 0:
        raise CounterRefused("bad-amount")
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise CounterRefused("note-needed")
    totals = shift_totals(shift)
    difference = counted_cash - totals["expected_cash"]
    if difference and not note:
        raise CounterRefused("note-needed")
    shift.closed_at = timezone.now()
    shift.cash_taken, shift.terminal_taken = totals["cash"], totals["terminal"]
    shift.cash_refunded = totals["refunded"]
    shift.expected_cash, shift.counted_cash = totals["expected_cash"], counted_cash
    shift.difference, shift.close_note = difference, note
    shift.save()
    audit_record(
        action="payments.shift.closed",
        actor=_actor(agent),
        subject_type="counter-shift",
        subject_id=str(shift.uuid),
        data={
            "centre": shift.centre,
            "currency": shift.currency,
            "opening_float": shift.opening_float,
            "cash_taken": shift.cash_taken,
            "terminal_taken": shift.terminal_taken,
            "payments": totals["count"],
            "cash_refunded": shift.cash_refunded,
            "expected_cash": shift.expected_cash,
            "counted_cash": counted_cash,
            "difference": difference,
            "note": note,
        },
    )
    return shift


# Payments -----------------------------------------------------------------------------------------------------


@transaction.atomic
def counter_payment_take(
    *,
    agent: User,
    purpose: str,
    reference: str,
    description: str,
    payer: User,
    amount: int,
    currency: str,
    method: str,
    received: int | None,
    terminal_slip: str = "",
) -> Intent:
    """The sum owed for `purpose`, paid now at the agent's counter in their open shift: a paid intent with its
    receipt number. `received` is the cash handed over (at least `amount`; the rest is change); a terminal
    payment needs its slip's approval number. Raises CounterRefused; nothing is written then."""
    if method not in CounterPayment.Method.values:
        raise CounterRefused("bad-method")
    if amount <= 0:
        raise CounterRefused("nothing-to-pay")
    shift = _open_shift_locked(agent)
    if currency != shift.currency:
        raise CounterRefused("wrong-currency")
    terminal_slip = terminal_slip.strip()
    if method == CounterPayment.Method.TERMINAL:
        if not terminal_slip or len(terminal_slip) > SLIP_MAX:
            raise CounterRefused("slip-needed")
        received = amount
    else:
        terminal_slip = ""
        if received is None or received < amount:
            raise CounterRefused("too-little")
    now = timezone.now()
    # An online payment left open for this sum is closed: the gateway can no longer make it count.
    left_open = list(Intent.objects.select_for_update().filter(purpose=purpose, status=Intent.Status.OPEN))
    if Intent.objects.filter(purpose=purpose, status=Intent.Status.SUCCEEDED).exists():
        raise CounterRefused("already-paid")
    try:
        with transaction.atomic():
            intent = Intent.objects.create(
                purpose=purpose,
                reference=reference,
                description=description,
                payer=payer,
                amount=amount,
                currency=currency,
                status=Intent.Status.SUCCEEDED,
                gateway=COUNTER,
                idempotency_key=secrets.token_urlsafe(24),
                paid_at=now,
                paid_amount=amount,
                receipt_number=reference_next("RCP"),
            )
    except IntegrityError:  # paid at this moment by another counter or the gateway
        raise CounterRefused("already-paid") from None
    payment = CounterPayment.objects.create(
        intent=intent,
        shift=shift,
        method=method,
        received=received,
        change_given=received - amount,
        terminal_slip=terminal_slip,
    )
    for online in left_open:
        online.status = Intent.Status.FAILED
        online.save(update_fields=["status", "updated_at"])
        intent_outcome_record(
            online, actor=_actor(agent), data={"closed_for": "counter", "paid_by": str(intent.uuid)}
        )
    intent_outcome_record(
        intent,
        actor=_actor(agent),
        data={
            "currency": currency,
            "method": method,
            "received": received,
            "change": payment.change_given,
            "terminal_slip": terminal_slip,
            "shift": str(shift.uuid),
            "centre": shift.centre,
            "receipt_number": intent.receipt_number,
        },
    )
    return intent

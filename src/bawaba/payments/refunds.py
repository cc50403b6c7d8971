"""Refunds: asked for by one member of staff, approved by another, then made once.

A request reserves its amount: what was paid, less every refund requested, approved or made, is all that can
still be asked for, counted under a lock on the payment's row so two requests at once cannot together exceed
it. The gateway is called after the approval is committed, outside any lock, with the refund's own
idempotency key: a timeout or a gateway that is down leaves the refund approved, and sending it again can
never refund twice. A payment taken at a counter (no card gateway behind it) is given back in cash there:
approving it records it as made, paid out of the approver's open shift.

Why the approver's drawer and not a later payout by any agent: at a centre the citizen is at the counter when a
cash refund is decided, and the supervisor who signs it off hands the cash over from the drawer they will count
at close. Approval and payout being one step leaves no "approved, cash not yet given" state for two agents to
pay out twice or for no one to pay out at all, and the drawer the cash left is always the one of the person who
let it leave.
"""

import secrets
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from bawaba.audit.services import audit_record
from bawaba.events.services import event_emit

from .counter import shift_totals
from .gateways import REGISTRY, GatewayUnavailable, gateway_in_use
from .gateways.refunding import RefundDeclined
from .models import Intent, Refund, Shift

__all__ = [
    "APPROVE_PERMISSION",
    "REQUEST_PERMISSION",
    "RefundRefused",
    "can_approve_refunds",
    "can_request_refunds",
    "refund_approve",
    "refund_reject",
    "refund_request",
    "refund_send",
    "refundable_left",
    "refunds_made",
]

REQUEST_PERMISSION = "payments.can_request_refunds"
APPROVE_PERMISSION = "payments.can_approve_refunds"
# What a refund holds of the payment until it is rejected or refused by the gateway.
RESERVING = (Refund.Status.REQUESTED, Refund.Status.APPROVED, Refund.Status.SUCCEEDED)


class RefundRefused(Exception):
    """A refund that cannot be asked for, approved or rejected; `message` says why, in the user's language.
    `problem`: forbidden, own-request, not-paid, amount, reason, not-awaiting, counter-only, no-open-shift,
    shift-currency, drawer-short."""

    def __init__(self, problem: str, message: str):
        super().__init__(message)
        self.problem, self.message = problem, message


def can_request_refunds(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm(REQUEST_PERMISSION))


def can_approve_refunds(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm(APPROVE_PERMISSION))


def _paid(intent: Intent) -> int:
    return intent.paid_amount if intent.paid_amount is not None else intent.amount


def _reserved(intent: Intent) -> int:
    return intent.refunds.filter(status__in=RESERVING).aggregate(total=Sum("amount"))["total"] or 0


def refundable_left(intent: Intent) -> int:
    """What can still be asked for: paid, less every refund not rejected or refused."""
    if intent.status != Intent.Status.SUCCEEDED:
        return 0
    return max(_paid(intent) - _reserved(intent), 0)


def refunds_made(intent: Intent) -> list[Refund]:
    return list(intent.refunds.filter(status=Refund.Status.SUCCEEDED).order_by("refunded_at"))


def _by_card(intent: Intent) -> bool:
    return intent.gateway in REGISTRY and bool(intent.gateway_payment)


def _actor(user) -> str:
    return f"user:{user.uuid}"


def _audit(refund: Refund, action: str, actor: str, **data) -> None:
    audit_record(
        action=f"payments.refund.{action}",
        actor=actor,
        subject_type="refund",
        subject_id=str(refund.uuid),
        data={
            "intent": str(refund.intent.uuid),
            "purpose": refund.intent.purpose,
            "amount": refund.amount,
            "currency": refund.currency,
            **data,
        },
    )


def refund_request(*, intent: Intent, amount: int, reason: str, actor) -> Refund:
    """Ask for `amount` of a paid intent back. Raises RefundRefused."""
    if not can_request_refunds(actor):
        raise RefundRefused("forbidden", _("You may not request refunds."))
    reason = (reason or "").strip()
    if not reason:
        raise RefundRefused("reason", _("Write why the money is given back."))
    with transaction.atomic():
        # The lock on the payment serialises every request for it: what is left is counted once at a time.
        locked = Intent.objects.select_for_update().get(pk=intent.pk)
        if locked.status != Intent.Status.SUCCEEDED:
            raise RefundRefused("not-paid", _("Only a paid payment can be refunded."))
        left = refundable_left(locked)
        if type(amount) is not int or not 1 <= amount <= left:
            raise RefundRefused(
                "amount",
                _("The amount must be between 1 and %(left)s minor units: what is left to refund.")
                % {"left": left},
            )
        refund = Refund.objects.create(
            intent=locked,
            amount=amount,
            currency=locked.currency,
            method=Refund.Method.GATEWAY if _by_card(locked) else Refund.Method.CASH,
            reason=reason,
            requested_by=actor,
            requested_at=timezone.now(),
            idempotency_key=secrets.token_urlsafe(24),
        )
        _audit(refund, "requested", _actor(actor), reason=reason, method=refund.method)
    return refund


def _decided(refund: Refund, actor) -> Refund:
    """The refund, locked, once the actor may decide on it. Call inside a transaction."""
    if not can_approve_refunds(actor):
        raise RefundRefused("forbidden", _("You may not approve or reject refunds."))
    locked = Refund.objects.select_for_update().select_related("intent").get(pk=refund.pk)
    if locked.requested_by_id == actor.pk:
        raise RefundRefused("own-request", _("Someone else must decide on a refund you requested."))
    if locked.status != Refund.Status.REQUESTED:
        raise RefundRefused("not-awaiting", _("This refund is no longer awaiting a decision."))
    return locked


def _succeed(refund: Refund, *, gateway_refund: str, actor: str, **recorded) -> None:
    """Made: recorded, audited and announced in the caller's transaction."""
    refund.status, refund.refunded_at, refund.gateway_refund = (
        Refund.Status.SUCCEEDED,
        timezone.now(),
        gateway_refund,
    )
    refund.last_error = ""
    refund.save(update_fields=["status", "refunded_at", "gateway_refund", "last_error", "updated_at"])
    intent = refund.intent
    _audit(refund, "succeeded", actor, method=refund.method, gateway_refund=gateway_refund, **recorded)
    event_emit(
        name="payment.refunded",
        payload={
            "refund": str(refund.uuid),
            "intent": str(intent.uuid),
            "purpose": intent.purpose,
            "reference": intent.reference,
            "amount": refund.amount,
            "currency": refund.currency,
            "method": refund.method,
            "payer": str(intent.payer.uuid),
            "refunded_at": refund.refunded_at.isoformat(),
        },
    )


def _payout_shift(refund: Refund, actor) -> Shift:
    """The approver's open shift, locked, with the cash to give this refund back. Call inside a transaction.

    The lock is the one every counter payment and the shift's close take: nothing is paid out of a drawer
    being counted, and two refunds at once cannot both spend the same cash."""
    shift = Shift.objects.select_for_update().filter(agent=actor, closed_at__isnull=True).first()
    if shift is None:
        raise RefundRefused(
            "no-open-shift",
            _(
                "A cash refund is paid out of your drawer: open your counter shift before approving it. "
                "Nothing was given back."
            ),
        )
    if shift.currency != refund.currency:
        raise RefundRefused(
            "shift-currency",
            _("Your shift's cash is in %(shift)s; this refund is in %(refund)s. Nothing was given back.")
            % {"shift": shift.currency, "refund": refund.currency},
        )
    if shift_totals(shift)["expected_cash"] < refund.amount:
        raise RefundRefused(
            "drawer-short",
            _("Your drawer does not hold enough cash for this refund. Nothing was given back."),
        )
    return shift


def refund_approve(*, refund: Refund, actor, note: str = "") -> Refund:
    """Approve someone else's request and make the refund. Raises RefundRefused. A gateway that cannot be
    reached leaves it approved, with the error kept, for `refund_send` to try again. A cash refund is paid out
    of the approver's open shift, or refused and nothing written."""
    with transaction.atomic():
        locked = _decided(refund, actor)
        shift = _payout_shift(locked, actor) if locked.method == Refund.Method.CASH else None
        locked.status, locked.approved_by, locked.approved_at = Refund.Status.APPROVED, actor, timezone.now()
        locked.note, locked.shift = (note or "").strip(), shift
        locked.save(update_fields=["status", "approved_by", "approved_at", "note", "shift", "updated_at"])
        _audit(locked, "approved", _actor(actor), note=locked.note)
        if shift is not None:
            _succeed(
                locked, gateway_refund="", actor=_actor(actor), shift=str(shift.uuid), centre=shift.centre
            )
            return locked
    return refund_send(refund=locked)


def refund_reject(*, refund: Refund, actor, note: str) -> Refund:
    """Refuse someone else's request; the amount it held can be asked for again. Raises RefundRefused."""
    note = (note or "").strip()
    if not note:
        raise RefundRefused("note", _("Write why the refund is rejected."))
    with transaction.atomic():
        locked = _decided(refund, actor)
        locked.status, locked.rejected_by, locked.rejected_at = Refund.Status.REJECTED, actor, timezone.now()
        locked.note = note
        locked.save(update_fields=["status", "rejected_by", "rejected_at", "note", "updated_at"])
        _audit(locked, "rejected", _actor(actor), note=note)
    return locked


@dataclass(frozen=True)
class _Outcome:
    refund_id: str = ""
    declined: str = ""
    error: str = ""


def refund_send(*, refund: Refund) -> Refund:
    """Send an approved refund to the gateway (again, after a failure): its key makes it happen once."""
    refund = Refund.objects.select_related("intent__payer").get(pk=refund.pk)
    if refund.status != Refund.Status.APPROVED:
        return refund
    intent = refund.intent
    try:
        made = gateway_in_use().refund(
            payment_id=intent.gateway_payment,
            amount=refund.amount,
            currency=refund.currency,
            reason=refund.reason,
            key=refund.idempotency_key,
        )
        outcome = _Outcome(refund_id=made.refund_id)
        if (made.payment_id, made.amount, made.currency) != (
            intent.gateway_payment,
            refund.amount,
            refund.currency,
        ):
            outcome = _Outcome(error=f"the gateway answered another refund: {made}")
    except RefundDeclined as declined:
        outcome = _Outcome(declined=declined.code)
    except GatewayUnavailable as error:
        outcome = _Outcome(error=str(error))
    with transaction.atomic():
        locked = Refund.objects.select_for_update().select_related("intent__payer").get(pk=refund.pk)
        if locked.status != Refund.Status.APPROVED:
            return locked  # settled meanwhile by another try
        locked.attempts += 1
        if outcome.refund_id:
            locked.save(update_fields=["attempts"])
            _succeed(locked, gateway_refund=outcome.refund_id, actor=f"gateway:{intent.gateway}")
        elif outcome.declined:
            locked.status, locked.last_error = Refund.Status.FAILED, outcome.declined
            locked.save(update_fields=["status", "attempts", "last_error", "updated_at"])
            _audit(locked, "failed", f"gateway:{intent.gateway}", error=outcome.declined)
        else:
            locked.last_error = outcome.error[:400]
            locked.save(update_fields=["attempts", "last_error", "updated_at"])
    return locked

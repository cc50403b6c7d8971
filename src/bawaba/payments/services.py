"""Taking payments: an intent per sum owed, settled once from whatever the gateway says first.

The gateway speaks three ways: its signed webhooks (kept, then settled from by a task), the signed address the
payer's browser returns to (which only names the payment: its status is then read server to server), and that
read itself. Any of them may come first, late, twice or out of order; each goes through `_settle`, which locks
the intent, never moves it back from a final state, checks the amount and currency against what is owed, and
on success emits `payment.succeeded` in the same transaction, for the purpose's owner (an application…) to
move on.
"""

import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from bawaba.audit.services import audit_record
from bawaba.core.references import reference_next
from bawaba.events.services import event_emit

from .gateways import GatewayPayment, GatewayRefused, gateway_in_use
from .models import GatewayEvent, Intent

__all__ = [
    "PaymentRefused",
    "intent_open",
    "intent_outcome_record",
    "intent_payment_create",
    "intent_poll",
    "intent_ready",
    "payment_returned",
    "webhook_receive",
    "webhook_settle_from",
]


class PaymentRefused(Exception):
    """`problem`: already-paid (the purpose is paid), not-yours, not-this-payment."""

    def __init__(self, problem: str):
        super().__init__(problem)
        self.problem = problem


def intent_open(
    *, purpose: str, reference: str, description: str, payer, amount: int, currency: str, return_url: str
) -> Intent:
    """The open intent for this purpose (created, with its gateway payment, the first time). Raises
    PaymentRefused("already-paid") when it is paid, and GatewayUnavailable when the gateway cannot be reached
    (the intent is kept: the next try creates the gateway payment with the same key)."""
    intent = intent_ready(
        purpose=purpose,
        reference=reference,
        description=description,
        payer=payer,
        amount=amount,
        currency=currency,
    )
    return intent_payment_create(intent, return_url=return_url)


@transaction.atomic
def intent_ready(
    *, purpose: str, reference: str, description: str, payer, amount: int, currency: str
) -> Intent:
    """The open intent for this purpose, created when there is none or what is owed changed; its gateway
    payment is made by `intent_payment_create`, outside the caller's transaction. Raises PaymentRefused."""
    if Intent.objects.filter(purpose=purpose, status=Intent.Status.SUCCEEDED).exists():
        raise PaymentRefused("already-paid")
    intent = Intent.objects.select_for_update().filter(purpose=purpose, status=Intent.Status.OPEN).first()
    if intent is not None and (intent.amount, intent.currency) != (amount, currency):
        intent.status = Intent.Status.FAILED  # what is owed changed: a new intent for the new sum
        intent.save(update_fields=["status", "updated_at"])
        intent = None
    if intent is None:
        try:
            with transaction.atomic():
                intent = Intent.objects.create(
                    purpose=purpose,
                    reference=reference,
                    description=description,
                    payer=payer,
                    amount=amount,
                    currency=currency,
                    gateway=gateway_in_use().name,
                    idempotency_key=secrets.token_urlsafe(24),
                )
        except IntegrityError:  # opened at the same moment by another request
            intent = Intent.objects.select_for_update().get(purpose=purpose, status=Intent.Status.OPEN)
    return intent


def intent_payment_create(intent: Intent, *, return_url: str) -> Intent:
    """The intent with its gateway payment, created the first time. Call it outside any transaction: a slow
    gateway must not hold the row. The idempotency key makes a repeat create the same payment."""
    if intent.gateway_payment:
        return intent
    created = gateway_in_use().create(
        amount=intent.amount,
        currency=intent.currency,
        reference=intent.reference,
        description=intent.description,
        return_url=return_url,
        key=intent.idempotency_key,
    )
    Intent.objects.filter(pk=intent.pk, gateway_payment="").update(
        gateway_payment=created.payment_id, pay_url=created.pay_url
    )
    intent.refresh_from_db()
    return intent


@transaction.atomic
def _settle(intent_pk: int, payment: GatewayPayment, *, source: str) -> Intent:
    # With its payer, whom payment.succeeded names, in the same query; only the intent's row is locked.
    intent = Intent.objects.select_for_update(of=("self",)).select_related("payer").get(pk=intent_pk)
    # Closed on our side (paid at a counter, or the sum owed changed) while the payer was still on the gateway's
    # page: the gateway took the money all the same. It is held for finance staff, never counted as paid.
    taken_after_closing = intent.status == Intent.Status.FAILED and payment.status == "succeeded"
    if intent.status != Intent.Status.OPEN and not taken_after_closing:
        return intent  # final already: a late, repeated or older word changes nothing
    if payment.payment_id != intent.gateway_payment:
        raise PaymentRefused("not-this-payment")
    if payment.sequence and payment.sequence <= intent.last_sequence:
        return intent  # older than what we know
    intent.last_sequence = max(intent.last_sequence, payment.sequence)
    changed = ["last_sequence", "decline_reason", "status", "updated_at"]
    intent.decline_reason = payment.decline_reason
    if payment.status == "succeeded":
        intent.paid_at, intent.paid_amount = timezone.now(), payment.amount
        changed += ["paid_at", "paid_amount"]
        if taken_after_closing or (payment.amount, payment.currency) != (intent.amount, intent.currency):
            intent.status = Intent.Status.MISMATCH
        else:
            intent.status = Intent.Status.SUCCEEDED
            intent.receipt_number = reference_next("RCP")
            changed.append("receipt_number")
    elif payment.status == "failed":
        intent.status = Intent.Status.FAILED
    intent.save(update_fields=changed)
    if intent.status != Intent.Status.OPEN:
        intent_outcome_record(
            intent,
            actor=f"gateway:{intent.gateway}",
            data={
                "paid_amount": payment.amount,
                "currency": payment.currency,
                "gateway_payment": payment.payment_id,
                "source": source,
                **({"closed_before_payment": True} if taken_after_closing else {}),
            },
        )
    return intent


def intent_outcome_record(intent: Intent, *, actor: str, data: dict) -> None:
    """The audit entry of an intent's final status and, when it is paid, `payment.succeeded` for the purpose's
    owner; inside the transaction that set the status, however the money came (gateway or counter)."""
    audit_record(
        action=f"payments.intent.{intent.status}",
        actor=actor,
        subject_type="payment-intent",
        subject_id=str(intent.uuid),
        data={"purpose": intent.purpose, "amount": intent.amount, **data},
    )
    if intent.status == Intent.Status.SUCCEEDED:
        event_emit(
            name="payment.succeeded",
            payload={
                "intent": str(intent.uuid),
                "purpose": intent.purpose,
                "reference": intent.reference,
                "amount": intent.amount,
                "currency": intent.currency,
                "payer": str(intent.payer.uuid),
            },
        )


def webhook_receive(*, headers, body: bytes) -> bool:
    """A webhook: checked and kept once; a task settles from it. Raises GatewayRefused; False for a repeat.

    The gateway waits for the answer and sends again what is not answered quickly, so the answer comes once the
    event is stored (PROTOCOL.md: "answer quickly with 2xx once stored, and do the work afterwards"); the payer
    coming back meanwhile is settled at once by the status check.
    """
    from .tasks import webhook_settle  # the tasks call back into these services

    gateway = gateway_in_use()
    event = gateway.event(headers, body)
    # Leaving out "" states the condition of the unique index on payment ids, without which SQLite reads every
    # intent instead of using it.
    intent_pk = (
        Intent.objects.filter(gateway=gateway.name, gateway_payment=event.payment.payment_id)
        .exclude(gateway_payment="")
        .values_list("pk", flat=True)
        .first()
    )
    try:
        with transaction.atomic():
            stored = GatewayEvent.objects.create(
                gateway=gateway.name, event_id=event.event_id, intent_id=intent_pk, payload=event.payload
            )
            if intent_pk is not None:
                webhook_settle.enqueue(event_pk=stored.pk)  # committed with the event, or not at all
    except IntegrityError:
        return False  # the same event again (the gateway sends each at least twice)
    return True


def webhook_settle_from(event_pk: int) -> Intent | None:
    """Settle the intent from a stored webhook: what the webhook_settle task does."""
    stored = GatewayEvent.objects.filter(pk=event_pk).exclude(intent=None).first()
    if stored is None:
        return None
    gateway = gateway_in_use()
    return _settle(stored.intent_id, gateway.event_payment(stored.payload), source="webhook")


def intent_poll(intent: Intent) -> Intent:
    """Read the payment from the gateway, server to server, and settle from it. Raises GatewayUnavailable."""
    # A closed intent is read too: its gateway may have taken the money after we closed it.
    if not intent.gateway_payment or intent.status not in (Intent.Status.OPEN, Intent.Status.FAILED):
        return intent
    return _settle(intent.pk, gateway_in_use().read(intent.gateway_payment), source="status-check")


def payment_returned(*, intent_uuid, payer, query) -> Intent:
    """The payer's browser came back: the address must be the gateway's and name this intent's payment;
    then the payment is read. Raises PaymentRefused, GatewayRefused, GatewayUnavailable."""
    intent = Intent.objects.filter(uuid=intent_uuid).first()
    if intent is None or intent.payer_id != payer.pk:
        raise PaymentRefused("not-yours")
    payment_id, _status = gateway_in_use().returned(query)
    if payment_id != intent.gateway_payment:
        raise GatewayRefused("the return names another payment")
    return intent_poll(intent)

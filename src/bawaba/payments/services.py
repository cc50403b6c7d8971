"""Taking payments: an intent per sum owed, settled once from whatever the gateway says first.

The gateway speaks three ways: its signed webhooks, the signed address the payer's browser returns to (which
only names the payment: its status is then read server to server), and that read itself. Any of them may come
first, late, twice or out of order; each goes through `_settle`, which locks the intent, never moves it back
from a final state, checks the amount and currency against what is owed, and on success emits
`payment.succeeded` in the same transaction, for the purpose's owner (an application…) to move on.
"""

import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from bawaba.audit.services import audit_record
from bawaba.core.references import reference_next
from bawaba.events.services import event_emit

from .gateways import GatewayPayment, GatewayRefused, gateway_in_use
from .models import GatewayEvent, Intent

__all__ = ["PaymentRefused", "intent_open", "intent_poll", "payment_returned", "webhook_receive"]


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
    gateway = gateway_in_use()
    with transaction.atomic():
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
                        gateway=gateway.name,
                        idempotency_key=secrets.token_urlsafe(24),
                    )
            except IntegrityError:  # opened at the same moment by another request
                intent = Intent.objects.select_for_update().get(purpose=purpose, status=Intent.Status.OPEN)
    if not intent.gateway_payment:
        # Outside the lock: a slow gateway must not hold the row. The key makes a repeat create the same payment.
        created = gateway.create(
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
    intent = Intent.objects.select_for_update().get(pk=intent_pk)
    if intent.status != Intent.Status.OPEN:
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
        if (payment.amount, payment.currency) != (intent.amount, intent.currency):
            intent.status = Intent.Status.MISMATCH
        else:
            intent.status = Intent.Status.SUCCEEDED
            intent.receipt_number = reference_next("RCP")
            changed.append("receipt_number")
    elif payment.status == "failed":
        intent.status = Intent.Status.FAILED
    intent.save(update_fields=changed)
    if intent.status != Intent.Status.OPEN:
        audit_record(
            action=f"payments.intent.{intent.status}",
            actor=f"gateway:{intent.gateway}",
            subject_type="payment-intent",
            subject_id=str(intent.uuid),
            data={
                "purpose": intent.purpose,
                "amount": intent.amount,
                "paid_amount": payment.amount,
                "currency": payment.currency,
                "gateway_payment": payment.payment_id,
                "source": source,
            },
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
    return intent


def webhook_receive(*, headers, body: bytes) -> bool:
    """A webhook: checked, kept once, and settled from. Raises GatewayRefused; False for a repeat."""
    gateway = gateway_in_use()
    event = gateway.event(headers, body)
    with transaction.atomic():
        intent = Intent.objects.filter(gateway=gateway.name, gateway_payment=event.payment.payment_id).first()
        try:
            with transaction.atomic():
                GatewayEvent.objects.create(
                    gateway=gateway.name, event_id=event.event_id, intent=intent, payload=event.payload
                )
        except IntegrityError:
            return False  # the same event again (the gateway sends each at least twice)
        if intent is not None:
            _settle(intent.pk, event.payment, source="webhook")
    return True


def intent_poll(intent: Intent) -> Intent:
    """Read the payment from the gateway, server to server, and settle from it. Raises GatewayUnavailable."""
    if not intent.gateway_payment or intent.status != Intent.Status.OPEN:
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

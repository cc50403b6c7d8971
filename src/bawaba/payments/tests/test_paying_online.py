"""Paying online against the sandbox gateway running as its own process: exactly one payment recorded, whatever
arrives first, twice, late, out of order, forged or not at all."""

import json
import threading
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection, connections

from bawaba.accounts.models import User
from bawaba.events.models import Event
from bawaba.paygw import signing
from bawaba.paygw.tests.gateway import SECRET, Payer, gateway_process
from bawaba.payments.gateways import GatewayRefused, GatewayUnavailable
from bawaba.payments.models import GatewayEvent, Intent
from bawaba.payments.services import (
    PaymentRefused,
    intent_open,
    intent_poll,
    payment_returned,
    webhook_receive,
)
from bawaba.payments.tasks import webhook_settle
from bawaba.testing.payments import webhooks_settle

SUCCESS, DECLINED = "4242424242424242", "4000000000000002"
RETURN = "http://127.0.0.1:9/ar/payments/return/"


@pytest.fixture
def payer(db):
    return User.objects.create_user("payer", mobile="+201001112223")


def owe(payer, amount=25000, currency="EGP", purpose="application:42") -> Intent:
    return intent_open(
        purpose=purpose,
        reference="BWB-2026-000042",
        description="Vehicle licence renewal",
        payer=payer,
        amount=amount,
        currency=currency,
        return_url=RETURN,
    )


def pay(payment_gateway, intent: Intent, card=SUCCESS) -> dict:
    """The payer on the hosted page; returns the query of the address the gateway sends them back to."""
    answer = Payer(payment_gateway).pay(intent.gateway_payment, card)
    assert answer.status_code in (200, 302), answer.text
    return {k: v[0] for k, v in parse_qs(urlsplit(answer.headers.get("Location", "")).query).items()}


def webhook(intent: Intent, status="succeeded", event="evt_1", sequence=3, **changes) -> tuple[dict, bytes]:
    payload = {
        "event_id": event,
        "id": intent.gateway_payment,
        "status": status,
        "amount": intent.amount,
        "currency": intent.currency,
        "merchant_reference": intent.reference,
        "decline_reason": None,
        "occurred_at": "2026-12-04T10:00:00.000Z",
        "sequence": sequence,
        **changes,
    }
    body = json.dumps(payload).encode()
    return signing.signed_headers(SECRET, body), body


def paid_events() -> int:
    return Event.objects.filter(name="payment.succeeded").count()


@pytest.mark.django_db
def test_the_payer_pays_comes_back_and_the_server_confirms_it_once(payment_gateway, payer):
    intent = owe(payer)
    assert intent.pay_url.startswith(payment_gateway.url)
    assert owe(payer).pk == intent.pk  # opening it again gives the same intent
    returned = pay(payment_gateway, intent)
    confirmed = payment_returned(intent_uuid=intent.uuid, payer=payer, query=returned)
    assert confirmed.status == Intent.Status.SUCCEEDED and confirmed.paid_amount == 25000
    headers, body = webhook(confirmed)
    webhook_receive(headers=headers, body=body)  # the webhook comes after: nothing more
    assert paid_events() == 1
    with pytest.raises(PaymentRefused) as refused:
        owe(payer)
    assert refused.value.problem == "already-paid"


@pytest.mark.django_db
def test_a_declined_card_keeps_the_intent_open_for_another_card(payment_gateway, payer):
    intent = owe(payer)
    Payer(payment_gateway).pay(intent.gateway_payment, DECLINED)
    assert intent_poll(intent).status == Intent.Status.OPEN
    assert Intent.objects.get(pk=intent.pk).decline_reason == "card_declined"
    pay(payment_gateway, intent, SUCCESS)
    assert intent_poll(intent).status == Intent.Status.SUCCEEDED and paid_events() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "tamper",
    [
        {"signature": "0" * 64},
        {"status": "failed"},  # the status changed under the signature
        {"payment": "pay_someone_elses"},
    ],
)
def test_a_tampered_return_address_is_refused_and_changes_nothing(payment_gateway, payer, tamper):
    intent = owe(payer)
    returned = {**pay(payment_gateway, intent), **tamper}
    with pytest.raises(GatewayRefused):
        payment_returned(intent_uuid=intent.uuid, payer=payer, query=returned)
    assert Intent.objects.get(pk=intent.pk).status == Intent.Status.OPEN


@pytest.mark.django_db
def test_someone_else_coming_back_with_the_address_is_refused(payment_gateway, payer):
    intent = owe(payer)
    returned = pay(payment_gateway, intent)
    stranger = User.objects.create_user("stranger")
    with pytest.raises(PaymentRefused):
        payment_returned(intent_uuid=intent.uuid, payer=stranger, query=returned)


@pytest.mark.django_db
def test_a_webhook_with_a_bad_signature_or_an_old_timestamp_is_refused(payment_gateway, payer):
    intent = owe(payer)
    headers, body = webhook(intent)
    with pytest.raises(GatewayRefused):
        webhook_receive(headers={**headers, "X-Paygw-Signature": "sha256=" + "0" * 64}, body=body)
    with pytest.raises(GatewayRefused):
        webhook_receive(headers=signing.signed_headers(SECRET, body, now=1), body=body)
    with pytest.raises(GatewayRefused):
        webhook_receive(headers=headers, body=body.replace(b"25000", b"2500"))
    assert Intent.objects.get(pk=intent.pk).status == Intent.Status.OPEN and paid_events() == 0


@pytest.mark.django_db
def test_a_replayed_webhook_is_recorded_once_and_an_older_one_never_moves_it_back(payment_gateway, payer):
    intent = owe(payer)
    headers, body = webhook(intent, sequence=3)
    assert webhook_receive(headers=headers, body=body) is True
    assert webhook_receive(headers=headers, body=body) is False  # the same event again
    assert webhooks_settle() == 1  # settled by one task, not two
    older_headers, older = webhook(intent, status="declined", event="evt_0", sequence=2)
    webhook_receive(headers=older_headers, body=older)
    assert webhooks_settle() == 1
    assert Intent.objects.get(pk=intent.pk).status == Intent.Status.SUCCEEDED
    assert paid_events() == 1 and GatewayEvent.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("changes", [{"amount": 100}, {"currency": "USD"}])
def test_a_payment_of_another_amount_or_currency_is_held_not_counted(payment_gateway, payer, changes):
    intent = owe(payer)
    headers, body = webhook(intent, **changes)
    webhook_receive(headers=headers, body=body)
    webhooks_settle()
    held = Intent.objects.get(pk=intent.pk)
    assert held.status == Intent.Status.MISMATCH and paid_events() == 0


@pytest.mark.django_db
def test_the_payer_closing_the_browser_after_paying_is_still_paid_by_the_webhook(payment_gateway, payer):
    intent = owe(payer)
    pay(payment_gateway, intent)  # and never comes back
    state = payment_gateway.status(intent.gateway_payment)
    headers, body = webhook(intent, sequence=3, status=state["status"], amount=state["amount"])
    webhook_receive(headers=headers, body=body)
    assert Intent.objects.get(pk=intent.pk).status == Intent.Status.OPEN  # stored, answered, not yet settled
    webhooks_settle()
    assert Intent.objects.get(pk=intent.pk).status == Intent.Status.SUCCEEDED and paid_events() == 1


@pytest.mark.django_db
def test_a_gateway_that_does_not_answer_during_confirmation_leaves_it_to_the_webhook(
    tmp_path, settings, payer
):
    with gateway_process(tmp_path) as running:
        settings.BAWABA_PAYMENT_GATEWAY_OPTIONS = {
            "paygw": {"url": running.url, "merchant": "shop", "secret": SECRET}
        }
        intent = owe(payer)
        returned = pay(running, intent)
    with pytest.raises(GatewayUnavailable):  # the gateway is gone when the payer comes back
        payment_returned(intent_uuid=intent.uuid, payer=payer, query=returned)
    assert Intent.objects.get(pk=intent.pk).status == Intent.Status.OPEN
    headers, body = webhook(intent)
    webhook_receive(headers=headers, body=body)
    webhooks_settle()
    assert Intent.objects.get(pk=intent.pk).status == Intent.Status.SUCCEEDED


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need a server database")
def test_two_webhooks_at_once_record_one_payment(payment_gateway, payer):
    intent = owe(payer)
    deliveries = [(*webhook(intent, event=f"evt_{n}", sequence=3 + n), f"evt_{n}") for n in range(2)]
    start, settle = threading.Barrier(2), threading.Barrier(2)

    def deliver(headers, body, event_id):
        start.wait()
        try:
            webhook_receive(headers=headers, body=body)
            settle.wait()  # and two workers settle from them at the same moment
            webhook_settle.call(event_pk=GatewayEvent.objects.get(event_id=event_id).pk)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver, args=delivery) for delivery in deliveries]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Intent.objects.get(pk=intent.pk).status == Intent.Status.SUCCEEDED and paid_events() == 1

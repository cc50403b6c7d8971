"""A citizen pays an application's fee on the sandbox gateway (its own process) and comes back; the
application moves on by the payment's event, and the citizen is told."""

import time
from datetime import date
from urllib.parse import urlsplit

import pytest
from django.contrib.messages import get_messages

from bawaba.accounts.models import User
from bawaba.cases.models import Application
from bawaba.cases.tests.test_flagship_forms import COMPLETE
from bawaba.cases.tests.test_services import submit
from bawaba.events.models import Event
from bawaba.events.tasks import deliver_event
from bawaba.notifications.models import Message
from bawaba.paygw.tests.gateway import SECRET, Payer, gateway_process, wait_for
from bawaba.payments.models import GatewayEvent, Intent
from bawaba.testing.clients import signed_in
from bawaba.testing.payments import webhooks_settle

RENEWAL = "traffic.vehicle-licence.renew"
SUCCESS, DECLINED = "4242424242424242", "4000000000000002"


@pytest.fixture
def awaiting(db):
    amina = User.objects.create_user(
        "amina", national_id="29103090104240", birth_date=date(1991, 3, 9), mobile="+201012345678"
    )
    application = submit(amina, code=RENEWAL, answers=COMPLETE[RENEWAL])
    assert application.state == "awaiting-payment" and application.fees_due > 0
    return application


def relay_payment_events() -> None:
    for event in Event.objects.filter(name="payment.succeeded"):
        deliver_event.call(event_id=event.pk, subscriber="cases.application-paid")


def back_from_gateway(client, answer) -> object:
    location = urlsplit(answer.headers["Location"])
    return client.get(f"{location.path}?{location.query}")


def test_paying_moves_the_application_on_and_tells_the_citizen(payment_gateway, awaiting):
    client = signed_in(awaiting.applicant)
    page = client.get(f"/en/account/applications/{awaiting.uuid}/")
    assert "by card" in page.content.decode()
    to_gateway = client.post(f"/en/account/applications/{awaiting.uuid}/pay/")
    assert to_gateway.status_code == 302 and to_gateway["Location"].startswith(payment_gateway.url)
    intent = Intent.objects.get()
    assert intent.amount == awaiting.fees_due and intent.reference == awaiting.reference
    answer = Payer(payment_gateway).pay(intent.gateway_payment, SUCCESS)
    back = back_from_gateway(client, answer)
    assert back.status_code == 302 and back["Location"] == f"/en/account/applications/{awaiting.uuid}/"
    assert "Payment received" in " ".join(str(m) for m in get_messages(back.wsgi_request))
    relay_payment_events()
    relay_payment_events()  # delivered twice: moved once
    paid = Application.objects.get(pk=awaiting.pk)
    assert paid.fees_paid and paid.state == "paid"
    assert (
        Message.objects.filter(recipient=awaiting.applicant, kind="payment.received", channel="sms").count()
        == 1
    )
    assert (
        client.post(f"/en/account/applications/{awaiting.uuid}/pay/").status_code == 302
    )  # nothing to pay now
    assert Intent.objects.count() == 1


def test_a_declined_card_lets_the_citizen_pay_again_without_refilling_anything(payment_gateway, awaiting):
    client = signed_in(awaiting.applicant)
    client.post(f"/en/account/applications/{awaiting.uuid}/pay/")
    intent = Intent.objects.get()
    Payer(payment_gateway).pay(intent.gateway_payment, DECLINED)
    again = client.post(f"/en/account/applications/{awaiting.uuid}/pay/")
    assert again["Location"].startswith(intent.pay_url)  # the same payment, tried again
    back_from_gateway(client, Payer(payment_gateway).pay(intent.gateway_payment, SUCCESS))
    relay_payment_events()
    assert Application.objects.get(pk=awaiting.pk).state == "paid" and Intent.objects.count() == 1


def test_a_forged_return_address_is_refused_and_records_nothing(payment_gateway, awaiting):
    client = signed_in(awaiting.applicant)
    client.post(f"/en/account/applications/{awaiting.uuid}/pay/")
    intent = Intent.objects.get()
    forged = client.get(
        f"/en/account/applications/{awaiting.uuid}/paid/",
        {"payment": intent.gateway_payment, "status": "succeeded", "signature": "0" * 64},
    )
    assert forged.status_code == 400 and "not sent by the payment service" in forged.content.decode()
    assert Intent.objects.get().status == Intent.Status.OPEN and not Event.objects.filter(
        name="payment.succeeded"
    )


def test_someone_else_cannot_pay_or_come_back_for_an_application(payment_gateway, awaiting):
    stranger = signed_in(User.objects.create_user("stranger", mobile="+201099998888"))
    assert stranger.post(f"/en/account/applications/{awaiting.uuid}/pay/").status_code == 404
    assert stranger.get(f"/en/account/applications/{awaiting.uuid}/paid/").status_code == 404
    assert not Intent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_gateway_s_own_webhooks_mark_it_paid_when_the_citizen_never_comes_back(
    tmp_path, settings, live_server, demo_catalogue_live
):
    webhook = f"{live_server.url}/api/v1/payments/webhook"
    with gateway_process(tmp_path, webhook_url=webhook, BAWABA_PAYGW_WEBHOOK_REORDER_CHANCE="1") as running:
        settings.BAWABA_PAYMENT_GATEWAY_OPTIONS = {
            "paygw": {"url": running.url, "merchant": "shop", "secret": SECRET}
        }
        amina = User.objects.create_user(
            "amina", national_id="29103090104240", birth_date=date(1991, 3, 9), mobile="+201012345678"
        )
        application = submit(amina, code=RENEWAL, answers=COMPLETE[RENEWAL])
        signed_in(amina).post(f"/en/account/applications/{application.uuid}/pay/")
        intent = Intent.objects.get()
        Payer(running).pay(intent.gateway_payment, SUCCESS)  # and the browser is closed
        wait_for(lambda: GatewayEvent.objects.count() == 2, message="both events (pending, succeeded)")
        # Each comes twice, and the older one once more after the success (kept once each): the gateway
        # sends those within a second here.
        time.sleep(1.5)
    # The workers settle from the stored events, in the order they came: the older one changes nothing.
    assert webhooks_settle() == 2
    relay_payment_events()
    assert Intent.objects.get().status == Intent.Status.SUCCEEDED
    assert Event.objects.filter(name="payment.succeeded").count() == 1
    assert Application.objects.get(pk=application.pk).state == "paid"


def test_the_payer_has_a_receipt_and_no_one_else_sees_it(payment_gateway, awaiting):
    client = signed_in(awaiting.applicant)
    client.post(f"/en/account/applications/{awaiting.uuid}/pay/")
    intent = Intent.objects.get()
    receipt_url = f"/en/account/payments/{intent.uuid}/receipt/"
    assert client.get(receipt_url).status_code == 404  # not paid yet: no receipt
    back_from_gateway(client, Payer(payment_gateway).pay(intent.gateway_payment, SUCCESS))
    paid = Intent.objects.get()
    assert paid.receipt_number.startswith("RCP-")
    page = client.get(f"/en/account/applications/{awaiting.uuid}/")
    assert receipt_url in page.content.decode()
    receipt = client.get(receipt_url).content.decode()
    assert paid.receipt_number in receipt and awaiting.reference in receipt and "EGP" in receipt
    arabic = client.get(f"/ar/account/payments/{intent.uuid}/receipt/").content.decode()
    assert "إيصال الدفع" in arabic and "ج.م" in arabic
    stranger = signed_in(User.objects.create_user("stranger", mobile="+201099998888"))
    assert stranger.get(receipt_url).status_code == 404

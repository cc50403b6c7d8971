"""The SMS gateway's delivery callback: only a fresh request signed with the configured secret records a receipt."""

import copy
import json
import time
import uuid

import pytest
from django.test import Client
from django.utils import translation

from bawaba.notifications.models import Message
from bawaba.notifications.providers import Accepted, Outgoing
from bawaba.notifications.providers.https_gateway.provider import HttpsGatewayProvider
from bawaba.notifications.providers.https_gateway.signatures import (
    SignatureError,
    signature_check,
    signature_headers,
    signature_make,
)
from bawaba.testing.sms_gateway import SmsGateway

PATH = "/api/v1/notifications/gateway-callback"
SECRET = "callback-secret-for-tests-0123456789"


@pytest.fixture(autouse=True)
def callback_secret(settings):
    options = copy.deepcopy(settings.BAWABA_NOTIFICATION_OPTIONS)
    options["https-gateway"]["callback_secret"] = SECRET
    settings.BAWABA_NOTIFICATION_OPTIONS = options
    with translation.override("en"):
        yield options


def receipt(message_id="gw-unknown", status="delivered", **more) -> bytes:
    return json.dumps(
        {"id": message_id, "status": status, "at": "2026-05-01T10:00:00+00:00", **more}
    ).encode()


def post(body: bytes, headers: dict | None = None, *, secret=SECRET, at=None, client=None):
    signed = signature_headers(secret, body, time.time() if at is None else at)
    response = (client or Client()).post(
        PATH,
        data=body,
        content_type="application/json",
        # The refusals are read in English here; the portal's default language is Arabic.
        headers={"Accept-Language": "en", **signed, **(headers or {})},
    )
    return response.status_code, response.json()


def sent_message(reference: str) -> Message:
    return Message.objects.create(
        channel="sms",
        to="+201012345678",
        kind="application.submitted",
        body="تم استلام طلبك",
        status=Message.Status.SENT,
        provider="https-gateway",
        provider_reference=reference,
    )


# the signature, as a pure function


def test_a_signature_holds_only_for_its_secret_body_and_time():
    body, now = receipt(), 1_777_000_000
    headers = signature_headers(SECRET, body, now)
    timestamp, signature = headers["X-Bawaba-Timestamp"], headers["X-Bawaba-Signature"]
    assert signature == signature_make(SECRET, now, body) and signature.startswith("sha256=")
    signature_check(secret=SECRET, timestamp=timestamp, signature=signature, body=body, now=now + 299)
    attempts = {
        "another secret": {"secret": "another-secret"},
        "another body": {"body": body + b" "},
        "another time": {"timestamp": str(now + 1)},
        "replayed after the window": {"now": now + 301},
        "sent from the future": {"now": now - 301},
        "no secret here": {"secret": ""},
    }
    for name, bent in attempts.items():
        check = {
            "secret": SECRET,
            "timestamp": timestamp,
            "signature": signature,
            "body": body,
            "now": now,
            **bent,
        }
        with pytest.raises(SignatureError):
            signature_check(**check)
            pytest.fail(f"accepted with {name}")


# the endpoint


@pytest.mark.django_db
def test_a_signed_receipt_marks_the_message_delivered():
    message = sent_message("gw-1")
    status, answer = post(receipt("gw-1", "delivered"))
    assert (status, answer) == (200, {"ok": True, "matched": True})
    message.refresh_from_db()
    assert message.status == Message.Status.DELIVERED and message.delivered_at is not None


@pytest.mark.django_db
def test_a_failed_receipt_fails_the_message_with_the_gateways_words():
    message = sent_message("gw-2")
    status, answer = post(receipt("gw-2", "failed", error="absent subscriber"))
    assert (status, answer) == (200, {"ok": True, "matched": True})
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED and message.last_error == "absent subscriber"


@pytest.mark.django_db
def test_a_receipt_for_no_message_of_ours_is_answered_but_matches_nothing():
    assert post(receipt("gw-nobody-sent")) == (200, {"ok": True, "matched": False})


@pytest.mark.django_db
def test_no_csrf_token_is_needed_the_signature_is_the_authentication():
    status, _ = post(receipt(), client=Client(enforce_csrf_checks=True))
    assert status == 200


def test_a_wrong_secret_is_refused():
    status, answer = post(receipt(), secret="guessed-secret")
    assert status == 401 and "X-Bawaba-Signature" in answer["detail"] and "does not match" in answer["detail"]


def test_a_tampered_body_is_refused():
    signed_for_delivered = signature_headers(SECRET, receipt("gw-1", "delivered"), time.time())
    status, answer = post(receipt("gw-1", "failed"), signed_for_delivered)
    assert status == 401 and "does not match" in answer["detail"]


def test_an_old_timestamp_is_refused_even_correctly_signed():
    status, answer = post(receipt(), at=time.time() - 6 * 60)
    assert status == 401 and "X-Bawaba-Timestamp" in answer["detail"] and "5 minutes" in answer["detail"]


def test_a_timestamp_from_the_future_is_refused():
    status, answer = post(receipt(), at=time.time() + 6 * 60)
    assert status == 401 and "5 minutes" in answer["detail"]


def test_a_captured_request_given_a_fresh_timestamp_is_refused():
    body = receipt()
    captured = signature_headers(SECRET, body, time.time() - 10 * 60)
    status, answer = post(body, {"X-Bawaba-Signature": captured["X-Bawaba-Signature"]})
    assert status == 401 and "does not match" in answer["detail"]


@pytest.mark.parametrize("header", ["X-Bawaba-Timestamp", "X-Bawaba-Signature"])
def test_a_missing_header_is_refused_by_name(header):
    body = receipt()
    headers = {k: v for k, v in signature_headers(SECRET, body, time.time()).items() if k != header}
    response = Client().post(
        PATH, data=body, content_type="application/json", headers={"Accept-Language": "en", **headers}
    )
    assert response.status_code == 401 and response.json()["detail"] == f"The {header} header is missing."


def test_a_timestamp_that_is_not_seconds_is_refused():
    status, answer = post(receipt(), {"X-Bawaba-Timestamp": "yesterday"})
    assert status == 401 and "unix seconds" in answer["detail"]


def test_without_a_configured_secret_every_callback_is_refused(callback_secret):
    callback_secret["https-gateway"]["callback_secret"] = ""
    status, answer = post(receipt(), secret="")  # signed with the empty secret an attacker would try
    assert status == 401 and "no callback secret" in answer["detail"]


@pytest.mark.parametrize(
    "body,named",
    [
        (b"{not json", "not valid JSON"),
        (b'["delivered"]', "not as expected"),
        (receipt(status="read"), "'status'"),
        (json.dumps({"status": "delivered"}).encode(), "'id'"),
        (receipt(message_id="  "), "'id'"),
        (receipt(at="2026-05-01T10:00:00"), "'at'"),
        (receipt(at="last tuesday"), "'at'"),
    ],
)
def test_a_signed_but_malformed_body_is_a_400_naming_the_problem(body, named):
    status, answer = post(body)
    assert status == 400 and named in answer["detail"]


# the gateway simulator calling the endpoint over a real socket


@pytest.mark.django_db(transaction=True)
def test_the_simulator_sends_signed_callbacks_the_portal_accepts(live_server):
    url = live_server.url + PATH
    with SmsGateway() as gateway:
        provider = HttpsGatewayProvider(url=gateway.url, token=gateway.token, callback_secret=SECRET)
        message = sent_message("")
        outgoing = Outgoing(
            uuid=str(message.uuid),
            channel="sms",
            to=message.to,
            subject="",
            body=message.body,
            language="ar",
            kind=message.kind,
        )
        outcome = dict(provider.send_batch([outgoing]))[outgoing.uuid]
        assert isinstance(outcome, Accepted)
        Message.objects.filter(pk=message.pk).update(provider_reference=outcome.reference)

        answer = gateway.callback_send(url, SECRET, outcome.reference, "delivered")
        assert (answer.status_code, answer.json()) == (200, {"ok": True, "matched": True})
        message.refresh_from_db()
        assert message.status == Message.Status.DELIVERED

        gateway.callbacks_to(url, SECRET, delay=0.05, status="failed", error="absent subscriber")
        later = Outgoing(**{**outgoing.__dict__, "uuid": str(uuid.uuid4())})
        assert isinstance(dict(provider.send_batch([later]))[later.uuid], Accepted)
        gateway.wait_until(lambda: len(gateway.callbacks_sent) == 2)
        provider.close()
    assert gateway.callbacks_sent[1]["answer_status"] == 200
    assert json.loads(gateway.callbacks_sent[1]["answer"])["ok"] is True

"""The HTTPS SMS gateway provider against the local gateway simulator, over real sockets."""

import uuid

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from bawaba.notifications.providers import Accepted, Outgoing, Refused, TransientFailure
from bawaba.notifications.providers.https_gateway.provider import HttpsGatewayProvider
from bawaba.testing.sms_gateway import SmsGateway, segments_count


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def gateway():
    with SmsGateway() as running:
        yield running


@pytest.fixture
def provider(gateway):
    provider = HttpsGatewayProvider(
        url=gateway.url, token=gateway.token, callback_secret="unused-here", timeout=5
    )
    yield provider
    provider.close()


def sms(to="+201012345678", body="رمز الدخول: 123456", message_uuid=None) -> Outgoing:
    return Outgoing(
        uuid=message_uuid or str(uuid.uuid4()),
        channel="sms",
        to=to,
        subject="",
        body=body,
        language="ar",
        kind="sign-in-code",
    )


def send(provider, *messages) -> dict:
    return dict(provider.send_batch(messages))


def test_accepted_with_the_gateways_id_and_segments(gateway, provider):
    short, long_arabic = sms(), sms(body="ت" * 71)
    outcomes = send(provider, short, long_arabic)
    assert [m["client_reference"] for m in gateway.messages] == [short.uuid, long_arabic.uuid]
    assert outcomes[short.uuid] == Accepted(reference=gateway.messages[0]["id"], segments=1)
    assert outcomes[long_arabic.uuid] == Accepted(reference=gateway.messages[1]["id"], segments=2)
    assert (
        gateway.messages[0]["text"] == "رمز الدخول: 123456" and gateway.messages[0]["to"] == "+201012345678"
    )


def test_segments_follow_the_alphabet():
    assert segments_count("a" * 160) == 1 and segments_count("a" * 161) == 2
    assert segments_count("ب" * 70) == 1 and segments_count("ب" * 135) == 3
    assert segments_count("{" * 80) == 1 and segments_count("{" * 81) == 2


def test_a_retried_message_is_sent_once_and_keeps_its_reference(gateway, provider):
    message = sms()
    first = send(provider, message)[message.uuid]
    again = send(provider, message)[message.uuid]
    assert isinstance(first, Accepted) and again == first
    assert len(gateway.messages) == 1 and gateway.requests == 2


def test_an_answer_lost_to_a_timeout_counts_a_try_holds_the_batch_and_never_sends_twice(gateway):
    provider = HttpsGatewayProvider(url=gateway.url, token=gateway.token, callback_secret="", timeout=0.3)
    message, waiting = sms(), sms()
    gateway.hold_next(1)
    batch = provider.send_batch([message, waiting])
    key, outcome = next(batch)
    assert key == message.uuid and outcome.permanent is False and "did not answer" in outcome.reason
    with pytest.raises(TransientFailure, match="did not answer"):
        next(batch)
    gateway.release()
    gateway.wait_until(lambda: len(gateway.messages) == 1)
    again = send(provider, message, waiting)
    provider.close()
    assert again[message.uuid] == Accepted(reference=gateway.messages[0]["id"], segments=1)
    assert [m["client_reference"] for m in gateway.messages] == [message.uuid, waiting.uuid]


def test_batches_share_one_kept_alive_connection(gateway, provider):
    outcomes = send(provider, *(sms() for _ in range(5)))
    outcomes |= send(provider, sms())
    assert all(isinstance(o, Accepted) for o in outcomes.values()) and len(gateway.messages) == 6
    assert gateway.connections == 1


def test_a_503_is_refused_for_now(gateway, provider):
    gateway.fail_next(1, status=503)
    failed, then = sms(), sms()
    outcomes = send(provider, failed, then)
    assert outcomes[failed.uuid].permanent is False and "503" in outcomes[failed.uuid].reason
    assert isinstance(outcomes[then.uuid], Accepted)
    assert [m["client_reference"] for m in gateway.messages] == [then.uuid]


def test_a_429_holds_back_the_rest_of_the_batch(gateway, provider):
    gateway.fail_next(1, status=429)
    batch = provider.send_batch([sms(), sms()])
    with pytest.raises(TransientFailure, match="429"):
        next(batch)
    assert gateway.messages == [] and gateway.requests == 1


def test_a_400_is_refused_for_good_with_the_gateways_words(gateway, provider):
    gateway.refuse_number("+201099999999", "number is on the do-not-disturb list")
    message = sms(to="+201099999999")
    outcome = send(provider, message)[message.uuid]
    assert isinstance(outcome, Refused) and outcome.permanent is True
    assert "number is on the do-not-disturb list" in outcome.reason and "400" in outcome.reason
    assert gateway.messages == []


def test_a_wrong_token_is_refused_for_good(gateway):
    provider = HttpsGatewayProvider(url=gateway.url, token="not-the-token", callback_secret="")
    message = sms()
    outcome = send(provider, message)[message.uuid]
    provider.close()
    assert outcome.permanent is True and "bearer token" in outcome.reason and "401" in outcome.reason


def test_a_garbage_answer_is_refused_for_good_with_a_clear_reason(gateway, provider):
    gateway.garbage_next(1)
    message = sms()
    outcome = send(provider, message)[message.uuid]
    assert outcome == Refused("The SMS gateway's answer was not JSON.", permanent=True)


def test_an_unreachable_gateway_is_a_transient_failure():
    with SmsGateway() as stopped:
        url = stopped.url
    provider = HttpsGatewayProvider(url=url, token="t", callback_secret="", timeout=2)
    with pytest.raises(TransientFailure, match="cannot be reached"):
        send(provider, sms())
    provider.close()


def test_a_restarted_gateway_is_reached_on_a_fresh_connection():
    first = SmsGateway().start()
    port = int(first.url.rsplit(":", 1)[1].split("/")[0])
    provider = HttpsGatewayProvider(url=first.url, token=first.token, callback_secret="")
    before = sms()
    assert isinstance(send(provider, before)[before.uuid], Accepted)
    first.stop()
    second = SmsGateway().start(port)
    try:
        after = sms()
        assert isinstance(send(provider, after)[after.uuid], Accepted)
        assert [m["client_reference"] for m in second.messages] == [after.uuid]
    finally:
        second.stop()
        provider.close()


def test_it_will_not_start_without_its_address_and_token():
    with pytest.raises(ImproperlyConfigured, match="BAWABA_SMS_GATEWAY_URL"):
        HttpsGatewayProvider(url="", token="", callback_secret="")

"""The outbox: stored with the caller's write, delivered once, secrets sealed and then wiped."""

import pytest
from django.db import transaction

from bawaba.notifications.models import Message
from bawaba.notifications.providers import TransientFailure
from bawaba.notifications.providers.development.provider import DevelopmentProvider, inbox
from bawaba.notifications.services import message_send
from bawaba.notifications.tasks import MAX_ATTEMPTS, deliver_message

pytestmark = pytest.mark.django_db


def send(**overrides) -> Message:
    fields = {"channel": "sms", "to": "+201012345678", "kind": "sign-in-code", "body": "رمز الدخول: 123456"}
    return message_send(**{**fields, **overrides})


def test_a_message_rolled_back_with_its_write_is_never_sent():
    with pytest.raises(RuntimeError), transaction.atomic():
        send()
        raise RuntimeError("the write failed")
    assert not Message.objects.exists()


def test_delivery_reaches_the_provider_once():
    message = send(secret=False)
    assert deliver_message.call(message_id=message.pk) == "sent"
    assert deliver_message.call(message_id=message.pk) == "sent"
    assert [m["body"] for m in inbox() if m["uuid"] == str(message.uuid)] == ["رمز الدخول: 123456"]


def test_a_secret_is_sealed_at_rest_and_wiped_once_sent():
    message = send(secret=True)
    row = Message.objects.get(pk=message.pk)
    assert row.body == "" and b"123456" not in bytes(row.sealed_body)
    deliver_message.call(message_id=message.pk)
    row.refresh_from_db()
    assert row.sealed_body is None and row.status == Message.Status.SENT
    assert any(m["body"].endswith("123456") for m in inbox())


def test_a_provider_outage_is_retried_then_given_up(monkeypatch):
    def down(self, message):
        raise TransientFailure("gateway timeout")

    monkeypatch.setattr(DevelopmentProvider, "send", down)
    message = send(secret=True)
    for _ in range(MAX_ATTEMPTS):
        deliver_message.call(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED and message.attempts == MAX_ATTEMPTS
    assert message.sealed_body is None and "gateway timeout" in message.last_error

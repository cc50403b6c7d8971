"""The outbox and its dispatcher: stored with the caller's write, claimed in batches, sent once, retried with
back-off, failed for good with a reason, and never a code held up by bulk sending."""

import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from bawaba.notifications.dispatch import BATCH, MAX_ATTEMPTS, Lane, claim, dispatch, dispatch_all
from bawaba.notifications.models import Message
from bawaba.notifications.providers import Accepted, Receipt, Refused, TransientFailure
from bawaba.notifications.providers.development.provider import inbox
from bawaba.notifications.services import notify_address

pytestmark = pytest.mark.django_db

PHONE = "+201012345678"


class Scripted:
    """A provider that answers as told: by phone number, or down altogether."""

    name = "scripted"

    def __init__(self, answers=None, *, down=False, stop_after=None):
        self.answers = answers or {}
        self.down = down
        self.stop_after = stop_after  # yields this many, then stops without a word on the rest
        self.sent: list = []
        self.pending_receipts: list[Receipt] = []

    def send_batch(self, messages):
        if self.down:
            raise TransientFailure("connection refused")
        for number, message in enumerate(messages):
            if self.stop_after is not None and number >= self.stop_after:
                return
            answer = self.answers.get(message.to, "ok")
            if answer == "ok":
                self.sent.append(message)
                yield message.uuid, Accepted(reference=f"ref-{message.uuid}", segments=2)
            else:
                yield message.uuid, answer

    def receipts(self):
        found, self.pending_receipts = self.pending_receipts, []
        return found

    def close(self):
        pass


def code(to=PHONE, **overrides) -> Message:
    return notify_address(
        notice="account.sign-in-code", channel="sms", to=to, values={"code": "123456"}, **overrides
    )


def notice(to=PHONE) -> Message:
    return notify_address(
        notice="application.approved",
        channel="sms",
        to=to,
        values={"reference": "BWB-2026-000001", "service": "A service"},
        language="en",
    )


def test_a_message_rolled_back_with_its_write_is_never_sent():
    with pytest.raises(RuntimeError), transaction.atomic():
        code()
        raise RuntimeError("the write failed")
    assert not Message.objects.exists()
    assert dispatch_all() == 0


def test_delivery_reaches_the_provider_once_and_records_what_it_said():
    message = notice()
    provider = Scripted()
    assert dispatch(Lane("sms"), provider) == 1
    assert dispatch(Lane("sms"), provider) == 0  # sent: never claimed again
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and message.provider == "scripted"
    assert message.provider_reference == f"ref-{message.uuid}" and message.segments == 2
    assert [m.body for m in provider.sent] == [
        "Bawaba: your application BWB-2026-000001 is approved. We will tell you when your document is issued."
    ]


def test_the_development_channel_shows_what_was_sent():
    message = notice()
    assert dispatch_all() == 1
    assert [m["body"] for m in inbox() if m["uuid"] == str(message.uuid)] == [message.body]


def test_a_secret_is_sealed_at_rest_and_wiped_once_sent():
    message = code()
    row = Message.objects.get(pk=message.pk)
    assert row.body == "" and b"123456" not in bytes(row.sealed_body) and row.values == {}
    provider = Scripted()
    dispatch(Lane("sms"), provider)
    row.refresh_from_db()
    assert row.sealed_body is None and row.status == Message.Status.SENT
    assert "123456" in provider.sent[0].body


def test_a_transient_refusal_is_retried_with_growing_waits_then_given_up():
    message = code()
    provider = Scripted({PHONE: Refused("SMS centre busy (ESME_RTHROTTLED)", permanent=False)})
    waits = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        Message.objects.filter(pk=message.pk).update(due_at=timezone.now(), expires_at=None)
        before = timezone.now()
        assert dispatch(Lane("sms"), provider) == 1
        message.refresh_from_db()
        assert message.attempts == attempt and "ESME_RTHROTTLED" in message.last_error
        if attempt < MAX_ATTEMPTS:
            assert message.status == Message.Status.QUEUED
            waits.append((message.due_at - before).total_seconds())
    assert waits == sorted(waits) and waits[0] >= 1
    assert message.status == Message.Status.FAILED and message.sealed_body is None


def test_an_outage_keeps_every_message_queued_without_counting_an_attempt():
    messages = [notice(f"+2010123456{n:02d}") for n in range(5)]
    with pytest.raises(TransientFailure):
        dispatch(Lane("sms"), Scripted(down=True))
    assert {(m.status, m.attempts) for m in Message.objects.filter(pk__in=[m.pk for m in messages])} == {
        (Message.Status.QUEUED, 0)
    }
    provider = Scripted()
    assert dispatch(Lane("sms"), provider) == 5  # the centre is back: all of them, once
    assert sorted(m.to for m in provider.sent) == sorted(m.to for m in messages)


def test_what_the_provider_never_answered_for_goes_back_to_the_queue():
    for n in range(4):
        notice(f"+2010123456{n:02d}")
    provider = Scripted(stop_after=1)
    assert dispatch(Lane("sms"), provider) == 4
    statuses = sorted(Message.objects.values_list("status", flat=True))
    assert statuses == ["queued", "queued", "queued", "sent"]
    assert dispatch(Lane("sms"), Scripted()) == 3


def test_a_batch_whose_worker_died_is_claimed_again_when_its_lease_runs_out():
    notice()
    assert len(claim(Lane("sms"))) == 1  # and then the worker is killed
    assert dispatch(Lane("sms"), Scripted()) == 0  # another worker leaves it while the lease holds
    later = timezone.now() + timedelta(minutes=3)
    assert len(claim(Lane("sms"), now=later)) == 1


def test_a_code_too_old_to_use_is_not_sent():
    message = code()
    Message.objects.filter(pk=message.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    provider = Scripted()
    dispatch(Lane("sms"), provider)
    message.refresh_from_db()
    assert provider.sent == [] and message.status == Message.Status.FAILED
    assert "expired" in message.last_error and message.sealed_body is None


def test_codes_have_a_lane_that_bulk_sending_cannot_hold_up():
    for n in range(BATCH + 5):
        notice(f"+2011{n:08d}")
    urgent = code()
    assert [m.pk for m in claim(Lane("sms", urgent=True))] == [urgent.pk]
    assert all(m.priority == Message.Priority.NORMAL for m in claim(Lane("sms", urgent=False)))


def test_codes_come_first_in_a_shared_lane():
    for n in range(3):
        notice(f"+2011{n:08d}")
    urgent = code()
    assert claim(Lane("sms"), limit=1)[0].pk == urgent.pk


def test_receipts_close_messages_and_an_undelivered_one_fails_with_its_reason():
    delivered, lost = notice("+201000000001"), notice("+201000000002")
    provider = Scripted()
    dispatch(Lane("sms"), provider)
    provider.pending_receipts = [
        Receipt(reference=f"ref-{delivered.uuid}", delivered=True),
        Receipt(reference=f"ref-{lost.uuid}", delivered=False, error="UNDELIV: absent subscriber"),
        Receipt(reference="ref-of-nothing", delivered=True),
    ]
    from bawaba.notifications.services import receipts_apply

    assert receipts_apply(provider.name, provider.receipts()) == 2
    delivered.refresh_from_db()
    lost.refresh_from_db()
    assert delivered.status == Message.Status.DELIVERED and delivered.delivered_at is not None
    assert lost.status == Message.Status.FAILED and "absent subscriber" in lost.last_error


def test_a_batch_slower_than_its_lease_keeps_the_rest_claimed(settings):
    settings.BAWABA_NOTIFICATION_LEASE_SECONDS = 3
    for n in range(3):
        notice(f"+2010123456{n:02d}")

    class Slow(Scripted):
        def send_batch(self, messages):
            for message in messages:
                time.sleep(1.2)  # each message outlasts a third of the lease
                yield message.uuid, Accepted(reference=f"ref-{message.uuid}")
                held = Message.objects.filter(status=Message.Status.SENDING)
                assert all(m.claimed_until > timezone.now() + timedelta(seconds=1) for m in held)

    assert dispatch(Lane("sms"), Slow()) == 3
    assert set(Message.objects.values_list("status", flat=True)) == {"sent"}

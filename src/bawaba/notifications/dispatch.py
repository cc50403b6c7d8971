"""Sending what is due: messages claimed in batches, handed to the channel's provider, outcomes recorded.

A claim marks a batch "sending" with a lease, in one short transaction (rows another worker holds are skipped),
so any number of workers share the queue and a worker that dies lets its batch go when the lease runs out.
Outcomes are written as the provider reports them, a hundred or a fifth of a second at a time, so a message the
provider accepted is never claimed again; one it never answered for goes back to the queue.

Urgent messages (codes) have lanes of their own: `bawaba worker` runs an urgent and a normal lane per channel,
each with its own provider connection, so a bulk batch in flight never holds a code up.
"""

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from bawaba.core.sealing import unseal

from .models import Message
from .providers import Accepted, Outcome, Outgoing, Provider, Refused, TransientFailure, provider_for
from .services import fallback_create, receipts_apply

__all__ = ["BATCH", "MAX_ATTEMPTS", "Lane", "claim", "dispatch", "dispatch_all", "retry_delay"]

logger = logging.getLogger(__name__)

BATCH = 500
MAX_ATTEMPTS = 8  # transient refusals of one message; an outage of the whole provider does not count
FLUSH_EVERY = 100
FLUSH_SECONDS = 0.2
EXPIRED = "It expired before it could be sent (a code is of no use once it has run out)."
_SET_REFERENCE = (
    f'UPDATE "{Message._meta.db_table}" SET "provider_reference" = %s, "segments" = %s WHERE "id" = %s'  # noqa: S608 (the model's own table)
)


@dataclass(frozen=True)
class Lane:
    channel: str
    urgent: bool | None = None  # True: codes only; False: all but codes; None: everything


def retry_delay(attempts: int) -> timedelta:
    """Back-off after the n-th transient refusal: 2, 4, 8 … seconds, five minutes at most."""
    return timedelta(seconds=min(2**attempts, 300))


def _due(lane: Lane, now: datetime):
    found = Message.objects.filter(channel=lane.channel).filter(
        Q(status=Message.Status.QUEUED, due_at__lte=now)
        | Q(status=Message.Status.SENDING, claimed_until__lt=now)  # its worker died
    )
    if lane.urgent is not None:
        found = found.filter(priority=Message.Priority.URGENT if lane.urgent else Message.Priority.NORMAL)
    return found


def claim(lane: Lane, *, limit: int = BATCH, now: datetime | None = None) -> list[Message]:
    now = now or timezone.now()
    if not _due(lane, now).exists():  # a read first: an idle lane never takes a write lock
        return []
    with transaction.atomic():
        keys = list(
            _due(lane, now)
            .select_for_update(skip_locked=True)
            .order_by("-priority", "due_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        lease = timedelta(seconds=settings.BAWABA_NOTIFICATION_LEASE_SECONDS)
        Message.objects.filter(pk__in=keys).update(status=Message.Status.SENDING, claimed_until=now + lease)
    return list(Message.objects.filter(pk__in=keys).order_by("-priority", "due_at", "pk"))


def _outgoing(message: Message) -> Outgoing:
    body = unseal(message.sealed_body, purpose="message") if message.sealed_body else message.body
    return Outgoing(
        uuid=str(message.uuid),
        channel=message.channel,
        to=message.to,
        subject=message.subject,
        body=body,
        language=message.language,
        kind=message.kind,
    )


class _Record:
    """Outcomes waiting to be written, a batch at a time."""

    REFUSED_FIELDS = ["status", "attempts", "last_error", "sealed_body", "claimed_until", "due_at"]

    def __init__(self, provider: str, claimed: list[Message]):
        self.provider = provider
        self.claimed = [m.pk for m in claimed]
        self.accepted: list[tuple[Message, Accepted]] = []
        self.refused: list[tuple[Message, Refused]] = []
        self.done: set[int] = set()
        self.written_at = self.renewed_at = time.monotonic()

    def renew(self) -> None:
        """A slow provider must not let the lease run out under a batch it is still sending (another worker
        would claim and send the rest again): what is still unanswered is held for another lease."""
        lease = settings.BAWABA_NOTIFICATION_LEASE_SECONDS
        if time.monotonic() - self.renewed_at < lease / 3:
            return
        waiting = [pk for pk in self.claimed if pk not in self.done]
        Message.objects.filter(pk__in=waiting, status=Message.Status.SENDING).update(
            claimed_until=timezone.now() + timedelta(seconds=lease)
        )
        self.renewed_at = time.monotonic()

    def add(self, message: Message, outcome: Outcome) -> None:
        if message.pk not in self.done:
            self.done.add(message.pk)
            (self.accepted if isinstance(outcome, Accepted) else self.refused).append((message, outcome))

    def due(self) -> bool:
        waiting = len(self.accepted) + len(self.refused)
        return waiting >= FLUSH_EVERY or (waiting and time.monotonic() - self.written_at >= FLUSH_SECONDS)

    def flush(self) -> None:
        if not self.accepted and not self.refused:
            return
        now = timezone.now()
        for message, outcome in self.accepted:
            message.provider_reference, message.segments = outcome.reference[:120], outcome.segments
        failed = []
        for message, outcome in self.refused:
            message.claimed_until, message.attempts = None, message.attempts + 1
            message.last_error = outcome.reason[:2000]
            if outcome.permanent or message.attempts >= MAX_ATTEMPTS:
                message.status, message.sealed_body = Message.Status.FAILED, None
                failed.append(message)
            else:
                message.status, message.due_at = Message.Status.QUEUED, now + retry_delay(message.attempts)
        with transaction.atomic():
            if self.accepted:
                handed = [m for m, _ in self.accepted]
                # What all of them share in one statement, what differs (the provider's ids) in another.
                Message.objects.filter(pk__in=[m.pk for m in handed]).update(
                    status=Message.Status.SENT,
                    sent_at=now,
                    provider=self.provider,
                    claimed_until=None,
                    sealed_body=None,  # a secret is kept no longer than it is needed
                )
                with connection.cursor() as cursor:
                    # One statement run for many rows: an ORM bulk_update builds a CASE per row, which cost
                    # more than the sending itself.
                    cursor.executemany(
                        _SET_REFERENCE, [(m.provider_reference, m.segments, m.pk) for m in handed]
                    )
            if self.refused:
                Message.objects.bulk_update([m for m, _ in self.refused], self.REFUSED_FIELDS)
            for message in failed:
                fallback_create(message, now)  # never for a code, expired or not: it goes only where asked
        self.accepted.clear()
        self.refused.clear()
        self.written_at = time.monotonic()


def _release(messages: Iterable[Message]) -> None:
    """Claimed but never answered for: back to the queue as they were, to be sent again."""
    keys = [m.pk for m in messages]
    if keys:
        Message.objects.filter(pk__in=keys, status=Message.Status.SENDING).update(
            status=Message.Status.QUEUED, claimed_until=None, due_at=timezone.now()
        )


def dispatch(lane: Lane, provider: Provider, *, limit: int = BATCH) -> int:
    """Claim one batch of the lane and send it; returns how many were claimed. Raises TransientFailure when the
    provider cannot be reached (the batch is back in the queue)."""
    now = timezone.now()
    claimed = claim(lane, limit=limit, now=now)
    if not claimed:
        return 0
    record = _Record(provider.name, claimed)
    by_uuid = {str(m.uuid): m for m in claimed}
    sendable = []
    for message in claimed:
        if message.expires_at is not None and message.expires_at <= now:
            record.add(message, Refused(EXPIRED, permanent=True))
        else:
            sendable.append(message)
    try:
        for answer in provider.send_batch([_outgoing(m) for m in sendable]):
            if answer is not None and (message := by_uuid.get(answer[0])) is not None:
                record.add(message, answer[1])
            if record.due():  # also on a tick (None): what is known is written while the rest is awaited
                record.flush()
            record.renew()
    finally:
        record.flush()
        _release(m for m in claimed if m.pk not in record.done)
    receipts_apply(provider.name, provider.receipts())
    return len(claimed)


def dispatch_all(*, channels: Iterable[str] = ("sms", "email")) -> int:
    """Send everything that is due now, channel by channel, until nothing is left (tests, `bawaba notifications
    dispatch`). The worker's lanes do the same continuously."""
    sent = 0
    for channel in channels:
        provider = provider_for(channel)
        try:
            while count := dispatch(Lane(channel), provider):
                sent += count
        except TransientFailure as down:
            logger.warning("%s provider %s unreachable: %s", channel, provider.name, down)
        finally:
            provider.close()
    return sent

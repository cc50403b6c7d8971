"""Relaying events to subscribers: one task per (event, subscriber), idempotent, bounded retries."""

import logging
from datetime import timedelta

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from .models import Delivery, Event
from .registry import subscribers_of

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


def backoff(attempt: int) -> timedelta:
    return timedelta(seconds=min(2**attempt, 300))


@task()
def deliver_event(*, event_id: int, subscriber: str) -> str:
    with transaction.atomic():
        event = Event.objects.get(pk=event_id)
        delivery, _ = Delivery.objects.select_for_update().get_or_create(event=event, subscriber=subscriber)
        if delivery.status != Delivery.Status.PENDING:
            return delivery.status
        handler = subscribers_of(event.name).get(subscriber)
        delivery.attempts += 1
        if handler is None:
            delivery.status, delivery.last_error = Delivery.Status.FAILED, "no such subscriber"
            delivery.save()
            return delivery.status
        try:
            with transaction.atomic():
                handler(event.payload)
        except Exception as exc:  # any failure of a handler is retried, then recorded as failed
            logger.exception("subscriber %s failed on event %s", subscriber, event.uuid)
            delivery.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if delivery.attempts >= MAX_ATTEMPTS:
                delivery.status = Delivery.Status.FAILED
            else:
                deliver_event.using(run_after=timezone.now() + backoff(delivery.attempts)).enqueue(
                    event_id=event_id, subscriber=subscriber
                )
        else:
            delivery.status, delivery.done_at = Delivery.Status.DONE, timezone.now()
        delivery.save()
        return delivery.status

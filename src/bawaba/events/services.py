"""Emitting domain events. An event is stored with the write that caused it and relayed afterwards."""

from django.db import connection

from .models import Event
from .registry import subscribers_of
from .tasks import deliver_event

__all__ = ["event_emit"]


class EmitOutsideTransaction(RuntimeError):
    pass


def event_emit(*, name: str, payload: dict) -> Event:
    if not connection.in_atomic_block:
        # An event outside the write's transaction could be kept while the write is rolled back.
        raise EmitOutsideTransaction(f"event {name!r} must be emitted inside the transaction of its write")
    event = Event.objects.create(name=name, payload=payload)
    for subscriber in subscribers_of(name):
        # The task row is in the same database: it commits, or rolls back, with the event.
        deliver_event.enqueue(event_id=event.pk, subscriber=subscriber)
    return event

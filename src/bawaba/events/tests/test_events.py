"""The outbox: events live and die with their write, and each subscriber handles each event once."""

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from bawaba.events import registry
from bawaba.events.models import Delivery, Event
from bawaba.events.services import EmitOutsideTransaction, event_emit
from bawaba.events.tasks import MAX_ATTEMPTS, deliver_event

pytestmark = pytest.mark.django_db

seen: list[dict] = []


@registry.subscribe("test.happened", name="test-recorder")
def recorder(payload: dict) -> None:
    seen.append(payload)


@registry.subscribe("test.fails", name="test-failer")
def failer(payload: dict) -> None:
    raise ConnectionError("downstream is down")


@pytest.fixture(autouse=True)
def _clear():
    seen.clear()


@pytest.mark.django_db(transaction=True)
def test_emit_outside_a_transaction_is_refused():
    with pytest.raises(EmitOutsideTransaction):
        event_emit(name="test.happened", payload={})


def test_a_rolled_back_write_leaves_no_event():
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        event_emit(name="test.happened", payload={"n": 1})
        1 / 0  # noqa: B018
    assert not Event.objects.filter(name="test.happened").exists()


def test_delivery_happens_once_even_if_the_task_runs_twice():
    with transaction.atomic():
        event = event_emit(name="test.happened", payload={"n": 2})
    deliver_event.call(event_id=event.pk, subscriber="test-recorder")
    deliver_event.call(event_id=event.pk, subscriber="test-recorder")
    assert seen == [{"n": 2}]
    assert Delivery.objects.get(event=event).status == Delivery.Status.DONE


def test_a_failing_subscriber_is_retried_later_then_marked_failed():
    with transaction.atomic():
        event = event_emit(name="test.fails", payload={})
    deliver_event.call(event_id=event.pk, subscriber="test-failer")
    retry = DBTaskResult.objects.filter(task_path__endswith="deliver_event").order_by("-enqueued_at").first()
    assert retry.run_after > timezone.now()
    for _ in range(MAX_ATTEMPTS + 2):
        deliver_event.call(event_id=event.pk, subscriber="test-failer")
    delivery = Delivery.objects.get(event=event)
    assert delivery.status == Delivery.Status.FAILED and delivery.attempts == MAX_ATTEMPTS
    assert "downstream is down" in delivery.last_error

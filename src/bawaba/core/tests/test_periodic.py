"""Periodic tasks: each run is enqueued once whatever the number of workers offering it."""

from datetime import timedelta

import pytest
from django.tasks import task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from bawaba.core import periodic
from bawaba.core.management.commands.worker import PeriodicOffer

pytestmark = pytest.mark.django_db


@task()
def tick() -> str:
    return "tick"


@pytest.fixture
def only_tick(monkeypatch):
    monkeypatch.setattr(periodic, "_registry", {})
    periodic.periodic_register(tick, every=timedelta(minutes=5))


def test_a_periodic_task_needs_a_positive_interval():
    with pytest.raises(ValueError):
        periodic.periodic_register(tick, every=timedelta(0))


def test_workers_offering_at_once_enqueue_each_run_once(only_tick):
    now = timezone.now()
    name = tick.module_path
    offers = [periodic.periodic_enqueue_due(now=now + timedelta(seconds=s)) for s in (0, 1, 2)]
    assert offers == [[name], [], []]
    assert periodic.periodic_enqueue_due(now=now + timedelta(minutes=5)) == [name]
    assert DBTaskResult.objects.filter(task_path=name).count() == 2


def test_the_worker_thread_offers_the_due_tasks(only_tick, monkeypatch):
    from bawaba.core.management.commands import worker

    monkeypatch.setattr(worker, "close_old_connections", lambda: None)  # the test's own transaction stays
    offer = PeriodicOffer(interval=60)
    offer.stopped.wait = lambda _interval: offer.stopped.set()  # one round, then stop
    offer.run()
    assert DBTaskResult.objects.filter(task_path=tick.module_path).count() == 1

"""Work that runs on a clock rather than on a request (the SLA sweep…).

An app registers a task and how often it runs, in its AppConfig.ready(). Every `bawaba worker` process offers,
every BAWABA_PERIODIC_CHECK_SECONDS, to enqueue the registered tasks that are due; one row per task records
when it is next due, and moving that row on is a compare-and-set, so with any number of workers each run is
enqueued once. The enqueued task is an ordinary django.tasks task, so it is retried and recorded like any
other; periodic tasks must be idempotent, since a run may still overlap the next one.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.tasks import Task
from django.utils import timezone

from .models import PeriodicRun

__all__ = ["periodic_enqueue_due", "periodic_register", "periodic_tasks"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Periodic:
    task: Task
    every: timedelta


_registry: dict[str, Periodic] = {}


def periodic_register(task: Task, *, every: timedelta) -> None:
    if every <= timedelta(0):
        raise ValueError(f"{task.module_path}: a periodic task runs every so often, not every {every}")
    _registry[task.module_path] = Periodic(task, every)


def periodic_tasks() -> dict[str, Periodic]:
    return dict(_registry)


def periodic_enqueue_due(*, now: datetime | None = None) -> list[str]:
    """Enqueue each registered task whose time has come; returns the names of those this call enqueued."""
    now = now or timezone.now()
    enqueued = []
    for name, periodic in sorted(_registry.items()):
        with transaction.atomic():
            PeriodicRun.objects.get_or_create(name=name, defaults={"next_run_at": now})
            # Only the worker whose update finds the row still due enqueues this run.
            won = PeriodicRun.objects.filter(name=name, next_run_at__lte=now).update(
                next_run_at=now + periodic.every, last_enqueued_at=now
            )
            if won:
                periodic.task.enqueue()  # the task row commits, or rolls back, with the row moved on
                enqueued.append(name)
    if enqueued:
        logger.info("periodic tasks enqueued: %s", ", ".join(enqueued))
    return enqueued

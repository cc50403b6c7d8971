"""`bawaba worker`: the django-tasks-db worker, plus a heartbeat row that /healthz reads and the periodic tasks."""

import logging
import os
import socket
import threading

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

from bawaba.core.loops import loops
from bawaba.core.models import WorkerHeartbeat
from bawaba.core.periodic import periodic_enqueue_due

logger = logging.getLogger(__name__)


class Heartbeat(threading.Thread):
    def __init__(self, worker_id: str, interval: float) -> None:
        super().__init__(name="bawaba-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.interval = interval
        self.started_at = timezone.now()
        self.stopped = threading.Event()

    def beat(self) -> None:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={
                "hostname": socket.gethostname()[:255],
                "pid": os.getpid(),
                "started_at": self.started_at,
                "seen_at": timezone.now(),
            },
        )

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                close_old_connections()  # this thread's connection may have been dropped since the last beat
                self.beat()
            except Exception:  # a missed beat must never kill the worker; /healthz shows it stale
                logger.exception("worker heartbeat failed")
            self.stopped.wait(self.interval)


class PeriodicOffer(threading.Thread):
    """Offers the periodic tasks that are due to the queue (core.periodic), whichever worker gets there first."""

    def __init__(self, interval: float) -> None:
        super().__init__(name="bawaba-periodic", daemon=True)
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                close_old_connections()
                periodic_enqueue_due()
            except Exception:  # the next round tries again; a failed offer must never kill the worker
                logger.exception("enqueuing periodic tasks failed")
            self.stopped.wait(self.interval)


class Looping(threading.Thread):
    """One registered loop (core.loops), restarted after a crash so a bug in one never stops the worker."""

    def __init__(self, name: str, run) -> None:
        super().__init__(name=f"bawaba-{name}", daemon=True)
        self.loop_name, self.loop = name, run
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                self.loop(self.stopped)
            except Exception:
                logger.exception("loop %s failed; starting it again", self.loop_name)
                self.stopped.wait(5)


class Command(DBWorkerCommand):
    help = "Run a background task worker and record its heartbeat."

    def handle(self, *args, **options):
        worker_id = options.get("worker_id") or get_random_string(32)
        options["worker_id"] = worker_id
        heartbeat = Heartbeat(worker_id, settings.BAWABA_WORKER_HEARTBEAT_SECONDS)
        heartbeat.start()
        offer = PeriodicOffer(settings.BAWABA_PERIODIC_CHECK_SECONDS)
        offer.start()
        looping = [Looping(name, run) for name, run in sorted(loops().items())]
        for thread in looping:
            thread.start()
        try:
            return super().handle(*args, **options)
        finally:
            heartbeat.stopped.set()
            offer.stopped.set()
            for thread in looping:
                thread.stopped.set()
            for thread in looping:
                thread.join(timeout=10)
            WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()

"""`bawaba notifications dispatch|send`: send what is due once, or run the sending lanes in the foreground.

`bawaba worker` runs the lanes beside the task queue; `send` runs only them, for a process of its own (a
dedicated sender, the benchmark) and stops on SIGTERM or Ctrl-C, or with --until-empty once nothing is due.
"""

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Max, Q
from django.utils import timezone

from bawaba.notifications.dispatch import Lane, dispatch_all
from bawaba.notifications.lanes import lane_run
from bawaba.notifications.models import Message


class Command(BaseCommand):
    help = "Send notification messages."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("dispatch", help="Send every message that is due now, then stop.")
        send = sub.add_parser("send", help="Run the sending lanes until stopped.")
        send.add_argument(
            "--channel",
            action="append",
            choices=sorted(settings.BAWABA_NOTIFICATION_PROVIDERS),
            help="Only this channel (repeatable; default: all).",
        )
        send.add_argument(
            "--until-empty", action="store_true", help="Stop once no message is due or being sent."
        )

    def handle(self, *args, action, **options):
        if action == "dispatch":
            self.stdout.write(f"{dispatch_all()} messages handed to their providers.")
            return
        channels = options["channel"] or sorted(settings.BAWABA_NOTIFICATION_PROVIDERS)
        stopped = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stopped.set())
        threads = [
            threading.Thread(target=lane_run, args=(Lane(channel, urgent), stopped), daemon=True)
            for channel in channels
            for urgent in (True, False)
        ]
        started = timezone.now()
        for thread in threads:
            thread.start()
        while not stopped.wait(0.2):
            if options["until_empty"] and not self._waiting(channels):
                stopped.set()
        for thread in threads:
            thread.join(timeout=30)
            if thread.is_alive():
                raise CommandError("a sending lane did not stop within 30 s")
        done = Message.objects.filter(channel__in=channels, sent_at__gte=started).aggregate(
            count=Count("pk"), last=Max("sent_at")
        )
        took = (done["last"] - started).total_seconds() if done["last"] else 0.0
        # From the start to the last outcome written: what the benchmark divides by.
        self.stdout.write(f"sent {done['count']} in {took:.2f} s")

    @staticmethod
    def _waiting(channels) -> bool:
        """Something is due now or being sent (messages held for quiet hours or a retry's wait are not)."""
        return Message.objects.filter(
            Q(status=Message.Status.QUEUED, due_at__lte=timezone.now()) | Q(status=Message.Status.SENDING),
            channel__in=channels,
        ).exists()

"""`bawaba drafts sweep`: warn citizens about drafts soon deleted and delete expired ones (schedule it daily)."""

from django.core.management.base import BaseCommand

from bawaba.forms.tasks import drafts_sweep


class Command(BaseCommand):
    help = "Look after the citizens' unfinished forms."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sweep = sub.add_parser("sweep", help="Enqueue the sweep for a worker, or run it here with --now.")
        sweep.add_argument("--now", action="store_true", help="Run it in this process and print the counts.")

    def handle(self, *args, action, now=False, **options):
        if now:
            counts = drafts_sweep.call()
            self.stdout.write(", ".join(f"{key}: {value}" for key, value in counts.items()))
        else:
            result = drafts_sweep.enqueue()
            self.stdout.write(f"enqueued {result.id}")

"""`bawaba cases synth --applications 1000000 --citizens 100000`: applications at scale for benchmarks."""

from django.core.management.base import BaseCommand, CommandError

from bawaba.cases.synth import synth_applications


class Command(BaseCommand):
    help = "Applications: synthetic load for benchmarks."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        synth = sub.add_parser("synth", help="Write synthetic citizens and applications (bulk inserts).")
        synth.add_argument("--applications", type=int, default=10_000)
        synth.add_argument("--citizens", type=int, default=1_000)
        synth.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, action, applications, citizens, seed, **options):
        if applications < 0 or citizens < 1:
            raise CommandError("--applications must be 0 or more and --citizens at least 1")
        try:
            written = synth_applications(
                applications=applications, citizens=citizens, seed=seed, report=self.stdout.write
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"{written} applications written."))

"""`bawaba paygw serve --port 8200` runs the sandbox payment gateway as its own process;
`bawaba paygw settle --date YYYY-MM-DD --out FILE` writes a merchant's settlement report for a day."""

import os
import sys
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--date must be a day as YYYY-MM-DD, not {text!r}.") from None


class Command(BaseCommand):
    help = "A sandbox card-payment gateway: hosted card page, signed API, webhooks and settlement reports."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        serve = sub.add_parser("serve", help="Serve the gateway on 127.0.0.1.")
        serve.add_argument("--port", type=int, default=8200)
        settle = sub.add_parser("settle", help="Write the settlement CSV of one day (UTC).")
        settle.add_argument("--date", required=True)
        settle.add_argument("--out", required=True, help="The CSV file to write ('-' for standard output).")
        settle.add_argument("--merchant", default="bawaba")

    def handle(self, *args, action, **options):
        if action == "serve":
            self._serve(options["port"])
        else:
            self._settle(options["date"], options["out"], options["merchant"])

    def _serve(self, port: int) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bawaba.paygw.settings",
            "BAWABA_PAYGW_URL": os.environ.get("BAWABA_PAYGW_URL", f"http://127.0.0.1:{port}"),
        }
        # One process: the webhook sender thread lives in it and SQLite writes are serialised in it;
        # threads serve the requests.
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "bawaba.paygw.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "4",
            "--access-logfile",
            "-",
        ]
        os.execvpe(sys.executable, argv, env)  # noqa: S606 (fixed argv, no shell)

    def _settle(self, day_text: str, out: str, merchant_id: str) -> None:
        # The gateway's own modules, not its Django settings: this runs in the platform's command.
        from bawaba.paygw import config, settlement

        day = _day(day_text)
        if merchant_id not in config.merchants():
            raise CommandError(f"No merchant {merchant_id!r} in BAWABA_PAYGW_MERCHANTS.")
        if not config.database_path().exists():
            raise CommandError(f"The gateway's database {config.database_path()} does not exist yet.")
        text = settlement.report(merchant_id, day)
        if out == "-":
            self.stdout.write(text, ending="")
        else:
            Path(out).write_text(text, encoding="utf-8")
            self.stderr.write(f"Settlement of {merchant_id} for {day} written to {out}.")

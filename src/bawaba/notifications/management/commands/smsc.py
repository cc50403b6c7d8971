"""`bawaba smsc serve`: the SMS centre simulator in the foreground, for the benchmark and for trying the smpp
provider by hand (BAWABA_SMS_PROVIDER=smpp, BAWABA_SMPP_PORT=<port>). Never a real SMS centre."""

import signal

from django.core.management.base import BaseCommand


def _interrupt(signum, frame):
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "A local SMS centre (SMPP 3.4) simulator."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        serve = sub.add_parser("serve", help="Listen for SMPP sessions until interrupted (Ctrl-C).")
        serve.add_argument("--host", default="127.0.0.1")
        serve.add_argument("--port", type=int, default=2775, help="0 picks a free port (printed).")
        serve.add_argument(
            "--system-id", default=None, help="Only this system_id may bind (any when absent)."
        )
        serve.add_argument("--password", default=None, help="The password binds must give (any when absent).")
        serve.add_argument(
            "--keep-messages",
            action="store_true",
            help="Keep every message taken in memory (off: only counts, for long benchmark runs).",
        )

    def handle(self, *args, action, host, port, system_id, password, keep_messages, **options):
        from bawaba.testing.smsc import SmscSimulator  # a test helper: loaded only when asked for

        centre = SmscSimulator(host, port, system_id=system_id, password=password, record=keep_messages)
        centre.start()
        signal.signal(signal.SIGTERM, _interrupt)  # a benchmark stopping it gets the closing count too
        self.say(f"SMS centre simulator listening on {host}:{centre.port} (SMPP 3.4); Ctrl-C stops it.")
        try:
            centre.serve_forever(report=self.say)
        except KeyboardInterrupt:
            pass
        finally:
            centre.stop()
            self.say(f"stopped after {centre.submitted} submit_sm")

    def say(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()  # read line by line by whoever started it (the benchmark, a test)

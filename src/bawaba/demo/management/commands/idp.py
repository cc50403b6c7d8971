"""`bawaba idp serve --port 8100 [--profile bank]`: run a demo identity provider as its own process."""

import os
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "A demo identity provider (OpenID Connect): the national digital ID or a bank app."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        serve = sub.add_parser("serve", help="Serve the provider on 127.0.0.1.")
        serve.add_argument("--port", type=int, default=8100)
        serve.add_argument("--profile", choices=["national-id", "bank"], default="national-id")

    def handle(self, *args, action, port, profile, **options):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bawaba.idp.settings",
            "BAWABA_IDP_ISSUER": os.environ.get("BAWABA_IDP_ISSUER", f"http://127.0.0.1:{port}"),
            "BAWABA_IDP_PROFILE": profile,
        }
        # One worker: authorization codes live in that process's memory for their 60 seconds.
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "bawaba.idp.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--access-logfile",
            "-",
        ]
        os.execvpe(sys.executable, argv, env)  # noqa: S606 (fixed argv, no shell)

"""`bawaba demo accounts`: create the demo accounts and print them (refuses outside DEBUG);
`bawaba demo bills`: demo traffic fines and electricity bills to pay by reference."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bawaba.demo.accounts import ensure_demo_accounts
from bawaba.demo.bills import ensure_demo_bills


class Command(BaseCommand):
    help = "Demo data for development."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("accounts", help="Create the demo accounts and print how to sign in.")
        sub.add_parser("bills", help="Demo traffic fines and electricity bills to pay by reference.")

    def handle(self, *args, action, **options):
        if action == "bills":
            for biller, loaded in ensure_demo_bills().items():
                self.stdout.write(f"Demo bills, {biller}: {loaded.created} new, {loaded.updated} updated")
            self.stdout.write(
                "  fines on plate ق ط ر 1234 and س م ع 5821; electricity accounts 100200300400, 500600700800"
            )
            return
        if not settings.DEBUG:
            raise CommandError("demo accounts have well-known passwords: they are only made with DEBUG on")
        self.stdout.write(
            "Demo accounts (citizens: /ar/account/sign-in/, staff: /ar/account/staff-sign-in/; "
            "SMS codes appear in the worker log, var/log/worker.log, and at /ar/dev/messages/):"
        )
        accounts = ensure_demo_accounts()
        width = max(len(account.sign_in) for account in accounts)
        for account in accounts:
            self.stdout.write(
                f"  {account.sign_in:<{width}}  password {account.password:<22} {account.description}"
            )

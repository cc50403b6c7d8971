"""`bawaba payments reconcile --date YYYY-MM-DD`: compare the gateway's settlement file of that UTC day with
the payments we recorded, as the daily task does, and say what differs."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from bawaba.payments.gateways import GatewayUnavailable, SettlementInvalid
from bawaba.payments.reconciliation import reconciliation_run


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--date must be a day as YYYY-MM-DD, not {text!r}.") from None


class Command(BaseCommand):
    help = "Payments: reconcile a day's settlement with the gateway."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        reconcile = sub.add_parser(
            "reconcile", help="Reconcile one UTC day's settlement file (run again: replaced)."
        )
        reconcile.add_argument("--date", required=True, help="The UTC day, YYYY-MM-DD.")

    def handle(self, *args, action, **options):
        day = _day(options["date"])
        try:
            run = reconciliation_run(day=day, actor="command:payments-reconcile")
        except (GatewayUnavailable, SettlementInvalid) as error:
            raise CommandError(f"{day}: {error} Nothing was recorded.") from error
        totals = "; ".join(
            f"{t['currency']} gross {t['gross']}, fees {t['fees']}, net {t['net']}" for t in run.totals
        )
        self.stdout.write(
            f"{run.gateway} {day}: {run.settled_count} settled, {run.recorded_count} recorded, "
            f"{run.matched_count} agree; {run.missing_count} missing, {run.extra_count} extra, "
            f"{run.amount_count} amount differs ({totals or 'nothing settled'}, minor units)."
        )

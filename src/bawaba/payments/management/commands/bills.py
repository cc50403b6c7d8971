"""`bawaba bills load FILE --biller traffic-fines`: take a biller's file of bills (UTF-8 CSV).

The columns: reference, account, holder, label_ar, label_en, amount (minor units), currency, issued_on
(YYYY-MM-DD) and, optionally, status (open, the default, or cancelled). A bill already loaded is updated
while unpaid; a paid one is never changed. A line that cannot be taken refuses the whole file.
"""

import csv

from django.core.management.base import BaseCommand, CommandError

from bawaba.payments.bills import BILL_COLUMNS, BillFileRefused, bills_load


class Command(BaseCommand):
    help = "Bills that citizens pay by reference (traffic fines, utility bills)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        load = actions.add_parser("load", help="Load a biller's CSV file of bills.")
        load.add_argument("file")
        load.add_argument("--biller", required=True, help="e.g. traffic-fines, electricity")
        load.add_argument("--pattern", help="a regular expression every account must match once cleaned")

    def handle(self, *args, action, file, biller, pattern=None, **options):
        try:
            with open(file, encoding="utf-8-sig", newline="") as handle:
                reader = csv.DictReader(handle)
                missing = [column for column in BILL_COLUMNS if column not in (reader.fieldnames or [])]
                if missing:
                    raise CommandError(f"{file}: line 1 lacks the columns {', '.join(missing)}")
                loaded = bills_load(biller=biller, rows=list(reader), pattern=pattern)
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from error
        except BillFileRefused as refused:
            raise CommandError(f"{file}: {refused}; nothing was loaded") from refused
        self.stdout.write(
            f"{biller}: {loaded.created} new, {loaded.updated} updated, {loaded.cancelled} cancelled, "
            f"{loaded.unchanged} unchanged"
        )

"""`bawaba audit verify`: recompute the audit log's hash chain and report the first broken entry."""

from django.core.management.base import BaseCommand, CommandError

from bawaba.audit.models import AuditEntry
from bawaba.audit.services import audit_verify


class Command(BaseCommand):
    help = "Audit log tools."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Check that no audit entry was changed, removed or reordered.")

    def handle(self, *args, action, **options):
        intact, broken_at = audit_verify()
        if not intact:
            raise CommandError(f"audit chain broken at entry #{broken_at}")
        self.stdout.write(f"audit chain intact: {AuditEntry.objects.count()} entries")

"""Writing to the audit log. Call inside the transaction of the write it records."""

import json

from django.db import transaction
from django.utils import timezone

from .chain import GENESIS, entry_hash
from .models import AuditChainHead, AuditEntry

__all__ = ["audit_record", "audit_verify"]


def audit_record(
    *,
    action: str,
    actor: str,
    subject_type: str,
    subject_id: str,
    data: dict | None = None,
    on_behalf_of: str = "",
) -> AuditEntry:
    # Nested in the caller's transaction there is nothing to roll back to on its own: no savepoint.
    with transaction.atomic(savepoint=False):
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        fields = {
            "sequence": head.sequence + 1,
            "occurred_at": timezone.now(),
            "action": action,
            "actor": actor,
            "on_behalf_of": on_behalf_of,
            "subject_type": subject_type,
            "subject_id": str(subject_id),
            "data": data or {},
        }
        # Hash what the database will give back: JSON types only.
        fields["data"] = json.loads(json.dumps(fields["data"], default=str))
        digest = entry_hash(previous_hash=head.hash, **fields)
        entry = AuditEntry.objects.create(previous_hash=head.hash, hash=digest, **fields)
        head.sequence, head.hash = entry.sequence, digest
        head.save(update_fields=["sequence", "hash"])
        return entry


def audit_verify() -> tuple[bool, int | None]:
    """Walk the chain; returns (intact, sequence of the first broken entry)."""
    previous = GENESIS
    expected_sequence = 1
    for entry in AuditEntry.objects.order_by("sequence").iterator(chunk_size=2000):
        recomputed = entry_hash(
            previous_hash=previous,
            sequence=entry.sequence,
            occurred_at=entry.occurred_at,
            action=entry.action,
            actor=entry.actor,
            on_behalf_of=entry.on_behalf_of,
            subject_type=entry.subject_type,
            subject_id=entry.subject_id,
            data=entry.data,
        )
        if entry.sequence != expected_sequence or entry.previous_hash != previous or entry.hash != recomputed:
            return False, entry.sequence
        previous = entry.hash
        expected_sequence += 1
    return True, None

"""The audit log is append-only and any change to a past entry breaks the chain."""

import pytest
from django.db import connection

from bawaba.audit.models import AppendOnlyError, AuditEntry
from bawaba.audit.services import audit_record, audit_verify

pytestmark = pytest.mark.django_db


def record(n: int) -> list[AuditEntry]:
    return [
        audit_record(
            action="test.did",
            actor="user:1",
            subject_type="thing",
            subject_id=str(i),
            data={"i": i, "ar": "نص"},
        )
        for i in range(n)
    ]


def test_entries_are_chained_in_order():
    before = AuditEntry.objects.count()
    entries = record(3)
    assert [e.sequence for e in entries] == [before + 1, before + 2, before + 3]
    assert entries[1].previous_hash == entries[0].hash and entries[2].previous_hash == entries[1].hash
    assert audit_verify() == (True, None)


def test_entries_cannot_be_changed_or_deleted_through_the_model():
    (entry,) = record(1)
    entry.action = "test.forged"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()


def test_tampering_in_the_database_is_detected():
    entries = record(3)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET actor = %s WHERE id = %s", ["user:2", entries[1].pk])
    assert audit_verify() == (False, entries[1].sequence)


def test_removing_an_entry_is_detected():
    entries = record(3)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [entries[1].pk])
    assert audit_verify() == (False, entries[2].sequence)

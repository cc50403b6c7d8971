"""Public reference numbers (BWB-2026-000123): consecutive within a year, never given out twice.

The counter row is locked for the rest of the caller's transaction, so two submissions at the same moment get
different numbers, and a transaction that rolls back gives its number back rather than leaving a gap. Since
every filing waits on that row, the number is taken in one round trip (UPDATE … RETURNING, which PostgreSQL
and SQLite both speak).
"""

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from .models import ReferenceCounter

__all__ = ["reference_next"]

_TABLE = ReferenceCounter._meta.db_table


def _advance(prefix: str, year: int) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(
            # The table name is the model's own; the values go as parameters.
            f'UPDATE "{_TABLE}" SET "last" = "last" + 1 WHERE "prefix" = %s AND "year" = %s RETURNING "last"',  # noqa: S608
            [prefix, year],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def reference_next(prefix: str = "BWB", *, year: int | None = None, digits: int = 6) -> str:
    year = year or timezone.localdate().year
    with transaction.atomic(savepoint=False):
        last = _advance(prefix, year)
        if last is None:
            try:
                # The year's first reference: another process may be creating the same row right now.
                with transaction.atomic():
                    ReferenceCounter.objects.create(prefix=prefix, year=year, last=1)
                last = 1
            except IntegrityError:
                last = _advance(prefix, year)
    return f"{prefix}-{year}-{last:0{digits}d}"

"""Public reference numbers (BWB-2026-000123): consecutive within a year, never given out twice.

The counter row is locked for the rest of the caller's transaction, so two submissions at the same moment get
different numbers, and a transaction that rolls back gives its number back rather than leaving a gap.
"""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import ReferenceCounter

__all__ = ["reference_next"]


def reference_next(prefix: str = "BWB", *, year: int | None = None, digits: int = 6) -> str:
    year = year or timezone.localdate().year
    with transaction.atomic():
        updated = ReferenceCounter.objects.filter(prefix=prefix, year=year).update(last=F("last") + 1)
        if not updated:
            try:
                # The year's first reference: another process may be creating the same row right now.
                with transaction.atomic():
                    ReferenceCounter.objects.create(prefix=prefix, year=year, last=1)
            except IntegrityError:
                ReferenceCounter.objects.filter(prefix=prefix, year=year).update(last=F("last") + 1)
        last = ReferenceCounter.objects.get(prefix=prefix, year=year).last
    return f"{prefix}-{year}-{last:0{digits}d}"

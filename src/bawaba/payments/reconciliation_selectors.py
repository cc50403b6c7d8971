"""Reading the settlement runs and their findings, always as someone: finance staff and platform
administrators see them, anyone else sees nothing."""

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from bawaba.accounts.permissions import can_reconcile_payments

from .models import SettlementMismatch, SettlementRun

__all__ = ["settlement_mismatch_get", "settlement_run_get", "settlement_run_mismatches", "settlement_runs"]

OPEN = SettlementMismatch.Status.OPEN


def settlement_runs(*, viewer) -> QuerySet[SettlementRun]:
    """The runs, newest day first, each with `open_count`: its findings nobody has resolved yet."""
    if not can_reconcile_payments(viewer):
        return SettlementRun.objects.none()
    return SettlementRun.objects.annotate(
        open_count=Count("mismatches", filter=Q(mismatches__status=OPEN))
    ).order_by("-day", "gateway")


def settlement_run_get(*, viewer, run_uuid) -> SettlementRun | None:
    return settlement_runs(viewer=viewer).filter(uuid=run_uuid).first()


def settlement_run_mismatches(*, viewer, run: SettlementRun) -> list[SettlementMismatch]:
    """The run's findings: the open ones first, then those resolved, by kind and payment."""
    if not can_reconcile_payments(viewer):
        return []
    return list(
        run.mismatches.select_related("intent", "resolved_by")
        .annotate(
            resolved_last=Case(
                When(status=OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("resolved_last", "kind", "key")
    )


def settlement_mismatch_get(*, viewer, mismatch_uuid) -> SettlementMismatch | None:
    if not can_reconcile_payments(viewer):
        return None
    return SettlementMismatch.objects.select_related("run").filter(uuid=mismatch_uuid).first()

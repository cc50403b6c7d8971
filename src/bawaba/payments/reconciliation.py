"""Reconciling a gateway's daily settlement file with the payments we recorded, for finance staff.

For one UTC day and one gateway, every settled payment should be an intent of ours that was paid (succeeded,
or mismatch: paid, but not the sum owed) for the amount and currency owed, and every intent we recorded as
paid that day should be in the file. What differs is a finding: `missing` (we recorded a payment the gateway
did not settle), `extra` (the gateway settled a payment we have no paid intent for), `amount` (the amount or
the currency differs). A day is run again by replacing its open findings; a finding a person resolved stays
resolved, and is not raised again while the figures are the same.

Our clock runs behind the gateway's: an intent is marked paid when we learn of the payment (a webhook, the
payer's return, a poll), after the gateway recorded it. So a settled payment is matched to its intent whatever
day we recorded it, and an intent we marked paid just after midnight that the gateway settled the day before
is not missing.
"""

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from bawaba.accounts.permissions import can_reconcile_payments
from bawaba.audit.services import audit_record

from .gateways import Gateway, SettlementLine, gateway_in_use
from .models import Intent, SettlementMismatch, SettlementRun

__all__ = [
    "LOOKBACK_DAYS",
    "ResolveRefused",
    "mismatch_resolve",
    "reconciliation_due_days",
    "reconciliation_run",
    "utc_day_bounds",
]

LOOKBACK_DAYS = 7
NOTE_MAX = 2000
PAID = (Intent.Status.SUCCEEDED, Intent.Status.MISMATCH)
Kind = SettlementMismatch.Kind


class ResolveRefused(Exception):
    """`problem`: not-allowed, note-required, note-too-long, already-resolved."""

    def __init__(self, problem: str):
        super().__init__(problem)
        self.problem = problem


@dataclass(frozen=True)
class Finding:
    kind: str
    key: str
    intent: Intent | None
    gateway_payment: str
    reference: str
    recorded_amount: int | None = None
    recorded_currency: str = ""
    settled_amount: int | None = None
    settled_currency: str = ""

    @property
    def figures(self) -> tuple:
        return (self.recorded_amount, self.recorded_currency, self.settled_amount, self.settled_currency)


def _figures(mismatch: SettlementMismatch) -> tuple:
    return (
        mismatch.recorded_amount,
        mismatch.recorded_currency,
        mismatch.settled_amount,
        mismatch.settled_currency,
    )


def utc_day_bounds(day: date) -> tuple[datetime, datetime]:
    """[start, end) of the UTC day, as the gateway counts it: 23:59:59.9 UTC is still that day, whatever
    the platform's own time zone."""
    start = datetime.combine(day, time(), tzinfo=UTC)
    return start, start + timedelta(days=1)


def _totals(lines: list[SettlementLine]) -> list[dict]:
    totals: dict[str, dict] = {}
    for line in lines:
        total = totals.setdefault(
            line.currency, {"currency": line.currency, "count": 0, "gross": 0, "fees": 0, "net": 0}
        )
        total["count"] += 1
        total["gross"] += line.amount
        total["fees"] += line.fee
        total["net"] += line.net
    return [totals[currency] for currency in sorted(totals)]


def _settled_finding(kind: str, line: SettlementLine, intent: Intent | None) -> Finding:
    return Finding(
        kind=kind,
        key=line.payment_id,
        intent=intent,
        gateway_payment=line.payment_id,
        reference=line.reference,
        recorded_amount=intent.amount if intent is not None and intent.status in PAID else None,
        recorded_currency=intent.currency if intent is not None and intent.status in PAID else "",
        settled_amount=line.amount,
        settled_currency=line.currency,
    )


def _compare(gateway: Gateway, day: date, lines: list[SettlementLine]) -> tuple[list[Finding], int, int]:
    """(findings, how many intents we recorded as paid that day, how many settled payments agree)."""
    settled = {line.payment_id: line for line in lines}
    start, end = utc_day_bounds(day)
    recorded = list(
        Intent.objects.filter(gateway=gateway.name, status__in=PAID, paid_at__gte=start, paid_at__lt=end)
    )
    unsettled = [intent for intent in recorded if intent.gateway_payment not in settled]
    if unsettled:
        earlier = {line.payment_id for line in gateway.settlement(day - timedelta(days=1))}
        unsettled = [intent for intent in unsettled if intent.gateway_payment not in earlier]

    ours = {
        intent.gateway_payment: intent
        for intent in Intent.objects.filter(gateway=gateway.name, gateway_payment__in=list(settled))
    }
    findings: list[Finding] = []
    agree = 0
    for line in lines:
        intent = ours.get(line.payment_id)
        if intent is None or intent.status not in PAID:
            findings.append(_settled_finding(Kind.EXTRA, line, intent))
        elif (intent.amount, intent.currency) != (line.amount, line.currency):
            findings.append(_settled_finding(Kind.AMOUNT, line, intent))
        else:
            agree += 1
    for intent in unsettled:
        findings.append(
            Finding(
                kind=Kind.MISSING,
                key=intent.gateway_payment or f"intent:{intent.uuid}",
                intent=intent,
                gateway_payment=intent.gateway_payment,
                reference=intent.reference,
                recorded_amount=intent.amount,
                recorded_currency=intent.currency,
            )
        )
    return findings, len(recorded), agree


def _run_locked(gateway: str, day: date) -> SettlementRun:
    # get_or_create copes with two runs of the same day creating the row at once; the lock then makes the
    # second wait for the first and replace what it wrote.
    SettlementRun.objects.get_or_create(
        gateway=gateway, day=day, defaults={"ran_at": timezone.now(), "times_run": 0}
    )
    return SettlementRun.objects.select_for_update().get(gateway=gateway, day=day)


def _record(run: SettlementRun, findings: list[Finding]) -> None:
    mismatches = run.mismatches.select_for_update()
    still_open = {(m.kind, m.key): m for m in mismatches.filter(status=SettlementMismatch.Status.OPEN)}
    resolved = {
        (m.kind, m.key, _figures(m)) for m in mismatches.filter(status=SettlementMismatch.Status.RESOLVED)
    }
    kept = set()
    for finding in findings:
        if (finding.kind, finding.key, finding.figures) in resolved:
            continue
        fields = {
            name: value for name, value in asdict(finding).items() if name not in ("kind", "key", "intent")
        }
        fields["intent"] = finding.intent
        existing = still_open.get((finding.kind, finding.key))
        if existing is None:
            existing = SettlementMismatch.objects.create(
                run=run, kind=finding.kind, key=finding.key, **fields
            )
        else:
            for name, value in fields.items():
                setattr(existing, name, value)
            existing.save()
        kept.add(existing.pk)
    run.mismatches.filter(status=SettlementMismatch.Status.OPEN).exclude(pk__in=kept).delete()


def reconciliation_run(
    *, day: date, gateway: Gateway | None = None, actor: str = "system", by=None
) -> SettlementRun:
    """Compare the gateway's settlement of `day` (UTC) with our intents and record the run and its findings.

    Raises GatewayUnavailable when the gateway cannot be reached and SettlementInvalid for a malformed file;
    either way nothing is written, so the day still counts as not reconciled. `by` is the staff member who
    asked, when a person did.
    """
    gateway = gateway or gateway_in_use()
    # Everything from the gateway is read before anything is written.
    lines = gateway.settlement(day)
    findings, recorded, agree = _compare(gateway, day, lines)
    counts = {kind: sum(1 for finding in findings if finding.kind == kind) for kind in Kind.values}
    if by is not None:
        actor = f"user:{by.uuid}"
    with transaction.atomic():
        run = _run_locked(gateway.name, day)
        _record(run, findings)
        run.ran_at = timezone.now()
        run.ran_by = by
        run.times_run += 1
        run.settled_count = len(lines)
        run.recorded_count = recorded
        run.matched_count = agree
        run.missing_count = counts[Kind.MISSING]
        run.extra_count = counts[Kind.EXTRA]
        run.amount_count = counts[Kind.AMOUNT]
        run.totals = _totals(lines)
        run.save()
        audit_record(
            action="payments.settlement.reconciled",
            actor=actor,
            subject_type="settlement-run",
            subject_id=str(run.uuid),
            data={
                "gateway": run.gateway,
                "day": day.isoformat(),
                "settled": run.settled_count,
                "recorded": recorded,
                "matched": agree,
                **counts,
                "open": run.mismatches.filter(status=SettlementMismatch.Status.OPEN).count(),
                "totals": run.totals,
            },
        )
    return run


def reconciliation_due_days(*, gateway: str, today: date) -> list[date]:
    """Yesterday (UTC), whose file is complete now, and each earlier day of the last LOOKBACK_DAYS that has no
    run yet (the gateway was down, the file was malformed, the workers were stopped), oldest first."""
    window = [today - timedelta(days=back) for back in range(LOOKBACK_DAYS, 0, -1)]
    done = set(SettlementRun.objects.filter(gateway=gateway, day__in=window).values_list("day", flat=True))
    yesterday = today - timedelta(days=1)
    return [day for day in window if day == yesterday or day not in done]


def mismatch_resolve(*, mismatch_uuid, note: str, by) -> SettlementMismatch:
    """Close a finding with what was found or done about it, recording who and when. Raises ResolveRefused;
    SettlementMismatch.DoesNotExist for an id that names nothing."""
    if not can_reconcile_payments(by):
        raise ResolveRefused("not-allowed")
    note = note.strip()
    if not note:
        raise ResolveRefused("note-required")
    if len(note) > NOTE_MAX:
        raise ResolveRefused("note-too-long")
    with transaction.atomic():
        mismatch = (
            SettlementMismatch.objects.select_for_update().select_related("run").get(uuid=mismatch_uuid)
        )
        if mismatch.status != SettlementMismatch.Status.OPEN:
            raise ResolveRefused("already-resolved")
        mismatch.status = SettlementMismatch.Status.RESOLVED
        mismatch.resolved_by, mismatch.resolved_at, mismatch.resolution_note = by, timezone.now(), note
        mismatch.save()
        audit_record(
            action="payments.settlement.mismatch-resolved",
            actor=f"user:{by.uuid}",
            subject_type="settlement-mismatch",
            subject_id=str(mismatch.uuid),
            data={
                "run": str(mismatch.run.uuid),
                "day": mismatch.run.day.isoformat(),
                "kind": mismatch.kind,
                "key": mismatch.key,
                "note": note,
            },
        )
    return mismatch

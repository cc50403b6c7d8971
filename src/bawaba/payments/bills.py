"""Paying by reference: the bills an agency says are owed (traffic fines, electricity bills), looked up by an
account and paid, one or several at once, through the same intents as application fees.

The service definition (its `bills` and `fees` parts) comes in as plain data: what the biller is called, how
an account looks, the service's own charges and the late penalty on each bill. A bill counts as paid when its
intent succeeds (`payment.succeeded`); a bill found paid already by then was paid twice, which is recorded
for finance staff to refund, never hidden.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from bawaba.audit.services import audit_record
from bawaba.core.text import western_digits
from bawaba.events.registry import subscribe
from bawaba.events.services import event_emit

from .fees import Quote, quote
from .models import Bill, BillLine, Intent
from .services import PaymentRefused, intent_payment_create, intent_ready

__all__ = [
    "BILL_COLUMNS",
    "BillFileRefused",
    "BillsQuote",
    "account_clean",
    "bills_intent_open",
    "bills_load",
    "bills_of_intent",
    "bills_paid",
    "bills_quote",
    "bills_unpaid",
]

PURPOSE = "bills:{key}"
_SEPARATORS = re.compile(r"[\s\-_./]+")


def account_clean(account: str, pattern: str) -> str | None:
    """The account as the biller writes it (no spaces or dashes, Western digits), or None when it does not
    look like one."""
    cleaned = _SEPARATORS.sub("", western_digits(account or "")).upper()
    return cleaned if cleaned and re.fullmatch(pattern, cleaned) else None


def bills_unpaid(*, biller: str, account: str) -> list[Bill]:
    """The account's unpaid bills, oldest first. Anyone who knows the account may pay them: the page shows
    what each is for and how much, never who holds it."""
    return list(
        Bill.objects.filter(biller=biller, account=account, status=Bill.Status.OPEN).order_by(
            "issued_on", "id"
        )
    )


@dataclass(frozen=True)
class BillsQuote:
    bills: tuple[tuple[Bill, int], ...]  # each bill with the late penalty on it
    service: Quote  # the service's own charges (fixed, per bill…), once for the payment
    total: int
    currency: str


def bills_quote(bills: list[Bill], *, rules: list, currency: str, today: date) -> BillsQuote:
    """What paying these bills costs: each bill and its late penalty (for the days since it was issued), and
    the service's own charges, with "per-item" rules counting the bills. Raises PaymentRefused when a bill is
    in another currency than the service charges in."""
    if any(bill.currency != currency for bill in bills):
        raise PaymentRefused("currency")
    late = [rule for rule in rules if rule["kind"] == "late-penalty"]
    own = [rule for rule in rules if rule["kind"] != "late-penalty"]
    items = {rule["field"].replace("-", "_"): len(bills) for rule in own if rule["kind"] == "per-item"}
    service = quote(own, currency, answers=items)
    lines = tuple(
        (bill, quote(late, currency, days_late=max((today - bill.issued_on).days, 0)).total if late else 0)
        for bill in bills
    )
    total = sum(bill.amount + penalty for bill, penalty in lines) + service.total
    return BillsQuote(bills=lines, service=service, total=total, currency=currency)


def _purpose(biller: str, references: list[str]) -> str:
    # The same bills always make the same purpose, so paying them again finds the same intent.
    key = hashlib.sha256("\n".join([biller, *sorted(references)]).encode()).hexdigest()[:40]
    return PURPOSE.format(key=key)


def bills_intent_open(
    *,
    biller: str,
    account: str,
    references: list[str],
    rules: list,
    currency: str,
    description: str,
    payer,
    return_url: str,
    today: date,
) -> Intent:
    """The intent paying these bills of the account (opened the first time). Raises PaymentRefused:
    "no-bills" (none chosen), "not-open" (one is paid, cancelled or not the account's), "currency"; and
    GatewayUnavailable."""
    references = sorted(set(references))
    if not references:
        raise PaymentRefused("no-bills")
    with transaction.atomic():
        bills = list(
            Bill.objects.select_for_update()
            .filter(biller=biller, account=account, reference__in=references, status=Bill.Status.OPEN)
            .order_by("issued_on", "id")
        )
        if len(bills) != len(references):
            raise PaymentRefused("not-open")
        priced = bills_quote(bills, rules=rules, currency=currency, today=today)
        purpose = _purpose(biller, references)
        # Another choice of bills open for payment that shares one of these is closed: a bill is paid once.
        Intent.objects.filter(status=Intent.Status.OPEN, bill_lines__bill__in=bills).exclude(
            purpose=purpose
        ).update(status=Intent.Status.FAILED)
        intent = intent_ready(
            purpose=purpose,
            # The gateway takes 1 to 64 of letters, digits and . _ : / -; several bills read "first..last".
            reference=(
                bills[0].reference if len(bills) == 1 else f"{bills[0].reference}..{bills[-1].reference}"
            )[:64],
            description=description[:200],
            payer=payer,
            amount=priced.total,
            currency=currency,
        )
        if not intent.bill_lines.exists():
            BillLine.objects.bulk_create(
                BillLine(intent=intent, bill=bill, amount=bill.amount, penalty=penalty)
                for bill, penalty in priced.bills
            )
    return intent_payment_create(intent, return_url=return_url)


def bills_of_intent(intent: Intent) -> list[BillLine]:
    return list(intent.bill_lines.select_related("bill").order_by("bill__issued_on", "bill__id"))


@subscribe("payment.succeeded", name="payments.bills-paid")
def bills_paid(payload: dict) -> None:
    if not payload["purpose"].startswith("bills:"):
        return
    with transaction.atomic():
        intent = Intent.objects.get(uuid=payload["intent"])
        for line in (
            BillLine.objects.select_related("bill").select_for_update(of=("bill",)).filter(intent=intent)
        ):
            bill = line.bill
            if bill.paid_by_id == intent.pk:
                continue  # a repeated delivery of the event
            if bill.status != Bill.Status.OPEN:
                audit_record(
                    action="payments.bill.paid-twice",
                    actor="system",
                    subject_type="bill",
                    subject_id=str(bill.uuid),
                    data={"intent": str(intent.uuid), "biller": bill.biller, "reference": bill.reference},
                )
                continue
            bill.status, bill.paid_by = Bill.Status.PAID, intent
            bill.save(update_fields=["status", "paid_by", "updated_at"])
            event_emit(
                name="bill.paid",
                payload={
                    "biller": bill.biller,
                    "reference": bill.reference,
                    "account": bill.account,
                    "amount": line.amount,
                    "penalty": line.penalty,
                    "currency": bill.currency,
                    "intent": str(intent.uuid),
                    "receipt": intent.receipt_number,
                },
            )


class BillFileRefused(ValueError):
    """A bill file with a line that cannot be taken: nothing of the file is loaded."""


BILL_COLUMNS = ("reference", "account", "holder", "label_ar", "label_en", "amount", "currency", "issued_on")


@dataclass(frozen=True)
class BillsLoaded:
    created: int
    updated: int
    cancelled: int
    unchanged: int  # paid already, or the same as before


def bills_load(*, biller: str, rows: list[dict], pattern: str | None = None) -> BillsLoaded:
    """Take a biller's file of bills (dicts with BILL_COLUMNS, and `status` open or cancelled): new bills are
    added, open ones updated or cancelled; a paid bill is never changed. All or nothing: raises BillFileRefused
    naming the line (counting the header as line 1) and the column."""
    parsed, seen = [], set()
    for number, row in enumerate(rows, start=2):
        parsed.append(_bill_row(row, number, pattern))
        if parsed[-1]["reference"] in seen:
            raise BillFileRefused(
                f"line {number}, reference: {parsed[-1]['reference']!r} is on an earlier line"
            )
        seen.add(parsed[-1]["reference"])
    created = updated = cancelled = unchanged = 0
    with transaction.atomic():
        known = {
            bill.reference: bill
            for bill in Bill.objects.select_for_update().filter(
                biller=biller, reference__in=[row["reference"] for row in parsed]
            )
        }
        for row in parsed:
            bill, status = known.get(row["reference"]), row.pop("status")
            if bill is None:
                if status == Bill.Status.OPEN:
                    Bill.objects.create(biller=biller, **row)
                    created += 1
                continue
            if bill.status != Bill.Status.OPEN:
                unchanged += 1
                continue
            if status == Bill.Status.CANCELLED:
                bill.status = Bill.Status.CANCELLED
                bill.save(update_fields=["status", "updated_at"])
                cancelled += 1
            elif any(getattr(bill, name) != value for name, value in row.items()):
                for name, value in row.items():
                    setattr(bill, name, value)
                bill.save()
                updated += 1
            else:
                unchanged += 1
        audit_record(
            action="payments.bills.loaded",
            actor="system",
            subject_type="biller",
            subject_id=biller,
            data={"created": created, "updated": updated, "cancelled": cancelled, "lines": len(parsed)},
        )
    return BillsLoaded(created, updated, cancelled, unchanged)


def _bill_row(row: dict, number: int, pattern: str | None) -> dict:
    def refuse(column: str, problem: str):
        raise BillFileRefused(f"line {number}, {column}: {problem}")

    for column in BILL_COLUMNS:
        if not (row.get(column) or "").strip() and column != "holder":
            refuse(column, "missing")
    if not re.fullmatch(r"[A-Za-z0-9._:/-]{1,40}", row["reference"].strip()):
        # What a payment's reference may hold at the gateway, which names the bill.
        refuse("reference", f"{row['reference']!r} is not 1 to 40 of letters, digits and . _ : / -")
    typed = row["account"].strip()
    account = account_clean(typed, pattern or ".+") or refuse(
        "account", f"{typed!r} does not match {pattern}"
    )
    try:
        amount = int(row["amount"])
    except ValueError:
        refuse("amount", f"{row['amount']!r} is not a whole number of minor units")
    if amount <= 0:
        refuse("amount", "must be more than 0")
    currency = row["currency"].strip()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        refuse("currency", f"{currency!r} is not an ISO 4217 code")
    try:
        issued_on = date.fromisoformat(row["issued_on"].strip())
    except ValueError:
        refuse("issued_on", f"{row['issued_on']!r} is not a date (YYYY-MM-DD)")
    status = (row.get("status") or "open").strip()
    if status not in (Bill.Status.OPEN, Bill.Status.CANCELLED):
        refuse("status", f"{status!r} is neither open nor cancelled")
    return {
        "reference": row["reference"].strip(),
        "account": account,
        "holder": (row.get("holder") or "").strip(),
        "label": {"ar": row["label_ar"].strip(), "en": row["label_en"].strip()},
        "amount": amount,
        "currency": currency,
        "issued_on": issued_on,
        "status": status,
    }

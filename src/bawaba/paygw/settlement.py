"""The daily settlement report: one CSV line per payment that succeeded that day (UTC)."""

import csv
import io
from datetime import date, timedelta
from pathlib import Path

from . import config, store

COLUMNS = ["payment_id", "merchant_reference", "amount", "currency", "fee", "net", "settled_at"]


def fee(amount: int, basis_points: int) -> int:
    """The gateway's fee in minor units, rounded half up: 1.5 % of 1000 is 15, of 1010 is 15 (15.15)."""
    return (amount * basis_points + 5000) // 10000


def report(merchant_id: str, day: date, path: Path | None = None) -> str:
    """The CSV for this merchant and day; the money is paid out at the end of the day (00:00 UTC next day)."""
    basis_points = config.fee_basis_points()
    settled_at = f"{(day + timedelta(days=1)).isoformat()}T00:00:00Z"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for payment in store.succeeded_on(merchant_id, day.isoformat(), path):
        charged = fee(payment.amount, basis_points)
        writer.writerow(
            [
                payment.id,
                payment.merchant_reference,
                payment.amount,
                payment.currency,
                charged,
                payment.amount - charged,
                settled_at,
            ]
        )
    return out.getvalue()

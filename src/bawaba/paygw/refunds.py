"""Refunds: part or all of a succeeded payment given back, never more than was paid, once per idempotency key.

Kept in a table of their own beside the payments (created on first use, so an existing gateway database
gains it without a migration); listed per day in their own CSV, since the settlement file's format is one line
per payment taken. A refund succeeds at once and sends no webhook: its answer is the outcome.
"""

import csv
import hashlib
import io
import json
import secrets
import sqlite3
from datetime import date

from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from . import store
from .views import NOT_AN_OBJECT, _error, _json_object, _signed_by, _signed_with_key

SCHEMA = """
CREATE TABLE IF NOT EXISTS refunds (
    id TEXT PRIMARY KEY,
    payment_id TEXT NOT NULL,
    merchant_id TEXT NOT NULL,
    amount INTEGER NOT NULL,
    currency TEXT NOT NULL,
    reason TEXT NOT NULL,
    status TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (merchant_id, idempotency_key)
);
CREATE INDEX IF NOT EXISTS refunds_of_payment ON refunds (payment_id);
CREATE INDEX IF NOT EXISTS refunds_by_day ON refunds (merchant_id, created_at);
"""
COLUMNS = ["refund_id", "payment_id", "merchant_reference", "amount", "currency", "refunded_at"]
MAX_REASON = 200


class Refused(Exception):
    def __init__(self, status: int, code: str, message: str, **extra):
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra


def _ready(connection: sqlite3.Connection) -> None:
    for statement in filter(str.strip, SCHEMA.split(";")):
        connection.execute(statement)


def _public(row: sqlite3.Row | dict) -> dict:
    return {
        "id": row["id"],
        "payment_id": row["payment_id"],
        "amount": row["amount"],
        "currency": row["currency"],
        "reason": row["reason"],
        "status": row["status"],
        "created_at": row["created_at"],
    }


def refunded_total(connection: sqlite3.Connection, payment_id: str) -> int:
    return connection.execute(
        "SELECT COALESCE(SUM(amount), 0) FROM refunds WHERE payment_id = ? AND status = ?",
        (payment_id, store.SUCCEEDED),
    ).fetchone()[0]


def refund_create(
    connection: sqlite3.Connection, *, merchant_id: str, payment_id: str, fields: dict, key: str
) -> tuple[dict, bool]:
    """(refund, created) in the caller's write transaction. Raises Refused."""
    _ready(connection)
    request_hash = hashlib.sha256(
        json.dumps({"payment_id": payment_id, **fields}, sort_keys=True).encode()
    ).hexdigest()
    known = connection.execute(
        "SELECT * FROM refunds WHERE merchant_id = ? AND idempotency_key = ?", (merchant_id, key)
    ).fetchone()
    if known is not None:
        if known["request_hash"] != request_hash:
            raise Refused(
                409, "idempotency_conflict", "This Idempotency-Key was used for a different refund."
            )
        return _public(known), False
    payment = store.payment_get(payment_id, connection)
    if payment is None or payment.merchant_id != merchant_id:
        raise Refused(404, "not_found", "No payment of this merchant has this id.")
    if payment.status != store.SUCCEEDED:
        raise Refused(409, "payment_not_succeeded", "Only a succeeded payment can be refunded.")
    if fields.get("currency") not in (None, payment.currency):
        raise Refused(
            400, "invalid_request", "Some fields are not valid.", fields={"currency": "Not the payment's."}
        )
    refundable = payment.amount - refunded_total(connection, payment_id)
    if fields["amount"] > refundable:
        raise Refused(
            409,
            "amount_exceeds_refundable",
            f"At most {refundable} minor units of this payment can still be refunded.",
            refundable=refundable,
        )
    refund = {
        "id": f"re_{secrets.token_hex(12)}",
        "payment_id": payment_id,
        "amount": fields["amount"],
        "currency": payment.currency,
        "reason": fields["reason"],
        "status": store.SUCCEEDED,
        "created_at": store.now_iso(),
    }
    connection.execute(
        "INSERT INTO refunds (id, payment_id, merchant_id, amount, currency, reason, status, idempotency_key,"
        " request_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            refund["id"],
            payment_id,
            merchant_id,
            refund["amount"],
            refund["currency"],
            refund["reason"],
            refund["status"],
            key,
            request_hash,
            refund["created_at"],
        ),
    )
    return refund, True


def _fields(body: bytes) -> tuple[dict, dict]:
    if (data := _json_object(body)) is None:
        return {}, dict(NOT_AN_OBJECT)
    errors = {}
    amount = data.get("amount")
    if type(amount) is not int or not 0 < amount <= 10**12:
        errors["amount"] = "A positive whole number of minor units, at most what remains refundable."
    reason = data.get("reason", "")
    if not isinstance(reason, str) or len(reason) > MAX_REASON:
        errors["reason"] = f"Text of at most {MAX_REASON} characters."
    fields = {"amount": amount, "reason": reason}
    if "currency" in data:
        fields["currency"] = data["currency"]
    return fields, errors


@csrf_exempt
@never_cache
@require_POST
def refund_create_view(request, payment_id):
    merchant, key, refusal = _signed_with_key(request)
    if refusal:
        return refusal
    fields, errors = _fields(request.body)
    if errors:
        return _error(400, "invalid_request", "Some fields are not valid.", fields=errors)
    try:
        with store.writing() as connection:
            refund, created = refund_create(
                connection, merchant_id=merchant.id, payment_id=payment_id, fields=fields, key=key
            )
    except Refused as refused:
        return _error(refused.status, refused.code, refused.message, **refused.extra)
    response = JsonResponse(refund, status=201)
    if not created:
        response["Idempotent-Replayed"] = "true"
    return response


def report(merchant_id: str, day: date) -> str:
    """The CSV of the merchant's refunds made on this UTC day, oldest first."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    with store.writing() as connection:  # a write lock only to create the table on a fresh database
        _ready(connection)
        rows = connection.execute(
            "SELECT refunds.*, payments.merchant_reference FROM refunds JOIN payments ON payments.id ="
            " refunds.payment_id WHERE refunds.merchant_id = ? AND refunds.status = ? AND refunds.created_at"
            " LIKE ? ORDER BY refunds.created_at, refunds.id",
            (merchant_id, store.SUCCEEDED, f"{day.isoformat()}T%"),
        ).fetchall()
    for row in rows:
        writer.writerow(
            [
                row["id"],
                row["payment_id"],
                row["merchant_reference"],
                row["amount"],
                row["currency"],
                row["created_at"],
            ]
        )
    return out.getvalue()


@never_cache
@require_GET
def refunds_read(request, day):
    merchant, refusal = _signed_by(request)
    if refusal:
        return refusal
    try:
        when = date.fromisoformat(day)
    except ValueError:
        return _error(400, "invalid_request", "The date must be a real day, YYYY-MM-DD.")
    response = HttpResponse(report(merchant.id, when), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="refunds-{merchant.id}-{day}.csv"'
    return response

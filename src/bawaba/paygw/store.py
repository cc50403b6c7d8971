"""The gateway's own SQLite database: payments, idempotency keys, events and their pending deliveries.

Standard library only, so `bawaba paygw settle` can read it without the gateway's Django settings. One
connection per operation; writes are serialised by a process lock (the gateway runs one process).
"""

import json
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from . import config

SCHEMA = """
CREATE TABLE IF NOT EXISTS payments (
    id TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL,
    amount INTEGER NOT NULL,
    currency TEXT NOT NULL,
    merchant_reference TEXT NOT NULL,
    return_url TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL,
    decline_reason TEXT NOT NULL DEFAULT '',
    card_last4 TEXT NOT NULL DEFAULT '',
    challenge_last4 TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    succeeded_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS payments_settlement ON payments (merchant_id, succeeded_at);
CREATE TABLE IF NOT EXISTS idempotency_keys (
    merchant_id TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    payment_id TEXT NOT NULL,
    PRIMARY KEY (merchant_id, key)
);
CREATE TABLE IF NOT EXISTS events (
    event_id TEXT PRIMARY KEY,
    payment_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    payload TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL,
    due_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL DEFAULT 'due',
    last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (state, due_at);
"""

# Columns added after the first release: an existing gateway database gains them when it is opened.
ADDED_COLUMNS = {
    "method": "TEXT NOT NULL DEFAULT ''",
    "wallet_last4": "TEXT NOT NULL DEFAULT ''",
}

PENDING, SUCCEEDED, DECLINED, FAILED = "pending", "succeeded", "declined", "failed"
CARD, WALLET = "card", "wallet"
FINAL = {SUCCEEDED, FAILED}
_write_lock = threading.Lock()
_ready: set[Path] = set()


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Payment:
    id: str
    merchant_id: str
    amount: int
    currency: str
    merchant_reference: str
    return_url: str
    description: str
    status: str
    decline_reason: str
    card_last4: str
    challenge_last4: str
    created_at: str
    updated_at: str
    succeeded_at: str
    method: str = ""
    wallet_last4: str = ""

    def public(self) -> dict:
        """What the merchant's API sees of the payment."""
        return {
            "id": self.id,
            "status": self.status,
            "amount": self.amount,
            "currency": self.currency,
            "merchant_reference": self.merchant_reference,
            "description": self.description,
            "method": self.method or None,
            "card_last4": self.card_last4 or None,
            "wallet_last4": self.wallet_last4 or None,
            "decline_reason": self.decline_reason or None,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


def _connect(path: Path | None = None) -> sqlite3.Connection:
    path = path or config.database_path()
    if path not in _ready:
        path.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(path) as connection:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.executescript(SCHEMA)
            present = {row[1] for row in connection.execute("PRAGMA table_info(payments)")}
            for column, definition in ADDED_COLUMNS.items():
                if column not in present:
                    try:
                        connection.execute(f"ALTER TABLE payments ADD COLUMN {column} {definition}")
                    except sqlite3.OperationalError as error:
                        # Another thread of the gateway opened the new file at the same moment and added it.
                        if "duplicate column" not in str(error):
                            raise
        _ready.add(path)
    connection = sqlite3.connect(path, timeout=10, isolation_level=None)
    connection.row_factory = sqlite3.Row
    return connection


@contextmanager
def reading(path: Path | None = None) -> Iterator[sqlite3.Connection]:
    connection = _connect(path)
    try:
        yield connection
    finally:
        connection.close()


@contextmanager
def writing() -> Iterator[sqlite3.Connection]:
    """One transaction; rolled back if the block raises."""
    with _write_lock:
        connection = _connect()
        try:
            connection.execute("BEGIN IMMEDIATE")
            yield connection
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        finally:
            connection.close()


def _payment(row: sqlite3.Row | None) -> Payment | None:
    return Payment(**dict(row)) if row is not None else None


def payment_get(payment_id: str, connection: sqlite3.Connection | None = None) -> Payment | None:
    if connection is not None:
        return _payment(connection.execute("SELECT * FROM payments WHERE id = ?", (payment_id,)).fetchone())
    with reading() as connection:
        return payment_get(payment_id, connection)


def payment_create(
    connection: sqlite3.Connection, *, merchant_id: str, fields: dict, idempotency_key: str, request_hash: str
) -> tuple[Payment, bool]:
    """The payment for this idempotency key: (payment, created). Raises KeyError when the key was used
    for a different request."""
    known = connection.execute(
        "SELECT request_hash, payment_id FROM idempotency_keys WHERE merchant_id = ? AND key = ?",
        (merchant_id, idempotency_key),
    ).fetchone()
    if known is not None:
        if known["request_hash"] != request_hash:
            raise KeyError(idempotency_key)
        return payment_get(known["payment_id"], connection), False
    stamp = now_iso()
    payment_id = f"pay_{secrets.token_hex(12)}"
    connection.execute(
        "INSERT INTO payments (id, merchant_id, amount, currency, merchant_reference, return_url,"
        " description, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            payment_id,
            merchant_id,
            fields["amount"],
            fields["currency"],
            fields["merchant_reference"],
            fields["return_url"],
            fields["description"],
            PENDING,
            stamp,
            stamp,
        ),
    )
    connection.execute(
        "INSERT INTO idempotency_keys (merchant_id, key, request_hash, payment_id) VALUES (?, ?, ?, ?)",
        (merchant_id, idempotency_key, request_hash, payment_id),
    )
    return payment_get(payment_id, connection), True


def payment_update(connection: sqlite3.Connection, payment_id: str, **changes) -> Payment:
    changes["updated_at"] = now_iso()
    if changes.get("status") == SUCCEEDED:
        changes["succeeded_at"] = changes["updated_at"]
    assignments = ", ".join(f"{column} = ?" for column in changes)
    connection.execute(f"UPDATE payments SET {assignments} WHERE id = ?", (*changes.values(), payment_id))  # noqa: S608 (column names are ours)
    return payment_get(payment_id, connection)


def event_add(connection: sqlite3.Connection, payment: Payment) -> dict:
    """Records the payment's current status as an event and returns its webhook payload."""
    seq = connection.execute(
        "SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE payment_id = ?", (payment.id,)
    ).fetchone()[0]
    payload = {
        "event_id": f"evt_{secrets.token_hex(12)}",
        "id": payment.id,
        "status": payment.status,
        "amount": payment.amount,
        "currency": payment.currency,
        "merchant_reference": payment.merchant_reference,
        "decline_reason": payment.decline_reason or None,
        "occurred_at": payment.updated_at,
        "sequence": seq,
    }
    connection.execute(
        "INSERT INTO events (event_id, payment_id, seq, payload) VALUES (?, ?, ?, ?)",
        (payload["event_id"], payment.id, seq, json.dumps(payload)),
    )
    return payload


def event_previous(connection: sqlite3.Connection, payment_id: str, event_id: str) -> str | None:
    """The event recorded just before this one for the same payment."""
    row = connection.execute(
        "SELECT event_id FROM events WHERE payment_id = ? AND seq < (SELECT seq FROM events WHERE event_id = ?)"
        " ORDER BY seq DESC LIMIT 1",
        (payment_id, event_id),
    ).fetchone()
    return row["event_id"] if row else None


def delivery_schedule(connection: sqlite3.Connection, event_id: str, due_at: float) -> None:
    connection.execute("INSERT INTO deliveries (event_id, due_at) VALUES (?, ?)", (event_id, due_at))


def deliveries_due(now: float) -> list[sqlite3.Row]:
    with reading() as connection:
        return connection.execute(
            "SELECT deliveries.id, deliveries.attempts, events.payload, payments.merchant_id"
            " FROM deliveries JOIN events USING (event_id) JOIN payments ON payments.id = events.payment_id"
            " WHERE deliveries.state = 'due' AND deliveries.due_at <= ? ORDER BY deliveries.due_at, deliveries.id",
            (now,),
        ).fetchall()


def delivery_record(delivery_id: int, *, state: str, attempts: int, due_at: float, error: str = "") -> None:
    with writing() as connection:
        connection.execute(
            "UPDATE deliveries SET state = ?, attempts = ?, due_at = ?, last_error = ? WHERE id = ?",
            (state, attempts, due_at, error, delivery_id),
        )


def succeeded_on(merchant_id: str, day: str, path: Path | None = None) -> list[Payment]:
    """The merchant's payments that succeeded on this UTC day (YYYY-MM-DD), oldest first."""
    with reading(path) as connection:
        rows = connection.execute(
            "SELECT * FROM payments WHERE merchant_id = ? AND status = ? AND succeeded_at LIKE ?"
            " ORDER BY succeeded_at, id",
            (merchant_id, SUCCEEDED, f"{day}T%"),
        ).fetchall()
    return [Payment(**dict(row)) for row in rows]

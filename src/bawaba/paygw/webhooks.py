"""Webhooks as a real gateway sends them: late, twice, sometimes out of order, retried when refused.

Each status change is stored as an event with its deliveries due later; a background thread sends what is
due. Deliveries live in the database, so those not yet sent survive a restart of the gateway.
"""

import json
import logging
import random
import sqlite3
import threading
import time

import requests

from . import config, signing, store

logger = logging.getLogger("bawaba.paygw.webhooks")
POLL = 0.1  # seconds between looks for due deliveries
TIMEOUT = 5  # seconds the merchant has to answer one delivery

_started = threading.Lock()
_thread: threading.Thread | None = None


def status_changed(connection: sqlite3.Connection, payment: store.Payment) -> None:
    """Records the payment's new status as an event and schedules its deliveries, in the caller's
    transaction: the first copy after the delay, a duplicate a little later, and sometimes (after a
    success) a late copy of the event before it, so the merchant sees an older status arrive last."""
    policy = config.webhook_policy()
    payload = store.event_add(connection, payment)
    first = time.time() + policy.delay
    store.delivery_schedule(connection, payload["event_id"], first)
    store.delivery_schedule(connection, payload["event_id"], first + policy.duplicate_after)
    if payment.status == store.SUCCEEDED and random.random() < policy.reorder_chance:  # noqa: S311 (not security)
        older = store.event_previous(connection, payment.id, payload["event_id"])
        if older:
            store.delivery_schedule(connection, older, first + policy.duplicate_after + policy.reorder_after)


def _send(delivery, merchants: dict[str, config.Merchant], policy: config.WebhookPolicy) -> None:
    merchant = merchants.get(delivery["merchant_id"])
    attempts = delivery["attempts"] + 1
    payload = json.loads(delivery["payload"])
    if merchant is None:
        store.delivery_record(delivery["id"], state="abandoned", attempts=attempts, due_at=time.time())
        logger.error(
            "Webhook %s abandoned: merchant %s is no longer configured.",
            payload["event_id"],
            delivery["merchant_id"],
        )
        return
    body = delivery["payload"].encode()
    try:
        response = requests.post(
            merchant.webhook_url,
            data=body,
            headers={"Content-Type": "application/json", **signing.signed_headers(merchant.secret, body)},
            timeout=TIMEOUT,
            allow_redirects=False,
        )
        error = "" if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
    except requests.RequestException as exception:
        error = f"{type(exception).__name__}: {exception}"
    if not error:
        store.delivery_record(delivery["id"], state="delivered", attempts=attempts, due_at=time.time())
        logger.info(
            "Webhook %s (%s %s) delivered to %s.",
            payload["event_id"],
            payload["id"],
            payload["status"],
            merchant.webhook_url,
        )
    elif attempts >= policy.tries:
        store.delivery_record(
            delivery["id"], state="abandoned", attempts=attempts, due_at=time.time(), error=error
        )
        logger.error(
            "Webhook %s to %s abandoned after %d tries: %s",
            payload["event_id"],
            merchant.webhook_url,
            attempts,
            error,
        )
    else:
        retry_at = time.time() + policy.backoff * 2 ** (attempts - 1)
        store.delivery_record(delivery["id"], state="due", attempts=attempts, due_at=retry_at, error=error)
        logger.warning(
            "Webhook %s to %s failed (%s); try %d of %d later.",
            payload["event_id"],
            merchant.webhook_url,
            error,
            attempts + 1,
            policy.tries,
        )


def _run() -> None:
    merchants, policy = config.merchants(), config.webhook_policy()
    while True:
        try:
            for delivery in store.deliveries_due(time.time()):
                _send(delivery, merchants, policy)
        except Exception:
            # A locked or unreadable database must not end the sender: look again on the next round.
            logger.exception("The webhook sender failed a round.")
        time.sleep(POLL)


def start() -> None:
    """Starts the sender thread of this process, once."""
    global _thread
    with _started:
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_run, name="paygw-webhooks", daemon=True)
            _thread.start()

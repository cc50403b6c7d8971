"""HMAC-SHA256 signatures: merchants sign their requests, the gateway signs webhooks and return addresses."""

import hashlib
import hmac
import time

MAX_AGE = 300  # seconds a signed message stays acceptable, either side of the gateway's clock


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The X-Paygw-Signature value for a request or webhook: HMAC of "<timestamp>.<body>"."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def signed_headers(secret: str, body: bytes, now: float | None = None) -> dict[str, str]:
    timestamp = str(int(time.time() if now is None else now))
    return {"X-Paygw-Timestamp": timestamp, "X-Paygw-Signature": signature(secret, timestamp, body)}


def check(secret: str, timestamp: str, given: str, body: bytes, now: float | None = None) -> str | None:
    """Why a signed message is refused, or None when it is good."""
    if not timestamp.isdigit():
        return "X-Paygw-Timestamp must be the Unix time in seconds."
    if abs((time.time() if now is None else now) - int(timestamp)) > MAX_AGE:
        return "X-Paygw-Timestamp is more than 5 minutes away from the gateway's clock."
    if not hmac.compare_digest(given.encode(), signature(secret, timestamp, body).encode()):
        return "X-Paygw-Signature does not match the body and timestamp."
    return None


def return_signature(secret: str, payment_id: str, status: str) -> str:
    """The signature on the browser's way back to the merchant: hex HMAC of "<payment id>|<status>"."""
    return hmac.new(secret.encode(), f"{payment_id}|{status}".encode(), hashlib.sha256).hexdigest()

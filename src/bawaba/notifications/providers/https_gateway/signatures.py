"""Signing and checking the SMS gateway's delivery callbacks: HMAC-SHA256 over "<timestamp>.<raw body>".

The timestamp is inside what is signed, so a captured callback cannot be given a fresh one; one older (or
further ahead) than TOLERANCE seconds is refused, so a capture can be replayed only within that window, where
it would record the same receipt again and change nothing.
"""

import hashlib
import hmac

from django.utils.translation import gettext as _

__all__ = [
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "TOLERANCE",
    "SignatureError",
    "signature_check",
    "signature_headers",
    "signature_make",
]

TIMESTAMP_HEADER = "X-Bawaba-Timestamp"
SIGNATURE_HEADER = "X-Bawaba-Signature"
TOLERANCE = 5 * 60  # seconds either side of our clock


class SignatureError(ValueError):
    """The callback is not provably from the gateway; the message names what is wrong."""


def signature_make(secret: str, timestamp: int | str, body: bytes) -> str:
    """The X-Bawaba-Signature value for a body sent at `timestamp` (unix seconds)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def signature_headers(secret: str, body: bytes, now: float) -> dict[str, str]:
    """Both headers a sender adds to a callback it signs at `now`."""
    timestamp = int(now)
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: signature_make(secret, timestamp, body)}


def signature_check(
    *,
    secret: str,
    timestamp: str | None,
    signature: str | None,
    body: bytes,
    now: float,
    tolerance: int = TOLERANCE,
) -> None:
    """Raises SignatureError unless `signature` signs `body` at `timestamp` with `secret`, near `now`."""
    if not secret:
        raise SignatureError(_("Callbacks are refused: no callback secret is configured to check them with."))
    if not timestamp:
        raise SignatureError(_("The %(header)s header is missing.") % {"header": TIMESTAMP_HEADER})
    if not signature:
        raise SignatureError(_("The %(header)s header is missing.") % {"header": SIGNATURE_HEADER})
    if not (timestamp.isascii() and timestamp.isdigit()):
        raise SignatureError(
            _("The %(header)s header is not a time in unix seconds.") % {"header": TIMESTAMP_HEADER}
        )
    if abs(now - int(timestamp)) > tolerance:
        raise SignatureError(
            _("The %(header)s header is more than %(minutes)d minutes away from our clock.")
            % {"header": TIMESTAMP_HEADER, "minutes": tolerance // 60}
        )
    expected = signature_make(secret, timestamp, body)
    if not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        raise SignatureError(
            _("The %(header)s header does not match the body and timestamp.") % {"header": SIGNATURE_HEADER}
        )

"""The sandbox gateway (`bawaba paygw serve`), spoken as src/bawaba/paygw/PROTOCOL.md describes it.

Requests are signed with the merchant's secret (HMAC-SHA256 of "<timestamp>.<body>"); so are its webhooks,
checked the same way, within five minutes of our clock. The return address is signed over "<id>|<status>"
without a time: it only says which payment to read. The daily settlement file is fetched the same way and
read strictly (settlement_file).
"""

import hashlib
import hmac
import json
import time
from datetime import date

import requests
from django.utils.translation import gettext as _

from .. import Created, GatewayEvent, GatewayPayment, GatewayRefused, GatewayUnavailable, SettlementLine
from ..refunding import GatewayRefund, RefundDeclined
from .settlement_file import settlement_parse

# The refund errors that sending again cannot change (PROTOCOL.md, Refunds); any other is retried.
REFUND_FINAL = {
    "payment_not_succeeded",
    "amount_exceeds_refundable",
    "not_found",
    "idempotency_conflict",
    "invalid_request",
}

WINDOW_SECONDS = 300
TIMEOUT_SECONDS = 10


def _signature(secret: str, message: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _payment(data: dict) -> GatewayPayment:
    try:
        return GatewayPayment(
            payment_id=str(data["id"]),
            status=str(data["status"]),
            amount=int(data["amount"]),
            currency=str(data["currency"]),
            reference=str(data["merchant_reference"]),
            decline_reason=str(data.get("decline_reason") or ""),
            sequence=int(data.get("sequence") or 0),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise GatewayUnavailable(
            _("The gateway's answer was not a payment: %(error)s") % {"error": error}
        ) from error


class PaygwGateway:
    name = "paygw"

    def __init__(self, url: str, merchant: str, secret: str, **ignored):
        self.url, self.merchant, self.secret = url.rstrip("/"), merchant, secret
        self.session = requests.Session()

    def _send(self, method: str, path: str, body: bytes = b"", **headers) -> requests.Response:
        stamp = str(int(time.time()))
        signed = {
            "X-Paygw-Merchant": self.merchant,
            "X-Paygw-Timestamp": stamp,
            "X-Paygw-Signature": _signature(self.secret, f"{stamp}.".encode() + body),
            "Content-Type": "application/json",
            **headers,
        }
        try:
            answer = self.session.request(
                method, self.url + path, data=body, headers=signed, timeout=TIMEOUT_SECONDS
            )
        except requests.RequestException as error:
            raise GatewayUnavailable(_("The gateway did not answer: %(error)s") % {"error": error}) from error
        if answer.status_code >= 400:
            raise GatewayUnavailable(
                _("The gateway answered %(status)s: %(words)s")
                % {"status": answer.status_code, "words": answer.text[:300]}
            )
        return answer

    def _call(self, method: str, path: str, body: bytes = b"", **headers) -> dict:
        answer = self._send(method, path, body, **headers)
        try:
            return answer.json()
        except ValueError as error:
            raise GatewayUnavailable(_("The gateway's answer was not JSON.")) from error

    def create(self, *, amount, currency, reference, description, return_url, key) -> Created:
        body = json.dumps(
            {
                "amount": amount,
                "currency": currency,
                "merchant_reference": reference,
                "return_url": return_url,
                "description": description[:200],
            }
        ).encode()
        data = self._call("POST", "/v1/payments", body, **{"Idempotency-Key": key})
        return Created(payment_id=str(data["id"]), pay_url=str(data["pay_url"]))

    def read(self, payment_id: str) -> GatewayPayment:
        return _payment(self._call("GET", f"/v1/payments/{payment_id}"))

    def event(self, headers, body: bytes) -> GatewayEvent:
        stamp = headers.get("X-Paygw-Timestamp", "")
        given = headers.get("X-Paygw-Signature", "")
        if not stamp.isdigit() or abs(time.time() - int(stamp)) > WINDOW_SECONDS:
            raise GatewayRefused(_("The webhook's timestamp is missing or more than five minutes away."))
        if not hmac.compare_digest(given, _signature(self.secret, f"{stamp}.".encode() + body)):
            raise GatewayRefused(_("The webhook's signature does not match its body."))
        try:
            data = json.loads(body)
            return GatewayEvent(event_id=str(data["event_id"]), payment=_payment(data), payload=data)
        except (ValueError, KeyError, GatewayUnavailable) as error:
            raise GatewayRefused(_("The webhook is signed but is not a payment event.")) from error

    def event_payment(self, payload: dict) -> GatewayPayment:
        return _payment(payload)

    def returned(self, query) -> tuple[str, str]:
        payment, status = query.get("payment", ""), query.get("status", "")
        expected = hmac.new(self.secret.encode(), f"{payment}|{status}".encode(), hashlib.sha256).hexdigest()
        if not payment or not hmac.compare_digest(query.get("signature", ""), expected):
            raise GatewayRefused(_("The address you came back to was not signed by the gateway."))
        return payment, status

    def settlement(self, day: date) -> list[SettlementLine]:
        answer = self._send("GET", f"/v1/settlements/{day.isoformat()}.csv")
        return settlement_parse(answer.content, day)

    def refund(self, *, payment_id: str, amount: int, currency: str, reason: str, key: str) -> GatewayRefund:
        # Not through _call: a 4xx here is the gateway's final word on this refund, not a reason to retry.
        body = json.dumps({"amount": amount, "currency": currency, "reason": reason[:200]}).encode()
        stamp = str(int(time.time()))
        headers = {
            "X-Paygw-Merchant": self.merchant,
            "X-Paygw-Timestamp": stamp,
            "X-Paygw-Signature": _signature(self.secret, f"{stamp}.".encode() + body),
            "Content-Type": "application/json",
            "Idempotency-Key": key,
        }
        try:
            answer = self.session.post(
                f"{self.url}/v1/payments/{payment_id}/refunds",
                data=body,
                headers=headers,
                timeout=TIMEOUT_SECONDS,
            )
            data = answer.json()
        except requests.RequestException as error:
            raise GatewayUnavailable(_("The gateway did not answer: %(error)s") % {"error": error}) from error
        except ValueError as error:
            raise GatewayUnavailable(_("The gateway's answer was not JSON.")) from error
        if (
            answer.status_code in (400, 404, 409)
            and isinstance(data, dict)
            and data.get("error") in REFUND_FINAL
        ):
            raise RefundDeclined(str(data["error"]), str(data.get("message", "")))
        if answer.status_code != 201:
            raise GatewayUnavailable(
                _("The gateway answered %(status)s: %(words)s")
                % {"status": answer.status_code, "words": answer.text[:300]}
            )
        try:
            return GatewayRefund(
                refund_id=str(data["id"]),
                payment_id=str(data["payment_id"]),
                amount=int(data["amount"]),
                currency=str(data["currency"]),
                status=str(data["status"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise GatewayUnavailable(
                _("The gateway's answer was not a refund: %(error)s") % {"error": error}
            ) from error

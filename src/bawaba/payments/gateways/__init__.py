"""Card and wallet gateways: one folder each, registered by name; settings choose the one in use.

An adapter creates a payment on the gateway for an intent, reads a payment's status server to server, and
checks what the gateway sends through others: its webhooks and the signed address the payer's browser comes
back to, and reads the day's settlement (what the gateway says it paid out for that UTC day). Everything it
returns is plain data; the services decide what it means for the intent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from .refunding import GatewayRefund, RefundDeclined  # noqa: F401 (refunds speak these)

__all__ = [
    "Created",
    "GatewayEvent",
    "GatewayPayment",
    "GatewayRefused",
    "GatewayUnavailable",
    "SettlementInvalid",
    "SettlementLine",
    "gateway_in_use",
]


class GatewayUnavailable(Exception):
    """The gateway did not answer, or answered with an error of its own: try again later."""


class GatewayRefused(Exception):
    """What came in the gateway's name is not the gateway's (a bad signature, a stale timestamp)."""


class SettlementInvalid(Exception):
    """The settlement file came, but is not one: `line` and `column` (from 1, 0 for the whole line) say where."""

    def __init__(self, message: str, *, line: int, column: int = 0):
        super().__init__(message)
        self.line, self.column = line, column


@dataclass(frozen=True)
class SettlementLine:
    payment_id: str
    reference: str
    amount: int
    currency: str
    fee: int
    net: int
    settled_at: datetime


@dataclass(frozen=True)
class Created:
    payment_id: str
    pay_url: str


@dataclass(frozen=True)
class GatewayPayment:
    payment_id: str
    status: str  # pending, declined, succeeded, failed
    amount: int
    currency: str
    reference: str
    decline_reason: str = ""
    sequence: int = 0  # the gateway's count of this payment's events, when it gives one


@dataclass(frozen=True)
class GatewayEvent:
    event_id: str
    payment: GatewayPayment
    payload: dict


class Gateway(Protocol):
    name: str

    def create(
        self, *, amount: int, currency: str, reference: str, description: str, return_url: str, key: str
    ) -> Created: ...

    def read(self, payment_id: str) -> GatewayPayment: ...

    def event(self, headers, body: bytes) -> GatewayEvent:
        """The webhook's event, once its signature is checked; raises GatewayRefused."""

    def event_payment(self, payload: dict) -> GatewayPayment:
        """The payment a webhook's payload speaks of, read again from the stored event (checked when it came)."""

    def returned(self, query) -> tuple[str, str]:
        """(payment id, status) from the address the payer came back to; raises GatewayRefused."""

    def settlement(self, day: date) -> list[SettlementLine]:
        """The payments the gateway settled for this UTC day; raises GatewayUnavailable, SettlementInvalid."""

    def refund(self, *, payment_id: str, amount: int, currency: str, reason: str, key: str) -> GatewayRefund:
        """Give back part or all of a succeeded payment; the same key never refunds twice. Raises
        GatewayUnavailable (try again with the same key) and RefundDeclined (final)."""


REGISTRY = {"paygw": "bawaba.payments.gateways.paygw.adapter.PaygwGateway"}


def gateway_in_use() -> Gateway:
    name = settings.BAWABA_PAYMENT_GATEWAY
    return import_string(REGISTRY[name])(**settings.BAWABA_PAYMENT_GATEWAY_OPTIONS.get(name, {}))

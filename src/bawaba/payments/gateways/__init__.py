"""Card and wallet gateways: one folder each, registered by name; settings choose the one in use.

An adapter creates a payment on the gateway for an intent, reads a payment's status server to server, and
checks what the gateway sends through others: its webhooks and the signed address the payer's browser comes
back to. Everything it returns is plain data; the services decide what it means for the intent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

__all__ = [
    "Created",
    "GatewayEvent",
    "GatewayPayment",
    "GatewayRefused",
    "GatewayUnavailable",
    "gateway_in_use",
]


class GatewayUnavailable(Exception):
    """The gateway did not answer, or answered with an error of its own: try again later."""


class GatewayRefused(Exception):
    """What came in the gateway's name is not the gateway's (a bad signature, a stale timestamp)."""


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

    def returned(self, query) -> tuple[str, str]:
        """(payment id, status) from the address the payer came back to; raises GatewayRefused."""


REGISTRY = {"paygw": "bawaba.payments.gateways.paygw.adapter.PaygwGateway"}


def gateway_in_use() -> Gateway:
    name = settings.BAWABA_PAYMENT_GATEWAY
    return import_string(REGISTRY[name])(**settings.BAWABA_PAYMENT_GATEWAY_OPTIONS.get(name, {}))

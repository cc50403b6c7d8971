"""Channel providers: one folder each, registered by name; settings choose one per channel.

A provider takes messages in batches (the dispatcher claims them so) and tells, message by message, what became
of each as soon as it knows: handed over (with the provider's reference and the number of SMS segments it
took), or refused, transiently (tried again later) or permanently (the message fails, and the next channel is
tried). A message it never tells about counts as not handed over. Delivery receipts that arrive later (SMPP's
deliver_sm; an HTTPS gateway's callback) are matched to the message by the provider's reference.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

__all__ = [
    "TICK_SECONDS",
    "Accepted",
    "GaveUp",
    "OneByOne",
    "Outcome",
    "Outgoing",
    "PermanentFailure",
    "Provider",
    "Receipt",
    "Refused",
    "TransientFailure",
    "provider_for",
    "provider_make",
]


TICK_SECONDS = 0.1


class TransientFailure(Exception):
    """Worth retrying: the provider is down or slow."""


class PermanentFailure(Exception):
    """Not worth retrying: the provider refused this message."""


@dataclass(frozen=True)
class Outgoing:
    uuid: str  # ours: the idempotency key where the provider takes one
    channel: str
    to: str  # E.164 (+201012345678) for SMS, an address for e-mail
    subject: str
    body: str  # plain text
    language: str  # ar or en: e-mail is laid out right to left in Arabic
    kind: str  # what it is about (the notice code, e.g. application.submitted)


@dataclass(frozen=True)
class Accepted:
    reference: str  # the provider's id for it, which its receipts name
    segments: int = 1  # SMS parts it took (70/67 UCS-2, 160/153 GSM 7-bit); 1 for other channels


@dataclass(frozen=True)
class Refused:
    reason: str  # said to staff on the operations page: name the problem
    permanent: bool


type Outcome = Accepted | Refused


@dataclass(frozen=True)
class Receipt:
    """A delivery report: the handset (or mailbox) got it, or it never will."""

    reference: str
    delivered: bool
    at: datetime | None = None
    error: str = ""


class Provider(Protocol):
    name: str

    def send_batch(self, messages: Sequence[Outgoing]) -> Iterator[tuple[str, Outcome] | None]:
        """Hand the messages over; yields (uuid, outcome) for each as soon as it is known, in any order.

        While it waits for answers it yields None at least every TICK_SECONDS, so the outcomes already known
        are written at once rather than when the slowest answer comes (a worker killed in between would send
        those again). Raising TransientFailure (the provider cannot be reached at all) leaves every message not
        yet yielded to be tried again later; so does stopping without yielding some.
        """

    def receipts(self) -> list[Receipt]:
        """Receipts that came in since the last call, without waiting; [] for a provider whose receipts come
        by callback instead."""

    def close(self) -> None:
        """Let go of connections (an SMPP bind, an SMTP session)."""


class GaveUp(TransientFailure):
    """This message was tried and left the provider unusable for now (no answer, a dropped session): it counts
    a try, so one message cannot hold its lane for ever, and the rest of the batch waits."""


class OneByOne:
    """For providers that send one message per call: the batch is their messages in turn.

    `send` returns the outcome, or raises PermanentFailure (this message is refused for good), GaveUp, or
    TransientFailure (the provider cannot be reached: nothing more is sent).
    """

    name = ""

    def send(self, message: Outgoing) -> Outcome:
        raise NotImplementedError

    def send_batch(self, messages: Sequence[Outgoing]) -> Iterator[tuple[str, Outcome]]:
        for message in messages:
            try:
                yield message.uuid, self.send(message)
            except PermanentFailure as refused:
                yield message.uuid, Refused(str(refused), permanent=True)
            except GaveUp as gave_up:
                yield message.uuid, Refused(str(gave_up), permanent=False)
                raise

    def receipts(self) -> list[Receipt]:
        return []

    def close(self) -> None:
        pass


REGISTRY = {
    "development": "bawaba.notifications.providers.development.provider.DevelopmentProvider",
    "smpp": "bawaba.notifications.providers.smpp.provider.SmppProvider",
    "smtp": "bawaba.notifications.providers.smtp.provider.SmtpProvider",
    "https-gateway": "bawaba.notifications.providers.https_gateway.provider.HttpsGatewayProvider",
}


def provider_make(name: str) -> Provider:
    """A new provider object; its options come from settings.BAWABA_NOTIFICATION_OPTIONS[name]."""
    options = settings.BAWABA_NOTIFICATION_OPTIONS.get(name, {})
    return import_string(REGISTRY[name])(**options)


def provider_for(channel: str) -> Provider:
    return provider_make(settings.BAWABA_NOTIFICATION_PROVIDERS[channel])

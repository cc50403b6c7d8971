"""Channel providers: one folder each, registered by name; settings choose one per channel."""

from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class TransientFailure(Exception):
    """Worth retrying: the provider is down or slow."""


class PermanentFailure(Exception):
    """Not worth retrying: the provider refused this message."""


@dataclass(frozen=True)
class Outgoing:
    uuid: str
    channel: str
    to: str
    subject: str
    body: str
    language: str
    kind: str


class Provider(Protocol):
    name: str

    def send(self, message: Outgoing) -> str:
        """Hand the message over; returns the provider's reference. Raises Transient/PermanentFailure."""


REGISTRY = {
    "development": "bawaba.notifications.providers.development.provider.DevelopmentProvider",
}


def provider_for(channel: str) -> Provider:
    name = settings.BAWABA_NOTIFICATION_PROVIDERS[channel]
    return import_string(REGISTRY[name])()

"""The development channel: messages go to the log and to an inbox only a DEBUG server shows."""

import logging

from django.core.cache import cache

from .. import Accepted, OneByOne, Outgoing

logger = logging.getLogger("bawaba.notifications.development")

INBOX_KEY = "notifications:development-inbox"
INBOX_SIZE = 50


class DevelopmentProvider(OneByOne):
    name = "development"

    def send(self, message: Outgoing) -> Accepted:
        logger.warning("[%s to %s] %s", message.channel.upper(), message.to, message.body)
        inbox = cache.get(INBOX_KEY, [])
        inbox.insert(
            0,
            {
                "uuid": message.uuid,
                "channel": message.channel,
                "kind": message.kind,
                "to": message.to,
                "subject": message.subject,
                "body": message.body,
            },
        )
        cache.set(INBOX_KEY, inbox[:INBOX_SIZE], timeout=24 * 3600)
        return Accepted(reference=f"dev-{message.uuid}")


def inbox() -> list[dict]:
    return cache.get(INBOX_KEY, [])

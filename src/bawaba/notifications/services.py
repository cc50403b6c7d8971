"""Sending messages: stored in the caller's transaction, delivered by a task after it commits."""

from django.db import transaction

from bawaba.core.sealing import seal

from .models import Message
from .tasks import deliver_message

__all__ = ["message_send"]


@transaction.atomic
def message_send(
    *,
    channel: str,
    to: str,
    kind: str,
    body: str,
    language: str = "ar",
    subject: str = "",
    secret: bool = False,
) -> Message:
    """Queue a message. A `secret` one (it carries a code) is sealed at rest and wiped once sent."""
    message = Message.objects.create(
        channel=channel,
        to=to,
        kind=kind,
        language=language,
        subject=subject,
        body="" if secret else body,
        sealed_body=seal(body, purpose="message") if secret else None,
    )
    deliver_message.enqueue(message_id=message.pk)
    return message

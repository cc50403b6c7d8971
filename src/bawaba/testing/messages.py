"""Reading what the platform sent, as the citizen's phone or mailbox would."""

import re

from bawaba.notifications.models import Message
from bawaba.notifications.providers.development.provider import inbox
from bawaba.notifications.tasks import deliver_message


def last_code(to: str) -> str:
    """Delivers the queued messages (in the order they were written) and returns the newest code sent to `to`."""
    for message in Message.objects.filter(status=Message.Status.QUEUED).order_by("created_at", "pk"):
        deliver_message.call(message_id=message.pk)
    body = next(m["body"] for m in inbox() if m["to"] == to)
    return re.search(r"\d{6}", body).group(0)

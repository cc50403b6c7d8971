"""Delivering messages: one task per message, idempotent, bounded retries, then a terminal failure."""

import logging
from datetime import timedelta

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from bawaba.core.sealing import unseal

from .models import Message
from .providers import Outgoing, PermanentFailure, TransientFailure, provider_for

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


@task()
def deliver_message(*, message_id: int) -> str:
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message_id)
        if message.status != Message.Status.QUEUED:
            return message.status  # already sent or given up: a duplicate task does nothing
        message.attempts += 1
        provider = provider_for(message.channel)
        body = unseal(message.sealed_body, purpose="message") if message.sealed_body else message.body
        outgoing = Outgoing(
            uuid=str(message.uuid),
            channel=message.channel,
            to=message.to,
            subject=message.subject,
            body=body,
            language=message.language,
            kind=message.kind,
        )
        try:
            message.provider_reference = provider.send(outgoing)
        except TransientFailure as exc:
            message.last_error = str(exc)[:2000]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = Message.Status.FAILED
            else:
                delay = timedelta(seconds=min(2**message.attempts, 300))
                deliver_message.using(run_after=timezone.now() + delay).enqueue(message_id=message_id)
        except PermanentFailure as exc:
            message.status, message.last_error = Message.Status.FAILED, str(exc)[:2000]
        else:
            message.status, message.sent_at, message.provider = (
                Message.Status.SENT,
                timezone.now(),
                provider.name,
            )
        if message.status != Message.Status.QUEUED:
            message.sealed_body = None  # a secret is kept no longer than it is needed
        message.save()
        return message.status

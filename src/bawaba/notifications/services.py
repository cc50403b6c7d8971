"""Telling people things: each notice written, in the caller's transaction, as one message per channel.

A message is stored before it is sent, so a rolled-back write never sends one and a crash never loses one; the
dispatcher (dispatch.py) claims the due ones and hands them to the channel's provider.
"""

import uuid
from collections.abc import Mapping
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from bawaba.audit.services import audit_record
from bawaba.core.sealing import seal

from .models import Channel, Message, Preference
from .notices import LANGUAGES, Notice, Wording, notice_get, wording_for
from .providers import Receipt
from .wording import fill

__all__ = [
    "RetryRefused",
    "message_read",
    "message_retry",
    "notify",
    "notify_address",
    "preference_save",
    "receipt_record",
    "receipts_apply",
]

# The order channels are tried in: SMS first (everyone has a phone), then e-mail. The inbox always has a copy.
FALLBACK_ORDER = (Channel.SMS, Channel.EMAIL)


def _language(language: str | None) -> str:
    return language if language in LANGUAGES else settings.LANGUAGE_CODE[:2]


def _quiet_until(preference: Preference, now: datetime) -> datetime | None:
    """The end of the person's quiet hours when `now` falls in them, else None."""
    if not preference.quiet_hours or preference.quiet_from == preference.quiet_until:
        return None
    local = timezone.localtime(now)
    start, end, clock = _as_time(preference.quiet_from), _as_time(preference.quiet_until), local.time()
    overnight = start > end
    inside = (clock >= start or clock < end) if overnight else (start <= clock < end)
    if not inside:
        return None
    day = local.date() + timedelta(days=1) if overnight and clock >= start else local.date()
    return timezone.make_aware(datetime.combine(day, end), local.tzinfo)


def _as_time(value) -> time:
    return value if isinstance(value, time) else time.fromisoformat(str(value))


def _recently_sent(channel: str, to: str, now: datetime) -> int:
    window = now - timedelta(seconds=settings.BAWABA_NOTIFICATION_RECIPIENT_WINDOW_SECONDS)
    return Message.objects.filter(channel=channel, to=to, created_at__gte=window).count()


def _message(
    *,
    notice: Notice,
    channel: str,
    to: str,
    language: str,
    values: Mapping[str, object],
    recipient=None,
    reference: str = "",
    now: datetime,
    due_at: datetime | None = None,
    group: uuid.UUID | None = None,
    fallback_from: Message | None = None,
    wording: Wording | None = None,
) -> Message:
    wording = wording or wording_for(notice.code, language)
    body = fill(wording.sms if channel == Channel.SMS else wording.body, values)
    subject = "" if channel == Channel.SMS else fill(wording.subject, values)
    delivered = channel == Channel.INAPP  # the inbox is the portal itself: nothing to hand over
    due = due_at or now
    limit = settings.BAWABA_NOTIFICATION_RECIPIENT_LIMIT
    if not notice.urgent and channel != Channel.INAPP and _recently_sent(channel, to, now) >= limit:
        # Too many to one person in a short time: the rest wait rather than flood their phone.
        due = max(due, now + timedelta(seconds=settings.BAWABA_NOTIFICATION_RECIPIENT_WINDOW_SECONDS))
    return Message.objects.create(
        recipient=recipient,
        channel=channel,
        to=to,
        kind=notice.code,
        language=language,
        subject=subject[:200],
        body="" if notice.secret else body,
        sealed_body=seal(body, purpose="message") if notice.secret else None,
        values={} if notice.secret else {k: str(v) for k, v in values.items()},
        reference=reference,
        priority=Message.Priority.URGENT if notice.urgent else Message.Priority.NORMAL,
        status=Message.Status.DELIVERED if delivered else Message.Status.QUEUED,
        due_at=due,
        delivered_at=now if delivered else None,
        expires_at=(now + timedelta(seconds=settings.BAWABA_CODE_TTL_SECONDS) if notice.expires else None),
        group=group,
        fallback_from=fallback_from,
    )


def _addresses(user) -> dict[str, str]:
    """Where the person can be reached, by channel, as their account holds it now."""
    found = {}
    if user.mobile:
        found[Channel.SMS] = user.mobile
    if user.email and user.email_verified_at:
        found[Channel.EMAIL] = user.email
    return found


def _preference(user) -> Preference:
    """The person's choices, or the defaults (quiet hours on) until they save their own."""
    return Preference.objects.filter(user=user).first() or Preference(user=user)


@transaction.atomic(savepoint=False)
def notify(
    *,
    notice: str,
    recipient,
    values: Mapping[str, object],
    reference: str = "",
    language: str | None = None,
) -> list[Message]:
    """Tell an account holder: in their inbox, and by SMS and e-mail as they chose (SMS when they chose
    neither, or have no e-mail). Call it inside the transaction of the write that causes it."""
    spec = notice_get(notice)
    language = _language(language or getattr(recipient, "preferred_language", None))
    now = timezone.now()
    preference = _preference(recipient)
    addresses = _addresses(recipient)
    chosen = [channel for channel in FALLBACK_ORDER if channel in addresses and getattr(preference, channel)]
    if not chosen and addresses:
        chosen = [next(c for c in FALLBACK_ORDER if c in addresses)]  # SMS cannot be turned off altogether
    due = None if spec.urgent else _quiet_until(preference, now)
    common = {
        "notice": spec,
        "wording": wording_for(spec.code, language),  # read once for every channel's message
        "language": language,
        "values": values,
        "recipient": recipient,
        "now": now,
        "group": uuid.uuid4(),  # the messages of one notice: a fallback goes where none of them went
    }
    messages = [_message(channel=Channel.INAPP, to=str(recipient.uuid), reference=reference, **common)]
    messages += [
        _message(channel=channel, to=addresses[channel], reference=reference, due_at=due, **common)
        for channel in chosen
    ]
    return messages


@transaction.atomic(savepoint=False)
def notify_address(
    *,
    notice: str,
    channel: str,
    to: str,
    values: Mapping[str, object],
    language: str | None = None,
    recipient=None,
) -> Message:
    """Send to one address, whatever the preferences: a code to the phone or mailbox being confirmed."""
    spec = notice_get(notice)
    return _message(
        notice=spec,
        channel=channel,
        to=to,
        language=_language(language),
        values=values,
        recipient=recipient,
        now=timezone.now(),
    )


def fallback_create(message: Message, now: datetime) -> Message | None:
    """After a permanent failure: the same notice on a channel the person has that it was not sent on yet."""
    if message.recipient is None or message.group is None or notice_get(message.kind).secret:
        return None  # a code goes only where it was asked to go
    tried = set(Message.objects.filter(group=message.group).values_list("channel", flat=True))
    addresses = _addresses(message.recipient)
    for channel in FALLBACK_ORDER:
        if channel not in tried and channel in addresses:
            return _message(
                notice=notice_get(message.kind),
                channel=channel,
                to=addresses[channel],
                language=message.language,
                values=message.values,
                recipient=message.recipient,
                reference=message.reference,
                now=now,
                group=message.group,
                fallback_from=message,
            )
    return None


def receipts_apply(provider: str, receipts: list[Receipt]) -> int:
    """Delivery reports: delivered ones close their message, failed ones fail it and try the next channel.
    Returns how many messages they named."""
    if not receipts:
        return 0
    now = timezone.now()
    matched = 0
    with transaction.atomic():
        delivered = {r.reference: r for r in receipts if r.delivered}
        if delivered:
            matched += Message.objects.filter(
                provider=provider, provider_reference__in=list(delivered), status=Message.Status.SENT
            ).update(status=Message.Status.DELIVERED, delivered_at=now)
        for receipt in (r for r in receipts if not r.delivered):
            message = (
                Message.objects.select_for_update()
                .filter(provider=provider, provider_reference=receipt.reference)
                .exclude(status=Message.Status.FAILED)
                .first()
            )
            if message is None:
                continue
            matched += 1
            message.status = Message.Status.FAILED
            message.last_error = (receipt.error or "not delivered")[:2000]
            message.save(update_fields=["status", "last_error"])
            fallback_create(message, now)
    return matched


def receipt_record(*, provider: str, receipt: Receipt) -> bool:
    """One receipt from a provider's callback; True when it named a message of ours."""
    return receipts_apply(provider, [receipt]) > 0


class RetryRefused(Exception):
    pass


@transaction.atomic
def message_retry(*, message_uuid, actor: str) -> Message:
    """Staff send a failed message again. A code is never resent: it was wiped, and would be stale anyway."""
    message = Message.objects.select_for_update().filter(uuid=message_uuid).first()
    if message is None or message.status != Message.Status.FAILED:
        raise RetryRefused("not-failed")
    if not message.body:
        raise RetryRefused("secret")
    message.status, message.attempts, message.due_at = Message.Status.QUEUED, 0, timezone.now()
    message.last_error = ""
    message.save(update_fields=["status", "attempts", "due_at", "last_error"])
    audit_record(
        action="notifications.message.retried",
        actor=actor,
        subject_type="message",
        subject_id=str(message.uuid),
        data={"channel": message.channel, "kind": message.kind, "reference": message.reference},
    )
    return message


def message_read(*, user, message_uuid) -> bool:
    """Mark one of the person's own inbox messages read; False when it is not theirs (or not there)."""
    own = Message.objects.filter(uuid=message_uuid, recipient=user, channel=Channel.INAPP)
    own.filter(read_at__isnull=True).update(read_at=timezone.now())
    return own.exists()


@transaction.atomic
def preference_save(
    *, user, sms: bool, email: bool, quiet_hours: bool, quiet_from, quiet_until
) -> Preference:
    preference, _ = Preference.objects.select_for_update().get_or_create(user=user)
    preference.sms, preference.email = sms, email
    preference.quiet_hours, preference.quiet_from, preference.quiet_until = (
        quiet_hours,
        quiet_from,
        quiet_until,
    )
    preference.save()
    audit_record(
        action="notifications.preference.changed",
        actor=f"user:{user.uuid}",
        subject_type="user",
        subject_id=str(user.uuid),
        data={"sms": sms, "email": email, "quiet_hours": quiet_hours},
    )
    return preference

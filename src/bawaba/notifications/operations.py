"""What the operations page reads: the message log searched by address, reference, status and channel; one
message with the chain of channels its notice went through; each channel's figures for the last 24 hours.

Addresses are never shown whole (the last digits of a phone, the first letter of a mailbox), and a code is
never shown at all: its text was sealed, then wiped once sent.
"""

import re
import statistics
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, QuerySet
from django.utils import timezone

from bawaba.accounts.models import User
from bawaba.accounts.phones import InvalidPhone, masked, normalise_mobile
from bawaba.audit.services import audit_record
from bawaba.core.i18n import pick
from bawaba.core.text import western_digits

from .models import Channel, Message
from .notices import notices

__all__ = [
    "CHANNELS",
    "FIGURE_CHANNELS",
    "STATUSES",
    "AddressInvalid",
    "ChannelFigures",
    "MessageFilters",
    "MessageRow",
    "address_for_search",
    "channel_figures",
    "fallback_chain",
    "is_secret",
    "message_get",
    "message_open",
    "message_rows",
    "messages_found",
    "reference_for_search",
    "search_is_empty",
    "to_shown",
]

CHANNELS = Channel.choices
STATUSES = Message.Status.choices
# The channels a provider carries: the inbox has nothing to hand over, so no figures of its own.
FIGURE_CHANNELS = (Channel.SMS, Channel.EMAIL)
WINDOW = timedelta(hours=24)
# The median is taken over the newest messages of the window, so one busy day never reads a million rows.
MEDIAN_SAMPLE = 5000
# Fallbacks go SMS → e-mail; the bound only guards against a loop in damaged data.
CHAIN_LIMIT = 10
_LIST_COLUMNS = (
    "uuid",
    "channel",
    "to",
    "kind",
    "reference",
    "status",
    "provider_reference",
    "segments",
    "attempts",
    "last_error",
    "created_at",
)


class AddressInvalid(ValueError):
    pass


def address_for_search(raw: str) -> str:
    """A typed mobile number (Arabic-Indic digits, local 010… form or +20…) in E.164 as messages store it, or
    an e-mail address as typed; raises AddressInvalid for anything else."""
    text = western_digits(raw or "").strip()
    if "@" in text:
        local, _at, domain = text.rpartition("@")
        if not local or "." not in domain or any(char.isspace() for char in text):
            raise AddressInvalid(raw)
        return text
    try:
        return normalise_mobile(text, home_region=settings.BAWABA_HOME_REGION)
    except InvalidPhone as exc:
        raise AddressInvalid(raw) from exc


def reference_for_search(raw: str) -> str:
    """What people type for a reference: Arabic digits, lower case, spaces, other dashes."""
    cleaned = western_digits(raw or "").upper().replace(" ", "")
    return re.sub(r"[\u2010-\u2015\u2212_]", "-", cleaned)


@dataclass(frozen=True)
class MessageFilters:
    to: str = ""  # as address_for_search gives it
    reference: str = ""
    status: str = ""
    channel: str = ""


def messages_found(filters: MessageFilters) -> QuerySet[Message]:
    """The log, newest first; only the columns the list shows (never a text)."""
    found = Message.objects.only(*_LIST_COLUMNS).order_by("-created_at", "-pk")
    if filters.to:
        # E-mail addresses are kept as their owner typed them; the index still serves both spellings.
        found = found.filter(to__in={filters.to, filters.to.lower()})
    if filters.reference:
        found = found.filter(reference=filters.reference)
    if filters.status:
        found = found.filter(status=filters.status)
    if filters.channel:
        found = found.filter(channel=filters.channel)
    return found


def to_shown(channel: str, to: str) -> str:
    """+20 10•••••678, a••••@example.org; the inbox is the account's own."""
    if channel == Channel.SMS and len(to) > 8:
        return masked(to)
    if channel == Channel.EMAIL and "@" in to:
        local, _at, domain = to.rpartition("@")
        return f"{local[:1]}{'•' * max(3, len(local) - 1)}@{domain}"
    if channel == Channel.INAPP:
        return ""
    return "•" * len(to)


def _notice(kind: str):
    return notices().get(kind)


def is_secret(message: Message) -> bool:
    notice = _notice(message.kind)
    return notice.secret if notice else False


@dataclass(frozen=True)
class MessageRow:
    message: Message
    label: str  # the notice's label in the page's language, its code when it is not in the catalogue
    to: str  # masked
    secret: bool


def message_rows(messages) -> list[MessageRow]:
    rows = []
    for message in messages:
        notice = _notice(message.kind)
        rows.append(
            MessageRow(
                message=message,
                label=pick(notice.label) if notice else message.kind,
                to=to_shown(message.channel, message.to),
                secret=notice.secret if notice else False,
            )
        )
    return rows


def message_get(message_uuid) -> Message | None:
    try:
        key = uuid.UUID(str(message_uuid))
    except ValueError:
        return None
    return Message.objects.select_related("recipient").filter(uuid=key).first()


def message_open(*, message_uuid, viewer: User) -> Message | None:
    """One message for a staff member, whose look at it is in the audit log: its text is about a person."""
    message = message_get(message_uuid)
    if message is None:
        return None
    audit_record(
        action="notifications.message.viewed",
        actor=f"user:{viewer.uuid}",
        subject_type="message",
        subject_id=str(message.uuid),
        data={
            "recipient": str(message.recipient.uuid) if message.recipient else "",
            "kind": message.kind,
            "reference": message.reference,
        },
    )
    return message


def fallback_chain(message: Message) -> list[Message]:
    """The messages of one notice's attempt, first channel first: each one sent after the one before failed."""
    first = message
    for _step in range(CHAIN_LIMIT):
        if first.fallback_from_id is None:
            break
        first = Message.objects.only(*_LIST_COLUMNS, "fallback_from").get(pk=first.fallback_from_id)
    chain = [first]
    for _step in range(CHAIN_LIMIT):
        following = (
            Message.objects.only(*_LIST_COLUMNS, "fallback_from").filter(fallback_from=chain[-1]).first()
        )
        if following is None or any(m.pk == following.pk for m in chain):
            break
        chain.append(following)
    return chain


@dataclass(frozen=True)
class ChannelFigures:
    channel: str
    label: str
    counts: list[tuple[str, str, int]]  # (status, words, count) for every status, in the model's order
    total: int
    delivered: int
    failed: int
    delivered_share: float | None  # percent of those with an outcome (handed over, delivered or failed)
    median_to_sent: timedelta | None  # from written to handed to the provider


def channel_figures(*, now: datetime | None = None) -> list[ChannelFigures]:
    """Per channel, the messages written in the last 24 hours: two small aggregate queries and one bounded read
    per channel, the same on SQLite and PostgreSQL."""
    since = (now or timezone.now()) - WINDOW
    recent = Message.objects.filter(created_at__gte=since, channel__in=FIGURE_CHANNELS)
    counted = {
        (row["channel"], row["status"]): row["n"]
        for row in recent.order_by().values("channel", "status").annotate(n=Count("pk"))
    }
    figures = []
    for channel in FIGURE_CHANNELS:
        counts = [(status, words, counted.get((channel, status), 0)) for status, words in STATUSES]
        by_status = {status: n for status, _words, n in counts}
        outcome = sum(
            by_status[s] for s in (Message.Status.SENT, Message.Status.DELIVERED, Message.Status.FAILED)
        )
        delivered, failed = by_status[Message.Status.DELIVERED], by_status[Message.Status.FAILED]
        figures.append(
            ChannelFigures(
                channel=channel,
                label=Channel(channel).label,
                counts=counts,
                total=sum(by_status.values()),
                delivered=delivered,
                failed=failed,
                delivered_share=100 * delivered / outcome if outcome else None,
                median_to_sent=_median_to_sent(recent.filter(channel=channel)),
            )
        )
    return figures


def _median_to_sent(messages: QuerySet[Message]) -> timedelta | None:
    pairs = (
        messages.filter(sent_at__isnull=False)
        .order_by("-created_at")
        .values_list("created_at", "sent_at")[:MEDIAN_SAMPLE]
    )
    waits = [(sent - created).total_seconds() for created, sent in pairs]
    return timedelta(seconds=statistics.median(waits)) if waits else None


def search_is_empty(filters: MessageFilters) -> bool:
    return not any((filters.to, filters.reference, filters.status, filters.channel))

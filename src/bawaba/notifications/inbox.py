"""A person's own side of their notifications: the inbox in the portal, how many of it are unread, marking all
of it read, and the preferences in force for them.

Every read and write here is scoped to the person asking: there is no way to name someone else's messages.
"""

from django.db.models import QuerySet
from django.utils import timezone

from .models import Channel, Message, Preference

__all__ = ["inbox_all_read", "inbox_of", "preference_of", "unread_count"]


def _own(user) -> QuerySet[Message]:
    if not getattr(user, "is_authenticated", False):
        return Message.objects.none()
    return Message.objects.filter(recipient=user, channel=Channel.INAPP)


def inbox_of(*, user) -> QuerySet[Message]:
    """The person's in-app messages, newest first."""
    return _own(user).order_by("-created_at", "-pk")


def unread_count(*, user) -> int:
    """One COUNT on the inbox index (recipient, channel, read_at)."""
    return _own(user).filter(read_at__isnull=True).count()


def inbox_all_read(*, user) -> int:
    """Mark every unread message of the person's inbox read; how many were."""
    return _own(user).filter(read_at__isnull=True).update(read_at=timezone.now())


def preference_of(*, user) -> Preference:
    """The preferences the person saved, or the defaults (unsaved) when they never did."""
    return Preference.objects.filter(user=user).first() or Preference(user=user)

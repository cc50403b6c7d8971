"""Reading payments, always as someone: a receipt is its payer's."""

from .models import Intent

__all__ = ["receipt_of"]


def receipt_of(*, user, intent_uuid) -> Intent | None:
    """The paid intent, if this person paid it; None otherwise (also for an id that names nothing)."""
    if not user.is_authenticated:
        return None
    return Intent.objects.filter(uuid=intent_uuid, payer=user, status=Intent.Status.SUCCEEDED).first()

"""Reading counter shifts and payments, always as someone: an agent sees their own, overseers every centre's."""

from .counter import can_oversee_counter_shifts
from .models import CounterPayment, Intent, Refund, Shift

__all__ = [
    "counter_receipt",
    "shift_current",
    "shift_payments",
    "shift_refunds",
    "shift_seen",
    "shifts_overseen",
]


def shift_current(agent) -> Shift | None:
    return Shift.objects.filter(agent=agent, closed_at__isnull=True).first()


def shift_seen(*, user, shift_uuid) -> Shift | None:
    """The shift, if it is the user's own or the user oversees shifts; None otherwise."""
    shift = Shift.objects.select_related("agent").filter(uuid=shift_uuid).first()
    if shift is None or (shift.agent_id != user.pk and not can_oversee_counter_shifts(user)):
        return None
    return shift


def shift_payments(shift: Shift) -> list[CounterPayment]:
    return list(shift.payments.select_related("intent", "intent__payer").order_by("intent__paid_at"))


def shift_refunds(shift: Shift) -> list[Refund]:
    """The cash refunds paid out of the shift's drawer."""
    return list(
        shift.refunds.filter(status=Refund.Status.SUCCEEDED)
        .select_related("intent", "approved_by")
        .order_by("refunded_at")
    )


def shifts_overseen(*, user, limit: int = 200) -> list[Shift]:
    """The latest shifts of every centre, for those who oversee them; nothing for anyone else."""
    if not can_oversee_counter_shifts(user):
        return []
    return list(Shift.objects.select_related("agent").order_by("-opened_at")[:limit])


def counter_receipt(*, user, intent_uuid) -> Intent | None:
    """A counter payment's receipt, for the agent who took it and for overseers; None for anyone else."""
    intent = (
        Intent.objects.select_related("payer", "counter__shift__agent")
        .filter(uuid=intent_uuid, gateway="counter", status=Intent.Status.SUCCEEDED)
        .first()
    )
    if intent is None or not hasattr(intent, "counter"):
        return None
    if intent.counter.shift.agent_id != user.pk and not can_oversee_counter_shifts(user):
        return None
    return intent

"""Refunds as an agency sees them: the paid applications of the agency its staff may refund, the refunds of
those applications, and the payer told once a refund is made (`payment.refunded`)."""

import uuid as uuidlib

from bawaba.accounts.models import User
from bawaba.core.money import Money
from bawaba.events.registry import subscribe
from bawaba.notifications.services import notify
from bawaba.payments.models import Intent, Refund

from .models import Application
from .payments import PURPOSE

__all__ = [
    "agency_intent",
    "agency_paid_intent",
    "agency_refund",
    "agency_refunds",
    "application_of",
    "payer_told",
]


def application_of(intent: Intent) -> Application | None:
    kind, _, value = intent.purpose.partition(":")
    if kind != "application":
        return None
    key = _uuid(value)
    return Application.objects.select_related("service").filter(uuid=key).first() if key else None


def agency_paid_intent(*, agency: str, found: str) -> Intent | None:
    """The paid payment of one of the agency's applications, by the application's reference or the receipt's
    number; None for anything else (another agency's, unpaid, unknown)."""
    found = found.strip().upper()
    if not found:
        return None
    application = Application.objects.filter(reference=found, agency=agency).first()
    paid = Intent.objects.filter(status=Intent.Status.SUCCEEDED).select_related("payer")
    if application is not None:
        return paid.filter(purpose=PURPOSE.format(uuid=application.uuid)).first()
    intent = paid.filter(receipt_number=found).first()
    if intent is None:
        return None
    owner = application_of(intent)
    return intent if owner is not None and owner.agency == agency else None


def agency_intent(*, agency: str, intent_uuid) -> Intent | None:
    intent = Intent.objects.select_related("payer").filter(uuid=intent_uuid).first()
    owner = application_of(intent) if intent is not None else None
    return intent if owner is not None and owner.agency == agency else None


def agency_refunds(*, agency: str, statuses=()) -> list[tuple[Refund, Application]]:
    """The refunds of the agency's applications, newest first, with their application."""
    refunds = Refund.objects.select_related("intent", "requested_by").filter(
        intent__purpose__startswith="application:"
    )
    if statuses:
        refunds = refunds.filter(status__in=statuses)
    refunds = list(refunds.order_by("-requested_at")[:200])
    keys = {refund.pk: _uuid(refund.intent.purpose.partition(":")[2]) for refund in refunds}
    applications = {
        a.uuid: a for a in Application.objects.filter(agency=agency, uuid__in=[k for k in keys.values() if k])
    }
    return [(r, applications[keys[r.pk]]) for r in refunds if keys[r.pk] in applications]


def _uuid(value: str) -> uuidlib.UUID | None:
    try:
        return uuidlib.UUID(value)
    except ValueError:
        return None


def agency_refund(*, agency: str, refund_uuid) -> tuple[Refund, Application] | None:
    refund = (
        Refund.objects.select_related(
            "intent__payer", "requested_by", "approved_by", "rejected_by", "shift__agent"
        )
        .filter(uuid=refund_uuid)
        .first()
    )
    if refund is None:
        return None
    application = application_of(refund.intent)
    if application is None or application.agency != agency:
        return None
    return refund, application


@subscribe("payment.refunded", name="cases.payer-told-of-refund")
def payer_told(payload: dict) -> None:
    """The payer hears of the money given back, in their language, on the channels they chose."""
    payer = User.objects.filter(uuid=payload["payer"]).first()
    if payer is None:
        return
    language = payer.preferred_language
    notify(
        notice="payment.refunded",
        recipient=payer,
        values={
            "reference": payload["reference"],
            "amount": Money(payload["amount"], payload["currency"]).format(language),
        },
        reference=payload["reference"],
    )

"""An application's fee paid online: the intent opened for what it owes, and the application moved on when
`payment.succeeded` arrives (the workflow's own automatic move, guarded by "fees-settled")."""

from django.db import transaction
from django.utils import timezone

from bawaba.audit.services import audit_record
from bawaba.core.i18n import localized
from bawaba.events.registry import subscribe
from bawaba.payments.counter import COUNTER
from bawaba.payments.models import Intent
from bawaba.payments.services import PaymentRefused, intent_open

from .models import Application
from .service_parts import workflow_for
from .services import deadline_fields_set, state_changed_emit, system_moves_settle

__all__ = [
    "PURPOSE",
    "application_paid",
    "fee_intent_latest",
    "fee_intent_open",
    "fee_paid_intent",
]

PURPOSE = "application:{uuid}"


def fee_intent_open(*, application: Application, payer, return_url: str) -> Intent:
    """What the citizen pays the application's fee through. Raises PaymentRefused ("nothing-to-pay" too)."""
    if application.fees_paid:
        raise PaymentRefused("already-paid")
    if application.fees_due <= 0:
        raise PaymentRefused("nothing-to-pay")
    return intent_open(
        purpose=PURPOSE.format(uuid=application.uuid),
        reference=application.reference,
        description=localized(application.service, "name", payer.preferred_language)[:200],
        payer=payer,
        amount=application.fees_due,
        currency=application.currency,
        return_url=return_url,
    )


def fee_intent_latest(application: Application) -> Intent | None:
    """The latest online payment of the fee: the one a payer coming back from the gateway is about (a payment
    taken at a counter since is not)."""
    return (
        Intent.objects.filter(purpose=PURPOSE.format(uuid=application.uuid))
        .exclude(gateway=COUNTER)
        .order_by("-created_at")
        .first()
    )


def fee_paid_intent(application: Application) -> Intent | None:
    """The payment of the fee, once the gateway confirmed it, whether or not its event has reached the
    application yet."""
    return Intent.objects.filter(
        purpose=PURPOSE.format(uuid=application.uuid), status=Intent.Status.SUCCEEDED
    ).first()


@subscribe("payment.succeeded", name="cases.application-paid")
def application_paid(payload: dict) -> None:
    kind, _, uuid = payload["purpose"].partition(":")
    if kind != "application":
        return
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("service__agency", "service_version", "applicant", "proposed_by")
            .filter(uuid=uuid)
            .first()
        )
        if application is None or application.fees_paid:
            return  # a repeated delivery of the event
        now = timezone.now()
        before = application.state
        application.fees_paid = True
        workflow = workflow_for(application.service_version)
        system_moves_settle(application, workflow, now)
        application.revision += 1
        deadline_fields_set(application, workflow, now)
        application.save()
        audit_record(
            action="cases.application.paid",
            actor="system",
            subject_type="application",
            subject_id=str(application.uuid),
            data={
                "reference": application.reference,
                "intent": payload["intent"],
                "amount": payload["amount"],
            },
        )
        if application.state != before:
            state_changed_emit(application, action="record-payment", before=before, workflow=workflow)

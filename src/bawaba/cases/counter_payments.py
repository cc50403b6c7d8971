"""An application's fee paid at a service-centre counter: the agent finds the application by its reference, and
the payment is taken in the agent's shift. The application moves on when `payment.succeeded` reaches
`application_paid`, exactly as after paying online."""

from bawaba.accounts.models import User
from bawaba.audit.services import audit_record
from bawaba.core.i18n import localized
from bawaba.payments.counter import CounterRefused, can_take_counter_payments, counter_payment_take
from bawaba.payments.fees import FeeRefused, Quote
from bawaba.payments.models import Intent

from .models import Application
from .payments import PURPOSE, fee_paid_intent
from .service_parts import fee_quote

__all__ = ["application_at_counter", "fee_at_counter_take", "fee_breakdown"]


def application_at_counter(*, agent: User, reference: str) -> Application | None:
    """The application with this reference, if the agent takes payments for its agency; its opening recorded.
    None, and nothing recorded, otherwise."""
    reference = reference.strip().upper()
    if not reference:
        return None
    application = (
        Application.objects.select_related("service", "applicant").filter(reference=reference).first()
    )
    if application is None or not can_take_counter_payments(agent, agency=application.agency):
        return None
    # Staff reading a citizen's application is on the record, for the citizen to see.
    audit_record(
        action="cases.application.opened-at-counter",
        actor=f"user:{agent.uuid}",
        subject_type="application",
        subject_id=str(application.uuid),
        data={
            "reference": application.reference,
            "agency": application.agency,
            "role": "centre-agent",
            "applicant": str(application.applicant.uuid),
        },
    )
    return application


def fee_breakdown(application: Application) -> Quote | None:
    """The fee's lines as the service prices them, when they still add up to what the application owes."""
    try:
        quote = fee_quote(
            application.service_version.definition, application.answers, applicant=application.applicant
        )
    except FeeRefused:  # a breakdown the rules cannot price now is simply not shown
        return None
    if (quote.total, quote.currency) != (application.fees_due, application.currency) or not quote.lines:
        return None
    return quote


def fee_at_counter_take(
    *,
    application: Application,
    agent: User,
    owed_seen: int,
    method: str,
    received: int | None,
    terminal_slip: str = "",
) -> Intent:
    """The application's fee, paid at the agent's counter. `owed_seen` is the sum the agent was shown: if it
    changed since, nothing is taken. Raises CounterRefused."""
    if not can_take_counter_payments(agent, agency=application.agency):
        raise CounterRefused("not-allowed")
    if application.fees_paid or fee_paid_intent(application) is not None:
        raise CounterRefused("already-paid")
    if application.fees_due <= 0:
        raise CounterRefused("nothing-to-pay")
    if application.closed_at is not None:
        raise CounterRefused("closed")
    if owed_seen != application.fees_due:
        raise CounterRefused("amount-changed")
    return counter_payment_take(
        agent=agent,
        purpose=PURPOSE.format(uuid=application.uuid),
        reference=application.reference,
        description=localized(application.service, "name", application.applicant.preferred_language)[:200],
        payer=application.applicant,
        amount=application.fees_due,
        currency=application.currency,
        method=method,
        received=received,
        terminal_slip=terminal_slip,
    )

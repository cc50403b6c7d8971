"""Paying an application's fee online: off to the gateway's card page, and back.

Coming back proves nothing by itself: the address must carry the gateway's signature, and the payment is then
read from the gateway server to server. If the gateway cannot be reached the citizen is told the payment is
being confirmed; its webhook settles it in any case.
"""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from bawaba.cases.payments import fee_intent_latest, fee_intent_open
from bawaba.cases.selectors import application_open
from bawaba.payments.bills import bills_of_intent
from bawaba.payments.gateways import GatewayRefused, GatewayUnavailable
from bawaba.payments.models import Intent
from bawaba.payments.selectors import receipt_of
from bawaba.payments.services import PaymentRefused, payment_returned

from .application_views import _found

REFUSED = {  # lazy: read in the language of each request, not of the first one
    "already-paid": gettext_lazy("This fee is paid already."),
    "nothing-to-pay": gettext_lazy("There is nothing to pay on this application."),
}


@login_required
@require_POST
def application_pay(request, application: UUID):
    found = _found(request, application)
    back = reverse("portal:application_paid", args=[found.uuid])
    try:
        intent = fee_intent_open(
            application=found, payer=request.user, return_url=request.build_absolute_uri(back)
        )
    except PaymentRefused as refused:
        messages.info(request, REFUSED.get(refused.problem, refused.problem))
        return redirect("portal:application_detail", found.uuid)
    except GatewayUnavailable:
        messages.info(
            request, _("The payment service cannot be reached just now. Try again in a few minutes.")
        )
        return redirect("portal:application_detail", found.uuid)
    return redirect(f"{intent.pay_url}?lang={request.LANGUAGE_CODE}")


@login_required
@require_GET
def application_paid(request, application: UUID):
    found = _found(request, application)
    intent = fee_intent_latest(found)
    if intent is None:
        return redirect("portal:application_detail", found.uuid)
    try:
        intent = payment_returned(intent_uuid=intent.uuid, payer=request.user, query=request.GET)
    except (GatewayRefused, PaymentRefused):
        return render(request, "portal/applications/payment_refused.html", {"application": found}, status=400)
    except GatewayUnavailable:
        messages.info(
            request,
            _("We are confirming your payment with the payment service; this page shows it once it is done."),
        )
        return redirect("portal:application_detail", found.uuid)
    if intent.status == Intent.Status.SUCCEEDED:
        messages.success(request, _("Payment received. Your application moves on in a moment."))
    elif intent.decline_reason:
        messages.info(request, _("The payment did not go through. You can pay again with another card."))
    return redirect("portal:application_detail", found.uuid)


@login_required
@require_GET
def payment_receipt(request, intent: UUID):
    """The receipt of a payment: its payer's only; printed from the browser."""
    paid = receipt_of(user=request.user, intent_uuid=intent)
    if paid is None:
        raise Http404(_("There is no such receipt."))
    kind, _sep, key = paid.purpose.partition(":")
    # What it paid for, named in the page's language (the gateway was told it in the payer's).
    application = application_open(user=request.user, uuid=key) if kind == "application" else None
    bills = bills_of_intent(paid) if kind == "bills" else []
    return render(
        request, "portal/payments/receipt.html", {"paid": paid, "application": application, "bills": bills}
    )

"""Paying bills by reference (traffic fines, electricity bills): look the account up, choose the bills, pay.

The page works without JavaScript: the account is looked up by GET, "Update the total" re-reads the ticked
bills by GET, and "Pay" posts them. What is charged is worked out again on the server when paying, from the
bills as they stand then; the gateway's page shows the amount before the card is charged.
"""

from datetime import date
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from bawaba.core.i18n import localized, pick
from bawaba.payments.bills import account_clean, bills_intent_open, bills_quote, bills_unpaid
from bawaba.payments.gateways import GatewayRefused, GatewayUnavailable
from bawaba.payments.models import Intent
from bawaba.payments.services import PaymentRefused, payment_returned

REFUSED = {  # lazy: read in the language of each request
    "no-bills": gettext_lazy("Choose at least one bill to pay."),
    "not-open": gettext_lazy(
        "One of the bills you chose has just been paid or withdrawn. Here are the ones still to pay."
    ),
    "already-paid": gettext_lazy("These bills are paid already."),
    "currency": gettext_lazy("These bills cannot be paid together online; pay them at a service centre."),
}


def _today() -> date:
    return timezone.localdate()


def bills_page(request, service):
    """The service's start page for a `bills` payment service (called by service_start, which has checked
    the sign-in level and any delegation)."""
    spec = service.definition["bills"]
    fees = service.definition.get("fees") or {}
    rules, currency = fees.get("rules", []), fees.get("currency", "")
    data = request.POST if request.method == "POST" else request.GET
    context = {"service": service, "spec": spec, "account_label": pick(spec["account"]["label"])}
    typed = data.get("account", "").strip()
    if not typed:
        return render(request, "portal/bills/lookup.html", context)
    account = account_clean(typed, spec["account"]["pattern"])
    context["typed"] = typed
    if account is None:
        context["error"] = _("“%(typed)s” is not a valid %(what)s. %(hint)s") % {
            "typed": typed,
            "what": context["account_label"].lower(),
            "hint": pick(spec["account"].get("hint")) if spec["account"].get("hint") else "",
        }
        return render(request, "portal/bills/lookup.html", context, status=400)
    bills = bills_unpaid(biller=spec["biller"], account=account)
    context.update(account=account, bills=bills)
    if request.method == "POST":
        chosen = data.getlist("bill")
        if len(chosen) > 1 and not spec.get("several"):
            messages.error(request, _("Pay one bill at a time."))
        else:
            try:
                intent = bills_intent_open(
                    biller=spec["biller"],
                    account=account,
                    references=chosen,
                    rules=rules,
                    currency=currency,
                    description=localized(service, "name", request.user.preferred_language),
                    payer=request.user,
                    return_url=request.build_absolute_uri(reverse("portal:bills_paid", args=[service.code])),
                    today=_today(),
                )
            except PaymentRefused as refused:
                messages.error(request, REFUSED.get(refused.problem, refused.problem))
            except GatewayUnavailable:
                messages.error(
                    request, _("The payment service cannot be reached just now. Try again in a few minutes.")
                )
            else:
                request.session[_session_key(service.code)] = str(intent.uuid)
                return redirect(f"{intent.pay_url}?lang={request.LANGUAGE_CODE}")
    if "bill" in data:
        chosen = {bill.reference for bill in bills} & set(data.getlist("bill"))
    else:  # all of them at first, or the oldest where one is paid at a time
        chosen = {bill.reference for bill in (bills if spec.get("several") else bills[:1])}
    picked = [bill for bill in bills if bill.reference in chosen]
    try:
        priced = bills_quote(picked, rules=rules, currency=currency, today=_today())
    except PaymentRefused as refused:
        messages.error(request, REFUSED[refused.problem])
        priced = None
    context.update(chosen=chosen, priced=priced)
    return render(request, "portal/bills/choose.html", context)


def _session_key(code: str) -> str:
    return f"bills-intent:{code}"


@login_required
@require_GET
def bills_paid(request, code: str):
    """Back from the gateway: the address is checked and the payment read, as for an application's fee."""
    intent_uuid = request.session.get(_session_key(code))
    if intent_uuid is None:
        raise Http404(_("There is no payment of yours to confirm here."))
    try:
        intent = payment_returned(intent_uuid=UUID(intent_uuid), payer=request.user, query=request.GET)
    except (GatewayRefused, PaymentRefused):
        return render(request, "portal/bills/refused.html", {"code": code}, status=400)
    except GatewayUnavailable:
        intent = Intent.objects.get(uuid=intent_uuid)
    if intent.status == Intent.Status.SUCCEEDED:
        del request.session[_session_key(code)]
        return redirect("portal:payment_receipt", intent.uuid)
    lines = intent.bill_lines.select_related("bill")
    query = urlencode(
        [
            ("account", lines[0].bill.account if lines else ""),
            *(("bill", line.bill.reference) for line in lines),
        ]
    )
    if intent.status == Intent.Status.OPEN and not intent.decline_reason:
        messages.info(
            request,
            _(
                "We are confirming your payment with the payment service; your receipt is in your account once it is done."
            ),
        )
    else:
        messages.error(request, _("The payment did not go through. You can pay again with another card."))
    return redirect(f"{reverse('portal:service_start', args=[code])}?{query}")

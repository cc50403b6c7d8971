"""The gateway's endpoints: the merchants' signed API and the payer's hosted page (card or mobile wallet)."""

import hashlib
import json
import re
from datetime import date
from urllib.parse import urlencode, urlsplit

from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import cards, config, settlement, signing, store, wallets, webhooks

REFERENCE = re.compile(r"[A-Za-z0-9._:/-]{1,64}")
IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,255}")
PAYMENT_ID = re.compile(r"pay_[0-9a-f]{24}")
# Currencies whose minor unit is not a hundredth (ISO 4217), for showing the amount to the payer.
EXPONENTS = {"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3, "JPY": 0, "KRW": 0}


# The merchants' API


def _error(status: int, code: str, message: str, **extra) -> JsonResponse:
    return JsonResponse({"error": code, "message": message, **extra}, status=status)


def _signed_by(request) -> tuple[config.Merchant | None, JsonResponse | None]:
    merchant = config.merchants().get(request.headers.get("X-Paygw-Merchant", ""))
    if merchant is None:
        return None, _error(401, "unknown_merchant", "X-Paygw-Merchant does not name a registered merchant.")
    problem = signing.check(
        merchant.secret,
        request.headers.get("X-Paygw-Timestamp", ""),
        request.headers.get("X-Paygw-Signature", ""),
        request.body,
    )
    if problem:
        return None, _error(401, "invalid_signature", problem)
    return merchant, None


NOT_AN_OBJECT = {"body": "The body must be a JSON object."}


def _json_object(body: bytes) -> dict | None:
    """The request's body as a JSON object; None when it is anything else."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _signed_with_key(request):
    """(merchant, idempotency key, None) for a signed request that creates something, or a refusal last."""
    merchant, refusal = _signed_by(request)
    if refusal:
        return None, "", refusal
    key = request.headers.get("Idempotency-Key", "")
    if not IDEMPOTENCY_KEY.fullmatch(key):
        return (
            None,
            "",
            _error(400, "invalid_request", "Idempotency-Key is required: 1 to 255 visible ASCII characters."),
        )
    return merchant, key, None


def _payment_fields(body: bytes) -> tuple[dict, dict]:
    """The new payment's fields and the problems with them, by field."""
    if (data := _json_object(body)) is None:
        return {}, dict(NOT_AN_OBJECT)
    errors = {}
    amount = data.get("amount")
    if type(amount) is not int or not 0 < amount <= 10**12:
        errors["amount"] = "A positive whole number of minor units (piastres, fils…), at most 10^12."
    currency = data.get("currency")
    if not isinstance(currency, str) or not re.fullmatch(r"[A-Z]{3}", currency):
        errors["currency"] = "A three-letter ISO 4217 code in capitals, such as EGP."
    reference = data.get("merchant_reference")
    if not isinstance(reference, str) or not REFERENCE.fullmatch(reference):
        errors["merchant_reference"] = "1 to 64 characters: letters, digits and . _ : / -"
    return_url = data.get("return_url")
    parts = urlsplit(return_url) if isinstance(return_url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc or len(return_url) > 2000:
        errors["return_url"] = "An absolute http or https address of at most 2000 characters."
    description = data.get("description", "")
    if not isinstance(description, str) or len(description) > 200:
        errors["description"] = "Text of at most 200 characters."
    fields = {
        "amount": amount,
        "currency": currency,
        "merchant_reference": reference,
        "return_url": return_url,
        "description": description,
    }
    return fields, errors


def _payment_json(payment: store.Payment) -> dict:
    return {**payment.public(), "pay_url": f"{config.public_url()}/pay/{payment.id}"}


@csrf_exempt
@never_cache
@require_POST
def payment_create(request):
    merchant, key, refusal = _signed_with_key(request)
    if refusal:
        return refusal
    fields, errors = _payment_fields(request.body)
    if errors:
        return _error(400, "invalid_request", "Some fields are not valid.", fields=errors)
    request_hash = hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()
    try:
        with store.writing() as connection:
            payment, created = store.payment_create(
                connection,
                merchant_id=merchant.id,
                fields=fields,
                idempotency_key=key,
                request_hash=request_hash,
            )
            if created:
                webhooks.status_changed(connection, payment)
    except KeyError:
        return _error(409, "idempotency_conflict", "This Idempotency-Key was used for a different payment.")
    response = JsonResponse(_payment_json(payment), status=201)
    if not created:
        response["Idempotent-Replayed"] = "true"
    return response


@never_cache
@require_GET
def payment_read(request, payment_id):
    merchant, refusal = _signed_by(request)
    if refusal:
        return refusal
    payment = store.payment_get(payment_id)
    if payment is None or payment.merchant_id != merchant.id:
        return _error(404, "not_found", "No payment of this merchant has this id.")
    return JsonResponse(_payment_json(payment))


@never_cache
@require_GET
def settlement_read(request, day):
    merchant, refusal = _signed_by(request)
    if refusal:
        return refusal
    try:
        when = date.fromisoformat(day)
    except ValueError:
        return _error(400, "invalid_request", "The date must be a real day, YYYY-MM-DD.")
    response = HttpResponse(settlement.report(merchant.id, when), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="settlement-{merchant.id}-{day}.csv"'
    return response


# The payer's hosted page


def _lang(request) -> str:
    lang = request.GET.get("lang", "ar")
    return lang if lang in ("ar", "en") else "ar"


def _amount(payment: store.Payment) -> str:
    exponent = EXPONENTS.get(payment.currency, 2)
    major, minor = divmod(payment.amount, 10**exponent)
    return (
        f"{major:,}.{minor:0{exponent}d} {payment.currency}" if exponent else f"{major:,} {payment.currency}"
    )


def _back_to_merchant(payment: store.Payment) -> str:
    merchant = config.merchants()[payment.merchant_id]
    params = urlencode(
        {
            "payment": payment.id,
            "status": payment.status,
            "signature": signing.return_signature(merchant.secret, payment.id, payment.status),
        }
    )
    return f"{payment.return_url}{'&' if '?' in payment.return_url else '?'}{params}"


def _payment_or_404(request, payment_id: str, lang: str):
    payment = store.payment_get(payment_id) if PAYMENT_ID.fullmatch(payment_id) else None
    if payment is None or payment.merchant_id not in config.merchants():
        return None, render(request, "paygw/not_found.html", {"lang": lang}, status=404)
    return payment, None


def _page(request, template: str, payment: store.Payment, lang: str, status: int = 200, **context):
    merchant = config.merchants()[payment.merchant_id]
    context = {
        "lang": lang,
        "other_lang": "en" if lang == "ar" else "ar",
        "switch_url": f"{request.path}?lang={'en' if lang == 'ar' else 'ar'}",
        "payment": payment,
        "amount": _amount(payment),
        "merchant": merchant,
        "back_url": _back_to_merchant(payment),
        **context,
    }
    return render(request, template, context, status=status)


def _declined_message(reason: str) -> str:
    return {
        cards.INSUFFICIENT_FUNDS: _("The card does not have enough funds. You can try another card."),
        "challenge_failed": _(
            "The verification code was not right, so the payment was declined. You can try again."
        ),
        wallets.INSUFFICIENT_BALANCE: _(
            "The wallet does not have enough balance. You can try another wallet or pay by card."
        ),
        wallets.NOT_A_WALLET: _("This mobile number has no wallet. Check the number, or pay by card."),
    }.get(reason, _("The card was declined. You can try another card."))


def _card_errors(form) -> dict[str, str]:
    errors = {}
    number = cards.digits(form.get("card_number", ""))
    if not number:
        errors["card_number"] = _("Enter the card number.")
    elif not cards.luhn_valid(number):
        errors["card_number"] = _("The card number is not valid: check the digits.")
    expiry_text = form.get("expiry", "").strip()
    expiry = cards.expiry_parse(expiry_text)
    if not expiry_text:
        errors["expiry"] = _("Enter the expiry date.")
    elif expiry is None:
        errors["expiry"] = _("Enter the expiry date as MM/YY, for example 08/29.")
    elif cards.expired(expiry):
        errors["expiry"] = _("This card has expired.")
    cvc = form.get("cvc", "").strip()
    if not cvc:
        errors["cvc"] = _("Enter the security code.")
    elif not re.fullmatch(r"\d{3,4}", cvc):
        errors["cvc"] = _("The security code is the 3 or 4 digits on the back of the card.")
    if not form.get("name", "").strip():
        errors["name"] = _("Enter the name as it is written on the card.")
    return errors


def _wallet_errors(form) -> dict[str, str]:
    number = wallets.normalise(form.get("wallet_number", ""))
    if not number:
        return {"wallet_number": _("Enter the wallet's mobile number.")}
    if not wallets.valid(number):
        return {
            "wallet_number": _(
                "The mobile number is not valid: 11 digits starting with 010, 011, 012 or 015."
            )
        }
    return {}


def _pay_url(payment: store.Payment, lang: str, suffix: str = "") -> str:
    return f"/pay/{payment.id}{suffix}?lang={lang}"


@never_cache
@require_http_methods(["GET", "POST"])
def pay(request, payment_id):
    lang = _lang(request)
    with translation.override(lang):
        payment, missing = _payment_or_404(request, payment_id, lang)
        if missing:
            return missing
        if payment.status in store.FINAL:
            return _page(request, "paygw/done.html", payment, lang)
        if payment.challenge_last4:
            return HttpResponseRedirect(_pay_url(payment, lang, "/challenge"))
        if request.method == "GET":
            declined = _declined_message(payment.decline_reason) if payment.status == store.DECLINED else ""
            return _page(request, "paygw/pay.html", payment, lang, form={}, errors={}, declined=declined)
        if request.POST.get("method") == store.WALLET and not request.POST.get("cancel"):
            return _wallet_submit(request, payment.id, lang)
        return _pay_submit(request, payment.id, lang)


def _pay_submit(request, payment_id: str, lang: str):
    form = request.POST
    errors = {} if form.get("cancel") else _card_errors(form)
    with store.writing() as connection:
        payment = store.payment_get(payment_id, connection)
        if payment.status in store.FINAL or payment.challenge_last4:
            # Submitted twice, or from a second tab: show where the payment is now.
            return HttpResponseRedirect(_pay_url(payment, lang))
        if form.get("cancel"):
            payment = store.payment_update(
                connection, payment.id, status=store.FAILED, decline_reason="cancelled"
            )
            webhooks.status_changed(connection, payment)
            return HttpResponseRedirect(_back_to_merchant(payment))
        if errors:
            shown = {name: form.get(name, "") for name in ("card_number", "expiry", "name")}
            return _page(
                request, "paygw/pay.html", payment, lang, status=400, form=shown, errors=errors, declined=""
            )
        if payment.status == store.DECLINED:
            # A new try: the payment is pending again until this card's outcome.
            payment = store.payment_update(connection, payment.id, status=store.PENDING, decline_reason="")
            webhooks.status_changed(connection, payment)
        number = cards.digits(form["card_number"])
        outcome = cards.outcome(number)
        if outcome == cards.CHALLENGE:
            store.payment_update(connection, payment.id, method=store.CARD, challenge_last4=number[-4:])
            return HttpResponseRedirect(_pay_url(payment, lang, "/challenge"))
        if outcome == cards.SUCCESS:
            payment = store.payment_update(
                connection, payment.id, status=store.SUCCEEDED, method=store.CARD, card_last4=number[-4:]
            )
            webhooks.status_changed(connection, payment)
            return HttpResponseRedirect(_back_to_merchant(payment))
        payment = store.payment_update(
            connection,
            payment.id,
            status=store.DECLINED,
            decline_reason=outcome,
            method=store.CARD,
            card_last4=number[-4:],
        )
        webhooks.status_changed(connection, payment)
    return HttpResponseRedirect(_pay_url(payment, lang))


def _wallet_submit(request, payment_id: str, lang: str):
    """A mobile-wallet try: the test wallet that asks for a one-time code, or a decline."""
    errors = _wallet_errors(request.POST)
    with store.writing() as connection:
        payment = store.payment_get(payment_id, connection)
        if payment.status in store.FINAL or payment.challenge_last4:
            return HttpResponseRedirect(_pay_url(payment, lang))
        if errors:
            shown = {"wallet_number": request.POST.get("wallet_number", "")}
            return _page(
                request, "paygw/pay.html", payment, lang, status=400, form=shown, errors=errors, declined=""
            )
        if payment.status == store.DECLINED:
            payment = store.payment_update(connection, payment.id, status=store.PENDING, decline_reason="")
            webhooks.status_changed(connection, payment)
        number = wallets.normalise(request.POST["wallet_number"])
        outcome = wallets.outcome(number)
        if outcome == cards.CHALLENGE:
            # The code step is the card challenge's page; `method` tells it whose code it asks for.
            store.payment_update(connection, payment.id, method=store.WALLET, challenge_last4=number[-4:])
            return HttpResponseRedirect(_pay_url(payment, lang, "/challenge"))
        payment = store.payment_update(
            connection,
            payment.id,
            status=store.DECLINED,
            decline_reason=outcome,
            method=store.WALLET,
            wallet_last4=number[-4:],
        )
        webhooks.status_changed(connection, payment)
    return HttpResponseRedirect(_pay_url(payment, lang))


@never_cache
@require_http_methods(["GET", "POST"])
def challenge(request, payment_id):
    lang = _lang(request)
    with translation.override(lang):
        payment, missing = _payment_or_404(request, payment_id, lang)
        if missing:
            return missing
        if not payment.challenge_last4 or payment.status in store.FINAL:
            return HttpResponseRedirect(_pay_url(payment, lang))
        if request.method == "GET":
            return _page(request, "paygw/challenge.html", payment, lang, error="")
        code = request.POST.get("code", "").strip()
        if not code:
            return _page(
                request, "paygw/challenge.html", payment, lang, status=400, error=_("Enter the code.")
            )
        with store.writing() as connection:
            payment = store.payment_get(payment_id, connection)
            if not payment.challenge_last4 or payment.status in store.FINAL:
                return HttpResponseRedirect(_pay_url(payment, lang))
            if code == cards.CHALLENGE_CODE:
                changes = {"status": store.SUCCEEDED, "decline_reason": ""}
            else:
                changes = {"status": store.DECLINED, "decline_reason": "challenge_failed"}
            last4 = "wallet_last4" if payment.method == store.WALLET else "card_last4"
            changes[last4] = payment.challenge_last4
            payment = store.payment_update(connection, payment.id, challenge_last4="", **changes)
            webhooks.status_changed(connection, payment)
        if payment.status == store.SUCCEEDED:
            return HttpResponseRedirect(_back_to_merchant(payment))
        return HttpResponseRedirect(_pay_url(payment, lang))

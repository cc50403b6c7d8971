"""Passkey pages and the JSON steps the browser's passkey script calls (CSRF token in X-CSRFToken).

Each ceremony is two calls: options (a challenge kept in the session), then the device's answer. Refusals come
back as translated text, for the script to show.
"""

import json
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bawaba.accounts.assurance import Level
from bawaba.accounts.passkeys import (
    PasskeyProblem,
    PasskeyRefused,
    passkey_get,
    passkey_register,
    passkey_registration_options,
    passkey_remove,
    passkey_sign_in,
    passkey_sign_in_options,
    passkey_step_up,
    passkey_step_up_options,
)
from bawaba.accounts.problem_words import minutes
from bawaba.accounts.session_assurance import session_add_method, session_level, session_sign_in

from .passkey_forms import PASSKEY_ERRORS, PasskeyNameForm


def _refusal(exc: PasskeyRefused) -> JsonResponse:
    status = 429 if exc.problem == PasskeyProblem.TOO_MANY_FAILURES else 400
    message = PASSKEY_ERRORS[exc.problem] % {"minutes": minutes(exc.retry_after)}
    return JsonResponse({"error": str(message)}, status=status)


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _body(request) -> dict:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return {}
    return body if isinstance(body, dict) else {}


def _next(request, target: str) -> str:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("portal:home")


def _address(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _step_up_first(request):
    """Passkeys are a way into the account: changing them takes a session at substantial or above."""
    if session_level(request) >= Level.SUBSTANTIAL:
        return None
    query = urlencode({"level": "substantial", "next": request.get_full_path()})
    return redirect(f"{reverse('portal:step_up')}?{query}")


def _signed_in_json(request) -> JsonResponse | None:
    if not request.user.is_authenticated:
        return _error(_("Your session has ended. Sign in again."), 403)
    return None


# Adding and removing, from the account page.


@login_required
@require_http_methods(["GET", "POST"])
def passkey_add(request):
    """The page: a name, then the browser script runs the ceremony. Without the script it says what is needed."""
    if response := _step_up_first(request):
        return response
    form = PasskeyNameForm(request.POST or None)
    if request.method == "POST":
        form.is_valid()  # reached only without the script: show what was wrong with the name, if anything
    return render(
        request,
        "portal/account/passkey_add.html",
        {"form": form, "citizen": bool(request.user.national_id)},
    )


@require_http_methods(["POST"])
def passkey_add_options(request):
    if refusal := _signed_in_json(request):
        return refusal
    if session_level(request) < Level.SUBSTANTIAL:
        return _error(_("Confirm it is you first: reload this page."), 403)
    form = PasskeyNameForm({"name": _body(request).get("name", "")})
    if not form.is_valid():
        return JsonResponse({"error": str(form.errors["name"][0]), "field": "name"}, status=400)
    try:
        options = passkey_registration_options(
            session=request.session, user=request.user, name=form.cleaned_data["name"]
        )
    except PasskeyRefused as exc:
        return _refusal(exc)
    return JsonResponse(options)


@require_http_methods(["POST"])
def passkey_add_finish(request):
    if refusal := _signed_in_json(request):
        return refusal
    if session_level(request) < Level.SUBSTANTIAL:
        return _error(_("Confirm it is you first: reload this page."), 403)
    try:
        passkey_register(
            session=request.session,
            user=request.user,
            response=_body(request).get("credential"),
            address=_address(request),
        )
    except PasskeyRefused as exc:
        return _refusal(exc)
    return JsonResponse({"redirect": reverse("portal:account")})


@login_required
@require_http_methods(["GET", "POST"])
def passkey_remove_page(request, passkey: UUID):
    if response := _step_up_first(request):
        return response
    chosen = passkey_get(user=request.user, passkey_uuid=passkey)
    if chosen is None:
        raise Http404
    if request.method == "POST":
        try:
            passkey_remove(user=request.user, passkey_uuid=chosen.uuid)
        except PasskeyRefused as exc:
            raise Http404 from exc
        return redirect("portal:account")
    return render(request, "portal/account/passkey_remove.html", {"passkey": chosen})


# Signing in and stepping up.


@require_http_methods(["POST"])
def passkey_sign_in_begin(request):
    return JsonResponse(passkey_sign_in_options(session=request.session))


@require_http_methods(["POST"])
def passkey_sign_in_finish(request):
    body = _body(request)
    try:
        passkey = passkey_sign_in(
            session=request.session, response=body.get("credential"), address=_address(request)
        )
    except PasskeyRefused as exc:
        return _refusal(exc)
    session_sign_in(request, user=passkey.user, methods=["passkey"])
    return JsonResponse({"redirect": _next(request, body.get("next", ""))})


@require_http_methods(["POST"])
def passkey_step_up_begin(request):
    if refusal := _signed_in_json(request):
        return refusal
    try:
        return JsonResponse(passkey_step_up_options(session=request.session, user=request.user))
    except PasskeyRefused as exc:
        return _refusal(exc)


@require_http_methods(["POST"])
def passkey_step_up_finish(request):
    if refusal := _signed_in_json(request):
        return refusal
    body = _body(request)
    try:
        passkey_step_up(
            session=request.session,
            user=request.user,
            response=body.get("credential"),
            address=_address(request),
        )
    except PasskeyRefused as exc:
        return _refusal(exc)
    session_add_method(request, "passkey")
    return JsonResponse({"redirect": _next(request, body.get("next", ""))})

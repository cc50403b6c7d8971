"""The provider's endpoints: discovery, keys, authorize (a sign-in page), token, userinfo."""

import base64
import time
from urllib.parse import urlencode

from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import provider

AUTH_PARAMS = (
    "client_id",
    "redirect_uri",
    "response_type",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
)


@require_GET
def discovery(request):
    return JsonResponse(provider.discovery())


@require_GET
def jwks(request):
    return JsonResponse(provider.jwks())


def _back(redirect_uri: str, **params) -> str:
    return f"{redirect_uri}{'&' if '?' in redirect_uri else '?'}{urlencode(params)}"


@never_cache
@require_http_methods(["GET", "POST"])
def authorize(request):
    params = {
        name: (request.POST if request.method == "POST" else request.GET).get(name, "")
        for name in AUTH_PARAMS
    }
    client = provider.client_get(params["client_id"])
    if client is None or params["redirect_uri"] not in client["redirect_uris"]:
        # Never redirect to an address that was not registered: show the error here.
        return HttpResponseBadRequest("Unknown client or redirect address.")
    state = params["state"]
    if params["response_type"] != "code" or "openid" not in params["scope"].split():
        return redirect(_back(params["redirect_uri"], error="unsupported_response_type", state=state))
    if not params["code_challenge"] or params["code_challenge_method"] != "S256" or not params["nonce"]:
        return redirect(
            _back(
                params["redirect_uri"],
                error="invalid_request",
                error_description="PKCE (S256) and a nonce are required",
                state=state,
            )
        )
    error = ""
    if request.method == "POST":
        if request.POST.get("cancel"):
            return redirect(_back(params["redirect_uri"], error="access_denied", state=state))
        person = provider.person_check(request.POST.get("national_id", ""), request.POST.get("pin", ""))
        if person is not None:
            code = provider.code_issue(
                provider.Grant(
                    client_id=params["client_id"],
                    redirect_uri=params["redirect_uri"],
                    sub=provider.subject(person),
                    nonce=params["nonce"],
                    code_challenge=params["code_challenge"],
                    auth_time=int(time.time()),
                )
            )
            return redirect(_back(params["redirect_uri"], code=code, state=state))
        error = "The national ID number or the PIN is not right."
    return render(
        request, "idp/sign_in.html", {"params": params, "error": error, "profile": provider.profile()}
    )


def _client_credentials(request) -> tuple[str, str]:
    header = request.headers.get("Authorization", "")
    if header.startswith("Basic "):
        try:
            client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
            return client_id, secret
        except (ValueError, UnicodeDecodeError):
            return "", ""
    return request.POST.get("client_id", ""), request.POST.get("client_secret", "")


def _token_error(error: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": error}, status=status)


@csrf_exempt
@never_cache
@require_POST
def token(request):
    client_id, secret = _client_credentials(request)
    if not provider.client_authenticates(client_id, secret):
        return _token_error("invalid_client", 401)
    if request.POST.get("grant_type") != "authorization_code":
        return _token_error("unsupported_grant_type")
    grant = provider.code_redeem(request.POST.get("code", ""))
    if (
        grant is None
        or grant.client_id != client_id
        or grant.redirect_uri != request.POST.get("redirect_uri")
    ):
        return _token_error("invalid_grant")
    if not provider.pkce_matches(request.POST.get("code_verifier", ""), grant.code_challenge):
        return _token_error("invalid_grant")
    return JsonResponse(provider.tokens_issue(grant))


@never_cache
@require_GET
def userinfo(request):
    header = request.headers.get("Authorization", "")
    claims = provider.userinfo(header[7:]) if header.startswith("Bearer ") else None
    if claims is None:
        return JsonResponse({"error": "invalid_token"}, status=401)
    return JsonResponse(claims)

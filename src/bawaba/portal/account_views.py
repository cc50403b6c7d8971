"""Citizen account pages: register, confirm the phone, sign in with password and code, step up."""

from datetime import datetime

from authlib.integrations.base_client.errors import OAuthError
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from joserfc.errors import JoseError

from bawaba.accounts.assurance import Level
from bawaba.accounts.authenticator import (
    AuthenticatorRefused,
    authenticator_begin,
    authenticator_check,
    authenticator_confirm,
    has_authenticator,
)
from bawaba.accounts.certificates import CertificateProblem, CertificateRefused
from bawaba.accounts.delegation import (
    DelegationRefused,
    acting_for_start,
    acting_for_stop,
    delegation_active,
    delegation_given,
    mandate_grant,
    mandate_revoke,
)
from bawaba.accounts.models import LinkedIdentity, User, UserSession
from bawaba.accounts.national_id import InvalidNationalId
from bawaba.accounts.oidc import oidc_client, oidc_sign_in, provider_get, providers
from bawaba.accounts.one_time_codes import CodeRefused
from bawaba.accounts.passkeys import has_passkeys, passkey_list
from bawaba.accounts.permissions import is_staff_member
from bawaba.accounts.phones import InvalidPhone, masked
from bawaba.accounts.problem_words import NATIONAL_ID_ERRORS, PHONE_ERRORS, minutes
from bawaba.accounts.selectors import security_log
from bawaba.accounts.services import (
    SignInProblem,
    SignInRefused,
    certificate_challenge,
    certificate_sign_in,
    certificate_sign_in_offered,
    citizen_register,
    citizen_verify_mobile,
    email_change_confirm,
    email_change_start,
    mobile_change_confirm,
    mobile_change_start,
    password_change,
    password_reset_finish,
    password_reset_start,
    sign_in_code_check,
    sign_in_code_issue,
    sign_in_password,
    staff_sign_in_password,
)
from bawaba.accounts.session_assurance import (
    SESSION_KEY,
    session_add_method,
    session_level,
    session_sign_in,
    session_sign_out,
    sessions_end_all_others,
)
from bawaba.catalogue.selectors import service_list
from bawaba.core.ratelimit import Limit, hit

from . import account_messages
from .account_forms import (
    AUTHENTICATOR_ERRORS,
    CERTIFICATE_ERRORS,
    DELEGATION_ERRORS,
    SECURITY_LABELS,
    SIGN_IN_ERRORS,
    STAFF_WRONG,
    CertificateForm,
    CodeForm,
    EmailChangeForm,
    MandateForm,
    MobileChangeForm,
    PasswordChangeForm,
    PasswordForgottenForm,
    PasswordResetForm,
    RegisterForm,
    SignInForm,
    StaffSignInForm,
    refusal,
)
from .apply_views import drafts_in_progress

PENDING = "bawaba_pending_code"
CHALLENGE_KEY = "bawaba_certificate_challenge"
OIDC_NEXT = "bawaba_oidc_next"
RESET_LIMIT = Limit("password-reset-address", attempts=20, window_seconds=3600)
AUTHENTICATOR_KEY = "bawaba_authenticator_set_up"


def _next_url(request, fallback: str = "portal:home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(fallback)


def _code_error(form: CodeForm, refused: CodeRefused) -> None:
    form.add_error("code", refusal(refused))


def _await_code(request, code, purpose: str, **extra) -> None:
    """Remember which code this browser is waiting for, and for what."""
    request.session[PENDING] = {
        "record": str(code.record_uuid),
        "purpose": purpose,
        "to": code.destination,
        **extra,
    }


@require_http_methods(["GET", "POST"])
def register(request):
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                code = citizen_register(
                    national_id=data["national_id"],
                    mobile=data["mobile"],
                    password=data["password"],
                    email=data["email"],
                    language=request.LANGUAGE_CODE,
                    today=timezone.localdate(),
                )
                account_messages.send(code)
        except InvalidNationalId as exc:
            form.add_error("national_id", NATIONAL_ID_ERRORS[exc.problem])
        except InvalidPhone as exc:
            form.add_error("mobile", PHONE_ERRORS[exc.problem])
        except ValidationError as exc:
            form.add_error("password", exc)
        except CodeRefused as exc:
            form.add_error("mobile", refusal(exc))
        else:
            _await_code(request, code, "verify")
            return redirect("portal:verify_mobile")
    return render(request, "portal/account/register.html", {"form": form})


@require_http_methods(["GET", "POST"])
def verify_mobile(request):
    pending = request.session.get(PENDING)
    if not pending or pending["purpose"] != "verify":
        return redirect("portal:register")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = citizen_verify_mobile(record_uuid=pending["record"], attempt=form.cleaned_data["code"])
        except CodeRefused as exc:
            _code_error(form, exc)
        else:
            del request.session[PENDING]
            session_sign_in(request, user=user, methods=["password", "password+sms"])
            return redirect("portal:home")
    return render(
        request,
        "portal/account/code.html",
        {"form": form, "title": _("Confirm your mobile number"), "to": masked(pending["to"])},
    )


@require_http_methods(["GET", "POST"])
def sign_in(request):
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        address = request.META.get("REMOTE_ADDR", "")
        try:
            user = sign_in_password(
                request,
                national_id=form.cleaned_data["national_id"],
                password=form.cleaned_data["password"],
                address=address,
            )
            with transaction.atomic():
                code = sign_in_code_issue(user=user)
                account_messages.send(code)
        except SignInRefused as exc:
            form.add_error(None, SIGN_IN_ERRORS[exc.problem] % {"minutes": minutes(exc.retry_after)})
        except CodeRefused as exc:
            form.add_error(None, refusal(exc))
        else:
            _await_code(request, code, "sign-in", user=str(user.uuid), next=_next_url(request))
            return redirect("portal:sign_in_code")
    return render(
        request,
        "portal/account/sign_in.html",
        {"form": form, "next": _next_url(request), "providers": providers()},
    )


@require_http_methods(["GET"])
def oidc_start(request, provider: str):
    chosen = provider_get(provider)
    if chosen is None:
        raise Http404
    request.session[OIDC_NEXT] = _next_url(request)
    callback = request.build_absolute_uri(reverse("portal:oidc_callback", args=[chosen.key]))
    try:
        return oidc_client(chosen).authorize_redirect(request, callback)
    except (OSError, ValueError):
        return render(
            request, "portal/account/oidc_error.html", {"provider": chosen, "unreachable": True}, status=502
        )


@require_http_methods(["GET"])
def oidc_callback(request, provider: str):
    chosen = provider_get(provider)
    if chosen is None:
        raise Http404
    if request.GET.get("error"):  # the citizen cancelled, or the provider refused
        return render(
            request, "portal/account/oidc_error.html", {"provider": chosen, "cancelled": True}, status=400
        )
    try:
        token = oidc_client(chosen).authorize_access_token(request)
        user = oidc_sign_in(provider=chosen, claims=dict(token["userinfo"]))
    except (OAuthError, JoseError, KeyError, ValueError, OSError):
        # A tampered state, a replayed or forged code, a bad signature or nonce: nothing is signed in.
        return render(request, "portal/account/oidc_error.html", {"provider": chosen}, status=400)
    next_url = request.session.pop(OIDC_NEXT, reverse("portal:home"))
    session_sign_in(request, user=user, methods=[chosen.method])
    return redirect(next_url)


@require_http_methods(["GET", "POST"])
def certificate_sign_in_page(request):
    """Sign a fresh challenge with a digital-signature certificate (high assurance)."""
    if not certificate_sign_in_offered():
        raise Http404
    form = CertificateForm(request.POST or None)
    pending = request.session.pop(CHALLENGE_KEY, None) if request.method == "POST" else None
    if request.method == "POST" and form.is_valid():
        try:
            if pending is None:
                raise CertificateRefused(CertificateProblem.BAD_SIGNATURE)
            user = certificate_sign_in(
                challenge=pending["text"],
                issued_at=datetime.fromisoformat(pending["issued_at"]),
                signature_b64=form.cleaned_data["signature"],
                chain_pem=form.cleaned_data["certificate"].encode(),
            )
        except CertificateRefused as exc:
            form.add_error(None, CERTIFICATE_ERRORS[exc.problem])
        else:
            session_sign_in(request, user=user, methods=["certificate"])
            return redirect(_next_url(request))
    # Every showing of the page gets a new challenge: a signature is good for one attempt only.
    challenge = certificate_challenge()
    request.session[CHALLENGE_KEY] = {"text": challenge, "issued_at": timezone.now().isoformat()}
    return render(
        request,
        "portal/account/certificate.html",
        {"form": form, "challenge": challenge, "next": _next_url(request)},
    )


@require_http_methods(["GET", "POST"])
def password_forgotten(request):
    form = PasswordForgottenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        address = request.META.get("REMOTE_ADDR", "")
        verdict = hit(RESET_LIMIT, address)
        if not verdict.allowed:
            form.add_error(
                None,
                SIGN_IN_ERRORS[SignInProblem.TOO_MANY_FROM_HERE] % {"minutes": minutes(verdict.retry_after)},
            )
        else:
            try:
                with transaction.atomic():
                    code = password_reset_start(national_id=form.cleaned_data["national_id"])
                    account_messages.send(code)
            except CodeRefused as exc:
                form.add_error(None, refusal(exc))
            else:
                request.session[PENDING] = {"record": str(code.record_uuid), "purpose": "reset"}
                return redirect("portal:password_reset")
    return render(
        request,
        "portal/account/form_page.html",
        {
            "form": form,
            "title": _("Forgotten your password?"),
            "intro": _(
                "Enter your national ID number. If it has an account, we send a code to its mobile number."
            ),
        },
    )


@require_http_methods(["GET", "POST"])
def password_reset(request):
    pending = request.session.get(PENDING)
    if not pending or pending["purpose"] != "reset":
        return redirect("portal:password_forgotten")
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            password_reset_finish(
                record_uuid=pending["record"],
                attempt=form.cleaned_data["code"],
                new_password=form.cleaned_data["password"],
            )
        except CodeRefused as exc:
            _code_error(form, exc)
        except ValidationError as exc:
            form.add_error("password", exc)
        else:
            del request.session[PENDING]
            return redirect("portal:sign_in")
    return render(
        request,
        "portal/account/form_page.html",
        {
            "form": form,
            "title": _("Choose a new password"),
            "intro": _(
                "If the national ID number you gave has an account, we sent a code by SMS to its mobile number."
            ),
        },
    )


@require_http_methods(["GET", "POST"])
def staff_sign_in(request):
    """Staff: user name and password, then a code. There is no way past the code."""
    form = StaffSignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        address = request.META.get("REMOTE_ADDR", "")
        try:
            user = staff_sign_in_password(
                request,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                address=address,
            )
            if not is_staff_member(user) or not (user.mobile_verified_at or has_authenticator(user)):
                raise SignInRefused(SignInProblem.WRONG)
            code = None
            if user.mobile_verified_at:
                with transaction.atomic():
                    code = sign_in_code_issue(user=user)
                    account_messages.send(code)
        except SignInRefused as exc:
            errors = {**SIGN_IN_ERRORS, SignInProblem.WRONG: STAFF_WRONG}
            form.add_error(None, errors[exc.problem] % {"minutes": minutes(exc.retry_after)})
        except CodeRefused as exc:
            form.add_error(None, refusal(exc))
        else:
            request.session[PENDING] = {
                "record": str(code.record_uuid) if code else "",
                "purpose": "staff-sign-in",
                "user": str(user.uuid),
                "to": code.destination if code else "",
                "next": _next_url(request, "backoffice:home"),
            }
            return redirect("portal:sign_in_code")
    return render(
        request,
        "portal/account/staff_sign_in.html",
        {"form": form, "next": _next_url(request, "backoffice:home")},
    )


@require_http_methods(["GET", "POST"])
def sign_in_code(request):
    pending = request.session.get(PENDING)
    if not pending or pending["purpose"] not in ("sign-in", "staff-sign-in", "step-up"):
        return redirect("portal:sign_in")
    user = User.objects.get(uuid=pending["user"])
    use_app = request.POST.get("method") == "authenticator"
    form = CodeForm(request.POST if request.method == "POST" and not use_app else None)
    app_form = CodeForm(request.POST if use_app else None, prefix="app") if has_authenticator(user) else None
    if request.method == "POST" and request.POST.get("skip") and pending["purpose"] == "sign-in":
        del request.session[PENDING]
        session_sign_in(request, user=user, methods=["password"])
        return redirect(pending["next"])
    submitted = app_form if use_app else (form if pending["record"] else None)
    if request.method == "POST" and submitted is not None and submitted.is_valid():
        try:
            if use_app:
                authenticator_check(user=user, code=submitted.cleaned_data["code"])
            else:
                sign_in_code_check(
                    record_uuid=pending["record"], attempt=form.cleaned_data["code"], user=user
                )
        except CodeRefused as exc:
            _code_error(form, exc)
        except AuthenticatorRefused as exc:
            submitted.add_error(
                "code", AUTHENTICATOR_ERRORS[exc.problem] % {"minutes": minutes(exc.retry_after)}
            )
        else:
            del request.session[PENDING]
            method = "password+totp" if use_app else "password+sms"
            if pending["purpose"] == "step-up":
                session_add_method(request, method)
            else:
                session_sign_in(request, user=user, methods=["password", method])
            return redirect(pending["next"])
    return render(
        request,
        "portal/account/code.html",
        {
            "form": form,
            "title": _("Enter the code we sent you"),
            "to": masked(pending["to"]) if pending["to"] else "",
            "can_skip": pending["purpose"] == "sign-in",
            "app_form": app_form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def step_up(request):
    """A service needs more assurance than this session holds: prove it is you again."""
    required = Level.named(request.GET.get("level", "substantial"))
    next_url = _next_url(request)
    if session_level(request) >= required:
        return redirect(next_url)
    passkeys = has_passkeys(request.user)
    if required > Level.SUBSTANTIAL or not (request.user.mobile_verified_at or passkeys):
        return render(request, "portal/account/step_up_high.html", {"next": next_url}, status=403)
    context = {"next": next_url, "passkeys": passkeys}
    context["to"] = masked(request.user.mobile) if request.user.mobile_verified_at else ""
    if request.method == "POST" and context["to"]:
        try:
            with transaction.atomic():
                code = sign_in_code_issue(user=request.user)
                account_messages.send(code)
        except CodeRefused as exc:
            return render(request, "portal/account/step_up.html", {**context, "error": refusal(exc)})
        _await_code(request, code, "step-up", user=str(request.user.uuid), next=next_url)
        return redirect("portal:sign_in_code")
    return render(request, "portal/account/step_up.html", context)


@require_http_methods(["POST"])
def sign_out(request):
    session_sign_out(request)
    return redirect("portal:home")


@login_required
def account(request):
    user = request.user
    return render(
        request,
        "portal/account/account.html",
        {
            "sessions": UserSession.objects.filter(user=user, ended_at=None)[:20],
            "current_session": request.session.get(SESSION_KEY),
            "security_log": [
                (entry, SECURITY_LABELS.get(entry.action, entry.action)) for entry in security_log(user=user)
            ],
            "level": session_level(request),
            "mobile": masked(user.mobile) if user.mobile else "",
            "has_authenticator": has_authenticator(user),
            "passkeys": passkey_list(user=user) if user.national_id else None,
            "linked": [
                (provider_get(link.provider), link) for link in LinkedIdentity.objects.filter(user=user)
            ],
            "delegations_held": delegation_active(agent=user),
            "mandates_given": delegation_given(principal=user),
            "drafts": drafts_in_progress(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def authenticator_set_up(request):
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            authenticator_confirm(user=request.user, code=form.cleaned_data["code"])
        except AuthenticatorRefused as exc:
            form.add_error("code", AUTHENTICATOR_ERRORS[exc.problem] % {"minutes": minutes(exc.retry_after)})
        else:
            request.session.pop(AUTHENTICATOR_KEY, None)
            return redirect("portal:account")
    if request.method == "GET" or AUTHENTICATOR_KEY not in request.session:
        try:
            request.session[AUTHENTICATOR_KEY] = authenticator_begin(user=request.user)
        except AuthenticatorRefused:
            return redirect("portal:account")
    key, qr = request.session[AUTHENTICATOR_KEY]
    return render(request, "portal/account/authenticator.html", {"form": form, "key": key, "qr": qr})


@login_required
@require_http_methods(["GET", "POST"])
def password_change_page(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                notice = password_change(
                    user=request.user, current=form.cleaned_data["current"], new=form.cleaned_data["password"]
                )
                if notice:
                    account_messages.send(notice)
        except SignInRefused:
            form.add_error("current", _("This is not your current password."))
        except ValidationError as exc:
            form.add_error("password", exc)
        else:
            update_session_auth_hash(request, request.user)  # this session stays; every other one ends
            return redirect("portal:account")
    return render(
        request, "portal/account/form_page.html", {"form": form, "title": _("Change your password")}
    )


def _contact_change(request, *, purpose: str, form_class, start, confirm, titles: tuple[str, str], errors):
    """Change a mobile number or an e-mail address: a code to the new one, then the switch.

    `errors` maps an exception the start step may raise to the words for it under the field.
    """
    field = next(iter(form_class.base_fields))
    pending = request.session.get(PENDING)
    if pending and pending.get("purpose") == purpose:
        form = CodeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                with transaction.atomic():
                    notice = confirm(
                        user=request.user, record_uuid=pending["record"], attempt=form.cleaned_data["code"]
                    )
                    if notice:
                        account_messages.send(notice)
            except CodeRefused as exc:
                _code_error(form, exc)
            else:
                del request.session[PENDING]
                return redirect("portal:account")
        return render(
            request, "portal/account/code.html", {"form": form, "title": titles[1], "to": pending["to"]}
        )
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                code = start(user=request.user, **{field: form.cleaned_data[field]})
                account_messages.send(code)
        except CodeRefused as exc:
            form.add_error(field, refusal(exc))
        except tuple(errors) as exc:
            form.add_error(field, errors[type(exc)](exc))
        else:
            request.session[PENDING] = {
                "record": str(code.record_uuid),
                "purpose": purpose,
                "to": masked(code.destination) if field == "mobile" else code.destination,
            }
            return redirect(request.path)
    return render(request, "portal/account/form_page.html", {"form": form, "title": titles[0]})


@login_required
@require_http_methods(["GET", "POST"])
def mobile_change_page(request):
    if session_level(request) < Level.SUBSTANTIAL:
        query = urlencode({"level": "substantial", "next": request.get_full_path()})
        return redirect(f"{reverse('portal:step_up')}?{query}")
    return _contact_change(
        request,
        purpose="change-mobile",
        form_class=MobileChangeForm,
        start=mobile_change_start,
        confirm=mobile_change_confirm,
        titles=(_("Change your mobile number"), _("Confirm your new mobile number")),
        errors={InvalidPhone: lambda exc: PHONE_ERRORS[exc.problem]},
    )


@login_required
@require_http_methods(["GET", "POST"])
def email_change_page(request):
    return _contact_change(
        request,
        purpose="change-email",
        form_class=EmailChangeForm,
        start=email_change_start,
        confirm=email_change_confirm,
        titles=(_("Change your e-mail address"), _("Enter the code we sent to your new e-mail address")),
        errors={},
    )


@login_required
@require_http_methods(["GET", "POST"])
def mandate_new(request):
    services = [(s.code, s.name) for s in service_list()]
    form = MandateForm(request.POST or None, services=services)
    if request.method == "POST" and form.is_valid():
        try:
            mandate_grant(
                principal=request.user,
                agent_national_id=form.cleaned_data["agent_national_id"],
                services=form.cleaned_data["services"],
                expires_on=form.cleaned_data["expires_on"],
            )
        except DelegationRefused as exc:
            field = "expires_on" if exc.problem == "expiry-in-the-past" else "agent_national_id"
            form.add_error(field, DELEGATION_ERRORS[exc.problem])
        else:
            return redirect("portal:account")
    return render(
        request, "portal/account/form_page.html", {"form": form, "title": _("Let someone act for you")}
    )


@login_required
@require_http_methods(["POST"])
def mandate_revoke_view(request, delegation: str):
    try:
        mandate_revoke(principal=request.user, delegation_uuid=delegation)
    except DelegationRefused as exc:
        raise Http404 from exc
    return redirect("portal:account")


@login_required
@require_http_methods(["POST"])
def acting_for_view(request):
    if request.POST.get("stop"):
        acting_for_stop(request)
    else:
        try:
            acting_for_start(request, delegation_uuid=request.POST.get("delegation", ""))
        except DelegationRefused as exc:
            raise Http404 from exc
    return redirect("portal:home")


@login_required
@require_http_methods(["POST"])
def sign_out_everywhere(request):
    sessions_end_all_others(request)
    return redirect("portal:account")

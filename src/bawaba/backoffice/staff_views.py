"""Staff management by an agency's administrators: list, add, roles, deactivate. The services check it all."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bawaba.accounts.one_time_codes import CodeRefused
from bawaba.accounts.permissions import can_manage_agency_staff
from bawaba.accounts.phones import InvalidPhone, masked
from bawaba.accounts.problem_words import PHONE_ERRORS, TOO_MANY_CODES, minutes
from bawaba.accounts.staff import (
    StaffRefused,
    agency_staff,
    agency_staff_member,
    staff_activation_resend,
    staff_member_add,
    staff_member_deactivate,
    staff_member_reactivate,
    staff_role_grant,
    staff_role_withdraw,
)

from . import messages as texts
from .access import AgencyShown, agency_page
from .forms import STAFF_ERRORS, RoleGrantForm, StaffAddForm

admin_page = agency_page(can_manage_agency_staff)


def _member(request, agency: AgencyShown, member: str):
    entry = agency_staff_member(viewer=request.user, agency=agency.code, member_uuid=member)
    if entry is None:
        raise Http404
    return entry


def _code_sent(request, code) -> None:
    messages.success(
        request,
        _("We sent an activation code by SMS to %(mobile)s. It works for %(hours)s hours.")
        % {"mobile": masked(code.to), "hours": settings.BAWABA_ACTIVATION_CODE_TTL_HOURS},
    )


@admin_page
@require_http_methods(["GET"])
def staff_list(request, agency: AgencyShown):
    return render(
        request,
        "backoffice/staff/list.html",
        {"agency": agency, "staff": agency_staff(viewer=request.user, agency=agency.code)},
    )


@admin_page
@require_http_methods(["GET", "POST"])
def staff_add(request, agency: AgencyShown):
    form = StaffAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                member, code = staff_member_add(
                    actor=request.user,
                    agency=agency.code,
                    username=data["username"],
                    full_name=data["full_name"],
                    mobile=data["mobile"],
                    email=data["email"],
                    roles=data["roles"],
                    office=data["office"],
                    language=data["language"],
                )
                texts.send_activation_code(request, code)
        except StaffRefused as exc:
            field, words = STAFF_ERRORS[exc.problem]
            form.add_error(field, words)
        except InvalidPhone as exc:
            form.add_error("mobile", PHONE_ERRORS[exc.problem])
        except ValidationError as exc:
            form.add_error("email", exc)
        except CodeRefused as exc:
            form.add_error("mobile", TOO_MANY_CODES % {"minutes": minutes(exc.retry_after)})
        else:
            _code_sent(request, code)
            return redirect("backoffice:staff_member", agency.code, member.uuid)
    return render(request, "backoffice/staff/add.html", {"agency": agency, "form": form})


def _member_page(request, agency: AgencyShown, entry, *, grant_form=None, status: int = 200):
    return render(
        request,
        "backoffice/staff/member.html",
        {
            "agency": agency,
            "entry": entry,
            "mobile": masked(entry.user.mobile) if entry.user.mobile else "",
            "grant_form": grant_form or RoleGrantForm(),
            "is_self": entry.user.pk == request.user.pk,
        },
        status=status,
    )


@admin_page
@require_http_methods(["GET"])
def staff_member(request, agency: AgencyShown, member):
    return _member_page(request, agency, _member(request, agency, member))


@admin_page
@require_http_methods(["POST"])
def staff_grant(request, agency: AgencyShown, member):
    entry = _member(request, agency, member)
    form = RoleGrantForm(request.POST)
    if form.is_valid():
        try:
            staff_role_grant(
                actor=request.user,
                agency=agency.code,
                member=entry.user,
                role=form.cleaned_data["role"],
                office=form.cleaned_data["office"],
            )
        except StaffRefused as exc:
            field, words = STAFF_ERRORS[exc.problem]
            form.add_error("role" if field in ("roles", "role") else None, words)
        else:
            messages.success(request, _("The role was given."))
            return redirect("backoffice:staff_member", agency.code, entry.user.uuid)
    return _member_page(request, agency, entry, grant_form=form, status=400)


def _act(request, agency: AgencyShown, member, action, done: str):
    """Run one of the member-page buttons; a refusal is shown on the member page."""
    entry = _member(request, agency, member)
    try:
        action(actor=request.user, agency=agency.code, member=entry.user)
    except StaffRefused as exc:
        messages.error(request, STAFF_ERRORS[exc.problem][1])
    else:
        messages.success(request, done)
    return entry


@admin_page
@require_http_methods(["POST"])
def staff_withdraw(request, agency: AgencyShown, member):
    role, office = request.POST.get("role", ""), request.POST.get("office", "")

    def withdraw(**kwargs):
        staff_role_withdraw(role=role, office=office, **kwargs)

    entry = _act(request, agency, member, withdraw, _("The role was withdrawn."))
    # Without roles here the member is no longer on this agency's list.
    if agency_staff_member(viewer=request.user, agency=agency.code, member_uuid=entry.user.uuid) is None:
        return redirect("backoffice:staff_list", agency.code)
    return redirect("backoffice:staff_member", agency.code, entry.user.uuid)


@admin_page
@require_http_methods(["POST"])
def staff_deactivate(request, agency: AgencyShown, member):
    entry = _act(
        request,
        agency,
        member,
        staff_member_deactivate,
        _("The account is deactivated and every session it had has ended."),
    )
    return redirect("backoffice:staff_member", agency.code, entry.user.uuid)


@admin_page
@require_http_methods(["POST"])
def staff_reactivate(request, agency: AgencyShown, member):
    entry = _act(request, agency, member, staff_member_reactivate, _("The account is active again."))
    return redirect("backoffice:staff_member", agency.code, entry.user.uuid)


@admin_page
@require_http_methods(["POST"])
def staff_resend(request, agency: AgencyShown, member):
    entry = _member(request, agency, member)
    try:
        with transaction.atomic():
            code = staff_activation_resend(actor=request.user, agency=agency.code, member=entry.user)
            texts.send_activation_code(request, code)
    except StaffRefused as exc:
        messages.error(request, STAFF_ERRORS[exc.problem][1])
    except CodeRefused as exc:
        messages.error(request, TOO_MANY_CODES % {"minutes": minutes(exc.retry_after)})
    else:
        _code_sent(request, code)
    return redirect("backoffice:staff_member", agency.code, entry.user.uuid)

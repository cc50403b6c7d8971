"""The staff home page, and the public page where a new staff member activates their account."""

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bawaba.accounts import permissions
from bawaba.accounts.one_time_codes import CodeRefused
from bawaba.accounts.problem_words import TOO_MANY_FROM_HERE, minutes
from bawaba.accounts.services import SignInRefused
from bawaba.accounts.session_assurance import session_level
from bawaba.accounts.staff import staff_activate, staff_roles
from bawaba.payments.counter import can_oversee_counter_shifts, can_take_counter_payments

from .access import agency_shown, staff_page
from .forms import ACTIVATION_CODE_ERRORS, ActivateForm


def _agency_links(user, code: str) -> list[tuple[str, str]]:
    """What the member's roles in one agency let them do, as (address, words)."""
    links = []
    if permissions.can_work_on_agency_cases(user, agency=code):
        links.append((reverse("backoffice:queue", args=[code]), _("Applications: the work queue")))
    if permissions.can_supervise_agency(user, agency=code):
        links.append((reverse("backoffice:team", args=[code]), _("Team and time limits")))
    if permissions.can_manage_agency_staff(user, agency=code):
        links.append((reverse("backoffice:staff_list", args=[code]), _("Staff of this agency")))
    if permissions.can_record_child_delegations(user, agency=code):
        links.append(
            (reverse("backoffice:child_new", args=[code]), _("Record a parent or guardian of a minor child"))
        )
    if permissions.can_record_company_delegations(user, agency=code):
        links.append(
            (reverse("backoffice:company_new", args=[code]), _("Record a representative of a company"))
        )
    if permissions.can_see_agency_delegations(user, agency=code):
        links.append(
            (reverse("backoffice:delegation_list", args=[code]), _("Delegations recorded by this agency"))
        )
    if can_take_counter_payments(user, agency=code):
        links.append((reverse("backoffice:counter"), _("Service-centre counter: your shift and payments")))
    return links


@staff_page
def home(request):
    user = request.user
    roles = staff_roles(user=user)
    agencies = [
        {"agency": agency_shown(code), "memberships": memberships, "links": _agency_links(user, code)}
        for code, memberships in roles.items()
        if code
    ]
    platform_links = []
    if permissions.can_use_django_admin(user, session_level=session_level(request)):
        platform_links.append((reverse("admin:index"), _("Platform administration")))
    if can_oversee_counter_shifts(user):
        platform_links.append(
            (reverse("backoffice:counter_shifts"), _("Counter shifts of every service centre"))
        )
    if permissions.can_reconcile_payments(user):
        platform_links.append((reverse("backoffice:settlements"), _("Finance: settlement reconciliation")))
    if permissions.can_manage_notifications(user):
        platform_links.append((reverse("backoffice:notifications"), _("Notifications: messages sent")))
        platform_links.append(
            (reverse("backoffice:notification_templates"), _("Notifications: the wording of each notice"))
        )
    return render(
        request,
        "backoffice/home.html",
        {"agencies": agencies, "platform_roles": roles.get("", []), "platform_links": platform_links},
    )


@require_http_methods(["GET", "POST"])
def activate(request):
    """Public: the member proves the phone their administrator gave with the code, and chooses a password."""
    form = ActivateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            staff_activate(
                username=data["username"],
                attempt=data["code"],
                password=data["password"],
                address=request.META.get("REMOTE_ADDR", ""),
            )
        except SignInRefused as exc:
            form.add_error(None, TOO_MANY_FROM_HERE % {"minutes": minutes(exc.retry_after)})
        except ValidationError as exc:
            form.add_error("password", exc)
        except CodeRefused as exc:
            form.add_error(
                "code", ACTIVATION_CODE_ERRORS[exc.problem] % {"minutes": minutes(exc.retry_after)}
            )
        else:
            return redirect("backoffice:activated")
    return render(request, "backoffice/activate.html", {"form": form})


@require_http_methods(["GET"])
def activated(request):
    return render(request, "backoffice/activated.html", {"next": reverse("backoffice:home")})

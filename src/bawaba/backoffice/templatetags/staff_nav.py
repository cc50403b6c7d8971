"""The staff navigation bar: the tasks the signed-in member's roles allow, agency by agency."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from bawaba.accounts.permissions import (
    can_manage_agency_staff,
    can_reconcile_payments,
    can_see_agency_delegations,
    can_work_on_agency_cases,
    is_staff_member,
)
from bawaba.accounts.staff import staff_roles
from bawaba.payments.counter import can_take_counter_payments

from ..access import agency_shown
from ..refund_views import can_see_refunds

register = template.Library()


@register.inclusion_tag("backoffice/includes/nav.html", takes_context=True)
def staff_navigation(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not is_staff_member(user):
        return {"links": []}
    home = reverse("backoffice:home")
    links = [(home, _("Staff home"))]
    if can_take_counter_payments(user):
        links.append((reverse("backoffice:counter"), _("Counter")))
    if can_reconcile_payments(user):
        links.append((reverse("backoffice:settlements"), _("Finance")))
    for code in staff_roles(user=user):
        if not code:
            continue
        agency = agency_shown(code)
        if can_work_on_agency_cases(user, agency=code):
            url = reverse("backoffice:queue", args=[code])
            links.append((url, _("Applications: %(agency)s") % {"agency": agency.short_name}))
        if can_see_refunds(user, agency=code):
            url = reverse("backoffice:refunds", args=[code])
            links.append((url, _("Refunds: %(agency)s") % {"agency": agency.short_name}))
        if can_manage_agency_staff(user, agency=code):
            url = reverse("backoffice:staff_list", args=[code])
            links.append((url, _("Staff: %(agency)s") % {"agency": agency.short_name}))
        if can_see_agency_delegations(user, agency=code):
            url = reverse("backoffice:delegation_list", args=[code])
            links.append((url, _("Delegations: %(agency)s") % {"agency": agency.short_name}))
    path = request.path

    def current(url: str) -> str:
        # "page" on the link's own page, "true" on the pages below it (adding, ending…).
        if path == url:
            return "page"
        return "true" if url != home and path.startswith(url) else ""

    return {"links": [(url, label, current(url)) for url, label in links]}

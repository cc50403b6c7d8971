"""Refunds in a real browser, in Arabic and in English: a clerk finds a paid application's payment and asks for
part of it back, another member of staff approves it; the sandbox gateway (its own process) makes it. Every
page is photographed and checked with axe-core."""

import pytest

from bawaba.accounts.models import StaffRole
from bawaba.payments.models import Refund
from bawaba.testing.browser import axe_serious, shot, staff_sign_in

from .helpers import PASSWORD, staff
from .test_refund_pages import grant, paid_application

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_catalogue_live")]


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_a_refund_requested_and_approved_by_two_people(browser, live_server, payment_gateway, lang):
    application, intent = paid_application(payment_gateway)
    agency = application.agency
    clerk = grant(staff("clerk", (StaffRole.OFFICER, agency)), "can_request_refunds")
    approver = grant(staff("approver", (StaffRole.SUPERVISOR, agency)), "can_approve_refunds")
    failures: dict = {}

    def look(page, name: str) -> None:
        serious = axe_serious(page)
        shot(page, f"refunds-{name}-{lang}")
        if serious:
            failures[name] = serious

    listing = f"{live_server.url}/{lang}/staff/agencies/{agency}/refunds/"
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(listing)
    staff_sign_in(page, username=clerk.username, password=PASSWORD, mobile=clerk.mobile)
    page.wait_for_url(listing)
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    look(page, "list-empty")
    page.fill("#id_q", "BWB-1999-000001")
    page.locator("main form[role=search] button[type=submit]").click()
    assert page.locator("#error-summary").is_visible()
    look(page, "not-found")
    page.fill("#id_q", application.reference)
    page.locator("main form[role=search] button[type=submit]").click()
    look(page, "found")
    page.locator(f"main a[href$='/refunds/payments/{intent.uuid}/']").click()
    page.wait_for_url(f"**/refunds/payments/{intent.uuid}/")
    assert page.input_value("#id_amount") == "485.00"  # the whole amount unless changed
    page.fill("#id_amount", "100")
    page.locator("main form button[type=submit]").click()
    assert page.locator("#error-summary").is_visible()  # no reason given
    look(page, "request-errors")
    page.fill("#id_reason", "دفع الرسوم مرتين" if lang == "ar" else "The fee was paid twice")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(listing)
    look(page, "requested")
    context.close()

    refund = Refund.objects.get()
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(listing)
    staff_sign_in(page, username=approver.username, password=PASSWORD, mobile=approver.mobile)
    page.wait_for_url(listing)
    look(page, "awaiting")
    page.locator(f"main a[href$='/refunds/{refund.uuid}/']").click()
    look(page, "decide")
    page.fill("#id_note", "تمت المراجعة" if lang == "ar" else "Checked with the receipt")
    page.locator("main button[value=approve]").click()
    page.wait_for_url(listing)
    look(page, "approved")
    context.close()

    refund.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED and refund.amount == 10000
    assert not failures, failures

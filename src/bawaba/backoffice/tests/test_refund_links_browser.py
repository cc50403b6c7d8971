"""A counter payment refunded in cash, in a real browser, in Arabic and in English: a clerk goes from the paid
application's page to the refund request (the menu leads to refunds too); a supervisor who keeps a drawer is
refused until their shift is open, then approves and pays it out of that shift; the counter, the close page, the
closed shift and the finance list show the cash refunded. Every page is photographed and checked with
axe-core."""

from datetime import date

import pytest

from bawaba.accounts.models import StaffRole, User
from bawaba.cases.counter_payments import fee_at_counter_take
from bawaba.cases.models import Application
from bawaba.cases.tests.test_flagship_forms import COMPLETE
from bawaba.cases.tests.test_services import submit
from bawaba.events.models import Event
from bawaba.events.tasks import deliver_event
from bawaba.payments.counter import shift_open
from bawaba.payments.models import Refund, Shift
from bawaba.testing.browser import axe_serious, shot, staff_sign_in

from .helpers import PASSWORD, staff
from .test_refund_pages import grant

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_catalogue_live")]

RENEWAL = "traffic.vehicle-licence.renew"
WORDS = {
    "ar": {"refunds": "المبالغ المردودة:", "no_shift": "افتح ورديتك على الشباك", "refunded": "100 ج.م"},
    "en": {"refunds": "Refunds:", "no_shift": "open your counter shift", "refunded": "EGP 100"},
}


def paid_at_counter() -> Application:
    amina = User.objects.create_user(
        "amina",
        national_id="29103090104240",
        birth_date=date(1991, 3, 9),
        mobile="+201012345678",
        first_name="Amina",
        last_name="Hassan",
    )
    application = submit(amina, code=RENEWAL, answers=COMPLETE[RENEWAL])
    cashier = staff("cashier", (StaffRole.CENTRE_AGENT, application.agency))
    shift_open(agent=cashier, centre="Giza Centre 2", opening_float=0, currency="EGP")
    fee_at_counter_take(
        application=application,
        agent=cashier,
        owed_seen=application.fees_due,
        method="cash",
        received=application.fees_due,
    )
    for event in Event.objects.filter(name="payment.succeeded"):
        deliver_event.call(event_id=event.pk, subscriber="cases.application-paid")
    return Application.objects.get(pk=application.pk)


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_a_cash_refund_reached_from_the_application_and_paid_out_of_a_shift(browser, live_server, lang):
    application = paid_at_counter()
    agency, words, failures = application.agency, WORDS[lang], {}
    clerk = grant(staff("clerk", (StaffRole.OFFICER, agency)), "can_request_refunds")
    supervisor = grant(
        staff("supervisor", (StaffRole.SUPERVISOR, agency), (StaffRole.CENTRE_AGENT, agency)),
        "can_approve_refunds",
    )
    finance = staff("finance", (StaffRole.FINANCE, ""))

    def look(page, name: str) -> None:
        shot(page, f"refund-links-{name}-{lang}")
        if serious := axe_serious(page):
            failures[name] = serious

    def signed_in_page(user, path: str):
        context = browser.new_context(
            bypass_csp=True,
            locale="ar-EG" if lang == "ar" else "en-GB",
            viewport={"width": 1280, "height": 900},
        )
        page = context.new_page()
        page.goto(f"{live_server.url}{path}")
        staff_sign_in(page, username=user.username, password=PASSWORD, mobile=user.mobile)
        page.wait_for_url(f"**{path}")
        return context, page

    detail = f"/{lang}/staff/agencies/{agency}/applications/{application.uuid}/"
    context, page = signed_in_page(clerk, detail)
    menu = page.locator(f"nav a[href='/{lang}/staff/agencies/{agency}/refunds/']")
    assert words["refunds"] in menu.inner_text()
    look(page, "application-paid")
    page.get_by_test_id("request-refund").click()
    page.wait_for_url("**/refunds/payments/**")
    page.fill("#id_amount", "100")
    page.fill("#id_reason", "دُفعت الرسوم مرتين" if lang == "ar" else "The fee was paid twice")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**/{lang}/staff/agencies/{agency}/refunds/")
    context.close()

    refund = Refund.objects.get()
    decide = f"/{lang}/staff/agencies/{agency}/refunds/{refund.uuid}/"
    context, page = signed_in_page(supervisor, decide)
    look(page, "decide-cash")
    page.locator("main button[value=approve]").click()
    page.wait_for_selector("#error-summary")
    assert words["no_shift"] in page.locator("#error-summary").inner_text()
    look(page, "decide-no-shift")
    page.goto(f"{live_server.url}/{lang}/staff/counter/")
    page.fill("#id_centre", "Giza Centre 1")
    page.fill("#id_opening_float", "500")
    page.get_by_test_id("open-shift").click()
    page.wait_for_selector("[data-testid=shift-totals]")
    page.goto(f"{live_server.url}{decide}")
    page.locator("main button[value=approve]").click()
    page.wait_for_url(f"**/{lang}/staff/agencies/{agency}/refunds/")
    page.goto(f"{live_server.url}{decide}")
    assert "Giza Centre 1" in page.get_by_test_id("paid-out-of").inner_text()
    look(page, "refund-paid-out")
    page.goto(f"{live_server.url}/{lang}/staff/counter/")
    assert words["refunded"] in page.get_by_test_id("shift-totals").inner_text()
    look(page, "counter-home")
    page.get_by_test_id("close-shift").click()
    page.wait_for_selector("[data-testid=expected]")
    assert words["refunded"] in page.get_by_test_id("cash-refunded").inner_text()
    look(page, "close")
    page.fill("#id_counted_cash", "400")
    page.get_by_test_id("close").click()
    page.wait_for_url("**/staff/counter/shifts/**")
    assert words["refunded"] in page.get_by_test_id("cash-refunded").inner_text()
    look(page, "shift-closed")
    context.close()

    context, page = signed_in_page(finance, f"/{lang}/staff/counter/shifts/")
    assert words["refunded"] in page.get_by_test_id("shifts").inner_text()
    look(page, "finance-shifts")
    context.close()

    shift = Shift.objects.get(agent=supervisor)
    assert (shift.cash_refunded, shift.expected_cash, shift.difference) == (10000, 40000, 0)
    assert failures == {}, failures

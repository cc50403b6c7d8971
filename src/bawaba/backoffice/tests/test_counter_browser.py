"""A service-centre agent's shift in a real browser: signing in with a texted code, opening the shift, taking a
vehicle-licence renewal's fee in cash, the printable receipt, and closing the shift with the cash counted.
Once in Arabic, once in English; each page is photographed and checked with axe-core, and the receipt is also
checked as printed (nothing but the receipt on paper)."""

from datetime import date

import pytest

from bawaba.accounts.models import StaffRole, User
from bawaba.cases.models import Application
from bawaba.cases.tests.test_flagship_forms import COMPLETE
from bawaba.cases.tests.test_services import submit
from bawaba.events.models import Event
from bawaba.events.tasks import deliver_event
from bawaba.payments.models import Intent, Shift
from bawaba.testing.browser import axe_serious, shot, staff_sign_in

from .helpers import PASSWORD, staff

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_catalogue_live")]

RENEWAL = "traffic.vehicle-licence.renew"
WORDS = {
    "ar": {"recorded": "سُجّل الدفع", "closed": "أُغلقت ورديتك", "change": "15 ج.م"},
    "en": {"recorded": "Payment recorded", "closed": "Your shift is closed", "change": "EGP 15"},
}


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_an_agent_opens_a_shift_takes_a_fee_in_cash_prints_the_receipt_and_closes(browser, live_server, lang):
    amina = User.objects.create_user(
        "amina",
        national_id="29103090104240",
        birth_date=date(1991, 3, 9),
        mobile="+201012345678",
        first_name="Amina",
        last_name="Hassan",
    )
    application = submit(amina, code=RENEWAL, answers=COMPLETE[RENEWAL])
    agent = staff("centre-agent", (StaffRole.CENTRE_AGENT, application.agency))
    words, failures = WORDS[lang], {}

    def look(page, name: str) -> None:
        shot(page, f"counter-{name}-{lang}")
        if serious := axe_serious(page):
            failures[name] = serious

    context = browser.new_context(
        bypass_csp=True,  # axe is injected as a script
        locale="ar-EG" if lang == "ar" else "en-GB",
        viewport={"width": 1280, "height": 900},
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/{lang}/staff/counter/")
    staff_sign_in(page, username=agent.username, password=PASSWORD, mobile=agent.mobile)
    page.wait_for_url(f"**/{lang}/staff/counter/")

    page.fill("#id_centre", "Giza Centre 1")
    page.fill("#id_opening_float", "100")
    look(page, "open-shift")
    page.get_by_test_id("open-shift").click()
    page.wait_for_selector("[data-testid=shift-totals]")
    look(page, "shift-open")

    page.fill("#id_reference", application.reference)
    page.get_by_test_id("find").click()
    page.wait_for_selector("[data-testid=confirm]")
    assert "485" in page.get_by_test_id("owed").inner_text()
    page.check("input[name=method][value=cash]")
    page.fill("#id_received", "500")
    look(page, "take-payment")
    page.get_by_test_id("confirm").click()
    page.wait_for_url("**/staff/counter/receipts/**")
    intent = Intent.objects.get()
    receipt = page.get_by_test_id("receipt").inner_text()
    assert intent.receipt_number in receipt and application.reference in receipt and "Amina Hassan" in receipt
    assert words["recorded"] in page.locator("main [role=status]").first.inner_text()
    assert words["change"] in page.locator("main [role=status]").first.inner_text()
    look(page, "receipt")
    # On paper: the receipt alone, without the site's header, menus, messages or footer.
    page.emulate_media(media="print")
    for hidden in ("body > header", "body > footer", "nav[aria-label]", "main [role=status]"):
        assert not page.locator(hidden).first.is_visible(), hidden
    assert page.get_by_test_id("receipt").is_visible()
    shot(page, f"counter-receipt-print-{lang}")
    page.emulate_media(media="screen")

    for event in Event.objects.filter(name="payment.succeeded"):
        deliver_event.call(event_id=event.pk, subscriber="cases.application-paid")
    assert Application.objects.get().state == "paid"

    page.goto(f"{live_server.url}/{lang}/staff/counter/")
    page.get_by_test_id("close-shift").click()
    page.wait_for_selector("[data-testid=expected]")
    assert "585" in page.get_by_test_id("expected").inner_text()
    page.fill("#id_counted_cash", "580")
    page.get_by_test_id("close").click()
    page.wait_for_selector("#error-summary")
    look(page, "close-needs-note")
    page.fill("#id_note", "Five pounds missing")
    page.get_by_test_id("close").click()
    page.wait_for_url("**/staff/counter/shifts/**")
    assert words["closed"] in page.locator("main [role=status]").first.inner_text()
    look(page, "shift-closed")
    context.close()

    shift = Shift.objects.get()
    assert (shift.expected_cash, shift.counted_cash, shift.difference) == (58500, 58000, -500)
    assert failures == {}

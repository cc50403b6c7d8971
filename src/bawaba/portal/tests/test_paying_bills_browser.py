"""Paying traffic fines by plate number in a real browser: a plate typed wrongly is refused by name, the
fines are listed, one is left out and the total updated without a script, the card page of the sandbox
gateway takes the payment and the receipt lists the fines paid. In Arabic and in English, each page
photographed and checked with axe-core."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from bawaba.events.models import Event
from bawaba.events.tasks import deliver_event
from bawaba.payments.bills import bills_load
from bawaba.payments.models import Bill
from bawaba.portal.tests.test_paying_browser import PASSWORD, Checks, citizen, pay_with
from bawaba.testing.messages import last_code

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_catalogue_live")]

CODE = "traffic.fine.pay"
SUCCESS = "4242 4242 4242 4242"
WORDS = {
    "ar": {"all": "455 ج.م", "one": "305 ج.م", "receipt": "إيصال الدفع"},
    "en": {"all": "EGP 455", "one": "EGP 305", "receipt": "Payment receipt"},
}


def fines() -> None:
    day = (timezone.localdate() - timedelta(days=10)).isoformat()
    bills_load(
        biller="traffic-fines",
        rows=[
            {
                "reference": reference,
                "account": "قطر1234",
                "holder": "",
                "label_ar": ar,
                "label_en": en,
                "amount": str(amount),
                "currency": "EGP",
                "issued_on": day,
            }
            for reference, ar, en, amount in [
                ("TF-2026-104233", "تجاوز السرعة المقررة — الطريق الدائري", "Speeding, Ring Road", 30000),
                (
                    "TF-2026-118870",
                    "الوقوف في الممنوع — شارع التحرير",
                    "No-parking zone, Tahrir Street",
                    15000,
                ),
            ]
        ],
    )


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_a_citizen_pays_one_of_two_fines_on_a_plate(browser, live_server, payment_gateway, lang):
    person, words, checks = citizen(), WORDS[lang], Checks(lang)
    fines()
    context = browser.new_context(
        bypass_csp=True, locale="ar-EG" if lang == "ar" else "en-GB", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/{lang}/services/{CODE}/")
    page.get_by_test_id("start").click()
    page.wait_for_url(re.compile(rf".*/{lang}/account/sign-in/\?next=.+"))
    page.fill("#id_national_id", person.national_id)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/account/sign-in/code/")
    page.fill("#id_code", last_code(person.mobile))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"**/{lang}/services/{CODE}/start/")
    checks.look(page, "fines-lookup")

    page.fill("#account", "ABC")
    page.get_by_test_id("look-up").click()
    assert page.locator("#account-error").is_visible()
    checks.look(page, "fines-lookup-error")

    page.fill("#account", "ق ط ر ١٢٣٤")
    page.get_by_test_id("look-up").click()
    page.wait_for_selector("[data-testid=bills]")
    assert page.get_by_test_id("total").inner_text().strip() == words["all"]
    checks.look(page, "fines-choose")

    page.locator("input[name=bill][value='TF-2026-118870']").uncheck()
    page.get_by_test_id("update-total").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("total").inner_text().strip() == words["one"]
    page.get_by_test_id("pay").click()
    page.wait_for_url(f"{payment_gateway.url}/pay/**")
    assert "305" in page.locator(".summary").inner_text()
    pay_with(page, SUCCESS)
    page.wait_for_url(re.compile(r".*/account/payments/[0-9a-f-]+/receipt/$"))
    assert words["receipt"] in page.locator("h1").inner_text()
    assert "TF-2026-104233" in page.get_by_test_id("bills-paid").inner_text()
    checks.look(page, "fines-receipt")

    for event in Event.objects.filter(name="payment.succeeded"):
        deliver_event.call(event_id=event.pk, subscriber="payments.bills-paid")
    assert dict(Bill.objects.values_list("reference", "status")) == {
        "TF-2026-104233": "paid",
        "TF-2026-118870": "open",
    }
    context.close()
    assert not checks.failures, checks.failures

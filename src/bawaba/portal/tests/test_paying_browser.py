"""Renewing a vehicle licence and paying for it, in a real browser, on the sandbox gateway's own page.

The citizen signs in, fills the renewal step by step, sees the fees on the review and submits; on the
application's page they press the pay button and land on the gateway (its own process). The first card is
declined: the gateway says so and offers its card form again, and nothing of the application is asked again.
The second card goes through; the signed return brings them back to "Payment received", and once the payment's
event reaches the cases subscriber the application is paid and the pay button gone. Once in Arabic, once in
English; the pages that matter are photographed and checked with axe-core.
"""

import re
from datetime import date

import pytest
from django.utils import timezone

from bawaba.accounts.models import User
from bawaba.cases.models import Application
from bawaba.cases.tests.test_flagship_forms import COMPLETE
from bawaba.events.models import Event
from bawaba.events.tasks import deliver_event
from bawaba.forms.models import Draft
from bawaba.payments.models import Intent
from bawaba.testing.browser import axe_serious, shot
from bawaba.testing.messages import last_code

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_catalogue_live")]

CODE = "traffic.vehicle-licence.renew"
ANSWERS = COMPLETE[CODE]
NATIONAL_ID = ANSWERS["owner_national_id"]  # the demo registries know her car, insurance and inspection
PASSWORD = "Sycamore-ferry-1991"
MOBILE = ANSWERS["mobile"]
SUCCESS, DECLINED = "4242 4242 4242 4242", "4000 0000 0000 0002"
WORDS = {
    "ar": {
        "total": "485 ج.م",
        "declined": "رُفضت البطاقة",
        "received": "استلمنا الدفع",
        "paid": "مدفوع",
    },
    "en": {
        "total": "EGP 485",
        "declined": "The card was declined",
        "received": "Payment received",
        "paid": "Paid",
    },
}


def citizen() -> User:
    return User.objects.create_user(
        f"citizen-{NATIONAL_ID}",
        password=PASSWORD,
        national_id=NATIONAL_ID,
        first_name="Amina",
        last_name="Mahmoud Ali Hassan",
        birth_date=date(1991, 3, 9),
        mobile=MOBILE,
        mobile_verified_at=timezone.now(),
    )


class Checks:
    """A screenshot of each moment, and axe-core's serious findings kept by page."""

    def __init__(self, lang: str):
        self.lang = lang
        self.failures: dict[str, list[str]] = {}

    def look(self, page, name: str) -> None:
        shot(page, f"paying-{name}-{self.lang}")
        if serious := axe_serious(page):
            self.failures[name] = serious


def next_step(page, lang: str, step: str) -> None:
    page.get_by_test_id("next").click()
    page.wait_for_url(f"**/{lang}/services/{CODE}/apply/{step}")


def fill_the_renewal(page, lang: str) -> None:
    """The form's five steps with the complete answers; what the profile prefilled is left as it is."""
    page.wait_for_url(f"**/{lang}/services/{CODE}/apply/step/vehicle/")
    assert NATIONAL_ID in page.get_by_test_id("prefilled-owner_national_id").inner_text()
    assert page.locator("#q-owner_name").input_value(), "prefilled from the profile"
    page.fill("#q-owner_name", ANSWERS["owner_name"])
    page.fill("#q-plate_number", ANSWERS["plate_number"])
    page.fill("#q-chassis_last_digits", ANSWERS["chassis_last_digits"])
    page.check(f"input[name=vehicle_type][value={ANSWERS['vehicle_type']}]")
    page.check("input[name=registered_to_applicant][value=true]")
    next_step(page, lang, "step/licence/")
    page.check(f"input[name=licence_period][value={ANSWERS['licence_period']}]")
    next_step(page, lang, "step/insurance/")
    page.select_option("#q-insurer", ANSWERS["insurer"])
    page.fill("#q-insurance_policy_number", ANSWERS["insurance_policy_number"])
    page.fill("#q-insurance_expiry", ANSWERS["insurance_expiry"])
    next_step(page, lang, "step/delivery/")
    assert page.locator("#q-mobile").input_value() == MOBILE, "prefilled from the account"
    page.check(f"input[name=delivery][value={ANSWERS['delivery']}]")
    # Home delivery brings up the address on the same page, without a script.
    page.get_by_test_id("next").click()
    page.wait_for_selector("#q-delivery_address")
    assert page.url.endswith("/apply/step/delivery/")
    page.select_option("#q-delivery_governorate", ANSWERS["delivery_governorate"])
    page.fill("#q-delivery_address", ANSWERS["delivery_address"])
    next_step(page, lang, "step/declaration/")
    page.check("#q-declaration")
    next_step(page, lang, "review/")


def pay_with(page, card: str) -> None:
    page.fill("#card_number", card)
    page.fill("#expiry", "12/39")
    page.fill("#cvc", "123")
    page.fill("#name", "Amina Hassan")
    page.locator("main form button[type=submit]:not([name=cancel])").click()


def relay_payment_events() -> None:
    for event in Event.objects.filter(name="payment.succeeded"):
        deliver_event.call(event_id=event.pk, subscriber="cases.application-paid")


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_a_citizen_renews_a_vehicle_licence_and_pays_after_a_declined_card(
    browser, live_server, payment_gateway, lang
):
    citizen()
    base = live_server.url
    words = WORDS[lang]
    checks = Checks(lang)
    context = browser.new_context(
        bypass_csp=True,  # axe is injected as a script
        locale="ar-EG" if lang == "ar" else "en-GB",
        viewport={"width": 1280, "height": 900},
    )
    page = context.new_page()

    # From the service's page to its start, signed in on the way with a password and a texted code.
    page.goto(f"{base}/{lang}/services/{CODE}/")
    page.get_by_test_id("start").click()
    page.wait_for_url(re.compile(rf".*/{lang}/account/sign-in/\?next=.+"))
    page.fill("#id_national_id", NATIONAL_ID)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/account/sign-in/code/")
    page.fill("#id_code", last_code(MOBILE))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"**/{lang}/services/{CODE}/start/")
    page.get_by_test_id("start-form").click()
    fill_the_renewal(page, lang)

    # The review shows what is owed, line by line.
    fees = page.get_by_test_id("fees")
    assert fees.locator("tbody tr").count() == 2  # the vehicle type and the home delivery
    assert page.get_by_test_id("fees-total").inner_text().strip() == words["total"]
    checks.look(page, "review-fees")
    page.get_by_test_id("submit").click()
    page.wait_for_url(re.compile(rf".*/{lang}/services/{re.escape(CODE)}/apply/filed/[0-9a-f-]+/$"))
    application = Application.objects.get()
    assert application.state == "awaiting-payment" and application.fees_due == 48500

    # The application's page, waiting for the fee, with the button to pay it.
    application_page = f"{base}/{lang}/account/applications/{application.uuid}/"
    page.goto(application_page)
    pay_button = page.locator(f"form[action$='/applications/{application.uuid}/pay/'] button")
    assert "485" in pay_button.inner_text()
    checks.look(page, "application-to-pay")
    pay_button.click()

    # The gateway's own card page, in the portal's language.
    page.wait_for_url(f"{payment_gateway.url}/pay/**")
    pay_page = page.url
    intent = Intent.objects.get()
    assert f"/pay/{intent.gateway_payment}" in pay_page and f"lang={lang}" in pay_page
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    assert "485" in page.locator(".summary").inner_text()
    checks.look(page, "gateway")

    # A declined card: the gateway says so and offers the card form again, empty, on the same payment.
    pay_with(page, DECLINED)
    page.wait_for_selector("[role=alert]")
    assert page.url == pay_page
    assert words["declined"] in page.locator("[role=alert]").inner_text()
    assert page.locator("#card_number").input_value() == ""
    checks.look(page, "declined")
    assert Application.objects.get().state == "awaiting-payment"

    # The success card: back at the portal through the signed return, on the application's page.
    pay_with(page, SUCCESS)
    page.wait_for_url(application_page)
    assert words["received"] in page.locator("main [role=status]").first.inner_text()
    checks.look(page, "returned")
    # Paid, even before the payment's event has moved the application on: nothing more to pay.
    assert page.locator("form[action$='/pay/']").count() == 0
    assert Intent.objects.count() == 1

    # The payment's event reaches the cases subscriber: the application is paid, nothing more to pay.
    relay_payment_events()
    page.reload()
    assert page.locator("section[aria-labelledby=status-title] .badge-lg").inner_text() == words["paid"]
    assert page.locator("form[action$='/pay/']").count() == 0
    checks.look(page, "paid")
    # The receipt, from the application's page.
    page.locator("a[href*='/receipt/']").click()
    page.wait_for_url("**/receipt/")
    assert Intent.objects.get().receipt_number in page.locator("main").inner_text()
    checks.look(page, "receipt")
    context.close()

    paid = Application.objects.get()
    assert paid.state == "paid" and paid.fees_paid
    assert Application.objects.count() == 1 and Draft.objects.get().submitted, "the form was filled once"
    assert Intent.objects.count() == 1, "the declined card and the good one paid the same payment"
    assert checks.failures == {}

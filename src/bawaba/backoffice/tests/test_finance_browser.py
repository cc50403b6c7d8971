"""Settlement reconciliation in a real browser: payments made on the sandbox gateway's own card page (its own
process), the day reconciled, then a finance officer signs in, reads the runs and a run's findings, is refused a
resolution without a note and resolves one with a note. In Arabic and in English; every page photographed and
checked with axe-core."""

import uuid
from datetime import UTC

import pytest
from django.utils import timezone

from bawaba.accounts.models import StaffRole, User
from bawaba.payments.models import Intent, SettlementMismatch
from bawaba.payments.reconciliation import reconciliation_run
from bawaba.payments.services import intent_open, intent_poll
from bawaba.testing.browser import axe_serious, shot, staff_sign_in

from .helpers import PASSWORD, staff

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

SUCCESS = "4242 4242 4242 4242"
WORDS = {
    "ar": {"title": "مطابقة التسويات", "required": "من دون ملاحظة"},
    "en": {"title": "Settlement reconciliation", "required": "never closed without a note"},
}


def pay_on_the_gateway(page, pay_url: str, back: str) -> None:
    """Pay, and be back at `back` before going on: a navigation still under way would cut the next one short."""
    page.goto(f"{pay_url}?lang=en")
    page.fill("#card_number", SUCCESS)
    page.fill("#expiry", "12/39")
    page.fill("#cvc", "123")
    page.fill("#name", "Amina Hassan")
    page.locator("main form button[type=submit]:not([name=cancel])").click()
    page.wait_for_url(lambda url: url.startswith(back))


def a_day_with_every_finding(page, payment_gateway, live_server):
    payer = User.objects.create_user("payer", mobile="+201001112223")

    def owe(amount: int) -> Intent:
        return intent_open(
            purpose=f"application:{uuid.uuid4()}",
            reference=f"BWB-2026-{amount:06d}",
            description="Vehicle licence renewal",
            payer=payer,
            amount=amount,
            currency="EGP",
            return_url=f"{live_server.url}/en/",
        )

    agreed = owe(48500)
    pay_on_the_gateway(page, agreed.pay_url, live_server.url)
    assert intent_poll(agreed).status == Intent.Status.SUCCEEDED
    held = owe(25000)
    Intent.objects.filter(pk=held.pk).update(amount=30000)  # what we say is owed is not what was paid
    pay_on_the_gateway(page, held.pay_url, live_server.url)
    assert intent_poll(Intent.objects.get(pk=held.pk)).status == Intent.Status.MISMATCH
    stranger = payment_gateway.create(
        amount=9900, merchant_reference="WALK-IN-1", return_url=f"{live_server.url}/en/"
    )
    pay_on_the_gateway(page, stranger["pay_url"], live_server.url)
    Intent.objects.create(
        purpose=f"application:{uuid.uuid4()}",
        reference="BWB-2026-000777",
        payer=payer,
        amount=12000,
        currency="EGP",
        status=Intent.Status.SUCCEEDED,
        gateway="paygw",
        gateway_payment="pay_" + "0" * 24,
        idempotency_key=uuid.uuid4().hex,
        paid_at=timezone.now(),
        paid_amount=12000,
    )
    return reconciliation_run(day=timezone.now().astimezone(UTC).date())


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_a_finance_officer_reads_the_findings_and_resolves_one(browser, live_server, payment_gateway, lang):
    officer = staff("finance-officer", (StaffRole.FINANCE, ""), mobile="+201000000031")
    failures: dict = {}

    def look(page, name: str) -> None:
        shot(page, f"finance-{name}-{lang}")
        if serious := axe_serious(page):
            failures[name] = serious

    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900}, locale="ar-EG")
    page = context.new_page()
    run = a_day_with_every_finding(page, payment_gateway, live_server)
    assert (run.matched_count, run.missing_count, run.extra_count, run.amount_count) == (1, 1, 1, 1)

    page.goto(f"{live_server.url}/{lang}/staff/finance/settlements/")
    staff_sign_in(page, username="finance-officer", password=PASSWORD, mobile=officer.mobile)
    page.wait_for_url(f"{live_server.url}/{lang}/staff/finance/settlements/")
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    assert WORDS[lang]["title"] in page.locator("h1").inner_text()
    look(page, "runs")

    page.locator(f"#runs a[href$='/{run.uuid}/']").click()
    page.wait_for_url(f"**/{lang}/staff/finance/settlements/{run.uuid}/")
    assert page.locator("#open-findings tbody tr").count() == 3
    look(page, "run")

    missing = run.mismatches.get(kind=SettlementMismatch.Kind.MISSING)
    page.locator(f"#open-findings a[href$='/findings/{missing.uuid}/']").click()
    page.wait_for_url(f"**/findings/{missing.uuid}/")
    look(page, "finding")
    page.locator("main form button[type=submit]").click()  # no note
    assert page.locator("#error-summary").is_visible()
    assert WORDS[lang]["required"] in page.locator("#error-summary").inner_text()
    look(page, "finding-no-note")

    page.fill("#id_note", "Recorded twice by the counter; voided." if lang == "en" else "سُجّل مرتين؛ أُلغي.")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**/{lang}/staff/finance/settlements/{run.uuid}/")
    assert page.locator("#resolved-findings tbody tr").count() == 1
    assert page.locator("#open-findings tbody tr").count() == 2
    assert page.locator("[role=status]").first.is_visible()
    look(page, "run-after-resolving")

    page.goto(f"{live_server.url}/{lang}/staff/finance/settlements/{run.uuid}/findings/{missing.uuid}/")
    assert page.locator("#resolution").is_visible()
    look(page, "finding-resolved")
    context.close()
    missing.refresh_from_db()
    assert missing.status == "resolved" and missing.resolved_by == officer
    assert failures == {}

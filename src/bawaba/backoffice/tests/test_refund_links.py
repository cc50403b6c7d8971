"""Refunds reached from the pages staff already use: a "Request a refund" button on a paid application for those
who may request one, a "Refunds" entry in the staff menu for those who may request or approve; and a counter
payment refunded in cash through the pages, out of the approver's open shift, counted at its close."""

import pytest

from bawaba.accounts.models import StaffRole
from bawaba.core.money import Money
from bawaba.events.models import Event
from bawaba.payments.models import Intent, Refund, Shift
from bawaba.testing.clients import signed_in

from .helpers import staff
from .test_counter_pages import awaiting, major, opened, pay, relay_payment_events  # noqa: F401
from .test_refund_pages import grant, paid_application


def application_url(application, lang: str = "en") -> str:
    return f"/{lang}/staff/agencies/{application.agency}/applications/{application.uuid}/"


def refunds_url(agency: str, lang: str = "en") -> str:
    return f"/{lang}/staff/agencies/{agency}/refunds/"


@pytest.fixture
def paid(payment_gateway, db):
    return paid_application(payment_gateway)


@pytest.fixture
def people(paid):
    agency = paid[0].agency
    return {
        "clerk": grant(staff("clerk", (StaffRole.OFFICER, agency)), "can_request_refunds"),
        "approver": grant(staff("approver", (StaffRole.SUPERVISOR, agency)), "can_approve_refunds"),
        "officer": staff("officer", (StaffRole.OFFICER, agency)),
        "outsider": grant(
            staff("outsider", (StaffRole.OFFICER, "civil-status")),
            "can_request_refunds",
            "can_approve_refunds",
        ),
    }


def test_the_request_button_shows_on_a_paid_application_only_to_who_may_request(paid, people):
    application, intent = paid
    new = f"{refunds_url(application.agency)}payments/{intent.uuid}/"
    clerk = signed_in(people["clerk"])
    page = clerk.get(application_url(application)).content.decode()
    assert f'href="{new}"' in page and "Request a refund" in page
    assert clerk.get(new).status_code == 200
    for who in ("officer", "approver"):
        browser = signed_in(people[who])
        page = browser.get(application_url(application))
        assert page.status_code == 200 and new not in page.content.decode(), who
        assert browser.get(new).status_code == 403, who  # the page refuses them all the same
    # Holding the permission in another agency opens neither this application nor its refund.
    outsider = signed_in(people["outsider"])
    assert outsider.get(application_url(application)).status_code == 403
    assert outsider.get(new).status_code == 403


def test_no_request_button_once_everything_is_refunded_or_held(paid, people):
    application, intent = paid
    new = f"{refunds_url(application.agency)}payments/{intent.uuid}/"
    clerk = signed_in(people["clerk"])
    assert clerk.post(new, {"amount": major(intent.amount), "reason": "Withdrawn"}).status_code == 302
    assert new not in clerk.get(application_url(application)).content.decode()


def test_no_request_button_on_an_unpaid_application(awaiting):  # noqa: F811
    clerk = grant(staff("clerk", (StaffRole.OFFICER, awaiting.agency)), "can_request_refunds")
    page = signed_in(clerk).get(application_url(awaiting)).content.decode()
    assert "Request a refund" not in page and "/refunds/payments/" not in page


def test_the_menu_leads_to_refunds_for_who_may_request_or_approve(paid, people):
    application, _ = paid
    listing = refunds_url(application.agency)
    for who in ("clerk", "approver"):
        home = signed_in(people[who]).get("/en/staff/").content.decode()
        assert f'href="{listing}"' in home and "Refunds:" in home, who
    officer = signed_in(people["officer"])
    assert "Refunds:" not in officer.get("/en/staff/").content.decode()
    assert officer.get(listing).status_code == 403
    outsider = signed_in(people["outsider"]).get("/en/staff/").content.decode()
    assert f'href="{listing}"' not in outsider and f'href="{refunds_url("civil-status")}"' in outsider
    on_list = signed_in(people["clerk"]).get(listing).content.decode()
    assert f'href="{listing}" class="text-primary-800" aria-current="page"' in on_list


def test_the_menu_speaks_arabic(paid, people):
    application, _ = paid
    page = signed_in(people["approver"]).get("/ar/staff/").content.decode()
    assert f'href="{refunds_url(application.agency, "ar")}"' in page and "المبالغ المردودة:" in page


@pytest.fixture
def counter_paid(awaiting):  # noqa: F811
    """The fee paid in cash at a counter by an agent whose shift stays open."""
    cashier = staff("cashier", (StaffRole.CENTRE_AGENT, awaiting.agency))
    client = signed_in(cashier)
    opened(client, opening_float="0", centre="Giza Centre 2")
    assert pay(client, awaiting, received=major(awaiting.fees_due)).status_code == 302
    relay_payment_events()
    return awaiting, Intent.objects.get(status=Intent.Status.SUCCEEDED)


def test_a_counter_payment_is_refunded_out_of_the_approvers_shift_and_counted_at_close(counter_paid):
    application, intent = counter_paid
    agency = application.agency
    clerk = grant(staff("clerk", (StaffRole.OFFICER, agency)), "can_request_refunds")
    supervisor = grant(
        staff("supervisor", (StaffRole.SUPERVISOR, agency), (StaffRole.CENTRE_AGENT, agency)),
        "can_approve_refunds",
    )
    signed_in(clerk).post(
        f"{refunds_url(agency)}payments/{intent.uuid}/", {"amount": "10", "reason": "Overcharged"}
    )
    refund = Refund.objects.get()
    assert refund.method == Refund.Method.CASH
    approver = signed_in(supervisor)
    detail = f"{refunds_url(agency)}{refund.uuid}/"
    assert "out of your open counter shift" in approver.get(detail).content.decode()
    no_shift = approver.post(detail, {"decision": "approve", "note": ""})
    assert no_shift.status_code == 400 and "open your counter shift" in no_shift.content.decode()
    assert Refund.objects.get().status == Refund.Status.REQUESTED
    assert not Event.objects.filter(name="payment.refunded").exists()

    assert opened(approver, opening_float="50", centre="Giza Centre 1").status_code == 302
    assert approver.post(detail, {"decision": "approve", "note": ""}).status_code == 302
    shift = Shift.objects.get(agent=supervisor)
    refund.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED and refund.shift == shift
    assert "Giza Centre 1" in approver.get(detail).content.decode()

    refunded, expected = Money(1000, "EGP").format("en"), Money(4000, "EGP").format("en")
    for page in (
        "/en/staff/counter/",
        f"/en/staff/counter/shifts/{shift.uuid}/",
        "/en/staff/counter/shift/close/",
    ):
        text = approver.get(page).content.decode()
        assert "Cash refunded" in text and refunded in text and expected in text, page
    assert "Overcharged" in approver.get(f"/en/staff/counter/shifts/{shift.uuid}/").content.decode()
    closed = approver.post("/en/staff/counter/shift/close/", {"shift": str(shift.uuid), "counted_cash": "40"})
    assert closed.status_code == 302
    shift.refresh_from_db()
    assert (shift.cash_taken, shift.cash_refunded, shift.expected_cash, shift.difference) == (
        0,
        1000,
        4000,
        0,
    )
    summary = approver.get(closed["Location"]).content.decode()
    assert "Cash refunded" in summary and refunded in summary

    finance = signed_in(staff("finance", (StaffRole.FINANCE, "")))
    listing = finance.get("/en/staff/counter/shifts/").content.decode()
    assert "Cash refunded" in listing and refunded in listing
    # The cashier who took the payment still expects all of it in their drawer.
    cashier_shift = Shift.objects.get(agent__username="cashier")
    assert not cashier_shift.refunds.exists() and cashier_shift.closed_at is None

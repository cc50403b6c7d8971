"""The service-centre counter through its pages: an agent opens a shift, finds a citizen's application by its
reference, takes the fee in cash or on a card terminal, prints the receipt, and closes the shift by counting the
cash; the application moves on exactly as after paying online, and the citizen finds the receipt in the portal.
Every refusal is told in words and writes nothing; no one but a centre agent gets in."""

from datetime import date

import pytest
from django.test import Client

from bawaba.accounts.models import StaffMembership, StaffRole, User
from bawaba.audit.models import AuditEntry
from bawaba.cases.models import Application
from bawaba.cases.tests.test_flagship_forms import COMPLETE
from bawaba.cases.tests.test_services import submit
from bawaba.core.money import Money
from bawaba.events.models import Event
from bawaba.events.tasks import deliver_event
from bawaba.payments.models import CounterPayment, Intent, Shift
from bawaba.testing.clients import signed_in

from .helpers import staff

RENEWAL = "traffic.vehicle-licence.renew"
WORDS = {
    "ar": {
        "open": "وردية",
        "recorded": "سُجّل الدفع",
        "paid": "مدفوع",
        "closed": "أُغلقت ورديتك",
        "cash_at_centre": "نقدًا في مركز خدمة",
    },
    "en": {
        "open": "shift",
        "recorded": "Payment recorded",
        "paid": "paid",
        "closed": "Your shift is closed",
        "cash_at_centre": "cash, at a service centre",
    },
}


@pytest.fixture
def awaiting(db):
    amina = User.objects.create_user(
        "amina",
        national_id="29103090104240",
        birth_date=date(1991, 3, 9),
        mobile="+201012345678",
        first_name="Amina",
        last_name="Hassan",
    )
    application = submit(amina, code=RENEWAL, answers=COMPLETE[RENEWAL])
    assert application.state == "awaiting-payment" and application.fees_due > 0
    return application


@pytest.fixture
def agent(awaiting):
    return staff("centre-agent", (StaffRole.CENTRE_AGENT, awaiting.agency))


def relay_payment_events() -> None:
    for event in Event.objects.filter(name="payment.succeeded"):
        deliver_event.call(event_id=event.pk, subscriber="cases.application-paid")


def major(amount: int) -> str:
    return str(Money(amount, "EGP").major)


def opened(client, lang="en", opening_float="100", centre="Giza Centre 1"):
    return client.post(
        f"/{lang}/staff/counter/shift/open/",
        {"centre": centre, "currency": "EGP", "opening_float": opening_float},
    )


def pay(client, application, lang="en", **fields):
    data = {"reference": application.reference, "owed": application.fees_due, "method": "cash"}
    data.update(fields)
    return client.post(f"/{lang}/staff/counter/pay/", data)


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_the_whole_counter_flow_in_each_language(awaiting, agent, lang):
    words = WORDS[lang]
    client = signed_in(agent)
    home = client.get(f"/{lang}/staff/counter/")
    assert home.status_code == 200 and 'name="opening_float"' in home.content.decode()
    assert opened(client, lang, opening_float="١٠٠").status_code == 302  # Arabic-Indic digits are read too
    shift = Shift.objects.get(agent=agent)
    assert (shift.opening_float, shift.centre, shift.currency) == (10000, "Giza Centre 1", "EGP")
    assert words["open"] in client.get(f"/{lang}/staff/counter/").content.decode()

    found = client.get(f"/{lang}/staff/counter/pay/", {"reference": awaiting.reference.lower()})
    page = found.content.decode()
    assert found.status_code == 200 and awaiting.reference in page and "Amina Hassan" in page
    assert Money(awaiting.fees_due, "EGP").format(lang) in page
    assert AuditEntry.objects.filter(
        action="cases.application.opened-at-counter",
        subject_id=str(awaiting.uuid),
        actor=f"user:{agent.uuid}",
    ).exists()

    handed = awaiting.fees_due + 1500
    taken = pay(client, awaiting, lang, received=major(handed))
    assert taken.status_code == 302, taken.content.decode()
    intent = Intent.objects.get(status=Intent.Status.SUCCEEDED)
    assert taken["Location"] == f"/{lang}/staff/counter/receipts/{intent.uuid}/"
    assert (intent.amount, intent.payer, intent.gateway) == (awaiting.fees_due, awaiting.applicant, "counter")
    assert (intent.counter.received, intent.counter.change_given) == (handed, 1500)

    receipt = client.get(taken["Location"])
    text = receipt.content.decode()
    assert receipt.status_code == 200 and words["recorded"] in text
    for shown in (intent.receipt_number, awaiting.reference, "Amina Hassan", "Giza Centre 1", "Centre Agent"):
        assert shown in text
    assert Money(1500, "EGP").format(lang) in text  # the change

    relay_payment_events()
    relay_payment_events()  # delivered twice: moved once
    paid = Application.objects.get(pk=awaiting.pk)
    assert paid.fees_paid and paid.state == "paid"
    assert (
        AuditEntry.objects.filter(action="cases.application.paid", subject_id=str(awaiting.uuid)).count() == 1
    )

    # The citizen's own receipt, in the portal.
    citizen = signed_in(awaiting.applicant)
    detail = citizen.get(f"/{lang}/account/applications/{awaiting.uuid}/").content.decode()
    assert f"/{lang}/account/payments/{intent.uuid}/receipt/" in detail or str(intent.uuid) in detail
    own = citizen.get(f"/{lang}/account/payments/{intent.uuid}/receipt/")
    assert own.status_code == 200 and intent.receipt_number in own.content.decode()
    assert words["cash_at_centre"] in own.content.decode()
    assert citizen.get(taken["Location"]).status_code in (302, 403)  # not the staff copy

    closing = client.get(f"/{lang}/staff/counter/shift/close/")
    expected = 10000 + awaiting.fees_due
    assert Money(expected, "EGP").format(lang) in closing.content.decode()
    done = client.post(
        f"/{lang}/staff/counter/shift/close/", {"shift": str(shift.uuid), "counted_cash": major(expected)}
    )
    assert done.status_code == 302 and done["Location"] == f"/{lang}/staff/counter/shifts/{shift.uuid}/"
    shift.refresh_from_db()
    assert (shift.cash_taken, shift.expected_cash, shift.counted_cash, shift.difference) == (
        awaiting.fees_due,
        expected,
        expected,
        0,
    )
    summary = client.get(done["Location"])
    assert summary.status_code == 200 and words["closed"] in summary.content.decode()
    assert intent.receipt_number in summary.content.decode()


def test_a_card_terminal_payment_needs_the_slip_number(awaiting, agent):
    client = signed_in(agent)
    opened(client)
    missing = pay(client, awaiting, method="terminal")
    assert missing.status_code == 400
    assert "approval number printed on the terminal" in missing.content.decode()
    assert not Intent.objects.exists()
    taken = pay(client, awaiting, method="terminal", terminal_slip="778812")
    assert taken.status_code == 302
    payment = CounterPayment.objects.get()
    assert (payment.method, payment.terminal_slip, payment.received, payment.change_given) == (
        "terminal",
        "778812",
        awaiting.fees_due,
        0,
    )
    assert "778812" in client.get(taken["Location"]).content.decode()


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"received": "1"}, "less than the sum owed"),
        ({"received": ""}, "less than the sum owed"),
        ({"received": "abc"}, "Enter an amount in numbers"),
        ({"received": "100.555"}, "2 decimal places"),
        ({"method": "cheque"}, "Select a valid choice"),
        ({"owed": "1"}, "The sum owed has changed"),
    ],
)
def test_a_wrong_entry_is_refused_in_words_and_takes_nothing(awaiting, agent, fields, words):
    client = signed_in(agent)
    opened(client)
    answer = pay(client, awaiting, **fields)
    assert answer.status_code == 400 and words in answer.content.decode()
    assert not Intent.objects.exists() and not Event.objects.filter(name="payment.succeeded").exists()


def test_paid_already_nothing_to_pay_and_no_shift_are_refused(awaiting, agent):
    client = signed_in(agent)
    no_shift = pay(client, awaiting, received=major(awaiting.fees_due))
    assert no_shift.status_code == 400 and "You have no open shift" in no_shift.content.decode()
    page = client.get("/en/staff/counter/pay/", {"reference": awaiting.reference})
    assert (
        "You have no open shift" in page.content.decode()
        and 'data-testid="confirm"' not in page.content.decode()
    )
    opened(client)
    assert pay(client, awaiting, received=major(awaiting.fees_due)).status_code == 302
    again = pay(client, awaiting, received=major(awaiting.fees_due))
    assert again.status_code == 400 and "This fee is paid already" in again.content.decode()
    assert Intent.objects.count() == 1
    # Before the event has moved the application, and after: the page says it is paid and offers nothing.
    for _round in range(2):
        page = client.get("/en/staff/counter/pay/", {"reference": awaiting.reference}).content.decode()
        assert "This fee is paid already" in page and 'data-testid="confirm"' not in page
        relay_payment_events()
    free = submit(awaiting.applicant, key="k2")  # a complaint: no fees
    StaffMembership.objects.create(
        user=agent, role=StaffRole.CENTRE_AGENT, agency=free.agency, granted_by="test"
    )
    nothing = pay(client, free, received="10")
    assert nothing.status_code == 400 and "There is nothing to pay" in nothing.content.decode()
    assert Intent.objects.count() == 1


def test_a_difference_at_close_needs_a_note(awaiting, agent):
    client = signed_in(agent)
    opened(client, opening_float="50")
    shift = Shift.objects.get()
    short = client.post("/en/staff/counter/shift/close/", {"shift": str(shift.uuid), "counted_cash": "45"})
    assert short.status_code == 400 and "explain the difference" in short.content.decode()
    assert Shift.objects.get().closed_at is None
    noted = client.post(
        "/en/staff/counter/shift/close/",
        {"shift": str(shift.uuid), "counted_cash": "45", "note": "Change given twice"},
    )
    assert noted.status_code == 302
    closed = Shift.objects.get()
    assert (closed.difference, closed.close_note) == (-500, "Change given twice")
    assert "short" in client.get(noted["Location"]).content.decode()
    # Closed: the counter offers a new shift, and the old one cannot be closed again.
    assert client.get("/en/staff/counter/shift/close/").status_code == 302
    stale = client.post("/en/staff/counter/shift/close/", {"shift": str(shift.uuid), "counted_cash": "0"})
    assert stale.status_code == 302 and Shift.objects.get().counted_cash == 4500


def test_only_centre_agents_of_the_agency_use_the_counter(awaiting, agent):
    officer = staff("officer", (StaffRole.OFFICER, awaiting.agency))
    elsewhere = staff("elsewhere", (StaffRole.CENTRE_AGENT, "civil-status"))
    pages = [
        ("get", "/en/staff/counter/", {}),
        ("post", "/en/staff/counter/shift/open/", {"centre": "X", "currency": "EGP", "opening_float": "0"}),
        ("get", "/en/staff/counter/pay/", {"reference": awaiting.reference}),
        ("post", "/en/staff/counter/pay/", {"reference": awaiting.reference, "owed": awaiting.fees_due}),
        ("get", "/en/staff/counter/shift/close/", {}),
        ("get", "/en/staff/counter/shifts/", {}),
    ]
    for method, url, data in pages:
        assert getattr(signed_in(officer), method)(url, data).status_code == 403, url
        citizen = getattr(signed_in(awaiting.applicant), method)(url, data)
        assert citizen.status_code == 403, url
        anonymous = getattr(Client(), method)(url, data)
        assert anonymous.status_code == 302 and "staff-sign-in" in anonymous["Location"], url
        # A password alone never opens a staff page.
        assert getattr(signed_in(agent, methods=("password",)), method)(url, data).status_code == 302, url
    assert not Shift.objects.exists()
    # An agent of another agency opens shifts, but does not see or take this agency's fees.
    other = signed_in(elsewhere)
    opened(other)
    assert other.get("/en/staff/counter/pay/", {"reference": awaiting.reference}).status_code == 404
    assert pay(other, awaiting, received=major(awaiting.fees_due)).status_code == 404
    assert not Intent.objects.exists()
    assert not AuditEntry.objects.filter(action="cases.application.opened-at-counter").exists()


def test_receipts_and_shifts_are_the_agent_s_own_and_the_overseers(awaiting, agent):
    client = signed_in(agent)
    opened(client)
    receipt = pay(client, awaiting, received=major(awaiting.fees_due))["Location"]
    shift = Shift.objects.get()
    colleague = staff("colleague", (StaffRole.CENTRE_AGENT, awaiting.agency))
    assert signed_in(colleague).get(receipt).status_code == 404
    assert signed_in(colleague).get(f"/en/staff/counter/shifts/{shift.uuid}/").status_code == 404
    finance = staff("finance", (StaffRole.FINANCE, ""))
    auditor = staff("auditor", (StaffRole.AUDITOR, ""))
    for overseer in (finance, auditor):
        reader = signed_in(overseer)
        assert reader.get(receipt).status_code == 200
        listing = reader.get("/en/staff/counter/shifts/")
        assert listing.status_code == 200 and "Giza Centre 1" in listing.content.decode()
        assert reader.get(f"/en/staff/counter/shifts/{shift.uuid}/").status_code == 200
        assert reader.get("/en/staff/counter/").status_code == 403  # overseeing is not taking payments
    assert signed_in(agent).get("/en/staff/counter/shifts/").status_code == 403


def test_the_staff_home_and_menu_lead_to_the_counter(awaiting, agent):
    page = signed_in(agent).get("/en/staff/").content.decode()
    assert page.count('href="/en/staff/counter/"') >= 2
    finance = staff("finance", (StaffRole.FINANCE, ""))
    assert 'href="/en/staff/counter/shifts/"' in signed_in(finance).get("/en/staff/").content.decode()

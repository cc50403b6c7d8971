"""Refund pages: finding a paid application's payment, requesting, approving, rejecting; refused to whoever
lacks the permission, and the refund made once at the sandbox gateway (its own process)."""

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.utils import translation

from bawaba.accounts.models import StaffRole, User
from bawaba.cases.payments import fee_intent_open
from bawaba.cases.tests.test_flagship_forms import COMPLETE
from bawaba.cases.tests.test_services import submit
from bawaba.events.models import Event
from bawaba.events.tasks import deliver_event
from bawaba.notifications.models import Message
from bawaba.paygw.tests.gateway import Payer
from bawaba.payments.models import Intent, Refund
from bawaba.payments.services import payment_returned
from bawaba.testing.clients import signed_in

from .helpers import staff

RENEWAL = "traffic.vehicle-licence.renew"
SUCCESS = "4242424242424242"


def grant(user: User, *codenames: str) -> User:
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="payments", codename__in=codenames)
    )
    return User.objects.get(pk=user.pk)


def paid_application(payment_gateway):
    amina = User.objects.create_user(
        "amina",
        national_id="29103090104240",
        birth_date=date(1991, 3, 9),
        mobile="+201012345678",
        preferred_language="ar",
    )
    application = submit(amina, code=RENEWAL, answers=COMPLETE[RENEWAL])
    intent = fee_intent_open(application=application, payer=amina, return_url="http://127.0.0.1:9/back")
    answer = Payer(payment_gateway).pay(intent.gateway_payment, SUCCESS)
    query = dict(part.split("=", 1) for part in answer.headers["Location"].split("?", 1)[1].split("&"))
    intent = payment_returned(intent_uuid=intent.uuid, payer=amina, query=query)
    assert intent.status == Intent.Status.SUCCEEDED
    return application, intent


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


def base(agency: str, lang: str = "en") -> str:
    return f"/{lang}/staff/agencies/{agency}/refunds/"


def test_a_clerk_finds_the_payment_requests_a_refund_and_another_approves_it(paid, people, payment_gateway):
    application, intent = paid
    clerk = signed_in(people["clerk"])
    listing = clerk.get(base(application.agency), {"q": application.reference})
    assert listing.status_code == 200
    page = listing.content.decode()
    assert intent.receipt_number in page and "Request a refund" in page
    by_receipt = clerk.get(base(application.agency), {"q": intent.receipt_number.lower()})
    assert application.reference in by_receipt.content.decode()
    new = f"{base(application.agency)}payments/{intent.uuid}/"
    form = clerk.get(new).content.decode()
    full = str(intent.amount // 100)
    assert f'value="{full}' in form  # the whole amount by default
    too_much = clerk.post(new, {"amount": str(intent.amount), "reason": "Withdrawn"})
    assert too_much.status_code == 400 and "at most" in too_much.content.decode()
    no_reason = clerk.post(new, {"amount": "1", "reason": ""})
    assert no_reason.status_code == 400 and "Write why the money is given back." in no_reason.content.decode()
    fractions = clerk.post(new, {"amount": "1.005", "reason": "Why"})
    assert fractions.status_code == 400 and "2 digits" in fractions.content.decode()
    assert not Refund.objects.exists()
    asked = clerk.post(new, {"amount": "10.50", "reason": "Charged twice"})
    assert asked.status_code == 302
    refund = Refund.objects.get()
    assert (refund.amount, refund.requested_by) == (1050, people["clerk"])
    own = clerk.get(f"{base(application.agency)}{refund.uuid}/").content.decode()
    assert "another member of staff must approve" in own and "Approve and refund" not in own

    approver = signed_in(people["approver"])
    awaiting = approver.get(base(application.agency)).content.decode()
    assert application.reference in awaiting and "Charged twice" in awaiting
    assert "Find the payment" not in awaiting  # approving is not requesting
    detail = f"{base(application.agency)}{refund.uuid}/"
    assert "Approve and refund" in approver.get(detail).content.decode()
    done = approver.post(detail, {"decision": "approve", "note": "Checked"})
    assert done.status_code == 302
    refund.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED and refund.approved_by == people["approver"]
    assert "The refund is made" in approver.get(done["Location"]).content.decode()
    citizen_page = signed_in(application.applicant).get(f"/en/account/applications/{application.uuid}/")
    assert "EGP 10.50 refunded on" in citizen_page.content.decode()
    [event] = Event.objects.filter(name="payment.refunded")
    for _ in range(2):  # the event is delivered twice: the payer is told once, in their language
        deliver_event.call(event_id=event.pk, subscriber="cases.payer-told-of-refund")
    sms = Message.objects.get(recipient=intent.payer, kind="payment.refunded", channel="sms")
    assert "10.50 ج.م" in sms.body and application.reference in sms.body
    assert (
        Message.objects.filter(recipient=intent.payer, kind="payment.refunded", channel="inapp").count() == 1
    )


def test_a_rejection_needs_a_note_and_gives_nothing_back(paid, people):
    application, intent = paid
    signed_in(people["clerk"]).post(
        f"{base(application.agency)}payments/{intent.uuid}/",
        {"amount": "5", "reason": "Asked by the citizen"},
    )
    refund = Refund.objects.get()
    approver = signed_in(people["approver"])
    detail = f"{base(application.agency)}{refund.uuid}/"
    bare = approver.post(detail, {"decision": "reject", "note": ""})
    assert bare.status_code == 400 and "Write why the refund is rejected." in bare.content.decode()
    assert approver.post(detail, {"decision": "reject", "note": "Service delivered"}).status_code == 302
    refund.refresh_from_db()
    assert refund.status == Refund.Status.REJECTED and refund.note == "Service delivered"


def test_the_requester_cannot_approve_their_own_through_the_page_even_holding_both(paid, people):
    application, intent = paid
    both = grant(people["clerk"], "can_approve_refunds")
    browser = signed_in(both)
    browser.post(f"{base(application.agency)}payments/{intent.uuid}/", {"amount": "5", "reason": "Mistake"})
    refund = Refund.objects.get()
    answer = browser.post(f"{base(application.agency)}{refund.uuid}/", {"decision": "approve", "note": ""})
    assert answer.status_code == 400 and "Someone else must decide" in answer.content.decode()
    assert Refund.objects.get().status == Refund.Status.REQUESTED


def test_staff_without_the_permissions_or_of_another_agency_are_refused(paid, people):
    application, intent = paid
    signed_in(people["clerk"]).post(
        f"{base(application.agency)}payments/{intent.uuid}/", {"amount": "5", "reason": "Mistake"}
    )
    refund = Refund.objects.get()
    pages = [
        base(application.agency),
        f"{base(application.agency)}payments/{intent.uuid}/",
        f"{base(application.agency)}{refund.uuid}/",
    ]
    for who in ("officer", "outsider"):
        browser = signed_in(people[who])
        for page in pages:
            assert browser.get(page).status_code == 403, (who, page)
        assert browser.post(pages[1], {"amount": "1", "reason": "x"}).status_code == 403
        assert browser.post(pages[2], {"decision": "approve"}).status_code == 403
    approver = signed_in(people["approver"])
    assert approver.get(pages[1]).status_code == 403  # approving is not requesting
    assert approver.post(pages[1], {"amount": "1", "reason": "x"}).status_code == 403
    clerk = signed_in(people["clerk"])
    assert clerk.post(pages[2], {"decision": "approve"}).status_code == 403  # requesting is not approving
    # The outsider's own agency does not hold this application's payment.
    outside = signed_in(people["outsider"]).get(base("civil-status"), {"q": application.reference})
    assert outside.status_code == 404
    assert Refund.objects.get().status == Refund.Status.REQUESTED and Refund.objects.count() == 1


def test_the_pages_speak_arabic(paid, people):
    application, _ = paid
    with translation.override("ar"):
        page = signed_in(people["clerk"]).get(base(application.agency, "ar"), {"q": application.reference})
    text = page.content.decode()
    assert 'lang="ar"' in text and 'dir="rtl"' in text
    assert "طلب رد مبلغ" in text

"""Refunds against the sandbox gateway running as its own process: four eyes, never more than was paid, made
exactly once whatever fails in between, and the payer told."""

import csv
import io
import threading
import uuid

import pytest
from django.contrib.auth.models import Permission
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone

from bawaba.accounts.models import StaffMembership, StaffRole, User
from bawaba.audit.models import AuditEntry
from bawaba.events.models import Event
from bawaba.payments.counter import shift_open
from bawaba.payments.models import Intent, Refund
from bawaba.payments.refunds import (
    RefundRefused,
    refund_approve,
    refund_reject,
    refund_request,
    refund_send,
    refundable_left,
)

from .test_paying_online import owe, pay, payment_returned


def person(username: str, *codenames: str) -> User:
    user = User.objects.create_user(username, mobile=f"+2010{uuid.uuid4().int % 10**8:08d}")
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="payments", codename__in=codenames)
    )
    return User.objects.get(pk=user.pk)  # permissions are cached on the instance


@pytest.fixture
def clerk(db):
    return person("clerk", "can_request_refunds")


@pytest.fixture
def approver(db):
    return person("approver", "can_approve_refunds")


@pytest.fixture
def paid(payment_gateway, db) -> Intent:
    payer = User.objects.create_user("payer", mobile="+201001112223", preferred_language="ar")
    intent = owe(payer, amount=10000, purpose=f"application:{uuid.uuid4()}")
    confirmed = payment_returned(intent_uuid=intent.uuid, payer=payer, query=pay(payment_gateway, intent))
    assert confirmed.status == Intent.Status.SUCCEEDED
    return confirmed


def gateway_refunds(payment_gateway, intent: Intent) -> list[dict]:
    day = timezone.now().date().isoformat()
    answer = payment_gateway.signed("GET", f"/v1/refunds/{day}.csv")
    assert answer.status_code == 200, answer.text
    return [
        row for row in csv.DictReader(io.StringIO(answer.text)) if row["payment_id"] == intent.gateway_payment
    ]


def refunded_events() -> list[Event]:
    return list(Event.objects.filter(name="payment.refunded"))


def test_a_full_refund_is_made_once_and_announced(payment_gateway, paid, clerk, approver):
    refund = refund_request(intent=paid, amount=10000, reason="Service withdrawn", actor=clerk)
    assert refund.status == Refund.Status.REQUESTED and refund.method == Refund.Method.GATEWAY
    assert gateway_refunds(payment_gateway, paid) == []  # nothing leaves before the approval
    done = refund_approve(refund=refund, actor=approver, note="Checked with the agency")
    assert done.status == Refund.Status.SUCCEEDED and done.gateway_refund.startswith("re_")
    assert done.approved_by == approver and done.refunded_at is not None
    [made] = gateway_refunds(payment_gateway, paid)
    assert (made["refund_id"], made["amount"]) == (done.gateway_refund, "10000")
    [event] = refunded_events()
    assert event.payload["amount"] == 10000 and event.payload["reference"] == paid.reference
    actions = set(AuditEntry.objects.filter(subject_id=str(refund.uuid)).values_list("action", flat=True))
    assert actions == {"payments.refund.requested", "payments.refund.approved", "payments.refund.succeeded"}
    assert refundable_left(paid) == 0


def test_two_partial_refunds_and_nothing_beyond_what_was_paid(payment_gateway, paid, clerk, approver):
    first = refund_approve(
        refund=refund_request(intent=paid, amount=3000, reason="Overcharged", actor=clerk), actor=approver
    )
    second = refund_approve(
        refund=refund_request(intent=paid, amount=7000, reason="Withdrawn", actor=clerk), actor=approver
    )
    assert (first.status, second.status) == (Refund.Status.SUCCEEDED, Refund.Status.SUCCEEDED)
    assert sorted(int(r["amount"]) for r in gateway_refunds(payment_gateway, paid)) == [3000, 7000]
    with pytest.raises(RefundRefused) as refused:
        refund_request(intent=paid, amount=1, reason="More", actor=clerk)
    assert refused.value.problem == "amount" and len(refunded_events()) == 2


@pytest.mark.parametrize("amount", [0, -1, 10001, "10"])
def test_bad_amounts_and_a_missing_reason_are_refused(paid, clerk, amount):
    with pytest.raises(RefundRefused) as refused:
        refund_request(intent=paid, amount=amount, reason="Why", actor=clerk)
    assert refused.value.problem == "amount"
    with pytest.raises(RefundRefused) as refused:
        refund_request(intent=paid, amount=100, reason="  ", actor=clerk)
    assert refused.value.problem == "reason" and not Refund.objects.exists()


def test_requests_awaiting_approval_hold_their_amount_until_rejected(payment_gateway, paid, clerk, approver):
    held = refund_request(intent=paid, amount=6000, reason="Overcharged", actor=clerk)
    with pytest.raises(RefundRefused) as refused:
        refund_request(intent=paid, amount=5000, reason="Again", actor=clerk)
    assert "4000" in refused.value.message
    with pytest.raises(RefundRefused):
        refund_reject(refund=held, actor=approver, note="")  # a rejection says why
    rejected = refund_reject(refund=held, actor=approver, note="Not overcharged: the fee includes the card")
    assert rejected.status == Refund.Status.REJECTED and rejected.rejected_by == approver
    with pytest.raises(RefundRefused) as refused:
        refund_approve(refund=held, actor=approver)  # decided already
    assert refused.value.problem == "not-awaiting"
    assert refund_request(intent=paid, amount=5000, reason="Again", actor=clerk).amount == 5000
    assert gateway_refunds(payment_gateway, paid) == [] and refunded_events() == []


def test_no_one_approves_their_own_request_even_holding_both_permissions(paid, approver):
    both = person("both", "can_request_refunds", "can_approve_refunds")
    refund = refund_request(intent=paid, amount=500, reason="Mistake", actor=both)
    for decide in (
        lambda: refund_approve(refund=refund, actor=both),
        lambda: refund_reject(refund=refund, actor=both, note="no"),
    ):
        with pytest.raises(RefundRefused) as refused:
            decide()
        assert refused.value.problem == "own-request"
    assert Refund.objects.get(pk=refund.pk).status == Refund.Status.REQUESTED
    # Nor behind the services' back: the database refuses it too.
    with pytest.raises(IntegrityError), transaction.atomic():
        Refund.objects.filter(pk=refund.pk).update(approved_by=both, status=Refund.Status.APPROVED)


def test_staff_without_the_permissions_can_neither_request_nor_decide(paid, clerk, approver):
    plain = person("plain")
    with pytest.raises(RefundRefused) as refused:
        refund_request(intent=paid, amount=100, reason="Why", actor=plain)
    assert refused.value.problem == "forbidden"
    with pytest.raises(RefundRefused):
        refund_request(intent=paid, amount=100, reason="Why", actor=approver)  # approving is not requesting
    refund = refund_request(intent=paid, amount=100, reason="Why", actor=clerk)
    other_clerk = person("other-clerk", "can_request_refunds")
    for actor in (plain, other_clerk):
        with pytest.raises(RefundRefused) as refused:
            refund_approve(refund=refund, actor=actor)
        assert refused.value.problem == "forbidden"


def test_an_unpaid_payment_cannot_be_refunded(payment_gateway, db, clerk):
    payer = User.objects.create_user("payer", mobile="+201001112223")
    with pytest.raises(RefundRefused) as refused:
        refund_request(intent=owe(payer), amount=100, reason="Why", actor=clerk)
    assert refused.value.problem == "not-paid"


def test_a_gateway_down_at_approval_leaves_it_approved_and_a_retry_refunds_once(
    payment_gateway, paid, clerk, approver, settings
):
    refund = refund_request(intent=paid, amount=4000, reason="Overcharged", actor=clerk)
    working = settings.BAWABA_PAYMENT_GATEWAY_OPTIONS
    settings.BAWABA_PAYMENT_GATEWAY_OPTIONS = {"paygw": {**working["paygw"], "url": "http://127.0.0.1:9"}}
    down = refund_approve(refund=refund, actor=approver)
    assert (
        down.status == Refund.Status.APPROVED and down.attempts == 1 and "did not answer" in down.last_error
    )
    assert refunded_events() == [] and refundable_left(paid) == 6000  # still held
    settings.BAWABA_PAYMENT_GATEWAY_OPTIONS = working
    # The first try reached the gateway but its answer was lost: the gateway made the refund then.
    lost = payment_gateway.signed(
        "POST",
        f"/v1/payments/{paid.gateway_payment}/refunds",
        {"amount": 4000, "currency": "EGP", "reason": "Overcharged"},
        headers={"Idempotency-Key": refund.idempotency_key},
    )
    assert lost.status_code == 201
    retried = refund_send(refund=refund)
    assert retried.status == Refund.Status.SUCCEEDED and retried.gateway_refund == lost.json()["id"]
    assert refund_send(refund=refund).attempts == 2  # sent again: nothing more
    assert len(gateway_refunds(payment_gateway, paid)) == 1 and len(refunded_events()) == 1


def test_a_refund_the_gateway_refuses_fails_and_frees_its_amount(payment_gateway, paid, clerk, approver):
    refund = refund_request(intent=paid, amount=9000, reason="Overcharged", actor=clerk)
    # Refunded outside the platform meanwhile: the gateway now has only 1000 left for this payment.
    outside = payment_gateway.signed(
        "POST",
        f"/v1/payments/{paid.gateway_payment}/refunds",
        {"amount": 9500},
        headers={"Idempotency-Key": "outside"},
    )
    assert outside.status_code == 201
    failed = refund_approve(refund=refund, actor=approver)
    assert failed.status == Refund.Status.FAILED and failed.last_error == "amount_exceeds_refundable"
    assert refunded_events() == [] and refundable_left(paid) == 10000


def test_a_counter_payment_is_refunded_in_cash_out_of_the_approvers_shift(db, clerk, approver):
    payer = User.objects.create_user("payer", mobile="+201001112223")
    intent = Intent.objects.create(
        purpose=f"application:{uuid.uuid4()}",
        reference="BWB-2026-000077",
        payer=payer,
        amount=2500,
        currency="EGP",
        status=Intent.Status.SUCCEEDED,
        gateway="counter",
        idempotency_key="counter-77",
        paid_at=timezone.now(),
    )
    refund = refund_request(intent=intent, amount=2500, reason="Paid twice", actor=clerk)
    assert refund.method == Refund.Method.CASH
    with pytest.raises(RefundRefused) as refused:
        refund_approve(refund=refund, actor=approver)  # no drawer to pay it out of
    assert refused.value.problem == "no-open-shift" and "open your counter shift" in refused.value.message
    assert Refund.objects.get(pk=refund.pk).status == Refund.Status.REQUESTED and refunded_events() == []
    StaffMembership.objects.create(
        user=approver, role=StaffRole.CENTRE_AGENT, agency="traffic", granted_by="test"
    )
    shift = shift_open(agent=approver, centre="Giza-01", opening_float=5000, currency="EGP")
    done = refund_approve(refund=refund, actor=approver)
    assert done.status == Refund.Status.SUCCEEDED and done.gateway_refund == "" and done.shift == shift
    assert refunded_events()[0].payload["method"] == "cash"
    made = AuditEntry.objects.get(subject_id=str(refund.uuid), action="payments.refund.succeeded")
    assert made.data["shift"] == str(shift.uuid)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need a server database")
def test_two_requests_at_once_never_exceed_what_was_paid(payment_gateway):
    payer = User.objects.create_user("payer", mobile="+201001112223")
    intent = owe(payer, amount=10000, purpose=f"application:{uuid.uuid4()}")
    paid = payment_returned(intent_uuid=intent.uuid, payer=payer, query=pay(payment_gateway, intent))
    clerks = [person(f"clerk-{n}", "can_request_refunds") for n in range(2)]
    start = threading.Barrier(2)
    outcomes = []

    def ask(clerk):
        start.wait()
        try:
            outcomes.append(refund_request(intent=paid, amount=6000, reason="Overcharged", actor=clerk))
        except RefundRefused as refused:
            outcomes.append(refused.problem)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ask, args=(clerk,)) for clerk in clerks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("amount") == 1 and Refund.objects.count() == 1
    assert Refund.objects.get().amount == 6000

"""Cash refunds paid out of a counter shift: the approver's open drawer gives the cash back, the close expects
float + cash taken − cash refunded, and a refund with no drawer, the wrong currency or not enough cash in it is
refused with nothing written."""

import threading
import uuid

import pytest
from django.contrib.auth.models import Permission
from django.db import IntegrityError, connection, connections, transaction

from bawaba.accounts.models import StaffMembership, StaffRole, User
from bawaba.audit.models import AuditEntry
from bawaba.events.models import Event
from bawaba.payments.counter import counter_payment_take, shift_close, shift_open, shift_totals
from bawaba.payments.models import Intent, Refund, Shift
from bawaba.payments.refunds import RefundRefused, refund_approve, refund_request


def person(username: str, *codenames: str, agent: bool = False) -> User:
    user = User.objects.create_user(username, mobile=f"+2010{uuid.uuid4().int % 10**8:08d}")
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="payments", codename__in=codenames)
    )
    if agent:
        StaffMembership.objects.create(
            user=user, role=StaffRole.CENTRE_AGENT, agency="traffic", granted_by="test"
        )
    return User.objects.get(pk=user.pk)  # permissions are cached on the instance


def taken(agent: User, *, amount: int, currency: str = "EGP") -> Intent:
    citizen = User.objects.create_user(f"citizen-{uuid.uuid4().hex[:8]}")
    return counter_payment_take(
        agent=agent,
        purpose=f"application:{uuid.uuid4()}",
        reference="BWB-2026-000007",
        description="Vehicle licence renewal",
        payer=citizen,
        amount=amount,
        currency=currency,
        method="cash",
        received=amount,
    )


@pytest.fixture
def clerk(db):
    return person("clerk", "can_request_refunds")


@pytest.fixture
def supervisor(db):
    """Approves refunds and keeps a drawer at the counter."""
    return person("supervisor", "can_approve_refunds", agent=True)


def test_the_close_expects_the_float_plus_cash_taken_less_cash_refunded(clerk, supervisor):
    shift = shift_open(agent=supervisor, centre="Giza-01", opening_float=10000, currency="EGP")
    paid = taken(supervisor, amount=25000)
    refund = refund_approve(
        refund=refund_request(intent=paid, amount=4000, reason="Overcharged", actor=clerk), actor=supervisor
    )
    assert refund.status == Refund.Status.SUCCEEDED and refund.shift == shift
    totals = shift_totals(shift)
    assert (totals["cash"], totals["refunded"], totals["expected_cash"]) == (25000, 4000, 31000)
    closed = shift_close(agent=supervisor, shift_uuid=shift.uuid, counted_cash=31000, note="")
    assert (closed.cash_taken, closed.cash_refunded, closed.expected_cash, closed.difference) == (
        25000,
        4000,
        31000,
        0,
    )
    entry = AuditEntry.objects.get(action="payments.shift.closed")
    assert entry.data["cash_refunded"] == 4000 and entry.data["expected_cash"] == 31000


def test_a_refund_is_counted_in_the_approvers_shift_not_the_one_the_payment_was_taken_in(clerk, supervisor):
    other = person("other-agent", agent=True)
    taken_in = shift_open(agent=other, centre="Giza-02", opening_float=0, currency="EGP")
    paid = taken(other, amount=20000)
    paid_out_of = shift_open(agent=supervisor, centre="Giza-01", opening_float=30000, currency="EGP")
    refund_approve(
        refund=refund_request(intent=paid, amount=20000, reason="Withdrawn", actor=clerk), actor=supervisor
    )
    assert shift_totals(taken_in)["expected_cash"] == 20000
    assert shift_totals(paid_out_of)["expected_cash"] == 10000


@pytest.mark.parametrize(
    ("opening_float", "currency", "problem"),
    [(0, "USD", "shift-currency"), (2000, "EGP", "drawer-short")],
)
def test_a_drawer_that_cannot_pay_it_refuses_and_writes_nothing(
    clerk, supervisor, opening_float, currency, problem
):
    cashier = person("cashier", agent=True)
    shift_open(agent=cashier, centre="Giza-02", opening_float=0, currency="EGP")
    paid = taken(cashier, amount=5000)
    refund = refund_request(intent=paid, amount=5000, reason="Paid twice", actor=clerk)
    shift = shift_open(agent=supervisor, centre="Giza-01", opening_float=opening_float, currency=currency)
    with pytest.raises(RefundRefused) as refused:
        refund_approve(refund=refund, actor=supervisor)
    assert refused.value.problem == problem and "Nothing was given back" in refused.value.message
    refund.refresh_from_db()
    assert (refund.status, refund.shift, refund.approved_by) == (Refund.Status.REQUESTED, None, None)
    assert not Event.objects.filter(name="payment.refunded").exists()
    assert shift_totals(shift)["refunded"] == 0


def test_a_closed_shift_pays_nothing_out(clerk, supervisor):
    shift = shift_open(agent=supervisor, centre="Giza-01", opening_float=0, currency="EGP")
    paid = taken(supervisor, amount=5000)
    shift_close(agent=supervisor, shift_uuid=shift.uuid, counted_cash=5000, note="")
    refund = refund_request(intent=paid, amount=5000, reason="Paid twice", actor=clerk)
    with pytest.raises(RefundRefused) as refused:
        refund_approve(refund=refund, actor=supervisor)
    assert refused.value.problem == "no-open-shift"
    assert Shift.objects.get(pk=shift.pk).cash_refunded == 0


def test_only_cash_refunds_are_recorded_against_a_shift(clerk, supervisor):
    shift = shift_open(agent=supervisor, centre="Giza-01", opening_float=0, currency="EGP")
    paid = taken(supervisor, amount=5000)
    refund = refund_request(intent=paid, amount=5000, reason="Paid twice", actor=clerk)
    with pytest.raises(IntegrityError), transaction.atomic():
        Refund.objects.filter(pk=refund.pk).update(method=Refund.Method.GATEWAY, shift=shift)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need a server database")
def test_two_refunds_at_once_never_pay_out_more_than_the_drawer_holds():
    clerk = person("clerk", "can_request_refunds")
    supervisor = person("supervisor", "can_approve_refunds", agent=True)
    cashier = person("cashier", agent=True)
    shift_open(agent=cashier, centre="Giza-02", opening_float=0, currency="EGP")
    refunds = [
        refund_request(intent=taken(cashier, amount=6000), amount=6000, reason="Paid twice", actor=clerk)
        for _ in range(2)
    ]
    shift = shift_open(agent=supervisor, centre="Giza-01", opening_float=10000, currency="EGP")
    start = threading.Barrier(2)
    outcomes = []

    def approve(refund):
        start.wait()
        try:
            outcomes.append(refund_approve(refund=refund, actor=supervisor).status)
        except RefundRefused as refused:
            outcomes.append(refused.problem)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(refund,)) for refund in refunds]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["drawer-short", Refund.Status.SUCCEEDED]
    assert shift_totals(shift)["expected_cash"] == 4000

"""Paying at a service-centre counter: the shift's cash reconciles at close, every refusal writes nothing, a sum is
never counted twice (two agents at once, or an agent and the gateway), and a gateway payment made after the
counter closed its intent is held for finance staff, not lost and not counted."""

import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone

from bawaba.accounts.models import StaffMembership, StaffRole, User
from bawaba.audit.models import AuditEntry
from bawaba.events.models import Event
from bawaba.paygw.tests.gateway import Payer
from bawaba.payments.counter import (
    CounterRefused,
    can_oversee_counter_shifts,
    can_take_counter_payments,
    counter_payment_take,
    shift_close,
    shift_open,
    shift_totals,
)
from bawaba.payments.models import CounterPayment, Intent, Shift
from bawaba.payments.services import intent_open, intent_poll, payment_returned, webhook_receive
from bawaba.testing.payments import webhooks_settle

from .test_paying_online import RETURN, SUCCESS, pay, webhook

PURPOSE = "application:7"


def agent(name: str = "agent", agency: str = "traffic") -> User:
    user = User.objects.create_user(name, first_name=name.title())
    StaffMembership.objects.create(user=user, role=StaffRole.CENTRE_AGENT, agency=agency, granted_by="test")
    return user


@pytest.fixture
def citizen(db):
    return User.objects.create_user("citizen", mobile="+201001112224")


def take(agent_user, citizen, *, purpose=PURPOSE, amount=25000, currency="EGP", method="cash", **kwargs):
    return counter_payment_take(
        agent=agent_user,
        purpose=purpose,
        reference="BWB-2026-000007",
        description="Vehicle licence renewal",
        payer=citizen,
        amount=amount,
        currency=currency,
        method=method,
        received=kwargs.pop("received", amount),
        terminal_slip=kwargs.pop("terminal_slip", ""),
    )


def paid_events() -> int:
    return Event.objects.filter(name="payment.succeeded").count()


def open_shift(agent_user, opening_float=10000) -> Shift:
    return shift_open(agent=agent_user, centre="Giza-01", opening_float=opening_float, currency="EGP")


@pytest.mark.django_db
def test_a_shift_reconciles_cash_and_terminal_and_records_every_step(citizen):
    me = agent()
    shift = open_shift(me, opening_float=10000)
    cash = take(me, citizen, received=30000)
    card = take(
        me, citizen, purpose="application:8", amount=15000, method="terminal", terminal_slip=" 004512 "
    )
    assert cash.status == Intent.Status.SUCCEEDED and cash.receipt_number.startswith("RCP-")
    assert cash.gateway == "counter" and cash.paid_amount == 25000 and cash.payer == citizen
    assert (cash.counter.received, cash.counter.change_given) == (30000, 5000)
    assert card.counter.terminal_slip == "004512" and card.counter.shift == shift
    assert shift_totals(shift) == {
        "cash": 25000,
        "terminal": 15000,
        "count": 2,
        "refunded": 0,
        "expected_cash": 35000,
    }
    assert paid_events() == 2
    closed = shift_close(agent=me, shift_uuid=shift.uuid, counted_cash=35000, note="")
    assert (closed.cash_taken, closed.terminal_taken, closed.expected_cash) == (25000, 15000, 35000)
    assert (closed.counted_cash, closed.difference, closed.closed_at is not None) == (35000, 0, True)
    actions = list(
        AuditEntry.objects.filter(action__startswith="payments.")
        .order_by("sequence")
        .values_list("action", flat=True)
    )
    assert actions == [
        "payments.shift.opened",
        "payments.intent.succeeded",
        "payments.intent.succeeded",
        "payments.shift.closed",
    ]
    entry = AuditEntry.objects.get(action="payments.shift.closed")
    assert entry.actor == f"user:{me.uuid}" and entry.data["difference"] == 0


@pytest.mark.django_db
def test_a_difference_needs_a_note_and_is_kept_signed(citizen):
    me = agent()
    shift = open_shift(me, opening_float=5000)
    take(me, citizen, amount=20000, received=20000)
    with pytest.raises(CounterRefused) as refused:
        shift_close(agent=me, shift_uuid=shift.uuid, counted_cash=24500, note="  ")
    assert refused.value.problem == "note-needed"
    assert Shift.objects.get(pk=shift.pk).closed_at is None
    closed = shift_close(agent=me, shift_uuid=shift.uuid, counted_cash=24500, note="A 5 pound note missing")
    assert (closed.expected_cash, closed.difference, closed.difference_size) == (25000, -500, 500)
    with pytest.raises(IntegrityError), transaction.atomic():
        Shift.objects.filter(pk=shift.pk).update(close_note="")  # the database keeps the explanation too


@pytest.mark.django_db
def test_a_closed_shift_takes_nothing_and_cannot_be_closed_again(citizen):
    me = agent()
    shift = open_shift(me)
    shift_close(agent=me, shift_uuid=shift.uuid, counted_cash=10000, note="")
    for attempt in (
        lambda: take(me, citizen),
        lambda: shift_close(agent=me, shift_uuid=shift.uuid, counted_cash=0, note="changed my mind"),
    ):
        with pytest.raises(CounterRefused) as refused:
            attempt()
        assert refused.value.problem == "no-open-shift"
    kept = Shift.objects.get(pk=shift.pk)
    assert (kept.counted_cash, kept.difference, kept.close_note) == (10000, 0, "")
    assert not Intent.objects.exists()
    # A new shift is a new record; the closed one stays as it was.
    assert open_shift(me).pk != shift.pk


@pytest.mark.django_db
def test_one_open_shift_per_agent_and_only_the_agent_closes_it(citizen):
    me, other = agent(), agent("other")
    shift = open_shift(me)
    with pytest.raises(CounterRefused) as refused:
        open_shift(me)
    assert refused.value.problem == "shift-open-already"
    with pytest.raises(IntegrityError), transaction.atomic():
        Shift.objects.create(agent=me, centre="X", currency="EGP", opening_float=0, opened_at=timezone.now())
    open_shift(other)
    with pytest.raises(CounterRefused):
        shift_close(agent=other, shift_uuid=shift.uuid, counted_cash=10000, note="")
    assert Shift.objects.get(pk=shift.pk).closed_at is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"received": 24999}, "too-little"),
        ({"received": None}, "too-little"),
        ({"method": "terminal"}, "slip-needed"),
        ({"method": "terminal", "terminal_slip": "   "}, "slip-needed"),
        ({"method": "cheque"}, "bad-method"),
        ({"currency": "USD"}, "wrong-currency"),
        ({"amount": 0, "received": 0}, "nothing-to-pay"),
    ],
)
def test_a_refused_payment_writes_nothing(citizen, changes, problem):
    me = agent()
    open_shift(me)
    with pytest.raises(CounterRefused) as refused:
        take(me, citizen, **changes)
    assert refused.value.problem == problem
    assert not Intent.objects.exists() and not CounterPayment.objects.exists() and paid_events() == 0
    assert not AuditEntry.objects.filter(action__startswith="payments.intent").exists()


@pytest.mark.django_db
def test_no_payment_without_an_open_shift_and_none_twice(citizen):
    me = agent()
    with pytest.raises(CounterRefused) as refused:
        take(me, citizen)
    assert refused.value.problem == "no-open-shift"
    open_shift(me)
    take(me, citizen)
    with pytest.raises(CounterRefused) as refused:
        take(me, citizen)
    assert refused.value.problem == "already-paid"
    assert Intent.objects.count() == 1 and paid_events() == 1


@pytest.mark.django_db
def test_who_takes_payments_and_who_oversees_shifts():
    me = agent(agency="traffic")
    officer = User.objects.create_user("officer")
    StaffMembership.objects.create(user=officer, role=StaffRole.OFFICER, agency="traffic", granted_by="test")
    finance = User.objects.create_user("finance")
    StaffMembership.objects.create(user=finance, role=StaffRole.FINANCE, agency="", granted_by="test")
    assert can_take_counter_payments(me) and can_take_counter_payments(me, agency="traffic")
    assert not can_take_counter_payments(me, agency="civil-status")
    assert not can_take_counter_payments(officer) and not can_oversee_counter_shifts(me)
    assert can_oversee_counter_shifts(finance) and not can_take_counter_payments(finance)
    with pytest.raises(CounterRefused):
        shift_open(agent=officer, centre="Giza-01", opening_float=0, currency="EGP")
    me.is_active = False
    me.save()
    assert not can_take_counter_payments(me)


@pytest.mark.django_db
def test_paying_at_the_counter_closes_the_online_payment_and_a_later_card_payment_is_held(
    payment_gateway, citizen
):
    online = intent_open(
        purpose=PURPOSE,
        reference="BWB-2026-000007",
        description="Vehicle licence renewal",
        payer=citizen,
        amount=25000,
        currency="EGP",
        return_url=RETURN,
    )
    me = agent()
    open_shift(me)
    at_counter = take(me, citizen)
    closed = Intent.objects.get(pk=online.pk)
    assert closed.status == Intent.Status.FAILED
    assert AuditEntry.objects.filter(
        action="payments.intent.failed", subject_id=str(online.uuid), data__closed_for="counter"
    ).exists()
    # The citizen, still on the gateway's page, pays there too: the money is held, never counted.
    returned = pay(payment_gateway, closed, SUCCESS)
    held = payment_returned(intent_uuid=online.uuid, payer=citizen, query=returned)
    assert held.status == Intent.Status.MISMATCH and held.paid_amount == 25000 and not held.receipt_number
    headers, body = webhook(held, event="evt_late", sequence=9)
    webhook_receive(headers=headers, body=body)
    webhooks_settle()
    assert Intent.objects.get(pk=online.pk).status == Intent.Status.MISMATCH
    assert paid_events() == 1 and Intent.objects.get(pk=at_counter.pk).status == Intent.Status.SUCCEEDED
    flagged = AuditEntry.objects.get(action="payments.intent.mismatch", subject_id=str(online.uuid))
    assert flagged.data["closed_before_payment"] is True


@pytest.mark.django_db
def test_the_webhook_alone_also_holds_a_payment_made_after_the_counter(payment_gateway, citizen):
    online = intent_open(
        purpose=PURPOSE,
        reference="BWB-2026-000007",
        description="Vehicle licence renewal",
        payer=citizen,
        amount=25000,
        currency="EGP",
        return_url=RETURN,
    )
    me = agent()
    open_shift(me)
    take(me, citizen)
    Payer(payment_gateway).pay(online.gateway_payment, SUCCESS)
    headers, body = webhook(Intent.objects.get(pk=online.pk))
    webhook_receive(headers=headers, body=body)
    webhooks_settle()
    assert Intent.objects.get(pk=online.pk).status == Intent.Status.MISMATCH and paid_events() == 1
    assert intent_poll(Intent.objects.get(pk=online.pk)).status == Intent.Status.MISMATCH


@pytest.mark.django_db
def test_an_online_payment_already_made_is_never_taken_again_at_the_counter(payment_gateway, citizen):
    online = intent_open(
        purpose=PURPOSE,
        reference="BWB-2026-000007",
        description="Vehicle licence renewal",
        payer=citizen,
        amount=25000,
        currency="EGP",
        return_url=RETURN,
    )
    pay(payment_gateway, online, SUCCESS)
    assert intent_poll(online).status == Intent.Status.SUCCEEDED
    me = agent()
    open_shift(me)
    with pytest.raises(CounterRefused) as refused:
        take(me, citizen)
    assert refused.value.problem == "already-paid" and Intent.objects.count() == 1


def _at_once(*calls) -> list:
    """Each call in its own thread and database connection, released together; what each returned or raised."""
    start = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call):
        start.wait()
        try:
            outcomes[index] = call()
        except Exception as error:  # the outcome, whatever it is, is what the test looks at
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n, call)) for n, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need a server database")
def test_two_agents_taking_the_same_fee_at_once_take_it_once(citizen):
    first, second = agent("first"), agent("second")
    open_shift(first)
    open_shift(second)
    for round_ in range(5):  # a few rounds: the threads meet at different points each time
        purpose = f"application:race-{round_}"
        outcomes = _at_once(
            lambda p=purpose: take(first, citizen, purpose=p),
            lambda p=purpose: take(second, citizen, purpose=p),
        )
        paid = [o for o in outcomes if isinstance(o, Intent)]
        refused = [o for o in outcomes if isinstance(o, CounterRefused)]
        assert len(paid) == 1 and [r.problem for r in refused] == ["already-paid"], outcomes
        assert Intent.objects.filter(purpose=purpose, status=Intent.Status.SUCCEEDED).count() == 1
    assert CounterPayment.objects.count() == 5 and paid_events() == 5


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need a server database")
def test_one_agent_opening_two_shifts_at_once_gets_one():
    me = agent()
    outcomes = _at_once(lambda: open_shift(me), lambda: open_shift(me))
    assert sum(isinstance(o, Shift) for o in outcomes) == 1
    assert [o.problem for o in outcomes if isinstance(o, CounterRefused)] == ["shift-open-already"]
    assert Shift.objects.filter(agent=me, closed_at__isnull=True).count() == 1

"""The daily reconciliation against the sandbox gateway running as its own process: a clean day, each kind of
finding, a day run again, a malformed file and an unreachable gateway (nothing recorded), the daily task and
the command."""

import secrets
import threading
import uuid
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from bawaba.accounts.models import StaffMembership, StaffRole, User
from bawaba.audit.models import AuditEntry
from bawaba.core.periodic import periodic_tasks
from bawaba.paygw.tests.gateway import SECRET, Payer, free_port
from bawaba.payments.gateways import GatewayUnavailable, SettlementInvalid
from bawaba.payments.gateways.paygw.adapter import PaygwGateway
from bawaba.payments.models import Intent, SettlementMismatch, SettlementRun
from bawaba.payments.reconciliation import (
    ResolveRefused,
    mismatch_resolve,
    reconciliation_due_days,
    reconciliation_run,
)
from bawaba.payments.services import intent_open, intent_poll
from bawaba.payments.tasks import MAX_ATTEMPTS, ReconciliationIncomplete, settlement_reconcile

pytestmark = pytest.mark.django_db

SUCCESS = "4242424242424242"
HEADER = "payment_id,merchant_reference,amount,currency,fee,net,settled_at\n"
Kind = SettlementMismatch.Kind


def utc_today() -> date:
    return timezone.now().astimezone(UTC).date()


@pytest.fixture
def payer():
    return User.objects.create_user("payer", mobile="+201001112223")


@pytest.fixture
def finance():
    user = User.objects.create_user("finance-officer", mobile="+201001112224")
    StaffMembership.objects.create(user=user, role=StaffRole.FINANCE, agency="", granted_by="test")
    return user


def paid(gateway, payer, amount=25000, *, owed=None) -> Intent:
    """An intent paid on the gateway's hosted page with a test card and confirmed by reading the payment;
    with `owed`, our record says another sum was owed, so the intent is held as a mismatch."""
    intent = intent_open(
        purpose=f"application:{uuid.uuid4()}",
        reference=f"BWB-2026-{secrets.randbelow(10**6):06d}",
        description="Vehicle licence renewal",
        payer=payer,
        amount=amount,
        currency="EGP",
        return_url="http://127.0.0.1:9/return/",
    )
    if owed is not None:
        Intent.objects.filter(pk=intent.pk).update(amount=owed)
        intent.refresh_from_db()
    answer = Payer(gateway).pay(intent.gateway_payment, SUCCESS)
    assert answer.status_code in (200, 302), answer.text
    return intent_poll(intent)


def recorded_only(payer, *, paid_at=None, amount=12000, gateway_payment=None) -> Intent:
    """An intent we hold as paid that the gateway never saw."""
    return Intent.objects.create(
        purpose=f"application:{uuid.uuid4()}",
        reference="BWB-2026-000777",
        payer=payer,
        amount=amount,
        currency="EGP",
        status=Intent.Status.SUCCEEDED,
        gateway="paygw",
        gateway_payment="pay_" + secrets.token_hex(12) if gateway_payment is None else gateway_payment,
        idempotency_key=secrets.token_urlsafe(24),
        paid_at=paid_at or timezone.now(),
        paid_amount=amount,
    )


def findings(run) -> dict[str, list[SettlementMismatch]]:
    found: dict[str, list] = {}
    for mismatch in run.mismatches.order_by("kind", "key"):
        found.setdefault(mismatch.kind, []).append(mismatch)
    return found


def nothing_recorded() -> bool:
    return (
        not SettlementRun.objects.exists()
        and not SettlementMismatch.objects.exists()
        and not AuditEntry.objects.filter(action__startswith="payments.settlement").exists()
    )


# --- Days that agree, and each kind of finding -------------------------------------------------------------------


def test_a_clean_day_records_the_counts_and_the_totals_of_the_file(payment_gateway, payer):
    first, second = paid(payment_gateway, payer, 25000), paid(payment_gateway, payer, 1100)
    assert first.status == second.status == Intent.Status.SUCCEEDED
    run = reconciliation_run(day=utc_today())
    assert (run.settled_count, run.recorded_count, run.matched_count) == (2, 2, 2)
    assert (run.missing_count, run.extra_count, run.amount_count) == (0, 0, 0)
    assert not run.mismatches.exists()
    # 1.5 % rounded half up: 375 on 25000, 17 on 1100 (16.5).
    assert run.totals == [{"currency": "EGP", "count": 2, "gross": 26100, "fees": 392, "net": 25708}]
    entry = AuditEntry.objects.get(action="payments.settlement.reconciled")
    assert entry.subject_id == str(run.uuid) and entry.actor == "system"
    assert entry.data["day"] == utc_today().isoformat() and entry.data["matched"] == 2
    assert entry.data["totals"] == run.totals


def test_a_day_without_payments_is_clean_and_empty(payment_gateway):
    run = reconciliation_run(day=date(2026, 1, 1))
    assert (run.settled_count, run.recorded_count, run.matched_count, run.totals) == (0, 0, 0, [])


def test_a_payment_we_recorded_that_the_gateway_did_not_settle_is_missing(payment_gateway, payer):
    ours = paid(payment_gateway, payer)
    ghost = recorded_only(payer)
    unsent = recorded_only(payer, gateway_payment="")
    run = reconciliation_run(day=utc_today())
    assert (run.recorded_count, run.matched_count, run.missing_count) == (3, 1, 2)
    missing = findings(run)[Kind.MISSING]
    assert {m.intent for m in missing} == {ghost, unsent}
    by_intent = {m.intent: m for m in missing}
    assert by_intent[ghost].key == ghost.gateway_payment and by_intent[ghost].recorded_amount == 12000
    assert by_intent[unsent].key == f"intent:{unsent.uuid}"
    assert all(m.settled_amount is None and m.status == "open" for m in missing)
    assert ours.gateway_payment not in {m.key for m in missing}


def test_a_payment_the_gateway_settled_that_we_have_no_paid_intent_for_is_extra(payment_gateway, payer):
    # Paid on the gateway with a card, unknown to us.
    stranger = payment_gateway.create(amount=9900, merchant_reference="WALK-IN-1")
    Payer(payment_gateway).pay(stranger["id"], SUCCESS)
    # Ours, paid on the gateway, but we never learnt it: the intent is still open.
    unheard = intent_open(
        purpose="application:unheard",
        reference="BWB-2026-000555",
        description="Fee",
        payer=payer,
        amount=5000,
        currency="EGP",
        return_url="http://127.0.0.1:9/return/",
    )
    Payer(payment_gateway).pay(unheard.gateway_payment, SUCCESS)
    run = reconciliation_run(day=utc_today())
    assert (run.settled_count, run.recorded_count, run.matched_count, run.extra_count) == (2, 0, 0, 2)
    extra = {m.key: m for m in findings(run)[Kind.EXTRA]}
    assert extra[stranger["id"]].intent is None and extra[stranger["id"]].reference == "WALK-IN-1"
    assert (extra[stranger["id"]].settled_amount, extra[stranger["id"]].settled_currency) == (9900, "EGP")
    assert extra[unheard.gateway_payment].intent == unheard
    assert extra[unheard.gateway_payment].recorded_amount is None


def test_a_payment_settled_for_another_sum_than_we_recorded_differs_in_amount(payment_gateway, payer):
    held = paid(payment_gateway, payer, 25000, owed=30000)
    assert held.status == Intent.Status.MISMATCH
    run = reconciliation_run(day=utc_today())
    (differs,) = findings(run)[Kind.AMOUNT]
    assert differs.intent == held and differs.key == held.gateway_payment
    assert (differs.recorded_amount, differs.settled_amount) == (30000, 25000)
    assert (run.matched_count, run.amount_count, run.missing_count, run.extra_count) == (0, 1, 0, 0)


def test_the_day_is_the_utc_day_of_the_file_not_the_platforms_time_zone(payment_gateway, payer, settings):
    settings.TIME_ZONE = "Africa/Cairo"  # two or three hours ahead of UTC: another local day near midnight
    day = date(2026, 3, 10)
    end = datetime(2026, 3, 11, tzinfo=UTC)
    last = recorded_only(payer, paid_at=end - timedelta(milliseconds=100))  # 23:59:59.9 UTC
    first = recorded_only(payer, paid_at=datetime(2026, 3, 10, tzinfo=UTC))
    recorded_only(payer, paid_at=end)  # the next day's
    recorded_only(payer, paid_at=datetime(2026, 3, 10, tzinfo=UTC) - timedelta(milliseconds=1))
    run = reconciliation_run(day=day)
    assert {m.intent for m in run.mismatches.all()} == {first, last}
    assert run.recorded_count == 2


def test_an_intent_we_marked_paid_after_midnight_that_the_gateway_settled_the_day_before_is_not_missing(
    payment_gateway, payer
):
    # Our clock is behind the gateway's: its success was yesterday's, our record of it today's.
    intent = paid(payment_gateway, payer)
    tomorrow = utc_today() + timedelta(days=1)
    Intent.objects.filter(pk=intent.pk).update(paid_at=datetime.combine(tomorrow, datetime.min.time(), UTC))
    assert reconciliation_run(day=utc_today()).matched_count == 1
    next_day = reconciliation_run(day=tomorrow)
    assert next_day.recorded_count == 1 and not next_day.mismatches.exists()


# --- Running a day again ---------------------------------------------------------------------------------------


def test_running_a_day_again_replaces_its_open_findings_and_keeps_resolved_ones(
    payment_gateway, payer, finance
):
    ghost, other_ghost = recorded_only(payer), recorded_only(payer, amount=500)
    held = paid(payment_gateway, payer, 25000, owed=30000)
    day = utc_today()
    first = reconciliation_run(day=day)
    before = {m.key: m.uuid for m in first.mismatches.all()}
    assert len(before) == 3

    again = reconciliation_run(day=day)
    assert again.pk == first.pk and again.times_run == 2 and SettlementRun.objects.count() == 1
    assert {m.key: m.uuid for m in again.mismatches.all()} == before  # the same rows, not copies
    assert AuditEntry.objects.filter(action="payments.settlement.reconciled").count() == 2

    resolved = again.mismatches.get(key=ghost.gateway_payment)
    mismatch_resolve(mismatch_uuid=resolved.uuid, note="Refunded by the bank on 5 Dec.", by=finance)
    Intent.objects.filter(pk=other_ghost.pk).update(status=Intent.Status.FAILED)  # no longer paid with us
    third = reconciliation_run(day=day)
    rows = {m.key: m for m in third.mismatches.all()}
    assert set(rows) == {ghost.gateway_payment, held.gateway_payment}
    assert rows[ghost.gateway_payment].status == "resolved"
    assert rows[ghost.gateway_payment].resolution_note == "Refunded by the bank on 5 Dec."
    assert (
        rows[held.gateway_payment].status == "open"
        and rows[held.gateway_payment].uuid == before[held.gateway_payment]
    )
    assert (third.missing_count, third.amount_count, third.times_run) == (1, 1, 3)


def test_a_resolved_finding_whose_figures_change_is_raised_again(payment_gateway, payer, finance):
    ghost = recorded_only(payer, amount=700)
    run = reconciliation_run(day=utc_today())
    mismatch_resolve(mismatch_uuid=run.mismatches.get().uuid, note="Checked with the bank.", by=finance)
    Intent.objects.filter(pk=ghost.pk).update(amount=900)
    run = reconciliation_run(day=utc_today())
    assert sorted(run.mismatches.values_list("status", "recorded_amount")) == [
        ("open", 900),
        ("resolved", 700),
    ]


# --- Resolving ------------------------------------------------------------------------------------------------


def test_resolving_needs_a_note_and_finance_staff_and_happens_once(payment_gateway, payer, finance):
    recorded_only(payer)
    mismatch = reconciliation_run(day=utc_today()).mismatches.get()
    officer = User.objects.create_user("officer", mobile="+201001112225")
    StaffMembership.objects.create(user=officer, role=StaffRole.OFFICER, agency="traffic", granted_by="test")
    for by, note, problem in [
        (finance, "", "note-required"),
        (finance, "   \n ", "note-required"),
        (finance, "x" * 2001, "note-too-long"),
        (officer, "I may not.", "not-allowed"),
        (payer, "Nor I.", "not-allowed"),
    ]:
        with pytest.raises(ResolveRefused) as refused:
            mismatch_resolve(mismatch_uuid=mismatch.uuid, note=note, by=by)
        assert refused.value.problem == problem
    mismatch.refresh_from_db()
    assert mismatch.status == "open" and mismatch.resolved_by is None
    assert not AuditEntry.objects.filter(action="payments.settlement.mismatch-resolved").exists()

    done = mismatch_resolve(mismatch_uuid=mismatch.uuid, note="  Duplicate record, voided.  ", by=finance)
    assert (done.status, done.resolved_by, done.resolution_note) == (
        "resolved",
        finance,
        "Duplicate record, voided.",
    )
    assert done.resolved_at is not None
    entry = AuditEntry.objects.get(action="payments.settlement.mismatch-resolved")
    assert entry.actor == f"user:{finance.uuid}" and entry.data["note"] == "Duplicate record, voided."
    with pytest.raises(ResolveRefused) as refused:
        mismatch_resolve(mismatch_uuid=mismatch.uuid, note="Again.", by=finance)
    assert refused.value.problem == "already-resolved"


# --- A malformed file, an unreachable gateway: nothing recorded ---------------------------------------------------


@contextmanager
def serving(body: bytes, status: int = 200):
    """A tiny HTTP server answering every GET with `body`: a gateway whose settlement file is broken."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(status)
            self.send_header("Content-Type", "text/csv; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield PaygwGateway(url=f"http://127.0.0.1:{server.server_port}", merchant="shop", secret=SECRET)
    finally:
        server.shutdown()
        server.server_close()


GOOD_LINE = "pay_0123456789abcdef01234567,BWB-2026-000001,25000,EGP,375,24625,2026-03-11T00:00:00Z\n"


@pytest.mark.parametrize(
    "body,line,column,words",
    [
        (b"", 1, 0, "the file is empty"),
        (b"id,reference,amount\n", 1, 1, "the header says 'id', not 'payment_id'"),
        (HEADER.replace(",settled_at", "").encode(), 1, 0, "the header has 6 columns"),
        ((HEADER + GOOD_LINE.replace("25000", "25k")).encode(), 2, 3, "'25k' is not a whole number"),
        ((HEADER + GOOD_LINE.replace(",25000,", ",-25000,")).encode(), 2, 3, "is not a whole number"),
        (
            (HEADER + GOOD_LINE + GOOD_LINE.replace("EGP", "egp").replace("pay_0", "pay_9")).encode(),
            3,
            4,
            "not an ISO 4217",
        ),
        ((HEADER + GOOD_LINE.replace(",24625,", ",24000,")).encode(), 2, 6, "not the amount less the fee"),
        ((HEADER + GOOD_LINE.replace(",375,", ",30000,")).encode(), 2, 5, "the fee is more than"),
        ((HEADER + GOOD_LINE.replace("2026-03-11T00", "2026-03-10T23")).encode(), 2, 7, "before the end of"),
        ((HEADER + GOOD_LINE.replace("2026-03-11T00:00:00Z", "tomorrow")).encode(), 2, 7, "not a UTC time"),
        ((HEADER + GOOD_LINE.replace("2026-03-11", "2026-02-31")).encode(), 2, 7, "not a real time"),
        ((HEADER + GOOD_LINE + GOOD_LINE).encode(), 3, 1, "listed twice"),
        ((HEADER + GOOD_LINE.replace(",EGP,", ",EGP,X,")).encode(), 2, 0, "8 fields where there should be 7"),
        ((HEADER + GOOD_LINE + "\n").encode(), 3, 0, "0 fields"),
        ((HEADER + GOOD_LINE.replace("BWB", "B\u00e9")).encode("latin-1"), 2, 0, "not UTF-8"),
        ((HEADER + GOOD_LINE + 'pay_1,"BWB\n').encode(), 3, 0, "not CSV"),
        (
            (HEADER + GOOD_LINE.replace("BWB-", '"BWB\n-').replace(",25000", '",25000')).encode(),
            2,
            2,
            "not a merchant reference",
        ),
    ],
)
def test_a_malformed_file_is_refused_naming_line_and_column_and_nothing_is_recorded(
    payer, body, line, column, words
):
    recorded_only(payer, paid_at=datetime(2026, 3, 10, 12, tzinfo=UTC))
    with serving(body) as broken, pytest.raises(SettlementInvalid) as refused:
        reconciliation_run(day=date(2026, 3, 10), gateway=broken)
    assert (refused.value.line, refused.value.column) == (line, column)
    assert words in str(refused.value)
    where = f"line {line}, column {column}" if column else f"line {line}:"
    assert where in str(refused.value)
    assert nothing_recorded()


def test_the_same_file_well_formed_is_taken(payer):
    with serving((HEADER + GOOD_LINE).encode()) as gateway:
        run = reconciliation_run(day=date(2026, 3, 10), gateway=gateway)
    assert (run.settled_count, run.extra_count) == (1, 1)


def test_a_malformed_file_leaves_an_earlier_run_of_the_day_as_it_was(payment_gateway, payer):
    recorded_only(payer)
    run = reconciliation_run(day=utc_today())
    with serving(HEADER.encode() + b"garbage\n") as broken, pytest.raises(SettlementInvalid):
        reconciliation_run(day=utc_today(), gateway=broken)
    assert SettlementRun.objects.get().times_run == 1 and run.mismatches.count() == 1


@pytest.mark.parametrize("status", [500, 401])
def test_a_gateway_error_is_unavailable_and_nothing_is_recorded(payer, status):
    recorded_only(payer)
    with serving(b'{"error": "oops"}', status=status) as failing, pytest.raises(GatewayUnavailable):
        reconciliation_run(day=utc_today(), gateway=failing)
    assert nothing_recorded()


def test_an_unreachable_gateway_records_nothing(payer):
    recorded_only(payer)
    down = PaygwGateway(url=f"http://127.0.0.1:{free_port()}", merchant="shop", secret=SECRET)
    with pytest.raises(GatewayUnavailable):
        reconciliation_run(day=utc_today(), gateway=down)
    assert nothing_recorded()


def test_a_wrong_secret_is_refused_by_the_gateway_and_records_nothing(payment_gateway, payer):
    forged = PaygwGateway(url=payment_gateway.url, merchant="shop", secret="not-the-secret")
    with pytest.raises(GatewayUnavailable, match="401"):
        reconciliation_run(day=utc_today(), gateway=forged)
    assert nothing_recorded()


# --- The daily task and the command ------------------------------------------------------------------------------


def test_the_task_is_registered_to_run_daily():
    assert periodic_tasks()["bawaba.payments.tasks.settlement_reconcile"].every == timedelta(days=1)


def test_the_days_due_are_yesterday_and_the_earlier_days_of_the_week_without_a_run():
    today = date(2026, 3, 10)
    week = [date(2026, 3, day) for day in range(3, 10)]
    assert reconciliation_due_days(gateway="paygw", today=today) == week
    for day in (date(2026, 3, 5), date(2026, 3, 9), date(2026, 3, 1)):
        SettlementRun.objects.create(gateway="paygw", day=day, ran_at=timezone.now())
    SettlementRun.objects.create(gateway="other", day=date(2026, 3, 6), ran_at=timezone.now())
    due = reconciliation_due_days(gateway="paygw", today=today)
    assert due == [d for d in week if d != date(2026, 3, 5)]  # yesterday is run again; the 5th is done


def test_the_task_reconciles_the_days_due(payment_gateway, payer):
    yesterday = utc_today() - timedelta(days=1)
    done = SettlementRun.objects.create(
        gateway="paygw", day=yesterday - timedelta(days=2), ran_at=timezone.now()
    )
    result = settlement_reconcile.call()
    assert len(result["reconciled"]) == 6 and result["reconciled"][-1] == yesterday.isoformat()
    assert SettlementRun.objects.filter(gateway="paygw").count() == 7
    done.refresh_from_db()
    assert done.times_run == 1  # not run again


def test_the_task_with_the_gateway_down_records_nothing_fails_and_retries_later(settings, payer):
    settings.BAWABA_PAYMENT_GATEWAY_OPTIONS = {
        "paygw": {"url": f"http://127.0.0.1:{free_port()}", "merchant": "shop", "secret": SECRET}
    }
    recorded_only(payer, paid_at=timezone.now() - timedelta(days=1))
    before = timezone.now()
    with pytest.raises(ReconciliationIncomplete, match="unreachable"):
        settlement_reconcile.call()
    assert nothing_recorded()
    retry = DBTaskResult.objects.get(task_path="bawaba.payments.tasks.settlement_reconcile")
    assert retry.run_after >= before + timedelta(minutes=15)
    assert retry.args_kwargs["kwargs"]["attempt"] == 2
    assert len(retry.args_kwargs["kwargs"]["days"]) == 7

    with pytest.raises(ReconciliationIncomplete):
        settlement_reconcile.call(days=[utc_today().isoformat()], attempt=MAX_ATTEMPTS)
    assert DBTaskResult.objects.count() == 1  # the last attempt enqueues no more


def test_the_command_reconciles_a_day(payment_gateway, payer, capsys):
    paid(payment_gateway, payer, 25000)
    call_command("payments", "reconcile", "--date", utc_today().isoformat())
    out = capsys.readouterr().out
    assert "1 settled, 1 recorded, 1 agree; 0 missing, 0 extra, 0 amount differs" in out
    assert "EGP gross 25000, fees 375, net 24625" in out
    assert (
        AuditEntry.objects.get(action="payments.settlement.reconciled").actor == "command:payments-reconcile"
    )


def test_the_command_refuses_a_bad_date_and_says_when_nothing_was_recorded(settings):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("payments", "reconcile", "--date", "2026-02-30")
    settings.BAWABA_PAYMENT_GATEWAY_OPTIONS = {
        "paygw": {"url": f"http://127.0.0.1:{free_port()}", "merchant": "shop", "secret": SECRET}
    }
    with pytest.raises(CommandError, match="Nothing was recorded"):
        call_command("payments", "reconcile", "--date", "2026-03-10")
    assert nothing_recorded()

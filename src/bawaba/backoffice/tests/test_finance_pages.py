"""The finance pages of the back office: who gets in, the runs, one run's findings, resolving a finding with a
note, and reconciling a day again against the sandbox gateway."""

import secrets
import uuid
from datetime import UTC, date, timedelta

import pytest
from django.utils import timezone

from bawaba.accounts.models import StaffRole
from bawaba.audit.models import AuditEntry
from bawaba.payments.models import Intent, SettlementMismatch, SettlementRun
from bawaba.testing.clients import signed_in

from .helpers import citizen, staff

pytestmark = pytest.mark.django_db

LIST = "/en/staff/finance/settlements/"
DAY = date(2026, 11, 30)


def run_path(run) -> str:
    return f"{LIST}{run.uuid}/"


def mismatch_path(mismatch) -> str:
    return f"{LIST}{mismatch.run.uuid}/findings/{mismatch.uuid}/"


@pytest.fixture
def finance():
    return staff("finance-officer", (StaffRole.FINANCE, ""))


@pytest.fixture
def office(finance):
    return signed_in(finance)


def paid_intent(payer, *, amount=12000, gateway_payment=None) -> Intent:
    return Intent.objects.create(
        purpose=f"application:{uuid.uuid4()}",
        reference="BWB-2026-000777",
        payer=payer,
        amount=amount,
        currency="EGP",
        status=Intent.Status.SUCCEEDED,
        gateway="paygw",
        gateway_payment=gateway_payment if gateway_payment is not None else "pay_" + secrets.token_hex(12),
        idempotency_key=secrets.token_urlsafe(24),
        paid_at=timezone.now(),
        paid_amount=amount,
        receipt_number="RCP-2026-000777",
    )


@pytest.fixture
def run():
    """A reconciled day with one finding of each kind, as the service records them."""
    payer = citizen()
    recorded = paid_intent(payer)
    held = paid_intent(payer, amount=30000)
    held.status = Intent.Status.MISMATCH
    held.save()
    made = SettlementRun.objects.create(
        gateway="paygw",
        day=DAY,
        ran_at=timezone.now(),
        settled_count=3,
        recorded_count=3,
        matched_count=1,
        missing_count=1,
        extra_count=1,
        amount_count=1,
        totals=[{"currency": "EGP", "count": 3, "gross": 44900, "fees": 674, "net": 44226}],
    )
    SettlementMismatch.objects.create(
        run=made,
        kind="missing",
        key=recorded.gateway_payment,
        intent=recorded,
        gateway_payment=recorded.gateway_payment,
        reference=recorded.reference,
        recorded_amount=12000,
        recorded_currency="EGP",
    )
    SettlementMismatch.objects.create(
        run=made,
        kind="extra",
        key="pay_" + "e" * 24,
        gateway_payment="pay_" + "e" * 24,
        reference="WALK-IN-1",
        settled_amount=9900,
        settled_currency="EGP",
    )
    SettlementMismatch.objects.create(
        run=made,
        kind="amount",
        key=held.gateway_payment,
        intent=held,
        gateway_payment=held.gateway_payment,
        reference=held.reference,
        recorded_amount=30000,
        recorded_currency="EGP",
        settled_amount=25000,
        settled_currency="EGP",
    )
    return made


def pages(run) -> list[str]:
    return [LIST, run_path(run), mismatch_path(run.mismatches.get(kind="missing"))]


def posts(run) -> list[str]:
    return [mismatch_path(run.mismatches.get(kind="missing")), f"{run_path(run)}run-again/"]


# --- Who gets in ---------------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_staff_sign_in(client, run):
    for path in pages(run) + posts(run):
        response = client.post(path, {"note": "x"}) if path in posts(run) else client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/en/account/staff-sign-in/?next=")
    assert not SettlementMismatch.objects.filter(status="resolved").exists()


@pytest.mark.parametrize(
    "who",
    [
        lambda: staff("traffic-officer", (StaffRole.OFFICER, "traffic")),
        lambda: staff("traffic-admin", (StaffRole.AGENCY_ADMIN, "traffic")),
        lambda: staff("supervisor", (StaffRole.SUPERVISOR, "traffic")),
        lambda: staff("centre-agent", (StaffRole.CENTRE_AGENT, "traffic")),
        lambda: staff("auditor", (StaffRole.AUDITOR, "")),
        lambda: citizen(serial=12, name="Other Citizen"),
    ],
    ids=["officer", "agency-admin", "supervisor", "centre-agent", "auditor", "citizen"],
)
def test_everyone_but_finance_staff_and_platform_administrators_gets_the_plain_403(who, run):
    someone = signed_in(who())
    missing = run.mismatches.get(kind="missing")
    for path in pages(run):
        response = someone.get(path)
        assert response.status_code == 403, path
        html = response.content.decode()
        assert "You do not have access to this page" in html
        for word in ("Settlement", "pay_", "BWB-2026", "WALK-IN", "EGP"):
            assert word not in html
    assert someone.post(mismatch_path(missing), {"note": "Closing it myself."}).status_code == 403
    assert someone.post(f"{run_path(run)}run-again/").status_code == 403
    missing.refresh_from_db()
    assert missing.status == "open" and missing.resolved_by is None
    run.refresh_from_db()
    assert run.times_run == 1
    assert not AuditEntry.objects.filter(action__startswith="payments.settlement").exists()


def test_a_password_alone_does_not_open_them(finance, run):
    password_only = signed_in(finance, methods=["password"])
    for path in pages(run):
        assert password_only.get(path)["Location"].startswith("/en/account/staff-sign-in/")


def test_platform_administrators_get_in_too(run):
    admin = signed_in(staff("platform-admin", (StaffRole.PLATFORM_ADMIN, "")))
    for path in pages(run):
        assert admin.get(path).status_code == 200


def test_the_staff_home_and_bar_link_them_for_finance_staff_only(office):
    home = office.get("/en/staff/").content.decode()
    assert f'href="{LIST}"' in home and "Finance: settlement reconciliation" in home
    officer = signed_in(staff("traffic-officer", (StaffRole.OFFICER, "traffic")))
    assert LIST not in officer.get("/en/staff/").content.decode()


def test_an_unknown_run_or_a_finding_under_another_run_is_not_found(office, run):
    assert office.get(f"{LIST}{uuid.uuid4()}/").status_code == 404
    other = SettlementRun.objects.create(gateway="paygw", day=DAY - timedelta(days=1), ran_at=timezone.now())
    missing = run.mismatches.get(kind="missing")
    assert office.get(f"{LIST}{other.uuid}/findings/{missing.uuid}/").status_code == 404
    assert office.post(f"{LIST}{other.uuid}/findings/{missing.uuid}/", {"note": "x"}).status_code == 404
    assert office.get(f"{run_path(run)}findings/{uuid.uuid4()}/").status_code == 404


# --- The pages -------------------------------------------------------------------------------------------------


def test_the_list_shows_each_day_with_its_counts_totals_and_open_findings(office, run):
    SettlementRun.objects.create(
        gateway="paygw", day=DAY - timedelta(days=1), ran_at=timezone.now(), settled_count=0
    )
    html = office.get(LIST).content.decode()
    assert html.index("30 November 2026") < html.index("29 November 2026")  # newest first
    assert f'href="{run_path(run)}"' in html
    assert "EGP 449, fees EGP 6.74, net EGP 442.26" in html
    assert '<span class="aegov-badge badge-error">3</span>' in html and "none" in html


def test_the_run_page_lists_the_open_findings_with_both_amounts(office, run):
    html = office.get(run_path(run)).content.decode()
    assert "Settlement of 30 November 2026" in html
    assert "Missing from the gateway&#x27;s file" in html and "Not recorded by us" in html
    assert "Amount differs" in html and "EGP 300" in html and "EGP 250" in html and "WALK-IN-1" in html
    assert "EGP 442.26" in html  # the net paid out
    for mismatch in run.mismatches.all():
        assert f'href="{mismatch_path(mismatch)}"' in html
    assert 'id="resolved-findings"' not in html


def test_the_pages_speak_arabic(office, run):
    html = office.get(run_path(run).replace("/en/", "/ar/")).content.decode()
    assert 'lang="ar"' in html and 'dir="rtl"' in html
    assert "تسوية يوم" in html and "300 ج.م" in html and "غائب عن ملف البوابة" in html
    listing = office.get(LIST.replace("/en/", "/ar/")).content.decode()
    assert "مطابقة التسويات" in listing


# --- Resolving ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("note", ["", "   \n  "])
def test_a_finding_is_never_resolved_without_a_note(office, run, note):
    missing = run.mismatches.get(kind="missing")
    response = office.post(mismatch_path(missing), {"note": note})
    html = response.content.decode()
    assert response.status_code == 400 and 'id="error-summary"' in html
    assert 'href="#id_note"' in html and "a finding is never closed without a note" in html
    missing.refresh_from_db()
    assert missing.status == "open" and missing.resolution_note == ""
    assert not AuditEntry.objects.filter(action="payments.settlement.mismatch-resolved").exists()


def test_a_note_too_long_is_refused(office, run):
    missing = run.mismatches.get(kind="missing")
    response = office.post(mismatch_path(missing), {"note": "x" * 2001})
    assert response.status_code == 400 and "Keep the note to 2000 characters." in response.content.decode()
    missing.refresh_from_db()
    assert missing.status == "open"


def test_resolving_records_who_when_and_the_note_and_audits_it(office, finance, run):
    missing = run.mismatches.get(kind="missing")
    page = office.get(mismatch_path(missing)).content.decode()
    assert "RCP-2026-000777" in page and 'name="note"' in page
    response = office.post(mismatch_path(missing), {"note": "Refunded by the bank on 1 December."})
    assert response.status_code == 302 and response["Location"] == run_path(run)
    missing.refresh_from_db()
    assert (missing.status, missing.resolved_by, missing.resolution_note) == (
        "resolved",
        finance,
        "Refunded by the bank on 1 December.",
    )
    entry = AuditEntry.objects.get(action="payments.settlement.mismatch-resolved")
    assert entry.actor == f"user:{finance.uuid}" and entry.subject_id == str(missing.uuid)
    html = office.get(run_path(run)).content.decode()
    assert "The finding is resolved." in html and 'id="resolved-findings"' in html
    assert "Finance Officer" in html and "Refunded by the bank on 1 December." in html
    shown = office.get(mismatch_path(missing)).content.decode()
    assert 'name="note"' not in shown and 'id="resolution"' in shown
    assert '<span class="aegov-badge badge-error">2</span>' in office.get(LIST).content.decode()

    again = office.post(mismatch_path(missing), {"note": "Me too."}, follow=True)
    assert "Someone resolved this finding already" in again.content.decode()
    missing.refresh_from_db()
    assert missing.resolution_note == "Refunded by the bank on 1 December."
    assert AuditEntry.objects.filter(action="payments.settlement.mismatch-resolved").count() == 1


# --- Reconciling a day again ----------------------------------------------------------------------------------


def test_reconciling_again_replaces_the_open_findings_with_the_gateways_file(
    office, finance, payment_gateway
):
    today = timezone.now().astimezone(UTC).date()
    payer = citizen()
    ghost = paid_intent(payer)
    stale = SettlementRun.objects.create(gateway="paygw", day=today, ran_at=timezone.now())
    SettlementMismatch.objects.create(
        run=stale, kind="extra", key="pay_" + "f" * 24, gateway_payment="pay_" + "f" * 24, settled_amount=1
    )
    response = office.post(f"{run_path(stale)}run-again/", follow=True)
    assert "The day was reconciled again" in response.content.decode()
    stale.refresh_from_db()
    assert stale.times_run == 2 and stale.ran_by == finance
    assert list(stale.mismatches.values_list("kind", "key")) == [("missing", ghost.gateway_payment)]
    assert AuditEntry.objects.get(action="payments.settlement.reconciled").actor == f"user:{finance.uuid}"
    assert "by Finance Officer" in office.get(run_path(stale)).content.decode()


def test_reconciling_again_with_the_gateway_down_changes_nothing(office, run, settings):
    settings.BAWABA_PAYMENT_GATEWAY_OPTIONS = {
        "paygw": {"url": "http://127.0.0.1:9", "merchant": "shop", "secret": "x"}
    }
    response = office.post(f"{run_path(run)}run-again/", follow=True)
    assert "The day was not reconciled again, and nothing changed" in response.content.decode()
    run.refresh_from_db()
    assert run.times_run == 1 and run.mismatches.count() == 3

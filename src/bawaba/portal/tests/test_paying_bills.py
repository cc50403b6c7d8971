"""Paying traffic fines and electricity bills by reference: the account looked up, bills chosen, the total
worked out with the service's charge and late fees, paid on the sandbox gateway (its own process), the bills
marked paid by the payment's event, and the receipt listing them."""

from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from bawaba.accounts.models import User
from bawaba.audit.models import AuditEntry
from bawaba.events.models import Event
from bawaba.events.tasks import deliver_event
from bawaba.paygw.tests.gateway import Payer
from bawaba.payments.bills import BillFileRefused, account_clean, bills_load
from bawaba.payments.models import Bill, Intent
from bawaba.testing.clients import signed_in

FINES, ELECTRICITY = "traffic.fine.pay", "utilities.electricity-bill.pay"
SUCCESS, DECLINED = "4242424242424242", "4000000000000002"
PLATE = r"^[\u0621-\u064A]{1,3}[0-9]{1,4}$"


def row(reference, account, amount, days_ago=5, **more):
    return {
        "reference": reference,
        "account": account,
        "holder": "",
        "label_ar": f"مخالفة {reference}",
        "label_en": f"Fine {reference}",
        "amount": str(amount),
        "currency": "EGP",
        "issued_on": (timezone.localdate() - timedelta(days=days_ago)).isoformat(),
        **more,
    }


@pytest.fixture
def citizen(db):
    return User.objects.create_user(
        "salma", national_id="29103090104241", birth_date=date(1991, 3, 9), mobile="+201012345679"
    )


@pytest.fixture
def fines(db):
    bills_load(
        biller="traffic-fines",
        rows=[row("TF-1", "قطر1234", 30000), row("TF-2", "قطر1234", 10000), row("TF-3", "سمع5821", 5000)],
        pattern=PLATE,
    )


def relay_payment_events() -> None:
    for event in Event.objects.filter(name="payment.succeeded"):
        deliver_event.call(event_id=event.pk, subscriber="payments.bills-paid")


def back_from_gateway(client, answer):
    location = urlsplit(answer.headers["Location"])
    return client.get(f"{location.path}?{location.query}")


# ------------------------------------------------------------------------------------------------ accounts


@pytest.mark.parametrize(
    ("typed", "cleaned"),
    [
        ("ق ط ر 1234", "قطر1234"),
        ("قطر-١٢٣٤", "قطر1234"),
        (" ق ط ر  ١٢٣٤ ", "قطر1234"),
        ("ABC 123", None),
        ("قطر", None),
    ],
)
def test_a_plate_is_read_however_it_is_typed(typed, cleaned):
    assert account_clean(typed, PLATE) == cleaned


# ------------------------------------------------------------------------------------------------ the file


def test_a_bad_line_refuses_the_whole_file_naming_line_and_column(db):
    rows = [row("TF-1", "قطر1234", 30000), row("TF-2", "قطر1234", "12.50")]
    with pytest.raises(BillFileRefused, match=r"line 3, amount: '12.50' is not a whole number"):
        bills_load(biller="traffic-fines", rows=rows, pattern=PLATE)
    with pytest.raises(BillFileRefused, match=r"line 2, account: 'XYZ' does not match"):
        bills_load(biller="traffic-fines", rows=[row("TF-1", "XYZ", 100)], pattern=PLATE)
    with pytest.raises(BillFileRefused, match=r"line 3, reference: 'TF-1' is on an earlier line"):
        bills_load(biller="traffic-fines", rows=[row("TF-1", "قطر1", 1), row("TF-1", "قطر1", 1)])
    with pytest.raises(BillFileRefused, match=r"line 2, reference: 'مخالفة 1' is not 1 to 40 of letters"):
        bills_load(biller="traffic-fines", rows=[row("مخالفة 1", "قطر1", 1)])
    with pytest.raises(BillFileRefused, match=r"line 2, issued_on: '2026-02-30' is not a date"):
        bills_load(biller="traffic-fines", rows=[row("TF-1", "قطر1", 1, issued_on="2026-02-30")])
    assert not Bill.objects.exists()


def test_loading_again_updates_unpaid_bills_cancels_withdrawn_ones_and_never_touches_paid_ones(db):
    bills_load(
        biller="traffic-fines",
        rows=[row("TF-1", "قطر1", 100), row("TF-2", "قطر1", 200), row("TF-3", "قطر1", 300)],
    )
    Bill.objects.filter(reference="TF-3").update(status=Bill.Status.PAID)
    loaded = bills_load(
        biller="traffic-fines",
        rows=[row("TF-1", "قطر1", 150), row("TF-2", "قطر1", 200, status="cancelled"), row("TF-3", "قطر1", 1)],
    )
    assert (loaded.created, loaded.updated, loaded.cancelled, loaded.unchanged) == (0, 1, 1, 1)
    assert {b.reference: (b.amount, b.status) for b in Bill.objects.all()} == {
        "TF-1": (150, "open"),
        "TF-2": (200, "cancelled"),
        "TF-3": (300, "paid"),
    }


def test_the_command_reads_a_csv_file_and_refuses_a_broken_one(db, tmp_path):
    good = tmp_path / "fines.csv"
    good.write_text(
        "reference,account,holder,label_ar,label_en,amount,currency,issued_on\n"
        "TF-9,ق ط ر 1234,,وقوف خاطئ,Wrong parking,10000,EGP,2026-11-01\n",
        encoding="utf-8",
    )
    call_command("bills", "load", str(good), "--biller=traffic-fines", f"--pattern={PLATE}")
    assert Bill.objects.get(reference="TF-9").account == "قطر1234"
    broken = tmp_path / "broken.csv"
    broken.write_text("reference,account\nTF-10,قطر1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="lacks the columns"):
        call_command("bills", "load", str(broken), "--biller=traffic-fines")


# ------------------------------------------------------------------------------------------------ paying


def test_paying_two_of_three_fines_marks_them_paid_and_the_receipt_lists_them(
    payment_gateway, citizen, fines
):
    client = signed_in(citizen)
    page = client.get(f"/en/services/{FINES}/start/", {"account": "ق ط ر ١٢٣٤"})
    html = page.content.decode()
    assert page.status_code == 200 and "Fine TF-1" in html and "Fine TF-2" in html and "TF-3" not in html
    assert "EGP 405" in html  # 300 + 100 + the EGP 5 service charge
    chosen = client.get(f"/en/services/{FINES}/start/", {"account": "قطر1234", "bill": ["TF-2"]})
    assert "EGP 105" in chosen.content.decode()
    to_gateway = client.post(f"/en/services/{FINES}/start/", {"account": "قطر1234", "bill": ["TF-1", "TF-2"]})
    assert to_gateway.status_code == 302 and to_gateway["Location"].startswith(payment_gateway.url)
    intent = Intent.objects.get()
    assert (intent.amount, intent.currency, intent.purpose[:6]) == (40500, "EGP", "bills:")
    declined = Payer(payment_gateway).pay(intent.gateway_payment, DECLINED)
    assert declined.headers["Location"].startswith("/pay/")  # the gateway's page, to try another card
    again = client.post(f"/en/services/{FINES}/start/", {"account": "قطر1234", "bill": ["TF-2", "TF-1"]})
    assert again["Location"].startswith(intent.pay_url) and Intent.objects.count() == 1
    back = back_from_gateway(client, Payer(payment_gateway).pay(intent.gateway_payment, SUCCESS))
    assert back.status_code == 302 and back["Location"] == f"/en/account/payments/{intent.uuid}/receipt/"
    relay_payment_events()
    relay_payment_events()  # delivered twice: paid once
    assert {b.reference: b.status for b in Bill.objects.all()} == {
        "TF-1": "paid",
        "TF-2": "paid",
        "TF-3": "open",
    }
    assert Event.objects.filter(name="bill.paid").count() == 2
    receipt = client.get(back["Location"]).content.decode()
    assert "Fine TF-1" in receipt and "Fine TF-2" in receipt and "EGP 405" in receipt
    assert (
        "Nothing is due"
        in client.get(f"/en/services/{FINES}/start/", {"account": "قطر1234"}).content.decode()
    )


def test_an_electricity_bill_carries_its_late_fee(payment_gateway, citizen):
    bills_load(
        biller="electricity",
        rows=[
            row("EL-1", "100200300400", 48750, days_ago=64),
            row("EL-2", "100200300400", 39420, days_ago=4),
        ],
    )
    client = signed_in(citizen)
    html = client.get(f"/ar/services/{ELECTRICITY}/start/", {"account": "1002 0030 0400"}).content.decode()
    assert "غرامة التأخير" in html and "20 ج.م" in html
    client.post(f"/en/services/{ELECTRICITY}/start/", {"account": "100200300400", "bill": ["EL-1", "EL-2"]})
    intent = Intent.objects.get()
    # 64 days after issue is 34 days past the 30 allowed: two months begun, EGP 10 each; no charge of its own.
    assert intent.amount == 48750 + 2000 + 39420
    assert list(intent.bill_lines.order_by("bill__reference").values_list("penalty", flat=True)) == [2000, 0]


def test_an_account_that_is_not_one_is_refused_by_name(citizen):
    page = signed_in(citizen).get(f"/en/services/{ELECTRICITY}/start/", {"account": "12345"})
    assert page.status_code == 400
    assert (
        "“12345” is not a valid account number. The 12 digits at the top of the bill" in page.content.decode()
    )


def test_a_fine_of_another_plate_or_a_paid_one_cannot_be_slipped_in(payment_gateway, citizen, fines):
    client = signed_in(citizen)
    other = client.post(f"/en/services/{FINES}/start/", {"account": "قطر1234", "bill": ["TF-1", "TF-3"]})
    assert other.status_code == 200 and "has just been paid or withdrawn" in other.content.decode()
    nothing = client.post(f"/en/services/{FINES}/start/", {"account": "قطر1234"})
    assert "Choose at least one bill" in nothing.content.decode()
    Bill.objects.filter(reference="TF-1").update(status=Bill.Status.PAID)
    paid = client.post(f"/en/services/{FINES}/start/", {"account": "قطر1234", "bill": ["TF-1"]})
    assert "has just been paid or withdrawn" in paid.content.decode()
    assert not Intent.objects.exists()


def test_a_new_choice_closes_the_older_one_and_a_bill_paid_twice_is_flagged(payment_gateway, citizen, fines):
    client = signed_in(citizen)
    client.post(f"/en/services/{FINES}/start/", {"account": "قطر1234", "bill": ["TF-1"]})
    client.post(f"/en/services/{FINES}/start/", {"account": "قطر1234", "bill": ["TF-1", "TF-2"]})
    first, second = Intent.objects.order_by("created_at")
    assert first.status == Intent.Status.FAILED and second.status == Intent.Status.OPEN
    # Paid meanwhile through another channel (a counter, say): the card payment is flagged, not lost.
    Bill.objects.filter(reference="TF-1").update(status=Bill.Status.PAID)
    back_from_gateway(client, Payer(payment_gateway).pay(second.gateway_payment, SUCCESS))
    relay_payment_events()
    assert AuditEntry.objects.filter(action="payments.bill.paid-twice").count() == 1
    assert Bill.objects.get(reference="TF-2").paid_by == second


def test_a_bill_in_another_currency_is_not_priced_with_the_others(citizen):
    bills_load(biller="electricity", rows=[row("EL-9", "100200300400", 1000, currency="USD")])
    page = signed_in(citizen).get(f"/en/services/{ELECTRICITY}/start/", {"account": "100200300400"})
    assert page.status_code == 200 and "cannot be paid together online" in page.content.decode()

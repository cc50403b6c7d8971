"""Paying from a mobile wallet on the hosted page without JavaScript: the test wallet's one-time code, a
wrong code, the declined wallets, bad numbers, and the outcome as the merchant sees it."""

import sqlite3
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from bawaba.paygw import store, wallets

from .gateway import Payer, gateway_process, wait_for, webhook_receiver


@pytest.fixture(scope="module")
def merchant(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("paygw-wallet")
    with webhook_receiver() as receiver, gateway_process(tmp_path, receiver.url) as gateway:
        yield gateway, receiver


def _wallet(payer: Payer, payment_id: str, number: str, lang: str = "en"):
    return payer.submit(f"/pay/{payment_id}?lang={lang}", method="wallet", wallet_number=number)


def _code(payer: Payer, payment_id: str, code: str, lang: str = "en"):
    return payer.submit(f"/pay/{payment_id}/challenge?lang={lang}", code=code)


def _back_status(response) -> str:
    assert response.status_code == 302, response.text
    return parse_qs(urlsplit(response.headers["Location"]).query)["status"][0]


def test_the_test_wallet_asks_for_the_code_then_pays_and_the_merchant_is_told(merchant):
    gateway, receiver = merchant
    payment = gateway.create(amount=4200)
    payer = Payer(gateway)
    response = _wallet(payer, payment["id"], "010 0000 0001")
    assert response.headers["Location"] == f"/pay/{payment['id']}/challenge?lang=en"
    read = gateway.status(payment["id"])
    assert (read["status"], read["method"]) == ("pending", "wallet")
    step = payer.get(f"/pay/{payment['id']}/challenge?lang=en")
    assert "Mobile wallet" in step.text and "••• 0001" in step.text and "Your wallet sent" in step.text
    # Until the code is given, the page sends the payer back to the code step.
    assert payer.get(f"/pay/{payment['id']}?lang=en").headers["Location"].endswith("/challenge?lang=en")
    assert _back_status(_code(payer, payment["id"], "123456")) == "succeeded"
    read = gateway.status(payment["id"])
    assert (read["status"], read["method"], read["wallet_last4"], read["card_last4"]) == (
        "succeeded",
        "wallet",
        "0001",
        None,
    )
    events = wait_for(lambda: len(receiver.events(payment["id"])) >= 4 and receiver.events(payment["id"]))
    assert sorted({event["event_id"]: event["status"] for event in events}.values()) == [
        "pending",
        "succeeded",
    ]
    day = datetime.now(UTC).date().isoformat()
    csv = gateway.signed("GET", f"/v1/settlements/{day}.csv").text
    assert csv.splitlines()[0] == "payment_id,merchant_reference,amount,currency,fee,net,settled_at"
    assert f"{payment['id']},{payment['merchant_reference']},4200,EGP,63,4137," in csv


def test_a_wrong_wallet_code_declines_and_the_payer_can_pay_by_card(merchant):
    gateway, _ = merchant
    payment = gateway.create()
    payer = Payer(gateway)
    _wallet(payer, payment["id"], "+20 100 000 0001")
    response = _code(payer, payment["id"], "654321")
    assert response.headers["Location"] == f"/pay/{payment['id']}?lang=en"
    read = gateway.status(payment["id"])
    assert (read["status"], read["decline_reason"], read["method"]) == (
        "declined",
        "challenge_failed",
        "wallet",
    )
    assert "verification code was not right" in payer.get(f"/pay/{payment['id']}?lang=en").text
    assert _back_status(payer.pay(payment["id"], "4242424242424242")) == "succeeded"
    read = gateway.status(payment["id"])
    assert (read["method"], read["card_last4"]) == ("card", "4242")


@pytest.mark.parametrize(
    ("number", "reason", "message"),
    [
        ("01000000002", "insufficient_wallet_balance", "The wallet does not have enough balance."),
        ("0155 123 4567", "not_a_wallet", "This mobile number has no wallet."),
    ],
)
def test_a_declined_wallet_says_why_and_another_try_can_pay(merchant, number, reason, message):
    gateway, receiver = merchant
    payment = gateway.create()
    payer = Payer(gateway)
    response = _wallet(payer, payment["id"], number)
    assert response.headers["Location"] == f"/pay/{payment['id']}?lang=en"
    read = gateway.status(payment["id"])
    assert (read["status"], read["decline_reason"], read["method"]) == ("declined", reason, "wallet")
    page = payer.get(f"/pay/{payment['id']}?lang=en")
    assert message in page.text and 'role="alert"' in page.text
    events = wait_for(lambda: len(receiver.events(payment["id"])) >= 4 and receiver.events(payment["id"]))
    assert {event["decline_reason"] for event in events if event["status"] == "declined"} == {reason}
    _wallet(payer, payment["id"], "01000000001")
    assert _back_status(_code(payer, payment["id"], "123456")) == "succeeded"


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("", "Enter the wallet&#x27;s mobile number."),
        ("0100000000", "The mobile number is not valid"),
        ("01300000001", "The mobile number is not valid"),
        ("0100000000a", "The mobile number is not valid"),
        ("+1 010 0000 0001", "The mobile number is not valid"),
    ],
)
def test_a_bad_wallet_number_is_shown_beside_its_field_and_nothing_changes(merchant, number, message):
    gateway, _ = merchant
    payment = gateway.create()
    response = _wallet(Payer(gateway), payment["id"], number)
    assert response.status_code == 400
    assert f'<p id="wallet_number-error" class="field-error">{message}' in response.text
    assert f'<a href="#wallet_number">{message}' in response.text
    assert 'aria-invalid="true"' in response.text
    read = gateway.status(payment["id"])
    assert (read["status"], read["method"]) == ("pending", None)


def test_the_wallet_error_is_in_the_pages_language(merchant):
    gateway, _ = merchant
    payment = gateway.create()
    response = _wallet(Payer(gateway), payment["id"], "123", lang="ar")
    assert response.status_code == 400
    assert "رقم الهاتف المحمول غير صحيح" in response.text


def test_a_wallet_try_cannot_slip_past_a_finished_payment(merchant):
    gateway, _ = merchant
    payment = gateway.create()
    payer = Payer(gateway)
    assert _back_status(payer.pay(payment["id"], "4242424242424242")) == "succeeded"
    # A wallet form left open in another tab, posted after the card paid.
    token_page = Payer(gateway)
    other = gateway.create()
    page = token_page.get(f"/pay/{other['id']}?lang=en")
    token = page.text.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    late = token_page.session.post(
        f"{gateway.url}/pay/{payment['id']}?lang=en",
        data={"csrfmiddlewaretoken": token, "method": "wallet", "wallet_number": "01000000001"},
        headers={"Referer": f"{gateway.url}/pay/{payment['id']}?lang=en"},
        timeout=10,
        allow_redirects=False,
    )
    assert late.status_code == 200 and "Payment complete" in late.text
    read = gateway.status(payment["id"])
    assert (read["status"], read["method"], read["wallet_last4"]) == ("succeeded", "card", None)


def test_only_egyptian_mobile_numbers_are_wallet_numbers():
    assert wallets.normalise("+20 10-0000-0001") == wallets.normalise("0020 100 000 0001") == "01000000001"
    assert [wallets.valid(n) for n in ("01000000001", "01100000001", "01200000001", "01500000001")] == [
        True
    ] * 4
    assert not any(wallets.valid(n) for n in ("01300000001", "0100000000", "010000000011", "1000000001"))
    assert wallets.outcome("01000000001") == "challenge"
    assert wallets.outcome("01234567890") == wallets.NOT_A_WALLET


def test_a_gateway_database_from_before_wallets_gains_the_new_columns(tmp_path):
    path = tmp_path / "old.sqlite3"
    old_schema = store.SCHEMA
    with sqlite3.connect(path) as connection:
        connection.executescript(old_schema)
        connection.execute(
            "INSERT INTO payments (id, merchant_id, amount, currency, merchant_reference, return_url, description,"
            " status, card_last4, created_at, updated_at, succeeded_at) VALUES ('pay_1', 'shop', 100, 'EGP', 'R',"
            " 'http://x/', '', 'succeeded', '4242', '2026-01-01T10:00:00.000Z', '2026-01-01T10:00:00.000Z',"
            " '2026-01-01T10:00:00.000Z')"
        )
    [payment] = store.succeeded_on("shop", "2026-01-01", path)
    assert (payment.method, payment.wallet_last4, payment.card_last4) == ("", "", "4242")
    assert payment.public()["method"] is None

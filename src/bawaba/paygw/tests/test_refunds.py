"""Refunds over real HTTP against `bawaba paygw serve`: part or all of a succeeded payment, never more, once per
idempotency key, listed in the day's refunds CSV."""

import csv
import io
import uuid

import pytest

from .gateway import OTHER_SECRET, Gateway, Payer, gateway_process, webhook_receiver


@pytest.fixture(scope="module")
def gateway(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("paygw-refunds")
    with webhook_receiver() as receiver, gateway_process(tmp_path, receiver.url) as gateway:
        yield gateway


def paid(gateway, amount=10000) -> dict:
    payment = gateway.create(amount=amount)
    Payer(gateway).pay(payment["id"], "4242424242424242")
    assert gateway.status(payment["id"])["status"] == "succeeded"
    return payment


def refund(gateway, payment_id, amount, key=None, **fields):
    return gateway.signed(
        "POST",
        f"/v1/payments/{payment_id}/refunds",
        {"amount": amount, "reason": "duplicate fee", **fields},
        headers={"Idempotency-Key": key or uuid.uuid4().hex},
    )


def test_a_full_refund_succeeds_and_nothing_more_can_be_refunded(gateway):
    payment = paid(gateway)
    answer = refund(gateway, payment["id"], 10000)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["id"].startswith("re_") and body["status"] == "succeeded"
    assert (body["payment_id"], body["amount"], body["currency"]) == (payment["id"], 10000, "EGP")
    again = refund(gateway, payment["id"], 1)
    assert again.status_code == 409 and again.json()["error"] == "amount_exceeds_refundable"
    assert again.json()["refundable"] == 0


def test_partial_refunds_add_up_to_at_most_what_was_paid(gateway):
    payment = paid(gateway)
    assert refund(gateway, payment["id"], 3000).status_code == 201
    assert refund(gateway, payment["id"], 5000).status_code == 201
    too_much = refund(gateway, payment["id"], 2001)
    assert too_much.status_code == 409 and too_much.json()["refundable"] == 2000
    assert refund(gateway, payment["id"], 2000).status_code == 201


def test_the_same_key_refunds_once_and_a_different_request_under_it_is_a_conflict(gateway):
    payment = paid(gateway)
    first = refund(gateway, payment["id"], 6000, key="refund-1")
    replay = refund(gateway, payment["id"], 6000, key="refund-1")
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json()["id"] == first.json()["id"]
    assert refund(gateway, payment["id"], 5000, key="refund-1").status_code == 409
    # Only one refund of 6000 was made: 4000 remain.
    assert refund(gateway, payment["id"], 4001).json()["refundable"] == 4000


def test_a_payment_not_succeeded_cannot_be_refunded(gateway):
    pending = gateway.create(amount=500)
    answer = refund(gateway, pending["id"], 100)
    assert answer.status_code == 409 and answer.json()["error"] == "payment_not_succeeded"


@pytest.mark.parametrize("amount", [0, -5, 12.5, "100", None])
def test_bad_amounts_are_named(gateway, amount):
    payment = paid(gateway, amount=700)
    answer = refund(gateway, payment["id"], amount)
    assert answer.status_code == 400 and list(answer.json()["fields"]) == ["amount"]


def test_refunds_are_signed_requests_of_the_payment_s_own_merchant(gateway):
    payment = paid(gateway)
    forged = gateway.signed(
        "POST",
        f"/v1/payments/{payment['id']}/refunds",
        {"amount": 100},
        secret="not-the-secret",
        headers={"Idempotency-Key": "forged"},
    )
    assert forged.status_code == 401
    other = Gateway(url=gateway.url, merchant="other", secret=OTHER_SECRET)
    assert refund(other, payment["id"], 100).status_code == 404
    assert refund(gateway, "pay_000000000000000000000000", 100).status_code == 404
    missing_key = gateway.signed("POST", f"/v1/payments/{payment['id']}/refunds", {"amount": 100})
    assert missing_key.status_code == 400 and "Idempotency-Key" in missing_key.json()["message"]
    assert refund(gateway, payment["id"], 100, currency="USD").status_code == 400


def test_the_day_s_refunds_are_listed_in_their_own_csv_and_the_settlement_is_unchanged(gateway):
    payment = paid(gateway, amount=2500)
    made = refund(gateway, payment["id"], 1000).json()
    day = made["created_at"][:10]
    answer = gateway.signed("GET", f"/v1/refunds/{day}.csv")
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/csv")
    assert (
        answer.text.splitlines()[0] == "refund_id,payment_id,merchant_reference,amount,currency,refunded_at"
    )
    rows = {row["refund_id"]: row for row in csv.DictReader(io.StringIO(answer.text))}
    assert rows[made["id"]]["payment_id"] == payment["id"]
    assert rows[made["id"]]["merchant_reference"] == payment["merchant_reference"]
    assert (rows[made["id"]]["amount"], rows[made["id"]]["currency"]) == ("1000", "EGP")
    settlement = gateway.signed("GET", f"/v1/settlements/{day}.csv").text
    assert made["id"] not in settlement and ",2500," in settlement
    other = Gateway(url=gateway.url, merchant="other", secret=OTHER_SECRET)
    assert made["id"] not in other.signed("GET", f"/v1/refunds/{day}.csv").text
    assert gateway.signed("GET", f"/v1/refunds/{day}.csv", secret="wrong").status_code == 401
    assert gateway.signed("GET", "/v1/refunds/2025-02-30.csv").status_code == 400
    assert gateway.signed("GET", "/v1/refunds/1999-01-01.csv").text.count("\n") == 1


def test_a_fresh_gateway_database_lists_no_refunds(tmp_path):
    with gateway_process(tmp_path) as fresh:
        assert fresh.signed("GET", "/v1/refunds/2026-01-01.csv").text.count("\n") == 1

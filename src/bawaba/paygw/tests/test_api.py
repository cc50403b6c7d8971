"""The merchants' API over real HTTP against `bawaba paygw serve`: signatures, idempotency, validation,
the settlement report (by API and by `bawaba paygw settle`)."""

import csv
import io
import json
import os
import subprocess
import sys
import time

import pytest
import requests

from bawaba.paygw import signing

from .gateway import OTHER_SECRET, Gateway, Payer, gateway_process, webhook_receiver


@pytest.fixture(scope="module")
def gateway(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("paygw-api")
    with webhook_receiver() as receiver, gateway_process(tmp_path, receiver.url) as gateway:
        gateway.tmp_path = tmp_path
        yield gateway


PAYMENT = {
    "amount": 15000,
    "currency": "EGP",
    "merchant_reference": "APP-1",
    "return_url": "https://portal.example/return",
    "description": "Passport renewal fee",
}


def test_a_signed_request_creates_a_pending_payment_with_a_pay_url(gateway):
    payment = gateway.create(amount=2500, merchant_reference="APP-2024-0001")
    assert payment["status"] == "pending"
    assert payment["amount"] == 2500
    assert payment["pay_url"] == f"{gateway.url}/pay/{payment['id']}"
    read = gateway.status(payment["id"])
    assert {key: read[key] for key in ("id", "status", "amount", "currency", "merchant_reference")} == {
        "id": payment["id"],
        "status": "pending",
        "amount": 2500,
        "currency": "EGP",
        "merchant_reference": "APP-2024-0001",
    }
    assert read["card_last4"] is None and read["updated_at"]


@pytest.mark.parametrize(
    ("secret", "age", "message"),
    [
        ("not-the-secret", 0, "does not match"),
        (None, 301, "5 minutes"),
        (None, -301, "5 minutes"),
    ],
)
def test_wrong_or_stale_signatures_are_refused(gateway, secret, age, message):
    response = gateway.signed(
        "POST",
        "/v1/payments",
        PAYMENT,
        secret=secret,
        timestamp=time.time() - age,
        headers={"Idempotency-Key": "k"},
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_signature"
    assert message in response.json()["message"]


def test_a_signature_does_not_cover_another_body(gateway):
    body = b'{"amount": 1}'
    headers = {
        "X-Paygw-Merchant": "shop",
        "Idempotency-Key": "tampered",
        **signing.signed_headers(gateway.secret, body),
    }
    tampered = json.dumps({**PAYMENT, "amount": 1}).encode()
    response = requests.post(f"{gateway.url}/v1/payments", data=tampered, headers=headers, timeout=10)
    assert response.status_code == 401
    assert "does not match" in response.json()["message"]


def test_missing_headers_and_unknown_merchants_are_refused(gateway):
    assert requests.post(f"{gateway.url}/v1/payments", json=PAYMENT, timeout=10).status_code == 401
    stranger = Gateway(url=gateway.url, merchant="nobody")
    response = stranger.signed("GET", "/v1/payments/pay_000000000000000000000000")
    assert response.status_code == 401
    assert response.json()["error"] == "unknown_merchant"
    garbled = gateway.signed("GET", "/v1/payments/x", headers={"X-Paygw-Timestamp": "soon"})
    assert garbled.status_code == 401
    assert "Unix time" in garbled.json()["message"]


def test_a_merchant_cannot_read_another_merchants_payment(gateway):
    payment = gateway.create()
    other = Gateway(url=gateway.url, merchant="other", secret=OTHER_SECRET)
    assert other.signed("GET", f"/v1/payments/{payment['id']}").status_code == 404


def test_the_same_idempotency_key_gives_the_same_payment(gateway):
    first = gateway.create(key="order-77", merchant_reference="APP-77")
    again = gateway.signed("POST", "/v1/payments", {**PAYMENT, "merchant_reference": "APP-77"}, headers={})
    assert again.status_code == 400 and "Idempotency-Key" in again.json()["message"]
    replay = gateway.signed(
        "POST",
        "/v1/payments",
        {
            "amount": 15000,
            "currency": "EGP",
            "merchant_reference": "APP-77",
            "return_url": "http://127.0.0.1:9/return?from=gw",
            "description": "Passport renewal fee",
        },
        headers={"Idempotency-Key": "order-77"},
    )
    assert replay.status_code == 201
    assert replay.json()["id"] == first["id"]
    assert replay.headers["Idempotent-Replayed"] == "true"


def test_a_different_body_with_a_used_idempotency_key_is_a_conflict(gateway):
    gateway.create(key="order-78", amount=100)
    response = gateway.signed(
        "POST", "/v1/payments", {**PAYMENT, "amount": 200}, headers={"Idempotency-Key": "order-78"}
    )
    assert response.status_code == 409
    assert response.json()["error"] == "idempotency_conflict"


def test_idempotency_keys_belong_to_one_merchant(gateway):
    mine = gateway.create(key="shared-key")
    other = Gateway(url=gateway.url, merchant="other", secret=OTHER_SECRET)
    theirs = other.signed("POST", "/v1/payments", PAYMENT, headers={"Idempotency-Key": "shared-key"})
    assert theirs.status_code == 201
    assert theirs.json()["id"] != mine["id"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": 0}, "amount"),
        ({"amount": 12.5}, "amount"),
        ({"amount": "100"}, "amount"),
        ({"currency": "egp"}, "currency"),
        ({"merchant_reference": "=HYPERLINK(1)"}, "merchant_reference"),
        ({"return_url": "javascript:alert(1)"}, "return_url"),
        ({"description": "x" * 201}, "description"),
    ],
)
def test_invalid_fields_are_named(gateway, change, field):
    response = gateway.signed(
        "POST", "/v1/payments", {**PAYMENT, **change}, headers={"Idempotency-Key": f"bad-{field}"}
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]


def test_a_body_that_is_not_a_json_object_is_refused(gateway):
    response = gateway.signed("POST", "/v1/payments", [1, 2], headers={"Idempotency-Key": "list"})
    assert response.status_code == 400
    assert response.json()["fields"] == {"body": "The body must be a JSON object."}


def _rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_settlement_report_lists_the_days_succeeded_payments(gateway):
    paid = gateway.create(amount=1100, merchant_reference="APP-SETTLE-1")
    unpaid = gateway.create(amount=999, merchant_reference="APP-SETTLE-2")
    Payer(gateway).pay(paid["id"], "4242424242424242")
    day = gateway.status(paid["id"])["updated_at"][:10]
    assert gateway.signed("GET", f"/v1/settlements/{day}.csv", secret="wrong").status_code == 401
    response = gateway.signed("GET", f"/v1/settlements/{day}.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.text.splitlines()[0] == "payment_id,merchant_reference,amount,currency,fee,net,settled_at"
    rows = {row["payment_id"]: row for row in _rows(response.text)}
    assert unpaid["id"] not in rows
    assert rows[paid["id"]]["merchant_reference"] == "APP-SETTLE-1"
    # 1.5 % of 1100 is 16.5, rounded half up to 17.
    assert (rows[paid["id"]]["amount"], rows[paid["id"]]["fee"], rows[paid["id"]]["net"]) == (
        "1100",
        "17",
        "1083",
    )
    assert rows[paid["id"]]["settled_at"].endswith("T00:00:00Z")
    other = Gateway(url=gateway.url, merchant="other", secret=OTHER_SECRET)
    assert paid["id"] not in other.signed("GET", f"/v1/settlements/{day}.csv").text
    assert gateway.signed("GET", "/v1/settlements/2025-02-30.csv").status_code == 400

    out = gateway.tmp_path / "settlement.csv"
    env = {
        "BAWABA_PAYGW_DB": str(gateway.tmp_path / "paygw.sqlite3"),
        "BAWABA_PAYGW_MERCHANTS": '{"shop": {"secret": "s", "webhook_url": "http://127.0.0.1:9/"}}',
    }
    subprocess.run(
        [
            sys.executable,
            "-m",
            "bawaba.manage",
            "paygw",
            "settle",
            "--date",
            day,
            "--out",
            str(out),
            "--merchant",
            "shop",
        ],
        env={**os.environ, **env},
        check=True,
        capture_output=True,
    )
    assert out.read_text() == response.text
    wrong = subprocess.run(
        [sys.executable, "-m", "bawaba.manage", "paygw", "settle", "--date", "May 1", "--out", str(out)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )
    assert wrong.returncode != 0
    assert "--date must be a day as YYYY-MM-DD" in wrong.stderr


def test_payments_survive_a_restart_of_the_gateway(tmp_path):
    with gateway_process(tmp_path) as gateway:
        payment = gateway.create(merchant_reference="APP-KEEP")
        Payer(gateway).pay(payment["id"], "4242 4242 4242 4242")
    with gateway_process(tmp_path) as gateway:
        assert gateway.status(payment["id"])["status"] == "succeeded"

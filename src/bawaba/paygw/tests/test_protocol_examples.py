"""The worked examples of PROTOCOL.md are what the gateway computes."""

from pathlib import Path

from bawaba.paygw import settlement, signing

PROTOCOL = (Path(__file__).parent.parent / "PROTOCOL.md").read_text()
SECRET = "bawaba-paygw-demo-secret"
BODY = (
    b'{"amount": 15000, "currency": "EGP", "merchant_reference": "APP-2026-000123",'
    b' "return_url": "http://127.0.0.1:8000/ar/payments/return", "description": "Passport renewal fee"}'
)


def test_the_documented_signatures_are_the_gateways():
    assert BODY.decode() in PROTOCOL
    for value in (
        signing.signature(SECRET, "1767261600", BODY),
        signing.signature(SECRET, "1767261600", b""),
        signing.return_signature(SECRET, "pay_4f1c0e8a9b2d3c4e5f607182", "succeeded"),
    ):
        assert value.removeprefix("sha256=") in PROTOCOL


def test_the_documented_signature_check_refuses_what_it_says():
    good = signing.signature(SECRET, "1767261600", BODY)
    assert signing.check(SECRET, "1767261600", good, BODY, now=1767261600 + 300) is None
    assert "5 minutes" in signing.check(SECRET, "1767261600", good, BODY, now=1767261600 + 301)
    assert "does not match" in signing.check(SECRET, "1767261600", good, BODY + b" ", now=1767261600)
    assert "does not match" in signing.check("other", "1767261600", good, BODY, now=1767261600)


def test_the_fee_is_rounded_half_up():
    assert [settlement.fee(amount, 150) for amount in (1000, 1010, 1100, 1, 33)] == [15, 15, 17, 0, 0]

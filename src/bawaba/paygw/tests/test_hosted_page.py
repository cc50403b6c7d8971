"""The payer's hosted card page without JavaScript: each test card, the challenge, a new try after a
decline, the form's errors, the signed way back to the merchant."""

from urllib.parse import parse_qs, urlsplit

import pytest

from bawaba.paygw import signing

from .gateway import SECRET, Payer, gateway_process, webhook_receiver


@pytest.fixture(scope="module")
def gateway(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("paygw-page")
    with webhook_receiver() as receiver, gateway_process(tmp_path, receiver.url) as gateway:
        yield gateway


def _back(response) -> dict:
    """The merchant's return address the browser is sent to, and its query."""
    assert response.status_code == 302, response.text
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == "http://127.0.0.1:9/return"
    return {key: values[0] for key, values in parse_qs(location.query).items()}


def test_the_success_card_pays_and_returns_to_the_merchant_with_a_signed_status(gateway):
    payment = gateway.create()
    back = _back(Payer(gateway).pay(payment["id"], "4242 4242 4242 4242"))
    assert back["from"] == "gw"
    assert (back["payment"], back["status"]) == (payment["id"], "succeeded")
    assert back["signature"] == signing.return_signature(SECRET, payment["id"], "succeeded")
    assert back["signature"] != signing.return_signature(SECRET, payment["id"], "failed")
    read = gateway.status(payment["id"])
    assert (read["status"], read["card_last4"]) == ("succeeded", "4242")


@pytest.mark.parametrize(
    ("card", "reason", "message"),
    [
        ("4000 0000 0000 0002", "card_declined", "The card was declined."),
        ("4000-0000-0000-9995", "insufficient_funds", "does not have enough funds"),
        ("4111 1111 1111 1111", "card_declined", "The card was declined."),
    ],
)
def test_a_declined_card_can_be_followed_by_another(gateway, card, reason, message):
    payment = gateway.create()
    payer = Payer(gateway)
    response = payer.pay(payment["id"], card)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/pay/{payment['id']}?lang=en"
    read = gateway.status(payment["id"])
    assert (read["status"], read["decline_reason"]) == ("declined", reason)
    page = payer.get(f"/pay/{payment['id']}?lang=en")
    assert message in page.text and 'role="alert"' in page.text
    back = _back(payer.pay(payment["id"], "4242424242424242"))
    assert back["status"] == "succeeded"
    assert gateway.status(payment["id"])["status"] == "succeeded"


def test_the_challenge_card_asks_for_a_code_and_the_right_code_pays(gateway):
    payment = gateway.create()
    payer = Payer(gateway)
    response = payer.pay(payment["id"], "4000 0000 0000 3220")
    assert response.headers["Location"] == f"/pay/{payment['id']}/challenge?lang=en"
    assert gateway.status(payment["id"])["status"] == "pending"
    # Until the code is given, the card page sends the payer back to the challenge.
    assert payer.get(f"/pay/{payment['id']}?lang=en").headers["Location"].endswith("/challenge?lang=en")
    empty = payer.submit(f"/pay/{payment['id']}/challenge?lang=en", code="")
    assert empty.status_code == 400 and "Enter the code." in empty.text
    back = _back(payer.submit(f"/pay/{payment['id']}/challenge?lang=en", code="123456"))
    assert back["status"] == "succeeded"
    assert gateway.status(payment["id"])["card_last4"] == "3220"


def test_a_wrong_challenge_code_declines_and_the_payer_can_try_again(gateway):
    payment = gateway.create()
    payer = Payer(gateway)
    payer.pay(payment["id"], "4000000000003220")
    response = payer.submit(f"/pay/{payment['id']}/challenge?lang=en", code="000000")
    assert response.headers["Location"] == f"/pay/{payment['id']}?lang=en"
    read = gateway.status(payment["id"])
    assert (read["status"], read["decline_reason"]) == ("declined", "challenge_failed")
    assert payer.get(f"/pay/{payment['id']}/challenge?lang=en").status_code == 302
    payer.pay(payment["id"], "4000000000003220")
    assert (
        _back(payer.submit(f"/pay/{payment['id']}/challenge?lang=en", code="123456"))["status"] == "succeeded"
    )


def test_cancelling_fails_the_payment_and_returns(gateway):
    payment = gateway.create()
    payer = Payer(gateway)
    back = _back(payer.submit(f"/pay/{payment['id']}?lang=en", cancel="1"))
    assert back["status"] == "failed"
    assert back["signature"] == signing.return_signature(SECRET, payment["id"], "failed")
    assert gateway.status(payment["id"])["status"] == "failed"


def test_a_finished_payment_cannot_be_paid_again(gateway):
    payment = gateway.create()
    payer = Payer(gateway)
    payer.pay(payment["id"], "4242424242424242")
    page = payer.get(f"/pay/{payment['id']}?lang=en")
    assert "Payment complete" in page.text
    assert "card_number" not in page.text
    assert "status=succeeded" in page.text


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"card_number": ""}, "card_number", "Enter the card number."),
        ({"card_number": "4242 4242 4242 4241"}, "card_number", "The card number is not valid"),
        ({"expiry": "01/20"}, "expiry", "This card has expired."),
        ({"expiry": "13/30"}, "expiry", "Enter the expiry date as MM/YY"),
        ({"expiry": ""}, "expiry", "Enter the expiry date."),
        ({"cvc": "12"}, "cvc", "The security code is the 3 or 4 digits"),
        ({"cvc": ""}, "cvc", "Enter the security code."),
        ({"name": " "}, "name", "Enter the name as it is written on the card."),
    ],
)
def test_form_errors_are_shown_beside_their_field(gateway, fields, field, message):
    payment = gateway.create()
    response = Payer(gateway).pay(payment["id"], fields.pop("card_number", "4242424242424242"), **fields)
    assert response.status_code == 400
    assert f'<p id="{field}-error" class="field-error">{message}' in response.text
    assert f'<a href="#{field}">{message}' in response.text
    assert 'aria-invalid="true"' in response.text
    assert gateway.status(payment["id"])["status"] == "pending"


def test_the_page_is_arabic_and_right_to_left_by_default(gateway):
    payment = gateway.create()
    payer = Payer(gateway)
    arabic = payer.get(f"/pay/{payment['id']}")
    assert '<html lang="ar" dir="rtl">' in arabic.text
    assert f'href="/pay/{payment["id"]}?lang=en"' in arabic.text
    english = payer.get(f"/pay/{payment['id']}?lang=en")
    assert '<html lang="en" dir="ltr">' in english.text
    assert "Pay by card" in english.text and "150.00 EGP" in english.text
    assert '<html lang="ar" dir="rtl">' in payer.get(f"/pay/{payment['id']}?lang=fr").text


def test_a_post_without_the_csrf_token_is_refused(gateway):
    payment = gateway.create()
    payer = Payer(gateway)
    response = payer.session.post(
        f"{gateway.url}/pay/{payment['id']}?lang=en",
        data={"card_number": "4242424242424242", "expiry": "12/39", "cvc": "123", "name": "A"},
        timeout=10,
        allow_redirects=False,
    )
    assert response.status_code == 403
    assert gateway.status(payment["id"])["status"] == "pending"


def test_an_unknown_payment_link_is_not_found(gateway):
    payer = Payer(gateway)
    assert payer.get("/pay/pay_000000000000000000000000?lang=en").status_code == 404
    assert payer.get("/pay/../../etc/passwd").status_code == 404


def test_amounts_are_shown_in_the_currencys_own_minor_unit(tmp_path):
    with webhook_receiver() as receiver, gateway_process(tmp_path, receiver.url) as gateway:
        payment = gateway.create(amount=12345, currency="JOD")
        assert "12.345 JOD" in Payer(gateway).get(f"/pay/{payment['id']}?lang=en").text

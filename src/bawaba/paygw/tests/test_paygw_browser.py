"""The hosted card page in Chromium, in Arabic and English: the success card, the form's errors and the
challenge card; each page screenshotted and checked with axe-core."""

from urllib.parse import parse_qs, urlsplit

import pytest

from bawaba.paygw import signing
from bawaba.testing.browser import axe_serious, shot

from .gateway import SECRET, gateway_process, webhook_receiver

pytestmark = pytest.mark.browser


def _seen(page, name: str) -> None:
    shot(page, f"paygw-{name}")
    assert axe_serious(page) == [], name


def _returned(page, receiver, payment_id: str) -> dict:
    page.wait_for_url(f"{receiver.url.rsplit('/', 1)[0]}/return**")
    query = {key: values[0] for key, values in parse_qs(urlsplit(page.url).query).items()}
    assert query["payment"] == payment_id
    assert query["signature"] == signing.return_signature(SECRET, payment_id, query["status"])
    return query


def test_paying_with_the_success_card_and_the_challenge_card(page, tmp_path):
    with webhook_receiver() as receiver, gateway_process(tmp_path, receiver.url) as gateway:
        return_url = receiver.url.rsplit("/", 1)[0] + "/return"

        first = gateway.create(amount=15000, return_url=return_url)
        page.goto(first["pay_url"])
        assert page.locator("html").get_attribute("dir") == "rtl"
        _seen(page, "card-ar")
        page.locator("button[type=submit]").first.click()
        page.wait_for_selector("[aria-invalid=true]")
        _seen(page, "errors-ar")
        page.fill("#card_number", "4242 4242 4242 4242")
        page.fill("#expiry", "12/39")
        page.fill("#cvc", "123")
        page.fill("#name", "أمينة حسن")
        page.locator("button[type=submit]").first.click()
        assert _returned(page, receiver, first["id"])["status"] == "succeeded"

        second = gateway.create(amount=2750, return_url=return_url)
        page.goto(f"{second['pay_url']}?lang=en")
        assert page.locator("html").get_attribute("dir") == "ltr"
        page.fill("#card_number", "4000 0000 0000 0002")
        page.fill("#expiry", "12/39")
        page.fill("#cvc", "123")
        page.fill("#name", "Amina Hassan")
        page.locator("button[type=submit]").first.click()
        page.wait_for_selector("[role=alert]")
        _seen(page, "declined-en")
        page.fill("#card_number", "4000 0000 0000 3220")
        page.fill("#expiry", "12/39")
        page.fill("#cvc", "123")
        page.fill("#name", "Amina Hassan")
        page.locator("button[type=submit]").first.click()
        page.wait_for_url("**/challenge?lang=en")
        _seen(page, "challenge-en")
        page.fill("#code", "123456")
        page.locator("button[type=submit]").click()
        assert _returned(page, receiver, second["id"])["status"] == "succeeded"

        third = gateway.create(amount=500, return_url=return_url)
        page.goto(third["pay_url"])
        page.fill("#card_number", "4000000000003220")
        page.fill("#expiry", "12/39")
        page.fill("#cvc", "123")
        page.fill("#name", "أمينة حسن")
        page.locator("button[type=submit]").first.click()
        page.wait_for_url("**/challenge?lang=ar")
        _seen(page, "challenge-ar")


def test_paying_from_a_mobile_wallet(page, tmp_path):
    with webhook_receiver() as receiver, gateway_process(tmp_path, receiver.url) as gateway:
        return_url = receiver.url.rsplit("/", 1)[0] + "/return"

        first = gateway.create(amount=15000, return_url=return_url)
        page.goto(first["pay_url"])
        wallet = page.locator("form:has(#wallet_number)")
        wallet.locator("[type=submit]").click()
        page.wait_for_selector("#wallet_number[aria-invalid=true]")
        page.locator("#wallet_number").scroll_into_view_if_needed()
        _seen(page, "wallet-error-ar")
        page.fill("#wallet_number", "010 0000 0001")
        wallet.locator("[type=submit]").click()
        page.wait_for_url("**/challenge?lang=ar")
        _seen(page, "wallet-code-ar")
        page.fill("#code", "123456")
        page.locator("button[type=submit]").click()
        assert _returned(page, receiver, first["id"])["status"] == "succeeded"
        assert gateway.status(first["id"])["method"] == "wallet"

        second = gateway.create(amount=2750, return_url=return_url)
        page.goto(f"{second['pay_url']}?lang=en")
        page.fill("#wallet_number", "01000000002")
        page.locator("form:has(#wallet_number) [type=submit]").click()
        page.wait_for_selector("[role=alert]")
        _seen(page, "wallet-declined-en")
        page.fill("#wallet_number", "01000000001")
        page.locator("form:has(#wallet_number) [type=submit]").click()
        page.wait_for_url("**/challenge?lang=en")
        _seen(page, "wallet-code-en")
        page.fill("#code", "123456")
        page.locator("button[type=submit]").click()
        assert _returned(page, receiver, second["id"])["status"] == "succeeded"

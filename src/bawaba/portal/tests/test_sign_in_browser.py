"""Registering and signing in, in a real browser: password + SMS code, step-up, and a bank app over OIDC."""

from datetime import date

import pytest

from bawaba.accounts.national_id import NationalIdRule, make
from bawaba.testing.browser import axe_serious, shot
from bawaba.testing.messages import last_code

from .idp_process import identity_provider, provider_settings

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_catalogue_live")]
NATIONAL_ID = make(birth_date=date(1988, 7, 1), region="21", serial=314, sex="male", rule=NationalIdRule())
PASSWORD = "Delta-farmer-1988"
MOBILE = "+201001234567"


def register(page, base: str, lang: str) -> None:
    page.goto(f"{base}/{lang}/account/register/")
    page.fill("#id_national_id", NATIONAL_ID)
    page.fill("#id_mobile", "01001234567")
    page.fill("#id_password", PASSWORD)
    page.fill("#id_password_again", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/account/register/confirm/")
    shot(page, f"register-confirm-{lang}")
    page.fill("#id_code", last_code(MOBILE))
    page.locator("main form button[type=submit]").first.click()


def sign_in_with_password(page, base: str, lang: str, *, next_path: str = "") -> None:
    page.goto(f"{base}/{lang}/account/sign-in/" + (f"?next={next_path}" if next_path else ""))
    page.fill("#id_national_id", NATIONAL_ID)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/account/sign-in/code/")


def sign_out(page) -> None:
    page.locator("form[action$='/account/sign-out/'] button").first.click()


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_register_confirm_the_phone_then_sign_in_with_password_and_sms_code(browser, live_server, lang):
    context = browser.new_context(bypass_csp=True, locale="ar-EG" if lang == "ar" else "en-GB")
    page = context.new_page()
    register(page, live_server.url, lang)
    page.wait_for_url(f"**/{lang}/**")
    assert "/account/register/" not in page.url
    sign_out(page)

    sign_in_with_password(page, live_server.url, lang, next_path=f"/{lang}/account/")
    assert axe_serious(page) == []
    shot(page, f"sign-in-code-{lang}")
    page.fill("#id_code", last_code(MOBILE))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"**/{lang}/account/")
    assert ("متوسط" if lang == "ar" else "Substantial") in page.content()
    shot(page, f"account-after-sms-sign-in-{lang}")
    context.close()


def test_a_wrong_code_is_explained_in_the_page(page, live_server):
    register(page, live_server.url, "ar")
    sign_out(page)
    sign_in_with_password(page, live_server.url, "ar")
    page.fill("#id_code", "000000")
    page.locator("main form button[type=submit]").first.click()
    alert = page.get_by_role("alert").first
    assert "الرمز" in alert.inner_text()
    shot(page, "sign-in-wrong-code-ar")


def test_a_password_only_session_steps_up_with_an_sms_code_for_a_substantial_service(page, live_server):
    register(page, live_server.url, "en")
    sign_out(page)
    sign_in_with_password(page, live_server.url, "en")
    page.get_by_role("button", name="Continue without the code (some services will ask for it)").click()
    page.goto(f"{live_server.url}/en/services/civil.birth.certificate/start/")
    page.wait_for_url("**/account/step-up/**")
    shot(page, "step-up-en")
    page.get_by_role("button", name="Send me the code").click()
    page.wait_for_url("**/account/sign-in/code/")
    page.fill("#id_code", last_code(MOBILE))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/en/services/civil.birth.certificate/start/")
    # A high-assurance service explains which ways in are strong enough instead of refusing silently.
    page.goto(f"{live_server.url}/en/services/passport.renew/start/")
    assert "national digital ID" in page.content()
    shot(page, "step-up-high-en")


def test_a_citizen_signs_in_with_a_bank_app(browser, live_server, settings):
    callbacks = [f"{live_server.url}/{lang}/account/oidc/bank/callback/" for lang in ("ar", "en")]
    with identity_provider(redirect_uris=callbacks, profile="bank") as issuer:
        settings.BAWABA_OIDC_PROVIDERS = provider_settings(issuer, key="bank")
        context = browser.new_context(locale="ar-EG")
        page = context.new_page()
        page.goto(f"{live_server.url}/ar/account/sign-in/")
        page.get_by_role("link", name="تطبيق البنك").click()
        assert page.url.startswith(issuer)
        shot(page, "bank-app-provider")
        page.fill("#national_id", "29103090104240")
        page.fill("#pin", "1991")
        page.get_by_role("button", name="تأكيد الهوية Confirm").click()
        assert page.url.startswith(live_server.url)
        page.goto(f"{live_server.url}/ar/account/")
        assert "متوسط" in page.content()  # substantial
        assert "تطبيق البنك" in page.content()  # listed among the linked providers
        context.close()


def test_the_development_inbox_page(browser, live_server, settings):
    settings.DEBUG = True
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    register(page, live_server.url, "ar")
    for lang in ("ar", "en"):
        page.goto(f"{live_server.url}/{lang}/dev/messages/")
        assert page.get_by_test_id("dev-message").count() >= 1
        assert axe_serious(page) == []
        shot(page, f"dev-messages-{lang}")
    context.close()

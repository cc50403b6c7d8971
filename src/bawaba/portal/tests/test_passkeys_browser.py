"""Passkeys in a real browser: Chromium's virtual authenticator (over CDP) plays the citizen's phone.

The pages are visited at http://localhost:<port>: a passkey's RP ID must be a domain, and an IP address is not.
"""

import re

import pytest
from django.utils import timezone

from bawaba.accounts.models import Passkey, User
from bawaba.testing.browser import axe_serious, shot
from bawaba.testing.messages import last_code

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_catalogue_live")]
NATIONAL_ID = "29103090104240"
PASSWORD = "Cedar-tree-2026"
MOBILE = "+201012345678"
SUBSTANTIAL_SERVICE = "/en/services/civil.birth.certificate/start/"


@pytest.fixture
def site(live_server, settings):
    """The live server's address by name, and passkeys bound to it."""
    base = live_server.url.replace("127.0.0.1", "localhost")
    assert base.startswith("http://localhost:")
    settings.BAWABA_WEBAUTHN_RP_ID = "localhost"
    settings.BAWABA_WEBAUTHN_ORIGINS = [base]
    User.objects.create_user(
        f"citizen-{NATIONAL_ID}",
        password=PASSWORD,
        national_id=NATIONAL_ID,
        first_name="Amina",
        mobile=MOBILE,
        mobile_verified_at=timezone.now(),
    )
    return base


def with_authenticator(context, page) -> tuple:
    """A platform authenticator with a screen lock, that answers at once (as if the citizen touched it)."""
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def csp_watch(page) -> list[str]:
    """Console errors, where a Content-Security-Policy refusal would show."""
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def sign_in_with_password_and_code(page, base: str, *, code: bool = True) -> None:
    page.goto(f"{base}/en/account/sign-in/")
    page.fill("#id_national_id", NATIONAL_ID)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Continue", exact=True).click()
    page.wait_for_url("**/account/sign-in/code/")
    if code:
        page.fill("#id_code", last_code(MOBILE))
        page.get_by_role("button", name="Confirm", exact=True).click()
    else:
        page.get_by_role("button", name="Continue without the code (some services will ask for it)").click()
    page.wait_for_url("**/en/")


def sign_out(page) -> None:
    page.locator("form[action$='/account/sign-out/'] button").first.click()
    page.wait_for_url(re.compile(r".*/(ar|en)/$"))


def add_passkey(page, base: str, name: str) -> None:
    page.goto(f"{base}/en/account/")
    page.get_by_role("link", name="Add a passkey").click()
    page.wait_for_url("**/account/passkeys/add/")
    assert page.get_by_text("needs a browser that supports passkeys").is_hidden()
    page.get_by_label("Name of this passkey").fill(name)
    page.get_by_role("button", name="Create the passkey").click()
    page.wait_for_url("**/en/account/")


def test_add_a_passkey_sign_out_and_sign_in_with_it_alone(browser, site):
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    errors = csp_watch(page)
    cdp, authenticator = with_authenticator(context, page)

    sign_in_with_password_and_code(page, site)
    add_passkey(page, site, "Amina's laptop")
    passkeys = page.get_by_role("table", name="Your passkeys")
    assert "Amina's laptop" in passkeys.inner_text() and "never" in passkeys.inner_text()
    assert "Passkey added" in page.get_by_role("table", name="Security log").inner_text()
    stored = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert len(stored) == 1 and stored[0]["isResidentCredential"]
    assert stored[0]["credentialId"].rstrip("=").replace("+", "-").replace("/", "_") == (
        Passkey.objects.get().credential_id
    )

    sign_out(page)
    page.goto(f"{site}/en/account/sign-in/?next=/en/account/")
    page.get_by_role("button", name="Sign in with a passkey").click()
    page.wait_for_url("**/en/account/")
    details = page.locator("section[aria-labelledby=profile-title]").inner_text()
    assert "Substantial" in details
    assert Passkey.objects.get().last_used_at is not None
    # A substantial service opens straight away.
    page.goto(f"{site}{SUBSTANTIAL_SERVICE}")
    assert page.url.endswith(SUBSTANTIAL_SERVICE)
    assert errors == []
    context.close()


def test_step_up_with_a_passkey(browser, site):
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    errors = csp_watch(page)
    with_authenticator(context, page)
    sign_in_with_password_and_code(page, site)
    add_passkey(page, site, "Phone")
    sign_out(page)

    sign_in_with_password_and_code(page, site, code=False)
    page.goto(f"{site}{SUBSTANTIAL_SERVICE}")
    page.wait_for_url("**/account/step-up/**")
    assert page.get_by_role("button", name="Send me the code").is_visible()
    page.get_by_role("button", name="Confirm with a passkey").click()
    page.wait_for_url(f"**{SUBSTANTIAL_SERVICE}")
    page.goto(f"{site}/en/account/")
    assert "Substantial" in page.locator("section[aria-labelledby=profile-title]").inner_text()
    assert "Identity confirmed again for a service" in page.content()
    assert errors == []
    context.close()


def test_refusals_are_shown_on_the_page_and_announced(browser, site):
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    cdp, authenticator = with_authenticator(context, page)
    sign_in_with_password_and_code(page, site)
    add_passkey(page, site, "Phone")
    sign_out(page)

    # The device does not check its owner: the browser refuses before anything is sent.
    cdp.send("WebAuthn.setUserVerified", {"authenticatorId": authenticator, "isUserVerified": False})
    page.goto(f"{site}/en/account/sign-in/")
    page.get_by_role("button", name="Sign in with a passkey").click()
    alert = page.locator("[data-passkey-error][role=alert]")
    alert.get_by_text("The passkey request was cancelled or took too long").wait_for()
    assert page.url.endswith("/en/account/sign-in/")

    # The server refuses a passkey removed from the account, and says so.
    cdp.send("WebAuthn.setUserVerified", {"authenticatorId": authenticator, "isUserVerified": True})
    Passkey.objects.update(removed_at=timezone.now())
    page.get_by_role("button", name="Sign in with a passkey").click()
    alert.get_by_text("This passkey was removed from its account.").wait_for()
    shot(page, "passkeys-sign-in-refused-en")
    assert "cancelled" not in alert.inner_text()
    assert page.get_by_role("button", name="Sign in with a passkey").is_enabled()
    context.close()


def test_without_javascript_no_passkey_button_and_password_sign_in_still_works(browser, site):
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    page.goto(f"{site}/en/account/sign-in/")
    assert page.get_by_role("button", name="Sign in with a passkey").count() == 0
    sign_in_with_password_and_code(page, site)
    page.goto(f"{site}/en/account/passkeys/add/")
    assert page.get_by_text("needs a browser that supports passkeys, with JavaScript turned on").is_visible()
    assert page.get_by_role("button", name="Create the passkey").count() == 0
    context.close()


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_passkey_pages_look_right_and_have_no_serious_accessibility_violations(browser, site, lang):
    # axe is injected as a script, so this context lets it past the CSP; the flows above run under the CSP.
    context = browser.new_context(bypass_csp=True, locale="ar-EG" if lang == "ar" else "en-GB")
    page = context.new_page()
    with_authenticator(context, page)
    sign_in_with_password_and_code(page, site)
    add_passkey(page, site, "هاتف أمينة" if lang == "ar" else "Amina's phone")
    passkey = Passkey.objects.get()
    failures = {}

    def check(name: str, path: str, ready: str = "main") -> None:
        page.goto(f"{site}/{lang}/{path}")
        page.locator(ready).first.wait_for()
        if serious := axe_serious(page):
            failures[name] = serious
        shot(page, f"passkeys-{name}-{lang}")

    check("account", "account/", "#passkeys-title")
    check("add", "account/passkeys/add/", "[data-passkey=add]")
    check("remove", f"account/passkeys/{passkey.uuid}/remove/")
    sign_out(page)
    check("sign-in", "account/sign-in/", "[data-passkey=sign-in] [data-passkey-start]")
    sign_in_with_password_and_code(page, site, code=False)
    check("step-up", f"account/step-up/?level=substantial&next=/{lang}/account/", "[data-passkey=step-up]")
    context.close()
    assert failures == {}

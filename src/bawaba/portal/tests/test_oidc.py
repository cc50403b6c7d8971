"""Signing in with the national digital ID: a real OpenID Connect round trip with the demo provider process."""

import re
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
import requests

from bawaba.accounts.models import LinkedIdentity, User

from .idp_process import identity_provider, provider_settings

pytestmark = pytest.mark.django_db
CALLBACKS = [f"http://testserver/{lang}/account/oidc/national-id/callback/" for lang in ("ar", "en")]


@pytest.fixture(scope="module")
def idp():
    with identity_provider(redirect_uris=CALLBACKS) as issuer:
        yield issuer


@pytest.fixture
def national_id(settings, idp):
    settings.BAWABA_OIDC_PROVIDERS = provider_settings(idp)
    return idp


def at_provider(authorize_url: str, *, national_id="29103090104240", pin="1991", cancel=False) -> str:
    """What the citizen's browser does at the provider: open its page, fill in the form, follow it back."""
    browser = requests.Session()
    page = browser.get(authorize_url, timeout=5)
    assert page.status_code == 200, page.text
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    fields.update(national_id=national_id, pin=pin)
    if cancel:
        fields["cancel"] = "1"
    answer = browser.post(authorize_url.split("?")[0], data=fields, allow_redirects=False, timeout=5)
    return answer.headers.get("Location", answer.text)


def start(client, next_url="/en/account/") -> str:
    response = client.get("/en/account/oidc/national-id/start/", {"next": next_url})
    assert response.status_code == 302
    return response["Location"]


def test_signing_in_with_the_national_digital_id_gives_high_assurance(client, national_id):
    authorize = start(client)
    query = parse_qs(urlparse(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and query["nonce"][0] and query["state"][0]
    back = at_provider(authorize)
    response = client.get(back.replace("http://testserver", ""))
    assert response.status_code == 302 and response["Location"] == "/en/account/"
    user = User.objects.get(national_id="29103090104240")
    assert LinkedIdentity.objects.filter(
        user=user, provider="national-id", subject="ng-29103090104240"
    ).exists()
    page = client.get("/en/account/").content.decode()
    assert "High" in page and "آمنة" in page and "National digital ID" in page
    # A service that needs high assurance now opens without a step-up.
    assert client.get("/en/services/passport.renew/start/").status_code == 200


def test_the_same_person_comes_back_to_the_same_account(client, national_id):
    existing = User.objects.create_user(
        "citizen-29103090104240", password="x" * 12, national_id="29103090104240"
    )
    client.get(at_provider(start(client)).replace("http://testserver", ""))
    client.post("/en/account/sign-out/")
    client.get(at_provider(start(client)).replace("http://testserver", ""))
    assert User.objects.filter(national_id="29103090104240").count() == 1
    assert LinkedIdentity.objects.get(provider="national-id").user == existing


def test_a_tampered_state_signs_no_one_in(client, national_id):
    back = at_provider(start(client))
    forged = back.replace("state=", "state=forged")
    response = client.get(forged.replace("http://testserver", ""))
    assert response.status_code == 400
    assert "not signed in" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_code_cannot_be_used_twice(client, national_id):
    back = at_provider(start(client)).replace("http://testserver", "")
    assert client.get(back).status_code == 302
    client.post("/en/account/sign-out/")
    replay = client.get(back)
    assert replay.status_code == 400 and "_auth_user_id" not in client.session


def test_a_code_stolen_without_the_pkce_verifier_is_useless(national_id):
    # Someone who sees the redirect (code in the address) but not the session cannot redeem it.
    authorize_url = f"{national_id}/authorize?" + urlencode(
        {
            "client_id": "bawaba-portal",
            "redirect_uri": CALLBACKS[1],
            "response_type": "code",
            "scope": "openid",
            "state": "s",
            "nonce": "n",
            "code_challenge": "A" * 43,
            "code_challenge_method": "S256",
        }
    )
    code = parse_qs(urlparse(at_provider(authorize_url)).query)["code"][0]
    answer = requests.post(
        f"{national_id}/token",
        timeout=5,
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": CALLBACKS[1],
            "client_id": "bawaba-portal",
            "client_secret": "test-secret",
            "code_verifier": "wrong-verifier-" * 3,
        },
    )
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"


def test_the_provider_refuses_unregistered_redirects_and_missing_pkce(national_id):
    base = {
        "client_id": "bawaba-portal",
        "response_type": "code",
        "scope": "openid",
        "state": "s",
        "nonce": "n",
    }
    evil = requests.get(
        f"{national_id}/authorize",
        params={
            **base,
            "redirect_uri": "https://evil.example/cb",
            "code_challenge": "x" * 43,
            "code_challenge_method": "S256",
        },
        allow_redirects=False,
        timeout=5,
    )
    assert evil.status_code == 400
    no_pkce = requests.get(
        f"{national_id}/authorize",
        params={**base, "redirect_uri": CALLBACKS[1]},
        allow_redirects=False,
        timeout=5,
    )
    assert "error=invalid_request" in no_pkce.headers["Location"]


def test_cancelling_at_the_provider_is_explained(client, national_id):
    back = at_provider(start(client), cancel=True)
    response = client.get(back.replace("http://testserver", ""))
    assert response.status_code == 400 and "cancelled" in response.content.decode()


def test_a_wrong_pin_stays_at_the_provider(client, national_id):
    answer = at_provider(start(client), pin="0000")
    assert "PIN is not right" in answer


BANK_CALLBACKS = [f"http://testserver/{lang}/account/oidc/bank/callback/" for lang in ("ar", "en")]


@pytest.fixture(scope="module")
def bank_idp():
    with identity_provider(redirect_uris=BANK_CALLBACKS, profile="bank") as issuer:
        yield issuer


def test_a_bank_app_signs_in_at_substantial_and_a_high_service_asks_for_more(client, settings, bank_idp):
    settings.BAWABA_OIDC_PROVIDERS = provider_settings(bank_idp, key="bank")
    assert "Your bank app" in client.get("/en/account/sign-in/").content.decode()
    response = client.get("/en/account/oidc/bank/start/", {"next": "/en/account/"})
    back = at_provider(response["Location"])
    assert client.get(back.replace("http://testserver", ""))["Location"] == "/en/account/"
    link = LinkedIdentity.objects.get(provider="bank")
    assert link.subject == "bk-29103090104240" and link.user.national_id == "29103090104240"
    assert "Substantial" in client.get("/en/account/").content.decode()
    # Substantial opens substantial services; a high one sends the citizen to step up, not to the form.
    high = client.get("/en/services/passport.renew/start/")
    assert high.status_code == 302 and high["Location"].startswith("/en/account/step-up/?level=high")


def test_one_person_through_the_national_id_and_a_bank_is_one_account(client, settings, idp, bank_idp):
    settings.BAWABA_OIDC_PROVIDERS = {**provider_settings(idp), **provider_settings(bank_idp, key="bank")}
    for key in ("national-id", "bank"):
        response = client.get(f"/en/account/oidc/{key}/start/")
        client.get(at_provider(response["Location"]).replace("http://testserver", ""))
        client.post("/en/account/sign-out/")
    assert User.objects.filter(national_id="29103090104240").count() == 1
    assert sorted(LinkedIdentity.objects.values_list("provider", flat=True)) == ["bank", "national-id"]


def test_a_provider_that_signs_in_below_its_level_signs_no_one_in(client, settings, bank_idp):
    # Configured to vouch for high assurance, but its ID token says only substantial: refused.
    config = provider_settings(bank_idp, key="bank")
    config["bank"].update(level="high", acr=["urn:bawaba:loa:high"])
    settings.BAWABA_OIDC_PROVIDERS = config
    back = at_provider(client.get("/en/account/oidc/bank/start/")["Location"])
    response = client.get(back.replace("http://testserver", ""))
    assert response.status_code == 400 and "_auth_user_id" not in client.session
    assert not LinkedIdentity.objects.exists()

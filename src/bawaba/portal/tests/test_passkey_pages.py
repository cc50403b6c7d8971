"""Passkey pages and their JSON steps through Django's test client, answered by a software passkey device."""

import json

import pytest
from django.test import Client

from bawaba.accounts.models import Passkey, User
from bawaba.accounts.passkeys import FAILURES
from bawaba.testing.messages import last_code
from bawaba.testing.passkey_device import SoftwarePasskeyDevice

from .test_account_pages import NATIONAL_ID, PASSWORD, sign_in, signed_up

pytestmark = pytest.mark.django_db


def post_json(client: Client, url: str, payload: dict | None = None):
    response = client.post(url, json.dumps(payload or {}), content_type="application/json")
    return response, response.json()


def add_passkey(client: Client, device: SoftwarePasskeyDevice, name: str = "My phone", lang: str = "en"):
    response, options = post_json(client, f"/{lang}/account/passkeys/add/options/", {"name": name})
    assert response.status_code == 200, options
    return post_json(client, f"/{lang}/account/passkeys/add/finish/", {"credential": device.create(options)})


def passkey_sign_in(
    client: Client, device: SoftwarePasskeyDevice, next_url: str = "", lang: str = "en", **bend
):
    _, options = post_json(client, f"/{lang}/account/passkeys/sign-in/options/")
    return post_json(
        client,
        f"/{lang}/account/passkeys/sign-in/finish/",
        {"credential": device.get(options, **bend), "next": next_url},
    )


@pytest.fixture
def citizen_with_passkey(client):
    """A citizen who added a passkey, then signed out."""
    device = SoftwarePasskeyDevice()
    user = signed_up(client)
    sign_in(client)
    response, body = add_passkey(client, device)
    assert response.status_code == 200 and body == {"redirect": "/en/account/"}
    client.post("/en/account/sign-out/")
    return user, device


def test_a_citizen_adds_a_passkey_and_sees_it_on_the_account_page(client):
    signed_up(client)
    sign_in(client)
    page = client.get("/en/account/").content.decode()
    assert "Passkeys" in page and "You have not added a passkey yet." in page
    assert 'href="/en/account/passkeys/add/"' in page
    add_page = client.get("/en/account/passkeys/add/").content.decode()
    assert 'data-passkey="add"' in add_page and "hidden" in add_page
    assert "needs a browser that supports passkeys, with JavaScript turned on" in add_page

    response, body = add_passkey(client, SoftwarePasskeyDevice(), name="Amina's phone")
    assert response.status_code == 200 and body["redirect"] == "/en/account/"
    page = client.get("/en/account/").content.decode()
    assert "Amina&#x27;s phone" in page and "never" in page and "Passkey added" in page
    passkey = Passkey.objects.get()
    assert f'href="/en/account/passkeys/{passkey.uuid}/remove/"' in page


def test_a_passkey_needs_a_name(client):
    signed_up(client)
    sign_in(client)
    response, body = post_json(client, "/en/account/passkeys/add/options/", {"name": "   "})
    assert response.status_code == 400 and body == {"error": "This field is required.", "field": "name"}
    response, body = post_json(client, "/en/account/passkeys/add/options/", {"name": "x" * 61})
    assert response.status_code == 400 and "at most 60 characters" in body["error"]


def test_adding_a_passkey_takes_a_substantial_session(client):
    signed_up(client)
    client.post("/en/account/sign-in/", {"national_id": NATIONAL_ID, "password": PASSWORD})
    client.post("/en/account/sign-in/code/", {"skip": "1"})
    assert client.get("/en/account/passkeys/add/")["Location"].startswith(
        "/en/account/step-up/?level=substantial"
    )
    response, body = post_json(client, "/en/account/passkeys/add/options/", {"name": "Phone"})
    assert response.status_code == 403 and "Confirm it is you first" in body["error"]
    response, _ = post_json(client, "/en/account/passkeys/add/finish/", {"credential": {}})
    assert response.status_code == 403
    anonymous = Client()
    response, body = post_json(anonymous, "/en/account/passkeys/add/options/", {"name": "Phone"})
    assert response.status_code == 403 and "Sign in again" in body["error"]
    assert not Passkey.objects.exists()


def test_the_json_steps_need_the_csrf_token(citizen_with_passkey):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/en/account/passkeys/sign-in/options/", "{}", content_type="application/json")
    assert response.status_code == 403
    strict.get("/en/account/sign-in/")
    token = strict.cookies["csrftoken"].value
    response = strict.post(
        "/en/account/passkeys/sign-in/options/",
        "{}",
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 200 and response.json()["userVerification"] == "required"


def test_sign_in_with_a_passkey_alone_reaches_substantial_and_the_page_asked_for(
    client, citizen_with_passkey
):
    _, device = citizen_with_passkey
    page = client.get(
        "/en/account/sign-in/?next=/en/services/civil.birth.certificate/start/"
    ).content.decode()
    assert 'data-passkey="sign-in"' in page and "Sign in with a passkey" in page
    assert 'data-next="/en/services/civil.birth.certificate/start/"' in page
    assert "simplewebauthn-browser.umd.min.js" in page and "bawaba/js/passkeys.js" in page
    before = client.session.session_key
    response, body = passkey_sign_in(client, device, next_url="/en/services/civil.birth.certificate/start/")
    assert response.status_code == 200 and body == {"redirect": "/en/services/civil.birth.certificate/start/"}
    assert client.session.session_key != before
    # A substantial service opens without a step-up.
    assert client.get(body["redirect"]).status_code == 200
    account = client.get("/en/account/").content.decode()
    assert "Substantial" in account and "Passkey used" in account
    assert client.session["bawaba_auth_methods"] == ["passkey"]


def test_an_open_redirect_after_a_passkey_sign_in_is_refused(client, citizen_with_passkey):
    _, device = citizen_with_passkey
    _, body = passkey_sign_in(client, device, next_url="https://evil.example/")
    assert body["redirect"] == "/en/"


def test_a_refused_passkey_says_why_and_the_owner_sees_the_attempt(client, citizen_with_passkey):
    user, device = citizen_with_passkey
    response, body = passkey_sign_in(client, device, verified=False)
    assert response.status_code == 400 and "did not check your fingerprint, face or PIN" in body["error"]
    response, body = passkey_sign_in(client, device, origin="https://evil.example")
    assert response.status_code == 400 and "could not be checked for this site" in body["error"]
    assert "_auth_user_id" not in client.session
    client.force_login(user)
    assert "A passkey was refused" in client.get("/en/account/").content.decode()


def test_the_json_steps_answer_in_the_language_of_the_page(client):
    signed_up(client)
    sign_in(client, language="ar")
    response, body = post_json(client, "/ar/account/passkeys/add/options/", {"name": ""})
    assert response.status_code == 400 and body["error"] == "هذا الحقل مطلوب."


def test_replaying_an_answer_does_not_sign_in(client, citizen_with_passkey):
    _, device = citizen_with_passkey
    _, options = post_json(client, "/en/account/passkeys/sign-in/options/")
    answer = device.get(options)
    response, _ = post_json(client, "/en/account/passkeys/sign-in/finish/", {"credential": answer})
    assert response.status_code == 200
    client.post("/en/account/sign-out/")
    response, body = post_json(client, "/en/account/passkeys/sign-in/finish/", {"credential": answer})
    assert response.status_code == 400 and "expired or was already used" in body["error"]
    thief = Client()
    post_json(thief, "/en/account/passkeys/sign-in/options/")
    response, _ = post_json(thief, "/en/account/passkeys/sign-in/finish/", {"credential": answer})
    assert response.status_code == 400 and "_auth_user_id" not in thief.session


def test_too_many_failures_from_one_address_are_turned_away(client, citizen_with_passkey):
    _, device = citizen_with_passkey
    for _ in range(FAILURES.attempts):
        passkey_sign_in(client, device, rp_id="evil.example")
    response, body = passkey_sign_in(client, device)
    assert response.status_code == 429 and "Too many failed attempts from this connection" in body["error"]


def test_step_up_offers_the_passkey_beside_the_sms_code_and_accepts_it(client, citizen_with_passkey):
    _, device = citizen_with_passkey
    client.post("/en/account/sign-in/", {"national_id": NATIONAL_ID, "password": PASSWORD})
    client.post("/en/account/sign-in/code/", {"skip": "1"})
    target = "/en/services/civil.birth.certificate/start/"
    step_up = client.get(target)["Location"]
    page = client.get(step_up).content.decode()
    assert (
        "Send me the code" in page and 'data-passkey="step-up"' in page and "Confirm with a passkey" in page
    )
    _, options = post_json(client, "/en/account/passkeys/step-up/options/")
    assert len(options["allowCredentials"]) == 1
    response, body = post_json(
        client, "/en/account/passkeys/step-up/finish/", {"credential": device.get(options), "next": target}
    )
    assert response.status_code == 200 and body == {"redirect": target}
    assert client.get(target).status_code == 200
    assert client.session["bawaba_auth_methods"] == ["passkey", "password"]


def test_step_up_without_a_mobile_number_offers_the_passkey_alone(client, citizen_with_passkey):
    user, _ = citizen_with_passkey
    User.objects.filter(pk=user.pk).update(mobile_verified_at=None)
    client.force_login(user)
    page = client.get("/en/account/step-up/?level=substantial&next=/en/account/").content.decode()
    assert "Send me the code" not in page and "Confirm with a passkey" in page
    assert "needs a browser that supports passkeys" in page


def test_step_up_without_any_passkey_shows_no_passkey_option(client):
    signed_up(client)
    client.post("/en/account/sign-in/", {"national_id": NATIONAL_ID, "password": PASSWORD})
    client.post("/en/account/sign-in/code/", {"skip": "1"})
    page = client.get("/en/account/step-up/?level=substantial").content.decode()
    assert "Send me the code" in page and "data-passkey" not in page
    response, _ = post_json(client, "/en/account/passkeys/step-up/options/")
    assert response.status_code == 400


def test_removing_a_passkey_asks_first_then_it_no_longer_signs_in(client, citizen_with_passkey):
    _, device = citizen_with_passkey
    passkey_sign_in(client, device)
    passkey = Passkey.objects.get()
    confirm = client.get(f"/en/account/passkeys/{passkey.uuid}/remove/").content.decode()
    assert "You will no longer be able to sign in with the passkey “<bdi>My phone</bdi>”." in confirm
    assert Passkey.objects.get().removed_at is None
    assert client.post(f"/en/account/passkeys/{passkey.uuid}/remove/")["Location"] == "/en/account/"
    page = client.get("/en/account/").content.decode()
    assert "Passkey removed" in page and "You have not added a passkey yet." in page
    client.post("/en/account/sign-out/")
    response, body = passkey_sign_in(client, device)
    assert response.status_code == 400 and "was removed" in body["error"]


def test_no_one_else_removes_your_passkey(client, citizen_with_passkey):
    _, _ = citizen_with_passkey
    passkey = Passkey.objects.get()
    other = User.objects.create_user("other", national_id="28801012100314")
    client.force_login(other)
    session = client.session
    session["bawaba_auth_methods"] = ["password", "password+sms"]
    session.save()
    assert client.get(f"/en/account/passkeys/{passkey.uuid}/remove/").status_code == 404
    assert client.post(f"/en/account/passkeys/{passkey.uuid}/remove/").status_code == 404
    assert Passkey.objects.get().removed_at is None


def test_removing_takes_a_substantial_session(client, citizen_with_passkey):
    client.post("/en/account/sign-in/", {"national_id": NATIONAL_ID, "password": PASSWORD})
    client.post("/en/account/sign-in/code/", {"skip": "1"})
    passkey = Passkey.objects.get()
    assert client.post(f"/en/account/passkeys/{passkey.uuid}/remove/")["Location"].startswith(
        "/en/account/step-up/"
    )
    assert Passkey.objects.get().removed_at is None


def test_the_code_after_a_password_still_works_for_a_citizen_with_a_passkey(client, citizen_with_passkey):
    client.post("/en/account/sign-in/", {"national_id": NATIONAL_ID, "password": PASSWORD})
    response = client.post("/en/account/sign-in/code/", {"code": last_code("+201001234567")})
    assert response.status_code == 302 and "Substantial" in client.get("/en/account/").content.decode()

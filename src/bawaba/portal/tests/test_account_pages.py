"""Registering, confirming the phone, signing in with a code and stepping up, through the real pages."""

import re
import time
from datetime import date

import pyotp
import pytest
from django.test import Client
from django.utils import timezone

from bawaba.accounts.models import User
from bawaba.accounts.national_id import NationalIdRule, make
from bawaba.notifications.dispatch import dispatch_all
from bawaba.notifications.models import Message
from bawaba.notifications.providers.development.provider import inbox
from bawaba.testing.messages import last_code

pytestmark = pytest.mark.django_db
NATIONAL_ID = make(birth_date=date(1988, 7, 1), region="21", serial=314, sex="male", rule=NationalIdRule())
PASSWORD = "Delta-farmer-1988"


def register(client: Client, **overrides):
    data = {
        "national_id": NATIONAL_ID,
        "mobile": "01001234567",
        "email": "",
        "password": PASSWORD,
        "password_again": PASSWORD,
    }
    return client.post("/ar/account/register/", {**data, **overrides})


def test_register_confirm_phone_and_land_signed_in(client):
    response = register(client)
    assert response.status_code == 302 and response["Location"] == "/ar/account/register/confirm/"
    page = client.get(response["Location"]).content.decode()
    assert "+2010•••••567" in page
    response = client.post("/ar/account/register/confirm/", {"code": last_code("+201001234567")})
    assert response.status_code == 302
    assert "تسجيل الخروج" in client.get("/ar/").content.decode()
    assert User.objects.get(national_id=NATIONAL_ID).is_active


@pytest.mark.parametrize(
    "overrides,field,message",
    [
        ({"national_id": "123"}, "national_id", "الرقم القومي يتكون من 14 رقمًا"),
        ({"mobile": "0223456789"}, "mobile", "رقم هاتف أرضي"),
        ({"password_again": "something-else-9"}, "password_again", "كلمتا المرور غير متطابقتين"),
        ({"password": "12345678901", "password_again": "12345678901"}, "password", "كلمة المرور"),
    ],
)
def test_bad_registration_input_gets_a_translated_error_beside_the_field(client, overrides, field, message):
    response = register(client, **overrides)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html and 'id="error-summary"' in html
    assert f'href="#id_{field}"' in html
    assert not User.objects.filter(national_id=NATIONAL_ID).exists()


def test_wrong_code_says_so_and_how_many_tries_remain(client):
    register(client)
    html = client.post("/ar/account/register/confirm/", {"code": "000000"}).content.decode()
    assert "هذا الرمز غير صحيح" in html


def signed_up(client) -> User:
    register(client)
    client.post("/ar/account/register/confirm/", {"code": last_code("+201001234567")})
    client.post("/ar/account/sign-out/")
    return User.objects.get(national_id=NATIONAL_ID)


def test_sign_in_with_password_and_sms_code_reaches_the_page_asked_for(client):
    signed_up(client)
    response = client.post(
        "/en/account/sign-in/",
        {"national_id": NATIONAL_ID, "password": PASSWORD, "next": "/en/services/passport.renew/"},
    )
    assert response["Location"] == "/en/account/sign-in/code/"
    response = client.post("/en/account/sign-in/code/", {"code": last_code("+201001234567")})
    assert response["Location"] == "/en/services/passport.renew/"


def test_wrong_password_gets_the_same_answer_as_an_unknown_number(client):
    signed_up(client)
    wrong = client.post("/en/account/sign-in/", {"national_id": NATIONAL_ID, "password": "nope-nope-nope"})
    unknown_id = make(birth_date=date(1970, 1, 1), region="02", serial=9, sex="male", rule=NationalIdRule())
    unknown = client.post("/en/account/sign-in/", {"national_id": unknown_id, "password": "nope-nope-nope"})
    message = "The national ID number or the password is not right."
    assert message in wrong.content.decode() and message in unknown.content.decode()


def test_an_open_redirect_after_sign_in_is_refused(client):
    signed_up(client)
    client.post(
        "/en/account/sign-in/",
        {"national_id": NATIONAL_ID, "password": PASSWORD, "next": "https://evil.example/"},
    )
    response = client.post("/en/account/sign-in/code/", {"code": last_code("+201001234567")})
    assert response["Location"] == "/en/"


def test_a_password_only_session_is_asked_to_step_up_for_a_substantial_service(client):
    signed_up(client)
    client.post("/en/account/sign-in/", {"national_id": NATIONAL_ID, "password": PASSWORD})
    client.post("/en/account/sign-in/code/", {"skip": "1"})
    response = client.get("/en/services/civil.birth.certificate/start/")
    assert response.status_code == 302 and response["Location"].startswith("/en/account/step-up/?level=")
    step_up = response["Location"]
    assert client.post(step_up)["Location"] == "/en/account/sign-in/code/"
    response = client.post("/en/account/sign-in/code/", {"code": last_code("+201001234567")})
    assert response["Location"] == "/en/services/civil.birth.certificate/start/"
    assert client.get(response["Location"]).status_code == 200


def test_a_high_assurance_service_is_not_reachable_with_sms_codes(client):
    signed_up(client)
    client.post("/en/account/sign-in/", {"national_id": NATIONAL_ID, "password": PASSWORD})
    client.post("/en/account/sign-in/code/", {"code": last_code("+201001234567")})
    response = client.get("/en/services/passport.renew/start/", follow=True)
    assert response.status_code == 403
    assert "national digital ID" in response.content.decode()


def test_the_session_key_changes_at_sign_in(client):
    signed_up(client)
    client.get("/en/account/sign-in/")
    before = client.session.session_key
    client.post("/en/account/sign-in/", {"national_id": NATIONAL_ID, "password": PASSWORD})
    client.post("/en/account/sign-in/code/", {"code": last_code("+201001234567")})
    assert client.session.session_key != before


def test_every_problem_of_a_registration_is_shown_at_once(client):
    html = register(
        client, national_id="123", mobile="0223456789", password="abc", password_again="abd"
    ).content.decode()
    for message in (
        "الرقم القومي يتكون من 14 رقمًا",
        "رقم هاتف أرضي",
        "كلمتا المرور غير متطابقتين",
        "كلمة المرور",
    ):
        assert message in html
    assert html.count('<li><a href="#id_') >= 4


def sign_in(client: Client, language: str = "en") -> None:
    client.post(f"/{language}/account/sign-in/", {"national_id": NATIONAL_ID, "password": PASSWORD})
    client.post(f"/{language}/account/sign-in/code/", {"code": last_code("+201001234567")})


def test_account_page_shows_details_sessions_and_the_security_log(client):
    signed_up(client)
    client.post("/en/account/sign-in/", {"national_id": NATIONAL_ID, "password": "wrong-password-1"})
    sign_in(client)
    html = client.get("/en/account/").content.decode()
    assert NATIONAL_ID in html and "1 July 1988" in html and "+2010•••••567" in html
    for label in ("Account created", "Mobile number confirmed", "Signed in", "Failed sign-in attempt"):
        assert label in html
    assert "this device" in html and "Substantial" in html


def test_sign_out_everywhere_ends_the_other_sessions_and_keeps_this_one(client):
    signed_up(client)
    phone = Client()
    sign_in(phone)
    sign_in(client)
    assert phone.get("/en/account/").status_code == 200
    client.post("/en/account/sign-out-everywhere/")
    assert phone.get("/en/account/").status_code == 302  # sent to sign in again
    assert client.get("/en/account/").status_code == 200
    assert "Signed out of every other session" in client.get("/en/account/").content.decode()


def test_the_account_page_needs_a_signed_in_citizen(client):
    assert client.get("/ar/account/")["Location"].startswith("/ar/account/sign-in/")


def test_set_up_an_authenticator_app_and_sign_in_with_it(client):
    signed_up(client)
    sign_in(client)
    page = client.get("/en/account/authenticator/").content.decode()
    key = re.search(r'<code dir="ltr" class="break-all font-bold">([A-Z2-7]+)</code>', page).group(1)
    assert 'src="data:image/svg+xml' in page
    totp = pyotp.TOTP(key)
    wrong = client.post(
        "/en/account/authenticator/", {"code": "000000" if totp.now() != "000000" else "111111"}
    )
    assert "This code is not right" in wrong.content.decode()
    assert client.post("/en/account/authenticator/", {"code": totp.now()})["Location"] == "/en/account/"
    assert "Authenticator app set up" in client.get("/en/account/").content.decode()
    client.post("/en/account/sign-out/")

    client.post("/en/account/sign-in/", {"national_id": NATIONAL_ID, "password": PASSWORD})
    page = client.get("/en/account/sign-in/code/").content.decode()
    assert "Or use your authenticator app" in page
    next_step = totp.at(int(time.time()) + 30)  # the current step was spent at set-up
    response = client.post("/en/account/sign-in/code/", {"method": "authenticator", "app-code": next_step})
    assert response.status_code == 302
    assert "Substantial" in client.get("/en/account/").content.decode()


def test_changing_the_password_ends_other_sessions_and_tells_the_phone(client):
    signed_up(client)
    other = Client()
    sign_in(other)
    sign_in(client)
    wrong = client.post(
        "/en/account/password/",
        {"current": "nope", "password": "New-pass-2026!x", "password_again": "New-pass-2026!x"},
    )
    assert "This is not your current password." in wrong.content.decode()
    response = client.post(
        "/en/account/password/",
        {"current": PASSWORD, "password": "New-pass-2026!x", "password_again": "New-pass-2026!x"},
    )
    assert response["Location"] == "/en/account/"
    assert client.get("/en/account/").status_code == 200
    assert other.get("/en/account/").status_code == 302
    notice = Message.objects.get(kind="account.changed", to="+201001234567")
    dispatch_all()
    assert any(m["uuid"] == str(notice.uuid) and "19000" in m["body"] for m in inbox())


def test_changing_the_mobile_needs_a_code_sent_to_the_new_number(client):
    signed_up(client)
    sign_in(client)
    response = client.post("/en/account/mobile/", {"mobile": "+447911123456"})
    assert response["Location"] == "/en/account/mobile/"
    assert "+4479•••••456" in client.get("/en/account/mobile/").content.decode()
    response = client.post("/en/account/mobile/", {"code": last_code("+447911123456")})
    assert response["Location"] == "/en/account/"
    user = User.objects.get(national_id=NATIONAL_ID)
    assert user.mobile == "+447911123456"
    dispatch_all()
    assert any(m["to"] == "+201001234567" and "19000" in m["body"] for m in inbox())
    assert "Mobile number changed" in client.get("/en/account/").content.decode()


def test_changing_the_mobile_asks_a_password_only_session_to_step_up(client):
    signed_up(client)
    client.post("/en/account/sign-in/", {"national_id": NATIONAL_ID, "password": PASSWORD})
    client.post("/en/account/sign-in/code/", {"skip": "1"})
    assert client.get("/en/account/mobile/")["Location"].startswith("/en/account/step-up/")


def test_a_mandate_lets_another_citizen_act_within_its_services(client):
    principal = signed_up(client)
    agent_id = make(birth_date=date(1960, 2, 2), region="04", serial=77, sex="male", rule=NationalIdRule())
    User.objects.create_user(
        "agent",
        password=PASSWORD,
        national_id=agent_id,
        mobile="+201011111111",
        mobile_verified_at=timezone.now(),
    )
    sign_in(client)
    response = client.post(
        "/en/account/mandates/new/",
        {"agent_national_id": agent_id, "services": ["civil.birth.certificate"], "expires_on": "2099-12-31"},
    )
    assert response["Location"] == "/en/account/"
    client.post("/en/account/sign-out/")

    agent = Client()
    agent.post("/en/account/sign-in/", {"national_id": agent_id, "password": PASSWORD})
    agent.post("/en/account/sign-in/code/", {"code": last_code("+201011111111")})
    page = agent.get("/en/account/").content.decode()
    delegation = re.search(r'name="delegation" value="([0-9a-f-]+)"', page).group(1)
    agent.post("/en/account/acting-for/", {"delegation": delegation})
    assert "You are acting for" in agent.get("/en/").content.decode()
    assert (
        "You are using this service for"
        in agent.get("/en/services/civil.birth.certificate/start/").content.decode()
    )
    outside = agent.get("/en/services/civil.family-record.extract/start/")
    assert outside.status_code == 403 and "does not cover this service" in outside.content.decode()

    sign_in(client)
    assert "Someone started acting for you" in client.get("/en/account/").content.decode()
    mandate = principal.delegations_given.get()
    client.post(f"/en/account/mandates/{mandate.uuid}/revoke/")
    assert "You are acting for" not in agent.get("/en/").content.decode()


def test_someone_else_cannot_withdraw_or_use_your_mandate(client):
    signed_up(client)
    sign_in(client)
    stranger = User.objects.create_user("stranger", password=PASSWORD)
    other = Client()
    other.force_login(stranger)
    bogus = "00000000-0000-0000-0000-000000000000"
    assert other.post(f"/en/account/mandates/{bogus}/revoke/").status_code == 404
    assert other.post("/en/account/acting-for/", {"delegation": bogus}).status_code == 404


def test_a_forgotten_password_is_replaced_with_a_code_and_every_session_ends(client):
    signed_up(client)
    other = Client()
    sign_in(other)
    response = client.post("/en/account/password/forgotten/", {"national_id": NATIONAL_ID})
    assert response["Location"] == "/en/account/password/reset/"
    new = "Fresh-start-2026!"
    response = client.post(
        "/en/account/password/reset/",
        {"code": last_code("+201001234567"), "password": new, "password_again": new},
    )
    assert response["Location"] == "/en/account/sign-in/"
    assert other.get("/en/account/").status_code == 302
    assert User.objects.get(national_id=NATIONAL_ID).check_password(new)


def test_a_forgotten_password_for_an_unknown_number_looks_the_same(client):
    signed_up(client)
    unknown = make(birth_date=date(1950, 5, 5), region="05", serial=5, sex="female", rule=NationalIdRule())
    known_page = Client()
    known_page.post("/en/account/password/forgotten/", {"national_id": NATIONAL_ID})
    client.post("/en/account/password/forgotten/", {"national_id": unknown})
    strip = lambda html: re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)  # noqa: E731
    assert strip(client.get("/en/account/password/reset/").content.decode()) == strip(
        known_page.get("/en/account/password/reset/").content.decode()
    )
    html = client.post(
        "/en/account/password/reset/",
        {"code": "123456", "password": "Xx-123456789", "password_again": "Xx-123456789"},
    )
    assert "This code is not right" in html.content.decode()


def test_changing_the_e_mail_needs_a_code_sent_to_the_new_address(client):
    signed_up(client)
    sign_in(client)
    assert client.post("/en/account/email/", {"email": "not-an-address"}).status_code == 200
    assert (
        client.post("/en/account/email/", {"email": "Amina@Example.org"})["Location"] == "/en/account/email/"
    )
    message = Message.objects.get(channel="email", to="amina@example.org")
    assert message.body == "" and message.sealed_body  # the code is sealed until sent
    dispatch_all()
    code = re.search(r"\d{6}", next(m["body"] for m in inbox() if m["to"] == "amina@example.org")).group(0)
    assert (
        client.post("/en/account/email/", {"code": "000000" if code != "000000" else "111111"}).status_code
        == 200
    )
    assert client.post("/en/account/email/", {"code": code})["Location"] == "/en/account/"
    user = User.objects.get(national_id=NATIONAL_ID)
    assert user.email == "amina@example.org" and user.email_verified_at
    assert "E-mail address changed" in client.get("/en/account/").content.decode()


def test_the_development_inbox_shows_sent_codes_only_on_a_debug_server(client, settings):
    register(client)
    code = last_code("+201001234567")
    assert client.get("/en/dev/messages/").status_code == 404
    settings.DEBUG = True
    page = client.get("/en/dev/messages/")
    assert (
        page.status_code == 200 and code in page.content.decode() and "+201001234567" in page.content.decode()
    )

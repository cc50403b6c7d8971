"""Choosing how to be told, through the real page: the defaults before any choice, saving, e-mail only with a
confirmed address, quiet hours checked and refused in words that name the field."""

import re
from datetime import date, time

import pytest
from django.test import Client
from django.utils import timezone

from bawaba.accounts.models import User
from bawaba.audit.models import AuditEntry
from bawaba.notifications.models import Preference
from bawaba.testing.clients import signed_in

pytestmark = pytest.mark.django_db
URL = "/{lang}/account/notifications/"
GOOD = {"sms": "on", "email": "on", "quiet_hours": "on", "quiet_from": "23:00", "quiet_until": "06:30"}


def citizen(*, email: str = "", confirmed: bool = False, national_id="29103090104240") -> User:
    return User.objects.create_user(
        f"citizen-{national_id}",
        national_id=national_id,
        birth_date=date(1991, 3, 9),
        first_name="Amina",
        mobile="+201055512345",
        mobile_verified_at=timezone.now(),
        email=email,
        email_verified_at=timezone.now() if confirmed else None,
    )


def page(client: Client, lang="en") -> str:
    response = client.get(URL.format(lang=lang))
    assert response.status_code == 200
    return response.content.decode()


def checked(html: str, name: str) -> bool:
    tag = re.search(rf'<input type="checkbox" id="id_{name}"[^>]*>', html).group(0)
    return " checked" in tag


def value(html: str, name: str) -> str:
    return re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html).group(1)


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_someone_who_never_chose_sees_the_defaults(lang):
    html = page(signed_in(citizen(email="amina@example.org", confirmed=True)), lang)
    assert checked(html, "sms") and checked(html, "email") and checked(html, "quiet_hours")
    assert value(html, "quiet_from") == "22:00" and value(html, "quiet_until") == "07:00"
    assert f'action="/{lang}/account/sign-out/"' in html  # the signed-in layout
    assert f'href="/{lang}/account/messages/"' in html
    assert not Preference.objects.exists()  # looking saves nothing


def test_the_page_explains_codes_always_go_by_sms_and_the_inbox_keeps_a_copy():
    html = page(signed_in(citizen()))
    assert "Sign-in codes and other security codes always come by SMS" in html
    assert "Your inbox in the portal always keeps a copy of every message." in html
    assert "Messages that are not urgent wait until your quiet hours end." in html
    assert "+2010•••••345" in html


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_without_a_confirmed_email_the_box_is_disabled_and_says_how_to_add_one(lang):
    html = page(signed_in(citizen(email="amina@example.org", confirmed=False)), lang)
    tag = re.search(r'<input type="checkbox" id="id_email"[^>]*>', html).group(0)
    assert " disabled" in tag and " checked" not in tag and 'aria-describedby="id_email_helptext"' in tag
    assert 'data-testid="email-unavailable"' in html
    assert f'href="/{lang}/account/email/"' in html


def test_saving_keeps_the_choice_says_so_and_is_recorded():
    amina = citizen(email="amina@example.org", confirmed=True)
    client = signed_in(amina)
    response = client.post(URL.format(lang="en"), {**GOOD, "email": ""})
    assert response.status_code == 302 and response["Location"] == "/en/account/notifications/"
    saved = Preference.objects.get(user=amina)
    assert (saved.sms, saved.email, saved.quiet_hours) == (True, False, True)
    assert (saved.quiet_from, saved.quiet_until) == (time(23, 0), time(6, 30))
    html = client.get(response["Location"]).content.decode()
    assert "Your notification settings were saved." in html
    assert not checked(html, "email") and value(html, "quiet_from") == "23:00"
    assert AuditEntry.objects.filter(action="notifications.preference.changed").count() == 1


def test_arabic_digits_and_a_single_digit_hour_are_understood():
    amina = citizen()
    response = signed_in(amina).post(
        URL.format(lang="ar"), {**GOOD, "quiet_from": "٢١:٣٠", "quiet_until": "6:05"}
    )
    assert response.status_code == 302 and response["Location"] == "/ar/account/notifications/"
    saved = Preference.objects.get(user=amina)
    assert (saved.quiet_from, saved.quiet_until) == (time(21, 30), time(6, 5))


@pytest.mark.parametrize(
    "field,typed,words",
    [
        ("quiet_from", "25:00", "Write the start of quiet hours as hours and minutes"),
        ("quiet_from", "10pm", "Write the start of quiet hours as hours and minutes"),
        ("quiet_from", "", "Write the start of quiet hours as hours and minutes"),
        ("quiet_until", "07:60", "Write the end of quiet hours as hours and minutes"),
        ("quiet_until", "07:00:00:00", "Write the end of quiet hours as hours and minutes"),
        ("quiet_until", "22:00", "Quiet hours cannot end at the time they start."),
    ],
)
def test_bad_quiet_hours_are_refused_in_words_naming_the_field(field, typed, words):
    amina = citizen()
    response = signed_in(amina).post(
        URL.format(lang="en"), {**GOOD, "quiet_from": "22:00", "quiet_until": "07:00", field: typed}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="error-summary"' in html and f'href="#id_{field}"' in html and words in html
    label = "Start of quiet hours" if field == "quiet_from" else "End of quiet hours"
    assert f"{label}: {words}" in html  # the summary names the field
    assert re.search(rf'<input[^>]*name="{field}"[^>]*aria-invalid="true"', html)
    assert re.search(rf'aria-describedby="id_{field}_helptext id_{field}_error"', html)
    assert not Preference.objects.exists()


def test_bad_input_in_arabic_gets_the_error_summary_and_keeps_what_was_typed():
    amina = citizen()
    response = signed_in(amina).post(
        URL.format(lang="ar"), {**GOOD, "quiet_until": "23:00", "quiet_from": "23:00", "sms": ""}
    )
    html = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert "يرجى تصحيح ما يلي" in html and 'href="#id_quiet_until"' in html
    assert not checked(html, "sms") and value(html, "quiet_from") == "23:00"
    assert not Preference.objects.exists()


def test_with_quiet_hours_off_unusable_times_keep_the_saved_ones():
    amina = citizen()
    client = signed_in(amina)
    client.post(URL.format(lang="en"), GOOD)
    response = client.post(URL.format(lang="en"), {"sms": "on", "quiet_from": "", "quiet_until": "nonsense"})
    assert response.status_code == 302
    saved = Preference.objects.get(user=amina)
    assert saved.quiet_hours is False and (saved.quiet_from, saved.quiet_until) == (time(23, 0), time(6, 30))


def test_email_cannot_be_switched_on_without_a_confirmed_address_and_the_saved_choice_stays():
    amina = citizen(email="amina@example.org", confirmed=False)
    client = signed_in(amina)
    client.post(URL.format(lang="en"), {**GOOD, "email": "on"})
    assert Preference.objects.get(user=amina).email is True  # the default, kept: not what was posted
    Preference.objects.filter(user=amina).update(email=False)
    client.post(URL.format(lang="en"), {**GOOD, "email": "on"})
    assert Preference.objects.get(user=amina).email is False


def test_each_person_changes_only_their_own_preferences():
    amina, omar = citizen(), citizen(national_id="28807012103140")
    signed_in(amina).post(URL.format(lang="en"), {**GOOD, "sms": ""})
    assert Preference.objects.get(user=amina).sms is False
    assert not Preference.objects.filter(user=omar).exists()
    assert checked(page(signed_in(omar)), "sms")


def test_signing_in_is_needed():
    for method in ("get", "post"):
        response = getattr(Client(), method)(URL.format(lang="ar"), GOOD)
        assert response.status_code == 302 and "/account/sign-in/" in response["Location"]
    assert not Preference.objects.exists()


def test_the_form_needs_its_csrf_token():
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(citizen(), backend="bawaba.accounts.backends.NationalIdBackend")
    assert strict.post(URL.format(lang="en"), GOOD).status_code == 403
    assert not Preference.objects.exists()

"""Signing in with a digital-signature certificate: the real signer, the real challenge page."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from bawaba.accounts.models import User

pytestmark = pytest.mark.django_db
AMINA = "29103090104240"


@pytest.fixture(scope="module")
def pki_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("pki")
    call_command("pki", "demo-ca", "--dir", str(directory), stdout=StringIO())
    return directory


@pytest.fixture(autouse=True)
def trust(settings, pki_dir):
    settings.BAWABA_PKI_ROOTS = str(pki_dir / "root.pem")
    settings.BAWABA_PKI_CRLS = [str(pki_dir / "national-ca.crl.pem")]


def signed(pki_dir, national_id: str, challenge: str) -> dict:
    out = StringIO()
    call_command(
        "pki",
        "sign-challenge",
        "--p12",
        str(pki_dir / f"{national_id}.p12"),
        "--password",
        "bawaba-demo",
        "--challenge",
        challenge,
        stdout=out,
    )
    text = out.getvalue()
    return {"certificate": text.split("Signature: ")[0], "signature": text.split("Signature: ")[1].strip()}


def challenge_of(client) -> str:
    page = client.get("/en/account/certificate/").content.decode()
    return re.search(r'data-testid="challenge">([^<]+)<', page).group(1)


def test_a_citizen_signs_the_challenge_and_is_signed_in_at_high_assurance(client, pki_dir):
    response = client.post("/en/account/certificate/", signed(pki_dir, AMINA, challenge_of(client)))
    assert response.status_code == 302
    assert "High" in client.get("/en/account/").content.decode()
    assert User.objects.get(national_id=AMINA).first_name == "Amina Mahmoud Ali"


def test_a_signature_cannot_be_used_twice(client, pki_dir):
    answer = signed(pki_dir, AMINA, challenge_of(client))
    assert client.post("/en/account/certificate/", answer).status_code == 302
    client.post("/en/account/sign-out/")
    again = client.post("/en/account/certificate/", answer)
    assert again.status_code == 200 and "_auth_user_id" not in client.session


def test_a_signature_over_an_old_challenge_is_refused(client, pki_dir):
    old = challenge_of(client)
    challenge_of(client)  # the page was shown again: a new challenge replaces the old one
    html = client.post("/en/account/certificate/", signed(pki_dir, AMINA, old)).content.decode()
    assert "does not match this challenge" in html


def test_a_revoked_certificate_is_refused_with_a_clear_reason(client, pki_dir):
    html = client.post(
        "/en/account/certificate/", signed(pki_dir, "27001010200096", challenge_of(client))
    ).content.decode()
    assert "This certificate has been revoked" in html
    assert "_auth_user_id" not in client.session


def test_a_certificate_pasted_wrong_is_explained(client, pki_dir):
    challenge_of(client)
    html = client.post(
        "/en/account/certificate/", {"certificate": "hello", "signature": "AAAA"}
    ).content.decode()
    assert "not in the expected form" in html


def test_without_a_configured_ca_the_page_does_not_exist(client, settings, tmp_path):
    settings.BAWABA_PKI_ROOTS = str(tmp_path / "missing.pem")
    assert client.get("/en/account/certificate/").status_code == 404

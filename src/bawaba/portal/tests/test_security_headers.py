"""Every page is served with a content security policy and the browser protections a ministry expects."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/ar/", "/en/services/passport.renew/", "/ar/account/sign-in/"])
def test_pages_carry_csp_and_framing_protection(client, path):
    response = client.get(path)
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "'unsafe-inline'" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_cached_pages_keep_their_security_headers(client):
    client.get("/ar/")
    assert "default-src 'self'" in client.get("/ar/")["Content-Security-Policy"]


def test_sign_in_form_is_protected_against_csrf():
    response = Client(enforce_csrf_checks=True).post(
        "/ar/account/sign-in/", {"username": "x", "password": "y"}
    )
    assert response.status_code == 403

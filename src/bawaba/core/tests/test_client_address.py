"""The visitor's address: only the trusted proxies' entries of X-Forwarded-For are believed."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from bawaba.core.middleware import ClientAddressMiddleware


def seen(settings, proxies: int, forwarded: str | None) -> str:
    settings.BAWABA_TRUSTED_PROXIES = proxies
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.5", **({"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {})
    )
    ClientAddressMiddleware(lambda r: HttpResponse())(request)
    return request.META["REMOTE_ADDR"]


@pytest.mark.parametrize(
    "proxies,forwarded,address",
    [
        (1, "203.0.113.7", "203.0.113.7"),
        # A visitor who writes their own header cannot choose the address the limits count.
        (1, "1.2.3.4, 203.0.113.7", "203.0.113.7"),
        (2, "1.2.3.4, 203.0.113.7, 10.0.0.9", "203.0.113.7"),
        (0, "203.0.113.7", "10.0.0.5"),
        (1, None, "10.0.0.5"),
        (2, "203.0.113.7", "10.0.0.5"),
        (1, "not-an-address", "10.0.0.5"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_only_the_trusted_proxies_entries_count(settings, proxies, forwarded, address):
    assert seen(settings, proxies, forwarded) == address

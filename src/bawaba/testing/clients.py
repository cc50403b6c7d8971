"""A signed-in browser for page tests, without going through the sign-in pages."""

from django.test import Client

from bawaba.accounts.session_assurance import METHODS_KEY


def signed_in(user, *, methods=("password", "password+sms")) -> Client:
    """A browser whose session completed `methods` (a password and an SMS code unless told otherwise)."""
    client = Client()
    client.force_login(user, backend="bawaba.accounts.backends.NationalIdBackend")
    session = client.session
    session[METHODS_KEY] = list(methods)
    session.save()
    return client

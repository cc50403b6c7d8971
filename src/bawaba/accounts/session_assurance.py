"""Which ways in a session has completed, and so the assurance level it holds."""

from django.contrib.auth import login

from .assurance import Level, reached
from .models import User

METHODS_KEY = "bawaba_auth_methods"


def session_sign_in(request, *, user: User, methods: list[str]) -> None:
    # login() gives the session a new key: a session id planted before sign-in is worth nothing after it.
    login(request, user, backend="bawaba.accounts.backends.NationalIdBackend")
    request.session[METHODS_KEY] = sorted(set(methods))


def session_add_method(request, method: str) -> None:
    request.session[METHODS_KEY] = sorted({*request.session.get(METHODS_KEY, []), method})
    request.session.cycle_key()


def session_level(request) -> Level:
    if not request.user.is_authenticated:
        return Level.NONE
    return reached(request.session.get(METHODS_KEY, []))

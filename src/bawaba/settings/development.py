"""Local development: `make run`. Debug on, a per-machine secret, loopback hosts only."""

from django.core.management.utils import get_random_secret_key

from . import env
from .base import *  # noqa: F403
from .base import BAWABA_PAYMENT_GATEWAY_OPTIONS, VAR_DIR

DEBUG = env.flag("BAWABA_DEBUG", True)
ALLOWED_HOSTS = env.items("BAWABA_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")


def _machine_secret() -> str:
    """A random key kept in var/, so development never runs on a well-known secret."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(get_random_secret_key())
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env.secret("BAWABA_SECRET_KEY") or _machine_secret()

# Static files straight from the source folders, re-read on change; production collects them.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405

# The demo identity providers' registered secret (bawaba.idp.settings): development and tests only.
for _provider in BAWABA_OIDC_PROVIDERS.values():  # noqa: F405
    _provider["client_secret"] = _provider["client_secret"] or "bawaba-portal-demo-secret"

# The sandbox gateway's demo merchant (bawaba.paygw): development and tests only.
BAWABA_PAYMENT_GATEWAY_OPTIONS["paygw"]["secret"] = (
    BAWABA_PAYMENT_GATEWAY_OPTIONS["paygw"]["secret"] or "bawaba-paygw-demo-secret"
)

"""The test suite: fast hashing, an in-memory cache and tasks run by the worker only when a test asks."""

from .base import *  # noqa: F403
from .base import BAWABA_OIDC_PROVIDERS, BAWABA_PAYMENT_GATEWAY_OPTIONS, TEMPLATES

SECRET_KEY = "test-only-secret-key-not-for-any-deployment-0123456789"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "responses": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "responses"},
}
BAWABA_CATALOGUE_REVISION_TTL = 0
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TEMPLATES[0]["OPTIONS"]["debug"] = True
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Passkeys: fixed here so a developer's environment cannot change what the tests sign; the browser tests
# add the live server's own origin (http://localhost:<port>: an IP address is not a valid RP ID).
BAWABA_WEBAUTHN_RP_ID = "localhost"
BAWABA_WEBAUTHN_ORIGINS = ["http://localhost:8000"]

# The demo identity providers' registered secret (bawaba.idp.settings): development and tests only.
for _provider in BAWABA_OIDC_PROVIDERS.values():
    _provider["client_secret"] = _provider["client_secret"] or "bawaba-portal-demo-secret"

# The sandbox gateway's demo merchant (bawaba.paygw): development and tests only.
BAWABA_PAYMENT_GATEWAY_OPTIONS["paygw"]["secret"] = (
    BAWABA_PAYMENT_GATEWAY_OPTIONS["paygw"]["secret"] or "bawaba-paygw-demo-secret"
)

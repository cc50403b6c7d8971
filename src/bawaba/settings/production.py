"""Production: refuses to start without a real secret, explicit hosts and HTTPS."""

from django.core.exceptions import ImproperlyConfigured

from . import env
from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, SECRET_KEY

DEBUG = False

if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure"):
    raise ImproperlyConfigured(
        "BAWABA_SECRET_KEY (or BAWABA_SECRET_KEY_FILE) must hold a random secret of at least 50 characters."
    )
if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured("BAWABA_ALLOWED_HOSTS must list the host names the portal answers to.")

CSRF_TRUSTED_ORIGINS = [f"https://{host}" for host in ALLOWED_HOSTS]

# Passkeys are bound to the public host name and only ever offered over HTTPS.
BAWABA_WEBAUTHN_RP_ID = env.text("BAWABA_WEBAUTHN_RP_ID", ALLOWED_HOSTS[0].lstrip("."))
BAWABA_WEBAUTHN_ORIGINS = env.items("BAWABA_WEBAUTHN_ORIGINS") or CSRF_TRUSTED_ORIGINS
if any(not origin.startswith("https://") for origin in BAWABA_WEBAUTHN_ORIGINS):
    raise ImproperlyConfigured("BAWABA_WEBAUTHN_ORIGINS must list https:// origins only.")

# HTTPS is terminated by the load balancer, which must set X-Forwarded-Proto and append to X-Forwarded-For.
BAWABA_TRUSTED_PROXIES = env.number("BAWABA_TRUSTED_PROXIES", 1)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.flag("BAWABA_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.number("BAWABA_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_HTTPONLY = True

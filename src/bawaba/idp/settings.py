"""Settings of the demo identity provider process (`bawaba idp serve`)."""

import json
import os
import secrets
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEBUG = False
SECRET_KEY = os.environ.get("BAWABA_IDP_SECRET_KEY") or secrets.token_urlsafe(50)
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
ROOT_URLCONF = "bawaba.idp.urls"
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "bawaba.idp"]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
DATABASES = {}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True, "OPTIONS": {}}]
USE_I18N = False
USE_TZ = True

IDP_ISSUER = os.environ.get("BAWABA_IDP_ISSUER", "http://127.0.0.1:8100")
# Which demo provider this process plays: the national digital ID (high) or a bank app (substantial).
IDP_PROFILE = os.environ.get("BAWABA_IDP_PROFILE", "national-id")
# Registered relying parties: {client_id: {"secret": ..., "redirect_uris": [...]}}.
IDP_CLIENTS = json.loads(
    os.environ.get(
        "BAWABA_IDP_CLIENTS",
        json.dumps(
            {
                "bawaba-portal": {
                    "secret": "bawaba-portal-demo-secret",
                    "redirect_uris": [
                        "http://127.0.0.1:8000/ar/account/oidc/national-id/callback/",
                        "http://127.0.0.1:8000/en/account/oidc/national-id/callback/",
                    ],
                }
            }
        ),
    )
)
IDP_IDENTITIES = HERE / "identities.json"

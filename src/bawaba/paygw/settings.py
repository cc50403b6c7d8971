"""Settings of the sandbox payment gateway process (`bawaba paygw serve`)."""

import os
import secrets
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEBUG = False
SECRET_KEY = os.environ.get("BAWABA_PAYGW_SECRET_KEY") or secrets.token_urlsafe(50)
ALLOWED_HOSTS = [
    "127.0.0.1",
    "localhost",
    "[::1]",
    *filter(None, os.environ.get("BAWABA_PAYGW_HOSTS", "").split(",")),
]
ROOT_URLCONF = "bawaba.paygw.urls"
INSTALLED_APPS = ["bawaba.paygw"]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
DATABASES = {}  # the gateway keeps its own SQLite file (bawaba.paygw.store), not a Django database
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True, "OPTIONS": {}}]
USE_I18N = True
USE_TZ = True
LANGUAGE_CODE = "ar"
LANGUAGES = [("ar", "العربية"), ("en", "English")]
LOCALE_PATHS = [HERE.parent / "locale"]
CSRF_COOKIE_NAME = "paygw_csrftoken"
CSRF_COOKIE_HTTPONLY = True
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {"bawaba.paygw": {"handlers": ["console"], "level": "INFO"}},
}

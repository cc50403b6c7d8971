"""Settings shared by every environment; secrets and hosts come from the environment."""

from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from . import env

PACKAGE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = PACKAGE_DIR.parent.parent
VAR_DIR = Path(env.text("BAWABA_VAR_DIR", str(PROJECT_DIR / "var")))

DEBUG = False
SECRET_KEY = env.secret("BAWABA_SECRET_KEY")
ALLOWED_HOSTS = env.items("BAWABA_ALLOWED_HOSTS")

INSTALLED_APPS = [
    "bawaba.accounts.apps.BawabaAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks_db",
    "ninja",
    "bawaba.core",
    "bawaba.audit",
    "bawaba.events",
    "bawaba.accounts",
    "bawaba.catalogue",
    "bawaba.forms",
    "bawaba.notifications",
    "bawaba.payments",
    "bawaba.cases",
    "bawaba.portal",
    "bawaba.backoffice",
    "bawaba.api",
    "bawaba.demo",
]

MIDDLEWARE = [
    "bawaba.core.middleware.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "bawaba.portal.middleware.RememberLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# How many proxies (load balancers) in front of the web processes append to X-Forwarded-For.
BAWABA_TRUSTED_PROXIES = env.number("BAWABA_TRUSTED_PROXIES", 0)

ROOT_URLCONF = "bawaba.urls"
WSGI_APPLICATION = "bawaba.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "bawaba.portal.context_processors.language_switch",
                "bawaba.portal.context_processors.acting_for",
                "bawaba.portal.context_processors.unread_messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'bawaba.sqlite3'}",
        conn_max_age=env.number("BAWABA_DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the worker writes; IMMEDIATE avoids lock-upgrade deadlocks.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

if redis_url := env.text("BAWABA_REDIS_URL"):
    CACHES = {"default": {"BACKEND": "bawaba.core.cache.PooledRedisCache", "LOCATION": redis_url}}
else:
    # A file cache is shared by every process on the machine, so invalidation reaches them all.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# Rendered anonymous responses: a small copy in each process in front of the shared cache.
CACHES["responses"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "bawaba-responses",
    "OPTIONS": {"MAX_ENTRIES": env.number("BAWABA_RESPONSE_CACHE_LOCAL_ENTRIES", 1000)},
}

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ar"
LANGUAGES = [("ar", _("Arabic")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env.text("BAWABA_TIME_ZONE", "Africa/Cairo")
USE_TZ = True
# The business calendar that SLA deadlines count in: ISO weekdays off (5 = Friday, 6 = Saturday) and public
# holidays. Holidays that follow the Hijri calendar move every year: list each year's dates.
BAWABA_WEEKEND = [int(day) for day in env.items("BAWABA_WEEKEND", "5,6")]
BAWABA_HOLIDAYS = env.items(
    "BAWABA_HOLIDAYS",
    "2026-01-07,2026-01-25,2026-03-20,2026-03-21,2026-03-22,2026-04-13,2026-04-25,2026-05-01,2026-05-26,"
    "2026-05-27,2026-05-28,2026-05-29,2026-06-16,2026-06-30,2026-07-23,2026-08-26,2026-10-06,"
    "2027-01-07,2027-01-25,2027-03-09,2027-03-10,2027-03-11,2027-04-25,2027-05-01,2027-05-03,2027-05-15,"
    "2027-05-16,2027-05-17,2027-05-18,2027-06-06,2027-06-30,2027-07-23,2027-08-15,2027-10-06",
)
LANGUAGE_COOKIE_NAME = "bawaba_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# Uploaded files are never served from a public URL: they are read through views that check who asks.
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Source maps are for developers' tools: not worth compressing at every deploy.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [
    "jpg",
    "jpeg",
    "png",
    "gif",
    "webp",
    "zip",
    "gz",
    "tgz",
    "bz2",
    "tbz",
    "xz",
    "br",
    "swf",
    "flv",
    "woff",
    "woff2",
    "3gp",
    "3gpp",
    "asf",
    "avi",
    "m4v",
    "mov",
    "mp4",
    "mpeg",
    "mpg",
    "webm",
    "wmv",
    "map",
]

# Every page is served without inline script or style, so the policy needs no nonce and pages stay cacheable.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.text("BAWABA_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# The platform's own settings.
BAWABA_CATALOGUE_DIR = Path(env.text("BAWABA_CATALOGUE_DIR", str(PACKAGE_DIR / "catalogue" / "definitions")))
BAWABA_RESPONSE_CACHE_SECONDS = env.number("BAWABA_RESPONSE_CACHE_SECONDS", 600)
BAWABA_CATALOGUE_REVISION_TTL = env.number("BAWABA_CATALOGUE_REVISION_TTL", 1)
# Identifies a deployment (for example its commit); by default computed from the templates and translations.
BAWABA_RELEASE = env.text("BAWABA_RELEASE")
BAWABA_WORKER_HEARTBEAT_SECONDS = env.number("BAWABA_WORKER_HEARTBEAT_SECONDS", 10)
BAWABA_WORKER_STALE_SECONDS = env.number("BAWABA_WORKER_STALE_SECONDS", 60)
# How often each worker looks for periodic tasks that are due (core.periodic); one worker enqueues each run.
BAWABA_PERIODIC_CHECK_SECONDS = env.number("BAWABA_PERIODIC_CHECK_SECONDS", 30)
# How often the SLA sweep flags breached applications and takes timed workflow moves (cases.tasks).
BAWABA_SLA_SWEEP_MINUTES = env.number("BAWABA_SLA_SWEEP_MINUTES", 15)

LOGIN_URL = "portal:sign_in"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"
BAWABA_CODE_DIGITS = 6
BAWABA_CODE_TTL_SECONDS = env.number("BAWABA_CODE_TTL_SECONDS", 300)
BAWABA_CODE_MAX_ATTEMPTS = env.number("BAWABA_CODE_MAX_ATTEMPTS", 5)
BAWABA_CODE_SENDS_PER_HOUR = env.number("BAWABA_CODE_SENDS_PER_HOUR", 5)
BAWABA_HOME_REGION = env.text("BAWABA_HOME_REGION", "EG")
# Which provider sends each channel; see bawaba.notifications.providers.REGISTRY.
BAWABA_NOTIFICATION_PROVIDERS = {
    "sms": env.text("BAWABA_SMS_PROVIDER", "development"),
    "email": env.text("BAWABA_EMAIL_PROVIDER", "development"),
}
# Which card gateway takes online payments (bawaba.payments.gateways.REGISTRY), and its own settings.
BAWABA_PAYMENT_GATEWAY = env.text("BAWABA_PAYMENT_GATEWAY", "paygw")
BAWABA_PAYMENT_GATEWAY_OPTIONS = {
    "paygw": {
        "url": env.text("BAWABA_PAYGW_URL", "http://127.0.0.1:8200"),
        "merchant": env.text("BAWABA_PAYGW_MERCHANT", "bawaba"),
        "secret": env.secret("BAWABA_PAYGW_SECRET"),
    }
}
# Not more than this many messages to one phone or address in the window (codes apart): the rest wait.
BAWABA_NOTIFICATION_RECIPIENT_LIMIT = env.number("BAWABA_NOTIFICATION_RECIPIENT_LIMIT", 10)
BAWABA_NOTIFICATION_RECIPIENT_WINDOW_SECONDS = env.number(
    "BAWABA_NOTIFICATION_RECIPIENT_WINDOW_SECONDS", 3600
)
# A batch a worker claimed and did not finish in this time (it died) is claimed by another worker.
BAWABA_NOTIFICATION_LEASE_SECONDS = env.number("BAWABA_NOTIFICATION_LEASE_SECONDS", 120)
# Each provider's own settings, passed to it as keyword arguments.
BAWABA_NOTIFICATION_OPTIONS = {
    "smpp": {
        "host": env.text("BAWABA_SMPP_HOST", "127.0.0.1"),
        "port": env.number("BAWABA_SMPP_PORT", 2775),
        "system_id": env.text("BAWABA_SMPP_SYSTEM_ID", "bawaba"),
        "password": env.secret("BAWABA_SMPP_PASSWORD"),
        "source_addr": env.text("BAWABA_SMPP_SOURCE", "Bawaba"),
        "window": env.number("BAWABA_SMPP_WINDOW", 50),  # submit_sm sent before waiting for their answers
    },
    "smtp": {
        "from_email": env.text("BAWABA_EMAIL_FROM", "Bawaba <no-reply@bawaba.example>"),
        "mailer": "default",
        "sessions": env.number("BAWABA_EMAIL_SESSIONS", 4),  # SMTP sessions sending side by side
    },
    "https-gateway": {
        "url": env.text("BAWABA_SMS_GATEWAY_URL", ""),
        "token": env.secret("BAWABA_SMS_GATEWAY_TOKEN"),
        "callback_secret": env.secret("BAWABA_SMS_GATEWAY_CALLBACK_SECRET"),
    },
}
# The SMTP server the smtp provider speaks to (Django's mailers; the provider names which one it uses).
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": env.text("BAWABA_EMAIL_HOST", "localhost"),
            "port": env.number("BAWABA_EMAIL_PORT", 25),
            "username": env.text("BAWABA_EMAIL_USER", ""),
            "password": env.secret("BAWABA_EMAIL_PASSWORD"),
            "use_tls": env.flag("BAWABA_EMAIL_STARTTLS", False),
            "timeout": 10,
        },
    }
}
AUTHENTICATION_BACKENDS = [
    "bawaba.accounts.backends.NationalIdBackend",
    "django.contrib.auth.backends.ModelBackend",
]
BAWABA_NATIONAL_ID_RULE = {"length": 14, "check": "luhn", "embedded_birth_date": True}
BAWABA_SIGN_INS_PER_ADDRESS_PER_HOUR = env.number("BAWABA_SIGN_INS_PER_ADDRESS_PER_HOUR", 100)
# Staff accounts opened by an agency administrator: the SMS code to set a password lasts this long.
BAWABA_ACTIVATION_CODE_TTL_HOURS = env.number("BAWABA_ACTIVATION_CODE_TTL_HOURS", 72)
# The agencies (catalogue codes) whose officers record parents of minors and company representatives.
BAWABA_CHILD_DELEGATION_AGENCIES = env.items("BAWABA_CHILD_DELEGATION_AGENCIES", "civil-status")
BAWABA_COMPANY_DELEGATION_AGENCIES = env.items("BAWABA_COMPANY_DELEGATION_AGENCIES", "commerce")
# A parent's or guardian's delegation for a child ends on this birthday.
BAWABA_AGE_OF_MAJORITY = env.number("BAWABA_AGE_OF_MAJORITY", 18)
# External OpenID Connect identity providers, each with the assurance level it proves. `make run` starts a demo
# national ID on port 8100 and a demo bank app on port 8110.
BAWABA_OIDC_PROVIDERS = {
    "national-id": {
        "name": {"ar": "الهوية الرقمية الوطنية", "en": "National digital ID"},
        "issuer": env.text("BAWABA_NATIONAL_ID_ISSUER", "http://127.0.0.1:8100"),
        "client_id": env.text("BAWABA_NATIONAL_ID_CLIENT_ID", "bawaba-portal"),
        # A provider with no secret configured is not offered.
        "client_secret": env.secret("BAWABA_NATIONAL_ID_CLIENT_SECRET"),
        "level": "high",
        "acr": ["urn:bawaba:loa:high"],
    },
    "bank": {
        "name": {"ar": "تطبيق البنك", "en": "Your bank app"},
        "issuer": env.text("BAWABA_BANK_ISSUER", "http://127.0.0.1:8110"),
        "client_id": env.text("BAWABA_BANK_CLIENT_ID", "bawaba-portal"),
        "client_secret": env.secret("BAWABA_BANK_CLIENT_SECRET"),
        # Banks know their customers from an in-person check of the ID card and sign them in with two factors.
        "level": "substantial",
        "acr": ["urn:bawaba:loa:substantial", "urn:bawaba:loa:high"],
    },
}
# Forms a citizen has started are kept this many days after their last change; they are told this many days
# before one is deleted.
BAWABA_DRAFT_DAYS = env.number("BAWABA_DRAFT_DAYS", 30)
BAWABA_DRAFT_WARN_DAYS = env.number("BAWABA_DRAFT_WARN_DAYS", 3)
# What publishing a service checks beyond the catalogue's own schema: each capability checks its part.
BAWABA_CATALOGUE_CHECKS = [
    "bawaba.forms.catalogue_checks.form_problems",
    "bawaba.workflows.catalogue_checks.workflow_problems",
    "bawaba.cases.catalogue_checks.notice_problems",
    "bawaba.payments.catalogue_checks.fee_problems",
]
# Digital-signature sign-in: the national CA's root certificates and its revocation lists (PEM files).
BAWABA_PKI_ROOTS = env.text("BAWABA_PKI_ROOTS", str(VAR_DIR / "pki" / "root.pem"))
BAWABA_PKI_CRLS = env.items("BAWABA_PKI_CRLS", str(VAR_DIR / "pki" / "national-ca.crl.pem"))
# Passkeys (WebAuthn): the domain passkeys are bound to, and the exact origins the portal is served from.
# A passkey made for one RP ID never works on another, so production sets these to the public host name.
BAWABA_WEBAUTHN_RP_ID = env.text("BAWABA_WEBAUTHN_RP_ID", "localhost")
BAWABA_WEBAUTHN_RP_NAME = env.text("BAWABA_WEBAUTHN_RP_NAME", "Bawaba")
BAWABA_WEBAUTHN_ORIGINS = env.items("BAWABA_WEBAUTHN_ORIGINS", "http://localhost:8000")

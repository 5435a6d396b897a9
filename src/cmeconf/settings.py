"""Django settings, driven by the environment (see cmeconf.config for every option)."""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

import dj_database_url

from cmeconf import config

C = config.load()

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(C["CMECONF_DATA_DIR"]).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = C["CMECONF_DEBUG"]
TESTING = "pytest" in sys.modules


def _secret_key() -> str:
    if C["SECRET_KEY"]:
        return C["SECRET_KEY"]
    # A stable key per installation, so that sessions and signed links survive restarts.
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [h.strip() for h in C["CMECONF_ALLOWED_HOSTS"].split(",") if h.strip()]
SITE_URL = C["CMECONF_SITE_URL"].rstrip("/")
CSRF_TRUSTED_ORIGINS = [SITE_URL]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_htmx",
    "channels",
    "cmeconf.common",
    "cmeconf.accounts",
    "cmeconf.providers",
    "cmeconf.activities",
    "cmeconf.integrity",
    "cmeconf.registration",
    "cmeconf.attendance",
    "cmeconf.checkin",
    "cmeconf.licensure",
    "cmeconf.evaluations",
    "cmeconf.credits",
    "cmeconf.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "cmeconf.common.middleware.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "cmeconf.urls"
ASGI_APPLICATION = "cmeconf.asgi.application"
WSGI_APPLICATION = "cmeconf.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cmeconf.common.context_processors.site",
            ],
        },
    }
]

# Scanner devices' badge scans on the lean route of checkin.fast_scans (PostgreSQL only).
CMECONF_FAST_SCANS = C["CMECONF_FAST_SCANS"]

if C["DATABASE_URL"]:
    DATABASES = {"default": dj_database_url.parse(C["DATABASE_URL"], conn_max_age=0)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and C["CMECONF_DB_POOL"]:
        # Under ASGI each request may run in a fresh thread, so persistent per-thread
        # connections pile up; a per-process pool bounds and reuses them instead.
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 2,
            "max_size": C["CMECONF_DB_POOL"],
            "timeout": C["CMECONF_DB_POOL_TIMEOUT"],
        }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "cmeconf.sqlite3",
            # WAL lets the demo's readers go on while a write commits.
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # Hashing dominates the run time of tests that create users; production keeps PBKDF2.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = C["CMECONF_TIME_ZONE"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "servestatic.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Static files are served in front of Django (cmeconf.serving), from collectstatic's output.

if C["REDIS_URL"]:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": C["REDIS_URL"],
            "KEY_PREFIX": "cmeconf",
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [C["REDIS_URL"]]},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
PROGRAM_CACHE_SECONDS = C["CMECONF_SESSION_CACHE_SECONDS"]
DISCLOSURE_VALID_MONTHS = C["CMECONF_DISCLOSURE_VALID_MONTHS"]
DISCLOSURE_REMINDER_DAYS = tuple(
    sorted({int(d) for d in C["CMECONF_DISCLOSURE_REMINDER_DAYS"].split(",") if d.strip()})
)
# Card payments through Stripe Checkout; offered only when both are set.
STRIPE_SECRET_KEY = C["CMECONF_STRIPE_SECRET_KEY"]
STRIPE_WEBHOOK_SECRET = C["CMECONF_STRIPE_WEBHOOK_SECRET"]

# Tasks: Celery. Without a broker they run in-process, which is what the demo wants.
_eager = C["CMECONF_TASKS_EAGER"]
CELERY_TASK_ALWAYS_EAGER = (not C["REDIS_URL"]) if _eager is None else _eager
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = C["REDIS_URL"] or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# Periodic jobs, run by `cmeconf worker --beat` (one such worker per installation).
CELERY_BEAT_SCHEDULE = {
    "disclosure-reminders": {
        "task": "cmeconf.integrity.send_disclosure_reminders",
        "schedule": 6 * 60 * 60,  # a few times a day: each reminder goes out once
    },
    "registration-offer-expiry": {
        "task": "cmeconf.registration.expire_offers",
        "schedule": 15 * 60,  # a freed seat waits at most this long after an offer lapses
    },
    "registration-reminders": {
        "task": "cmeconf.registration.send_reminders",
        "schedule": 60 * 60,  # each registrant is reminded once, within the hour it is due
    },
    "licensure-reminders": {
        "task": "cmeconf.licensure.send_reminders",
        "schedule": 24 * 60 * 60,  # renewal reminders count in days; each goes out once
    },
    "evaluation-follow-ups": {
        "task": "cmeconf.evaluations.send_follow_ups",
        "schedule": 24 * 60 * 60,  # follow-up surveys are due in days; each learner once
    },
}

EMAIL_BACKEND = C["CMECONF_EMAIL_BACKEND"]
EMAIL_HOST = C["CMECONF_EMAIL_HOST"]
EMAIL_PORT = C["CMECONF_EMAIL_PORT"]
EMAIL_HOST_USER = C["CMECONF_EMAIL_HOST_USER"]
EMAIL_HOST_PASSWORD = C["CMECONF_EMAIL_HOST_PASSWORD"]
EMAIL_USE_TLS = C["CMECONF_EMAIL_USE_TLS"]
DEFAULT_FROM_EMAIL = C["CMECONF_DEFAULT_FROM_EMAIL"]
# Used only with the file-based backend (one file per message, for staging servers).
EMAIL_FILE_PATH = DATA_DIR / "mail"
SERVER_EMAIL = DEFAULT_FROM_EMAIL

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if C["CMECONF_SECURE"]:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "cmeconf API",
    "DESCRIPTION": (
        "Activities, program, faculty and schedule of accredited CME activities, and their "
        "integrity: ineligible companies, disclosures and their review, what learners are "
        "shown, commercial support, consent, the planning file and the activity file."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"cmeconf": {"level": C["CMECONF_LOG_LEVEL"], "propagate": True}},
}

# Demo data: the `demo_data` management command (cmeconf demo, cmeconf demo-data). No models.
INSTALLED_APPS += ["cmeconf.demo"]

# REST API: services raise Django's ValidationError and PermissionDenied; this handler answers
# them with 400 (errors by field) and 403. Requests are JSON, like responses. Named enums keep
# the generated OpenAPI schema (docs/api/openapi.yaml) stable.
REST_FRAMEWORK["EXCEPTION_HANDLER"] = "cmeconf.api.exceptions.exception_handler"
REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] = ["rest_framework.parsers.JSONParser"]
# JSON is the only format, and "format" is a session filter, not a renderer switch.
REST_FRAMEWORK["URL_FORMAT_OVERRIDE"] = None
REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"] = "cmeconf.api.schema.AutoSchema"
# Like LimitOffsetPagination, but no single request may ask for everything at once.
REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"] = "cmeconf.api.pagination.Pagination"
# A session counts only once its two-factor code (if the person has a device) was entered.
REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] = [
    "cmeconf.api.authentication.RememberedTokenAuthentication",
    "cmeconf.api.authentication.VerifiedSessionAuthentication",
]
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {
    "ActivityStateEnum": "cmeconf.activities.choices.ActivityState",
    "ActivityKindEnum": "cmeconf.activities.choices.ActivityKind",
    "ScheduleWarningKindEnum": ["room", "person", "dates", "capacity", "ancillary"],
    "SessionFormatEnum": "cmeconf.activities.choices.SessionFormat",
    "FacultyRoleEnum": "cmeconf.activities.choices.FacultyRole",
    "PermissionEnum": "cmeconf.providers.permissions.Permission",
    "ProfessionEnum": "cmeconf.accounts.rules.Profession",
}

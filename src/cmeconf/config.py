"""Every setting an operator can change, in one place.

Values come from, in rising order of precedence: the default here, the optional
TOML file named by ``CMECONF_CONFIG`` (keys in its ``[cmeconf]`` table, lower
case, without the prefix), and environment variables. ``docs/operators/settings.md``
documents each option; a test keeps the two in step.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Option:
    env: str
    default: Any
    help: str
    kind: type = str


OPTIONS: tuple[Option, ...] = (
    Option("CMECONF_CONFIG", "", "Path of an optional TOML file with a [cmeconf] table."),
    Option("CMECONF_DEBUG", False, "Django debug mode. Never in production.", bool),
    Option(
        "SECRET_KEY",
        "",
        "Django's secret key. Unset: a random key is made once and kept in the data directory.",
    ),
    Option(
        "DATABASE_URL",
        "",
        "Database URL, e.g. postgres://user@host/cmeconf. Unset: SQLite in the data directory.",
    ),
    Option(
        "CMECONF_DB_POOL",
        10,
        "PostgreSQL connections each server process may hold in its pool (0: no pool).",
        int,
    ),
    Option(
        "CMECONF_DB_POOL_TIMEOUT",
        30,
        "Seconds a request waits for a free pooled connection before it is answered 503 "
        "(busy, retry) instead of waiting on.",
        int,
    ),
    Option(
        "CMECONF_FAST_SCANS",
        True,
        "Answer scanner devices' badge scans on a lean async route beside Django (PostgreSQL "
        "only); off: every scan goes through the API view.",
        bool,
    ),
    Option(
        "REDIS_URL",
        "",
        "Redis URL for cache, channel layer and task broker. Unset: in-process equivalents.",
    ),
    Option("CMECONF_DATA_DIR", "var", "Directory for the SQLite database, uploads and keys."),
    Option(
        "CMECONF_ALLOWED_HOSTS",
        "127.0.0.1,localhost",
        "Comma-separated host names this site answers to.",
    ),
    Option(
        "CMECONF_SITE_URL",
        "http://127.0.0.1:8000",
        "Public base URL, used in e-mails and calendar feeds.",
    ),
    Option(
        "CMECONF_SECURE",
        False,
        "Serve over HTTPS only: secure cookies, HSTS, redirect to https.",
        bool,
    ),
    Option(
        "CMECONF_TASKS_EAGER",
        None,
        "Run background tasks in-process. Default: yes without REDIS_URL, no with it.",
        bool,
    ),
    Option(
        "CMECONF_EMAIL_BACKEND",
        "django.core.mail.backends.console.EmailBackend",
        "Django e-mail backend (smtp: django.core.mail.backends.smtp.EmailBackend).",
    ),
    Option("CMECONF_EMAIL_HOST", "localhost", "SMTP host."),
    Option("CMECONF_EMAIL_PORT", 25, "SMTP port.", int),
    Option("CMECONF_EMAIL_HOST_USER", "", "SMTP user."),
    Option("CMECONF_EMAIL_HOST_PASSWORD", "", "SMTP password."),
    Option("CMECONF_EMAIL_USE_TLS", False, "SMTP with STARTTLS.", bool),
    Option("CMECONF_DEFAULT_FROM_EMAIL", "cmeconf <noreply@localhost>", "Sender of e-mails."),
    Option("CMECONF_TIME_ZONE", "UTC", "Server time zone; activities have their own."),
    Option("CMECONF_LOG_LEVEL", "INFO", "Log level of the cmeconf loggers."),
    Option(
        "CMECONF_DISCLOSURE_VALID_MONTHS",
        12,
        "How long a submitted disclosure is reused across activities before a new one is due.",
        int,
    ),
    Option(
        "CMECONF_DISCLOSURE_REMINDER_DAYS",
        "30,7",
        "Days before a disclosure expires on which its holder is reminded by e-mail.",
    ),
    Option(
        "CMECONF_SESSION_CACHE_SECONDS",
        600,
        "How long rendered public program pages stay cached (they are also invalidated on change).",
        int,
    ),
    Option(
        "CMECONF_STRIPE_SECRET_KEY",
        "",
        "Stripe secret API key for card payments (Stripe Checkout). Empty: no card payment.",
    ),
    Option(
        "CMECONF_STRIPE_WEBHOOK_SECRET",
        "",
        "Signing secret of the Stripe webhook endpoint /payments/stripe/webhook/.",
    ),
)

_BY_ENV = {o.env: o for o in OPTIONS}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _cast(option: Option, raw: Any) -> Any:
    if raw is None:
        return None
    if option.kind is bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError(f"{option.env}: expected yes or no, got {raw!r}")
    if option.kind is int:
        return int(raw)
    return str(raw)


def _file_values() -> dict[str, Any]:
    path = os.environ.get("CMECONF_CONFIG", "")
    if not path:
        return {}
    with Path(path).open("rb") as fh:
        table = tomllib.load(fh).get("cmeconf", {})
    values = {}
    for key, value in table.items():
        env = key.upper()
        if env not in _BY_ENV:
            env = f"CMECONF_{env}"
        if env not in _BY_ENV:
            raise ValueError(f"{path}: unknown setting {key!r}")
        values[env] = value
    return values


def load() -> dict[str, Any]:
    """Resolve every option: default < config file < environment."""
    from_file = _file_values()
    resolved = {}
    for option in OPTIONS:
        raw = option.default
        if option.env in from_file:
            raw = from_file[option.env]
        if option.env in os.environ:
            raw = os.environ[option.env]
        resolved[option.env] = _cast(option, raw)
    return resolved

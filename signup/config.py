"""Configuration read from the environment and checked once, at start."""

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from limits import parse_many

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RATE_LIMIT = "10/minute;60/hour"
DEFAULT_WEBHOOK_RATE_LIMIT = "600/minute"
DEFAULT_ADMIN_LOGIN_LIMIT = "5/minute;30/hour"
# Enough calls in flight for 190 calls/s at one second of eSputnik latency; more is memory for nothing.
DEFAULT_MAX_CONCURRENCY = 256
LOG_FORMATS = ("json", "text")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class ConfigError(Exception):
    """Raised with one line per wrong setting, each naming its variable."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("\n".join(problems))


def _flag(env, name, default, problems):
    raw = env.get(name, "").strip().lower()
    if raw == "":
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    problems.append(f"{name}: expected 1 or 0, got {raw!r}")
    return default


def _number(env, name, default, problems, *, minimum=0, kind=float):
    raw = env.get(name, "").strip()
    if raw == "":
        return default
    try:
        value = kind(raw)
    except ValueError:
        problems.append(f"{name}: expected a number, got {raw!r}")
        return default
    if value < minimum:
        problems.append(f"{name}: must be at least {minimum}, got {raw!r}")
        return default
    return value


def _database_url(env, problems):
    url = env.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{ROOT / 'instance' / 'signup.sqlite3'}"
    # Heroku-style hosts still hand out the scheme SQLAlchemy 1.4 dropped.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    if not url.startswith(("sqlite:", "postgresql+psycopg:")):
        problems.append("DATABASE_URL: only sqlite:/// and postgres:// URLs are supported")
    return url


def _api_url(env, problems):
    url = env.get("ESPUTNIK_API_URL", "").strip().rstrip("/") or "https://esputnik.com"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        problems.append(f"ESPUTNIK_API_URL: expected an http(s) URL, got {url!r}")
    elif parts.path.endswith("/api/v1") or parts.path.endswith("/api"):
        problems.append("ESPUTNIK_API_URL: give the base URL up to the host, without /api/v1")
    return url


def _rate_limit(env, problems, name="RATE_LIMIT", default=DEFAULT_RATE_LIMIT, *, may_be_off=True):
    raw = env.get(name, "").strip() or default
    if may_be_off and raw.lower() == "off":
        return None
    try:
        parse_many(raw)
    except ValueError:
        example = "'10/minute;50/hour' or 'off'" if may_be_off else "'5/minute;30/hour'"
        problems.append(f"{name}: not a limit like {example}: {raw!r}")
        return default
    return raw


def _choice(env, name, choices, default, problems, *, upper=False):
    raw = env.get(name, "").strip()
    raw = raw.upper() if upper else raw.lower()
    if raw == "":
        return default
    if raw not in choices:
        problems.append(f"{name}: expected one of {', '.join(choices)}, got {raw!r}")
        return default
    return raw


def _public_url(env, problems):
    url = env.get("PUBLIC_URL", "").strip().rstrip("/")
    parts = urlsplit(url)
    if url and (parts.scheme not in ("http", "https") or not parts.netloc or parts.path or parts.query):
        problems.append(f"PUBLIC_URL: expected the site's address like https://forms.example.com, got {url!r}")
        return ""
    return url


def _redis_url(env, problems):
    url = env.get("REDIS_URL", "").strip()
    if url and not url.startswith(("redis://", "rediss://", "unix://")):
        problems.append("REDIS_URL: expected a redis:// or rediss:// URL")
        return ""
    return url


def _max_concurrency(env, problems):
    """Return the ceiling of a worker's calls in flight; DELIVERY_CONCURRENCY is its older name."""
    ceiling = _number(env, "DELIVERY_MAX_CONCURRENCY", None, problems, minimum=1, kind=int)
    older = _number(env, "DELIVERY_CONCURRENCY", None, problems, minimum=1, kind=int)
    if ceiling is not None and older is not None and ceiling != older:
        problems.append("DELIVERY_CONCURRENCY: the older name of DELIVERY_MAX_CONCURRENCY; set only one of them")
    return ceiling or older or DEFAULT_MAX_CONCURRENCY


def _check_timing(settings, problems):
    # A call whose outcome was lost is sent again; inside eSputnik's one-minute window the
    # resend is answered 409 instead of firing a second event, so every path back stays short.
    call = settings["ESPUTNIK_CONNECT_TIMEOUT"] + settings["ESPUTNIK_READ_TIMEOUT"]
    if settings["ESPUTNIK_READ_TIMEOUT"] > 30:
        problems.append("ESPUTNIK_READ_TIMEOUT: at most 30 s, so a resend lands in eSputnik's duplicate minute")
    elif settings["DELIVERY_LEASE_SECONDS"] > 55:
        problems.append("DELIVERY_LEASE_SECONDS: at most 55 s, so a crashed worker's calls are resent in time")
    elif settings["DELIVERY_LEASE_SECONDS"] < call + 1:
        problems.append(
            f"DELIVERY_LEASE_SECONDS: must exceed the connect and read timeouts together (at least {call + 1:g})"
        )


def _operations(env, dev, problems):
    """Return the settings of the admin session, metrics, logs and retention."""
    return {
        "PUBLIC_URL": _public_url(env, problems),
        "ADMIN_LOGIN_LIMIT": _rate_limit(
            env, problems, "ADMIN_LOGIN_LIMIT", DEFAULT_ADMIN_LOGIN_LIMIT, may_be_off=False
        ),
        "SESSION_COOKIE_NAME": "signup_admin",
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": not dev,
        "PERMANENT_SESSION_LIFETIME": 12 * 3600,
        "METRICS_TOKEN": env.get("METRICS_TOKEN", ""),
        "LOG_FORMAT": _choice(env, "LOG_FORMAT", LOG_FORMATS, "text" if dev else "json", problems),
        "LOG_LEVEL": _choice(env, "LOG_LEVEL", LOG_LEVELS, "INFO", problems, upper=True),
        "BACKLOG_WARN_MINUTES": _number(env, "BACKLOG_WARN_MINUTES", 15.0, problems, minimum=0.1),
        "RETENTION_DAYS": _number(env, "RETENTION_DAYS", 30.0, problems, minimum=0.01),
        "CONSENT_RETENTION_DAYS": _number(env, "CONSENT_RETENTION_DAYS", 0.0, problems),
        "RETENTION_INTERVAL_SECONDS": _number(env, "RETENTION_INTERVAL_SECONDS", 3600.0, problems, minimum=1),
    }


def from_environ(env=None):
    """Return the settings taken from `env` (default: os.environ), or raise ConfigError."""
    env = os.environ if env is None else env
    problems = []
    dev = _flag(env, "SIGNUP_DEV", False, problems)
    api_key = env.get("ESPUTNIK_API_KEY", "").strip()
    dry_run = _flag(env, "DRY_RUN", dev and not api_key, problems)
    secret = env.get("SECRET_KEY", "")
    if not secret:
        if not dev:
            problems.append("SECRET_KEY: required outside development (set SIGNUP_DEV=1 for a local run)")
        secret = secrets.token_hex(32)
    elif len(secret) < 16 and not dev:
        problems.append("SECRET_KEY: too short, use at least 16 random characters")
    settings = {
        "DEV": dev,
        "SECRET_KEY": secret,
        "ESPUTNIK_API_KEY": api_key,
        "ESPUTNIK_API_URL": _api_url(env, problems),
        "DRY_RUN": dry_run,
        "DATABASE_URL": _database_url(env, problems),
        "FORMS_FILE": env.get("FORMS_FILE", "").strip() or str(ROOT / "forms.toml"),
        "ADMIN_USERNAME": env.get("ADMIN_USERNAME", "").strip() or "admin",
        "ADMIN_PASSWORD": env.get("ADMIN_PASSWORD", ""),
        "WEBHOOK_TOKEN": env.get("WEBHOOK_TOKEN", ""),
        "REDIS_URL": _redis_url(env, problems),
        "RATE_LIMIT": _rate_limit(env, problems),
        "WEBHOOK_RATE_LIMIT": _rate_limit(env, problems, "WEBHOOK_RATE_LIMIT", DEFAULT_WEBHOOK_RATE_LIMIT),
        "MAX_SIGNUPS_PER_ADDRESS_PER_DAY": _number(env, "MAX_SIGNUPS_PER_ADDRESS_PER_DAY", 5, problems, kind=int),
        "CAPTCHA_VERIFY_URL": env.get("CAPTCHA_VERIFY_URL", "").strip(),
        "CAPTCHA_TIMEOUT": _number(env, "CAPTCHA_TIMEOUT", 5.0, problems, minimum=0.1),
        "TRUSTED_PROXY_HOPS": _number(env, "TRUSTED_PROXY_HOPS", 0, problems, kind=int),
        "PORT": _number(env, "PORT", 5000, problems, minimum=1, kind=int),
        "MAX_CONTENT_LENGTH": _number(env, "MAX_CONTENT_LENGTH", 64 * 1024, problems, minimum=1024, kind=int),
        "FORM_MIN_FILL_SECONDS": _number(env, "FORM_MIN_FILL_SECONDS", 2.0, problems),
        "FORM_TOKEN_MAX_AGE": _number(env, "FORM_TOKEN_MAX_AGE", 7 * 24 * 3600, problems, minimum=60),
        "ESPUTNIK_CONNECT_TIMEOUT": _number(env, "ESPUTNIK_CONNECT_TIMEOUT", 3.05, problems, minimum=0.01),
        "ESPUTNIK_READ_TIMEOUT": _number(env, "ESPUTNIK_READ_TIMEOUT", 10.0, problems, minimum=0.01),
        "DELIVERY_RATE": _number(env, "DELIVERY_RATE", 100.0, problems, minimum=0.1),
        "DELIVERY_MAX_CONCURRENCY": _max_concurrency(env, problems),
        "RETRY_BASE_SECONDS": _number(env, "RETRY_BASE_SECONDS", 2.0, problems),
        "RETRY_MAX_SECONDS": _number(env, "RETRY_MAX_SECONDS", 3600.0, problems),
        "RETRY_MAX_AGE_HOURS": _number(env, "RETRY_MAX_AGE_HOURS", 72.0, problems, minimum=0.01),
        "DELIVERY_LEASE_SECONDS": _number(env, "DELIVERY_LEASE_SECONDS", 45.0, problems, minimum=1),
        "DELIVERY_IDLE_SECONDS": _number(env, "DELIVERY_IDLE_SECONDS", 1.0, problems),
        "DELIVERY_PROBE_SECONDS": _number(env, "DELIVERY_PROBE_SECONDS", 30.0, problems),
        "DUPLICATE_WINDOW_SECONDS": _number(env, "DUPLICATE_WINDOW_SECONDS", 600.0, problems),
        **_operations(env, dev, problems),
    }
    _check_timing(settings, problems)
    if problems:
        raise ConfigError(problems)
    return settings

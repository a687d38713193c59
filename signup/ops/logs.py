"""Logs: one JSON line per request and per delivery attempt, each with a request id, nothing personal or secret."""

import json
import logging
import re
import secrets
import sys
import time
from contextvars import ContextVar
from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import urlsplit

from flask import g, request

from ..privacy import masking

request_id = ContextVar("request_id", default=None)
# The submission a request stored, told by `name_submission`, so the request's line names it.
submission_id = ContextVar("submission_id", default=None)
# A proxy's id (Heroku's router sends one) is kept so lines can be matched with the router's.
INCOMING_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
STANDARD_ATTRIBUTES = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}
# Ids we made or checked against INCOMING_ID (masking could take a run of digits in one for a phone
# number), and values we produced ourselves: numbers, names from a fixed set, an address already masked.
TRUSTED_FIELDS = {"request_id", "submission", "event", "method", "status", "duration_ms", "client", "form"}
SECRET_SETTINGS = ("ESPUTNIK_API_KEY", "WEBHOOK_TOKEN", "ADMIN_PASSWORD", "SECRET_KEY", "METRICS_TOKEN")
_secrets = set()
MEMO_LENGTH = 200  # longer texts are masked each time, so the memo stays small


def new_id():
    """Return a fresh request id."""
    return secrets.token_hex(8)


@lru_cache(maxsize=512)
def _masked(text):
    # Paths and messages repeat from request to request (/f/newsletter); masking them once saves most of a line's cost.
    return masking.text(text, _secrets)


def _clean(value):
    if isinstance(value, str):
        return _masked(value) if len(value) <= MEMO_LENGTH else masking.text(value, _secrets)
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return masking.text(str(value), _secrets)


def fields_of(record):
    """Return a log record as a dict, every text in it masked."""
    line = {
        "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "level": record.levelname,
        "logger": record.name,
        "message": _clean(record.getMessage()),
    }
    current = getattr(record, "request_id", None) or request_id.get()
    if current:
        line["request_id"] = current
    for key, value in vars(record).items():
        if key not in STANDARD_ATTRIBUTES and key not in line:
            line[key] = value if key in TRUSTED_FIELDS else _clean(value)
    if record.exc_info:
        line["error"] = _clean(logging.Formatter().formatException(record.exc_info))
    return line


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record):
        return json.dumps(fields_of(record), ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """A readable line for development, masked the same way."""

    def format(self, record):
        line = fields_of(record)
        head = f"{line.pop('time')} {line.pop('level')} {line.pop('logger')}: {line.pop('message')}"
        error = line.pop("error", None)
        extra = " ".join(f"{key}={value}" for key, value in line.items())
        return "\n".join(part for part in (f"{head} {extra}".rstrip(), error) if part)


class StderrHandler(logging.StreamHandler):
    """Writes to the process's own standard error (file descriptor 2), whatever replaces sys.stderr."""

    def __init__(self):
        super().__init__(sys.__stderr__ or sys.stderr)


def _remember_secrets(config):
    _masked.cache_clear()
    for key in SECRET_SETTINGS:
        if config.get(key):
            _secrets.add(config[key])
    for key in ("DATABASE_URL", "REDIS_URL"):
        password = urlsplit(config.get(key) or "").password
        if password:
            _secrets.add(password)


def remember_secret(value):
    """Mask `value` in every log line from now on (an account's key read from its own variable)."""
    if value:
        _masked.cache_clear()
        _secrets.add(value)


def configure(config):
    """Send every log line to stderr in the configured format, once per process."""
    _remember_secrets(config)
    root = logging.getLogger()
    handler = next((h for h in root.handlers if isinstance(h, StderrHandler)), None)
    if handler is None:
        handler = StderrHandler()
        root.addHandler(handler)
    handler.setFormatter(JsonFormatter() if config["LOG_FORMAT"] == "json" else TextFormatter())
    root.setLevel(config["LOG_LEVEL"])
    # Our own line per request replaces the development server's, which would print query strings.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    # Alembic announces each of its plugins at start; only the migrations themselves are news.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def start_request():
    """Give the request an id (the proxy's, when it sent a sane one) and start its clock."""
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if INCOMING_ID.match(incoming) else new_id()
    g.request_started = time.monotonic()
    g.request_id_token = request_id.set(g.request_id)


def finish_request(response):
    """Write the request's line and hand its id back in X-Request-ID."""
    if "request_id" not in g:
        return response
    response.headers["X-Request-ID"] = g.request_id
    line = {
        "event": "request",
        "method": request.method,
        "path": request.path,
        "status": response.status_code,
        "duration_ms": round((time.monotonic() - g.request_started) * 1000, 1),
        "client": masking.client(request.remote_addr),
    }
    if (request.view_args or {}).get("form_id") and g.get("form") is not None:
        line["form"] = g.form.id
    if submission_id.get():
        line["submission"] = submission_id.get()
    logging.getLogger("signup.requests").info(
        "%s %s %s", request.method, request.path, response.status_code, extra=line
    )
    return response


def name_submission(submission):
    """Name the submission this request stored in the request's log line."""
    submission_id.set(submission)


def end_request(_error=None):
    token = g.pop("request_id_token", None)
    if token is not None:
        request_id.reset(token)
    submission_id.set(None)


def init_app(app):
    """Configure logging from `app`'s settings and log each of its requests."""
    configure(app.config)
    app.before_request(start_request)
    app.after_request(finish_request)
    app.teardown_request(end_request)

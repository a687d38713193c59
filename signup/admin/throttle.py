"""Failed admin sign-ins, counted once for every process, and the device cookies that keep the operator in."""

import hashlib
import hmac
import logging
import secrets
from datetime import datetime, timedelta

from flask import after_this_request, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy import Index, String, case, delete, func, select
from sqlalchemy.orm import Mapped, mapped_column

from .. import db
from ..db import Base, utcnow

log = logging.getLogger(__name__)
# Failures are counted in Redis when REDIS_URL is set, else in the database: one count for every
# process either way. A browser that signed in before carries a signed device cookie, and its
# attempts count against that cookie instead of its address, so someone guessing from the
# operator's address (or from the proxy every client shares) does not lock the operator out.
EXTENSION = "signup.admin_throttle"
DEVICE_COOKIE = "signup_admin_device"
DEVICE_DAYS = 180
REDIS_TIMEOUT = 1.0


class LoginFailure(Base):
    """One failed admin sign-in, under a keyed hash of the address or device it came from."""

    __tablename__ = "admin_login_failures"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(64))
    failed_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_admin_login_failures_key", "key", "failed_at"),
        Index("ix_admin_login_failures_at", "failed_at"),
    )


class DatabaseCounter:
    """Failures in the database: every process of every instance shares the one table."""

    def __init__(self, limits):
        self.limits = limits
        self.longest = timedelta(seconds=max(item.get_expiry() for item in limits))

    def exceeded(self, key):
        """Tell whether `key` has used up any of the limits."""
        now = utcnow()
        windows = [
            func.sum(case((LoginFailure.failed_at > now - timedelta(seconds=item.get_expiry()), 1), else_=0))
            for item in self.limits
        ]
        query = select(*windows).where(LoginFailure.key == key, LoginFailure.failed_at > now - self.longest)
        with db.session() as session:
            counts = session.execute(query).one()
        return any((count or 0) >= item.amount for count, item in zip(counts, self.limits, strict=True))

    def hit(self, key):
        """Count one failure for `key`, and forget those older than the longest window."""
        now = utcnow()
        with db.session() as session, session.begin():
            session.execute(delete(LoginFailure).where(LoginFailure.failed_at <= now - self.longest))
            session.add(LoginFailure(key=key, failed_at=now))

    def clear(self):
        """Forget every failure, lifting every lockout; return how many were forgotten."""
        with db.session() as session, session.begin():
            return session.execute(delete(LoginFailure)).rowcount


def _redis_down(exc):
    # One line, no traceback: it repeats on every sign-in for as long as Redis is away.
    log.warning("admin sign-in throttle: Redis unavailable (%s), counting in the database", type(exc).__name__)


class RedisCounter:
    """Failures in Redis, with the database as the fallback while Redis does not answer."""

    def __init__(self, url, limits):
        self.storage = storage_from_string(url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT)
        self.limiter, self.limits = MovingWindowRateLimiter(self.storage), limits
        self.fallback = DatabaseCounter(limits)

    def exceeded(self, key):
        """Tell whether `key` has used up any of the limits."""
        try:
            return not all(self.limiter.test(item, "admin-login", key) for item in self.limits)
        except Exception as exc:
            _redis_down(exc)
            return self.fallback.exceeded(key)

    def hit(self, key):
        """Count one failure for `key`."""
        try:
            for item in self.limits:
                self.limiter.hit(item, "admin-login", key)
        except Exception as exc:
            _redis_down(exc)
            self.fallback.hit(key)

    def clear(self):
        """Forget every failure, in Redis and in the fallback table; return how many keys and rows went."""
        client = self.storage.get_connection()
        keys = list(client.scan_iter(match=f"{self.storage.key_prefix}:LIMITER/admin-login/*"))
        return (client.delete(*keys) if keys else 0) + self.fallback.clear()


def set_up(app):
    """Bind the counter the configuration asks for to `app`."""
    limits = parse_many(app.config["ADMIN_LOGIN_LIMIT"])
    url = app.config["REDIS_URL"]
    app.extensions[EXTENSION] = RedisCounter(url, limits) if url else DatabaseCounter(limits)


def _counter():
    return current_app.extensions[EXTENSION]


def unlock():
    """Lift every sign-in lockout at once; return how many counts were dropped."""
    return _counter().clear()


def _keyed(kind, value):
    # Keyed by SECRET_KEY: the store holds no client address, and no device id it could hand out.
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, f"{kind}:{value}".encode("utf-8", "replace"), hashlib.sha256).hexdigest()[:40]


def _devices():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="signup-admin-device")


def _device_of(username):
    """Return the id of this browser's device cookie when it is genuine and was earned by `username`."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw or not username:
        return None
    try:
        value = _devices().loads(raw, max_age=DEVICE_DAYS * 86400)
    except BadSignature:
        return None
    if not isinstance(value, dict) or value.get("u") != username or not isinstance(value.get("d"), str):
        return None
    return value["d"]


def key_for(username):
    """Return what this attempt counts against: its device cookie when it has one for `username`, else its address."""
    device = _device_of(username)
    return _keyed("device", device) if device else _keyed("address", request.remote_addr or "")


def locked(key):
    """Tell whether `key` has used up its failed sign-ins."""
    return _counter().exceeded(key)


def failed(key):
    """Count one failed sign-in against `key`."""
    _counter().hit(key)


def remember_device(username):
    """After a right password, give this browser a device cookie for `username` unless it has one."""
    if _device_of(username):
        return
    value = _devices().dumps({"u": username, "d": secrets.token_urlsafe(16)})
    config = current_app.config

    @after_this_request
    def _set(response):
        response.set_cookie(
            DEVICE_COOKIE,
            value,
            max_age=DEVICE_DAYS * 86400,
            path="/admin/",
            secure=config["SESSION_COOKIE_SECURE"],
            httponly=True,
            samesite="Strict",
        )
        return response

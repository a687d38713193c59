"""Rate limits with Flask-Limiter: per client address and form for visitors, per token for webhooks."""

import hashlib

from flask import g, request
from flask_limiter import Limiter

from ..webhooks.auth import presented_tokens

VISITOR_ENDPOINTS = ("public.submit_form", "api.submit")
WEBHOOK_ENDPOINTS = ("webhooks.receive",)


def visitor_key():
    """Key visitors by client address and form; the address comes only from trusted proxy hops."""
    form = g.get("form")
    return f"visitor:{request.remote_addr}:{form.id if form else '-'}"


def webhook_key():
    """Key webhooks by the token they present (hashed, so no secret lands in the store)."""
    tokens = presented_tokens(request)
    seed = tokens[0] if tokens else f"address:{request.remote_addr}"
    return "webhook:" + hashlib.sha256(seed.encode("utf-8", "replace")).hexdigest()[:24]


def init_app(app):
    """Bind a limiter to `app` and put the configured limits on the submission endpoints."""
    visitor_limit, webhook_limit = app.config["RATE_LIMIT"], app.config["WEBHOOK_RATE_LIMIT"]
    limiter = Limiter(
        key_func=visitor_key,
        storage_uri=app.config["REDIS_URL"] or "memory://",
        key_prefix="signup",
        headers_enabled=True,
        enabled=visitor_limit is not None,
        in_memory_fallback_enabled=True,
    )
    limiter.init_app(app)
    app.extensions["signup.limiter"] = limiter
    if visitor_limit is None:
        return
    for endpoint in VISITOR_ENDPOINTS:
        app.view_functions[endpoint] = limiter.limit(visitor_limit, key_func=visitor_key, methods=["POST"])(
            app.view_functions[endpoint]
        )
    for endpoint in WEBHOOK_ENDPOINTS if webhook_limit else ():
        app.view_functions[endpoint] = limiter.limit(webhook_limit, key_func=webhook_key)(app.view_functions[endpoint])

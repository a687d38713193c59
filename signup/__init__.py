"""Signup forms whose sign-ups land in eSputnik through Subscribe contact."""

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

from . import admin, cli, config, db, i18n, webhooks
from .admin.sessions import Cookie
from .forms import catalogue
from .openapi import bp as openapi_bp
from .ops import compression, errors, health, logs, metrics
from .variants import counting
from .visitors import api, assets, pages, throttling
from .webhooks import bodies


def _security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    response.headers.setdefault("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def create_app(test_config=None, environ=None):
    """Build the application from the environment (or `environ`), then `test_config` on top."""
    app = Flask(
        __name__,
        template_folder=str(config.ROOT / "templates"),
        static_folder=str(config.ROOT / "static"),
        instance_path=str(config.ROOT / "instance"),
    )
    app.config.update(config.from_environ(environ))
    app.config.update(test_config or {})
    app.session_interface = Cookie()
    compression.init_app(app)
    logs.init_app(app)
    hops = app.config["TRUSTED_PROXY_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    catalogue.init_app(app, environ)
    db.init_app(app)
    i18n.init_app(app)
    metrics.init_app(app)
    errors.init_app(app)
    blueprints = (pages.bp, assets.bp, api.bp, counting.bp, webhooks.bp, admin.bp, health.bp, metrics.bp, cli.bp)
    for blueprint in (*blueprints, openapi_bp):
        app.register_blueprint(blueprint)
    throttling.init_app(app)
    app.before_request(bodies.refuse_cut_off_body)
    app.after_request(_security_headers)
    return app

"""Prometheus metrics: what was accepted, what was delivered, and how the backlog stands."""

from flask import Blueprint, Response, current_app
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, generate_latest

bp = Blueprint("metrics", __name__)


def init_app(app):
    """Create this app's own registry and counters."""
    registry = CollectorRegistry()
    app.extensions["signup.metrics"] = {
        "registry": registry,
        "accepted": Counter(
            "signup_submissions_accepted",
            "Submissions accepted and stored, by form and source.",
            ["form", "source"],
            registry=registry,
        ),
        "bot_checks": Counter(
            "signup_bot_checks",
            "Submissions caught by a bot check, by the rule that caught them.",
            ["rule"],
            registry=registry,
        ),
    }


def accepted(form_id, source):
    """Count one stored submission."""
    current_app.extensions["signup.metrics"]["accepted"].labels(form_id, source).inc()


def bot_check(rule):
    """Count one submission caught by the bot check `rule`."""
    current_app.extensions["signup.metrics"]["bot_checks"].labels(rule).inc()


@bp.get("/metrics")
def expose():
    registry = current_app.extensions["signup.metrics"]["registry"]
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)

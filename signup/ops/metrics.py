"""Prometheus metrics: what visitors sent and what came of it, and, read from the database, how delivery stands.

Counters of what happens inside a request live in the process; under gunicorn, set
PROMETHEUS_MULTIPROC_DIR (gunicorn.conf.py does) so every process adds to one total. Everything
about delivery is counted from the database at scrape time, so it is right however many web and
worker processes run, on however many machines.
"""

import hmac
import ipaddress
import os
from contextvars import ContextVar
from datetime import timedelta

from flask import Blueprint, Response, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, generate_latest
from prometheus_client.core import GaugeHistogramMetricFamily, GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import case, extract, func, select
from sqlalchemy.exc import SQLAlchemyError

from .. import db
from ..db import Attempt, Submission, utcnow
from ..delivery import outbox
from ..states import UNDELIVERED, State

bp = Blueprint("metrics", __name__)
WINDOW = timedelta(minutes=15)
DEFAULT_ACCOUNT = "default"  # the account label of sign-ups sent with ESPUTNIK_API_KEY
LATENCY_BUCKETS = (1, 5, 15, 60, 300, 900, 3600, 6 * 3600, 24 * 3600)
SUBMIT_ENDPOINTS = {"public.submit_form": "form", "api.submit": "api", "webhooks.receive": "webhook"}
REFUSALS = {400: "unreadable", 401: "unauthorised", 403: "forbidden", 413: "too_large", 422: "invalid", 429: "limited"}
# The bot check that stopped this request's submission, told by `screened`, read when its answer is counted.
screen_verdict = ContextVar("screen_verdict", default=None)


def init_app(app):
    """Create this app's counters and count the outcome of every submission request."""
    registry = CollectorRegistry()
    app.extensions["signup.metrics"] = {
        "registry": registry,
        "submissions": Counter(
            "signup_submissions",
            "Submissions received, by form, source (form, api, webhook) and outcome.",
            ["form", "source", "outcome"],
            registry=registry,
        ),
        "bot_checks": Counter(
            "signup_bot_checks",
            "Submissions caught by a bot check, by form and rule.",
            ["form", "rule"],
            registry=registry,
        ),
    }
    app.after_request(_count_refusal)
    app.teardown_request(_forget_verdict)


def _counter(name):
    return current_app.extensions["signup.metrics"][name]


def accepted(form_id, source):
    """Count one stored submission."""
    _counter("submissions").labels(form_id, source, "accepted").inc()


def screened(form_id, verdict):
    """Count a submission a bot check stopped (or a token too old), by the rule's name."""
    screen_verdict.set(verdict)
    if verdict != "expired":
        _counter("bot_checks").labels(form_id, verdict).inc()


def _count_refusal(response):
    """Count the submissions that were not accepted: refused, or quietly trapped as bots."""
    source = SUBMIT_ENDPOINTS.get(request.endpoint)
    form = g.get("form")
    if source is None or form is None:
        return response
    verdict = screen_verdict.get()
    if response.status_code < 400:
        outcome = "bot" if verdict and verdict != "expired" else None
    else:
        outcome = "expired" if verdict == "expired" else REFUSALS.get(response.status_code, "error")
    if outcome:
        _counter("submissions").labels(form.id, source, outcome).inc()
    return response


def _forget_verdict(_error=None):
    screen_verdict.set(None)


def _seconds(later, earlier):
    """Return an SQL expression for the seconds between two timestamp columns."""
    if db.is_postgres():
        return extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


def _paused():
    """Return the pause gauge: one sample per eSputnik account, 1 while it is paused."""
    paused = outbox.paused_reasons()
    family = GaugeMetricFamily(
        "signup_delivery_paused",
        "1 while delivery to an eSputnik account is paused (it refused the key).",
        labels=["account"],
    )
    for name in (None, *current_app.extensions["signup.accounts"]):
        family.add_metric([name or DEFAULT_ACCOUNT], 1 if name in paused else 0)
    return family


class DatabaseCollector:
    """Reads backlog, answers and latency from the database at each scrape."""

    def collect(self):
        now = utcnow()
        try:
            families = [*self._backlog(now), self._answers(now), self._latency(now)]
        except SQLAlchemyError:
            yield GaugeMetricFamily("signup_database_up", "1 when the database answered this scrape.", value=0)
            return
        yield GaugeMetricFamily("signup_database_up", "1 when the database answered this scrape.", value=1)
        yield from families

    def _backlog(self, now):
        with db.session() as session:
            size, oldest = session.execute(
                select(func.count(), func.min(Submission.queued_at)).where(Submission.state == State.PENDING)
            ).one()
            by_state = session.execute(
                select(Submission.form_id, Submission.state, Submission.account, func.count())
                .where(Submission.state.in_(UNDELIVERED))
                .group_by(Submission.form_id, Submission.state, Submission.account)
            ).all()
        undelivered = GaugeMetricFamily(
            "signup_submissions_undelivered",
            "Stored submissions not delivered, by form, state and eSputnik account.",
            labels=["form", "state", "account"],
        )
        for form_id, state, account, count in by_state:
            undelivered.add_metric([form_id, state, account or DEFAULT_ACCOUNT], count)
        age = (now - oldest).total_seconds() if oldest else 0.0
        return [
            GaugeMetricFamily("signup_backlog_size", "Submissions waiting to be delivered.", value=size),
            GaugeMetricFamily("signup_backlog_oldest_seconds", "Age of the oldest waiting submission.", value=age),
            _paused(),
            undelivered,
        ]

    def _answers(self, now):
        with db.session() as session:
            rows = session.execute(
                select(Attempt.status, Attempt.outcome, Submission.account, func.count())
                .outerjoin(Submission, Submission.id == Attempt.submission_id)
                .where(Attempt.started_at >= now - WINDOW)
                .group_by(Attempt.status, Attempt.outcome, Submission.account)
            ).all()
        family = GaugeMetricFamily(
            "signup_esputnik_answers",
            "Calls to eSputnik in the last 15 minutes, by HTTP status (none: no answer), outcome and account.",
            labels=["status", "outcome", "account"],
        )
        for status, outcome, account, count in rows:
            family.add_metric(
                [str(status) if status is not None else "none", outcome, account or DEFAULT_ACCOUNT], count
            )
        return family

    def _latency(self, now):
        seconds = _seconds(Submission.delivered_at, Submission.created_at)
        columns = [func.sum(case((seconds <= bound, 1), else_=0)) for bound in LATENCY_BUCKETS]
        with db.session() as session:
            row = session.execute(
                select(func.count(), func.sum(seconds), *columns).where(
                    Submission.delivered_at >= now - WINDOW, Submission.state == State.DELIVERED
                )
            ).one()
        count, total, *cumulative = (value or 0 for value in row)
        buckets = [(str(float(b)), c) for b, c in zip(LATENCY_BUCKETS, cumulative, strict=True)]
        return GaugeHistogramMetricFamily(
            "signup_delivery_latency_seconds",
            "Seconds from acceptance to delivery, for submissions delivered in the last 15 minutes.",
            buckets=[*buckets, ("+Inf", count)],
            gsum_value=float(total),
        )


# Headers a proxy adds; seen while no proxy is trusted, the peer is a proxy and the client unknown.
FORWARDING_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-IP")
ASK_BEARER = "Send the metrics token as Authorization: Bearer <METRICS_TOKEN>.\n"
NOT_LOCAL = (
    "Without METRICS_TOKEN, /metrics answers only this machine and private networks. "
    "Set METRICS_TOKEN and send it as Authorization: Bearer <METRICS_TOKEN>, or scrape from inside "
    "the network (behind a proxy, set TRUSTED_PROXY_HOPS so the scraper's own address is seen).\n"
)


def _token_matches(token):
    scheme, _sep, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def _on_private_network():
    """Tell whether the client (as TRUSTED_PROXY_HOPS lets us see it) is on loopback or a non-public network."""
    if not current_app.config["TRUSTED_PROXY_HOPS"] and any(request.headers.get(h) for h in FORWARDING_HEADERS):
        return False
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    address = getattr(address, "ipv4_mapped", None) or address
    return not address.is_global


def _refusal():
    """Return the answer for a scrape that may not read the metrics, or None when it may."""
    token = current_app.config["METRICS_TOKEN"]
    if token:
        return None if _token_matches(token) else Response(ASK_BEARER, 401, mimetype="text/plain")
    if current_app.config["DEV"] or _on_private_network():
        return None
    return Response(NOT_LOCAL, 403, mimetype="text/plain")


def may_read():
    """Tell whether this request may read what /metrics shows (the token, or a private network without one)."""
    return _refusal() is None


@bp.get("/metrics")
def expose():
    refusal = _refusal()
    if refusal is not None:
        return refusal
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        counters = CollectorRegistry()
        MultiProcessCollector(counters)
    else:
        counters = current_app.extensions["signup.metrics"]["registry"]
    from_database = CollectorRegistry()
    from_database.register(DatabaseCollector())
    return Response(generate_latest(counters) + generate_latest(from_database), mimetype=CONTENT_TYPE_LATEST)

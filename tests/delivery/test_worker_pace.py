"""A worker at the configured pace whatever eSputnik's latency: calls in flight, reused connections, quick retries.

Counted as in test_worker.py: every stored submission accepted by the fake eSputnik exactly once.
"""

import logging
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from signup import db
from signup.db import Submission, utcnow
from signup.delivery import worker
from signup.delivery.clock import Clock
from tests.conftest import sign_up, wait_for
from tests.delivery.test_worker import assert_each_accepted_once, attempts_per_submission, seed, states

pytestmark = pytest.mark.both_databases


def busiest_second(calls):
    times = sorted(c.at for c in calls)
    return max(sum(1 for t in times if start <= t < start + 1.0) for start in times)


def test_latency_rising_mid_backlog_keeps_the_pace_without_429_or_a_lease_running_out(app, fake_esputnik, caplog):
    caplog.set_level(logging.INFO, logger="signup.delivery.worker")
    rate = 40
    fake_esputnik.rate_limit, fake_esputnik.latency = rate + 5, 0.05
    app.config.update(
        DELIVERY_RATE=rate, ESPUTNIK_CONNECT_TIMEOUT=0.5, ESPUTNIK_READ_TIMEOUT=2.5, DELIVERY_LEASE_SECONDS=4
    )
    seed(app, 160)
    running = worker.Worker(app)
    thread = threading.Thread(target=running.run)
    thread.start()
    try:
        assert wait_for(lambda: len(fake_esputnik.accepted_bodies()) >= 40, timeout=30)
        fake_esputnik.latency = 1.0
        assert wait_for(lambda: states(app) == {"delivered": 160}, timeout=60), states(app)
    finally:
        running.stop.set()
        thread.join(timeout=15)
    assert_each_accepted_once(fake_esputnik, 160)
    calls = fake_esputnik.subscribe_calls()
    assert [c.answered for c in calls].count(429) == 0
    assert busiest_second(calls) <= rate + 1
    # No call outlived its lease: none was made twice, none stored too late.
    assert len(calls) == 160 and attempts_per_submission(app) == {1: 160}
    assert "lease lost" not in caplog.text
    # At one second per answer the pace needs `rate` calls in flight: the allowance rose to it.
    assert running.lanes.lane(None).calls.limit(rate) >= rate


def pace_lines(caplog):
    return [r for r in caplog.records if getattr(r, "event", None) == "delivery_pace"]


def test_three_5xx_then_delivered_within_half_a_minute(app, client, fake_esputnik):
    app.config.update(RETRY_BASE_SECONDS=2, RETRY_MAX_SECONDS=3600)
    fake_esputnik.then(("status", 500), ("status", 502), ("status", 503))
    assert sign_up(client, "news", email="blip@example.com", consent="yes").status_code == 303
    offset = 0.0
    for _ in range(4):
        worker.drain(app, clock=Clock(offset))
        (row,) = rows(app)
        if row.state != "pending":
            break
        offset = max(offset, (row.next_attempt_at - utcnow()).total_seconds() + 0.01)
    assert (row.state, row.attempts) == ("delivered", 4)
    assert [c.answered for c in fake_esputnik.subscribe_calls()] == [500, 502, 503, 200]
    assert row.delivered_at - row.created_at < timedelta(seconds=30)


def rows(app):
    with app.app_context(), db.session() as session:
        return session.scalars(select(Submission)).all()


def test_when_eSputnik_returns_every_waiting_retry_goes_out_at_once_but_at_the_pace(app, fake_esputnik):
    rate = 20
    fake_esputnik.rate_limit = rate + 5
    app.config.update(DELIVERY_RATE=rate, RETRY_BASE_SECONDS=60, RETRY_MAX_SECONDS=3600)
    fake_esputnik.always(("status", 503))
    seed(app, 60)
    worker.drain(app)  # every one failed once; its retry waits 45 to 75 s
    outage = len(fake_esputnik.subscribe_calls())
    assert outage == 60
    fake_esputnik.always(("ok",))
    # 50 s later the first retries are due; they are taken, so the others need not wait their backoff.
    worker.drain(app, clock=Clock(50.0))
    assert states(app) == {"delivered": 60}
    assert_each_accepted_once(fake_esputnik, 60)
    assert len(fake_esputnik.subscribe_calls()) == 120
    after = fake_esputnik.subscribe_calls()[outage:]
    assert [c.answered for c in after].count(429) == 0
    assert busiest_second(after) <= rate + 1


def test_calls_reuse_a_pool_of_connections_no_larger_than_the_ceiling(app, fake_esputnik):
    app.config["DELIVERY_MAX_CONCURRENCY"] = 4
    fake_esputnik.latency = 0.01
    seed(app, 40)
    worker.drain(app)
    assert states(app) == {"delivered": 40}
    assert fake_esputnik.connections() <= 4


def test_the_worker_reports_the_pace_it_settled_on(app, fake_esputnik, caplog):
    caplog.set_level(logging.INFO, logger="signup.delivery.worker")
    seed(app, 20)
    worker.drain(app)  # it logs the line at its beats, and once more when it stops
    (line,) = pace_lines(caplog)
    assert line.limit >= 1 and line.peak >= 1 and line.rate == app.config["DELIVERY_RATE"]

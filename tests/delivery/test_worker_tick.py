"""One turn of the worker's loop (`Worker.tick`) on a clock the test moves: limits, stale claims, pause, pace, holds."""

import threading

import pytest
from sqlalchemy import select

from signup import db, intake
from signup.db import Submission
from signup.delivery import outbox, worker
from signup.forms.catalogue import find
from tests.conftest import wait_for
from tests.delivery.manual_clock import ManualClock

pytestmark = pytest.mark.both_databases
REASON = "eSputnik refused the API key (401); check ESPUTNIK_API_KEY and its rights"


def seed(app, count):
    with app.test_request_context():
        for n in range(count):
            intake.accept(find("news"), {"email": f"tick{n}@example.com"}, "en", source="api")


def leases(app):
    with app.app_context(), db.session() as session:
        return session.execute(select(Submission.state, Submission.lease_owner)).all()


@pytest.fixture
def clock():
    return ManualClock()


@pytest.fixture
def make_worker(app, clock):
    started = []

    def make(**config):
        app.config.update(config)
        running = worker.Worker(app, clock=clock)
        running.recorder.start()
        started.append(running)
        return running

    yield make
    with app.app_context():
        for running in started:
            running.close()


def settled(running):
    return wait_for(lambda: running.lanes.busy() == 0 and running.recorder.pending() == 0)


def test_a_tick_starts_no_more_calls_than_the_limit_and_claims_a_little_ahead(app, fake_esputnik, make_worker, clock):
    seed(app, 10)
    answers = threading.Event()
    fake_esputnik.then(("held", answers), ("held", answers))
    running = make_worker(DELIVERY_MAX_CONCURRENCY=2)
    clock.advance(1.0)  # the pace has filled its small burst
    with app.app_context():
        assert running.tick() == 2
        assert running.lanes.queued()  # claimed ahead, waiting for a slot
        assert running.tick() == 0
        answers.set()
        assert settled(running)
        clock.advance(1.0)
        assert running.tick() == 2
        assert settled(running)
    assert len(fake_esputnik.subscribe_calls()) == 4


def test_a_claim_its_lease_could_no_longer_cover_is_not_started_and_is_claimed_again(
    app, fake_esputnik, make_worker, clock
):
    seed(app, 2)
    running = make_worker(DELIVERY_MAX_CONCURRENCY=1)
    with app.app_context():
        assert running.tick() == 1
        assert settled(running)
        clock.advance(running.lanes.send_by)  # the second claim can no longer finish inside its lease
        assert running.tick() == 0
        assert len(fake_esputnik.subscribe_calls()) == 1
        assert leases(app).count(("pending", running.owner)) == 1  # still held: nobody may send it yet
        clock.advance(app.config["DELIVERY_LEASE_SECONDS"] - running.lanes.send_by + 0.01)
        assert running.tick() == 1
        assert settled(running)
    assert len(fake_esputnik.subscribe_calls()) == 2


def test_while_paused_a_tick_hands_back_its_claims_and_probes_once_per_interval(app, fake_esputnik, make_worker, clock):
    seed(app, 3)
    running = make_worker(DELIVERY_MAX_CONCURRENCY=1, DELIVERY_PROBE_SECONDS=30)
    with app.app_context():
        assert running.tick() == 1
        outbox.pause(REASON)
        clock.advance(1.0)
        assert settled(running)
        assert running.tick() == 0
        assert all(owner is None for state, owner in leases(app) if state == "pending")
        clock.advance(29)
        assert running.tick() == 0
        clock.advance(1)
        assert running.tick() == 1  # the probe
        assert settled(running)
        assert outbox.paused_reason() is None  # the probe was taken: delivery resumed
        clock.advance(1)
        assert running.tick() == 1
        assert settled(running)
    assert len(fake_esputnik.subscribe_calls()) == 3


def test_the_pace_holds_a_tick_back_until_the_clock_moves(app, fake_esputnik, make_worker, clock):
    seed(app, 3)
    running = make_worker(DELIVERY_RATE=1)
    with app.app_context():
        assert running.tick() == 1
        assert running.tick() == 0
        assert running.lanes.pace_wait == pytest.approx(1.0)
        clock.advance(1.0)
        assert running.tick() == 1
        assert settled(running)
    assert len(fake_esputnik.subscribe_calls()) == 2


def test_a_429_holding_an_account_past_what_its_claims_can_wait_hands_them_back(app, fake_esputnik, make_worker, clock):
    seed(app, 3)
    fake_esputnik.then(("status", 429, b'{"message":"More than 200 requests per 1 second"}', {"Retry-After": "60"}))
    running = make_worker(DELIVERY_MAX_CONCURRENCY=1)
    with app.app_context():
        assert running.tick() == 1
        assert settled(running)
        assert running.lanes.lane(None).pace.held() == pytest.approx(60)
        assert running.tick() == 0
        # Held longer than they could wait to start: given back at once, not left to run out their lease.
        assert leases(app) == [("pending", None)] * 3 and running.lanes.queued() == 0
        clock.advance(30)
        assert running.tick() == 0  # nothing claimed while the hold lasts
        clock.advance(30)
        assert running.tick() == 1
        assert settled(running)
    assert [c.answered for c in fake_esputnik.subscribe_calls()] == [429, 200]

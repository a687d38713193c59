"""The pause gate: the shared flag read at most once a second, a pause seen at once, lifted once, probes spaced."""

import pytest

from signup.delivery import outbox
from signup.delivery.gate import PauseGate
from tests.delivery.manual_clock import ManualClock

pytestmark = pytest.mark.both_databases
REASON = "eSputnik refused the API key (401); check ESPUTNIK_API_KEY and its rights"


def test_another_worker_pause_is_seen_within_a_second(app):
    clock = ManualClock()
    with app.app_context():
        gate = PauseGate(30, clock.monotonic)
        assert gate.paused() is None
        outbox.pause(REASON)
        assert gate.paused() is None  # read a moment ago
        clock.advance(1.0)
        assert gate.paused() == REASON and gate.closed()


def test_a_pause_this_worker_met_shows_at_once_and_is_stored_for_all(app):
    clock = ManualClock()
    with app.app_context():
        gate = PauseGate(30, clock.monotonic)
        assert gate.paused() is None
        gate.pause(REASON)
        assert gate.paused() == REASON
        assert outbox.paused_reason() == REASON


def test_only_a_worker_that_saw_the_pause_lifts_it(app):
    clock = ManualClock()
    with app.app_context():
        bystander, witness = PauseGate(30, clock.monotonic), PauseGate(30, clock.monotonic)
        bystander.lift()  # nothing seen: no write
        witness.pause(REASON)
        bystander.lift()
        assert outbox.paused_reason() == REASON
        witness.lift()
        assert outbox.paused_reason() is None and not witness.closed()
        clock.advance(1.0)
        assert bystander.paused() is None


def test_while_paused_one_probe_per_interval_the_first_after_one_interval(app):
    clock = ManualClock()
    with app.app_context():
        gate = PauseGate(30, clock.monotonic)
        gate.pause(REASON)
        assert not gate.may_probe()
        clock.advance(29)
        assert not gate.may_probe()
        clock.advance(1)
        assert gate.may_probe()
        assert not gate.may_probe()
        clock.advance(30)
        assert gate.may_probe()


def test_each_account_has_its_own_pause_probe_and_lift(app):
    clock = ManualClock()
    with app.app_context():
        gate, other = PauseGate(30, clock.monotonic), PauseGate(30, clock.monotonic)
        gate.pause(REASON, "shop")
        assert gate.closed("shop") and not gate.closed() and not gate.closed("cafe")
        assert other.paused_accounts() == {"shop": REASON} and other.paused() is None
        assert outbox.paused_reason() == f"account shop: {REASON}"
        assert not gate.may_probe("shop") and not gate.may_probe()
        clock.advance(30)
        assert gate.may_probe("shop") and not gate.may_probe("shop")
        gate.lift()  # the default account was never paused: shop stays paused
        assert outbox.paused_reasons() == {"shop": REASON}
        gate.lift("shop")
        assert outbox.paused_reasons() == {} and not gate.closed("shop")

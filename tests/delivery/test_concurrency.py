"""Calls in flight: rate times latency with headroom, up to the ceiling, lower after throttling or failures."""

import pytest

from signup.delivery.concurrency import CUT, HEADROOM, RECOVERY_PER_SECOND, SPARE, Concurrency, target
from tests.delivery.manual_clock import ManualClock


@pytest.mark.parametrize(
    ("rate", "latency", "ceiling", "factor", "expected"),
    [
        (190, 0.05, 256, 1.0, 17),  # ceil(190 × 0.05 × 1.5) + 2
        (190, 0.2, 256, 1.0, 59),
        (190, 1.0, 256, 1.0, 256),  # 287 wanted, the ceiling holds
        (190, 1.0, 1000, 1.0, 287),
        (95, 1.0, 256, 1.0, 145),  # two workers share the rate
        (190, 1.0, 256, 0.5, 145),
        (190, 0.05, 256, 1 / 16, 3),
        (0.1, 0.05, 256, 1.0, 3),
        (190, 1.0, 1, 1.0, 1),
    ],
)
def test_target(rate, latency, ceiling, factor, expected):
    assert target(rate, latency, ceiling, factor) == expected


def answered(calls, seconds, count=1, strained=False):
    for _ in range(count):
        calls.start()
        calls.finished(seconds, answered=True, strained=strained)


def test_the_limit_follows_the_observed_latency_up_and_down():
    clock = ManualClock()
    calls = Concurrency(256, clock.monotonic)
    answered(calls, 0.05, count=30)
    assert calls.limit(190) == pytest.approx(190 * 0.05 * HEADROOM + SPARE, abs=1)
    answered(calls, 1.0, count=30)
    assert calls.limit(190) == 256
    answered(calls, 0.2, count=60)
    assert calls.limit(190) == pytest.approx(190 * 0.2 * HEADROOM + SPARE, abs=2)


def test_answers_that_vary_get_room_for_their_slow_ones():
    clock = ManualClock()
    steady, uneven = Concurrency(256, clock.monotonic), Concurrency(256, clock.monotonic)
    answered(steady, 0.1, count=60)
    for _ in range(30):
        answered(uneven, 0.05)
        answered(uneven, 0.15)
    assert uneven.latency == pytest.approx(steady.latency, rel=0.1)
    assert uneven.limit(190) >= steady.limit(190) + 190 * 2 * 0.05 * HEADROOM * 0.8


def test_a_lost_answer_teaches_nothing_about_latency_but_brings_the_limit_down():
    clock = ManualClock()
    calls = Concurrency(256, clock.monotonic)
    answered(calls, 0.2, count=30)
    before = calls.limit(190)
    calls.start()
    calls.finished(10.0, answered=False, strained=True)  # a read timeout
    assert calls.latency == pytest.approx(0.2, rel=0.01)
    assert calls.limit(190) == pytest.approx((before - SPARE) * CUT + SPARE, abs=1)


def test_a_burst_of_failures_counts_once_a_second_and_the_limit_recovers():
    clock = ManualClock()
    calls = Concurrency(256, clock.monotonic)
    answered(calls, 0.5, count=30)
    full = calls.limit(190)
    answered(calls, 0.5, count=50, strained=True)
    assert calls.factor == CUT
    clock.advance(1.0)
    answered(calls, 0.5, strained=True)
    assert calls.factor == pytest.approx(CUT * (CUT + RECOVERY_PER_SECOND))
    clock.advance(1 / RECOVERY_PER_SECOND)
    assert calls.limit(190) == full


def test_full_and_ahead_count_what_is_in_flight():
    clock = ManualClock()
    calls = Concurrency(3, clock.monotonic)
    for _ in range(3):
        assert not calls.full(190)
        calls.start()
    assert calls.full(190) and calls.busy() == 3 and calls.peak == 3
    assert calls.ahead(190) >= 3
    calls.finished(0.1, answered=True, strained=False)
    assert not calls.full(190)

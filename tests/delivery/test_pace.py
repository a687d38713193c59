"""The token bucket of each account: spacing, the busiest second, a 429's hold and slowdown, the recovery after it."""

import pytest

from signup.delivery.lanes import Lanes
from signup.delivery.pace import RECOVERY_PER_SECOND, SLOWDOWN, Pace
from tests.delivery.manual_clock import ManualClock


def calls_in(pace, clock, seconds):
    """Take the pace's permission again and again for `seconds` of clock time; return when each call went."""
    times, end = [], clock.monotonic() + seconds
    while clock.monotonic() < end:
        wait = pace.take()
        if wait == 0:
            times.append(clock.monotonic())
        else:
            clock.advance(wait)
    return times


def test_the_first_call_goes_at_once_and_the_next_waits_its_turn():
    clock = ManualClock()
    pace = Pace(10, clock=clock.monotonic)
    assert pace.take() == 0
    assert pace.take() == pytest.approx(0.1)
    clock.advance(0.1)
    assert pace.take() == 0


@pytest.mark.parametrize("rate", [1, 20, 100, 190])
def test_no_second_holds_more_than_the_rate_and_its_small_burst(rate):
    clock = ManualClock()
    pace = Pace(rate, clock=clock.monotonic)
    times = calls_in(pace, clock, 10)
    busiest = max(sum(1 for t in times if start <= t < start + 1.0) for start in times)
    assert busiest <= rate + max(1, rate / 40)
    assert len(times) >= rate * 10 - 1


def test_a_429_holds_the_pace_shut_then_halves_it_and_it_recovers():
    clock = ManualClock()
    pace = Pace(100, clock=clock.monotonic)
    pace.throttled(2.0)
    assert pace.take() == pytest.approx(2.0)
    assert pace.rate == 100 * SLOWDOWN
    clock.advance(2.0)
    assert pace.take() == 0
    assert pace.rate == pytest.approx(100 * (SLOWDOWN + 2 * RECOVERY_PER_SECOND))
    clock.advance(60)
    pace.take()
    assert pace.rate == 100


def test_the_429s_of_one_burst_slow_it_once():
    clock = ManualClock()
    pace = Pace(100, clock=clock.monotonic)
    for _ in range(5):  # the calls that were in flight when the first 429 came back
        pace.throttled(1.0)
    assert pace.rate == 100 * SLOWDOWN
    clock.advance(1.0)
    pace.throttled(1.0)  # a 429 after the hold: a new burst
    assert pace.rate == pytest.approx(100 * SLOWDOWN * (SLOWDOWN + RECOVERY_PER_SECOND))


def test_runs_of_429_slow_it_down_to_a_floor_not_to_nothing():
    clock = ManualClock()
    pace = Pace(100, clock=clock.monotonic)
    for _ in range(20):
        pace.throttled(0)
    assert pace.rate == pytest.approx(5)
    assert pace.take() == 0


def test_its_share_follows_the_live_workers():
    clock = ManualClock()
    pace = Pace(100, clock=clock.monotonic)
    pace.set_share(50)
    assert len(calls_in(pace, clock, 2)) <= 102


def test_it_says_how_long_a_429_still_holds_it():
    clock = ManualClock()
    pace = Pace(100, clock=clock.monotonic)
    assert pace.held() == 0
    pace.throttled(2.0)
    clock.advance(0.5)
    assert pace.held() == pytest.approx(1.5)
    clock.advance(1.5)
    assert pace.held() == 0 and pace.take() == 0


def test_each_account_has_its_own_pace_at_the_full_rate():
    clock = ManualClock()
    lanes = Lanes([None, "shop"], 20, 8, clock.monotonic, send_by=30)
    lanes.lane("shop").pace.throttled(1.0)  # a 429 from the shop's account
    assert lanes.lane("shop").pace.take() == pytest.approx(1.0)
    assert lanes.lane("shop").pace.rate == 20 * SLOWDOWN
    assert len(calls_in(lanes.lane(None).pace, clock, 2)) >= 2 * 20 - 1  # the other account keeps its full rate
    lanes.set_share(10)  # a second worker came: each account's rate is shared between them
    assert lanes.lane(None).pace.share == lanes.lane("shop").pace.share == lanes.lane("new").pace.share == 10

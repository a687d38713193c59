"""What each eSputnik answer causes, as a table: no threads, no server, no database."""

import logging
from datetime import UTC, datetime, timedelta

import pytest

from signup.delivery.decision import UNKNOWN_RETRY_SECONDS, backoff, decide
from signup.delivery.esputnik import Answer
from signup.delivery.outbox import Claimed

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
CONFIG = {"RETRY_BASE_SECONDS": 2.0, "RETRY_MAX_SECONDS": 3600.0, "RETRY_MAX_AGE_HOURS": 72.0}
KEY = "eSputnik refused the API key (401); check ESPUTNIK_API_KEY and its rights"


def item(attempts=0, age=timedelta(minutes=1)):
    return Claimed("s1", "news", "{}", attempts, NOW - age)


def later(seconds):
    return NOW + timedelta(seconds=seconds)


# answer, attempts before → state, attempts after, next attempt, last error, hold, pause, resume, strained, level
TABLE = [
    (
        Answer("delivered", 200, "accepted", body='{"id":1}'),
        0,
        "delivered",
        1,
        None,
        None,
        None,
        None,
        True,
        False,
        logging.INFO,
    ),
    (Answer("delivered", 409, "already done"), 2, "delivered", 3, None, None, None, None, True, False, logging.INFO),
    (
        Answer("refused", 400, "Invalid contact"),
        0,
        "refused",
        1,
        None,
        "Invalid contact",
        None,
        None,
        True,
        False,
        logging.WARNING,
    ),
    (Answer("dry_run", None, "dry run"), 0, "dry_run", 0, None, None, None, None, False, False, logging.INFO),
    (
        Answer("throttled", 429, "rate limited", retry_after=3.0),
        1,
        None,
        1,
        later(3),
        None,
        3.0,
        None,
        False,
        True,
        logging.WARNING,
    ),
    (Answer("throttled", 429, "rate limited"), 0, None, 0, later(1), None, 1.0, None, False, True, logging.WARNING),
    (
        Answer("retry", 503, "eSputnik answered 503"),
        0,
        None,
        1,
        later(2),
        "eSputnik answered 503",
        None,
        None,
        False,
        True,
        logging.WARNING,
    ),
    (
        Answer("retry", 500, "eSputnik answered 500"),
        2,
        None,
        3,
        later(8),
        "eSputnik answered 500",
        None,
        None,
        False,
        True,
        logging.WARNING,
    ),
    (
        Answer("retry", None, "connect timeout"),
        11,
        None,
        12,
        later(3600),
        "connect timeout",
        None,
        None,
        False,
        True,
        logging.WARNING,
    ),
    (
        Answer("unknown", None, "no answer"),
        6,
        None,
        7,
        later(UNKNOWN_RETRY_SECONDS),
        "no answer",
        None,
        None,
        False,
        True,
        logging.WARNING,
    ),
    (Answer("unknown", None, "dropped"), 0, None, 1, later(2), "dropped", None, None, False, True, logging.WARNING),
]


@pytest.mark.parametrize(
    ("answer", "before", "state", "after", "next_at", "error", "hold", "pause", "resume", "strained", "level"),
    TABLE,
    ids=[f"{row[0].outcome}-{row[0].status}-{row[1]}" for row in TABLE],
)
def test_each_answer_decides_the_row_the_pace_the_pause_and_the_log_level(
    answer, before, state, after, next_at, error, hold, pause, resume, strained, level
):
    decision = decide(item(before), answer, CONFIG, NOW)
    row = decision.row
    assert row.get("state") == state
    assert row["attempts"] == after
    assert row.get("next_attempt_at") == next_at
    assert row.get("last_error") == error
    assert row["last_status"] == answer.status and row["updated_at"] == NOW
    assert (decision.hold, decision.pause, decision.resume, decision.strained) == (hold, pause, resume, strained)
    assert decision.level == level
    assert decision.attempt


def test_delivered_keeps_eSputnik_answer_and_when():
    row = decide(item(), Answer("delivered", 200, "accepted", body='{"id":1}'), CONFIG, NOW).row
    assert (row["delivered_at"], row["result"]) == (NOW, '{"id":1}')
    row = decide(item(), Answer("delivered", 409, "already done"), CONFIG, NOW).row
    assert row["result"] == "already done"


def test_a_refused_key_pauses_everyone_and_leaves_the_row_alone():
    decision = decide(item(3), Answer("paused", 401, KEY), CONFIG, NOW)
    assert decision.row == {"updated_at": NOW}  # no attempt used up, state and due time untouched
    assert (decision.pause, decision.attempt, decision.level) == (KEY, False, logging.ERROR)
    assert decision.hold is None and not decision.resume


def test_too_old_is_dead_with_the_reason():
    decision = decide(item(4, age=timedelta(hours=73)), Answer("retry", 502, "eSputnik answered 502"), CONFIG, NOW)
    assert decision.row["state"] == "dead"
    assert decision.row["last_error"] == "gave up after 5 attempts: eSputnik answered 502"
    assert "next_attempt_at" not in decision.row


@pytest.mark.parametrize(
    ("attempts", "jitter", "wait"),
    [(1, 1.0, 2), (2, 1.0, 4), (3, 1.0, 8), (1, 0.75, 1.5), (1, 1.25, 2.5), (12, 1.0, 3600), (30, 0.75, 2700)],
)
def test_backoff_starts_in_seconds_and_grows_to_the_ceiling(attempts, jitter, wait):
    assert backoff(attempts, CONFIG, jitter) == wait


def test_three_5xx_in_a_row_cost_under_half_a_minute_even_at_the_widest_jitter():
    waits = [backoff(attempts, CONFIG, 1.25) for attempts in (1, 2, 3)]
    assert sum(waits) == 17.5


def test_a_long_outage_reaches_the_hour_ceiling():
    waits = [backoff(attempts, CONFIG, 1.0) for attempts in range(1, 20)]
    assert waits[-1] == 3600 and sum(waits) > 3 * 3600


@pytest.mark.parametrize(
    ("answer", "attempts", "age", "back"),
    [
        (Answer("delivered", 200, "accepted"), 3, timedelta(seconds=30), True),  # failing 30 s, then taken
        (Answer("refused", 400, "Invalid contact"), 3, timedelta(seconds=30), True),  # an answer all the same
        (Answer("delivered", 409, "already done"), 1, timedelta(seconds=5), False),  # a blip
        (Answer("delivered", 200, "accepted"), 0, timedelta(minutes=5), False),  # a first attempt, long queued
        (Answer("retry", 503, "eSputnik answered 503"), 3, timedelta(seconds=30), False),
        (Answer("throttled", 429, "rate limited"), 3, timedelta(seconds=30), False),
        (Answer("dry_run", None, "dry run"), 3, timedelta(seconds=30), False),
    ],
)
def test_eSputnik_is_back_when_a_sign_up_that_kept_failing_is_taken(answer, attempts, age, back):
    assert decide(item(attempts, age=age), answer, CONFIG, NOW).back is back

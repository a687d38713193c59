"""What one eSputnik answer causes: the row's new values, a hold on the pace, a pause or its end, the log level."""

import logging
from dataclasses import dataclass
from datetime import timedelta

from ..states import Outcome, State
from . import esputnik

# A resend inside eSputnik's one-minute window is answered 409 if the first call landed,
# so a call whose outcome was lost is retried well within that minute.
UNKNOWN_RETRY_SECONDS = 15.0
THROTTLE_DEFAULT_SECONDS = 1.0
NOT_COUNTED = (Outcome.PAUSED, Outcome.THROTTLED, Outcome.DRY_RUN)
# A sign-up that kept failing for this long and is then taken shows eSputnik back from an outage.
OUTAGE = timedelta(seconds=10)
FINISHED = (Outcome.DELIVERED, Outcome.REFUSED, Outcome.DRY_RUN)
LOG_LEVELS = {Outcome.DELIVERED: logging.INFO, Outcome.DRY_RUN: logging.INFO, Outcome.PAUSED: logging.ERROR}


@dataclass(frozen=True)
class Decision:
    """Everything one answer causes; the worker and the recorder only carry it out."""

    row: dict  # the submission's new column values
    hold: float | None = None  # seconds the pace stays shut (eSputnik said 429)
    pause: str | None = None  # why every worker must stop sending
    resume: bool = False  # eSputnik took a call: a pause may be lifted
    strained: bool = False  # eSputnik throttled, failed or did not answer: fewer calls in flight
    back: bool = False  # eSputnik is back from an outage: retries waiting on their backoff are due now
    attempt: bool = True  # an attempts row is written
    level: int = logging.WARNING  # of the attempt's log line


def backoff(attempts, config, jitter):
    """Return the wait before attempt number `attempts + 1`: exponential, capped, times `jitter` (about 1)."""
    base = config["RETRY_BASE_SECONDS"] * (2 ** max(attempts - 1, 0))
    return min(config["RETRY_MAX_SECONDS"], base) * jitter


def answered(answer):
    """Return what a delivered answer said eSputnik did: whether the contact was new (which event fired), its status."""
    return {"contact_new": esputnik.contact_was_new(answer.body), "email_status": esputnik.email_status(answer.body)}


def decide(item, answer, config, now, jitter=1.0):
    """Return the Decision for `answer` to the call made for claimed `item` at `now` (a UTC datetime)."""
    level = LOG_LEVELS.get(answer.outcome, logging.WARNING)
    if answer.outcome == Outcome.PAUSED:
        return Decision({"updated_at": now}, pause=answer.detail, attempt=False, level=level)
    attempts = item.attempts + (answer.outcome not in NOT_COUNTED)
    values = {"attempts": attempts, "last_status": answer.status, "updated_at": now}
    if answer.outcome in FINISHED:
        values["state"] = State(answer.outcome)
        values["last_error"] = answer.detail if answer.outcome == Outcome.REFUSED else None
        if answer.outcome == Outcome.DELIVERED:
            values["delivered_at"], values["result"] = now, answer.body or answer.detail
            values.update(answered(answer))
        # The pace, not each row's backoff, then spreads the retries that piled up.
        back = answer.outcome != Outcome.DRY_RUN and item.attempts > 0 and now - item.queued_at >= OUTAGE
        return Decision(values, resume=answer.outcome != Outcome.DRY_RUN, back=back, level=level)
    if answer.outcome == Outcome.THROTTLED:
        wait = answer.retry_after if answer.retry_after is not None else THROTTLE_DEFAULT_SECONDS
        values["next_attempt_at"] = now + timedelta(seconds=wait)
        return Decision(values, hold=wait, strained=True, level=level)
    return Decision(_retry(item, answer, config, now, jitter, values), strained=True, level=level)


def _retry(item, answer, config, now, jitter, values):
    """Return the values of a call that failed or whose outcome is unknown: the next attempt, or dead."""
    values["last_error"] = answer.detail
    if now - item.queued_at > timedelta(hours=config["RETRY_MAX_AGE_HOURS"]):
        values["state"] = State.DEAD
        values["last_error"] = f"gave up after {values['attempts']} attempts: {answer.detail}"
        return values
    wait = backoff(values["attempts"], config, jitter)
    if answer.outcome == Outcome.UNKNOWN:
        wait = min(wait, UNKNOWN_RETRY_SECONDS)
    values["next_attempt_at"] = now + timedelta(seconds=wait)
    return values

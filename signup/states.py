"""What a stored submission can be in and what a call can come to, defined once, with the groups each use."""

from enum import StrEnum


class State(StrEnum):
    """A submission's state; the database holds its plain text value."""

    PENDING = "pending"  # waiting for its first or next attempt
    DELIVERED = "delivered"  # eSputnik took it (2xx, or 409 for a resend it already had)
    REFUSED = "refused"  # eSputnik said no for good, with its reason
    DEAD = "dead"  # retried until RETRY_MAX_AGE_HOURS ran out
    DRY_RUN = "dry_run"  # stored while nothing is sent
    DISCARDED = "discarded"  # an operator gave up on it
    DUPLICATE = "duplicate"  # the same as one sent a moment before: kept, not sent
    LIMITED = "limited"  # over its address's daily cap: kept, not sent


class Outcome(StrEnum):
    """What one Subscribe call came to, as the delivery decision reads it; attempts store its value."""

    DELIVERED = "delivered"  # eSputnik took it (2xx, or 409 for a resend it already had)
    REFUSED = "refused"  # eSputnik said no for good
    RETRY = "retry"  # a failure worth trying again later
    UNKNOWN = "unknown"  # no answer: the call may have landed
    THROTTLED = "throttled"  # 429: slow down
    PAUSED = "paused"  # wrong key or address: every worker stops
    DRY_RUN = "dry_run"  # nothing was sent


WAITING = (State.PENDING,)
FINAL = tuple(state for state in State if state not in WAITING)
# Subscribe calls made or still to make: what duplicates and the daily cap are counted against.
COUNTED = (State.PENDING, State.DELIVERED, State.DRY_RUN)
UNDELIVERED = tuple(state for state in State if state not in (State.DELIVERED, State.DUPLICATE))
# What an operator may queue again or discard, from the command line and the admin alike.
RETRYABLE = (State.PENDING, State.REFUSED, State.DEAD, State.DRY_RUN, State.DISCARDED, State.LIMITED)
DISCARDABLE = (State.PENDING, State.REFUSED, State.DEAD, State.DRY_RUN)
# A counted sign-up was stored to be sent (or already was): not a repeat, not a discarded test.
SIGNED_UP = (State.PENDING, State.DELIVERED, State.DRY_RUN, State.LIMITED, State.REFUSED, State.DEAD)

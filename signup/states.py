"""What a stored submission can be in, defined once, with the groups that each count and action uses."""

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


WAITING = (State.PENDING,)
FINAL = tuple(state for state in State if state not in WAITING)
# Subscribe calls made or still to make: what duplicates and the daily cap are counted against.
COUNTED = (State.PENDING, State.DELIVERED, State.DRY_RUN)
UNDELIVERED = tuple(state for state in State if state not in (State.DELIVERED, State.DUPLICATE))
# What an operator may queue again or discard, from the command line and the admin alike.
RETRYABLE = (State.PENDING, State.REFUSED, State.DEAD, State.DRY_RUN, State.DISCARDED, State.LIMITED)
DISCARDABLE = (State.PENDING, State.REFUSED, State.DEAD, State.DRY_RUN)

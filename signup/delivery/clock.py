"""The time the delivery worker reads: wall time for the database, monotonic time for waits."""

import time
from datetime import timedelta

from ..db import utcnow


class Clock:
    """The system's clocks, optionally moved ahead by `offset` seconds (tests pass one instead of sleeping)."""

    def __init__(self, offset=0.0):
        self.offset = offset

    def now(self):
        """Return the UTC datetime that leases, attempts and due times are written in."""
        return utcnow() + timedelta(seconds=self.offset)

    def monotonic(self):
        """Return seconds that only move forward, for the pace and other waits."""
        return time.monotonic() + self.offset

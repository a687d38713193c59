"""The pace of calls to one eSputnik account: a token bucket that a 429 holds shut and slows down."""

import threading
import time

SLOWDOWN = 0.5  # on a 429 the pace halves ...
RECOVERY_PER_SECOND = 0.05  # ... and regains 5 % of its share per second without one
LOWEST = 0.05
EPSILON = 1e-9


class Pace:
    """One account's token bucket, shared by a worker's threads; a 429 holds it shut and slows it down."""

    def __init__(self, rate, clock=time.monotonic):
        self.clock = clock
        self.share = float(rate)
        self.factor = 1.0
        self.tokens = 1.0
        self.updated = clock()
        self.closed_until = 0.0
        self.lock = threading.Lock()

    @property
    def rate(self):
        """Return the calls per second allowed now: the share, lowered after a 429."""
        return self.share * self.factor

    def set_share(self, rate):
        """Set this worker's part of the configured rate (eSputnik's limit is per account, so each account has it)."""
        with self.lock:
            self.share = float(rate)

    def throttled(self, seconds):
        """Send nothing for `seconds`, then go on at a reduced pace (eSputnik said 429)."""
        with self.lock:
            now = self._advance()
            # The calls already in flight when the first 429 came back get one too: one burst slows once.
            if now >= self.closed_until:
                self.factor = max(LOWEST, self.factor * SLOWDOWN)
            self.closed_until = max(self.closed_until, now + seconds)

    def held(self):
        """Return how many seconds more a 429 holds the pace shut (0: it is open)."""
        with self.lock:
            return max(self.closed_until - self.clock(), 0.0)

    def _advance(self):
        """Bring the recovery and the tokens up to now; return now."""
        now = self.clock()
        elapsed, self.updated = max(now - self.updated, 0.0), now
        self.factor = min(1.0, self.factor + elapsed * RECOVERY_PER_SECOND)
        # A small burst (1/40 s of calls) makes up for sleeps that overshoot; the busiest second
        # stays within rate + burst, which is what keeps the default under eSputnik's 200/s.
        burst = max(1.0, self.rate / 40)
        self.tokens = min(burst, self.tokens + elapsed * self.rate)
        return now

    def take(self):
        """Take the right to one call now and return 0, or return how many seconds to wait first."""
        with self.lock:
            now = self._advance()
            if now < self.closed_until:
                return self.closed_until - now
            if self.tokens >= 1.0 - EPSILON:  # a wait of exactly the gap may fall a rounding error short
                self.tokens = max(self.tokens - 1.0, 0.0)
                return 0.0
            return (1.0 - self.tokens) / self.rate

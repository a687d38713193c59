"""The pace of calls to eSputnik: a token bucket that a 429 holds shut and slows down."""

import threading
import time

SLOWDOWN = 0.5  # on a 429 the pace halves ...
RECOVERY_PER_SECOND = 0.05  # ... and regains 5 % of its share per second without one


class Pace:
    """A token bucket shared by a worker's threads; a 429 holds it shut and slows it down."""

    def __init__(self, rate):
        self.share = float(rate)
        self.factor = 1.0
        self.tokens = 1.0
        self.updated = time.monotonic()
        self.closed_until = 0.0
        self.lock = threading.Lock()

    @property
    def rate(self):
        return self.share * self.factor

    def set_share(self, rate):
        """Set this worker's part of the configured rate."""
        with self.lock:
            self.share = float(rate)

    def throttled(self, seconds):
        """Send nothing for `seconds`, then go on at a reduced pace (eSputnik said 429)."""
        with self.lock:
            self.closed_until = max(self.closed_until, time.monotonic() + seconds)
            self.factor = max(0.05, self.factor * SLOWDOWN)

    def _delay(self):
        now = time.monotonic()
        elapsed, self.updated = now - self.updated, now
        self.factor = min(1.0, self.factor + elapsed * RECOVERY_PER_SECOND)
        if now < self.closed_until:
            return self.closed_until - now
        # A small burst (1/40 s of calls) makes up for sleeps that overshoot; the busiest second
        # stays within rate + burst, which is what keeps the default under eSputnik's 200/s.
        burst = max(1.0, self.rate / 40)
        self.tokens = min(burst, self.tokens + elapsed * self.rate)
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.rate

    def wait(self, stop):
        """Block until a call may go out; return False when asked to stop first."""
        while not stop.is_set():
            with self.lock:
                delay = self._delay()
            if delay <= 0:
                return True
            stop.wait(min(delay, 0.5))
        return False

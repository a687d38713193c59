"""How many calls a worker keeps in flight for one account: what its rate needs at its observed latency, capped."""

# Each account has its own (lanes.py): together they allow the sum of what each account's rate needs,
# all within the one ceiling of the worker, DELIVERY_MAX_CONCURRENCY.

import math
import threading

HEADROOM = 1.5  # rate × latency is the average; answers vary, and a slot frees a moment after its answer
SPARE = 2
FIRST_LATENCY = 1.0  # seconds assumed until answers are measured: a slow start would cost the first second
SMOOTHING = 0.2  # weight of the newest latency in the running estimate ...
DEVIATIONS = 2  # ... planned for with this many mean deviations on top, as answers vary (as TCP's timer does)
CUT = 0.5  # a 429, a failure or a lost answer halves the calls in flight ...
CUT_INTERVAL = 1.0  # ... at most once a second, so one burst of failures counts once ...
RECOVERY_PER_SECOND = 0.1  # ... and they come back by a tenth of the target per second
LOWEST = 1 / 16
CLAIM_AHEAD_SECONDS = 0.25


def target(rate, latency, ceiling, factor=1.0):
    """Return the calls to keep in flight for `rate` calls/s at `latency` s, lowered by `factor`, up to `ceiling`."""
    wanted = math.ceil(rate * latency * HEADROOM * factor) + SPARE
    return max(1, min(ceiling, wanted))


class Concurrency:
    """The calls in flight of one account in a worker, and how many it may have: shared by the worker's threads."""

    def __init__(self, ceiling, clock):
        self.ceiling = ceiling
        self.clock = clock
        self.latency = None  # running estimate of an answered call's seconds
        self.deviation = 0.0  # running estimate of how far an answer's seconds stray from it
        self.factor = 1.0
        self.cut_at = -math.inf
        self.updated = clock()
        self.in_flight = 0
        self.peak = 0
        self.lock = threading.Lock()

    def limit(self, rate):
        """Return how many calls may be in flight at `rate` calls per second."""
        with self.lock:
            return self._limit(rate)

    def _recover(self):
        now = self.clock()
        self.factor = min(1.0, self.factor + max(now - self.updated, 0.0) * RECOVERY_PER_SECOND)
        self.updated = now
        return now

    def _limit(self, rate):
        self._recover()
        return target(rate, self._planned_latency(), self.ceiling, self.factor)

    def _planned_latency(self):
        if self.latency is None:
            return FIRST_LATENCY
        return self.latency + DEVIATIONS * self.deviation

    def finished(self, seconds, answered, strained):
        """Count a call as ended: learn from its latency if eSputnik answered, come down if it was strained."""
        with self.lock:
            self.in_flight -= 1
            if answered:
                self._learn(seconds)
            now = self._recover()
            if strained and now - self.cut_at >= CUT_INTERVAL:
                self.factor, self.cut_at = max(LOWEST, self.factor * CUT), now

    def ahead(self, rate):
        """Return how many claimed rows to hold: those that may be in flight and a quarter second more of starts."""
        with self.lock:
            limit = self._limit(rate)
            latency = max(self._planned_latency(), 0.001)
            return limit + math.ceil(min(rate, limit / latency) * CLAIM_AHEAD_SECONDS)

    def start(self):
        """Count one more call in flight (the dispatcher saw that the limit allows it)."""
        with self.lock:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)

    def busy(self):
        """Return how many calls are in flight."""
        with self.lock:
            return self.in_flight

    def report(self, rate):
        """Return (limit, latency in ms or None, most calls in flight since the last report)."""
        with self.lock:
            peak, self.peak = self.peak, self.in_flight
            latency = None if self.latency is None else round(self.latency * 1000)  # the average, as measured
            return self._limit(rate), latency, peak

    def _learn(self, seconds):
        if self.latency is None:
            self.latency = seconds
            return
        self.deviation += SMOOTHING * (abs(seconds - self.latency) - self.deviation)
        self.latency += SMOOTHING * (seconds - self.latency)

    def full(self, rate):
        """Return whether no further call may start now."""
        with self.lock:
            return self.in_flight >= self._limit(rate)

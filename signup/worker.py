"""The delivery worker: claims due sign-ups, sends several at once at a shared pace, stops cleanly."""

import logging
import os
import secrets
import signal
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from flask import current_app

from . import delivery, heartbeats, intake, retention

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 5.0
HOUSEKEEPING_SECONDS = 600.0
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
        self.tokens = min(1.0, self.tokens + elapsed * self.rate)
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


def owner_name():
    """Return a name for this worker that no other process shares."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{secrets.token_hex(3)}"


class Worker:
    """One delivery loop: claim, pace, send on a thread pool, repeat until stopped."""

    def __init__(self, app, stop=None):
        self.app = app
        self.config = app.config
        self.owner = owner_name()
        self.stop = stop or threading.Event()
        self.pace = Pace(self.config["DELIVERY_RATE"])
        self.concurrency = self.config["DELIVERY_CONCURRENCY"]
        self.slots = threading.Semaphore(self.concurrency)
        self.pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="deliver")
        self.next_probe = None
        self.next_beat = 0.0
        self.next_housekeeping = 0.0

    def _send(self, item):
        try:
            with self.app.app_context():
                answer = delivery.attempt(item, self.owner)
            if answer.outcome == "throttled":
                wait = answer.retry_after if answer.retry_after is not None else delivery.THROTTLE_DEFAULT_SECONDS
                self.pace.throttled(wait)
        except Exception:
            # The lease runs out and another attempt follows; the loop must not die.
            log.exception("delivery attempt failed inside the worker", extra={"submission": item.id})
        finally:
            self.slots.release()

    def _take_slots(self):
        free = 0
        while self.slots.acquire(blocking=False):
            free += 1
        return free

    def _give_slots(self, count):
        for _ in range(count):
            self.slots.release()

    def _batch_size(self, free):
        """Return how many to claim now: one probe per interval while paused, else every free slot."""
        if not delivery.paused_reason():
            self.next_probe = None
            return free
        now, interval = time.monotonic(), self.config["DELIVERY_PROBE_SECONDS"]
        if self.next_probe is None:
            self.next_probe = now + interval
        if now < self.next_probe:
            return 0
        self.next_probe = now + interval
        return min(free, 1)

    def _beat(self):
        """Say we are alive now and then, and take our share of the configured rate."""
        if time.monotonic() < self.next_beat:
            return
        self.next_beat = time.monotonic() + HEARTBEAT_SECONDS
        self.pace.set_share(self.config["DELIVERY_RATE"] / heartbeats.beat(self.owner))

    def _housekeeping(self):
        """Now and then, drop records that are no longer needed."""
        if time.monotonic() < self.next_housekeeping:
            return
        self.next_housekeeping = time.monotonic() + HOUSEKEEPING_SECONDS
        intake.forget_used_tokens(self.config["FORM_TOKEN_MAX_AGE"])

    def tick(self):
        """Claim and start what is due now; return how many were started."""
        self._beat()
        self._housekeeping()
        free = self._take_slots()
        wanted = self._batch_size(free) if free else 0
        batch = delivery.claim(self.owner, wanted) if wanted else []
        self._give_slots(free - len(batch))
        started = 0
        for item in batch:
            if not self.pace.wait(self.stop):
                self._give_slots(1)
                continue
            self.pool.submit(self._send, item)
            started += 1
        return started

    def _idle(self):
        free = self._take_slots()
        self._give_slots(free)
        return free == self.concurrency and delivery.due_count() == 0

    def run(self, until_idle=False, deadline=None):
        """Deliver until stopped; with until_idle, only until nothing is due or in flight."""
        log.info("delivery worker %s started", self.owner)
        housekeeping = None if until_idle else retention.Schedule(self.app)
        with self.app.app_context():
            try:
                while not self.stop.is_set():
                    if deadline is not None and time.monotonic() > deadline:
                        break
                    if housekeeping:
                        housekeeping.run_if_due()
                    if self.tick() == 0:
                        if until_idle and self._idle():
                            break
                        self.stop.wait(0.01 if until_idle else self.config["DELIVERY_IDLE_SECONDS"])
            finally:
                self._shut_down()

    def _shut_down(self):
        # Calls in flight finish (each is bounded by the read timeout); claims not yet
        # started are handed back at once instead of waiting for their lease to run out.
        self.pool.shutdown(wait=True)
        delivery.release(self.owner)
        heartbeats.forget(self.owner)
        log.info("delivery worker %s stopped", self.owner)


def check_can_send(config):
    """Return why this worker may not start, or None."""
    if not config["DRY_RUN"] and not config["ESPUTNIK_API_KEY"]:
        return (
            "ESPUTNIK_API_KEY: not set, so the worker will not start "
            "(set it, or DRY_RUN=1 to store without sending); submissions wait, none is lost"
        )
    return None


def run_forever(app):
    """Run a worker in this process until SIGTERM or SIGINT."""
    worker = Worker(app)

    def stop(signum, _frame):
        log.info("signal %s: finishing what is in flight", signum)
        worker.stop.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    worker.run()


def start_in_background(app):
    """Start a worker on a daemon thread (the single-process `make run` set-up)."""
    worker = Worker(app)
    thread = threading.Thread(target=worker.run, name="delivery-worker", daemon=True)
    thread.start()
    return worker, thread


def drain(app=None, timeout=30.0):
    """Deliver everything due now, then return (used by tests and the CLI's --once)."""
    worker = Worker(app or current_app._get_current_object())
    worker.run(until_idle=True, deadline=time.monotonic() + timeout)

"""The delivery worker: claims due sign-ups, sends several at once at a steady pace, stops cleanly."""

import logging
import os
import secrets
import signal
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from flask import current_app

from . import delivery, retention

log = logging.getLogger(__name__)


class Pace:
    """A token bucket shared by a worker's threads, which a 429 can also hold shut."""

    def __init__(self, rate):
        self.rate = float(rate)
        self.tokens = 1.0
        self.updated = time.monotonic()
        self.closed_until = 0.0
        self.lock = threading.Lock()

    def set_rate(self, rate):
        with self.lock:
            self.rate = float(rate)

    def hold(self, seconds):
        """Send nothing for `seconds` (eSputnik said 429)."""
        with self.lock:
            self.closed_until = max(self.closed_until, time.monotonic() + seconds)

    def _delay(self):
        now = time.monotonic()
        if now < self.closed_until:
            return self.closed_until - now
        self.tokens = min(1.0, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
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
        self.slots = threading.Semaphore(self.config["DELIVERY_CONCURRENCY"])
        self.pool = ThreadPoolExecutor(self.config["DELIVERY_CONCURRENCY"], thread_name_prefix="deliver")
        self.next_probe = None

    def _send(self, item):
        try:
            with self.app.app_context():
                answer = delivery.attempt(item, self.owner)
            if answer.outcome == "throttled":
                self.pace.hold(answer.retry_after or delivery.THROTTLE_DEFAULT_SECONDS)
        except Exception:
            log.exception("delivery attempt failed inside the worker", extra={"submission": item.id})
        finally:
            self.slots.release()

    def _free_slots(self):
        free = 0
        while self.slots.acquire(blocking=False):
            free += 1
        return free

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

    def tick(self):
        """Claim and start what is due now; return how many were started."""
        free = self._free_slots()
        wanted = self._batch_size(free) if free else 0
        batch = delivery.claim(self.owner, wanted) if wanted else []
        for _ in range(free - len(batch)):
            self.slots.release()
        started = 0
        for item in batch:
            if not self.pace.wait(self.stop):
                self.slots.release()
                continue
            self.pool.submit(self._send, item)
            started += 1
        return started

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
                        self.stop.wait(self.config["DELIVERY_IDLE_SECONDS"] if not until_idle else 0.01)
            finally:
                self.pool.shutdown(wait=True)
                delivery.release(self.owner)
                log.info("delivery worker %s stopped", self.owner)

    def _idle(self):
        free = self._free_slots()
        for _ in range(free):
            self.slots.release()
        return free == self.config["DELIVERY_CONCURRENCY"] and delivery.due_count() == 0


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

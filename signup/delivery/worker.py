"""The delivery worker: claims due sign-ups, sends several at once at a shared pace, stops cleanly."""

import collections
import logging
import os
import queue
import secrets
import signal
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from flask import current_app

from ..privacy import retention
from . import heartbeats, outbox
from .pace import Pace

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 5.0
RECORD_BATCH = 200


def owner_name():
    """Return a name for this worker that no other process shares."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{secrets.token_hex(3)}"


class Worker:
    """One delivery loop: claim ahead, pace, send on a thread pool, repeat until stopped."""

    def __init__(self, app, stop=None):
        self.app = app
        self.config = app.config
        self.owner = owner_name()
        self.stop = stop or threading.Event()
        self.pace = Pace(self.config["DELIVERY_RATE"])
        self.concurrency = self.config["DELIVERY_CONCURRENCY"]
        self.slots = threading.Semaphore(self.concurrency)
        self.in_flight = 0
        self.slot_freed = threading.Event()
        self.pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="deliver")
        self.queue = collections.deque()  # (claimed item, when it was claimed)
        # A claimed item must start its call while its lease still covers the whole call.
        call = self.config["ESPUTNIK_CONNECT_TIMEOUT"] + self.config["ESPUTNIK_READ_TIMEOUT"]
        self.send_by = max(self.config["DELIVERY_LEASE_SECONDS"] - call - 1.0, 0.5)
        self.next_probe = None
        self.next_beat = 0.0
        self.pause_seen = (None, 0.0)  # (reason, when it was read)
        self.saw_pause = False
        self.outcomes = queue.Queue()
        self.unrecorded = 0  # calls made whose outcome is not stored yet
        self.counting = threading.Lock()  # guards in_flight and unrecorded, changed from several threads
        self.recorder = threading.Thread(target=self._record, name="delivery-recorder", daemon=True)

    def _send(self, item):
        try:
            with self.app.app_context():
                outcome = outbox.call(item)
            with self.counting:
                self.unrecorded += 1
            self.outcomes.put(outcome)
            answer = outcome.answer
            if answer.outcome == "paused":
                # Stop dispatching at once; the database flag tells the other workers.
                self.pause_seen = (answer.detail, time.monotonic())
            if answer.outcome == "throttled":
                wait = answer.retry_after if answer.retry_after is not None else outbox.THROTTLE_DEFAULT_SECONDS
                self.pace.throttled(wait)
        except Exception:
            # The lease runs out and another attempt follows; the loop must not die.
            log.exception("delivery attempt failed inside the worker", extra={"submission": item.id})
        finally:
            with self.counting:
                self.in_flight -= 1
            self.slots.release()
            self.slot_freed.set()

    def _record(self):
        """Store finished calls in batches: one transaction for many, instead of one each."""
        with self.app.app_context():
            while True:
                batch = [self.outcomes.get()]
                while len(batch) < RECORD_BATCH:
                    try:
                        batch.append(self.outcomes.get_nowait())
                    except queue.Empty:
                        break
                done = batch[-1] is None
                batch = [outcome for outcome in batch if outcome is not None]
                if batch:
                    self._store(batch)
                if done:
                    return

    def _store(self, batch):
        try:
            outbox.record_many(batch, self.owner)
        except Exception:
            # Unstored outcomes keep their lease until it runs out; the calls are then made again,
            # inside eSputnik's duplicate minute, so a lost record costs a 409, not a second event.
            log.exception("storing %d delivery outcome(s) failed", len(batch))
            return
        finally:
            with self.counting:
                self.unrecorded -= len(batch)
        if self.saw_pause and any(o.answer.outcome in ("delivered", "refused") for o in batch):
            # eSputnik took a call again: lift the pause for every worker.
            self.saw_pause = False
            outbox.resume()

    def _paused(self):
        """Return the pause reason, read from the database at most once a second."""
        reason, checked = self.pause_seen
        if time.monotonic() - checked > 1.0:
            reason = outbox.paused_reason()
            self.pause_seen = (reason, time.monotonic())
        return reason

    def _may_probe(self):
        """While paused, allow one call per DELIVERY_PROBE_SECONDS."""
        now, interval = time.monotonic(), self.config["DELIVERY_PROBE_SECONDS"]
        if self.next_probe is None:
            self.next_probe = now + interval
        if now < self.next_probe:
            return False
        self.next_probe = now + interval
        return True

    def _refill(self):
        """Claim ahead of the free slots, so a slot that frees starts its next call at once."""
        if len(self.queue) >= self.concurrency:
            return
        claimed_at = time.monotonic()
        for item in outbox.claim(self.owner, 2 * self.concurrency - len(self.queue)):
            self.queue.append((item, claimed_at))

    def _hand_back_queue(self):
        if self.queue:
            outbox.release(self.owner, ids=[item.id for item, _claimed in self.queue])
            self.queue.clear()

    def _beat(self):
        """Say we are alive now and then, and take our share of the configured rate."""
        if time.monotonic() < self.next_beat:
            return
        self.next_beat = time.monotonic() + HEARTBEAT_SECONDS
        self.pace.set_share(self.config["DELIVERY_RATE"] / heartbeats.beat(self.owner))

    def _next_item(self):
        """Return the next claimed item whose lease still covers a whole call, or None."""
        while self.queue:
            item, claimed_at = self.queue.popleft()
            if time.monotonic() - claimed_at < self.send_by:
                return item
            # Too old to start safely: its lease runs out and it is claimed again, unsent.
        return None

    def tick(self):
        """Claim and start what is due now; return how many were started."""
        self._beat()
        if self._paused():
            self.saw_pause = True
            self._hand_back_queue()
            if self.in_flight >= self.concurrency or not self._may_probe():
                return 0
            batch = outbox.claim(self.owner, 1)
            self.queue.extend((item, time.monotonic()) for item in batch)
        else:
            self.next_probe = None
            self._refill()
        started = 0
        while self.queue and not (started and self.pause_seen[0]) and self.slots.acquire(blocking=False):
            item = self._next_item() if self.pace.wait(self.stop) else None
            if item is None:
                self.slots.release()
                break
            with self.counting:
                self.in_flight += 1
            self.pool.submit(self._send, item)
            started += 1
        return started

    def _idle(self):
        settled = self.in_flight == 0 and not self.queue and self.unrecorded == 0
        return settled and outbox.due_count() == 0

    def run(self, until_idle=False, deadline=None):
        """Deliver until stopped; with until_idle, only until nothing is due or in flight."""
        log.info("delivery worker %s started", self.owner)
        self.recorder.start()
        housekeeping = None if until_idle else retention.Schedule(self.app)
        with self.app.app_context():
            try:
                while not self.stop.is_set():
                    if deadline is not None and time.monotonic() > deadline:
                        break
                    if housekeeping:
                        housekeeping.run_if_due()
                    if self.tick():
                        continue
                    if self.queue or self.in_flight >= self.concurrency:
                        # Work is waiting for a slot: go on as soon as one call ends.
                        self.slot_freed.wait(0.2)
                        self.slot_freed.clear()
                    elif until_idle and self._idle():
                        break
                    else:
                        self.stop.wait(0.01 if until_idle else self.config["DELIVERY_IDLE_SECONDS"])
            finally:
                self._shut_down()

    def _shut_down(self):
        # Calls in flight finish (each is bounded by the read timeout); claims not yet
        # started are handed back at once instead of waiting for their lease to run out.
        self.pool.shutdown(wait=True)
        self.outcomes.put(None)
        self.recorder.join()
        self.queue.clear()
        outbox.release(self.owner)
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

"""The delivery worker: a loop that claims due sign-ups, starts calls at a shared pace and carries out each decision."""

import collections
import logging
import os
import secrets
import signal
import socket
import threading
from concurrent.futures import ThreadPoolExecutor

from flask import current_app

from ..privacy import retention
from . import heartbeats, outbox
from .clock import Clock
from .concurrency import Concurrency
from .gate import PauseGate
from .pace import Pace
from .recorder import Recorder

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 5.0
SLOT_WAIT_SECONDS = 0.2


def owner_name():
    """Return a name for this worker that no other process shares."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{secrets.token_hex(3)}"


class Worker:
    """One delivery loop: claim ahead, pace, send on a thread pool, carry out what each answer decided."""

    def __init__(self, app, stop=None, clock=None):
        self.app = app
        self.config = app.config
        self.clock = clock or Clock()
        self.owner = owner_name()
        self.stop = stop or threading.Event()
        self.pace = Pace(self.config["DELIVERY_RATE"], clock=self.clock.monotonic)
        ceiling = self.config["DELIVERY_MAX_CONCURRENCY"]
        self.calls = Concurrency(ceiling, self.clock.monotonic)
        self.pool = ThreadPoolExecutor(ceiling, thread_name_prefix="deliver")
        self.gate = PauseGate(self.config["DELIVERY_PROBE_SECONDS"], self.clock.monotonic)
        self.recorder = Recorder(app, self.owner, self.gate)
        self.queue = collections.deque()  # (claimed item, when it was claimed); only the loop's thread uses it
        # A claimed item must start its call while its lease still covers the whole call.
        call = self.config["ESPUTNIK_CONNECT_TIMEOUT"] + self.config["ESPUTNIK_READ_TIMEOUT"]
        self.send_by = max(self.config["DELIVERY_LEASE_SECONDS"] - call - 1.0, 0.5)
        self.next_beat = 0.0
        self.pace_wait = 0.0  # how long the pace held the last dispatch back
        self.call_ended = threading.Event()

    def _send(self, item):
        """Make one call on a pool thread and carry out what its answer decided."""
        outcome = None
        try:
            with self.app.app_context():
                outcome = outbox.call(item, self.clock)
                if outcome.decision.pause:
                    # Paused before the lease is released, so no worker picks the row up in between.
                    self.gate.pause(outcome.decision.pause, item.account)
            if outcome.decision.hold is not None:
                self.pace.throttled(outcome.decision.hold)
            self.recorder.put(outcome)
        except Exception:
            # The lease runs out and another attempt follows; the loop must not die.
            log.exception("delivery attempt failed inside the worker", extra={"submission": item.id})
        finally:
            if outcome is None:
                self.calls.finished(0.0, answered=False, strained=True)
            else:
                seconds, answered = outcome.duration_ms / 1000, outcome.answer.status is not None
                self.calls.finished(seconds, answered=answered, strained=outcome.decision.strained)
            self.call_ended.set()

    def tick(self):
        """Beat, claim and start what may start now, without waiting; return how many calls were started."""
        self._beat()
        paused = self.gate.paused_accounts()
        started = self._probe(paused) if paused else 0
        rate = self.pace.rate
        ahead = self.calls.ahead(rate)
        if 2 * len(self.queue) < ahead:
            self._claim(ahead - len(self.queue), skip=paused)
        return started + self._dispatch()

    def _probe(self, paused):
        """Hand back what waits for a paused account, and send one probe per account whose interval is up."""
        self._hand_back_queue(paused)
        started = 0
        for account in paused:
            if not self.calls.full(self.pace.rate) and self.gate.may_probe(account):
                self._claim(1, only=account, front=True)
                started += self._dispatch(most=1, probe=True)
        return started

    def _claim(self, limit, skip=(), only=False, front=False):
        claimed_at = self.clock.monotonic()
        for item in outbox.claim(self.owner, limit, now=self.clock.now(), skip=skip, only=only):
            (self.queue.appendleft if front else self.queue.append)((item, claimed_at))

    def _dispatch(self, most=None, probe=False):
        """Start claimed calls while a slot is free and the pace allows, stopping at an account a call paused."""
        started, self.pace_wait = 0, 0.0
        while self._drop_stale() and (most is None or started < most):
            # A call frees its slot only after any pause it met is set, so with the slot checked first a
            # pause met while this tick claimed is seen here; only a probe starts while its account is paused.
            if self.calls.full(self.pace.rate) or (not probe and self.gate.closed(self.queue[0][0].account)):
                break
            self.pace_wait = self.pace.take()
            if self.pace_wait > 0:
                break
            item, _claimed_at = self.queue.popleft()
            self.calls.start()
            self.pool.submit(self._send, item)
            started += 1
        return started

    def _drop_stale(self):
        """Drop claimed items whose lease no longer covers a whole call; return whether any is left."""
        while self.queue and self.clock.monotonic() - self.queue[0][1] >= self.send_by:
            # Too old to start safely: its lease runs out and it is claimed again, unsent.
            self.queue.popleft()
        return bool(self.queue)

    def _hand_back_queue(self, accounts):
        """Give back the claims of `accounts`, so they wait in the database while those accounts are paused."""
        held = [entry for entry in self.queue if entry[0].account in accounts]
        if held:
            outbox.release(self.owner, ids=[item.id for item, _claimed in held])
            self.queue = collections.deque(entry for entry in self.queue if entry[0].account not in accounts)

    def _beat(self):
        """Say we are alive now and then, and take our share of the configured rate."""
        if self.clock.monotonic() < self.next_beat:
            return
        self.next_beat = self.clock.monotonic() + HEARTBEAT_SECONDS
        self.pace.set_share(self.config["DELIVERY_RATE"] / heartbeats.beat(self.owner))
        self._report()

    def _report(self):
        """Log the calls in flight allowed and reached since the last line, if any call was made."""
        limit, latency, peak = self.calls.report(self.pace.rate)
        if peak:
            # What the worker settled on, for an operator reading the logs (and the benchmark).
            log.info(
                "delivery pace: %.0f calls/s, up to %d in flight (%d were), eSputnik answering in %s ms",
                self.pace.rate,
                limit,
                peak,
                latency,
                extra={"event": "delivery_pace", "rate": round(self.pace.rate, 1), "limit": limit, "peak": peak},
            )

    def _idle(self):
        settled = self.calls.busy() == 0 and not self.queue and self.recorder.pending() == 0
        return settled and outbox.due_count(now=self.clock.now()) == 0

    def _rest(self, until_idle):
        """Wait for the pace, for a call to end, or for new work, whichever this loop is waiting for."""
        if self.queue and self.pace_wait > 0:
            self.stop.wait(self.pace_wait)
        elif self.queue or self.calls.busy():
            self.call_ended.wait(SLOT_WAIT_SECONDS)
        else:
            self.stop.wait(0.01 if until_idle else self.config["DELIVERY_IDLE_SECONDS"])

    def run(self, until_idle=False, deadline=None):
        """Deliver until stopped; with until_idle, only until nothing is due or in flight."""
        log.info("delivery worker %s started", self.owner)
        self.recorder.start()
        housekeeping = None if until_idle else retention.Schedule(self.app)
        with self.app.app_context():
            try:
                while not self.stop.is_set():
                    if deadline is not None and self.clock.monotonic() > deadline:
                        break
                    if housekeeping:
                        housekeeping.run_if_due()
                    self.call_ended.clear()
                    if self.tick():
                        continue
                    if until_idle and self._idle():
                        break
                    self._rest(until_idle)
            finally:
                self.close()

    def close(self):
        """Let the calls in flight finish, store their outcomes, and give back every claim not started."""
        # Calls in flight finish (each is bounded by the read timeout); claims not yet
        # started are handed back at once instead of waiting for their lease to run out.
        self.pool.shutdown(wait=True)
        self.recorder.close()
        self._report()
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


def drain(app=None, timeout=30.0, clock=None):
    """Deliver everything due now, then return (used by tests and the CLI's --once)."""
    worker = Worker(app or current_app._get_current_object(), clock=clock)
    worker.run(until_idle=True, deadline=worker.clock.monotonic() + timeout)

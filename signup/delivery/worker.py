"""The delivery worker: a loop that claims due sign-ups, starts calls at each account's pace, carries out decisions."""

import logging
import os
import secrets
import signal
import socket
import threading
from concurrent.futures import ThreadPoolExecutor

from flask import current_app

from ..privacy import retention
from . import esputnik, heartbeats, outbox
from .clock import Clock
from .gate import PauseGate
from .lanes import Lanes
from .recorder import Recorder

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 5.0
SLOT_WAIT_SECONDS = 0.2


def owner_name():
    """Return a name for this worker that no other process shares."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{secrets.token_hex(3)}"


class Worker:
    """One delivery loop: claim ahead, pace each account, send on a thread pool, carry out what each answer decided."""

    def __init__(self, app, stop=None, clock=None):
        self.app = app
        self.config = app.config
        self.clock = clock or Clock()
        self.owner = owner_name()
        self.stop = stop or threading.Event()
        ceiling = self.config["DELIVERY_MAX_CONCURRENCY"]
        self.pool = ThreadPoolExecutor(ceiling, thread_name_prefix="deliver")
        self.gate = PauseGate(self.config["DELIVERY_PROBE_SECONDS"], self.clock.monotonic)
        self.recorder = Recorder(app, self.owner, self.gate)
        esputnik.prepare(self.config)
        # A claimed item must start its call while its lease still covers the whole call.
        call = self.config["ESPUTNIK_CONNECT_TIMEOUT"] + self.config["ESPUTNIK_READ_TIMEOUT"]
        send_by = max(self.config["DELIVERY_LEASE_SECONDS"] - call - 1.0, 0.5)
        accounts = [None, *app.extensions.get("signup.accounts", {})]
        self.lanes = Lanes(accounts, self.config["DELIVERY_RATE"], ceiling, self.clock.monotonic, send_by)
        self.next_beat = 0.0
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
            self.recorder.put(outcome)
        except Exception:
            # The lease runs out and another attempt follows; the loop must not die.
            log.exception("delivery attempt failed inside the worker", extra={"submission": item.id})
        finally:
            # A 429 holds its account's pace before the slot frees, so the loop sees the hold first.
            self.lanes.lane(item.account).ended(outcome)
            self.call_ended.set()

    def _submit(self, item):
        self.pool.submit(self._send, item)

    def tick(self):
        """Beat, claim and start what may start now, without waiting; return how many calls were started."""
        self._beat()
        paused = self.gate.paused_accounts()
        self._hand_back([*paused, *self.lanes.held_past_claims()])
        started = self._probe(paused) if paused else 0
        self._hand_back_items(self.lanes.claim(self._take, skip=tuple(paused)))
        return started + self.lanes.dispatch(self._submit, self.gate.closed)

    def _probe(self, paused):
        """Send one probe per paused account whose interval is up."""
        started = 0
        for account in paused:
            lane = self.lanes.lanes.get(account)  # an account no longer in the forms file has nothing to send
            if lane and not self.lanes.full() and not lane.calls.full(lane.pace.rate) and self.gate.may_probe(account):
                lane.queue.extendleft((item, self.clock.monotonic()) for item in self._take(1, (), account))
                started += self.lanes.start(lane, self._submit, self.gate.closed, probe=True)
        return started

    def _take(self, limit, skip=(), only=False):
        """Claim up to `limit` due sign-ups (see outbox.claim for `skip` and `only`)."""
        return outbox.claim(self.owner, limit, now=self.clock.now(), skip=skip, only=only)

    def _hand_back(self, accounts):
        """Give back the claims of `accounts` (paused, or held by a 429 too long), so they wait in the database."""
        if accounts:
            self._hand_back_items(self.lanes.hand_back(accounts))

    def _hand_back_items(self, items):
        if items:
            outbox.release(self.owner, ids=[item.id for item in items])

    def _beat(self):
        """Say we are alive now and then, and take our share of the configured rate."""
        if self.clock.monotonic() < self.next_beat:
            return
        self.next_beat = self.clock.monotonic() + HEARTBEAT_SECONDS
        self.lanes.set_share(self.config["DELIVERY_RATE"] / heartbeats.beat(self.owner))
        self._report()

    def _report(self):
        """Log, per account that made calls since the last line, its pace and the calls in flight allowed and had."""
        for lane, rate, limit, latency, peak in self.lanes.report():
            # What the worker settled on, for an operator reading the logs (and the benchmark).
            account = lane.account or "default"
            figures = {"rate": round(rate, 1), "limit": limit, "peak": peak}
            log.info(
                "delivery pace of account %s: %.0f calls/s, up to %d in flight (%d were), eSputnik answering in %s ms",
                account,
                rate,
                limit,
                peak,
                latency,
                extra={"event": "delivery_pace", "account": account, **figures},
            )

    def _idle(self):
        settled = self.lanes.busy() == 0 and not self.lanes.queued() and self.recorder.pending() == 0
        return settled and outbox.due_count(now=self.clock.now()) == 0

    def _rest(self, until_idle):
        """Wait for a pace, for a call to end, or for new work, whichever this loop is waiting for."""
        queued, wait, idle = self.lanes.queued(), self.lanes.pace_wait, self.config["DELIVERY_IDLE_SECONDS"]
        if queued and wait > 0 and not self.lanes.blocked:
            # At most an idle wait: a long 429 hold of one account must not keep the others' new sign-ups waiting.
            self.stop.wait(min(wait, idle))
        elif queued or self.lanes.busy():
            self.call_ended.wait(min(wait, SLOT_WAIT_SECONDS) if wait > 0 else SLOT_WAIT_SECONDS)
        else:
            self.stop.wait(0.01 if until_idle else idle)

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
        self.lanes.hand_back(list(self.lanes.lanes))
        outbox.release(self.owner)
        heartbeats.forget(self.owner)
        log.info("delivery worker %s stopped", self.owner)


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

"""Storing finished calls in batches from one thread: one transaction for many calls, instead of one each."""

import logging
import queue
import threading
import time

from . import outbox

log = logging.getLogger(__name__)

BATCH = 200
# Outcomes finish a few milliseconds apart; one write for each would take SQLite's lock from the
# visitors' sign-ups hundreds of times a second. A call's lease outlasts this wait by far.
GATHER_SECONDS = 0.05


class Recorder:
    """A worker's outcomes on their way to the database, and how many are not stored yet."""

    def __init__(self, app, owner, gate):
        self.app = app
        self.owner = owner
        self.gate = gate
        self.outcomes = queue.Queue()
        self.unstored = 0
        self.may_wake = True  # no retries were made due since the last failure; only the recorder's thread uses it
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, name="delivery-recorder", daemon=True)

    def start(self):
        """Start storing."""
        self.thread.start()

    def put(self, outcome):
        """Queue one finished call for storing."""
        with self.lock:
            self.unstored += 1
        self.outcomes.put(outcome)

    def pending(self):
        """Return how many finished calls are not stored yet."""
        with self.lock:
            return self.unstored

    def close(self):
        """Store what is queued, then stop."""
        self.outcomes.put(None)
        self.thread.join()

    def _run(self):
        with self.app.app_context():
            while True:
                batch = self._next_batch()
                done = batch[-1] is None
                batch = [outcome for outcome in batch if outcome is not None]
                if batch:
                    self._store(batch)
                if done:
                    return

    def _next_batch(self):
        """Wait for an outcome, then gather what finishes in the next moment: one transaction for all of them."""
        batch = [self.outcomes.get()]
        until = time.monotonic() + GATHER_SECONDS
        while len(batch) < BATCH and batch[-1] is not None:
            try:
                batch.append(self.outcomes.get(timeout=max(until - time.monotonic(), 0.0)))
            except queue.Empty:
                break
        return batch

    def _wake_retries(self, batch):
        """Once eSputnik is back from an outage, make the retries waiting on their backoff due: once per outage."""
        if self.may_wake and any(outcome.decision.back for outcome in batch):
            self.may_wake = False
            log.warning("eSputnik is back: %d retries are due now", outbox.retry_failed_now())
        if any(outcome.decision.strained and outcome.decision.hold is None for outcome in batch):
            self.may_wake = True

    def _store(self, batch):
        try:
            outbox.record_many(batch, self.owner)
            for account in {outcome.item.account for outcome in batch if outcome.decision.resume}:
                self.gate.lift(account)  # eSputnik took a call for this account again: every worker may send
            self._wake_retries(batch)
        except Exception:
            # Unstored outcomes keep their lease until it runs out; the calls are then made again,
            # inside eSputnik's duplicate minute, so a lost record costs a 409, not a second event.
            log.exception("storing %d delivery outcome(s) failed", len(batch))
        finally:
            with self.lock:
                self.unstored -= len(batch)

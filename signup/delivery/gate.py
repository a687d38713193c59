"""Whether a worker may send: the pause every worker shares, read at most once a second, and its probes."""

import threading

from . import outbox

READ_EVERY_SECONDS = 1.0


class PauseGate:
    """The pause flag as one worker sees it; its threads pause, read and lift it through here."""

    def __init__(self, probe_seconds, clock):
        self.probe_seconds = probe_seconds
        self.clock = clock
        self.reason = None
        self.read_at = None
        self.next_probe = None
        self.seen = False  # a pause was seen since the last lift, so a success must lift it
        self.lock = threading.Lock()

    def paused(self):
        """Return why delivery is paused, or None; the flag is read from the database at most once a second."""
        with self.lock:
            now = self.clock()
            if self.read_at is None or now - self.read_at >= READ_EVERY_SECONDS:
                self.reason, self.read_at = outbox.paused_reason(), now
            if self.reason is None:
                self.next_probe = None
            else:
                self.seen = True
            return self.reason

    def pause(self, reason):
        """Pause every worker (eSputnik refused the key or the URL); this one stops dispatching at once."""
        outbox.pause(reason)
        with self.lock:
            self.reason, self.read_at, self.seen = reason, self.clock(), True

    def lift(self):
        """eSputnik took a call again: lift a pause this worker has seen."""
        with self.lock:
            if not self.seen:
                return
            self.seen, self.reason, self.read_at = False, None, None
        outbox.resume()

    def may_probe(self):
        """While paused, allow one call per probe interval, the first one interval after the pause was seen."""
        with self.lock:
            now = self.clock()
            if self.next_probe is None:
                self.next_probe = now + self.probe_seconds
            if now < self.next_probe:
                return False
            self.next_probe = now + self.probe_seconds
            return True

    def closed(self):
        """Return whether this worker has seen a pause, without reading the database."""
        with self.lock:
            return self.reason is not None

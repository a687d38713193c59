"""Whether a worker may send: each account's pause every worker shares, read at most once a second, and its probes."""

import threading

from . import outbox

READ_EVERY_SECONDS = 1.0


class PauseGate:
    """The pause flags as one worker sees them; its threads pause, read and lift them through here.

    Every method takes the account (None: the default account): a wrong key holds only its own sign-ups.
    """

    def __init__(self, probe_seconds, clock):
        self.probe_seconds = probe_seconds
        self.clock = clock
        self.reasons = {}  # account: why it is paused
        self.read_at = None
        self.next_probe = {}  # account: when its next probe may go
        self.seen = set()  # accounts whose pause was seen since their last lift, so a success must lift it
        self.lock = threading.Lock()

    def _read(self):
        now = self.clock()
        if self.read_at is None or now - self.read_at >= READ_EVERY_SECONDS:
            self.reasons, self.read_at = outbox.paused_reasons(), now
        for account in set(self.next_probe) - set(self.reasons):
            del self.next_probe[account]
        self.seen |= set(self.reasons)

    def paused_accounts(self):
        """Return {account: reason} for every paused account; the flags are read at most once a second."""
        with self.lock:
            self._read()
            return dict(self.reasons)

    def paused(self, account=None):
        """Return why delivery to `account` is paused, or None."""
        with self.lock:
            self._read()
            return self.reasons.get(account)

    def pause(self, reason, account=None):
        """Pause `account` for every worker (eSputnik refused its key or URL); this one stops sending to it at once."""
        outbox.pause(reason, account)
        with self.lock:
            self.reasons[account], self.read_at = reason, self.clock()
            self.seen.add(account)

    def lift(self, account=None):
        """eSputnik took a call for `account` again: lift its pause, if this worker has seen one."""
        with self.lock:
            if account not in self.seen:
                return
            self.seen.discard(account)
            self.reasons.pop(account, None)
            self.read_at = None
        outbox.resume(account)

    def may_probe(self, account=None):
        """While `account` is paused, allow one call per probe interval, the first one interval after the pause."""
        with self.lock:
            now = self.clock()
            if account not in self.next_probe:
                self.next_probe[account] = now + self.probe_seconds
            if now < self.next_probe[account]:
                return False
            self.next_probe[account] = now + self.probe_seconds
            return True

    def closed(self, account=None):
        """Return whether this worker has seen `account` paused, without reading the database."""
        with self.lock:
            return account in self.reasons

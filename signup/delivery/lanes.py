"""Each eSputnik account's lane in a worker: its own pace, calls in flight and claims, served in turn."""

import collections
import itertools
import math

from .concurrency import Concurrency
from .pace import Pace

SWEEP_SECONDS = 0.25  # accounts without a backlog are looked for together, at most this often


class Lane:
    """One account's pace, calls in flight and claims not yet started (its queue is the loop thread's alone)."""

    def __init__(self, account, share, ceiling, clock):
        self.account = account
        self.pace = Pace(share, clock=clock)
        self.calls = Concurrency(ceiling, clock)
        self.queue = collections.deque()  # (claimed item, when it was claimed)
        self.flowing = False  # its last claim was full: it has a backlog, so it claims on its own
        self.wait = 0.0  # how long its pace held its last start back

    def room(self):
        """Return how many more claims it may hold: the calls it may have in flight and a quarter second of starts."""
        return max(self.calls.ahead(self.pace.rate) - len(self.queue), 0)

    def wants(self):
        """Return whether it should claim now: its queue is under half of what it may hold, its pace not held."""
        return self.pace.held() == 0 and 2 * len(self.queue) < self.calls.ahead(self.pace.rate)

    def ended(self, outcome):
        """Count its call as ended (outcome None: it raised); a 429 holds and slows its pace, strain its calls."""
        if outcome is None:
            self.calls.finished(0.0, answered=False, strained=True)
            return
        if outcome.decision.hold is not None:
            self.pace.throttled(outcome.decision.hold)
        seconds, answered = outcome.duration_ms / 1000, outcome.answer.status is not None
        self.calls.finished(seconds, answered=answered, strained=outcome.decision.strained)


class Lanes:
    """A worker's lanes, one per account, served in turn, their calls in flight together within the ceiling.

    eSputnik counts its rate per account, so each lane has the whole DELIVERY_RATE share of this worker:
    a 429 holds and slows one account, and its held claims never stand in front of another's.
    """

    def __init__(self, accounts, share, ceiling, clock, send_by):
        self.share, self.ceiling, self.clock, self.send_by = float(share), ceiling, clock, send_by
        self.lanes = {}
        for account in accounts:
            self.lane(account)
        self.turns = itertools.count()
        self.sweep_at = -math.inf
        self.pace_wait = 0.0  # the shortest wait of a lane that only its pace held back in the last dispatch
        self.blocked = False  # a lane waited for a slot or its account's pause in the last dispatch

    def lane(self, account):
        """Return the lane of `account` (None: the default account), made on first use by the loop's thread."""
        if account not in self.lanes:
            self.lanes[account] = Lane(account, self.share, self.ceiling, self.clock)
        return self.lanes[account]

    def set_share(self, share):
        """Set this worker's part of the configured rate, which each account's pace has in full."""
        self.share = float(share)
        for lane in self.lanes.values():
            lane.pace.set_share(share)

    def busy(self):
        """Return how many calls are in flight, all accounts together."""
        return sum(lane.calls.busy() for lane in self.lanes.values())

    def queued(self):
        """Return how many claims wait for a start, all accounts together."""
        return sum(len(lane.queue) for lane in self.lanes.values())

    def full(self):
        """Return whether the ceiling on calls in flight is reached."""
        return self.busy() >= self.ceiling

    def claim(self, take, skip=()):
        """Claim ahead with `take(limit, skip, only)` for each account that wants more; return claims beyond its room.

        An account with a backlog claims on its own, so it never waits behind another's rows; the others are
        looked for together, in one claim, made again SWEEP_SECONDS after one that found nothing more.
        """
        now = self.clock()
        wanting = [lane for lane in self.lanes.values() if lane.account not in skip and lane.wants()]
        rooms = {lane.account: lane.room() for lane in wanting if not lane.flowing}
        for lane in [lane for lane in wanting if lane.flowing]:
            room = lane.room()
            items = take(room, (), lane.account)
            lane.queue.extend((item, now) for item in items)
            lane.flowing = len(items) >= room  # a short claim: it joins the others from the next sweep
        if not rooms or now < self.sweep_at:
            return []
        # No more than one account may hold: rows beyond an account's room go back, so they are kept few.
        limit = max(rooms.values())
        items = take(limit, (*skip, *(account for account in self.lanes if account not in rooms)), False)
        return self._share_out(items, rooms, now, short=len(items) < limit)

    def _share_out(self, items, rooms, now, short):
        """Queue a joint claim's items in their lanes, each up to its room; return the rest."""
        extra = []
        for item in items:
            if rooms.get(item.account, 0) > 0:
                rooms[item.account] -= 1
                self.lane(item.account).queue.append((item, now))
            else:
                extra.append(item)
        for account, left in rooms.items():
            self.lanes[account].flowing = left == 0  # it filled its room: there may be more
        if short:
            self.sweep_at = now + SWEEP_SECONDS
        return extra

    def hand_back(self, accounts):
        """Take every claim of `accounts` out of their lanes and return them, to be given back unstarted."""
        items = []
        for account in accounts:
            lane = self.lanes.get(account)
            if lane is not None:
                items += [item for item, _claimed_at in lane.queue]
                lane.queue.clear()
        return items

    def held_past_claims(self):
        """Return the accounts whose pace a 429 holds past the moment their oldest claim could still start."""
        now, accounts = self.clock(), []
        for lane in self.lanes.values():
            held = lane.pace.held()
            if lane.queue and held > 0 and held >= self.send_by - (now - lane.queue[0][1]):
                accounts.append(lane.account)
        return accounts

    def dispatch(self, submit, closed):
        """Start claimed calls, one per account in turn, while slots are free and each account's pace allows."""
        lanes = list(self.lanes.values())
        turn = next(self.turns) % max(len(lanes), 1)  # who goes first moves round, so no account always waits
        ready, started, self.blocked = lanes[turn:] + lanes[:turn], 0, False
        while ready:
            ready = [lane for lane in ready if self.start(lane, submit, closed)]
            started += len(ready)
        self.pace_wait = min((lane.wait for lane in lanes if lane.queue and lane.wait > 0), default=0.0)
        return started

    def start(self, lane, submit, closed, probe=False):
        """Start the first claim of `lane` if a slot is free, its pace allows, and its account is open (or probed)."""
        lane.wait = 0.0
        if not self._drop_stale(lane):
            return False
        # A call frees its slot only after any pause or 429 hold it met is set, so with the slots checked first
        # one met while this tick claimed is seen here; only a probe starts while its account is paused.
        if self.full() or lane.calls.full(lane.pace.rate) or (not probe and closed(lane.account)):
            self.blocked = True
            return False
        lane.wait = lane.pace.take()
        if lane.wait > 0:
            return False
        item, _claimed_at = lane.queue.popleft()
        lane.calls.start()
        submit(item)
        return True

    def _drop_stale(self, lane):
        """Drop claims whose lease no longer covers a whole call; return whether any is left."""
        while lane.queue and self.clock() - lane.queue[0][1] >= self.send_by:
            # Too old to start safely: its lease runs out and it is claimed again, unsent.
            lane.queue.popleft()
        return bool(lane.queue)

    def report(self):
        """Return (lane, calls/s, limit, latency in ms, most in flight) for each lane that made calls since the last."""
        rows = []
        for lane in self.lanes.values():
            rate = lane.pace.rate
            limit, latency, peak = lane.calls.report(rate)
            if peak:
                rows.append((lane, rate, limit, latency, peak))
        return rows

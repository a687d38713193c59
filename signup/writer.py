"""Group commit: the sign-ups waiting to be stored in one process are written in one transaction.

A durable commit waits for the disk, and SQLite lets one writer commit at a time. Sign-ups that
arrive while a commit is under way queue up, and the next transaction stores them all, so many
visitors share one wait. One thread at a time writes (the leader: a request thread whose sign-up
is first in the queue), and hands the turn to the next waiting one; there is no thread of its own
to start, fork or stop. Each caller is answered only after the commit of its own batch: nothing
is acknowledged that is not stored. A batch whose transaction fails is run again one sign-up at a
time, so one bad sign-up never takes the others down with it.
"""

import threading
from collections import deque


class _Job:
    """One unit of work waiting for a transaction, and, once done, its result or its error."""

    __slots__ = ("error", "finished", "leads", "result", "turn", "work")

    def __init__(self, work):
        self.work, self.turn = work, threading.Event()
        self.leads = self.finished = False
        self.result = self.error = None

    def finish(self, result=None, error=None):
        self.result, self.error, self.finished = result, error, True
        self.turn.set()


class Writer:
    """Runs work(connection) for callers of any thread, up to `max_batch` in one transaction, in arrival order."""

    def __init__(self, engine, max_batch=64):
        self.engine, self.max_batch = engine, max_batch
        self.waiting, self.lock, self.writing = deque(), threading.Lock(), False

    def run(self, work):
        """Run `work(connection)` inside the next batch's transaction; return its result once committed."""
        if self.max_batch <= 1:
            # No batching: the caller's own transaction, on its own thread.
            with self.engine.begin() as connection:
                return work(connection)
        job = _Job(work)
        with self.lock:
            self.waiting.append(job)
            job.leads, self.writing = not self.writing, True
        while not job.finished:
            if job.leads:
                self._write_batch()
            else:
                job.turn.wait()
                job.turn.clear()
        if job.error is not None:
            raise job.error
        return job.result

    def _write_batch(self):
        with self.lock:
            batch = [self.waiting.popleft() for _ in range(min(len(self.waiting), self.max_batch))]
        try:
            self._store(batch)
        except BaseException as exc:
            # Interrupted (the process is stopping): no caller may wait for an answer that will not come.
            for job in batch:
                if not job.finished:
                    job.finish(error=exc)
            raise
        finally:
            with self.lock:
                if self.waiting:
                    # The first one waiting writes next: it is in the next batch, so it waits no longer than the rest.
                    follower = self.waiting[0]
                    follower.leads = True
                    follower.turn.set()
                else:
                    self.writing = False

    def _store(self, batch):
        try:
            with self.engine.begin() as connection:
                results = [job.work(connection) for job in batch]
        except Exception as exc:  # each job then gets its own result or error
            if len(batch) == 1:
                batch[0].finish(error=exc)
            else:
                for job in batch:
                    self._alone(job)
            return
        for job, result in zip(batch, results, strict=True):
            job.finish(result)

    def _alone(self, job):
        try:
            with self.engine.begin() as connection:
                result = job.work(connection)
        except Exception as exc:  # handed to the caller, which raises it
            job.finish(error=exc)
        else:
            job.finish(result)

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
from collections import deque, namedtuple

from sqlalchemy.exc import DBAPIError


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

    def _take(self):
        with self.lock:
            return [self.waiting.popleft() for _ in range(min(len(self.waiting), self.max_batch))]

    def _write_batch(self):
        batch = []
        try:
            self._store(batch)
        except BaseException as exc:
            # Interrupted (the process is stopping): no caller may wait for an answer that will not come.
            if not batch:
                batch.extend(self._take())
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
        """Fill `batch` with the jobs waiting once the transaction has begun, and store them."""
        # On SQLite the transaction begins once the write lock is free (another process may be
        # committing): the sign-ups that arrived meanwhile join this batch instead of waiting for the next.
        try:
            with self.engine.begin() as connection:
                batch.extend(self._take())
                results = [job.work(connection) for job in batch]
        except Exception as exc:  # each job then gets its own result or error
            if not batch:  # the transaction did not begin
                batch.extend(self._take())
            # A connection the server dropped is replaced for the retry: even a lone job is tried again.
            if len(batch) == 1 and not getattr(exc, "connection_invalidated", False):
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


class Prepared:
    """A statement compiled once per database and run on the driver's own cursor, inside the caller's transaction.

    Every sign-up runs a few statements; SQLAlchemy's execution around each (cache lookup, parameter
    and result processing, result objects) cost more CPU than the database's own work. The same
    type conversions are kept: each parameter and column through its type's processor.
    """

    def __init__(self, statement):
        self.statement, self.by_dialect = statement, {}

    def _compiled(self, dialect):
        compiled = self.statement.compile(dialect=dialect)
        binds = compiled.binds.items()
        defaults = {key: bind.value for key, bind in binds if bind.value is not None}  # LIMIT 1 and the like
        processors = {key: bind.type.dialect_impl(dialect).bind_processor(dialect) for key, bind in binds}
        processors = {key: process for key, process in processors.items() if process}
        columns = getattr(self.statement, "selected_columns", ())
        results = [column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns]
        row = namedtuple("Row", [column.key for column in columns]) if columns else None
        found = (compiled.string, defaults, processors, compiled.positiontup, row, results)
        self.by_dialect[dialect.name] = found
        return found

    def run(self, connection, params):
        """Run with `params` on `connection`; return the rows, as named tuples, when the statement gives any."""
        found = self.by_dialect.get(connection.dialect.name) or self._compiled(connection.dialect)
        sql, defaults, processors, order, row, results = found
        values = {**defaults, **params}
        for key, process in processors.items():
            values[key] = process(values[key])
        cursor = connection.connection.driver_connection.cursor()
        arguments = values if order is None else [values[key] for key in order]
        try:
            try:
                cursor.execute(sql, arguments)
            except connection.dialect.loaded_dbapi.Error as exc:
                # Raised as SQLAlchemy would, so callers catch one kind of error (IntegrityError, ...). A lost
                # connection is found when the transaction is rolled back, and SQLAlchemy then replaces it.
                raise DBAPIError.instance(sql, arguments, exc, connection.dialect.loaded_dbapi.Error) from exc
            if cursor.description is None or row is None:
                return cursor.fetchall() if cursor.description else None
            return [row(*(v if p is None else p(v) for v, p in zip(raw, results, strict=True))) for raw in cursor]
        finally:
            cursor.close()

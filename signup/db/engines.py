"""Engines tuned for each database: SQLite's writers queued in order, PostgreSQL's idle connections checked."""

import random
import sqlite3
import threading
import time
from pathlib import Path

from sqlalchemy import create_engine, event, exc

# A pooled PostgreSQL connection idle for longer is checked with a round trip before use; one used
# a moment ago is taken as it is (a ping per checkout cost each batch of sign-ups a round trip).
IDLE_SECONDS = 5.0
# Another process's commit holds SQLite's write lock for a few tenths of a millisecond, and takes it
# again for its next batch: a waiter retries within a fraction of that, or it keeps losing the turn
# (pauses of 0.5 to 2 ms cost a tenth of the sign-ups a second against 0.02 to 0.2 ms). A long hold
# (a purge, a migration) is then waited for in steps of milliseconds rather than spun on.
QUICK_PAUSES, QUICK_FOR, SLOW_PAUSES = (0.00002, 0.0002), 0.05, (0.001, 0.004)


def pause_after(waited):
    """Return how long to sleep before trying for the write lock again, having waited `waited` seconds."""
    return random.uniform(*(QUICK_PAUSES if waited < QUICK_FOR else SLOW_PAUSES))


def _begin_immediate(connection, wait=30.0):
    """Take SQLite's write lock, retrying soon and then less often while another process holds it.

    SQLite's busy handler sleeps in steps of up to 100 ms where another process commits in a fraction
    of one; the statements go straight to the driver, as this runs for every transaction.
    """
    raw = connection.connection.driver_connection
    started = time.monotonic()
    deadline = started + wait
    raw.execute("PRAGMA busy_timeout=0")
    try:
        while True:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(pause_after(time.monotonic() - started))
    finally:
        raw.execute(f"PRAGMA busy_timeout={int(wait * 1000)}")


def _sqlite_serialised_writes(engine):
    # pysqlite's own BEGIN is deferred; taking the write lock up front makes a claim
    # (select due rows, then mark them) atomic across processes sharing the file.
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "busy_timeout=30000"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    # Threads of one process also queue on a lock of their own: SQLite's busy handler would make
    # them sleep in growing steps (up to 100 ms) while the file is locked, where a lock wakes them at once.
    writers = threading.RLock()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        writers.acquire()
        # Counted on the pooled connection, whose info the pool hands back at check-in.
        connection.info["writer_holds"] = connection.info.get("writer_holds", 0) + 1
        _begin_immediate(connection)

    @event.listens_for(engine, "checkin")
    def on_checkin(_dbapi_connection, record):
        for _ in range(record.info.pop("writer_holds", 0)):
            writers.release()


def _ping_when_idle(engine):
    """Check a pooled connection before use only when it sat idle: a dropped one is then replaced.

    A connection that dies between checks fails its statement; the error invalidates it, and the
    sign-up writer stores its batch again on a new one (`writer.Writer`).
    """

    @event.listens_for(engine, "checkout")
    def on_checkout(dbapi_connection, record, _proxy):
        used = record.info.get("used")
        if used is None or time.monotonic() - used <= IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise exc.DisconnectionError("the connection was closed while idle") from error  # the pool connects anew

    @event.listens_for(engine, "checkin")
    def on_checkin(_dbapi_connection, record):
        record.info["used"] = time.monotonic()


def make_engine(url, **options):
    """Create the engine for `url`, tuned for SQLite or PostgreSQL."""
    if url.startswith("sqlite"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **options)
        _sqlite_serialised_writes(engine)
        return engine
    engine = create_engine(url, pool_size=5, max_overflow=10, **options)
    _ping_when_idle(engine)
    return engine

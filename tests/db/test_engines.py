"""SQLite's write lock as the engine takes it: retried soon while another commit holds it, never spun on."""

import sqlite3
import threading
import time

import pytest

from signup.db import engines, make_engine


@pytest.mark.parametrize(
    ("waited", "shortest", "longest"),
    [
        (0.0, 0.00002, 0.0002),  # another process's commit: a fraction of a millisecond
        (0.049, 0.00002, 0.0002),
        (0.05, 0.001, 0.004),  # a long hold (a purge, a migration): milliseconds
        (29.0, 0.001, 0.004),
    ],
)
def test_the_pause_before_the_next_try(waited, shortest, longest):
    pauses = [engines.pause_after(waited) for _ in range(200)]
    assert shortest <= min(pauses) and max(pauses) <= longest


def test_a_write_lock_held_elsewhere_is_waited_for_without_spinning(tmp_path):
    path = tmp_path / "locked.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x)")
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    release = threading.Timer(1.0, other.execute, ["COMMIT"])
    tries = []
    with engine.connect() as connection:
        connection.connection.driver_connection.set_trace_callback(
            lambda statement: tries.append(statement) if statement == "BEGIN IMMEDIATE" else None
        )
        started = time.monotonic()
        release.start()
        with connection.begin():
            waited = time.monotonic() - started
            connection.exec_driver_sql("INSERT INTO t VALUES (1)")
    release.join()
    other.close()
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM t").scalar() == 1
    assert waited >= 0.99
    # Retried every 0.02 to 0.2 ms for the first 50 ms, then every 1 to 4 ms: hundreds of tries, not millions.
    assert 50 < len(tries) < 2500, len(tries)

"""Group commit: sign-ups waiting together share one transaction; each caller hears back after its commit."""

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from urllib.parse import quote

import pytest
import requests
from sqlalchemy import bindparam, create_engine, event, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from signup import db, intake
from signup.config import ROOT
from signup.db import Submission, engines, make_engine
from signup.writer import Prepared, Writer
from tests.conftest import FORMS_FILE, SECRET, free_port, wait_for, workers_of


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'writer.sqlite3'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE rows (n INTEGER PRIMARY KEY)"))
    yield engine
    engine.dispose()


def stored(engine):
    """Return the rows as another process would read them: committed ones only."""
    reader = create_engine(engine.url)
    with reader.connect() as connection:
        rows = {n for (n,) in connection.execute(text("SELECT n FROM rows"))}
    reader.dispose()
    return rows


def insert(n):
    def work(connection):
        connection.execute(text("INSERT INTO rows (n) VALUES (:n)"), {"n": n})
        return n

    return work


def count_commits(engine):
    commits = []
    event.listen(engine, "commit", lambda _connection: commits.append(1))
    return commits


def test_one_caller_is_answered_after_its_commit(engine):
    writer, commits = Writer(engine), count_commits(engine)
    assert writer.run(insert(1)) == 1
    assert stored(engine) == {1} and len(commits) == 1


def test_without_batching_each_caller_commits_on_its_own(engine):
    writer, commits = Writer(engine, max_batch=1), count_commits(engine)
    assert [writer.run(insert(n)) for n in range(3)] == [0, 1, 2]
    assert stored(engine) == {0, 1, 2} and len(commits) == 3 and not writer.writing


def test_callers_arriving_during_a_commit_share_the_next_transaction(engine):
    writer, release, results, commits = Writer(engine), threading.Event(), {}, count_commits(engine)

    def held(connection):
        release.wait(10)
        return insert(0)(connection)

    first = threading.Thread(target=lambda: results.setdefault(0, writer.run(held)))
    first.start()
    assert wait_for(lambda: writer.writing and not writer.waiting)
    others = [threading.Thread(target=lambda n=n: results.setdefault(n, writer.run(insert(n)))) for n in range(1, 6)]
    for thread in others:
        thread.start()
    assert wait_for(lambda: len(writer.waiting) == 5)
    assert stored(engine) == set() and results == {}
    release.set()
    for thread in (first, *others):
        thread.join(10)
    assert results == {n: n for n in range(6)}
    assert stored(engine) == set(range(6))
    assert len(commits) == 2  # the first alone, the five that waited for it together
    assert writer.writing is False


def test_callers_arriving_while_the_write_lock_is_awaited_join_that_transaction(engine, tmp_path):
    writer, results, commits = Writer(engine), {}, count_commits(engine)
    other = sqlite3.connect(tmp_path / "writer.sqlite3", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process committing: the lock is taken
    first = threading.Thread(target=lambda: results.setdefault(0, writer.run(insert(0))))
    first.start()
    assert wait_for(lambda: writer.writing)
    others = [threading.Thread(target=lambda n=n: results.setdefault(n, writer.run(insert(n)))) for n in range(1, 4)]
    for thread in others:
        thread.start()
    assert wait_for(lambda: len(writer.waiting) == 4)  # the first is still waiting for the lock too
    other.execute("ROLLBACK")
    other.close()
    for thread in (first, *others):
        thread.join(10)
    assert results == {n: n for n in range(4)} and stored(engine) == set(range(4))
    assert len(commits) == 1


def test_a_transaction_that_cannot_begin_fails_its_callers_and_the_next_may_try(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'no such folder' / 'writer.sqlite3'}")
    writer = Writer(engine)
    for _ in range(2):
        with pytest.raises(OperationalError):
            writer.run(insert(1))
        assert writer.writing is False and not writer.waiting
    engine.dispose()


def test_a_failing_sign_up_fails_alone_and_its_batch_is_stored(engine):
    writer, release, outcomes = Writer(engine), threading.Event(), {}

    def held(connection):
        release.wait(10)
        return insert(0)(connection)

    def fails(connection):
        insert(99)(connection)
        raise ValueError("a bad sign-up")

    def call(n, work):
        try:
            outcomes[n] = writer.run(work)
        except ValueError as exc:
            outcomes[n] = str(exc)

    threads = [threading.Thread(target=call, args=(0, held))]
    threads[0].start()
    assert wait_for(lambda: writer.writing and not writer.waiting)
    for n, work in ((1, insert(1)), (2, fails), (3, insert(3))):
        threads.append(threading.Thread(target=call, args=(n, work)))
        threads[-1].start()
        assert wait_for(lambda n=n: len(writer.waiting) == n)
    release.set()
    for thread in threads:
        thread.join(10)
    assert outcomes == {0: 0, 1: 1, 2: "a bad sign-up", 3: 3}
    assert stored(engine) == {0, 1, 3}


def _up(base):
    try:
        return requests.get(f"{base}/healthz", timeout=1).status_code == 200
    except requests.RequestException:
        time.sleep(0.1)
        return False


def _database_url(settings):
    """Return the test database as a URL a separate process can use, with the test schema for PostgreSQL."""
    url = settings["DATABASE_URL"]
    options = settings.get("ENGINE_OPTIONS", {}).get("connect_args", {}).get("options")
    return f"{url}?options={quote(options)}" if options else url


BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36"


@pytest.mark.both_databases
def test_kill_9_of_a_web_process_loses_no_answered_sign_up(app, settings, tmp_path):
    port, base = free_port(), None
    env = {
        **os.environ,
        "SECRET_KEY": SECRET,
        "DATABASE_URL": _database_url(settings),
        "FORMS_FILE": str(FORMS_FILE),
        "FORM_MIN_FILL_SECONDS": "0",
        "RATE_LIMIT": "off",
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "WEB_THREADS": "4",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "counters"),
    }
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    master = subprocess.Popen(
        [gunicorn, "app:app", "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    answered, killed = {}, []

    def sign_up(n):
        with requests.Session() as session:
            session.headers["User-Agent"] = BROWSER
            try:
                token = session.get(f"{base}/api/forms/news", timeout=10).json()["token"]
                body = {"form_token": token, "email": f"kill{n}@example.com", "consent": True}
                answer = session.post(f"{base}/api/forms/news/submissions", json=body, timeout=10)
            except requests.RequestException:
                return  # cut off by the kill: not answered, so nothing was promised
            if answer.status_code == 202:
                answered[answer.json()["id"]] = f"kill{n}@example.com"

    try:
        assert wait_for(lambda: _up(base), timeout=30), "gunicorn did not start"
        with ThreadPoolExecutor(8) as pool:
            for n in range(400):
                pool.submit(sign_up, n)
                if n == 120:
                    # Mid-stream, while sign-ups are being stored: every web process dies at once.
                    assert wait_for(lambda: len(answered) >= 40, timeout=30)
                    killed = workers_of(master)
                    for pid in killed:
                        os.kill(pid, signal.SIGKILL)
        assert killed and len(answered) > 40  # sign-ups were answered before and after the kill
    finally:
        master.send_signal(signal.SIGINT)
        master.wait(timeout=30)
    with app.app_context(), db.engine().connect() as connection:
        rows = dict(connection.execute(select(Submission.id, Submission.contact_key)).all())
    assert {key: rows.get(key) for key in answered} == answered


# Statements run on the driver's cursor: the same values go in and come out as through SQLAlchemy.
SEEN_AT = datetime(2026, 1, 2, 3, 4, 5)  # no microseconds: the form SQLite's own adapter would write differently


def _prepared_row(app):
    row = {name: None for name in ("dedupe_key", "last_error", "variant", "account")}
    row.update(id="p1", form_id="newsletter", source="api", state="pending", payload="{}", contact_key="p@example.com")
    row.update(language="uk", attempts=0, created_at=SEEN_AT, updated_at=SEEN_AT, queued_at=SEEN_AT)
    row.update(next_attempt_at=SEEN_AT)
    return row


@pytest.mark.both_databases
def test_a_prepared_statement_stores_and_reads_values_as_sqlalchemy_does(app):
    with app.app_context(), db.engine().begin() as connection:
        intake.INSERT_SUBMISSION.run(connection, _prepared_row(app))
        after = Prepared(select(Submission.id, Submission.created_at).where(Submission.created_at >= bindparam("t")))
        (found,) = after.run(connection, {"t": SEEN_AT})
        assert after.run(connection, {"t": SEEN_AT + timedelta(microseconds=1)}) == []
    assert (found.id, found.created_at) == ("p1", SEEN_AT)
    with app.app_context(), db.session() as session:  # written as SQLAlchemy writes it: equal, not only alike
        assert session.scalars(select(Submission.id).where(Submission.created_at == SEEN_AT)).all() == ["p1"]


@pytest.mark.both_databases
def test_a_prepared_statement_raises_the_error_sqlalchemy_would(app):
    with app.app_context(), db.engine().begin() as connection:
        intake.INSERT_SUBMISSION.run(connection, _prepared_row(app))
        with pytest.raises(IntegrityError):
            intake.INSERT_SUBMISSION.run(connection, _prepared_row(app))


def _stored_through_the_writer(app, n):
    row = {**_prepared_row(app), "id": f"k{n}", "contact_key": f"k{n}@example.com"}
    with app.app_context():
        db.writer().run(lambda connection: intake.INSERT_SUBMISSION.run(connection, row))


@pytest.mark.both_databases
def test_a_connection_idle_for_a_while_is_checked_and_one_used_a_moment_ago_is_not(app, backend, monkeypatch):
    pings = []
    with app.app_context():
        monkeypatch.setattr(type(db.engine().dialect), "do_ping", lambda _self, _dbapi: pings.append(1) or True)
    _stored_through_the_writer(app, 1)
    _stored_through_the_writer(app, 2)
    assert pings == []  # a round trip per batch saved while sign-ups keep coming
    monkeypatch.setattr(engines, "IDLE_SECONDS", 0.0)
    time.sleep(0.01)
    _stored_through_the_writer(app, 3)
    assert pings == ([1] if backend == "postgres" else [])  # SQLite's file needs no check


@pytest.mark.both_databases
def test_a_connection_the_database_dropped_costs_no_sign_up(app, backend):
    used = set()
    with app.app_context():
        if backend == "postgres":
            event.listen(db.engine(), "checkout", lambda dbapi, *_: used.add(dbapi.info.backend_pid))
    _stored_through_the_writer(app, 1)
    if used:  # the pool's connection, used a moment ago, so not checked again before its next use
        with app.app_context():
            # Each statement its own transaction: PostgreSQL keeps one snapshot of its activity per transaction.
            outside = create_engine(db.engine().url, isolation_level="AUTOCOMMIT")
        try:
            with outside.connect() as other:
                other.execute(text("SELECT pg_terminate_backend(pid) FROM unnest(:pids) AS pid"), {"pids": list(used)})
                alive = text("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(:pids)")
                assert wait_for(lambda: other.execute(alive, {"pids": list(used)}).scalar() == 0)
        finally:
            outside.dispose()
    _stored_through_the_writer(app, 2)  # fails on its dead connection, then is stored on a new one
    _stored_through_the_writer(app, 3)
    with app.app_context(), db.session() as session:
        assert sorted(session.scalars(select(Submission.id))) == ["k1", "k2", "k3"]

"""Group commit: sign-ups waiting together share one transaction; each caller hears back after its commit."""

import threading

import pytest
from sqlalchemy import create_engine, event, text

from signup.db import make_engine
from signup.writer import Writer
from tests.conftest import wait_for


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

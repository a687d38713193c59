"""The recorder: outcomes stored in batches from its own thread, counted until stored, a pause lifted once taken."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from signup import db, intake
from signup.db import Attempt, Submission, utcnow
from signup.delivery import outbox
from signup.delivery.decision import decide
from signup.delivery.esputnik import Answer
from signup.delivery.gate import PauseGate
from signup.delivery.recorder import Recorder
from signup.forms.catalogue import find
from tests.conftest import wait_for
from tests.delivery.manual_clock import ManualClock

pytestmark = pytest.mark.both_databases
REASON = "eSputnik refused the API key (401); check ESPUTNIK_API_KEY and its rights"


def claimed(app, count, owner="w1"):
    with app.test_request_context():
        for n in range(count):
            intake.accept(find("news"), {"email": f"rec{n}@example.com"}, "en", source="api")
    with app.app_context():
        return outbox.claim(owner, count)


def outcome(app, item, answer):
    return outbox.Finished(item, answer, utcnow(), 12, decide(item, answer, app.config, utcnow()))


def test_outcomes_are_stored_and_counted_until_they_are(app):
    items = claimed(app, 3)
    gate = PauseGate(30, ManualClock().monotonic)
    recorder = Recorder(app, "w1", gate)
    answers = [Answer("delivered", 200, "ok"), Answer("refused", 400, "Invalid contact"), Answer("retry", 503, "x")]
    for item, answer in zip(items, answers, strict=True):
        recorder.put(outcome(app, item, answer))
    assert recorder.pending() == 3  # nothing stored before the thread runs
    recorder.start()
    recorder.close()
    assert recorder.pending() == 0
    with app.app_context(), db.session() as session:
        rows = {row.id: row for row in session.scalars(select(Submission))}
        assert [rows[item.id].state for item in items] == ["delivered", "refused", "pending"]
        assert all(row.lease_owner is None for row in rows.values())
        assert session.scalar(select(func.count()).select_from(Attempt)) == 3


def test_a_taken_call_lifts_a_pause_this_worker_saw(app):
    (item,) = claimed(app, 1)
    with app.app_context():
        gate = PauseGate(30, ManualClock().monotonic)
        gate.pause(REASON)
    recorder = Recorder(app, "w1", gate)
    recorder.start()
    recorder.put(outcome(app, item, Answer("delivered", 200, "ok")))
    recorder.close()
    with app.app_context():
        assert outbox.paused_reason() is None


def test_an_outcome_whose_lease_was_lost_is_not_written_over_the_new_owner(app):
    (item,) = claimed(app, 1, owner="w1")
    with app.app_context(), db.session() as session, session.begin():
        session.get(Submission, item.id).lease_owner = "w2"
    recorder = Recorder(app, "w1", PauseGate(30, ManualClock().monotonic))
    recorder.start()
    recorder.put(outcome(app, item, Answer("delivered", 200, "ok")))
    recorder.close()
    with app.app_context(), db.session() as session:
        row = session.get(Submission, item.id)
        assert (row.state, row.lease_owner) == ("pending", "w2")


def test_retries_are_woken_once_per_outage(app, caplog):
    items = claimed(app, 3)
    gate = PauseGate(30, ManualClock().monotonic)
    recorder = Recorder(app, "w1", gate)
    recorder.start()
    late = [outbox.Claimed(i.id, i.form_id, i.payload, 2, i.queued_at - timedelta(minutes=1)) for i in items]
    for item in late[:2]:  # two that kept failing are taken, in two batches
        recorder.put(outcome(app, item, Answer("delivered", 200, "ok")))
        assert wait_for(lambda: recorder.pending() == 0)
    recorder.put(outcome(app, late[2], Answer("retry", 503, "x")))  # failing again: the next return wakes again
    recorder.close()
    assert caplog.text.count("eSputnik is back") == 1

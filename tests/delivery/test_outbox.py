"""Delivery against the fake eSputnik: each answer's effect, leases, pause, dry run, restarts."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from signup import create_app, db
from signup.db import Attempt, Submission, utcnow
from signup.delivery import outbox, worker
from signup.delivery.clock import Clock
from signup.delivery.decision import decide
from tests.conftest import SECRET, sign_up

pytestmark = pytest.mark.both_databases


def rows(app):
    with app.app_context(), db.session() as session:
        return session.scalars(select(Submission).order_by(Submission.created_at)).all()


def attempts(app):
    with app.app_context(), db.session() as session:
        return session.scalars(select(Attempt).order_by(Attempt.id)).all()


def one_sign_up(client, email="ada@example.com"):
    answer = sign_up(
        client,
        "full",
        email=email,
        phone="+380501234567",
        first_name="Ada",
        last_name="Lovelace",
        town="Kyiv",
        region="Kyivska",
        address="Khreshchatyk 1",
        postcode="01001",
        city="Kyiv",
    )
    assert answer.status_code == 303


def test_a_valid_sign_up_makes_exactly_one_subscribe_call_with_the_contract_body(app, client, fake_esputnik):
    one_sign_up(client)
    assert sign_up(client, "full", email="broken@").status_code == 422
    worker.drain(app)
    (call,) = fake_esputnik.subscribe_calls()
    assert call.json == {
        "contact": {
            "channels": [{"type": "email", "value": "ada@example.com"}, {"type": "sms", "value": "+380501234567"}],
            "firstName": "Ada",
            "lastName": "Lovelace",
            "address": {"town": "Kyiv", "region": "Kyivska", "address": "Khreshchatyk 1", "postcode": "01001"},
            "fields": [{"id": 12345, "value": "Kyiv"}],
            "languageCode": "uk",
        },
        "groups": ["Subscribers", "Leads"],
        "formType": "full form",
    }
    (row,) = rows(app)
    assert (row.state, row.attempts, row.last_status) == ("delivered", 1, 200)
    assert json.loads(row.result)["emailStatus"] == "NEED_CONFIRMATION"


def test_409_counts_as_delivered(app, client, fake_esputnik):
    fake_esputnik.then(("status", 409, '{"message":"Duplicated request"}'))
    one_sign_up(client)
    worker.drain(app)
    assert [r.state for r in rows(app)] == ["delivered"]
    assert len(fake_esputnik.subscribe_calls()) == 1


def test_400_is_refused_for_good_with_eSputnik_reason(app, client, fake_esputnik):
    fake_esputnik.then(("status", 400, '{"message":"Invalid contact"}'))
    one_sign_up(client)
    worker.drain(app)
    (row,) = rows(app)
    assert (row.state, row.last_status, row.last_error) == ("refused", 400, "Invalid contact")
    assert len(fake_esputnik.subscribe_calls()) == 1


def test_5xx_is_retried_until_delivered(app, client, fake_esputnik):
    fake_esputnik.then(("status", 500), ("status", 502), ("status", 503))
    one_sign_up(client)
    worker.drain(app)
    (row,) = rows(app)
    assert (row.state, row.attempts) == ("delivered", 4)
    assert [c.answered for c in fake_esputnik.subscribe_calls()] == [500, 502, 503, 200]
    assert [a.outcome for a in attempts(app)] == ["retry", "retry", "retry", "delivered"]


def test_429_slows_down_without_burning_attempts(app, client, fake_esputnik):
    fake_esputnik.then(("status", 429), ("status", 429, "", {"Retry-After": "0"}))
    one_sign_up(client)
    worker.drain(app)
    (row,) = rows(app)
    assert (row.state, row.attempts, row.last_status) == ("pending", 0, 429)
    assert row.next_attempt_at - utcnow() > timedelta(seconds=0.5)  # held back about a second
    worker.drain(app)
    assert [c.answered for c in fake_esputnik.subscribe_calls()] == [429]  # not due again yet
    worker.drain(app, clock=Clock(offset=1.1))
    (row,) = rows(app)
    assert (row.state, row.attempts) == ("delivered", 1)
    assert [c.answered for c in fake_esputnik.subscribe_calls()] == [429, 429, 200]


def test_a_hang_is_retried_and_eSputnik_dedupes_if_it_had_landed(app, client, fake_esputnik):
    fake_esputnik.then(("hang", 2.0))
    one_sign_up(client)
    worker.drain(app)
    (row,) = rows(app)
    assert (row.state, row.attempts) == ("delivered", 2)
    assert [a.outcome for a in attempts(app)] == ["unknown", "delivered"]


def test_too_old_is_marked_dead_with_the_reason(app, client, fake_esputnik):
    fake_esputnik.always(("status", 500))
    app.config["RETRY_MAX_AGE_HOURS"] = 1
    one_sign_up(client)
    worker.drain(app, clock=Clock(offset=3601))
    (row,) = rows(app)
    assert row.state == "dead" and row.last_error.startswith("gave up after 1 attempts: eSputnik answered 500")


def test_a_wrong_key_pauses_everything_without_burning_attempts_then_resumes(app, client, fake_esputnik):
    fake_esputnik.api_key = "rotated-key"
    app.config.update(DELIVERY_PROBE_SECONDS=30, DELIVERY_MAX_CONCURRENCY=2)
    for n in range(6):
        one_sign_up(client, f"user{n}@example.com")
    worker.drain(app, timeout=1.0)
    assert [(r.state, r.attempts) for r in rows(app)] == [("pending", 0)] * 6
    with app.app_context():
        assert "ESPUTNIK_API_KEY" in outbox.paused_reason()
    assert "paused" in client.get("/readyz").get_json()["delivery"]
    assert len(fake_esputnik.subscribe_calls()) == 2  # the batch already in flight, not the backlog
    fake_esputnik.api_key = "test-key"
    app.config["DELIVERY_PROBE_SECONDS"] = 0.2
    worker.drain(app)  # a new worker waits one interval, then its probe succeeds and the rest follow
    assert [r.state for r in rows(app)] == ["delivered"] * 6
    assert len(fake_esputnik.subscribe_calls()) == 8
    with app.app_context():
        assert outbox.paused_reason() is None


def test_dry_run_stores_what_would_be_sent_and_sends_nothing(app, client, fake_esputnik):
    app.config["DRY_RUN"] = True
    one_sign_up(client)
    worker.drain(app)
    (row,) = rows(app)
    assert row.state == "dry_run" and json.loads(row.payload)["formType"] == "full form"
    assert fake_esputnik.calls == []
    assert "Would be sent" in client.get("/admin/", auth=("admin", "admin-pass")).get_data(as_text=True)


def test_a_claim_whose_worker_died_is_taken_over_after_its_lease(app, client, fake_esputnik):
    one_sign_up(client)
    with app.app_context():
        (held,) = outbox.claim("dead-worker", 10)
        assert outbox.claim("other", 10) == []
        with db.session() as session, session.begin():
            session.execute(update(Submission).values(lease_until=utcnow() - timedelta(seconds=1)))
    worker.drain(app)
    assert [r.state for r in rows(app)] == ["delivered"]
    assert len(fake_esputnik.subscribe_calls()) == 1
    with app.app_context():
        answer = outbox.esputnik.Answer("delivered", 200, "ok")
        late = outbox.Finished(held, answer, utcnow(), 1, decide(held, answer, app.config, utcnow()))
        lost = outbox.record_many([late], "dead-worker")
    assert lost == [held.id]


def test_a_batch_of_outcomes_stores_each_held_one_and_names_only_the_lost(app, client):
    for n in range(4):
        one_sign_up(client, email=f"ada{n}@example.com")
    with app.app_context():
        mine = outbox.claim("me", 3)
        (theirs,) = outbox.claim("them", 10)
        now = utcnow()
        answers = [
            outbox.esputnik.Answer("delivered", 200, "ok"),
            outbox.esputnik.Answer("failed", 503, "eSputnik is down"),
            outbox.esputnik.Answer("delivered", 200, "ok"),
            outbox.esputnik.Answer("delivered", 200, "ok"),
        ]
        outcomes = [
            outbox.Finished(item, answer, now, 1, decide(item, answer, app.config, now))
            for item, answer in zip([*mine, theirs], answers, strict=True)
        ]
        lost = outbox.record_many(outcomes, "me")
    assert lost == [theirs.id]
    by_id = {row.id: row for row in rows(app)}
    assert [by_id[item.id].state for item in mine] == ["delivered", "pending", "delivered"]
    assert [by_id[item.id].attempts for item in mine] == [1, 1, 1]
    assert by_id[mine[1].id].last_error == "eSputnik is down"
    assert all(by_id[item.id].lease_owner is None for item in mine)
    assert (by_id[theirs.id].state, by_id[theirs.id].lease_owner) == ("pending", "them")
    # Every call made is kept, the one whose lease was lost included: it did reach eSputnik.
    assert len(attempts(app)) == 4


def test_nothing_is_lost_over_a_plain_restart(app, client, fake_esputnik, settings):
    one_sign_up(client)
    app.extensions["signup.engine"].dispose()
    restarted = create_app(settings, environ={"SECRET_KEY": SECRET})
    worker.drain(restarted)
    assert [r.state for r in rows(restarted)] == ["delivered"]
    restarted.extensions["signup.engine"].dispose()


def test_release_gives_back_held_claims(app, client):
    one_sign_up(client)
    with app.app_context():
        assert len(outbox.claim("w1", 5)) == 1
        outbox.release("w1")
        assert len(outbox.claim("w2", 5)) == 1


def test_retry_and_discard_by_hand(app, client, runner, fake_esputnik):
    fake_esputnik.then(("status", 400, "bad"))
    one_sign_up(client)
    worker.drain(app)
    (row,) = rows(app)
    assert row.state == "refused"
    assert "1 submission(s) queued again" in runner.invoke(args=["deliveries", "retry", "--state", "refused"]).output
    worker.drain(app)
    assert rows(app)[0].state == "delivered"
    one_sign_up(client, "b@example.com")
    pending = [r.id for r in rows(app) if r.state == "pending"]
    assert "1 submission(s) discarded" in runner.invoke(args=["deliveries", "discard", *pending]).output
    worker.drain(app)
    assert sorted(r.state for r in rows(app)) == ["delivered", "discarded"]


def test_retries_are_claimed_before_a_backlog_of_first_attempts(app, client, fake_esputnik):
    for n in range(5):
        one_sign_up(client, f"backlog{n}@example.com")
    with app.app_context(), db.session() as session, session.begin():
        newest = session.scalars(select(Submission).order_by(Submission.created_at.desc())).first()
        newest.attempts, newest.last_error = 1, "no answer within the read timeout"
    with app.app_context():
        (first,) = outbox.claim("w", 1)
    assert first.id == newest.id

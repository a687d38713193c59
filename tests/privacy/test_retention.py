"""Retention and erasure: the purge of finished submissions, run by the worker; erasing and exporting one address."""

import json
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from signup import db
from signup.db import Attempt, Consent, Submission, utcnow
from signup.delivery import worker
from signup.privacy import retention
from tests.conftest import sign_up, wait_for

pytestmark = pytest.mark.both_databases
AUTH = ("admin", "admin-pass")


def rows(app):
    with app.app_context(), db.session() as session:
        return {row.contact_key or row.id: row for row in session.scalars(select(Submission))}


def count(app, model):
    with app.app_context(), db.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def full(client, email, phone="+380501234567"):
    answer = sign_up(client, "full", email=email, phone=phone, first_name="Ada", last_name="Lovelace", town="Kyiv")
    assert answer.status_code == 303


def news(client, email):
    assert sign_up(client, "news", email=email, first_name="Ada", consent="yes").status_code == 303


def age(app, days, *contact_keys, column=Submission.updated_at):
    with app.app_context(), db.session() as session, session.begin():
        session.execute(
            update(Submission)
            .where(Submission.contact_key.in_(contact_keys))
            .values({column: utcnow() - timedelta(days=days)})
        )


# The purge


def test_purge_removes_personal_data_of_finished_submissions_past_retention(app, client, fake_esputnik):
    fake_esputnik.then(("status", 400, '{"message":"old@example.com is blacklisted"}'))
    full(client, "old@example.com")
    worker.drain(app)
    full(client, "recent@example.com", "+380671234567")
    worker.drain(app)
    full(client, "waiting@example.com", "+380931234567")
    age(app, 31, "old@example.com", "waiting@example.com")
    with app.app_context():
        assert retention.purge() == (1, 0)
    by_key = rows(app)
    purged = next(row for row in by_key.values() if row.purged_at is not None)
    body = json.loads(purged.payload)
    assert body == {
        "contact": {"channels": [{"type": "email"}, {"type": "sms"}], "languageCode": "uk"},
        "purged": True,
        "groups": ["Subscribers", "Leads"],
        "formType": "full form",
    }
    assert purged.state == "refused" and purged.result is None
    assert purged.last_error == "o***@example.com is blacklisted"
    with app.app_context(), db.session() as session:
        (attempt,) = session.scalars(select(Attempt).where(Attempt.submission_id == purged.id)).all()
    assert attempt.detail == "o***@example.com is blacklisted"
    assert "recent@example.com" in by_key and by_key["recent@example.com"].purged_at is None
    assert "waiting@example.com" in by_key and by_key["waiting@example.com"].state == "pending"
    with app.app_context():
        assert retention.purge() == (0, 0)  # once is enough


def test_a_purged_submission_is_shown_as_such(app, client, fake_esputnik):
    full(client, "old@example.com")
    worker.drain(app)
    age(app, 40, "old@example.com")
    with app.app_context():
        retention.purge()
    html = client.get("/admin/submissions?reveal=1", auth=AUTH).get_data(as_text=True)
    assert "Personal data removed on" in html and "old@example.com" not in html and "Lovelace" not in html


def test_consent_records_are_kept_as_configured(app, client, fake_esputnik):
    news(client, "old@example.com")
    worker.drain(app)
    age(app, 400, "old@example.com")
    with app.app_context(), db.session() as session, session.begin():
        session.execute(update(Consent).values(created_at=utcnow() - timedelta(days=400)))
    with app.app_context():
        assert retention.purge() == (1, 0)
    assert count(app, Consent) == 1  # by default, until the address is erased
    app.config["CONSENT_RETENTION_DAYS"] = 365
    with app.app_context():
        assert retention.purge() == (0, 1)
    assert count(app, Consent) == 0


def test_the_worker_runs_the_purge_by_itself(app, client, fake_esputnik):
    full(client, "old@example.com")
    worker.drain(app)
    age(app, 31, "old@example.com")
    running = worker.Worker(app)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    try:
        assert wait_for(lambda: all(row.purged_at for row in rows(app).values()), timeout=10)
    finally:
        running.stop.set()
        thread.join(timeout=10)


def test_the_purge_command(app, client, runner, fake_esputnik):
    full(client, "old@example.com")
    worker.drain(app)
    age(app, 31, "old@example.com")
    assert runner.invoke(args=["purge"]).output == "purged 1 submission(s), deleted 0 consent record(s)\n"


# Erasing and exporting one address


def test_erase_an_address_everywhere(app, client, fake_esputnik):
    news(client, "ada@example.com")
    full(client, "other@example.com", "+380501234567")  # keyed by email, holds the phone we erase next
    news(client, "lada@example.com")  # contains the address, but is someone else
    news(client, "Bob@Example.com")
    worker.drain(app)
    full(client, "Ada@Example.com", "+380671234567")  # waiting: erased before it is ever sent
    with app.app_context():
        assert retention.erase("ADA@example.com ") == {"submissions": 2, "attempts": 1, "consents": 1}
        assert retention.erase("+380 50 123 45 67") == {"submissions": 1, "attempts": 1, "consents": 0}
    assert set(rows(app)) == {"lada@example.com", "bob@example.com"}
    assert count(app, Consent) == 2 and count(app, Attempt) == 2
    worker.drain(app)
    assert len(fake_esputnik.subscribe_calls()) == 4


def test_the_erase_command_asks_first_and_refuses_what_is_not_an_address(app, client, runner):
    news(client, "ada@example.com")
    result = runner.invoke(args=["erase-address", "ada@example.com"], input="n\n")
    assert result.exit_code == 1 and len(rows(app)) == 1
    result = runner.invoke(args=["erase-address", "ada"])
    assert result.exit_code == 2 and "email address, or a phone number" in result.output
    result = runner.invoke(args=["erase-address", "ada@example.com", "--yes"])
    assert result.exit_code == 0 and "erased 1 submission(s), 0 attempt(s), 1 consent record(s)" in result.output
    assert rows(app) == {}


def test_export_everything_held_on_an_address(app, client, runner, fake_esputnik):
    fake_esputnik.then(("status", 500))
    news(client, "ada@example.com")
    worker.drain(app)
    worker.drain(app)
    news(client, "bob@example.com")
    worker.drain(app)
    result = runner.invoke(args=["export-address", "ada@example.com"])
    assert result.exit_code == 0, result.output
    held = json.loads(result.output)
    assert held["address"] == "ada@example.com"
    (submission,) = held["submissions"]
    assert submission["form"] == "news" and submission["state"] == "delivered"
    assert submission["sent_to_esputnik"]["contact"]["channels"] == [{"type": "email", "value": "ada@example.com"}]
    assert [a["status"] for a in submission["attempts"]] == [500, 200]
    (record,) = held["consents"]
    assert record["text"] == "I agree to receive the newsletter." and record["client_address"] == "127.0.0.1"
    assert "bob@example.com" not in result.output


def test_a_purged_submission_is_never_sent_again(app, client, runner, fake_esputnik):
    fake_esputnik.then(("status", 400, '{"message":"bad channel"}'))
    full(client, "old@example.com")
    worker.drain(app)
    age(app, 31, "old@example.com")
    with app.app_context():
        retention.purge()
    assert runner.invoke(args=["deliveries", "retry", "--state", "refused"]).output.startswith("0 submission(s)")
    html = client.get("/admin/submissions", auth=AUTH).get_data(as_text=True)
    assert "Retry now" not in html

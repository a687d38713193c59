"""Intake: every accepted sign-up stored, and repeats of one sign-up collapsed into one call."""

import json
import threading
from collections import Counter

import pytest
from sqlalchemy import select

from signup import db, intake
from signup.db import Submission
from signup.delivery import worker
from signup.forms.catalogue import find
from tests.conftest import sign_up

pytestmark = pytest.mark.both_databases


def rows(app):
    with app.app_context(), db.session() as session:
        return session.scalars(select(Submission).order_by(Submission.created_at)).all()


def accept(app, **values):
    with app.test_request_context():
        return intake.accept(find("news"), values, "en", source="api")


def test_a_double_click_makes_one_call(app, client, fake_esputnik):
    for _ in range(2):
        assert sign_up(client, "news", email="ada@example.com", consent="yes").status_code == 303
    assert [r.state for r in rows(app)] == ["pending"]
    worker.drain(app)
    assert len(fake_esputnik.subscribe_calls()) == 1


def test_while_waiting_the_newest_data_wins(app, fake_esputnik):
    first, _ = accept(app, email="ada@example.com", first_name="Ada")
    again, created = accept(app, email="ADA@example.com", first_name="Augusta")
    assert (again, created) == (first, False)
    (row,) = rows(app)
    assert json.loads(row.payload)["contact"]["firstName"] == "Augusta"


def test_after_delivery_the_same_data_is_kept_but_not_sent(app, fake_esputnik):
    first, _ = accept(app, email="ada@example.com")
    worker.drain(app)
    second, created = accept(app, email="ada@example.com")
    worker.drain(app)
    assert created and second != first
    assert [(r.state, r.last_error) for r in rows(app)] == [
        ("delivered", None),
        ("duplicate", f"same as {first}, sent once"),
    ]
    assert len(fake_esputnik.subscribe_calls()) == 1


def test_after_delivery_new_data_is_sent(app, fake_esputnik):
    accept(app, email="ada@example.com")
    worker.drain(app)
    accept(app, email="ada@example.com", first_name="Ada")
    worker.drain(app)
    assert [r.state for r in rows(app)] == ["delivered", "delivered"]
    assert len(fake_esputnik.accepted_bodies()) == 2


def test_outside_the_window_a_repeat_is_sent_again(app, fake_esputnik):
    app.config["DUPLICATE_WINDOW_SECONDS"] = 0
    for _ in range(2):
        accept(app, email="ada@example.com")
        worker.drain(app)
    assert [r.state for r in rows(app)] == ["delivered", "delivered"]


def test_different_forms_and_addresses_are_not_collapsed(app, fake_esputnik):
    accept(app, email="ada@example.com")
    accept(app, email="grace@example.com")
    with app.test_request_context():
        intake.accept(find("full"), {"email": "ada@example.com"}, "uk", source="form")
    assert len(rows(app)) == 3


def test_simultaneous_repeats_collapse_into_one(app, fake_esputnik):
    results, barrier = [], threading.Barrier(8)

    def submit():
        barrier.wait()
        results.append(accept(app, email="ada@example.com", first_name="Ada"))

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({submission_id for submission_id, _ in results}) == 1
    worker.drain(app)
    assert Counter(r.state for r in rows(app)) == {"delivered": 1}
    assert len(fake_esputnik.accepted_bodies()) == 1


def test_a_plugin_entry_id_is_stored_once(app):
    with app.test_request_context():
        form = find("news")
        first = intake.accept(form, {"email": "a@example.com"}, "en", "webhook", dedupe_key="news:fluent:42")
        again = intake.accept(form, {"email": "b@example.com"}, "en", "webhook", dedupe_key="news:fluent:42")
    assert first[1] is True and again == (first[0], False)
    assert len(rows(app)) == 1

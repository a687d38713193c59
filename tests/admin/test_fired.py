"""What fired in eSputnik: each delivered answer's new and emailStatus kept, and counted per form in the admin."""

import json

import pytest
from sqlalchemy import select

from signup import db
from signup.db import Submission
from signup.delivery import esputnik, worker
from signup.delivery.decision import answered
from signup.delivery.esputnik import Answer
from tests.conftest import sign_up

AUTH = ("admin", "admin-pass")


@pytest.mark.parametrize(
    ("body", "new", "status"),
    [
        ('{"id":1,"emailStatus":"NEED_CONFIRMATION","new":true}', True, "NEED_CONFIRMATION"),
        ('{"id":1,"emailStatus":"ALREADY_SUBSCRIBED","new":false}', False, "ALREADY_SUBSCRIBED"),
        ('{"id":"1","emailStatus":"blacklisted","new":"false"}', False, "BLACKLISTED"),
        ('{"id":564407320}', None, None),  # what eSputnik answered in 2019
        ("already done (duplicate within a minute): Duplicated request", None, None),
        ('{"new":1,"emailStatus":["x"]}', None, None),
        ("[]", None, None),
        (None, None, None),
    ],
)
def test_what_an_answer_says(body, new, status):
    assert (esputnik.contact_was_new(body), esputnik.email_status(body)) == (new, status)
    assert answered(Answer("delivered", 200, "accepted", body=body)) == {"contact_new": new, "email_status": status}


def answer(new, status):
    return ("status", 200, json.dumps({"id": 7, "emailStatus": status, "new": new}))


@pytest.mark.both_databases
def test_each_submission_keeps_what_fired_and_the_admin_counts_it_per_form(app, client, fake_esputnik):
    fake_esputnik.then(
        answer(True, "NEED_CONFIRMATION"),
        answer(False, "ALREADY_SUBSCRIBED"),
        answer(False, "BLACKLISTED"),
        ("status", 200, '{"id":9}'),
    )
    for n in range(4):
        assert sign_up(client, "news", email=f"person{n}@example.com", consent="yes").status_code == 303
        worker.drain(app)
    with app.app_context(), db.session() as session:
        rows = session.scalars(select(Submission).order_by(Submission.created_at)).all()
    assert [(row.state, row.contact_new, row.email_status) for row in rows] == [
        ("delivered", True, "NEED_CONFIRMATION"),
        ("delivered", False, "ALREADY_SUBSCRIBED"),
        ("delivered", False, "BLACKLISTED"),
        ("delivered", None, None),
    ]
    html = client.get("/admin/", auth=AUTH).get_data(as_text=True)
    section = html[html.index('id="form-news"') :]
    section = section[: section.index("</section>")]
    assert '<code class="event">subscribeFromApi-newsletter</code>: 1' in section
    assert '<code class="event">subscribeUpdateFromApi-newsletter</code>: 2' in section
    assert "already blacklisted: 1" in section and "answers that did not say: 1" in section


def test_a_form_with_nothing_delivered_says_so(client):
    assert "nothing delivered" in client.get("/admin/", auth=AUTH).get_data(as_text=True)

"""Submission states: one definition, stored as the same words, and the same actions on the same states everywhere."""

import pytest
from sqlalchemy import update

from signup import db, states
from signup.admin import queries, words
from signup.db import Submission
from signup.states import DISCARDABLE, RETRYABLE, Outcome, State
from tests.admin.test_views import AUTH, csrf, full_sign_up, rows

pytestmark = pytest.mark.both_databases
STORED = ("pending", "delivered", "refused", "dead", "dry_run", "discarded", "duplicate", "limited")


def test_the_stored_words_are_the_ones_rows_already_hold():
    assert sorted(State) == sorted(STORED)
    assert sorted((*states.WAITING, *states.FINAL)) == sorted(STORED)
    assert set(RETRYABLE) <= set(State) and set(DISCARDABLE) <= set(State)
    assert State.DELIVERED not in RETRYABLE and State.DUPLICATE not in RETRYABLE
    assert set(states.UNDELIVERED) == set(State) - {State.DELIVERED, State.DUPLICATE}
    assert set(states.SIGNED_UP) == set(State) - {State.DISCARDED, State.DUPLICATE}


def test_every_state_and_outcome_has_words_in_the_admin():
    assert set(words.STATES) == set(State)
    assert set(words.OUTCOMES) == set(Outcome)
    assert set(words.KIND_OF_STATE) == set(State) - {State.DUPLICATE}


def one_in(app, client, state):
    full_sign_up(client)
    (row,) = rows(app)
    with app.app_context(), db.session() as session, session.begin():
        session.execute(update(Submission).where(Submission.id == row.id).values(state=state))
    return row.id


def by_cli(app, client, runner, action, submission_id):
    result = runner.invoke(args=["deliveries", action, submission_id])
    assert result.exit_code == 0, result.output


def by_admin(app, client, runner, action, submission_id):
    token = csrf(client, "/admin/submissions", auth=AUTH)
    answer = client.post(f"/admin/submissions/{submission_id}/{action}", data={"csrf_token": token}, auth=AUTH)
    assert answer.status_code == 303


@pytest.mark.parametrize("channel", [by_cli, by_admin], ids=["cli", "admin"])
@pytest.mark.parametrize("state", list(State))
def test_retry_takes_exactly_the_retryable_states_from_the_cli_and_the_admin(app, client, runner, channel, state):
    submission_id = one_in(app, client, state)
    channel(app, client, runner, "retry", submission_id)
    assert rows(app)[0].state == (State.PENDING if state in RETRYABLE else state)


@pytest.mark.parametrize("channel", [by_cli, by_admin], ids=["cli", "admin"])
@pytest.mark.parametrize("state", list(State))
def test_discard_takes_exactly_the_discardable_states_from_the_cli_and_the_admin(app, client, runner, channel, state):
    submission_id = one_in(app, client, state)
    channel(app, client, runner, "discard", submission_id)
    assert rows(app)[0].state == (State.DISCARDED if state in DISCARDABLE else state)


@pytest.mark.parametrize("state", list(State))
def test_the_admin_offers_a_button_where_the_cli_takes_the_state(app, client, runner, state):
    one_in(app, client, state)
    with app.test_request_context():
        (shown,) = queries.present(rows(app), {})
    assert (shown.can_retry, shown.can_discard) == (state in RETRYABLE, state in DISCARDABLE)
    retry = runner.invoke(args=["deliveries", "retry", "--state", state.value])
    discard = runner.invoke(args=["deliveries", "discard", "--state", state.value])
    assert (retry.exit_code == 0, discard.exit_code == 0) == (state in RETRYABLE, state in DISCARDABLE)

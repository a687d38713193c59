"""The JSON API answers every bot check honestly: a 4xx saying what to do, never a success for nothing."""

import time

import pytest
from sqlalchemy import func, select

from signup import db
from signup.db import Submission
from signup.visitors import tokens
from tests.conftest import form_token

pytestmark = pytest.mark.both_databases

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36"
# What the usual HTTP libraries send by default, as servers calling the API would.
SERVER_AGENTS = [
    "python-requests/2.32.3",
    "axios/1.7.9",
    "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)",
    "GuzzleHttp/7 curl/8.5.0 PHP/8.3.6",
    "curl/8.5.0",
    "Go-http-client/1.1",
    "",
]


def count(app):
    with app.app_context(), db.session() as session:
        return session.scalar(select(func.count()).select_from(Submission))


def fresh_token(client, form_id="news"):
    return client.get(f"/api/forms/{form_id}").get_json()["token"]


def send(client, token, agent=BROWSER, form_id="news", lang=None, **fields):
    body = {"form_token": token, "email": "ada@example.com", "consent": True, **fields}
    url = f"/api/forms/{form_id}/submissions" + (f"?lang={lang}" if lang else "")
    return client.post(url, json=body, headers={"User-Agent": agent})


def only_message(answer, key):
    """Return the one message an answer gives under `key`, checking there is nothing else."""
    errors = answer.get_json()["errors"]
    assert list(errors) == [key] and len(errors[key]) == 1, errors
    return errors[key][0]


@pytest.mark.parametrize("agent", SERVER_AGENTS)
def test_a_server_s_user_agent_is_refused_and_pointed_to_the_webhook(app, client, agent):
    answer = send(client, fresh_token(client), agent=agent)
    assert answer.status_code == 403
    message = only_message(answer, "user_agent")
    assert "/hooks/news" in message and "token" in message
    assert count(app) == 0


@pytest.mark.parametrize("agent", SERVER_AGENTS)
def test_the_html_form_still_answers_the_same_agents_as_a_person(app, client, agent):
    data = {"form_token": form_token(client, "news"), "website": "", "email": "ada@example.com", "consent": "yes"}
    answer = client.post("/f/news", data=data, headers={"User-Agent": agent})
    assert (answer.status_code, answer.headers["Location"]) == (303, "/f/news/thanks?lang=en&to=a***@example.com")
    assert count(app) == 0


def test_the_refusal_is_in_the_form_s_language(app, client):
    english = only_message(
        send(client, fresh_token(client, "full"), agent="curl/8", form_id="full", lang="en"), "user_agent"
    )
    ukrainian = only_message(send(client, fresh_token(client, "full"), agent="curl/8", form_id="full"), "user_agent")
    assert "/hooks/full" in ukrainian and ukrainian != english
    assert "Надсилайте" in ukrainian


def test_a_browser_like_client_is_accepted_and_stored(app, client):
    answer = send(client, fresh_token(client))
    assert answer.status_code == 202 and answer.get_json()["status"] == "accepted"
    assert count(app) == 1


def test_a_forged_token_is_refused(app, client):
    message = only_message(send(client, fresh_token(client) + "x"), "form_token")
    assert "GET /api/forms/news" in message
    assert count(app) == 0


def test_a_token_of_another_form_is_refused(app, client):
    answer = send(client, fresh_token(client, "full"))
    assert answer.status_code == 422
    assert "another form" in only_message(answer, "form_token")
    assert count(app) == 0


def test_too_fast_says_how_long_to_wait(app, client):
    app.config["FORM_MIN_FILL_SECONDS"] = 3
    answer = send(client, fresh_token(client))
    assert answer.status_code == 422
    assert "at least 3 seconds after GET /api/forms/news" in only_message(answer, "form_token")
    assert count(app) == 0
    with app.test_request_context():
        patient = tokens.issue("news", now=time.time() - 4)
    assert send(client, patient).status_code == 202 and count(app) == 1


def test_a_reused_token_is_refused_and_nothing_more_is_stored(app, client):
    token = fresh_token(client)
    assert send(client, token).status_code == 202
    answer = send(client, token, email="grace@example.com")
    assert answer.status_code == 422
    assert "already used" in only_message(answer, "form_token")
    assert count(app) == 1


def test_a_filled_honeypot_is_refused(app, client):
    answer = send(client, fresh_token(client), website="https://spam.example")
    assert answer.status_code == 422
    assert "website" in only_message(answer, "website")
    assert count(app) == 0


def test_a_missing_token_is_refused(app, client):
    answer = send(client, None)
    assert answer.status_code == 422
    assert "GET /api/forms/news" in only_message(answer, "form_token")
    assert count(app) == 0


def test_a_foreign_origin_is_refused(app, client):
    body = {"form_token": fresh_token(client), "email": "ada@example.com", "consent": True}
    answer = client.post("/api/forms/news/submissions", json=body, headers={"Origin": "https://evil.example"})
    assert answer.status_code == 403 and only_message(answer, "origin")
    assert count(app) == 0


@pytest.mark.parametrize(
    ("case", "status"),
    [("agent", 403), ("forged", 422), ("wrong_form", 422), ("fast", 422), ("honeypot", 422), ("missing", 422)],
)
def test_no_verdict_is_answered_with_a_success(app, client, case, status):
    app.config["FORM_MIN_FILL_SECONDS"] = 60 if case == "fast" else 0
    token = {"forged": "abc", "wrong_form": fresh_token(client, "full"), "missing": None}.get(case, fresh_token(client))
    extra = {"website": "x"} if case == "honeypot" else {}
    answer = send(client, token, agent="python-requests/2.32" if case == "agent" else BROWSER, **extra)
    assert answer.status_code == status
    assert answer.get_json().get("status") != "accepted" and "id" not in answer.get_json()
    assert count(app) == 0

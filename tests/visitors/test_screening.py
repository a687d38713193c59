"""Bot checks in their order: user agent, token, token reuse, honeypot, origin; the form's traps answer like people."""

import time

import pytest
from sqlalchemy import func, select

from signup import db
from signup.db import Submission
from signup.visitors import screening, tokens
from tests.conftest import form_token

pytestmark = pytest.mark.both_databases


def count(app):
    with app.app_context(), db.session() as session:
        return session.scalar(select(func.count()).select_from(Submission))


def post(client, token, headers=None, **fields):
    data = {"form_token": token, "website": "", "email": "ada@example.com", "consent": "yes", **fields}
    return client.post("/f/news", data=data, headers=headers or {})


def caught(client, rule, form="news"):
    text = client.get("/metrics").get_data(as_text=True)
    prefix = f'signup_bot_checks_total{{form="{form}",rule="{rule}"}}'
    line = next((x for x in text.splitlines() if x.startswith(prefix)), None)
    return float(line.split()[-1]) if line else 0.0


@pytest.mark.parametrize("agent", ["", "curl/8.5.0", "python-requests/2.32", "Go-http-client/1.1", "Scrapy/2.11"])
def test_bot_like_user_agents_are_trapped(app, client, agent):
    answer = post(client, form_token(client, "news"), headers={"User-Agent": agent})
    assert (answer.status_code, answer.headers["Location"]) == (303, "/f/news/thanks?lang=en&to=a***@example.com")
    assert count(app) == 0 and caught(client, "user_agent") == 1


@pytest.mark.parametrize(
    ("agent", "bot"),
    [
        ("", True),
        ("   ", True),
        ("curl/8.5.0", True),
        ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", True),
        ("Mozilla/5.0 (compatible; bingbot/2.0)", True),
        ("SomeBot", True),
        ("AXIOS/1.7.2", True),
        ("GuzzleHttp/7", True),
        ("Mozilla/5.0 (Linux; Android 14; CUBOT X30) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36", True),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0", False),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Version/18.1 Safari", False),
        ("Bottle-shop browser 1.0", False),  # "bot" inside a word is not a bot
    ],
)
def test_which_user_agents_are_scripted_or_crawlers(agent, bot):
    assert screening.is_bot_agent(agent) is bot


def test_a_browser_user_agent_passes(app, client):
    agent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36"
    assert post(client, form_token(client, "news"), headers={"User-Agent": agent}).status_code == 303
    assert count(app) == 1


def test_too_fast_is_trapped_and_a_person_s_pace_passes(app, client):
    app.config["FORM_MIN_FILL_SECONDS"] = 2
    with app.test_request_context():
        fast, slow = tokens.issue("news"), tokens.issue("news", now=time.time() - 3)
    assert post(client, fast).status_code == 303 and count(app) == 0
    assert caught(client, "token_too_fast") == 1
    assert post(client, slow).status_code == 303 and count(app) == 1


def test_a_replayed_token_makes_no_second_sign_up(app, client):
    token = form_token(client, "news")
    assert post(client, token).status_code == 303
    assert post(client, token, email="grace@example.com").status_code == 303
    assert count(app) == 1 and caught(client, "token_reused") == 1


def test_a_rejected_submission_does_not_use_up_its_token(app, client):
    token = form_token(client, "news")
    assert post(client, token, email="nope").status_code == 422
    assert post(client, token).status_code == 303
    assert count(app) == 1


def test_honeypot_trap_answers_promptly_and_stores_nothing(app, client):
    started = time.monotonic()
    post(client, form_token(client, "news"), website="http://spam.example")
    assert time.monotonic() - started < 1.0
    assert count(app) == 0 and caught(client, "honeypot") == 1


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Origin": "http://localhost"}, 303),  # our own page, inside the iframe
        ({"Origin": "https://shop.example.com"}, 303),  # an allowed site's own copy of the form
        ({"Sec-Fetch-Site": "same-origin"}, 303),
        ({"Origin": "https://evil.example"}, 403),
        ({"Origin": "null"}, 403),
        ({"Sec-Fetch-Site": "cross-site"}, 403),
    ],
)
def test_origin_check(app, client, headers, status):
    answer = post(client, form_token(client, "news"), headers=headers)
    assert answer.status_code == status
    assert count(app) == (1 if status == 303 else 0)
    if status == 403:
        assert "allowed to embed it" in answer.get_data(as_text=True)


def test_the_json_api_runs_the_same_checks_and_refuses_openly(app, client):
    token = client.get("/api/forms/news").get_json()["token"]
    body = {"form_token": token, "email": "ada@example.com", "consent": True}
    answer = client.post("/api/forms/news/submissions", json=body, headers={"User-Agent": "curl/8"})
    assert answer.status_code == 403 and "/hooks/news" in answer.get_json()["errors"]["user_agent"][0]
    assert count(app) == 0 and caught(client, "user_agent") == 1
    assert client.post("/api/forms/news/submissions", json=body).status_code == 202
    assert client.post("/api/forms/news/submissions", json={**body, "email": "b@example.com"}).status_code == 422
    assert count(app) == 1 and caught(client, "token_reused") == 1


def test_list_bombing_guard_holds_back_calls_beyond_the_daily_cap(app, client, fake_esputnik):
    from signup.delivery import worker

    app.config["MAX_SIGNUPS_PER_ADDRESS_PER_DAY"] = 2
    for form_id, extra in (("news", {"consent": "yes"}), ("full", {}), ("away", {})):
        answer = client.post(
            f"/f/{form_id}", data={"form_token": form_token(client, form_id), "email": "victim@example.com", **extra}
        )
        assert answer.status_code == 303
    worker.drain(app)
    with app.app_context(), db.session() as session:
        rows = session.scalars(select(Submission).order_by(Submission.created_at)).all()
    assert [r.state for r in rows] == ["delivered", "delivered", "limited"]
    assert "more than 2 sign-ups for this address in 24 hours" in rows[-1].last_error
    assert len(fake_esputnik.subscribe_calls()) == 2

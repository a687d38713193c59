"""Security headers on every page, and secrets that never reach a response, a log line or a metric."""

import base64
import logging

import pytest
from sqlalchemy import select

from signup import db
from signup.db import Attempt, Submission
from signup.delivery import worker
from tests.conftest import form_token

API_KEY = "sk-LIVE-9f8e7d6c5b4a3210"
HOOK_TOKEN = "whk-0a1b2c3d4e5f6789"
ADMIN_PASSWORD = "adm-pw-77-secret"
SECRETS = (API_KEY, HOOK_TOKEN, ADMIN_PASSWORD)


def test_every_answer_carries_the_basic_headers(client):
    for path in ("/f/news", "/f/nope", "/api/forms/news", "/healthz", "/metrics", "/admin/"):
        headers = client.get(path).headers
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["Referrer-Policy"] in ("strict-origin-when-cross-origin", "same-origin"), path
        assert "Content-Security-Policy" in headers, path
        assert "Strict-Transport-Security" not in headers, path


def test_hsts_when_served_over_https(client):
    headers = client.get("/f/news", base_url="https://forms.example.com").headers
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_oversized_bodies_get_413(client):
    answer = client.post("/api/forms/news/submissions", data="x" * 100_000, content_type="application/json")
    assert answer.status_code == 413 and answer.get_json()["error"] == (
        "The request is larger than 65536 bytes: send only the form's fields."
    )


@pytest.fixture
def settings(settings):
    settings.update(ESPUTNIK_API_KEY=API_KEY, WEBHOOK_TOKEN=HOOK_TOKEN, ADMIN_PASSWORD=ADMIN_PASSWORD)
    return settings


def _exercise(app, client, fake):
    """Drive every path that touches a secret and return every response."""
    basic = base64.b64encode(f"wp:{HOOK_TOKEN}".encode()).decode()
    responses = [
        client.get("/f/news"),
        client.post("/f/news", data={"form_token": form_token(client, "news"), "email": "a@example.com"}),
        client.post(
            "/f/news", data={"form_token": form_token(client, "news"), "email": "a@example.com", "consent": "1"}
        ),
        client.get("/api/forms/news"),
        client.post(f"/hooks/news?token={HOOK_TOKEN}", json={"email": "b@example.com"}),
        client.post("/hooks/news", json={"email": "c@example.com"}, headers={"X-Webhook-Token": HOOK_TOKEN}),
        client.post("/hooks/news", json={"email": "d@example.com"}, headers={"Authorization": f"Basic {basic}"}),
        client.post(f"/hooks/news?token={HOOK_TOKEN[:-1]}", json={"email": "e@example.com"}),
        client.post(f"/hooks/news?token={HOOK_TOKEN}", data=b"{broken", content_type="application/json"),
        client.get("/admin/", auth=("admin", ADMIN_PASSWORD)),
        client.get("/admin/", auth=("admin", ADMIN_PASSWORD + "x")),
        client.get("/readyz"),
        client.get("/nope"),
        client.put("/f/news"),
    ]
    fake.api_key = API_KEY
    fake.then(("status", 500), ("drop",), ("hang", 2.0), ("status", 400, "bad"), ("status", 401))
    app.config["DELIVERY_PROBE_SECONDS"] = 0.2
    worker.drain(app, timeout=3)
    responses.append(client.get("/metrics"))
    responses.append(client.get("/admin/", auth=("admin", ADMIN_PASSWORD)))
    return responses


def test_secrets_appear_in_no_response_log_line_metric_or_stored_reason(app, client, fake_esputnik, caplog):
    caplog.set_level(logging.DEBUG)
    responses = _exercise(app, client, fake_esputnik)
    app.extensions["signup.engine"].dispose()
    app.config["DATABASE_URL"] = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    db.init_app(app)  # the database is now unreachable: the request fails with a 500 page
    responses.append(client.post("/hooks/news", json={"email": "f@example.com"}, query_string={"token": HOOK_TOKEN}))
    assert responses[-1].status_code == 500
    texts = [r.get_data(as_text=True) + str(r.headers) for r in responses]
    texts.append(caplog.text)
    texts += [record.getMessage() + str(record.exc_info) + str(record.__dict__) for record in caplog.records]
    for text in texts:
        for secret in SECRETS:
            assert secret not in text


@pytest.mark.both_databases
def test_stored_reasons_hold_no_secret(app, client, fake_esputnik):
    _exercise(app, client, fake_esputnik)
    with app.app_context(), db.session() as session:
        stored = [str(row.__dict__) for row in session.scalars(select(Submission))]
        stored += [str(row.__dict__) for row in session.scalars(select(Attempt))]
    assert stored
    for text in stored:
        for secret in SECRETS:
            assert secret not in text

"""Webhook intake for a flat body of our field names: tokens, formats, answers."""

import base64
import json

import pytest
from sqlalchemy import select

from signup import db
from signup.db import Submission

TOKEN = "hook-secret-123"


def rows(app):
    with app.app_context(), db.session() as session:
        return session.scalars(select(Submission)).all()


@pytest.mark.parametrize(
    "auth",
    [
        {"query_string": {"token": TOKEN}},
        {"headers": {"X-Webhook-Token": TOKEN}},
        {"headers": {"Authorization": f"Bearer {TOKEN}"}},
        {"headers": {"Authorization": "Basic " + base64.b64encode(f"wp:{TOKEN}".encode()).decode()}},
    ],
)
def test_each_token_placement_is_accepted_with_200(app, client, auth):
    answer = client.post("/hooks/news", json={"email": "a@example.com", "first_name": "Ada"}, **auth)
    assert answer.status_code == 200
    assert answer.get_json()["status"] == "accepted"
    (row,) = rows(app)
    assert row.source == "webhook"
    assert json.loads(row.payload)["contact"]["firstName"] == "Ada"


@pytest.mark.parametrize("auth", [{}, {"query_string": {"token": "wrong"}}, {"headers": {"Authorization": "Bearer x"}}])
def test_missing_or_wrong_token_is_401_and_nothing_is_stored(app, client, auth):
    answer = client.post("/hooks/news", json={"email": "a@example.com"}, **auth)
    assert answer.status_code == 401
    assert "token" in answer.get_json()["error"]
    assert rows(app) == []


def test_webhooks_refuse_when_no_token_is_configured(app, client):
    app.config["WEBHOOK_TOKEN"] = ""
    answer = client.post("/hooks/news", json={"email": "a@example.com"}, query_string={"token": ""})
    assert answer.status_code == 401 and "WEBHOOK_TOKEN" in answer.get_json()["error"]


@pytest.mark.both_databases
def test_form_encoded_get_and_trailing_slash_all_work_without_redirect(app, client):
    assert client.post("/hooks/news", data={"email": "a@example.com", "token": TOKEN}).status_code == 401
    assert client.post(f"/hooks/news?token={TOKEN}", data={"email": "a@example.com"}).status_code == 200
    assert client.get("/hooks/news", query_string={"token": TOKEN, "email": "b@example.com"}).status_code == 200
    assert client.post(f"/hooks/news/?token={TOKEN}", json={"email": "c@example.com"}).status_code == 200
    assert sorted(r.contact_key for r in rows(app)) == ["a@example.com", "b@example.com", "c@example.com"]


def test_consent_is_the_plugin_form_s_business(app, client):
    assert client.post(f"/hooks/news?token={TOKEN}", json={"email": "a@example.com"}).status_code == 200


def test_invalid_input_is_422_with_reasons(app, client):
    answer = client.post(f"/hooks/news?token={TOKEN}", json={"email": "nope", "first_name": "A!"})
    assert answer.status_code == 422
    assert set(answer.get_json()["errors"]) == {"email", "first_name"}
    assert rows(app) == []


def test_unknown_form_is_404_json(client):
    answer = client.post(f"/hooks/nope?token={TOKEN}", json={"email": "a@example.com"})
    assert answer.status_code == 404 and answer.is_json


def test_unreadable_body_is_422(client):
    answer = client.post(f"/hooks/news?token={TOKEN}", data=b"{oops", content_type="application/json")
    assert answer.status_code == 422 and answer.get_json()["error"] == "The body is not valid JSON."

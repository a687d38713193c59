"""The JSON API: a form's definition with a token, and submissions from scripts with CORS."""

import pytest
from sqlalchemy import func, select

from signup import db
from signup.db import Submission


def count(app):
    with app.app_context(), db.session() as session:
        return session.scalar(select(func.count()).select_from(Submission))


def definition(client, form_id="news", **params):
    answer = client.get(f"/api/forms/{form_id}", query_string=params)
    assert answer.status_code == 200
    return answer.get_json()


def test_definition_lists_fields_labels_texts_and_a_token(client):
    data = definition(client, lang="uk")
    assert data["id"] == "news" and data["language"] == "uk"
    assert [f["name"] for f in data["fields"]] == ["email", "first_name", "last_name"]
    assert data["fields"][0] == {
        "name": "email",
        "label": data["fields"][0]["label"],
        "type": "email",
        "autocomplete": "email",
        "required": True,
    }
    assert data["consent"] == "Я погоджуюся отримувати розсилку."
    assert data["token"] and data["token_field"] == "form_token" and data["honeypot_field"] == "website"


@pytest.mark.both_databases
def test_json_submission_is_accepted_with_202(app, client):
    token = definition(client)["token"]
    answer = client.post(
        "/api/forms/news/submissions", json={"form_token": token, "email": "a@example.com", "consent": True}
    )
    assert answer.status_code == 202
    body = answer.get_json()
    assert body["status"] == "accepted" and len(body["id"]) == 32
    assert count(app) == 1


def test_form_encoded_submission_is_accepted(app, client):
    token = definition(client)["token"]
    answer = client.post("/api/forms/news/submissions", data={"form_token": token, "email": "a@x.com", "consent": "on"})
    assert answer.status_code == 202 and count(app) == 1


def test_invalid_submission_gets_422_with_errors_per_field(app, client):
    token = definition(client)["token"]
    answer = client.post("/api/forms/news/submissions", json={"form_token": token, "email": "nope"})
    assert answer.status_code == 422
    assert answer.get_json() == {
        "errors": {
            "email": ["Enter a valid email address, like name@example.com."],
            "consent": ["Please tick the box to agree."],
        }
    }
    assert count(app) == 0


def test_missing_token_says_where_to_get_one(app, client):
    answer = client.post("/api/forms/news/submissions", json={"email": "a@example.com", "consent": True})
    assert answer.status_code == 422
    assert "GET /api/forms/news" in answer.get_json()["errors"]["form_token"][0]


def test_honeypot_is_refused_with_a_reason_not_faked(app, client):
    token = definition(client)["token"]
    answer = client.post(
        "/api/forms/news/submissions",
        json={"form_token": token, "email": "a@example.com", "consent": True, "website": "x"},
    )
    assert answer.status_code == 422 and answer.get_json()["errors"]["website"]
    assert count(app) == 0


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{not json", "application/json"),
        (b"[1,2]", "application/json"),
        (b"\xff\xfe", "application/json"),
        (b"<xml/>", "application/xml"),
        (b'"text"', "application/json"),
    ],
)
def test_unreadable_bodies_get_400_with_a_reason(client, body, content_type):
    answer = client.post("/api/forms/news/submissions", data=body, content_type=content_type)
    assert answer.status_code == 400
    assert answer.get_json()["errors"]["body"]


def test_cors_only_for_allowed_origins(client):
    allowed = client.options("/api/forms/news/submissions", headers={"Origin": "https://shop.example.com"})
    assert allowed.status_code == 204
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://shop.example.com"
    other = client.options("/api/forms/news/submissions", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_a_foreign_site_cannot_submit(app, client):
    token = definition(client)["token"]
    answer = client.post(
        "/api/forms/news/submissions",
        json={"form_token": token, "email": "a@example.com", "consent": True},
        headers={"Origin": "https://evil.example"},
    )
    assert answer.status_code == 403 and count(app) == 0


def test_unknown_form_is_json_404(client):
    answer = client.get("/api/forms/nope")
    assert answer.status_code == 404 and answer.get_json()["error"] == "There is no such form."

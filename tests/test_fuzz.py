"""Property tests: whatever arrives, never a 5xx, and nothing invalid is ever stored for delivery."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from signup import db, validation
from signup.db import Submission
from tests.conftest import form_token
from tests.fake_esputnik import shape_problem

FIELDS = ["email", "phone", "first_name", "last_name", "town", "region", "address", "postcode", "city", "consent"]
FUZZ = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
text = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["ada@example.com", "+380501234567", "050 123 45 67", "Ada", "yes", "", " ", "\x00", "\ufffd"]),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=30, max_size=2000),
)
keys = st.one_of(st.sampled_from(FIELDS), st.text(max_size=20))
flat = st.dictionaries(keys, text, max_size=12)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=6),
    max_leaves=20,
)


def assert_stored_is_valid(app):
    """Every stored payload is one eSputnik accepts and our own checks pass."""
    with app.app_context(), db.session() as session:
        payloads = [json.loads(p) for p in session.scalars(select(Submission.payload))]
    for payload in payloads:
        assert shape_problem(payload) is None, payload
        contact = payload["contact"]
        for channel in contact["channels"]:
            if channel["type"] == "email":
                assert validation.clean_email(channel["value"]) == (channel["value"], None)
        with app.test_request_context():
            for key in ("firstName", "lastName"):
                if key in contact:
                    assert validation.name_problem(contact[key], limit_words=key == "firstName") is None


@FUZZ
@given(data=flat, with_token=st.booleans(), form_id=st.sampled_from(["news", "phone", "full"]))
def test_form_post(app, client, data, with_token, form_id):
    if with_token:
        data = {**data, "form_token": form_token(client, form_id), "website": ""}
    answer = client.post(f"/f/{form_id}", data=data)
    assert answer.status_code in (303, 403, 422), answer.status_code
    assert_stored_is_valid(app)


@FUZZ
@given(body=json_values, form_id=st.sampled_from(["news", "full"]))
def test_json_api(app, client, body, form_id):
    if isinstance(body, dict):
        body = {**body, "form_token": client.get(f"/api/forms/{form_id}").get_json()["token"]}
    answer = client.post(f"/api/forms/{form_id}/submissions", json=body)
    assert answer.status_code in (202, 400, 422), answer.status_code
    assert_stored_is_valid(app)
    if answer.status_code == 202:  # a program is never told "accepted" for a sign-up that was not stored
        with app.app_context(), db.session() as session:
            assert session.get(Submission, answer.get_json()["id"]) is not None


@FUZZ
@given(
    body=st.one_of(
        json_values.map(lambda v: ("json", v)), flat.map(lambda v: ("form", v)), flat.map(lambda v: ("get", v))
    ),
    raw=st.binary(max_size=200),
    content_type=st.sampled_from(["application/json", "application/x-www-form-urlencoded", "text/plain", "image/png"]),
)
def test_webhook_intake(app, client, body, raw, content_type):
    kind, value = body
    url = "/hooks/full?token=hook-secret-123"
    if kind == "json":
        answers = [client.post(url, json=value)]
    elif kind == "form":
        answers = [client.post(url, data=value)]
    else:
        query = {**{k: v for k, v in value.items() if k != "token"}, "token": "hook-secret-123"}
        answers = [client.get("/hooks/full", query_string=query)]
    answers.append(client.post(url, data=raw, content_type=content_type))
    for answer in answers:
        assert answer.status_code in (200, 401, 422), answer.status_code
    assert_stored_is_valid(app)


@pytest.mark.parametrize("path", ["/f/news", "/api/forms/news/submissions", "/hooks/news?token=hook-secret-123"])
@pytest.mark.parametrize(
    "raw",
    [b"%", b"a=%zz&b=%", b"\xff" * 50, b"email=" + b"%C0%AF" * 20, b"=&=&=", b'{"email": "\\ud800"}', b"[" * 5000],
)
def test_raw_malformed_bodies(client, path, raw):
    for content_type in ("application/x-www-form-urlencoded", "application/json", "multipart/form-data"):
        assert client.post(path, data=raw, content_type=content_type).status_code < 500

"""Rate limits: per client address and form for visitors, per token for webhooks, shared through Redis."""

import secrets

import pytest
import redis

from signup import create_app
from tests.conftest import REDIS_URL, SECRET, form_token, missing_service

TOKEN = "hook-secret-123"


def person(client, form_id="news", **headers):
    data = {"form_token": form_token(client, form_id), "email": "ada@example.com", "consent": "yes"}
    return client.post(f"/f/{form_id}", data=data, headers=headers)


@pytest.fixture
def limited(settings):
    settings.update(RATE_LIMIT="3/minute", WEBHOOK_RATE_LIMIT="4/minute")
    return settings


def test_visitors_are_limited_per_address_and_form_with_a_friendly_429(limited, app, client):
    assert [person(client).status_code for _ in range(3)] == [303, 303, 303]
    answer = person(client)
    assert answer.status_code == 429
    assert "Too many attempts" in answer.get_data(as_text=True)
    assert answer.headers["Retry-After"]
    assert person(client, "away").status_code == 303  # another form has its own count
    other = {"REMOTE_ADDR": "10.0.0.9"}
    data = {"form_token": form_token(client, "news"), "email": "b@example.com", "consent": "yes"}
    assert client.post("/f/news", data=data, environ_base=other).status_code == 303


def test_the_json_api_is_limited_with_a_json_429(limited, app, client):
    for _ in range(3):
        client.post("/api/forms/news/submissions", json={})
    answer = client.post("/api/forms/news/submissions", json={})
    assert answer.status_code == 429 and answer.get_json()["error"].startswith("Too many attempts")


def test_showing_the_form_is_not_limited(limited, app, client):
    assert all(client.get("/f/news").status_code == 200 for _ in range(10))


def test_a_spoofed_forwarded_for_changes_nothing(limited, app, client):
    for n in range(3):
        person(client, **{"X-Forwarded-For": f"203.0.113.{n}"})
    assert person(client, **{"X-Forwarded-For": "198.51.100.7"}).status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_address_counts(limited, settings):
    app = create_app({**settings, "TRUSTED_PROXY_HOPS": 1}, environ={"SECRET_KEY": SECRET})
    client = app.test_client()
    from signup import db

    with app.app_context():
        db.migrate()
    for _ in range(3):
        assert person(client, **{"X-Forwarded-For": "203.0.113.1"}).status_code == 303
    assert person(client, **{"X-Forwarded-For": "203.0.113.1"}).status_code == 429
    assert person(client, **{"X-Forwarded-For": "203.0.113.2"}).status_code == 303


def test_webhooks_are_limited_per_token(limited, app, client):
    for _ in range(4):
        assert client.post(f"/hooks/news?token={TOKEN}", json={"email": "a@example.com"}).status_code == 200
    answer = client.post(f"/hooks/news?token={TOKEN}", json={"email": "a@example.com"})
    assert answer.status_code == 429 and answer.is_json


def test_off_disables_every_limit(settings, app, client):
    assert app.config["RATE_LIMIT"] is None
    assert all(person(client).status_code == 303 for _ in range(12))
    assert all(
        client.post(f"/hooks/news?token={TOKEN}", json={"email": "a@x.com"}).status_code == 200 for _ in range(5)
    )


def test_instances_share_limits_through_redis(limited):
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping()
    except redis.RedisError as exc:
        missing_service(f"Redis at {REDIS_URL} ({type(exc).__name__})")
    shared = {**limited, "REDIS_URL": REDIS_URL, "RATE_LIMIT": f"3/minute;{secrets.randbelow(10**6) + 1000}/day"}
    first = create_app(shared, environ={"SECRET_KEY": SECRET})
    second = create_app(shared, environ={"SECRET_KEY": SECRET})
    from signup import db

    with first.app_context():
        db.migrate()
    clients = [first.test_client(), second.test_client()]
    # An address of its own: other test runs share this Redis and its one-minute buckets.
    address = f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"
    for each in clients:
        each.environ_base["REMOTE_ADDR"] = address
    statuses = [person(clients[n % 2]).status_code for n in range(4)]
    assert statuses == [303, 303, 303, 429]

"""The eSputnik client: payload mapping, and the meaning of each answer, against the fake server."""

import base64
import json
import socket

import pytest

from signup.delivery import esputnik
from signup.forms import catalogue

FORM = catalogue.parse(
    """
[forms.full]
form_type = "newsletter"
groups = ["Subscribers"]
fields = ["email", "phone", "first_name", "last_name", "town", "region", "address", "postcode", "city"]
[forms.full.custom_fields]
city = 12345
"""
)["full"]


def config(fake, **extra):
    return {
        "ESPUTNIK_API_URL": fake.url,
        "ESPUTNIK_API_KEY": "test-key",
        "ESPUTNIK_CONNECT_TIMEOUT": 1.0,
        "ESPUTNIK_READ_TIMEOUT": 0.5,
        **extra,
    }


def test_payload_is_the_one_of_the_contract():
    values = {
        "email": "ada@example.com",
        "phone": "+380501234567",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "town": "Kyiv",
        "region": "Kyivska",
        "address": "Khreshchatyk 1",
        "postcode": "01001",
        "city": "Kyiv",
    }
    assert esputnik.build_payload(FORM, values, "uk") == {
        "contact": {
            "channels": [{"type": "email", "value": "ada@example.com"}, {"type": "sms", "value": "+380501234567"}],
            "firstName": "Ada",
            "lastName": "Lovelace",
            "address": {"town": "Kyiv", "region": "Kyivska", "address": "Khreshchatyk 1", "postcode": "01001"},
            "fields": [{"id": 12345, "value": "Kyiv"}],
            "languageCode": "uk",
        },
        "groups": ["Subscribers"],
        "formType": "newsletter",
    }


def test_keys_without_value_are_left_out():
    form = catalogue.parse('[forms.p]\nform_type = "p"\nfields = ["phone"]\n')["p"]
    assert esputnik.build_payload(form, {"phone": "+380501234567"}, "en") == {
        "contact": {"channels": [{"type": "sms", "value": "+380501234567"}], "languageCode": "en"},
        "formType": "p",
    }


def test_encoding_keeps_cyrillic_readable():
    assert esputnik.encode({"a": "Ада"}) == '{"a":"Ада"}'


def test_a_call_carries_basic_auth_json_and_the_body(fake_esputnik):
    body = esputnik.encode(esputnik.build_payload(FORM, {"email": "a@example.com"}, "en"))
    answer = esputnik.subscribe(config(fake_esputnik), body)
    assert answer.outcome == "delivered" and answer.status == 200
    (call,) = fake_esputnik.subscribe_calls()
    assert call.method == "POST"
    assert call.headers["Content-Type"] == "application/json; charset=UTF-8"
    user_pass = base64.b64decode(call.headers["Authorization"].split()[1]).decode()
    assert user_pass.split(":", 1)[1] == "test-key"
    assert call.body.decode() == body


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (200, "delivered"),
        (409, "delivered"),
        (400, "refused"),
        (415, "refused"),
        (401, "paused"),
        (403, "paused"),
        (404, "paused"),
        (429, "throttled"),
        (500, "retry"),
        (502, "retry"),
        (503, "retry"),
    ],
)
def test_each_status_has_its_meaning(fake_esputnik, status, outcome):
    fake_esputnik.then(("status", status, '{"message":"Contact is invalid"}'))
    answer = esputnik.subscribe(config(fake_esputnik), '{"contact":{"channels":[]}}')
    assert (answer.outcome, answer.status) == (outcome, status)


def test_refusal_keeps_eSputnik_reason(fake_esputnik):
    fake_esputnik.then(("status", 400, '{"message":"Invalid phone"}'))
    assert esputnik.subscribe(config(fake_esputnik), "{}").detail == "Invalid phone"


def test_retry_after_is_read(fake_esputnik):
    fake_esputnik.then(("status", 429, "slow down", {"Retry-After": "7"}))
    answer = esputnik.subscribe(config(fake_esputnik), "{}")
    assert (answer.outcome, answer.retry_after) == ("throttled", 7.0)


def test_a_hang_past_the_read_timeout_is_an_unknown_outcome(fake_esputnik):
    fake_esputnik.then(("hang", 2.0))
    assert esputnik.subscribe(config(fake_esputnik), "{}").outcome == "unknown"


def test_a_dropped_connection_is_an_unknown_outcome(fake_esputnik):
    fake_esputnik.then(("drop",))
    assert esputnik.subscribe(config(fake_esputnik), "{}").outcome == "unknown"


def test_a_refused_connection_is_retried_as_not_sent():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    answer = esputnik.subscribe(
        {
            "ESPUTNIK_API_URL": f"http://127.0.0.1:{port}",
            "ESPUTNIK_API_KEY": "k",
            "ESPUTNIK_CONNECT_TIMEOUT": 1,
            "ESPUTNIK_READ_TIMEOUT": 1,
        },
        "{}",
    )
    assert answer.outcome == "retry"


def test_the_fake_checks_what_the_api_checks(fake_esputnik):
    assert esputnik.subscribe(config(fake_esputnik, ESPUTNIK_API_KEY="wrong"), "{}").status == 401
    bad = json.dumps({"contact": {"channels": {"type": "email", "value": "a@example.com"}}})
    assert esputnik.subscribe(config(fake_esputnik), bad).status == 400


def test_account_info(fake_esputnik):
    answer, name = esputnik.account_info(config(fake_esputnik))
    assert (answer.status, answer.detail, name) == (200, "key accepted (Test shop)", "Test shop")
    answer, name = esputnik.account_info(config(fake_esputnik, ESPUTNIK_API_KEY="wrong"))
    assert (answer.outcome, answer.status, name) == ("paused", 401, None) and "ESPUTNIK_API_KEY" in answer.detail


def test_the_key_never_appears_in_an_answer(fake_esputnik):
    for action in (("status", 400, "bad"), ("status", 401), ("hang", 2.0), ("drop",), ("status", 500)):
        fake_esputnik.then(action)
        answer = esputnik.subscribe(config(fake_esputnik), "{}")
        assert "test-key" not in repr(answer)


def test_a_proxy_named_in_the_environment_carries_the_calls(fake_esputnik, monkeypatch):
    # The environment is read once per URL: the worker's Session no longer reads it at every call.
    monkeypatch.setattr(esputnik, "_environment", {})
    monkeypatch.setenv("HTTP_PROXY", fake_esputnik.url)
    for name in ("NO_PROXY", "no_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    body = esputnik.encode(esputnik.build_payload(FORM, {"email": "a@example.com"}, "en"))
    answer = esputnik.subscribe(config(fake_esputnik, ESPUTNIK_API_URL="http://esputnik.invalid"), body)
    assert answer.outcome == "delivered"
    (call,) = fake_esputnik.calls
    assert call.path == "http://esputnik.invalid/api/v1/contact/subscribe"  # the absolute form a proxy is sent

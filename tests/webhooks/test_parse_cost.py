"""Hostile bodies cost work in proportion to their size, and nothing at all before the token is checked.

The work is counted, not timed: every Python and C function call made while a body is handled,
seen through sys.setprofile. Linear code makes about 8 times the calls for 8 times the entries;
code that rescans every key for each key makes about 64 times.
"""

import json
import sys
from urllib.parse import urlencode

import pytest

from signup.forms import catalogue
from signup.webhooks import auth, bodies, brackets, plugins, recognition
from tests.conftest import FORMS_FILE
from tests.wordpress import FORM, wpforms_signature

TOKEN = "hook-secret-123"
SMALL, LARGE = 1_000, 8_000


def calls_made(action, *args):
    """Return how many function calls (Python and C) `action(*args)` makes."""
    count = 0

    def profiler(_frame, event, _arg):
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sys.setprofile(profiler)
    try:
        action(*args)
    finally:
        sys.setprofile(None)
    return count


def grows_linearly(action, shape, small=SMALL, large=LARGE):
    """Tell whether `action` on a shape `large / small` times as large makes at most about that many times the calls."""
    few, many = calls_made(action, shape(small)), calls_made(action, shape(large))
    return many <= 1.25 * large / small * few, (few, many)


def bracket_list(n):
    return {"a[]": ["x"] * n}


def bracket_rows(n):
    return {f"rows[][k{i}]": "x" for i in range(n)} | {f"n[{i}][]": "y" for i in range(n)}


def gravity_names(n):
    return {"id": "1", "form_id": "2", "date_created": "2025-01-01", **{f"{i}.3": "Ada" for i in range(n)}}


def deep_keys(n):
    return {f"f{i}[a][b][c][d][e][f][g]": "x" for i in range(n)}


def gravity_mixed(n):
    return {"form_id": "2", "date_created": "x", **{f"{i}.{i % 9}": "v" for i in range(n)}}


@pytest.mark.parametrize("shape", [bracket_list, bracket_rows])
def test_nesting_php_brackets_is_linear(shape):
    linear, counts = grows_linearly(brackets.nest, shape)
    assert linear, counts


@pytest.mark.parametrize(
    "shape", [gravity_names, gravity_mixed, bracket_list, lambda n: {"__form_id": 1} | {f"f{i}": "x" for i in range(n)}]
)
def test_recognising_the_plugin_is_linear(shape):
    linear, counts = grows_linearly(lambda data: plugins.read(brackets.nest(data), {}), shape)
    assert linear, counts


def test_finding_the_contact_among_many_items_is_linear(app):
    def items(n):
        return [plugins.Item(f"field {i}", f"value {i}", label=f"Label {i}") for i in range(n)]

    with app.test_request_context():
        form = catalogue.find("full")
        linear, counts = grows_linearly(lambda many: recognition.extract(form, many), items)
    assert linear, counts


def test_counting_the_values_of_a_body_stops_past_the_limit():
    wide = {"a": list(range(50_000))}
    assert bodies.count_values({"a": [1, {"b": [2, 3]}]}) == 6  # a, its 2 entries, b, its 2 entries
    assert calls_made(bodies.count_values, wide) == calls_made(bodies.count_values, {"a": list(range(5_000))})


def hostile_form(n):
    return ("&".join(["a[]="] * n)).encode()


def test_an_unauthenticated_body_is_refused_without_being_read(client):
    """The same calls are made whatever the body holds: it is never parsed before the token is checked."""

    def post(body, content_type=FORM):
        answer = client.post("/hooks/news", data=body, content_type=content_type)
        assert answer.status_code == 401 and "token" in answer.get_json()["error"]

    small = calls_made(post, hostile_form(10))
    assert calls_made(post, hostile_form(13_000)) < small * 1.2
    assert calls_made(post, b'{"email": "a@example.com", ' * 2_000, "application/json") < small * 1.2
    with_token = client.post(f"/hooks/news?token={TOKEN}", data=b'{"email": ', content_type="application/json")
    assert with_token.status_code == 422


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (hostile_form(13_000), FORM),
        ("&".join(f"{i}.3=" for i in range(7_000)).encode(), FORM),
        (b'{"a": [' + b",".join([b"1"] * 20_000) + b"]}", "application/json"),
    ],
)
def test_too_many_values_with_a_valid_token_is_413_saying_what_to_send(client, body, content_type):
    answer = client.post(f"/hooks/news?token={TOKEN}", data=body, content_type=content_type)
    assert answer.status_code == 413
    assert answer.get_json()["error"] == (
        f"The body holds more than {bodies.MAX_VALUES} fields and list entries: send only the sign-up's fields."
    )


@pytest.mark.parametrize(
    "body",
    [
        {"entries": json.dumps({f"mf-{i}": "x" for i in range(2_000)}), "entry_id": "1", "form_id": "2"},
        {"ninja": json.dumps({f"f{i}": "x" for i in range(2_000)})},
    ],
)
def test_json_inside_a_value_is_held_to_the_same_cap(client, body):
    answer = client.post(f"/hooks/news?token={TOKEN}", json=body)
    assert answer.status_code == 413 and str(bodies.MAX_VALUES) in answer.get_json()["error"]


def test_the_cap_is_said_in_the_form_s_language(client):
    answer = client.post(f"/hooks/full?token={TOKEN}", data=hostile_form(2_000), content_type=FORM)
    assert answer.status_code == 413 and "Тіло запиту" in answer.get_json()["error"]


def test_the_json_api_refuses_too_many_values_with_413(client):
    body = {f"k{i}": "x" for i in range(bodies.MAX_VALUES + 1)}
    answer = client.post("/api/forms/news/submissions", json=body)
    assert answer.status_code == 413 and str(bodies.MAX_VALUES) in answer.get_json()["error"]


def test_a_gravity_body_just_under_the_cap_is_accepted(app, client):
    body = {"id": "9", "form_id": "2", "date_created": "2025-01-01 10:00:00", "1": "ada@example.com", "2.3": "Ada"}
    body |= {f"{i}.1": "x" for i in range(10, bodies.MAX_VALUES - 10)}
    answer = client.post(f"/hooks/news?token={TOKEN}", json=body)
    assert answer.status_code == 200 and answer.get_json()["format"] == "gravity"


@pytest.fixture
def signed_form(settings):
    """A form that takes WPForms' signature, beside the test forms."""
    signed = f'[forms.shop]\nform_type = "shop"\nfields = ["email"]\nwpforms_secret = "{"w" * 32}"\n'
    settings["FORMS"] = {**catalogue.load(FORMS_FILE), **catalogue.parse(signed)}


@pytest.mark.parametrize("shape", [bracket_list, gravity_names, deep_keys])
@pytest.mark.parametrize("method", ["POST", "GET"])
def test_a_wrongly_signed_wpforms_form_body_costs_calls_in_proportion_to_its_size(signed_form, client, shape, method):
    """WPForms signs its own JSON of the fields, so a form or GET body is read before a wrong signature is refused."""
    statuses = []

    def send(data):
        query = urlencode(data, doseq=True)
        headers = {auth.SIGNATURE_HEADER: wpforms_signature("not-the-secret", query)}
        if method == "GET":
            answer = client.get(f"/hooks/shop?{query}", headers=headers)
        else:
            answer = client.post("/hooks/shop", data=query, content_type=FORM, headers=headers)
        statuses.append(answer.status_code)

    send(shape(10))  # the first request's one-off work is not the body's
    read, counts = grows_linearly(send, shape, 100, 800)
    assert read and statuses == [401, 401, 401], (counts, statuses)
    capped, counts = grows_linearly(send, shape, 800, 6_400)
    assert capped and statuses[-1] == 413, (counts, statuses)

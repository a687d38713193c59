"""Schema-driven fuzzing: schemathesis sends what the OpenAPI document describes to a live server."""

import itertools
import threading

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.serving import WSGIRequestHandler, make_server

from signup.openapi import document

# Bounds the whole module to well under a minute on a shared machine: 9 operations, this many cases each.
MAX_EXAMPLES = 60
TOKEN = "hook-secret-123"
FORMS = ("news", "phone", "full", "away", "extras")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
SUBMISSIONS = "/api/forms/{form_id}/submissions"
BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0"}


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args):
        pass


@pytest.fixture
def live(app):
    """The app served over HTTP by a real server on loopback."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


def _load():
    """The document as the service builds it; the tests below check the live server serves the same."""
    loaded = schemathesis.openapi.from_dict(document({}))
    loaded.config.generation.update(max_examples=MAX_EXAMPLES)
    return loaded


schema = _load()


@pytest.fixture
def api_schema():
    return schema


def _fresh_token(base, form_id):
    answer = requests.get(f"{base}/api/forms/{form_id}", timeout=5)
    return answer.json()["token"] if answer.status_code == 200 else "none"


# Each case in turn: a real form or the fuzzer's own id, and with or without a real client's help.
VARIANTS = [(form_id, helped) for helped in (True, False) for form_id in (*FORMS, None)]
turns = itertools.count()


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_every_documented_operation_answers_as_documented(case, live):
    """No 5xx; every status, media type, header and body is one the document describes.

    Left alone, the fuzzer rarely guesses a form id, a live single-use token or the webhook token; so
    most cases get a real form, and half get the help a real client has (a fresh token, the webhook token).
    """
    form_id, helped = VARIANTS[next(turns) % len(VARIANTS)]
    if form_id:
        case.path_parameters["form_id"] = form_id
    headers = {}
    if helped and case.operation.path == SUBMISSIONS and case.method == "POST" and isinstance(case.body, dict):
        case.body["form_token"] = _fresh_token(live, case.path_parameters["form_id"])
    if helped and case.operation.path.startswith("/hooks/"):
        headers["X-Webhook-Token"] = TOKEN
    case.call_and_validate(base_url=live, headers=headers, checks=CHECKS)


def _operation(api_schema, path, method):
    return api_schema[path][method]


def test_the_live_server_serves_the_document_the_fuzzer_uses(live):
    assert requests.get(f"{live}/api/openapi.json", timeout=5).json() == schema.raw_schema


def test_the_documented_sign_up_example_is_accepted(api_schema, live):
    """The example body of the document, with a fresh token, is the 202 it promises."""
    operation = _operation(api_schema, SUBMISSIONS, "POST")
    example = operation.definition.raw["requestBody"]["content"]["application/json"]["example"]
    body = {**example, "form_token": _fresh_token(live, "news")}
    answer = requests.post(f"{live}/api/forms/news/submissions", json=body, headers=BROWSER, timeout=5)
    assert answer.status_code == 202
    operation.validate_response(answer)


def test_the_documented_webhook_example_is_accepted(api_schema, live):
    """The webhook's example body, with the token, is the exact 200 plugins count as success."""
    operation = _operation(api_schema, "/hooks/{form_id}", "POST")
    example = operation.definition.raw["requestBody"]["content"]["application/json"]["example"]
    answer = requests.post(f"{live}/hooks/news", json=example, headers={"X-Webhook-Token": TOKEN}, timeout=5)
    assert answer.status_code == 200 and answer.json()["status"] == "accepted"
    operation.validate_response(answer)

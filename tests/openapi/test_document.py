"""The OpenAPI document: valid, complete for every route and status, and true to what the service answers."""

import copy

import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from signup import create_app, throttling
from signup.openapi import coverage
from tests.conftest import FORMS_FILE, SECRET, form_token
from tests.openapi_conformance import Watch, answer_problems

TOKEN = "hook-secret-123"
BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0"}


@pytest.fixture
def doc(client):
    answer = client.get("/api/openapi.json")
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    return answer.get_json()


def test_the_document_is_valid_openapi_3_1(doc):
    assert doc["openapi"].startswith("3.1")
    validate(doc)


def test_the_validator_does_refuse_a_broken_document(doc):
    broken = copy.deepcopy(doc)
    broken["paths"]["/hooks/{form_id}"]["post"]["parameters"] = [{"name": "token", "in": "body"}]
    with pytest.raises(OpenAPIValidationError):
        validate(broken)


def test_any_site_may_read_it_and_it_names_no_host_unless_configured(client, doc):
    answer = client.get("/api/openapi.json", headers={"Host": "evil.example"})
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert "servers" not in doc and "evil.example" not in answer.get_data(as_text=True)


def test_public_url_is_the_server(settings):
    app = create_app({**settings, "PUBLIC_URL": "https://forms.example.com"}, environ={"SECRET_KEY": SECRET})
    answer = app.test_client().get("/api/openapi.json")
    assert answer.get_json()["servers"] == [{"url": "https://forms.example.com"}]


def test_every_api_and_webhook_route_is_documented(app, doc):
    assert coverage.route_problems(doc, app.url_map) == []
    paths = set(doc["paths"])
    assert paths == {
        "/api/forms/{form_id}",
        "/api/forms/{form_id}/submissions",
        "/api/forms/{form_id}/views",
        "/hooks/{form_id}",
    }


def test_a_route_missing_from_the_document_is_reported(app, doc):
    without_hooks = copy.deepcopy(doc)
    del without_hooks["paths"]["/hooks/{form_id}"]
    problems = coverage.route_problems(without_hooks, app.url_map)
    assert "POST /hooks/{form_id} is served but not in the OpenAPI document" in problems
    assert "GET /hooks/{form_id} is served but not in the OpenAPI document" in problems

    without_preflight = copy.deepcopy(doc)
    del without_preflight["paths"]["/api/forms/{form_id}/submissions"]["options"]
    problems = coverage.route_problems(without_preflight, app.url_map)
    assert problems == ["OPTIONS /api/forms/{form_id}/submissions is served but not in the OpenAPI document"]


def test_a_new_route_is_reported_until_it_is_documented(settings, doc):
    app = create_app(settings, environ={"SECRET_KEY": SECRET})
    app.add_url_rule("/api/forms/<form_id>/stats", "api.stats", lambda form_id: "")
    problems = coverage.route_problems(doc, app.url_map)
    assert problems == ["GET /api/forms/{form_id}/stats is served but not in the OpenAPI document"]


def test_an_operation_that_is_not_served_is_reported(app, doc):
    invented = copy.deepcopy(doc)
    invented["paths"]["/api/forms/{form_id}"]["delete"] = {"responses": {"204": {"description": "gone"}}}
    problems = coverage.route_problems(invented, app.url_map)
    assert problems == ["DELETE /api/forms/{form_id} is in the OpenAPI document but not served"]


def test_every_status_the_views_name_or_a_rate_limit_gives_is_documented(app, doc):
    limited = (*throttling.VISITOR_ENDPOINTS, *throttling.WEBHOOK_ENDPOINTS)
    assert coverage.status_problems(doc, app, limited) == []


def test_a_status_missing_from_the_document_is_reported(app, doc):
    limited = (*throttling.VISITOR_ENDPOINTS, *throttling.WEBHOOK_ENDPOINTS)
    trimmed = copy.deepcopy(doc)
    for method in ("get", "post", "put", "patch", "head"):
        del trimmed["paths"]["/hooks/{form_id}"][method]["responses"]["401"]
    del trimmed["paths"]["/api/forms/{form_id}/submissions"]["post"]["responses"]["429"]
    problems = coverage.status_problems(trimmed, app, limited)
    assert any(p.endswith("answers 401, which none of its operations documents") for p in problems), problems
    assert "POST /api/forms/{form_id}/submissions is rate limited but does not document 429" in problems


def test_an_answer_outside_the_document_is_caught(doc):
    path = "/api/forms/{form_id}/submissions"
    assert (
        answer_problems(doc, path, "post", 202, "application/json", b'{"id": "%s", "status": "accepted"}' % (b"a" * 32))
        == []
    )
    assert answer_problems(doc, path, "post", 418, "application/json", b"{}") == [
        "POST /api/forms/{form_id}/submissions -> 418: status not documented"
    ]
    assert answer_problems(doc, path, "post", 202, "text/html", b"<p>ok</p>")
    wrong = answer_problems(doc, path, "post", 422, "application/json", b'{"errors": {"email": "not a list"}}')
    assert wrong and "is not of type 'array'" in wrong[0]


SIGNED_FORM = """
[forms.signed]
form_type = "signed"
fields = ["email"]
wpforms_secret = "wpforms-secret-0123456789"
"""


class Seen:
    """The statuses each documented operation answered, gathered from several apps, each watched."""

    def __init__(self):
        self.statuses, self.watches = {}, []

    def app(self, settings, **changes):
        app = create_app({**settings, **changes}, environ={"SECRET_KEY": SECRET})
        self.watches.append(Watch(app))
        return app.test_client()

    def __call__(self, answer, path, method):
        self.statuses.setdefault((path, method.lower()), set()).add(answer.status_code)

    def problems(self):
        return [problem for watch in self.watches for problem in watch.problems]


DEFINITION, SUBMISSIONS, HOOKS = "/api/forms/{form_id}", "/api/forms/{form_id}/submissions", "/hooks/{form_id}"
VIEWS = "/api/forms/{form_id}/views"
HOOK_METHODS = ("GET", "POST", "PUT", "PATCH", "HEAD")
BIG = "x" * 70_000


def _hook(client, method, fields, **kwargs):
    """Send `fields` to the news form's webhook with the token, in the query for GET and HEAD, else in the body."""
    if method in ("GET", "HEAD"):
        return client.open("/hooks/news", method=method, query_string={"token": TOKEN, **fields}, **kwargs)
    return client.open("/hooks/news", method=method, query_string={"token": TOKEN}, data=fields, **kwargs)


def _everyday_answers(seen, client):
    seen(client.get("/api/forms/news"), DEFINITION, "get")
    seen(client.get("/api/forms/nope"), DEFINITION, "get")
    token = form_token(client, "news")
    person = {"form_token": token, "email": "a@example.com", "consent": True}
    submit = "/api/forms/news/submissions"
    seen(client.post(submit, json=person, headers=BROWSER), SUBMISSIONS, "post")
    seen(client.post(submit, data=b"{oops", content_type="application/json"), SUBMISSIONS, "post")
    seen(client.post(submit, json={}, headers={"User-Agent": "curl/8.5"}), SUBMISSIONS, "post")
    seen(client.post("/api/forms/nope/submissions", json={}), SUBMISSIONS, "post")
    seen(client.post(submit, json={"email": BIG}), SUBMISSIONS, "post")
    seen(client.post(submit, json={"form_token": token, "email": "b@example.com"}), SUBMISSIONS, "post")
    seen(client.options(submit), SUBMISSIONS, "options")
    seen(client.options("/api/forms/nope/submissions"), SUBMISSIONS, "options")
    seen(client.post("/api/forms/news/views", headers=BROWSER), VIEWS, "post")
    seen(client.post("/api/forms/nope/views", headers=BROWSER), VIEWS, "post")
    signature = {"X-WPForms-Webhook-Signature": "t=1,v=00"}
    for method in HOOK_METHODS:
        seen(_hook(client, method, {"email": "c@x.com"}), HOOKS, method)
        seen(client.open("/hooks/news", method=method), HOOKS, method)
        seen(client.open("/hooks/nope", method=method), HOOKS, method)
        seen(client.open("/hooks/signed", method=method, headers=signature, data=BIG), HOOKS, method)
        many = {f"f{i}": "x" for i in range(1_100)}  # more fields than a sign-up has: 413
        if method == "GET":
            seen(client.get("/hooks/news", query_string={"token": "hook-secret-123", **many}), HOOKS, method)
        elif method != "HEAD":
            seen(client.open("/hooks/news?token=hook-secret-123", method=method, json=many), HOOKS, method)
        if method != "HEAD":
            seen(_hook(client, method, {"first_name": "Ada"}), HOOKS, method)


def test_the_service_gives_every_answer_the_document_lists(settings, tmp_path, doc):
    """Each documented status, provoked for real; each body is checked against the document as it goes."""
    forms = tmp_path / "forms.toml"
    forms.write_text(FORMS_FILE.read_text() + SIGNED_FORM)
    settings["FORMS_FILE"] = str(forms)
    seen = Seen()
    _everyday_answers(seen, seen.app(settings))

    limited = seen.app(settings, RATE_LIMIT="1/hour", WEBHOOK_RATE_LIMIT="1/hour")
    for _ in range(2):
        seen(limited.post("/api/forms/news/submissions", json={}), SUBMISSIONS, "post")
    for method in HOOK_METHODS:
        for _ in range(2):
            answer = limited.open("/hooks/news", method=method, headers={"X-Webhook-Token": f"{method}-0123456789"})
            seen(answer, HOOKS, method)

    token = form_token(limited, "news")
    unreachable = seen.app(settings, DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/none")
    seen(
        unreachable.post("/api/forms/news/submissions", json={"form_token": token, "email": "d@x.com", "consent": 1}),
        SUBMISSIONS,
        "post",
    )
    for method in HOOK_METHODS[:-1]:
        seen(_hook(unreachable, method, {"email": "e@x.com"}), HOOKS, method)

    assert seen.problems() == []
    for (path, method), operation in coverage.documented(doc).items():
        assert seen.statuses.get((path, method)) == {int(code) for code in operation["responses"]}, (path, method)

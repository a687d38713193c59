"""The document's typed fields, group choices and hidden values: true to what the JSON API gives and takes."""

import json

import pytest
from jsonschema import Draft202012Validator

from signup.forms import collecting, fields
from signup.openapi import document, form_schemas
from tests.conftest import form_token
from tests.openapi_conformance import answer_problems

BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0"}
DEFINITION, SUBMISSIONS = "/api/forms/{form_id}", "/api/forms/{form_id}/submissions"


@pytest.fixture
def doc():
    return document({})


def _sign_up_problems(doc, body):
    validator = Draft202012Validator({"$ref": "#/components/schemas/SignUp", "components": doc["components"]})
    return [error.message for error in validator.iter_errors(body)]


def test_the_definition_gives_typed_fields_options_groups_and_hidden_names_as_documented(client, doc):
    answer = client.get("/api/forms/extras?lang=uk")
    assert answer_problems(doc, DEFINITION, "get", answer.status_code, answer.mimetype, answer.get_data()) == []
    body = answer.get_json()
    kinds = {item["name"]: (item["type"], item.get("options")) for item in body["fields"]}
    assert kinds == {
        "email": ("email", None),
        "size": ("select", ["S", "M", "L"]),
        "birthday": ("date", None),
        "age": ("number", None),
        "vip": ("checkbox", None),
        "note": ("text", None),
    }
    assert body["groups"] == [{"name": "News", "label": "News"}, {"name": "Sales", "label": "Sales"}]
    assert body["hidden"] == ["utm_source", "utm_campaign", "page_url", "referrer", "gclid"]
    plain = client.get("/api/forms/news").get_json()
    assert (plain["groups"], plain["hidden"]) == ([], [])


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda field: field.pop("options"), "'options' is a required property"),
        (lambda field: field.update(type="range"), "'range' is not one of"),
    ],
)
def test_a_definition_outside_the_document_is_caught(client, doc, change, problem):
    body = client.get("/api/forms/extras").get_json()
    change(next(item for item in body["fields"] if item["name"] == "size"))
    found = answer_problems(doc, DEFINITION, "get", 200, "application/json", json.dumps(body).encode())
    assert found and problem in found[0], found


def test_the_documented_field_types_are_the_ones_the_service_gives():
    given = {"text", *fields.INPUT_TYPES.values(), *fields.TYPED_INPUTS.values()}
    assert set(form_schemas.FIELD_TYPES) == given


def test_the_documented_hidden_names_are_the_ones_the_forms_file_knows(doc):
    assert set(form_schemas.HIDDEN_VALUES) == set(collecting.KNOWN_HIDDEN)
    documented = doc["components"]["schemas"]["SignUp"]["properties"]
    assert {"groups", *collecting.KNOWN_HIDDEN} <= set(documented)


@pytest.mark.both_databases
def test_a_documented_sign_up_with_hidden_values_groups_and_typed_fields_is_accepted(client, doc):
    body = {
        "email": "typed@example.com",
        "size": "M",
        "birthday": "31.03.2026",
        "age": 33,
        "vip": True,
        "groups": ["News", "Sales"],
        "utm_source": "app",
        "utm_campaign": "spring",
        "gclid": "abc",
        "page_url": "https://shop.example.com/sale",
        "referrer": "https://www.google.com/",
        "form_token": form_token(client, "extras"),
    }
    assert _sign_up_problems(doc, body) == []
    answer = client.post("/api/forms/extras/submissions", json=body, headers=BROWSER)
    assert answer.status_code == 202
    assert answer_problems(doc, SUBMISSIONS, "post", 202, answer.mimetype, answer.get_data()) == []


def test_a_group_not_offered_or_a_wrong_typed_value_is_a_documented_422(client, doc):
    body = {"email": "a@example.com", "groups": "Admins", "age": "many", "form_token": form_token(client, "extras")}
    assert _sign_up_problems(doc, body) == []
    answer = client.post("/api/forms/extras/submissions", json=body, headers=BROWSER)
    assert answer.status_code == 422 and set(answer.get_json()["errors"]) == {"groups", "age"}
    assert answer_problems(doc, SUBMISSIONS, "post", 422, answer.mimetype, answer.get_data()) == []

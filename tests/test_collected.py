"""Typed custom fields, hidden values and chosen groups: cleaned, sent as eSputnik takes them, stored."""

import json

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from signup import collected, db, validation
from signup.db import Consent, Submission
from signup.delivery import esputnik
from signup.forms import catalogue
from signup.forms.collecting import FieldType
from tests.conftest import form_token, sign_up

NUMBER, DATE, CHECKBOX = FieldType("number"), FieldType("date"), FieldType("checkbox")
SELECT = FieldType("select", ("S", "M", "L"))


@pytest.mark.parametrize(
    ("kind", "given", "sent"),
    [
        (NUMBER, "42", "42"),
        (NUMBER, "-7", "-7"),
        (NUMBER, "+007", "7"),
        (NUMBER, "2147483647", "2147483647"),
        (NUMBER, "2147483648", None),
        (NUMBER, "4.5", None),
        (NUMBER, "forty", None),
        (DATE, "2026-03-31", "2026-03-31"),
        (DATE, "31.03.2026", "2026-03-31"),
        (DATE, "1/2/1990", "1990-02-01"),
        (DATE, "2026-02-30", None),
        (DATE, "1850-01-01", None),
        (DATE, "tomorrow", None),
        (SELECT, "M", "M"),
        (SELECT, "XL", None),
        (SELECT, "m", None),
    ],
)
def test_typed_values_become_what_esputnik_takes(app, kind, given, sent):
    with app.test_request_context():
        value, problem = validation.typed(kind, given)
    assert value == sent
    assert (problem is None) == (sent is not None)


@pytest.mark.parametrize(("given", "sent"), [("yes", "true"), ("on", "true"), ("1", "true"), ("no", None)])
def test_a_ticked_checkbox_sends_true_and_an_unticked_one_nothing(app, given, sent):
    with app.test_request_context():
        assert validation.typed(CHECKBOX, given) == (sent, None)


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Enter a whole number, like 42."),
        ("uk", "Введіть ціле число, наприклад 42."),
        ("ru", "Введите целое число, например 42."),
    ],
)
def test_a_wrong_number_is_named_in_the_visitors_language(client, language, message):
    answer = client.post(
        f"/api/forms/extras/submissions?lang={language}",
        json={"email": "a@example.com", "age": "many", "form_token": form_token(client, "extras")},
        headers={"User-Agent": "Mozilla/5.0 Chrome/120"},
    )
    assert answer.status_code == 422
    assert answer.get_json()["errors"] == {"age": [message]}


def test_groups_only_listed_ones_in_the_forms_order(app):
    with app.test_request_context():
        form = catalogue.find("extras")
        assert collected.chosen_groups(form, MultiDict([("groups", "Sales"), ("groups", "News")])) == (
            ["News", "Sales"],
            None,
        )
        assert collected.chosen_groups(form, {"groups": "News"}) == (["News"], None)
        assert collected.chosen_groups(form, {"groups": ["News", "Subscribers"]}) == (
            None,
            "Choose among the listed groups.",
        )
        assert collected.chosen_groups(form, {"groups": [{"a": 1}]})[1] == "Choose among the listed groups."
        assert collected.chosen_groups(form, {}) == (None, None)


def test_the_payload_carries_typed_fields_hidden_values_and_both_kinds_of_group(app):
    with app.test_request_context():
        form = catalogue.find("extras")
        values = {
            "email": "a@example.com",
            "size": "M",
            "age": "42",
            "vip": "true",
            "utm_source": "mail",
            "referrer": "https://www.google.com/",
            "groups": ["Sales"],
        }
        payload = esputnik.build_payload(form, values, "en")
    assert payload["contact"]["fields"] == [
        {"id": 115, "value": "M"},
        {"id": 117, "value": "42"},
        {"id": 118, "value": "true"},
        {"id": 111, "value": "mail"},
        {"id": 114, "value": "https://www.google.com/"},
    ]
    assert payload["groups"] == ["Subscribers", "Sales"]


@pytest.mark.parametrize(
    ("raw", "errors"),
    [
        ({"utm_source": "x" * 1001}, {"utm_source": ["Use at most 1000 characters."]}),
        ({"utm_source": "news\u202e"}, {"utm_source": ["Remove the invisible control characters from this field."]}),
        ({"gclid": ["a", "b"]}, {"gclid": ["Send this field as text."]}),
        ({"referrer": "javascript:alert(1)", "utm_campaign": " spring "}, {}),
    ],
)
def test_hidden_values_are_checked_as_any_custom_text(app, raw, errors):
    with app.test_request_context():
        values, found = collected.clean(catalogue.find("extras"), {"email": "a@example.com", **raw})
    assert found == errors
    assert "referrer" not in values
    if not errors:
        assert values["utm_campaign"] == "spring"


def stored(app):
    with app.app_context(), db.session() as session:
        return session.scalars(select(Submission)).all(), session.scalars(select(Consent)).all()


@pytest.mark.both_databases
def test_the_direct_iframe_carries_the_query_into_the_sign_up(app, client):
    query = "utm_source=newsletter&utm_campaign=spring&gclid=abc&utm_medium=dropped&email=x@example.com"
    page = client.get(f"/f/extras?{query}&page=https://shop.example.com/sale&referrer=https://www.google.com/")
    html = page.get_data(as_text=True)
    assert '<input type="hidden" name="utm_source" value="newsletter">' in html
    assert '<input type="hidden" name="gclid" value="abc">' in html
    assert 'name="utm_medium"' not in html  # not configured, so not carried
    fields = dict(
        email="ada@example.com",
        size="L",
        birthday="1990-02-01",
        age="33",
        vip="yes",
        groups=["News", "Sales"],
        utm_source="newsletter",
        utm_campaign="spring",
        gclid="abc",
        page_url="https://shop.example.com/sale",
        referrer="https://www.google.com/",
    )
    assert sign_up(client, "extras", **fields).status_code == 303
    (row,), _consents = stored(app)
    payload = json.loads(row.payload)
    assert payload["contact"]["fields"] == [
        {"id": 115, "value": "L"},
        {"id": 116, "value": "1990-02-01"},
        {"id": 117, "value": "33"},
        {"id": 118, "value": "true"},
        {"id": 111, "value": "newsletter"},
        {"id": 112, "value": "spring"},
        {"id": 113, "value": "https://shop.example.com/sale"},
        {"id": 114, "value": "https://www.google.com/"},
        {"id": 120, "value": "abc"},
    ]
    assert payload["groups"] == ["Subscribers", "News", "Sales"]


@pytest.mark.both_databases
def test_the_json_api_takes_hidden_values_and_groups_from_the_body(app, client):
    body = {
        "email": "api@example.com",
        "utm_source": "app",
        "groups": ["Sales"],
        "size": "S",
        "form_token": form_token(client, "extras"),
    }
    answer = client.post("/api/forms/extras/submissions", json=body, headers={"User-Agent": "Mozilla/5.0 Chrome/120"})
    assert answer.status_code == 202
    (row,), _consents = stored(app)
    payload = json.loads(row.payload)
    assert {"id": 111, "value": "app"} in payload["contact"]["fields"]
    assert payload["groups"] == ["Subscribers", "Sales"]


@pytest.mark.parametrize(("ticked", "sent"), [(True, [{"id": 118, "value": "true"}]), (False, [])])
def test_the_json_api_takes_a_checkbox_field_as_true_or_false(app, client, ticked, sent):
    body = {"email": "box@example.com", "vip": ticked, "form_token": form_token(client, "extras")}
    answer = client.post("/api/forms/extras/submissions", json=body, headers={"User-Agent": "Mozilla/5.0 Chrome/120"})
    assert answer.status_code == 202
    (row,), _consents = stored(app)
    assert json.loads(row.payload)["contact"].get("fields", []) == sent


def test_true_is_still_not_text_for_other_fields(client):
    body = {"email": "box@example.com", "note": True, "age": False, "form_token": form_token(client, "extras")}
    answer = client.post("/api/forms/extras/submissions", json=body, headers={"User-Agent": "Mozilla/5.0 Chrome/120"})
    assert answer.status_code == 422
    assert answer.get_json()["errors"] == {"note": ["Send this field as text."], "age": ["Send this field as text."]}


@pytest.mark.both_databases
def test_a_group_not_listed_is_refused_and_nothing_stored(app, client):
    answer = sign_up(client, "extras", email="ada@example.com", groups=["News", "Admins"])
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert "Choose among the listed groups." in html and 'id="e-groups"' in html
    assert 'value="News" checked' in html
    assert stored(app)[0] == []


def test_each_typed_field_is_drawn_with_its_own_input(client):
    html = client.get("/f/extras").get_data(as_text=True)
    assert '<select id="f-size" name="size">' in html and "<option>M</option>" in html
    assert 'name="birthday" type="date"' in html
    assert 'name="age" type="number"' in html and 'inputmode="numeric"' in html
    assert 'name="vip" type="checkbox" value="yes"' in html
    assert 'name="note" type="text"' in html
    assert html.count('name="groups" type="checkbox"') == 2
    assert "<legend>" in html


def test_wrong_values_come_back_beside_their_fields_with_what_was_typed(client):
    answer = sign_up(client, "extras", email="ada@example.com", birthday="2026-02-30", age="x", size="XL")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    for name in ("birthday", "age", "size"):
        assert f'id="e-{name}"' in html
    assert "Enter a real date, like 2026-03-31." in html and "Choose one of the options." in html


WEBHOOK_FORMS = """
[forms.hooked]
form_type = "hooked"
fields = ["email"]
groups = ["All"]
choose_groups = ["News", "Sales"]
[forms.hooked.webhook_fields]
"Interests" = "groups"
"""


@pytest.mark.both_databases
@pytest.mark.parametrize(
    ("ticked", "groups", "left_out"),
    [
        (["News", "Sales"], ["All", "News", "Sales"], None),
        ("Sales\nNews", ["All", "News", "Sales"], None),
        ("News, Sales", ["All", "News", "Sales"], None),
        (["News", "Admins"], ["All"], ["groups"]),
    ],
)
def test_a_plugins_checkboxes_mapped_to_groups_add_the_ticked_ones(app, client, ticked, groups, left_out):
    app.extensions["signup.forms"].update(catalogue.parse(WEBHOOK_FORMS))
    body = {"email": "hook@example.com", "Interests": ticked}
    answer = client.post("/hooks/hooked", json=body, headers={"X-Webhook-Token": "hook-secret-123"})
    assert answer.status_code == 200, answer.get_json()
    assert sorted(answer.get_json().get("left_out", {})) == (left_out or [])
    (row,), _consents = stored(app)
    assert json.loads(row.payload)["groups"] == groups


def test_groups_may_be_a_webhook_target_only_when_the_form_lists_some():
    with pytest.raises(catalogue.CatalogueError, match=r"webhook_fields\.Box"):
        catalogue.parse('[forms.h]\nform_type = "h"\nfields = ["email"]\n[forms.h.webhook_fields]\nBox = "groups"')

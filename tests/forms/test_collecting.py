"""The forms file's keys for what a form collects beyond the contact: hidden, choose_groups, typed custom_fields."""

import json

import pytest
from sqlalchemy import select

from signup import db
from signup.db import Submission
from signup.forms import catalogue
from signup.forms.collecting import FieldType
from tests.conftest import sign_up

BASE = 'form_type = "x"\nfields = ["email", "size"]\n'


def parse(extra, fields='["email"]'):
    return catalogue.parse(f'[forms.x]\nform_type = "x"\nfields = {fields}\n{extra}')["x"]


def test_typed_custom_fields_keep_their_id_type_and_options():
    form = parse(
        "[forms.x.custom_fields]\n"
        'size = { id = 115, type = "select", options = ["S", "M"] }\n'
        'born = { id = 116, type = "date" }\nnote = 7\n',
        fields='["email", "size", "born", "note"]',
    )
    assert form.custom_fields == {"size": 115, "born": 116, "note": 7}
    assert form.custom_types == {
        "size": FieldType("select", ("S", "M")),
        "born": FieldType("date"),
        "note": FieldType("text"),
    }


def test_hidden_values_and_chosen_groups_are_read():
    form = parse('groups = ["All"]\nchoose_groups = ["News", "Sales"]\n[forms.x.hidden]\nutm_source = 111\ngclid = 5\n')
    assert form.hidden == {"utm_source": 111, "gclid": 5}
    assert form.choose_groups == ("News", "Sales")


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ('[forms.x.custom_fields]\nsize = { id = 1, type = "colour" }', "forms.x.custom_fields.size.type"),
        ('[forms.x.custom_fields]\nsize = { id = 1, type = "select" }', "forms.x.custom_fields.size.options"),
        ('[forms.x.custom_fields]\nsize = { id = 1, type = "select", options = ["S", "S"] }', "size.options"),
        ('[forms.x.custom_fields]\nsize = { id = 1, type = "date", options = ["S"] }', "size.options"),
        ('[forms.x.custom_fields]\nsize = { type = "date" }', "forms.x.custom_fields.size.id"),
        ('[forms.x.custom_fields]\nsize = { id = 1, kind = "date" }', "forms.x.custom_fields.size.kind"),
        (
            '[forms.x.custom_fields]\nsize = { id = 1, type = "text", value = "Так" }',
            "forms.x.custom_fields.size.value",
        ),
        ('[forms.x.custom_fields]\nsize = { id = 1, type = "checkbox", value = " " }', "custom_fields.size.value"),
        ('[forms.x.custom_fields]\nsize = { id = 1, type = "checkbox", value = true }', "custom_fields.size.value"),
        ("[forms.x.hidden]\nutm_source = 0", "forms.x.hidden.utm_source"),
        ("[forms.x.hidden]\nemail = 3", "forms.x.hidden.email"),
        ("[forms.x.hidden]\nlang = 3", "forms.x.hidden.lang"),
        ('[forms.x.hidden]\n"UTM" = 3', "forms.x.hidden.UTM"),
        ('groups = ["News"]\nchoose_groups = ["News"]', "forms.x.choose_groups"),
        ('choose_groups = ["A", "A"]', "forms.x.choose_groups"),
        ("choose_groups = [1]", "forms.x.choose_groups"),
    ],
)
def test_mistakes_name_the_form_and_key(extra, named):
    with pytest.raises(catalogue.CatalogueError) as caught:
        parse(extra, fields='["email", "size"]' if "size" in extra else '["email"]')
    assert named in str(caught.value)


def test_a_hidden_name_may_not_be_a_custom_field():
    with pytest.raises(catalogue.CatalogueError, match=r"forms\.x\.hidden\.city"):
        parse("[forms.x.custom_fields]\ncity = 1\n[forms.x.hidden]\ncity = 2", fields='["email", "city"]')


AGREE = """
[forms.agree]
form_type = "agree"
fields = ["email", "agree", "vip"]
[forms.agree.custom_fields]
agree = { id = 116, type = "checkbox", value = "Так" }
vip = { id = 117, type = "checkbox" }
"""


def test_a_checkbox_keeps_the_value_it_sends_and_true_by_default():
    form = catalogue.parse(AGREE)["agree"]
    assert form.custom_types == {
        "agree": FieldType("checkbox", value="Так"),
        "vip": FieldType("checkbox", value="true"),
    }


@pytest.fixture
def agree_client(settings, request):
    settings["FORMS"] = catalogue.parse(AGREE)
    return request.getfixturevalue("client")


@pytest.mark.both_databases
@pytest.mark.parametrize(
    ("ticked", "sent"),
    [({"agree": "yes", "vip": "on"}, [{"id": 116, "value": "Так"}, {"id": 117, "value": "true"}]), ({}, [])],
)
def test_a_ticked_checkbox_sends_its_own_value_to_esputnik(agree_client, ticked, sent):
    assert sign_up(agree_client, "agree", email="box@example.com", **ticked).status_code == 303
    with agree_client.application.app_context(), db.session() as session:
        (row,) = session.scalars(select(Submission)).all()
    assert json.loads(row.payload)["contact"].get("fields", []) == sent

"""The forms file: examples load, and each mistake is named by form and key."""

import pytest

from signup.config import ROOT
from signup.forms import catalogue

GOOD = """
[forms.news]
form_type = "Newsletter subscription"
groups = ["Subscribers"]
fields = ["email", "first_name", "city"]
required = ["email"]
allowed_origins = ["https://shop.example.com"]
redirect_url = "https://shop.example.com/thanks"
consent = { en = "I agree.", uk = "Я згоден." }
language = "uk"
[forms.news.custom_fields]
city = 12345
[forms.news.labels]
city = "City"
"""


def problems(text):
    with pytest.raises(catalogue.CatalogueError) as info:
        catalogue.parse(text)
    return info.value.problems


def test_the_shipped_examples_load_and_cover_the_three_kinds():
    forms = catalogue.load(ROOT / "forms.toml")
    assert len(forms) >= 3
    assert any(f.consent and "first_name" in f.fields for f in forms.values())
    assert any(f.fields == ("phone",) for f in forms.values())
    assert any(f.custom_fields for f in forms.values())
    # Each typed custom field once, the checkbox with its own value, for a reader to copy.
    kinds = [kind for f in forms.values() for kind in f.custom_types.values()]
    assert sorted(k.kind for k in kinds if k.kind in ("number", "date", "checkbox")) == ["checkbox", "date", "number"]
    assert [k.value for k in kinds if k.kind == "checkbox"] == ["Так"]


def test_a_good_form_is_read_whole():
    form = catalogue.parse(GOOD)["news"]
    assert form.form_type == "Newsletter subscription"
    assert form.event_names == (
        "subscribeFromApi-Newsletter subscription",
        "subscribeUpdateFromApi-Newsletter subscription",
    )
    assert form.fields == ("email", "first_name", "city")
    assert form.custom_fields == {"city": 12345}
    assert form.consent.get("uk") == "Я згоден."
    assert form.consent.get("ru", fallback="en") == "I agree."
    assert form.label("city", "en") == "City"


@pytest.mark.parametrize("char", list("<;’\\/|\"`'^?!,>"))
def test_forbidden_characters_in_form_type_are_named(char):
    text = 'form_type = "news' + ("\\\\" if char == "\\" else '\\"' if char == '"' else char) + '"'
    found = problems(f'[forms.a]\n{text}\nfields = ["email"]\n')
    assert len(found) == 1
    assert found[0].startswith("forms.a.form_type: eSputnik forbids the characters")


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ('form_type = "a"\nfields = ["email"]\ncolour = "red"', "forms.x.colour: unknown key"),
        ('fields = ["email"]', "forms.x.form_type: required, a non-empty string"),
        ('form_type = "a"\nfields = ["email", "fax"]', "forms.x.fields: 'fax' is neither a standard field"),
        ('form_type = "a"\nfields = ["first_name"]', "forms.x.fields: needs email or phone"),
        ('form_type = "a"\nfields = ["email"]\nrequired = ["phone"]', "forms.x.required: 'phone' is not among fields"),
        ('form_type = "a"\nfields = ["email"]\nlanguage = "de"', "forms.x.language: expected one of uk, ru, en"),
        (
            'form_type = "a"\nfields = ["email"]\nredirect_url = "javascript:alert(1)"',
            "forms.x.redirect_url: must be an absolute http:// or https:// URL",
        ),
        (
            'form_type = "a"\nfields = ["email"]\nredirect_url = "https://evil.example/x"',
            "forms.x.redirect_url: its origin https://evil.example must be listed in allowed_origins",
        ),
        (
            'form_type = "a"\nfields = ["email"]\nallowed_origins = ["shop.example.com"]',
            "forms.x.allowed_origins: 'shop.example.com' is not an origin",
        ),
        ('form_type = "a"\nfields = ["email"]\n[forms.x.custom_fields]\ncity = "abc"', "forms.x.custom_fields.city"),
        ('form_type = "a"\nfields = ["email"]\nconsent = { de = "Ja" }', "forms.x.consent: unknown language 'de'"),
        ('form_type = "' + "a" * 78 + '"\nfields = ["email"]', "forms.x.form_type: at most 77 characters"),
    ],
)
def test_each_mistake_names_the_form_and_the_key(table, expected):
    found = problems(f"[forms.x]\n{table}\n")
    assert any(line.startswith(expected) for line in found), found


def test_bad_form_id_is_named():
    assert problems('[forms.News_Letter]\nform_type = "a"\nfields = ["email"]\n') == [
        "forms.News_Letter: the form id may use only a-z, 0-9 and -"
    ]


def test_every_mistake_is_reported_at_once():
    found = problems('[forms.a]\nfields = ["fax"]\n[forms.b]\nform_type = "x?"\nfields = ["email"]\n')
    assert len(found) >= 3


def test_invalid_toml_and_missing_file_are_reported():
    assert problems("[forms.a\n")[0].startswith("forms.toml: not valid TOML")
    with pytest.raises(catalogue.CatalogueError) as info:
        catalogue.load("/nonexistent/forms.toml")
    assert info.value.problems[0].startswith("FORMS_FILE: cannot read /nonexistent/forms.toml")

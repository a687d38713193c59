"""Cleaning of each field to what eSputnik accepts."""

import pytest

from signup import collected
from signup.forms import catalogue

FORM = catalogue.parse(
    """
[forms.t]
form_type = "t"
fields = ["email", "phone", "first_name", "last_name", "town", "note"]
consent = "I agree."
[forms.t.custom_fields]
note = 7
""",
)["t"]
PHONE_UA = catalogue.parse('[forms.p]\nform_type = "p"\nfields = ["phone"]\nphone_region = "UA"\n')["p"]


@pytest.fixture(autouse=True)
def _request(app):
    with app.test_request_context():
        yield


def test_email_is_trimmed_and_its_domain_lower_cased():
    values, errors = collected.clean(FORM, {"email": "  Ada.L@Example.COM ", "consent": "yes"})
    assert errors == {}
    assert values == {"email": "Ada.L@example.com"}


@pytest.mark.parametrize("email", ["ada", "ada@", "@example.com", "ada@example", "a b@example.com", "ada@@x.com"])
def test_malformed_emails_are_refused_with_a_message(email):
    _values, errors = collected.clean(FORM, {"email": email, "consent": "yes"})
    assert errors["email"] == ["Enter a valid email address, like name@example.com."]


def test_phone_becomes_e164():
    values, errors = collected.clean(FORM, {"phone": "+380 (50) 123-45-67", "consent": "on"})
    assert errors == {}
    assert values["phone"] == "+380501234567"


def test_local_phone_needs_a_region_or_a_plus():
    _values, errors = collected.clean(FORM, {"phone": "050 123 45 67", "consent": "on"})
    assert errors["phone"] == ["Enter the number in international format, starting with +."]
    values, errors = collected.clean(PHONE_UA, {"phone": "050 123 45 67"})
    assert (values, errors) == ({"phone": "+380501234567"}, {})


def test_impossible_phone_is_refused():
    _values, errors = collected.clean(FORM, {"phone": "+380 12", "consent": "on"})
    assert errors["phone"] == ["Enter a valid phone number."]


@pytest.mark.parametrize(
    "name",
    ["Ada", "Anna-Maria", "O'Brien", "Ol’ha", "Д'Артаньян", "J. R. R. Tolkien", "Олександр", "李小龙", "Louis 14"],
)
def test_names_eSputnik_accepts(name):
    values, errors = collected.clean(FORM, {"email": "a@example.com", "first_name": name, "consent": "1"})
    assert errors == {}
    assert values["first_name"] == " ".join(name.split())


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("A" * 41, "Use at most 40 characters."),
        ("Ada!", "Use letters only, with a hyphen or apostrophe inside a word."),
        ("-Ada", "Use letters only, with a hyphen or apostrophe inside a word."),
        ("Alexander.", "Use letters only, with a hyphen or apostrophe inside a word."),
        ("Ada 1234", "Use at most 3 digits."),
        ("Anna Maria Luisa Sofia", "Too many words for a name."),
        ("a b c d", "Too many words for a name."),
    ],
)
def test_names_eSputnik_would_reject_are_refused(name, message):
    _values, errors = collected.clean(FORM, {"email": "a@example.com", "first_name": name, "consent": "1"})
    assert errors["first_name"] == [message]


def test_last_name_has_no_word_limit():
    _values, errors = collected.clean(
        FORM, {"email": "a@example.com", "last_name": "de la Cruz y Santa Maria", "consent": "1"}
    )
    assert errors == {}


def test_custom_text_is_capped_at_1000_characters():
    ok = {"email": "a@example.com", "note": "x" * 1000, "consent": "1"}
    assert collected.clean(FORM, ok)[1] == {}
    _values, errors = collected.clean(FORM, {**ok, "note": "x" * 1001})
    assert errors["note"] == ["Use at most 1000 characters."]


def test_an_email_or_a_phone_is_needed():
    _values, errors = collected.clean(FORM, {"first_name": "Ada", "consent": "1"})
    assert errors == {"email": ["Enter your email address or phone number."]}


def test_consent_must_be_ticked_when_configured():
    _values, errors = collected.clean(FORM, {"email": "a@example.com"})
    assert errors == {"consent": ["Please tick the box to agree."]}
    assert collected.clean(FORM, {"email": "a@example.com"}, require_consent=False)[1] == {}


@pytest.mark.parametrize("value", ["Ada\x00", "Ada\x07", "A\u202eda", {"x": 1}, ["a"], True, None])
def test_control_characters_and_non_text_are_refused(value):
    _values, errors = collected.clean(FORM, {"email": "a@example.com", "first_name": value, "consent": "1"})
    assert "first_name" in errors


def test_numbers_are_taken_as_text():
    values, errors = collected.clean(FORM, {"email": "a@example.com", "note": 42, "consent": "1"})
    assert (values["note"], errors) == ("42", {})


def test_unknown_keys_are_ignored():
    values, errors = collected.clean(FORM, {"email": "a@example.com", "consent": "1", "isAdmin": "1"})
    assert values == {"email": "a@example.com"} and errors == {}

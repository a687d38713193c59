"""Checks of single keys of a form's table, each problem named by form and key."""

import pytest

from signup.forms import form_checks
from signup.forms.form_checks import TableReader, Text


def reader(table=None):
    return TableReader("news", table or {}, [])


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("newsletter", None),
        ("", "forms.news.form_type: required, a non-empty string"),
        ("a;b", "forms.news.form_type: eSputnik forbids the characters ; in formType"),
        (" padded", "forms.news.form_type: must not start or end with spaces"),
        ("x" * 78, "forms.news.form_type: at most 77 characters (eSputnik's event names are capped at 100)"),
    ],
)
def test_form_type(value, problem):
    checking = reader()
    form_checks.check_form_type(checking, value)
    assert checking.problems == ([problem] if problem else [])


@pytest.mark.parametrize(
    ("origin", "kept"),
    [
        ("https://Shop.Example.com", "https://shop.example.com"),
        ("http://localhost:8080/", "http://localhost:8080"),
        ("shop.example.com", None),
        ("https://shop.example.com/page", None),
        ("https://user@shop.example.com", None),
    ],
)
def test_allowed_origins_are_bare_origins(origin, kept):
    checking = reader()
    assert form_checks.check_origin(checking, origin) == kept
    assert bool(checking.problems) == (kept is None)


def test_a_redirect_must_stay_on_an_allowed_origin():
    checking = reader()
    assert form_checks.check_redirect(checking, " https://shop.example.com/thanks ", ("https://shop.example.com",))
    assert checking.problems == []
    form_checks.check_redirect(checking, "https://elsewhere.example/x", ("https://shop.example.com",))
    form_checks.check_redirect(checking, "javascript:alert(1)", ("https://shop.example.com",))
    assert checking.problems == [
        "forms.news.redirect_url: its origin https://elsewhere.example must be listed in allowed_origins",
        "forms.news.redirect_url: must be an absolute http:// or https:// URL",
    ]


def test_texts_per_language_fall_back_and_unknown_languages_are_named():
    checking = reader({"title": {"uk": "Підписка", "en": "Subscribe", "de": "Abonnieren"}})
    title = checking.text("title")
    assert (title.get("uk"), title.get("ru")) == ("Підписка", "Subscribe")
    assert checking.problems == ["forms.news.title: unknown language 'de' (use uk, ru, en)"]
    assert Text({"*": "Hi"}).get("ru") == "Hi"

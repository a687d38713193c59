"""Languages: every text the service shows is translated to Ukrainian and Russian, and the right one is served."""

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from babel.util import pathmatch

from signup.config import ROOT
from signup.i18n import TRANSLATIONS
from signup.validation import at_most
from tests.conftest import form_token

TRANSLATED = ("uk", "ru")


def texts_in_code():
    """Return every msgid the code and templates ask for, found as `make translations` finds them."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = {**DEFAULT_KEYWORDS, "lazy_gettext": None}
    found = set()
    for _filename, _line, message, _comments, _context in extract_from_dir(ROOT, method_map, options_map, keywords):
        found.add(message if isinstance(message, str) else message[0])
    return found


def catalogue(language, kind="po"):
    path = TRANSLATIONS / language / "LC_MESSAGES" / f"messages.{kind}"
    with open(path, "rb") as handle:
        return read_po(handle, locale=language) if kind == "po" else read_mo(handle)


def test_the_code_asks_for_texts_the_admin_s_included():
    found = texts_in_code()
    assert {"Please fill in this field.", "Please correct the following:", "Email", "There is no such form."} <= found
    assert {"Sign-ups per day, last %(num)d days", "Refused by eSputnik", "Wrong user name or password."} <= found


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_text_in_the_code_has_a_translation(language):
    po = catalogue(language)
    missing = []
    for text in sorted(texts_in_code()):
        message = po.get(text)
        strings = () if message is None else message.string if isinstance(message.string, tuple) else (message.string,)
        if message is None or message.fuzzy or not strings or not all(strings):
            missing.append(text)
    assert missing == [], f"translate these in {language} (make translations, then edit the .po): {missing}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_their_placeholders_and_plural_forms(language):
    po = catalogue(language)
    assert po.num_plurals == 3
    problems = [(message.id, [str(error) for error in errors]) for message, errors in po.check()]
    assert problems == []


def _key(value):
    return tuple(value) if isinstance(value, (list, tuple)) else value


@pytest.mark.parametrize("language", TRANSLATED)
def test_compiled_catalogue_matches_its_source(language):
    po, mo = catalogue(language), catalogue(language, "mo")
    compiled = {_key(message.id): _key(message.string) for message in mo if message.id}
    written = {_key(message.id): _key(message.string) for message in po if message.id and not message.fuzzy}
    assert compiled == written, "run make translations to compile the .po files"


@pytest.mark.parametrize(
    ("params", "headers", "expected"),
    [
        ({"lang": "ru"}, {"Accept-Language": "uk"}, "Заполните это поле."),
        ({}, {"Accept-Language": "uk-UA,uk;q=0.9,en;q=0.5"}, "Заповніть це поле."),
        ({}, {"Accept-Language": "de"}, "Please fill in this field."),
    ],
)
def test_errors_come_in_the_language_asked_for(client, params, headers, expected):
    answer = client.post(
        "/f/news", query_string=params, headers=headers, data={"form_token": form_token(client, "news")}
    )
    assert answer.status_code == 422
    assert expected in answer.get_data(as_text=True)


def test_the_form_default_language_applies_when_the_browser_names_none(client):
    html = client.get("/f/full").get_data(as_text=True)
    assert 'lang="uk"' in html and "Електронна пошта" in html and "Підписатися" in html


def test_api_errors_follow_the_lang_of_the_body(client):
    token = client.get("/api/forms/news?lang=uk").get_json()["token"]
    answer = client.post("/api/forms/news/submissions", json={"form_token": token, "lang": "uk", "email": "x"})
    assert answer.get_json()["errors"]["email"] == [
        "Введіть правильну адресу електронної пошти, наприклад name@example.com."
    ]


def test_lengths_are_counted_in_the_right_plural(client):
    with client.application.test_request_context("/?lang=uk"):
        assert (at_most(1), at_most(3), at_most(40)) == (
            "Не більше 1 символу.",
            "Не більше 3 символів.",
            "Не більше 40 символів.",
        )
    with client.application.test_request_context("/?lang=ru"):
        assert (at_most(21), at_most(22), at_most(25)) == (
            "Не более 21 символа.",
            "Не более 22 символов.",
            "Не более 25 символов.",
        )


def test_built_in_texts_on_the_thank_you_page_are_translated(client):
    for language, text in (("uk", "Дякуємо!"), ("ru", "Спасибо!"), ("en", "Thank you!")):
        assert text in client.get(f"/f/news/thanks?lang={language}").get_data(as_text=True)


def _matches_a_file(pattern):
    top = ROOT / pattern.split("/")[0]
    found = top.rglob("*") if top.is_dir() else [top] if top.exists() else []
    return any(pathmatch(pattern, path.relative_to(ROOT).as_posix()) for path in found)


def test_babel_cfg_names_only_paths_that_exist():
    with open(ROOT / "babel.cfg", encoding="utf-8") as handle:
        method_map, _options = parse_mapping_cfg(handle)
    assert [pattern for pattern, _method in method_map if not _matches_a_file(pattern)] == []

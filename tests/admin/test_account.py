"""The admin's account check: per form, kept across requests and processes, checked again by a button."""

import json

import pytest

from signup import db
from signup.admin import account
from signup.db import Flag, utcnow
from signup.forms import catalogue
from tests.admin.test_views import csrf
from tests.forms.test_account_check import FORMS, shop_account

AUTH = ("admin", "admin-pass")


@pytest.fixture(autouse=True)
def shop_only(settings):
    settings["FORMS"] = catalogue.parse(FORMS)


def index(client, **params):
    return client.get("/admin/", query_string=params, auth=AUTH).get_data(as_text=True)


def check_again(client, form_id="shop"):
    """Press the form's "check again" button, as the admin page draws it."""
    token = csrf(client, "/admin/", auth=AUTH)
    return client.post("/admin/account-check", data={"csrf_token": token, "form": form_id}, auth=AUTH)


@pytest.mark.both_databases
def test_nothing_is_asked_until_the_marketer_checks(client, fake_esputnik):
    html = index(client)
    assert "not checked yet" in html and '<form method="post" action="/admin/account-check" class="inline">' in html
    assert not [c for c in fake_esputnik.calls if "addressbooks" in c.path or "groups" in c.path]


@pytest.mark.both_databases
def test_check_again_shows_each_mismatch_and_keeps_it(app, client, fake_esputnik):
    shop_account(fake_esputnik)
    fake_esputnik.segments = ["Subscriber", "News"]
    answer = check_again(client)
    assert (answer.status_code, answer.headers["Location"]) == (303, "/admin/#account-shop")
    html = index(client)
    assert 'id="account-shop"' in html
    assert "no segment &#39;Subscribers&#39; in eSputnik" in html and "did you mean &#39;Subscriber&#39;?" in html
    assert "check again" in html
    calls = len(fake_esputnik.calls)
    # Kept: another request (or another process) shows the same without asking eSputnik again.
    assert "did you mean" in app.test_client().get("/admin/", auth=AUTH).get_data(as_text=True)
    assert len(fake_esputnik.calls) == calls
    fake_esputnik.segments = ["Subscribers", "News"]
    check_again(client)
    assert "custom fields and groups match" in index(client)


@pytest.mark.both_databases
@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("uk", "немає сегмента &#39;Subscribers&#39; в eSputnik"),
        ("ru", "нет сегмента &#39;Subscribers&#39; в eSputnik"),
        ("en", "no segment &#39;Subscribers&#39; in eSputnik"),
    ],
)
def test_each_admin_reads_the_kept_mismatches_in_their_own_language(client, fake_esputnik, language, words):
    shop_account(fake_esputnik)
    fake_esputnik.segments = ["Subscriber", "News"]
    check_again(client)
    assert words in index(client, lang=language)


def test_the_check_asks_esputnik_only_on_a_button_with_the_csrf_token(client, fake_esputnik):
    assert client.get("/admin/account-check", auth=AUTH).status_code == 405
    assert client.post("/admin/account-check", data={"form": "shop"}, auth=AUTH).status_code == 400
    assert not fake_esputnik.calls
    answer = check_again(client, form_id="no-such-form")
    assert (answer.status_code, answer.headers["Location"]) == (303, "/admin/")


def test_an_account_that_cannot_be_asked_says_why_without_the_key(client, fake_esputnik):
    fake_esputnik.always(("status", 401, b"{}"))
    check_again(client)
    html = index(client)
    assert "could not ask eSputnik" in html and "refused the API key" in html
    assert "test-key" not in html


def test_the_check_needs_the_admins_sign_in(client):
    assert client.post("/admin/account-check").status_code in (302, 400, 401)


def test_a_report_kept_before_accounts_were_checked_apart_still_shows(app, client):
    kept = {"problems": {}, "error": "eSputnik refused the API key (401)", "at": "2026-01-31T10:00:00"}
    with app.app_context(), db.session() as session, session.begin():
        session.add(Flag(name=account.FLAG, value=json.dumps(kept), updated_at=utcnow()))
    html = index(client)
    assert "could not ask eSputnik: eSputnik refused the API key (401)" in html and "2026-01-31 10:00" in html


def test_mismatches_kept_as_words_before_they_were_translated_still_show(app, client):
    kept = {"problems": {"shop": ["groups: no segment 'X' in eSputnik"]}, "errors": {}, "at": "2026-01-31T10:00:00"}
    with app.app_context(), db.session() as session, session.begin():
        session.add(Flag(name=account.FLAG, value=json.dumps(kept), updated_at=utcnow()))
    assert "groups: no segment &#39;X&#39; in eSputnik" in index(client, lang="uk")
